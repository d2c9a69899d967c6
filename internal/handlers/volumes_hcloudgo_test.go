package handlers_test

// Volumes through the real Go client, hcloud-go v2.52.0: what it sends and parses.

import (
	"context"
	"testing"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/testkit"
)

func TestVolumeLifecycleWithHcloudGo(t *testing.T) {
	srv := testkit.New(t)
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()
	server := createServer(t, client, hcloud.ServerCreateOpts{Name: "web", Location: &hcloud.Location{Name: "fsn1"}})

	// Without a server, in a location named by id (hcloud-go sends it as a number).
	loc, _, err := client.Location.GetByName(ctx, "fsn1")
	require.NoError(t, err)
	res, _, err := client.Volume.Create(ctx, hcloud.VolumeCreateOpts{Name: "data", Size: 10, Location: &hcloud.Location{ID: loc.ID},
		Format: hcloud.Ptr(hcloud.VolumeFormatExt4), Labels: map[string]string{"env": "test"}})
	require.NoError(t, err)
	assert.Equal(t, "create_volume", res.Action.Command)
	assert.Empty(t, res.NextActions)
	assert.Equal(t, hcloud.VolumeStatusCreating, res.Volume.Status)
	require.NoError(t, client.Action.WaitFor(ctx, res.Action))
	v, _, err := client.Volume.Get(ctx, "data")
	require.NoError(t, err)
	require.NotNil(t, v)
	assert.Equal(t, hcloud.VolumeStatusAvailable, v.Status)
	assert.Equal(t, "fsn1", v.Location.Name)
	assert.Equal(t, "ext4", *v.Format)
	assert.Nil(t, v.Server)
	assert.Equal(t, map[string]string{"env": "test"}, v.Labels)

	a, _, err := client.Volume.Attach(ctx, v, server)
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, a))
	var types []hcloud.ActionResourceType
	for _, r := range a.Resources {
		types = append(types, r.Type)
	}
	assert.ElementsMatch(t, []hcloud.ActionResourceType{hcloud.ActionResourceTypeVolume, hcloud.ActionResourceTypeServer}, types)
	got, _, err := client.Server.GetByID(ctx, server.ID)
	require.NoError(t, err)
	require.Len(t, got.Volumes, 1)
	assert.Equal(t, v.ID, got.Volumes[0].ID)
	_, _, err = client.Volume.AttachWithOpts(ctx, v, hcloud.VolumeAttachOpts{Server: server, Automount: hcloud.Ptr(true)})
	requireHcloudError(t, err, hcloud.ErrorCodeVolumeAlreadyAttached)
	_, err = client.Volume.Delete(ctx, v)
	requireHcloudError(t, err, hcloud.ErrorCodeServiceError)

	a, _, err = client.Volume.Resize(ctx, v, 42)
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, a))
	_, _, err = client.Volume.Resize(ctx, v, 40)
	requireHcloudError(t, err, hcloud.ErrorCodeInvalidInput)

	a, _, err = client.Volume.Detach(ctx, v)
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, a))
	a, _, err = client.Volume.AttachWithOpts(ctx, v, hcloud.VolumeAttachOpts{Server: server, Automount: hcloud.Ptr(true)})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, a))
	a, _, err = client.Volume.Detach(ctx, v)
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, a))

	v, _, err = client.Volume.Update(ctx, v, hcloud.VolumeUpdateOpts{Name: "renamed", Labels: map[string]string{}})
	require.NoError(t, err)
	assert.Equal(t, "renamed", v.Name)
	assert.Equal(t, 42, v.Size)
	assert.Nil(t, v.Server)

	a, _, err = client.Volume.ChangeProtection(ctx, v, hcloud.VolumeChangeProtectionOpts{Delete: hcloud.Ptr(true)})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, a))
	_, err = client.Volume.Delete(ctx, v)
	requireHcloudError(t, err, hcloud.ErrorCodeProtected)
	a, _, err = client.Volume.ChangeProtection(ctx, v, hcloud.VolumeChangeProtectionOpts{Delete: hcloud.Ptr(false)})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, a))

	actions, err := client.Volume.Action.All(ctx, hcloud.ActionListOpts{})
	require.NoError(t, err)
	var commands []string
	for _, act := range actions {
		commands = append(commands, act.Command)
	}
	assert.Subset(t, commands, []string{"create_volume", "attach_volume", "detach_volume", "resize_volume", "change_protection"})

	_, err = client.Volume.Delete(ctx, v)
	require.NoError(t, err)
	gone, _, err := client.Volume.GetByID(ctx, v.ID)
	require.NoError(t, err)
	assert.Nil(t, gone, "hcloud-go turns not_found into nil")
}

func TestVolumeCreateOnServerWithHcloudGo(t *testing.T) {
	srv := testkit.New(t)
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()
	server := createServer(t, client, hcloud.ServerCreateOpts{Name: "web", Location: &hcloud.Location{Name: "nbg1"}})

	res, _, err := client.Volume.Create(ctx, hcloud.VolumeCreateOpts{Name: "data", Size: 20, Server: server, Automount: hcloud.Ptr(true)})
	require.NoError(t, err)
	require.Len(t, res.NextActions, 1)
	assert.Equal(t, "attach_volume", res.NextActions[0].Command)
	require.NoError(t, client.Action.WaitFor(ctx, append([]*hcloud.Action{res.Action}, res.NextActions...)...))
	v, _, err := client.Volume.GetByID(ctx, res.Volume.ID)
	require.NoError(t, err)
	require.NotNil(t, v.Server)
	assert.Equal(t, server.ID, v.Server.ID)
	assert.Equal(t, "nbg1", v.Location.Name)
	assert.Equal(t, hcloud.VolumeStatusAvailable, v.Status)

	// Another location's volume cannot go to this server.
	far, _, err := client.Volume.Create(ctx, hcloud.VolumeCreateOpts{Name: "far", Size: 10, Location: &hcloud.Location{Name: "fsn1"}})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, far.Action))
	_, _, err = client.Volume.Attach(ctx, far.Volume, server)
	requireHcloudError(t, err, hcloud.ErrorCodeInvalidInput)
}

func TestServerCreateWithVolumesWithHcloudGo(t *testing.T) {
	srv := testkit.New(t)
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()
	var vols []*hcloud.Volume
	for _, name := range []string{"one", "two"} {
		res, _, err := client.Volume.Create(ctx, hcloud.VolumeCreateOpts{Name: name, Size: 10, Location: &hcloud.Location{Name: "hel1"}})
		require.NoError(t, err)
		require.NoError(t, client.Action.WaitFor(ctx, res.Action))
		vols = append(vols, res.Volume)
	}

	server := createServer(t, client, hcloud.ServerCreateOpts{Name: "web", Location: &hcloud.Location{Name: "hel1"},
		Volumes: vols, Automount: hcloud.Ptr(true)})
	require.Len(t, server.Volumes, 2)
	assert.ElementsMatch(t, []int64{vols[0].ID, vols[1].ID}, []int64{server.Volumes[0].ID, server.Volumes[1].ID})

	_, _, err := client.Server.Create(ctx, hcloud.ServerCreateOpts{Name: "other", ServerType: &hcloud.ServerType{Name: "cpx22"},
		Image: &hcloud.Image{Name: "ubuntu-24.04"}, Location: &hcloud.Location{Name: "hel1"}, Volumes: vols[:1]})
	requireHcloudError(t, err, hcloud.ErrorCodeVolumeAlreadyAttached)

	res, _, err := client.Server.DeleteWithResult(ctx, server)
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, res.Action))
	for _, v := range vols {
		got, _, err := client.Volume.GetByID(ctx, v.ID)
		require.NoError(t, err)
		assert.Nil(t, got.Server, "deleting the server detached volume %d", v.ID)
	}
}
