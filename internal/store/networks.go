package store

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Subnet types. `server` is the deprecated name of `cloud`; both connect cloud servers.
const (
	SubnetTypeCloud   = "cloud"
	SubnetTypeServer  = "server"
	SubnetTypeVSwitch = "vswitch"
)

// Statuses of a network member (GET /networks/{id}/members).
const (
	MemberStatusOK        = "ok"
	MemberStatusAttaching = "attaching"
	MemberStatusDetaching = "detaching"
	MemberStatusUpdating  = "updating"
	MemberStatusError     = "error"
)

// Network is a network as the API shows it. Servers is derived from the servers' attachments
// (server.private_net) and load balancers do not exist yet; the stored values are ignored.
type Network struct {
	ID                    int64             `json:"id"`
	Name                  string            `json:"name"`
	IPRange               string            `json:"ip_range"`
	Subnets               []NetworkSubnet   `json:"subnets"`
	Routes                []NetworkRoute    `json:"routes"`
	Servers               []int64           `json:"servers"`
	LoadBalancers         []int64           `json:"load_balancers"`
	Protection            NetworkProtection `json:"protection"`
	Labels                map[string]string `json:"labels"`
	Created               time.Time         `json:"created"`
	ExposeRoutesToVSwitch bool              `json:"expose_routes_to_vswitch"`
}

// NetworkSubnet is an entry of network.subnets.
type NetworkSubnet struct {
	Type        string `json:"type"`
	IPRange     string `json:"ip_range"`
	NetworkZone string `json:"network_zone"`
	Gateway     string `json:"gateway"`
	VSwitchID   *int64 `json:"vswitch_id"`
}

// NetworkRoute is an entry of network.routes, and the body of add_route and delete_route.
type NetworkRoute struct {
	Destination string `json:"destination"`
	Gateway     string `json:"gateway"`
}

// NetworkProtection is network.protection.
type NetworkProtection struct {
	Delete bool `json:"delete"`
}

// NetworkMember is a server (or, once they exist, a load balancer) attached to a network.
type NetworkMember struct {
	Type     string   `json:"type"`
	ID       int64    `json:"id"`
	IP       string   `json:"ip"`
	Status   string   `json:"status"`
	AliasIPs []string `json:"alias_ips"`
	Subnet   string   `json:"subnet"`
}

// networkState is a stored network. Before is the network as it was when its running action
// (add_subnet, change_ip_range, …) began: it comes back if that action fails. No other change
// can happen meanwhile, since a network with a running action answers conflict.
type networkState struct {
	Network
	Before *Network `json:"before,omitempty"`
}

func (n networkState) entityID() int64 { return n.ID }

func (n networkState) clone() networkState {
	n.Network = n.Network.clone()
	if n.Before != nil {
		b := n.Before.clone()
		n.Before = &b
	}
	return n
}

func (n Network) clone() Network {
	n.Labels = copyLabels(n.Labels)
	n.Subnets = nonNil(slices.Clone(n.Subnets))
	for i, s := range n.Subnets {
		if s.VSwitchID != nil {
			v := *s.VSwitchID
			n.Subnets[i].VSwitchID = &v
		}
	}
	n.Routes = nonNil(slices.Clone(n.Routes))
	n.Servers = nonNil(slices.Clone(n.Servers))
	n.LoadBalancers = nonNil(slices.Clone(n.LoadBalancers))
	return n
}

// NetworkSubnetRequest is a subnet in POST /networks and the body of add_subnet.
type NetworkSubnetRequest struct {
	Type        string  `json:"type"`
	IPRange     *string `json:"ip_range"`
	NetworkZone string  `json:"network_zone"`
	VSwitchID   *int64  `json:"vswitch_id"`
}

// CreateNetwork is the body of POST /networks.
type CreateNetwork struct {
	Name                  string                 `json:"name"`
	IPRange               string                 `json:"ip_range"`
	Labels                map[string]string      `json:"labels"`
	Subnets               []NetworkSubnetRequest `json:"subnets"`
	Routes                []NetworkRoute         `json:"routes"`
	ExposeRoutesToVSwitch *bool                  `json:"expose_routes_to_vswitch"`
}

// UpdateNetwork is the body of PUT /networks/{id}; nil fields stay as they are.
type UpdateNetwork struct {
	Name                  *string            `json:"name"`
	Labels                *map[string]string `json:"labels"`
	ExposeRoutesToVSwitch *bool              `json:"expose_routes_to_vswitch"`
}

// NetworkIPRange is the body of change_ip_range and delete_subnet.
type NetworkIPRange struct {
	IPRange string `json:"ip_range"`
}

// ChangeNetworkProtection is the body of change_protection.
type ChangeNetworkProtection struct {
	Delete *bool `json:"delete"`
}

// NetworkFilter narrows GET /networks.
type NetworkFilter struct {
	Name string
}

// NetworkMemberFilter narrows GET /networks/{id}/members; each list is OR, the lists AND.
type NetworkMemberFilter struct {
	Types    []string
	Subnets  []string // CIDRs
	Statuses []string
}

var networkSorter = Sorter[networkState]{
	"name":    byString(func(n networkState) string { return n.Name }),
	"created": func(a, b networkState) int { return a.Created.Compare(b.Created) },
}

var memberSorter = Sorter[NetworkMember]{
	"type":   byString(func(m NetworkMember) string { return m.Type }),
	"status": byString(func(m NetworkMember) string { return m.Status }),
	"ip": func(a, b NetworkMember) int {
		x, _ := netip.ParseAddr(a.IP)
		y, _ := netip.ParseAddr(b.IP)
		return x.Compare(y)
	},
}

func networkRef(id int64) ActionResource { return ActionResource{ID: id, Type: "network"} }

// Address rules of networks. The private ranges of RFC 1918; 172.31.1.1 is the gateway of
// every server's public interface, so no route may use it and no server may have it.
var (
	privateRanges = []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"),
	}
	publicGateway = netip.MustParseAddr("172.31.1.1")
	defaultRoute  = netip.MustParsePrefix("0.0.0.0/0")
)

// Size limits: a network is at least a /24, a subnet at least a /30.
const (
	maxNetworkBits = 24
	maxSubnetBits  = 30
	autoSubnetBits = 24 // a subnet without ip_range gets the first free /24
)

// parseIPv4Prefix reads an IPv4 CIDR; host bits are cleared, as the API stores "10.0.2.0/16"
// as 10.0.0.0/16.
func parseIPv4Prefix(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, false
	}
	return p.Masked(), true
}

func parseIPv4(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	return a, err == nil && a.Is4()
}

// within reports whether inner lies wholly inside outer.
func within(outer, inner netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

func isPrivate(p netip.Prefix) bool {
	return slices.ContainsFunc(privateRanges, func(r netip.Prefix) bool { return within(r, p) })
}

// lastAddr is the highest address of a prefix (its broadcast address).
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	v := binary.BigEndian.Uint32(b[:]) | uint32(uint64(1)<<(32-p.Bits())-1)
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}

// networkGateway is the gateway of a network: the first host of its range.
func networkGateway(n netip.Prefix) netip.Addr { return n.Addr().Next() }

// subnetGateway is the gateway shown on a subnet: the first IP of the network's range, except
// for the deprecated `server` subnets whose gateway is the first IP of the subnet.
func subnetGateway(network, subnet netip.Prefix, typ string) netip.Addr {
	if typ == SubnetTypeServer {
		return subnet.Addr().Next()
	}
	return networkGateway(network)
}

// mustPrefix reads a stored CIDR (validated when it was stored).
func mustPrefix(s string) netip.Prefix {
	p, _ := parseIPv4Prefix(s)
	return p
}

// hostsServers reports whether cloud servers get addresses from the subnet.
func hostsServers(s NetworkSubnet) bool { return s.Type != SubnetTypeVSwitch }

// networkZones are the network zones of the catalog's locations.
func (p *Project) networkZones() []string {
	var zones []string
	for _, l := range p.store.catalog.Locations {
		if !slices.Contains(zones, l.NetworkZone) {
			zones = append(zones, l.NetworkZone)
		}
	}
	return zones
}

// addSubnet checks a new subnet against the network and appends it; without ip_range it takes
// the first free /24. prefix names the request field the subnet came from ("" or "subnets.").
func (p *Project) addSubnet(n *Network, req NetworkSubnetRequest, prefix string) error {
	switch req.Type {
	case SubnetTypeCloud, SubnetTypeServer, SubnetTypeVSwitch:
	default:
		return InvalidField(prefix+"type", "Not a valid choice.")
	}
	if !slices.Contains(p.networkZones(), req.NetworkZone) {
		return InvalidField(prefix+"network_zone", fmt.Sprintf("network zone %q not found", req.NetworkZone))
	}
	switch {
	case req.Type == SubnetTypeVSwitch && req.VSwitchID == nil:
		return InvalidField(prefix+"vswitch_id", "vswitch_id is required for subnets of type vswitch")
	case req.Type != SubnetTypeVSwitch && req.VSwitchID != nil:
		return InvalidField(prefix+"vswitch_id", "vswitch_id is only allowed for subnets of type vswitch")
	}
	nr := mustPrefix(n.IPRange)
	var sr netip.Prefix
	if req.IPRange != nil && *req.IPRange != "" {
		var ok bool
		if sr, ok = parseIPv4Prefix(*req.IPRange); !ok {
			return InvalidField(prefix+"ip_range", "Not a valid IPv4 network in CIDR notation.")
		}
		if !within(nr, sr) {
			return InvalidField(prefix+"ip_range", fmt.Sprintf("subnet %s is not inside the network's ip_range %s", sr, nr))
		}
		if sr.Bits() > maxSubnetBits {
			return InvalidField(prefix+"ip_range", fmt.Sprintf("subnet %s is smaller than /%d", sr, maxSubnetBits))
		}
		if why := subnetClash(*n, sr); why != "" {
			return InvalidField(prefix+"ip_range", why)
		}
	} else {
		var ok bool
		if sr, ok = firstFreeSubnet(*n, nr); !ok {
			return InvalidField(prefix+"ip_range", fmt.Sprintf("no free /%d left in the network", autoSubnetBits))
		}
	}
	if req.Type == SubnetTypeVSwitch {
		if slices.ContainsFunc(n.Subnets, func(s NetworkSubnet) bool { return s.Type == SubnetTypeVSwitch }) {
			return InvalidField(prefix+"type", "the network already has a vswitch subnet")
		}
		// The fake knows no Robot vSwitches, so every id is unknown (as 42 is in the CLI's
		// end-to-end test against the live API).
		return Errorf(CodeServiceError, "vswitch not found")
	}
	n.Subnets = append(n.Subnets, NetworkSubnet{Type: req.Type, IPRange: sr.String(), NetworkZone: req.NetworkZone,
		Gateway: subnetGateway(nr, sr, req.Type).String()})
	return nil
}

// subnetClash says why a subnet range cannot be added next to the network's subnets and routes
// ("" if it can).
func subnetClash(n Network, sr netip.Prefix) string {
	for _, s := range n.Subnets {
		if mustPrefix(s.IPRange).Overlaps(sr) {
			return fmt.Sprintf("subnet %s overlaps subnet %s", sr, s.IPRange)
		}
	}
	for _, r := range n.Routes {
		if d := mustPrefix(r.Destination); d != defaultRoute && d.Overlaps(sr) {
			return fmt.Sprintf("subnet %s overlaps the destination of route %s", sr, r.Destination)
		}
	}
	return ""
}

// firstFreeSubnet is the first /24 of the network that clashes with nothing.
func firstFreeSubnet(n Network, nr netip.Prefix) (netip.Prefix, bool) {
	step := uint32(1) << (32 - autoSubnetBits)
	b := nr.Addr().As4()
	start := binary.BigEndian.Uint32(b[:])
	count := uint64(1) << (autoSubnetBits - nr.Bits())
	for i := uint64(0); i < count; i++ {
		binary.BigEndian.PutUint32(b[:], start+uint32(i)*step)
		cand := netip.PrefixFrom(netip.AddrFrom4(b), autoSubnetBits)
		if subnetClash(n, cand) == "" {
			return cand, true
		}
	}
	return netip.Prefix{}, false
}

// checkRoute validates a route for the network and returns it normalised.
func checkRoute(n Network, r NetworkRoute, prefix string) (NetworkRoute, error) {
	dest, ok := parseIPv4Prefix(r.Destination)
	if !ok {
		return r, InvalidField(prefix+"destination", "Not a valid IPv4 network in CIDR notation.")
	}
	if dest != defaultRoute && !isPrivate(dest) {
		return r, InvalidField(prefix+"destination", "destination must be a private (RFC 1918) range or 0.0.0.0/0")
	}
	gw, ok := parseIPv4(r.Gateway)
	if !ok {
		return r, InvalidField(prefix+"gateway", "Not a valid IPv4 address.")
	}
	nr := mustPrefix(n.IPRange)
	switch {
	case !nr.Contains(gw):
		return r, InvalidField(prefix+"gateway", fmt.Sprintf("gateway %s is not inside the network's ip_range %s", gw, nr))
	case gw == nr.Addr() || gw == networkGateway(nr) || gw == publicGateway:
		return r, InvalidField(prefix+"gateway", fmt.Sprintf("gateway %s is reserved", gw))
	}
	for _, s := range n.Subnets {
		if s.Type == SubnetTypeVSwitch && mustPrefix(s.IPRange).Contains(gw) {
			return r, InvalidField(prefix+"gateway", fmt.Sprintf("gateway %s is behind a vSwitch", gw))
		}
	}
	if dest != defaultRoute {
		if dest.Contains(publicGateway) {
			return r, InvalidField(prefix+"destination", fmt.Sprintf("destination %s contains %s", dest, publicGateway))
		}
		for _, s := range n.Subnets {
			if mustPrefix(s.IPRange).Overlaps(dest) {
				return r, InvalidField(prefix+"destination", fmt.Sprintf("destination %s overlaps subnet %s", dest, s.IPRange))
			}
		}
	}
	for _, o := range n.Routes {
		od := mustPrefix(o.Destination)
		if od == dest || (dest != defaultRoute && od != defaultRoute && od.Overlaps(dest)) {
			return r, InvalidField(prefix+"destination", fmt.Sprintf("destination %s overlaps the destination of route %s", dest, o.Destination))
		}
	}
	return NetworkRoute{Destination: dest.String(), Gateway: gw.String()}, nil
}

// checkNetworkIPRange validates the range of a network.
func checkNetworkIPRange(s string) (netip.Prefix, error) {
	nr, ok := parseIPv4Prefix(s)
	switch {
	case !ok:
		return nr, InvalidField("ip_range", "Not a valid IPv4 network in CIDR notation.")
	case !isPrivate(nr):
		return nr, InvalidField("ip_range", "ip_range must be inside one of the private ranges of RFC 1918")
	case nr.Bits() > maxNetworkBits:
		return nr, InvalidField("ip_range", fmt.Sprintf("ip_range must be at least a /%d", maxNetworkBits))
	}
	return nr, nil
}

// checkNetworkIdle answers conflict while an action of the network itself runs: the API
// refuses changes to a network that is being changed.
func (p *Project) checkNetworkIdle(id int64) error {
	for aid := range p.running {
		if r := p.actions.items[aid].Resources; len(r) > 0 && r[0] == networkRef(id) {
			return Errorf(CodeConflict, "network %d is being changed by another action, please retry", id)
		}
	}
	return nil
}

// networkServers are the ids of the servers attached to a network, ascending.
func (p *Project) networkServers(id int64) []int64 {
	out := []int64{}
	for _, s := range p.servers.items { // unsorted: values() would sort every server
		if attachmentIndex(s.PrivateNet, id) >= 0 {
			out = append(out, s.ID)
		}
	}
	slices.Sort(out)
	return out
}

func attachmentIndex(nets []ServerPrivateNet, networkID int64) int {
	return slices.IndexFunc(nets, func(pn ServerPrivateNet) bool { return pn.Network == networkID })
}

func (p *Project) networkView(n networkState) Network {
	out := n.Network.clone()
	out.Servers = p.networkServers(n.ID)
	out.LoadBalancers = p.networkLoadBalancers(n.ID)
	return out
}

// CreateNetwork creates a network with its subnets and routes; the answer has no action.
func (p *Project) CreateNetwork(req CreateNetwork) (Network, error) {
	if strings.TrimSpace(req.Name) == "" {
		return Network{}, InvalidField("name", "Name must not be empty.")
	}
	nr, err := checkNetworkIPRange(req.IPRange)
	if err != nil {
		return Network{}, err
	}
	if err := ValidateLabels(req.Labels); err != nil {
		return Network{}, err
	}
	defer p.lock()()
	n := Network{Name: req.Name, IPRange: nr.String(), Subnets: []NetworkSubnet{}, Routes: []NetworkRoute{},
		Labels: copyLabels(req.Labels), ExposeRoutesToVSwitch: req.ExposeRoutesToVSwitch != nil && *req.ExposeRoutesToVSwitch}
	for _, s := range req.Subnets {
		if err := p.addSubnet(&n, s, "subnets."); err != nil {
			return Network{}, err
		}
	}
	for _, r := range req.Routes {
		route, err := checkRoute(n, r, "routes.")
		if err != nil {
			return Network{}, err
		}
		n.Routes = append(n.Routes, route)
	}
	if _, dup := p.networks.byName(req.Name); dup {
		return Network{}, Uniqueness("name", "name is already used")
	}
	if err := p.checkLimit("networks", p.networks.len()); err != nil {
		return Network{}, err
	}
	n.ID, n.Created = p.store.nextID("network"), p.now()
	st := networkState{Network: n}
	p.networks.put(st)
	return p.networkView(st), nil
}

// GetNetwork returns one network.
func (p *Project) GetNetwork(id int64) (Network, error) {
	defer p.lock()()
	n, ok := p.networks.get(id)
	if !ok {
		return Network{}, NotFound("network")
	}
	return p.networkView(n), nil
}

// ListNetworks lists networks with the name filter.
func (p *Project) ListNetworks(f NetworkFilter, opts ListOptions) (Page[Network], error) {
	defer p.lock()()
	pg, err := page(&p.networks, opts, func(n networkState) bool { return f.Name == "" || n.Name == f.Name },
		func(n networkState) map[string]string { return n.Labels }, networkSorter)
	if err != nil {
		return Page[Network]{}, err
	}
	return mapPage(pg, func(n networkState) Network { return p.networkView(n) }), nil
}

// UpdateNetwork changes name, labels or expose_routes_to_vswitch.
func (p *Project) UpdateNetwork(id int64, req UpdateNetwork) (Network, error) {
	if req.Name != nil && strings.TrimSpace(*req.Name) == "" {
		return Network{}, InvalidField("name", "Name must not be empty.")
	}
	if req.Labels != nil {
		if err := ValidateLabels(*req.Labels); err != nil {
			return Network{}, err
		}
	}
	defer p.lock()()
	n, ok := p.networks.get(id)
	if !ok {
		return Network{}, NotFound("network")
	}
	if err := p.checkNetworkIdle(id); err != nil {
		return Network{}, err
	}
	if err := renameAndRelabel(&p.networks, req.Name, req.Labels, &n.Name, &n.Labels, "name is already used"); err != nil {
		return Network{}, err
	}
	if req.ExposeRoutesToVSwitch != nil {
		n.ExposeRoutesToVSwitch = *req.ExposeRoutesToVSwitch
	}
	p.networks.put(n)
	return p.networkView(n), nil
}

// DeleteNetwork deletes an unprotected network; its servers are detached.
func (p *Project) DeleteNetwork(id int64) error {
	defer p.lock()()
	n, ok := p.networks.get(id)
	if !ok {
		return NotFound("network")
	}
	if n.Protection.Delete {
		return Errorf(CodeProtected, "network is delete protected")
	}
	if err := p.checkNetworkIdle(id); err != nil {
		return err
	}
	p.detachAll(id)
	p.detachLoadBalancers(id)
	p.networks.remove(id)
	return nil
}

// detachAll removes every server's attachment to the network.
func (p *Project) detachAll(networkID int64) {
	for _, sid := range p.networkServers(networkID) {
		s, _ := p.servers.get(sid)
		s.PrivateNet = slices.DeleteFunc(s.PrivateNet, func(pn ServerPrivateNet) bool { return pn.Network == networkID })
		p.servers.put(s)
	}
}

// networkAction runs an action that changes the network itself: the network must exist and
// not be changing; change checks the request and changes the network, which keeps its
// previous state until the action ends.
func (p *Project) networkAction(id int64, command string, change func(n *Network) error) (Action, error) {
	defer p.lock()()
	n, ok := p.networks.get(id)
	if !ok {
		return Action{}, NotFound("network")
	}
	if err := p.checkNetworkIdle(id); err != nil {
		return Action{}, err
	}
	before := n.Network.clone()
	if err := change(&n.Network); err != nil {
		return Action{}, err
	}
	n.Before = &before
	p.networks.put(n)
	return p.startAction(command, networkRef(id)), nil
}

// AddSubnet adds a subnet (action add_subnet).
func (p *Project) AddSubnet(id int64, req NetworkSubnetRequest) (Action, error) {
	return p.networkAction(id, "add_subnet", func(n *Network) error { return p.addSubnet(n, req, "") })
}

// DeleteSubnet deletes a subnet that no server has an address in (action delete_subnet).
func (p *Project) DeleteSubnet(id int64, req NetworkIPRange) (Action, error) {
	return p.networkAction(id, "delete_subnet", func(n *Network) error {
		sr, ok := parseIPv4Prefix(req.IPRange)
		if !ok {
			return InvalidField("ip_range", "Not a valid IPv4 network in CIDR notation.")
		}
		i := slices.IndexFunc(n.Subnets, func(s NetworkSubnet) bool { return s.IPRange == sr.String() })
		if i < 0 {
			return Errorf(CodeNotFound, "subnet %s not found", sr)
		}
		for _, s := range p.servers.items {
			if pn := attachmentIndex(s.PrivateNet, n.ID); pn >= 0 && attachmentUses(s.PrivateNet[pn], sr) {
				// The live message; terraform looks for it to tell this case apart.
				return Errorf(CodeServiceError, "network has attached resources")
			}
		}
		if slices.ContainsFunc(p.loadBalancerAddresses(n.ID), sr.Contains) {
			return Errorf(CodeServiceError, "network has attached resources")
		}
		n.Subnets = slices.Delete(n.Subnets, i, i+1)
		return nil
	})
}

// attachmentUses reports whether the attachment has its address or an alias in the range.
func attachmentUses(pn ServerPrivateNet, r netip.Prefix) bool {
	for _, s := range append([]string{pn.IP}, pn.AliasIPs...) {
		if a, ok := parseIPv4(s); ok && r.Contains(a) {
			return true
		}
	}
	return false
}

// AddRoute adds a route (action add_route).
func (p *Project) AddRoute(id int64, req NetworkRoute) (Action, error) {
	return p.networkAction(id, "add_route", func(n *Network) error {
		r, err := checkRoute(*n, req, "")
		if err != nil {
			return err
		}
		n.Routes = append(n.Routes, r)
		return nil
	})
}

// DeleteRoute deletes the route with this destination and gateway (action delete_route).
func (p *Project) DeleteRoute(id int64, req NetworkRoute) (Action, error) {
	return p.networkAction(id, "delete_route", func(n *Network) error {
		dest, ok := parseIPv4Prefix(req.Destination)
		if !ok {
			return InvalidField("destination", "Not a valid IPv4 network in CIDR notation.")
		}
		gw, ok := parseIPv4(req.Gateway)
		if !ok {
			return InvalidField("gateway", "Not a valid IPv4 address.")
		}
		i := slices.Index(n.Routes, NetworkRoute{Destination: dest.String(), Gateway: gw.String()})
		if i < 0 {
			return Errorf(CodeNotFound, "route to %s via %s not found", dest, gw)
		}
		n.Routes = slices.Delete(n.Routes, i, i+1)
		return nil
	})
}

// ChangeIPRange grows the network: same first address, shorter prefix (action change_ip_range).
func (p *Project) ChangeIPRange(id int64, req NetworkIPRange) (Action, error) {
	return p.networkAction(id, "change_ip_range", func(n *Network) error {
		nr, err := checkNetworkIPRange(req.IPRange)
		if err != nil {
			return err
		}
		old := mustPrefix(n.IPRange)
		if nr.Addr() != old.Addr() || nr.Bits() > old.Bits() {
			return InvalidField("ip_range", fmt.Sprintf("ip_range can only be extended from %s by a shorter prefix", old))
		}
		if err := p.checkNoOverlapOfMembers(n.ID, nr); err != nil {
			return err
		}
		n.IPRange = nr.String()
		return nil
	})
}

// checkNoOverlapOfMembers answers networks_overlap when a server in the network is attached to
// another network whose range overlaps r.
func (p *Project) checkNoOverlapOfMembers(networkID int64, r netip.Prefix) error {
	for _, s := range p.servers.items {
		if attachmentIndex(s.PrivateNet, networkID) < 0 {
			continue
		}
		for _, pn := range s.PrivateNet {
			if other, ok := p.networks.items[pn.Network]; ok && pn.Network != networkID && mustPrefix(other.IPRange).Overlaps(r) {
				return Errorf("networks_overlap", "server %d is attached to network %d, which overlaps %s", s.ID, pn.Network, r)
			}
		}
	}
	return nil
}

// ChangeNetworkProtection sets delete protection; the action is finished at once.
func (p *Project) ChangeNetworkProtection(id int64, req ChangeNetworkProtection) (Action, error) {
	defer p.lock()()
	n, ok := p.networks.get(id)
	if !ok {
		return Action{}, NotFound("network")
	}
	if err := p.checkNetworkIdle(id); err != nil {
		return Action{}, err
	}
	if req.Delete != nil {
		n.Protection.Delete = *req.Delete
	}
	p.networks.put(n)
	return p.finishedAction("change_protection", networkRef(id)), nil
}

// networkActionDone ends a network's own action: a failed one puts the network back as it was.
func networkActionDone(p *Project, a Action) {
	n, ok := p.networks.get(a.Resources[0].ID)
	if !ok {
		return
	}
	if a.Status != ActionStatusSuccess && n.Before != nil {
		n.Network = n.Before.clone()
	}
	n.Before = nil
	p.networks.put(n)
}

func init() { actionEffects["network"] = networkActionDone }

// ListNetworkMembers lists the servers attached to a network with their status.
func (p *Project) ListNetworkMembers(id int64, f NetworkMemberFilter, opts ListOptions) (Page[NetworkMember], error) {
	subnets := make([]string, len(f.Subnets))
	for i, s := range f.Subnets {
		sr, ok := parseIPv4Prefix(s)
		if !ok {
			return Page[NetworkMember]{}, InvalidField("subnet", "Not a valid IPv4 network in CIDR notation.")
		}
		subnets[i] = sr.String()
	}
	defer p.lock()()
	n, ok := p.networks.get(id)
	if !ok {
		return Page[NetworkMember]{}, NotFound("network")
	}
	members := p.networkMembers(n)
	return List(members, opts, func(m NetworkMember) bool {
		return (len(f.Types) == 0 || slices.Contains(f.Types, m.Type)) &&
			(len(subnets) == 0 || slices.Contains(subnets, m.Subnet)) &&
			(len(f.Statuses) == 0 || slices.Contains(f.Statuses, m.Status))
	}, nil, memberSorter, func(m NetworkMember) int64 { return m.ID }, 0)
}

// networkMembers derives the members of a network from the servers' attachments and the
// actions on them.
func (p *Project) networkMembers(n networkState) []NetworkMember {
	statuses := p.memberStatuses(n.ID)
	var out []NetworkMember
	for _, s := range p.servers.items {
		i := attachmentIndex(s.PrivateNet, n.ID)
		if i < 0 {
			continue
		}
		pn := s.PrivateNet[i]
		m := NetworkMember{Type: "server", ID: s.ID, IP: pn.IP, AliasIPs: nonNil(slices.Clone(pn.AliasIPs)), Status: MemberStatusOK}
		if st, ok := statuses[s.ID]; ok {
			m.Status = st
		} else if p.hasRunning("create_server", s.ID) {
			m.Status = MemberStatusAttaching // attached at create: up once create_server is done
		}
		if a, ok := parseIPv4(pn.IP); ok {
			for _, sub := range n.Subnets {
				if mustPrefix(sub.IPRange).Contains(a) {
					m.Subnet = sub.IPRange
				}
			}
		}
		out = append(out, m)
	}
	return append(out, p.loadBalancerMembers(n)...)
}

// memberCommands map the server actions on a network to a member's status while they run.
var memberCommands = map[string]string{
	"attach_to_network":   MemberStatusAttaching,
	"detach_from_network": MemberStatusDetaching,
	"change_alias_ips":    MemberStatusUpdating,
}

// memberStatuses are the statuses the latest network action of each server gives it (servers
// without one are ok): its running status while it runs, error after it failed.
func (p *Project) memberStatuses(networkID int64) map[int64]string {
	latest := map[int64]actionState{}
	for _, a := range p.actions.items {
		if _, ok := memberCommands[a.Command]; !ok || len(a.Resources) < 2 || a.Resources[0].Type != "server" ||
			a.Resources[1] != networkRef(networkID) {
			continue
		}
		if cur, ok := latest[a.Resources[0].ID]; !ok || a.ID > cur.ID {
			latest[a.Resources[0].ID] = a
		}
	}
	out := make(map[int64]string, len(latest))
	for sid, a := range latest {
		switch a.Status {
		case ActionStatusRunning:
			out[sid] = memberCommands[a.Command]
		case ActionStatusError:
			out[sid] = MemberStatusError
		}
	}
	return out
}

// usableSubnets are the subnets of a network that give addresses to servers of a zone.
func usableSubnets(n Network, zone string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range n.Subnets {
		if hostsServers(s) && s.NetworkZone == zone {
			out = append(out, mustPrefix(s.IPRange))
		}
	}
	return out
}

// gateways are the addresses of a network no server can have: the gateways of the network and
// its subnets, and the public gateway.
func gateways(n Network) map[netip.Addr]bool {
	out := map[netip.Addr]bool{networkGateway(mustPrefix(n.IPRange)): true, publicGateway: true}
	for _, s := range n.Subnets {
		if a, ok := parseIPv4(s.Gateway); ok {
			out[a] = true
		}
	}
	return out
}

// reserved reports whether an address of a subnet can never be a server's: the subnet's own
// (first) and broadcast (last) address, and the gateways.
func reserved(gws map[netip.Addr]bool, sub netip.Prefix, a netip.Addr) bool {
	return a == sub.Addr() || a == lastAddr(sub) || gws[a]
}

// takenAddresses are the addresses (and aliases) servers other than self hold in a network.
func (p *Project) takenAddresses(networkID, self int64) map[netip.Addr]bool {
	taken := map[netip.Addr]bool{}
	for _, s := range p.servers.items {
		i := attachmentIndex(s.PrivateNet, networkID)
		if s.ID == self || i < 0 {
			continue
		}
		for _, ip := range append([]string{s.PrivateNet[i].IP}, s.PrivateNet[i].AliasIPs...) {
			if a, ok := parseIPv4(ip); ok {
				taken[a] = true
			}
		}
	}
	for _, a := range p.loadBalancerAddresses(networkID) {
		taken[a] = true
	}
	return taken
}

// planAttachment chooses a server's address (and checks its aliases) in a network, for a server
// of the zone; self is the server (0 while it is being created). The MAC address is not set.
func (p *Project) planAttachment(n Network, zone string, self int64, req AttachToNetwork) (ServerPrivateNet, error) {
	candidates := usableSubnets(n, zone)
	if req.IPRange != nil && *req.IPRange != "" {
		r, ok := parseIPv4Prefix(*req.IPRange)
		if !ok {
			return ServerPrivateNet{}, InvalidField("ip_range", "Not a valid IPv4 network in CIDR notation.")
		}
		if !slices.Contains(candidates, r) {
			return ServerPrivateNet{}, Errorf("no_subnet_available", "no subnet %s for network zone %s in network %d", r, zone, n.ID)
		}
		candidates = []netip.Prefix{r}
	}
	if len(candidates) == 0 {
		return ServerPrivateNet{}, Errorf("no_subnet_available", "no subnet or IP available")
	}
	taken := p.takenAddresses(n.ID, self)
	var ip netip.Addr
	if req.IP != nil && *req.IP != "" {
		a, ok := parseIPv4(*req.IP)
		if !ok {
			return ServerPrivateNet{}, InvalidField("ip", "Not a valid IPv4 address.")
		}
		if req.IPRange != nil && *req.IPRange != "" && !candidates[0].Contains(a) {
			return ServerPrivateNet{}, InvalidField("ip", fmt.Sprintf("ip %s is not part of ip_range %s", a, candidates[0]))
		}
		i := slices.IndexFunc(candidates, func(c netip.Prefix) bool { return c.Contains(a) })
		if i < 0 {
			return ServerPrivateNet{}, Errorf("no_subnet_available", "no subnet for %s in network zone %s", a, zone)
		}
		if reserved(gateways(n), candidates[i], a) || taken[a] {
			return ServerPrivateNet{}, Errorf("ip_not_available", "ip %s is not available", a)
		}
		ip = a
	} else {
		var ok bool
		if ip, ok = freeAddress(n, candidates, taken); !ok {
			return ServerPrivateNet{}, Errorf("no_subnet_available", "no subnet or IP available")
		}
	}
	taken[ip] = true
	aliases, err := checkAliasIPs(n, zone, req.AliasIPs, taken)
	if err != nil {
		return ServerPrivateNet{}, err
	}
	return ServerPrivateNet{Network: n.ID, IP: ip.String(), AliasIPs: aliases}, nil
}

// freeAddress is the lowest free address of the first subnet with one. Automatic addresses
// start at the subnet's third address (the live API hands out 10.0.1.2 first in 10.0.1.0/24).
func freeAddress(n Network, subnets []netip.Prefix, taken map[netip.Addr]bool) (netip.Addr, bool) {
	for _, sub := range subnets {
		last, gws := lastAddr(sub), gateways(n)
		for a := sub.Addr().Next().Next(); a.IsValid() && a.Less(last); a = a.Next() {
			if !taken[a] && !gws[a] {
				return a, true
			}
		}
	}
	return netip.Addr{}, false
}

// checkAliasIPs validates alias addresses against the network; taken holds the addresses in
// use, including the server's own address. It returns them normalised.
func checkAliasIPs(n Network, zone string, aliases []string, taken map[netip.Addr]bool) ([]string, error) {
	out := make([]string, 0, len(aliases))
	subnets, gws := usableSubnets(n, zone), gateways(n)
	seen := map[netip.Addr]bool{}
	for _, s := range aliases {
		a, ok := parseIPv4(s)
		if !ok {
			return nil, InvalidField("alias_ips", fmt.Sprintf("%q is not a valid IPv4 address", s))
		}
		if seen[a] {
			return nil, InvalidField("alias_ips", fmt.Sprintf("alias ip %s is given twice", a))
		}
		seen[a] = true
		i := slices.IndexFunc(subnets, func(c netip.Prefix) bool { return c.Contains(a) })
		if i < 0 || reserved(gws, subnets[i], a) || taken[a] {
			return nil, Errorf("ip_not_available", "alias ip %s is not available", a)
		}
		out = append(out, a.String())
	}
	return out, nil
}

// checkOverlap answers networks_overlap when the network overlaps one of the networks the
// attachments are in.
func (p *Project) checkOverlap(n Network, attached []ServerPrivateNet) error {
	nr := mustPrefix(n.IPRange)
	for _, pn := range attached {
		if other, ok := p.networks.items[pn.Network]; ok && mustPrefix(other.IPRange).Overlaps(nr) {
			return Errorf("networks_overlap", "network %d overlaps network %d the server is attached to", n.ID, pn.Network)
		}
	}
	return nil
}

// newMAC hands out a MAC address never handed out before on this fake (86:00:00:xx:xx:xx, the
// prefix of the live API's private interfaces).
func (p *Project) newMAC() string {
	n := p.store.nextID("mac")
	return fmt.Sprintf("86:00:00:%02x:%02x:%02x", byte(n>>16), byte(n>>8), byte(n))
}

// planCreateAttachments checks the networks of POST /servers for a server of the zone and
// returns its attachments (without MAC addresses: those are handed out once all is checked).
func (p *Project) planCreateAttachments(ids []int64, zone string) ([]ServerPrivateNet, error) {
	out := []ServerPrivateNet{}
	for _, id := range ids {
		if attachmentIndex(out, id) >= 0 {
			return nil, InvalidField("networks", fmt.Sprintf("network %d is given twice", id))
		}
		n, ok := p.networks.get(id)
		if !ok {
			return nil, InvalidField("networks", fmt.Sprintf("network %d not found", id))
		}
		if err := p.checkNetworkIdle(id); err != nil {
			return nil, err
		}
		if err := p.checkOverlap(n.Network, out); err != nil {
			return nil, err
		}
		pn, err := p.planAttachment(n.Network, zone, 0, AttachToNetwork{Network: id})
		if err != nil {
			return nil, err
		}
		out = append(out, pn)
	}
	return out, nil
}
