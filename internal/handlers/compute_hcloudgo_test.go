package handlers_test

// Primary IPs, placement groups, images and the metadata service through hcloud-go v2.52.0.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/hetznercloud/hcloud-go/v2/hcloud/metadata"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/testkit"
)

// createServer creates a server and waits for it to run (or stay off).
func createServer(t *testing.T, client *hcloud.Client, opts hcloud.ServerCreateOpts) *hcloud.Server {
	t.Helper()
	ctx := context.Background()
	if opts.ServerType == nil {
		opts.ServerType = &hcloud.ServerType{Name: "cpx22"}
	}
	if opts.Image == nil {
		opts.Image = &hcloud.Image{Name: "ubuntu-24.04"}
	}
	res, _, err := client.Server.Create(ctx, opts)
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, append([]*hcloud.Action{res.Action}, res.NextActions...)...))
	s, _, err := client.Server.GetByID(ctx, res.Server.ID)
	require.NoError(t, err)
	return s
}

func TestPrimaryIPsWithHcloudGo(t *testing.T) {
	srv := testkit.New(t)
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()
	no := false

	created, _, err := client.PrimaryIP.Create(ctx, hcloud.PrimaryIPCreateOpts{
		Name: "spare", Type: hcloud.PrimaryIPTypeIPv4, Location: "hel1", Labels: map[string]string{"keep": "yes"},
	})
	require.NoError(t, err)
	ip := created.PrimaryIP
	assert.Equal(t, "unassigned", ip.AssigneeType)
	assert.Zero(t, ip.AssigneeID)
	assert.False(t, ip.AutoDelete)
	assert.True(t, docV4.Contains(ip.IP))
	assert.Equal(t, "hel1", ip.Location.Name)

	_, _, err = client.PrimaryIP.Create(ctx, hcloud.PrimaryIPCreateOpts{Name: "spare", Type: hcloud.PrimaryIPTypeIPv6, Location: "hel1"})
	requireHcloudError(t, err, hcloud.ErrorCodeUniquenessError)

	s := createServer(t, client, hcloud.ServerCreateOpts{Name: "db", Location: &hcloud.Location{Name: "hel1"},
		PublicNet: &hcloud.ServerCreatePublicNet{EnableIPv4: false, EnableIPv6: true}})
	// Assigning needs the server off.
	_, _, err = client.PrimaryIP.Assign(ctx, hcloud.PrimaryIPAssignOpts{ID: ip.ID, AssigneeID: s.ID, AssigneeType: "server"})
	requireHcloudError(t, err, hcloud.ErrorCodeServerNotStopped)
	act, _, err := client.Server.Poweroff(ctx, s)
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))
	act, _, err = client.PrimaryIP.Assign(ctx, hcloud.PrimaryIPAssignOpts{ID: ip.ID, AssigneeID: s.ID, AssigneeType: "server"})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))
	s, _, _ = client.Server.GetByID(ctx, s.ID)
	assert.Equal(t, ip.IP.String(), s.PublicNet.IPv4.IP.String())

	// A second IPv4 for the same server is refused.
	other, _, err := client.PrimaryIP.Create(ctx, hcloud.PrimaryIPCreateOpts{Name: "other", Type: hcloud.PrimaryIPTypeIPv4, Location: "hel1"})
	require.NoError(t, err)
	_, _, err = client.PrimaryIP.Assign(ctx, hcloud.PrimaryIPAssignOpts{ID: other.PrimaryIP.ID, AssigneeID: s.ID, AssigneeType: "server"})
	requireHcloudError(t, err, hcloud.ErrorCodeServerHasIPv4)

	// Deleting an assigned IP fails since 2026-05-01.
	_, err = client.PrimaryIP.Delete(ctx, ip)
	requireHcloudError(t, err, "must_be_unassigned")

	ptr := "db.example.com"
	act, _, err = client.PrimaryIP.ChangeDNSPtr(ctx, hcloud.PrimaryIPChangeDNSPtrOpts{ID: ip.ID, IP: ip.IP.String(), DNSPtr: ptr})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))
	got, _, _ := client.PrimaryIP.GetByID(ctx, ip.ID)
	assert.Equal(t, ptr, got.DNSPtr[ip.IP.String()])
	// An empty dns_ptr resets the default reverse DNS (null does too, see the HTTP tests).
	act, _, err = client.PrimaryIP.ChangeDNSPtr(ctx, hcloud.PrimaryIPChangeDNSPtrOpts{ID: ip.ID, IP: ip.IP.String(), DNSPtr: ""})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))
	got, _, _ = client.PrimaryIP.GetByID(ctx, ip.ID)
	assert.Equal(t, "static."+ip.IP.String()+".clients.your-server.de", got.DNSPtr[ip.IP.String()])

	act, _, err = client.PrimaryIP.ChangeProtection(ctx, hcloud.PrimaryIPChangeProtectionOpts{ID: ip.ID, Delete: true})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))
	_, _, err = client.PrimaryIP.Update(ctx, ip, hcloud.PrimaryIPUpdateOpts{AutoDelete: hcloud.Ptr(true)})
	requireHcloudError(t, err, hcloud.ErrorCodeInvalidInput)

	act, _, err = client.PrimaryIP.Unassign(ctx, ip.ID)
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))
	got, _, _ = client.PrimaryIP.GetByID(ctx, ip.ID)
	assert.Equal(t, "unassigned", got.AssigneeType)
	_, err = client.PrimaryIP.Delete(ctx, ip)
	requireHcloudError(t, err, hcloud.ErrorCodeProtected)
	act, _, err = client.PrimaryIP.ChangeProtection(ctx, hcloud.PrimaryIPChangeProtectionOpts{ID: ip.ID, Delete: no})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))

	// A server deleted with a kept IP leaves it unassigned.
	act, _, err = client.PrimaryIP.Assign(ctx, hcloud.PrimaryIPAssignOpts{ID: ip.ID, AssigneeID: s.ID, AssigneeType: "server"})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))
	del, _, err := client.Server.DeleteWithResult(ctx, s)
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, del.Action))
	got, _, _ = client.PrimaryIP.GetByID(ctx, ip.ID)
	require.NotNil(t, got)
	assert.Equal(t, "unassigned", got.AssigneeType)
	assert.Zero(t, got.AssigneeID)

	// The filter by ip and the actions of one primary IP.
	byIP, err := client.PrimaryIP.AllWithOpts(ctx, hcloud.PrimaryIPListOpts{IP: ip.IP.String()})
	require.NoError(t, err)
	require.Len(t, byIP, 1)
	actions, err := client.PrimaryIP.Action.All(ctx, hcloud.ActionListOpts{ID: []int64{act.ID}})
	require.NoError(t, err)
	require.Len(t, actions, 1)
	assert.Equal(t, "assign_primary_ip", actions[0].Command)

	// Existing IPs can be given to a new server; the server takes their location.
	s2 := createServer(t, client, hcloud.ServerCreateOpts{Name: "db2",
		PublicNet: &hcloud.ServerCreatePublicNet{EnableIPv4: true, IPv4: got, EnableIPv6: false}})
	assert.Equal(t, "hel1", s2.Location.Name)
	assert.Equal(t, got.ID, s2.PublicNet.IPv4.ID)
	_, err = client.PrimaryIP.Delete(ctx, got)
	requireHcloudError(t, err, "must_be_unassigned")
	assert.NoError(t, deleteAndWait(client, s2))
	_, err = client.PrimaryIP.Delete(ctx, got)
	require.NoError(t, err)
}

func deleteAndWait(client *hcloud.Client, s *hcloud.Server) error {
	ctx := context.Background()
	res, _, err := client.Server.DeleteWithResult(ctx, s)
	if err != nil {
		return err
	}
	return client.Action.WaitFor(ctx, res.Action)
}

func TestPlacementGroupsWithHcloudGo(t *testing.T) {
	srv := testkit.New(t)
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()
	res, _, err := client.PlacementGroup.Create(ctx, hcloud.PlacementGroupCreateOpts{Name: "spread-1", Type: hcloud.PlacementGroupTypeSpread})
	require.NoError(t, err)
	assert.Nil(t, res.Action)
	pg := res.PlacementGroup

	var members []int64
	for i := range 10 {
		s := createServer(t, client, hcloud.ServerCreateOpts{Name: fmt.Sprintf("pg-%d", i), PlacementGroup: pg})
		members = append(members, s.ID)
		assert.Equal(t, pg.ID, s.PlacementGroup.ID)
	}
	got, _, err := client.PlacementGroup.GetByID(ctx, pg.ID)
	require.NoError(t, err)
	assert.Equal(t, members, got.Servers)
	_, _, err = client.Server.Create(ctx, hcloud.ServerCreateOpts{Name: "pg-10", ServerType: &hcloud.ServerType{Name: "cpx22"},
		Image: &hcloud.Image{Name: "ubuntu-24.04"}, PlacementGroup: pg})
	requireHcloudError(t, err, hcloud.ErrorCodePlacementError)

	s, _, _ := client.Server.GetByID(ctx, members[0])
	act, _, err := client.Server.RemoveFromPlacementGroup(ctx, s)
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))
	_, _, err = client.Server.AddToPlacementGroup(ctx, s, pg)
	requireHcloudError(t, err, hcloud.ErrorCodeServerNotStopped)
	act, _, _ = client.Server.Poweroff(ctx, s)
	require.NoError(t, client.Action.WaitFor(ctx, act))
	act, _, err = client.Server.AddToPlacementGroup(ctx, s, pg)
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))

	updated, _, err := client.PlacementGroup.Update(ctx, pg, hcloud.PlacementGroupUpdateOpts{Name: "spread-2", Labels: map[string]string{"a": "b"}})
	require.NoError(t, err)
	assert.Equal(t, "spread-2", updated.Name)
	byLabel, err := client.PlacementGroup.AllWithOpts(ctx, hcloud.PlacementGroupListOpts{ListOpts: hcloud.ListOpts{LabelSelector: "a=b"}})
	require.NoError(t, err)
	require.Len(t, byLabel, 1)
	require.NoError(t, deleteAndWait(client, s))
	got, _, _ = client.PlacementGroup.GetByID(ctx, pg.ID)
	assert.Len(t, got.Servers, 9, "deleted servers leave their group")
	_, err = client.PlacementGroup.Delete(ctx, pg)
	require.NoError(t, err)
	s, _, _ = client.Server.GetByID(ctx, members[1])
	assert.Nil(t, s.PlacementGroup)
}

func TestImagesWithHcloudGo(t *testing.T) {
	srv := testkit.New(t)
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()
	s := createServer(t, client, hcloud.ServerCreateOpts{Name: "src"})
	act, _, _ := client.Server.EnableBackup(ctx, s, "")
	require.NoError(t, client.Action.WaitFor(ctx, act))
	res, _, err := client.Server.CreateImage(ctx, s, &hcloud.ServerCreateImageOpts{Type: hcloud.ImageTypeBackup, Labels: map[string]string{"k": "v"}})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, res.Action))
	img := res.Image

	listed, err := client.Image.AllWithOpts(ctx, hcloud.ImageListOpts{Type: []hcloud.ImageType{hcloud.ImageTypeBackup}})
	require.NoError(t, err)
	require.Len(t, listed, 1)
	assert.Equal(t, img.ID, listed[0].ID)

	// A backup becomes a snapshot: it is no longer bound to its server.
	updated, _, err := client.Image.Update(ctx, img, hcloud.ImageUpdateOpts{Type: hcloud.ImageTypeSnapshot, Description: hcloud.Ptr("kept")})
	require.NoError(t, err)
	assert.Equal(t, hcloud.ImageTypeSnapshot, updated.Type)
	assert.Nil(t, updated.BoundTo)
	assert.Equal(t, "kept", updated.Description)

	act, _, err = client.Image.ChangeProtection(ctx, img, hcloud.ImageChangeProtectionOpts{Delete: hcloud.Ptr(true)})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))
	_, err = client.Image.Delete(ctx, img)
	requireHcloudError(t, err, hcloud.ErrorCodeProtected)
	imgActions, err := client.Image.Action.All(ctx, hcloud.ActionListOpts{})
	require.NoError(t, err)
	require.NotEmpty(t, imgActions)
	act, _, _ = client.Image.ChangeProtection(ctx, img, hcloud.ImageChangeProtectionOpts{Delete: hcloud.Ptr(false)})
	require.NoError(t, client.Action.WaitFor(ctx, act))
	_, err = client.Image.Delete(ctx, img)
	require.NoError(t, err)
	gone, _, _ := client.Image.GetByID(ctx, img.ID)
	assert.Nil(t, gone)

	// System images cannot be changed or deleted.
	system, _, err := client.Image.GetForArchitecture(ctx, "ubuntu-24.04", hcloud.ArchitectureX86)
	require.NoError(t, err)
	_, _, err = client.Image.Update(ctx, system, hcloud.ImageUpdateOpts{Description: hcloud.Ptr("mine")})
	requireHcloudError(t, err, hcloud.ErrorUnsupportedError)
	_, err = client.Image.Delete(ctx, system)
	requireHcloudError(t, err, hcloud.ErrorUnsupportedError)

	// A server can be created from a snapshot.
	snap, _, err := client.Server.CreateImage(ctx, s, nil)
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, snap.Action))
	clone := createServer(t, client, hcloud.ServerCreateOpts{Name: "clone", Image: &hcloud.Image{ID: snap.Image.ID}})
	assert.Equal(t, snap.Image.ID, clone.Image.ID)
}

func TestMetadataServiceWithHcloudGo(t *testing.T) {
	srv := testkit.New(t)
	client := hcloudClient(srv, srv.Token)
	s := createServer(t, client, hcloud.ServerCreateOpts{Name: "meta-1", Location: &hcloud.Location{Name: "hel1"}, UserData: "#cloud-config\n"})

	// The only server of the only project: no token, no header.
	md := metadata.NewClient(metadata.WithEndpoint(srv.BaseURL+"/hetzner/v1/metadata"), metadata.WithHTTPClient(srv.HTTPClient()))
	assert.True(t, md.IsHcloudServer())
	host, err := md.Hostname()
	require.NoError(t, err)
	assert.Equal(t, "meta-1", host)
	id, err := md.InstanceID()
	require.NoError(t, err)
	assert.Equal(t, s.ID, id)
	ip, err := md.PublicIPv4()
	require.NoError(t, err)
	assert.Equal(t, s.PublicNet.IPv4.IP.String(), ip.String())
	zone, err := md.AvailabilityZone()
	require.NoError(t, err)
	assert.Equal(t, "hel1-dc2", zone)
	region, err := md.Region()
	require.NoError(t, err)
	assert.Equal(t, "eu-central", region)
	nets, err := md.PrivateNetworks()
	require.NoError(t, err)
	assert.Equal(t, "[]", strings.TrimSpace(nets))
	yaml := getText(t, srv, "/hetzner/v1/metadata", "")
	assert.Contains(t, yaml, "hostname: meta-1\n")
	assert.Contains(t, yaml, fmt.Sprintf("instance-id: %d\n", s.ID))
	assert.Contains(t, yaml, "region: eu-central\n")

	// With two servers the asking one must be named.
	s2 := createServer(t, client, hcloud.ServerCreateOpts{Name: "meta-2"})
	_, err = md.Hostname()
	assert.Error(t, err)
	named := metadata.NewClient(metadata.WithEndpoint(srv.BaseURL+"/hetzner/v1/metadata"),
		metadata.WithHTTPClient(&http.Client{Transport: headerTransport{"X-Server-Id": fmt.Sprint(s2.ID)}}))
	host, err = named.Hostname()
	require.NoError(t, err)
	assert.Equal(t, "meta-2", host)

	assert.Equal(t, "#cloud-config\n", getText(t, srv, "/hetzner/v1/userdata", fmt.Sprint(s.ID)))
	// A bearer token narrows the search to its project: another token's project has no servers.
	req, _ := http.NewRequest("GET", srv.BaseURL+"/hetzner/v1/metadata/hostname", nil)
	req.Header.Set("Authorization", "Bearer someone-else")
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode)
}

func getText(t *testing.T, srv *testkit.Server, path, serverID string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.BaseURL+path, nil)
	if serverID != "" {
		req.Header.Set("X-Server-Id", serverID)
	}
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	require.Equal(t, 200, resp.StatusCode, string(body))
	return string(body)
}

// headerTransport adds headers to every request.
type headerTransport map[string]string

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h {
		r.Header.Set(k, v)
	}
	return http.DefaultTransport.RoundTrip(r)
}
