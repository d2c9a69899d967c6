package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner"
	"github.com/fakehetzner/fakehetzner/testkit"
)

func TestJournalRecordsRequests(t *testing.T) {
	srv := testkit.New(t)
	key := ctlKey(t)
	created := ctlCall(t, srv, "POST", "/v1/ssh_keys", srv.Token, map[string]any{"name": "k1", "public_key": key, "labels": map[string]string{"env": "ci"}})
	require.Equal(t, 201, created.Status)
	var out struct {
		SSHKey struct{ ID int64 } `json:"ssh_key"`
	}
	require.NoError(t, json.Unmarshal(created.Body, &out))
	listed := ctlCall(t, srv, "GET", "/v1/ssh_keys?label_selector=env%3Dci&per_page=5", srv.Token, nil)
	require.Equal(t, 200, listed.Status)
	missing := ctlCall(t, srv, "GET", "/v1/ssh_keys/999999", srv.Token, nil)
	require.Equal(t, 404, missing.Status)
	ctlCall(t, srv, "GET", "/_fake/state", "", nil) // control routes are not journaled
	ctlCall(t, srv, "GET", "/healthz", "", nil)

	reqs := srv.Requests(t)
	require.Len(t, reqs, 3)
	get404, list, post := reqs[0], reqs[1], reqs[2]
	assert.Greater(t, get404.ID, list.ID, "newest first")

	assert.Equal(t, "POST", post.Method)
	assert.Equal(t, "/v1/ssh_keys", post.Path)
	assert.Equal(t, "/v1/ssh_keys", post.Route)
	assert.Equal(t, 201, post.Status)
	assert.Equal(t, created.Header.Get("X-Correlation-Id"), post.CorrelationID)
	assert.Equal(t, fakehetzner.ProjectKey(srv.Token), post.Project)
	assert.JSONEq(t, fmt.Sprintf(`{"name":"k1","public_key":%q,"labels":{"env":"ci"}}`, key), string(post.Body))
	assert.NotEmpty(t, post.Duration)
	assert.False(t, post.Time.IsZero())

	assert.Equal(t, "GET", list.Method)
	assert.Equal(t, "label_selector=env%3Dci&per_page=5", list.Query)
	assert.Empty(t, list.Body, "reads carry no body")

	assert.Equal(t, 404, get404.Status)
	assert.Equal(t, "/v1/ssh_keys/{id}", get404.Route)
	assert.Equal(t, missing.Header.Get("X-Correlation-Id"), get404.CorrelationID)
}

func TestJournalFilters(t *testing.T) {
	srv := testkit.New(t)
	ctlCall(t, srv, "GET", "/v1/locations", "alice", nil)
	ctlCall(t, srv, "GET", "/v1/locations/1", "bob", nil)
	ctlCall(t, srv, "GET", "/v1/ssh_keys/424242", "bob", nil)
	ctlCall(t, srv, "POST", "/v1/ssh_keys", "alice", map[string]any{"name": "x", "public_key": ctlKey(t)})
	ctlCall(t, srv, "GET", "/v1/locations", "", nil) // 401, no project

	count := func(f testkit.RequestFilter) int { return len(srv.Requests(t, f)) }
	assert.Equal(t, 5, count(testkit.RequestFilter{}))
	assert.Equal(t, 1, count(testkit.RequestFilter{Method: "post"}))
	assert.Equal(t, 2, count(testkit.RequestFilter{Path: "/locations"}))
	assert.Equal(t, 1, count(testkit.RequestFilter{Path: "/v1/locations/{id}"}))
	assert.Equal(t, 2, count(testkit.RequestFilter{Path: "/{kind}/{id}"}))
	assert.Equal(t, 1, count(testkit.RequestFilter{Status: 404}))
	assert.Equal(t, 1, count(testkit.RequestFilter{Status: 401}))
	assert.Equal(t, 2, count(testkit.RequestFilter{Token: "bob"}))
	assert.Equal(t, 1, count(testkit.RequestFilter{Token: "alice", Method: "GET"}))

	res := ctlCall(t, srv, "GET", "/_fake/requests?limit=2", "", nil)
	var out struct{ Requests []testkit.Request }
	require.NoError(t, json.Unmarshal(res.Body, &out))
	assert.Len(t, out.Requests, 2)
	assert.Equal(t, 422, ctlCall(t, srv, "GET", "/_fake/requests?path=nope", "", nil).Status)
}

func TestJournalIsBoundedAndClears(t *testing.T) {
	srv := testkit.New(t, testkit.WithJournalSize(5))
	for i := 1; i <= 8; i++ {
		ctlCall(t, srv, "GET", fmt.Sprintf("/v1/ssh_keys/%d", 1000+i), "tok", nil)
	}
	reqs := srv.Requests(t)
	require.Len(t, reqs, 5)
	for i, r := range reqs {
		assert.Equal(t, int64(8-i), r.ID)
		assert.Equal(t, fmt.Sprintf("/v1/ssh_keys/%d", 1008-i), r.Path)
	}
	srv.ClearRequests(t)
	assert.Empty(t, srv.Requests(t))
	ctlCall(t, srv, "GET", "/v1/locations", "tok", nil)
	assert.Len(t, srv.Requests(t), 1)
}

func TestJournalBodies(t *testing.T) {
	srv := testkit.New(t, testkit.WithMaxBodyBytes(64<<10))
	ctlCall(t, srv, "POST", "/v1/ssh_keys", "tok", `{"name": not json`)
	big := `{"name":"` + strings.Repeat("a", 40<<10) + `"}`
	ctlCall(t, srv, "POST", "/v1/ssh_keys", "tok", big)
	reqs := srv.Requests(t)
	require.Len(t, reqs, 2)
	var s string
	require.NoError(t, json.Unmarshal(reqs[0].Body, &s), "a large body is kept as a cut string")
	assert.True(t, reqs[0].BodyTruncated)
	assert.Less(t, len(s), len(big))
	require.NoError(t, json.Unmarshal(reqs[1].Body, &s), "a body that is not JSON is kept as a string")
	assert.Equal(t, `{"name": not json`, s)
	assert.Equal(t, 400, reqs[1].Status)
}

func TestBodyLimit(t *testing.T) {
	srv := testkit.New(t, testkit.WithMaxBodyBytes(1024), testkit.WithTimeSource(ctlTime))
	srv.Project()
	before := ctlState(t, srv)
	body := fmt.Sprintf(`{"name":"%s","public_key":%q}`, strings.Repeat("a", 2000), ctlKey(t))
	res := ctlCall(t, srv, "POST", "/v1/ssh_keys", srv.Token, body)
	assert.Equal(t, 422, res.Status)
	e := res.err(t)
	assert.Equal(t, "invalid_input", e.Code)
	assert.Contains(t, e.Message, "too large")
	// Without a Content-Length the limit holds as the body is read.
	res = ctlCall(t, srv, "POST", "/v1/ssh_keys", srv.Token, struct{ io.Reader }{strings.NewReader(body)})
	assert.Equal(t, 422, res.Status)
	assert.Contains(t, res.err(t).Message, "too large")
	assert.Equal(t, string(before), string(ctlState(t, srv)))
	ok := ctlCall(t, srv, "POST", "/v1/ssh_keys", srv.Token, map[string]any{"name": "small", "public_key": ctlKey(t)})
	assert.Equal(t, 201, ok.Status, "%s", ok.Body)
}

func TestJournalConcurrent(t *testing.T) {
	srv := testkit.New(t, testkit.WithJournalSize(50))
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				ctlCall(t, srv, "GET", "/v1/locations", fmt.Sprintf("tok%d", g), nil)
			}
		}()
	}
	wg.Wait()
	reqs := srv.Requests(t)
	require.Len(t, reqs, 50)
	for i := 1; i < len(reqs); i++ {
		assert.Equal(t, reqs[i-1].ID-1, reqs[i].ID)
	}
	assert.Equal(t, int64(200), reqs[0].ID)
}

func TestAccessLogAndJournalNeverHoldTokens(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	const secret = "tok-0123456789abcdef-SECRET"
	const ro = "ro-tok-SECRET-987654"
	srv := testkit.New(t, testkit.WithLogger(logger), testkit.WithTokens(secret, ro+":ro"), testkit.WithAdminToken("admin-SECRET-1"))
	ctlCall(t, srv, "POST", "/v1/ssh_keys", secret, map[string]any{"name": "k", "public_key": ctlKey(t)})
	ctlCall(t, srv, "GET", "/v1/ssh_keys", secret, nil)
	ctlCall(t, srv, "POST", "/v1/ssh_keys", ro, map[string]any{"name": "k2", "public_key": ctlKey(t)})
	ctlCall(t, srv, "GET", "/v1/ssh_keys", "wrong-SECRET-guess", nil)
	ctlCall(t, srv, "POST", "/v1/ssh_keys", secret, `{broken`)
	srv.InjectFault(t, testkit.Fault{Status: 500, Token: secret, Times: 1})
	ctlCall(t, srv, "GET", "/v1/locations", secret, nil)

	journal := ctlCall(t, srv, "GET", "/_fake/requests", "admin-SECRET-1", nil)
	require.Equal(t, 200, journal.Status)
	state := ctlCall(t, srv, "GET", "/_fake/state", "admin-SECRET-1", nil)
	faults := ctlCall(t, srv, "GET", "/_fake/faults", "admin-SECRET-1", nil)
	require.NotEmpty(t, logs.String())
	for _, tok := range []string{secret, ro, "wrong-SECRET-guess", "admin-SECRET-1"} {
		assert.NotContains(t, logs.String(), tok, "log")
		assert.NotContains(t, string(journal.Body), tok, "journal")
		assert.NotContains(t, string(state.Body), tok, "snapshot")
		assert.NotContains(t, string(faults.Body), tok, "faults")
	}
	assert.Contains(t, string(journal.Body), fakehetzner.ProjectKey(secret), "the journal names the project by its key")
}
