package store

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

// Load balancer algorithms, service and health check protocols, target types.
const (
	AlgorithmRoundRobin       = "round_robin"
	AlgorithmLeastConnections = "least_connections"

	ServiceProtocolTCP   = "tcp"
	ServiceProtocolHTTP  = "http"
	ServiceProtocolHTTPS = "https"

	TargetTypeServer        = "server"
	TargetTypeLabelSelector = "label_selector"
	TargetTypeIP            = "ip"

	AssigneeLoadBalancer = "load_balancer" // a primary IP a load balancer was created with (unconfirmed name)
)

// LoadBalancer is a load balancer as the API shows it. Targets are stored without their
// health status and resolved servers; the view fills those in.
type LoadBalancer struct {
	ID               int64                    `json:"id"`
	Name             string                   `json:"name"`
	PublicNet        LoadBalancerPublicNet    `json:"public_net"`
	PrivateNet       []LoadBalancerPrivateNet `json:"private_net"`
	Location         catalog.Location         `json:"location"`
	LoadBalancerType catalog.LoadBalancerType `json:"load_balancer_type"`
	Protection       LoadBalancerProtection   `json:"protection"`
	Labels           map[string]string        `json:"labels"`
	Created          time.Time                `json:"created"`
	Services         []LoadBalancerService    `json:"services"`
	Targets          []LoadBalancerTarget     `json:"targets"`
	Algorithm        LoadBalancerAlgorithm    `json:"algorithm"`
	IncludedTraffic  int64                    `json:"included_traffic"`
	OutgoingTraffic  *int64                   `json:"outgoing_traffic"`
	IngoingTraffic   *int64                   `json:"ingoing_traffic"`
}

// LoadBalancerPublicNet is load_balancer.public_net.
type LoadBalancerPublicNet struct {
	Enabled bool                `json:"enabled"`
	IPv4    LoadBalancerAddress `json:"ipv4"`
	IPv6    LoadBalancerAddress `json:"ipv6"`
}

// LoadBalancerAddress is public_net.ipv4 or .ipv6: a system managed address (id null) or the
// primary IP the load balancer was created with.
type LoadBalancerAddress struct {
	ID      *int64  `json:"id"`
	IP      *string `json:"ip"`
	Blocked bool    `json:"blocked"`
	DNSPtr  *string `json:"dns_ptr"`
}

// LoadBalancerPrivateNet is an entry of private_net.
type LoadBalancerPrivateNet struct {
	Network int64  `json:"network"`
	IP      string `json:"ip"`
}

// LoadBalancerProtection is load_balancer.protection.
type LoadBalancerProtection struct {
	Delete bool `json:"delete"`
}

// LoadBalancerAlgorithm is load_balancer.algorithm and the body of change_algorithm.
type LoadBalancerAlgorithm struct {
	Type string `json:"type"`
}

// LoadBalancerService is an entry of services. HTTP is there for http and https services only.
type LoadBalancerService struct {
	Protocol        string                  `json:"protocol"`
	ListenPort      int                     `json:"listen_port"`
	DestinationPort int                     `json:"destination_port"`
	Proxyprotocol   bool                    `json:"proxyprotocol"`
	HealthCheck     LoadBalancerHealthCheck `json:"health_check"`
	HTTP            *LoadBalancerHTTP       `json:"http,omitempty"`
}

// LoadBalancerHTTP is service.http.
type LoadBalancerHTTP struct {
	CookieName     string  `json:"cookie_name"`
	CookieLifetime int     `json:"cookie_lifetime"`
	Certificates   []int64 `json:"certificates"`
	RedirectHTTP   bool    `json:"redirect_http"`
	StickySessions bool    `json:"sticky_sessions"`
	TimeoutIdle    int     `json:"timeout_idle"`
}

// LoadBalancerHealthCheck is service.health_check; HTTP is there for http checks only.
type LoadBalancerHealthCheck struct {
	Protocol string                       `json:"protocol"`
	Port     int                          `json:"port"`
	Interval int                          `json:"interval"`
	Timeout  int                          `json:"timeout"`
	Retries  int                          `json:"retries"`
	HTTP     *LoadBalancerHealthCheckHTTP `json:"http,omitempty"`
}

// LoadBalancerHealthCheckHTTP is health_check.http.
type LoadBalancerHealthCheckHTTP struct {
	Domain      *string  `json:"domain"`
	Path        string   `json:"path"`
	Response    string   `json:"response"`
	StatusCodes []string `json:"status_codes"`
	TLS         bool     `json:"tls"`
}

// LoadBalancerTarget is an entry of targets. A label selector target lists the servers it
// matches now in Targets.
type LoadBalancerTarget struct {
	Type          string                     `json:"type"`
	Server        *LoadBalancerTargetID      `json:"server,omitempty"`
	LabelSelector *LoadBalancerSelector      `json:"label_selector,omitempty"`
	IP            *LoadBalancerTargetIP      `json:"ip,omitempty"`
	UsePrivateIP  bool                       `json:"use_private_ip"`
	HealthStatus  []LoadBalancerTargetHealth `json:"health_status,omitempty"`
	Targets       []LoadBalancerTarget       `json:"targets,omitempty"`
}

// LoadBalancerTargetID names a server target.
type LoadBalancerTargetID struct {
	ID int64 `json:"id"`
}

// LoadBalancerSelector is target.label_selector.
type LoadBalancerSelector struct {
	Selector string `json:"selector"`
}

// LoadBalancerTargetIP is target.ip.
type LoadBalancerTargetIP struct {
	IP string `json:"ip"`
}

// LoadBalancerTargetHealth is the health of a target for one service. The fake's targets are
// always healthy, so detail and http_status_code (only sent for unhealthy ones) never appear.
type LoadBalancerTargetHealth struct {
	ListenPort int    `json:"listen_port"`
	Status     string `json:"status"`
}

// loadBalancerState is a stored load balancer. Before is the load balancer as it was when its
// running action began: it comes back if that action fails (the load balancer is locked
// meanwhile, so nothing else changes it).
type loadBalancerState struct {
	LoadBalancer
	Before *LoadBalancer `json:"before,omitempty"`
}

func (lb loadBalancerState) entityID() int64 { return lb.ID }

func (lb loadBalancerState) clone() loadBalancerState {
	lb.LoadBalancer = lb.LoadBalancer.clone()
	if lb.Before != nil {
		b := lb.Before.clone()
		lb.Before = &b
	}
	return lb
}

func (lb LoadBalancer) clone() LoadBalancer {
	lb.Labels = copyLabels(lb.Labels)
	lb.PublicNet.IPv4 = lb.PublicNet.IPv4.clone()
	lb.PublicNet.IPv6 = lb.PublicNet.IPv6.clone()
	lb.PrivateNet = nonNil(slices.Clone(lb.PrivateNet))
	lb.LoadBalancerType.Prices = slices.Clone(lb.LoadBalancerType.Prices)
	lb.Services = nonNil(slices.Clone(lb.Services))
	for i, s := range lb.Services {
		lb.Services[i] = s.clone()
	}
	lb.Targets = nonNil(slices.Clone(lb.Targets))
	for i, t := range lb.Targets {
		lb.Targets[i] = t.clone()
	}
	lb.OutgoingTraffic, lb.IngoingTraffic = clonePtr(lb.OutgoingTraffic), clonePtr(lb.IngoingTraffic)
	return lb
}

func (a LoadBalancerAddress) clone() LoadBalancerAddress {
	a.ID, a.IP, a.DNSPtr = clonePtr(a.ID), clonePtr(a.IP), clonePtr(a.DNSPtr)
	return a
}

func (s LoadBalancerService) clone() LoadBalancerService {
	if s.HTTP != nil {
		h := *s.HTTP
		h.Certificates = nonNil(slices.Clone(h.Certificates))
		s.HTTP = &h
	}
	if s.HealthCheck.HTTP != nil {
		h := *s.HealthCheck.HTTP
		h.Domain = clonePtr(h.Domain)
		h.StatusCodes = nonNil(slices.Clone(h.StatusCodes))
		s.HealthCheck.HTTP = &h
	}
	return s
}

func (t LoadBalancerTarget) clone() LoadBalancerTarget {
	t.Server, t.LabelSelector, t.IP = clonePtr(t.Server), clonePtr(t.LabelSelector), clonePtr(t.IP)
	t.HealthStatus = slices.Clone(t.HealthStatus)
	t.Targets = slices.Clone(t.Targets)
	for i, inner := range t.Targets {
		t.Targets[i] = inner.clone()
	}
	return t
}

// certificates are the ids of the certificates the services use, ascending and unique.
func (lb LoadBalancer) certificates() []int64 {
	var out []int64
	for _, s := range lb.Services {
		if s.HTTP != nil {
			out = append(out, s.HTTP.Certificates...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func loadBalancerRef(id int64) ActionResource { return ActionResource{ID: id, Type: "load_balancer"} }

// CreateLoadBalancerPublicNet is public_net of POST /load_balancers: existing primary IPs.
type CreateLoadBalancerPublicNet struct {
	IPv4 *int64 `json:"ipv4"`
	IPv6 *int64 `json:"ipv6"`
}

// CreateLoadBalancer is the body of POST /load_balancers.
type CreateLoadBalancer struct {
	Name             string                       `json:"name"`
	LoadBalancerType IDOrName                     `json:"load_balancer_type"`
	Algorithm        *LoadBalancerAlgorithm       `json:"algorithm"`
	Location         *IDOrName                    `json:"location"`
	NetworkZone      *string                      `json:"network_zone"`
	Labels           map[string]string            `json:"labels"`
	Network          *int64                       `json:"network"`
	PublicInterface  *bool                        `json:"public_interface"`
	PublicNet        *CreateLoadBalancerPublicNet `json:"public_net"`
	Services         []LoadBalancerServiceRequest `json:"services"`
	Targets          []LoadBalancerTargetRequest  `json:"targets"`
}

// CreateLoadBalancerResult is the answer of POST /load_balancers.
type CreateLoadBalancerResult struct {
	LoadBalancer LoadBalancer `json:"load_balancer"`
	Action       Action       `json:"action"`
}

// UpdateLoadBalancer is the body of PUT /load_balancers/{id}; nil fields stay as they are.
type UpdateLoadBalancer struct {
	Name   *string            `json:"name"`
	Labels *map[string]string `json:"labels"`
}

// LoadBalancerFilter narrows GET /load_balancers.
type LoadBalancerFilter struct {
	Name string
}

var loadBalancerSorter = Sorter[loadBalancerState]{
	"name":    byString(func(lb loadBalancerState) string { return lb.Name }),
	"created": func(a, b loadBalancerState) int { return a.Created.Compare(b.Created) },
}

func checkAlgorithm(a LoadBalancerAlgorithm, field string) error {
	if a.Type != AlgorithmRoundRobin && a.Type != AlgorithmLeastConnections {
		return InvalidField(field, "Not a valid choice.")
	}
	return nil
}

// resolveLoadBalancerType finds a load balancer type by id or name.
func (p *Project) resolveLoadBalancerType(ref IDOrName, field string) (catalog.LoadBalancerType, error) {
	lt, ok := p.store.catalog.LoadBalancerType(string(ref))
	if !ok {
		return lt, InvalidField(field, fmt.Sprintf("load balancer type %s not found", ref))
	}
	return lt, nil
}

// includedTraffic is what the type includes in the location (0 when it has no price there).
func includedTraffic(lt catalog.LoadBalancerType, loc catalog.Location) int64 {
	if price, ok := lt.Price(loc.Name); ok {
		return price.IncludedTraffic
	}
	return 0
}

// loadBalancerLocation is the location of a new load balancer: the one named, else that of
// the primary IPs it is given, else the first of the network zone.
func (p *Project) loadBalancerLocation(req CreateLoadBalancer) (catalog.Location, error) {
	if (req.Location == nil || *req.Location == "") && req.PublicNet != nil {
		for _, id := range []*int64{req.PublicNet.IPv4, req.PublicNet.IPv6} {
			if ip, ok := p.primaryIPs.items[derefID(id)]; ok {
				if req.NetworkZone != nil && *req.NetworkZone != ip.Location.NetworkZone {
					return ip.Location, Errorf("primary_ip_location_mismatch", "primary ip %d is not in network zone %s", ip.ID, *req.NetworkZone)
				}
				return ip.Location, nil
			}
		}
	}
	switch {
	case req.Location != nil && *req.Location != "":
		loc, err := p.resolveLocation(*req.Location, "location")
		if err == nil && req.NetworkZone != nil && *req.NetworkZone != loc.NetworkZone {
			err = InvalidField("network_zone", fmt.Sprintf("location %s is not in network zone %s", loc.Name, *req.NetworkZone))
		}
		return loc, err
	case req.NetworkZone != nil && *req.NetworkZone != "":
		for _, l := range p.store.catalog.Locations {
			if l.NetworkZone == *req.NetworkZone {
				return l, nil
			}
		}
		return catalog.Location{}, InvalidField("network_zone", fmt.Sprintf("network zone %q not found", *req.NetworkZone))
	}
	return catalog.Location{}, InvalidField("location", "location or network_zone is required")
}

// lbPrimaryIPs checks the primary IPs of public_net: each exists, is of its family, unassigned,
// unblocked, idle and in the load balancer's location.
func (p *Project) lbPrimaryIPs(pn *CreateLoadBalancerPublicNet, loc catalog.Location) ([]PrimaryIP, error) {
	if pn == nil {
		return nil, nil
	}
	var out []PrimaryIP
	for _, want := range []struct {
		id    *int64
		typ   string
		field string
	}{{pn.IPv4, IPTypeIPv4, "public_net.ipv4"}, {pn.IPv6, IPTypeIPv6, "public_net.ipv6"}} {
		if want.id == nil {
			continue
		}
		ip, ok := p.primaryIPs.get(*want.id)
		switch {
		case !ok:
			return nil, InvalidField(want.field, fmt.Sprintf("primary ip %d not found", *want.id))
		case ip.Type != want.typ:
			// 412 here, as create_load_balancer's error table has it (servers answer 422)
			return nil, Errorf("primary_ip_version_mismatch", "primary ip %d is not of type %s", ip.ID, want.typ).WithStatus(412)
		case ip.AssigneeID != nil:
			return nil, Errorf("primary_ip_assigned", "primary ip %d is already assigned", ip.ID)
		case ip.Blocked:
			return nil, Errorf("primary_ip_blocked", "primary ip %d is blocked", ip.ID)
		case ip.Location.ID != loc.ID:
			return nil, Errorf("primary_ip_location_mismatch", "primary ip %d is in another location than the load balancer", ip.ID)
		case p.lockedBy("primary_ip", ip.ID):
			return nil, Locked("primary_ip")
		}
		out = append(out, ip)
	}
	return out, nil
}

// lbIPv6 is the load balancer's address in a /64: its first host.
func lbIPv6(network string) string {
	pf := netip.MustParsePrefix(network)
	return pf.Addr().Next().String()
}

// CreateLoadBalancer creates a load balancer with its services, targets and network and
// starts create_load_balancer.
func (p *Project) CreateLoadBalancer(req CreateLoadBalancer) (CreateLoadBalancerResult, error) {
	if strings.TrimSpace(req.Name) == "" {
		return CreateLoadBalancerResult{}, InvalidField("name", "Name must not be empty.")
	}
	if err := ValidateLabels(req.Labels); err != nil {
		return CreateLoadBalancerResult{}, err
	}
	algorithm := LoadBalancerAlgorithm{Type: AlgorithmRoundRobin}
	if req.Algorithm != nil {
		algorithm = *req.Algorithm
		if err := checkAlgorithm(algorithm, "algorithm.type"); err != nil {
			return CreateLoadBalancerResult{}, err
		}
	}
	publicInterface := req.PublicInterface == nil || *req.PublicInterface
	if !publicInterface && req.PublicNet != nil && (req.PublicNet.IPv4 != nil || req.PublicNet.IPv6 != nil) {
		return CreateLoadBalancerResult{}, InvalidField("public_net", "primary ips need the public interface enabled")
	}
	defer p.lock()()
	lt, err := p.resolveLoadBalancerType(req.LoadBalancerType, "load_balancer_type")
	if err != nil {
		return CreateLoadBalancerResult{}, err
	}
	loc, err := p.loadBalancerLocation(req)
	if err != nil {
		return CreateLoadBalancerResult{}, err
	}
	lb := LoadBalancer{Name: req.Name, Location: loc, LoadBalancerType: lt, Labels: copyLabels(req.Labels),
		Algorithm: algorithm, PublicNet: LoadBalancerPublicNet{Enabled: publicInterface},
		PrivateNet: []LoadBalancerPrivateNet{}, Services: []LoadBalancerService{}, Targets: []LoadBalancerTarget{},
		IncludedTraffic: includedTraffic(lt, loc)}
	if req.Network != nil {
		n, ok := p.networks.get(*req.Network)
		if !ok {
			return CreateLoadBalancerResult{}, InvalidField("network", fmt.Sprintf("network %d not found", *req.Network))
		}
		if err := p.checkNetworkIdle(n.ID); err != nil {
			return CreateLoadBalancerResult{}, err
		}
		pn, err := p.planAttachment(n.Network, loc.NetworkZone, 0, AttachToNetwork{Network: n.ID})
		if err != nil {
			return CreateLoadBalancerResult{}, err
		}
		lb.PrivateNet = append(lb.PrivateNet, LoadBalancerPrivateNet{Network: n.ID, IP: pn.IP})
	}
	if !publicInterface && len(lb.PrivateNet) == 0 {
		return CreateLoadBalancerResult{}, Errorf("load_balancer_not_attached_to_network",
			"a load balancer without public interface must be attached to a network")
	}
	existing, err := p.lbPrimaryIPs(req.PublicNet, loc)
	if err != nil {
		return CreateLoadBalancerResult{}, err
	}
	for i, sr := range req.Services {
		s, err := p.buildService(nil, sr, fmt.Sprintf("services.%d.", i))
		if err != nil {
			return CreateLoadBalancerResult{}, err
		}
		if err := p.addServiceTo(&lb, s); err != nil {
			if e, ok := err.(*Error); ok && e.Code == "source_port_already_used" {
				return CreateLoadBalancerResult{}, e.WithStatus(412) // create's error table says 412
			}
			return CreateLoadBalancerResult{}, err
		}
	}
	for _, tr := range req.Targets {
		t, err := p.checkTarget(lb, tr, true)
		if err != nil {
			return CreateLoadBalancerResult{}, err
		}
		lb.Targets = append(lb.Targets, t)
	}
	if _, dup := p.loadBalancers.byName(req.Name); dup {
		return CreateLoadBalancerResult{}, Uniqueness("name", "name is already used")
	}
	if err := p.checkLimit("load_balancers", p.loadBalancers.len()); err != nil {
		return CreateLoadBalancerResult{}, err
	}

	// Everything is checked: from here on the request succeeds.
	lb.ID, lb.Created = p.store.nextID("load_balancer"), p.now()
	zero, zero2 := int64(0), int64(0)
	lb.OutgoingTraffic, lb.IngoingTraffic = &zero, &zero2
	v4, v6 := p.store.allocateIP(IPTypeIPv4), lbIPv6(p.store.allocateIP(IPTypeIPv6))
	ptr := defaultDNSPtr(v4)
	lb.PublicNet.IPv4 = LoadBalancerAddress{IP: &v4, DNSPtr: &ptr}
	lb.PublicNet.IPv6 = LoadBalancerAddress{IP: &v6}
	for _, ip := range existing {
		id := ip.ID
		addr := &lb.PublicNet.IPv4
		if ip.Type == IPTypeIPv6 {
			addr = &lb.PublicNet.IPv6
		}
		*addr = LoadBalancerAddress{ID: &id}
		lbID := lb.ID
		ip.AssigneeID, ip.AssigneeType = &lbID, AssigneeLoadBalancer
		p.primaryIPs.put(ip)
	}
	st := loadBalancerState{LoadBalancer: lb}
	p.loadBalancers.put(st)
	p.setCertificateUser(loadBalancerRef(lb.ID), lb.certificates())
	return CreateLoadBalancerResult{LoadBalancer: p.loadBalancerView(st),
		Action: p.startAction("create_load_balancer", loadBalancerRef(lb.ID))}, nil
}

// loadBalancerView fills in what a stored load balancer shows of other resources: the
// addresses of its primary IPs, the health of its targets and the servers its label
// selectors match now.
func (p *Project) loadBalancerView(st loadBalancerState) LoadBalancer {
	lb := st.LoadBalancer.clone()
	for _, addr := range []*LoadBalancerAddress{&lb.PublicNet.IPv4, &lb.PublicNet.IPv6} {
		if addr.ID == nil {
			continue
		}
		ip, ok := p.primaryIPs.get(*addr.ID)
		if !ok {
			continue
		}
		a := ip.IP
		if ip.Type == IPTypeIPv6 {
			a = lbIPv6(ip.IP)
		}
		var ptr *string
		if v := ptrFor(ip.DNSPtr, a); v != "" {
			ptr = &v
		}
		*addr = LoadBalancerAddress{ID: addr.ID, IP: &a, Blocked: ip.Blocked, DNSPtr: ptr}
	}
	health := make([]LoadBalancerTargetHealth, len(lb.Services))
	for i, s := range lb.Services {
		health[i] = LoadBalancerTargetHealth{ListenPort: s.ListenPort, Status: "healthy"}
	}
	for i, t := range lb.Targets {
		if t.Type != TargetTypeLabelSelector {
			lb.Targets[i].HealthStatus = slices.Clone(health)
			continue
		}
		lb.Targets[i].Targets = []LoadBalancerTarget{}
		for _, sid := range p.selectedServers(t.LabelSelector.Selector) {
			lb.Targets[i].Targets = append(lb.Targets[i].Targets, LoadBalancerTarget{Type: TargetTypeServer,
				Server: &LoadBalancerTargetID{ID: sid}, UsePrivateIP: t.UsePrivateIP, HealthStatus: slices.Clone(health)})
		}
	}
	return lb
}

// selectedServers are the ids of the servers a (stored, valid) selector matches, ascending.
func (p *Project) selectedServers(selector string) []int64 {
	sel, err := ParseSelector(selector)
	if err != nil {
		return nil
	}
	var out []int64
	for _, s := range p.servers.items {
		if sel.Matches(s.Labels) {
			out = append(out, s.ID)
		}
	}
	slices.Sort(out)
	return out
}

// GetLoadBalancer returns one load balancer.
func (p *Project) GetLoadBalancer(id int64) (LoadBalancer, error) {
	defer p.lock()()
	lb, ok := p.loadBalancers.get(id)
	if !ok {
		return LoadBalancer{}, NotFound("load_balancer")
	}
	return p.loadBalancerView(lb), nil
}

// ListLoadBalancers lists load balancers with the name filter.
func (p *Project) ListLoadBalancers(f LoadBalancerFilter, opts ListOptions) (Page[LoadBalancer], error) {
	defer p.lock()()
	pg, err := page(&p.loadBalancers, opts, func(lb loadBalancerState) bool { return f.Name == "" || lb.Name == f.Name },
		func(lb loadBalancerState) map[string]string { return lb.Labels }, loadBalancerSorter)
	if err != nil {
		return Page[LoadBalancer]{}, err
	}
	return mapPage(pg, func(lb loadBalancerState) LoadBalancer { return p.loadBalancerView(lb) }), nil
}

// UpdateLoadBalancer renames a load balancer or replaces its labels.
func (p *Project) UpdateLoadBalancer(id int64, req UpdateLoadBalancer) (LoadBalancer, error) {
	if req.Name != nil && strings.TrimSpace(*req.Name) == "" {
		return LoadBalancer{}, InvalidField("name", "Name must not be empty.")
	}
	if req.Labels != nil {
		if err := ValidateLabels(*req.Labels); err != nil {
			return LoadBalancer{}, err
		}
	}
	defer p.lock()()
	lb, ok := p.loadBalancers.get(id)
	if !ok {
		return LoadBalancer{}, NotFound("load_balancer")
	}
	if err := renameAndRelabel(&p.loadBalancers, req.Name, req.Labels, &lb.Name, &lb.Labels, "name is already used"); err != nil {
		return LoadBalancer{}, err
	}
	p.loadBalancers.put(lb)
	return p.loadBalancerView(lb), nil
}

// DeleteLoadBalancer starts delete_load_balancer (the API answers 201 with it since
// 2026-10-05); the load balancer is gone when the action succeeds.
func (p *Project) DeleteLoadBalancer(id int64) (Action, error) {
	defer p.lock()()
	lb, ok := p.loadBalancers.get(id)
	if !ok {
		return Action{}, NotFound("load_balancer")
	}
	if lb.Protection.Delete {
		return Action{}, Errorf(CodeProtected, "load balancer deletion is protected")
	}
	if p.lockedBy("load_balancer", id) {
		return Action{}, Locked("load_balancer")
	}
	return p.startAction("delete_load_balancer", loadBalancerRef(id)), nil
}

// removeLoadBalancer drops a load balancer: its auto-delete primary IPs go with it, the others
// are unassigned, and its certificates no longer name it.
func (p *Project) removeLoadBalancer(id int64) {
	for _, ip := range p.primaryIPs.values() {
		if ip.AssigneeType != AssigneeLoadBalancer || ip.AssigneeID == nil || *ip.AssigneeID != id {
			continue
		}
		if ip.AutoDelete {
			p.primaryIPs.remove(ip.ID)
			continue
		}
		ip = ip.clone()
		ip.AssigneeID, ip.AssigneeType = nil, AssigneeUnassigned
		p.primaryIPs.put(ip)
	}
	p.setCertificateUser(loadBalancerRef(id), nil)
	p.loadBalancers.remove(id)
}

// loadBalancerActionDone ends a load balancer's action: a successful delete removes it, a
// successful detach ends the attachment, and a failed action puts it back as it was.
func loadBalancerActionDone(p *Project, a Action) {
	id := a.Resources[0].ID
	lb, ok := p.loadBalancers.get(id)
	if !ok {
		return
	}
	success := a.Status == ActionStatusSuccess
	switch {
	case success && a.Command == "delete_load_balancer":
		p.removeLoadBalancer(id)
		return
	case success && a.Command == "detach_from_network" && len(a.Resources) > 1:
		lb.PrivateNet = slices.DeleteFunc(lb.PrivateNet, func(pn LoadBalancerPrivateNet) bool { return pn.Network == a.Resources[1].ID })
	case !success && lb.Before != nil:
		lb.LoadBalancer = lb.Before.clone()
		p.pruneLoadBalancer(&lb.LoadBalancer)
		p.setCertificateUser(loadBalancerRef(id), lb.certificates())
	}
	lb.Before = nil
	p.loadBalancers.put(lb)
}

// pruneLoadBalancer drops server targets and attachments whose server or network is gone
// (after a failed action brought back an older state).
func (p *Project) pruneLoadBalancer(lb *LoadBalancer) {
	lb.Targets = slices.DeleteFunc(lb.Targets, func(t LoadBalancerTarget) bool {
		_, ok := p.servers.items[targetServerID(t)]
		return t.Type == TargetTypeServer && !ok
	})
	lb.PrivateNet = slices.DeleteFunc(lb.PrivateNet, func(pn LoadBalancerPrivateNet) bool {
		_, ok := p.networks.items[pn.Network]
		return !ok
	})
}

func derefID(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

func targetServerID(t LoadBalancerTarget) int64 {
	if t.Server == nil {
		return 0
	}
	return t.Server.ID
}

func init() { actionEffects["load_balancer"] = loadBalancerActionDone }

// loadBalancerAction runs an action that changes a load balancer: it must exist and be idle;
// change checks the request and changes it, and the state before comes back if the action
// fails. more are further resources of the action.
func (p *Project) loadBalancerAction(id int64, command string, change func(lb *LoadBalancer) error,
	more ...ActionResource) (Action, error) {
	defer p.lock()()
	lb, ok := p.loadBalancers.get(id)
	if !ok {
		return Action{}, NotFound("load_balancer")
	}
	if p.lockedBy("load_balancer", id) {
		return Action{}, Locked("load_balancer")
	}
	before := lb.LoadBalancer.clone()
	if err := change(&lb.LoadBalancer); err != nil {
		return Action{}, err
	}
	lb.Before = &before
	p.loadBalancers.put(lb)
	p.setCertificateUser(loadBalancerRef(id), lb.certificates())
	return p.startAction(command, append([]ActionResource{loadBalancerRef(id)}, more...)...), nil
}

// serverLoadBalancers are the ids of the load balancers that target a server, directly or
// through a label selector, ascending.
func (p *Project) serverLoadBalancers(s serverState) []int64 {
	out := []int64{}
	for _, lb := range p.loadBalancers.items {
		if slices.ContainsFunc(lb.Targets, func(t LoadBalancerTarget) bool {
			switch t.Type {
			case TargetTypeServer:
				return targetServerID(t) == s.ID
			case TargetTypeLabelSelector:
				sel, err := ParseSelector(t.LabelSelector.Selector)
				return err == nil && sel.Matches(s.Labels)
			}
			return false
		}) {
			out = append(out, lb.ID)
		}
	}
	slices.Sort(out)
	return out
}

// removeServerTargets takes a deleted server out of every load balancer's targets.
func (p *Project) removeServerTargets(serverID int64) {
	for _, lb := range p.loadBalancers.values() {
		if !slices.ContainsFunc(lb.Targets, func(t LoadBalancerTarget) bool { return targetServerID(t) == serverID }) {
			continue
		}
		lb = lb.clone()
		lb.Targets = slices.DeleteFunc(lb.Targets, func(t LoadBalancerTarget) bool { return targetServerID(t) == serverID })
		p.loadBalancers.put(lb)
	}
}

// networkLoadBalancers are the ids of the load balancers attached to a network, ascending.
func (p *Project) networkLoadBalancers(networkID int64) []int64 {
	out := []int64{}
	for _, lb := range p.loadBalancers.items {
		if lbAttachment(lb.PrivateNet, networkID) >= 0 {
			out = append(out, lb.ID)
		}
	}
	slices.Sort(out)
	return out
}

func lbAttachment(nets []LoadBalancerPrivateNet, networkID int64) int {
	return slices.IndexFunc(nets, func(pn LoadBalancerPrivateNet) bool { return pn.Network == networkID })
}

// loadBalancerAddresses are the addresses load balancers hold in a network.
func (p *Project) loadBalancerAddresses(networkID int64) []netip.Addr {
	var out []netip.Addr
	for _, lb := range p.loadBalancers.items {
		if i := lbAttachment(lb.PrivateNet, networkID); i >= 0 {
			if a, ok := parseIPv4(lb.PrivateNet[i].IP); ok {
				out = append(out, a)
			}
		}
	}
	return out
}

// detachLoadBalancers ends every load balancer's attachment to a deleted network.
func (p *Project) detachLoadBalancers(networkID int64) {
	for _, id := range p.networkLoadBalancers(networkID) {
		lb, _ := p.loadBalancers.get(id)
		lb.PrivateNet = slices.DeleteFunc(lb.PrivateNet, func(pn LoadBalancerPrivateNet) bool { return pn.Network == networkID })
		p.loadBalancers.put(lb)
	}
}

// loadBalancerMembers are the load balancers attached to a network as network members: up
// once create_load_balancer or attach_to_network is done, detaching while detach_from_network
// runs, error after an attach or detach failed.
func (p *Project) loadBalancerMembers(n networkState) []NetworkMember {
	latest := map[int64]actionState{}
	for _, a := range p.actions.items {
		if _, ok := memberCommands[a.Command]; !ok || len(a.Resources) < 2 || a.Resources[0].Type != "load_balancer" ||
			a.Resources[1] != networkRef(n.ID) {
			continue
		}
		if cur, ok := latest[a.Resources[0].ID]; !ok || a.ID > cur.ID {
			latest[a.Resources[0].ID] = a
		}
	}
	var out []NetworkMember
	for _, lb := range p.loadBalancers.items {
		i := lbAttachment(lb.PrivateNet, n.ID)
		if i < 0 {
			continue
		}
		m := NetworkMember{Type: "load_balancer", ID: lb.ID, IP: lb.PrivateNet[i].IP, AliasIPs: []string{}, Status: MemberStatusOK}
		if a, ok := latest[lb.ID]; ok && a.Status == ActionStatusRunning {
			m.Status = memberCommands[a.Command]
		} else if ok && a.Status == ActionStatusError {
			m.Status = MemberStatusError
		} else if p.hasRunningOn("create_load_balancer", loadBalancerRef(lb.ID)) {
			m.Status = MemberStatusAttaching
		}
		if a, ok := parseIPv4(m.IP); ok {
			for _, sub := range n.Subnets {
				if mustPrefix(sub.IPRange).Contains(a) {
					m.Subnet = sub.IPRange
				}
			}
		}
		out = append(out, m)
	}
	return out
}

// hasRunningOn reports whether an action with this command runs with r as its first resource.
func (p *Project) hasRunningOn(command string, r ActionResource) bool {
	for aid := range p.running {
		a := p.actions.items[aid]
		if a.Command == command && len(a.Resources) > 0 && a.Resources[0] == r {
			return true
		}
	}
	return false
}

// isCloudAddress reports whether addr is a public address of a resource of the project: a
// primary IP (inside its /64 for IPv6) or a load balancer's address.
func (p *Project) isCloudAddress(addr netip.Addr) bool {
	for _, ip := range p.primaryIPs.items {
		if ok, _ := ip.holds(addr.String()); ok {
			return true
		}
	}
	for _, lb := range p.loadBalancers.items {
		for _, a := range []*string{lb.PublicNet.IPv4.IP, lb.PublicNet.IPv6.IP} {
			if a != nil && *a == addr.String() {
				return true
			}
		}
	}
	return false
}

// restoreLoadBalancers loads the load balancers of a snapshot and checks them the way creating
// them would have: catalog references, addresses (unique, and the address counters move past
// them), primary IPs held both ways, network attachments, services and targets. The
// certificates' used_by is derived from the services again.
func (p *Project) restoreLoadBalancers(ps ProjectSnapshot, seen map[string]bool, maxIDs map[string]int64) error {
	addrs := map[string]bool{}
	for _, ip := range p.primaryIPs.items {
		addrs[ip.IP] = true
	}
	for _, st := range ps.LoadBalancers {
		if err := checkRestored("load_balancer", st.ID, st.Name, seen, maxIDs); err != nil {
			return err
		}
		lb, err := p.restoredLoadBalancer(st.LoadBalancer, addrs, maxIDs)
		if err != nil {
			return fmt.Errorf("load_balancer %d: %w", st.ID, err)
		}
		st.LoadBalancer = lb
		if st.Before != nil {
			before, err := p.restoredLoadBalancer(*st.Before, nil, maxIDs)
			if err != nil || before.ID != st.ID {
				return fmt.Errorf("load_balancer %d: invalid state before its running action", st.ID)
			}
			st.Before = &before
		}
		p.loadBalancers.put(st)
	}
	for _, ip := range p.primaryIPs.items {
		if ip.AssigneeType != AssigneeLoadBalancer {
			continue
		}
		lb, ok := p.loadBalancers.items[*ip.AssigneeID]
		addr := lb.PublicNet.IPv4
		if ip.Type == IPTypeIPv6 {
			addr = lb.PublicNet.IPv6
		}
		if !ok || addr.ID == nil || *addr.ID != ip.ID {
			return fmt.Errorf("primary_ip %d is held by load balancer %d, which does not use it", ip.ID, *ip.AssigneeID)
		}
	}
	for _, lb := range p.loadBalancers.items {
		p.setCertificateUser(loadBalancerRef(lb.ID), lb.certificates())
	}
	return nil
}

// restoredLoadBalancer checks one load balancer of a snapshot. addrs collects the system
// managed addresses (nil: do not check them, for the state before a running action).
func (p *Project) restoredLoadBalancer(lb LoadBalancer, addrs map[string]bool, maxIDs map[string]int64) (LoadBalancer, error) {
	cat := p.store.catalog
	if strings.TrimSpace(lb.Name) == "" {
		return lb, fmt.Errorf("empty name")
	}
	if err := ValidateLabels(lb.Labels); err != nil {
		return lb, err
	}
	if err := checkAlgorithm(lb.Algorithm, "algorithm"); err != nil {
		return lb, fmt.Errorf("algorithm %q", lb.Algorithm.Type)
	}
	loc, ok := cat.Location(fmt.Sprint(lb.Location.ID))
	if !ok {
		return lb, fmt.Errorf("unknown location %d", lb.Location.ID)
	}
	lt, ok := cat.LoadBalancerType(fmt.Sprint(lb.LoadBalancerType.ID))
	if !ok {
		return lb, fmt.Errorf("unknown load balancer type %d", lb.LoadBalancerType.ID)
	}
	out := lb.clone()
	out.Location, out.LoadBalancerType = loc, lt
	for i, addr := range []*LoadBalancerAddress{&out.PublicNet.IPv4, &out.PublicNet.IPv6} {
		typ := []string{IPTypeIPv4, IPTypeIPv6}[i]
		if addr.ID != nil {
			ip, ok := p.primaryIPs.items[*addr.ID]
			if !ok || ip.Type != typ || ip.AssigneeType != AssigneeLoadBalancer || *ip.AssigneeID != lb.ID {
				return lb, fmt.Errorf("public_net.%s names primary ip %d, which it does not hold", typ, *addr.ID)
			}
			*addr = LoadBalancerAddress{ID: addr.ID}
			continue
		}
		if addr.IP == nil {
			return lb, fmt.Errorf("public_net.%s has no address", typ)
		}
		a, err := netip.ParseAddr(*addr.IP)
		if err != nil || (typ == IPTypeIPv4) != a.Is4() {
			return lb, fmt.Errorf("public_net.%s has an invalid address %q", typ, *addr.IP)
		}
		addr.Blocked = false
		if addrs == nil {
			continue
		}
		own := a.String()
		if typ == IPTypeIPv6 {
			own = netip.PrefixFrom(a, 64).Masked().String()
		}
		if err := restoredAddress("load_balancer", lb.ID, typ, own, addrs, maxIDs); err != nil {
			return lb, err
		}
	}
	if len(out.PrivateNet) > 1 {
		return lb, fmt.Errorf("attached to %d networks", len(out.PrivateNet))
	}
	for _, pn := range out.PrivateNet {
		n, ok := p.networks.get(pn.Network)
		if !ok {
			return lb, fmt.Errorf("attached to unknown network %d", pn.Network)
		}
		a, ok := parseIPv4(pn.IP)
		if !ok || !slices.ContainsFunc(usableSubnets(n.Network, loc.NetworkZone), func(s netip.Prefix) bool { return s.Contains(a) }) {
			return lb, fmt.Errorf("address %q outside the subnets of network %d", pn.IP, pn.Network)
		}
		if addrs != nil && p.takenAddresses(pn.Network, 0)[a] {
			return lb, fmt.Errorf("address %s is used twice in network %d", a, pn.Network)
		}
	}
	out.Services = []LoadBalancerService{}
	for i, s := range lb.Services {
		built, err := p.buildService(nil, serviceRequest(s), fmt.Sprintf("services.%d.", i))
		if err != nil {
			return lb, fmt.Errorf("service %d: %s", i, err.(*Error).Message)
		}
		if err := p.addServiceTo(&out, built); err != nil {
			return lb, fmt.Errorf("service %d: %s", i, err.(*Error).Message)
		}
	}
	out.Targets = []LoadBalancerTarget{}
	for i, t := range lb.Targets {
		req := LoadBalancerTargetRequest{Type: t.Type, Server: t.Server, LabelSelector: t.LabelSelector, IP: t.IP}
		checked, err := requestedTarget(req.Type, req.Server, req.LabelSelector, req.IP)
		if err != nil || slices.ContainsFunc(out.Targets, func(o LoadBalancerTarget) bool { return sameTarget(o, checked) }) {
			return lb, fmt.Errorf("target %d is invalid or given twice", i)
		}
		if _, ok := p.servers.items[targetServerID(checked)]; checked.Type == TargetTypeServer && !ok {
			return lb, fmt.Errorf("target %d names unknown server %d", i, checked.Server.ID)
		}
		checked.UsePrivateIP = t.UsePrivateIP && checked.Type != TargetTypeIP
		out.Targets = append(out.Targets, checked)
	}
	return out, nil
}

// serviceRequest is the request that makes s (to check a stored service again).
func serviceRequest(s LoadBalancerService) LoadBalancerServiceRequest {
	req := LoadBalancerServiceRequest{Protocol: &s.Protocol, ListenPort: &s.ListenPort,
		DestinationPort: &s.DestinationPort, Proxyprotocol: &s.Proxyprotocol}
	hc := s.HealthCheck
	req.HealthCheck = &LoadBalancerHealthCheckRequest{Protocol: &hc.Protocol, Port: &hc.Port, Interval: &hc.Interval,
		Timeout: &hc.Timeout, Retries: &hc.Retries}
	if h := hc.HTTP; h != nil {
		req.HealthCheck.HTTP = &LoadBalancerHealthCheckHTTPRequest{Domain: h.Domain, Path: &h.Path, Response: &h.Response,
			StatusCodes: &h.StatusCodes, TLS: &h.TLS}
	}
	if h := s.HTTP; h != nil {
		req.HTTP = &LoadBalancerHTTPRequest{CookieName: &h.CookieName, CookieLifetime: &h.CookieLifetime,
			Certificates: &h.Certificates, RedirectHTTP: &h.RedirectHTTP, StickySessions: &h.StickySessions, TimeoutIdle: &h.TimeoutIdle}
	}
	return req
}

// isPublicLoadBalancerTarget reports whether a load balancer reaches the server on its public
// IPv4 (a server target without use_private_ip); its IPv4 primary IP cannot go then.
func (p *Project) isPublicLoadBalancerTarget(serverID int64) bool {
	for _, lb := range p.loadBalancers.items {
		if slices.ContainsFunc(lb.Targets, func(t LoadBalancerTarget) bool {
			return targetServerID(t) == serverID && !t.UsePrivateIP
		}) {
			return true
		}
	}
	return false
}
