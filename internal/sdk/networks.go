package sdk

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"time"
)

// Network is a private network (an RFC 1918 IPv4 range) that servers attach to.
type Network struct {
	ID                    int64             `json:"id"`
	Name                  string            `json:"name"`
	IPRange               string            `json:"ip_range"` // CIDR
	Subnets               []NetworkSubnet   `json:"subnets"`
	Routes                []NetworkRoute    `json:"routes"`
	Servers               []int64           `json:"servers"`        // attached servers
	LoadBalancers         []int64           `json:"load_balancers"` // attached load balancers
	Protection            Protection        `json:"protection"`
	Labels                map[string]string `json:"labels"`
	Created               time.Time         `json:"created"`
	ExposeRoutesToVSwitch bool              `json:"expose_routes_to_vswitch"`
}

// NetworkSubnetType says what a subnet connects.
type NetworkSubnetType string

// Subnet types.
const (
	NetworkSubnetTypeCloud   NetworkSubnetType = "cloud"   // cloud servers and load balancers
	NetworkSubnetTypeVSwitch NetworkSubnetType = "vswitch" // a Robot vSwitch; needs VSwitchID
	// NetworkSubnetTypeServer is the old name of cloud; its gateway is the subnet's first IP.
	//
	// Deprecated: use NetworkSubnetTypeCloud.
	NetworkSubnetTypeServer NetworkSubnetType = "server"
)

// NetworkSubnet is a range of the network from which servers of one network zone get their
// addresses.
type NetworkSubnet struct {
	Type        NetworkSubnetType `json:"type"`
	IPRange     string            `json:"ip_range"`
	NetworkZone string            `json:"network_zone"` // eu-central, us-east, …
	Gateway     string            `json:"gateway"`      // the first IP of the network's range
	VSwitchID   *int64            `json:"vswitch_id"`   // nil unless Type is vswitch
}

// NetworkRoute sends traffic for Destination to Gateway, an address inside the network. It is
// also the body of add_route and delete_route.
type NetworkRoute struct {
	Destination string `json:"destination"` // CIDR
	Gateway     string `json:"gateway"`
}

// NetworkSubnetOpts is a subnet to create (in POST /networks or add_subnet).
type NetworkSubnetOpts struct {
	Type        NetworkSubnetType `json:"type"`
	NetworkZone string            `json:"network_zone"`
	IPRange     string            `json:"ip_range,omitempty"`   // "": the first free /24
	VSwitchID   int64             `json:"vswitch_id,omitempty"` // only for vswitch subnets
}

// NetworkCreateOpts is the body of POST /networks.
type NetworkCreateOpts struct {
	Name                  string              `json:"name"`
	IPRange               string              `json:"ip_range"` // RFC 1918, at least a /24
	Labels                map[string]string   `json:"labels,omitempty"`
	Subnets               []NetworkSubnetOpts `json:"subnets,omitempty"`
	Routes                []NetworkRoute      `json:"routes,omitempty"`
	ExposeRoutesToVSwitch bool                `json:"expose_routes_to_vswitch,omitempty"`
}

// NetworkUpdateOpts changes a network; ExposeRoutesToVSwitch nil keeps it. See
// SSHKeyUpdateOpts for Name and Labels.
type NetworkUpdateOpts struct {
	Name                  string
	Labels                map[string]string
	ExposeRoutesToVSwitch *bool
}

func (o NetworkUpdateOpts) MarshalJSON() ([]byte, error) {
	body := updateBody(o.Name, o.Labels)
	if o.ExposeRoutesToVSwitch != nil {
		body["expose_routes_to_vswitch"] = *o.ExposeRoutesToVSwitch
	}
	return json.Marshal(body)
}

// NetworkListOpts filters GET /networks.
type NetworkListOpts struct {
	Name          string
	LabelSelector string   // see Selector
	Sort          []string // id, name, created, with :asc or :desc
	Page, PerPage int
}

func (o NetworkListOpts) values() query {
	return query{}.str("name", o.Name).str("label_selector", o.LabelSelector).strs("sort", o.Sort).page(o.Page, o.PerPage)
}

// NetworkMemberStatus is the state of a member's attachment.
type NetworkMemberStatus string

// Member statuses: attaching, detaching and updating while a network action of the member
// runs, error after one failed.
const (
	NetworkMemberStatusOK        NetworkMemberStatus = "ok"
	NetworkMemberStatusAttaching NetworkMemberStatus = "attaching"
	NetworkMemberStatusDetaching NetworkMemberStatus = "detaching"
	NetworkMemberStatusUpdating  NetworkMemberStatus = "updating"
	NetworkMemberStatusError     NetworkMemberStatus = "error"
)

// NetworkMember is a server or load balancer attached to a network.
type NetworkMember struct {
	Type     string              `json:"type"` // server or load_balancer
	ID       int64               `json:"id"`
	IP       string              `json:"ip"`
	AliasIPs []string            `json:"alias_ips"`
	Subnet   string              `json:"subnet"` // the range of the subnet holding IP
	Status   NetworkMemberStatus `json:"status"`
}

// NetworkMemberListOpts filters GET /networks/{id}/members; each list matches any of its
// values.
type NetworkMemberListOpts struct {
	Types         []string // server, load_balancer
	Subnets       []string // subnet ranges (CIDR)
	Statuses      []NetworkMemberStatus
	Sort          []string // id, type, ip, status, with :asc or :desc
	Page, PerPage int
}

func (o NetworkMemberListOpts) values() query {
	q := query{}.strs("type", o.Types).strs("subnet", o.Subnets).strs("sort", o.Sort).page(o.Page, o.PerPage)
	for _, s := range o.Statuses {
		q.str("status", string(s))
	}
	return q
}

// NetworkClient manages networks. Changes to a network run as actions; while one runs, the
// API answers further changes with ErrConflict, which the client retries (see WithRetries).
type NetworkClient struct{ c *Client }

func networkPath(id int64) string { return idPath("/networks", id) }

// Get returns one network.
func (n NetworkClient) Get(ctx context.Context, id int64) (Network, error) {
	return getOne[Network](ctx, n.c, networkPath(id), "network")
}

// List returns one page of networks.
func (n NetworkClient) List(ctx context.Context, opts NetworkListOpts) ([]Network, Pagination, error) {
	return listPage[Network](ctx, n.c, "/networks", "networks", opts.values().values())
}

// All iterates every network.
func (n NetworkClient) All(ctx context.Context, opts NetworkListOpts) iter.Seq2[Network, error] {
	return listAll[Network](ctx, n.c, "/networks", "networks", opts.values().values())
}

// Create creates a network with its subnets and routes (the API returns no action for it).
func (n NetworkClient) Create(ctx context.Context, opts NetworkCreateOpts) (Network, error) {
	var res struct {
		Network Network `json:"network"`
	}
	err := n.c.sendJSON(ctx, http.MethodPost, "/networks", opts, &res)
	return res.Network, err
}

// Update renames a network, replaces its labels or changes expose_routes_to_vswitch.
func (n NetworkClient) Update(ctx context.Context, id int64, opts NetworkUpdateOpts) (Network, error) {
	var res struct {
		Network Network `json:"network"`
	}
	err := n.c.sendJSON(ctx, http.MethodPut, networkPath(id), opts, &res)
	return res.Network, err
}

// Delete deletes a network and detaches its servers. A delete-protected network is
// ErrProtected.
func (n NetworkClient) Delete(ctx context.Context, id int64) error {
	return n.c.sendJSON(ctx, http.MethodDelete, networkPath(id), nil, nil)
}

func (n NetworkClient) action(ctx context.Context, id int64, name string, body any) (Action, error) {
	return n.c.actionOf(ctx, http.MethodPost, networkPath(id)+"/actions/"+name, body)
}

// AddSubnet adds a subnet inside the network's range that overlaps no other subnet or route.
func (n NetworkClient) AddSubnet(ctx context.Context, id int64, subnet NetworkSubnetOpts) (Action, error) {
	return n.action(ctx, id, "add_subnet", subnet)
}

// DeleteSubnet deletes the subnet with this range; one that holds a server's address is
// ErrServiceError.
func (n NetworkClient) DeleteSubnet(ctx context.Context, id int64, ipRange string) (Action, error) {
	return n.action(ctx, id, "delete_subnet", map[string]string{"ip_range": ipRange})
}

// AddRoute adds a route.
func (n NetworkClient) AddRoute(ctx context.Context, id int64, route NetworkRoute) (Action, error) {
	return n.action(ctx, id, "add_route", route)
}

// DeleteRoute deletes the route with this destination and gateway.
func (n NetworkClient) DeleteRoute(ctx context.Context, id int64, route NetworkRoute) (Action, error) {
	return n.action(ctx, id, "delete_route", route)
}

// ChangeIPRange grows the network: ipRange keeps the first address and has a shorter prefix.
func (n NetworkClient) ChangeIPRange(ctx context.Context, id int64, ipRange string) (Action, error) {
	return n.action(ctx, id, "change_ip_range", map[string]string{"ip_range": ipRange})
}

// ChangeProtection sets delete protection.
func (n NetworkClient) ChangeProtection(ctx context.Context, id int64, deleteProtected bool) (Action, error) {
	return n.action(ctx, id, "change_protection", map[string]bool{"delete": deleteProtected})
}

// ListActions returns one page of the network's actions, including those of servers attaching
// to or detaching from it.
func (n NetworkClient) ListActions(ctx context.Context, id int64, opts ActionListOpts) ([]Action, Pagination, error) {
	return listPage[Action](ctx, n.c, networkPath(id)+"/actions", "actions", opts.values().values())
}

// ListMembers returns one page of the servers and load balancers attached to the network.
func (n NetworkClient) ListMembers(ctx context.Context, id int64, opts NetworkMemberListOpts) ([]NetworkMember, Pagination, error) {
	return listPage[NetworkMember](ctx, n.c, networkPath(id)+"/members", "members", opts.values().values())
}

// AllMembers iterates every member of the network.
func (n NetworkClient) AllMembers(ctx context.Context, id int64, opts NetworkMemberListOpts) iter.Seq2[NetworkMember, error] {
	return listAll[NetworkMember](ctx, n.c, networkPath(id)+"/members", "members", opts.values().values())
}
