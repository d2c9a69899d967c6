package store

import (
	"slices"
	"strings"
	"time"
)

// MaxServersPerPlacementGroup is the size of a spread group (Hetzner's product documentation;
// not stated by the API reference).
const MaxServersPerPlacementGroup = 10

// PlacementGroupTypeSpread is the only placement group type.
const PlacementGroupTypeSpread = "spread"

// PlacementGroup is a placement group as the API shows it. Servers is derived from the servers
// that name the group; the stored value is ignored.
type PlacementGroup struct {
	ID      int64             `json:"id"`
	Name    string            `json:"name"`
	Labels  map[string]string `json:"labels"`
	Type    string            `json:"type"`
	Created time.Time         `json:"created"`
	Servers []int64           `json:"servers"`
}

func (g PlacementGroup) entityID() int64 { return g.ID }

func (g PlacementGroup) clone() PlacementGroup {
	g.Labels = copyLabels(g.Labels)
	g.Servers = nonNil(slices.Clone(g.Servers))
	return g
}

// CreatePlacementGroup is the body of POST /placement_groups.
type CreatePlacementGroup struct {
	Name   string            `json:"name"`
	Type   string            `json:"type"`
	Labels map[string]string `json:"labels"`
}

// CreatePlacementGroupResult is the answer of POST /placement_groups: action is always null.
type CreatePlacementGroupResult struct {
	PlacementGroup PlacementGroup `json:"placement_group"`
	Action         *Action        `json:"action"`
}

// UpdatePlacementGroup is the body of PUT /placement_groups/{id}.
type UpdatePlacementGroup struct {
	Name   *string            `json:"name"`
	Labels *map[string]string `json:"labels"`
}

// PlacementGroupFilter narrows GET /placement_groups.
type PlacementGroupFilter struct {
	Name  string
	Types []string
}

var placementGroupSorter = Sorter[PlacementGroup]{
	"name":    byString(func(g PlacementGroup) string { return g.Name }),
	"created": func(a, b PlacementGroup) int { return a.Created.Compare(b.Created) },
}

// placementGroupMembers are the ids of the servers in a group, ascending.
func (p *Project) placementGroupMembers(id int64) []int64 {
	out := []int64{}
	for _, s := range p.servers.values() {
		if s.PlacementGroup != nil && s.PlacementGroup.ID == id {
			out = append(out, s.ID)
		}
	}
	return out
}

func (p *Project) placementGroupView(g PlacementGroup) PlacementGroup {
	g = g.clone()
	g.Servers = p.placementGroupMembers(g.ID)
	return g
}

// CreatePlacementGroup creates a spread group; names are unique.
func (p *Project) CreatePlacementGroup(req CreatePlacementGroup) (CreatePlacementGroupResult, error) {
	if strings.TrimSpace(req.Name) == "" {
		return CreatePlacementGroupResult{}, InvalidField("name", "Name must not be empty.")
	}
	if req.Type != PlacementGroupTypeSpread {
		return CreatePlacementGroupResult{}, InvalidField("type", "Not a valid choice.")
	}
	if err := ValidateLabels(req.Labels); err != nil {
		return CreatePlacementGroupResult{}, err
	}
	defer p.lock()()
	if _, dup := p.placementGroups.byName(req.Name); dup {
		return CreatePlacementGroupResult{}, Uniqueness("name", "name is already used")
	}
	if err := p.checkLimit("placement_groups", p.placementGroups.len()); err != nil {
		return CreatePlacementGroupResult{}, err
	}
	g := PlacementGroup{ID: p.store.nextID("placement_group"), Name: req.Name, Labels: copyLabels(req.Labels),
		Type: req.Type, Created: p.now(), Servers: []int64{}}
	p.placementGroups.put(g)
	return CreatePlacementGroupResult{PlacementGroup: g.clone()}, nil
}

// GetPlacementGroup returns one group with its servers.
func (p *Project) GetPlacementGroup(id int64) (PlacementGroup, error) {
	defer p.lock()()
	g, ok := p.placementGroups.get(id)
	if !ok {
		return PlacementGroup{}, NotFound("placement_group")
	}
	return p.placementGroupView(g), nil
}

// ListPlacementGroups lists groups with the name and type filters.
func (p *Project) ListPlacementGroups(f PlacementGroupFilter, opts ListOptions) (Page[PlacementGroup], error) {
	defer p.lock()()
	pg, err := page(&p.placementGroups, opts, func(g PlacementGroup) bool {
		return (f.Name == "" || g.Name == f.Name) && (len(f.Types) == 0 || slices.Contains(f.Types, g.Type))
	}, func(g PlacementGroup) map[string]string { return g.Labels }, placementGroupSorter)
	for i, g := range pg.Items {
		pg.Items[i] = p.placementGroupView(g)
	}
	return pg, err
}

// UpdatePlacementGroup renames a group or replaces its labels.
func (p *Project) UpdatePlacementGroup(id int64, req UpdatePlacementGroup) (PlacementGroup, error) {
	if req.Name != nil && strings.TrimSpace(*req.Name) == "" {
		return PlacementGroup{}, InvalidField("name", "Name must not be empty.")
	}
	if req.Labels != nil {
		if err := ValidateLabels(*req.Labels); err != nil {
			return PlacementGroup{}, err
		}
	}
	defer p.lock()()
	g, ok := p.placementGroups.get(id)
	if !ok {
		return PlacementGroup{}, NotFound("placement_group")
	}
	if err := renameAndRelabel(&p.placementGroups, req.Name, req.Labels, &g.Name, &g.Labels, "name is already used"); err != nil {
		return PlacementGroup{}, err
	}
	p.placementGroups.put(g)
	return p.placementGroupView(g), nil
}

// DeletePlacementGroup deletes a group; its servers leave it.
func (p *Project) DeletePlacementGroup(id int64) error {
	defer p.lock()()
	if !p.placementGroups.has(id) {
		return NotFound("placement_group")
	}
	for _, sid := range p.placementGroupMembers(id) {
		s, _ := p.servers.get(sid)
		s.PlacementGroup = nil
		p.servers.put(s)
	}
	p.placementGroups.remove(id)
	return nil
}
