package store

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// LoadBalancerServiceRequest is a service in POST /load_balancers and the body of add_service
// and update_service (where listen_port names the service). Nil fields take their defaults
// (add) or stay as they are (update).
type LoadBalancerServiceRequest struct {
	Protocol        *string                         `json:"protocol"`
	ListenPort      *int                            `json:"listen_port"`
	DestinationPort *int                            `json:"destination_port"`
	Proxyprotocol   *bool                           `json:"proxyprotocol"`
	HTTP            *LoadBalancerHTTPRequest        `json:"http"`
	HealthCheck     *LoadBalancerHealthCheckRequest `json:"health_check"`
}

// LoadBalancerHTTPRequest is service.http in a request.
type LoadBalancerHTTPRequest struct {
	CookieName     *string  `json:"cookie_name"`
	CookieLifetime *int     `json:"cookie_lifetime"`
	Certificates   *[]int64 `json:"certificates"`
	RedirectHTTP   *bool    `json:"redirect_http"`
	StickySessions *bool    `json:"sticky_sessions"`
	TimeoutIdle    *int     `json:"timeout_idle"`
}

// LoadBalancerHealthCheckRequest is service.health_check in a request.
type LoadBalancerHealthCheckRequest struct {
	Protocol *string                             `json:"protocol"`
	Port     *int                                `json:"port"`
	Interval *int                                `json:"interval"`
	Timeout  *int                                `json:"timeout"`
	Retries  *int                                `json:"retries"`
	HTTP     *LoadBalancerHealthCheckHTTPRequest `json:"http"`
}

// LoadBalancerHealthCheckHTTPRequest is health_check.http in a request.
type LoadBalancerHealthCheckHTTPRequest struct {
	Domain      *string   `json:"domain"`
	Path        *string   `json:"path"`
	Response    *string   `json:"response"`
	StatusCodes *[]string `json:"status_codes"`
	TLS         *bool     `json:"tls"`
}

// Defaults and bounds of services (the bounds are those of Hetzner's own API description).
const (
	DefaultCookieName     = "HCLBSTICKY"
	DefaultCookieLifetime = 300
	DefaultTimeoutIdle    = 50
	defaultCheckInterval  = 15
	defaultCheckTimeout   = 10
	defaultCheckRetries   = 3
)

// DefaultLoadBalancerService is the service the API makes of a request that names only the
// protocol (and perhaps the destination port and health check protocol): listen port 80 (http)
// or 443 (https), destination port 80, and a health check on the destination port. A tcp
// service has no default ports (0 here).
func DefaultLoadBalancerService(protocol string, destinationPort *int, checkProtocol *string) LoadBalancerService {
	s := LoadBalancerService{Protocol: protocol}
	switch protocol {
	case ServiceProtocolHTTP:
		s.ListenPort, s.DestinationPort = 80, 80
	case ServiceProtocolHTTPS:
		s.ListenPort, s.DestinationPort = 443, 80
	}
	if destinationPort != nil {
		s.DestinationPort = *destinationPort
	}
	if protocol != ServiceProtocolTCP {
		s.HTTP = &LoadBalancerHTTP{CookieName: DefaultCookieName, CookieLifetime: DefaultCookieLifetime,
			Certificates: []int64{}, TimeoutIdle: DefaultTimeoutIdle}
	}
	s.HealthCheck = LoadBalancerHealthCheck{Protocol: ServiceProtocolHTTP, Port: s.DestinationPort,
		Interval: defaultCheckInterval, Timeout: defaultCheckTimeout, Retries: defaultCheckRetries}
	if protocol == ServiceProtocolTCP {
		s.HealthCheck.Protocol = ServiceProtocolTCP
	}
	if checkProtocol != nil {
		s.HealthCheck.Protocol = *checkProtocol
	}
	if s.HealthCheck.Protocol == ServiceProtocolHTTP {
		s.HealthCheck.HTTP = defaultCheckHTTP()
	}
	return s
}

func defaultCheckHTTP() *LoadBalancerHealthCheckHTTP {
	return &LoadBalancerHealthCheckHTTP{Path: "/", StatusCodes: []string{"2??", "3??"}}
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func inRange(v, lo, hi int) bool { return v >= lo && v <= hi }

// buildService makes a service of a request: a new one (old nil) from the defaults, or old
// changed by the fields the request has. prefix names the request's fields in errors.
func (p *Project) buildService(old *LoadBalancerService, req LoadBalancerServiceRequest, prefix string) (LoadBalancerService, error) {
	var s LoadBalancerService
	if old != nil {
		s = old.clone()
	} else {
		if req.Protocol == nil {
			return s, InvalidField(prefix+"protocol", "Missing data for required field.")
		}
		var checkProtocol *string
		if req.HealthCheck != nil {
			checkProtocol = req.HealthCheck.Protocol
		}
		s = DefaultLoadBalancerService(*req.Protocol, req.DestinationPort, checkProtocol)
		if *req.Protocol == ServiceProtocolTCP && req.ListenPort == nil {
			return s, InvalidField(prefix+"listen_port", "listen_port is required for tcp services")
		}
		if *req.Protocol == ServiceProtocolTCP && req.DestinationPort == nil {
			return s, InvalidField(prefix+"destination_port", "destination_port is required for tcp services")
		}
	}
	set(&s.Protocol, req.Protocol)
	set(&s.ListenPort, req.ListenPort)
	set(&s.DestinationPort, req.DestinationPort)
	set(&s.Proxyprotocol, req.Proxyprotocol)
	switch s.Protocol {
	case ServiceProtocolTCP, ServiceProtocolHTTP, ServiceProtocolHTTPS:
	default:
		return s, InvalidField(prefix+"protocol", "Not a valid choice.")
	}
	if !inRange(s.ListenPort, 1, 65535) {
		return s, InvalidField(prefix+"listen_port", "Must be between 1 and 65535.")
	}
	if !inRange(s.DestinationPort, 1, 65535) {
		return s, InvalidField(prefix+"destination_port", "Must be between 1 and 65535.")
	}
	if err := p.buildServiceHTTP(&s, req.HTTP, prefix+"http."); err != nil {
		return s, err
	}
	return s, buildHealthCheck(&s.HealthCheck, req.HealthCheck, prefix+"health_check.")
}

// buildServiceHTTP applies and checks the http options: tcp services have none, https
// services need a certificate, redirect_http is for https only.
func (p *Project) buildServiceHTTP(s *LoadBalancerService, req *LoadBalancerHTTPRequest, prefix string) error {
	if s.Protocol == ServiceProtocolTCP {
		if req != nil {
			return InvalidField(strings.TrimSuffix(prefix, "."), "http options are only available for http and https services")
		}
		s.HTTP = nil
		return nil
	}
	if s.HTTP == nil {
		s.HTTP = DefaultLoadBalancerService(s.Protocol, nil, nil).HTTP
	}
	h := s.HTTP
	if req != nil {
		set(&h.CookieName, req.CookieName)
		set(&h.CookieLifetime, req.CookieLifetime)
		set(&h.RedirectHTTP, req.RedirectHTTP)
		set(&h.StickySessions, req.StickySessions)
		set(&h.TimeoutIdle, req.TimeoutIdle)
		if req.Certificates != nil {
			h.Certificates = nonNil(slices.Clone(*req.Certificates))
		}
	}
	switch {
	case len(h.CookieName) < 1 || len(h.CookieName) > 100:
		return InvalidField(prefix+"cookie_name", "Length must be between 1 and 100.")
	case !inRange(h.CookieLifetime, 30, 86400):
		return InvalidField(prefix+"cookie_lifetime", "Must be between 30 and 86400.")
	case !inRange(h.TimeoutIdle, 30, 300):
		return InvalidField(prefix+"timeout_idle", "Must be between 30 and 300.")
	case h.RedirectHTTP && s.Protocol != ServiceProtocolHTTPS:
		return InvalidField(prefix+"redirect_http", "redirect_http is only available for https services")
	case s.Protocol == ServiceProtocolHTTP && len(h.Certificates) > 0:
		return InvalidField(prefix+"certificates", "certificates are only available for https services")
	case s.Protocol == ServiceProtocolHTTPS && len(h.Certificates) == 0:
		return InvalidField(prefix+"certificates", "an https service needs at least one certificate")
	}
	for _, id := range h.Certificates {
		if !p.certificateExists(id) {
			return InvalidField(prefix+"certificates", fmt.Sprintf("certificate %d not found", id))
		}
	}
	slices.Sort(h.Certificates)
	h.Certificates = slices.Compact(h.Certificates)
	return nil
}

// buildHealthCheck applies and checks a health check; an http check gets the default http
// options when it has none.
func buildHealthCheck(hc *LoadBalancerHealthCheck, req *LoadBalancerHealthCheckRequest, prefix string) error {
	if req != nil {
		set(&hc.Protocol, req.Protocol)
		set(&hc.Port, req.Port)
		set(&hc.Interval, req.Interval)
		set(&hc.Timeout, req.Timeout)
		set(&hc.Retries, req.Retries)
	}
	switch hc.Protocol {
	case ServiceProtocolTCP:
		hc.HTTP = nil
	case ServiceProtocolHTTP:
		if hc.HTTP == nil {
			hc.HTTP = defaultCheckHTTP()
		}
		if req != nil && req.HTTP != nil {
			h := hc.HTTP
			if req.HTTP.Domain != nil {
				d := *req.HTTP.Domain
				h.Domain = &d
			}
			set(&h.Path, req.HTTP.Path)
			set(&h.Response, req.HTTP.Response)
			set(&h.TLS, req.HTTP.TLS)
			if req.HTTP.StatusCodes != nil {
				h.StatusCodes = nonNil(slices.Clone(*req.HTTP.StatusCodes))
			}
		}
		h := hc.HTTP
		switch {
		case !strings.HasPrefix(h.Path, "/"):
			return InvalidField(prefix+"http.path", "path must start with /")
		case len(h.StatusCodes) > 20:
			return InvalidField(prefix+"http.status_codes", "at most 20 status codes")
		}
	default:
		return InvalidField(prefix+"protocol", "Not a valid choice.")
	}
	switch {
	case !inRange(hc.Port, 1, 65535):
		return InvalidField(prefix+"port", "Must be between 1 and 65535.")
	case !inRange(hc.Interval, 3, 60):
		return InvalidField(prefix+"interval", "Must be between 3 and 60.")
	case !inRange(hc.Timeout, 1, 60):
		return InvalidField(prefix+"timeout", "Must be between 1 and 60.")
	case !inRange(hc.Retries, 1, 5):
		return InvalidField(prefix+"retries", "Must be between 1 and 5.")
	}
	return nil
}

// addServiceTo adds a built service: its listen port must be free and the type's limits hold.
func (p *Project) addServiceTo(lb *LoadBalancer, s LoadBalancerService) error {
	if slices.ContainsFunc(lb.Services, func(o LoadBalancerService) bool { return o.ListenPort == s.ListenPort }) {
		return Errorf("source_port_already_used", "listen port %d is already used by another service", s.ListenPort)
	}
	if int64(len(lb.Services)) >= lb.LoadBalancerType.MaxServices {
		return InvalidField("services", fmt.Sprintf("load balancer type %s allows at most %d services",
			lb.LoadBalancerType.Name, lb.LoadBalancerType.MaxServices))
	}
	lb.Services = append(lb.Services, s)
	return checkCertificateLimit(*lb)
}

func checkCertificateLimit(lb LoadBalancer) error {
	if n := len(lb.certificates()); int64(n) > lb.LoadBalancerType.MaxAssignedCertificates {
		return InvalidField("http.certificates", fmt.Sprintf("load balancer type %s allows at most %d certificates",
			lb.LoadBalancerType.Name, lb.LoadBalancerType.MaxAssignedCertificates))
	}
	return nil
}

// AddService adds a service (action add_service).
func (p *Project) AddService(id int64, req LoadBalancerServiceRequest) (Action, error) {
	return p.loadBalancerAction(id, "add_service", func(lb *LoadBalancer) error {
		s, err := p.buildService(nil, req, "")
		if err != nil {
			return err
		}
		return p.addServiceTo(lb, s)
	})
}

// serviceIndex finds the service listening on a port.
func serviceIndex(lb *LoadBalancer, listenPort *int) (int, error) {
	if listenPort == nil {
		return -1, InvalidField("listen_port", "Missing data for required field.")
	}
	i := slices.IndexFunc(lb.Services, func(s LoadBalancerService) bool { return s.ListenPort == *listenPort })
	if i < 0 {
		return -1, InvalidField("listen_port", fmt.Sprintf("no service listens on port %d", *listenPort))
	}
	return i, nil
}

// UpdateService changes the service listening on listen_port (action update_service).
func (p *Project) UpdateService(id int64, req LoadBalancerServiceRequest) (Action, error) {
	return p.loadBalancerAction(id, "update_service", func(lb *LoadBalancer) error {
		i, err := serviceIndex(lb, req.ListenPort)
		if err != nil {
			return err
		}
		s, err := p.buildService(&lb.Services[i], req, "")
		if err != nil {
			return err
		}
		lb.Services[i] = s
		return checkCertificateLimit(*lb)
	})
}

// DeleteServiceRequest is the body of delete_service.
type DeleteServiceRequest struct {
	ListenPort *int `json:"listen_port"`
}

// DeleteService deletes the service listening on listen_port (action delete_service).
func (p *Project) DeleteService(id int64, req DeleteServiceRequest) (Action, error) {
	return p.loadBalancerAction(id, "delete_service", func(lb *LoadBalancer) error {
		i, err := serviceIndex(lb, req.ListenPort)
		if err != nil {
			return err
		}
		lb.Services = slices.Delete(lb.Services, i, i+1)
		return nil
	})
}

// LoadBalancerTargetRequest is a target in POST /load_balancers and the body of add_target.
type LoadBalancerTargetRequest struct {
	Type          string                `json:"type"`
	Server        *LoadBalancerTargetID `json:"server"`
	LabelSelector *LoadBalancerSelector `json:"label_selector"`
	IP            *LoadBalancerTargetIP `json:"ip"`
	UsePrivateIP  *bool                 `json:"use_private_ip"`
}

// RemoveTargetRequest is the body of remove_target.
type RemoveTargetRequest struct {
	Type          string                `json:"type"`
	Server        *LoadBalancerTargetID `json:"server"`
	LabelSelector *LoadBalancerSelector `json:"label_selector"`
	IP            *LoadBalancerTargetIP `json:"ip"`
}

// target reads the target a request names (without use_private_ip): the object of its type
// must be there, the others not.
func requestedTarget(typ string, server *LoadBalancerTargetID, sel *LoadBalancerSelector, ip *LoadBalancerTargetIP) (LoadBalancerTarget, error) {
	t := LoadBalancerTarget{Type: typ}
	given := map[string]bool{TargetTypeServer: server != nil, TargetTypeLabelSelector: sel != nil, TargetTypeIP: ip != nil}
	if _, known := given[typ]; !known {
		return t, InvalidField("type", "Not a valid choice.")
	}
	if !given[typ] {
		return t, InvalidField(typ, fmt.Sprintf("%s is required for targets of type %s", typ, typ))
	}
	for other, ok := range given {
		if ok && other != typ {
			return t, InvalidField(other, fmt.Sprintf("%s is not allowed for targets of type %s", other, typ))
		}
	}
	switch typ {
	case TargetTypeServer:
		t.Server = &LoadBalancerTargetID{ID: server.ID}
	case TargetTypeLabelSelector:
		if _, err := ParseSelector(sel.Selector); err != nil || strings.TrimSpace(sel.Selector) == "" {
			return t, InvalidField("label_selector.selector", "Invalid label selector.")
		}
		t.LabelSelector = &LoadBalancerSelector{Selector: sel.Selector}
	case TargetTypeIP:
		a, err := netip.ParseAddr(ip.IP)
		if err != nil || a.Zone() != "" {
			return t, InvalidField("ip.ip", "Not a valid IP address.")
		}
		t.IP = &LoadBalancerTargetIP{IP: a.String()}
	}
	return t, nil
}

// sameTarget reports whether two targets name the same server, selector or IP.
func sameTarget(a, b LoadBalancerTarget) bool {
	if a.Type != b.Type {
		return false
	}
	switch a.Type {
	case TargetTypeServer:
		return a.Server.ID == b.Server.ID
	case TargetTypeLabelSelector:
		return a.LabelSelector.Selector == b.LabelSelector.Selector
	default:
		return a.IP.IP == b.IP.IP
	}
}

// checkTarget checks a new target against the load balancer. creating picks the codes of
// POST /load_balancers for server targets the load balancer cannot reach.
func (p *Project) checkTarget(lb LoadBalancer, req LoadBalancerTargetRequest, creating bool) (LoadBalancerTarget, error) {
	t, err := requestedTarget(req.Type, req.Server, req.LabelSelector, req.IP)
	if err != nil {
		return t, err
	}
	t.UsePrivateIP = req.UsePrivateIP != nil && *req.UsePrivateIP
	if t.Type == TargetTypeIP && t.UsePrivateIP {
		return t, InvalidField("use_private_ip", "use_private_ip is only available for server and label_selector targets")
	}
	var s serverState
	if t.Type == TargetTypeServer {
		var ok bool
		if s, ok = p.servers.get(t.Server.ID); !ok {
			return t, InvalidField("server", fmt.Sprintf("server with ID %d not found", t.Server.ID))
		}
	}
	if t.Type == TargetTypeIP {
		if a := netip.MustParseAddr(t.IP.IP); p.isCloudAddress(a) {
			return t, Errorf("cloud_resource_ip_not_allowed", "ip %s belongs to a Hetzner Cloud resource", a)
		}
	}
	if slices.ContainsFunc(lb.Targets, func(o LoadBalancerTarget) bool { return sameTarget(o, t) }) {
		return t, Errorf("target_already_defined", "target is already defined")
	}
	if int64(len(lb.Targets)) >= lb.LoadBalancerType.MaxTargets {
		return t, InvalidField("type", fmt.Sprintf("load balancer type %s allows at most %d targets",
			lb.LoadBalancerType.Name, lb.LoadBalancerType.MaxTargets))
	}
	if t.UsePrivateIP {
		if len(lb.PrivateNet) == 0 {
			return t, Errorf("load_balancer_not_attached_to_network", "load balancer is not attached to a network")
		}
		if t.Type == TargetTypeServer && !slices.ContainsFunc(lb.PrivateNet, func(pn LoadBalancerPrivateNet) bool {
			return attachmentIndex(s.PrivateNet, pn.Network) >= 0
		}) {
			if creating {
				return t, Errorf("resolve_cloud_private_targets_error", "server %d is not attached to the load balancer's network", s.ID)
			}
			return t, Errorf("server_not_attached_to_network", "server %d is not attached to the load balancer's network", s.ID)
		}
		return t, nil
	}
	if !lb.PublicNet.Enabled {
		return t, Errorf("load_balancer_public_interface_disabled",
			"load balancer public interface is disabled, cannot add target using public IP")
	}
	if t.Type == TargetTypeServer && !p.hasPublicIPv4(s.ID) {
		if creating {
			return t, Errorf("resolve_cloud_public_targets_error", "server %d has no public IPv4 address", s.ID)
		}
		return t, Errorf("missing_ipv4", "server %d has no public IPv4 address", s.ID)
	}
	return t, nil
}

// hasPublicIPv4 reports whether a server has an IPv4 primary IP.
func (p *Project) hasPublicIPv4(serverID int64) bool {
	for _, ip := range p.primaryIPs.items {
		if ip.Type == IPTypeIPv4 && ip.AssigneeType == AssigneeServer && ip.AssigneeID != nil && *ip.AssigneeID == serverID {
			return true
		}
	}
	return false
}

// AddTarget adds a target (action add_target).
func (p *Project) AddTarget(id int64, req LoadBalancerTargetRequest) (Action, error) {
	return p.loadBalancerAction(id, "add_target", func(lb *LoadBalancer) error {
		t, err := p.checkTarget(*lb, req, false)
		if err != nil {
			return err
		}
		lb.Targets = append(lb.Targets, t)
		return nil
	})
}

// RemoveTarget removes a target (action remove_target).
func (p *Project) RemoveTarget(id int64, req RemoveTargetRequest) (Action, error) {
	return p.loadBalancerAction(id, "remove_target", func(lb *LoadBalancer) error {
		t, err := requestedTarget(req.Type, req.Server, req.LabelSelector, req.IP)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(lb.Targets, func(o LoadBalancerTarget) bool { return sameTarget(o, t) })
		if i < 0 {
			return InvalidField(t.Type, "load balancer target not found")
		}
		lb.Targets = slices.Delete(lb.Targets, i, i+1)
		return nil
	})
}

// AttachLoadBalancerToNetwork is the body of attach_to_network.
type AttachLoadBalancerToNetwork struct {
	Network int64   `json:"network"`
	IP      *string `json:"ip"`
	IPRange *string `json:"ip_range"`
}

// AttachLoadBalancerToNetwork attaches a load balancer to a network of its zone (action
// attach_to_network on [load_balancer, network]); a load balancer is in one network at most.
func (p *Project) AttachLoadBalancerToNetwork(id int64, req AttachLoadBalancerToNetwork) (Action, error) {
	return p.loadBalancerAction(id, "attach_to_network", func(lb *LoadBalancer) error {
		n, err := p.networkForServer(req.Network)
		if err != nil {
			return err
		}
		if len(lb.PrivateNet) > 0 {
			return Errorf("load_balancer_already_attached", "load balancer %d is already attached to network %d", lb.ID, lb.PrivateNet[0].Network)
		}
		pn, err := p.planAttachment(n.Network, lb.Location.NetworkZone, 0, AttachToNetwork{Network: n.ID, IP: req.IP, IPRange: req.IPRange})
		if err != nil {
			return err
		}
		lb.PrivateNet = append(lb.PrivateNet, LoadBalancerPrivateNet{Network: n.ID, IP: pn.IP})
		return nil
	}, networkRef(req.Network))
}

// DetachLoadBalancerFromNetwork is the body of detach_from_network.
type DetachLoadBalancerFromNetwork struct {
	Network int64 `json:"network"`
}

// DetachLoadBalancerFromNetwork detaches a load balancer (action detach_from_network); the
// attachment ends when the action succeeds.
func (p *Project) DetachLoadBalancerFromNetwork(id int64, req DetachLoadBalancerFromNetwork) (Action, error) {
	return p.loadBalancerAction(id, "detach_from_network", func(lb *LoadBalancer) error {
		n, err := p.networkForServer(req.Network)
		if err != nil {
			return err
		}
		if lbAttachment(lb.PrivateNet, n.ID) < 0 {
			return InvalidField("network", fmt.Sprintf("load balancer %d is not attached to network %d", lb.ID, n.ID))
		}
		return nil
	}, networkRef(req.Network))
}

// ChangeAlgorithm changes the algorithm (action change_algorithm).
func (p *Project) ChangeAlgorithm(id int64, req LoadBalancerAlgorithm) (Action, error) {
	if err := checkAlgorithm(req, "type"); err != nil {
		return Action{}, err
	}
	return p.loadBalancerAction(id, "change_algorithm", func(lb *LoadBalancer) error {
		lb.Algorithm = req
		return nil
	})
}

// ChangeLoadBalancerType is the body of change_type.
type ChangeLoadBalancerType struct {
	LoadBalancerType IDOrName `json:"load_balancer_type"`
}

// ChangeLoadBalancerType moves a load balancer to another type whose limits fit what it uses
// (action change_load_balancer_type); the same type is accepted.
func (p *Project) ChangeLoadBalancerType(id int64, req ChangeLoadBalancerType) (Action, error) {
	return p.loadBalancerAction(id, "change_load_balancer_type", func(lb *LoadBalancer) error {
		lt, err := p.resolveLoadBalancerType(req.LoadBalancerType, "load_balancer_type")
		if err != nil {
			return err
		}
		invalid := func(what string, used int, limit int64) error {
			return Errorf("invalid_load_balancer_type", "load balancer type %s allows %d %s, the load balancer has %d",
				lt.Name, limit, what, used)
		}
		switch {
		case int64(len(lb.Services)) > lt.MaxServices:
			return invalid("services", len(lb.Services), lt.MaxServices)
		case int64(len(lb.Targets)) > lt.MaxTargets:
			return invalid("targets", len(lb.Targets), lt.MaxTargets)
		case int64(len(lb.certificates())) > lt.MaxAssignedCertificates:
			return invalid("certificates", len(lb.certificates()), lt.MaxAssignedCertificates)
		}
		lb.LoadBalancerType = lt
		lb.IncludedTraffic = includedTraffic(lt, lb.Location)
		return nil
	})
}

// EnablePublicInterface enables the public interface (action enable_public_interface).
func (p *Project) EnablePublicInterface(id int64) (Action, error) {
	return p.loadBalancerAction(id, "enable_public_interface", func(lb *LoadBalancer) error {
		lb.PublicNet.Enabled = true
		return nil
	})
}

// DisablePublicInterface disables the public interface (action disable_public_interface): the
// load balancer must be in a network and reach every target through it.
func (p *Project) DisablePublicInterface(id int64) (Action, error) {
	return p.loadBalancerAction(id, "disable_public_interface", func(lb *LoadBalancer) error {
		if len(lb.PrivateNet) == 0 {
			return Errorf("load_balancer_not_attached_to_network", "load balancer is not attached to a network")
		}
		if slices.ContainsFunc(lb.Targets, func(t LoadBalancerTarget) bool { return !t.UsePrivateIP }) {
			return Errorf("targets_without_use_private_ip", "load balancer has targets that use the public IP")
		}
		lb.PublicNet.Enabled = false
		return nil
	})
}

// ChangeLoadBalancerDNSPtr sets or (dns_ptr null) resets the reverse DNS of one of the load
// balancer's public addresses; the finished action is change_dns_ptr.
func (p *Project) ChangeLoadBalancerDNSPtr(id int64, req ChangeDNSPtr) (Action, error) {
	a, err := netip.ParseAddr(req.IP)
	if err != nil {
		return Action{}, InvalidField("ip", "Not a valid IP address.")
	}
	if req.DNSPtr != nil && strings.TrimSpace(*req.DNSPtr) != "" && !validHostname(*req.DNSPtr) {
		return Action{}, InvalidField("dns_ptr", "Not a valid hostname.")
	}
	defer p.lock()()
	st, ok := p.loadBalancers.get(id)
	if !ok {
		return Action{}, NotFound("load_balancer")
	}
	view := p.loadBalancerView(st)
	for i, addr := range []LoadBalancerAddress{view.PublicNet.IPv4, view.PublicNet.IPv6} {
		if addr.IP == nil || *addr.IP != a.String() {
			continue
		}
		if addr.ID != nil { // the reverse DNS of a primary IP lives with it
			ip, _ := p.primaryIPs.get(*addr.ID)
			if err := ip.setDNSPtr(a.String(), req.DNSPtr); err != nil {
				return Action{}, err
			}
			p.primaryIPs.put(ip)
		} else {
			stored := &st.PublicNet.IPv4
			if i == 1 {
				stored = &st.PublicNet.IPv6
			}
			stored.DNSPtr = nil
			switch {
			case req.DNSPtr != nil && *req.DNSPtr != "":
				v := *req.DNSPtr
				stored.DNSPtr = &v
			case i == 0:
				v := defaultDNSPtr(a.String())
				stored.DNSPtr = &v
			}
			p.loadBalancers.put(st)
		}
		return p.finishedAction("change_dns_ptr", loadBalancerRef(id)), nil
	}
	return Action{}, InvalidField("ip", fmt.Sprintf("ip %s is not an address of load balancer %d", a, id))
}

// ChangeLoadBalancerProtection is the body of change_protection.
type ChangeLoadBalancerProtection struct {
	Delete *bool `json:"delete"`
}

// ChangeLoadBalancerProtection sets delete protection; the action is finished at once.
func (p *Project) ChangeLoadBalancerProtection(id int64, req ChangeLoadBalancerProtection) (Action, error) {
	defer p.lock()()
	lb, ok := p.loadBalancers.get(id)
	if !ok {
		return Action{}, NotFound("load_balancer")
	}
	if req.Delete != nil {
		lb.Protection.Delete = *req.Delete
	}
	p.loadBalancers.put(lb)
	return p.finishedAction("change_protection", loadBalancerRef(id)), nil
}

// loadBalancerMetricSeries are the series of each load balancer metric type and their level.
var loadBalancerMetricSeries = map[string][]metricSeriesSpec{
	"open_connections":       {{"open_connections", 150}},
	"connections_per_second": {{"connections_per_second", 25}},
	"requests_per_second":    {{"requests_per_second", 60}},
	"bandwidth":              {{"bandwidth.in", 80_000}, {"bandwidth.out", 240_000}},
}

// LoadBalancerMetrics returns plausible, deterministic time series for a load balancer, the
// way ServerMetrics does for servers.
func (p *Project) LoadBalancerMetrics(id int64, req MetricsRequest) (Metrics, error) {
	return p.resourceMetrics(id, req, loadBalancerMetricSeries, func() error {
		if !p.loadBalancers.has(id) {
			return NotFound("load_balancer")
		}
		return nil
	})
}
