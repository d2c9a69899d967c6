package handlers_test

// Floating IPs through hcloud-go v2.52.0: what it sends (Create with a home location or a
// server, Assign, Unassign with {}, ChangeDNSPtr with null to reset, ChangeProtection, Update
// with omitempty fields, Delete) and what it parses (IP and Network, the DNSPtr map, Server).

import (
	"context"
	"net"
	"testing"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/testkit"
)

func TestFloatingIPsWithHcloudGo(t *testing.T) {
	srv := testkit.New(t)
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()

	created, _, err := client.FloatingIP.Create(ctx, hcloud.FloatingIPCreateOpts{
		Type: hcloud.FloatingIPTypeIPv4, HomeLocation: &hcloud.Location{Name: "fsn1"}, Name: hcloud.Ptr("vip"),
		Description: hcloud.Ptr("entry point"), Labels: map[string]string{"role": "lb"},
	})
	require.NoError(t, err)
	assert.Nil(t, created.Action, "no action without a server")
	vip := created.FloatingIP
	assert.Equal(t, "vip", vip.Name)
	assert.Equal(t, "entry point", vip.Description)
	assert.Equal(t, hcloud.FloatingIPTypeIPv4, vip.Type)
	assert.True(t, docV4.Contains(vip.IP), vip.IP.String())
	assert.Nil(t, vip.Server)
	assert.Equal(t, "fsn1", vip.HomeLocation.Name)
	assert.False(t, vip.Blocked)
	ptr, err := vip.GetDNSPtrForIP(vip.IP)
	require.NoError(t, err)
	assert.Equal(t, "static."+vip.IP.String()+".clients.your-server.de", ptr)

	_, _, err = client.FloatingIP.Create(ctx, hcloud.FloatingIPCreateOpts{Type: hcloud.FloatingIPTypeIPv6,
		HomeLocation: &hcloud.Location{Name: "fsn1"}, Name: hcloud.Ptr("vip")})
	requireHcloudError(t, err, hcloud.ErrorCodeUniquenessError)

	// Created on a server in another location: home is there, the assignment is an action.
	web := createServer(t, client, hcloud.ServerCreateOpts{Name: "web", Location: &hcloud.Location{Name: "hel1"}})
	onServer, _, err := client.FloatingIP.Create(ctx, hcloud.FloatingIPCreateOpts{Type: hcloud.FloatingIPTypeIPv6, Server: web})
	require.NoError(t, err)
	require.NotNil(t, onServer.Action)
	assert.Equal(t, "assign_floating_ip", onServer.Action.Command)
	require.NoError(t, client.Action.WaitFor(ctx, onServer.Action))
	v6, _, err := client.FloatingIP.GetByID(ctx, onServer.FloatingIP.ID)
	require.NoError(t, err)
	require.NotNil(t, v6.Server)
	assert.Equal(t, web.ID, v6.Server.ID)
	assert.Equal(t, "hel1", v6.HomeLocation.Name)
	ones, bits := v6.Network.Mask.Size()
	assert.Equal(t, []int{64, 128}, []int{ones, bits})
	assert.True(t, docV6.Contains(v6.IP))
	assert.Empty(t, v6.DNSPtr)

	// Assign the IPv4 to the server, then move it to a server in another location.
	action, _, err := client.FloatingIP.Assign(ctx, vip, web)
	require.NoError(t, err)
	assert.Equal(t, "assign_floating_ip", action.Command)
	require.NoError(t, client.Action.WaitFor(ctx, action))
	got, _, err := client.Server.GetByID(ctx, web.ID)
	require.NoError(t, err)
	assert.ElementsMatch(t, []int64{vip.ID, v6.ID}, floatingIDs(got.PublicNet.FloatingIPs))

	_, _, err = client.FloatingIP.Assign(ctx, vip, web)
	requireHcloudError(t, err, hcloud.ErrorCode("floating_ip_assigned"))

	db := createServer(t, client, hcloud.ServerCreateOpts{Name: "db", Location: &hcloud.Location{Name: "sin"}})
	action, _, err = client.FloatingIP.Assign(ctx, vip, db)
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, action))
	vip, _, err = client.FloatingIP.Get(ctx, "vip")
	require.NoError(t, err)
	require.NotNil(t, vip.Server)
	assert.Equal(t, db.ID, vip.Server.ID)
	got, _, err = client.Server.GetByID(ctx, web.ID)
	require.NoError(t, err)
	assert.Equal(t, []int64{v6.ID}, floatingIDs(got.PublicNet.FloatingIPs))

	// Deleting an assigned IP is refused (must_be_unassigned); unassign first.
	_, err = client.FloatingIP.Delete(ctx, vip)
	requireHcloudError(t, err, hcloud.ErrorCode("must_be_unassigned"))
	action, _, err = client.FloatingIP.Unassign(ctx, vip)
	require.NoError(t, err)
	assert.Equal(t, "unassign_floating_ip", action.Command)
	require.NoError(t, client.Action.WaitFor(ctx, action))
	vip, _, err = client.FloatingIP.GetByID(ctx, vip.ID)
	require.NoError(t, err)
	assert.Nil(t, vip.Server)

	// Reverse DNS: set one address of the /64, then reset the IPv4 entry with nil.
	addr := make(net.IP, len(v6.IP))
	copy(addr, v6.IP)
	addr[15] = 1
	action, _, err = client.FloatingIP.ChangeDNSPtr(ctx, v6, addr.String(), hcloud.Ptr("s1.example.com"))
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, action))
	action, _, err = client.FloatingIP.ChangeDNSPtr(ctx, vip, vip.IP.String(), hcloud.Ptr("vip.example.com"))
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, action))
	vip, _, _ = client.FloatingIP.GetByID(ctx, vip.ID)
	assert.Equal(t, map[string]string{vip.IP.String(): "vip.example.com"}, vip.DNSPtr)
	action, _, err = client.FloatingIP.ChangeDNSPtr(ctx, vip, vip.IP.String(), nil)
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, action))
	vip, _, _ = client.FloatingIP.GetByID(ctx, vip.ID)
	assert.Equal(t, "static."+vip.IP.String()+".clients.your-server.de", vip.DNSPtr[vip.IP.String()])
	v6, _, _ = client.FloatingIP.GetByID(ctx, v6.ID)
	assert.Equal(t, map[string]string{addr.String(): "s1.example.com"}, v6.DNSPtr)
	_, _, err = client.FloatingIP.ChangeDNSPtr(ctx, vip, "192.0.2.1", hcloud.Ptr("x.example.com"))
	requireHcloudError(t, err, hcloud.ErrorCodeInvalidInput)

	// Update: hcloud-go leaves empty fields out.
	vip, _, err = client.FloatingIP.Update(ctx, vip, hcloud.FloatingIPUpdateOpts{Name: "vip-2", Description: "moved"})
	require.NoError(t, err)
	assert.Equal(t, "vip-2", vip.Name)
	assert.Equal(t, "moved", vip.Description)
	assert.Equal(t, map[string]string{"role": "lb"}, vip.Labels)
	vip, _, err = client.FloatingIP.Update(ctx, vip, hcloud.FloatingIPUpdateOpts{Labels: map[string]string{}})
	require.NoError(t, err)
	assert.Empty(t, vip.Labels)
	assert.Equal(t, "vip-2", vip.Name)

	// Protection blocks deletion until it is lifted.
	action, _, err = client.FloatingIP.ChangeProtection(ctx, vip, hcloud.FloatingIPChangeProtectionOpts{Delete: hcloud.Ptr(true)})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, action))
	vip, _, _ = client.FloatingIP.GetByID(ctx, vip.ID)
	assert.True(t, vip.Protection.Delete)
	_, err = client.FloatingIP.Delete(ctx, vip)
	requireHcloudError(t, err, hcloud.ErrorCodeProtected)
	_, _, err = client.FloatingIP.ChangeProtection(ctx, vip, hcloud.FloatingIPChangeProtectionOpts{})
	requireHcloudError(t, err, hcloud.ErrorCodeInvalidInput)
	action, _, err = client.FloatingIP.ChangeProtection(ctx, vip, hcloud.FloatingIPChangeProtectionOpts{Delete: hcloud.Ptr(false)})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, action))
	_, err = client.FloatingIP.Delete(ctx, vip)
	require.NoError(t, err)
	gone, _, err := client.FloatingIP.GetByID(ctx, vip.ID)
	require.NoError(t, err)
	assert.Nil(t, gone, "a deleted floating IP is not found")

	// Lists and the action endpoints.
	all, err := client.FloatingIP.All(ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, v6.ID, all[0].ID)
	actions, err := client.FloatingIP.Action.All(ctx, hcloud.ActionListOpts{})
	require.NoError(t, err)
	commands := map[string]int{}
	for _, a := range actions {
		commands[a.Command]++
	}
	assert.Equal(t, map[string]int{"assign_floating_ip": 3, "unassign_floating_ip": 1, "change_dns_ptr": 3,
		"change_protection": 2}, commands)
	one, _, err := client.FloatingIP.Action.GetByID(ctx, onServer.Action.ID)
	require.NoError(t, err)
	assert.Equal(t, "assign_floating_ip", one.Command)

	// Deleting the server unassigns its floating IPs.
	res, _, err := client.Server.DeleteWithResult(ctx, web)
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, res.Action))
	v6, _, _ = client.FloatingIP.GetByID(ctx, v6.ID)
	assert.Nil(t, v6.Server)
	srv.CheckInvariants(t, testkit.Invariants{ActionsFinished: true})
}

func floatingIDs(fips []*hcloud.FloatingIP) []int64 {
	ids := []int64{}
	for _, f := range fips {
		ids = append(ids, f.ID)
	}
	return ids
}
