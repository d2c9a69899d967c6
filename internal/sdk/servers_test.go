package sdk_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/sdk"
	"github.com/fakehetzner/fakehetzner/testkit"
)

// createServer creates a server and waits until it runs.
func createServer(t *testing.T, client *sdk.Client, name string, opts ...func(*sdk.ServerCreateOpts)) sdk.ServerCreateResult {
	t.Helper()
	o := sdk.ServerCreateOpts{Name: name, ServerType: "cpx22", Image: "ubuntu-24.04", Location: "hel1"}
	for _, f := range opts {
		f(&o)
	}
	res, err := client.Cloud().Servers().Create(context.Background(), o)
	require.NoError(t, err)
	require.NoError(t, client.Cloud().Actions().Wait(context.Background(), res.AllActions()...))
	return res
}

func TestServerCreateGetListUpdateDelete(t *testing.T) {
	ctx := context.Background()
	srv, client, _ := newClient(t, nil, tinyPolls)
	key := srv.CreateSSHKey(t, "admin", publicKey(t, 1), nil)
	servers := client.Cloud().Servers()

	res, err := servers.Create(ctx, sdk.ServerCreateOpts{
		Name: "web-1", ServerType: "cpx22", Image: "ubuntu-24.04", Location: "hel1",
		SSHKeys: []string{"admin"}, Labels: map[string]string{"env": "prod"},
	})
	require.NoError(t, err)
	assert.Equal(t, "web-1", res.Server.Name)
	assert.Equal(t, sdk.ServerStatusInitializing, res.Server.Status)
	assert.Equal(t, "create_server", res.Action.Command)
	require.Len(t, res.NextActions, 1)
	assert.Equal(t, "start_server", res.NextActions[0].Command)
	assert.Nil(t, res.RootPassword, "no root password when SSH keys are given")
	assert.Equal(t, "cpx22", res.Server.ServerType.Name)
	assert.Equal(t, "hel1", res.Server.Location.Name)
	require.NotNil(t, res.Server.Image)
	assert.Equal(t, "ubuntu-24.04", *res.Server.Image.Name)
	require.NotNil(t, res.Server.PublicNet.IPv4)
	require.NotNil(t, res.Server.PublicNet.IPv6)
	assert.NotEmpty(t, res.Server.PublicNet.IPv4.IP)
	_ = key

	require.NoError(t, client.Cloud().Actions().Wait(ctx, res.AllActions()...))
	got, err := servers.Get(ctx, res.Server.ID)
	require.NoError(t, err)
	assert.Equal(t, sdk.ServerStatusRunning, got.Status)
	assert.Equal(t, map[string]string{"env": "prod"}, got.Labels)

	noKeys, err := servers.Create(ctx, sdk.ServerCreateOpts{Name: "web-2", ServerType: "cpx22", Image: "ubuntu-24.04",
		StartAfterCreate: sdk.Ptr(false), PublicNet: &sdk.ServerCreatePublicNet{EnableIPv4: false, EnableIPv6: true}})
	require.NoError(t, err)
	require.NotNil(t, noKeys.RootPassword)
	assert.NotEmpty(t, *noKeys.RootPassword)
	assert.Empty(t, noKeys.NextActions)
	assert.Nil(t, noKeys.Server.PublicNet.IPv4)
	require.NoError(t, client.Cloud().Actions().Wait(ctx, noKeys.AllActions()...))
	off, err := servers.Get(ctx, noKeys.Server.ID)
	require.NoError(t, err)
	assert.Equal(t, sdk.ServerStatusOff, off.Status)

	page, pg, err := servers.List(ctx, sdk.ServerListOpts{Statuses: []sdk.ServerStatus{sdk.ServerStatusOff}})
	require.NoError(t, err)
	assert.Equal(t, 1, pg.TotalEntries)
	assert.Equal(t, "web-2", page[0].Name)
	var names []string
	for s, err := range servers.All(ctx, sdk.ServerListOpts{LabelSelector: sdk.Selector().Eq("env", "prod").String()}) {
		require.NoError(t, err)
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"web-1"}, names)

	updated, err := servers.Update(ctx, res.Server.ID, sdk.ServerUpdateOpts{Name: "web-one"})
	require.NoError(t, err)
	assert.Equal(t, "web-one", updated.Name)
	assert.Equal(t, map[string]string{"env": "prod"}, updated.Labels)

	_, err = servers.Create(ctx, sdk.ServerCreateOpts{Name: "web-one", ServerType: "cpx22", Image: "ubuntu-24.04"})
	assert.ErrorIs(t, err, sdk.ErrUniqueness)

	del, err := servers.Delete(ctx, res.Server.ID)
	require.NoError(t, err)
	assert.Equal(t, "delete_server", del.Command)
	require.NoError(t, client.Cloud().Actions().Wait(ctx, del))
	_, err = servers.Get(ctx, res.Server.ID)
	assert.ErrorIs(t, err, sdk.ErrNotFound)
}

func TestServerPowerActions(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	servers := client.Cloud().Servers()
	id := createServer(t, client, "power").Server.ID

	steps := []struct {
		do      func(context.Context, int64) (sdk.Action, error)
		command string
		status  sdk.ServerStatus
	}{
		{servers.PowerOff, "stop_server", sdk.ServerStatusOff},
		{servers.PowerOn, "start_server", sdk.ServerStatusRunning},
		{servers.Reboot, "reboot_server", sdk.ServerStatusRunning},
		{servers.Reset, "reset_server", sdk.ServerStatusRunning},
		{servers.Shutdown, "shutdown_server", sdk.ServerStatusOff},
	}
	for _, s := range steps {
		act, err := s.do(ctx, id)
		require.NoError(t, err, s.command)
		assert.Equal(t, s.command, act.Command)
		assert.Contains(t, act.Resources, sdk.ActionResource{ID: id, Type: "server"})
		require.NoError(t, client.Cloud().Actions().Wait(ctx, act))
		got, err := servers.Get(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, s.status, got.Status, s.command)
	}
	acts, _, err := servers.ListActions(ctx, id, sdk.ActionListOpts{Sort: []string{"id:desc"}, PerPage: 2})
	require.NoError(t, err)
	require.Len(t, acts, 2)
	assert.Equal(t, "shutdown_server", acts[0].Command)
}

func TestServerRebuildRescueImageProtection(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	servers := client.Cloud().Servers()
	wait := func(a sdk.Action) { t.Helper(); require.NoError(t, client.Cloud().Actions().Wait(ctx, a)) }
	id := createServer(t, client, "box").Server.ID

	rebuilt, err := servers.Rebuild(ctx, id, sdk.ServerRebuildOpts{Image: "ubuntu-24.04"})
	require.NoError(t, err)
	assert.Equal(t, "rebuild_server", rebuilt.Action.Command)
	wait(rebuilt.Action)

	rescue, err := servers.EnableRescue(ctx, id, sdk.ServerRescueOpts{Type: "linux64"})
	require.NoError(t, err)
	require.NotNil(t, rescue.RootPassword)
	assert.NotEmpty(t, *rescue.RootPassword)
	wait(rescue.Action)
	got, err := servers.Get(ctx, id)
	require.NoError(t, err)
	assert.True(t, got.RescueEnabled)
	act, err := servers.DisableRescue(ctx, id)
	require.NoError(t, err)
	wait(act)
	got, err = servers.Get(ctx, id)
	require.NoError(t, err)
	assert.False(t, got.RescueEnabled)

	img, err := servers.CreateImage(ctx, id, sdk.ServerCreateImageOpts{Description: "before upgrade", Labels: map[string]string{"k": "v"}})
	require.NoError(t, err)
	assert.Equal(t, sdk.ImageTypeSnapshot, img.Image.Type)
	assert.Nil(t, img.Image.Name)
	assert.Equal(t, "before upgrade", img.Image.Description)
	wait(img.Action)
	snap, err := client.Cloud().Images().Get(ctx, img.Image.ID)
	require.NoError(t, err)
	assert.Equal(t, sdk.ImageStatusAvailable, snap.Status)
	require.NotNil(t, snap.CreatedFrom)
	assert.Equal(t, id, snap.CreatedFrom.ID)

	act, err = servers.ChangeProtection(ctx, id, sdk.ServerProtectionOpts{Delete: sdk.Ptr(true), Rebuild: sdk.Ptr(true)})
	require.NoError(t, err)
	wait(act)
	_, err = servers.Delete(ctx, id)
	assert.ErrorIs(t, err, sdk.ErrProtected)
	_, err = servers.Rebuild(ctx, id, sdk.ServerRebuildOpts{Image: "ubuntu-24.04"})
	assert.ErrorIs(t, err, sdk.ErrProtected)
	got, err = servers.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, sdk.ServerProtection{Delete: true, Rebuild: true}, got.Protection)
	// The API wants both flags to have the same value.
	_, err = servers.ChangeProtection(ctx, id, sdk.ServerProtectionOpts{Delete: sdk.Ptr(false)})
	assert.ErrorIs(t, err, sdk.ErrInvalidInput)
	act, err = servers.ChangeProtection(ctx, id, sdk.ServerProtectionOpts{Delete: sdk.Ptr(false), Rebuild: sdk.Ptr(false)})
	require.NoError(t, err)
	wait(act)
	del, err := servers.Delete(ctx, id)
	require.NoError(t, err)
	wait(del)
}

func TestServerOtherActions(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	servers := client.Cloud().Servers()
	wait := func(a sdk.Action, err error) {
		t.Helper()
		require.NoError(t, err)
		require.NoError(t, client.Cloud().Actions().Wait(ctx, a))
	}
	created := createServer(t, client, "misc")
	id := created.Server.ID

	wait(servers.EnableBackup(ctx, id))
	got, err := servers.Get(ctx, id)
	require.NoError(t, err)
	require.NotNil(t, got.BackupWindow)
	wait(servers.DisableBackup(ctx, id))
	got, err = servers.Get(ctx, id)
	require.NoError(t, err)
	assert.Nil(t, got.BackupWindow)

	isos, _, err := client.Cloud().ISOs().List(ctx, sdk.ISOListOpts{PerPage: 1})
	require.NoError(t, err)
	require.NotEmpty(t, isos)
	wait(servers.AttachISO(ctx, id, itoa(isos[0].ID)))
	got, err = servers.Get(ctx, id)
	require.NoError(t, err)
	require.NotNil(t, got.ISO)
	assert.Equal(t, isos[0].ID, got.ISO.ID)
	wait(servers.DetachISO(ctx, id))
	got, err = servers.Get(ctx, id)
	require.NoError(t, err)
	assert.Nil(t, got.ISO)

	ip := created.Server.PublicNet.IPv4.IP
	wait(servers.ChangeDNSPtr(ctx, id, ip, sdk.Ptr("web.example.com")))
	got, err = servers.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "web.example.com", got.PublicNet.IPv4.DNSPtr)
	wait(servers.ChangeDNSPtr(ctx, id, ip, nil))
	got, err = servers.Get(ctx, id)
	require.NoError(t, err)
	assert.NotEqual(t, "web.example.com", got.PublicNet.IPv4.DNSPtr, "nil resets to the default")

	console, err := servers.RequestConsole(ctx, id)
	require.NoError(t, err)
	assert.Contains(t, console.WSSURL, "wss://")
	assert.NotEmpty(t, console.Password)
	wait(console.Action, nil)

	pw, err := servers.ResetPassword(ctx, id)
	require.NoError(t, err)
	require.NotNil(t, pw.RootPassword)
	wait(pw.Action, nil)

	wait(servers.PowerOff(ctx, id))
	wait(servers.ChangeType(ctx, id, "cpx32", false))
	got, err = servers.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "cpx32", got.ServerType.Name)

	pg, err := client.Cloud().PlacementGroups().Create(ctx, sdk.PlacementGroupCreateOpts{Name: "spread", Type: "spread"})
	require.NoError(t, err)
	_, err = servers.AddToPlacementGroup(ctx, id, pg.ID)
	assert.ErrorIs(t, err, sdk.Code("server_not_stopped"), "change_type started it again")
	wait(servers.PowerOff(ctx, id))
	wait(servers.AddToPlacementGroup(ctx, id, pg.ID))
	got, err = servers.Get(ctx, id)
	require.NoError(t, err)
	require.NotNil(t, got.PlacementGroup)
	assert.Equal(t, pg.ID, got.PlacementGroup.ID)
	wait(servers.RemoveFromPlacementGroup(ctx, id))
	got, err = servers.Get(ctx, id)
	require.NoError(t, err)
	assert.Nil(t, got.PlacementGroup)
}

func TestServerLockedWhileAnActionRuns(t *testing.T) {
	ctx := context.Background()
	srv, client, _ := newClient(t, []testkit.Option{testkit.WithManualActions()}, tinyPolls)
	res, err := client.Cloud().Servers().Create(ctx, sdk.ServerCreateOpts{Name: "slow", ServerType: "cpx22", Image: "ubuntu-24.04"})
	require.NoError(t, err)
	_, err = client.Cloud().Servers().PowerOff(ctx, res.Server.ID)
	var apiErr *sdk.Error
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, sdk.ErrLocked)
	assert.Equal(t, 423, apiErr.StatusCode)
	_, err = srv.CompleteAction(res.Action.ID, true, "", "")
	require.NoError(t, err)
}

func TestServerMetrics(t *testing.T) {
	ctx := context.Background()
	srv, client, _ := newClient(t, nil, tinyPolls)
	id := createServer(t, client, "metrics").Server.ID
	end := srv.Now()
	m, err := client.Cloud().Servers().Metrics(ctx, id, sdk.ServerMetricsOpts{
		Types: []sdk.MetricType{sdk.MetricCPU, sdk.MetricNetwork}, Start: end.Add(-time.Hour), End: end, Step: 60,
	})
	require.NoError(t, err)
	assert.Equal(t, float64(60), m.Step)
	require.Contains(t, m.TimeSeries, "cpu")
	assert.Contains(t, m.TimeSeries, "network.0.bandwidth.in")
	assert.NotContains(t, m.TimeSeries, "disk.0.iops.read")
	cpu := m.TimeSeries["cpu"]
	require.NotEmpty(t, cpu)
	assert.False(t, cpu[0].Time.Before(end.Add(-time.Hour).Truncate(time.Second)))
	assert.NotEmpty(t, cpu[0].Value)
}
