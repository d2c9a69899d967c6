package sdk

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"time"
)

// FirewallDirection is the traffic a rule is for.
type FirewallDirection string

// Directions: inbound rules list source IPs, outbound rules destination IPs.
const (
	FirewallDirectionIn  FirewallDirection = "in"
	FirewallDirectionOut FirewallDirection = "out"
)

// FirewallProtocol is the protocol a rule is for.
type FirewallProtocol string

// Protocols; only tcp and udp rules have a port.
const (
	FirewallProtocolTCP  FirewallProtocol = "tcp"
	FirewallProtocolUDP  FirewallProtocol = "udp"
	FirewallProtocolICMP FirewallProtocol = "icmp"
	FirewallProtocolESP  FirewallProtocol = "esp"
	FirewallProtocolGRE  FirewallProtocol = "gre"
)

// FirewallResourceType is what a firewall applies to.
type FirewallResourceType string

// Resource types.
const (
	FirewallResourceTypeServer        FirewallResourceType = "server"
	FirewallResourceTypeLabelSelector FirewallResourceType = "label_selector"
)

// The states of a firewall on a server (ServerFirewall.Status).
const (
	FirewallStatusPending = "pending" // its apply_firewall action runs
	FirewallStatusApplied = "applied"
)

// Firewall is a set of rules for the public interfaces of the servers it applies to. With no
// inbound rule, all inbound traffic is dropped; with no outbound rule, all outbound traffic
// is allowed.
type Firewall struct {
	ID        int64              `json:"id"`
	Name      string             `json:"name"`
	Labels    map[string]string  `json:"labels"`
	Created   time.Time          `json:"created"`
	Rules     []FirewallRule     `json:"rules"`
	AppliedTo []FirewallResource `json:"applied_to"`
}

// FirewallRule allows traffic. It is also a rule of create and set_rules: SourceIPs for
// inbound, DestinationIPs for outbound rules, as CIDRs whose host bits are zero.
type FirewallRule struct {
	Direction      FirewallDirection `json:"direction"`
	Protocol       FirewallProtocol  `json:"protocol"`
	Port           *string           `json:"port,omitempty"` // "80", "1024-5000" or "any"; tcp and udp only
	SourceIPs      []string          `json:"source_ips,omitempty"`
	DestinationIPs []string          `json:"destination_ips,omitempty"`
	Description    *string           `json:"description,omitempty"`
}

// FirewallResource is a server or a label selector a firewall applies to. In answers, a label
// selector lists the servers it reaches now in AppliedToResources.
type FirewallResource struct {
	Type               FirewallResourceType           `json:"type"`
	Server             *FirewallResourceServer        `json:"server,omitempty"`
	LabelSelector      *FirewallResourceLabelSelector `json:"label_selector,omitempty"`
	AppliedToResources []FirewallResource             `json:"applied_to_resources,omitempty"`
}

// FirewallResourceServer names a server.
type FirewallResourceServer struct {
	ID int64 `json:"id"`
}

// FirewallResourceLabelSelector is a label selector (see Selector).
type FirewallResourceLabelSelector struct {
	Selector string `json:"selector"`
}

// FirewallServer is a FirewallResource for a server.
func FirewallServer(id int64) FirewallResource {
	return FirewallResource{Type: FirewallResourceTypeServer, Server: &FirewallResourceServer{ID: id}}
}

// FirewallLabelSelector is a FirewallResource for the servers a label selector reaches.
func FirewallLabelSelector(selector string) FirewallResource {
	return FirewallResource{Type: FirewallResourceTypeLabelSelector, LabelSelector: &FirewallResourceLabelSelector{Selector: selector}}
}

// FirewallCreateOpts is the body of POST /firewalls.
type FirewallCreateOpts struct {
	Name    string             `json:"name"`
	Labels  map[string]string  `json:"labels,omitempty"`
	Rules   []FirewallRule     `json:"rules,omitempty"` // at most 50
	ApplyTo []FirewallResource `json:"apply_to,omitempty"`
}

// FirewallCreateResult is the answer of POST /firewalls: set_firewall_rules and one
// apply_firewall per server the firewall reaches. Wait for Actions before relying on it.
type FirewallCreateResult struct {
	Firewall Firewall `json:"firewall"`
	Actions  []Action `json:"actions"`
}

// FirewallUpdateOpts changes a firewall; see SSHKeyUpdateOpts for Name and Labels.
type FirewallUpdateOpts struct {
	Name   string
	Labels map[string]string
}

func (o FirewallUpdateOpts) MarshalJSON() ([]byte, error) {
	return json.Marshal(updateBody(o.Name, o.Labels))
}

// FirewallListOpts filters GET /firewalls.
type FirewallListOpts struct {
	Name          string
	LabelSelector string   // see Selector
	Sort          []string // id, name, created, with :asc or :desc
	Page, PerPage int
}

func (o FirewallListOpts) values() query {
	return query{}.str("name", o.Name).str("label_selector", o.LabelSelector).strs("sort", o.Sort).page(o.Page, o.PerPage)
}

// FirewallClient manages firewalls. Changes answer arrays of actions; wait for them with
// Actions().Wait(ctx, actions...).
type FirewallClient struct{ c *Client }

func firewallPath(id int64) string { return idPath("/firewalls", id) }

// Get returns one firewall.
func (f FirewallClient) Get(ctx context.Context, id int64) (Firewall, error) {
	return getOne[Firewall](ctx, f.c, firewallPath(id), "firewall")
}

// List returns one page of firewalls.
func (f FirewallClient) List(ctx context.Context, opts FirewallListOpts) ([]Firewall, Pagination, error) {
	return listPage[Firewall](ctx, f.c, "/firewalls", "firewalls", opts.values().values())
}

// All iterates every firewall.
func (f FirewallClient) All(ctx context.Context, opts FirewallListOpts) iter.Seq2[Firewall, error] {
	return listAll[Firewall](ctx, f.c, "/firewalls", "firewalls", opts.values().values())
}

// Create creates a firewall with its rules and applies it to ApplyTo.
func (f FirewallClient) Create(ctx context.Context, opts FirewallCreateOpts) (FirewallCreateResult, error) {
	var res FirewallCreateResult
	err := f.c.sendJSON(ctx, http.MethodPost, "/firewalls", opts, &res)
	return res, err
}

// Update renames a firewall or replaces its labels.
func (f FirewallClient) Update(ctx context.Context, id int64, opts FirewallUpdateOpts) (Firewall, error) {
	var res struct {
		Firewall Firewall `json:"firewall"`
	}
	err := f.c.sendJSON(ctx, http.MethodPut, firewallPath(id), opts, &res)
	return res.Firewall, err
}

// Delete deletes a firewall. One that still applies to something (or is still being removed
// from a server) is Code("resource_in_use").
func (f FirewallClient) Delete(ctx context.Context, id int64) error {
	return f.c.sendJSON(ctx, http.MethodDelete, firewallPath(id), nil, nil)
}

func (f FirewallClient) actions(ctx context.Context, id int64, name string, body any) ([]Action, error) {
	var res struct {
		Actions []Action `json:"actions"`
	}
	err := f.c.sendJSON(ctx, http.MethodPost, firewallPath(id)+"/actions/"+name, body, &res)
	return res.Actions, err
}

// SetRules replaces the rules (none: an empty list): set_firewall_rules, and apply_firewall
// for every server the firewall applies to.
func (f FirewallClient) SetRules(ctx context.Context, id int64, rules []FirewallRule) ([]Action, error) {
	if rules == nil {
		rules = []FirewallRule{}
	}
	return f.actions(ctx, id, "set_rules", map[string][]FirewallRule{"rules": rules})
}

// ApplyTo applies the firewall to servers (with a public interface) and label selectors; a
// server may have at most 5 firewalls. Errors: Code("firewall_already_applied"),
// Code("firewall_resource_not_found") (404), Code("private_net_only_server").
func (f FirewallClient) ApplyTo(ctx context.Context, id int64, resources ...FirewallResource) ([]Action, error) {
	if resources == nil {
		resources = []FirewallResource{}
	}
	return f.actions(ctx, id, "apply_to_resources", map[string][]FirewallResource{"apply_to": resources})
}

// RemoveFrom removes the firewall from servers and label selectors. A server the firewall
// reaches through a label selector is Code("firewall_managed_by_label_selector").
func (f FirewallClient) RemoveFrom(ctx context.Context, id int64, resources ...FirewallResource) ([]Action, error) {
	if resources == nil {
		resources = []FirewallResource{}
	}
	return f.actions(ctx, id, "remove_from_resources", map[string][]FirewallResource{"remove_from": resources})
}

// ListActions returns one page of the firewall's actions.
func (f FirewallClient) ListActions(ctx context.Context, id int64, opts ActionListOpts) ([]Action, Pagination, error) {
	return listPage[Action](ctx, f.c, firewallPath(id)+"/actions", "actions", opts.values().values())
}
