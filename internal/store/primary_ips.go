package store

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

// Primary IP types and assignee types.
const (
	IPTypeIPv4 = "ipv4"
	IPTypeIPv6 = "ipv6"

	AssigneeServer     = "server"
	AssigneeUnassigned = "unassigned" // since 2026-04: every unassigned primary IP reports it
)

// DNSPtr is a reverse DNS entry.
type DNSPtr struct {
	IP     string `json:"ip"`
	DNSPtr string `json:"dns_ptr"`
}

// IPProtection is the protection of primary IPs (and images).
type IPProtection struct {
	Delete bool `json:"delete"`
}

// PrimaryIP is a primary IP as the API shows it (no datacenter: it left on 2026-07-01).
type PrimaryIP struct {
	ID           int64             `json:"id"`
	Name         string            `json:"name"`
	IP           string            `json:"ip"`
	Type         string            `json:"type"`
	AssigneeID   *int64            `json:"assignee_id"`
	AssigneeType string            `json:"assignee_type"`
	AutoDelete   bool              `json:"auto_delete"`
	Blocked      bool              `json:"blocked"`
	Created      time.Time         `json:"created"`
	DNSPtr       []DNSPtr          `json:"dns_ptr"`
	Labels       map[string]string `json:"labels"`
	Location     catalog.Location  `json:"location"`
	Protection   IPProtection      `json:"protection"`
}

func (ip PrimaryIP) entityID() int64 { return ip.ID }

func (ip PrimaryIP) clone() PrimaryIP {
	ip.Labels = copyLabels(ip.Labels)
	ip.DNSPtr = nonNil(slices.Clone(ip.DNSPtr))
	if ip.AssigneeID != nil {
		v := *ip.AssigneeID
		ip.AssigneeID = &v
	}
	return ip
}

// The documentation ranges addresses come from: 198.18.0.0/15 (RFC 2544) and 2001:db8::/32.
var (
	ipv4Base = netip.MustParseAddr("198.18.0.0").As4()
	ipv4Size = uint32(1) << 17
)

// allocateIP hands out an address never handed out before on this server: an IPv4 address
// (skipping .0 and .255) or an IPv6 /64.
func (s *Store) allocateIP(typ string) string {
	if typ == IPTypeIPv6 {
		n := s.nextID("ipv6")
		var b [16]byte
		copy(b[:4], []byte{0x20, 0x01, 0x0d, 0xb8})
		binary.BigEndian.PutUint32(b[4:8], uint32(n))
		return netip.AddrFrom16(b).String() + "/64"
	}
	for {
		n := uint32(s.nextID("ipv4")) % ipv4Size
		v := binary.BigEndian.Uint32(ipv4Base[:]) + n
		if last := v & 0xff; last == 0 || last == 255 {
			continue
		}
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], v)
		return netip.AddrFrom4(b).String()
	}
}

// defaultDNSPtr is the reverse DNS an IPv4 address has until it is changed.
func defaultDNSPtr(ip string) string { return "static." + ip + ".clients.your-server.de" }

// ptrFor is the reverse DNS entry of one address.
func ptrFor(list []DNSPtr, ip string) string {
	for _, d := range list {
		if d.IP == ip {
			return d.DNSPtr
		}
	}
	return ""
}

// holds reports whether addr is this IP (IPv4) or inside its /64 (IPv6).
func (ip PrimaryIP) holds(addr string) (bool, error) { return addressHolds(ip.Type, ip.IP, addr) }

// setDNSPtr sets or (ptr nil or empty) resets the reverse DNS of addr.
func (ip *PrimaryIP) setDNSPtr(addr string, ptr *string) error {
	list, err := withDNSPtr(ip.DNSPtr, ip.Type, ip.IP, addr, ptr, fmt.Sprintf("primary ip %d", ip.ID))
	if err != nil {
		return err
	}
	ip.DNSPtr = list
	return nil
}

// addressHolds reports whether addr is the IPv4 address own, or inside the IPv6 /64 own (the
// rule for the reverse DNS of primary and floating IPs).
func addressHolds(typ, own, addr string) (bool, error) {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false, InvalidField("ip", "Not a valid IP address.")
	}
	if typ == IPTypeIPv4 {
		return a.String() == own, nil
	}
	return ipInPrefix(a.String(), own)
}

// withDNSPtr returns list with the reverse DNS of addr set to ptr, or reset when ptr is nil or
// empty (an IPv4 address gets its default entry back). owner names the IP in errors.
func withDNSPtr(list []DNSPtr, typ, own, addr string, ptr *string, owner string) ([]DNSPtr, error) {
	ok, err := addressHolds(typ, own, addr)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, InvalidField("ip", fmt.Sprintf("ip %s does not belong to %s", addr, owner))
	}
	if ptr != nil && strings.TrimSpace(*ptr) != "" && !validHostname(*ptr) {
		return nil, InvalidField("dns_ptr", "Not a valid hostname.")
	}
	addr = netip.MustParseAddr(addr).String()
	list = slices.DeleteFunc(slices.Clone(list), func(d DNSPtr) bool { return d.IP == addr })
	switch {
	case ptr != nil && *ptr != "":
		list = append(list, DNSPtr{IP: addr, DNSPtr: *ptr})
	case typ == IPTypeIPv4:
		list = append(list, DNSPtr{IP: addr, DNSPtr: defaultDNSPtr(addr)})
	}
	return nonNil(list), nil
}

// newPrimaryIP creates and stores a primary IP (named primary_ip-<id> as the API names the
// ones it creates with servers).
func (p *Project) newPrimaryIP(typ string, loc catalog.Location, assignee *int64, autoDelete bool) PrimaryIP {
	id := p.store.nextID("primary_ip")
	return p.putNewPrimaryIP(id, fmt.Sprintf("primary_ip-%d", id), typ, loc, assignee, autoDelete, nil)
}

func (p *Project) putNewPrimaryIP(id int64, name, typ string, loc catalog.Location, assignee *int64,
	autoDelete bool, labels map[string]string) PrimaryIP {
	addr := p.store.allocateIP(typ)
	ip := PrimaryIP{ID: id, Name: name, IP: addr, Type: typ, AssigneeType: AssigneeUnassigned,
		AutoDelete: autoDelete, Created: p.now(), DNSPtr: []DNSPtr{}, Labels: copyLabels(labels), Location: loc}
	if assignee != nil {
		v := *assignee
		ip.AssigneeID, ip.AssigneeType = &v, AssigneeServer
	}
	if typ == IPTypeIPv4 {
		ip.DNSPtr = []DNSPtr{{IP: addr, DNSPtr: defaultDNSPtr(addr)}}
	}
	p.primaryIPs.put(ip)
	return ip.clone()
}

// CreatePrimaryIP is the body of POST /primary_ips (no datacenter: it left the API).
type CreatePrimaryIP struct {
	Name         string            `json:"name"`
	Type         string            `json:"type"`
	AssigneeType *string           `json:"assignee_type"`
	AssigneeID   *int64            `json:"assignee_id"`
	Labels       map[string]string `json:"labels"`
	AutoDelete   *bool             `json:"auto_delete"`
	Location     *IDOrName         `json:"location"`
}

// CreatePrimaryIPResult is the answer of POST /primary_ips.
type CreatePrimaryIPResult struct {
	PrimaryIP PrimaryIP `json:"primary_ip"`
	Action    Action    `json:"action"`
}

// UpdatePrimaryIP is the body of PUT /primary_ips/{id}; nil fields stay as they are.
type UpdatePrimaryIP struct {
	Name       *string            `json:"name"`
	Labels     *map[string]string `json:"labels"`
	AutoDelete *bool              `json:"auto_delete"`
}

// PrimaryIPFilter narrows GET /primary_ips.
type PrimaryIPFilter struct {
	Name string
	IP   string
}

var primaryIPSorter = Sorter[PrimaryIP]{
	"created": func(a, b PrimaryIP) int { return a.Created.Compare(b.Created) },
}

func primaryIPRef(id int64) ActionResource { return ActionResource{ID: id, Type: "primary_ip"} }

// checkAssignable says whether the IP may be assigned to the server now.
func (p *Project) checkAssignable(ip PrimaryIP, serverID int64) (serverState, error) {
	s, ok := p.servers.get(serverID)
	if !ok {
		return s, NotFound("server")
	}
	if p.lockedBy("server", serverID) {
		return s, Locked("server")
	}
	if s.Status != ServerStatusOff {
		return s, serverNotStopped()
	}
	if s.Location.ID != ip.Location.ID {
		return s, Errorf("primary_ip_datacenter_mismatch", "primary ip %d is in another location than server %d", ip.ID, serverID)
	}
	for _, other := range p.primaryIPs.values() {
		if other.ID != ip.ID && other.Type == ip.Type && other.AssigneeType == AssigneeServer && *other.AssigneeID == serverID {
			return s, Errorf(Code("server_has_"+ip.Type), "server %d already has an %s address", serverID, ip.Type)
		}
	}
	return s, nil
}

// CreatePrimaryIP creates a primary IP in a location or assigned to an off server.
func (p *Project) CreatePrimaryIP(req CreatePrimaryIP) (CreatePrimaryIPResult, error) {
	if strings.TrimSpace(req.Name) == "" {
		return CreatePrimaryIPResult{}, InvalidField("name", "Name must not be empty.")
	}
	if req.Type != IPTypeIPv4 && req.Type != IPTypeIPv6 {
		return CreatePrimaryIPResult{}, InvalidField("type", "Not a valid choice.")
	}
	if err := ValidateLabels(req.Labels); err != nil {
		return CreatePrimaryIPResult{}, err
	}
	switch {
	case req.AssigneeID != nil && req.Location != nil:
		return CreatePrimaryIPResult{}, InvalidField("location", "location and assignee_id are mutually exclusive")
	case req.AssigneeID == nil && req.Location == nil:
		return CreatePrimaryIPResult{}, InvalidField("location", "location is required when no assignee_id is given")
	case req.AssigneeID != nil && req.AssigneeType != nil && *req.AssigneeType != AssigneeServer:
		return CreatePrimaryIPResult{}, InvalidField("assignee_type", "Not a valid choice.")
	}
	defer p.lock()()
	var loc catalog.Location
	if req.AssigneeID != nil {
		s, ok := p.servers.get(*req.AssigneeID)
		if !ok {
			return CreatePrimaryIPResult{}, InvalidField("assignee_id", fmt.Sprintf("server %d not found", *req.AssigneeID))
		}
		loc = s.Location
		if _, err := p.checkAssignable(PrimaryIP{Type: req.Type, Location: loc}, s.ID); err != nil {
			return CreatePrimaryIPResult{}, err
		}
	} else {
		l, err := p.resolveLocation(*req.Location, "location")
		if err != nil {
			return CreatePrimaryIPResult{}, err
		}
		loc = l
	}
	if _, dup := p.primaryIPs.byName(req.Name); dup {
		return CreatePrimaryIPResult{}, Uniqueness("name", "name is already used")
	}
	if err := p.checkLimit("primary_ips", p.primaryIPs.len()); err != nil {
		return CreatePrimaryIPResult{}, err
	}
	id := p.store.nextID("primary_ip")
	ip := p.putNewPrimaryIP(id, req.Name, req.Type, loc, req.AssigneeID, req.AutoDelete != nil && *req.AutoDelete, req.Labels)
	res := CreatePrimaryIPResult{PrimaryIP: ip}
	if req.AssigneeID != nil {
		res.Action = p.startAction("assign_primary_ip", primaryIPRef(id), serverRef(*req.AssigneeID))
	} else {
		res.Action = p.finishedAction("create_primary_ip", primaryIPRef(id))
	}
	return res, nil
}

// GetPrimaryIP returns one primary IP.
func (p *Project) GetPrimaryIP(id int64) (PrimaryIP, error) {
	defer p.lock()()
	ip, ok := p.primaryIPs.get(id)
	if !ok {
		return PrimaryIP{}, NotFound("primary_ip")
	}
	return ip, nil
}

// ListPrimaryIPs lists primary IPs with the name and ip filters.
func (p *Project) ListPrimaryIPs(f PrimaryIPFilter, opts ListOptions) (Page[PrimaryIP], error) {
	defer p.lock()()
	return page(&p.primaryIPs, opts, func(ip PrimaryIP) bool {
		return (f.Name == "" || ip.Name == f.Name) && (f.IP == "" || ip.IP == f.IP)
	}, func(ip PrimaryIP) map[string]string { return ip.Labels }, primaryIPSorter)
}

// UpdatePrimaryIP changes name, labels or auto_delete.
func (p *Project) UpdatePrimaryIP(id int64, req UpdatePrimaryIP) (PrimaryIP, error) {
	if req.Name != nil && strings.TrimSpace(*req.Name) == "" {
		return PrimaryIP{}, InvalidField("name", "Name must not be empty.")
	}
	if req.Labels != nil {
		if err := ValidateLabels(*req.Labels); err != nil {
			return PrimaryIP{}, err
		}
	}
	defer p.lock()()
	ip, ok := p.primaryIPs.get(id)
	if !ok {
		return PrimaryIP{}, NotFound("primary_ip")
	}
	if err := renameAndRelabel(&p.primaryIPs, req.Name, req.Labels, &ip.Name, &ip.Labels, "name is already used"); err != nil {
		return PrimaryIP{}, err
	}
	if req.AutoDelete != nil {
		if *req.AutoDelete && ip.Protection.Delete {
			return PrimaryIP{}, InvalidField("auto_delete", "auto_delete cannot be enabled while delete protection is enabled")
		}
		ip.AutoDelete = *req.AutoDelete
	}
	p.primaryIPs.put(ip)
	return ip.clone(), nil
}

// DeletePrimaryIP deletes an unassigned, unprotected primary IP.
func (p *Project) DeletePrimaryIP(id int64) error {
	defer p.lock()()
	ip, ok := p.primaryIPs.get(id)
	if !ok {
		return NotFound("primary_ip")
	}
	if ip.Protection.Delete {
		return Errorf(CodeProtected, "Primary IP deletion is protected")
	}
	if p.lockedBy("primary_ip", id) {
		return Locked("primary_ip")
	}
	if ip.AssigneeID != nil {
		return Errorf("must_be_unassigned", "Primary IP must be unassigned before it can be deleted")
	}
	p.primaryIPs.remove(id)
	return nil
}

// AssignPrimaryIP is the body of assign.
type AssignPrimaryIP struct {
	AssigneeID   int64  `json:"assignee_id"`
	AssigneeType string `json:"assignee_type"`
}

// AssignPrimaryIP assigns an unassigned primary IP to an off server of its location.
func (p *Project) AssignPrimaryIP(id int64, req AssignPrimaryIP) (Action, error) {
	if req.AssigneeType != AssigneeServer {
		return Action{}, InvalidField("assignee_type", "Not a valid choice.")
	}
	defer p.lock()()
	ip, ok := p.primaryIPs.get(id)
	if !ok {
		return Action{}, NotFound("primary_ip")
	}
	if p.lockedBy("primary_ip", id) {
		return Action{}, Locked("primary_ip")
	}
	if ip.AssigneeID != nil {
		return Action{}, Errorf("primary_ip_already_assigned", "primary ip %d is already assigned to server %d", id, *ip.AssigneeID)
	}
	if _, err := p.checkAssignable(ip, req.AssigneeID); err != nil {
		return Action{}, err
	}
	v := req.AssigneeID
	ip.AssigneeID, ip.AssigneeType = &v, AssigneeServer
	p.primaryIPs.put(ip)
	return p.startAction("assign_primary_ip", primaryIPRef(id), serverRef(v)), nil
}

// UnassignPrimaryIP unassigns a primary IP from its (off) server.
func (p *Project) UnassignPrimaryIP(id int64) (Action, error) {
	defer p.lock()()
	ip, ok := p.primaryIPs.get(id)
	if !ok {
		return Action{}, NotFound("primary_ip")
	}
	if p.lockedBy("primary_ip", id) {
		return Action{}, Locked("primary_ip")
	}
	if ip.AssigneeID == nil {
		return p.finishedAction("unassign_primary_ip", primaryIPRef(id)), nil
	}
	if ip.AssigneeType == AssigneeLoadBalancer { // fixed for the load balancer's lifetime
		return Action{}, Errorf(CodeUnsupportedError, "primary ip %d belongs to load balancer %d until it is deleted", id, *ip.AssigneeID)
	}
	serverID := *ip.AssigneeID
	if ip.Type == IPTypeIPv4 && p.isPublicLoadBalancerTarget(serverID) {
		return Action{}, Errorf("server_is_load_balancer_target", "server %d is a load balancer target through its public IPv4", serverID)
	}
	if s, ok := p.servers.get(serverID); ok {
		if p.lockedBy("server", serverID) {
			return Action{}, Locked("server")
		}
		if s.Status != ServerStatusOff {
			return Action{}, serverNotStopped()
		}
	}
	ip.AssigneeID, ip.AssigneeType = nil, AssigneeUnassigned
	p.primaryIPs.put(ip)
	return p.startAction("unassign_primary_ip", primaryIPRef(id), serverRef(serverID)), nil
}

// ChangePrimaryIPDNSPtr sets or resets the reverse DNS of an address of the primary IP.
func (p *Project) ChangePrimaryIPDNSPtr(id int64, req ChangeDNSPtr) (Action, error) {
	defer p.lock()()
	ip, ok := p.primaryIPs.get(id)
	if !ok {
		return Action{}, NotFound("primary_ip")
	}
	if err := ip.setDNSPtr(req.IP, req.DNSPtr); err != nil {
		return Action{}, err
	}
	p.primaryIPs.put(ip)
	return p.finishedAction("change_dns_ptr", primaryIPRef(id)), nil
}

// ChangePrimaryIPProtection is the body of change_protection.
type ChangePrimaryIPProtection struct {
	Delete bool `json:"delete"`
}

// ChangePrimaryIPProtection sets delete protection; an auto-delete IP cannot be protected.
func (p *Project) ChangePrimaryIPProtection(id int64, req ChangePrimaryIPProtection) (Action, error) {
	defer p.lock()()
	ip, ok := p.primaryIPs.get(id)
	if !ok {
		return Action{}, NotFound("primary_ip")
	}
	if req.Delete && ip.AutoDelete {
		return Action{}, InvalidField("delete", "delete protection cannot be enabled while auto_delete is enabled")
	}
	ip.Protection.Delete = req.Delete
	p.primaryIPs.put(ip)
	return p.finishedAction("change_protection", primaryIPRef(id)), nil
}
