package handlers_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/apitest"
	"github.com/fakehetzner/fakehetzner/internal/store"
	"github.com/fakehetzner/fakehetzner/testkit"
)

func TestHealthz(t *testing.T) {
	srv := testkit.New(t)
	res := apitest.New(t, srv.BaseURL, "").Get("/healthz")
	assert.Equal(t, 200, res.Status)
	assert.JSONEq(t, `{"status":"ok"}`, string(res.Body))
}

func TestResetWipesProjectsButKeepsTheCatalog(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	pub, _ := newPublicKey(t)
	require.Equal(t, 201, api.Post("/v1/ssh_keys", map[string]any{"name": "k", "public_key": pub}).Status)
	assert.Equal(t, 204, api.Post("/_fake/reset", nil).Status)
	assert.Empty(t, api.Get("/v1/ssh_keys").JSON()["ssh_keys"])
	assert.NotEmpty(t, api.Get("/v1/locations").JSON()["locations"])
}

func TestStateRoundTrip(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	pub, _ := newPublicKey(t)
	require.Equal(t, 201, api.Post("/v1/ssh_keys", map[string]any{"name": "k", "public_key": pub, "labels": map[string]string{"a": "b"}}).Status)
	srv.Project().StartAction("start_server", store.ActionResource{ID: 1, Type: "server"})
	keysBefore := api.Get("/v1/ssh_keys").Body

	state := api.Get("/_fake/state")
	require.Equal(t, 200, state.Status)
	var snap map[string]any
	state.Decode(&snap)
	assert.EqualValues(t, store.SnapshotVersion, snap["version"])
	assert.NotContains(t, string(state.Body), srv.Token, "tokens never appear in snapshots")

	other := testkit.New(t)
	otherAPI := apitest.New(t, other.BaseURL, srv.Token)
	require.Equal(t, 204, otherAPI.Put("/_fake/state", state.Body).Status)
	assert.JSONEq(t, string(keysBefore), string(otherAPI.Get("/v1/ssh_keys").Body))

	// the restored server goes on with fresh ids
	pub2, _ := newPublicKey(t)
	var created sshKeyAnswer
	otherAPI.Post("/v1/ssh_keys", map[string]any{"name": "k2", "public_key": pub2}).Decode(&created)
	assert.Greater(t, created.SSHKey.ID, int64(1))
}

func TestInvalidSnapshotChangesNothing(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	pub, _ := newPublicKey(t)
	require.Equal(t, 201, api.Post("/v1/ssh_keys", map[string]any{"name": "k", "public_key": pub}).Status)
	before := api.Get("/_fake/state").Body

	dup := map[string]any{"version": 1, "ids": map[string]int{}, "projects": map[string]any{
		"p": map[string]any{"ssh_keys": []any{
			map[string]any{"id": 1, "name": "a", "public_key": pub, "fingerprint": "", "labels": map[string]string{}, "created": "2026-01-01T00:00:00Z"},
			map[string]any{"id": 1, "name": "b", "public_key": pub, "fingerprint": "", "labels": map[string]string{}, "created": "2026-01-01T00:00:00Z"},
		}, "actions": []any{}}}}
	for name, body := range map[string]any{
		"wrong version":  map[string]any{"version": 99, "projects": map[string]any{}},
		"duplicate ids":  dup,
		"not a snapshot": `{"projects": 5}`,
		"not JSON":       `{`,
	} {
		res := api.Put("/_fake/state", body)
		assert.Equal(t, 400, res.Status, "%s: %s", name, res.Body)
	}
	after := api.Get("/_fake/state").Body
	var b, a map[string]any
	require.NoError(t, json.Unmarshal(before, &b))
	require.NoError(t, json.Unmarshal(after, &a))
	delete(b, "taken")
	delete(a, "taken")
	assert.Equal(t, b, a)
}

func TestClockAndConfig(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	before := srv.Now()
	res := api.Post("/_fake/clock", map[string]any{"advance": "90s"})
	require.Equal(t, 200, res.Status, string(res.Body))
	var clock struct {
		Now time.Time `json:"now"`
	}
	res.Decode(&clock)
	assert.GreaterOrEqual(t, clock.Now.Sub(before), 90*time.Second)
	assert.Equal(t, 422, api.Post("/_fake/clock", map[string]any{"advance": "soon"}).Status)

	res = api.Do("PATCH", "/_fake/config", map[string]any{"action_duration": "manual", "rate_limit": 100})
	require.Equal(t, 200, res.Status, string(res.Body))
	cfg := res.JSON()
	assert.Equal(t, "manual", cfg["action_duration"])
	assert.EqualValues(t, 100, cfg["rate_limit"])
	assert.Equal(t, "100", api.Get("/v1/locations").Header.Get("RateLimit-Limit"))
	a := srv.Project().StartAction("start_server", store.ActionResource{ID: 1, Type: "server"})
	api.Post("/_fake/clock", map[string]any{"advance": "1h"})
	assert.Equal(t, "running", getAction(t, api, a.ID).Status)
	assert.Equal(t, 422, api.Do("PATCH", "/_fake/config", map[string]any{"action_duration": "later"}).Status)
	assert.Equal(t, 422, api.Do("PATCH", "/_fake/config", map[string]any{"rate_limit": -1}).Status)
}

func TestAdminTokenProtectsTheControlAPI(t *testing.T) {
	srv := testkit.New(t, testkit.WithAdminToken("admin-secret"))
	api := apitest.New(t, srv.BaseURL, "")
	assert.Equal(t, 401, api.Get("/_fake/state").Status)
	assert.Equal(t, 401, api.WithToken("wrong").Post("/_fake/reset", nil).Status)
	assert.Equal(t, 200, api.WithToken("admin-secret").Get("/_fake/state").Status)
	assert.Equal(t, 200, api.Get("/healthz").Status, "health needs no token")
}
