package store

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

// Server statuses.
const (
	ServerStatusInitializing = "initializing"
	ServerStatusStarting     = "starting"
	ServerStatusRunning      = "running"
	ServerStatusStopping     = "stopping"
	ServerStatusOff          = "off"
	ServerStatusDeleting     = "deleting"
	ServerStatusRebuilding   = "rebuilding"
	ServerStatusMigrating    = "migrating"
)

// Server is a server as the API shows it. The public IPs and the placement group are views of
// other resources (primary IPs, placement groups) and are filled in when a server is handed out.
type Server struct {
	ID              int64              `json:"id"`
	Name            string             `json:"name"`
	Status          string             `json:"status"`
	Created         time.Time          `json:"created"`
	PublicNet       ServerPublicNet    `json:"public_net"`
	PrivateNet      []ServerPrivateNet `json:"private_net"`
	ServerType      catalog.ServerType `json:"server_type"`
	Location        catalog.Location   `json:"location"`
	Image           *Image             `json:"image"`
	ISO             *catalog.ISO       `json:"iso"`
	RescueEnabled   bool               `json:"rescue_enabled"`
	Locked          bool               `json:"locked"`
	BackupWindow    *string            `json:"backup_window"`
	OutgoingTraffic *int64             `json:"outgoing_traffic"`
	IngoingTraffic  *int64             `json:"ingoing_traffic"`
	IncludedTraffic *int64             `json:"included_traffic"`
	Protection      ServerProtection   `json:"protection"`
	Labels          map[string]string  `json:"labels"`
	Volumes         []int64            `json:"volumes"`
	LoadBalancers   []int64            `json:"load_balancers"`
	PrimaryDiskSize int                `json:"primary_disk_size"`
	PlacementGroup  *PlacementGroup    `json:"placement_group"`
}

// ServerPublicNet is server.public_net.
type ServerPublicNet struct {
	IPv4        *ServerIPv4      `json:"ipv4"`
	IPv6        *ServerIPv6      `json:"ipv6"`
	FloatingIPs []int64          `json:"floating_ips"`
	Firewalls   []ServerFirewall `json:"firewalls"`
}

// ServerIPv4 is public_net.ipv4: the server's IPv4 primary IP.
type ServerIPv4 struct {
	ID      int64  `json:"id"`
	IP      string `json:"ip"`
	Blocked bool   `json:"blocked"`
	DNSPtr  string `json:"dns_ptr"`
}

// ServerIPv6 is public_net.ipv6: the server's IPv6 primary IP (a /64).
type ServerIPv6 struct {
	ID      int64    `json:"id"`
	IP      string   `json:"ip"`
	Blocked bool     `json:"blocked"`
	DNSPtr  []DNSPtr `json:"dns_ptr"`
}

// ServerFirewall is an entry of public_net.firewalls.
type ServerFirewall struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
}

// ServerPrivateNet is an entry of private_net: the server's address in a network.
type ServerPrivateNet struct {
	Network    int64    `json:"network"`
	IP         string   `json:"ip"`
	AliasIPs   []string `json:"alias_ips"`
	MACAddress string   `json:"mac_address"`
}

// ServerProtection is server.protection.
type ServerProtection struct {
	Delete  bool `json:"delete"`
	Rebuild bool `json:"rebuild"`
}

// serverState is a stored server plus what the API never shows (user data, the SSH keys it was
// created with). The snapshot stores this shape.
type serverState struct {
	Server
	UserData string  `json:"user_data,omitempty"`
	SSHKeys  []int64 `json:"ssh_keys,omitempty"`
}

func (s serverState) entityID() int64 { return s.ID }

func (s serverState) clone() serverState {
	s.Server = s.Server.clone()
	s.SSHKeys = slices.Clone(s.SSHKeys)
	return s
}

func (s Server) clone() Server {
	s.Labels = copyLabels(s.Labels)
	s.Volumes = nonNil(slices.Clone(s.Volumes))
	s.LoadBalancers = nonNil(slices.Clone(s.LoadBalancers))
	s.PrivateNet = slices.Clone(s.PrivateNet)
	if s.PrivateNet == nil {
		s.PrivateNet = []ServerPrivateNet{}
	}
	for i, pn := range s.PrivateNet {
		s.PrivateNet[i].AliasIPs = nonNil(slices.Clone(pn.AliasIPs))
	}
	s.PublicNet.FloatingIPs = nonNil(slices.Clone(s.PublicNet.FloatingIPs))
	s.PublicNet.Firewalls = nonNil(slices.Clone(s.PublicNet.Firewalls))
	if s.PublicNet.IPv4 != nil {
		v := *s.PublicNet.IPv4
		s.PublicNet.IPv4 = &v
	}
	if s.PublicNet.IPv6 != nil {
		v := *s.PublicNet.IPv6
		v.DNSPtr = nonNil(slices.Clone(v.DNSPtr))
		s.PublicNet.IPv6 = &v
	}
	if s.Image != nil {
		img := *s.Image
		img.Labels = copyLabels(img.Labels)
		s.Image = &img
	}
	if s.ISO != nil {
		iso := *s.ISO
		s.ISO = &iso
	}
	if s.BackupWindow != nil {
		w := *s.BackupWindow
		s.BackupWindow = &w
	}
	for _, p := range []**int64{&s.OutgoingTraffic, &s.IngoingTraffic, &s.IncludedTraffic} {
		if *p != nil {
			v := **p
			*p = &v
		}
	}
	if s.PlacementGroup != nil {
		pg := s.PlacementGroup.clone()
		s.PlacementGroup = &pg
	}
	return s
}

// nonNil makes nil slices encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// IDOrName is a request field naming a resource by id or name. Clients send it as a JSON
// number (an id) or a string (a numeric string is an id too).
type IDOrName string

// UnmarshalJSON accepts a number or a string.
func (v *IDOrName) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = IDOrName(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: nil}
	}
	if _, err := n.Int64(); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: nil}
	}
	*v = IDOrName(n.String())
	return nil
}

// id returns the id this names, if it is numeric.
func (v IDOrName) id() (int64, bool) {
	id, err := strconv.ParseInt(string(v), 10, 64)
	return id, err == nil && id > 0
}

// CreateServerPublicNet is public_net of POST /servers.
type CreateServerPublicNet struct {
	EnableIPv4 *bool  `json:"enable_ipv4"`
	EnableIPv6 *bool  `json:"enable_ipv6"`
	IPv4       *int64 `json:"ipv4"`
	IPv6       *int64 `json:"ipv6"`
}

// CreateServerFirewall is an entry of firewalls in POST /servers.
type CreateServerFirewall struct {
	Firewall int64 `json:"firewall"`
}

// CreateServer is the body of POST /servers. `datacenter` is not a field: it left the API on
// 2026-07-01, so a request naming it is refused as an unknown field.
type CreateServer struct {
	Name             string                 `json:"name"`
	ServerType       IDOrName               `json:"server_type"`
	Image            IDOrName               `json:"image"`
	Location         IDOrName               `json:"location"`
	SSHKeys          []IDOrName             `json:"ssh_keys"`
	UserData         string                 `json:"user_data"`
	StartAfterCreate *bool                  `json:"start_after_create"`
	Labels           map[string]string      `json:"labels"`
	Automount        *bool                  `json:"automount"`
	Volumes          []int64                `json:"volumes"`
	Networks         []int64                `json:"networks"`
	Firewalls        []CreateServerFirewall `json:"firewalls"`
	PlacementGroup   *int64                 `json:"placement_group"`
	PublicNet        *CreateServerPublicNet `json:"public_net"`
}

// CreateServerResult is the answer of POST /servers.
type CreateServerResult struct {
	Server       Server   `json:"server"`
	Action       Action   `json:"action"`
	NextActions  []Action `json:"next_actions"`
	RootPassword *string  `json:"root_password"`
}

// UpdateServer is the body of PUT /servers/{id}; nil fields stay as they are.
type UpdateServer struct {
	Name   *string            `json:"name"`
	Labels *map[string]string `json:"labels"`
}

// ServerFilter narrows GET /servers.
type ServerFilter struct {
	Name     string
	Statuses []string
}

var serverSorter = Sorter[serverState]{
	"name":    byString(func(s serverState) string { return s.Name }),
	"created": func(a, b serverState) int { return a.Created.Compare(b.Created) },
}

// MaxUserDataBytes is the API's limit on user_data (32 KiB).
const MaxUserDataBytes = 32 * 1024

var hostnameLabelRE = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)

// validHostname checks a server name as an RFC 1123 hostname.
func validHostname(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if !hostnameLabelRE.MatchString(label) {
			return false
		}
	}
	return true
}

func serverRef(id int64) ActionResource { return ActionResource{ID: id, Type: "server"} }

// password returns a random root password.
func password() string { return rand.Text()[:20] }

// serverLocked is the 423 answered while an action runs on the server.
func (p *Project) checkServerUnlocked(id int64) error {
	if p.lockedBy("server", id) {
		return Locked("server")
	}
	return nil
}

// view fills in what a stored server shows of other resources.
func (p *Project) view(s serverState) Server {
	out := s.Server.clone()
	out.PublicNet.IPv4, out.PublicNet.IPv6 = nil, nil
	for _, ip := range p.primaryIPs.values() {
		if ip.AssigneeID == nil || *ip.AssigneeID != s.ID || ip.AssigneeType != AssigneeServer {
			continue
		}
		if ip.Type == IPTypeIPv4 {
			out.PublicNet.IPv4 = &ServerIPv4{ID: ip.ID, IP: ip.IP, Blocked: ip.Blocked, DNSPtr: ptrFor(ip.DNSPtr, ip.IP)}
		} else {
			out.PublicNet.IPv6 = &ServerIPv6{ID: ip.ID, IP: ip.IP, Blocked: ip.Blocked, DNSPtr: nonNil(slices.Clone(ip.DNSPtr))}
		}
	}
	out.Volumes = p.volumesOf(s.ID)
	out.PublicNet.FloatingIPs = p.floatingIPIDsOf(s.ID)
	out.PublicNet.Firewalls = p.serverFirewalls(s)
	out.LoadBalancers = p.serverLoadBalancers(s)
	out.PlacementGroup = nil
	if s.PlacementGroup != nil {
		if pg, ok := p.placementGroups.get(s.PlacementGroup.ID); ok {
			pg = p.placementGroupView(pg)
			out.PlacementGroup = &pg
		}
	}
	return out
}

// resolveServerType finds a server type by id or name.
func (p *Project) resolveServerType(ref IDOrName, field string) (catalog.ServerType, error) {
	st, ok := p.store.catalog.ServerType(string(ref))
	if !ok {
		return st, InvalidField(field, fmt.Sprintf("server type %s not found", ref))
	}
	return st, nil
}

// resolveLocation finds a location by id or name.
func (p *Project) resolveLocation(ref IDOrName, field string) (catalog.Location, error) {
	l, ok := p.store.catalog.Location(string(ref))
	if !ok {
		return l, InvalidField(field, fmt.Sprintf("location %s not found", ref))
	}
	return l, nil
}

// resolveImage finds a system/app image (by id, or by name for the architecture) or one of the
// project's snapshots and backups (by id), and refuses images that cannot be used.
func (p *Project) resolveImage(ref IDOrName, arch, field string) (Image, error) {
	var img Image
	found := false
	if id, ok := ref.id(); ok {
		if ui, ok := p.ownImages.get(id); ok {
			img, found = ui.Image, true
		}
	}
	if !found {
		img, found = p.store.catalog.Image(string(ref), arch)
	}
	if !found {
		return Image{}, InvalidField(field, fmt.Sprintf("image %s not found", ref))
	}
	if img.Architecture != arch {
		return Image{}, InvalidField(field, "image architecture does not match the server type")
	}
	if img.Status != catalog.ImageStatusAvailable {
		return Image{}, InvalidField(field, "image is not available")
	}
	if img.Deprecation != nil {
		if t, err := time.Parse(time.RFC3339, img.Deprecation.UnavailableAfter); err == nil && p.now().After(t) {
			return Image{}, InvalidField(field, "image is deprecated and no longer available")
		}
	}
	img.Labels = copyLabels(img.Labels)
	return img, nil
}

// resolveSSHKeys finds SSH keys by id or name.
func (p *Project) resolveSSHKeys(refs []IDOrName, field string) ([]int64, error) {
	ids := make([]int64, 0, len(refs))
	for _, ref := range refs {
		var k SSHKey
		found := false
		if id, ok := ref.id(); ok {
			k, found = p.sshKeys.get(id)
		}
		if !found {
			k, found = p.sshKeys.byName(string(ref))
		}
		if !found {
			return nil, InvalidField(field, fmt.Sprintf("ssh key %s not found", ref))
		}
		if !slices.Contains(ids, k.ID) {
			ids = append(ids, k.ID)
		}
	}
	return ids, nil
}

// serverTypeOffered checks that a server type can be ordered in a location.
func serverTypeOffered(st catalog.ServerType, loc catalog.Location) error {
	stl, ok := st.Location(loc.Name)
	if !ok || !stl.Available {
		return &Error{Code: CodeInvalidInput, Message: "unsupported location for server type",
			Details: InvalidFields{Fields: []FieldError{{Name: "location", Messages: []string{"unsupported location for server type"}}}}}
	}
	return nil
}

// defaultLocation is the first location where the server type is available.
func (p *Project) defaultLocation(st catalog.ServerType) (catalog.Location, error) {
	for _, l := range p.store.catalog.Locations {
		if stl, ok := st.Location(l.Name); ok && stl.Available {
			return l, nil
		}
	}
	return catalog.Location{}, InvalidField("server_type", "server type is not available in any location")
}

// CreateServer creates a server: checks every reference, creates its primary IPs, and starts
// create_server (and start_server unless start_after_create is false).
func (p *Project) CreateServer(req CreateServer) (CreateServerResult, error) {
	if !validHostname(req.Name) {
		return CreateServerResult{}, InvalidField("name", "Name must be a valid hostname.")
	}
	if len(req.UserData) > MaxUserDataBytes {
		return CreateServerResult{}, InvalidField("user_data", fmt.Sprintf("Longer than maximum length %d.", MaxUserDataBytes))
	}
	if err := ValidateLabels(req.Labels); err != nil {
		return CreateServerResult{}, err
	}
	defer p.lock()()

	st, err := p.resolveServerType(req.ServerType, "server_type")
	if err != nil {
		return CreateServerResult{}, err
	}
	img, err := p.resolveImage(req.Image, st.Architecture, "image")
	if err != nil {
		return CreateServerResult{}, err
	}
	sshKeys, err := p.resolveSSHKeys(req.SSHKeys, "ssh_keys")
	if err != nil {
		return CreateServerResult{}, err
	}
	if req.Automount != nil && *req.Automount && len(req.Volumes) == 0 {
		return CreateServerResult{}, InvalidField("automount", "automount requires volumes")
	}

	// Existing primary IPs fix the location when none is given.
	pn := req.PublicNet
	if pn == nil {
		pn = &CreateServerPublicNet{}
	}
	var existing []PrimaryIP
	for _, want := range []struct {
		id    *int64
		typ   string
		field string
	}{{pn.IPv4, IPTypeIPv4, "public_net.ipv4"}, {pn.IPv6, IPTypeIPv6, "public_net.ipv6"}} {
		if want.id == nil {
			continue
		}
		ip, ok := p.primaryIPs.get(*want.id)
		if !ok {
			return CreateServerResult{}, InvalidField(want.field, fmt.Sprintf("primary ip %d not found", *want.id))
		}
		if ip.Type != want.typ {
			return CreateServerResult{}, Errorf("primary_ip_version_mismatch", "primary ip %d is not of type %s", ip.ID, want.typ)
		}
		if ip.AssigneeID != nil {
			return CreateServerResult{}, Errorf("primary_ip_assigned", "primary ip %d is already assigned", ip.ID)
		}
		if p.lockedBy("primary_ip", ip.ID) {
			return CreateServerResult{}, Locked("primary_ip")
		}
		existing = append(existing, ip)
	}

	var loc catalog.Location
	switch {
	case req.Location != "":
		if loc, err = p.resolveLocation(req.Location, "location"); err != nil {
			return CreateServerResult{}, err
		}
	case len(existing) > 0:
		loc = existing[0].Location
	case len(req.Volumes) > 0 && p.volumeLocation(req.Volumes[0]) != nil:
		loc = *p.volumeLocation(req.Volumes[0])
	default:
		if loc, err = p.defaultLocation(st); err != nil {
			return CreateServerResult{}, err
		}
	}
	if err := serverTypeOffered(st, loc); err != nil {
		return CreateServerResult{}, err
	}
	for _, ip := range existing {
		if ip.Location.ID != loc.ID {
			return CreateServerResult{}, Errorf("primary_ip_datacenter_mismatch", "primary ip %d is in another location", ip.ID)
		}
	}
	privateNet, err := p.planCreateAttachments(req.Networks, loc.NetworkZone)
	if err != nil {
		return CreateServerResult{}, err
	}
	vols, err := p.planCreateVolumes(req.Volumes, loc)
	if err != nil {
		return CreateServerResult{}, err
	}
	firewalls, err := p.planServerFirewalls(req.Firewalls, req.Labels, pn.hasPublicInterface())
	if err != nil {
		return CreateServerResult{}, err
	}

	var pg *PlacementGroup
	if req.PlacementGroup != nil {
		g, ok := p.placementGroups.get(*req.PlacementGroup)
		if !ok {
			return CreateServerResult{}, InvalidField("placement_group", fmt.Sprintf("placement group %d not found", *req.PlacementGroup))
		}
		if len(p.placementGroupMembers(g.ID)) >= MaxServersPerPlacementGroup {
			return CreateServerResult{}, Errorf("placement_error", "placement group %d is full (%d servers)", g.ID, MaxServersPerPlacementGroup)
		}
		pg = &g
	}

	if _, dup := p.servers.byName(req.Name); dup {
		return CreateServerResult{}, Uniqueness("name", "server name is already used")
	}
	if err := p.checkLimit("servers", p.servers.len()); err != nil {
		return CreateServerResult{}, err
	}
	newIPs := 0
	for _, want := range []struct {
		id     *int64
		enable *bool
	}{{pn.IPv4, pn.EnableIPv4}, {pn.IPv6, pn.EnableIPv6}} {
		if want.id == nil && (want.enable == nil || *want.enable) {
			newIPs++
		}
	}
	if newIPs > 0 {
		if err := p.checkLimit("primary_ips", p.primaryIPs.len()+newIPs-1); err != nil {
			return CreateServerResult{}, err
		}
	}

	// Everything is checked: from here on the request succeeds.
	id := p.store.nextID("server")
	for i := range privateNet {
		privateNet[i].MACAddress = p.newMAC()
	}
	var included *int64
	if price, ok := st.Price(loc.Name); ok {
		included = &price.IncludedTraffic
	}
	zero := func() *int64 { v := int64(0); return &v }
	s := serverState{
		Server: Server{
			ID: id, Name: req.Name, Status: ServerStatusInitializing, Created: p.now(),
			PublicNet:       ServerPublicNet{FloatingIPs: []int64{}, Firewalls: []ServerFirewall{}},
			PrivateNet:      privateNet,
			ServerType:      st,
			Location:        loc,
			Image:           &img,
			OutgoingTraffic: zero(), IngoingTraffic: zero(), IncludedTraffic: included,
			Labels:          copyLabels(req.Labels),
			Volumes:         []int64{},
			LoadBalancers:   []int64{},
			PrimaryDiskSize: st.Disk,
			PlacementGroup:  pg,
		},
		UserData: req.UserData,
		SSHKeys:  sshKeys,
	}
	p.servers.put(s)
	p.attachAtCreate(vols, id)
	for _, ip := range existing {
		ip.AssigneeID, ip.AssigneeType = &id, AssigneeServer
		p.primaryIPs.put(ip)
	}
	if pn.IPv4 == nil && (pn.EnableIPv4 == nil || *pn.EnableIPv4) {
		p.newPrimaryIP(IPTypeIPv4, loc, &id, true)
	}
	if pn.IPv6 == nil && (pn.EnableIPv6 == nil || *pn.EnableIPv6) {
		p.newPrimaryIP(IPTypeIPv6, loc, &id, true)
	}

	res := CreateServerResult{Action: p.startAction("create_server", serverRef(id)), NextActions: []Action{}}
	if req.StartAfterCreate == nil || *req.StartAfterCreate {
		res.NextActions = append(res.NextActions, p.startAction("start_server", serverRef(id)))
	}
	res.NextActions = append(res.NextActions, p.applyServerFirewalls(id, firewalls)...)
	if len(sshKeys) == 0 {
		pw := password()
		res.RootPassword = &pw
	}
	stored, _ := p.servers.get(id)
	res.Server = p.view(stored)
	return res, nil
}

// GetServer returns one server.
func (p *Project) GetServer(id int64) (Server, error) {
	defer p.lock()()
	s, ok := p.servers.get(id)
	if !ok {
		return Server{}, NotFound("server")
	}
	return p.view(s), nil
}

// ListServers lists servers with the name and status filters.
func (p *Project) ListServers(f ServerFilter, opts ListOptions) (Page[Server], error) {
	defer p.lock()()
	pg, err := page(&p.servers, opts, func(s serverState) bool {
		return (f.Name == "" || s.Name == f.Name) && (len(f.Statuses) == 0 || slices.Contains(f.Statuses, s.Status))
	}, func(s serverState) map[string]string { return s.Labels }, serverSorter)
	if err != nil {
		return Page[Server]{}, err
	}
	return mapPage(pg, func(s serverState) Server { return p.view(s) }), nil
}

// UpdateServer renames a server or replaces its labels.
func (p *Project) UpdateServer(id int64, req UpdateServer) (Server, error) {
	if req.Name != nil && !validHostname(*req.Name) {
		return Server{}, InvalidField("name", "Name must be a valid hostname.")
	}
	if req.Labels != nil {
		if err := ValidateLabels(*req.Labels); err != nil {
			return Server{}, err
		}
	}
	defer p.lock()()
	s, ok := p.servers.get(id)
	if !ok {
		return Server{}, NotFound("server")
	}
	if err := renameAndRelabel(&p.servers, req.Name, req.Labels, &s.Name, &s.Labels, "server name is already used"); err != nil {
		return Server{}, err
	}
	p.servers.put(s)
	return p.view(s), nil
}

// DeleteServer starts delete_server. The server is gone when the action finishes; then its
// auto-delete primary IPs and its backups go with it and other primary IPs are unassigned.
func (p *Project) DeleteServer(id int64) (Action, error) {
	defer p.lock()()
	s, ok := p.servers.get(id)
	if !ok {
		return Action{}, NotFound("server")
	}
	if s.Protection.Delete {
		return Action{}, Errorf(CodeProtected, "server deletion is protected")
	}
	if err := p.checkServerUnlocked(id); err != nil {
		return Action{}, err
	}
	s.Status = ServerStatusDeleting
	p.servers.put(s)
	return p.startAction("delete_server", serverRef(id)), nil
}

// removeServer drops a server and what depends on it (called when delete_server finishes).
func (p *Project) removeServer(id int64) {
	for _, ip := range p.primaryIPs.values() {
		if ip.AssigneeID == nil || *ip.AssigneeID != id || ip.AssigneeType != AssigneeServer {
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
	p.detachVolumesOf(id)
	p.unassignFloatingIPsOf(id)
	p.forgetFirewallServer(id)
	p.removeServerTargets(id)
	p.deleteBackups(id)
	p.servers.remove(id)
}

// hasRunning reports whether an action with this command runs on the server.
func (p *Project) hasRunning(command string, serverID int64) bool {
	for aid := range p.running {
		a := p.actions.items[aid]
		if a.Command == command && len(a.Resources) > 0 && a.Resources[0].Type == "server" && a.Resources[0].ID == serverID {
			return true
		}
	}
	return false
}

// serverActionDone applies what a server action changes when it succeeds.
func serverActionDone(p *Project, a Action) {
	id := a.Resources[0].ID
	s, ok := p.servers.get(id)
	if !ok {
		return
	}
	networkActionOnServerDone(&s, a)
	if a.Status != ActionStatusSuccess {
		// A failed action leaves the server as it was before the action began.
		switch a.Command {
		case "create_server":
			s.Status = ServerStatusOff
		case "start_server":
			s.Status = ServerStatusOff
		case "stop_server", "shutdown_server", "delete_server", "rebuild_server", "change_server_type":
			s.Status = ServerStatusRunning
		}
		if a.Command == "create_image" && len(a.Resources) > 1 {
			p.ownImages.remove(a.Resources[1].ID)
		}
		p.servers.put(s)
		return
	}
	switch a.Command {
	case "create_server":
		s.Status = ServerStatusOff
		if p.hasRunning("start_server", id) {
			s.Status = ServerStatusStarting
		}
	case "start_server", "reboot_server", "reset_server", "rebuild_server", "change_server_type":
		s.Status = ServerStatusRunning
	case "stop_server", "shutdown_server":
		s.Status = ServerStatusOff
	case "delete_server":
		p.removeServer(id)
		return
	case "create_image":
		if len(a.Resources) > 1 {
			p.imageCreated(a.Resources[1].ID)
		}
	}
	p.servers.put(s)
}

func init() { actionEffects["server"] = serverActionDone }
