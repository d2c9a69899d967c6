package sdk_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/sdk"
)

func TestVolumeLifecycle(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	volumes := client.Cloud().Volumes()
	wait := waiter(t, client)
	web := createServer(t, client, "web").Server // in hel1

	res, err := volumes.Create(ctx, sdk.VolumeCreateOpts{Name: "data", Size: 10, Location: "hel1", Format: sdk.VolumeFormatXFS,
		Labels: map[string]string{"env": "prod"}})
	require.NoError(t, err)
	assert.Equal(t, "create_volume", res.Action.Command)
	assert.Empty(t, res.NextActions)
	assert.Equal(t, sdk.VolumeStatusCreating, res.Volume.Status)
	require.NoError(t, client.Cloud().Actions().Wait(ctx, res.AllActions()...))
	v, err := volumes.Get(ctx, res.Volume.ID)
	require.NoError(t, err)
	assert.Equal(t, sdk.VolumeStatusAvailable, v.Status)
	assert.Equal(t, "hel1", v.Location.Name)
	assert.Equal(t, 10, v.Size)
	require.NotNil(t, v.Format)
	assert.Equal(t, "xfs", *v.Format)
	assert.Nil(t, v.Server)
	assert.Equal(t, "/dev/disk/by-id/scsi-0HC_Volume_"+itoa(v.ID), v.LinuxDevice)

	a := wait(volumes.Attach(ctx, v.ID, web.ID, true))
	assert.Equal(t, "attach_volume", a.Command)
	assert.ElementsMatch(t, []sdk.ActionResource{{ID: v.ID, Type: "volume"}, {ID: web.ID, Type: "server"}}, a.Resources)
	s, err := client.Cloud().Servers().Get(ctx, web.ID)
	require.NoError(t, err)
	assert.Equal(t, []int64{v.ID}, s.Volumes)
	_, err = volumes.Attach(ctx, v.ID, web.ID, false)
	requireNetErr(t, err, sdk.ErrVolumeAlreadyAttached, 422, "")
	err = volumes.Delete(ctx, v.ID)
	requireNetErr(t, err, sdk.ErrServiceError, 422, "")

	wait(volumes.Resize(ctx, v.ID, 25))
	_, err = volumes.Resize(ctx, v.ID, 20)
	requireNetErr(t, err, sdk.ErrInvalidInput, 422, "size")
	wait(volumes.Detach(ctx, v.ID))
	v, err = volumes.Get(ctx, v.ID)
	require.NoError(t, err)
	assert.Equal(t, 25, v.Size)
	assert.Nil(t, v.Server)

	v, err = volumes.Update(ctx, v.ID, sdk.VolumeUpdateOpts{Name: "renamed", Labels: map[string]string{}})
	require.NoError(t, err)
	assert.Equal(t, "renamed", v.Name)
	assert.Empty(t, v.Labels)

	// Created on a server: create_volume, then attach_volume.
	on, err := volumes.Create(ctx, sdk.VolumeCreateOpts{Name: "on-web", Size: 10, Server: web.ID, Automount: true})
	require.NoError(t, err)
	require.Len(t, on.NextActions, 1)
	assert.Equal(t, "attach_volume", on.NextActions[0].Command)
	require.NoError(t, client.Cloud().Actions().Wait(ctx, on.AllActions()...))
	assert.Equal(t, web.ID, *on.Volume.Server)

	list, _, err := volumes.List(ctx, sdk.VolumeListOpts{Statuses: []sdk.VolumeStatus{sdk.VolumeStatusAvailable}, Sort: []string{"name"}})
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, []string{"on-web", "renamed"}, []string{list[0].Name, list[1].Name})
	var all []string
	for vol, err := range volumes.All(ctx, sdk.VolumeListOpts{Name: "renamed"}) {
		require.NoError(t, err)
		all = append(all, vol.Name)
	}
	assert.Equal(t, []string{"renamed"}, all)

	wait(volumes.ChangeProtection(ctx, v.ID, true))
	requireNetErr(t, volumes.Delete(ctx, v.ID), sdk.ErrProtected, 423, "")
	wait(volumes.ChangeProtection(ctx, v.ID, false))
	acts, _, err := volumes.ListActions(ctx, v.ID, sdk.ActionListOpts{Sort: []string{"id"}})
	require.NoError(t, err)
	var commands []string
	for _, a := range acts {
		commands = append(commands, a.Command)
	}
	assert.Equal(t, []string{"create_volume", "attach_volume", "resize_volume", "detach_volume", "change_protection", "change_protection"}, commands)
	require.NoError(t, volumes.Delete(ctx, v.ID))
	_, err = volumes.Get(ctx, v.ID)
	requireNetErr(t, err, sdk.ErrNotFound, 404, "")

	_, err = volumes.Create(ctx, sdk.VolumeCreateOpts{Name: "tiny", Size: 5, Location: "hel1"})
	requireNetErr(t, err, sdk.ErrInvalidInput, 422, "size")
	_, err = volumes.Create(ctx, sdk.VolumeCreateOpts{Name: "on-web", Size: 10, Location: "hel1"})
	requireNetErr(t, err, sdk.ErrUniqueness, 409, "name")
}

// A server created with volumes has them attached; deleting it detaches them.
func TestServerCreatedWithVolumes(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	volumes := client.Cloud().Volumes()
	res, err := volumes.Create(ctx, sdk.VolumeCreateOpts{Name: "data", Size: 10, Location: "hel1"})
	require.NoError(t, err)
	require.NoError(t, client.Cloud().Actions().Wait(ctx, res.AllActions()...))

	s := createServer(t, client, "web", func(o *sdk.ServerCreateOpts) {
		o.Volumes, o.Automount = []int64{res.Volume.ID}, true
	}).Server
	assert.Equal(t, []int64{res.Volume.ID}, s.Volumes)
	v, err := volumes.Get(ctx, res.Volume.ID)
	require.NoError(t, err)
	assert.Equal(t, s.ID, *v.Server)

	a, err := client.Cloud().Servers().Delete(ctx, s.ID)
	require.NoError(t, err)
	require.NoError(t, client.Cloud().Actions().Wait(ctx, a))
	v, err = volumes.Get(ctx, res.Volume.ID)
	require.NoError(t, err)
	assert.Nil(t, v.Server)
}
