package testkit

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

// Invariants are the properties a state must always have, whatever resources it holds. They
// read the snapshot as JSON, so resources added to the store are covered without changes:
//
//   - ids are unique per kind across projects, and none is above the kind's id counter (an
//     id above it would be handed out again);
//   - names are unique per collection in a project;
//   - IPs (a resource's "ip" and those under "public_net") are unique per collection;
//   - references resolve: a field named after a collection ("server": 5, "servers": [5],
//     "placement_group": {"id": 5}, public_net.ipv4.id, assignee_id with assignee_type) names
//     a resource of that project (catalog kinds and images are not checked);
//   - with finished set, no action is running and every action has a finished time.
type Invariants struct {
	ActionsFinished bool
}

// referencedCollections are the project-owned collections a field may refer to, by field
// name (singular or plural).
var referencedCollections = []string{"servers", "primary_ips", "floating_ips", "placement_groups",
	"ssh_keys", "networks", "volumes", "firewalls", "load_balancers", "certificates", "zones"}

// Check returns every violation in snap (none: nil).
func (inv Invariants) Check(snap store.Snapshot) []string {
	raw, err := json.Marshal(snap)
	if err != nil {
		return []string{"snapshot does not encode: " + err.Error()}
	}
	var doc struct {
		IDs      map[string]int64                      `json:"ids"`
		Projects map[string]map[string]json.RawMessage `json:"projects"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return []string{"snapshot does not decode: " + err.Error()}
	}
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }

	// collections[project][collection] = objects
	collections := map[string]map[string][]map[string]any{}
	for key, p := range doc.Projects {
		collections[key] = map[string][]map[string]any{}
		for coll, rawColl := range p {
			var objs []map[string]any
			if json.Unmarshal(rawColl, &objs) == nil {
				collections[key][coll] = objs
			}
		}
	}
	projects := sortedKeys(collections)

	idOwner := map[string]string{} // kind#id → project
	ipOwner := map[string]string{} // collection#ip → where
	for _, key := range projects {
		for _, coll := range sortedKeys(collections[key]) {
			kind := strings.TrimSuffix(coll, "s")
			names := map[string]int64{}
			for _, obj := range collections[key][coll] {
				id, numeric := asID(obj["id"])
				if !numeric {
					continue
				}
				where := fmt.Sprintf("project %s %s %d", key, kind, id)
				idKey := fmt.Sprintf("%s#%d", kind, id)
				if other, dup := idOwner[idKey]; dup {
					fail("%s: id also used in project %s", where, other)
				}
				idOwner[idKey] = key
				if last, counted := doc.IDs[kind]; counted && id > last {
					fail("%s: id above the id counter %d (would be handed out again)", where, last)
				}
				if name, ok := obj["name"].(string); ok && name != "" {
					if other, dup := names[name]; dup {
						fail("%s: name %q also used by %d", where, name, other)
					}
					names[name] = id
				}
				for _, ip := range ipsOf(obj) {
					ipKey := coll + "#" + ip
					if other, dup := ipOwner[ipKey]; dup {
						fail("%s: IP %s also used by %s", where, ip, other)
					}
					ipOwner[ipKey] = where
				}
				if coll != "actions" {
					for _, ref := range referencesOf(obj) {
						if !hasID(collections[key][ref.collection], ref.id) {
							fail("%s: %s refers to %s %d, which does not exist", where, ref.field, ref.collection, ref.id)
						}
					}
				}
				if coll == "actions" && inv.ActionsFinished {
					if obj["status"] == "running" || obj["finished"] == nil {
						fail("%s: not finished (status %v)", where, obj["status"])
					}
				}
			}
		}
	}
	return bad
}

func asID(v any) (int64, bool) {
	f, ok := v.(float64)
	if !ok || f != float64(int64(f)) {
		return 0, false
	}
	return int64(f), true
}

func hasID(objs []map[string]any, id int64) bool {
	return slices.ContainsFunc(objs, func(o map[string]any) bool {
		got, ok := asID(o["id"])
		return ok && got == id
	})
}

// ipsOf returns a resource's own IPs: "ip" at its top level and anywhere under public_net.
func ipsOf(obj map[string]any) []string {
	var out []string
	if ip, ok := obj["ip"].(string); ok && ip != "" {
		out = append(out, ip)
	}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, inner := range t {
				if s, ok := inner.(string); ok && k == "ip" && s != "" {
					out = append(out, s)
				} else {
					walk(inner)
				}
			}
		case []any:
			for _, inner := range t {
				walk(inner)
			}
		}
	}
	walk(obj["public_net"])
	sort.Strings(out)
	return out
}

type reference struct {
	field, collection string
	id                int64
}

// referencesOf finds the fields of a resource that name another project resource.
func referencesOf(obj map[string]any) []reference {
	var out []reference
	for field, v := range obj {
		coll := ""
		for _, c := range referencedCollections {
			if field == c || field+"s" == c {
				coll = c
			}
		}
		if coll == "" {
			continue
		}
		switch t := v.(type) {
		case float64:
			if id, ok := asID(t); ok {
				out = append(out, reference{field, coll, id})
			}
		case []any:
			for _, item := range t {
				if id, ok := asID(item); ok {
					out = append(out, reference{field, coll, id})
				}
			}
		case map[string]any:
			if id, ok := asID(t["id"]); ok {
				out = append(out, reference{field, coll, id})
			}
		}
	}
	if assignee, ok := asID(obj["assignee_id"]); ok {
		if typ, _ := obj["assignee_type"].(string); typ != "" && typ != "unassigned" {
			out = append(out, reference{"assignee_id", typ + "s", assignee})
		}
	}
	if pn, ok := obj["public_net"].(map[string]any); ok {
		for _, fam := range []string{"ipv4", "ipv6"} {
			if ip, ok := pn[fam].(map[string]any); ok {
				if id, ok := asID(ip["id"]); ok {
					out = append(out, reference{"public_net." + fam + ".id", "primary_ips", id})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].field < out[j].field })
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// CheckInvariants fails the test for every invariant the server's state breaks.
func (s *Server) CheckInvariants(t interface {
	Helper()
	Errorf(string, ...any)
}, inv Invariants) {
	t.Helper()
	for _, v := range inv.Check(s.Snapshot()) {
		t.Errorf("invariant: %s", v)
	}
}
