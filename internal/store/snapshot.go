package store

import (
	"fmt"
	"time"
)

// SnapshotVersion is the version of the snapshot format; Restore refuses other versions.
//
// Format (version 1), as JSON:
//
//	{"version":1, "taken":"<RFC 3339>", "ids":{"<kind>":<last id>, ...},
//	 "projects":{"<project key>":{"ssh_keys":[...], "actions":[...]}, ...}}
//
// Resources appear as the API shows them; actions carry "due" (RFC 3339) while running with a
// due time. Project keys are hashes of tokens, never tokens.
const SnapshotVersion = 1

// Snapshot is the whole state of a store.
type Snapshot struct {
	Version  int                        `json:"version"`
	Taken    time.Time                  `json:"taken"`
	IDs      map[string]int64           `json:"ids"`
	Projects map[string]ProjectSnapshot `json:"projects"`
}

// ProjectSnapshot is one project's state.
type ProjectSnapshot struct {
	SSHKeys []SSHKey      `json:"ssh_keys"`
	Actions []actionState `json:"actions"`

	Servers         []serverState    `json:"servers,omitempty"`
	PrimaryIPs      []PrimaryIP      `json:"primary_ips,omitempty"`
	PlacementGroups []PlacementGroup `json:"placement_groups,omitempty"`
	Images          []userImage      `json:"images,omitempty"`   // snapshots and backups
	Networks        []networkState   `json:"networks,omitempty"` // attachments are in servers' private_net
	Volumes         []volumeState    `json:"volumes,omitempty"`  // attachments are the volumes' server
	Certificates    []Certificate    `json:"certificates,omitempty"`
	Firewalls       []firewallState  `json:"firewalls,omitempty"`

	LoadBalancers []loadBalancerState `json:"load_balancers,omitempty"` // with their network attachments

	FloatingIPs []floatingIPState `json:"floating_ips,omitempty"` // with the server a failing action restores

	Zones     []zoneState        `json:"zones,omitempty"`      // with their rrsets
	LegacyDNS *LegacyDNSSnapshot `json:"legacy_dns,omitempty"` // the legacy DNS API's state
}

// Snapshot copies the whole state. Each project is copied under its own lock.
func (s *Store) Snapshot() Snapshot {
	snap := Snapshot{Version: SnapshotVersion, Taken: s.clock.Now(), Projects: map[string]ProjectSnapshot{}}
	s.idMu.Lock()
	snap.IDs = make(map[string]int64, len(s.ids))
	for k, v := range s.ids {
		snap.IDs[k] = v
	}
	s.idMu.Unlock()
	for _, p := range s.projectList() {
		snap.Projects[p.key] = p.snapshot()
	}
	return snap
}

func (p *Project) snapshot() ProjectSnapshot {
	defer p.lock()()
	return ProjectSnapshot{SSHKeys: p.sshKeys.snapshot(), Actions: p.actions.snapshot(),
		Servers: p.servers.snapshot(), PrimaryIPs: p.primaryIPs.snapshot(), FloatingIPs: p.floatingIPs.snapshot(),
		PlacementGroups: p.placementGroups.snapshot(), Images: p.ownImages.snapshot(), Networks: p.networks.snapshot(),
		Volumes: p.volumes.snapshot(), Certificates: p.certificates.snapshot(), Firewalls: p.firewalls.snapshot(), LoadBalancers: p.loadBalancers.snapshot(), Zones: p.zones.snapshot(), LegacyDNS: p.legacySnapshot()}
}

// Restore replaces the whole state with snap. An invalid snapshot changes nothing.
func (s *Store) Restore(snap Snapshot) error {
	if snap.Version != SnapshotVersion {
		return Errorf(CodeInvalidSnapshot, "snapshot version %d is not supported (want %d)", snap.Version, SnapshotVersion)
	}
	projects := make(map[string]*Project, len(snap.Projects))
	maxIDs := map[string]int64{}
	for key, ps := range snap.Projects {
		if key == "" {
			return Errorf(CodeInvalidSnapshot, "snapshot has a project without a key")
		}
		p := newProject(s, key)
		if err := p.restore(ps, maxIDs); err != nil {
			return Errorf(CodeInvalidSnapshot, "project %s: %s", key, err)
		}
		projects[key] = p
	}
	s.idMu.Lock()
	ids := make(map[string]int64, len(snap.IDs))
	for k, v := range snap.IDs {
		ids[k] = v
	}
	for k, v := range maxIDs {
		ids[k] = max(ids[k], v)
	}
	s.ids = ids
	s.idMu.Unlock()
	s.mu.Lock()
	s.projects = projects
	s.mu.Unlock()
	return nil
}

func (p *Project) restore(ps ProjectSnapshot, maxIDs map[string]int64) error {
	seen := map[string]bool{}
	for _, k := range ps.SSHKeys {
		if err := checkRestored("ssh_key", k.ID, k.Name, seen, maxIDs); err != nil {
			return err
		}
		if err := ValidateLabels(k.Labels); err != nil {
			return fmt.Errorf("ssh_key %d: %w", k.ID, err)
		}
		fp, err := fingerprintSSHKey(k.PublicKey)
		if err != nil {
			return fmt.Errorf("ssh_key %d: invalid public key", k.ID)
		}
		k.Fingerprint = fp
		p.sshKeys.put(k)
	}
	for _, a := range ps.Actions {
		if err := checkRestored("action", a.ID, "", seen, maxIDs); err != nil {
			return err
		}
		switch a.Status {
		case ActionStatusRunning:
			p.running[a.ID] = struct{}{}
		case ActionStatusSuccess, ActionStatusError:
		default:
			return fmt.Errorf("action %d has status %q", a.ID, a.Status)
		}
		p.actions.put(a)
	}
	if err := p.restoreCompute(ps, seen, maxIDs); err != nil {
		return err
	}
	if err := p.restoreFloatingIPs(ps, seen, maxIDs); err != nil {
		return err
	}
	if err := p.restoreVolumes(ps.Volumes, seen, maxIDs); err != nil {
		return err
	}
	if err := p.restoreCertificates(ps, seen, maxIDs); err != nil {
		return err
	}
	if err := p.restoreFirewalls(ps, seen, maxIDs); err != nil {
		return err
	}
	if err := p.restoreLoadBalancers(ps, seen, maxIDs); err != nil {
		return err
	}
	return p.restoreDNS(ps, seen, maxIDs)
}

// checkRestored rejects ids below 1 and duplicate ids or names within a kind.
func checkRestored(kind string, id int64, name string, seen map[string]bool, maxIDs map[string]int64) error {
	if id < 1 {
		return fmt.Errorf("%s with id %d", kind, id)
	}
	idKey := fmt.Sprintf("%s#%d", kind, id)
	if seen[idKey] {
		return fmt.Errorf("%s id %d appears twice", kind, id)
	}
	seen[idKey] = true
	if name != "" {
		nameKey := kind + "/" + name
		if seen[nameKey] {
			return fmt.Errorf("%s name %q appears twice", kind, name)
		}
		seen[nameKey] = true
	}
	maxIDs[kind] = max(maxIDs[kind], id)
	return nil
}
