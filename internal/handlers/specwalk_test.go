package handlers_test

// Walking openapi.json for the generated tests (bad-input battery, project isolation,
// read-only tokens, admin token): they cover every operation the spec has when they run,
// so resources added later are covered without touching these files.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner"
	"github.com/fakehetzner/fakehetzner/testkit"
)

// specOp is one operation of the spec.
type specOp struct {
	Method, Path, ID string
	Op               *openapi3.Operation
	Body             *openapi3.Schema // nil: no request body
	Fake             bool             // x-fake: the control API
}

func (o specOp) String() string { return o.Method + " " + o.Path + " (" + o.ID + ")" }

// write says whether the operation changes state (by its method).
func (o specOp) write() bool { return o.Method != "GET" && o.Method != "HEAD" }

// pathParams lists the {params} of the path in order.
func (o specOp) pathParams() []string {
	var out []string
	for _, m := range pathParamRE.FindAllStringSubmatch(o.Path, -1) {
		out = append(out, m[1])
	}
	return out
}

var pathParamRE = regexp.MustCompile(`\{([^}]+)\}`)

// collection is the resource collection a path is about: "/v1/servers/{id}/actions/x" →
// "servers", "/v1/zones/{id_or_name}/rrsets/{a}/{b}" → "rrsets".
func (o specOp) collection() string {
	segs := strings.Split(strings.Trim(o.Path, "/"), "/")
	last := ""
	for i, s := range segs {
		if i == 0 || s == "v1" || s == "api" || strings.HasPrefix(s, "{") || s == "actions" {
			if s == "actions" {
				break
			}
			continue
		}
		last = s
	}
	return last
}

// specOperations lists every operation, sorted by path and method.
func specOperations(t testing.TB) []specOp {
	t.Helper()
	doc, err := fakehetzner.Spec()
	require.NoError(t, err)
	var ops []specOp
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			so := specOp{Method: method, Path: path, ID: op.OperationID, Op: op}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
					so.Body = mt.Schema.Value
				}
			}
			if v, ok := op.Extensions["x-fake"].(bool); ok && v {
				so.Fake = true
			}
			ops = append(ops, so)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops
}

// allowsType says whether a schema (with its oneOf/anyOf/allOf) admits a JSON type.
func allowsType(s *openapi3.Schema, typ string) bool {
	if s == nil {
		return true
	}
	if s.Type != nil && !s.Type.IsEmpty() {
		if s.Type.Includes(typ) || (typ == "integer" && s.Type.Includes("number")) {
			return true
		}
	}
	for _, alt := range append(append(openapi3.SchemaRefs{}, s.OneOf...), s.AnyOf...) {
		if alt.Value != nil && allowsType(alt.Value, typ) {
			return true
		}
	}
	for _, part := range s.AllOf {
		if part.Value != nil && !allowsType(part.Value, typ) {
			return false
		}
	}
	return (s.Type == nil || s.Type.IsEmpty()) && len(s.OneOf) == 0 && len(s.AnyOf) == 0
}

// properties merges a schema's properties with those of its allOf parts.
func properties(s *openapi3.Schema) (map[string]*openapi3.Schema, []string) {
	props := map[string]*openapi3.Schema{}
	required := slices.Clone(s.Required)
	for name, ref := range s.Properties {
		if ref.Value != nil {
			props[name] = ref.Value
		}
	}
	for _, part := range s.AllOf {
		if part.Value != nil {
			p, r := properties(part.Value)
			for k, v := range p {
				props[k] = v
			}
			required = append(required, r...)
		}
	}
	return props, required
}

// bodyGen makes schema-valid values, with realistic ones for well-known field names so the
// baseline requests can also succeed.
type bodyGen struct {
	n     int
	key   func() string
	seeds map[string]int64 // collection → an existing id
	coll  string           // the collection of the operation the body is for
}

// referenceCollections maps body fields that name another resource to its collection.
var referenceCollections = map[string]string{
	"server": "servers", "servers": "servers", "ssh_keys": "ssh_keys", "placement_group": "placement_groups",
	"network": "networks", "networks": "networks", "volume": "volumes", "volumes": "volumes",
	"firewall": "firewalls", "firewalls": "firewalls", "load_balancer": "load_balancers",
	"primary_ip": "primary_ips", "floating_ip": "floating_ips", "certificate": "certificates",
	"certificates": "certificates", "assignee_id": "servers", "ipv4": "primary_ips", "ipv6": "primary_ips",
}

func (g *bodyGen) value(name string, s *openapi3.Schema, depth int) any {
	if s == nil || depth > 6 {
		return nil
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	if v, ok := g.hint(name, s); ok {
		return v
	}
	for _, alt := range append(append(openapi3.SchemaRefs{}, s.OneOf...), s.AnyOf...) {
		if alt.Value != nil && !(alt.Value.Type != nil && alt.Value.Type.Is("null")) {
			return g.value(name, alt.Value, depth+1)
		}
	}
	props, required := properties(s)
	switch {
	case s.Type != nil && s.Type.Includes("object"), len(props) > 0:
		obj := map[string]any{}
		for _, r := range required {
			obj[r] = g.value(r, props[r], depth+1)
		}
		// Optional fields that make a create realistic (primary IPs need a location; a
		// network needs a subnet for servers to be attached to it; a certificate without a
		// PEM to upload is a managed one, for domain names).
		optional := []string{"location", "home_location", "labels", "subnets"}
		if g.coll == "certificates" {
			optional = append(optional, "type", "domain_names")
		}
		for _, opt := range optional {
			if _, ok := props[opt]; ok && depth == 0 {
				if _, set := obj[opt]; !set {
					obj[opt] = g.value(opt, props[opt], depth+1)
				}
			}
		}
		return obj
	case s.Type != nil && s.Type.Includes("array"):
		var item *openapi3.Schema
		if s.Items != nil {
			item = s.Items.Value
		}
		n := s.MinItems
		if n == 0 && item != nil && item.Type != nil && item.Type.Is("object") {
			n = 1 // e.g. records: an empty list is rarely what a create wants
		}
		var items []any
		for i := uint64(0); i < n; i++ {
			items = append(items, g.value(strings.TrimSuffix(name, "s"), item, depth+1))
		}
		if items == nil {
			items = []any{}
		}
		return items
	case s.Type != nil && s.Type.Includes("integer"):
		if s.Min != nil {
			return int64(*s.Min) + 1
		}
		return 1
	case s.Type != nil && s.Type.Includes("number"):
		if s.Min != nil {
			return *s.Min + 1
		}
		return 1.5
	case s.Type != nil && s.Type.Includes("boolean"):
		return false
	case s.Type != nil && s.Type.Includes("string"):
		v := "battery"
		switch s.Format {
		case "ipv4":
			v = "203.0.113.10"
		case "ipv6":
			v = "2001:db8::10"
		case "date-time":
			v = "2026-05-01T12:00:00Z"
		}
		for uint64(len(v)) < s.MinLength {
			v += "x"
		}
		if s.MaxLength != nil && uint64(len(v)) > *s.MaxLength {
			v = v[:*s.MaxLength]
		}
		return v
	}
	return nil
}

func (g *bodyGen) hint(name string, s *openapi3.Schema) (any, bool) {
	g.n++
	switch name {
	case "name":
		if g.coll == "rrsets" {
			return "www", true // fillPath's rr_name
		}
		return fmt.Sprintf("battery%d.com", g.n), true
	case "public_key":
		return g.key(), true
	case "server_type":
		return "cpx22", true
	case "load_balancer_type":
		return "lb11", true
	case "image":
		return "ubuntu-24.04", true
	case "location", "home_location":
		return "fsn1", true
	case "datacenter":
		return "fsn1-dc14", true
	case "labels":
		return map[string]string{"battery": "yes"}, true
	case "ttl":
		return 3600, true
	case "dns_ptr":
		return "battery.example.com", true
	case "value":
		return "203.0.113.1", true
	case "ip_range":
		return "10.0.0.0/16", true
	case "domain_names":
		return []any{"battery.example.com"}, true
	case "network_zone":
		return "eu-central", true
	case "size": // a volume's GB: 10 to 10240
		return 10, true
	case "subnets": // one cloud /24 in the zone of the servers' location (fsn1)
		return []any{map[string]any{"type": "cloud", "network_zone": "eu-central", "ip_range": "10.0.0.0/24"}}, true
	case "destination": // a private range clear of the network's subnets
		return "10.100.1.0/24", true
	case "gateway": // inside ip_range 10.0.0.0/16, not one of its reserved first two addresses
		return "10.0.1.1", true
	}
	if coll, ok := referenceCollections[name]; ok {
		id, seeded := g.seeds[coll]
		if !seeded {
			return nil, false
		}
		if s.Type != nil && s.Type.Includes("array") {
			return []any{id}, true
		}
		if allowsType(s, "integer") {
			return id, true
		}
	}
	return nil, false
}

// fillPath puts values into a path's parameters: existing ids where seeded, unknown otherwise.
func fillPath(o specOp, seeds map[string]int64, unknown bool) string {
	segs := strings.Split(o.Path, "/")
	coll := ""
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			if s != "" && s != "v1" && s != "api" {
				coll = s
			}
			continue
		}
		switch name := strings.Trim(s, "{}"); {
		case unknown && (name == "id" || name == "id_or_name"):
			segs[i] = "999999999"
		case name == "id" || name == "id_or_name":
			if id, ok := seeds[coll]; ok {
				segs[i] = fmt.Sprint(id)
			} else {
				segs[i] = "999999999"
			}
		case name == "rr_name":
			segs[i] = "www"
		case name == "rr_type":
			segs[i] = "A"
		default:
			segs[i] = "1"
		}
	}
	return strings.Join(segs, "/")
}

// seedProject creates one resource of every kind it can through the spec's create operations
// (POST on a collection), with generated bodies, and returns an id per collection.
func seedProject(t testing.TB, srv *testkit.Server, token string, ops []specOp) map[string]int64 {
	t.Helper()
	seeds := map[string]int64{}
	g := &bodyGen{key: func() string { return ctlKey(t) }, seeds: seeds}
	for round := 0; round < 3; round++ {
		for _, o := range ops {
			if o.Fake || o.Method != "POST" || o.Body == nil || strings.Contains(o.Path, "/actions/") {
				continue
			}
			if _, done := seeds[o.collection()]; done {
				continue
			}
			path := fillPath(o, seeds, false)
			if strings.Contains(path, "999999999") {
				continue // its parent is not there yet
			}
			g.coll = o.collection()
			res := ctlCall(t, srv, "POST", path, token, g.value("", o.Body, 0))
			if res.Status/100 != 2 {
				continue
			}
			if id, ok := createdID(res.Body); ok {
				seeds[o.collection()] = id
			}
		}
	}
	srv.Store().Tick()
	return seeds
}

// createdID finds the id of the resource a create answered (not its action).
func createdID(body []byte) (int64, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return 0, false
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "action" || k == "next_actions" || k == "actions" {
			continue
		}
		var obj struct {
			ID json.Number `json:"id"`
		}
		if json.Unmarshal(m[k], &obj) == nil && obj.ID != "" {
			if id, err := obj.ID.Int64(); err == nil {
				return id, true
			}
		}
	}
	return 0, false
}

// listOps are the GET operations on a collection (no path parameter at the end).
func listOps(ops []specOp) []specOp {
	var out []specOp
	for _, o := range ops {
		if o.Method == "GET" && !o.Fake && !strings.HasSuffix(o.Path, "}") && !strings.Contains(o.Path, "/actions/") &&
			(strings.HasPrefix(o.Path, "/v1/") || strings.HasPrefix(o.Path, "/api/")) {
			out = append(out, o)
		}
	}
	return out
}

// queryParam returns the operation's query parameter of that name.
func queryParam(o specOp, name string) *openapi3.Parameter {
	for _, p := range o.Op.Parameters {
		if p.Value != nil && p.Value.In == "query" && p.Value.Name == name {
			return p.Value
		}
	}
	return nil
}

// requiredQuery fills the required query parameters of a list (e.g. id for /actions).
func requiredQuery(o specOp, ids []int64) url.Values {
	q := url.Values{}
	for _, p := range o.Op.Parameters {
		if p.Value == nil || p.Value.In != "query" || !p.Value.Required {
			continue
		}
		for _, id := range ids {
			q.Add(p.Value.Name, fmt.Sprint(id))
		}
	}
	return q
}
