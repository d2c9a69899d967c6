package sdk_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/sdk"
	"github.com/fakehetzner/fakehetzner/testkit"
)

// fastRetries turns retries on with millisecond backoff.
func fastRetries(n int) sdk.Option { return sdk.WithRetries(n, time.Millisecond, 4*time.Millisecond) }

func TestRetriesIdempotentRequestsOnServerErrors(t *testing.T) {
	for _, code := range []string{"bad_gateway", "unavailable", "timeout", "conflict"} {
		t.Run(code, func(t *testing.T) {
			srv, client, rec := newClient(t, nil, fastRetries(3))
			injectFault(t, srv, map[string]any{"path": "/pricing", "code": code, "times": 2})
			p, err := client.Cloud().Pricing().Get(context.Background())
			require.NoError(t, err)
			assert.Equal(t, "EUR", p.Currency)
			assert.Len(t, rec.seen("/pricing"), 3, "two failures, then the answer")
		})
	}
	t.Run("PUT is idempotent", func(t *testing.T) {
		srv, client, rec := newClient(t, nil, fastRetries(3))
		k := srv.CreateSSHKey(t, "k", publicKey(t, 1), nil)
		injectFault(t, srv, map[string]any{"path": "/ssh_keys/{id}", "method": "PUT", "status": 503, "times": 1})
		got, err := client.Cloud().SSHKeys().Update(context.Background(), k.ID, sdk.SSHKeyUpdateOpts{Name: "renamed"})
		require.NoError(t, err)
		assert.Equal(t, "renamed", got.Name)
		assert.Len(t, rec.seen("/ssh_keys/"+itoa(k.ID)), 2)
	})
}

func TestGivesUpAfterTheRetryBudget(t *testing.T) {
	srv, client, rec := newClient(t, nil, fastRetries(2))
	injectFault(t, srv, map[string]any{"path": "/pricing", "status": 503})
	_, err := client.Cloud().Pricing().Get(context.Background())
	assert.ErrorIs(t, err, sdk.ErrUnavailable)
	assert.Len(t, rec.seen("/pricing"), 3, "one attempt and two retries")
}

func TestRetriesAreOffWithZero(t *testing.T) {
	srv, client, rec := newClient(t, nil) // newClient turns them off
	injectFault(t, srv, map[string]any{"path": "/pricing", "status": 503, "times": 1})
	_, err := client.Cloud().Pricing().Get(context.Background())
	assert.ErrorIs(t, err, sdk.ErrUnavailable)
	assert.Len(t, rec.seen("/pricing"), 1)
}

// A POST or DELETE that got a 502/503/504 or lost its connection may have been carried out:
// repeating it could create twice or report a successful delete as not_found. Those are not
// retried; rate-limit and conflict refusals are, since the API did not act on them.
func TestNeverRepeatsANonIdempotentRequestThatMayHaveActed(t *testing.T) {
	ctx := context.Background()
	for _, fault := range []map[string]any{
		{"status": 502}, {"status": 503}, {"status": 504}, {"drop_connection": true},
	} {
		srv, client, rec := newClient(t, nil, fastRetries(3))
		fault["path"], fault["method"], fault["times"] = "/ssh_keys", "POST", 1
		injectFault(t, srv, fault)
		_, err := client.Cloud().SSHKeys().Create(ctx, sdk.SSHKeyCreateOpts{Name: "k", PublicKey: publicKey(t, 1)})
		require.Error(t, err, "%v", fault)
		assert.True(t, sdk.IsRetryable(err), "the caller may decide to retry: %v", err)
		assert.Len(t, rec.seen("/ssh_keys"), 1, "%v", fault)

		k := srv.CreateSSHKey(t, "d", publicKey(t, 2), nil)
		delete(fault, "path")
		fault["path"], fault["method"] = "/ssh_keys/{id}", "DELETE"
		injectFault(t, srv, fault)
		err = client.Cloud().SSHKeys().Delete(ctx, k.ID)
		require.Error(t, err)
		assert.Len(t, rec.seen("/ssh_keys/"+itoa(k.ID)), 1, "%v", fault)
	}
}

func TestRepeatsAPostTheAPIRefused(t *testing.T) {
	for _, code := range []string{"conflict", "rate_limit_exceeded"} {
		t.Run(code, func(t *testing.T) {
			srv, client, rec := newClient(t, nil, fastRetries(3))
			injectFault(t, srv, map[string]any{"path": "/ssh_keys", "method": "POST", "code": code, "times": 1})
			k, err := client.Cloud().SSHKeys().Create(context.Background(), sdk.SSHKeyCreateOpts{Name: "k", PublicKey: publicKey(t, 1)})
			require.NoError(t, err)
			assert.Len(t, rec.seen("/ssh_keys"), 2)
			keys, _, err := client.Cloud().SSHKeys().List(context.Background(), sdk.SSHKeyListOpts{})
			require.NoError(t, err)
			assert.Equal(t, []int64{k.ID}, ids(keys), "created exactly once")
		})
	}
}

func TestRetriesADroppedConnectionOnGet(t *testing.T) {
	srv, client, rec := newClient(t, nil, fastRetries(2))
	injectFault(t, srv, map[string]any{"path": "/pricing", "drop_connection": true})
	_, err := client.Cloud().Pricing().Get(context.Background())
	var te *sdk.TransportError
	require.ErrorAs(t, err, &te)
	assert.True(t, sdk.IsRetryable(err))
	assert.Len(t, rec.seen("/pricing"), 3)
}

func TestContextEndsTheWaitBetweenRetries(t *testing.T) {
	srv, client, rec := newClient(t, nil, sdk.WithRetries(5, time.Hour, time.Hour))
	injectFault(t, srv, map[string]any{"path": "/pricing", "status": 503})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := client.Cloud().Pricing().Get(ctx)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, sdk.ErrUnavailable, "the error that caused the wait is kept")
	assert.Len(t, rec.seen("/pricing"), 1)
}

func TestRateLimitIsReadFromEveryAnswer(t *testing.T) {
	// A frozen wall clock: Reset is a whole second, so a running clock made it up to 1 s
	// earlier than now+36 s, and the test's own delay pushed the difference past any bound.
	srv, client, _ := newClient(t, []testkit.Option{testkit.WithRateLimit(100), testkit.WithTimeSource(frozenWall)})
	assert.Equal(t, sdk.RateLimit{}, client.RateLimit(), "nothing known before the first answer")
	_, err := client.Cloud().Pricing().Get(context.Background())
	require.NoError(t, err)
	rl := client.RateLimit()
	assert.Equal(t, 100, rl.Limit)
	assert.Equal(t, 99, rl.Remaining)
	// The bucket refills at 100 per hour: one request takes 36 s to come back.
	assert.Equal(t, srv.Now().Add(36*time.Second), rl.Reset.UTC())

	_, err = client.Cloud().Locations().Get(context.Background(), 999999)
	require.ErrorIs(t, err, sdk.ErrNotFound)
	assert.Equal(t, 98, client.RateLimit().Remaining, "error answers count and report too")
}

// On 429 the client waits until the bucket holds a request again (bounded by the retry cap)
// and repeats. The fake's bucket runs on the fake clock, so the test moves that clock on when
// the 429 comes back, the way real time would pass during the wait.
func TestWaitsForTheBucketOn429(t *testing.T) {
	srv, client, rec := newClient(t, []testkit.Option{testkit.WithRateLimit(2)}, fastRetries(3))
	rec.after = func(_ int, _ *http.Request, res *http.Response) {
		if res != nil && res.StatusCode == http.StatusTooManyRequests {
			srv.AdvanceClock(30 * time.Minute) // 2 per hour: one request every 30 minutes
		}
	}
	ctx := context.Background()
	for range 2 {
		_, err := client.Cloud().Pricing().Get(ctx)
		require.NoError(t, err)
	}
	assert.Equal(t, 0, client.RateLimit().Remaining)
	_, err := client.Cloud().Pricing().Get(ctx)
	require.NoError(t, err)
	statuses := []int{}
	for _, r := range rec.seen("/pricing") {
		statuses = append(statuses, r.Status)
	}
	assert.Equal(t, []int{200, 200, 429, 200}, statuses)
}

func itoa(id int64) string { return strconvFormat(id) }
