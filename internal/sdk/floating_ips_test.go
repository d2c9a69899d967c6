package sdk_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/sdk"
	"github.com/fakehetzner/fakehetzner/testkit"
)

func TestFloatingIPs(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, []testkit.Option{testkit.WithTimeSource(frozenWall)}, tinyPolls)
	fips := client.Cloud().FloatingIPs()
	wait := waiter(t, client)

	res, err := fips.Create(ctx, sdk.FloatingIPCreateOpts{Type: "ipv4", Name: "vip", Description: "entry",
		HomeLocation: "nbg1", Labels: map[string]string{"k": "v"}})
	require.NoError(t, err)
	assert.Nil(t, res.Action, "no action without a server")
	vip := res.FloatingIP
	assert.Equal(t, sdk.FloatingIP{ID: vip.ID, Name: "vip", Description: sdk.Ptr("entry"), Type: "ipv4", IP: vip.IP,
		DNSPtr:       []sdk.DNSPtr{{IP: vip.IP, DNSPtr: "static." + vip.IP + ".clients.your-server.de"}},
		HomeLocation: vip.HomeLocation, Labels: map[string]string{"k": "v"}, Created: frozenWall()}, vip)
	assert.Equal(t, "nbg1", vip.HomeLocation.Name)
	assert.True(t, netip.MustParseAddr(vip.IP).Is4())

	_, err = fips.Create(ctx, sdk.FloatingIPCreateOpts{Type: "ipv4", Name: "vip", HomeLocation: "nbg1"})
	requireNetErr(t, err, sdk.ErrUniqueness, 409, "name")
	_, err = fips.Create(ctx, sdk.FloatingIPCreateOpts{Type: "ipv4"})
	requireNetErr(t, err, sdk.ErrInvalidInput, 422, "home_location")

	// Created on a server: the answer carries the assign action and the server's location.
	server := createServer(t, client, "holder").Server
	onServer, err := fips.Create(ctx, sdk.FloatingIPCreateOpts{Type: "ipv6", Server: server.ID})
	require.NoError(t, err)
	require.NotNil(t, onServer.Action)
	assert.Equal(t, "assign_floating_ip", onServer.Action.Command)
	require.NoError(t, client.Cloud().Actions().WaitFor(ctx, onServer.Action))
	v6, err := fips.Get(ctx, onServer.FloatingIP.ID)
	require.NoError(t, err)
	require.NotNil(t, v6.Server)
	assert.Equal(t, server.ID, *v6.Server)
	assert.Equal(t, "hel1", v6.HomeLocation.Name)
	assert.True(t, strings.HasSuffix(v6.IP, "/64"), v6.IP)

	wait(fips.Assign(ctx, vip.ID, server.ID))
	got, err := client.Cloud().Servers().Get(ctx, server.ID)
	require.NoError(t, err)
	assert.Equal(t, []int64{vip.ID, v6.ID}, got.PublicNet.FloatingIPs)
	_, err = fips.Assign(ctx, vip.ID, server.ID)
	requireNetErr(t, err, sdk.Code("floating_ip_assigned"), 422, "")

	assert.ErrorIs(t, fips.Delete(ctx, vip.ID), sdk.Code("must_be_unassigned"))
	wait(fips.Unassign(ctx, vip.ID))
	vip, err = fips.Get(ctx, vip.ID)
	require.NoError(t, err)
	assert.Nil(t, vip.Server)

	wait(fips.ChangeDNSPtr(ctx, vip.ID, vip.IP, sdk.Ptr("vip.example.com")))
	vip, _ = fips.Get(ctx, vip.ID)
	assert.Equal(t, []sdk.DNSPtr{{IP: vip.IP, DNSPtr: "vip.example.com"}}, vip.DNSPtr)
	wait(fips.ChangeDNSPtr(ctx, vip.ID, vip.IP, nil))
	vip, _ = fips.Get(ctx, vip.ID)
	assert.Equal(t, "static."+vip.IP+".clients.your-server.de", vip.DNSPtr[0].DNSPtr)

	// Update: a pointer to "" removes the description; nil keeps it.
	vip, err = fips.Update(ctx, vip.ID, sdk.FloatingIPUpdateOpts{Name: "vip-2"})
	require.NoError(t, err)
	assert.Equal(t, "vip-2", vip.Name)
	assert.Equal(t, sdk.Ptr("entry"), vip.Description)
	vip, err = fips.Update(ctx, vip.ID, sdk.FloatingIPUpdateOpts{Description: sdk.Ptr(""), Labels: map[string]string{}})
	require.NoError(t, err)
	assert.Nil(t, vip.Description)
	assert.Empty(t, vip.Labels)

	byName, _, err := fips.List(ctx, sdk.FloatingIPListOpts{Name: "vip-2"})
	require.NoError(t, err)
	require.Len(t, byName, 1)
	assert.Equal(t, vip.ID, byName[0].ID)
	var all []int64
	for f, err := range fips.All(ctx, sdk.FloatingIPListOpts{Sort: []string{"id:desc"}, PerPage: 1}) {
		require.NoError(t, err)
		all = append(all, f.ID)
	}
	assert.Equal(t, []int64{v6.ID, vip.ID}, all)

	wait(fips.ChangeProtection(ctx, vip.ID, true))
	assert.ErrorIs(t, fips.Delete(ctx, vip.ID), sdk.ErrProtected)
	wait(fips.ChangeProtection(ctx, vip.ID, false))

	acts, _, err := fips.ListActions(ctx, vip.ID, sdk.ActionListOpts{Sort: []string{"id"}})
	require.NoError(t, err)
	var commands []string
	for _, a := range acts {
		commands = append(commands, a.Command)
	}
	assert.Equal(t, []string{"assign_floating_ip", "unassign_floating_ip", "change_dns_ptr", "change_dns_ptr",
		"change_protection", "change_protection"}, commands)

	require.NoError(t, fips.Delete(ctx, vip.ID))
	_, err = fips.Get(ctx, vip.ID)
	assert.ErrorIs(t, err, sdk.ErrNotFound)
}
