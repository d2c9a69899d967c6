package store

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"

	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

var serverStatuses = []string{ServerStatusInitializing, ServerStatusStarting, ServerStatusRunning, ServerStatusStopping,
	ServerStatusOff, ServerStatusDeleting, ServerStatusRebuilding, ServerStatusMigrating, "unknown"}

// restoreCompute loads servers, primary IPs, placement groups and images from a snapshot and
// checks that every reference between them holds. Catalog objects are taken from the catalog
// by id, so a snapshot cannot smuggle in server types or locations the catalog lacks.
func (p *Project) restoreCompute(ps ProjectSnapshot, seen map[string]bool, maxIDs map[string]int64) error {
	cat := p.store.catalog
	for _, g := range ps.PlacementGroups {
		if err := checkRestored("placement_group", g.ID, g.Name, seen, maxIDs); err != nil {
			return err
		}
		if g.Type != PlacementGroupTypeSpread {
			return fmt.Errorf("placement_group %d has type %q", g.ID, g.Type)
		}
		if err := ValidateLabels(g.Labels); err != nil {
			return fmt.Errorf("placement_group %d: %w", g.ID, err)
		}
		p.placementGroups.put(g)
	}
	for _, s := range ps.Servers {
		if err := checkRestored("server", s.ID, s.Name, seen, maxIDs); err != nil {
			return err
		}
		if !validHostname(s.Name) || !slices.Contains(serverStatuses, s.Status) {
			return fmt.Errorf("server %d has an invalid name or status", s.ID)
		}
		st, ok := cat.ServerType(fmt.Sprint(s.ServerType.ID))
		if !ok {
			return fmt.Errorf("server %d has unknown server type %d", s.ID, s.ServerType.ID)
		}
		loc, ok := cat.Location(fmt.Sprint(s.Location.ID))
		if !ok {
			return fmt.Errorf("server %d has unknown location %d", s.ID, s.Location.ID)
		}
		s.ServerType, s.Location = st, loc
		if s.PlacementGroup != nil {
			if _, ok := p.placementGroups.get(s.PlacementGroup.ID); !ok {
				return fmt.Errorf("server %d is in unknown placement group %d", s.ID, s.PlacementGroup.ID)
			}
		}
		if err := ValidateLabels(s.Labels); err != nil {
			return fmt.Errorf("server %d: %w", s.ID, err)
		}
		p.servers.put(s)
	}
	for _, pg := range ps.PlacementGroups {
		if n := len(p.placementGroupMembers(pg.ID)); n > MaxServersPerPlacementGroup {
			return fmt.Errorf("placement_group %d has %d servers", pg.ID, n)
		}
	}
	addrs := map[string]bool{}
	for _, ip := range ps.PrimaryIPs {
		if err := checkRestored("primary_ip", ip.ID, ip.Name, seen, maxIDs); err != nil {
			return err
		}
		if err := restoredAddress(ip, addrs, maxIDs); err != nil {
			return err
		}
		loc, ok := cat.Location(fmt.Sprint(ip.Location.ID))
		if !ok {
			return fmt.Errorf("primary_ip %d has unknown location %d", ip.ID, ip.Location.ID)
		}
		ip.Location = loc
		ip.AssigneeType = AssigneeUnassigned
		if ip.AssigneeID != nil {
			s, ok := p.servers.get(*ip.AssigneeID)
			if !ok {
				return fmt.Errorf("primary_ip %d is assigned to unknown server %d", ip.ID, *ip.AssigneeID)
			}
			for _, other := range p.primaryIPs.values() {
				if other.Type == ip.Type && other.AssigneeID != nil && *other.AssigneeID == s.ID {
					return fmt.Errorf("server %d has two %s primary ips", s.ID, ip.Type)
				}
			}
			ip.AssigneeType = AssigneeServer
		}
		if err := ValidateLabels(ip.Labels); err != nil {
			return fmt.Errorf("primary_ip %d: %w", ip.ID, err)
		}
		p.primaryIPs.put(ip)
	}
	for _, ui := range ps.Images {
		if err := checkRestored("image", ui.ID, "", seen, maxIDs); err != nil {
			return err
		}
		for _, c := range cat.Images {
			if c.ID == ui.ID {
				return fmt.Errorf("image %d has the id of a catalog image", ui.ID)
			}
		}
		if ui.Type != catalog.ImageTypeSnapshot && ui.Type != catalog.ImageTypeBackup {
			return fmt.Errorf("image %d has type %q", ui.ID, ui.Type)
		}
		if ui.Type == catalog.ImageTypeBackup {
			if ui.BoundTo == nil {
				return fmt.Errorf("backup image %d is not bound to a server", ui.ID)
			}
			if _, ok := p.servers.get(*ui.BoundTo); !ok {
				return fmt.Errorf("backup image %d is bound to unknown server %d", ui.ID, *ui.BoundTo)
			}
		}
		if err := ValidateLabels(ui.Labels); err != nil {
			return fmt.Errorf("image %d: %w", ui.ID, err)
		}
		p.ownImages.put(ui)
	}
	return nil
}

// restoredAddress checks that an address is from the fake's ranges and unique, and moves the
// address counters past it so new addresses cannot repeat it.
func restoredAddress(ip PrimaryIP, seen map[string]bool, maxIDs map[string]int64) error {
	if seen[ip.IP] {
		return fmt.Errorf("address %s appears twice", ip.IP)
	}
	seen[ip.IP] = true
	switch ip.Type {
	case IPTypeIPv4:
		a, err := netip.ParseAddr(ip.IP)
		if err != nil || !a.Is4() {
			return fmt.Errorf("primary_ip %d has an invalid ipv4 address %q", ip.ID, ip.IP)
		}
		b := a.As4()
		if n := int64(binary.BigEndian.Uint32(b[:])) - int64(binary.BigEndian.Uint32(ipv4Base[:])); n > 0 && n < int64(ipv4Size) {
			maxIDs["ipv4"] = max(maxIDs["ipv4"], n)
		}
	case IPTypeIPv6:
		pf, err := netip.ParsePrefix(ip.IP)
		if err != nil || !pf.Addr().Is6() || pf.Bits() != 64 {
			return fmt.Errorf("primary_ip %d has an invalid ipv6 network %q", ip.ID, ip.IP)
		}
		b := pf.Addr().As16()
		if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 {
			maxIDs["ipv6"] = max(maxIDs["ipv6"], int64(binary.BigEndian.Uint32(b[4:8])))
		}
	default:
		return fmt.Errorf("primary_ip %d has type %q", ip.ID, ip.Type)
	}
	return nil
}
