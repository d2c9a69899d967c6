package handlers_test

// The compute surface through the real Go client, hcloud-go v2.52.0.

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/testkit"
)

// hcloudClient is hcloud-go against the fake, polling every millisecond.
func hcloudClient(srv *testkit.Server, token string) *hcloud.Client {
	return hcloud.NewClient(
		hcloud.WithEndpoint(srv.URL),
		hcloud.WithToken(token),
		hcloud.WithPollOpts(hcloud.PollOpts{BackoffFunc: hcloud.ConstantBackoff(time.Millisecond)}),
		hcloud.WithHTTPClient(srv.HTTPClient()),
	)
}

var (
	docV4 = mustCIDR("198.18.0.0/15")
	docV6 = mustCIDR("2001:db8::/32")
)

func mustCIDR(s string) *net.IPNet {
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	return n
}

func requireHcloudError(t *testing.T, err error, code hcloud.ErrorCode) {
	t.Helper()
	require.Error(t, err)
	require.Truef(t, hcloud.IsError(err, code), "want %s, got %v", code, err)
}

func TestServerLifecycleWithHcloudGo(t *testing.T) {
	srv := testkit.New(t)
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()

	key, _, err := client.SSHKey.Create(ctx, hcloud.SSHKeyCreateOpts{Name: "me", PublicKey: computeKey(t)})
	require.NoError(t, err)

	res, _, err := client.Server.Create(ctx, hcloud.ServerCreateOpts{
		Name:       "web-1",
		ServerType: &hcloud.ServerType{Name: "cpx22"},
		Image:      &hcloud.Image{Name: "ubuntu-24.04"},
		Location:   &hcloud.Location{Name: "hel1"},
		SSHKeys:    []*hcloud.SSHKey{key},
		Labels:     map[string]string{"role": "web"},
	})
	require.NoError(t, err)
	assert.Equal(t, hcloud.ServerStatusInitializing, res.Server.Status)
	assert.Equal(t, "create_server", res.Action.Command)
	require.Len(t, res.NextActions, 1)
	assert.Equal(t, "start_server", res.NextActions[0].Command)
	assert.Empty(t, res.RootPassword, "no root password when SSH keys are given")
	require.NoError(t, client.Action.WaitFor(ctx, append([]*hcloud.Action{res.Action}, res.NextActions...)...))

	s, _, err := client.Server.GetByID(ctx, res.Server.ID)
	require.NoError(t, err)
	require.NotNil(t, s)
	assert.Equal(t, hcloud.ServerStatusRunning, s.Status)
	assert.Equal(t, "hel1", s.Location.Name)
	assert.Equal(t, "cpx22", s.ServerType.Name)
	assert.Equal(t, "ubuntu-24.04", s.Image.Name)
	assert.True(t, docV4.Contains(s.PublicNet.IPv4.IP), s.PublicNet.IPv4.IP)
	assert.True(t, docV6.Contains(s.PublicNet.IPv6.IP), s.PublicNet.IPv6.IP)
	assert.Equal(t, "static."+s.PublicNet.IPv4.IP.String()+".clients.your-server.de", s.PublicNet.IPv4.DNSPtr)
	v4, _, err := client.PrimaryIP.GetByID(ctx, s.PublicNet.IPv4.ID)
	require.NoError(t, err)
	assert.True(t, v4.AutoDelete)
	assert.Equal(t, s.ID, v4.AssigneeID)
	assert.Equal(t, "server", v4.AssigneeType)

	wait := func(a *hcloud.Action, _ *hcloud.Response, err error) {
		t.Helper()
		require.NoError(t, err)
		require.NoError(t, client.Action.WaitFor(ctx, a))
	}
	status := func() hcloud.ServerStatus {
		t.Helper()
		got, _, err := client.Server.GetByID(ctx, s.ID)
		require.NoError(t, err)
		return got.Status
	}

	wait(client.Server.Poweroff(ctx, s))
	assert.Equal(t, hcloud.ServerStatusOff, status())
	wait(client.Server.Poweron(ctx, s))
	assert.Equal(t, hcloud.ServerStatusRunning, status())
	wait(client.Server.Reboot(ctx, s))
	wait(client.Server.Reset(ctx, s))
	assert.Equal(t, hcloud.ServerStatusRunning, status())
	wait(client.Server.Shutdown(ctx, s))
	assert.Equal(t, hcloud.ServerStatusOff, status())

	// change_type needs the server off and starts it again.
	wait(client.Server.ChangeType(ctx, s, hcloud.ServerChangeTypeOpts{ServerType: &hcloud.ServerType{Name: "cpx32"}, UpgradeDisk: true}))
	s, _, err = client.Server.GetByID(ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, "cpx32", s.ServerType.Name)
	assert.Equal(t, 160, s.PrimaryDiskSize)
	assert.Equal(t, hcloud.ServerStatusRunning, s.Status)
	_, _, err = client.Server.ChangeType(ctx, s, hcloud.ServerChangeTypeOpts{ServerType: &hcloud.ServerType{Name: "cpx22"}})
	requireHcloudError(t, err, hcloud.ErrorCodeServerNotStopped)

	rebuilt, _, err := client.Server.RebuildWithResult(ctx, s, hcloud.ServerRebuildOpts{Image: &hcloud.Image{Name: "debian-12"}})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, rebuilt.Action))
	assert.Empty(t, rebuilt.RootPassword, "a server with SSH keys gets no password")
	s, _, _ = client.Server.GetByID(ctx, s.ID)
	assert.Equal(t, "debian-12", s.Image.Name)

	rescue, _, err := client.Server.EnableRescue(ctx, s, hcloud.ServerEnableRescueOpts{Type: hcloud.ServerRescueTypeLinux64, SSHKeys: []*hcloud.SSHKey{key}})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, rescue.Action))
	assert.NotEmpty(t, rescue.RootPassword)
	s, _, _ = client.Server.GetByID(ctx, s.ID)
	assert.True(t, s.RescueEnabled)
	wait(client.Server.DisableRescue(ctx, s))

	wait(client.Server.EnableBackup(ctx, s, ""))
	s, _, _ = client.Server.GetByID(ctx, s.ID)
	assert.Equal(t, "22-02", s.BackupWindow)

	desc := "before upgrade"
	img, _, err := client.Server.CreateImage(ctx, s, &hcloud.ServerCreateImageOpts{Type: hcloud.ImageTypeSnapshot, Description: &desc})
	require.NoError(t, err)
	assert.Equal(t, hcloud.ImageStatusCreating, img.Image.Status)
	require.NoError(t, client.Action.WaitFor(ctx, img.Action))
	snap, _, err := client.Image.GetByID(ctx, img.Image.ID)
	require.NoError(t, err)
	assert.Equal(t, hcloud.ImageStatusAvailable, snap.Status)
	assert.Equal(t, hcloud.ImageTypeSnapshot, snap.Type)
	assert.Equal(t, s.ID, snap.CreatedFrom.ID)
	assert.Equal(t, "before upgrade", snap.Description)
	backup, _, err := client.Server.CreateImage(ctx, s, &hcloud.ServerCreateImageOpts{Type: hcloud.ImageTypeBackup})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, backup.Action))
	assert.Equal(t, s.ID, backup.Image.BoundTo.ID)

	wait(client.Server.AttachISO(ctx, s, &hcloud.ISO{Name: "virtio-win-0.1.271.iso"}))
	s, _, _ = client.Server.GetByID(ctx, s.ID)
	require.NotNil(t, s.ISO)
	assert.Equal(t, "virtio-win-0.1.271.iso", s.ISO.Name)
	wait(client.Server.DetachISO(ctx, s))

	ptr := "web-1.example.com"
	wait(client.Server.ChangeDNSPtr(ctx, s, s.PublicNet.IPv4.IP.String(), &ptr))
	s, _, _ = client.Server.GetByID(ctx, s.ID)
	assert.Equal(t, ptr, s.PublicNet.IPv4.DNSPtr)
	v6addr := s.PublicNet.IPv6.Network.IP.String() + "1"
	wait(client.Server.ChangeDNSPtr(ctx, s, v6addr, &ptr))
	s, _, _ = client.Server.GetByID(ctx, s.ID)
	assert.Equal(t, ptr, s.PublicNet.IPv6.DNSPtr[v6addr])

	console, _, err := client.Server.RequestConsole(ctx, s)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(console.WSSURL, "wss://console.hetzner.cloud/?server_id="), console.WSSURL)
	assert.NotEmpty(t, console.Password)
	pw, _, err := client.Server.ResetPassword(ctx, s)
	require.NoError(t, err)
	assert.NotEmpty(t, pw.RootPassword)

	metrics, _, err := client.Server.GetMetrics(ctx, s, hcloud.ServerGetMetricsOpts{
		Types: []hcloud.ServerMetricType{hcloud.ServerMetricCPU, hcloud.ServerMetricNetwork},
		Start: time.Now().Add(-time.Hour), End: time.Now(), Step: 60,
	})
	require.NoError(t, err)
	require.Len(t, metrics.TimeSeries["cpu"], 61)
	assert.Contains(t, metrics.TimeSeries, "network.0.bandwidth.in")

	// Protection blocks delete and rebuild with 423 protected.
	yes, no := true, false
	wait(client.Server.ChangeProtection(ctx, s, hcloud.ServerChangeProtectionOpts{Delete: &yes, Rebuild: &yes}))
	_, _, err = client.Server.DeleteWithResult(ctx, s)
	requireHcloudError(t, err, hcloud.ErrorCodeProtected)
	_, _, err = client.Server.RebuildWithResult(ctx, s, hcloud.ServerRebuildOpts{Image: &hcloud.Image{Name: "debian-12"}})
	requireHcloudError(t, err, hcloud.ErrorCodeProtected)
	wait(client.Server.ChangeProtection(ctx, s, hcloud.ServerChangeProtectionOpts{Delete: &no, Rebuild: &no}))

	del, _, err := client.Server.DeleteWithResult(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, "delete_server", del.Action.Command)
	require.NoError(t, client.Action.WaitFor(ctx, del.Action))
	gone, _, err := client.Server.GetByID(ctx, s.ID)
	require.NoError(t, err)
	assert.Nil(t, gone)
	ipGone, _, err := client.PrimaryIP.GetByID(ctx, v4.ID)
	require.NoError(t, err)
	assert.Nil(t, ipGone, "auto_delete primary IPs go with the server")
	kept, _, err := client.Image.GetByID(ctx, snap.ID)
	require.NoError(t, err)
	assert.NotNil(t, kept, "snapshots survive their server")
	backupGone, _, err := client.Image.GetByID(ctx, backup.Image.ID)
	require.NoError(t, err)
	assert.Nil(t, backupGone, "backups go with their server")
}

func TestServerCreateWithIDsAndNoSSHKeys(t *testing.T) {
	srv := testkit.New(t)
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()
	start := false
	// hcloud-go sends server_type and image as numbers when it has ids.
	res, _, err := client.Server.Create(ctx, hcloud.ServerCreateOpts{
		Name:             "by-id",
		ServerType:       &hcloud.ServerType{ID: 109},
		Image:            &hcloud.Image{ID: 161547269},
		Location:         &hcloud.Location{ID: 1},
		StartAfterCreate: &start,
		PublicNet:        &hcloud.ServerCreatePublicNet{EnableIPv4: false, EnableIPv6: true},
	})
	require.NoError(t, err)
	assert.NotEmpty(t, res.RootPassword)
	assert.Empty(t, res.NextActions)
	require.NoError(t, client.Action.WaitFor(ctx, res.Action))
	s, _, err := client.Server.GetByID(ctx, res.Server.ID)
	require.NoError(t, err)
	assert.Equal(t, hcloud.ServerStatusOff, s.Status)
	assert.Equal(t, "cpx22", s.ServerType.Name)
	assert.Equal(t, "fsn1", s.Location.Name)
	assert.True(t, s.PublicNet.IPv4.IsUnspecified())
	assert.False(t, s.PublicNet.IPv6.IsUnspecified())
}

func TestPowerActionWhileAnotherRunsIsLocked(t *testing.T) {
	srv := testkit.New(t, testkit.WithManualActions())
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()
	res, _, err := client.Server.Create(ctx, hcloud.ServerCreateOpts{
		Name: "slow", ServerType: &hcloud.ServerType{Name: "cpx22"}, Image: &hcloud.Image{Name: "ubuntu-24.04"},
	})
	require.NoError(t, err)
	_, _, err = client.Server.Poweroff(ctx, res.Server)
	requireHcloudError(t, err, hcloud.ErrorCodeLocked)

	for _, a := range append([]*hcloud.Action{res.Action}, res.NextActions...) {
		_, err := srv.CompleteAction(a.ID, true, "", "")
		require.NoError(t, err)
	}
	s, _, _ := client.Server.GetByID(ctx, res.Server.ID)
	require.Equal(t, hcloud.ServerStatusRunning, s.Status)

	off, _, err := client.Server.Poweroff(ctx, s)
	require.NoError(t, err)
	s, _, _ = client.Server.GetByID(ctx, s.ID)
	assert.Equal(t, hcloud.ServerStatusStopping, s.Status)
	_, _, err = client.Server.Poweron(ctx, s)
	requireHcloudError(t, err, hcloud.ErrorCodeLocked)
	_, _, err = client.Server.DeleteWithResult(ctx, s)
	requireHcloudError(t, err, hcloud.ErrorCodeLocked)

	_, err = srv.CompleteAction(off.ID, true, "", "")
	require.NoError(t, err)
	s, _, _ = client.Server.GetByID(ctx, s.ID)
	assert.Equal(t, hcloud.ServerStatusOff, s.Status)
	on, _, err := client.Server.Poweron(ctx, s)
	require.NoError(t, err)
	// A failed action leaves the server as it was.
	_, err = srv.CompleteAction(on.ID, false, "action_failed", "boom")
	require.NoError(t, err)
	s, _, _ = client.Server.GetByID(ctx, s.ID)
	assert.Equal(t, hcloud.ServerStatusOff, s.Status)
}

func TestActionsFinishWhenTheClockSaysSo(t *testing.T) {
	srv := testkit.New(t, testkit.WithActionDuration(10*time.Second))
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()
	res, _, err := client.Server.Create(ctx, hcloud.ServerCreateOpts{
		Name: "clocked", ServerType: &hcloud.ServerType{Name: "cpx22"}, Image: &hcloud.Image{Name: "ubuntu-24.04"},
	})
	require.NoError(t, err)
	srv.AdvanceClock(5 * time.Second)
	s, _, _ := client.Server.GetByID(ctx, res.Server.ID)
	assert.Equal(t, hcloud.ServerStatusInitializing, s.Status)
	srv.AdvanceClock(5 * time.Second)
	s, _, _ = client.Server.GetByID(ctx, res.Server.ID)
	assert.Equal(t, hcloud.ServerStatusRunning, s.Status)
	a, _, err := client.Action.GetByID(ctx, res.NextActions[0].ID)
	require.NoError(t, err)
	assert.Equal(t, hcloud.ActionStatusSuccess, a.Status)
}

func TestSixtyServersPageByPageAndBySelector(t *testing.T) {
	srv := testkit.New(t)
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()
	for i := range 60 {
		parity := "even"
		if i%2 == 1 {
			parity = "odd"
		}
		_, _, err := client.Server.Create(ctx, hcloud.ServerCreateOpts{
			Name: "node-" + strings.Repeat("0", 2-len(itoa(i))) + itoa(i), ServerType: &hcloud.ServerType{Name: "cx23"},
			Image: &hcloud.Image{Name: "debian-12"}, Labels: map[string]string{"parity": parity, "tier": itoa(i % 3)},
		})
		require.NoError(t, err)
	}
	all, err := client.Server.All(ctx)
	require.NoError(t, err)
	require.Len(t, all, 60)
	seen := map[int64]bool{}
	for _, s := range all {
		assert.False(t, seen[s.ID], "server %d listed twice", s.ID)
		seen[s.ID] = true
	}

	var pages []int
	opts := hcloud.ServerListOpts{ListOpts: hcloud.ListOpts{PerPage: 25}}
	for page := 1; ; page++ {
		opts.Page = page
		got, resp, err := client.Server.List(ctx, opts)
		require.NoError(t, err)
		pages = append(pages, len(got))
		if resp.Meta.Pagination.NextPage == 0 {
			assert.Equal(t, 3, resp.Meta.Pagination.LastPage)
			assert.Equal(t, 60, resp.Meta.Pagination.TotalEntries)
			break
		}
	}
	assert.Equal(t, []int{25, 25, 10}, pages)

	odd, err := client.Server.AllWithOpts(ctx, hcloud.ServerListOpts{ListOpts: hcloud.ListOpts{LabelSelector: "parity=odd"}})
	require.NoError(t, err)
	assert.Len(t, odd, 30)
	mixed, err := client.Server.AllWithOpts(ctx, hcloud.ServerListOpts{ListOpts: hcloud.ListOpts{LabelSelector: "parity=even,tier in (0,1)"}})
	require.NoError(t, err)
	assert.Len(t, mixed, 20) // i even and i%3 != 2: 30 even numbers, 10 of them ≡ 2 mod 3
	byName, err := client.Server.AllWithOpts(ctx, hcloud.ServerListOpts{Name: "node-07"})
	require.NoError(t, err)
	require.Len(t, byName, 1)
	sorted, _, err := client.Server.List(ctx, hcloud.ServerListOpts{ListOpts: hcloud.ListOpts{PerPage: 3}, Sort: []string{"name:desc"}})
	require.NoError(t, err)
	assert.Equal(t, "node-59", sorted[0].Name)
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

func TestReadOnlyTokenCannotCreateServers(t *testing.T) {
	srv := testkit.New(t, testkit.WithTokens("writer@team", "reader:ro@team"))
	ctx := context.Background()
	reader := hcloudClient(srv, "reader")
	_, _, err := reader.Server.Create(ctx, hcloud.ServerCreateOpts{
		Name: "nope", ServerType: &hcloud.ServerType{Name: "cpx22"}, Image: &hcloud.Image{Name: "ubuntu-24.04"},
	})
	requireHcloudError(t, err, hcloud.ErrorCodeForbidden)
	all, err := reader.Server.All(ctx)
	require.NoError(t, err)
	assert.Empty(t, all)

	writer := hcloudClient(srv, "writer")
	res, _, err := writer.Server.Create(ctx, hcloud.ServerCreateOpts{
		Name: "yes", ServerType: &hcloud.ServerType{Name: "cpx22"}, Image: &hcloud.Image{Name: "ubuntu-24.04"},
	})
	require.NoError(t, err)
	_, _, err = reader.Server.Poweroff(ctx, res.Server)
	requireHcloudError(t, err, hcloud.ErrorCodeForbidden)
	all, err = reader.Server.All(ctx)
	require.NoError(t, err)
	assert.Len(t, all, 1, "both tokens see the same project")
}

func computeKey(t *testing.T) string {
	t.Helper()
	key, _ := newPublicKey(t)
	return key
}
