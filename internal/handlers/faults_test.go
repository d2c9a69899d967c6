package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner"
	"github.com/fakehetzner/fakehetzner/testkit"
)

func TestFaultAnswersTheEnvelopeAndCountsDown(t *testing.T) {
	srv := testkit.New(t, testkit.WithRateLimit(3600))
	id := srv.InjectFault(t, testkit.Fault{Method: "GET", Path: "/ssh_keys", Status: 503, Times: 2})

	for i := 0; i < 2; i++ {
		res := ctlCall(t, srv, "GET", "/v1/ssh_keys", "tok", nil)
		require.Equal(t, 503, res.Status)
		e := res.err(t)
		assert.Equal(t, "unavailable", e.Code)
		assert.NotEmpty(t, e.Message)
		assert.JSONEq(t, `{}`, string(e.Details))
		assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
		assert.Regexp(t, `^[0-9a-f]{16}$`, res.Header.Get("X-Correlation-Id"))
		assert.NotEmpty(t, res.Header.Get("RateLimit-Remaining"), "a fault answers with the rate limit headers")
	}
	assert.Equal(t, 200, ctlCall(t, srv, "GET", "/v1/ssh_keys", "tok", nil).Status, "times ran out")

	faults := srv.Faults(t)
	require.Len(t, faults, 1)
	assert.Equal(t, id, faults[0].ID)
	assert.Equal(t, 2, faults[0].Hits)
	require.NotNil(t, faults[0].Remaining)
	assert.Equal(t, 0, *faults[0].Remaining)
}

func TestFaultMatchesMethodPathPatternAndProject(t *testing.T) {
	srv := testkit.New(t)
	key := srv.CreateSSHKey(t, "k", ctlKey(t), nil)
	srv.InjectFault(t, testkit.Fault{Method: "DELETE", Path: "/ssh_keys/{id}", Code: "locked", Token: srv.Token})

	assert.Equal(t, 200, ctlCall(t, srv, "GET", fmt.Sprintf("/v1/ssh_keys/%d", key.ID), srv.Token, nil).Status, "other method")
	res := ctlCall(t, srv, "DELETE", fmt.Sprintf("/v1/ssh_keys/%d", key.ID), srv.Token, nil)
	require.Equal(t, 423, res.Status, "status follows the code")
	assert.Equal(t, "locked", res.err(t).Code)
	_, err := srv.Project().GetSSHKey(key.ID)
	require.NoError(t, err, "a faulted request changes nothing")

	other := ctlCall(t, srv, "DELETE", "/v1/ssh_keys/999999", "another-token", nil)
	assert.Equal(t, 404, other.Status, "another project is not faulted")
	assert.Equal(t, 200, ctlCall(t, srv, "GET", "/v1/ssh_keys", srv.Token, nil).Status, "other path")
}

func TestFaultCustomCodeStatusAndDetails(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(ctlTime))
	srv.Project() // exists before the snapshot
	srv.InjectFault(t, testkit.Fault{Method: "POST", Path: "/v1/ssh_keys", Status: 403, Code: "resource_limit_exceeded",
		Message: "server limit exceeded", Details: map[string]any{"limits": []any{map[string]any{"name": "project_limit"}}}})
	before := ctlState(t, srv)
	res := ctlCall(t, srv, "POST", "/v1/ssh_keys", srv.Token, map[string]any{"name": "a", "public_key": ctlKey(t)})
	require.Equal(t, 403, res.Status)
	e := res.err(t)
	assert.Equal(t, "resource_limit_exceeded", e.Code)
	assert.Equal(t, "server limit exceeded", e.Message)
	assert.JSONEq(t, `{"limits":[{"name":"project_limit"}]}`, string(e.Details))
	assert.Equal(t, string(before), string(ctlState(t, srv)))
}

func TestFaultProbability(t *testing.T) {
	srv := testkit.New(t)
	srv.InjectFault(t, testkit.Fault{Path: "/locations", Status: 500, Probability: 0.5})
	failed := 0
	const n = 400
	for i := 0; i < n; i++ {
		if ctlCall(t, srv, "GET", "/v1/locations", "tok", nil).Status == 500 {
			failed++
		}
	}
	// Binomial(400, 0.5): sd 10; 100..300 is ten sd either way.
	assert.Greater(t, failed, 100)
	assert.Less(t, failed, 300)
	assert.Equal(t, failed, srv.Faults(t)[0].Hits)
}

func TestFaultProbabilityZeroNeverFires(t *testing.T) {
	srv := testkit.New(t)
	res := ctlCall(t, srv, "POST", "/_fake/faults", "", `{"status":500,"probability":0}`)
	require.Equal(t, 201, res.Status, "%s", res.Body)
	for i := 0; i < 50; i++ {
		require.Equal(t, 200, ctlCall(t, srv, "GET", "/v1/locations", "tok", nil).Status)
	}
}

func TestFaultDropConnection(t *testing.T) {
	srv := testkit.New(t)
	id := srv.InjectFault(t, testkit.Fault{Path: "/ssh_keys", DropConnection: true, Times: 1})
	req, _ := http.NewRequest("GET", srv.URL+"/ssh_keys", nil)
	req.Header.Set("Authorization", "Bearer tok")
	// A fresh connection: net/http retries an idempotent request on a reused one.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := fresh.Do(req)
	if err == nil {
		res.Body.Close()
	}
	require.Error(t, err, "the connection closes without an ctlAnswer")
	assert.Equal(t, 200, ctlCall(t, srv, "GET", "/v1/ssh_keys", "tok", nil).Status, "the next request is served")

	// The dropped request's entry may land after the next one's: find it by its fault.
	// It is journaled when its handler returns, which may be just after the client saw EOF.
	assert.Eventually(t, func() bool {
		var statuses []int
		for _, r := range srv.Requests(t, testkit.RequestFilter{Path: "/ssh_keys"}) {
			if r.Fault == id {
				statuses = append(statuses, r.Status)
			}
		}
		return len(statuses) == 1 && statuses[0] == 0
	}, 2*time.Second, 5*time.Millisecond, "the journal shows a dropped connection as status 0")
}

func TestFaultDelay(t *testing.T) {
	srv := testkit.New(t)
	srv.InjectFault(t, testkit.Fault{Path: "/locations", Delay: 150 * time.Millisecond, Times: 1})
	start := time.Now()
	res := ctlCall(t, srv, "GET", "/v1/locations", "tok", nil)
	assert.Equal(t, 200, res.Status, "a delay alone serves the request")
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)

	// A client that gives up during the delay gets its timeout; the server lives on.
	srv.InjectFault(t, testkit.Fault{Path: "/locations", Delay: 5 * time.Second, Status: 504, Times: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/locations", nil)
	req.Header.Set("Authorization", "Bearer tok")
	_, err := srv.HTTPClient().Do(req)
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	assert.Equal(t, 200, ctlCall(t, srv, "GET", "/v1/locations", "tok", nil).Status)
}

func TestFaultRetriedByHcloudGo(t *testing.T) {
	srv := testkit.New(t)
	srv.CreateSSHKey(t, "k", ctlKey(t), nil)
	srv.InjectFault(t, testkit.Fault{Method: "GET", Path: "/ssh_keys", Code: "timeout", Times: 2})
	client := hcloud.NewClient(hcloud.WithEndpoint(srv.URL), hcloud.WithToken(srv.Token),
		hcloud.WithRetryOpts(hcloud.RetryOpts{BackoffFunc: hcloud.ConstantBackoff(0), MaxRetries: 5}))
	keys, err := client.SSHKey.All(context.Background())
	require.NoError(t, err, "hcloud-go retries timeout")
	assert.Len(t, keys, 1)
	assert.Len(t, srv.Requests(t, testkit.RequestFilter{Path: "/ssh_keys", Status: 504}), 2)

	srv.InjectFault(t, testkit.Fault{Method: "POST", Path: "/ssh_keys", Code: "unavailable"})
	_, _, err = client.SSHKey.Create(context.Background(), hcloud.SSHKeyCreateOpts{Name: "x", PublicKey: ctlKey(t)})
	require.Error(t, err)
	assert.True(t, hcloud.IsError(err, hcloud.ErrorCode("unavailable")), "%v", err)
}

func TestFaultListDeleteAndReset(t *testing.T) {
	srv := testkit.New(t)
	a := srv.InjectFault(t, testkit.Fault{Path: "/locations", Status: 500})
	b := srv.InjectFault(t, testkit.Fault{Path: "/ssh_keys", Status: 500})
	require.Len(t, srv.Faults(t), 2)
	srv.RemoveFault(t, a)
	faults := srv.Faults(t)
	require.Len(t, faults, 1)
	assert.Equal(t, b, faults[0].ID)
	assert.Equal(t, 404, ctlCall(t, srv, "DELETE", fmt.Sprintf("/_fake/faults/%d", a), "", nil).Status)
	assert.Equal(t, 200, ctlCall(t, srv, "GET", "/v1/locations", "tok", nil).Status)

	srv.ClearFaults(t)
	assert.Empty(t, srv.Faults(t))
	srv.InjectFault(t, testkit.Fault{Status: 500})
	require.Equal(t, 204, ctlCall(t, srv, "POST", "/_fake/reset", "", nil).Status, "a fault on every path spares /_fake")
	assert.Empty(t, srv.Faults(t), "reset removes faults")
	assert.Equal(t, 200, ctlCall(t, srv, "GET", "/v1/locations", "tok", nil).Status)
}

func TestFaultValidation(t *testing.T) {
	srv := testkit.New(t, testkit.WithTokens("good"))
	for _, body := range []string{
		`{}`,                                    // nothing to do
		`{"path":"/x"}`,                         // nothing to do
		`{"status":200}`,                        // not an error status
		`{"status":503,"drop_connection":true}`, // both
		`{"delay":"soon"}`,
		`{"delay":"-1s"}`,
		`{"status":500,"times":-1}`,
		`{"status":500,"probability":1.5}`,
		`{"status":500,"path":"servers"}`,
		`{"status":500,"method":"BREW"}`,
		`{"status":500,"token":"unknown"}`,
		`{"status":500,"details":[1]}`,
		`{"status":500,"bogus":1}`,
	} {
		res := ctlCall(t, srv, "POST", "/_fake/faults", "", body)
		assert.Equal(t, 422, res.Status, "%s → %s", body, res.Body)
		assert.Equal(t, "invalid_input", res.err(t).Code, body)
	}
	assert.Empty(t, srv.Faults(t))
}

func TestFaultKeepsProjectKeyNotToken(t *testing.T) {
	srv := testkit.New(t)
	const secret = "s3cret-token-value-never-stored"
	srv.InjectFault(t, testkit.Fault{Status: 500, Token: secret})
	res := ctlCall(t, srv, "GET", "/_fake/faults", "", nil)
	assert.NotContains(t, string(res.Body), secret)
	var out struct {
		Faults []json.RawMessage `json:"faults"`
	}
	require.NoError(t, json.Unmarshal(res.Body, &out))
	assert.Contains(t, string(out.Faults[0]), fakehetzner.ProjectKey(secret))
}

func TestFaultOnLegacyDNSPath(t *testing.T) {
	ops := specOperations(t)
	legacy := false
	for _, o := range ops {
		legacy = legacy || o.Path == "/api/v1/zones"
	}
	if !legacy {
		t.Skip("no legacy DNS API in the spec yet")
	}
	srv := testkit.New(t)
	srv.InjectFault(t, testkit.Fault{Method: "GET", Path: "/api/v1/zones", Status: 503, Times: 1})
	res := ctlCall(t, srv, "GET", "/api/v1/zones", "tok", nil)
	assert.Equal(t, 503, res.Status, "%s", res.Body)
	assert.Equal(t, 200, ctlCall(t, srv, "GET", "/api/v1/zones", "tok", nil).Status)
}
