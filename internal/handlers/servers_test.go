package handlers_test

// The compute surface through raw HTTP: shapes, error paths, and bodies clients send that the
// reference spec does not describe exactly.

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/apitest"
	"github.com/fakehetzner/fakehetzner/testkit"
)

type serverCreated struct {
	Server struct {
		ID        int64  `json:"id"`
		Status    string `json:"status"`
		PublicNet struct {
			IPv4 *struct {
				ID int64  `json:"id"`
				IP string `json:"ip"`
			} `json:"ipv4"`
		} `json:"public_net"`
	} `json:"server"`
	Action       actionAnswer   `json:"action"`
	NextActions  []actionAnswer `json:"next_actions"`
	RootPassword *string        `json:"root_password"`
}

func createRaw(t *testing.T, api *apitest.Client, body map[string]any) serverCreated {
	t.Helper()
	res := api.Post("/v1/servers", body)
	require.Equal(t, 201, res.Status, string(res.Body))
	var out serverCreated
	res.Decode(&out)
	return out
}

func countServers(t *testing.T, api *apitest.Client) int {
	t.Helper()
	res := api.Get("/v1/servers")
	require.Equal(t, 200, res.Status)
	return int(res.JSON()["meta"].(map[string]any)["pagination"].(map[string]any)["total_entries"].(float64))
}

func TestCreateServerAnswerShape(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	res := api.Post("/v1/servers", map[string]any{"name": "shape", "server_type": "cpx22", "image": "ubuntu-24.04"})
	require.Equal(t, 201, res.Status, string(res.Body))
	body := res.JSON()
	assert.ElementsMatch(t, []string{"server", "action", "next_actions", "root_password"}, keys(body))
	server := body["server"].(map[string]any)
	assert.NotContains(t, server, "datacenter", "datacenter left the API on 2026-07-01")
	assert.Equal(t, "initializing", server["status"])
	assert.NotNil(t, body["root_password"])
	for _, k := range []string{"backup_window", "created", "id", "image", "included_traffic", "ingoing_traffic", "iso",
		"labels", "load_balancers", "location", "locked", "name", "outgoing_traffic", "placement_group",
		"primary_disk_size", "private_net", "protection", "public_net", "rescue_enabled", "server_type", "status", "volumes"} {
		assert.Contains(t, server, k)
	}
	pn := server["public_net"].(map[string]any)
	assert.Equal(t, []any{}, pn["floating_ips"])
	v6 := pn["ipv6"].(map[string]any)
	assert.Equal(t, []any{}, v6["dns_ptr"])
	ipID := int64(pn["ipv4"].(map[string]any)["id"].(float64))

	ip := api.Get(fmt.Sprintf("/v1/primary_ips/%d", ipID)).JSON()["primary_ip"].(map[string]any)
	assert.NotContains(t, ip, "datacenter")
	assert.Equal(t, "server", ip["assignee_type"])
	assert.Equal(t, fmt.Sprintf("primary_ip-%d", ipID), ip["name"])
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Clients send ids as numbers in fields the reference types as string (hcloud-go: server_type,
// image; hcloud-python: also location and ssh_keys), and names where ids are expected.
func TestIDOrNameFieldsTakeNumbersAndStrings(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	key, _ := newPublicKey(t)
	k := api.Post("/v1/ssh_keys", map[string]any{"name": "k", "public_key": key})
	require.Equal(t, 201, k.Status)
	keyID := k.JSON()["ssh_key"].(map[string]any)["id"]

	out := createRaw(t, api, map[string]any{"name": "nums", "server_type": 109, "image": 161547269, "location": 3, "ssh_keys": []any{keyID}})
	assert.Nil(t, out.RootPassword)
	out = createRaw(t, api, map[string]any{"name": "strs", "server_type": "109", "image": "debian-12", "location": "hel1", "ssh_keys": []any{"k"}})
	assert.Nil(t, out.RootPassword)
	s := api.Get(fmt.Sprintf("/v1/servers/%d", out.Server.ID)).JSON()["server"].(map[string]any)
	assert.Equal(t, "hel1", s["location"].(map[string]any)["name"])

	for _, bad := range []map[string]any{
		{"name": "x", "server_type": true, "image": "debian-12"},
		{"name": "x", "server_type": 1.5, "image": "debian-12"},
		{"name": "x", "server_type": "cpx22", "image": []any{1}},
	} {
		res := api.Post("/v1/servers", bad)
		assert.Equal(t, 422, res.Status, string(res.Body))
		assert.Equal(t, "invalid_input", res.Error().Code)
	}
	res := api.Post(fmt.Sprintf("/v1/servers/%d/actions/poweroff", out.Server.ID), nil)
	require.Equal(t, 201, res.Status)
	res = api.Post(fmt.Sprintf("/v1/servers/%d/actions/change_type", out.Server.ID), map[string]any{"server_type": 110, "upgrade_disk": false})
	require.Equal(t, 201, res.Status, string(res.Body))
	res = api.Post(fmt.Sprintf("/v1/servers/%d/actions/rebuild", out.Server.ID), map[string]any{"image": 1041})
	require.Equal(t, 201, res.Status, string(res.Body))
	res = api.Post(fmt.Sprintf("/v1/servers/%d/actions/attach_iso", out.Server.ID), map[string]any{"iso": 118512})
	require.Equal(t, 201, res.Status, string(res.Body))
}

func TestCreateServerErrorsChangeNothing(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	createRaw(t, api, map[string]any{"name": "taken", "server_type": "cpx22", "image": "ubuntu-24.04"})
	cases := []struct {
		name   string
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"datacenter is gone", map[string]any{"name": "a", "server_type": "cpx22", "image": "ubuntu-24.04", "datacenter": "fsn1-dc14"}, 422, "invalid_input", "datacenter"},
		{"not a hostname", map[string]any{"name": "that_server_12", "server_type": "cpx22", "image": "ubuntu-24.04"}, 422, "invalid_input", "name"},
		{"missing image", map[string]any{"name": "a", "server_type": "cpx22"}, 422, "invalid_input", "image"},
		{"unknown type", map[string]any{"name": "a", "server_type": "cpx999", "image": "ubuntu-24.04"}, 422, "invalid_input", "server_type"},
		{"unknown image", map[string]any{"name": "a", "server_type": "cpx22", "image": "nope"}, 422, "invalid_input", "image"},
		{"unknown location", map[string]any{"name": "a", "server_type": "cpx22", "image": "ubuntu-24.04", "location": "mars"}, 422, "invalid_input", "location"},
		{"type not sold there", map[string]any{"name": "a", "server_type": "cpx22", "image": "ubuntu-24.04", "location": "ash"}, 422, "invalid_input", "location"},
		{"unknown ssh key", map[string]any{"name": "a", "server_type": "cpx22", "image": "ubuntu-24.04", "ssh_keys": []any{42}}, 422, "invalid_input", "ssh_keys"},
		{"unknown network", map[string]any{"name": "a", "server_type": "cpx22", "image": "ubuntu-24.04", "networks": []any{7}}, 422, "invalid_input", "networks"},
		{"unknown volume", map[string]any{"name": "a", "server_type": "cpx22", "image": "ubuntu-24.04", "volumes": []any{7}}, 422, "invalid_input", "volumes"},
		{"unknown firewall", map[string]any{"name": "a", "server_type": "cpx22", "image": "ubuntu-24.04", "firewalls": []any{map[string]any{"firewall": 7}}}, 422, "invalid_input", "firewalls"},
		{"unknown placement group", map[string]any{"name": "a", "server_type": "cpx22", "image": "ubuntu-24.04", "placement_group": 7}, 422, "invalid_input", "placement_group"},
		{"unknown primary ip", map[string]any{"name": "a", "server_type": "cpx22", "image": "ubuntu-24.04", "public_net": map[string]any{"ipv4": 7}}, 422, "invalid_input", "public_net.ipv4"},
		{"user data too long", map[string]any{"name": "a", "server_type": "cpx22", "image": "ubuntu-24.04", "user_data": string(make([]byte, 32*1024+1))}, 422, "invalid_input", "user_data"},
		{"reserved label", map[string]any{"name": "a", "server_type": "cpx22", "image": "ubuntu-24.04", "labels": map[string]any{"hetzner.cloud/x": "y"}}, 422, "invalid_input", "labels"},
		{"duplicate name", map[string]any{"name": "taken", "server_type": "cpx22", "image": "ubuntu-24.04"}, 409, "uniqueness_error", "name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := api.Post("/v1/servers", tc.body)
			require.Equal(t, tc.status, res.Status, string(res.Body))
			e := res.Error()
			assert.Equal(t, tc.code, e.Code)
			assert.Contains(t, e.FieldNames(), tc.field)
		})
	}
	assert.Equal(t, 1, countServers(t, api))
	ips := api.Get("/v1/primary_ips").JSON()["primary_ips"].([]any)
	assert.Len(t, ips, 2, "refused creates leave no primary IPs behind")
}

func TestServerActionEndpointsAndErrors(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	a := createRaw(t, api, map[string]any{"name": "a", "server_type": "cpx22", "image": "ubuntu-24.04"})
	b := createRaw(t, api, map[string]any{"name": "b", "server_type": "cpx22", "image": "ubuntu-24.04"})
	path := func(id int64, rest string) string { return fmt.Sprintf("/v1/servers/%d%s", id, rest) }

	res := api.Get(path(a.Server.ID, "/actions?sort=id:desc"))
	require.Equal(t, 200, res.Status)
	var list struct {
		Actions []actionAnswer `json:"actions"`
	}
	res.Decode(&list)
	require.Len(t, list.Actions, 2)
	assert.Equal(t, "start_server", list.Actions[0].Command)
	assert.Equal(t, "success", list.Actions[0].Status)

	res = api.Get("/v1/servers/actions?status=success&per_page=3")
	require.Equal(t, 200, res.Status)
	res.Decode(&list)
	assert.Len(t, list.Actions, 3)
	assert.Equal(t, 200, api.Get(fmt.Sprintf("/v1/servers/actions/%d", a.Action.ID)).Status)
	assert.Equal(t, 200, api.Get(path(a.Server.ID, fmt.Sprintf("/actions/%d", a.Action.ID))).Status)
	assert.Equal(t, 404, api.Get(path(b.Server.ID, fmt.Sprintf("/actions/%d", a.Action.ID))).Status, "another server's action")
	assert.Equal(t, 404, api.Get(path(999999, "/actions")).Status)
	assert.Equal(t, 404, api.Post(path(999999, "/actions/poweron"), nil).Status)

	// Bad input on actions.
	for _, tc := range []struct {
		action string
		body   any
		status int
		code   string
	}{
		{"/actions/change_type", map[string]any{"server_type": "cpx32", "upgrade_disk": true}, 422, "server_not_stopped"},
		{"/actions/change_type", map[string]any{"server_type": "cpx999", "upgrade_disk": true}, 422, "invalid_input"},
		{"/actions/rebuild", map[string]any{"image": "nope"}, 422, "invalid_input"},
		{"/actions/attach_iso", map[string]any{"iso": "nope.iso"}, 422, "invalid_input"},
		{"/actions/attach_iso", map[string]any{"iso": "alpine-virt-3.22.1-aarch64.iso"}, 422, "invalid_input"},
		{"/actions/change_dns_ptr", map[string]any{"ip": "192.0.2.1", "dns_ptr": "x.example.com"}, 422, "invalid_input"},
		{"/actions/change_protection", map[string]any{"delete": true, "rebuild": false}, 422, "invalid_input"},
		{"/actions/create_image", map[string]any{"type": "backup"}, 422, "invalid_input"},
		{"/actions/create_image", map[string]any{"type": "system"}, 422, "invalid_input"},
		{"/actions/add_to_placement_group", map[string]any{"placement_group": 424242}, 404, "not_found"},
		{"/actions/enable_rescue", map[string]any{"type": "freebsd64"}, 422, "invalid_input"},
		{"/actions/enable_rescue", map[string]any{"ssh_keys": []any{42}}, 422, "invalid_input"},
		{"/actions/remove_from_placement_group", nil, 422, "invalid_input"},
	} {
		res := api.Post(path(a.Server.ID, tc.action), tc.body)
		require.Equal(t, tc.status, res.Status, "%s %v: %s", tc.action, tc.body, res.Body)
		assert.Equal(t, tc.code, res.Error().Code, tc.action)
	}

	// create_image as hcloud-go sends it without options: explicit nulls.
	res = api.Post(path(a.Server.ID, "/actions/create_image"), `{"type":null,"description":null}`)
	require.Equal(t, 201, res.Status, string(res.Body))
	img := res.JSON()["image"].(map[string]any)
	assert.Equal(t, "snapshot", img["type"])
	assert.Nil(t, img["name"])
	assert.Equal(t, "a", img["created_from"].(map[string]any)["name"])

	// Deleting answers 200 with the action; the action stays readable after the server is gone.
	res = api.Delete(path(b.Server.ID, ""))
	require.Equal(t, 200, res.Status, string(res.Body))
	var del struct {
		Action actionAnswer `json:"action"`
	}
	res.Decode(&del)
	assert.Equal(t, "delete_server", del.Action.Command)
	assert.Equal(t, 404, api.Get(path(b.Server.ID, "")).Status)
	assert.Equal(t, "success", getAction(t, api, del.Action.ID).Status)

	// PUT renames; a clash is a uniqueness error; labels are replaced.
	res = api.Put(path(a.Server.ID, ""), map[string]any{"name": "a2", "labels": map[string]any{"x": "y"}})
	require.Equal(t, 200, res.Status, string(res.Body))
	c := createRaw(t, api, map[string]any{"name": "c", "server_type": "cpx22", "image": "ubuntu-24.04"})
	res = api.Put(path(c.Server.ID, ""), map[string]any{"name": "a2"})
	assert.Equal(t, 409, res.Status)
	res = api.Put(path(c.Server.ID, ""), map[string]any{"name": "bad_name"})
	assert.Equal(t, 422, res.Status)

	// Metrics: bad ranges are invalid_input.
	start := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	end := time.Now().UTC().Format(time.RFC3339)
	res = api.Get(path(a.Server.ID, "/metrics?type=cpu&start="+end+"&end="+start))
	assert.Equal(t, 422, res.Status)
	res = api.Get(path(a.Server.ID, "/metrics?type=cpu&start=yesterday&end="+end))
	assert.Equal(t, 422, res.Status)
	res = api.Get(path(a.Server.ID, "/metrics?type=disk&start="+start+"&end="+end))
	require.Equal(t, 200, res.Status, string(res.Body))
	ts := res.JSON()["metrics"].(map[string]any)["time_series"].(map[string]any)
	assert.Len(t, ts, 4)
	v := ts["disk.0.iops.read"].(map[string]any)["values"].([]any)[0].([]any)
	assert.IsType(t, float64(0), v[0])
	assert.IsType(t, "", v[1], "values are strings")
}

func TestPrimaryIPHTTPErrorsAndNulls(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	res := api.Post("/v1/primary_ips", map[string]any{"name": "x", "type": "ipv4", "datacenter": "fsn1-dc14"})
	assert.Equal(t, 422, res.Status, "datacenter left the API")
	res = api.Post("/v1/primary_ips", map[string]any{"name": "x", "type": "ipv4"})
	assert.Equal(t, 422, res.Status, "a location or an assignee is needed")
	res = api.Post("/v1/primary_ips", map[string]any{"name": "x", "type": "ipv4", "location": 2})
	require.Equal(t, 201, res.Status, string(res.Body))
	ip := res.JSON()["primary_ip"].(map[string]any)
	assert.Equal(t, "unassigned", ip["assignee_type"])
	assert.Nil(t, ip["assignee_id"])
	assert.Equal(t, "nbg1", ip["location"].(map[string]any)["name"])
	id := int64(ip["id"].(float64))
	addr := ip["ip"].(string)

	res = api.Post(fmt.Sprintf("/v1/primary_ips/%d/actions/change_dns_ptr", id), map[string]any{"ip": addr, "dns_ptr": "a.example.com"})
	require.Equal(t, 201, res.Status, string(res.Body))
	res = api.Post(fmt.Sprintf("/v1/primary_ips/%d/actions/change_dns_ptr", id), `{"ip":"`+addr+`","dns_ptr":null}`)
	require.Equal(t, 201, res.Status, string(res.Body))
	ptrs := api.Get(fmt.Sprintf("/v1/primary_ips/%d", id)).JSON()["primary_ip"].(map[string]any)["dns_ptr"].([]any)
	assert.Equal(t, "static."+addr+".clients.your-server.de", ptrs[0].(map[string]any)["dns_ptr"])

	res = api.Post(fmt.Sprintf("/v1/primary_ips/%d/actions/assign", id), map[string]any{"assignee_id": 999999, "assignee_type": "server"})
	assert.Equal(t, 404, res.Status)
	assert.Equal(t, 204, api.Delete(fmt.Sprintf("/v1/primary_ips/%d", id)).Status)
	assert.Equal(t, 404, api.Get(fmt.Sprintf("/v1/primary_ips/%d", id)).Status)

	res = api.Post("/v1/placement_groups", map[string]any{"name": "g", "type": "spread"})
	require.Equal(t, 201, res.Status)
	body := res.JSON()
	assert.Contains(t, body, "action")
	assert.Nil(t, body["action"])
	res = api.Post("/v1/placement_groups", map[string]any{"name": "g2", "type": "cluster"})
	assert.Equal(t, 422, res.Status)
}
