package sdk

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Ptr returns a pointer to v, for the optional fields of request options.
func Ptr[T any](v T) *T { return &v }

// ServerStatus is the state of a server.
type ServerStatus string

// Server statuses.
const (
	ServerStatusInitializing ServerStatus = "initializing"
	ServerStatusStarting     ServerStatus = "starting"
	ServerStatusRunning      ServerStatus = "running"
	ServerStatusStopping     ServerStatus = "stopping"
	ServerStatusOff          ServerStatus = "off"
	ServerStatusDeleting     ServerStatus = "deleting"
	ServerStatusMigrating    ServerStatus = "migrating"
	ServerStatusRebuilding   ServerStatus = "rebuilding"
	ServerStatusUnknown      ServerStatus = "unknown"
)

// Server is a virtual machine.
type Server struct {
	ID              int64              `json:"id"`
	Name            string             `json:"name"`
	Status          ServerStatus       `json:"status"`
	Created         time.Time          `json:"created"`
	PublicNet       ServerPublicNet    `json:"public_net"`
	PrivateNet      []ServerPrivateNet `json:"private_net"`
	ServerType      ServerType         `json:"server_type"`
	Location        Location           `json:"location"`
	Image           *Image             `json:"image"` // nil when the image was deleted
	ISO             *ISO               `json:"iso"`   // nil when none is attached
	RescueEnabled   bool               `json:"rescue_enabled"`
	Locked          bool               `json:"locked"`
	BackupWindow    *string            `json:"backup_window"` // nil while backups are off
	OutgoingTraffic *int64             `json:"outgoing_traffic"`
	IngoingTraffic  *int64             `json:"ingoing_traffic"`
	IncludedTraffic *int64             `json:"included_traffic"`
	Protection      ServerProtection   `json:"protection"`
	Labels          map[string]string  `json:"labels"`
	Volumes         []int64            `json:"volumes"`
	LoadBalancers   []int64            `json:"load_balancers"`
	PrimaryDiskSize int                `json:"primary_disk_size"` // GB
	PlacementGroup  *PlacementGroup    `json:"placement_group"`   // nil when in none
}

// ServerPublicNet is a server's public addresses.
type ServerPublicNet struct {
	IPv4        *ServerPublicIPv4 `json:"ipv4"` // nil without IPv4
	IPv6        *ServerPublicIPv6 `json:"ipv6"` // nil without IPv6
	FloatingIPs []int64           `json:"floating_ips"`
	Firewalls   []ServerFirewall  `json:"firewalls"`
}

// ServerPublicIPv4 is a server's public IPv4 (a Primary IP).
type ServerPublicIPv4 struct {
	ID      int64  `json:"id"` // of the Primary IP
	IP      string `json:"ip"`
	Blocked bool   `json:"blocked"`
	DNSPtr  string `json:"dns_ptr"`
}

// ServerPublicIPv6 is a server's public IPv6 network (a Primary IP).
type ServerPublicIPv6 struct {
	ID      int64    `json:"id"` // of the Primary IP
	IP      string   `json:"ip"` // the /64 network
	Blocked bool     `json:"blocked"`
	DNSPtr  []DNSPtr `json:"dns_ptr"`
}

// DNSPtr is a reverse DNS entry.
type DNSPtr struct {
	IP     string `json:"ip"`
	DNSPtr string `json:"dns_ptr"`
}

// ServerFirewall is a firewall applied to a server.
type ServerFirewall struct {
	ID     int64  `json:"id"`
	Status string `json:"status"` // pending or applied
}

// ServerPrivateNet is a server's attachment to a network.
type ServerPrivateNet struct {
	Network    int64    `json:"network"`
	IP         string   `json:"ip"`
	AliasIPs   []string `json:"alias_ips"`
	MACAddress string   `json:"mac_address"`
}

// ServerProtection says what the server is protected against.
type ServerProtection struct {
	Delete  bool `json:"delete"`
	Rebuild bool `json:"rebuild"`
}

// ServerListOpts filters GET /servers.
type ServerListOpts struct {
	Name          string
	Statuses      []ServerStatus
	LabelSelector string   // see Selector
	Sort          []string // id, name, created, with :asc or :desc
	Page, PerPage int
}

func (o ServerListOpts) values() query {
	q := query{}.str("name", o.Name).str("label_selector", o.LabelSelector).strs("sort", o.Sort).page(o.Page, o.PerPage)
	for _, s := range o.Statuses {
		q.str("status", string(s))
	}
	return q
}

// ServerCreateOpts is the body of POST /servers. ServerType, Image, Location and SSHKeys take
// a name or an id.
type ServerCreateOpts struct {
	Name       string
	ServerType string
	Image      string
	Location   string // "": the API chooses
	SSHKeys    []string
	UserData   string // cloud-init, at most 32 KiB
	Labels     map[string]string
	// StartAfterCreate: nil is the API's default, true.
	StartAfterCreate *bool
	PublicNet        *ServerCreatePublicNet // nil: a new IPv4 and IPv6
	Networks         []int64
	Volumes          []int64
	Firewalls        []int64
	PlacementGroup   int64 // 0: none
	Automount        bool  // mount Volumes (needs Volumes)
}

// ServerCreatePublicNet chooses a new server's public addresses.
type ServerCreatePublicNet struct {
	EnableIPv4, EnableIPv6 bool
	IPv4, IPv6             int64 // an existing Primary IP to use; 0: a new one
}

func (o ServerCreateOpts) MarshalJSON() ([]byte, error) {
	body := map[string]any{"name": o.Name, "server_type": o.ServerType, "image": o.Image}
	if o.Location != "" {
		body["location"] = o.Location
	}
	if len(o.SSHKeys) > 0 {
		body["ssh_keys"] = o.SSHKeys
	}
	if o.UserData != "" {
		body["user_data"] = o.UserData
	}
	if o.Labels != nil {
		body["labels"] = o.Labels
	}
	if o.StartAfterCreate != nil {
		body["start_after_create"] = *o.StartAfterCreate
	}
	if p := o.PublicNet; p != nil {
		pn := map[string]any{"enable_ipv4": p.EnableIPv4, "enable_ipv6": p.EnableIPv6}
		if p.IPv4 != 0 {
			pn["ipv4"] = p.IPv4
		}
		if p.IPv6 != 0 {
			pn["ipv6"] = p.IPv6
		}
		body["public_net"] = pn
	}
	if len(o.Networks) > 0 {
		body["networks"] = o.Networks
	}
	if len(o.Volumes) > 0 {
		body["volumes"] = o.Volumes
	}
	if len(o.Firewalls) > 0 {
		fws := make([]map[string]int64, len(o.Firewalls))
		for i, id := range o.Firewalls {
			fws[i] = map[string]int64{"firewall": id}
		}
		body["firewalls"] = fws
	}
	if o.PlacementGroup != 0 {
		body["placement_group"] = o.PlacementGroup
	}
	if o.Automount {
		body["automount"] = true
	}
	return json.Marshal(body)
}

// ServerCreateResult is the answer of POST /servers. Wait for Action and NextActions before
// relying on the server's final state.
type ServerCreateResult struct {
	Server       Server   `json:"server"`
	Action       Action   `json:"action"`
	NextActions  []Action `json:"next_actions"`
	RootPassword *string  `json:"root_password"` // nil when SSH keys were given
}

// AllActions is Action followed by NextActions, for ActionClient.Wait.
func (r ServerCreateResult) AllActions() []Action {
	return append([]Action{r.Action}, r.NextActions...)
}

// ServerUpdateOpts changes a server. Empty Name keeps the name; nil Labels keeps the labels,
// a non-nil empty map removes them all.
type ServerUpdateOpts struct {
	Name   string
	Labels map[string]string
}

func (o ServerUpdateOpts) MarshalJSON() ([]byte, error) {
	return json.Marshal(updateBody(o.Name, o.Labels))
}

// ServerRebuildOpts is the body of the rebuild action.
type ServerRebuildOpts struct {
	Image    string `json:"image"` // name or id
	UserData string `json:"user_data,omitempty"`
}

// ServerRescueOpts is the body of enable_rescue.
type ServerRescueOpts struct {
	Type    string  `json:"type,omitempty"` // linux64 (the default)
	SSHKeys []int64 `json:"ssh_keys,omitempty"`
}

// ServerCreateImageOpts is the body of create_image.
type ServerCreateImageOpts struct {
	Type        ImageType         `json:"type,omitempty"` // snapshot (the default) or backup
	Description string            `json:"description,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
}

// ServerProtectionOpts changes protection; nil leaves a flag as it is.
type ServerProtectionOpts struct {
	Delete  *bool `json:"delete,omitempty"`
	Rebuild *bool `json:"rebuild,omitempty"`
}

// ActionWithPassword is the answer of actions that set a root password.
type ActionWithPassword struct {
	Action       Action  `json:"action"`
	RootPassword *string `json:"root_password"`
}

// ServerCreateImageResult is the answer of create_image: the image is creating until Action ends.
type ServerCreateImageResult struct {
	Action Action `json:"action"`
	Image  Image  `json:"image"`
}

// ServerConsole is the answer of request_console: a VNC-over-websocket URL valid one minute.
type ServerConsole struct {
	Action   Action `json:"action"`
	WSSURL   string `json:"wss_url"`
	Password string `json:"password"`
}

// ActionListOpts filters the action list of one resource.
type ActionListOpts struct {
	Statuses      []ActionStatus
	Sort          []string // id, command, status, started, finished, with :asc or :desc
	Page, PerPage int
}

func (o ActionListOpts) values() query {
	q := query{}.strs("sort", o.Sort).page(o.Page, o.PerPage)
	for _, s := range o.Statuses {
		q.str("status", string(s))
	}
	return q
}

// ServerClient manages servers.
type ServerClient struct{ c *Client }

func serverPath(id int64) string { return idPath("/servers", id) }

// Get returns one server.
func (s ServerClient) Get(ctx context.Context, id int64) (Server, error) {
	return getOne[Server](ctx, s.c, serverPath(id), "server")
}

// List returns one page of servers.
func (s ServerClient) List(ctx context.Context, opts ServerListOpts) ([]Server, Pagination, error) {
	return listPage[Server](ctx, s.c, "/servers", "servers", opts.values().values())
}

// All iterates every server.
func (s ServerClient) All(ctx context.Context, opts ServerListOpts) iter.Seq2[Server, error] {
	return listAll[Server](ctx, s.c, "/servers", "servers", opts.values().values())
}

// Create creates a server; it is running only once the returned actions have finished.
func (s ServerClient) Create(ctx context.Context, opts ServerCreateOpts) (ServerCreateResult, error) {
	var res ServerCreateResult
	err := s.c.sendJSON(ctx, http.MethodPost, "/servers", opts, &res)
	return res, err
}

// Update renames a server or replaces its labels.
func (s ServerClient) Update(ctx context.Context, id int64, opts ServerUpdateOpts) (Server, error) {
	var res struct {
		Server Server `json:"server"`
	}
	err := s.c.sendJSON(ctx, http.MethodPut, serverPath(id), opts, &res)
	return res.Server, err
}

// Delete deletes a server; the returned action ends when it is gone. A delete-protected
// server is ErrProtected.
func (s ServerClient) Delete(ctx context.Context, id int64) (Action, error) {
	return s.c.actionOf(ctx, http.MethodDelete, serverPath(id), nil)
}

func (s ServerClient) action(ctx context.Context, id int64, name string, body any) (Action, error) {
	return s.c.actionOf(ctx, http.MethodPost, serverPath(id)+"/actions/"+name, body)
}

// PowerOn starts a server (a running one stays running).
func (s ServerClient) PowerOn(ctx context.Context, id int64) (Action, error) {
	return s.action(ctx, id, "poweron", nil)
}

// PowerOff cuts the power, like pulling the plug.
func (s ServerClient) PowerOff(ctx context.Context, id int64) (Action, error) {
	return s.action(ctx, id, "poweroff", nil)
}

// Shutdown asks the operating system to shut down (ACPI).
func (s ServerClient) Shutdown(ctx context.Context, id int64) (Action, error) {
	return s.action(ctx, id, "shutdown", nil)
}

// Reboot asks the operating system to reboot (ACPI).
func (s ServerClient) Reboot(ctx context.Context, id int64) (Action, error) {
	return s.action(ctx, id, "reboot", nil)
}

// Reset cuts the power and starts the server again.
func (s ServerClient) Reset(ctx context.Context, id int64) (Action, error) {
	return s.action(ctx, id, "reset", nil)
}

// Rebuild reinstalls the server from an image, erasing its disk. A rebuild-protected server is
// ErrProtected.
func (s ServerClient) Rebuild(ctx context.Context, id int64, opts ServerRebuildOpts) (ActionWithPassword, error) {
	var res ActionWithPassword
	err := s.c.sendJSON(ctx, http.MethodPost, serverPath(id)+"/actions/rebuild", opts, &res)
	return res, err
}

// EnableRescue boots the server into the rescue system on its next start.
func (s ServerClient) EnableRescue(ctx context.Context, id int64, opts ServerRescueOpts) (ActionWithPassword, error) {
	var res ActionWithPassword
	err := s.c.sendJSON(ctx, http.MethodPost, serverPath(id)+"/actions/enable_rescue", opts, &res)
	return res, err
}

// DisableRescue turns the rescue system off again.
func (s ServerClient) DisableRescue(ctx context.Context, id int64) (Action, error) {
	return s.action(ctx, id, "disable_rescue", nil)
}

// CreateImage takes a snapshot (or backup) of the server's disk.
func (s ServerClient) CreateImage(ctx context.Context, id int64, opts ServerCreateImageOpts) (ServerCreateImageResult, error) {
	var res ServerCreateImageResult
	err := s.c.sendJSON(ctx, http.MethodPost, serverPath(id)+"/actions/create_image", opts, &res)
	return res, err
}

// ChangeProtection sets delete and rebuild protection. The API currently wants both to have
// the same value.
func (s ServerClient) ChangeProtection(ctx context.Context, id int64, opts ServerProtectionOpts) (Action, error) {
	return s.action(ctx, id, "change_protection", opts)
}

// ChangeType moves the server to another server type; it must be off. upgradeDisk grows the
// disk too (then the server cannot go back to a smaller type).
func (s ServerClient) ChangeType(ctx context.Context, id int64, serverType string, upgradeDisk bool) (Action, error) {
	return s.action(ctx, id, "change_type", map[string]any{"server_type": serverType, "upgrade_disk": upgradeDisk})
}

// EnableBackup turns daily backups on.
func (s ServerClient) EnableBackup(ctx context.Context, id int64) (Action, error) {
	return s.action(ctx, id, "enable_backup", nil)
}

// DisableBackup turns backups off and deletes the server's backups.
func (s ServerClient) DisableBackup(ctx context.Context, id int64) (Action, error) {
	return s.action(ctx, id, "disable_backup", nil)
}

// AttachISO inserts an ISO (name or id) into the server's virtual drive.
func (s ServerClient) AttachISO(ctx context.Context, id int64, iso string) (Action, error) {
	return s.action(ctx, id, "attach_iso", map[string]string{"iso": iso})
}

// DetachISO ejects the ISO.
func (s ServerClient) DetachISO(ctx context.Context, id int64) (Action, error) {
	return s.action(ctx, id, "detach_iso", nil)
}

// ChangeDNSPtr sets the reverse DNS entry of one of the server's IPs; nil resets it.
func (s ServerClient) ChangeDNSPtr(ctx context.Context, id int64, ip string, ptr *string) (Action, error) {
	return s.action(ctx, id, "change_dns_ptr", map[string]any{"ip": ip, "dns_ptr": ptr})
}

// RequestConsole returns the credentials of a web console session.
func (s ServerClient) RequestConsole(ctx context.Context, id int64) (ServerConsole, error) {
	var res ServerConsole
	err := s.c.sendJSON(ctx, http.MethodPost, serverPath(id)+"/actions/request_console", nil, &res)
	return res, err
}

// ResetPassword sets a new root password (the server must be running).
func (s ServerClient) ResetPassword(ctx context.Context, id int64) (ActionWithPassword, error) {
	var res ActionWithPassword
	err := s.c.sendJSON(ctx, http.MethodPost, serverPath(id)+"/actions/reset_password", nil, &res)
	return res, err
}

// AddToPlacementGroup puts a stopped server into a placement group.
func (s ServerClient) AddToPlacementGroup(ctx context.Context, id, placementGroup int64) (Action, error) {
	return s.action(ctx, id, "add_to_placement_group", map[string]int64{"placement_group": placementGroup})
}

// RemoveFromPlacementGroup takes the server out of its placement group.
func (s ServerClient) RemoveFromPlacementGroup(ctx context.Context, id int64) (Action, error) {
	return s.action(ctx, id, "remove_from_placement_group", nil)
}

// ServerAttachOpts is the body of attach_to_network. Without IP the API picks a free address,
// from the subnet IPRange when given, else from any subnet of the server's network zone.
type ServerAttachOpts struct {
	Network  int64    `json:"network"`
	IP       string   `json:"ip,omitempty"`
	IPRange  string   `json:"ip_range,omitempty"` // a subnet of the network
	AliasIPs []string `json:"alias_ips,omitempty"`
}

// AttachToNetwork attaches the server to a network. The attachment shows in private_net at
// once; a taken or reserved IP is ip_not_available, a network without a fitting subnet (or
// free address) no_subnet_available.
func (s ServerClient) AttachToNetwork(ctx context.Context, id int64, opts ServerAttachOpts) (Action, error) {
	return s.action(ctx, id, "attach_to_network", opts)
}

// DetachFromNetwork detaches the server from a network; the attachment goes when the action
// has finished.
func (s ServerClient) DetachFromNetwork(ctx context.Context, id, network int64) (Action, error) {
	return s.action(ctx, id, "detach_from_network", map[string]int64{"network": network})
}

// ChangeAliasIPs replaces the server's alias IPs in a network it is attached to; an empty
// list removes them all.
func (s ServerClient) ChangeAliasIPs(ctx context.Context, id, network int64, aliasIPs []string) (Action, error) {
	if aliasIPs == nil {
		aliasIPs = []string{} // the API requires the field
	}
	return s.action(ctx, id, "change_alias_ips", map[string]any{"network": network, "alias_ips": aliasIPs})
}

// ListActions returns one page of the server's actions.
func (s ServerClient) ListActions(ctx context.Context, id int64, opts ActionListOpts) ([]Action, Pagination, error) {
	return listPage[Action](ctx, s.c, serverPath(id)+"/actions", "actions", opts.values().values())
}

// MetricType is a group of server metrics.
type MetricType string

// Server metric groups.
const (
	MetricCPU     MetricType = "cpu"
	MetricDisk    MetricType = "disk"
	MetricNetwork MetricType = "network"
)

// ServerMetricsOpts chooses the metrics and the time range.
type ServerMetricsOpts struct {
	Types      []MetricType
	Start, End time.Time
	Step       int // seconds between samples; 0: the API picks
}

// ServerMetrics are time series by name (cpu, disk.0.iops.read, network.0.bandwidth.in, …).
type ServerMetrics struct {
	Start      time.Time                `json:"start"`
	End        time.Time                `json:"end"`
	Step       float64                  `json:"step"`
	TimeSeries map[string][]MetricValue `json:"-"`
}

// MetricValue is one sample. Value is the decimal string the API sends.
type MetricValue struct {
	Time  time.Time
	Value string
}

// Metrics returns the server's metrics.
func (s ServerClient) Metrics(ctx context.Context, id int64, opts ServerMetricsOpts) (ServerMetrics, error) {
	types := make([]string, len(opts.Types))
	for i, t := range opts.Types {
		types[i] = string(t)
	}
	return s.c.metrics(ctx, serverPath(id)+"/metrics", types, opts.Start, opts.End, opts.Step)
}

// metrics reads the time series of a server or load balancer.
func (c *Client) metrics(ctx context.Context, path string, types []string, start, end time.Time, step int) (ServerMetrics, error) {
	q := url.Values{"start": {start.Format(time.RFC3339)}, "end": {end.Format(time.RFC3339)}, "type": types}
	if step > 0 {
		q.Set("step", strconv.Itoa(step))
	}
	var res struct {
		Metrics struct {
			ServerMetrics
			TimeSeries map[string]struct {
				Values [][2]json.RawMessage `json:"values"`
			} `json:"time_series"`
		} `json:"metrics"`
	}
	if err := c.getJSON(ctx, path, q, &res); err != nil {
		return ServerMetrics{}, err
	}
	out := res.Metrics.ServerMetrics
	out.TimeSeries = map[string][]MetricValue{}
	for name, series := range res.Metrics.TimeSeries {
		values := make([]MetricValue, 0, len(series.Values))
		for _, pair := range series.Values {
			var ts float64
			var v string
			if err := json.Unmarshal(pair[0], &ts); err != nil {
				return ServerMetrics{}, err
			}
			if err := json.Unmarshal(pair[1], &v); err != nil {
				return ServerMetrics{}, err
			}
			sec := int64(ts)
			values = append(values, MetricValue{Time: time.Unix(sec, int64((ts-float64(sec))*1e9)).UTC(), Value: v})
		}
		out.TimeSeries[name] = values
	}
	return out, nil
}
