package sdk

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"time"
)

// PlacementGroup keeps servers on separate hosts (type spread).
type PlacementGroup struct {
	ID      int64             `json:"id"`
	Name    string            `json:"name"`
	Type    string            `json:"type"` // spread
	Servers []int64           `json:"servers"`
	Labels  map[string]string `json:"labels"`
	Created time.Time         `json:"created"`
}

// PlacementGroupCreateOpts is the body of POST /placement_groups.
type PlacementGroupCreateOpts struct {
	Name   string            `json:"name"`
	Type   string            `json:"type"` // spread
	Labels map[string]string `json:"labels,omitempty"`
}

// PlacementGroupUpdateOpts changes a placement group; see SSHKeyUpdateOpts for the rules.
type PlacementGroupUpdateOpts struct {
	Name   string
	Labels map[string]string
}

func (o PlacementGroupUpdateOpts) MarshalJSON() ([]byte, error) {
	return json.Marshal(updateBody(o.Name, o.Labels))
}

// PlacementGroupListOpts filters GET /placement_groups.
type PlacementGroupListOpts struct {
	Name          string
	Types         []string
	LabelSelector string   // see Selector
	Sort          []string // id, name, created, with :asc or :desc
	Page, PerPage int
}

func (o PlacementGroupListOpts) values() query {
	return query{}.str("name", o.Name).strs("type", o.Types).str("label_selector", o.LabelSelector).
		strs("sort", o.Sort).page(o.Page, o.PerPage)
}

// PlacementGroupClient manages placement groups.
type PlacementGroupClient struct{ c *Client }

// Get returns one placement group.
func (p PlacementGroupClient) Get(ctx context.Context, id int64) (PlacementGroup, error) {
	return getOne[PlacementGroup](ctx, p.c, idPath("/placement_groups", id), "placement_group")
}

// List returns one page of placement groups.
func (p PlacementGroupClient) List(ctx context.Context, opts PlacementGroupListOpts) ([]PlacementGroup, Pagination, error) {
	return listPage[PlacementGroup](ctx, p.c, "/placement_groups", "placement_groups", opts.values().values())
}

// All iterates every placement group.
func (p PlacementGroupClient) All(ctx context.Context, opts PlacementGroupListOpts) iter.Seq2[PlacementGroup, error] {
	return listAll[PlacementGroup](ctx, p.c, "/placement_groups", "placement_groups", opts.values().values())
}

// Create creates a placement group (the API returns no action for it).
func (p PlacementGroupClient) Create(ctx context.Context, opts PlacementGroupCreateOpts) (PlacementGroup, error) {
	var res struct {
		PlacementGroup PlacementGroup `json:"placement_group"`
	}
	err := p.c.sendJSON(ctx, http.MethodPost, "/placement_groups", opts, &res)
	return res.PlacementGroup, err
}

// Update renames a placement group or replaces its labels.
func (p PlacementGroupClient) Update(ctx context.Context, id int64, opts PlacementGroupUpdateOpts) (PlacementGroup, error) {
	var res struct {
		PlacementGroup PlacementGroup `json:"placement_group"`
	}
	err := p.c.sendJSON(ctx, http.MethodPut, idPath("/placement_groups", id), opts, &res)
	return res.PlacementGroup, err
}

// Delete deletes a placement group.
func (p PlacementGroupClient) Delete(ctx context.Context, id int64) error {
	return p.c.sendJSON(ctx, http.MethodDelete, idPath("/placement_groups", id), nil, nil)
}
