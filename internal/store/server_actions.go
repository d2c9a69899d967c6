package store

import (
	"crypto/rand"
	"fmt"
	"net/netip"
	"slices"

	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

// runServerAction is the common path of the server actions: the server must exist and have no
// running action; change may check preconditions and change the stored server; the action runs
// under command, with further resources after the server.
func (p *Project) runServerAction(id int64, command string, change func(s *serverState) error,
	more ...ActionResource) (Action, serverState, error) {
	s, ok := p.servers.get(id)
	if !ok {
		return Action{}, s, NotFound("server")
	}
	if err := p.checkServerUnlocked(id); err != nil {
		return Action{}, s, err
	}
	if change != nil {
		if err := change(&s); err != nil {
			return Action{}, s, err
		}
	}
	p.servers.put(s)
	return p.startAction(command, append([]ActionResource{serverRef(id)}, more...)...), s, nil
}

func (p *Project) serverAction(id int64, command string, change func(s *serverState) error) (Action, error) {
	defer p.lock()()
	a, _, err := p.runServerAction(id, command, change)
	return a, err
}

func serverNotStopped() error {
	return Errorf("server_not_stopped", "server must be powered off for this operation")
}

// PowerOnServer starts start_server; powering on a running server succeeds too.
func (p *Project) PowerOnServer(id int64) (Action, error) {
	return p.serverAction(id, "start_server", func(s *serverState) error {
		if s.Status != ServerStatusRunning {
			s.Status = ServerStatusStarting
		}
		return nil
	})
}

// PowerOffServer starts stop_server (a hard power off).
func (p *Project) PowerOffServer(id int64) (Action, error) {
	return p.serverAction(id, "stop_server", func(s *serverState) error {
		if s.Status != ServerStatusOff {
			s.Status = ServerStatusStopping
		}
		return nil
	})
}

// ShutdownServer starts shutdown_server (ACPI); the server ends off.
func (p *Project) ShutdownServer(id int64) (Action, error) {
	return p.serverAction(id, "shutdown_server", func(s *serverState) error {
		if s.Status != ServerStatusOff {
			s.Status = ServerStatusStopping
		}
		return nil
	})
}

// RebootServer starts reboot_server.
func (p *Project) RebootServer(id int64) (Action, error) {
	return p.serverAction(id, "reboot_server", nil)
}

// ResetServer starts reset_server.
func (p *Project) ResetServer(id int64) (Action, error) {
	return p.serverAction(id, "reset_server", nil)
}

// RebuildServer is the body of the rebuild action.
type RebuildServer struct {
	Image    IDOrName `json:"image"`
	UserData *string  `json:"user_data"`
}

// RebuildResult is the answer of rebuild: root_password is null for servers with SSH keys.
type RebuildResult struct {
	Action       Action  `json:"action"`
	RootPassword *string `json:"root_password"`
}

// RebuildServer overwrites the server's disk with an image.
func (p *Project) RebuildServer(id int64, req RebuildServer) (RebuildResult, error) {
	if req.UserData != nil && len(*req.UserData) > MaxUserDataBytes {
		return RebuildResult{}, InvalidField("user_data", fmt.Sprintf("Longer than maximum length %d.", MaxUserDataBytes))
	}
	defer p.lock()()
	a, s, err := p.runServerAction(id, "rebuild_server", func(s *serverState) error {
		if s.Protection.Rebuild {
			return Errorf(CodeProtected, "server rebuild is protected")
		}
		img, err := p.resolveImage(req.Image, s.ServerType.Architecture, "image")
		if err != nil {
			return err
		}
		s.Image = &img
		if req.UserData != nil {
			s.UserData = *req.UserData
		}
		s.Status = ServerStatusRebuilding
		return nil
	})
	if err != nil {
		return RebuildResult{}, err
	}
	res := RebuildResult{Action: a}
	if len(s.SSHKeys) == 0 {
		pw := password()
		res.RootPassword = &pw
	}
	return res, nil
}

// ChangeServerType is the body of change_type.
type ChangeServerType struct {
	ServerType  IDOrName `json:"server_type"`
	UpgradeDisk bool     `json:"upgrade_disk"`
}

// ChangeServerType migrates an off server to another type; it runs again afterwards.
func (p *Project) ChangeServerType(id int64, req ChangeServerType) (Action, error) {
	return p.serverAction(id, "change_server_type", func(s *serverState) error {
		st, err := p.resolveServerType(req.ServerType, "server_type")
		if err != nil {
			return err
		}
		if s.Status != ServerStatusOff {
			return serverNotStopped()
		}
		invalid := func(why string) error { return Errorf("invalid_server_type", "%s", why) }
		switch {
		case st.ID == s.ServerType.ID:
			return invalid("the server already has this server type")
		case st.Architecture != s.ServerType.Architecture:
			return invalid("the server type has another architecture")
		case st.StorageType != s.ServerType.StorageType:
			return invalid("the server type has another storage type")
		case st.Disk < s.PrimaryDiskSize:
			return invalid("the server type's disk is smaller than the server's disk")
		}
		if stl, ok := st.Location(s.Location.Name); !ok || !stl.Available {
			return invalid("the server type is not available in the server's location")
		}
		s.ServerType = st
		if req.UpgradeDisk {
			s.PrimaryDiskSize = st.Disk
		}
		if price, ok := st.Price(s.Location.Name); ok {
			v := price.IncludedTraffic
			s.IncludedTraffic = &v
		}
		s.Status = ServerStatusMigrating
		return nil
	})
}

// EnableRescue is the body of enable_rescue.
type EnableRescue struct {
	Type    *string `json:"type"`
	SSHKeys []int64 `json:"ssh_keys"`
}

// PasswordResult is an action answer with a new root password.
type PasswordResult struct {
	Action       Action `json:"action"`
	RootPassword string `json:"root_password"`
}

// EnableRescue enables the rescue system for the next boot.
func (p *Project) EnableRescue(id int64, req EnableRescue) (PasswordResult, error) {
	if req.Type != nil && *req.Type != "linux64" {
		return PasswordResult{}, InvalidField("type", "Not a valid choice.")
	}
	defer p.lock()()
	a, _, err := p.runServerAction(id, "enable_rescue", func(s *serverState) error {
		for _, k := range req.SSHKeys {
			if !p.sshKeys.has(k) {
				return InvalidField("ssh_keys", fmt.Sprintf("ssh key %d not found", k))
			}
		}
		s.RescueEnabled = true
		return nil
	})
	if err != nil {
		return PasswordResult{}, err
	}
	return PasswordResult{Action: a, RootPassword: password()}, nil
}

// DisableRescue disables the rescue system.
func (p *Project) DisableRescue(id int64) (Action, error) {
	return p.serverAction(id, "disable_rescue", func(s *serverState) error {
		s.RescueEnabled = false
		return nil
	})
}

// DefaultBackupWindow is the window the API picks when backups are enabled.
const DefaultBackupWindow = "22-02"

// EnableBackup turns on daily backups.
func (p *Project) EnableBackup(id int64) (Action, error) {
	return p.serverAction(id, "enable_backup", func(s *serverState) error {
		w := DefaultBackupWindow
		s.BackupWindow = &w
		return nil
	})
}

// DisableBackup turns backups off and deletes the server's backup images.
func (p *Project) DisableBackup(id int64) (Action, error) {
	return p.serverAction(id, "disable_backup", func(s *serverState) error {
		s.BackupWindow = nil
		p.deleteBackups(s.ID)
		return nil
	})
}

// ResetPassword sets a new root password; the server must be running.
func (p *Project) ResetPassword(id int64) (PasswordResult, error) {
	defer p.lock()()
	a, _, err := p.runServerAction(id, "reset_password", func(s *serverState) error {
		if s.Status != ServerStatusRunning {
			return Errorf("server_not_running", "server must be running to reset its password")
		}
		return nil
	})
	if err != nil {
		return PasswordResult{}, err
	}
	return PasswordResult{Action: a, RootPassword: password()}, nil
}

// ConsoleResult is the answer of request_console.
type ConsoleResult struct {
	Action   Action `json:"action"`
	WSSURL   string `json:"wss_url"`
	Password string `json:"password"`
}

// RequestConsole hands out a VNC-over-websocket URL and its password.
func (p *Project) RequestConsole(id int64) (ConsoleResult, error) {
	defer p.lock()()
	a, _, err := p.runServerAction(id, "request_console", nil)
	if err != nil {
		return ConsoleResult{}, err
	}
	return ConsoleResult{Action: a, Password: password(),
		WSSURL: fmt.Sprintf("wss://console.hetzner.cloud/?server_id=%d&token=%s", id, uuid())}, nil
}

func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// AttachISO is the body of attach_iso.
type AttachISO struct {
	ISO IDOrName `json:"iso"`
}

// AttachISO inserts an ISO, replacing any attached one.
func (p *Project) AttachISO(id int64, req AttachISO) (Action, error) {
	return p.serverAction(id, "attach_iso", func(s *serverState) error {
		iso, ok := p.store.catalog.ISO(string(req.ISO))
		if !ok {
			return InvalidField("iso", fmt.Sprintf("iso %s not found", req.ISO))
		}
		if iso.Architecture != nil && *iso.Architecture != s.ServerType.Architecture {
			return InvalidField("iso", "iso architecture does not match the server type")
		}
		s.ISO = &iso
		return nil
	})
}

// DetachISO ejects the ISO; with none attached the action is finished at once.
func (p *Project) DetachISO(id int64) (Action, error) {
	defer p.lock()()
	s, ok := p.servers.get(id)
	if !ok {
		return Action{}, NotFound("server")
	}
	if s.ISO == nil {
		return p.finishedAction("detach_iso", serverRef(id)), nil
	}
	a, _, err := p.runServerAction(id, "detach_iso", func(s *serverState) error {
		s.ISO = nil
		return nil
	})
	return a, err
}

// ChangeServerProtection is the body of change_protection.
type ChangeServerProtection struct {
	Delete  *bool `json:"delete"`
	Rebuild *bool `json:"rebuild"`
}

// ChangeServerProtection sets delete and rebuild protection; both must be equal (the API
// protects a server against both or neither).
func (p *Project) ChangeServerProtection(id int64, req ChangeServerProtection) (Action, error) {
	defer p.lock()()
	s, ok := p.servers.get(id)
	if !ok {
		return Action{}, NotFound("server")
	}
	next := s.Protection
	if req.Delete != nil {
		next.Delete = *req.Delete
	}
	if req.Rebuild != nil {
		next.Rebuild = *req.Rebuild
	}
	if next.Delete != next.Rebuild {
		return Action{}, InvalidField("rebuild", "delete and rebuild protection must be set to the same value")
	}
	s.Protection = next
	p.servers.put(s)
	return p.finishedAction("change_protection", serverRef(id)), nil
}

// ChangeDNSPtr is the body of change_dns_ptr (servers and primary IPs): dns_ptr null resets it.
type ChangeDNSPtr struct {
	IP     string  `json:"ip"`
	DNSPtr *string `json:"dns_ptr"`
}

// ChangeServerDNSPtr sets the reverse DNS of one of the server's public addresses.
func (p *Project) ChangeServerDNSPtr(id int64, req ChangeDNSPtr) (Action, error) {
	defer p.lock()()
	if !p.servers.has(id) {
		return Action{}, NotFound("server")
	}
	for _, ip := range p.primaryIPs.values() {
		if ip.AssigneeID == nil || *ip.AssigneeID != id || ip.AssigneeType != AssigneeServer {
			continue
		}
		if ok, err := ip.holds(req.IP); err != nil {
			return Action{}, err
		} else if ok {
			ip = ip.clone()
			if err := ip.setDNSPtr(req.IP, req.DNSPtr); err != nil {
				return Action{}, err
			}
			p.primaryIPs.put(ip)
			return p.finishedAction("change_dns_ptr", serverRef(id)), nil
		}
	}
	return Action{}, InvalidField("ip", fmt.Sprintf("ip %s is not an address of this server", req.IP))
}

// AddToPlacementGroup is the body of add_to_placement_group.
type AddToPlacementGroup struct {
	PlacementGroup int64 `json:"placement_group"`
}

// AddToPlacementGroup puts an off server into a placement group.
func (p *Project) AddToPlacementGroup(id int64, req AddToPlacementGroup) (Action, error) {
	defer p.lock()()
	a, _, err := p.runServerAction(id, "add_to_placement_group", func(s *serverState) error {
		pg, ok := p.placementGroups.get(req.PlacementGroup)
		if !ok {
			return NotFound("placement_group")
		}
		if s.Status != ServerStatusOff {
			return serverNotStopped()
		}
		if s.PlacementGroup != nil {
			if s.PlacementGroup.ID == pg.ID {
				return Errorf("server_already_added", "server is already in this placement group")
			}
			return Errorf("server_already_added", "server is already in placement group %d", s.PlacementGroup.ID)
		}
		if len(p.placementGroupMembers(pg.ID)) >= MaxServersPerPlacementGroup {
			return Errorf("placement_error", "placement group %d is full (%d servers)", pg.ID, MaxServersPerPlacementGroup)
		}
		s.PlacementGroup = &pg
		return nil
	}, ActionResource{ID: req.PlacementGroup, Type: "placement_group"})
	return a, err
}

// RemoveFromPlacementGroup takes a server out of its placement group.
func (p *Project) RemoveFromPlacementGroup(id int64) (Action, error) {
	defer p.lock()()
	s, ok := p.servers.get(id)
	if !ok {
		return Action{}, NotFound("server")
	}
	var more []ActionResource
	if s.PlacementGroup != nil {
		more = append(more, ActionResource{ID: s.PlacementGroup.ID, Type: "placement_group"})
	}
	a, _, err := p.runServerAction(id, "remove_from_placement_group", func(s *serverState) error {
		if s.PlacementGroup == nil {
			return InvalidField("placement_group", "server is not in a placement group")
		}
		s.PlacementGroup = nil
		return nil
	}, more...)
	return a, err
}

// CreateImageFromServer is the body of create_image.
type CreateImageFromServer struct {
	Type        *string           `json:"type"`
	Description *string           `json:"description"`
	Labels      map[string]string `json:"labels"`
}

// CreateImageResult is the answer of create_image.
type CreateImageResult struct {
	Action Action `json:"action"`
	Image  Image  `json:"image"`
}

// CreateImage copies the server's disk into a snapshot or backup image, which is creating
// until the action finishes.
func (p *Project) CreateImage(id int64, req CreateImageFromServer) (CreateImageResult, error) {
	typ := catalog.ImageTypeSnapshot
	if req.Type != nil {
		typ = *req.Type
	}
	if typ != catalog.ImageTypeSnapshot && typ != catalog.ImageTypeBackup {
		return CreateImageResult{}, InvalidField("type", "Not a valid choice.")
	}
	if err := ValidateLabels(req.Labels); err != nil {
		return CreateImageResult{}, err
	}
	defer p.lock()()
	s, ok := p.servers.get(id)
	if !ok {
		return CreateImageResult{}, NotFound("server")
	}
	if typ == catalog.ImageTypeBackup && s.BackupWindow == nil {
		return CreateImageResult{}, InvalidField("type", "backups are not enabled for this server")
	}
	if err := p.checkServerUnlocked(id); err != nil {
		return CreateImageResult{}, err
	}
	if err := p.checkLimit("images", p.ownImages.len()); err != nil {
		return CreateImageResult{}, err
	}
	img := p.newImage(s.Server, typ, req.Description, req.Labels)
	a, _, err := p.runServerAction(id, "create_image", nil, ActionResource{ID: img.ID, Type: "image"})
	if err != nil {
		return CreateImageResult{}, err
	}
	return CreateImageResult{Action: a, Image: img}, nil
}

// AttachToNetwork is the body of attach_to_network.
type AttachToNetwork struct {
	Network  int64    `json:"network"`
	IP       *string  `json:"ip"`
	AliasIPs []string `json:"alias_ips"`
	IPRange  *string  `json:"ip_range"`
}

// DetachFromNetwork is the body of detach_from_network.
type DetachFromNetwork struct {
	Network int64 `json:"network"`
}

// ChangeAliasIPs is the body of change_alias_ips.
type ChangeAliasIPs struct {
	Network  int64    `json:"network"`
	AliasIPs []string `json:"alias_ips"`
}

// networkForServer finds the network a server action names, idle.
func (p *Project) networkForServer(id int64) (networkState, error) {
	n, ok := p.networks.get(id)
	if !ok {
		return n, NotFound("network")
	}
	return n, p.checkNetworkIdle(id)
}

// AttachServerToNetwork attaches a server (action attach_to_network on [server, network]).
// The attachment shows at once with member status attaching; a failed action removes it.
func (p *Project) AttachServerToNetwork(id int64, req AttachToNetwork) (Action, error) {
	defer p.lock()()
	a, _, err := p.runServerAction(id, "attach_to_network", func(s *serverState) error {
		n, err := p.networkForServer(req.Network)
		if err != nil {
			return err
		}
		if attachmentIndex(s.PrivateNet, n.ID) >= 0 {
			return Errorf("server_already_attached", "server %d is already attached to network %d", s.ID, n.ID)
		}
		if err := p.checkOverlap(n.Network, s.PrivateNet); err != nil {
			return err
		}
		pn, err := p.planAttachment(n.Network, s.Location.NetworkZone, s.ID, req)
		if err != nil {
			return err
		}
		pn.MACAddress = p.newMAC()
		s.PrivateNet = append(s.PrivateNet, pn)
		return nil
	}, networkRef(req.Network))
	return a, err
}

// DetachServerFromNetwork detaches a server (action detach_from_network); the attachment goes
// when the action succeeds.
func (p *Project) DetachServerFromNetwork(id int64, req DetachFromNetwork) (Action, error) {
	defer p.lock()()
	a, _, err := p.runServerAction(id, "detach_from_network", func(s *serverState) error {
		n, err := p.networkForServer(req.Network)
		if err != nil {
			return err
		}
		if attachmentIndex(s.PrivateNet, n.ID) < 0 {
			return InvalidField("network", fmt.Sprintf("server %d is not attached to network %d", s.ID, n.ID))
		}
		return nil
	}, networkRef(req.Network))
	return a, err
}

// ChangeAliasIPs replaces a server's alias IPs in a network (action change_alias_ips).
func (p *Project) ChangeAliasIPs(id int64, req ChangeAliasIPs) (Action, error) {
	defer p.lock()()
	a, _, err := p.runServerAction(id, "change_alias_ips", func(s *serverState) error {
		n, err := p.networkForServer(req.Network)
		if err != nil {
			return err
		}
		i := attachmentIndex(s.PrivateNet, n.ID)
		if i < 0 {
			return InvalidField("network", fmt.Sprintf("server %d is not attached to network %d", s.ID, n.ID))
		}
		taken := p.takenAddresses(n.ID, s.ID)
		own, _ := parseIPv4(s.PrivateNet[i].IP)
		taken[own] = true
		aliases, err := checkAliasIPs(n.Network, s.Location.NetworkZone, req.AliasIPs, taken)
		if err != nil {
			return err
		}
		s.PrivateNet[i].AliasIPs = aliases
		return nil
	}, networkRef(req.Network))
	return a, err
}

// networkActionOnServerDone applies the end of a server's network action: a successful detach
// removes the attachment, a failed attach takes it back. (A failed detach or alias change
// leaves the attachment as it is; its member status says error.)
func networkActionOnServerDone(s *serverState, a Action) {
	if len(a.Resources) < 2 || a.Resources[1].Type != "network" {
		return
	}
	success := a.Status == ActionStatusSuccess
	if (a.Command == "detach_from_network" && success) || (a.Command == "attach_to_network" && !success) {
		s.PrivateNet = slices.DeleteFunc(s.PrivateNet, func(pn ServerPrivateNet) bool { return pn.Network == a.Resources[1].ID })
	}
}

// ipInPrefix reports whether addr lies in the /64 written as prefix ("2001:db8:1::/64").
func ipInPrefix(addr, prefix string) (bool, error) {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false, InvalidField("ip", "Not a valid IP address.")
	}
	pf, err := netip.ParsePrefix(prefix)
	if err != nil {
		return false, nil
	}
	return pf.Contains(a), nil
}
