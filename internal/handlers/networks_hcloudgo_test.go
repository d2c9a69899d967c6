package handlers_test

// Networks and server attachments through the real Go client, hcloud-go v2.52.0.

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/hetznercloud/hcloud-go/v2/hcloud/metadata"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/testkit"
)

func cidr(t *testing.T, s string) *net.IPNet {
	t.Helper()
	_, n, err := net.ParseCIDR(s)
	require.NoError(t, err)
	return n
}

func TestNetworkLifecycleWithHcloudGo(t *testing.T) {
	srv := testkit.New(t)
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()

	n, _, err := client.Network.Create(ctx, hcloud.NetworkCreateOpts{
		Name:    "mynet",
		IPRange: cidr(t, "10.0.0.0/24"),
		Labels:  map[string]string{"env": "test"},
		Subnets: []hcloud.NetworkSubnet{{Type: hcloud.NetworkSubnetTypeCloud, NetworkZone: hcloud.NetworkZoneEUCentral, IPRange: cidr(t, "10.0.0.0/25")}},
		Routes:  []hcloud.NetworkRoute{{Destination: cidr(t, "10.100.0.0/24"), Gateway: net.ParseIP("10.0.0.5")}},
	})
	require.NoError(t, err)
	assert.Equal(t, "mynet", n.Name)
	assert.Equal(t, "10.0.0.0/24", n.IPRange.String())
	require.Len(t, n.Subnets, 1)
	assert.Equal(t, "10.0.0.1", n.Subnets[0].Gateway.String())
	require.Len(t, n.Routes, 1)

	_, _, err = client.Network.Create(ctx, hcloud.NetworkCreateOpts{Name: "mynet", IPRange: cidr(t, "10.1.0.0/16")})
	requireHcloudError(t, err, hcloud.ErrorCodeUniquenessError)

	// change_ip_range as the CLI's live test does it: 10.0.2.0/16 grows 10.0.0.0/24 to 10.0.0.0/16.
	a, _, err := client.Network.ChangeIPRange(ctx, n, hcloud.NetworkChangeIPRangeOpts{IPRange: cidr(t, "10.0.2.0/16")})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, a))
	_, _, err = client.Network.ChangeIPRange(ctx, n, hcloud.NetworkChangeIPRangeOpts{IPRange: cidr(t, "10.0.0.0/20")})
	requireHcloudError(t, err, hcloud.ErrorCodeInvalidInput)

	a, _, err = client.Network.AddSubnet(ctx, n, hcloud.NetworkAddSubnetOpts{Subnet: hcloud.NetworkSubnet{
		Type: hcloud.NetworkSubnetTypeCloud, NetworkZone: hcloud.NetworkZoneEUCentral, IPRange: cidr(t, "10.0.16.0/24")}})
	require.NoError(t, err)
	assert.Equal(t, "add_subnet", a.Command)
	require.NoError(t, client.Action.WaitFor(ctx, a))
	_, _, err = client.Network.AddSubnet(ctx, n, hcloud.NetworkAddSubnetOpts{Subnet: hcloud.NetworkSubnet{
		Type: hcloud.NetworkSubnetTypeVSwitch, VSwitchID: 42, NetworkZone: hcloud.NetworkZoneEUCentral, IPRange: cidr(t, "10.0.17.0/24")}})
	requireHcloudError(t, err, hcloud.ErrorCodeServiceError)
	assert.Contains(t, err.Error(), "vswitch not found")

	a, _, err = client.Network.AddRoute(ctx, n, hcloud.NetworkAddRouteOpts{Route: hcloud.NetworkRoute{
		Destination: cidr(t, "10.100.1.0/24"), Gateway: net.ParseIP("10.0.1.1")}})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, a))
	_, _, err = client.Network.AddRoute(ctx, n, hcloud.NetworkAddRouteOpts{Route: hcloud.NetworkRoute{
		Destination: cidr(t, "10.100.2.0/24"), Gateway: net.ParseIP("172.31.1.1")}})
	requireHcloudError(t, err, hcloud.ErrorCodeInvalidInput)

	yes := true
	n, _, err = client.Network.Update(ctx, n, hcloud.NetworkUpdateOpts{Name: "renamed", ExposeRoutesToVSwitch: &yes})
	require.NoError(t, err)
	assert.True(t, n.ExposeRoutesToVSwitch)

	got, _, err := client.Network.Get(ctx, "renamed")
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, "10.0.0.0/16", got.IPRange.String())
	var ranges []string
	for _, s := range got.Subnets {
		ranges = append(ranges, s.IPRange.String()+" gw "+s.Gateway.String())
	}
	assert.Equal(t, []string{"10.0.0.0/25 gw 10.0.0.1", "10.0.16.0/24 gw 10.0.0.1"}, ranges)
	assert.Len(t, got.Routes, 2)
	all, err := client.Network.AllWithOpts(ctx, hcloud.NetworkListOpts{ListOpts: hcloud.ListOpts{LabelSelector: "env=test"}})
	require.NoError(t, err)
	assert.Len(t, all, 1)

	a, _, err = client.Network.DeleteRoute(ctx, got, hcloud.NetworkDeleteRouteOpts{Route: got.Routes[1]})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, a))
	a, _, err = client.Network.DeleteSubnet(ctx, got, hcloud.NetworkDeleteSubnetOpts{Subnet: got.Subnets[1]})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, a))

	a, _, err = client.Network.ChangeProtection(ctx, got, hcloud.NetworkChangeProtectionOpts{Delete: &yes})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, a))
	_, err = client.Network.Delete(ctx, got)
	requireHcloudError(t, err, hcloud.ErrorCodeProtected)
	no := false
	a, _, err = client.Network.ChangeProtection(ctx, got, hcloud.NetworkChangeProtectionOpts{Delete: &no})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, a))

	actions, err := client.Network.Action.All(ctx, hcloud.ActionListOpts{})
	require.NoError(t, err)
	var commands []string
	for _, act := range actions {
		commands = append(commands, act.Command)
	}
	assert.Subset(t, commands, []string{"change_ip_range", "add_subnet", "add_route", "delete_route", "delete_subnet", "change_protection"})

	_, err = client.Network.Delete(ctx, got)
	require.NoError(t, err)
	gone, _, err := client.Network.GetByID(ctx, got.ID)
	require.NoError(t, err)
	assert.Nil(t, gone)
}

func TestServersInNetworksWithHcloudGo(t *testing.T) {
	srv := testkit.New(t)
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()

	n, _, err := client.Network.Create(ctx, hcloud.NetworkCreateOpts{Name: "lan", IPRange: cidr(t, "10.0.0.0/16"),
		Subnets: []hcloud.NetworkSubnet{{Type: hcloud.NetworkSubnetTypeCloud, NetworkZone: hcloud.NetworkZoneEUCentral, IPRange: cidr(t, "10.0.1.0/24")}}})
	require.NoError(t, err)
	overlapping, _, err := client.Network.Create(ctx, hcloud.NetworkCreateOpts{Name: "wide", IPRange: cidr(t, "10.0.0.0/8"),
		Subnets: []hcloud.NetworkSubnet{{Type: hcloud.NetworkSubnetTypeCloud, NetworkZone: hcloud.NetworkZoneEUCentral, IPRange: cidr(t, "10.5.0.0/24")}}})
	require.NoError(t, err)

	// Attached at create.
	web := createServer(t, client, hcloud.ServerCreateOpts{Name: "web", Location: &hcloud.Location{Name: "fsn1"}, Networks: []*hcloud.Network{n}})
	require.Len(t, web.PrivateNet, 1)
	assert.Equal(t, n.ID, web.PrivateNet[0].Network.ID)
	assert.Equal(t, "10.0.1.2", web.PrivateNet[0].IP.String())
	assert.NotEmpty(t, web.PrivateNet[0].MACAddress)
	pn := web.PrivateNetFor(n)
	require.NotNil(t, pn)

	db := createServer(t, client, hcloud.ServerCreateOpts{Name: "db", Location: &hcloud.Location{Name: "hel1"}})
	a, _, err := client.Server.AttachToNetwork(ctx, db, hcloud.ServerAttachToNetworkOpts{Network: n, IP: net.ParseIP("10.0.1.20"),
		AliasIPs: []net.IP{net.ParseIP("10.0.1.21")}, IPRange: cidr(t, "10.0.1.0/24")})
	require.NoError(t, err)
	assert.Equal(t, "attach_to_network", a.Command)
	require.Len(t, a.Resources, 2)
	assert.Equal(t, hcloud.ActionResourceTypeServer, a.Resources[0].Type)
	assert.Equal(t, hcloud.ActionResourceTypeNetwork, a.Resources[1].Type)
	require.NoError(t, client.Action.WaitFor(ctx, a))

	_, _, err = client.Server.AttachToNetwork(ctx, db, hcloud.ServerAttachToNetworkOpts{Network: n})
	requireHcloudError(t, err, hcloud.ErrorCodeServerAlreadyAttached)
	_, _, err = client.Server.AttachToNetwork(ctx, db, hcloud.ServerAttachToNetworkOpts{Network: overlapping})
	requireHcloudError(t, err, hcloud.ErrorCodeNetworksOverlap)
	other := createServer(t, client, hcloud.ServerCreateOpts{Name: "other", Location: &hcloud.Location{Name: "nbg1"}})
	_, _, err = client.Server.AttachToNetwork(ctx, other, hcloud.ServerAttachToNetworkOpts{Network: n, IP: net.ParseIP("10.0.1.21")})
	requireHcloudError(t, err, hcloud.ErrorCodeIPNotAvailable)
	_, _, err = client.Server.AttachToNetwork(ctx, other, hcloud.ServerAttachToNetworkOpts{Network: n, IPRange: cidr(t, "10.0.9.0/24")})
	requireHcloudError(t, err, hcloud.ErrorCodeNoSubnetAvailable)
	_, _, err = client.Server.AttachToNetwork(ctx, other, hcloud.ServerAttachToNetworkOpts{Network: &hcloud.Network{ID: 999999}})
	requireHcloudError(t, err, hcloud.ErrorCodeNotFound)

	a, _, err = client.Server.ChangeAliasIPs(ctx, db, hcloud.ServerChangeAliasIPsOpts{Network: n,
		AliasIPs: []net.IP{net.ParseIP("10.0.1.22"), net.ParseIP("10.0.1.23")}})
	require.NoError(t, err)
	assert.Equal(t, "change_alias_ips", a.Command)
	require.NoError(t, client.Action.WaitFor(ctx, a))
	got, _, err := client.Server.GetByID(ctx, db.ID)
	require.NoError(t, err)
	require.Len(t, got.PrivateNet, 1)
	assert.Equal(t, "10.0.1.20", got.PrivateNet[0].IP.String())
	assert.Equal(t, []string{"10.0.1.22", "10.0.1.23"}, []string{got.PrivateNet[0].Aliases[0].String(), got.PrivateNet[0].Aliases[1].String()})
	_, _, err = client.Server.ChangeAliasIPs(ctx, db, hcloud.ServerChangeAliasIPsOpts{Network: n, AliasIPs: []net.IP{net.ParseIP("10.0.1.2")}})
	requireHcloudError(t, err, hcloud.ErrorCodeIPNotAvailable)

	nw, _, err := client.Network.GetByID(ctx, n.ID)
	require.NoError(t, err)
	var servers []int64
	for _, s := range nw.Servers {
		servers = append(servers, s.ID)
	}
	assert.Equal(t, []int64{web.ID, db.ID}, servers)

	members, err := client.Network.AllMembers(ctx, n)
	require.NoError(t, err)
	require.Len(t, members, 2)
	assert.Equal(t, hcloud.NetworkMemberTypeServer, members[1].Type)
	assert.Equal(t, db.ID, members[1].ID)
	assert.Equal(t, "10.0.1.20", members[1].IP.String())
	assert.Equal(t, hcloud.NetworkMemberStatusOK, members[1].Status)
	assert.Equal(t, "10.0.1.0/24", members[1].Subnet.String())
	require.Len(t, members[1].AliasIPs, 2)
	sorted, _, err := client.Network.ListMembers(ctx, n, hcloud.NetworkMemberListOpts{Sort: []string{"ip:desc"},
		Subnet: []*net.IPNet{cidr(t, "10.0.1.0/24")}, Type: []hcloud.NetworkMemberType{hcloud.NetworkMemberTypeServer},
		Status: []hcloud.NetworkMemberStatus{hcloud.NetworkMemberStatusOK}})
	require.NoError(t, err)
	require.Len(t, sorted, 2)
	assert.Equal(t, db.ID, sorted[0].ID)
	none, _, err := client.Network.ListMembers(ctx, n, hcloud.NetworkMemberListOpts{Type: []hcloud.NetworkMemberType{hcloud.NetworkMemberTypeLoadBalancer}})
	require.NoError(t, err)
	assert.Empty(t, none)

	// The server sees its networks in the metadata service (hcloud-go's client, naming the server).
	md := metadata.NewClient(metadata.WithEndpoint(srv.BaseURL+"/hetzner/v1/metadata"),
		metadata.WithHTTPClient(&http.Client{Transport: headerTransport{"X-Server-Id": fmt.Sprint(db.ID)}}))
	text, err := md.PrivateNetworks()
	require.NoError(t, err)
	assert.Contains(t, text, "- ip: 10.0.1.20\n")
	assert.Contains(t, text, "  - 10.0.1.22\n")
	assert.Contains(t, text, "  network_name: lan\n")

	// A subnet with servers cannot go; detaching frees it.
	_, _, err = client.Network.DeleteSubnet(ctx, nw, hcloud.NetworkDeleteSubnetOpts{Subnet: nw.Subnets[0]})
	requireHcloudError(t, err, hcloud.ErrorCodeServiceError)
	assert.True(t, strings.Contains(err.Error(), "network has attached resources"), err.Error())
	for _, s := range []*hcloud.Server{web, db} {
		a, _, err = client.Server.DetachFromNetwork(ctx, s, hcloud.ServerDetachFromNetworkOpts{Network: n})
		require.NoError(t, err)
		assert.Equal(t, "detach_from_network", a.Command)
		require.NoError(t, client.Action.WaitFor(ctx, a))
	}
	_, _, err = client.Server.DetachFromNetwork(ctx, db, hcloud.ServerDetachFromNetworkOpts{Network: n})
	requireHcloudError(t, err, hcloud.ErrorCodeInvalidInput)
	got, _, err = client.Server.GetByID(ctx, db.ID)
	require.NoError(t, err)
	assert.Empty(t, got.PrivateNet)
	a, _, err = client.Network.DeleteSubnet(ctx, nw, hcloud.NetworkDeleteSubnetOpts{Subnet: nw.Subnets[0]})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, a))

	// Deleting a network detaches what is still attached.
	_ = createServer(t, client, hcloud.ServerCreateOpts{Name: "late", Location: &hcloud.Location{Name: "fsn1"}, Networks: []*hcloud.Network{overlapping}})
	_, err = client.Network.Delete(ctx, overlapping)
	require.NoError(t, err)
	late, _, err := client.Server.GetByName(ctx, "late")
	require.NoError(t, err)
	assert.Empty(t, late.PrivateNet)
}
