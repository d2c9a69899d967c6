package store

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

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
			if !p.placementGroups.has(s.PlacementGroup.ID) {
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
		if err := restoredAddress("primary_ip", ip.ID, ip.Type, ip.IP, addrs, maxIDs); err != nil {
			return err
		}
		loc, ok := cat.Location(fmt.Sprint(ip.Location.ID))
		if !ok {
			return fmt.Errorf("primary_ip %d has unknown location %d", ip.ID, ip.Location.ID)
		}
		ip.Location = loc
		heldByLB := ip.AssigneeType == AssigneeLoadBalancer && ip.AssigneeID != nil // checked with the load balancers
		ip.AssigneeType = AssigneeUnassigned
		if heldByLB {
			ip.AssigneeType = AssigneeLoadBalancer
		} else if ip.AssigneeID != nil {
			s, ok := p.servers.get(*ip.AssigneeID)
			if !ok {
				return fmt.Errorf("primary_ip %d is assigned to unknown server %d", ip.ID, *ip.AssigneeID)
			}
			for _, other := range p.primaryIPs.values() {
				if other.Type == ip.Type && other.AssigneeType == AssigneeServer && *other.AssigneeID == s.ID {
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
			if !p.servers.has(*ui.BoundTo) {
				return fmt.Errorf("backup image %d is bound to unknown server %d", ui.ID, *ui.BoundTo)
			}
		}
		if err := ValidateLabels(ui.Labels); err != nil {
			return fmt.Errorf("image %d: %w", ui.ID, err)
		}
		p.ownImages.put(ui)
	}
	return p.restoreNetworks(ps, seen, maxIDs)
}

// restoredAddress checks that the address of a primary or floating IP (kind, id) is from the
// fake's ranges and unique in seen, and moves the address counters past it so new addresses
// cannot repeat it.
func restoredAddress(kind string, id int64, typ, addr string, seen map[string]bool, maxIDs map[string]int64) error {
	if seen[addr] {
		return fmt.Errorf("address %s appears twice", addr)
	}
	seen[addr] = true
	switch typ {
	case IPTypeIPv4:
		a, err := netip.ParseAddr(addr)
		if err != nil || !a.Is4() {
			return fmt.Errorf("%s %d has an invalid ipv4 address %q", kind, id, addr)
		}
		b := a.As4()
		if n := int64(binary.BigEndian.Uint32(b[:])) - int64(binary.BigEndian.Uint32(ipv4Base[:])); n > 0 && n < int64(ipv4Size) {
			maxIDs["ipv4"] = max(maxIDs["ipv4"], n)
		}
	case IPTypeIPv6:
		pf, err := netip.ParsePrefix(addr)
		if err != nil || !pf.Addr().Is6() || pf.Bits() != 64 {
			return fmt.Errorf("%s %d has an invalid ipv6 network %q", kind, id, addr)
		}
		b := pf.Addr().As16()
		if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 {
			maxIDs["ipv6"] = max(maxIDs["ipv6"], int64(binary.BigEndian.Uint32(b[4:8])))
		}
	default:
		return fmt.Errorf("%s %d has type %q", kind, id, typ)
	}
	return nil
}

// restoreNetworks loads the networks and then checks the servers' attachments to them:
// addresses inside a subnet of the network and unique in it, MAC addresses well formed (the MAC
// counter moves past them), and no server in two overlapping networks.
func (p *Project) restoreNetworks(ps ProjectSnapshot, seen map[string]bool, maxIDs map[string]int64) error {
	for _, n := range ps.Networks {
		if err := checkRestored("network", n.ID, n.Name, seen, maxIDs); err != nil {
			return err
		}
		restored, err := p.restoredNetwork(n.Network)
		if err != nil {
			return fmt.Errorf("network %d: %w", n.ID, err)
		}
		n.Network = restored
		if n.Before != nil {
			before, err := p.restoredNetwork(*n.Before)
			if err != nil || before.ID != n.ID {
				return fmt.Errorf("network %d: invalid state before its running action", n.ID)
			}
			n.Before = &before
		}
		p.networks.put(n)
	}
	used := map[int64]map[netip.Addr]bool{} // network → addresses held in it
	for _, s := range p.servers.values() {
		for i, pn := range s.PrivateNet {
			n, ok := p.networks.get(pn.Network)
			if !ok {
				return fmt.Errorf("server %d is attached to unknown network %d", s.ID, pn.Network)
			}
			if attachmentIndex(s.PrivateNet[:i], pn.Network) >= 0 {
				return fmt.Errorf("server %d is attached to network %d twice", s.ID, pn.Network)
			}
			if err := p.checkOverlap(n.Network, s.PrivateNet[:i]); err != nil {
				return fmt.Errorf("server %d: %s", s.ID, err.(*Error).Message)
			}
			if used[pn.Network] == nil {
				used[pn.Network] = map[netip.Addr]bool{}
			}
			for _, ip := range append([]string{pn.IP}, pn.AliasIPs...) {
				a, ok := parseIPv4(ip)
				if !ok || !slices.ContainsFunc(n.Subnets, func(sub NetworkSubnet) bool { return mustPrefix(sub.IPRange).Contains(a) }) {
					return fmt.Errorf("server %d has address %q outside the subnets of network %d", s.ID, ip, pn.Network)
				}
				if used[pn.Network][a] {
					return fmt.Errorf("address %s is used twice in network %d", a, pn.Network)
				}
				used[pn.Network][a] = true
			}
			mac, err := net.ParseMAC(pn.MACAddress)
			if err != nil || len(mac) != 6 {
				return fmt.Errorf("server %d has an invalid mac address %q", s.ID, pn.MACAddress)
			}
			if mac[0] == 0x86 && mac[1] == 0 && mac[2] == 0 {
				maxIDs["mac"] = max(maxIDs["mac"], int64(mac[3])<<16|int64(mac[4])<<8|int64(mac[5]))
			}
		}
	}
	return nil
}

// restoredNetwork checks a network from a snapshot the way creating it would have, and fills
// in the subnet gateways.
func (p *Project) restoredNetwork(n Network) (Network, error) {
	if strings.TrimSpace(n.Name) == "" {
		return n, fmt.Errorf("empty name")
	}
	nr, err := checkNetworkIPRange(n.IPRange)
	if err != nil || nr.String() != n.IPRange {
		return n, fmt.Errorf("invalid ip_range %q", n.IPRange)
	}
	if err := ValidateLabels(n.Labels); err != nil {
		return n, err
	}
	out := n.clone()
	out.Subnets, out.Routes = []NetworkSubnet{}, []NetworkRoute{}
	for _, s := range n.Subnets {
		sr, ok := parseIPv4Prefix(s.IPRange)
		switch {
		case !ok || sr.String() != s.IPRange || !within(nr, sr) || sr.Bits() > maxSubnetBits:
			return n, fmt.Errorf("invalid subnet %q", s.IPRange)
		case subnetClash(out, sr) != "":
			return n, fmt.Errorf("subnet %s: %s", sr, subnetClash(out, sr))
		case !slices.Contains([]string{SubnetTypeCloud, SubnetTypeServer, SubnetTypeVSwitch}, s.Type),
			!slices.Contains(p.networkZones(), s.NetworkZone),
			(s.Type == SubnetTypeVSwitch) != (s.VSwitchID != nil):
			return n, fmt.Errorf("subnet %s has an invalid type, zone or vswitch_id", sr)
		}
		s.Gateway = subnetGateway(nr, sr, s.Type).String()
		out.Subnets = append(out.Subnets, s)
	}
	for _, r := range n.Routes {
		route, err := checkRoute(out, r, "")
		if err != nil || route != r {
			return n, fmt.Errorf("invalid route %s via %s", r.Destination, r.Gateway)
		}
		out.Routes = append(out.Routes, route)
	}
	out.Servers, out.LoadBalancers = []int64{}, []int64{}
	return out, nil
}
