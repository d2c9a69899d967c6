package sdk

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"time"
)

// PrimaryIP is a public address bound to a location, assignable to a server.
type PrimaryIP struct {
	ID           int64             `json:"id"`
	Name         string            `json:"name"`
	Type         string            `json:"type"` // ipv4 or ipv6
	IP           string            `json:"ip"`   // the address, or the /64 network for ipv6
	AssigneeID   *int64            `json:"assignee_id"`
	AssigneeType string            `json:"assignee_type"` // server, or unassigned
	AutoDelete   bool              `json:"auto_delete"`   // deleted with its server
	Blocked      bool              `json:"blocked"`
	DNSPtr       []DNSPtr          `json:"dns_ptr"`
	Location     Location          `json:"location"`
	Protection   Protection        `json:"protection"`
	Labels       map[string]string `json:"labels"`
	Created      time.Time         `json:"created"`
}

// PrimaryIPCreateOpts is the body of POST /primary_ips: give AssigneeID, or Location for an
// unassigned address.
type PrimaryIPCreateOpts struct {
	Name       string            `json:"name"`
	Type       string            `json:"type"` // ipv4 or ipv6
	Location   string            `json:"location,omitempty"`
	AssigneeID int64             `json:"assignee_id,omitempty"`
	AutoDelete bool              `json:"auto_delete,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
}

func (o PrimaryIPCreateOpts) MarshalJSON() ([]byte, error) {
	type plain PrimaryIPCreateOpts
	body := struct {
		plain
		AssigneeType string `json:"assignee_type,omitempty"`
	}{plain: plain(o)}
	if o.AssigneeID != 0 {
		body.AssigneeType = "server"
	}
	return json.Marshal(body)
}

// PrimaryIPCreateResult is the answer of POST /primary_ips; Action is nil unless the address
// was assigned on creation.
type PrimaryIPCreateResult struct {
	PrimaryIP PrimaryIP `json:"primary_ip"`
	Action    *Action   `json:"action"`
}

// PrimaryIPUpdateOpts changes a Primary IP; AutoDelete nil keeps it. See SSHKeyUpdateOpts for
// Name and Labels.
type PrimaryIPUpdateOpts struct {
	Name       string
	Labels     map[string]string
	AutoDelete *bool
}

func (o PrimaryIPUpdateOpts) MarshalJSON() ([]byte, error) {
	body := updateBody(o.Name, o.Labels)
	if o.AutoDelete != nil {
		body["auto_delete"] = *o.AutoDelete
	}
	return json.Marshal(body)
}

// PrimaryIPListOpts filters GET /primary_ips.
type PrimaryIPListOpts struct {
	Name          string
	IP            string
	LabelSelector string   // see Selector
	Sort          []string // id, created, with :asc or :desc
	Page, PerPage int
}

func (o PrimaryIPListOpts) values() query {
	return query{}.str("name", o.Name).str("ip", o.IP).str("label_selector", o.LabelSelector).
		strs("sort", o.Sort).page(o.Page, o.PerPage)
}

// PrimaryIPClient manages Primary IPs.
type PrimaryIPClient struct{ c *Client }

func primaryIPPath(id int64) string { return idPath("/primary_ips", id) }

// Get returns one Primary IP.
func (p PrimaryIPClient) Get(ctx context.Context, id int64) (PrimaryIP, error) {
	return getOne[PrimaryIP](ctx, p.c, primaryIPPath(id), "primary_ip")
}

// List returns one page of Primary IPs.
func (p PrimaryIPClient) List(ctx context.Context, opts PrimaryIPListOpts) ([]PrimaryIP, Pagination, error) {
	return listPage[PrimaryIP](ctx, p.c, "/primary_ips", "primary_ips", opts.values().values())
}

// All iterates every Primary IP.
func (p PrimaryIPClient) All(ctx context.Context, opts PrimaryIPListOpts) iter.Seq2[PrimaryIP, error] {
	return listAll[PrimaryIP](ctx, p.c, "/primary_ips", "primary_ips", opts.values().values())
}

// Create creates a Primary IP.
func (p PrimaryIPClient) Create(ctx context.Context, opts PrimaryIPCreateOpts) (PrimaryIPCreateResult, error) {
	var res PrimaryIPCreateResult
	err := p.c.sendJSON(ctx, http.MethodPost, "/primary_ips", opts, &res)
	return res, err
}

// Update renames a Primary IP, replaces its labels or changes auto_delete.
func (p PrimaryIPClient) Update(ctx context.Context, id int64, opts PrimaryIPUpdateOpts) (PrimaryIP, error) {
	var res struct {
		PrimaryIP PrimaryIP `json:"primary_ip"`
	}
	err := p.c.sendJSON(ctx, http.MethodPut, primaryIPPath(id), opts, &res)
	return res.PrimaryIP, err
}

// Delete deletes an unassigned Primary IP (an assigned one is must_be_unassigned).
func (p PrimaryIPClient) Delete(ctx context.Context, id int64) error {
	return p.c.sendJSON(ctx, http.MethodDelete, primaryIPPath(id), nil, nil)
}

// Assign assigns the address to a stopped server.
func (p PrimaryIPClient) Assign(ctx context.Context, id, server int64) (Action, error) {
	return p.c.actionOf(ctx, http.MethodPost, primaryIPPath(id)+"/actions/assign",
		map[string]any{"assignee_id": server, "assignee_type": "server"})
}

// Unassign takes the address off its (stopped) server.
func (p PrimaryIPClient) Unassign(ctx context.Context, id int64) (Action, error) {
	return p.c.actionOf(ctx, http.MethodPost, primaryIPPath(id)+"/actions/unassign", nil)
}

// ChangeDNSPtr sets the reverse DNS entry of ip; nil resets it.
func (p PrimaryIPClient) ChangeDNSPtr(ctx context.Context, id int64, ip string, ptr *string) (Action, error) {
	return p.c.actionOf(ctx, http.MethodPost, primaryIPPath(id)+"/actions/change_dns_ptr",
		map[string]any{"ip": ip, "dns_ptr": ptr})
}

// ChangeProtection sets delete protection (it needs auto_delete off).
func (p PrimaryIPClient) ChangeProtection(ctx context.Context, id int64, deleteProtected bool) (Action, error) {
	return p.c.actionOf(ctx, http.MethodPost, primaryIPPath(id)+"/actions/change_protection",
		map[string]bool{"delete": deleteProtected})
}

// ListActions returns one page of the Primary IP's actions.
func (p PrimaryIPClient) ListActions(ctx context.Context, id int64, opts ActionListOpts) ([]Action, Pagination, error) {
	return listPage[Action](ctx, p.c, primaryIPPath(id)+"/actions", "actions", opts.values().values())
}
