package store

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

// MaxFloatingIPv6DNSPtrs is how many reverse DNS entries an IPv6 floating IP may hold.
const MaxFloatingIPv6DNSPtrs = 100

// FloatingIP is a floating IP as the API shows it. Its home location only says where routing
// is best: it can be assigned to a server in any location.
type FloatingIP struct {
	ID           int64             `json:"id"`
	Name         string            `json:"name"`
	Description  *string           `json:"description"`
	IP           string            `json:"ip"`
	Type         string            `json:"type"`
	Server       *int64            `json:"server"`
	DNSPtr       []DNSPtr          `json:"dns_ptr"`
	HomeLocation catalog.Location  `json:"home_location"`
	Blocked      bool              `json:"blocked"`
	Protection   IPProtection      `json:"protection"`
	Labels       map[string]string `json:"labels"`
	Created      time.Time         `json:"created"`
}

func (f FloatingIP) clone() FloatingIP {
	f.Labels = copyLabels(f.Labels)
	f.DNSPtr = nonNil(slices.Clone(f.DNSPtr))
	f.Description = clonePtr(f.Description)
	f.Server = clonePtr(f.Server)
	return f
}

// floatingIPState is a stored floating IP plus the server it was assigned to before its
// running assign or unassign action (nil: none), which a failed action puts back.
type floatingIPState struct {
	FloatingIP
	PreviousServer *int64 `json:"previous_server,omitempty"`
}

func (f floatingIPState) entityID() int64 { return f.ID }

func (f floatingIPState) clone() floatingIPState {
	f.FloatingIP = f.FloatingIP.clone()
	f.PreviousServer = clonePtr(f.PreviousServer)
	return f
}

func floatingIPRef(id int64) ActionResource { return ActionResource{ID: id, Type: "floating_ip"} }

// NullableString is a JSON field that tells absent (Set false) from null (Value nil).
type NullableString struct {
	Set   bool
	Value *string
}

func (n *NullableString) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Value = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	n.Value = &s
	return nil
}

// CreateFloatingIP is the body of POST /floating_ips.
type CreateFloatingIP struct {
	Type         string            `json:"type"`
	Name         *string           `json:"name"`
	Description  *string           `json:"description"`
	HomeLocation *IDOrName         `json:"home_location"`
	Server       *int64            `json:"server"`
	Labels       map[string]string `json:"labels"`
}

// CreateFloatingIPResult is the answer of POST /floating_ips. It has an action only when the IP
// was assigned on creation (the reference makes action optional, not nullable).
type CreateFloatingIPResult struct {
	FloatingIP FloatingIP `json:"floating_ip"`
	Action     *Action    `json:"action,omitempty"`
}

// UpdateFloatingIP is the body of PUT /floating_ips/{id}; absent fields stay as they are, a
// null description removes it.
type UpdateFloatingIP struct {
	Name        *string            `json:"name"`
	Description NullableString     `json:"description"`
	Labels      *map[string]string `json:"labels"`
}

// AssignFloatingIP is the body of assign (the reference lets server be null; that names no
// server, so it is refused).
type AssignFloatingIP struct {
	Server *int64 `json:"server"`
}

// ChangeFloatingIPProtection is the body of change_protection.
type ChangeFloatingIPProtection struct {
	Delete bool `json:"delete"`
}

// FloatingIPFilter narrows GET /floating_ips.
type FloatingIPFilter struct {
	Name string
}

var floatingIPSorter = Sorter[floatingIPState]{
	"created": func(a, b floatingIPState) int { return a.Created.Compare(b.Created) },
}

// CreateFloatingIP creates a floating IP in a home location, or assigned to a server (then
// its home is the server's location). Its address comes from the same sequence as primary
// IPs', so no two IPs of either kind share one.
func (p *Project) CreateFloatingIP(req CreateFloatingIP) (CreateFloatingIPResult, error) {
	if req.Type != IPTypeIPv4 && req.Type != IPTypeIPv6 {
		return CreateFloatingIPResult{}, InvalidField("type", "Not a valid choice.")
	}
	if req.Name != nil && strings.TrimSpace(*req.Name) == "" {
		return CreateFloatingIPResult{}, InvalidField("name", "Name must not be empty.")
	}
	if err := ValidateLabels(req.Labels); err != nil {
		return CreateFloatingIPResult{}, err
	}
	switch {
	case req.Server != nil && req.HomeLocation != nil:
		return CreateFloatingIPResult{}, InvalidField("home_location", "home_location and server are mutually exclusive")
	case req.Server == nil && req.HomeLocation == nil:
		return CreateFloatingIPResult{}, InvalidField("home_location", "home_location is required when no server is given")
	}
	defer p.lock()()
	var loc catalog.Location
	if req.Server != nil {
		s, ok := p.servers.get(*req.Server)
		if !ok {
			return CreateFloatingIPResult{}, InvalidField("server", fmt.Sprintf("server %d not found", *req.Server))
		}
		if p.lockedBy("server", s.ID) {
			return CreateFloatingIPResult{}, Locked("server")
		}
		loc = s.Location
	} else {
		l, err := p.resolveLocation(*req.HomeLocation, "home_location")
		if err != nil {
			return CreateFloatingIPResult{}, err
		}
		loc = l
	}
	if req.Name != nil {
		if _, dup := p.floatingIPs.byName(*req.Name); dup {
			return CreateFloatingIPResult{}, Uniqueness("name", "name is already used")
		}
	}
	if err := p.checkLimit("floating_ips", p.floatingIPs.len()); err != nil {
		return CreateFloatingIPResult{}, err
	}
	id := p.store.nextID("floating_ip")
	name := fmt.Sprintf("floating_ip-%d", id) // unconfirmed: what the API names an unnamed one
	if req.Name != nil {
		name = *req.Name
	} else if _, dup := p.floatingIPs.byName(name); dup {
		return CreateFloatingIPResult{}, Uniqueness("name", "name is already used")
	}
	addr := p.store.allocateIP(req.Type)
	f := FloatingIP{ID: id, Name: name, Description: clonePtr(req.Description), IP: addr, Type: req.Type,
		Server: clonePtr(req.Server), DNSPtr: []DNSPtr{}, HomeLocation: loc, Labels: copyLabels(req.Labels), Created: p.now()}
	if req.Type == IPTypeIPv4 {
		f.DNSPtr = []DNSPtr{{IP: addr, DNSPtr: defaultDNSPtr(addr)}}
	}
	p.floatingIPs.put(floatingIPState{FloatingIP: f})
	res := CreateFloatingIPResult{FloatingIP: f.clone()}
	if req.Server != nil {
		// The reference's example names this action assign_floating_ip (older docs said
		// create_floating_ip).
		a := p.startAction("assign_floating_ip", floatingIPRef(id), serverRef(*req.Server))
		res.Action = &a
	}
	return res, nil
}

// GetFloatingIP returns one floating IP.
func (p *Project) GetFloatingIP(id int64) (FloatingIP, error) {
	defer p.lock()()
	f, ok := p.floatingIPs.get(id)
	if !ok {
		return FloatingIP{}, NotFound("floating_ip")
	}
	return f.FloatingIP, nil
}

// ListFloatingIPs lists floating IPs with the name filter.
func (p *Project) ListFloatingIPs(filter FloatingIPFilter, opts ListOptions) (Page[FloatingIP], error) {
	defer p.lock()()
	pg, err := page(&p.floatingIPs, opts, func(f floatingIPState) bool { return filter.Name == "" || f.Name == filter.Name },
		func(f floatingIPState) map[string]string { return f.Labels }, floatingIPSorter)
	if err != nil {
		return Page[FloatingIP]{}, err
	}
	return mapPage(pg, func(f floatingIPState) FloatingIP { return f.FloatingIP }), nil
}

// UpdateFloatingIP changes name, description or labels.
func (p *Project) UpdateFloatingIP(id int64, req UpdateFloatingIP) (FloatingIP, error) {
	if req.Name != nil && strings.TrimSpace(*req.Name) == "" {
		return FloatingIP{}, InvalidField("name", "Name must not be empty.")
	}
	if req.Labels != nil {
		if err := ValidateLabels(*req.Labels); err != nil {
			return FloatingIP{}, err
		}
	}
	defer p.lock()()
	f, ok := p.floatingIPs.get(id)
	if !ok {
		return FloatingIP{}, NotFound("floating_ip")
	}
	if err := renameAndRelabel(&p.floatingIPs, req.Name, req.Labels, &f.Name, &f.Labels, "name is already used"); err != nil {
		return FloatingIP{}, err
	}
	if req.Description.Set {
		f.Description = clonePtr(req.Description.Value)
	}
	p.floatingIPs.put(f)
	return f.FloatingIP.clone(), nil
}

// DeleteFloatingIP deletes an unassigned, unprotected floating IP (since 2026-05-01 an assigned
// one is refused instead of unassigned).
func (p *Project) DeleteFloatingIP(id int64) error {
	defer p.lock()()
	f, ok := p.floatingIPs.get(id)
	if !ok {
		return NotFound("floating_ip")
	}
	if f.Protection.Delete {
		return Errorf(CodeProtected, "Floating IP deletion is protected")
	}
	if p.lockedBy("floating_ip", id) {
		return Locked("floating_ip")
	}
	if f.Server != nil {
		return Errorf("must_be_unassigned", "Floating IP must be unassigned before it can be deleted")
	}
	p.floatingIPs.remove(id)
	return nil
}

// AssignFloatingIP assigns a floating IP to a server in any location, whatever its status.
// An IP assigned to another server moves (as failover scripts and Terraform do it); assigning
// it to the server that already has it is floating_ip_assigned.
func (p *Project) AssignFloatingIP(id int64, req AssignFloatingIP) (Action, error) {
	if req.Server == nil {
		return Action{}, InvalidField("server", "Field may not be null.")
	}
	server := *req.Server
	defer p.lock()()
	f, ok := p.floatingIPs.get(id)
	if !ok {
		return Action{}, NotFound("floating_ip")
	}
	if p.lockedBy("floating_ip", id) {
		return Action{}, Locked("floating_ip")
	}
	if !p.servers.has(server) {
		return Action{}, NotFound("server")
	}
	if f.Server != nil && *f.Server == server {
		return Action{}, Errorf("floating_ip_assigned", "floating ip %d is already assigned to server %d", id, server)
	}
	if p.lockedBy("server", server) {
		return Action{}, Locked("server")
	}
	f.PreviousServer = clonePtr(f.Server)
	f.Server = &server
	p.floatingIPs.put(f)
	return p.startAction("assign_floating_ip", floatingIPRef(id), serverRef(server)), nil
}

// UnassignFloatingIP takes a floating IP off its server; on an unassigned IP it is a no-op
// that still answers a (finished) action.
func (p *Project) UnassignFloatingIP(id int64) (Action, error) {
	defer p.lock()()
	f, ok := p.floatingIPs.get(id)
	if !ok {
		return Action{}, NotFound("floating_ip")
	}
	if p.lockedBy("floating_ip", id) {
		return Action{}, Locked("floating_ip")
	}
	if f.Server == nil {
		return p.finishedAction("unassign_floating_ip", floatingIPRef(id)), nil
	}
	server := *f.Server
	if p.lockedBy("server", server) {
		return Action{}, Locked("server")
	}
	f.PreviousServer, f.Server = &server, nil
	p.floatingIPs.put(f)
	return p.startAction("unassign_floating_ip", floatingIPRef(id), serverRef(server)), nil
}

// ChangeFloatingIPDNSPtr sets or resets the reverse DNS of the address (IPv4) or of an address
// inside the /64 (IPv6, at most MaxFloatingIPv6DNSPtrs entries).
func (p *Project) ChangeFloatingIPDNSPtr(id int64, req ChangeDNSPtr) (Action, error) {
	defer p.lock()()
	f, ok := p.floatingIPs.get(id)
	if !ok {
		return Action{}, NotFound("floating_ip")
	}
	list, err := withDNSPtr(f.DNSPtr, f.Type, f.IP, req.IP, req.DNSPtr, fmt.Sprintf("floating ip %d", id))
	if err != nil {
		return Action{}, err
	}
	if len(list) > MaxFloatingIPv6DNSPtrs {
		return Action{}, InvalidField("dns_ptr", fmt.Sprintf("at most %d reverse DNS entries per floating ip", MaxFloatingIPv6DNSPtrs))
	}
	f.DNSPtr = list
	p.floatingIPs.put(f)
	return p.finishedAction("change_dns_ptr", floatingIPRef(id)), nil
}

// ChangeFloatingIPProtection turns delete protection on or off.
func (p *Project) ChangeFloatingIPProtection(id int64, req ChangeFloatingIPProtection) (Action, error) {
	defer p.lock()()
	f, ok := p.floatingIPs.get(id)
	if !ok {
		return Action{}, NotFound("floating_ip")
	}
	f.Protection.Delete = req.Delete
	p.floatingIPs.put(f)
	return p.finishedAction("change_protection", floatingIPRef(id)), nil
}

// floatingIPIDsOf lists the ids of the floating IPs assigned to a server, ascending, for the
// server's public_net.floating_ips.
func (p *Project) floatingIPIDsOf(serverID int64) []int64 {
	ids := []int64{}
	for _, f := range p.floatingIPs.items {
		if f.Server != nil && *f.Server == serverID {
			ids = append(ids, f.ID)
		}
	}
	slices.SortFunc(ids, cmp.Compare)
	return ids
}

// unassignFloatingIPsOf unassigns every floating IP of a server that is going away, and
// forgets it as the server a failing action would restore.
func (p *Project) unassignFloatingIPsOf(serverID int64) {
	for _, f := range p.floatingIPs.values() {
		onServer := f.Server != nil && *f.Server == serverID
		before := f.PreviousServer != nil && *f.PreviousServer == serverID
		if !onServer && !before {
			continue
		}
		f = f.clone()
		if onServer {
			f.Server = nil
		}
		if before {
			f.PreviousServer = nil
		}
		p.floatingIPs.put(f)
	}
}

// floatingIPActionDone puts a floating IP back on its previous server when its assign or
// unassign action fails (the request moved it at once, as the API shows it right away).
func floatingIPActionDone(p *Project, a Action) {
	if a.Command != "assign_floating_ip" && a.Command != "unassign_floating_ip" {
		return
	}
	f, ok := p.floatingIPs.get(a.Resources[0].ID)
	if !ok {
		return
	}
	if a.Status != ActionStatusSuccess {
		f.Server = nil
		if prev := f.PreviousServer; prev != nil {
			if p.servers.has(*prev) {
				f.Server = clonePtr(prev)
			}
		}
	}
	f.PreviousServer = nil
	p.floatingIPs.put(f)
}

func init() { actionEffects["floating_ip"] = floatingIPActionDone }

// restoreFloatingIPs loads the floating IPs of a snapshot after servers and primary IPs:
// addresses from the fake's ranges and unique across primary and floating IPs, known home
// locations, assigned to servers that exist.
func (p *Project) restoreFloatingIPs(ps ProjectSnapshot, seen map[string]bool, maxIDs map[string]int64) error {
	addrs := map[string]bool{}
	for _, ip := range p.primaryIPs.values() {
		addrs[ip.IP] = true
	}
	for _, f := range ps.FloatingIPs {
		if err := checkRestored("floating_ip", f.ID, f.Name, seen, maxIDs); err != nil {
			return err
		}
		if strings.TrimSpace(f.Name) == "" {
			return fmt.Errorf("floating_ip %d has an empty name", f.ID)
		}
		if err := restoredAddress("floating_ip", f.ID, f.Type, f.IP, addrs, maxIDs); err != nil {
			return err
		}
		loc, ok := p.store.catalog.Location(fmt.Sprint(f.HomeLocation.ID))
		if !ok {
			return fmt.Errorf("floating_ip %d has unknown home location %d", f.ID, f.HomeLocation.ID)
		}
		f.HomeLocation = loc
		for _, ref := range []*int64{f.Server, f.PreviousServer} {
			if ref == nil {
				continue
			}
			if !p.servers.has(*ref) {
				return fmt.Errorf("floating_ip %d refers to unknown server %d", f.ID, *ref)
			}
		}
		for _, d := range f.DNSPtr {
			if held, err := addressHolds(f.Type, f.IP, d.IP); err != nil || !held {
				return fmt.Errorf("floating_ip %d has a reverse DNS entry for %q, not one of its addresses", f.ID, d.IP)
			}
		}
		f.DNSPtr = nonNil(f.DNSPtr)
		if err := ValidateLabels(f.Labels); err != nil {
			return fmt.Errorf("floating_ip %d: %w", f.ID, err)
		}
		p.floatingIPs.put(f)
	}
	return nil
}
