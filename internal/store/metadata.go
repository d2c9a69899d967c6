package store

import (
	"fmt"
	"strings"
)

// ServerMetadata is what the metadata service tells a server about itself.
type ServerMetadata struct {
	Hostname         string
	InstanceID       int64
	PublicIPv4       string // "" without an IPv4
	AvailabilityZone string // the datacenter name of the location, e.g. hel1-dc2
	Region           string // the network zone, e.g. eu-central
	PrivateNetworks  []MetadataPrivateNetwork
	UserData         string
}

// MetadataPrivateNetwork is an entry of /private-networks: an attachment with what the server
// needs to configure its interface.
type MetadataPrivateNetwork struct {
	ServerPrivateNet
	NetworkName  string
	NetworkRange string // the network's ip_range
	Subnet       string // the range of the subnet holding the address
	Gateway      string
}

// YAML renders the answer of /hetzner/v1/metadata (the keys hcloud-go and cloud-init read).
func (m ServerMetadata) YAML() string {
	var b strings.Builder
	fmt.Fprintf(&b, "availability-zone: %s\n", m.AvailabilityZone)
	fmt.Fprintf(&b, "hostname: %s\n", m.Hostname)
	fmt.Fprintf(&b, "instance-id: %d\n", m.InstanceID)
	fmt.Fprintf(&b, "local-ipv4: ''\n")
	fmt.Fprintf(&b, "public-ipv4: %s\n", yamlScalar(m.PublicIPv4))
	fmt.Fprintf(&b, "region: %s\n", m.Region)
	return b.String()
}

// PrivateNetworksYAML renders /private-networks: a YAML list, empty as [].
func (m ServerMetadata) PrivateNetworksYAML() string {
	if len(m.PrivateNetworks) == 0 {
		return "[]\n"
	}
	var b strings.Builder
	for i, n := range m.PrivateNetworks {
		fmt.Fprintf(&b, "- ip: %s\n", n.IP)
		if len(n.AliasIPs) == 0 {
			b.WriteString("  alias_ips: []\n")
		} else {
			b.WriteString("  alias_ips:\n")
			for _, a := range n.AliasIPs {
				fmt.Fprintf(&b, "  - %s\n", a)
			}
		}
		fmt.Fprintf(&b, "  interface_num: %d\n", i+1)
		fmt.Fprintf(&b, "  mac_address: %s\n", n.MACAddress)
		fmt.Fprintf(&b, "  network_id: %d\n", n.Network)
		fmt.Fprintf(&b, "  network_name: %s\n", yamlName(n.NetworkName))
		fmt.Fprintf(&b, "  network: %s\n", n.NetworkRange)
		fmt.Fprintf(&b, "  subnet: %s\n", n.Subnet)
		fmt.Fprintf(&b, "  gateway: %s\n", n.Gateway)
	}
	return b.String()
}

// yamlName writes a name plainly when YAML reads it back as the same string, else quoted.
func yamlName(s string) string {
	plain := s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	}) < 0 && strings.IndexFunc(s[:1], func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) == 0
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null":
		plain = false
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func yamlScalar(s string) string {
	if s == "" {
		return "''"
	}
	return s
}

// lookupProject returns an existing project without creating one.
func (s *Store) lookupProject(key string) (*Project, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.projects[key]
	return p, ok
}

// ServerMetadata answers the metadata service for a server: the one with serverID (0: the
// only server of the project), in the project with projectKey ("" = any project when
// serverID is given, else the only project).
func (s *Store) ServerMetadata(projectKey string, serverID int64) (ServerMetadata, error) {
	var candidates []*Project
	switch {
	case projectKey != "":
		p, ok := s.lookupProject(projectKey)
		if !ok {
			return ServerMetadata{}, NotFound("server")
		}
		candidates = []*Project{p}
	case serverID != 0:
		candidates = s.projectList()
	default:
		candidates = s.projectList()
		if len(candidates) != 1 {
			return ServerMetadata{}, Errorf(CodeNotFound,
				"%d projects: send X-Server-Id or a bearer token to say which server is asking", len(candidates))
		}
	}
	for _, p := range candidates {
		if m, ok, err := p.metadata(serverID); ok || err != nil {
			return m, err
		}
	}
	return ServerMetadata{}, NotFound("server")
}

func (p *Project) metadata(serverID int64) (ServerMetadata, bool, error) {
	defer p.lock()()
	var st serverState
	if serverID != 0 {
		var ok bool
		if st, ok = p.servers.get(serverID); !ok {
			return ServerMetadata{}, false, nil
		}
	} else {
		all := p.servers.values()
		if len(all) != 1 {
			return ServerMetadata{}, false, Errorf(CodeNotFound,
				"project has %d servers: send X-Server-Id to say which server is asking", len(all))
		}
		st = all[0].clone()
	}
	v := p.view(st)
	m := ServerMetadata{Hostname: v.Name, InstanceID: v.ID, Region: v.Location.NetworkZone,
		AvailabilityZone: v.Location.Name, PrivateNetworks: p.metadataNetworks(v.PrivateNet), UserData: st.UserData}
	for _, dc := range p.store.catalog.Datacenters {
		if dc.Location.ID == v.Location.ID {
			m.AvailabilityZone = dc.Name
			break
		}
	}
	if v.PublicNet.IPv4 != nil {
		m.PublicIPv4 = v.PublicNet.IPv4.IP
	}
	return m, true, nil
}

// metadataNetworks adds to each attachment its network's name and range and the subnet and
// gateway of its address.
func (p *Project) metadataNetworks(nets []ServerPrivateNet) []MetadataPrivateNetwork {
	out := make([]MetadataPrivateNetwork, 0, len(nets))
	for _, pn := range nets {
		n, ok := p.networks.get(pn.Network)
		if !ok {
			continue
		}
		m := MetadataPrivateNetwork{ServerPrivateNet: pn, NetworkName: n.Name, NetworkRange: n.IPRange}
		if a, ok := parseIPv4(pn.IP); ok {
			for _, s := range n.Subnets {
				if mustPrefix(s.IPRange).Contains(a) {
					m.Subnet, m.Gateway = s.IPRange, s.Gateway
				}
			}
		}
		out = append(out, m)
	}
	return out
}
