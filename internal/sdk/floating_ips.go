package sdk

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"time"
)

// FloatingIP is a public address that can move between servers in any location; its home
// location is where routing is best.
type FloatingIP struct {
	ID           int64             `json:"id"`
	Name         string            `json:"name"`
	Description  *string           `json:"description"` // nil when none
	Type         string            `json:"type"`        // ipv4 or ipv6
	IP           string            `json:"ip"`          // the address, or the /64 network for ipv6
	Server       *int64            `json:"server"`      // nil when unassigned
	DNSPtr       []DNSPtr          `json:"dns_ptr"`
	HomeLocation Location          `json:"home_location"`
	Blocked      bool              `json:"blocked"`
	Protection   Protection        `json:"protection"`
	Labels       map[string]string `json:"labels"`
	Created      time.Time         `json:"created"`
}

// FloatingIPCreateOpts is the body of POST /floating_ips: give HomeLocation, or Server to
// assign the address at once (its home is then the server's location).
type FloatingIPCreateOpts struct {
	Type         string            `json:"type"` // ipv4 or ipv6
	Name         string            `json:"name,omitempty"`
	Description  string            `json:"description,omitempty"`
	HomeLocation string            `json:"home_location,omitempty"` // location name or id
	Server       int64             `json:"server,omitempty"`
	Labels       map[string]string `json:"labels,omitempty"`
}

// FloatingIPCreateResult is the answer of POST /floating_ips; Action is nil unless the address
// was assigned on creation.
type FloatingIPCreateResult struct {
	FloatingIP FloatingIP `json:"floating_ip"`
	Action     *Action    `json:"action"`
}

// FloatingIPUpdateOpts changes a Floating IP. Description nil keeps it, a pointer to "" removes
// it. See SSHKeyUpdateOpts for Name and Labels.
type FloatingIPUpdateOpts struct {
	Name        string
	Description *string
	Labels      map[string]string
}

func (o FloatingIPUpdateOpts) MarshalJSON() ([]byte, error) {
	body := updateBody(o.Name, o.Labels)
	if o.Description != nil {
		body["description"] = o.Description
		if *o.Description == "" {
			body["description"] = nil
		}
	}
	return json.Marshal(body)
}

// FloatingIPListOpts filters GET /floating_ips.
type FloatingIPListOpts struct {
	Name          string
	LabelSelector string   // see Selector
	Sort          []string // id, created, with :asc or :desc
	Page, PerPage int
}

func (o FloatingIPListOpts) values() query {
	return query{}.str("name", o.Name).str("label_selector", o.LabelSelector).strs("sort", o.Sort).page(o.Page, o.PerPage)
}

// FloatingIPClient manages Floating IPs.
type FloatingIPClient struct{ c *Client }

func floatingIPPath(id int64) string { return idPath("/floating_ips", id) }

// Get returns one Floating IP.
func (f FloatingIPClient) Get(ctx context.Context, id int64) (FloatingIP, error) {
	return getOne[FloatingIP](ctx, f.c, floatingIPPath(id), "floating_ip")
}

// List returns one page of Floating IPs.
func (f FloatingIPClient) List(ctx context.Context, opts FloatingIPListOpts) ([]FloatingIP, Pagination, error) {
	return listPage[FloatingIP](ctx, f.c, "/floating_ips", "floating_ips", opts.values().values())
}

// All iterates every Floating IP.
func (f FloatingIPClient) All(ctx context.Context, opts FloatingIPListOpts) iter.Seq2[FloatingIP, error] {
	return listAll[FloatingIP](ctx, f.c, "/floating_ips", "floating_ips", opts.values().values())
}

// Create creates a Floating IP.
func (f FloatingIPClient) Create(ctx context.Context, opts FloatingIPCreateOpts) (FloatingIPCreateResult, error) {
	var res FloatingIPCreateResult
	err := f.c.sendJSON(ctx, http.MethodPost, "/floating_ips", opts, &res)
	return res, err
}

// Update renames a Floating IP, changes its description or replaces its labels.
func (f FloatingIPClient) Update(ctx context.Context, id int64, opts FloatingIPUpdateOpts) (FloatingIP, error) {
	var res struct {
		FloatingIP FloatingIP `json:"floating_ip"`
	}
	err := f.c.sendJSON(ctx, http.MethodPut, floatingIPPath(id), opts, &res)
	return res.FloatingIP, err
}

// Delete deletes an unassigned Floating IP (an assigned one is must_be_unassigned).
func (f FloatingIPClient) Delete(ctx context.Context, id int64) error {
	return f.c.sendJSON(ctx, http.MethodDelete, floatingIPPath(id), nil, nil)
}

// Assign assigns the address to a server, moving it off the server that has it.
func (f FloatingIPClient) Assign(ctx context.Context, id, server int64) (Action, error) {
	return f.c.actionOf(ctx, http.MethodPost, floatingIPPath(id)+"/actions/assign", map[string]int64{"server": server})
}

// Unassign takes the address off its server.
func (f FloatingIPClient) Unassign(ctx context.Context, id int64) (Action, error) {
	return f.c.actionOf(ctx, http.MethodPost, floatingIPPath(id)+"/actions/unassign", nil)
}

// ChangeDNSPtr sets the reverse DNS entry of ip (the address, or one inside the /64); nil
// resets it.
func (f FloatingIPClient) ChangeDNSPtr(ctx context.Context, id int64, ip string, ptr *string) (Action, error) {
	return f.c.actionOf(ctx, http.MethodPost, floatingIPPath(id)+"/actions/change_dns_ptr",
		map[string]any{"ip": ip, "dns_ptr": ptr})
}

// ChangeProtection sets delete protection.
func (f FloatingIPClient) ChangeProtection(ctx context.Context, id int64, deleteProtected bool) (Action, error) {
	return f.c.actionOf(ctx, http.MethodPost, floatingIPPath(id)+"/actions/change_protection",
		map[string]bool{"delete": deleteProtected})
}

// ListActions returns one page of the Floating IP's actions.
func (f FloatingIPClient) ListActions(ctx context.Context, id int64, opts ActionListOpts) ([]Action, Pagination, error) {
	return listPage[Action](ctx, f.c, floatingIPPath(id)+"/actions", "actions", opts.values().values())
}
