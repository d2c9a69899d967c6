package handlers_test

// The bad-input battery: for every write operation of openapi.json, requests with a missing
// required field, a wrong type, out-of-bounds numbers and lengths, unknown enum values, unknown
// fields, unknown ids, bad label keys and selectors, malformed JSON, a non-object root and an
// oversized body. Each must get the right Hetzner code (and details.fields naming the field
// where the API has them), never a 5xx, and leave the state snapshot byte-identical.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fakehetzner/fakehetzner/internal/store"
	"github.com/fakehetzner/fakehetzner/testkit"
)

const batteryToken = "battery-token"

// badCase is one bad request and what it must get.
type badCase struct {
	name   string
	path   string // "" = the operation's path with existing ids
	body   any    // as ctlCall sends it
	status int    // wanted status (0: any 4xx but 401/403/429)
	code   string // wanted code ("" = any)
	codes  []string
	field  string // details.fields must name it ("" = no check)
	// semantic cases are checked strictly only when the baseline request succeeded; otherwise
	// (the generated body is not valid for the domain) any clean 4xx will do.
	semantic bool
}

func TestBadInputBattery(t *testing.T) {
	ops := specOperations(t)
	const bodyLimit = 64 << 10
	var tried, operations, loose int
	for _, o := range ops {
		if o.Fake || !o.write() {
			continue
		}
		operations++
		t.Run(o.ID, func(t *testing.T) {
			srv := testkit.New(t, testkit.WithTimeSource(ctlTime), testkit.WithMaxBodyBytes(bodyLimit))
			seeds := seedProject(t, srv, batteryToken, ops)
			g := &bodyGen{n: 1000, key: func() string { return ctlKey(t) }, seeds: seeds, coll: o.collection()}
			var base map[string]any
			if o.Body != nil {
				base, _ = g.value("", o.Body, 0).(map[string]any)
			}
			fixture := batteryFixtures[o.ID]
			if fixture == nil {
				fixture = lbBatteryFixtures[o.ID]
			}
			if fixture != nil {
				fixture(t, srv, seeds, base)
			}
			cases := badCases(o, base, seeds, bodyLimit)
			type outcome struct {
				c      badCase
				status int
				body   []byte
			}
			var deferred []outcome
			for _, c := range cases {
				tried++
				path := c.path
				if path == "" {
					path = fillPath(o, seeds, false)
				}
				before := ctlState(t, srv)
				res := ctlCall(t, srv, o.Method, path, batteryToken, c.body)
				after := ctlState(t, srv)
				if string(before) != string(after) {
					t.Errorf("%s: %s changed the state (answer %d %s)", o, c.name, res.Status, clip(res.Body))
				}
				if res.Status >= 500 || res.Status < 400 {
					t.Errorf("%s: %s answered %d %s", o, c.name, res.Status, clip(res.Body))
					continue
				}
				if res.Header.Get("X-Correlation-Id") == "" {
					t.Errorf("%s: %s: no X-Correlation-Id", o, c.name)
				}
				if c.semantic {
					deferred = append(deferred, outcome{c, res.Status, res.Body})
					continue
				}
				checkBadAnswer(t, o, c, res.Status, res.Body, true)
			}
			// The baseline decides how strict the semantic cases are.
			baseOK := false
			if o.Body != nil || len(o.pathParams()) > 0 {
				var body any
				if base != nil {
					body = base
				}
				res := ctlCall(t, srv, o.Method, fillPath(o, seeds, false), batteryToken, body)
				baseOK = res.Status/100 == 2
				switch {
				case !baseOK && (fixture != nil || slices.Contains(batteryHinted, o.ID)):
					t.Errorf("%s: the baseline prepared for it got %d %s", o, res.Status, clip(res.Body))
				case !baseOK:
					loose++
					t.Logf("%s: the generated baseline %v got %d %s; semantic cases checked loosely", o, body, res.Status, clip(res.Body))
				}
				if res.Status >= 500 {
					t.Errorf("%s: the baseline request answered %d %s", o, res.Status, clip(res.Body))
				}
			}
			for _, d := range deferred {
				checkBadAnswer(t, o, d.c, d.status, d.body, baseOK)
			}
		})
	}
	t.Logf("bad-input battery: %d requests over %d write operations (%d with a failing baseline, semantic cases checked loosely)",
		tried, operations, loose)
}

// batteryHinted are operations whose baselines succeed through specwalk's hints and the
// seeded network's subnet alone; like those with fixtures, they must not fall back to loose checks.
var batteryHinted = []string{"add_route_to_network", "attach_server_to_network",
	"create_volume", "replace_volume", "delete_volume", "attach_volume_to_server", "detach_volume", "change_volume_protection",
	"create_floating_ip", "replace_floating_ip", "delete_floating_ip", "assign_floating_ip_to_server", "unassign_floating_ip",
	"change_floating_ip_protection",
	"create_firewall", "replace_firewall", "delete_firewall", "set_rules"}

// batteryFixtures prepare what the generated baseline of an operation acts on (a route or
// subnet to delete, an attachment to detach or change), so that it succeeds and the
// operation's semantic cases are checked strictly. They may change the base body.
var batteryFixtures = map[string]func(t *testing.T, srv *testkit.Server, seeds map[string]int64, base map[string]any){
	"delete_route_from_network": func(t *testing.T, srv *testkit.Server, seeds map[string]int64, base map[string]any) {
		batteryAction(t, srv, fmt.Sprintf("/v1/networks/%d/actions/add_route", seeds["networks"]),
			map[string]any{"destination": base["destination"], "gateway": base["gateway"]})
	},
	"delete_subnet_from_network": func(t *testing.T, srv *testkit.Server, seeds map[string]int64, base map[string]any) {
		res := ctlCall(t, srv, "GET", fmt.Sprintf("/v1/networks/%d", seeds["networks"]), batteryToken, nil)
		var out struct {
			Network struct {
				Subnets []struct {
					IPRange string `json:"ip_range"`
				} `json:"subnets"`
			} `json:"network"`
		}
		if json.Unmarshal(res.Body, &out) != nil || len(out.Network.Subnets) == 0 {
			t.Fatalf("the seeded network has no subnet: %d %s", res.Status, clip(res.Body))
		}
		base["ip_range"] = out.Network.Subnets[0].IPRange
	},
	"detach_server_from_network":  batteryAttach,
	"resize_volume":               batteryVolumeGrows,
	"retry_issuance_or_renewal":   batteryFailedIssuance,
	"change_alias_ips_of_network": batteryAttach,
	"apply_to_resources":          batteryFirewallTarget,
	"remove_from_resources":       batteryFirewallTarget,

	"change_reverse_dns_records_for_floating_ip": batteryFloatingIPAddress,
}

// batteryFloatingIPAddress sets the baseline's ip to the seeded floating IP's address.
func batteryFloatingIPAddress(t *testing.T, srv *testkit.Server, seeds map[string]int64, base map[string]any) {
	res := ctlCall(t, srv, "GET", fmt.Sprintf("/v1/floating_ips/%d", seeds["floating_ips"]), batteryToken, nil)
	var out struct {
		FloatingIP struct{ IP string } `json:"floating_ip"`
	}
	if res.Status != 200 || json.Unmarshal(res.Body, &out) != nil {
		t.Fatalf("fixture: no seeded floating ip: %d %s", res.Status, clip(res.Body))
	}
	base["ip"] = out.FloatingIP.IP
}

// batteryFailedIssuance puts a managed certificate whose issuance failed in place of the
// seeded (issued) one, so that retrying it succeeds.
func batteryFailedIssuance(t *testing.T, srv *testkit.Server, seeds map[string]int64, _ map[string]any) {
	srv.Store().SetActionDuration(store.ActionDuration{Manual: true})
	defer srv.Store().SetActionDuration(store.ActionDuration{})
	res := ctlCall(t, srv, "POST", "/v1/certificates", batteryToken,
		map[string]any{"name": "failing", "type": "managed", "domain_names": []string{"failing.example.com"}})
	var out struct {
		Certificate struct{ ID int64 } `json:"certificate"`
		Action      struct{ ID int64 } `json:"action"`
	}
	if res.Status != 201 || json.Unmarshal(res.Body, &out) != nil {
		t.Fatalf("fixture: %d %s", res.Status, clip(res.Body))
	}
	if _, err := srv.CompleteAction(out.Action.ID, false, "ca_dns_validation_failed", "DNS validation failed"); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	seeds["certificates"] = out.Certificate.ID
}

// batteryFirewallTarget points the baseline at the seeded server, and for removing applies the
// seeded firewall to it first.
func batteryFirewallTarget(t *testing.T, srv *testkit.Server, seeds map[string]int64, base map[string]any) {
	target := []any{map[string]any{"type": "server", "server": map[string]any{"id": seeds["servers"]}}}
	if _, removing := base["remove_from"]; removing {
		batteryAction(t, srv, fmt.Sprintf("/v1/firewalls/%d/actions/apply_to_resources", seeds["firewalls"]), map[string]any{"apply_to": target})
		base["remove_from"] = target
		return
	}
	base["apply_to"] = target
}

// batteryAttach attaches the seeded server to the seeded network.
func batteryAttach(t *testing.T, srv *testkit.Server, seeds map[string]int64, _ map[string]any) {
	batteryAction(t, srv, fmt.Sprintf("/v1/servers/%d/actions/attach_to_network", seeds["servers"]),
		map[string]any{"network": seeds["networks"]})
}

// batteryAction runs an action for a fixture and lets it finish.
func batteryAction(t *testing.T, srv *testkit.Server, path string, body any) {
	t.Helper()
	res := ctlCall(t, srv, "POST", path, batteryToken, body)
	if res.Status != 201 {
		t.Fatalf("fixture %s: %d %s", path, res.Status, clip(res.Body))
	}
	srv.Store().Tick()
}

// checkBadAnswer checks one answer against its case; loose relaxes semantic cases.
func checkBadAnswer(t *testing.T, o specOp, c badCase, status int, body []byte, strict bool) {
	t.Helper()
	var env struct {
		Error *struct {
			Code    string          `json:"code"`
			Message string          `json:"message"`
			Details json.RawMessage `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil || env.Error == nil {
		if !strings.HasPrefix(o.Path, "/api/") { // the legacy DNS API has its own shape
			t.Errorf("%s: %s: no error envelope: %d %s", o, c.name, status, clip(body))
		}
		return
	}
	if strings.HasPrefix(o.Path, "/api/") || !strict {
		if status == 401 || status == 403 || status == 429 {
			t.Errorf("%s: %s answered %d %s", o, c.name, status, clip(body))
		}
		return
	}
	if c.status != 0 && status != c.status {
		t.Errorf("%s: %s: status %d, want %d: %s", o, c.name, status, c.status, clip(body))
	}
	if c.code != "" && env.Error.Code != c.code {
		t.Errorf("%s: %s: code %q, want %q: %s", o, c.name, env.Error.Code, c.code, clip(body))
	}
	if len(c.codes) > 0 && !slices.Contains(c.codes, env.Error.Code) {
		t.Errorf("%s: %s: code %q, want one of %v: %s", o, c.name, env.Error.Code, c.codes, clip(body))
	}
	if c.field != "" {
		var d struct {
			Fields []struct {
				Name string `json:"name"`
			} `json:"fields"`
		}
		_ = json.Unmarshal(env.Error.Details, &d)
		var names []string
		for _, f := range d.Fields {
			names = append(names, f.Name)
		}
		if !slices.ContainsFunc(names, func(n string) bool { return n == c.field || strings.HasPrefix(n, c.field+".") }) {
			t.Errorf("%s: %s: details.fields %v does not name %q: %s", o, c.name, names, c.field, clip(body))
		}
	}
}

// badCases builds the battery for one operation from its schema.
func badCases(o specOp, base map[string]any, seeds map[string]int64, bodyLimit int) []badCase {
	var cases []badCase
	with := func(mutate func(m map[string]any)) map[string]any {
		m := deepCopy(base)
		mutate(m)
		return m
	}
	if len(o.pathParams()) > 0 {
		var body any
		if base != nil {
			body = base
		}
		cases = append(cases, badCase{name: "unknown id in the path", path: fillPath(o, seeds, true), body: body,
			status: 404, code: "not_found", semantic: true})
	}
	if o.Body == nil {
		return cases
	}
	invalid := func(name, field string, body any) badCase {
		return badCase{name: name, body: body, status: 422, code: "invalid_input", field: field}
	}
	cases = append(cases,
		badCase{name: "malformed JSON", body: `{"name": "x",`, status: 400, code: "json_error"},
		badCase{name: "truncated JSON", body: `{`, status: 400, code: "json_error"},
		invalid("root is an array", "", `[1,2]`),
		invalid("root is a string", "", `"text"`),
		badCase{name: "oversized body", body: `{"name":"` + strings.Repeat("a", bodyLimit) + `"}`, status: 422, code: "invalid_input"},
	)
	if !strings.HasPrefix(o.Path, "/api/") { // the legacy DNS API ignores unknown fields
		cases = append(cases, invalid("unknown field", "battery_unknown_field", with(func(m map[string]any) { m["battery_unknown_field"] = 1 })))
	}
	props, required := properties(o.Body)
	for _, name := range required {
		if slices.Contains(batteryDefaulted[o.ID], name) {
			continue
		}
		cases = append(cases, invalid("missing required "+name, name, with(func(m map[string]any) { delete(m, name) })))
	}
	for _, name := range sortedKeys(props) {
		cases = append(cases, fieldCases(name, props[name], base, with)...)
		// One level down: the properties of an object field (e.g. public_net.enable_ipv4).
		if s := props[name]; s.Type != nil && s.Type.Is("object") && len(s.Properties) > 0 {
			inner, innerRequired := properties(s)
			parent, _ := base[name].(map[string]any)
			if parent == nil {
				parent = (&bodyGen{}).value(name, s, 0).(map[string]any)
			}
			for _, in := range sortedKeys(inner) {
				nested := func(mutate func(m map[string]any)) map[string]any {
					return with(func(m map[string]any) {
						p := deepCopy(parent)
						mutate(p)
						m[name] = p
					})
				}
				for _, c := range fieldCases(in, inner[in], parent, nested) {
					if c.field != "" {
						c.field = name + "." + c.field
					}
					c.name = name + "." + c.name
					cases = append(cases, c)
				}
				if slices.Contains(innerRequired, in) && !slices.Contains(batteryDefaulted[o.ID], name+"."+in) {
					cases = append(cases, invalid("missing required "+name+"."+in, name+"."+in,
						nested(func(m map[string]any) { delete(m, in) })))
				}
			}
		}
	}
	return cases
}

// fieldCases are the bad values for one field.
func fieldCases(name string, s *openapi3.Schema, base map[string]any, with func(func(map[string]any)) map[string]any) []badCase {
	set := func(v any) map[string]any { return with(func(m map[string]any) { m[name] = v }) }
	invalid := func(what string, v any) badCase {
		return badCase{name: what + " " + name, body: set(v), status: 422, code: "invalid_input", field: name}
	}
	var cases []badCase
	// A wrong JSON type: the first one the schema does not admit (null is not tried: the API
	// treats null on optional fields as absent).
	for _, candidate := range []struct {
		typ string
		v   any
	}{{"boolean", true}, {"object", map[string]any{"x": 1}}, {"array", []any{1}}, {"string", "text"}, {"integer", 12345}} {
		if !allowsType(s, candidate.typ) {
			cases = append(cases, invalid("wrong type ("+candidate.typ+") for", candidate.v))
			break
		}
	}
	if len(s.Enum) > 0 {
		if _, isString := s.Enum[0].(string); isString {
			cases = append(cases, invalid("unknown enum value for", "not-a-valid-choice"))
		}
	}
	if s.Min != nil {
		cases = append(cases, invalid("below the minimum of", *s.Min-1))
	}
	if s.Max != nil {
		cases = append(cases, invalid("above the maximum of", *s.Max+1))
	}
	if s.MinLength > 0 && s.Type != nil && s.Type.Is("string") {
		cases = append(cases, invalid("too short", strings.Repeat("a", int(s.MinLength)-1)))
	}
	if s.MaxLength != nil && *s.MaxLength < 20000 {
		cases = append(cases, invalid("too long", strings.Repeat("a", int(*s.MaxLength)+1)))
	}
	if s.MaxItems != nil && s.Items != nil && s.Items.Value != nil {
		item := (&bodyGen{key: func() string { return "" }}).value(strings.TrimSuffix(name, "s"), s.Items.Value, 1)
		items := make([]any, *s.MaxItems+1)
		for i := range items {
			items[i] = item
		}
		cases = append(cases, invalid("too many items in", items))
	}
	if s.MinItems > 0 {
		cases = append(cases, invalid("too few items in", []any{}))
	}
	switch {
	case name == "labels":
		cases = append(cases,
			badCase{name: "bad label key", body: set(map[string]string{"bad key!": "x"}), status: 422, code: "invalid_input", field: "labels", semantic: true},
			badCase{name: "bad label value", body: set(map[string]string{"ok": "bad value!"}), status: 422, code: "invalid_input", field: "labels", semantic: true},
			badCase{name: "reserved label key", body: set(map[string]string{"hetzner.cloud/x": "y"}), status: 422, code: "invalid_input", field: "labels", semantic: true},
		)
	case name == "selector" && allowsType(s, "string"):
		cases = append(cases, badCase{name: "bad label selector", body: set("a in (b"), status: 422, code: "invalid_input", semantic: true})
	case referenceCollections[name] != "":
		v := any(999999999)
		if s.Type != nil && s.Type.Is("array") {
			v = []any{999999999}
		}
		if allowsType(s, "integer") || (s.Items != nil && allowsType(s.Items.Value, "integer")) {
			cases = append(cases, badCase{name: "unknown id in " + name, body: set(v),
				codes: []string{"invalid_input", "not_found"}, semantic: true})
		}
	}
	return cases
}

// TestBadQueryBattery: the list endpoints with a bad label selector, a non-integer page and an
// unknown sort field answer invalid_input on that parameter.
func TestBadQueryBattery(t *testing.T) {
	ops := specOperations(t)
	srv := testkit.New(t, testkit.WithTimeSource(ctlTime))
	seeds := seedProject(t, srv, batteryToken, ops)
	tried := 0
	for _, o := range listOps(ops) {
		if strings.HasPrefix(o.Path, "/api/") {
			continue
		}
		base := requiredQuery(o, []int64{1})
		for _, bad := range []struct{ param, value string }{
			{"label_selector", "a in (b"}, {"label_selector", "=x"}, {"label_selector", "bad key!"},
			{"page", "abc"}, {"per_page", "many"}, {"sort", "no_such_field"},
		} {
			if queryParam(o, bad.param) == nil {
				continue
			}
			tried++
			q := url.Values{}
			for k, v := range base {
				q[k] = v
			}
			q.Set(bad.param, bad.value)
			before := ctlState(t, srv)
			res := ctlCall(t, srv, "GET", fillPath(o, seeds, false)+"?"+q.Encode(), batteryToken, nil)
			if string(before) != string(ctlState(t, srv)) {
				t.Errorf("%s ?%s changed the state", o, q.Encode())
			}
			checkBadAnswer(t, o, badCase{name: fmt.Sprintf("%s=%q", bad.param, bad.value), status: 422,
				code: "invalid_input", field: bad.param}, res.Status, res.Body, true)
		}
	}
	t.Logf("bad-query battery: %d requests", tried)
}

func deepCopy(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
