package handlers_test

// Security properties over every operation of the spec: projects never see each other's
// resources, read-only tokens never write, and the admin token guards all of /_fake.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/testkit"
)

// idsIn collects every "id" of the objects in the arrays of a list answer.
func idsIn(body []byte) map[string]bool {
	var m map[string]json.RawMessage
	out := map[string]bool{}
	if json.Unmarshal(body, &m) != nil {
		return out
	}
	for k, raw := range m {
		if k == "meta" {
			continue
		}
		var items []map[string]any
		if json.Unmarshal(raw, &items) != nil {
			continue
		}
		for _, it := range items {
			if id, ok := it["id"]; ok {
				out[fmt.Sprint(id)] = true
			}
		}
	}
	return out
}

func TestProjectsNeverSeeEachOthersResources(t *testing.T) {
	ops := specOperations(t)
	srv := testkit.New(t, testkit.WithTimeSource(ctlTime))
	alice := seedProject(t, srv, "alice", ops)
	seedProject(t, srv, "bob", ops)
	act := srv.ProjectOf("alice").StartAction("battery_action")
	srv.Store().Tick()

	var aliceActions []int64
	for _, a := range srv.Snapshot().Projects[srv.ProjectOf("alice").Key()].Actions {
		aliceActions = append(aliceActions, a.ID)
	}
	require.Contains(t, aliceActions, act.ID)

	lists, nonVacuous := 0, 0
	for _, o := range listOps(ops) {
		lists++
		q := requiredQuery(o, aliceActions)
		q.Set("per_page", "50")
		path := fillPath(o, alice, false) + "?" + q.Encode()
		asAlice := ctlCall(t, srv, "GET", path, "alice", nil)
		asBob := ctlCall(t, srv, "GET", path, "bob", nil)
		asNewcomer := ctlCall(t, srv, "GET", path, fmt.Sprintf("newcomer-%d", lists), nil)
		if asBob.Status >= 500 || asAlice.Status >= 500 {
			t.Errorf("%s: %d / %d", o, asAlice.Status, asBob.Status)
			continue
		}
		if asAlice.Status != 200 {
			continue // e.g. metrics, which want more parameters: nothing to compare
		}
		own := idsIn(asAlice.Body)
		for id := range idsIn(asNewcomer.Body) { // the catalog is everybody's
			delete(own, id)
		}
		if len(own) > 0 {
			nonVacuous++
		}
		if asBob.Status != 200 {
			assert.Equal(t, 404, asBob.Status, "%s: bob on alice's parent resource: %s", o, clip(asBob.Body))
			continue
		}
		for id := range idsIn(asBob.Body) {
			assert.False(t, own[id], "%s: bob sees alice's %s", o, id)
		}
	}
	t.Logf("isolation: %d list endpoints, %d of them list some of alice's resources", lists, nonVacuous)
	assert.Greater(t, nonVacuous, 2, "the seeding created resources to list")

	// Alice's resources by id: not found for bob, on every GET of one resource.
	gets := 0
	for _, o := range ops {
		if o.Method != "GET" || o.Fake || !strings.HasSuffix(o.Path, "}") || !strings.HasPrefix(o.Path, "/v1/") {
			continue
		}
		path := fillPath(o, alice, false)
		if strings.Contains(path, "999999999") || strings.HasPrefix(o.Path, "/v1/actions/") {
			continue
		}
		if ctlCall(t, srv, "GET", path, "alice", nil).Status != 200 {
			continue // a catalog path or nothing seeded
		}
		gets++
		res := ctlCall(t, srv, "GET", path, "bob", nil)
		if ctlCall(t, srv, "GET", path, "newcomer-x", nil).Status == 200 {
			continue // catalog: everybody sees it
		}
		assert.Equal(t, 404, res.Status, "%s: bob reads alice's resource: %s", o, clip(res.Body))
	}
	res := ctlCall(t, srv, "GET", fmt.Sprintf("/v1/actions/%d", act.ID), "bob", nil)
	assert.Equal(t, 404, res.Status, "bob reads alice's action")
	t.Logf("isolation: %d single-resource reads checked", gets)
}

func TestReadOnlyTokenNeverWrites(t *testing.T) {
	ops := specOperations(t)
	srv := testkit.New(t, testkit.WithTimeSource(ctlTime), testkit.WithTokens("rw-token@team", "ro-token:ro@team"))
	seeds := seedProject(t, srv, "rw-token", ops)
	require.NotEmpty(t, seeds)
	g := &bodyGen{n: 2000, key: func() string { return ctlKey(t) }, seeds: seeds}
	writes := 0
	for _, o := range ops {
		if o.Fake || !o.write() || !strings.HasPrefix(o.Path, "/v1/") {
			continue
		}
		writes++
		g.coll = o.collection()
		var body any
		if o.Body != nil {
			body = g.value("", o.Body, 0)
		}
		before := ctlState(t, srv)
		res := ctlCall(t, srv, o.Method, fillPath(o, seeds, false), "ro-token", body)
		assert.Equal(t, 403, res.Status, "%s: %s", o, clip(res.Body))
		if res.Status == 403 {
			assert.Equal(t, "forbidden", res.err(t).Code, "%s", o)
		}
		assert.Equal(t, string(before), string(ctlState(t, srv)), "%s changed the state for a read-only token", o)
	}
	for _, o := range listOps(ops) {
		if !strings.HasPrefix(o.Path, "/v1/") || strings.Contains(o.Path, "{") {
			continue
		}
		q := requiredQuery(o, []int64{1})
		res := ctlCall(t, srv, "GET", o.Path+"?"+q.Encode(), "ro-token", nil)
		assert.Equal(t, 200, res.Status, "%s: a read-only token reads: %s", o, clip(res.Body))
	}
	t.Logf("read-only: %d write operations refused", writes)
}

func TestAdminTokenGuardsEveryControlOperation(t *testing.T) {
	const admin = "admin-secret"
	srv := testkit.New(t, testkit.WithAdminToken(admin))
	guarded := 0
	for _, o := range specOperations(t) {
		if !o.Fake || o.ID == "fake_healthz" {
			continue
		}
		guarded++
		path := strings.NewReplacer("{id}", "1").Replace(o.Path)
		var body any
		if o.Body != nil {
			body = "{}"
		}
		for _, tok := range []string{"", "wrong", admin + "x", strings.ToUpper(admin)} {
			res := ctlCall(t, srv, o.Method, path, tok, body)
			assert.Equal(t, 401, res.Status, "%s with %q", o, tok)
			if res.Status == 401 {
				assert.Equal(t, "unauthorized", res.err(t).Code)
			}
		}
		res := ctlCall(t, srv, o.Method, path, admin, body)
		assert.NotEqual(t, 401, res.Status, "%s with the admin token: %s", o, clip(res.Body))
		assert.Less(t, res.Status, 500, "%s: %s", o, clip(res.Body))
	}
	assert.Equal(t, 200, ctlCall(t, srv, "GET", "/healthz", "", nil).Status, "/healthz needs no token")
	// The admin token is no API token and API tokens are no admin tokens.
	assert.Equal(t, 401, ctlCall(t, srv, "GET", "/_fake/state", srv.Token, nil).Status)
	assert.GreaterOrEqual(t, guarded, 10)
}
