package store

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Firewall rule directions, the kinds of resources a firewall applies to, and the statuses a
// firewall has on a server (server.public_net.firewalls).
const (
	FirewallDirectionIn  = "in"
	FirewallDirectionOut = "out"

	FirewallTargetServer        = "server"
	FirewallTargetLabelSelector = "label_selector"

	FirewallStatusPending = "pending" // its apply_firewall action runs
	FirewallStatusApplied = "applied"
)

// Limits of firewalls (API reference and Hetzner's product documentation).
const (
	MaxFirewallRules          = 50
	MaxFirewallRuleIPs        = 100 // CIDRs per rule
	MaxFirewallEffectiveRules = 500 // CIDRs over all rules
	MaxFirewallsPerServer     = 5   // directly or through label selectors
	maxFirewallNameLength     = 128
	maxRuleDescriptionLength  = 255
)

var firewallProtocols = []string{"tcp", "udp", "icmp", "esp", "gre"}

// FirewallRule is a rule of a firewall: in requests source_ips or destination_ips may be
// absent; in answers both are there (the one the direction does not use is empty).
type FirewallRule struct {
	Description    *string  `json:"description"`
	Direction      string   `json:"direction"`
	Protocol       string   `json:"protocol"`
	Port           *string  `json:"port"`
	SourceIPs      []string `json:"source_ips"`
	DestinationIPs []string `json:"destination_ips"`
}

func (r FirewallRule) clone() FirewallRule {
	if r.Description != nil {
		d := *r.Description
		r.Description = &d
	}
	if r.Port != nil {
		p := *r.Port
		r.Port = &p
	}
	r.SourceIPs = nonNil(slices.Clone(r.SourceIPs))
	r.DestinationIPs = nonNil(slices.Clone(r.DestinationIPs))
	return r
}

// FirewallServerRef is {"id": …} of a server a firewall applies to.
type FirewallServerRef struct {
	ID int64 `json:"id"`
}

// FirewallSelectorRef is {"selector": …} of a label selector a firewall applies to.
type FirewallSelectorRef struct {
	Selector string `json:"selector"`
}

// FirewallResource is what a firewall applies to: a server or a label selector. It is an
// entry of apply_to and remove_from in requests, and what the store keeps.
type FirewallResource struct {
	Type          string               `json:"type"`
	Server        *FirewallServerRef   `json:"server,omitempty"`
	LabelSelector *FirewallSelectorRef `json:"label_selector,omitempty"`
}

func (r FirewallResource) clone() FirewallResource {
	if r.Server != nil {
		s := *r.Server
		r.Server = &s
	}
	if r.LabelSelector != nil {
		l := *r.LabelSelector
		r.LabelSelector = &l
	}
	return r
}

// FirewallAppliedTo is an entry of firewall.applied_to: a label selector entry also lists the
// servers it selects now (applied_to_resources, derived when the firewall is shown).
type FirewallAppliedTo struct {
	FirewallResource
	AppliedToResources *[]FirewallAppliedResource `json:"applied_to_resources,omitempty"`
}

// FirewallAppliedResource is a server a label selector entry applies the firewall to.
type FirewallAppliedResource struct {
	Type   string            `json:"type"`
	Server FirewallServerRef `json:"server"`
}

// Firewall is a firewall as the API shows it.
type Firewall struct {
	ID        int64               `json:"id"`
	Name      string              `json:"name"`
	Labels    map[string]string   `json:"labels"`
	Created   time.Time           `json:"created"`
	Rules     []FirewallRule      `json:"rules"`
	AppliedTo []FirewallAppliedTo `json:"applied_to"`
}

// firewallState is a stored firewall: applied_to holds the entries as applied, in order; which
// servers a label selector reaches is worked out whenever it is needed, so that it follows
// servers and their labels.
type firewallState struct {
	ID        int64              `json:"id"`
	Name      string             `json:"name"`
	Labels    map[string]string  `json:"labels"`
	Created   time.Time          `json:"created"`
	Rules     []FirewallRule     `json:"rules"`
	AppliedTo []FirewallResource `json:"applied_to"`
}

func (f firewallState) entityID() int64 { return f.ID }

func (f firewallState) clone() firewallState {
	f.Labels = copyLabels(f.Labels)
	rules := make([]FirewallRule, len(f.Rules))
	for i, r := range f.Rules {
		rules[i] = r.clone()
	}
	f.Rules = rules
	applied := make([]FirewallResource, len(f.AppliedTo))
	for i, r := range f.AppliedTo {
		applied[i] = r.clone()
	}
	f.AppliedTo = applied
	return f
}

// CreateFirewall is the body of POST /firewalls.
type CreateFirewall struct {
	Name    string             `json:"name"`
	Labels  map[string]string  `json:"labels"`
	Rules   []FirewallRule     `json:"rules"`
	ApplyTo []FirewallResource `json:"apply_to"`
}

// CreateFirewallResult is the answer of POST /firewalls: set_firewall_rules and one
// apply_firewall per server the firewall reaches.
type CreateFirewallResult struct {
	Firewall Firewall `json:"firewall"`
	Actions  []Action `json:"actions"`
}

// UpdateFirewall is the body of PUT /firewalls/{id}; nil fields stay as they are.
type UpdateFirewall struct {
	Name   *string            `json:"name"`
	Labels *map[string]string `json:"labels"`
}

// SetFirewallRules is the body of set_rules.
type SetFirewallRules struct {
	Rules []FirewallRule `json:"rules"`
}

// ApplyFirewall is the body of apply_to_resources.
type ApplyFirewall struct {
	ApplyTo []FirewallResource `json:"apply_to"`
}

// RemoveFirewall is the body of remove_from_resources.
type RemoveFirewall struct {
	RemoveFrom []FirewallResource `json:"remove_from"`
}

// FirewallFilter narrows GET /firewalls.
type FirewallFilter struct {
	Name string
}

var firewallSorter = Sorter[firewallState]{
	"name":    byString(func(f firewallState) string { return f.Name }),
	"created": func(a, b firewallState) int { return a.Created.Compare(b.Created) },
}

func firewallRef(id int64) ActionResource { return ActionResource{ID: id, Type: "firewall"} }

// firewallResourceNotFound is firewall_resource_not_found for a server: 422 when creating a
// firewall, 404 when applying or removing one.
func firewallResourceNotFound(serverID int64, onCreate bool) error {
	err := Errorf("firewall_resource_not_found", "server with ID %d not found", serverID)
	if onCreate {
		return err
	}
	return err.WithStatus(404)
}

// checkFirewallRules checks rules as create and set_rules take them and returns them as the
// API stores them: CIDRs in canonical form, both IP lists present.
func checkFirewallRules(rules []FirewallRule, field string) ([]FirewallRule, error) {
	if len(rules) > MaxFirewallRules {
		return nil, InvalidField(field, fmt.Sprintf("at most %d rules are allowed", MaxFirewallRules))
	}
	out := make([]FirewallRule, len(rules))
	effective := 0
	for i, r := range rules {
		at := func(sub string) string { return fmt.Sprintf("%s.%d.%s", field, i, sub) }
		if r.Direction != FirewallDirectionIn && r.Direction != FirewallDirectionOut {
			return nil, InvalidField(at("direction"), "Not a valid choice.")
		}
		if !slices.Contains(firewallProtocols, r.Protocol) {
			return nil, InvalidField(at("protocol"), "Not a valid choice.")
		}
		hasPort := r.Port != nil && *r.Port != ""
		switch {
		case (r.Protocol == "tcp" || r.Protocol == "udp") && !hasPort:
			return nil, InvalidField(at("port"), "port is required for protocol "+r.Protocol)
		case r.Protocol != "tcp" && r.Protocol != "udp" && hasPort:
			return nil, InvalidField(at("port"), "port is not allowed for protocol "+r.Protocol)
		case hasPort && !validFirewallPort(*r.Port):
			return nil, InvalidField(at("port"), "port must be a port (1-65535), a range such as 1024-5000, or any")
		}
		if r.Description != nil && len([]rune(*r.Description)) > maxRuleDescriptionLength {
			return nil, InvalidField(at("description"), fmt.Sprintf("Longer than maximum length %d.", maxRuleDescriptionLength))
		}
		used, unused := "source_ips", "destination_ips"
		ips, other := r.SourceIPs, r.DestinationIPs
		if r.Direction == FirewallDirectionOut {
			used, unused = unused, used
			ips, other = other, ips
		}
		if len(other) > 0 {
			return nil, InvalidField(at(unused), fmt.Sprintf("%s is not allowed for direction %s", unused, r.Direction))
		}
		if len(ips) > MaxFirewallRuleIPs {
			return nil, InvalidField(at(used), fmt.Sprintf("at most %d CIDRs are allowed", MaxFirewallRuleIPs))
		}
		canonical := make([]string, len(ips))
		for j, ip := range ips {
			c, err := canonicalCIDR(ip)
			if err != "" {
				return nil, InvalidField(fmt.Sprintf("%s.%d", at(used), j), err)
			}
			canonical[j] = c
		}
		effective += len(canonical)
		rule := FirewallRule{Direction: r.Direction, Protocol: r.Protocol, SourceIPs: []string{}, DestinationIPs: []string{}}
		if hasPort {
			p := *r.Port
			rule.Port = &p
		}
		if r.Description != nil {
			d := *r.Description
			rule.Description = &d
		}
		if r.Direction == FirewallDirectionIn {
			rule.SourceIPs = canonical
		} else {
			rule.DestinationIPs = canonical
		}
		out[i] = rule
	}
	if effective > MaxFirewallEffectiveRules {
		return nil, InvalidField(field, fmt.Sprintf("at most %d effective rules (CIDRs over all rules) are allowed", MaxFirewallEffectiveRules))
	}
	return out, nil
}

// validFirewallPort accepts "any", a port "80" or a range "1024-5000" of ports 1-65535.
func validFirewallPort(p string) bool {
	if p == "any" {
		return true
	}
	lo, hi, isRange := strings.Cut(p, "-")
	from, ok := portNumber(lo)
	if !ok {
		return false
	}
	if !isRange {
		return true
	}
	to, ok := portNumber(hi)
	return ok && from <= to
}

func portNumber(s string) (int, bool) {
	if s == "" || len(s) > 5 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= 65535
}

// canonicalCIDR checks a CIDR of a rule (host bits must be zero) and returns its canonical
// form (IPv6 as RFC 5952 writes it); the second result says what is wrong, if anything.
func canonicalCIDR(s string) (string, string) {
	p, err := netip.ParsePrefix(s)
	if err != nil || p.Addr().Zone() != "" {
		return "", fmt.Sprintf("%q is not a CIDR block such as 10.0.1.0/24 or 2001:db8::/32", s)
	}
	if p.Masked() != p {
		return "", fmt.Sprintf("%s is not the start of the CIDR block %s", s, p.Masked())
	}
	return p.String(), ""
}

// checkFirewallResources checks the shape of apply_to / remove_from entries and returns them
// with label selectors trimmed.
func checkFirewallResources(res []FirewallResource, field string) ([]FirewallResource, error) {
	out := make([]FirewallResource, len(res))
	for i, r := range res {
		at := fmt.Sprintf("%s.%d", field, i)
		switch r.Type {
		case FirewallTargetServer:
			if r.Server == nil || r.Server.ID < 1 {
				return nil, InvalidField(at+".server", "server is required for type server")
			}
			if r.LabelSelector != nil {
				return nil, InvalidField(at+".label_selector", "label_selector is not allowed for type server")
			}
		case FirewallTargetLabelSelector:
			if r.LabelSelector == nil || strings.TrimSpace(r.LabelSelector.Selector) == "" {
				return nil, InvalidField(at+".label_selector", "label_selector is required for type label_selector")
			}
			if r.Server != nil {
				return nil, InvalidField(at+".server", "server is not allowed for type label_selector")
			}
			if _, err := ParseSelector(r.LabelSelector.Selector); err != nil {
				return nil, InvalidField(at+".label_selector.selector", "Invalid label selector.")
			}
		default:
			return nil, InvalidField(at+".type", "Not a valid choice.")
		}
		out[i] = r.clone()
		if out[i].LabelSelector != nil {
			out[i].LabelSelector.Selector = strings.TrimSpace(out[i].LabelSelector.Selector)
		}
	}
	return out, nil
}

// serversWithPublicNet are the servers with a public interface (a primary IP assigned): firewalls
// apply to public interfaces only.
func (p *Project) serversWithPublicNet() map[int64]bool {
	out := map[int64]bool{}
	for _, ip := range p.primaryIPs.values() {
		if ip.AssigneeID != nil && ip.AssigneeType == AssigneeServer {
			out[*ip.AssigneeID] = true
		}
	}
	return out
}

// hasPublicNet says whether one server has a public interface.
func (p *Project) hasPublicNet(serverID int64) bool {
	for _, ip := range p.primaryIPs.values() {
		if ip.AssigneeID != nil && *ip.AssigneeID == serverID && ip.AssigneeType == AssigneeServer {
			return true
		}
	}
	return false
}

// firewallSelects says whether a label selector entry reaches a server with these labels.
func firewallSelects(selector string, labels map[string]string) bool {
	sel, err := ParseSelector(selector)
	return err == nil && sel != nil && sel.Matches(labels)
}

// firewallCovers says whether the firewall applies to the server: directly, or through a
// label selector when the server has a public interface.
func firewallCovers(f firewallState, s serverState, public bool) bool {
	for _, r := range f.AppliedTo {
		switch {
		case r.Server != nil && r.Server.ID == s.ID:
			return true
		case r.LabelSelector != nil && public && firewallSelects(r.LabelSelector.Selector, s.Labels):
			return true
		}
	}
	return false
}

// firewallServers are the ids of the servers the firewall applies to, ascending.
func (p *Project) firewallServers(f firewallState, public map[int64]bool) []int64 {
	out := []int64{}
	for _, s := range p.servers.values() {
		if firewallCovers(f, s, public[s.ID]) {
			out = append(out, s.ID)
		}
	}
	return out
}

// firewallSelectorServers are the ids of the servers with a public interface a selector reaches.
func (p *Project) firewallSelectorServers(selector string, public map[int64]bool) []int64 {
	out := []int64{}
	for _, s := range p.servers.values() {
		if public[s.ID] && firewallSelects(selector, s.Labels) {
			out = append(out, s.ID)
		}
	}
	return out
}

// firewallActions are the running apply_firewall and remove_firewall actions by firewall and
// server: they make a firewall pending on a server, or keep it shown until it is removed.
type firewallActions struct{ applying, removing map[[2]int64]bool }

func (p *Project) runningFirewallActions() firewallActions {
	fa := firewallActions{applying: map[[2]int64]bool{}, removing: map[[2]int64]bool{}}
	for id := range p.running {
		a := p.actions.items[id]
		if a.Command != "apply_firewall" && a.Command != "remove_firewall" {
			continue
		}
		var fw, srv int64
		for _, r := range a.Resources {
			switch r.Type {
			case "firewall":
				fw = r.ID
			case "server":
				srv = r.ID
			}
		}
		if a.Command == "apply_firewall" {
			fa.applying[[2]int64{fw, srv}] = true
		} else {
			fa.removing[[2]int64{fw, srv}] = true
		}
	}
	return fa
}

// serverFirewalls is server.public_net.firewalls: every firewall that applies to the server,
// pending while its apply_firewall action runs, and those being removed until that finishes.
func (p *Project) serverFirewalls(s serverState) []ServerFirewall {
	out := []ServerFirewall{}
	if p.firewalls.len() == 0 {
		return out
	}
	public := p.hasPublicNet(s.ID)
	running := p.runningFirewallActions()
	for _, f := range p.firewalls.values() {
		pair := [2]int64{f.ID, s.ID}
		if !firewallCovers(f, s, public) && !running.removing[pair] {
			continue
		}
		status := FirewallStatusApplied
		if running.applying[pair] {
			status = FirewallStatusPending
		}
		out = append(out, ServerFirewall{ID: f.ID, Status: status})
	}
	return out
}

// firewallCount is how many firewalls apply to a server.
func (p *Project) firewallCount(s serverState, public bool) int {
	n := 0
	for _, f := range p.firewalls.values() {
		if firewallCovers(f, s, public) {
			n++
		}
	}
	return n
}

// tooManyFirewalls is the answer when a server would get more than MaxFirewallsPerServer.
// The API's code for it is not documented; resource_limit_exceeded is the general one.
func tooManyFirewalls(server string) error {
	return &Error{Code: CodeResourceLimitExceeded,
		Message: fmt.Sprintf("%s would have more than %d firewalls", server, MaxFirewallsPerServer),
		Details: map[string]any{"limits": []map[string]string{{"name": "firewalls_per_server"}}}}
}

func (p *Project) firewallView(f firewallState) Firewall {
	out := Firewall{ID: f.ID, Name: f.Name, Labels: copyLabels(f.Labels), Created: f.Created,
		Rules: make([]FirewallRule, len(f.Rules)), AppliedTo: make([]FirewallAppliedTo, len(f.AppliedTo))}
	for i, r := range f.Rules {
		out.Rules[i] = r.clone()
	}
	var public map[int64]bool
	for i, r := range f.AppliedTo {
		entry := FirewallAppliedTo{FirewallResource: r.clone()}
		if r.LabelSelector != nil {
			if public == nil {
				public = p.serversWithPublicNet()
			}
			reached := []FirewallAppliedResource{}
			for _, id := range p.firewallSelectorServers(r.LabelSelector.Selector, public) {
				reached = append(reached, FirewallAppliedResource{Type: FirewallTargetServer, Server: FirewallServerRef{ID: id}})
			}
			entry.AppliedToResources = &reached
		}
		out.AppliedTo[i] = entry
	}
	return out
}

// planApply checks applying the firewall to res (create or apply_to_resources) and returns the
// entries to add and the servers that get an apply_firewall action: those named, and those a
// new label selector reaches that the firewall did not apply to before.
func (p *Project) planApply(f firewallState, res []FirewallResource, onCreate bool) ([]FirewallResource, []int64, error) {
	public := p.serversWithPublicNet()
	covered := map[int64]bool{}
	for _, id := range p.firewallServers(f, public) {
		covered[id] = true
	}
	named := map[int64]bool{}
	selectors := map[string]bool{}
	for _, r := range f.AppliedTo {
		if r.LabelSelector != nil {
			selectors[r.LabelSelector.Selector] = true
		} else if r.Server != nil {
			named[r.Server.ID] = true
		}
	}
	var servers []int64
	gained := map[int64]bool{}
	inRequest := map[int64]bool{}
	for _, r := range res {
		if r.Server != nil {
			id := r.Server.ID
			switch {
			case inRequest[id]:
				return nil, nil, Errorf("server_already_added", "server %d is given more than once", id)
			case named[id]:
				return nil, nil, Errorf("firewall_already_applied", "firewall %d is already applied to server %d", f.ID, id)
			}
			inRequest[id] = true
			if !p.servers.has(id) {
				return nil, nil, firewallResourceNotFound(id, onCreate)
			}
			if !public[id] {
				return nil, nil, Errorf("private_net_only_server", "server %d has no public interface", id)
			}
			if !slices.Contains(servers, id) {
				servers = append(servers, id)
			}
			if !covered[id] {
				gained[id] = true
			}
			continue
		}
		sel := r.LabelSelector.Selector
		if selectors[sel] {
			return nil, nil, Errorf("firewall_already_applied", "firewall %d is already applied to label selector %s", f.ID, sel)
		}
		selectors[sel] = true
		for _, id := range p.firewallSelectorServers(sel, public) {
			if !covered[id] && !gained[id] {
				gained[id] = true
				servers = append(servers, id)
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(gained)) {
		s, _ := p.servers.get(id)
		if p.firewallCount(s, public[id])+1 > MaxFirewallsPerServer {
			return nil, nil, tooManyFirewalls(fmt.Sprintf("server %d", id))
		}
	}
	return res, servers, nil
}

// firewallApplyActions starts one apply_firewall per server.
func (p *Project) firewallApplyActions(firewallID int64, servers []int64) []Action {
	out := make([]Action, 0, len(servers))
	for _, id := range servers {
		out = append(out, p.startAction("apply_firewall", firewallRef(firewallID), serverRef(id)))
	}
	return out
}

func checkFirewallName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return InvalidField("name", "Name must not be empty.")
	case len([]rune(name)) > maxFirewallNameLength:
		return InvalidField("name", fmt.Sprintf("Longer than maximum length %d.", maxFirewallNameLength))
	}
	return nil
}

// CreateFirewall creates a firewall with its rules and applies it to apply_to: the answer
// carries set_firewall_rules and one apply_firewall per server it reaches.
func (p *Project) CreateFirewall(req CreateFirewall) (CreateFirewallResult, error) {
	if err := checkFirewallName(req.Name); err != nil {
		return CreateFirewallResult{}, err
	}
	if err := ValidateLabels(req.Labels); err != nil {
		return CreateFirewallResult{}, err
	}
	rules, err := checkFirewallRules(req.Rules, "rules")
	if err != nil {
		return CreateFirewallResult{}, err
	}
	applyTo, err := checkFirewallResources(req.ApplyTo, "apply_to")
	if err != nil {
		return CreateFirewallResult{}, err
	}
	defer p.lock()()
	if _, dup := p.firewalls.byName(req.Name); dup {
		return CreateFirewallResult{}, Uniqueness("name", "name is already used")
	}
	f := firewallState{Name: req.Name, Labels: copyLabels(req.Labels), Created: p.now(), Rules: rules, AppliedTo: []FirewallResource{}}
	add, servers, err := p.planApply(f, applyTo, true)
	if err != nil {
		return CreateFirewallResult{}, err
	}
	if err := p.checkLimit("firewalls", p.firewalls.len()); err != nil {
		return CreateFirewallResult{}, err
	}
	f.ID = p.store.nextID("firewall")
	f.AppliedTo = add
	p.firewalls.put(f)
	actions := append([]Action{p.startAction("set_firewall_rules", firewallRef(f.ID))}, p.firewallApplyActions(f.ID, servers)...)
	return CreateFirewallResult{Firewall: p.firewallView(f), Actions: actions}, nil
}

// GetFirewall returns one firewall.
func (p *Project) GetFirewall(id int64) (Firewall, error) {
	defer p.lock()()
	f, ok := p.firewalls.get(id)
	if !ok {
		return Firewall{}, NotFound("firewall")
	}
	return p.firewallView(f), nil
}

// ListFirewalls lists firewalls with the name filter.
func (p *Project) ListFirewalls(filter FirewallFilter, opts ListOptions) (Page[Firewall], error) {
	defer p.lock()()
	pg, err := page(&p.firewalls, opts, func(f firewallState) bool {
		return filter.Name == "" || f.Name == filter.Name
	}, func(f firewallState) map[string]string { return f.Labels }, firewallSorter)
	if err != nil {
		return Page[Firewall]{}, err
	}
	return mapPage(pg, p.firewallView), nil
}

// UpdateFirewall renames a firewall or replaces its labels.
func (p *Project) UpdateFirewall(id int64, req UpdateFirewall) (Firewall, error) {
	if req.Name != nil {
		if err := checkFirewallName(*req.Name); err != nil {
			return Firewall{}, err
		}
	}
	if req.Labels != nil {
		if err := ValidateLabels(*req.Labels); err != nil {
			return Firewall{}, err
		}
	}
	defer p.lock()()
	f, ok := p.firewalls.get(id)
	if !ok {
		return Firewall{}, NotFound("firewall")
	}
	if err := renameAndRelabel(&p.firewalls, req.Name, req.Labels, &f.Name, &f.Labels, "name is already used"); err != nil {
		return Firewall{}, err
	}
	p.firewalls.put(f)
	return p.firewallView(f), nil
}

// DeleteFirewall deletes a firewall that applies to nothing (and is not being removed from a
// server any more).
func (p *Project) DeleteFirewall(id int64) error {
	defer p.lock()()
	f, ok := p.firewalls.get(id)
	if !ok {
		return NotFound("firewall")
	}
	inUse := len(f.AppliedTo) > 0
	for pair := range p.runningFirewallActions().removing {
		inUse = inUse || pair[0] == id
	}
	if inUse {
		return Errorf("resource_in_use", "firewall with ID %d is still in use", id)
	}
	p.firewalls.remove(id)
	return nil
}

// SetFirewallRules replaces the rules: set_firewall_rules, and apply_firewall for every server
// the firewall applies to.
func (p *Project) SetFirewallRules(id int64, req SetFirewallRules) ([]Action, error) {
	rules, err := checkFirewallRules(req.Rules, "rules")
	if err != nil {
		return nil, err
	}
	defer p.lock()()
	f, ok := p.firewalls.get(id)
	if !ok {
		return nil, NotFound("firewall")
	}
	f.Rules = rules
	p.firewalls.put(f)
	servers := p.firewallServers(f, p.serversWithPublicNet())
	return append([]Action{p.startAction("set_firewall_rules", firewallRef(id))}, p.firewallApplyActions(id, servers)...), nil
}

// ApplyFirewallToResources applies a firewall to servers and label selectors: one
// apply_firewall per server it newly reaches (and per server named).
func (p *Project) ApplyFirewallToResources(id int64, req ApplyFirewall) ([]Action, error) {
	applyTo, err := checkFirewallResources(req.ApplyTo, "apply_to")
	if err != nil {
		return nil, err
	}
	defer p.lock()()
	f, ok := p.firewalls.get(id)
	if !ok {
		return nil, NotFound("firewall")
	}
	add, servers, err := p.planApply(f, applyTo, false)
	if err != nil {
		return nil, err
	}
	f.AppliedTo = append(f.AppliedTo, add...)
	p.firewalls.put(f)
	return p.firewallApplyActions(id, servers), nil
}

// RemoveFirewallFromResources removes a firewall from servers and label selectors: one
// remove_firewall per server named, and per server a removed label selector no longer reaches.
// Removing what the firewall does not apply to succeeds (the API stopped answering
// firewall_already_removed in 2025-08); a server reached only through a label selector
// cannot be removed by itself.
func (p *Project) RemoveFirewallFromResources(id int64, req RemoveFirewall) ([]Action, error) {
	removeFrom, err := checkFirewallResources(req.RemoveFrom, "remove_from")
	if err != nil {
		return nil, err
	}
	defer p.lock()()
	f, ok := p.firewalls.get(id)
	if !ok {
		return nil, NotFound("firewall")
	}
	public := p.serversWithPublicNet()
	before := p.firewallServers(f, public)
	kept := slices.Clone(f.AppliedTo)
	for _, r := range removeFrom { // label selectors first: a server may be named with its selector
		if r.LabelSelector != nil {
			kept = slices.DeleteFunc(kept, func(e FirewallResource) bool {
				return e.LabelSelector != nil && e.LabelSelector.Selector == r.LabelSelector.Selector
			})
		}
	}
	var named, noop []int64
	for _, r := range removeFrom {
		if r.Server == nil {
			continue
		}
		sid := r.Server.ID
		s, ok := p.servers.get(sid)
		if !ok {
			return nil, firewallResourceNotFound(sid, false)
		}
		direct := slices.IndexFunc(kept, func(e FirewallResource) bool { return e.Server != nil && e.Server.ID == sid })
		switch {
		case direct >= 0:
			kept = slices.Delete(kept, direct, direct+1)
			named = append(named, sid)
		case slices.Contains(named, sid) || slices.Contains(noop, sid):
		case firewallCovers(firewallState{ID: id, AppliedTo: kept}, s, public[sid]):
			return nil, Errorf("firewall_managed_by_label_selector",
				"firewall %d is applied to server %d through a label selector and cannot be removed from it", id, sid)
		default:
			noop = append(noop, sid)
		}
	}
	f.AppliedTo = kept
	p.firewalls.put(f)
	after := map[int64]bool{}
	for _, sid := range p.firewallServers(f, public) {
		after[sid] = true
	}
	actions := []Action{}
	for _, sid := range named {
		actions = append(actions, p.startAction("remove_firewall", firewallRef(id), serverRef(sid)))
	}
	for _, sid := range before {
		if !after[sid] && !slices.Contains(named, sid) {
			actions = append(actions, p.startAction("remove_firewall", firewallRef(id), serverRef(sid)))
		}
	}
	for _, sid := range noop {
		actions = append(actions, p.finishedAction("remove_firewall", firewallRef(id), serverRef(sid)))
	}
	return actions, nil
}

// planServerFirewalls checks the firewalls of POST /servers: they exist, are named once, the
// server has a public interface for them, and with those its labels select it stays within
// MaxFirewallsPerServer.
func (p *Project) planServerFirewalls(reqs []CreateServerFirewall, labels map[string]string, public bool) ([]int64, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	ids := make([]int64, 0, len(reqs))
	for _, r := range reqs {
		if !p.firewalls.has(r.Firewall) {
			return nil, InvalidField("firewalls", fmt.Sprintf("firewall %d not found", r.Firewall))
		}
		if slices.Contains(ids, r.Firewall) {
			return nil, InvalidField("firewalls", fmt.Sprintf("firewall %d is given more than once", r.Firewall))
		}
		ids = append(ids, r.Firewall)
	}
	if !public {
		return nil, Errorf("private_net_only_server", "firewalls apply to the public interface, and the server has none")
	}
	count := len(ids)
	for _, f := range p.firewalls.values() {
		if !slices.Contains(ids, f.ID) && firewallCovers(f, serverState{Server: Server{Labels: labels}}, true) {
			count++
		}
	}
	if count > MaxFirewallsPerServer {
		return nil, tooManyFirewalls("the server")
	}
	return ids, nil
}

// applyServerFirewalls applies firewalls to a server just created: one apply_firewall each.
func (p *Project) applyServerFirewalls(serverID int64, ids []int64) []Action {
	out := make([]Action, 0, len(ids))
	for _, fid := range ids {
		f, ok := p.firewalls.get(fid)
		if !ok {
			continue
		}
		f.AppliedTo = append(f.AppliedTo, FirewallResource{Type: FirewallTargetServer, Server: &FirewallServerRef{ID: serverID}})
		p.firewalls.put(f)
		out = append(out, p.startAction("apply_firewall", firewallRef(fid), serverRef(serverID)))
	}
	return out
}

// forgetFirewallServer drops a deleted server from the firewalls applied to it directly.
func (p *Project) forgetFirewallServer(serverID int64) {
	for _, f := range p.firewalls.values() {
		i := slices.IndexFunc(f.AppliedTo, func(r FirewallResource) bool { return r.Server != nil && r.Server.ID == serverID })
		if i < 0 {
			continue
		}
		f = f.clone()
		f.AppliedTo = slices.Delete(f.AppliedTo, i, i+1)
		p.firewalls.put(f)
	}
}

// restoreFirewalls loads the firewalls of a snapshot, checked as creating them would check
// them; servers they name must exist (restore servers first).
func (p *Project) restoreFirewalls(ps ProjectSnapshot, seen map[string]bool, maxIDs map[string]int64) error {
	for _, f := range ps.Firewalls {
		if err := checkRestored("firewall", f.ID, f.Name, seen, maxIDs); err != nil {
			return err
		}
		if err := checkFirewallName(f.Name); err != nil {
			return fmt.Errorf("firewall %d: %w", f.ID, err)
		}
		if err := ValidateLabels(f.Labels); err != nil {
			return fmt.Errorf("firewall %d: %w", f.ID, err)
		}
		rules, err := checkFirewallRules(f.Rules, "rules")
		if err != nil {
			return fmt.Errorf("firewall %d: %w", f.ID, err)
		}
		applied, err := checkFirewallResources(f.AppliedTo, "applied_to")
		if err != nil {
			return fmt.Errorf("firewall %d: %w", f.ID, err)
		}
		entries := map[string]bool{}
		for _, r := range applied {
			var key string
			if r.Server != nil {
				if !p.servers.has(r.Server.ID) {
					return fmt.Errorf("firewall %d is applied to unknown server %d", f.ID, r.Server.ID)
				}
				key = fmt.Sprintf("server %d", r.Server.ID)
			} else {
				key = "selector " + r.LabelSelector.Selector
			}
			if entries[key] {
				return fmt.Errorf("firewall %d is applied to %s twice", f.ID, key)
			}
			entries[key] = true
		}
		f.Rules, f.AppliedTo = rules, applied
		p.firewalls.put(f)
	}
	return nil
}

// hasPublicInterface says whether a server created with these options has a public interface.
func (pn *CreateServerPublicNet) hasPublicInterface() bool {
	return pn.IPv4 != nil || pn.EnableIPv4 == nil || *pn.EnableIPv4 ||
		pn.IPv6 != nil || pn.EnableIPv6 == nil || *pn.EnableIPv6
}
