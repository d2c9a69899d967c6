package handlers_test

// Primary IP error paths through raw HTTP (behaviour.md §3.5, §10.3), and the action
// endpoints of primary IPs and images (§10.1: /<res>/actions/{id} and
// /<res>/{id}/actions/{action_id} find only that resource's actions). Every refused request
// must leave the state as it was (refused compares snapshots without their `taken` time).

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/apitest"
	"github.com/fakehetzner/fakehetzner/testkit"
)

func pipFixedTime() time.Time { return time.Date(2026, 8, 3, 9, 0, 0, 0, time.UTC) }

// pipServer is a created server with the ids of its auto-created primary IPs (0: none).
type pipServer struct {
	ID, IPv4, IPv6 int64
	Actions        []int64 // create_server and its next actions
}

// pipCreateServer creates a server in fsn1 and returns it with its primary IP ids.
func pipCreateServer(t *testing.T, api *apitest.Client, name string, v4, v6, start bool) pipServer {
	t.Helper()
	res := api.Post("/v1/servers", map[string]any{"name": name, "server_type": "cpx22", "image": "ubuntu-24.04",
		"location": "fsn1", "start_after_create": start,
		"public_net": map[string]any{"enable_ipv4": v4, "enable_ipv6": v6}})
	require.Equal(t, 201, res.Status, string(res.Body))
	var out struct {
		Server struct {
			ID        int64 `json:"id"`
			PublicNet struct {
				IPv4 *struct {
					ID int64 `json:"id"`
				} `json:"ipv4"`
				IPv6 *struct {
					ID int64 `json:"id"`
				} `json:"ipv6"`
			} `json:"public_net"`
		} `json:"server"`
		Action      actionAnswer   `json:"action"`
		NextActions []actionAnswer `json:"next_actions"`
	}
	res.Decode(&out)
	s := pipServer{ID: out.Server.ID, Actions: []int64{out.Action.ID}}
	for _, a := range out.NextActions {
		s.Actions = append(s.Actions, a.ID)
	}
	if ip := out.Server.PublicNet.IPv4; ip != nil {
		s.IPv4 = ip.ID
	}
	if ip := out.Server.PublicNet.IPv6; ip != nil {
		s.IPv6 = ip.ID
	}
	require.Equal(t, v4, s.IPv4 != 0, "ipv4 created as asked")
	require.Equal(t, v6, s.IPv6 != 0, "ipv6 created as asked")
	return s
}

// pipCreateIP creates an unassigned primary IP in fsn1.
func pipCreateIP(t *testing.T, api *apitest.Client, name, typ string) int64 {
	t.Helper()
	res := api.Post("/v1/primary_ips", map[string]any{"name": name, "type": typ, "location": "fsn1"})
	require.Equal(t, 201, res.Status, string(res.Body))
	var out struct {
		PrimaryIP struct {
			ID int64 `json:"id"`
		} `json:"primary_ip"`
	}
	res.Decode(&out)
	return out.PrimaryIP.ID
}

// pipServerStatus reads a server's status.
func pipServerStatus(t *testing.T, api *apitest.Client, id int64) string {
	t.Helper()
	res := api.Get(fmt.Sprintf("/v1/servers/%d", id))
	require.Equal(t, 200, res.Status, string(res.Body))
	return res.JSON()["server"].(map[string]any)["status"].(string)
}

// pipAssignee reads a primary IP's assignee (0: unassigned).
func pipAssignee(t *testing.T, api *apitest.Client, id int64) int64 {
	t.Helper()
	res := api.Get(fmt.Sprintf("/v1/primary_ips/%d", id))
	require.Equal(t, 200, res.Status, string(res.Body))
	var out struct {
		PrimaryIP struct {
			AssigneeID *int64 `json:"assignee_id"`
		} `json:"primary_ip"`
	}
	res.Decode(&out)
	if out.PrimaryIP.AssigneeID == nil {
		return 0
	}
	return *out.PrimaryIP.AssigneeID
}

func pipAssign(api *apitest.Client, ip, server int64) func() *apitest.Response {
	return func() *apitest.Response {
		return api.Post(fmt.Sprintf("/v1/primary_ips/%d/actions/assign", ip),
			map[string]any{"assignee_id": server, "assignee_type": "server"})
	}
}

func pipUnassign(api *apitest.Client, ip int64) func() *apitest.Response {
	return func() *apitest.Response {
		return api.Post(fmt.Sprintf("/v1/primary_ips/%d/actions/unassign", ip), nil)
	}
}

func TestAssigningAnAssignedPrimaryIPIsRefused(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(pipFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	owner := pipCreateServer(t, api, "owner", true, false, false)
	other := pipCreateServer(t, api, "other", false, false, false)
	require.Equal(t, "off", pipServerStatus(t, api, other.ID))

	e := refused(t, srv, pipAssign(api, owner.IPv4, other.ID), 422, "primary_ip_already_assigned")
	assert.Contains(t, e.Message, "already assigned")
	assert.Equal(t, owner.ID, pipAssignee(t, api, owner.IPv4), "the IP stays with its server")

	// Once unassigned, the same request succeeds: the refusal was about the assignment.
	a := actionOf(t, pipUnassign(api, owner.IPv4)())
	assert.Equal(t, "unassign_primary_ip", a.Command)
	a = actionOf(t, pipAssign(api, owner.IPv4, other.ID)())
	assert.Equal(t, "assign_primary_ip", a.Command)
	assert.Equal(t, other.ID, pipAssignee(t, api, owner.IPv4))
}

func TestAssigningASecondIPv6IsRefused(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(pipFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	s := pipCreateServer(t, api, "dual", true, true, false)
	spare := pipCreateIP(t, api, "spare-v6", "ipv6")

	refused(t, srv, pipAssign(api, spare, s.ID), 422, "server_has_ipv6")
	assert.Zero(t, pipAssignee(t, api, spare))

	// Without its own IPv6 the server takes the spare one.
	actionOf(t, pipUnassign(api, s.IPv6)())
	actionOf(t, pipAssign(api, spare, s.ID)())
	assert.Equal(t, s.ID, pipAssignee(t, api, spare))
}

func TestUnassigningFromARunningServerIsRefused(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(pipFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	s := pipCreateServer(t, api, "busy", true, true, true)
	require.Equal(t, "running", pipServerStatus(t, api, s.ID))

	refused(t, srv, pipUnassign(api, s.IPv4), 422, "server_not_stopped")
	refused(t, srv, pipUnassign(api, s.IPv6), 422, "server_not_stopped")
	assert.Equal(t, s.ID, pipAssignee(t, api, s.IPv4))

	actionOf(t, api.Post(fmt.Sprintf("/v1/servers/%d/actions/poweroff", s.ID), nil))
	require.Equal(t, "off", pipServerStatus(t, api, s.ID))
	actionOf(t, pipUnassign(api, s.IPv4)())
	assert.Zero(t, pipAssignee(t, api, s.IPv4))
}

func TestPrimaryIPActionWhileAnotherRunsIsLocked(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(pipFixedTime), testkit.WithManualActions())
	api := apitest.New(t, srv.BaseURL, srv.Token)
	complete := func(id int64) {
		t.Helper()
		_, err := srv.CompleteAction(id, true, "", "")
		require.NoError(t, err)
	}
	s := pipCreateServer(t, api, "host", false, true, false)
	for _, id := range s.Actions {
		complete(id)
	}
	require.Equal(t, "off", pipServerStatus(t, api, s.ID))
	spare := pipCreateIP(t, api, "spare", "ipv4")
	second := pipCreateIP(t, api, "second", "ipv4")

	assign := actionOf(t, pipAssign(api, spare, s.ID)())
	require.Equal(t, "running", assign.Status)

	// The assign action holds the primary IP and the server.
	e := refused(t, srv, pipUnassign(api, spare), 423, "locked")
	assert.Equal(t, "cannot perform operation because primary_ip is locked", e.Message)
	refused(t, srv, pipAssign(api, spare, s.ID), 423, "locked")
	e = refused(t, srv, pipAssign(api, second, s.ID), 423, "locked")
	assert.Equal(t, "cannot perform operation because server is locked", e.Message, "another IP for the busy server")
	refused(t, srv, pipUnassign(api, s.IPv6), 423, "locked")

	complete(assign.ID)
	assert.Equal(t, "success", getAction(t, api, assign.ID).Status)
	unassign := actionOf(t, pipUnassign(api, spare)())
	assert.Equal(t, "running", unassign.Status, "free again once the action ended")
	refused(t, srv, pipUnassign(api, spare), 423, "locked")

	// A server action locks the server's primary IPs' assignment too.
	complete(unassign.ID)
	poweron := actionOf(t, api.Post(fmt.Sprintf("/v1/servers/%d/actions/poweron", s.ID), nil))
	refused(t, srv, pipAssign(api, spare, s.ID), 423, "locked")
	refused(t, srv, pipUnassign(api, s.IPv6), 423, "locked")
	complete(poweron.ID)
}

func TestPrimaryIPAndImageActionEndpoints(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(pipFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	s := pipCreateServer(t, api, "src", false, false, false)
	ipA := pipCreateIP(t, api, "a", "ipv4")
	ipB := pipCreateIP(t, api, "b", "ipv4")
	assign := actionOf(t, pipAssign(api, ipA, s.ID)())
	protectB := actionOf(t, api.Post(fmt.Sprintf("/v1/primary_ips/%d/actions/change_protection", ipB), map[string]any{"delete": true}))
	serverOnly := actionOf(t, api.Post(fmt.Sprintf("/v1/servers/%d/actions/poweron", s.ID), nil))

	res := api.Post(fmt.Sprintf("/v1/servers/%d/actions/create_image", s.ID), map[string]any{"type": "snapshot", "description": "img"})
	require.Equal(t, 201, res.Status, string(res.Body))
	var created struct {
		Image struct {
			ID int64 `json:"id"`
		} `json:"image"`
		Action actionAnswer `json:"action"`
	}
	res.Decode(&created)
	img, createImage := created.Image.ID, created.Action
	protectImg := actionOf(t, api.Post(fmt.Sprintf("/v1/images/%d/actions/change_protection", img), map[string]any{"delete": true}))
	srv.Store().Tick()

	found := func(path string, want actionAnswer) {
		t.Helper()
		res := api.Get(path)
		require.Equal(t, 200, res.Status, "%s: %s", path, res.Body)
		var out struct {
			Action actionAnswer `json:"action"`
		}
		res.Decode(&out)
		assert.Equal(t, want.ID, out.Action.ID, path)
		assert.Equal(t, want.Command, out.Action.Command, path)
		assert.Equal(t, "success", out.Action.Status, path)
	}
	notFound := func(path string) {
		t.Helper()
		before := netState(t, srv)
		res := api.Get(path)
		require.Equal(t, 404, res.Status, "%s: %s", path, res.Body)
		assert.Equal(t, "not_found", res.Error().Code, path)
		assert.Equal(t, before, netState(t, srv), path)
	}

	found(fmt.Sprintf("/v1/primary_ips/actions/%d", assign.ID), assign)
	found(fmt.Sprintf("/v1/primary_ips/actions/%d", protectB.ID), protectB)
	found(fmt.Sprintf("/v1/primary_ips/%d/actions/%d", ipA, assign.ID), assign)
	found(fmt.Sprintf("/v1/primary_ips/%d/actions/%d", ipB, protectB.ID), protectB)
	notFound(fmt.Sprintf("/v1/primary_ips/actions/%d", serverOnly.ID))
	notFound(fmt.Sprintf("/v1/primary_ips/actions/%d", protectImg.ID))
	notFound(fmt.Sprintf("/v1/primary_ips/%d/actions/%d", ipB, assign.ID))
	notFound(fmt.Sprintf("/v1/primary_ips/%d/actions/%d", ipA, protectB.ID))
	notFound(fmt.Sprintf("/v1/primary_ips/%d/actions/%d", ipA, serverOnly.ID))
	notFound("/v1/primary_ips/actions/999999999")

	found(fmt.Sprintf("/v1/images/actions/%d", createImage.ID), createImage)
	found(fmt.Sprintf("/v1/images/actions/%d", protectImg.ID), protectImg)
	found(fmt.Sprintf("/v1/images/%d/actions/%d", img, createImage.ID), createImage)
	found(fmt.Sprintf("/v1/images/%d/actions/%d", img, protectImg.ID), protectImg)
	notFound(fmt.Sprintf("/v1/images/actions/%d", serverOnly.ID))
	notFound(fmt.Sprintf("/v1/images/actions/%d", assign.ID))
	notFound(fmt.Sprintf("/v1/images/%d/actions/%d", img, serverOnly.ID))
	notFound(fmt.Sprintf("/v1/images/%d/actions/%d", img, protectB.ID))
	notFound(fmt.Sprintf("/v1/images/%d/actions/%d", img+1000, createImage.ID))
	notFound("/v1/images/actions/999999999")

	// The create_image action works on the server as well: the server's endpoints find it.
	found(fmt.Sprintf("/v1/servers/%d/actions/%d", s.ID, createImage.ID), createImage)

	// hcloud-go reads not_found there as "no such action" (nil, no error).
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()
	got, _, err := client.PrimaryIP.Action.GetByID(ctx, assign.ID)
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, "assign_primary_ip", got.Command)
	got, _, err = client.PrimaryIP.Action.GetByID(ctx, serverOnly.ID)
	require.NoError(t, err)
	assert.Nil(t, got, "a server action is no primary IP action")
	got, _, err = client.Image.Action.GetByID(ctx, createImage.ID)
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, "create_image", got.Command)
	got, _, err = client.Image.Action.GetByID(ctx, assign.ID)
	require.NoError(t, err)
	assert.Nil(t, got, "a primary IP action is no image action")
}
