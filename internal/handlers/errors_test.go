package handlers_test

// Every code of the API's error table, provoked through the whole pipeline with a fault that
// names only the code: the answer has the code's documented status, Content-Type
// application/json and the envelope {"error":{"code","message","details":{}}}, and hcloud-go
// reads it as that code.

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/apitest"
	"github.com/fakehetzner/fakehetzner/testkit"
)

// errorTable is behaviour.md §3.3 (statuses from the third-party table), plus operation-
// specific codes of §3.5, which are 422.
var errorTable = []struct {
	code   string
	status int
}{
	{"json_error", 400},
	{"unauthorized", 401},
	{"forbidden", 403},
	{"maintenance", 403},
	{"resource_limit_exceeded", 403},
	{"not_found", 404},
	{"method_not_allowed", 405},
	{"uniqueness_error", 409},
	{"conflict", 409},
	{"deprecated_api_endpoint", 410},
	{"resource_unavailable", 412},
	{"invalid_input", 422},
	{"service_error", 422},
	{"unsupported_error", 422},
	{"locked", 423},
	{"protected", 423},
	{"rate_limit_exceeded", 429},
	{"server_error", 500},
	{"bad_gateway", 502},
	{"unavailable", 503},
	{"timeout", 504},
	{"placement_error", 422},
	{"primary_ip_already_assigned", 422},
	{"server_not_stopped", 422},
	{"must_be_unassigned", 422},
	{"incorrect_zone_mode", 422},
}

func TestEveryErrorCodeAnswersItsStatusAndEnvelope(t *testing.T) {
	srv := testkit.New(t, testkit.WithRateLimit(3600))
	admin := apitest.New(t, srv.BaseURL, "")
	api := apitest.New(t, srv.BaseURL, srv.Token)
	for _, tc := range errorTable {
		// A code and no status: the fault's status must come from the code.
		res := admin.Post("/_fake/faults", map[string]any{"method": "GET", "path": "/ssh_keys", "code": tc.code, "times": 1})
		require.Equal(t, 201, res.Status, "%s: %s", tc.code, res.Body)
		assert.EqualValues(t, tc.status, res.JSON()["status"], "%s: the fault took its status from the code", tc.code)

		res = api.Get("/v1/ssh_keys")
		assert.Equal(t, tc.status, res.Status, "%s: %s", tc.code, res.Body)
		assert.Equal(t, "application/json", res.Header.Get("Content-Type"), tc.code)
		assert.Regexp(t, `^[0-9a-f]{16}$`, res.Header.Get("X-Correlation-Id"), tc.code)
		assert.NotEmpty(t, res.Header.Get("RateLimit-Limit"), "%s: errors carry the rate limit headers", tc.code)
		body := res.JSON()
		require.Len(t, body, 1, "%s: only the error key: %s", tc.code, res.Body)
		env, ok := body["error"].(map[string]any)
		require.True(t, ok, "%s: no error object: %s", tc.code, res.Body)
		assert.ElementsMatch(t, []string{"code", "message", "details"}, keys(env), tc.code)
		assert.Equal(t, tc.code, env["code"])
		assert.NotEmpty(t, env["message"], tc.code)
		assert.Equal(t, map[string]any{}, env["details"], "%s: details is {} when there is nothing to say", tc.code)

		assert.Equal(t, 200, api.Get("/v1/ssh_keys").Status, "%s: the fault fired once", tc.code)
	}
}

func TestHcloudGoReadsEveryErrorCode(t *testing.T) {
	srv := testkit.New(t)
	// No retries: conflict, rate_limit_exceeded, bad_gateway and timeout would be retried.
	client := hcloud.NewClient(hcloud.WithEndpoint(srv.URL), hcloud.WithToken(srv.Token),
		hcloud.WithRetryOpts(hcloud.RetryOpts{BackoffFunc: hcloud.ConstantBackoff(0), MaxRetries: 0}))
	for _, tc := range errorTable {
		srv.InjectFault(t, testkit.Fault{Method: "GET", Path: "/ssh_keys", Code: tc.code, Times: 1})
		_, _, err := client.SSHKey.List(context.Background(), hcloud.SSHKeyListOpts{})
		require.Error(t, err, tc.code)
		var apiErr hcloud.Error
		require.True(t, errors.As(err, &apiErr), "%s: hcloud-go did not parse the envelope: %v", tc.code, err)
		assert.Equal(t, hcloud.ErrorCode(tc.code), apiErr.Code)
		require.NotNil(t, apiErr.Response(), tc.code)
		assert.Equal(t, tc.status, apiErr.Response().StatusCode, tc.code)
		assert.Contains(t, err.Error(), fmt.Sprintf("(%s, ", tc.code), "the printed form names code and correlation id")
	}
}
