package store

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

func netPtr[T any](v T) *T { return &v }

func netTestServer(t *testing.T, p *Project, name, location string, networks ...int64) Server {
	t.Helper()
	st := IDOrName("cpx22")
	if location == "ash" || location == "hil" {
		st = "cpx11" // the US locations still sell the first cpx generation
	}
	res, err := p.CreateServer(CreateServer{Name: name, ServerType: st, Image: "ubuntu-24.04",
		Location: IDOrName(location), Networks: networks})
	require.NoError(t, err)
	return res.Server
}

func netTestNetwork(t *testing.T, p *Project, name, ipRange string, subnets ...string) Network {
	t.Helper()
	req := CreateNetwork{Name: name, IPRange: ipRange}
	for _, s := range subnets {
		req.Subnets = append(req.Subnets, NetworkSubnetRequest{Type: SubnetTypeCloud, NetworkZone: "eu-central", IPRange: netPtr(s)})
	}
	n, err := p.CreateNetwork(req)
	require.NoError(t, err)
	return n
}

func requireCode(t *testing.T, err error, code Code) *Error {
	t.Helper()
	require.Error(t, err)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, code, e.Code, e.Message)
	return e
}

func TestNetworkAddressHelpers(t *testing.T) {
	p, ok := parseIPv4Prefix("10.0.2.0/16")
	require.True(t, ok)
	assert.Equal(t, "10.0.0.0/16", p.String(), "host bits are cleared")
	_, ok = parseIPv4Prefix("fd00::/8")
	assert.False(t, ok)
	_, ok = parseIPv4Prefix("10.0.0.0")
	assert.False(t, ok)
	assert.Equal(t, "10.0.1.255", lastAddr(netip.MustParsePrefix("10.0.1.0/24")).String())
	assert.Equal(t, "255.255.255.255", lastAddr(netip.MustParsePrefix("0.0.0.0/0")).String())
	assert.Equal(t, "10.0.0.3", lastAddr(netip.MustParsePrefix("10.0.0.0/30")).String())
	assert.True(t, within(netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("10.1.0.0/16")))
	assert.False(t, within(netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("10.0.0.0/8")))
	assert.True(t, isPrivate(netip.MustParsePrefix("172.20.0.0/16")))
	assert.False(t, isPrivate(netip.MustParsePrefix("172.32.0.0/16")))
	assert.False(t, isPrivate(netip.MustParsePrefix("8.8.8.0/24")))
	_, ok = parseIPv4("::ffff:10.0.0.1")
	assert.False(t, ok, "IPv4-mapped IPv6 is not an IPv4 address")
}

func TestCreateNetworkValidation(t *testing.T) {
	_, p := newTestProject(t)
	cases := []struct {
		name  string
		req   CreateNetwork
		code  Code
		field string
	}{
		{"empty name", CreateNetwork{Name: " ", IPRange: "10.0.0.0/16"}, CodeInvalidInput, "name"},
		{"not a cidr", CreateNetwork{Name: "n", IPRange: "10.0.0.0"}, CodeInvalidInput, "ip_range"},
		{"ipv6", CreateNetwork{Name: "n", IPRange: "fd00::/64"}, CodeInvalidInput, "ip_range"},
		{"public", CreateNetwork{Name: "n", IPRange: "8.8.0.0/16"}, CodeInvalidInput, "ip_range"},
		{"too small", CreateNetwork{Name: "n", IPRange: "10.0.0.0/25"}, CodeInvalidInput, "ip_range"},
		{"across rfc1918 blocks", CreateNetwork{Name: "n", IPRange: "172.0.0.0/8"}, CodeInvalidInput, "ip_range"},
		{"subnet outside", CreateNetwork{Name: "n", IPRange: "10.0.0.0/16", Subnets: []NetworkSubnetRequest{
			{Type: "cloud", NetworkZone: "eu-central", IPRange: netPtr("10.1.0.0/24")}}}, CodeInvalidInput, "subnets.ip_range"},
		{"subnet too small", CreateNetwork{Name: "n", IPRange: "10.0.0.0/16", Subnets: []NetworkSubnetRequest{
			{Type: "cloud", NetworkZone: "eu-central", IPRange: netPtr("10.0.0.0/31")}}}, CodeInvalidInput, "subnets.ip_range"},
		{"subnets overlap", CreateNetwork{Name: "n", IPRange: "10.0.0.0/16", Subnets: []NetworkSubnetRequest{
			{Type: "cloud", NetworkZone: "eu-central", IPRange: netPtr("10.0.0.0/23")},
			{Type: "cloud", NetworkZone: "eu-central", IPRange: netPtr("10.0.1.0/24")}}}, CodeInvalidInput, "subnets.ip_range"},
		{"unknown zone", CreateNetwork{Name: "n", IPRange: "10.0.0.0/16", Subnets: []NetworkSubnetRequest{
			{Type: "cloud", NetworkZone: "mars-north"}}}, CodeInvalidInput, "subnets.network_zone"},
		{"vswitch without id", CreateNetwork{Name: "n", IPRange: "10.0.0.0/16", Subnets: []NetworkSubnetRequest{
			{Type: "vswitch", NetworkZone: "eu-central"}}}, CodeInvalidInput, "subnets.vswitch_id"},
		{"vswitch id on a cloud subnet", CreateNetwork{Name: "n", IPRange: "10.0.0.0/16", Subnets: []NetworkSubnetRequest{
			{Type: "cloud", NetworkZone: "eu-central", VSwitchID: netPtr(int64(42))}}}, CodeInvalidInput, "subnets.vswitch_id"},
		{"unknown vswitch", CreateNetwork{Name: "n", IPRange: "10.0.0.0/16", Subnets: []NetworkSubnetRequest{
			{Type: "vswitch", NetworkZone: "eu-central", VSwitchID: netPtr(int64(42))}}}, CodeServiceError, ""},
		{"route gateway outside", CreateNetwork{Name: "n", IPRange: "10.0.0.0/16", Routes: []NetworkRoute{
			{Destination: "10.100.0.0/24", Gateway: "10.1.0.5"}}}, CodeInvalidInput, "routes.gateway"},
		{"route gateway is the network gateway", CreateNetwork{Name: "n", IPRange: "10.0.0.0/16", Routes: []NetworkRoute{
			{Destination: "10.100.0.0/24", Gateway: "10.0.0.1"}}}, CodeInvalidInput, "routes.gateway"},
		{"route to a public range", CreateNetwork{Name: "n", IPRange: "10.0.0.0/16", Routes: []NetworkRoute{
			{Destination: "8.8.8.0/24", Gateway: "10.0.0.5"}}}, CodeInvalidInput, "routes.destination"},
		{"route over a subnet", CreateNetwork{Name: "n", IPRange: "10.0.0.0/16",
			Subnets: []NetworkSubnetRequest{{Type: "cloud", NetworkZone: "eu-central", IPRange: netPtr("10.0.1.0/24")}},
			Routes:  []NetworkRoute{{Destination: "10.0.0.0/16", Gateway: "10.0.0.5"}}}, CodeInvalidInput, "routes.destination"},
		{"two routes to one destination", CreateNetwork{Name: "n", IPRange: "10.0.0.0/16", Routes: []NetworkRoute{
			{Destination: "0.0.0.0/0", Gateway: "10.0.0.5"}, {Destination: "0.0.0.0/0", Gateway: "10.0.0.6"}}}, CodeInvalidInput, "routes.destination"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := p.CreateNetwork(c.req)
			e := requireCode(t, err, c.code)
			if c.field != "" {
				require.IsType(t, InvalidFields{}, e.Details)
				assert.Equal(t, c.field, e.Details.(InvalidFields).Fields[0].Name)
			}
		})
	}
	page, err := p.ListNetworks(NetworkFilter{}, ListOptions{})
	require.NoError(t, err)
	assert.Empty(t, page.Items, "no refused create leaves a network")
}

func TestCreateNetworkShape(t *testing.T) {
	_, p := newTestProject(t)
	n, err := p.CreateNetwork(CreateNetwork{Name: "net", IPRange: "10.0.2.0/16", Labels: map[string]string{"a": "b"},
		ExposeRoutesToVSwitch: netPtr(true),
		Subnets: []NetworkSubnetRequest{
			{Type: "cloud", NetworkZone: "eu-central", IPRange: netPtr("10.0.16.0/24")},
			{Type: "cloud", NetworkZone: "us-east"}, // first free /24
			{Type: "server", NetworkZone: "eu-central", IPRange: netPtr("10.0.5.7/24")},
		},
		Routes: []NetworkRoute{{Destination: "10.100.1.0/24", Gateway: "10.0.1.1"}, {Destination: "0.0.0.0/0", Gateway: "10.0.0.2"}},
	})
	require.NoError(t, err)
	assert.Equal(t, "10.0.0.0/16", n.IPRange)
	assert.True(t, n.ExposeRoutesToVSwitch)
	require.Len(t, n.Subnets, 3)
	assert.Equal(t, NetworkSubnet{Type: "cloud", IPRange: "10.0.16.0/24", NetworkZone: "eu-central", Gateway: "10.0.0.1"}, n.Subnets[0])
	assert.Equal(t, "10.0.0.0/24", n.Subnets[1].IPRange)
	assert.Equal(t, "10.0.0.1", n.Subnets[1].Gateway, "gateway is the first IP of the network")
	assert.Equal(t, "10.0.5.0/24", n.Subnets[2].IPRange)
	assert.Equal(t, "10.0.5.1", n.Subnets[2].Gateway, "server subnets have the subnet's first IP")
	assert.Equal(t, []NetworkRoute{{"10.100.1.0/24", "10.0.1.1"}, {"0.0.0.0/0", "10.0.0.2"}}, n.Routes)
	assert.Equal(t, []int64{}, n.Servers)
	assert.Equal(t, []int64{}, n.LoadBalancers)

	_, err = p.CreateNetwork(CreateNetwork{Name: "net", IPRange: "10.0.0.0/16"})
	requireCode(t, err, CodeUniquenessError)
	// A subnet must not overlap the route destinations, except the default route.
	_, err = p.AddSubnet(n.ID, NetworkSubnetRequest{Type: "cloud", NetworkZone: "eu-central", IPRange: netPtr("10.0.200.0/24")})
	require.NoError(t, err)
}

func TestFirstFreeSubnetSkipsUsedRanges(t *testing.T) {
	_, p := newTestProject(t)
	n := netTestNetwork(t, p, "n", "10.0.0.0/22", "10.0.0.0/24", "10.0.2.0/25")
	_, err := p.AddSubnet(n.ID, NetworkSubnetRequest{Type: "cloud", NetworkZone: "eu-central"})
	require.NoError(t, err)
	_, err = p.AddSubnet(n.ID, NetworkSubnetRequest{Type: "cloud", NetworkZone: "eu-central"})
	require.NoError(t, err)
	got, err := p.GetNetwork(n.ID)
	require.NoError(t, err)
	var ranges []string
	for _, s := range got.Subnets {
		ranges = append(ranges, s.IPRange)
	}
	assert.Equal(t, []string{"10.0.0.0/24", "10.0.2.0/25", "10.0.1.0/24", "10.0.3.0/24"}, ranges)
	_, err = p.AddSubnet(n.ID, NetworkSubnetRequest{Type: "cloud", NetworkZone: "eu-central"})
	e := requireCode(t, err, CodeInvalidInput)
	assert.Contains(t, e.Message, "ip_range")
}

func TestAttachAllocatesAddressesAndChecks(t *testing.T) {
	_, p := newTestProject(t)
	n := netTestNetwork(t, p, "n", "10.0.0.0/16", "10.0.1.0/24")
	s1 := netTestServer(t, p, "s1", "hel1")
	s2 := netTestServer(t, p, "s2", "hel1")
	s3 := netTestServer(t, p, "s3", "ash") // us-east: no subnet there

	a, err := p.AttachServerToNetwork(s1.ID, AttachToNetwork{Network: n.ID})
	require.NoError(t, err)
	assert.Equal(t, "attach_to_network", a.Command)
	assert.Equal(t, []ActionResource{{s1.ID, "server"}, {n.ID, "network"}}, a.Resources)
	got, err := p.GetServer(s1.ID)
	require.NoError(t, err)
	require.Len(t, got.PrivateNet, 1)
	assert.Equal(t, "10.0.1.2", got.PrivateNet[0].IP, "the first address handed out is .2")
	assert.Regexp(t, `^86:00:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$`, got.PrivateNet[0].MACAddress)
	assert.Equal(t, []string{}, got.PrivateNet[0].AliasIPs)

	_, err = p.AttachServerToNetwork(s1.ID, AttachToNetwork{Network: n.ID})
	requireCode(t, err, "server_already_attached")
	_, err = p.AttachServerToNetwork(s2.ID, AttachToNetwork{Network: n.ID, IP: netPtr("10.0.1.2")})
	requireCode(t, err, "ip_not_available")
	for _, reservedIP := range []string{"10.0.1.0", "10.0.1.255"} {
		_, err = p.AttachServerToNetwork(s2.ID, AttachToNetwork{Network: n.ID, IP: netPtr(reservedIP)})
		requireCode(t, err, "ip_not_available")
	}
	_, err = p.AttachServerToNetwork(s2.ID, AttachToNetwork{Network: n.ID, IP: netPtr("10.0.9.9")})
	requireCode(t, err, "no_subnet_available")
	_, err = p.AttachServerToNetwork(s2.ID, AttachToNetwork{Network: n.ID, IPRange: netPtr("10.0.2.0/24")})
	requireCode(t, err, "no_subnet_available")
	_, err = p.AttachServerToNetwork(s2.ID, AttachToNetwork{Network: n.ID, IP: netPtr("10.0.1.9"), IPRange: netPtr("10.0.1.0/25")})
	requireCode(t, err, "no_subnet_available")
	_, err = p.AttachServerToNetwork(s2.ID, AttachToNetwork{Network: n.ID, IP: netPtr("nope")})
	requireCode(t, err, CodeInvalidInput)
	_, err = p.AttachServerToNetwork(s2.ID, AttachToNetwork{Network: n.ID, AliasIPs: []string{"10.0.1.2"}})
	requireCode(t, err, "ip_not_available")
	_, err = p.AttachServerToNetwork(s2.ID, AttachToNetwork{Network: n.ID, AliasIPs: []string{"10.0.1.8", "10.0.1.8"}})
	requireCode(t, err, CodeInvalidInput)
	_, err = p.AttachServerToNetwork(s2.ID, AttachToNetwork{Network: 999})
	requireCode(t, err, CodeNotFound)
	_, err = p.AttachServerToNetwork(s3.ID, AttachToNetwork{Network: n.ID})
	requireCode(t, err, "no_subnet_available")

	_, err = p.AttachServerToNetwork(s2.ID, AttachToNetwork{Network: n.ID, IP: netPtr("10.0.1.50"), AliasIPs: []string{"10.0.1.3", "10.0.1.4"}})
	require.NoError(t, err)
	_, err = p.AttachServerToNetwork(s3.ID, AttachToNetwork{Network: n.ID})
	requireCode(t, err, "no_subnet_available")
	got, err = p.GetServer(s2.ID)
	require.NoError(t, err)
	assert.Equal(t, "10.0.1.50", got.PrivateNet[0].IP)
	assert.Equal(t, []string{"10.0.1.3", "10.0.1.4"}, got.PrivateNet[0].AliasIPs)

	// The next automatic address skips the ones held as aliases.
	s4 := netTestServer(t, p, "s4", "fsn1")
	_, err = p.AttachServerToNetwork(s4.ID, AttachToNetwork{Network: n.ID})
	require.NoError(t, err)
	got, err = p.GetServer(s4.ID)
	require.NoError(t, err)
	assert.Equal(t, "10.0.1.5", got.PrivateNet[0].IP)

	net, err := p.GetNetwork(n.ID)
	require.NoError(t, err)
	assert.Equal(t, []int64{s1.ID, s2.ID, s4.ID}, net.Servers)
}

func TestNetworksOverlapAndSubnetFull(t *testing.T) {
	_, p := newTestProject(t)
	a := netTestNetwork(t, p, "a", "10.0.0.0/16", "10.0.0.0/24")
	b := netTestNetwork(t, p, "b", "10.0.0.0/8", "10.1.0.0/24")
	tiny := netTestNetwork(t, p, "tiny", "192.168.0.0/24", "192.168.0.0/30")
	s := netTestServer(t, p, "s", "hel1", a.ID)
	_, err := p.AttachServerToNetwork(s.ID, AttachToNetwork{Network: b.ID})
	requireCode(t, err, "networks_overlap")

	_, err = p.CreateServer(CreateServer{Name: "x", ServerType: "cpx22", Image: "ubuntu-24.04", Location: "hel1", Networks: []int64{a.ID, b.ID}})
	requireCode(t, err, "networks_overlap")
	_, err = p.CreateServer(CreateServer{Name: "x", ServerType: "cpx22", Image: "ubuntu-24.04", Location: "hel1", Networks: []int64{a.ID, a.ID}})
	requireCode(t, err, CodeInvalidInput)
	_, err = p.CreateServer(CreateServer{Name: "x", ServerType: "cpx22", Image: "ubuntu-24.04", Location: "hel1", Networks: []int64{12345}})
	requireCode(t, err, CodeInvalidInput)

	// 192.168.0.0/30: .0 network, .1 gateway, .3 broadcast: one address, .2.
	t1 := netTestServer(t, p, "t1", "hel1", tiny.ID)
	got, err := p.GetServer(t1.ID)
	require.NoError(t, err)
	assert.Equal(t, "192.168.0.2", got.PrivateNet[0].IP)
	_, err = p.CreateServer(CreateServer{Name: "t2", ServerType: "cpx22", Image: "ubuntu-24.04", Location: "hel1", Networks: []int64{tiny.ID}})
	requireCode(t, err, "no_subnet_available")

	// A network cannot grow into another network one of its servers is attached to.
	c := netTestNetwork(t, p, "c", "10.2.0.0/16", "10.2.0.0/24")
	_, err = p.AttachServerToNetwork(s.ID, AttachToNetwork{Network: c.ID})
	require.NoError(t, err)
	_, err = p.ChangeIPRange(c.ID, NetworkIPRange{IPRange: "10.0.0.0/14"})
	requireCode(t, err, CodeInvalidInput) // the first address would change
	_, err = p.ChangeIPRange(a.ID, NetworkIPRange{IPRange: "10.0.0.0/14"})
	requireCode(t, err, "networks_overlap")
}

func TestChangeIPRangeRules(t *testing.T) {
	_, p := newTestProject(t)
	n := netTestNetwork(t, p, "n", "10.0.0.0/24")
	for _, bad := range []string{"10.0.0.0/25", "10.1.0.0/16", "11.0.0.0/8", "x"} {
		_, err := p.ChangeIPRange(n.ID, NetworkIPRange{IPRange: bad})
		requireCode(t, err, CodeInvalidInput)
	}
	a, err := p.ChangeIPRange(n.ID, NetworkIPRange{IPRange: "10.0.2.0/16"})
	require.NoError(t, err)
	assert.Equal(t, "change_ip_range", a.Command)
	got, err := p.GetNetwork(n.ID)
	require.NoError(t, err)
	assert.Equal(t, "10.0.0.0/16", got.IPRange, "as the live API: 10.0.2.0/16 becomes 10.0.0.0/16")
}

func TestNetworkActionConflictAndRollback(t *testing.T) {
	s := New(catalog.Default(), WithActionDuration(ActionDuration{Manual: true}))
	p := s.Project("test")
	n := netTestNetwork(t, p, "n", "10.0.0.0/16")
	a, err := p.AddSubnet(n.ID, NetworkSubnetRequest{Type: "cloud", NetworkZone: "eu-central", IPRange: netPtr("10.0.1.0/24")})
	require.NoError(t, err)
	assert.Equal(t, ActionStatusRunning, a.Status)
	assert.Equal(t, []ActionResource{{n.ID, "network"}}, a.Resources)
	got, _ := p.GetNetwork(n.ID)
	require.Len(t, got.Subnets, 1, "the subnet shows while add_subnet runs")

	// Every change of the network answers conflict meanwhile.
	_, err = p.AddRoute(n.ID, NetworkRoute{Destination: "10.9.0.0/16", Gateway: "10.0.0.5"})
	requireCode(t, err, CodeConflict)
	_, err = p.UpdateNetwork(n.ID, UpdateNetwork{Name: netPtr("m")})
	requireCode(t, err, CodeConflict)
	requireCode(t, p.DeleteNetwork(n.ID), CodeConflict)
	_, err = p.ChangeNetworkProtection(n.ID, ChangeNetworkProtection{Delete: netPtr(true)})
	requireCode(t, err, CodeConflict)
	_, err = p.CreateServer(CreateServer{Name: "x", ServerType: "cpx22", Image: "ubuntu-24.04", Location: "hel1", Networks: []int64{n.ID}})
	requireCode(t, err, CodeConflict)

	_, err = s.CompleteAction(a.ID, false, "action_failed", "")
	require.NoError(t, err)
	got, _ = p.GetNetwork(n.ID)
	assert.Empty(t, got.Subnets, "a failed add_subnet takes the subnet back")

	a, err = p.AddSubnet(n.ID, NetworkSubnetRequest{Type: "cloud", NetworkZone: "eu-central", IPRange: netPtr("10.0.1.0/24")})
	require.NoError(t, err)
	_, err = s.CompleteAction(a.ID, true, "", "")
	require.NoError(t, err)
	got, _ = p.GetNetwork(n.ID)
	assert.Len(t, got.Subnets, 1)
	snap := s.Snapshot()
	for _, st := range snap.Projects["test"].Networks {
		assert.Nil(t, st.Before, "nothing to roll back once the action is done")
	}
}

func TestMemberStatusesFollowActions(t *testing.T) {
	s := New(catalog.Default(), WithActionDuration(ActionDuration{Manual: true}))
	p := s.Project("test")
	n := netTestNetwork(t, p, "n", "10.0.0.0/16", "10.0.1.0/24")
	res, err := p.CreateServer(CreateServer{Name: "web", ServerType: "cpx22", Image: "ubuntu-24.04", Location: "hel1", Networks: []int64{n.ID}})
	require.NoError(t, err)
	id := res.Server.ID
	require.Len(t, res.Server.PrivateNet, 1, "attached at create")
	members := func() []NetworkMember {
		t.Helper()
		pg, err := p.ListNetworkMembers(n.ID, NetworkMemberFilter{}, ListOptions{})
		require.NoError(t, err)
		return pg.Items
	}
	assert.Equal(t, []NetworkMember{{Type: "server", ID: id, IP: "10.0.1.2", Status: MemberStatusAttaching, AliasIPs: []string{}, Subnet: "10.0.1.0/24"}}, members())
	for _, a := range append([]Action{res.Action}, res.NextActions...) {
		_, err := s.CompleteAction(a.ID, true, "", "")
		require.NoError(t, err)
	}
	assert.Equal(t, MemberStatusOK, members()[0].Status)

	alias, err := p.ChangeAliasIPs(id, ChangeAliasIPs{Network: n.ID, AliasIPs: []string{"10.0.1.10"}})
	require.NoError(t, err)
	assert.Equal(t, MemberStatusUpdating, members()[0].Status)
	assert.Equal(t, []string{"10.0.1.10"}, members()[0].AliasIPs)
	_, err = s.CompleteAction(alias.ID, false, "action_failed", "")
	require.NoError(t, err)
	assert.Equal(t, MemberStatusError, members()[0].Status, "the last operation failed")

	det, err := p.DetachServerFromNetwork(id, DetachFromNetwork{Network: n.ID})
	require.NoError(t, err)
	assert.Equal(t, MemberStatusDetaching, members()[0].Status)
	_, err = p.AttachServerToNetwork(id, AttachToNetwork{Network: n.ID})
	requireCode(t, err, CodeLocked)
	_, err = s.CompleteAction(det.ID, true, "", "")
	require.NoError(t, err)
	assert.Empty(t, members())
	got, _ := p.GetServer(id)
	assert.Empty(t, got.PrivateNet)

	att, err := p.AttachServerToNetwork(id, AttachToNetwork{Network: n.ID})
	require.NoError(t, err)
	assert.Equal(t, MemberStatusAttaching, members()[0].Status)
	_, err = s.CompleteAction(att.ID, false, "action_failed", "")
	require.NoError(t, err)
	assert.Empty(t, members(), "a failed attach leaves the server out")

	_, err = p.DetachServerFromNetwork(id, DetachFromNetwork{Network: n.ID})
	requireCode(t, err, CodeInvalidInput)
	_, err = p.ListNetworkMembers(999, NetworkMemberFilter{}, ListOptions{})
	requireCode(t, err, CodeNotFound)
	_, err = p.ListNetworkMembers(n.ID, NetworkMemberFilter{Subnets: []string{"garbage"}}, ListOptions{})
	requireCode(t, err, CodeInvalidInput)
}

func TestDeleteSubnetRouteAndNetwork(t *testing.T) {
	_, p := newTestProject(t)
	n := netTestNetwork(t, p, "n", "10.0.0.0/16", "10.0.1.0/24", "10.0.2.0/24")
	s := netTestServer(t, p, "s", "hel1")
	_, err := p.AttachServerToNetwork(s.ID, AttachToNetwork{Network: n.ID, IPRange: netPtr("10.0.1.0/24"), AliasIPs: []string{"10.0.2.7"}})
	require.NoError(t, err)
	for _, r := range []string{"10.0.1.0/24", "10.0.2.0/24"} {
		_, err = p.DeleteSubnet(n.ID, NetworkIPRange{IPRange: r})
		e := requireCode(t, err, CodeServiceError)
		assert.Contains(t, e.Message, "network has attached resources")
	}
	_, err = p.DeleteSubnet(n.ID, NetworkIPRange{IPRange: "10.0.3.0/24"})
	requireCode(t, err, CodeNotFound)
	_, err = p.ChangeAliasIPs(s.ID, ChangeAliasIPs{Network: n.ID, AliasIPs: []string{}})
	require.NoError(t, err)
	_, err = p.DeleteSubnet(n.ID, NetworkIPRange{IPRange: "10.0.2.0/24"})
	require.NoError(t, err)

	_, err = p.AddRoute(n.ID, NetworkRoute{Destination: "10.100.1.0/24", Gateway: "10.0.1.1"})
	require.NoError(t, err)
	_, err = p.DeleteRoute(n.ID, NetworkRoute{Destination: "10.100.1.0/24", Gateway: "10.0.1.9"})
	requireCode(t, err, CodeNotFound)
	_, err = p.DeleteRoute(n.ID, NetworkRoute{Destination: "10.100.1.7/24", Gateway: "10.0.1.1"})
	require.NoError(t, err, "the destination is compared as a network")

	_, err = p.ChangeNetworkProtection(n.ID, ChangeNetworkProtection{Delete: netPtr(true)})
	require.NoError(t, err)
	e := requireCode(t, p.DeleteNetwork(n.ID), CodeProtected)
	assert.Equal(t, "network is delete protected", e.Message)
	_, err = p.ChangeNetworkProtection(n.ID, ChangeNetworkProtection{Delete: netPtr(false)})
	require.NoError(t, err)
	require.NoError(t, p.DeleteNetwork(n.ID))
	got, err := p.GetServer(s.ID)
	require.NoError(t, err)
	assert.Empty(t, got.PrivateNet, "deleting the network detaches its servers")
	requireCode(t, p.DeleteNetwork(n.ID), CodeNotFound)
}

func TestNetworkSnapshotRoundTrip(t *testing.T) {
	s, p := newTestProject(t)
	n := netTestNetwork(t, p, "n", "10.0.0.0/16", "10.0.1.0/24")
	_, err := p.AddRoute(n.ID, NetworkRoute{Destination: "0.0.0.0/0", Gateway: "10.0.1.2"})
	require.NoError(t, err)
	srv := netTestServer(t, p, "s", "hel1", n.ID)
	_, err = p.ChangeAliasIPs(srv.ID, ChangeAliasIPs{Network: n.ID, AliasIPs: []string{"10.0.1.20"}})
	require.NoError(t, err)

	snap := s.Snapshot()
	data, err := json.Marshal(snap)
	require.NoError(t, err)
	var back Snapshot
	require.NoError(t, json.Unmarshal(data, &back))
	s2 := New(catalog.Default())
	require.NoError(t, s2.Restore(back))
	p2 := s2.Project("test")
	gotNet, err := p2.GetNetwork(n.ID)
	require.NoError(t, err)
	wantNet, _ := p.GetNetwork(n.ID)
	assert.Equal(t, wantNet, gotNet)
	gotSrv, _ := p2.GetServer(srv.ID)
	wantSrv, _ := p.GetServer(srv.ID)
	assert.Equal(t, wantSrv.PrivateNet, gotSrv.PrivateNet)

	// New MAC addresses do not repeat restored ones.
	s2srv := netTestServer(t, p2, "t", "hel1", n.ID)
	assert.NotEqual(t, wantSrv.PrivateNet[0].MACAddress, s2srv.PrivateNet[0].MACAddress)
	assert.Equal(t, "10.0.1.3", s2srv.PrivateNet[0].IP)

	// Invalid snapshots are refused and change nothing.
	broken := func(change func(ps *ProjectSnapshot)) error {
		var b Snapshot
		require.NoError(t, json.Unmarshal(data, &b))
		ps := b.Projects["test"]
		change(&ps)
		b.Projects["test"] = ps
		return s2.Restore(b)
	}
	for name, change := range map[string]func(ps *ProjectSnapshot){
		"unknown network": func(ps *ProjectSnapshot) { ps.Servers[0].PrivateNet[0].Network = 777 },
		"address outside": func(ps *ProjectSnapshot) { ps.Servers[0].PrivateNet[0].IP = "10.0.9.9" },
		"alias twice":     func(ps *ProjectSnapshot) { ps.Servers[0].PrivateNet[0].AliasIPs = []string{"10.0.1.2"} },
		"bad mac":         func(ps *ProjectSnapshot) { ps.Servers[0].PrivateNet[0].MACAddress = "zz" },
		"public range":    func(ps *ProjectSnapshot) { ps.Networks[0].IPRange = "8.8.0.0/16" },
		"overlapping subnet": func(ps *ProjectSnapshot) {
			ps.Networks[0].Subnets = append(ps.Networks[0].Subnets, ps.Networks[0].Subnets[0])
		},
		"bad route":      func(ps *ProjectSnapshot) { ps.Networks[0].Routes[0].Gateway = "10.0.0.1" },
		"duplicate name": func(ps *ProjectSnapshot) { ps.Networks = append(ps.Networks, ps.Networks[0]) },
	} {
		err := broken(change)
		var e *Error
		if assert.ErrorAs(t, err, &e, name) {
			assert.Equal(t, CodeInvalidSnapshot, e.Code, name)
		}
	}
	after, _ := s2.Project("test").GetNetwork(n.ID)
	assert.Equal(t, wantNet.Name, after.Name)
}

func TestMetadataPrivateNetworks(t *testing.T) {
	s, p := newTestProject(t)
	n := netTestNetwork(t, p, "nw-test1", "10.0.0.0/8", "10.0.0.0/24")
	srv := netTestServer(t, p, "s", "hel1", n.ID)
	_, err := p.ChangeAliasIPs(srv.ID, ChangeAliasIPs{Network: n.ID, AliasIPs: []string{"10.0.0.3", "10.0.0.4"}})
	require.NoError(t, err)
	m, err := s.ServerMetadata("test", srv.ID)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf(`- ip: 10.0.0.2
  alias_ips:
  - 10.0.0.3
  - 10.0.0.4
  interface_num: 1
  mac_address: %s
  network_id: %d
  network_name: nw-test1
  network: 10.0.0.0/8
  subnet: 10.0.0.0/24
  gateway: 10.0.0.1
`, srv.PrivateNet[0].MACAddress, n.ID), m.PrivateNetworksYAML())
	assert.Equal(t, "'a: b'", yamlName("a: b"))
	assert.Equal(t, "'yes'", yamlName("yes"))
}

// Many servers attach to one network at once: every address is handed out once.
func TestConcurrentAttachesGetDistinctAddresses(t *testing.T) {
	_, p := newTestProject(t)
	n := netTestNetwork(t, p, "n", "10.0.0.0/16", "10.0.1.0/24")
	const count = 20
	ids := make([]int64, count)
	for i := range ids {
		ids[i] = netTestServer(t, p, fmt.Sprintf("s%d", i), "fsn1").ID
	}
	var wg sync.WaitGroup
	errs := make(chan error, count)
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := p.AttachServerToNetwork(id, AttachToNetwork{Network: n.ID})
			errs <- err
			_, _ = p.ListNetworkMembers(n.ID, NetworkMemberFilter{}, ListOptions{})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	pg, err := p.ListNetworkMembers(n.ID, NetworkMemberFilter{}, ListOptions{PerPage: 50, Sort: []string{"ip:desc"}})
	require.NoError(t, err)
	require.Len(t, pg.Items, count)
	seen := map[string]bool{}
	for _, m := range pg.Items {
		assert.False(t, seen[m.IP], m.IP)
		seen[m.IP] = true
	}
	assert.Equal(t, "10.0.1.21", pg.Items[0].IP, "sorted by address, descending")
	checkInvariants(t, p)
}

// 172.31.1.1 is the public interface's gateway: networks may span it, servers cannot have it.
func TestPublicGatewayIsNeverAServerAddress(t *testing.T) {
	_, p := newTestProject(t)
	n := netTestNetwork(t, p, "n", "172.16.0.0/12", "172.31.1.0/24")
	s := netTestServer(t, p, "s", "hel1")
	_, err := p.AttachServerToNetwork(s.ID, AttachToNetwork{Network: n.ID, IP: netPtr("172.31.1.1")})
	requireCode(t, err, "ip_not_available")
	_, err = p.AddRoute(n.ID, NetworkRoute{Destination: "10.0.0.0/8", Gateway: "172.31.1.1"})
	requireCode(t, err, CodeInvalidInput)
	bare := netTestNetwork(t, p, "bare", "172.16.0.0/12")
	_, err = p.AddRoute(bare.ID, NetworkRoute{Destination: "172.31.0.0/16", Gateway: "172.16.0.9"})
	e := requireCode(t, err, CodeInvalidInput)
	assert.Contains(t, e.Message, "destination")
	_, err = p.AddRoute(bare.ID, NetworkRoute{Destination: "172.30.0.0/16", Gateway: "172.16.0.9"})
	require.NoError(t, err)
}
