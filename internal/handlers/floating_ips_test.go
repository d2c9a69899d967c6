package handlers_test

// Floating IPs through raw HTTP (behaviour.md §12, §10.2, §3.5; api-changes.md item 4): the
// object's shape, creation in a home location or on a server, assignment across locations,
// reverse DNS, protection, deletion rules, the action endpoints, what servers show and what
// deleting a server does. Every refused request must leave the state as it was.

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner"
	"github.com/fakehetzner/fakehetzner/internal/apitest"
	"github.com/fakehetzner/fakehetzner/internal/store"
	"github.com/fakehetzner/fakehetzner/testkit"
)

func fipFixedTime() time.Time { return time.Date(2026, 9, 14, 8, 30, 0, 0, time.UTC) }

// fipBody is a floating IP as the API shows it.
type fipBody struct {
	ID           int64                 `json:"id"`
	Name         string                `json:"name"`
	Description  *string               `json:"description"`
	IP           string                `json:"ip"`
	Type         string                `json:"type"`
	Server       *int64                `json:"server"`
	DNSPtr       []store.DNSPtr        `json:"dns_ptr"`
	HomeLocation struct{ Name string } `json:"home_location"`
	Blocked      bool                  `json:"blocked"`
	Protection   struct{ Delete bool } `json:"protection"`
	Labels       map[string]string     `json:"labels"`
	Created      string                `json:"created"`
}

// fipCreate creates a floating IP and returns it with the create's action (nil: none).
func fipCreate(t *testing.T, api *apitest.Client, body map[string]any) (fipBody, *actionAnswer) {
	t.Helper()
	res := api.Post("/v1/floating_ips", body)
	require.Equal(t, 201, res.Status, string(res.Body))
	var out struct {
		FloatingIP fipBody       `json:"floating_ip"`
		Action     *actionAnswer `json:"action"`
	}
	res.Decode(&out)
	return out.FloatingIP, out.Action
}

func fipGet(t *testing.T, api *apitest.Client, id int64) fipBody {
	t.Helper()
	res := api.Get(fmt.Sprintf("/v1/floating_ips/%d", id))
	require.Equal(t, 200, res.Status, string(res.Body))
	var out struct {
		FloatingIP fipBody `json:"floating_ip"`
	}
	res.Decode(&out)
	return out.FloatingIP
}

// fipServer creates a stopped server in a location and returns its id.
func fipServer(t *testing.T, api *apitest.Client, name, location string) int64 {
	t.Helper()
	res := api.Post("/v1/servers", map[string]any{"name": name, "server_type": "cpx22", "image": "ubuntu-24.04",
		"location": location, "start_after_create": false})
	require.Equal(t, 201, res.Status, string(res.Body))
	var out struct {
		Server struct {
			ID int64 `json:"id"`
		} `json:"server"`
	}
	res.Decode(&out)
	return out.Server.ID
}

// fipServerReady creates a stopped server and completes its creation by hand (for tests with
// manual actions); it returns the server's id and IPv4 address.
func fipServerReady(t *testing.T, srv *testkit.Server, api *apitest.Client, name string) (int64, string) {
	t.Helper()
	res := api.Post("/v1/servers", map[string]any{"name": name, "server_type": "cpx22", "image": "ubuntu-24.04",
		"location": "fsn1", "start_after_create": false})
	require.Equal(t, 201, res.Status, string(res.Body))
	var out struct {
		Server struct {
			ID        int64 `json:"id"`
			PublicNet struct {
				IPv4 struct{ IP string } `json:"ipv4"`
			} `json:"public_net"`
		} `json:"server"`
		Action      actionAnswer   `json:"action"`
		NextActions []actionAnswer `json:"next_actions"`
	}
	res.Decode(&out)
	for _, a := range append([]actionAnswer{out.Action}, out.NextActions...) {
		_, err := srv.CompleteAction(a.ID, true, "", "")
		require.NoError(t, err)
	}
	return out.Server.ID, out.Server.PublicNet.IPv4.IP
}

// fipMutated is snap with the project of token changed as JSON.
func fipMutated(t *testing.T, snap store.Snapshot, projectKey string, mutate func(p map[string]any)) store.Snapshot {
	t.Helper()
	raw, err := json.Marshal(snap)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	mutate(doc["projects"].(map[string]any)[projectKey].(map[string]any))
	raw, err = json.Marshal(doc)
	require.NoError(t, err)
	var out store.Snapshot
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

// fipDeleteServer deletes a server and returns the delete_server action.
func fipDeleteServer(t *testing.T, api *apitest.Client, id int64) actionAnswer {
	t.Helper()
	res := api.Delete(fmt.Sprintf("/v1/servers/%d", id))
	require.Equal(t, 200, res.Status, string(res.Body))
	var out struct {
		Action actionAnswer `json:"action"`
	}
	res.Decode(&out)
	return out.Action
}

func strPtr(s string) *string { return &s }

// fipOfServer reads a server's public_net.floating_ips.
func fipOfServer(t *testing.T, api *apitest.Client, id int64) []int64 {
	t.Helper()
	res := api.Get(fmt.Sprintf("/v1/servers/%d", id))
	require.Equal(t, 200, res.Status, string(res.Body))
	var out struct {
		Server struct {
			PublicNet struct {
				FloatingIPs []int64 `json:"floating_ips"`
			} `json:"public_net"`
		} `json:"server"`
	}
	res.Decode(&out)
	require.NotNil(t, out.Server.PublicNet.FloatingIPs, "floating_ips is a list, never null")
	return out.Server.PublicNet.FloatingIPs
}

func fipAction(api *apitest.Client, id int64, name string, body any) func() *apitest.Response {
	return func() *apitest.Response {
		return api.Post(fmt.Sprintf("/v1/floating_ips/%d/actions/%s", id, name), body)
	}
}

func fipAssign(api *apitest.Client, id, server int64) func() *apitest.Response {
	return fipAction(api, id, "assign", map[string]any{"server": server})
}

func fipServerOf(f fipBody) int64 {
	if f.Server == nil {
		return 0
	}
	return *f.Server
}

func TestFloatingIPCreateShape(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fipFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)

	res := api.Post("/v1/floating_ips", map[string]any{"type": "ipv4", "home_location": "nbg1", "name": "web",
		"description": "Web frontend", "labels": map[string]string{"env": "prod"}})
	require.Equal(t, 201, res.Status, string(res.Body))
	body := res.JSON()
	assert.Equal(t, []string{"floating_ip"}, keys(body), "no action without a server")
	fip := body["floating_ip"].(map[string]any)
	assert.ElementsMatch(t, []string{"id", "name", "description", "ip", "type", "server", "dns_ptr", "home_location",
		"blocked", "protection", "labels", "created"}, keys(fip))

	var out struct {
		FloatingIP fipBody `json:"floating_ip"`
	}
	res.Decode(&out)
	v4 := out.FloatingIP
	addr := netip.MustParseAddr(v4.IP)
	assert.True(t, netip.MustParsePrefix("198.18.0.0/15").Contains(addr), v4.IP)
	assert.Equal(t, fipBody{ID: v4.ID, Name: "web", Description: strPtr("Web frontend"), IP: v4.IP, Type: "ipv4",
		DNSPtr:       []store.DNSPtr{{IP: v4.IP, DNSPtr: "static." + v4.IP + ".clients.your-server.de"}},
		HomeLocation: struct{ Name string }{"nbg1"}, Labels: map[string]string{"env": "prod"},
		Created: "2026-09-14T08:30:00Z"}, v4)
	assert.Equal(t, v4, fipGet(t, api, v4.ID))

	// IPv6: a /64 from 2001:db8::/32, no reverse DNS entries yet, a default name, no description.
	v6, action := fipCreate(t, api, map[string]any{"type": "ipv6", "home_location": "hel1"})
	assert.Nil(t, action)
	pf := netip.MustParsePrefix(v6.IP)
	assert.Equal(t, 64, pf.Bits())
	assert.Equal(t, pf.Masked(), pf)
	assert.True(t, netip.MustParsePrefix("2001:db8::/32").Contains(pf.Addr()), v6.IP)
	assert.Empty(t, v6.DNSPtr)
	assert.NotNil(t, v6.DNSPtr, "dns_ptr is a list")
	assert.Equal(t, fmt.Sprintf("floating_ip-%d", v6.ID), v6.Name)
	assert.Nil(t, v6.Description)
	assert.Equal(t, map[string]string{}, v6.Labels)

	// home_location may be a location id (hcloud-python sends whichever it has).
	byID, _ := fipCreate(t, api, map[string]any{"type": "ipv4", "home_location": 1})
	assert.Equal(t, "fsn1", byID.HomeLocation.Name)
}

func TestFloatingIPCreateOnServer(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fipFixedTime), testkit.WithManualActions())
	api := apitest.New(t, srv.BaseURL, srv.Token)
	serverRes := api.Post("/v1/servers", map[string]any{"name": "web", "server_type": "cpx22", "image": "ubuntu-24.04",
		"location": "hel1"})
	require.Equal(t, 201, serverRes.Status)
	var created struct {
		Server struct {
			ID int64 `json:"id"`
		} `json:"server"`
		Action      actionAnswer   `json:"action"`
		NextActions []actionAnswer `json:"next_actions"`
	}
	serverRes.Decode(&created)
	server := created.Server.ID

	// While the server is being created it is locked.
	refused(t, srv, func() *apitest.Response {
		return api.Post("/v1/floating_ips", map[string]any{"type": "ipv4", "server": server})
	}, 423, "locked")
	for _, a := range append([]actionAnswer{created.Action}, created.NextActions...) {
		_, err := srv.CompleteAction(a.ID, true, "", "")
		require.NoError(t, err)
	}

	fip, action := fipCreate(t, api, map[string]any{"type": "ipv4", "server": server, "name": "vip"})
	require.NotNil(t, action)
	// The reference's example names the action assign_floating_ip.
	assert.Equal(t, "assign_floating_ip", action.Command)
	assert.Equal(t, "running", action.Status)
	assert.Equal(t, []store.ActionResource{{ID: fip.ID, Type: "floating_ip"}, {ID: server, Type: "server"}}, action.Resources)
	assert.Equal(t, server, fipServerOf(fip), "the answer shows the server at once")
	assert.Equal(t, "hel1", fip.HomeLocation.Name, "home is the server's location")
	assert.Equal(t, []int64{fip.ID}, fipOfServer(t, api, server))

	_, err := srv.CompleteAction(action.ID, true, "", "")
	require.NoError(t, err)
	assert.Equal(t, "success", getAction(t, api, action.ID).Status)
	assert.Equal(t, server, fipServerOf(fipGet(t, api, fip.ID)))

	// A failed assign on creation leaves the IP unassigned.
	failed, action := fipCreate(t, api, map[string]any{"type": "ipv6", "server": server})
	_, err = srv.CompleteAction(action.ID, false, "action_failed", "Action failed")
	require.NoError(t, err)
	assert.Nil(t, fipGet(t, api, failed.ID).Server)
	assert.Equal(t, []int64{fip.ID}, fipOfServer(t, api, server))
}

func TestFloatingIPCreateErrors(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fipFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	server := fipServer(t, api, "web", "fsn1")
	fipCreate(t, api, map[string]any{"type": "ipv4", "home_location": "fsn1", "name": "taken"})
	post := func(body map[string]any) func() *apitest.Response {
		return func() *apitest.Response { return api.Post("/v1/floating_ips", body) }
	}

	refused(t, srv, post(map[string]any{"home_location": "fsn1"}), 422, "invalid_input", "type")
	refused(t, srv, post(map[string]any{"type": "ipv5", "home_location": "fsn1"}), 422, "invalid_input", "type")
	refused(t, srv, post(map[string]any{"type": "ipv4"}), 422, "invalid_input", "home_location")
	refused(t, srv, post(map[string]any{"type": "ipv4", "home_location": "fsn1", "server": server}), 422, "invalid_input", "home_location")
	refused(t, srv, post(map[string]any{"type": "ipv4", "home_location": "mars1"}), 422, "invalid_input", "home_location")
	refused(t, srv, post(map[string]any{"type": "ipv4", "server": 999999}), 422, "invalid_input", "server")
	refused(t, srv, post(map[string]any{"type": "ipv4", "server": "web"}), 422, "invalid_input", "server")
	refused(t, srv, post(map[string]any{"type": "ipv4", "home_location": "fsn1", "name": " "}), 422, "invalid_input", "name")
	refused(t, srv, post(map[string]any{"type": "ipv4", "home_location": "fsn1", "labels": map[string]string{"hetzner.cloud/x": "y"}}), 422, "invalid_input", "labels")
	refused(t, srv, post(map[string]any{"type": "ipv4", "home_location": "fsn1", "datacenter": "fsn1-dc14"}), 422, "invalid_input", "datacenter")
	e := refused(t, srv, post(map[string]any{"type": "ipv4", "home_location": "fsn1", "name": "taken"}), 409, "uniqueness_error")
	assert.Equal(t, []string{"name"}, e.FieldNames())

	// server: null is no server.
	refused(t, srv, post(map[string]any{"type": "ipv4", "server": nil}), 422, "invalid_input", "home_location")
	f, action := fipCreate(t, api, map[string]any{"type": "ipv4", "server": nil, "home_location": "fsn1"})
	assert.Nil(t, action)
	assert.Nil(t, f.Server)
}

func TestFloatingIPListAndUpdate(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fipFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	a, _ := fipCreate(t, api, map[string]any{"type": "ipv4", "home_location": "fsn1", "name": "a", "labels": map[string]string{"team": "x"}})
	b, _ := fipCreate(t, api, map[string]any{"type": "ipv6", "home_location": "fsn1", "name": "b", "description": "second"})

	list := func(query string) []int64 {
		res := api.Get("/v1/floating_ips" + query)
		require.Equal(t, 200, res.Status, string(res.Body))
		var out struct {
			FloatingIPs []fipBody `json:"floating_ips"`
			Meta        struct {
				Pagination struct {
					TotalEntries int `json:"total_entries"`
				} `json:"pagination"`
			} `json:"meta"`
		}
		res.Decode(&out)
		ids := []int64{}
		for _, f := range out.FloatingIPs {
			ids = append(ids, f.ID)
		}
		assert.Equal(t, len(ids), out.Meta.Pagination.TotalEntries)
		return ids
	}
	assert.Equal(t, []int64{a.ID, b.ID}, list(""))
	assert.Equal(t, []int64{b.ID}, list("?name=b"))
	assert.Equal(t, []int64{a.ID}, list("?label_selector=team%3Dx"))
	assert.Equal(t, []int64{b.ID, a.ID}, list("?sort=id:desc"))
	assert.Empty(t, list("?name=nope"))
	assert.Equal(t, 422, api.Get("/v1/floating_ips?sort=ip").Status)

	put := func(id int64, body map[string]any) func() *apitest.Response {
		return func() *apitest.Response { return api.Put(fmt.Sprintf("/v1/floating_ips/%d", id), body) }
	}
	res := put(b.ID, map[string]any{"name": "b2", "labels": map[string]string{"k": "v"}})()
	require.Equal(t, 200, res.Status, string(res.Body))
	got := fipGet(t, api, b.ID)
	assert.Equal(t, "b2", got.Name)
	assert.Equal(t, strPtr("second"), got.Description, "absent description stays")
	assert.Equal(t, map[string]string{"k": "v"}, got.Labels)

	require.Equal(t, 200, put(b.ID, map[string]any{"description": "changed"})().Status)
	assert.Equal(t, strPtr("changed"), fipGet(t, api, b.ID).Description)
	require.Equal(t, 200, put(b.ID, map[string]any{"description": nil})().Status)
	assert.Nil(t, fipGet(t, api, b.ID).Description, "null removes the description")
	require.Equal(t, 200, put(b.ID, map[string]any{"name": "b2"})().Status, "keeping its own name is no conflict")

	refused(t, srv, put(b.ID, map[string]any{"name": "a"}), 409, "uniqueness_error")
	refused(t, srv, put(b.ID, map[string]any{"name": ""}), 422, "invalid_input", "name")
	refused(t, srv, put(b.ID, map[string]any{"labels": map[string]string{"bad key!": "x"}}), 422, "invalid_input", "labels")
	refused(t, srv, put(b.ID, map[string]any{"home_location": "hel1"}), 422, "invalid_input", "home_location")
	refused(t, srv, put(999999, map[string]any{"name": "x"}), 404, "not_found")
	refused(t, srv, func() *apitest.Response { return api.Get("/v1/floating_ips/999999") }, 404, "not_found")
}

func TestFloatingIPAssignMovesAcrossLocations(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fipFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	fsn := fipServer(t, api, "fsn", "fsn1")
	ash := fipServer(t, api, "ash", "sin")
	fip, _ := fipCreate(t, api, map[string]any{"type": "ipv4", "home_location": "fsn1"})

	a := actionOf(t, fipAssign(api, fip.ID, fsn)())
	assert.Equal(t, "assign_floating_ip", a.Command)
	assert.Equal(t, []store.ActionResource{{ID: fip.ID, Type: "floating_ip"}, {ID: fsn, Type: "server"}}, a.Resources)
	assert.Equal(t, fsn, fipServerOf(fipGet(t, api, fip.ID)))
	assert.Equal(t, []int64{fip.ID}, fipOfServer(t, api, fsn))

	// Assigned again to the same server: floating_ip_assigned.
	refused(t, srv, fipAssign(api, fip.ID, fsn), 422, "floating_ip_assigned")

	// To another server, in another location and network zone: it moves.
	a = actionOf(t, fipAssign(api, fip.ID, ash)())
	assert.Equal(t, "success", getAction(t, api, a.ID).Status)
	assert.Equal(t, ash, fipServerOf(fipGet(t, api, fip.ID)))
	assert.Equal(t, "fsn1", fipGet(t, api, fip.ID).HomeLocation.Name, "the home location stays")
	assert.Empty(t, fipOfServer(t, api, fsn))
	assert.Equal(t, []int64{fip.ID}, fipOfServer(t, api, ash))

	// A server lists all its floating IPs, ascending.
	second, _ := fipCreate(t, api, map[string]any{"type": "ipv6", "server": ash})
	assert.Equal(t, []int64{fip.ID, second.ID}, fipOfServer(t, api, ash))

	refused(t, srv, fipAssign(api, fip.ID, 999999), 404, "not_found")
	refused(t, srv, fipAssign(api, 999999, fsn), 404, "not_found")
	refused(t, srv, fipAction(api, fip.ID, "assign", map[string]any{}), 422, "invalid_input", "server")
	refused(t, srv, fipAction(api, fip.ID, "assign", map[string]any{"server": nil}), 422, "invalid_input", "server")
	refused(t, srv, fipAction(api, fip.ID, "assign", map[string]any{"server": "ash"}), 422, "invalid_input", "server")
}

func TestFloatingIPUnassign(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fipFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	server := fipServer(t, api, "web", "nbg1")
	fip, _ := fipCreate(t, api, map[string]any{"type": "ipv4", "server": server})

	a := actionOf(t, fipAction(api, fip.ID, "unassign", nil)())
	assert.Equal(t, "unassign_floating_ip", a.Command)
	assert.Equal(t, []store.ActionResource{{ID: fip.ID, Type: "floating_ip"}, {ID: server, Type: "server"}}, a.Resources)
	assert.Nil(t, fipGet(t, api, fip.ID).Server)
	assert.Empty(t, fipOfServer(t, api, server))

	// Unassigning an unassigned IP is a finished no-op (hcloud-go sends {}).
	a = actionOf(t, fipAction(api, fip.ID, "unassign", map[string]any{})())
	assert.Equal(t, "success", a.Status)
	assert.Equal(t, []store.ActionResource{{ID: fip.ID, Type: "floating_ip"}}, a.Resources)

	refused(t, srv, fipAction(api, 999999, "unassign", nil), 404, "not_found")
	refused(t, srv, fipAction(api, fip.ID, "unassign", map[string]any{"server": server}), 422, "invalid_input")
}

func TestFloatingIPDeleteRules(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fipFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	server := fipServer(t, api, "web", "fsn1")
	fip, _ := fipCreate(t, api, map[string]any{"type": "ipv4", "server": server})
	del := func() *apitest.Response { return api.Delete(fmt.Sprintf("/v1/floating_ips/%d", fip.ID)) }

	// Since 2026-05-01 an assigned IP is not unassigned on delete but refused.
	e := refused(t, srv, del, 422, "must_be_unassigned")
	assert.Contains(t, e.Message, "unassigned")
	actionOf(t, fipAction(api, fip.ID, "unassign", nil)())

	a := actionOf(t, fipAction(api, fip.ID, "change_protection", map[string]any{"delete": true})())
	assert.Equal(t, "change_protection", a.Command)
	assert.Equal(t, "success", a.Status)
	assert.Equal(t, []store.ActionResource{{ID: fip.ID, Type: "floating_ip"}}, a.Resources)
	assert.True(t, fipGet(t, api, fip.ID).Protection.Delete)
	e = refused(t, srv, del, 423, "protected")
	assert.Equal(t, "Floating IP deletion is protected", e.Message)
	refused(t, srv, fipAction(api, fip.ID, "change_protection", map[string]any{}), 422, "invalid_input", "delete")

	actionOf(t, fipAction(api, fip.ID, "change_protection", map[string]any{"delete": false})())
	res := del()
	require.Equal(t, 204, res.Status, string(res.Body))
	assert.Empty(t, res.Body)
	assert.Equal(t, 404, api.Get(fmt.Sprintf("/v1/floating_ips/%d", fip.ID)).Status)
	refused(t, srv, del, 404, "not_found")
	// Its actions outlive it (clients poll them by id).
	assert.Equal(t, "change_protection", getAction(t, api, a.ID).Command)
}

func TestFloatingIPReverseDNS(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fipFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	v4, _ := fipCreate(t, api, map[string]any{"type": "ipv4", "home_location": "fsn1"})
	v6, _ := fipCreate(t, api, map[string]any{"type": "ipv6", "home_location": "fsn1"})
	ptrOf := func(id int64) map[string]string {
		out := map[string]string{}
		for _, d := range fipGet(t, api, id).DNSPtr {
			out[d.IP] = d.DNSPtr
		}
		return out
	}
	change := func(id int64, body map[string]any) func() *apitest.Response {
		return fipAction(api, id, "change_dns_ptr", body)
	}

	a := actionOf(t, change(v4.ID, map[string]any{"ip": v4.IP, "dns_ptr": "vip.example.com"})())
	assert.Equal(t, "change_dns_ptr", a.Command)
	assert.Equal(t, "success", a.Status)
	assert.Equal(t, []store.ActionResource{{ID: v4.ID, Type: "floating_ip"}}, a.Resources)
	assert.Equal(t, map[string]string{v4.IP: "vip.example.com"}, ptrOf(v4.ID))
	actionOf(t, change(v4.ID, map[string]any{"ip": v4.IP, "dns_ptr": nil})())
	assert.Equal(t, map[string]string{v4.IP: "static." + v4.IP + ".clients.your-server.de"}, ptrOf(v4.ID), "null resets to the default")

	refused(t, srv, change(v4.ID, map[string]any{"ip": "198.51.100.7", "dns_ptr": "x.example.com"}), 422, "invalid_input", "ip")
	refused(t, srv, change(v4.ID, map[string]any{"ip": "not-an-ip", "dns_ptr": "x.example.com"}), 422, "invalid_input", "ip")
	refused(t, srv, change(v4.ID, map[string]any{"ip": v4.IP, "dns_ptr": "not a hostname"}), 422, "invalid_input", "dns_ptr")
	refused(t, srv, change(v4.ID, map[string]any{"dns_ptr": "x.example.com"}), 422, "invalid_input", "ip")
	refused(t, srv, change(999999, map[string]any{"ip": v4.IP, "dns_ptr": "x.example.com"}), 404, "not_found")

	// IPv6: any address inside the /64, each with its own entry; a reset removes the entry.
	net6 := strings.TrimSuffix(v6.IP, "/64")
	actionOf(t, change(v6.ID, map[string]any{"ip": net6 + "1", "dns_ptr": "s1.example.com"})())
	actionOf(t, change(v6.ID, map[string]any{"ip": net6 + "2", "dns_ptr": "s2.example.com"})())
	assert.Equal(t, map[string]string{net6 + "1": "s1.example.com", net6 + "2": "s2.example.com"}, ptrOf(v6.ID))
	actionOf(t, change(v6.ID, map[string]any{"ip": net6 + "1", "dns_ptr": nil})())
	assert.Equal(t, map[string]string{net6 + "2": "s2.example.com"}, ptrOf(v6.ID))
	refused(t, srv, change(v6.ID, map[string]any{"ip": "2001:db9::1", "dns_ptr": "x.example.com"}), 422, "invalid_input", "ip")

	// At most 100 entries on an IPv6 floating IP.
	for i := 3; i <= store.MaxFloatingIPv6DNSPtrs+1; i++ {
		actionOf(t, change(v6.ID, map[string]any{"ip": fmt.Sprintf("%s%x", net6, i), "dns_ptr": "s.example.com"})())
	}
	assert.Len(t, ptrOf(v6.ID), store.MaxFloatingIPv6DNSPtrs)
	refused(t, srv, change(v6.ID, map[string]any{"ip": net6 + "ffff", "dns_ptr": "s.example.com"}), 422, "invalid_input", "dns_ptr")
	actionOf(t, change(v6.ID, map[string]any{"ip": net6 + "2", "dns_ptr": "again.example.com"})()) // replacing is fine
}

func TestFloatingIPActionEndpoints(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fipFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	server := fipServer(t, api, "web", "fsn1")
	first, create := fipCreate(t, api, map[string]any{"type": "ipv4", "server": server})
	second, _ := fipCreate(t, api, map[string]any{"type": "ipv4", "home_location": "fsn1"})
	protect := actionOf(t, fipAction(api, second.ID, "change_protection", map[string]any{"delete": true})())
	serverOnly := actionOf(t, api.Post(fmt.Sprintf("/v1/servers/%d/actions/poweron", server), nil))

	ids := func(path string) []int64 {
		res := api.Get(path)
		require.Equal(t, 200, res.Status, string(res.Body))
		var out struct {
			Actions []actionAnswer `json:"actions"`
		}
		res.Decode(&out)
		got := []int64{}
		for _, a := range out.Actions {
			got = append(got, a.ID)
		}
		return got
	}
	assert.Equal(t, []int64{create.ID, protect.ID}, ids("/v1/floating_ips/actions?sort=id"))
	assert.Equal(t, []int64{create.ID}, ids(fmt.Sprintf("/v1/floating_ips/%d/actions", first.ID)))
	assert.Equal(t, []int64{protect.ID}, ids(fmt.Sprintf("/v1/floating_ips/%d/actions", second.ID)))
	assert.Equal(t, []int64{protect.ID}, ids(fmt.Sprintf("/v1/floating_ips/actions?id=%d&id=%d", protect.ID, serverOnly.ID)))

	assert.Equal(t, 200, api.Get(fmt.Sprintf("/v1/floating_ips/actions/%d", create.ID)).Status)
	assert.Equal(t, 404, api.Get(fmt.Sprintf("/v1/floating_ips/actions/%d", serverOnly.ID)).Status)
	assert.Equal(t, 200, api.Get(fmt.Sprintf("/v1/floating_ips/%d/actions/%d", first.ID, create.ID)).Status)
	assert.Equal(t, 404, api.Get(fmt.Sprintf("/v1/floating_ips/%d/actions/%d", second.ID, create.ID)).Status)
	assert.Equal(t, 404, api.Get("/v1/floating_ips/999999/actions").Status)
	// The server's side of the assignment is listed with the server too.
	assert.Contains(t, ids(fmt.Sprintf("/v1/servers/%d/actions", server)), create.ID)
}

func TestFloatingIPLocksWhileItsActionRuns(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fipFixedTime), testkit.WithActionDuration(time.Minute))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	one := fipServer(t, api, "one", "fsn1")
	two := fipServer(t, api, "two", "fsn1")
	srv.AdvanceClock(time.Minute)
	fip, _ := fipCreate(t, api, map[string]any{"type": "ipv4", "home_location": "fsn1"})

	a := actionOf(t, fipAssign(api, fip.ID, one)())
	assert.Equal(t, "running", a.Status)
	refused(t, srv, fipAssign(api, fip.ID, two), 423, "locked")
	refused(t, srv, fipAction(api, fip.ID, "unassign", nil), 423, "locked")
	refused(t, srv, func() *apitest.Response { return api.Delete(fmt.Sprintf("/v1/servers/%d", one)) }, 423, "locked")
	other, _ := fipCreate(t, api, map[string]any{"type": "ipv4", "home_location": "fsn1"})
	refused(t, srv, fipAssign(api, other.ID, one), 423, "locked")

	srv.AdvanceClock(time.Minute)
	assert.Equal(t, "success", getAction(t, api, a.ID).Status)
	actionOf(t, fipAssign(api, fip.ID, two)())
	srv.AdvanceClock(time.Minute)
	assert.Equal(t, two, fipServerOf(fipGet(t, api, fip.ID)))
}

func TestFailedFloatingIPActionsPutTheIPBack(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fipFixedTime), testkit.WithManualActions())
	api := apitest.New(t, srv.BaseURL, srv.Token)
	var servers []int64
	for _, name := range []string{"one", "two"} {
		id, _ := fipServerReady(t, srv, api, name)
		servers = append(servers, id)
	}
	fip, create := fipCreate(t, api, map[string]any{"type": "ipv4", "server": servers[0]})
	_, err := srv.CompleteAction(create.ID, true, "", "")
	require.NoError(t, err)

	// A failed move leaves the IP on its old server.
	a := actionOf(t, fipAssign(api, fip.ID, servers[1])())
	assert.Equal(t, servers[1], fipServerOf(fipGet(t, api, fip.ID)), "shown on the new server while the action runs")
	_, err = srv.CompleteAction(a.ID, false, "action_failed", "Action failed")
	require.NoError(t, err)
	assert.Equal(t, servers[0], fipServerOf(fipGet(t, api, fip.ID)))
	assert.Equal(t, []int64{fip.ID}, fipOfServer(t, api, servers[0]))
	assert.Empty(t, fipOfServer(t, api, servers[1]))

	// A failed unassign leaves it assigned.
	a = actionOf(t, fipAction(api, fip.ID, "unassign", nil)())
	_, err = srv.CompleteAction(a.ID, false, "action_failed", "Action failed")
	require.NoError(t, err)
	assert.Equal(t, servers[0], fipServerOf(fipGet(t, api, fip.ID)))

	// A failed move whose old server was deleted meanwhile leaves the IP unassigned.
	a = actionOf(t, fipAssign(api, fip.ID, servers[1])())
	del := fipDeleteServer(t, api, servers[0])
	_, err = srv.CompleteAction(del.ID, true, "", "")
	require.NoError(t, err)
	_, err = srv.CompleteAction(a.ID, false, "action_failed", "Action failed")
	require.NoError(t, err)
	assert.Nil(t, fipGet(t, api, fip.ID).Server)
	srv.CheckInvariants(t, testkit.Invariants{ActionsFinished: true})
}

func TestDeletingAServerUnassignsItsFloatingIPs(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fipFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	server := fipServer(t, api, "web", "fsn1")
	keep := fipServer(t, api, "keep", "fsn1")
	v4, _ := fipCreate(t, api, map[string]any{"type": "ipv4", "server": server})
	v6, _ := fipCreate(t, api, map[string]any{"type": "ipv6", "server": server})
	other, _ := fipCreate(t, api, map[string]any{"type": "ipv4", "server": keep})

	a := fipDeleteServer(t, api, server)
	assert.Equal(t, "success", getAction(t, api, a.ID).Status)
	assert.Equal(t, 404, api.Get(fmt.Sprintf("/v1/servers/%d", server)).Status)
	assert.Nil(t, fipGet(t, api, v4.ID).Server, "the floating IPs stay, unassigned")
	assert.Nil(t, fipGet(t, api, v6.ID).Server)
	assert.Equal(t, keep, fipServerOf(fipGet(t, api, other.ID)))
	assert.Equal(t, 204, api.Delete(fmt.Sprintf("/v1/floating_ips/%d", v4.ID)).Status, "and can be deleted now")
	srv.CheckInvariants(t, testkit.Invariants{ActionsFinished: true})
}

func TestFloatingAndPrimaryIPAddressesNeverCollide(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fipFixedTime), testkit.WithTokens("a", "b"))
	seen := map[string]string{}
	claim := func(addr, what string) {
		t.Helper()
		prev, dup := seen[addr]
		require.False(t, dup, "%s: address %s already handed to %s", what, addr, prev)
		seen[addr] = what
	}
	for i, token := range []string{"a", "b", "a", "b"} {
		api := apitest.New(t, srv.BaseURL, token)
		for _, typ := range []string{"ipv4", "ipv6"} {
			f, _ := fipCreate(t, api, map[string]any{"type": typ, "home_location": "fsn1"})
			claim(f.IP, fmt.Sprintf("floating ip %d", f.ID))
			res := api.Post("/v1/primary_ips", map[string]any{"name": fmt.Sprintf("p%d%s", i, typ), "type": typ, "location": "fsn1"})
			require.Equal(t, 201, res.Status, string(res.Body))
			var out struct {
				PrimaryIP struct {
					ID int64  `json:"id"`
					IP string `json:"ip"`
				} `json:"primary_ip"`
			}
			res.Decode(&out)
			claim(out.PrimaryIP.IP, fmt.Sprintf("primary ip %d", out.PrimaryIP.ID))
		}
		res := api.Post("/v1/servers", map[string]any{"name": fmt.Sprintf("s%d", i), "server_type": "cpx22", "image": "ubuntu-24.04"})
		require.Equal(t, 201, res.Status, string(res.Body))
		var out struct {
			Server struct {
				PublicNet struct {
					IPv4 struct{ IP string } `json:"ipv4"`
					IPv6 struct{ IP string } `json:"ipv6"`
				} `json:"public_net"`
			} `json:"server"`
		}
		res.Decode(&out)
		claim(out.Server.PublicNet.IPv4.IP, "a server's ipv4")
		claim(out.Server.PublicNet.IPv6.IP, "a server's ipv6")
	}
}

func TestFloatingIPStateRoundTrip(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fipFixedTime), testkit.WithManualActions())
	api := apitest.New(t, srv.BaseURL, srv.Token)
	server, serverIPv4 := fipServerReady(t, srv, api, "web")
	v6, _ := fipCreate(t, api, map[string]any{"type": "ipv6", "home_location": "hel1", "description": "d",
		"labels": map[string]string{"k": "v"}})
	actionOf(t, fipAction(api, v6.ID, "change_dns_ptr", map[string]any{"ip": strings.TrimSuffix(v6.IP, "/64") + "5", "dns_ptr": "x.example.com"})())
	moving, _ := fipCreate(t, api, map[string]any{"type": "ipv4", "home_location": "fsn1"})
	assign := actionOf(t, fipAssign(api, moving.ID, server)()) // still running in the snapshot

	snap := srv.Snapshot()
	fresh := testkit.New(t, testkit.WithTimeSource(fipFixedTime), testkit.WithManualActions())
	require.NoError(t, fresh.Restore(snap))
	again := apitest.New(t, fresh.BaseURL, srv.Token)
	assert.Equal(t, fipGet(t, api, v6.ID), fipGet(t, again, v6.ID))
	assert.Equal(t, fipGet(t, api, moving.ID), fipGet(t, again, moving.ID))
	// The running assign still fails back to "unassigned" after the restore.
	_, err := fresh.CompleteAction(assign.ID, false, "action_failed", "Action failed")
	require.NoError(t, err)
	assert.Nil(t, fipGet(t, again, moving.ID).Server)
	// New addresses do not repeat restored ones, of either kind.
	next, _ := fipCreate(t, again, map[string]any{"type": "ipv6", "home_location": "fsn1"})
	assert.NotEqual(t, v6.IP, next.IP)
	next4, _ := fipCreate(t, again, map[string]any{"type": "ipv4", "home_location": "fsn1"})
	assert.NotEqual(t, moving.IP, next4.IP)

	// Broken snapshots are refused and change nothing.
	before := netState(t, fresh)
	for name, breakIt := range map[string]func(f map[string]any){
		"unknown server":        func(f map[string]any) { f["server"] = 999999 },
		"unknown home location": func(f map[string]any) { f["home_location"] = map[string]any{"id": 999} },
		"bad address":           func(f map[string]any) { f["ip"] = "not-an-ip" },
		"address of a primary":  func(f map[string]any) { f["ip"] = serverIPv4 },
		"foreign reverse dns": func(f map[string]any) {
			f["dns_ptr"] = []any{map[string]any{"ip": "192.0.2.1", "dns_ptr": "x.example.com"}}
		},
		"bad type": func(f map[string]any) { f["type"] = "ipv5" },
	} {
		t.Run(name, func(t *testing.T) {
			broken := fipMutated(t, snap, srv.Project().Key(), func(p map[string]any) {
				breakIt(p["floating_ips"].([]any)[1].(map[string]any))
			})
			assert.Error(t, fresh.Restore(broken))
			assert.Equal(t, before, netState(t, fresh))
		})
	}
}

// Every floating IP answer validates against its operation's response schema in openapi.json
// (required fields, types, nullability).
func TestFloatingIPAnswersMatchTheSpec(t *testing.T) {
	doc, err := fakehetzner.Spec()
	require.NoError(t, err)
	srv := testkit.New(t, testkit.WithTimeSource(fipFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	server := fipServer(t, api, "web", "fsn1")
	check := func(method, specPath string, res *apitest.Response) {
		t.Helper()
		op := doc.Paths.Find(specPath).GetOperation(method)
		require.NotNil(t, op, specPath)
		resp := op.Responses.Status(res.Status)
		require.NotNil(t, resp, "%s %s: no %d answer in the spec", method, specPath, res.Status)
		if resp.Value.Content == nil {
			assert.Empty(t, res.Body, "%s %s answers no body", method, specPath)
			return
		}
		schema := resp.Value.Content.Get("application/json").Schema.Value
		var v any
		require.NoError(t, json.Unmarshal(res.Body, &v))
		assert.NoError(t, schema.VisitJSON(v), "%s %s: %s", method, specPath, res.Body)
	}

	res := api.Post("/v1/floating_ips", map[string]any{"type": "ipv4", "home_location": "fsn1", "description": "d"})
	check("POST", "/v1/floating_ips", res)
	res = api.Post("/v1/floating_ips", map[string]any{"type": "ipv6", "server": server})
	check("POST", "/v1/floating_ips", res)
	var created struct {
		FloatingIP fipBody      `json:"floating_ip"`
		Action     actionAnswer `json:"action"`
	}
	res.Decode(&created)
	id := created.FloatingIP.ID
	path := fmt.Sprintf("/v1/floating_ips/%d", id)
	check("GET", "/v1/floating_ips", api.Get("/v1/floating_ips"))
	check("GET", "/v1/floating_ips/{id}", api.Get(path))
	check("PUT", "/v1/floating_ips/{id}", api.Put(path, map[string]any{"description": nil, "labels": map[string]string{"a": "b"}}))
	check("POST", "/v1/floating_ips/{id}/actions/change_dns_ptr", api.Post(path+"/actions/change_dns_ptr",
		map[string]any{"ip": strings.TrimSuffix(created.FloatingIP.IP, "/64") + "1", "dns_ptr": "a.example.com"}))
	check("POST", "/v1/floating_ips/{id}/actions/change_protection", api.Post(path+"/actions/change_protection", map[string]any{"delete": false}))
	check("POST", "/v1/floating_ips/{id}/actions/unassign", api.Post(path+"/actions/unassign", nil))
	check("POST", "/v1/floating_ips/{id}/actions/assign", api.Post(path+"/actions/assign", map[string]any{"server": server}))
	check("GET", "/v1/floating_ips/actions", api.Get("/v1/floating_ips/actions"))
	check("GET", "/v1/floating_ips/actions/{id}", api.Get(fmt.Sprintf("/v1/floating_ips/actions/%d", created.Action.ID)))
	check("GET", "/v1/floating_ips/{id}/actions", api.Get(path+"/actions"))
	check("GET", "/v1/floating_ips/{id}/actions/{action_id}", api.Get(fmt.Sprintf("%s/actions/%d", path, created.Action.ID)))
	check("GET", "/v1/servers/{id}", api.Get(fmt.Sprintf("/v1/servers/%d", server)))
	check("POST", "/v1/floating_ips/{id}/actions/unassign", api.Post(path+"/actions/unassign", nil))
	check("DELETE", "/v1/floating_ips/{id}", api.Delete(path))
}
