package handlers_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/apitest"
	"github.com/fakehetzner/fakehetzner/internal/store"
	"github.com/fakehetzner/fakehetzner/testkit"
)

const testPublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx8wF5S8ZhWzTq1o0uX0b6b9o9m3Nq2sZ8YbT5l0c8T test@example"

func TestEveryAnswerHasACorrelationID(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	hex16 := regexp.MustCompile(`^[0-9a-f]{16}$`)
	seen := map[string]bool{}
	for _, res := range []*apitest.Response{
		api.Get("/v1/locations"),
		api.WithToken("").Get("/v1/locations"),
		api.Get("/v1/does-not-exist"),
		api.Post("/v1/ssh_keys", "{"),
		api.Get("/healthz"),
	} {
		id := res.Header.Get("X-Correlation-Id")
		assert.Regexp(t, hex16, id, "answer %d", res.Status)
		assert.False(t, seen[id], "correlation ids repeat")
		seen[id] = true
	}
}

func TestMissingOrMalformedTokenIsUnauthorized(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, "")
	for _, auth := range []string{"", "Authorization: Basic Zm9vOmJhcg==", "Authorization: Bearer ", "Authorization: Bearer"} {
		var res *apitest.Response
		if auth == "" {
			res = api.Get("/v1/ssh_keys")
		} else {
			res = api.Get("/v1/ssh_keys", auth)
		}
		assert.Equal(t, 401, res.Status, auth)
		assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
		assert.JSONEq(t, `{"error":{"code":"unauthorized","message":"unable to authenticate","details":{}}}`, string(res.Body))
	}
}

func TestEachTokenIsItsOwnProject(t *testing.T) {
	srv := testkit.New(t)
	alice := apitest.New(t, srv.BaseURL, "alice")
	bob := alice.WithToken("bob")
	res := alice.Post("/v1/ssh_keys", map[string]any{"name": "k", "public_key": testPublicKey})
	require.Equal(t, 201, res.Status, string(res.Body))
	id := res.JSON()["ssh_key"].(map[string]any)["id"].(float64)

	assert.Len(t, alice.Get("/v1/ssh_keys").JSON()["ssh_keys"], 1)
	assert.Len(t, bob.Get("/v1/ssh_keys").JSON()["ssh_keys"], 0)
	assert.Equal(t, 404, bob.Get("/v1/ssh_keys/"+strconv.Itoa(int(id))).Status)
	// the same name and key are free in the other project
	assert.Equal(t, 201, bob.Post("/v1/ssh_keys", map[string]any{"name": "k", "public_key": testPublicKey}).Status)
}

func TestConfiguredTokensAndReadOnly(t *testing.T) {
	srv := testkit.New(t, testkit.WithTokens("writer@team", "reader:ro@team", "loner"))
	writer := apitest.New(t, srv.BaseURL, "writer")
	reader := writer.WithToken("reader")

	assert.Equal(t, 401, writer.WithToken("stranger").Get("/v1/ssh_keys").Status)
	require.Equal(t, 201, writer.Post("/v1/ssh_keys", map[string]any{"name": "k", "public_key": testPublicKey}).Status)

	// the read-only token shares the project: it reads what the writer made
	assert.Len(t, reader.Get("/v1/ssh_keys").JSON()["ssh_keys"], 1)
	for _, res := range []*apitest.Response{
		reader.Post("/v1/ssh_keys", map[string]any{"name": "k2", "public_key": testPublicKey}),
		reader.Put("/v1/ssh_keys/1", map[string]any{"name": "renamed"}),
		reader.Delete("/v1/ssh_keys/1"),
	} {
		assert.Equal(t, 403, res.Status)
		assert.Equal(t, "forbidden", res.Error().Code)
	}
	keys := reader.Get("/v1/ssh_keys").JSON()["ssh_keys"].([]any)
	require.Len(t, keys, 1, "a refused write changed nothing")
	assert.Equal(t, "k", keys[0].(map[string]any)["name"])
	// a token without a project name has its own project
	assert.Len(t, writer.WithToken("loner").Get("/v1/ssh_keys").JSON()["ssh_keys"], 0)
}

func TestRateLimitBucket(t *testing.T) {
	srv := testkit.New(t, testkit.WithRateLimit(3))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	for want := 2; want >= 0; want-- {
		res := api.Get("/v1/locations")
		require.Equal(t, 200, res.Status)
		assert.Equal(t, "3", res.Header.Get("RateLimit-Limit"))
		assert.Equal(t, strconv.Itoa(want), res.Header.Get("RateLimit-Remaining"))
		reset, err := strconv.ParseInt(res.Header.Get("RateLimit-Reset"), 10, 64)
		require.NoError(t, err)
		// the bucket refills 3 per hour: each missing request takes 1200 s
		assert.InDelta(t, srv.Now().Unix()+int64(1200*(3-want)), reset, 2)
	}
	res := api.Get("/v1/locations")
	assert.Equal(t, 429, res.Status)
	assert.Equal(t, "rate_limit_exceeded", res.Error().Code)
	assert.Equal(t, "0", res.Header.Get("RateLimit-Remaining"))

	// another project has its own bucket
	assert.Equal(t, 200, api.WithToken("other").Get("/v1/locations").Status)

	srv.AdvanceClock(20 * time.Minute) // one request refilled
	assert.Equal(t, 200, api.Get("/v1/locations").Status)
	assert.Equal(t, 429, api.Get("/v1/locations").Status)
}

func TestValidationErrors(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	require.Equal(t, 200, api.Get("/v1/ssh_keys").Status) // the project exists from its first request
	before := srv.Snapshot().Projects

	cases := []struct {
		name, method, path string
		body               any
		status             int
		code               string
		fields             []string
	}{
		{"malformed JSON", "POST", "/v1/ssh_keys", `{"name":`, 400, "json_error", nil},
		{"root not an object", "POST", "/v1/ssh_keys", `[1,2]`, 422, "invalid_input", []string{"_schema"}},
		{"empty body", "POST", "/v1/ssh_keys", nil, 422, "invalid_input", []string{"name", "public_key"}},
		{"wrong types", "POST", "/v1/ssh_keys", `{"name":5,"public_key":true}`, 422, "invalid_input", []string{"name", "public_key"}},
		{"labels not an object", "POST", "/v1/ssh_keys", `{"name":"a","public_key":"x","labels":[]}`, 422, "invalid_input", []string{"labels"}},
		{"label value not a string", "POST", "/v1/ssh_keys", `{"name":"a","public_key":"x","labels":{"a":1}}`, 422, "invalid_input", []string{"labels.a"}},
		{"unknown field", "POST", "/v1/ssh_keys", map[string]any{"name": "a", "public_key": testPublicKey, "labelkey": "x"}, 422, "invalid_input", []string{"labelkey"}},
		{"bad sort", "GET", "/v1/ssh_keys?sort=created", nil, 422, "invalid_input", []string{"sort"}},
		{"bad page", "GET", "/v1/ssh_keys?page=abc", nil, 422, "invalid_input", []string{"page"}},
		{"bad path id", "GET", "/v1/ssh_keys/abc", nil, 422, "invalid_input", []string{"id"}},
		{"bad selector", "GET", "/v1/ssh_keys?label_selector=a+in+(b", nil, 422, "invalid_input", []string{"label_selector"}},
		{"unknown route", "GET", "/v1/nothing-here", nil, 404, "not_found", nil},
		{"unknown id", "GET", "/v1/ssh_keys/424242", nil, 404, "not_found", nil},
		{"wrong method", "DELETE", "/v1/locations", nil, 405, "method_not_allowed", nil},
		{"write to catalog", "POST", "/v1/server_types", `{}`, 405, "method_not_allowed", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := api.Do(tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, res.Status, string(res.Body))
			assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
			e := res.Error()
			assert.Equal(t, tc.code, e.Code)
			assert.NotEmpty(t, e.Message)
			if tc.fields != nil {
				assert.ElementsMatch(t, tc.fields, e.FieldNames())
				for _, f := range e.Details.Fields {
					assert.NotEmpty(t, f.Messages, f.Name)
				}
			}
		})
	}
	assert.Equal(t, before, srv.Snapshot().Projects, "bad requests changed state")
}

func TestInvalidInputMessageNamesTheFields(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	e := api.Post("/v1/ssh_keys", `{"name":"a"}`).Error()
	assert.Equal(t, "invalid input in field 'public_key'", e.Message)
	assert.Equal(t, []string{"Missing data for required field."}, e.Details.Fields[0].Messages)
	e = api.Post("/v1/ssh_keys", `{}`).Error()
	assert.Equal(t, "invalid input in fields 'name', 'public_key'", e.Message)
}

func TestRateLimitHeadersOnEveryV1Answer(t *testing.T) {
	srv := testkit.New(t, testkit.WithRateLimit(100))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	for _, res := range []*apitest.Response{
		api.Get("/v1/locations"),
		api.Get("/v1/no-such-thing"),
		api.Delete("/v1/locations"),
		api.Get("/v1/ssh_keys/4242"),
		api.Post("/v1/ssh_keys", "{"),
		api.WithToken("").Get("/v1/locations"),
	} {
		assert.Equal(t, "100", res.Header.Get("RateLimit-Limit"), "answer %d: %s", res.Status, res.Body)
		assert.NotEmpty(t, res.Header.Get("RateLimit-Remaining"))
		assert.NotEmpty(t, res.Header.Get("RateLimit-Reset"))
	}
	assert.Equal(t, "94", api.Get("/v1/locations").Header.Get("RateLimit-Remaining"),
		"unknown routes and errors spend from the project's bucket too")
}

func TestDatacentersKeepTheirPaginationLinks(t *testing.T) {
	srv := testkit.New(t)
	res := apitest.New(t, srv.BaseURL, srv.Token).Get("/v1/datacenters?per_page=2")
	links := strings.Join(res.Header.Values("Link"), ", ")
	assert.Contains(t, links, `rel="next"`)
	assert.Contains(t, links, `rel="deprecation"`)
}

func TestActionsFinishWhenTheyWereDue(t *testing.T) {
	srv := testkit.New(t, testkit.WithActionDuration(2*time.Second))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	a := srv.Project().StartAction("start_server", store.ActionResource{ID: 1, Type: "server"})
	srv.Store().Clock().Advance(time.Hour) // nobody looks for an hour
	var got struct {
		Action struct {
			Started  time.Time `json:"started"`
			Finished time.Time `json:"finished"`
		} `json:"action"`
	}
	api.Get("/v1/actions/" + strconv.FormatInt(a.ID, 10)).Decode(&got)
	assert.WithinDuration(t, got.Action.Started.Add(2*time.Second), got.Action.Finished, time.Second)
}

func TestBodyShapeMessages(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	e := api.Post("/v1/ssh_keys", `[]`).Error()
	assert.Equal(t, "invalid input: root must be an object", e.Message)
	e = api.Post("/v1/primary_ips", `{"name":"x","type":"ipv4","location":"fsn1","datacenter":"fsn1-dc14"}`).Error()
	assert.Equal(t, "invalid input: unknown field name 'datacenter'", e.Message)
	assert.Equal(t, []string{"datacenter"}, e.FieldNames())
}
