package sdk_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/sdk"
)

func TestPrimaryIPs(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	ips := client.Cloud().PrimaryIPs()
	wait := func(a sdk.Action, err error) {
		t.Helper()
		require.NoError(t, err)
		require.NoError(t, client.Cloud().Actions().Wait(ctx, a))
	}

	res, err := ips.Create(ctx, sdk.PrimaryIPCreateOpts{Name: "ip-1", Type: "ipv4", Location: "hel1", Labels: map[string]string{"k": "v"}})
	require.NoError(t, err)
	ip := res.PrimaryIP
	assert.Equal(t, "unassigned", ip.AssigneeType)
	assert.Nil(t, ip.AssigneeID)
	assert.Equal(t, "hel1", ip.Location.Name)
	require.NoError(t, client.Cloud().Actions().WaitFor(ctx, res.Action))

	byIP, _, err := ips.List(ctx, sdk.PrimaryIPListOpts{IP: ip.IP})
	require.NoError(t, err)
	require.Len(t, byIP, 1)
	assert.Equal(t, ip.ID, byIP[0].ID)

	updated, err := ips.Update(ctx, ip.ID, sdk.PrimaryIPUpdateOpts{Name: "ip-one", AutoDelete: sdk.Ptr(true)})
	require.NoError(t, err)
	assert.Equal(t, "ip-one", updated.Name)
	assert.True(t, updated.AutoDelete)
	assert.Equal(t, map[string]string{"k": "v"}, updated.Labels)
	_, err = ips.Update(ctx, ip.ID, sdk.PrimaryIPUpdateOpts{AutoDelete: sdk.Ptr(false)})
	require.NoError(t, err)

	wait(ips.ChangeDNSPtr(ctx, ip.ID, ip.IP, sdk.Ptr("mail.example.com")))
	got, err := ips.Get(ctx, ip.ID)
	require.NoError(t, err)
	assert.Contains(t, got.DNSPtr, sdk.DNSPtr{IP: ip.IP, DNSPtr: "mail.example.com"})

	server := createServer(t, client, "holder", func(o *sdk.ServerCreateOpts) {
		o.StartAfterCreate = sdk.Ptr(false)
		o.PublicNet = &sdk.ServerCreatePublicNet{EnableIPv4: false, EnableIPv6: true}
	}).Server
	wait(ips.Assign(ctx, ip.ID, server.ID))
	got, err = ips.Get(ctx, ip.ID)
	require.NoError(t, err)
	require.NotNil(t, got.AssigneeID)
	assert.Equal(t, server.ID, *got.AssigneeID)
	assert.Equal(t, "server", got.AssigneeType)

	err = ips.Delete(ctx, ip.ID)
	assert.ErrorIs(t, err, sdk.Code("must_be_unassigned"))
	wait(ips.Unassign(ctx, ip.ID))

	wait(ips.ChangeProtection(ctx, ip.ID, true))
	assert.ErrorIs(t, ips.Delete(ctx, ip.ID), sdk.ErrProtected)
	wait(ips.ChangeProtection(ctx, ip.ID, false))

	acts, _, err := ips.ListActions(ctx, ip.ID, sdk.ActionListOpts{Statuses: []sdk.ActionStatus{sdk.ActionStatusSuccess}})
	require.NoError(t, err)
	assert.NotEmpty(t, acts)

	require.NoError(t, ips.Delete(ctx, ip.ID))
	_, err = ips.Get(ctx, ip.ID)
	assert.ErrorIs(t, err, sdk.ErrNotFound)

	// Created straight onto a stopped server.
	assigned, err := ips.Create(ctx, sdk.PrimaryIPCreateOpts{Name: "ip-2", Type: "ipv4", AssigneeID: server.ID})
	require.NoError(t, err)
	require.NotNil(t, assigned.Action)
	require.NoError(t, client.Cloud().Actions().WaitFor(ctx, assigned.Action))
	require.NotNil(t, assigned.PrimaryIP.AssigneeID)
	assert.Equal(t, server.ID, *assigned.PrimaryIP.AssigneeID)
}

func TestPlacementGroups(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	pgs := client.Cloud().PlacementGroups()
	pg, err := pgs.Create(ctx, sdk.PlacementGroupCreateOpts{Name: "spread-1", Type: "spread", Labels: map[string]string{"a": "b"}})
	require.NoError(t, err)
	assert.Empty(t, pg.Servers)

	got, err := pgs.Get(ctx, pg.ID)
	require.NoError(t, err)
	assert.Equal(t, pg, got)

	server := createServer(t, client, "member", func(o *sdk.ServerCreateOpts) { o.PlacementGroup = pg.ID }).Server
	got, err = pgs.Get(ctx, pg.ID)
	require.NoError(t, err)
	assert.Equal(t, []int64{server.ID}, got.Servers)

	updated, err := pgs.Update(ctx, pg.ID, sdk.PlacementGroupUpdateOpts{Name: "spread-one"})
	require.NoError(t, err)
	assert.Equal(t, "spread-one", updated.Name)
	assert.Equal(t, map[string]string{"a": "b"}, updated.Labels)

	var names []string
	for p, err := range pgs.All(ctx, sdk.PlacementGroupListOpts{Types: []string{"spread"}}) {
		require.NoError(t, err)
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{"spread-one"}, names)

	_, err = pgs.Create(ctx, sdk.PlacementGroupCreateOpts{Name: "spread-one", Type: "spread"})
	assert.ErrorIs(t, err, sdk.ErrUniqueness)

	require.NoError(t, pgs.Delete(ctx, pg.ID))
	_, err = pgs.Get(ctx, pg.ID)
	assert.ErrorIs(t, err, sdk.ErrNotFound)
}

func TestSnapshotsCanBeUpdatedProtectedAndDeleted(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	images := client.Cloud().Images()
	server := createServer(t, client, "source").Server
	_, err := client.Cloud().Servers().CreateImage(ctx, server.ID, sdk.ServerCreateImageOpts{Type: sdk.ImageTypeBackup})
	assert.ErrorIs(t, err, sdk.ErrInvalidInput, "backups need enable_backup first")
	act, err := client.Cloud().Servers().EnableBackup(ctx, server.ID)
	require.NoError(t, err)
	require.NoError(t, client.Cloud().Actions().Wait(ctx, act))
	res, err := client.Cloud().Servers().CreateImage(ctx, server.ID, sdk.ServerCreateImageOpts{Type: sdk.ImageTypeBackup})
	require.NoError(t, err)
	require.NoError(t, client.Cloud().Actions().Wait(ctx, res.Action))
	assert.Equal(t, sdk.ImageTypeBackup, res.Image.Type)

	updated, err := images.Update(ctx, res.Image.ID, sdk.ImageUpdateOpts{Description: "keep", Labels: map[string]string{"x": "y"}, ConvertToSnapshot: true})
	require.NoError(t, err)
	assert.Equal(t, sdk.ImageTypeSnapshot, updated.Type)
	assert.Equal(t, "keep", updated.Description)
	assert.Equal(t, map[string]string{"x": "y"}, updated.Labels)

	own, _, err := images.List(ctx, sdk.ImageListOpts{Types: []sdk.ImageType{sdk.ImageTypeSnapshot}, LabelSelector: sdk.Selector().Exists("x").String()})
	require.NoError(t, err)
	require.Len(t, own, 1)
	assert.Equal(t, res.Image.ID, own[0].ID)

	act, err = images.ChangeProtection(ctx, res.Image.ID, true)
	require.NoError(t, err)
	require.NoError(t, client.Cloud().Actions().Wait(ctx, act))
	assert.ErrorIs(t, images.Delete(ctx, res.Image.ID), sdk.ErrProtected)
	act, err = images.ChangeProtection(ctx, res.Image.ID, false)
	require.NoError(t, err)
	require.NoError(t, client.Cloud().Actions().Wait(ctx, act))

	acts, _, err := images.ListActions(ctx, res.Image.ID, sdk.ActionListOpts{})
	require.NoError(t, err)
	assert.NotEmpty(t, acts)

	require.NoError(t, images.Delete(ctx, res.Image.ID))
	_, err = images.Get(ctx, res.Image.ID)
	assert.ErrorIs(t, err, sdk.ErrNotFound)
}
