package sdk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/sdk"
	"github.com/fakehetzner/fakehetzner/testkit"
)

// injectFault adds a fault through the fake's control API (POST /_fake/faults).
func injectFault(t *testing.T, srv *testkit.Server, fault map[string]any) {
	t.Helper()
	body, err := json.Marshal(fault)
	require.NoError(t, err)
	res, err := srv.HTTPClient().Post(srv.BaseURL+"/_fake/faults", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusCreated, res.StatusCode, "injecting %v", fault)
}

// Every code of the API's error table reaches the caller as an *Error that matches its
// sentinel, with the status it came with. The fake's fault API answers each one.
func TestEverySentinelMatchesItsCode(t *testing.T) {
	cases := []struct {
		sentinel sdk.Code
		status   int
	}{
		{sdk.ErrJSON, 400},
		{sdk.ErrUnauthorized, 401},
		{sdk.ErrForbidden, 403},
		{sdk.ErrMaintenance, 403},
		{sdk.ErrResourceLimitExceeded, 403},
		{sdk.ErrNotFound, 404},
		{sdk.ErrMethodNotAllowed, 405},
		{sdk.ErrUniqueness, 409},
		{sdk.ErrConflict, 409},
		{sdk.ErrDeprecatedAPIEndpoint, 410},
		{sdk.ErrResourceUnavailable, 412},
		{sdk.ErrInvalidInput, 422},
		{sdk.ErrServiceError, 422},
		{sdk.ErrUnsupported, 422},
		{sdk.ErrLocked, 423},
		{sdk.ErrProtected, 423},
		{sdk.ErrRateLimitExceeded, 429},
		{sdk.ErrServerError, 500},
		{sdk.ErrBadGateway, 502},
		{sdk.ErrUnavailable, 503},
		{sdk.ErrTimeout, 504},
	}
	srv, client, _ := newClient(t, nil)
	for _, c := range cases {
		t.Run(string(c.sentinel), func(t *testing.T) {
			injectFault(t, srv, map[string]any{"path": "/locations/{id}", "code": string(c.sentinel), "times": 1,
				"message": "injected " + string(c.sentinel)})
			_, err := client.Cloud().Locations().Get(context.Background(), 1)
			var apiErr *sdk.Error
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, c.sentinel, apiErr.Code)
			assert.Equal(t, c.status, apiErr.StatusCode)
			assert.Equal(t, "injected "+string(c.sentinel), apiErr.Message)
			assert.NotEmpty(t, apiErr.CorrelationID)
			assert.ErrorIs(t, err, c.sentinel)
			for _, other := range cases {
				if other.sentinel != c.sentinel {
					assert.NotErrorIs(t, err, other.sentinel)
				}
			}
			var te *sdk.TransportError
			assert.False(t, errors.As(err, &te), "an API answer is not a transport error")
		})
	}
	// Operation-specific codes need no constant.
	injectFault(t, srv, map[string]any{"path": "/locations/{id}", "code": "must_be_unassigned", "times": 1})
	_, err := client.Cloud().Locations().Get(context.Background(), 1)
	assert.ErrorIs(t, err, sdk.Code("must_be_unassigned"))
	assert.NotErrorIs(t, err, sdk.ErrInvalidInput)
}

// The errors the fake produces on its own, provoked the way real programs run into them.
func TestSentinelsFromRealSituations(t *testing.T) {
	ctx := context.Background()

	t.Run("unauthorized: a token the server does not know", func(t *testing.T) {
		srv := testkit.New(t, testkit.WithTokens("right"))
		client := sdk.New("wrong", sdk.WithEndpoint(srv.URL), sdk.WithHTTPClient(srv.HTTPClient()))
		_, _, err := client.Cloud().Locations().List(ctx, sdk.LocationListOpts{})
		var apiErr *sdk.Error
		require.ErrorAs(t, err, &apiErr)
		assert.ErrorIs(t, err, sdk.ErrUnauthorized)
		assert.Equal(t, 401, apiErr.StatusCode)
	})
	t.Run("forbidden: a write with a read-only token", func(t *testing.T) {
		srv := testkit.New(t, testkit.WithTokens("writer@p", "reader:ro@p"))
		reader := sdk.New("reader", sdk.WithEndpoint(srv.URL), sdk.WithHTTPClient(srv.HTTPClient()))
		_, err := reader.Cloud().SSHKeys().Create(ctx, sdk.SSHKeyCreateOpts{Name: "k", PublicKey: publicKey(t, 1)})
		assert.ErrorIs(t, err, sdk.ErrForbidden)
		_, _, err = reader.Cloud().SSHKeys().List(ctx, sdk.SSHKeyListOpts{})
		assert.NoError(t, err, "reading is allowed")
	})
	t.Run("json_error: a body that is not JSON", func(t *testing.T) {
		_, client, _ := newClient(t, nil)
		err := client.Cloud().Call(ctx, "create_ssh_key", nil, []byte(`{"name":`), nil)
		assert.ErrorIs(t, err, sdk.ErrJSON)
	})
	t.Run("deprecated_api_endpoint: listing actions without ids", func(t *testing.T) {
		_, client, _ := newClient(t, nil)
		err := client.Cloud().Call(ctx, "get_multiple_actions", nil, nil, nil)
		var apiErr *sdk.Error
		require.ErrorAs(t, err, &apiErr)
		assert.ErrorIs(t, err, sdk.ErrDeprecatedAPIEndpoint)
		assert.Equal(t, 410, apiErr.StatusCode)
		assert.Contains(t, apiErr.Details.Announcement, "https://docs.hetzner.cloud/changelog#")
	})
	t.Run("rate_limit_exceeded: the bucket is empty", func(t *testing.T) {
		_, client, _ := newClient(t, []testkit.Option{testkit.WithRateLimit(1)})
		_, err := client.Cloud().Pricing().Get(ctx)
		require.NoError(t, err)
		_, err = client.Cloud().Pricing().Get(ctx)
		var apiErr *sdk.Error
		require.ErrorAs(t, err, &apiErr)
		assert.ErrorIs(t, err, sdk.ErrRateLimitExceeded)
		assert.Equal(t, 429, apiErr.StatusCode)
	})
	t.Run("not_found on get and delete", func(t *testing.T) {
		_, client, _ := newClient(t, nil)
		_, err := client.Cloud().ServerTypes().Get(ctx, 999999)
		assert.ErrorIs(t, err, sdk.ErrNotFound)
		_, err = client.Cloud().Actions().Get(ctx, 999999)
		assert.ErrorIs(t, err, sdk.ErrNotFound)
	})
}

func TestErrorDetailsOfInjectedFaults(t *testing.T) {
	srv, client, _ := newClient(t, nil)
	injectFault(t, srv, map[string]any{"path": "/ssh_keys", "method": "POST", "code": "resource_limit_exceeded", "times": 1,
		"details": map[string]any{"limits": []map[string]string{{"name": "project_limit"}}}})
	_, err := client.Cloud().SSHKeys().Create(context.Background(), sdk.SSHKeyCreateOpts{Name: "k", PublicKey: publicKey(t, 1)})
	var apiErr *sdk.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, []string{"project_limit"}, apiErr.Details.Limits)
	assert.JSONEq(t, `{"limits":[{"name":"project_limit"}]}`, string(apiErr.Details.Raw))
}

func TestTransportFailureIsNotAnAPIError(t *testing.T) {
	// Port 1 refuses connections; a closed httptest port could be reused by a parallel test.
	url := "http://127.0.0.1:1"
	rec := &recorder{next: http.DefaultTransport}
	client := sdk.New("t", sdk.WithEndpoint(url+"/v1"), sdk.WithHTTPClient(&http.Client{Transport: rec}),
		sdk.WithRetries(2, time.Millisecond, time.Millisecond))

	_, err := client.Cloud().Locations().Get(context.Background(), 1)
	var te *sdk.TransportError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, http.MethodGet, te.Method)
	var apiErr *sdk.Error
	assert.False(t, errors.As(err, &apiErr))
	assert.True(t, sdk.IsRetryable(err))
	assert.Len(t, rec.seen(""), 3, "a refused connection is retried")

	// Not even connecting leaves nothing behind on the server, so a POST is retried too.
	_, err = client.Cloud().SSHKeys().Create(context.Background(), sdk.SSHKeyCreateOpts{Name: "k", PublicKey: publicKey(t, 1)})
	require.ErrorAs(t, err, &te)
	assert.Len(t, rec.seen("/ssh_keys"), 3)
}

func TestIsRetryable(t *testing.T) {
	srv, client, _ := newClient(t, nil)
	for code, want := range map[sdk.Code]bool{
		sdk.ErrConflict: true, sdk.ErrRateLimitExceeded: true, sdk.ErrBadGateway: true,
		sdk.ErrUnavailable: true, sdk.ErrTimeout: true,
		sdk.ErrNotFound: false, sdk.ErrInvalidInput: false, sdk.ErrServerError: false,
		sdk.ErrLocked: false, sdk.ErrUniqueness: false,
	} {
		injectFault(t, srv, map[string]any{"path": "/pricing", "code": string(code), "times": 1})
		_, err := client.Cloud().Pricing().Get(context.Background())
		require.Error(t, err)
		assert.Equal(t, want, sdk.IsRetryable(err), "%s", code)
	}
	assert.False(t, sdk.IsRetryable(context.Canceled))
	assert.False(t, sdk.IsRetryable(nil))
}
