package handlers_test

// Networks and the server actions on them through raw HTTP: shapes, every operation, error
// paths, and that refused requests change nothing.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/apitest"
	"github.com/fakehetzner/fakehetzner/testkit"
)

type networkBody struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	IPRange string `json:"ip_range"`
	Subnets []struct {
		Type        string `json:"type"`
		IPRange     string `json:"ip_range"`
		NetworkZone string `json:"network_zone"`
		Gateway     string `json:"gateway"`
	} `json:"subnets"`
	Routes []struct {
		Destination string `json:"destination"`
		Gateway     string `json:"gateway"`
	} `json:"routes"`
	Servers    []int64 `json:"servers"`
	Protection struct {
		Delete bool `json:"delete"`
	} `json:"protection"`
	Labels                map[string]string `json:"labels"`
	ExposeRoutesToVSwitch bool              `json:"expose_routes_to_vswitch"`
}

type privateNetBody struct {
	Network    int64    `json:"network"`
	IP         string   `json:"ip"`
	AliasIPs   []string `json:"alias_ips"`
	MACAddress string   `json:"mac_address"`
}

type memberBody struct {
	Type     string   `json:"type"`
	ID       int64    `json:"id"`
	IP       string   `json:"ip"`
	Status   string   `json:"status"`
	AliasIPs []string `json:"alias_ips"`
	Subnet   string   `json:"subnet"`
}

func netFixedTime() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }

// netState is the store's whole state without the moment it was taken.
func netState(t *testing.T, srv *testkit.Server) string {
	t.Helper()
	snap := srv.Snapshot()
	snap.Taken = time.Time{}
	b, err := json.Marshal(snap)
	require.NoError(t, err)
	return string(b)
}

func postNetwork(t *testing.T, api *apitest.Client, body map[string]any) networkBody {
	t.Helper()
	res := api.Post("/v1/networks", body)
	require.Equal(t, 201, res.Status, string(res.Body))
	var out struct {
		Network networkBody `json:"network"`
	}
	res.Decode(&out)
	return out.Network
}

func getNetwork(t *testing.T, api *apitest.Client, id int64) networkBody {
	t.Helper()
	res := api.Get(fmt.Sprintf("/v1/networks/%d", id))
	require.Equal(t, 200, res.Status, string(res.Body))
	var out struct {
		Network networkBody `json:"network"`
	}
	res.Decode(&out)
	return out.Network
}

func serverPrivateNet(t *testing.T, api *apitest.Client, id int64) []privateNetBody {
	t.Helper()
	res := api.Get(fmt.Sprintf("/v1/servers/%d", id))
	require.Equal(t, 200, res.Status, string(res.Body))
	var out struct {
		Server struct {
			PrivateNet []privateNetBody `json:"private_net"`
		} `json:"server"`
	}
	res.Decode(&out)
	return out.Server.PrivateNet
}

// actionOf decodes {"action": …} from a 201 answer.
func actionOf(t *testing.T, res *apitest.Response) actionAnswer {
	t.Helper()
	require.Equal(t, 201, res.Status, string(res.Body))
	var out struct {
		Action actionAnswer `json:"action"`
	}
	res.Decode(&out)
	return out.Action
}

// refused checks an error answer and that the request changed nothing.
func refused(t *testing.T, srv *testkit.Server, send func() *apitest.Response, status int, code string, fields ...string) apitest.APIError {
	t.Helper()
	before := netState(t, srv)
	res := send()
	require.Equal(t, status, res.Status, string(res.Body))
	e := res.Error()
	assert.Equal(t, code, e.Code, e.Message)
	if len(fields) > 0 {
		assert.Equal(t, fields, e.FieldNames())
	}
	assert.Equal(t, before, netState(t, srv), "a refused request changed the state")
	return e
}

func TestNetworkCreateShapeAndErrors(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(netFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)

	res := api.Post("/v1/networks", map[string]any{
		"name": "mynet", "ip_range": "10.0.0.0/16", "labels": map[string]string{"env": "test"},
		"subnets": []any{map[string]any{"type": "cloud", "network_zone": "eu-central", "ip_range": "10.0.16.0/24"}},
		"routes":  []any{map[string]any{"destination": "10.100.1.0/24", "gateway": "10.0.1.1"}},
	})
	require.Equal(t, 201, res.Status, string(res.Body))
	body := res.JSON()
	assert.Equal(t, []string{"network"}, keys(body), "creating a network has no action")
	n := body["network"].(map[string]any)
	assert.ElementsMatch(t, []string{"id", "name", "ip_range", "subnets", "routes", "servers", "load_balancers",
		"protection", "labels", "created", "expose_routes_to_vswitch"}, keys(n))
	assert.Equal(t, []any{}, n["servers"])
	assert.Equal(t, []any{}, n["load_balancers"])
	assert.Equal(t, false, n["expose_routes_to_vswitch"])
	assert.Equal(t, "2026-11-23T10:00:00Z", n["created"])
	subnet := n["subnets"].([]any)[0].(map[string]any)
	assert.Equal(t, map[string]any{"type": "cloud", "ip_range": "10.0.16.0/24", "network_zone": "eu-central",
		"gateway": "10.0.0.1", "vswitch_id": nil}, subnet, "the gateway is the network's first IP (live CLI e2e)")
	assert.Equal(t, []any{map[string]any{"destination": "10.100.1.0/24", "gateway": "10.0.1.1"}}, n["routes"])

	post := func(body map[string]any) func() *apitest.Response {
		return func() *apitest.Response { return api.Post("/v1/networks", body) }
	}
	refused(t, srv, post(map[string]any{"name": "mynet", "ip_range": "10.1.0.0/16"}), 409, "uniqueness_error", "name")
	refused(t, srv, post(map[string]any{"name": "x"}), 422, "invalid_input", "ip_range")
	refused(t, srv, post(map[string]any{"name": "x", "ip_range": "1.2.3.0/24"}), 422, "invalid_input", "ip_range")
	refused(t, srv, post(map[string]any{"name": "x", "ip_range": "10.0.0.0/28"}), 422, "invalid_input", "ip_range")
	refused(t, srv, post(map[string]any{"name": "x", "ip_range": "10.0.0.0/16", "datacenter": "x"}), 422, "invalid_input", "datacenter")
	refused(t, srv, post(map[string]any{"name": "x", "ip_range": "10.0.0.0/16",
		"subnets": []any{map[string]any{"type": "lan", "network_zone": "eu-central"}}}), 422, "invalid_input")
	refused(t, srv, post(map[string]any{"name": "x", "ip_range": "10.0.0.0/16",
		"subnets": []any{map[string]any{"type": "cloud", "network_zone": "eu-central", "ip_range": "10.9.0.0/24"}}}),
		422, "invalid_input", "subnets.ip_range")
	e := refused(t, srv, post(map[string]any{"name": "x", "ip_range": "10.0.0.0/16",
		"subnets": []any{map[string]any{"type": "vswitch", "network_zone": "eu-central", "ip_range": "10.0.17.0/24", "vswitch_id": 42}}}),
		422, "service_error")
	assert.Equal(t, "vswitch not found", e.Message)
	refused(t, srv, post(map[string]any{"name": "x", "ip_range": "10.0.0.0/16",
		"routes": []any{map[string]any{"destination": "10.100.0.0/24", "gateway": "172.31.1.1"}}}), 422, "invalid_input", "routes.gateway")
	refused(t, srv, func() *apitest.Response { return api.Post("/v1/networks", `{"name":`) }, 400, "json_error")
}

func TestNetworkGetListUpdateDelete(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(netFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	a := postNetwork(t, api, map[string]any{"name": "b-net", "ip_range": "10.0.0.0/16", "labels": map[string]string{"tier": "db"}})
	b := postNetwork(t, api, map[string]any{"name": "a-net", "ip_range": "192.168.0.0/16"})

	assert.Equal(t, "b-net", getNetwork(t, api, a.ID).Name)
	refused(t, srv, func() *apitest.Response { return api.Get("/v1/networks/999999") }, 404, "not_found")

	list := func(query string) []string {
		res := api.Get("/v1/networks" + query)
		require.Equal(t, 200, res.Status, string(res.Body))
		return namesOf(t, res, "networks")
	}
	assert.Equal(t, []string{"b-net", "a-net"}, list(""))
	assert.Equal(t, []string{"a-net", "b-net"}, list("?sort=name"))
	assert.Equal(t, []string{"b-net"}, list("?label_selector=tier%3Ddb"))
	assert.Equal(t, []string{"a-net"}, list("?name=a-net"))
	assert.Empty(t, list("?name=none"))
	assert.Equal(t, 422, api.Get("/v1/networks?sort=ip_range").Status)

	res := api.Put(fmt.Sprintf("/v1/networks/%d", a.ID), map[string]any{"name": "renamed", "labels": map[string]string{"x": "y"},
		"expose_routes_to_vswitch": true})
	require.Equal(t, 200, res.Status, string(res.Body))
	got := getNetwork(t, api, a.ID)
	assert.Equal(t, "renamed", got.Name)
	assert.Equal(t, map[string]string{"x": "y"}, got.Labels)
	assert.True(t, got.ExposeRoutesToVSwitch)
	put := func(id int64, body any) func() *apitest.Response {
		return func() *apitest.Response { return api.Put(fmt.Sprintf("/v1/networks/%d", id), body) }
	}
	refused(t, srv, put(a.ID, map[string]any{"name": "a-net"}), 409, "uniqueness_error", "name")
	refused(t, srv, put(a.ID, map[string]any{"name": ""}), 422, "invalid_input", "name")
	refused(t, srv, put(a.ID, map[string]any{"labels": map[string]string{"hetzner.cloud/x": "y"}}), 422, "invalid_input")
	refused(t, srv, put(a.ID, map[string]any{"ip_range": "10.0.0.0/8"}), 422, "invalid_input", "ip_range")
	refused(t, srv, put(999999, map[string]any{"name": "z"}), 404, "not_found")

	act := actionOf(t, api.Post(fmt.Sprintf("/v1/networks/%d/actions/change_protection", b.ID), map[string]any{"delete": true}))
	assert.Equal(t, "change_protection", act.Command)
	assert.Equal(t, "success", act.Status, "protection changes at once")
	e := refused(t, srv, func() *apitest.Response { return api.Delete(fmt.Sprintf("/v1/networks/%d", b.ID)) }, 423, "protected")
	assert.Equal(t, "network is delete protected", e.Message)
	actionOf(t, api.Post(fmt.Sprintf("/v1/networks/%d/actions/change_protection", b.ID), map[string]any{"delete": false}))

	res = api.Delete(fmt.Sprintf("/v1/networks/%d", b.ID))
	require.Equal(t, 204, res.Status, string(res.Body))
	assert.Empty(t, res.Body)
	refused(t, srv, func() *apitest.Response { return api.Delete(fmt.Sprintf("/v1/networks/%d", b.ID)) }, 404, "not_found")
}

func TestNetworkActionsThroughHTTP(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(netFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	n := postNetwork(t, api, map[string]any{"name": "n", "ip_range": "10.0.0.0/24"})
	path := func(action string) string { return fmt.Sprintf("/v1/networks/%d/actions/%s", n.ID, action) }
	post := func(action string, body any) func() *apitest.Response {
		return func() *apitest.Response { return api.Post(path(action), body) }
	}

	act := actionOf(t, api.Post(path("change_ip_range"), map[string]any{"ip_range": "10.0.2.0/16"}))
	assert.Equal(t, "change_ip_range", act.Command)
	assert.Equal(t, "running", act.Status)
	assert.Equal(t, `[{"id":`+fmt.Sprint(n.ID)+`,"type":"network"}]`, mustJSON(t, act.Resources))
	assert.Equal(t, "10.0.0.0/16", getNetwork(t, api, n.ID).IPRange)
	assert.Equal(t, "success", getAction(t, api, act.ID).Status)
	refused(t, srv, post("change_ip_range", map[string]any{"ip_range": "10.0.0.0/20"}), 422, "invalid_input", "ip_range")
	refused(t, srv, post("change_ip_range", map[string]any{"ip_range": "10.2.0.0/15"}), 422, "invalid_input", "ip_range")

	act = actionOf(t, api.Post(path("add_subnet"), map[string]any{"type": "cloud", "network_zone": "eu-central", "ip_range": "10.0.16.0/24"}))
	assert.Equal(t, "add_subnet", act.Command)
	act = actionOf(t, api.Post(path("add_subnet"), map[string]any{"type": "cloud", "network_zone": "us-east"}))
	got := getNetwork(t, api, n.ID)
	require.Len(t, got.Subnets, 2)
	assert.Equal(t, "10.0.0.0/24", got.Subnets[1].IPRange, "without ip_range: the first free /24")
	assert.Equal(t, "us-east", got.Subnets[1].NetworkZone)
	refused(t, srv, post("add_subnet", map[string]any{"type": "cloud", "network_zone": "eu-central", "ip_range": "10.0.16.128/25"}),
		422, "invalid_input", "ip_range")
	refused(t, srv, post("add_subnet", map[string]any{"type": "cloud", "network_zone": "moon"}), 422, "invalid_input", "network_zone")
	refused(t, srv, post("add_subnet", map[string]any{"network_zone": "eu-central"}), 422, "invalid_input", "type")
	e := refused(t, srv, post("add_subnet", map[string]any{"type": "vswitch", "vswitch_id": 42, "network_zone": "eu-central",
		"ip_range": "10.0.17.0/24"}), 422, "service_error")
	assert.Equal(t, "vswitch not found", e.Message)

	act = actionOf(t, api.Post(path("add_route"), map[string]any{"destination": "10.100.1.0/24", "gateway": "10.0.1.1"}))
	assert.Equal(t, "add_route", act.Command)
	refused(t, srv, post("add_route", map[string]any{"destination": "10.100.1.0/24", "gateway": "10.0.1.9"}), 422, "invalid_input", "destination")
	refused(t, srv, post("add_route", map[string]any{"destination": "10.0.16.0/28", "gateway": "10.0.1.9"}), 422, "invalid_input", "destination")
	refused(t, srv, post("add_route", map[string]any{"destination": "10.101.0.0/24", "gateway": "10.0.0.1"}), 422, "invalid_input", "gateway")
	refused(t, srv, post("add_route", map[string]any{"destination": "10.101.0.0/24"}), 422, "invalid_input", "gateway")
	refused(t, srv, post("delete_route", map[string]any{"destination": "10.100.1.0/24", "gateway": "10.0.1.2"}), 404, "not_found")
	act = actionOf(t, api.Post(path("delete_route"), map[string]any{"destination": "10.100.1.0/24", "gateway": "10.0.1.1"}))
	assert.Equal(t, "delete_route", act.Command)
	assert.Empty(t, getNetwork(t, api, n.ID).Routes)

	refused(t, srv, post("delete_subnet", map[string]any{"ip_range": "10.0.99.0/24"}), 404, "not_found")
	refused(t, srv, post("delete_subnet", map[string]any{"ip_range": "nope"}), 422, "invalid_input", "ip_range")
	act = actionOf(t, api.Post(path("delete_subnet"), map[string]any{"ip_range": "10.0.0.0/24"}))
	assert.Equal(t, "delete_subnet", act.Command)
	assert.Len(t, getNetwork(t, api, n.ID).Subnets, 1)

	refused(t, srv, func() *apitest.Response {
		return api.Post("/v1/networks/999999/actions/add_route", map[string]any{"destination": "10.1.0.0/24", "gateway": "10.0.0.5"})
	},
		404, "not_found")

	// The action lists of networks.
	res := api.Get(fmt.Sprintf("/v1/networks/%d/actions?sort=id", n.ID))
	require.Equal(t, 200, res.Status, string(res.Body))
	var list struct {
		Actions []actionAnswer `json:"actions"`
	}
	res.Decode(&list)
	var commands []string
	for _, a := range list.Actions {
		commands = append(commands, a.Command)
	}
	assert.Equal(t, []string{"change_ip_range", "add_subnet", "add_subnet", "add_route", "delete_route", "delete_subnet"}, commands)
	assert.Equal(t, 200, api.Get(fmt.Sprintf("/v1/networks/%d/actions/%d", n.ID, act.ID)).Status)
	assert.Equal(t, 200, api.Get(fmt.Sprintf("/v1/networks/actions/%d", act.ID)).Status)
	res = api.Get("/v1/networks/actions?status=success")
	require.Equal(t, 200, res.Status)
	assert.Len(t, res.JSON()["actions"], 6)
	assert.Equal(t, 404, api.Get(fmt.Sprintf("/v1/networks/999999/actions")).Status)
	s := createRaw(t, api, map[string]any{"name": "s", "server_type": "cpx22", "image": "ubuntu-24.04"})
	assert.Equal(t, 404, api.Get(fmt.Sprintf("/v1/networks/actions/%d", s.Action.ID)).Status, "a server action is not a network action")
}

func TestNetworkConflictWhileItsActionRuns(t *testing.T) {
	srv := testkit.New(t, testkit.WithManualActions(), testkit.WithTimeSource(netFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	n := postNetwork(t, api, map[string]any{"name": "n", "ip_range": "10.0.0.0/16"})
	act := actionOf(t, api.Post(fmt.Sprintf("/v1/networks/%d/actions/add_subnet", n.ID),
		map[string]any{"type": "cloud", "network_zone": "eu-central"}))
	assert.Equal(t, "running", act.Status)
	refused(t, srv, func() *apitest.Response {
		return api.Post(fmt.Sprintf("/v1/networks/%d/actions/add_route", n.ID), map[string]any{"destination": "10.1.0.0/16", "gateway": "10.0.0.9"})
	}, 409, "conflict")
	refused(t, srv, func() *apitest.Response { return api.Delete(fmt.Sprintf("/v1/networks/%d", n.ID)) }, 409, "conflict")

	_, err := srv.CompleteAction(act.ID, false, "action_failed", "Action failed")
	require.NoError(t, err)
	assert.Empty(t, getNetwork(t, api, n.ID).Subnets, "the failed add_subnet is undone")
}

func TestServerNetworkActionsThroughHTTP(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(netFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	n := postNetwork(t, api, map[string]any{"name": "n", "ip_range": "10.0.0.0/16",
		"subnets": []any{map[string]any{"type": "cloud", "network_zone": "eu-central", "ip_range": "10.0.1.0/24"}}})
	other := postNetwork(t, api, map[string]any{"name": "other", "ip_range": "10.0.0.0/8",
		"subnets": []any{map[string]any{"type": "cloud", "network_zone": "eu-central", "ip_range": "10.9.0.0/24"}}})

	// Attached at create: private_net is filled and the network lists the server.
	created := createRaw(t, api, map[string]any{"name": "web", "server_type": "cpx22", "image": "ubuntu-24.04",
		"location": "fsn1", "networks": []any{n.ID}})
	web := created.Server.ID
	pn := serverPrivateNet(t, api, web)
	require.Len(t, pn, 1)
	assert.Equal(t, n.ID, pn[0].Network)
	assert.Equal(t, "10.0.1.2", pn[0].IP)
	assert.Equal(t, []string{}, pn[0].AliasIPs)
	assert.Regexp(t, `^86:00:00(:[0-9a-f]{2}){3}$`, pn[0].MACAddress)
	assert.Equal(t, []int64{web}, getNetwork(t, api, n.ID).Servers)

	createBad := func(body map[string]any) func() *apitest.Response {
		return func() *apitest.Response { return api.Post("/v1/servers", body) }
	}
	base := func(networks any) map[string]any {
		return map[string]any{"name": "db", "server_type": "cpx22", "image": "ubuntu-24.04", "location": "fsn1", "networks": networks}
	}
	refused(t, srv, createBad(base([]any{999999})), 422, "invalid_input", "networks")
	refused(t, srv, createBad(base([]any{fmt.Sprint(n.ID)})), 422, "invalid_input")
	refused(t, srv, createBad(base([]any{n.ID, other.ID})), 422, "networks_overlap")
	refused(t, srv, createBad(map[string]any{"name": "db", "server_type": "cpx11", "image": "ubuntu-24.04", "location": "ash",
		"networks": []any{n.ID}}), 422, "no_subnet_available")

	db := createRaw(t, api, map[string]any{"name": "db", "server_type": "cpx22", "image": "ubuntu-24.04", "location": "nbg1"}).Server.ID
	attach := func(id int64, body map[string]any) func() *apitest.Response {
		return func() *apitest.Response {
			return api.Post(fmt.Sprintf("/v1/servers/%d/actions/attach_to_network", id), body)
		}
	}
	refused(t, srv, attach(db, map[string]any{"network": 999999}), 404, "not_found")
	refused(t, srv, attach(web, map[string]any{"network": n.ID}), 422, "server_already_attached")
	refused(t, srv, attach(db, map[string]any{"network": n.ID, "ip": "10.0.1.2"}), 422, "ip_not_available")
	refused(t, srv, attach(db, map[string]any{"network": n.ID, "ip": "10.0.1.255"}), 422, "ip_not_available")
	refused(t, srv, attach(db, map[string]any{"network": n.ID, "ip": "10.0.2.5"}), 422, "no_subnet_available")
	refused(t, srv, attach(db, map[string]any{"network": n.ID, "ip": "300.0.0.1"}), 422, "invalid_input", "ip")
	refused(t, srv, attach(db, map[string]any{"network": n.ID, "alias_ips": []string{"10.0.1.2"}}), 422, "ip_not_available")
	refused(t, srv, attach(db, map[string]any{"network": n.ID, "ip_range": "10.0.5.0/24"}), 422, "no_subnet_available")
	refused(t, srv, attach(web, map[string]any{"network": other.ID}), 422, "networks_overlap")
	refused(t, srv, attach(db, map[string]any{}), 422, "invalid_input", "network")
	refused(t, srv, attach(999999, map[string]any{"network": n.ID}), 404, "not_found")

	act := actionOf(t, api.Post(fmt.Sprintf("/v1/servers/%d/actions/attach_to_network", db),
		map[string]any{"network": n.ID, "ip": "10.0.1.10", "alias_ips": []string{"10.0.1.11"}, "ip_range": "10.0.1.0/24"}))
	assert.Equal(t, "attach_to_network", act.Command)
	assert.Equal(t, fmt.Sprintf(`[{"id":%d,"type":"server"},{"id":%d,"type":"network"}]`, db, n.ID), mustJSON(t, act.Resources))
	pn = serverPrivateNet(t, api, db)
	require.Len(t, pn, 1)
	assert.Equal(t, privateNetBody{Network: n.ID, IP: "10.0.1.10", AliasIPs: []string{"10.0.1.11"}, MACAddress: pn[0].MACAddress}, pn[0])
	assert.NotEqual(t, serverPrivateNet(t, api, web)[0].MACAddress, pn[0].MACAddress)

	alias := func(id int64, body map[string]any) func() *apitest.Response {
		return func() *apitest.Response {
			return api.Post(fmt.Sprintf("/v1/servers/%d/actions/change_alias_ips", id), body)
		}
	}
	refused(t, srv, alias(db, map[string]any{"network": n.ID, "alias_ips": []string{"10.0.1.2"}}), 422, "ip_not_available")
	refused(t, srv, alias(db, map[string]any{"network": n.ID}), 422, "invalid_input", "alias_ips")
	refused(t, srv, alias(db, map[string]any{"network": other.ID, "alias_ips": []string{}}), 422, "invalid_input", "network")
	refused(t, srv, alias(db, map[string]any{"network": 999999, "alias_ips": []string{}}), 404, "not_found")
	act = actionOf(t, api.Post(fmt.Sprintf("/v1/servers/%d/actions/change_alias_ips", db),
		map[string]any{"network": n.ID, "alias_ips": []string{"10.0.1.11", "10.0.1.12"}}))
	assert.Equal(t, "change_alias_ips", act.Command)
	assert.Equal(t, []string{"10.0.1.11", "10.0.1.12"}, serverPrivateNet(t, api, db)[0].AliasIPs)

	// Members: both servers, with filters, sorting and pagination.
	members := func(query string) []memberBody {
		res := api.Get(fmt.Sprintf("/v1/networks/%d/members%s", n.ID, query))
		require.Equal(t, 200, res.Status, string(res.Body))
		var out struct {
			Members []memberBody `json:"members"`
		}
		res.Decode(&out)
		return out.Members
	}
	all := members("?sort=ip:desc")
	require.Len(t, all, 2)
	assert.Equal(t, memberBody{Type: "server", ID: db, IP: "10.0.1.10", Status: "ok", AliasIPs: []string{"10.0.1.11", "10.0.1.12"},
		Subnet: "10.0.1.0/24"}, all[0])
	assert.Equal(t, web, all[1].ID)
	assert.Len(t, members("?type=load_balancer"), 0)
	assert.Len(t, members("?subnet=10.0.1.0/24&status=ok"), 2)
	assert.Len(t, members("?subnet=10.0.2.0/24"), 0)
	assert.Len(t, members("?status=attaching"), 0)
	paged := api.Get(fmt.Sprintf("/v1/networks/%d/members?per_page=1&page=2", n.ID))
	require.Equal(t, 200, paged.Status)
	assert.Contains(t, paged.Header.Get("Link"), `rel="prev"`)
	assert.EqualValues(t, 2, paged.JSON()["meta"].(map[string]any)["pagination"].(map[string]any)["total_entries"])
	assert.Equal(t, 422, api.Get(fmt.Sprintf("/v1/networks/%d/members?status=gone", n.ID)).Status)
	assert.Equal(t, 422, api.Get(fmt.Sprintf("/v1/networks/%d/members?subnet=nope", n.ID)).Status)
	assert.Equal(t, 404, api.Get("/v1/networks/999999/members").Status)

	// A subnet with members cannot be deleted.
	e := refused(t, srv, func() *apitest.Response {
		return api.Post(fmt.Sprintf("/v1/networks/%d/actions/delete_subnet", n.ID), map[string]any{"ip_range": "10.0.1.0/24"})
	}, 422, "service_error")
	assert.Contains(t, e.Message, "network has attached resources")

	detach := func(id int64, body map[string]any) func() *apitest.Response {
		return func() *apitest.Response {
			return api.Post(fmt.Sprintf("/v1/servers/%d/actions/detach_from_network", id), body)
		}
	}
	refused(t, srv, detach(db, map[string]any{"network": other.ID}), 422, "invalid_input", "network")
	refused(t, srv, detach(db, map[string]any{"network": 999999}), 404, "not_found")
	act = actionOf(t, api.Post(fmt.Sprintf("/v1/servers/%d/actions/detach_from_network", db), map[string]any{"network": n.ID}))
	assert.Equal(t, "detach_from_network", act.Command)
	assert.Equal(t, fmt.Sprintf(`[{"id":%d,"type":"server"},{"id":%d,"type":"network"}]`, db, n.ID), mustJSON(t, act.Resources))
	assert.Empty(t, serverPrivateNet(t, api, db))
	assert.Equal(t, []int64{web}, getNetwork(t, api, n.ID).Servers)

	// The server's and the network's action lists both hold the attach.
	res := api.Get(fmt.Sprintf("/v1/networks/%d/actions?sort=id", n.ID))
	require.Equal(t, 200, res.Status)
	assert.Contains(t, string(res.Body), `"attach_to_network"`)
	res = api.Get(fmt.Sprintf("/v1/servers/%d/actions", db))
	assert.Contains(t, string(res.Body), `"detach_from_network"`)

	// Deleting the network detaches web.
	require.Equal(t, 204, api.Delete(fmt.Sprintf("/v1/networks/%d", n.ID)).Status)
	assert.Empty(t, serverPrivateNet(t, api, web))
}

func TestServerNetworkActionsLockAndStatus(t *testing.T) {
	srv := testkit.New(t, testkit.WithManualActions(), testkit.WithTimeSource(netFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	n := postNetwork(t, api, map[string]any{"name": "n", "ip_range": "10.0.0.0/16",
		"subnets": []any{map[string]any{"type": "cloud", "network_zone": "eu-central", "ip_range": "10.0.1.0/24"}}})
	s := createRaw(t, api, map[string]any{"name": "s", "server_type": "cpx22", "image": "ubuntu-24.04", "start_after_create": false})
	_, err := srv.CompleteAction(s.Action.ID, true, "", "")
	require.NoError(t, err)

	act := actionOf(t, api.Post(fmt.Sprintf("/v1/servers/%d/actions/attach_to_network", s.Server.ID), map[string]any{"network": n.ID}))
	assert.Equal(t, "running", act.Status)
	res := api.Get(fmt.Sprintf("/v1/networks/%d/members", n.ID))
	assert.Contains(t, string(res.Body), `"status":"attaching"`)
	refused(t, srv, func() *apitest.Response {
		return api.Post(fmt.Sprintf("/v1/servers/%d/actions/change_alias_ips", s.Server.ID), map[string]any{"network": n.ID, "alias_ips": []string{}})
	}, 423, "locked")
	_, err = srv.CompleteAction(act.ID, true, "", "")
	require.NoError(t, err)
	res = api.Get(fmt.Sprintf("/v1/networks/%d/members", n.ID))
	assert.Contains(t, string(res.Body), `"status":"ok"`)
}

func TestMetadataShowsPrivateNetworks(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	n := postNetwork(t, api, map[string]any{"name": "nw-test1", "ip_range": "10.0.0.0/8",
		"subnets": []any{map[string]any{"type": "cloud", "network_zone": "eu-central", "ip_range": "10.0.0.0/24"}}})
	s := createRaw(t, api, map[string]any{"name": "s", "server_type": "cpx22", "image": "ubuntu-24.04", "networks": []any{n.ID}})
	text := getText(t, srv, "/hetzner/v1/metadata/private-networks", fmt.Sprint(s.Server.ID))
	assert.True(t, strings.HasPrefix(text, "- ip: 10.0.0.2\n"), text)
	for _, line := range []string{"  alias_ips: []\n", "  interface_num: 1\n", fmt.Sprintf("  network_id: %d\n", n.ID),
		"  network_name: nw-test1\n", "  network: 10.0.0.0/8\n", "  subnet: 10.0.0.0/24\n", "  gateway: 10.0.0.1\n"} {
		assert.Contains(t, text, line)
	}
}

// The state file carries networks and attachments: a restored fake answers the same.
func TestNetworkStateRoundTrip(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(netFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	n := postNetwork(t, api, map[string]any{"name": "n", "ip_range": "10.0.0.0/16", "labels": map[string]string{"k": "v"},
		"subnets": []any{map[string]any{"type": "cloud", "network_zone": "eu-central", "ip_range": "10.0.1.0/24"}},
		"routes":  []any{map[string]any{"destination": "0.0.0.0/0", "gateway": "10.0.1.2"}}})
	s := createRaw(t, api, map[string]any{"name": "s", "server_type": "cpx22", "image": "ubuntu-24.04", "networks": []any{n.ID}})
	actionOf(t, api.Post(fmt.Sprintf("/v1/servers/%d/actions/change_alias_ips", s.Server.ID),
		map[string]any{"network": n.ID, "alias_ips": []string{"10.0.1.30"}}))

	restored := testkit.New(t, testkit.WithTimeSource(netFixedTime))
	require.NoError(t, restored.Restore(srv.Snapshot()))
	api2 := apitest.New(t, restored.BaseURL, srv.Token)
	for _, path := range []string{fmt.Sprintf("/v1/networks/%d", n.ID), fmt.Sprintf("/v1/servers/%d", s.Server.ID),
		fmt.Sprintf("/v1/networks/%d/members", n.ID)} {
		want, got := api.Get(path), api2.Get(path)
		require.Equal(t, 200, got.Status, string(got.Body))
		assert.JSONEq(t, string(want.Body), string(got.Body), path)
	}
	assert.Equal(t, []int64{s.Server.ID}, getNetwork(t, api2, n.ID).Servers)
	assert.Equal(t, "10.0.1.30", serverPrivateNet(t, api2, s.Server.ID)[0].AliasIPs[0])
}
