package handlers_test

// Firewalls through raw HTTP: the answer shapes, rule checks, what a firewall applies to
// (servers, and label selectors that follow servers and their labels), the servers'
// public_net.firewalls, every error path, and that refused requests change nothing.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/apitest"
	"github.com/fakehetzner/fakehetzner/internal/store"
	"github.com/fakehetzner/fakehetzner/testkit"
)

func fwFixedTime() time.Time { return time.Date(2026, 6, 15, 8, 30, 0, 0, time.UTC) }

// fwServer creates a server in fsn1 with labels; public false gives it no public interface.
func fwServer(t *testing.T, api *apitest.Client, name string, labels map[string]string, public bool) int64 {
	t.Helper()
	body := map[string]any{"name": name, "server_type": "cpx22", "image": "ubuntu-24.04", "location": "fsn1", "labels": labels}
	if !public {
		body["public_net"] = map[string]any{"enable_ipv4": false, "enable_ipv6": false}
	}
	return createRaw(t, api, body).Server.ID
}

// fwCreate creates a firewall and returns it and its actions.
func fwCreate(t *testing.T, api *apitest.Client, body map[string]any) (map[string]any, []actionAnswer) {
	t.Helper()
	res := api.Post("/v1/firewalls", body)
	require.Equal(t, 201, res.Status, string(res.Body))
	var out struct {
		Firewall map[string]any `json:"firewall"`
		Actions  []actionAnswer `json:"actions"`
	}
	res.Decode(&out)
	require.ElementsMatch(t, []string{"firewall", "actions"}, keys(res.JSON()))
	return out.Firewall, out.Actions
}

func fwID(f map[string]any) int64 { return int64(f["id"].(float64)) }

func fwGet(t *testing.T, api *apitest.Client, id int64) map[string]any {
	t.Helper()
	res := api.Get(fmt.Sprintf("/v1/firewalls/%d", id))
	require.Equal(t, 200, res.Status, string(res.Body))
	return res.JSON()["firewall"].(map[string]any)
}

// fwActions decodes {"actions": […]} from a 201 answer.
func fwActions(t *testing.T, res *apitest.Response) []actionAnswer {
	t.Helper()
	require.Equal(t, 201, res.Status, string(res.Body))
	var out struct {
		Actions []actionAnswer `json:"actions"`
	}
	res.Decode(&out)
	require.NotNil(t, out.Actions, "actions is an array: %s", res.Body)
	return out.Actions
}

// fwOnServer is the server's public_net.firewalls.
func fwOnServer(t *testing.T, api *apitest.Client, id int64) []any {
	t.Helper()
	res := api.Get(fmt.Sprintf("/v1/servers/%d", id))
	require.Equal(t, 200, res.Status, string(res.Body))
	return res.JSON()["server"].(map[string]any)["public_net"].(map[string]any)["firewalls"].([]any)
}

// fwStatus is an entry of public_net.firewalls as decoded JSON.
func fwStatus(id int64, status string) any {
	return map[string]any{"id": float64(id), "status": status}
}

// fwTarget is an applied_to entry for a server, as decoded JSON.
func fwTarget(id int64) any {
	return map[string]any{"type": "server", "server": map[string]any{"id": float64(id)}}
}

// fwSelector is an applied_to entry for a label selector with the servers it reaches.
func fwSelector(selector string, servers ...int64) any {
	reached := []any{}
	for _, id := range servers {
		reached = append(reached, fwTarget(id))
	}
	return map[string]any{"type": "label_selector", "label_selector": map[string]any{"selector": selector},
		"applied_to_resources": reached}
}

// fwCommands lists "command firewall/server" of actions, for comparing them at a glance.
func fwCommands(as []actionAnswer) []string {
	out := []string{}
	for _, a := range as {
		var parts []string
		for _, r := range a.Resources {
			parts = append(parts, fmt.Sprintf("%s:%d", r.Type, r.ID))
		}
		out = append(out, a.Command+" "+strings.Join(parts, ","))
	}
	return out
}

func fwPost(api *apitest.Client, path string, body any) func() *apitest.Response {
	return func() *apitest.Response { return api.Post(path, body) }
}

func TestFirewallCreateShapeAndServerStatus(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fwFixedTime), testkit.WithManualActions())
	api := apitest.New(t, srv.BaseURL, srv.Token)
	web1 := fwServer(t, api, "web-1", map[string]string{"role": "web"}, true)
	web2 := fwServer(t, api, "web-2", map[string]string{"role": "web"}, true)
	db := fwServer(t, api, "db", map[string]string{"role": "db"}, true)
	private := fwServer(t, api, "private", map[string]string{"role": "web"}, false)

	f, actions := fwCreate(t, api, map[string]any{
		"name": "edge", "labels": map[string]string{"env": "prod"},
		"rules": []any{
			map[string]any{"direction": "in", "protocol": "tcp", "port": "80", "source_ips": []string{"0.0.0.0/0", "2001:0DB8:0000::/32"}},
			map[string]any{"direction": "in", "protocol": "icmp", "source_ips": []string{"::/0"}, "description": "ping"},
			map[string]any{"direction": "out", "protocol": "udp", "port": "1024-5000", "destination_ips": []string{"10.0.0.0/8"}},
		},
		"apply_to": []any{
			map[string]any{"type": "server", "server": map[string]any{"id": db}},
			map[string]any{"type": "label_selector", "label_selector": map[string]any{"selector": "role=web"}},
		},
	})
	id := fwID(f)
	assert.ElementsMatch(t, []string{"id", "name", "labels", "created", "rules", "applied_to"}, keys(f))
	assert.Equal(t, "edge", f["name"])
	assert.Equal(t, map[string]any{"env": "prod"}, f["labels"])
	assert.Equal(t, "2026-06-15T08:30:00Z", f["created"])
	assert.Equal(t, []any{
		map[string]any{"direction": "in", "protocol": "tcp", "port": "80", "description": nil,
			"source_ips": []any{"0.0.0.0/0", "2001:db8::/32"}, "destination_ips": []any{}},
		map[string]any{"direction": "in", "protocol": "icmp", "port": nil, "description": "ping",
			"source_ips": []any{"::/0"}, "destination_ips": []any{}},
		map[string]any{"direction": "out", "protocol": "udp", "port": "1024-5000", "description": nil,
			"source_ips": []any{}, "destination_ips": []any{"10.0.0.0/8"}},
	}, f["rules"], "IPv6 CIDRs in canonical form; the unused IP list is empty")
	assert.Equal(t, []any{fwTarget(db), fwSelector("role=web", web1, web2)}, f["applied_to"],
		"the selector reaches the servers with a public interface only")

	assert.Equal(t, []string{
		fmt.Sprintf("set_firewall_rules firewall:%d", id),
		fmt.Sprintf("apply_firewall firewall:%d,server:%d", id, db),
		fmt.Sprintf("apply_firewall firewall:%d,server:%d", id, web1),
		fmt.Sprintf("apply_firewall firewall:%d,server:%d", id, web2),
	}, fwCommands(actions))
	for _, a := range actions {
		assert.Equal(t, "running", a.Status)
	}
	assert.Equal(t, []any{fwStatus(id, "pending")}, fwOnServer(t, api, web1))
	assert.Equal(t, []any{}, fwOnServer(t, api, private))
	assert.Equal(t, f, fwGet(t, api, id))

	// pending until its own apply_firewall finishes
	_, err := srv.CompleteAction(actions[2].ID, true, "", "")
	require.NoError(t, err)
	assert.Equal(t, []any{fwStatus(id, "applied")}, fwOnServer(t, api, web1))
	assert.Equal(t, []any{fwStatus(id, "pending")}, fwOnServer(t, api, web2))
}

func TestFirewallGetListUpdateDelete(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fwFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	b, actions := fwCreate(t, api, map[string]any{"name": "b-wall", "labels": map[string]string{"tier": "db"}})
	assert.Equal(t, []string{fmt.Sprintf("set_firewall_rules firewall:%d", fwID(b))}, fwCommands(actions),
		"a firewall without apply_to still answers set_firewall_rules")
	assert.Equal(t, []any{}, b["rules"])
	assert.Equal(t, []any{}, b["applied_to"])
	a, _ := fwCreate(t, api, map[string]any{"name": "a-wall"})

	list := func(query string) []string {
		res := api.Get("/v1/firewalls" + query)
		require.Equal(t, 200, res.Status, string(res.Body))
		return namesOf(t, res, "firewalls")
	}
	assert.Equal(t, []string{"b-wall", "a-wall"}, list(""))
	assert.Equal(t, []string{"a-wall", "b-wall"}, list("?sort=name"))
	assert.Equal(t, []string{"a-wall", "b-wall"}, list("?sort=created:desc&sort=name"))
	assert.Equal(t, []string{"b-wall"}, list("?label_selector=tier%3Ddb"))
	assert.Equal(t, []string{"a-wall"}, list("?name=a-wall"))
	assert.Empty(t, list("?name=none"))
	refused(t, srv, func() *apitest.Response { return api.Get("/v1/firewalls?sort=rules") }, 422, "invalid_input", "sort")
	refused(t, srv, func() *apitest.Response { return api.Get("/v1/firewalls/999999") }, 404, "not_found")

	path := fmt.Sprintf("/v1/firewalls/%d", fwID(b))
	res := api.Put(path, map[string]any{"name": "renamed", "labels": map[string]string{"x": "y"}})
	require.Equal(t, 200, res.Status, string(res.Body))
	assert.Equal(t, "renamed", res.JSON()["firewall"].(map[string]any)["name"])
	res = api.Put(path, map[string]any{"labels": map[string]string{}})
	require.Equal(t, 200, res.Status, string(res.Body))
	got := fwGet(t, api, fwID(b))
	assert.Equal(t, "renamed", got["name"], "a missing name stays")
	assert.Equal(t, map[string]any{}, got["labels"])
	put := func(body map[string]any) func() *apitest.Response {
		return func() *apitest.Response { return api.Put(path, body) }
	}
	refused(t, srv, put(map[string]any{"name": "a-wall"}), 409, "uniqueness_error", "name")
	refused(t, srv, put(map[string]any{"name": ""}), 422, "invalid_input", "name")
	refused(t, srv, put(map[string]any{"name": strings.Repeat("n", 129)}), 422, "invalid_input", "name")
	refused(t, srv, put(map[string]any{"labels": map[string]string{"bad key!": "x"}}), 422, "invalid_input", "labels")
	refused(t, srv, put(map[string]any{"rules": []any{}}), 422, "invalid_input", "rules")
	refused(t, srv, func() *apitest.Response { return api.Put("/v1/firewalls/999999", map[string]any{"name": "x"}) }, 404, "not_found")

	res = api.Delete(fmt.Sprintf("/v1/firewalls/%d", fwID(a)))
	require.Equal(t, 204, res.Status, string(res.Body))
	assert.Equal(t, 404, api.Get(fmt.Sprintf("/v1/firewalls/%d", fwID(a))).Status)
	refused(t, srv, func() *apitest.Response { return api.Delete(fmt.Sprintf("/v1/firewalls/%d", fwID(a))) }, 404, "not_found")
	fwCreate(t, api, map[string]any{"name": "a-wall"}) // the name is free again
}

func TestFirewallCreateErrorsChangeNothing(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fwFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	web := fwServer(t, api, "web", nil, true)
	private := fwServer(t, api, "private", nil, false)
	fwCreate(t, api, map[string]any{"name": "taken"})

	post := func(body map[string]any) func() *apitest.Response { return fwPost(api, "/v1/firewalls", body) }
	server := func(id int64) map[string]any {
		return map[string]any{"type": "server", "server": map[string]any{"id": id}}
	}
	refused(t, srv, post(map[string]any{"name": "taken"}), 409, "uniqueness_error", "name")
	refused(t, srv, post(map[string]any{}), 422, "invalid_input", "name")
	refused(t, srv, post(map[string]any{"name": " "}), 422, "invalid_input", "name")
	refused(t, srv, post(map[string]any{"name": "x", "labels": map[string]string{"hetzner.cloud/x": "y"}}), 422, "invalid_input", "labels")
	e := refused(t, srv, post(map[string]any{"name": "x", "apply_to": []any{server(999999)}}), 422, "firewall_resource_not_found")
	assert.Contains(t, e.Message, "999999")
	refused(t, srv, post(map[string]any{"name": "x", "apply_to": []any{server(web), server(web)}}), 422, "server_already_added")
	refused(t, srv, post(map[string]any{"name": "x", "apply_to": []any{server(private)}}), 422, "private_net_only_server")
	refused(t, srv, post(map[string]any{"name": "x", "apply_to": []any{map[string]any{"type": "server"}}}),
		422, "invalid_input", "apply_to.0.server")
	refused(t, srv, post(map[string]any{"name": "x", "apply_to": []any{map[string]any{"type": "label_selector"}}}),
		422, "invalid_input", "apply_to.0.label_selector")
	refused(t, srv, post(map[string]any{"name": "x", "apply_to": []any{
		map[string]any{"type": "label_selector", "label_selector": map[string]any{"selector": "a in (b"}}}}),
		422, "invalid_input", "apply_to.0.label_selector.selector")
	refused(t, srv, post(map[string]any{"name": "x", "apply_to": []any{
		map[string]any{"type": "label_selector", "label_selector": map[string]any{"selector": "a=b"}},
		map[string]any{"type": "label_selector", "label_selector": map[string]any{"selector": "a=b"}}}}),
		422, "firewall_already_applied")
	refused(t, srv, post(map[string]any{"name": "x", "apply_to": []any{map[string]any{"type": "volume"}}}),
		422, "invalid_input", "apply_to.0.type")
	many := make([]any, 51)
	for i := range many {
		many[i] = map[string]any{"direction": "in", "protocol": "icmp", "source_ips": []string{"0.0.0.0/0"}}
	}
	refused(t, srv, post(map[string]any{"name": "x", "rules": many}), 422, "invalid_input", "rules")
	refused(t, srv, func() *apitest.Response { return api.Post("/v1/firewalls", `{"name":`) }, 400, "json_error")
}

// TestFirewallRuleChecks holds create and set_rules to the rule rules, accepted and refused.
func TestFirewallRuleChecks(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fwFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	f, _ := fwCreate(t, api, map[string]any{"name": "rules"})
	setRules := fmt.Sprintf("/v1/firewalls/%d/actions/set_rules", fwID(f))

	in := func(protocol string, port any, ips ...string) map[string]any {
		r := map[string]any{"direction": "in", "protocol": protocol, "source_ips": ips}
		if port != nil {
			r["port"] = port
		}
		return r
	}
	for _, ok := range []map[string]any{
		in("tcp", "any", "0.0.0.0/0"), in("tcp", "1-65535", "10.0.0.0/8"), in("udp", "443-443", "192.0.2.1/32"),
		in("tcp", "22", "2001:db8:ff00:42::8329/128"), in("gre", nil), in("esp", nil, "::/0"),
		{"direction": "in", "protocol": "icmp", "port": nil, "description": nil},
		{"direction": "out", "protocol": "tcp", "port": "80", "destination_ips": []string{"0.0.0.0/0"}, "description": strings.Repeat("d", 255)},
	} {
		res := api.Post(setRules, map[string]any{"rules": []any{ok}})
		assert.Equal(t, 201, res.Status, "%v: %s", ok, res.Body)
	}

	hundred := make([]string, 101)
	for i := range hundred {
		hundred[i] = fmt.Sprintf("10.0.%d.0/24", i)
	}
	eleven := make([]any, 11)
	for i := range eleven {
		eleven[i] = in("icmp", nil, hundred[:50]...)
	}
	for _, bad := range []struct {
		name  string
		rules []any
		field string
	}{
		{"tcp without port", []any{in("tcp", nil, "0.0.0.0/0")}, "rules.0.port"},
		{"udp with empty port", []any{in("udp", "", "0.0.0.0/0")}, "rules.0.port"},
		{"icmp with port", []any{in("icmp", "80", "0.0.0.0/0")}, "rules.0.port"},
		{"port 0", []any{in("tcp", "0", "0.0.0.0/0")}, "rules.0.port"},
		{"port 65536", []any{in("tcp", "65536", "0.0.0.0/0")}, "rules.0.port"},
		{"backwards range", []any{in("tcp", "5000-1024", "0.0.0.0/0")}, "rules.0.port"},
		{"port word", []any{in("tcp", "http", "0.0.0.0/0")}, "rules.0.port"},
		{"signed port", []any{in("tcp", "+80", "0.0.0.0/0")}, "rules.0.port"},
		{"host bits", []any{in("tcp", "80", "10.1.2.3/8")}, "rules.0.source_ips.0"},
		{"no prefix", []any{in("tcp", "80", "192.0.2.1")}, "rules.0.source_ips.0"},
		{"not an address", []any{in("tcp", "80", "0.0.0.0/0", "invalid-ip")}, "rules.0.source_ips.1"},
		{"destination on in", []any{map[string]any{"direction": "in", "protocol": "icmp", "destination_ips": []string{"0.0.0.0/0"}}}, "rules.0.destination_ips"},
		{"source on out", []any{map[string]any{"direction": "out", "protocol": "icmp", "source_ips": []string{"0.0.0.0/0"}}}, "rules.0.source_ips"},
		{"101 CIDRs", []any{in("icmp", nil, hundred...)}, "rules.0.source_ips"},
		{"550 effective rules", eleven, "rules"},
		{"second rule bad", []any{in("icmp", nil), in("tcp", nil)}, "rules.1.port"},
		{"unknown direction", []any{map[string]any{"direction": "both", "protocol": "icmp"}}, "rules.0.direction"},
		{"unknown protocol", []any{map[string]any{"direction": "in", "protocol": "sctp"}}, "rules.0.protocol"},
		{"long description", []any{map[string]any{"direction": "in", "protocol": "icmp", "description": strings.Repeat("d", 256)}}, "rules.0.description"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			e := refused(t, srv, fwPost(api, setRules, map[string]any{"rules": bad.rules}), 422, "invalid_input")
			assert.Contains(t, e.FieldNames(), bad.field, e.Message)
			refused(t, srv, fwPost(api, "/v1/firewalls", map[string]any{"name": "new", "rules": bad.rules}), 422, "invalid_input")
		})
	}
	refused(t, srv, fwPost(api, setRules, map[string]any{}), 422, "invalid_input", "rules")
	refused(t, srv, fwPost(api, "/v1/firewalls/999999/actions/set_rules", map[string]any{"rules": []any{}}), 404, "not_found")
}

func TestFirewallLabelSelectorsFollowServers(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fwFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	a := fwServer(t, api, "a", map[string]string{"env": "prod"}, true)
	b := fwServer(t, api, "b", map[string]string{"env": "dev"}, true)
	f, actions := fwCreate(t, api, map[string]any{"name": "prod", "apply_to": []any{
		map[string]any{"type": "label_selector", "label_selector": map[string]any{"selector": "env=prod"}}}})
	id := fwID(f)
	assert.Equal(t, []string{fmt.Sprintf("set_firewall_rules firewall:%d", id),
		fmt.Sprintf("apply_firewall firewall:%d,server:%d", id, a)}, fwCommands(actions))
	assert.Equal(t, []any{fwSelector("env=prod", a)}, fwGet(t, api, id)["applied_to"])
	assert.Equal(t, []any{fwStatus(id, "applied")}, fwOnServer(t, api, a))
	assert.Equal(t, []any{}, fwOnServer(t, api, b))

	// Relabelling b brings it under the selector, with no action of its own.
	res := api.Put(fmt.Sprintf("/v1/servers/%d", b), map[string]any{"labels": map[string]string{"env": "prod"}})
	require.Equal(t, 200, res.Status, string(res.Body))
	assert.Equal(t, []any{fwStatus(id, "applied")},
		res.JSON()["server"].(map[string]any)["public_net"].(map[string]any)["firewalls"])
	assert.Equal(t, []any{fwSelector("env=prod", a, b)}, fwGet(t, api, id)["applied_to"])

	remove := fmt.Sprintf("/v1/firewalls/%d/actions/remove_from_resources", id)
	apply := fmt.Sprintf("/v1/firewalls/%d/actions/apply_to_resources", id)
	server := func(id int64) []any {
		return []any{map[string]any{"type": "server", "server": map[string]any{"id": id}}}
	}
	e := refused(t, srv, fwPost(api, remove, map[string]any{"remove_from": server(b)}), 422, "firewall_managed_by_label_selector")
	assert.Contains(t, e.Message, "label selector")

	// A server under the selector can also be named; the firewall shows once on it.
	assert.Equal(t, []string{fmt.Sprintf("apply_firewall firewall:%d,server:%d", id, a)},
		fwCommands(fwActions(t, api.Post(apply, map[string]any{"apply_to": server(a)}))))
	assert.Equal(t, []any{fwStatus(id, "applied")}, fwOnServer(t, api, a))
	assert.Equal(t, []any{fwSelector("env=prod", a, b), fwTarget(a)}, fwGet(t, api, id)["applied_to"])

	// Removing the selector removes the firewall from b, which it reached only that way.
	acts := fwActions(t, api.Post(remove, map[string]any{"remove_from": []any{
		map[string]any{"type": "label_selector", "label_selector": map[string]any{"selector": "env=prod"}}}}))
	assert.Equal(t, []string{fmt.Sprintf("remove_firewall firewall:%d,server:%d", id, b)}, fwCommands(acts))
	assert.Equal(t, []any{fwTarget(a)}, fwGet(t, api, id)["applied_to"])
	assert.Equal(t, []any{}, fwOnServer(t, api, b))

	// Labels no longer matter; a server losing its public interface drops out of selectors.
	res = api.Put(fmt.Sprintf("/v1/servers/%d", a), map[string]any{"labels": map[string]string{}})
	require.Equal(t, 200, res.Status)
	assert.Equal(t, []any{fwStatus(id, "applied")}, fwOnServer(t, api, a))
	assert.Equal(t, []string{fmt.Sprintf("apply_firewall firewall:%d,server:%d", id, b)},
		fwCommands(fwActions(t, api.Post(apply, map[string]any{"apply_to": []any{
			map[string]any{"type": "label_selector", "label_selector": map[string]any{"selector": "env"}}}}))))
	assert.Equal(t, []any{fwTarget(a), fwSelector("env", b)}, fwGet(t, api, id)["applied_to"])
}

func TestFirewallApplyRemoveDeleteErrors(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fwFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	web := fwServer(t, api, "web", map[string]string{"role": "web"}, true)
	other := fwServer(t, api, "other", nil, true)
	private := fwServer(t, api, "private", map[string]string{"role": "web"}, false)
	f, _ := fwCreate(t, api, map[string]any{"name": "fw", "apply_to": []any{
		map[string]any{"type": "server", "server": map[string]any{"id": web}},
		map[string]any{"type": "label_selector", "label_selector": map[string]any{"selector": "role=db"}}}})
	id := fwID(f)
	apply := fmt.Sprintf("/v1/firewalls/%d/actions/apply_to_resources", id)
	remove := fmt.Sprintf("/v1/firewalls/%d/actions/remove_from_resources", id)
	server := func(id int64) map[string]any {
		return map[string]any{"type": "server", "server": map[string]any{"id": id}}
	}
	selector := func(s string) map[string]any {
		return map[string]any{"type": "label_selector", "label_selector": map[string]any{"selector": s}}
	}

	e := refused(t, srv, fwPost(api, apply, map[string]any{"apply_to": []any{server(999999)}}), 404, "firewall_resource_not_found")
	assert.Contains(t, e.Message, "999999")
	refused(t, srv, fwPost(api, apply, map[string]any{"apply_to": []any{server(other), server(999999)}}), 404, "firewall_resource_not_found")
	refused(t, srv, fwPost(api, apply, map[string]any{"apply_to": []any{server(web)}}), 422, "firewall_already_applied")
	refused(t, srv, fwPost(api, apply, map[string]any{"apply_to": []any{selector("role=db")}}), 422, "firewall_already_applied")
	refused(t, srv, fwPost(api, apply, map[string]any{"apply_to": []any{server(other), server(other)}}), 422, "server_already_added")
	refused(t, srv, fwPost(api, apply, map[string]any{"apply_to": []any{server(private)}}), 422, "private_net_only_server")
	refused(t, srv, fwPost(api, apply, map[string]any{"apply_to": []any{selector("role in (web")}}), 422, "invalid_input",
		"apply_to.0.label_selector.selector")
	refused(t, srv, fwPost(api, apply, map[string]any{}), 422, "invalid_input", "apply_to")
	refused(t, srv, fwPost(api, "/v1/firewalls/999999/actions/apply_to_resources", map[string]any{"apply_to": []any{server(other)}}),
		404, "not_found")
	refused(t, srv, fwPost(api, remove, map[string]any{"remove_from": []any{server(999999)}}), 404, "firewall_resource_not_found")
	refused(t, srv, fwPost(api, remove, map[string]any{"remove_from": []any{map[string]any{"type": "server", "server": map[string]any{}}}}),
		422, "invalid_input", "remove_from.0.server.id")
	refused(t, srv, fwPost(api, "/v1/firewalls/999999/actions/remove_from_resources", map[string]any{"remove_from": []any{}}),
		404, "not_found")
	e = refused(t, srv, func() *apitest.Response { return api.Delete(fmt.Sprintf("/v1/firewalls/%d", id)) }, 422, "resource_in_use")
	assert.Equal(t, fmt.Sprintf("firewall with ID %d is still in use", id), e.Message, "the message the CLI e2e test matches")

	// Nothing to do is no error: empty lists, and what the firewall does not apply to.
	assert.Empty(t, fwActions(t, api.Post(apply, map[string]any{"apply_to": []any{}})))
	assert.Empty(t, fwActions(t, api.Post(remove, map[string]any{"remove_from": []any{selector("role=none")}})))
	acts := fwActions(t, api.Post(remove, map[string]any{"remove_from": []any{server(other)}}))
	require.Len(t, acts, 1)
	assert.Equal(t, "remove_firewall", acts[0].Command)
	assert.Equal(t, "success", acts[0].Status, "nothing to remove: done at once")

	// While remove_firewall runs the firewall is still in use and still shown on the server.
	srv.Store().SetActionDuration(store.ActionDuration{Manual: true})
	acts = fwActions(t, api.Post(remove, map[string]any{"remove_from": []any{server(web), selector("role=db")}}))
	assert.Equal(t, []string{fmt.Sprintf("remove_firewall firewall:%d,server:%d", id, web)}, fwCommands(acts))
	assert.Equal(t, []any{}, fwGet(t, api, id)["applied_to"])
	assert.Equal(t, []any{fwStatus(id, "applied")}, fwOnServer(t, api, web))
	refused(t, srv, func() *apitest.Response { return api.Delete(fmt.Sprintf("/v1/firewalls/%d", id)) }, 422, "resource_in_use")
	_, err := srv.CompleteAction(acts[0].ID, true, "", "")
	require.NoError(t, err)
	assert.Equal(t, []any{}, fwOnServer(t, api, web))
	require.Equal(t, 204, api.Delete(fmt.Sprintf("/v1/firewalls/%d", id)).Status)
}

func TestFirewallsPerServerAreLimited(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fwFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	web := fwServer(t, api, "web", map[string]string{"role": "web"}, true)
	var ids []int64
	for i := range 4 {
		f, _ := fwCreate(t, api, map[string]any{"name": fmt.Sprintf("direct-%d", i),
			"apply_to": []any{map[string]any{"type": "server", "server": map[string]any{"id": web}}}})
		ids = append(ids, fwID(f))
	}
	viaSelector, _ := fwCreate(t, api, map[string]any{"name": "selector",
		"apply_to": []any{map[string]any{"type": "label_selector", "label_selector": map[string]any{"selector": "role=web"}}}})
	assert.Len(t, fwOnServer(t, api, web), 5)

	sixth, _ := fwCreate(t, api, map[string]any{"name": "sixth"})
	apply := fmt.Sprintf("/v1/firewalls/%d/actions/apply_to_resources", fwID(sixth))
	refused(t, srv, fwPost(api, apply, map[string]any{"apply_to": []any{map[string]any{"type": "server", "server": map[string]any{"id": web}}}}),
		403, "resource_limit_exceeded")
	refused(t, srv, fwPost(api, apply, map[string]any{"apply_to": []any{
		map[string]any{"type": "label_selector", "label_selector": map[string]any{"selector": "role"}}}}), 403, "resource_limit_exceeded")
	refused(t, srv, fwPost(api, "/v1/firewalls", map[string]any{"name": "seventh",
		"apply_to": []any{map[string]any{"type": "server", "server": map[string]any{"id": web}}}}), 403, "resource_limit_exceeded")
	refused(t, srv, fwPost(api, "/v1/servers", map[string]any{"name": "new", "server_type": "cpx22", "image": "ubuntu-24.04",
		"labels": map[string]string{"role": "web"}, "firewalls": []any{
			map[string]any{"firewall": ids[0]}, map[string]any{"firewall": ids[1]}, map[string]any{"firewall": ids[2]},
			map[string]any{"firewall": ids[3]}, map[string]any{"firewall": fwID(sixth)}}}), 403, "resource_limit_exceeded")

	// Applying the selector's firewall directly as well does not count twice.
	res := api.Post(fmt.Sprintf("/v1/firewalls/%d/actions/apply_to_resources", fwID(viaSelector)),
		map[string]any{"apply_to": []any{map[string]any{"type": "server", "server": map[string]any{"id": web}}}})
	require.Equal(t, 201, res.Status, string(res.Body))
}

func TestServerCreateAndDeleteWithFirewalls(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fwFixedTime), testkit.WithManualActions())
	api := apitest.New(t, srv.BaseURL, srv.Token)
	f1, _ := fwCreate(t, api, map[string]any{"name": "one"})
	f2, _ := fwCreate(t, api, map[string]any{"name": "two"})
	id1, id2 := fwID(f1), fwID(f2)

	created := createRaw(t, api, map[string]any{"name": "web", "server_type": "cpx22", "image": "ubuntu-24.04",
		"firewalls": []any{map[string]any{"firewall": id1}, map[string]any{"firewall": id2}}})
	s := created.Server.ID
	assert.Equal(t, []string{"start_server server:" + fmt.Sprint(s),
		fmt.Sprintf("apply_firewall firewall:%d,server:%d", id1, s),
		fmt.Sprintf("apply_firewall firewall:%d,server:%d", id2, s)}, fwCommands(created.NextActions))
	assert.Equal(t, []any{fwStatus(id1, "pending"), fwStatus(id2, "pending")}, fwOnServer(t, api, s))
	assert.Equal(t, []any{fwTarget(s)}, fwGet(t, api, id1)["applied_to"])
	_, err := srv.CompleteAction(created.NextActions[1].ID, true, "", "")
	require.NoError(t, err)
	assert.Equal(t, []any{fwStatus(id1, "applied"), fwStatus(id2, "pending")}, fwOnServer(t, api, s))

	post := func(body map[string]any) func() *apitest.Response {
		body["server_type"], body["image"] = "cpx22", "ubuntu-24.04"
		return fwPost(api, "/v1/servers", body)
	}
	refused(t, srv, post(map[string]any{"name": "x", "firewalls": []any{map[string]any{"firewall": 999999}}}), 422, "invalid_input", "firewalls")
	refused(t, srv, post(map[string]any{"name": "x", "firewalls": []any{map[string]any{"firewall": id1}, map[string]any{"firewall": id1}}}),
		422, "invalid_input", "firewalls")
	refused(t, srv, post(map[string]any{"name": "x", "firewalls": []any{map[string]any{"firewall": id1}},
		"public_net": map[string]any{"enable_ipv4": false, "enable_ipv6": false}}), 422, "private_net_only_server")
	refused(t, srv, post(map[string]any{"name": "x", "firewalls": []any{map[string]any{}}}), 422, "invalid_input", "firewalls.0.firewall")

	// Deleting the server takes it out of the firewalls applied to it.
	srv.Store().SetActionDuration(store.ActionDuration{})
	for _, a := range append([]actionAnswer{created.Action}, created.NextActions...) {
		_, _ = srv.CompleteAction(a.ID, true, "", "")
	}
	res := api.Delete(fmt.Sprintf("/v1/servers/%d", s))
	require.Equal(t, 200, res.Status, string(res.Body))
	assert.Equal(t, 404, api.Get(fmt.Sprintf("/v1/servers/%d", s)).Status)
	assert.Equal(t, []any{}, fwGet(t, api, id1)["applied_to"])
	require.Equal(t, 204, api.Delete(fmt.Sprintf("/v1/firewalls/%d", id1)).Status)
}

func TestFirewallActionEndpoints(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fwFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	web := fwServer(t, api, "web", nil, true)
	f, created := fwCreate(t, api, map[string]any{"name": "a", "apply_to": []any{
		map[string]any{"type": "server", "server": map[string]any{"id": web}}}})
	g, _ := fwCreate(t, api, map[string]any{"name": "b"})
	id := fwID(f)
	set := fwActions(t, api.Post(fmt.Sprintf("/v1/firewalls/%d/actions/set_rules", id), map[string]any{"rules": []any{
		map[string]any{"direction": "in", "protocol": "tcp", "port": "22", "source_ips": []string{"0.0.0.0/0"}}}}))
	assert.Equal(t, []string{fmt.Sprintf("set_firewall_rules firewall:%d", id),
		fmt.Sprintf("apply_firewall firewall:%d,server:%d", id, web)}, fwCommands(set), "new rules are applied to every server")

	ids := func(res *apitest.Response) []int64 {
		require.Equal(t, 200, res.Status, string(res.Body))
		var out struct {
			Actions []actionAnswer `json:"actions"`
		}
		res.Decode(&out)
		var got []int64
		for _, a := range out.Actions {
			got = append(got, a.ID)
		}
		return got
	}
	mine := []int64{created[0].ID, created[1].ID, set[0].ID, set[1].ID}
	assert.Equal(t, mine, ids(api.Get(fmt.Sprintf("/v1/firewalls/%d/actions", id))))
	assert.Subset(t, ids(api.Get("/v1/firewalls/actions?per_page=50")), mine)
	assert.Equal(t, []int64{set[1].ID}, ids(api.Get(fmt.Sprintf("/v1/firewalls/%d/actions?sort=id:desc&per_page=1", id))))
	refused(t, srv, func() *apitest.Response { return api.Get("/v1/firewalls/999999/actions") }, 404, "not_found")

	res := api.Get(fmt.Sprintf("/v1/firewalls/%d/actions/%d", id, set[0].ID))
	require.Equal(t, 200, res.Status, string(res.Body))
	res = api.Get(fmt.Sprintf("/v1/firewalls/actions/%d", set[1].ID))
	require.Equal(t, 200, res.Status, string(res.Body))
	refused(t, srv, func() *apitest.Response {
		return api.Get(fmt.Sprintf("/v1/firewalls/%d/actions/%d", fwID(g), set[0].ID))
	}, 404, "not_found")
	serverOnly := createRaw(t, api, map[string]any{"name": "plain", "server_type": "cpx22", "image": "ubuntu-24.04"}).Action.ID
	refused(t, srv, func() *apitest.Response { return api.Get(fmt.Sprintf("/v1/firewalls/actions/%d", serverOnly)) }, 404, "not_found")
	// apply_firewall actions are the server's too
	assert.Contains(t, ids(api.Get(fmt.Sprintf("/v1/servers/%d/actions", web))), set[1].ID)
}

func TestFirewallStateRoundTrip(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(fwFixedTime))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	web := fwServer(t, api, "web", map[string]string{"role": "web"}, true)
	f, _ := fwCreate(t, api, map[string]any{"name": "kept", "labels": map[string]string{"a": "b"},
		"rules": []any{map[string]any{"direction": "out", "protocol": "tcp", "port": "443", "destination_ips": []string{"::/0"}, "description": "tls"}},
		"apply_to": []any{map[string]any{"type": "server", "server": map[string]any{"id": web}},
			map[string]any{"type": "label_selector", "label_selector": map[string]any{"selector": "role=web"}}}})
	want := fwGet(t, api, fwID(f))
	snap := srv.Snapshot()
	require.Len(t, snap.Projects[srv.Project().Key()].Firewalls, 1)

	other := testkit.New(t, testkit.WithTimeSource(fwFixedTime))
	require.NoError(t, other.Restore(snap))
	api2 := apitest.New(t, other.BaseURL, srv.Token)
	assert.Equal(t, want, fwGet(t, api2, fwID(f)))
	assert.Equal(t, []any{fwStatus(fwID(f), "applied")}, fwOnServer(t, api2, web))
	f2, _ := fwCreate(t, api2, map[string]any{"name": "new"})
	assert.Greater(t, fwID(f2), fwID(f), "ids go on after the restored ones")

	before := netState(t, other)
	for _, mutate := range []func(fw map[string]any){
		func(fw map[string]any) {
			fw["applied_to"] = []any{map[string]any{"type": "server", "server": map[string]any{"id": 999999}}}
		},
		func(fw map[string]any) { fw["rules"] = []any{map[string]any{"direction": "in", "protocol": "tcp"}} },
		func(fw map[string]any) { fw["name"] = "" },
		func(fw map[string]any) {
			fw["applied_to"] = []any{map[string]any{"type": "label_selector", "label_selector": map[string]any{"selector": "a in ("}}}
		},
		func(fw map[string]any) {
			fw["applied_to"] = []any{fwTarget(web), fwTarget(web)}
		},
	} {
		res := api2.Do("PUT", "/_fake/state", mutateFirewallSnapshot(t, snap, mutate))
		assert.Equal(t, 400, res.Status, string(res.Body))
		assert.Equal(t, "invalid_snapshot", res.Error().Code)
	}
	assert.Equal(t, before, netState(t, other), "an invalid snapshot changes nothing")
}

// mutateFirewallSnapshot returns snap as JSON with its first firewall changed.
func mutateFirewallSnapshot(t *testing.T, snap store.Snapshot, mutate func(map[string]any)) []byte {
	t.Helper()
	b, err := json.Marshal(snap)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	for _, p := range doc["projects"].(map[string]any) {
		if fws, ok := p.(map[string]any)["firewalls"].([]any); ok {
			mutate(fws[0].(map[string]any))
		}
	}
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	return out
}
