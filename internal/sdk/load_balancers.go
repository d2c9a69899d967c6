package sdk

import (
	"context"
	"iter"
	"net/http"
	"time"
)

// LoadBalancer spreads traffic of its services over its targets.
type LoadBalancer struct {
	ID               int64                    `json:"id"`
	Name             string                   `json:"name"`
	PublicNet        LoadBalancerPublicNet    `json:"public_net"`
	PrivateNet       []LoadBalancerPrivateNet `json:"private_net"` // at most one network
	Location         Location                 `json:"location"`
	LoadBalancerType LoadBalancerType         `json:"load_balancer_type"`
	Protection       Protection               `json:"protection"`
	Labels           map[string]string        `json:"labels"`
	Created          time.Time                `json:"created"`
	Services         []LoadBalancerService    `json:"services"`
	Targets          []LoadBalancerTarget     `json:"targets"`
	Algorithm        LoadBalancerAlgorithm    `json:"algorithm"`
	IncludedTraffic  int64                    `json:"included_traffic"` // bytes
	OutgoingTraffic  *int64                   `json:"outgoing_traffic"`
	IngoingTraffic   *int64                   `json:"ingoing_traffic"`
}

// LoadBalancerPublicNet is the public interface: reachable on its addresses when Enabled.
type LoadBalancerPublicNet struct {
	Enabled bool                `json:"enabled"`
	IPv4    LoadBalancerAddress `json:"ipv4"`
	IPv6    LoadBalancerAddress `json:"ipv6"`
}

// LoadBalancerAddress is a public address; PrimaryIP is the id of the Primary IP behind it, nil
// for an address the API manages.
type LoadBalancerAddress struct {
	PrimaryIP *int64 `json:"id"`
	IP        string `json:"ip"`
	Blocked   bool   `json:"blocked"`
	DNSPtr    string `json:"dns_ptr"` // "" when unset
}

// LoadBalancerPrivateNet is the load balancer's address in a network.
type LoadBalancerPrivateNet struct {
	Network int64  `json:"network"`
	IP      string `json:"ip"`
}

// LoadBalancerAlgorithmType picks the target of a new connection.
type LoadBalancerAlgorithmType string

// Algorithms.
const (
	AlgorithmRoundRobin       LoadBalancerAlgorithmType = "round_robin"
	AlgorithmLeastConnections LoadBalancerAlgorithmType = "least_connections"
)

// LoadBalancerAlgorithm is the load balancer's algorithm.
type LoadBalancerAlgorithm struct {
	Type LoadBalancerAlgorithmType `json:"type"`
}

// LoadBalancerProtocol is the protocol of a service or health check.
type LoadBalancerProtocol string

// Protocols (health checks use tcp or http).
const (
	ProtocolTCP   LoadBalancerProtocol = "tcp"
	ProtocolHTTP  LoadBalancerProtocol = "http"
	ProtocolHTTPS LoadBalancerProtocol = "https"
)

// LoadBalancerService forwards ListenPort to DestinationPort on the targets. HTTP is nil for tcp
// services.
type LoadBalancerService struct {
	Protocol        LoadBalancerProtocol    `json:"protocol"`
	ListenPort      int                     `json:"listen_port"`
	DestinationPort int                     `json:"destination_port"`
	Proxyprotocol   bool                    `json:"proxyprotocol"`
	HTTP            *LoadBalancerHTTP       `json:"http"`
	HealthCheck     LoadBalancerHealthCheck `json:"health_check"`
}

// LoadBalancerHTTP are the options of http and https services; durations are in seconds.
type LoadBalancerHTTP struct {
	CookieName     string  `json:"cookie_name"`
	CookieLifetime int     `json:"cookie_lifetime"`
	Certificates   []int64 `json:"certificates"` // ids, for https
	RedirectHTTP   bool    `json:"redirect_http"`
	StickySessions bool    `json:"sticky_sessions"`
	TimeoutIdle    int     `json:"timeout_idle"`
}

// LoadBalancerHealthCheck checks each target for a service; durations are in seconds. HTTP is
// nil for tcp checks.
type LoadBalancerHealthCheck struct {
	Protocol LoadBalancerProtocol         `json:"protocol"`
	Port     int                          `json:"port"`
	Interval int                          `json:"interval"`
	Timeout  int                          `json:"timeout"`
	Retries  int                          `json:"retries"`
	HTTP     *LoadBalancerHealthCheckHTTP `json:"http"`
}

// LoadBalancerHealthCheckHTTP are the options of an http health check.
type LoadBalancerHealthCheckHTTP struct {
	Domain      *string  `json:"domain"`
	Path        string   `json:"path"`
	Response    string   `json:"response"`
	StatusCodes []string `json:"status_codes"` // "2??", "302", …
	TLS         bool     `json:"tls"`
}

// LoadBalancerTargetType says what a target names.
type LoadBalancerTargetType string

// Target types.
const (
	TargetServer        LoadBalancerTargetType = "server"
	TargetLabelSelector LoadBalancerTargetType = "label_selector"
	TargetIP            LoadBalancerTargetType = "ip"
)

// LoadBalancerTarget is a server, the servers a label selector matches (in Targets), or an
// IP. HealthStatus has one entry per service.
type LoadBalancerTarget struct {
	Type          LoadBalancerTargetType     `json:"type"`
	Server        *LoadBalancerTargetServer  `json:"server,omitempty"`
	LabelSelector *LoadBalancerTargetLabels  `json:"label_selector,omitempty"`
	IP            *LoadBalancerTargetIP      `json:"ip,omitempty"`
	UsePrivateIP  bool                       `json:"use_private_ip"`
	HealthStatus  []LoadBalancerTargetHealth `json:"health_status,omitempty"`
	Targets       []LoadBalancerTarget       `json:"targets,omitempty"`
}

// LoadBalancerTargetServer names a server target.
type LoadBalancerTargetServer struct {
	ID int64 `json:"id"`
}

// LoadBalancerTargetLabels names a label selector target.
type LoadBalancerTargetLabels struct {
	Selector string `json:"selector"`
}

// LoadBalancerTargetIP names an IP target.
type LoadBalancerTargetIP struct {
	IP string `json:"ip"`
}

// LoadBalancerTargetHealth is a target's health for the service on ListenPort; Detail (and
// HTTPStatusCode) say why an unhealthy one failed.
type LoadBalancerTargetHealth struct {
	ListenPort     int     `json:"listen_port"`
	Status         string  `json:"status"` // healthy, unhealthy, unknown
	Detail         *string `json:"detail,omitempty"`
	HTTPStatusCode *int    `json:"http_status_code,omitempty"`
}

// ServerTarget is a target for a server, over the network when private.
func ServerTarget(id int64, private bool) LoadBalancerTarget {
	return LoadBalancerTarget{Type: TargetServer, Server: &LoadBalancerTargetServer{ID: id}, UsePrivateIP: private}
}

// SelectorTarget is a target for the servers a label selector matches (see Selector).
func SelectorTarget(selector string, private bool) LoadBalancerTarget {
	return LoadBalancerTarget{Type: TargetLabelSelector, LabelSelector: &LoadBalancerTargetLabels{Selector: selector}, UsePrivateIP: private}
}

// IPTarget is a target for an IP outside Hetzner Cloud.
func IPTarget(ip string) LoadBalancerTarget {
	return LoadBalancerTarget{Type: TargetIP, IP: &LoadBalancerTargetIP{IP: ip}}
}

// removeTargetBody is the target as remove_target takes it (without use_private_ip).
func removeTargetBody(t LoadBalancerTarget) map[string]any {
	body := map[string]any{"type": t.Type}
	switch {
	case t.Server != nil:
		body["server"] = t.Server
	case t.LabelSelector != nil:
		body["label_selector"] = t.LabelSelector
	case t.IP != nil:
		body["ip"] = t.IP
	}
	return body
}

// LoadBalancerServiceOpts is a service to add (in Create or AddService) or the changes to one
// (UpdateService). Nil fields take the API's defaults when adding (listen port 80 or 443,
// destination port 80, a health check on the destination port) and stay as they are when
// updating.
type LoadBalancerServiceOpts struct {
	Protocol        LoadBalancerProtocol         `json:"protocol,omitempty"`
	ListenPort      *int                         `json:"listen_port,omitempty"`
	DestinationPort *int                         `json:"destination_port,omitempty"`
	Proxyprotocol   *bool                        `json:"proxyprotocol,omitempty"`
	HTTP            *LoadBalancerHTTPOpts        `json:"http,omitempty"`
	HealthCheck     *LoadBalancerHealthCheckOpts `json:"health_check,omitempty"`
}

// LoadBalancerHTTPOpts are http options to set; durations are in seconds.
type LoadBalancerHTTPOpts struct {
	CookieName     *string  `json:"cookie_name,omitempty"`
	CookieLifetime *int     `json:"cookie_lifetime,omitempty"`
	Certificates   *[]int64 `json:"certificates,omitempty"`
	RedirectHTTP   *bool    `json:"redirect_http,omitempty"`
	StickySessions *bool    `json:"sticky_sessions,omitempty"`
	TimeoutIdle    *int     `json:"timeout_idle,omitempty"` // 30 to 300
}

// LoadBalancerHealthCheckOpts is a health check to set; durations are in seconds.
type LoadBalancerHealthCheckOpts struct {
	Protocol LoadBalancerProtocol             `json:"protocol,omitempty"`
	Port     *int                             `json:"port,omitempty"`
	Interval *int                             `json:"interval,omitempty"`
	Timeout  *int                             `json:"timeout,omitempty"`
	Retries  *int                             `json:"retries,omitempty"`
	HTTP     *LoadBalancerHealthCheckHTTPOpts `json:"http,omitempty"`
}

// LoadBalancerHealthCheckHTTPOpts are http health check options to set.
type LoadBalancerHealthCheckHTTPOpts struct {
	Domain      *string   `json:"domain,omitempty"`
	Path        *string   `json:"path,omitempty"`
	Response    *string   `json:"response,omitempty"`
	StatusCodes *[]string `json:"status_codes,omitempty"`
	TLS         *bool     `json:"tls,omitempty"`
}

// LoadBalancerCreateOpts is the body of POST /load_balancers. Give Location or NetworkZone.
type LoadBalancerCreateOpts struct {
	Name             string                       `json:"name"`
	LoadBalancerType string                       `json:"load_balancer_type"` // name or id
	Location         string                       `json:"location,omitempty"`
	NetworkZone      string                       `json:"network_zone,omitempty"`
	Algorithm        *LoadBalancerAlgorithm       `json:"algorithm,omitempty"` // nil: round_robin
	Labels           map[string]string            `json:"labels,omitempty"`
	Network          int64                        `json:"network,omitempty"` // attach to it at once
	PublicInterface  *bool                        `json:"public_interface,omitempty"`
	PublicNet        *LoadBalancerCreatePublicNet `json:"public_net,omitempty"`
	Services         []LoadBalancerServiceOpts    `json:"services,omitempty"`
	Targets          []LoadBalancerTarget         `json:"targets,omitempty"` // ServerTarget, SelectorTarget, IPTarget
}

// LoadBalancerCreatePublicNet names existing Primary IPs to use (0: an address of the API's).
type LoadBalancerCreatePublicNet struct {
	IPv4 int64 `json:"ipv4,omitempty"`
	IPv6 int64 `json:"ipv6,omitempty"`
}

// LoadBalancerCreateResult is the answer of POST /load_balancers.
type LoadBalancerCreateResult struct {
	LoadBalancer LoadBalancer `json:"load_balancer"`
	Action       Action       `json:"action"` // create_load_balancer
}

// LoadBalancerListOpts filters GET /load_balancers.
type LoadBalancerListOpts struct {
	Name          string
	LabelSelector string   // see Selector
	Sort          []string // id, name, created, with :asc or :desc
	Page, PerPage int
}

func (o LoadBalancerListOpts) values() query {
	return query{}.str("name", o.Name).str("label_selector", o.LabelSelector).strs("sort", o.Sort).page(o.Page, o.PerPage)
}

// LoadBalancerUpdateOpts changes a load balancer; see SSHKeyUpdateOpts for Name and Labels.
type LoadBalancerUpdateOpts struct {
	Name   string
	Labels map[string]string
}

// LoadBalancerMetricType names a group of load balancer time series.
type LoadBalancerMetricType string

// Load balancer metric types; bandwidth has the series bandwidth.in and bandwidth.out.
const (
	MetricOpenConnections      LoadBalancerMetricType = "open_connections"
	MetricConnectionsPerSecond LoadBalancerMetricType = "connections_per_second"
	MetricRequestsPerSecond    LoadBalancerMetricType = "requests_per_second"
	MetricBandwidth            LoadBalancerMetricType = "bandwidth"
)

// LoadBalancerMetricsOpts chooses the metrics and the time range.
type LoadBalancerMetricsOpts struct {
	Types      []LoadBalancerMetricType
	Start, End time.Time
	Step       int // seconds between samples; 0: the API picks
}

// LoadBalancerMetrics are time series by name (open_connections, bandwidth.in, …), in the shape
// of server metrics.
type LoadBalancerMetrics = ServerMetrics

// LoadBalancerClient manages load balancers. Every change but protection and reverse DNS runs
// as an action; while one runs, the load balancer answers further changes with ErrLocked.
type LoadBalancerClient struct{ c *Client }

func loadBalancerPath(id int64) string { return idPath("/load_balancers", id) }

// Get returns one load balancer.
func (l LoadBalancerClient) Get(ctx context.Context, id int64) (LoadBalancer, error) {
	return getOne[LoadBalancer](ctx, l.c, loadBalancerPath(id), "load_balancer")
}

// List returns one page of load balancers.
func (l LoadBalancerClient) List(ctx context.Context, opts LoadBalancerListOpts) ([]LoadBalancer, Pagination, error) {
	return listPage[LoadBalancer](ctx, l.c, "/load_balancers", "load_balancers", opts.values().values())
}

// All iterates every load balancer.
func (l LoadBalancerClient) All(ctx context.Context, opts LoadBalancerListOpts) iter.Seq2[LoadBalancer, error] {
	return listAll[LoadBalancer](ctx, l.c, "/load_balancers", "load_balancers", opts.values().values())
}

// Create creates a load balancer; it is ready when the action is done.
func (l LoadBalancerClient) Create(ctx context.Context, opts LoadBalancerCreateOpts) (LoadBalancerCreateResult, error) {
	var res LoadBalancerCreateResult
	err := l.c.sendJSON(ctx, http.MethodPost, "/load_balancers", opts, &res)
	return res, err
}

// Update renames a load balancer or replaces its labels.
func (l LoadBalancerClient) Update(ctx context.Context, id int64, opts LoadBalancerUpdateOpts) (LoadBalancer, error) {
	var res struct {
		LoadBalancer LoadBalancer `json:"load_balancer"`
	}
	err := l.c.sendJSON(ctx, http.MethodPut, loadBalancerPath(id), updateBody(opts.Name, opts.Labels), &res)
	return res.LoadBalancer, err
}

// Delete deletes a load balancer; it is gone when the action (delete_load_balancer) is done. A
// delete-protected one is ErrProtected.
func (l LoadBalancerClient) Delete(ctx context.Context, id int64) (Action, error) {
	return l.c.actionOf(ctx, http.MethodDelete, loadBalancerPath(id), nil)
}

func (l LoadBalancerClient) action(ctx context.Context, id int64, name string, body any) (Action, error) {
	return l.c.actionOf(ctx, http.MethodPost, loadBalancerPath(id)+"/actions/"+name, body)
}

// AddService adds a service on a free listen port.
func (l LoadBalancerClient) AddService(ctx context.Context, id int64, opts LoadBalancerServiceOpts) (Action, error) {
	return l.action(ctx, id, "add_service", opts)
}

// UpdateService changes the service on listenPort (opts.ListenPort is ignored).
func (l LoadBalancerClient) UpdateService(ctx context.Context, id int64, listenPort int, opts LoadBalancerServiceOpts) (Action, error) {
	opts.ListenPort = &listenPort
	return l.action(ctx, id, "update_service", opts)
}

// DeleteService deletes the service on listenPort.
func (l LoadBalancerClient) DeleteService(ctx context.Context, id int64, listenPort int) (Action, error) {
	return l.action(ctx, id, "delete_service", map[string]int{"listen_port": listenPort})
}

// AddTarget adds a target (ServerTarget, SelectorTarget, IPTarget).
func (l LoadBalancerClient) AddTarget(ctx context.Context, id int64, target LoadBalancerTarget) (Action, error) {
	target.HealthStatus, target.Targets = nil, nil
	return l.action(ctx, id, "add_target", target)
}

// RemoveTarget removes the target naming the same server, selector or IP.
func (l LoadBalancerClient) RemoveTarget(ctx context.Context, id int64, target LoadBalancerTarget) (Action, error) {
	return l.action(ctx, id, "remove_target", removeTargetBody(target))
}

// AttachToNetwork attaches the load balancer to a network of its zone, at ip ("": the first
// free address).
func (l LoadBalancerClient) AttachToNetwork(ctx context.Context, id, network int64, ip string) (Action, error) {
	body := map[string]any{"network": network}
	if ip != "" {
		body["ip"] = ip
	}
	return l.action(ctx, id, "attach_to_network", body)
}

// DetachFromNetwork detaches the load balancer from its network.
func (l LoadBalancerClient) DetachFromNetwork(ctx context.Context, id, network int64) (Action, error) {
	return l.action(ctx, id, "detach_from_network", map[string]int64{"network": network})
}

// ChangeAlgorithm sets the algorithm.
func (l LoadBalancerClient) ChangeAlgorithm(ctx context.Context, id int64, algorithm LoadBalancerAlgorithmType) (Action, error) {
	return l.action(ctx, id, "change_algorithm", LoadBalancerAlgorithm{Type: algorithm})
}

// ChangeType moves the load balancer to another type (name or id) whose limits fit.
func (l LoadBalancerClient) ChangeType(ctx context.Context, id int64, loadBalancerType string) (Action, error) {
	return l.action(ctx, id, "change_type", map[string]string{"load_balancer_type": loadBalancerType})
}

// ChangeDNSPtr sets the reverse DNS of one of its public addresses; nil resets it.
func (l LoadBalancerClient) ChangeDNSPtr(ctx context.Context, id int64, ip string, ptr *string) (Action, error) {
	return l.action(ctx, id, "change_dns_ptr", map[string]any{"ip": ip, "dns_ptr": ptr})
}

// ChangeProtection sets delete protection.
func (l LoadBalancerClient) ChangeProtection(ctx context.Context, id int64, deleteProtected bool) (Action, error) {
	return l.action(ctx, id, "change_protection", map[string]bool{"delete": deleteProtected})
}

// EnablePublicInterface makes the load balancer reachable on its public addresses.
func (l LoadBalancerClient) EnablePublicInterface(ctx context.Context, id int64) (Action, error) {
	return l.action(ctx, id, "enable_public_interface", nil)
}

// DisablePublicInterface makes it reachable only through its network; every target must use
// its private IP.
func (l LoadBalancerClient) DisablePublicInterface(ctx context.Context, id int64) (Action, error) {
	return l.action(ctx, id, "disable_public_interface", nil)
}

// ListActions returns one page of the load balancer's actions.
func (l LoadBalancerClient) ListActions(ctx context.Context, id int64, opts ActionListOpts) ([]Action, Pagination, error) {
	return listPage[Action](ctx, l.c, loadBalancerPath(id)+"/actions", "actions", opts.values().values())
}

// Metrics returns the load balancer's metrics.
func (l LoadBalancerClient) Metrics(ctx context.Context, id int64, opts LoadBalancerMetricsOpts) (LoadBalancerMetrics, error) {
	types := make([]string, len(opts.Types))
	for i, t := range opts.Types {
		types[i] = string(t)
	}
	return l.c.metrics(ctx, loadBalancerPath(id)+"/metrics", types, opts.Start, opts.End, opts.Step)
}
