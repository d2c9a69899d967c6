package sdk_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/sdk"
	"github.com/fakehetzner/fakehetzner/internal/store"
	"github.com/fakehetzner/fakehetzner/testkit"
)

// tinyPolls makes waiting fast without a busy loop.
var tinyPolls = sdk.WithPollBackoff(time.Millisecond, 4*time.Millisecond)

// startAction seeds a running action in the client's project and reads it through the SDK.
func startAction(t *testing.T, srv *testkit.Server, client *sdk.Client, command string) sdk.Action {
	t.Helper()
	seeded := srv.Project().StartAction(command, store.ActionResource{ID: 1, Type: "server"})
	act, err := client.Cloud().Actions().Get(context.Background(), seeded.ID)
	require.NoError(t, err)
	require.Equal(t, sdk.ActionStatusRunning, act.Status)
	return act
}

// isPoll tells the waiter's GET /actions?id=… apart from other requests.
func isPoll(req *http.Request) bool {
	return req.Method == http.MethodGet && strings.HasSuffix(req.URL.Path, "/actions") && req.URL.Query().Has("id")
}

// frozenWall is a wall clock that never moves. The fake's clock is its wall source plus what
// AdvanceClock added, and a running action's progress is the share of its duration that has
// passed: with the real wall clock, every 20 ms a slow test (-race, a loaded machine) spends
// between two polls is another 1 % of a 2 s action. Tests that assert progress or times freeze
// the source so that only AdvanceClock moves time. A whole second, as the API's timestamps are.
func frozenWall() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

// The waiter with a 2 s action duration: the test advances the fake clock by one second after
// each poll, so the action is half done at the second poll and finished at the third.
func TestWaitFollowsTheFakeClock(t *testing.T) {
	srv, client, rec := newClient(t, []testkit.Option{
		testkit.WithActionDuration(2 * time.Second), testkit.WithTimeSource(frozenWall),
	}, tinyPolls)
	act := startAction(t, srv, client, "start_server")
	require.Equal(t, 0, act.Progress)
	require.Equal(t, frozenWall(), act.Started.UTC())
	polls := 0
	rec.after = func(_ int, req *http.Request, _ *http.Response) {
		if isPoll(req) {
			polls++
			srv.AdvanceClock(time.Second)
		}
	}

	var seen []sdk.Action
	for a, err := range client.Cloud().Actions().Watch(context.Background(), act) {
		require.NoError(t, err)
		seen = append(seen, a)
	}
	assert.Equal(t, 3, polls, "running at 0 %%, running half way, finished")
	require.Len(t, seen, 2, "progress changed once, then the end")
	assert.Equal(t, sdk.ActionStatusRunning, seen[0].Status)
	assert.Equal(t, 50, seen[0].Progress, "one of two seconds has passed")
	assert.Equal(t, sdk.ActionStatusSuccess, seen[1].Status)
	assert.Equal(t, 100, seen[1].Progress)
	require.NotNil(t, seen[1].Finished)
	assert.Equal(t, frozenWall().Add(2*time.Second), seen[1].Finished.UTC(), "done 2 s after it started")

	// Wait is the same loop without the progress.
	act2 := startAction(t, srv, client, "stop_server")
	polls = 0
	require.NoError(t, client.Cloud().Actions().Wait(context.Background(), act2))
	assert.Equal(t, 3, polls)
	got, err := client.Cloud().Actions().Get(context.Background(), act2.ID)
	require.NoError(t, err)
	assert.Equal(t, sdk.ActionStatusSuccess, got.Status)
	require.NotNil(t, got.Finished)
	assert.Equal(t, act2.Started.Add(2*time.Second), *got.Finished)
}

func TestWaitPollsAllPendingActionsInOneRequest(t *testing.T) {
	srv, client, rec := newClient(t, []testkit.Option{testkit.WithManualActions()}, tinyPolls)
	a := startAction(t, srv, client, "one")
	b := startAction(t, srv, client, "two")
	c := startAction(t, srv, client, "three")
	polls := 0
	rec.after = func(_ int, req *http.Request, _ *http.Response) {
		if !isPoll(req) {
			return
		}
		polls++
		switch polls {
		case 1: // seen by the second poll
			_, err := srv.CompleteAction(b.ID, true, "", "")
			assert.NoError(t, err)
		case 2: // seen by the third
			for _, id := range []int64{a.ID, c.ID} {
				_, err := srv.CompleteAction(id, true, "", "")
				assert.NoError(t, err)
			}
		}
	}
	require.NoError(t, client.Cloud().Actions().Wait(context.Background(), c, a, b, a))

	var idLists [][]string
	for _, r := range rec.seen("/actions") {
		q, _ := url.ParseQuery(r.RawQuery)
		if len(q["id"]) > 0 {
			idLists = append(idLists, q["id"])
		}
	}
	all, rest := []string{itoa(a.ID), itoa(b.ID), itoa(c.ID)}, []string{itoa(a.ID), itoa(c.ID)}
	assert.Equal(t, [][]string{all, all, rest}, idLists,
		"sorted, deduplicated ids, repeated in one request; finished ones dropped")
}

func TestWaitReturnsTheFailedActionAsError(t *testing.T) {
	srv, client, rec := newClient(t, []testkit.Option{testkit.WithManualActions()}, tinyPolls)
	ok := startAction(t, srv, client, "fine")
	bad := startAction(t, srv, client, "doomed")
	rec.after = func(_ int, req *http.Request, _ *http.Response) {
		if isPoll(req) {
			_, _ = srv.CompleteAction(bad.ID, false, "action_failed", "the disk exploded")
			_, _ = srv.CompleteAction(ok.ID, true, "", "")
		}
	}
	err := client.Cloud().Actions().Wait(context.Background(), ok, bad)
	var apiErr *sdk.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, sdk.Code("action_failed"), apiErr.Code)
	assert.Equal(t, "the disk exploded", apiErr.Message)
	require.NotNil(t, apiErr.Action)
	assert.Equal(t, bad.ID, apiErr.Action.ID)
	assert.Equal(t, sdk.ActionStatusError, apiErr.Action.Status)
	assert.ErrorIs(t, err, sdk.Code("action_failed"))
	assert.False(t, sdk.IsRetryable(err))
	assert.Contains(t, err.Error(), "doomed")
}

func TestWaitReportsEveryFailure(t *testing.T) {
	srv, client, rec := newClient(t, []testkit.Option{testkit.WithManualActions()}, tinyPolls)
	a := startAction(t, srv, client, "a")
	b := startAction(t, srv, client, "b")
	rec.after = func(_ int, req *http.Request, _ *http.Response) {
		if isPoll(req) {
			_, _ = srv.CompleteAction(a.ID, false, "first_failure", "a failed")
			_, _ = srv.CompleteAction(b.ID, false, "second_failure", "b failed")
		}
	}
	err := client.Cloud().Actions().Wait(context.Background(), a, b)
	assert.ErrorIs(t, err, sdk.Code("first_failure"))
	assert.ErrorIs(t, err, sdk.Code("second_failure"))
}

func TestWaitHonoursContextCancellation(t *testing.T) {
	srv, client, rec := newClient(t, []testkit.Option{testkit.WithManualActions()}, tinyPolls)
	act := startAction(t, srv, client, "forever")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec.after = func(_ int, req *http.Request, _ *http.Response) {
		if isPoll(req) {
			cancel()
		}
	}
	err := client.Cloud().Actions().Wait(ctx, act)
	assert.ErrorIs(t, err, context.Canceled)
	polls := 0
	for _, r := range rec.seen("/actions") {
		if strings.Contains(r.RawQuery, "id=") {
			polls++
		}
	}
	assert.Equal(t, 1, polls, "no poll after the context ended")
}

// The delay between polls starts at the initial backoff and doubles up to the cap: four polls
// with 10 ms, 20 ms, 40 ms, 40 ms take at least 110 ms (timers never fire early).
func TestWaitBacksOffExponentially(t *testing.T) {
	srv, client, rec := newClient(t, []testkit.Option{testkit.WithManualActions()},
		sdk.WithPollBackoff(10*time.Millisecond, 40*time.Millisecond))
	act := startAction(t, srv, client, "slow")
	var times []time.Time
	rec.after = func(_ int, req *http.Request, _ *http.Response) {
		if isPoll(req) {
			times = append(times, time.Now())
			if len(times) == 3 {
				_, _ = srv.CompleteAction(act.ID, true, "", "")
			}
		}
	}
	start := time.Now()
	require.NoError(t, client.Cloud().Actions().Wait(context.Background(), act))
	require.Len(t, times, 4)
	assert.GreaterOrEqual(t, times[0].Sub(start), 10*time.Millisecond, "the first poll waits too")
	assert.GreaterOrEqual(t, times[1].Sub(times[0]), 20*time.Millisecond)
	assert.GreaterOrEqual(t, times[2].Sub(times[1]), 40*time.Millisecond)
	assert.GreaterOrEqual(t, times[3].Sub(times[2]), 40*time.Millisecond)
}

func TestWaitOnUnknownActionIsNotFound(t *testing.T) {
	_, client, _ := newClient(t, nil, tinyPolls)
	err := client.Cloud().Actions().Wait(context.Background(), sdk.Action{ID: 987654, Status: sdk.ActionStatusRunning})
	assert.ErrorIs(t, err, sdk.ErrNotFound)
}

func TestWaitOnFinishedActionsSendsNothing(t *testing.T) {
	_, client, rec := newClient(t, nil, tinyPolls)
	done := sdk.Action{ID: 1, Status: sdk.ActionStatusSuccess}
	require.NoError(t, client.Cloud().Actions().Wait(context.Background(), done))
	require.NoError(t, client.Cloud().Actions().WaitFor(context.Background(), nil))
	assert.Empty(t, rec.seen(""))
	failed := sdk.Action{ID: 2, Command: "x", Status: sdk.ActionStatusError, Error: &sdk.ActionError{Code: "boom", Message: "no"}}
	assert.ErrorIs(t, client.Cloud().Actions().Wait(context.Background(), failed), sdk.Code("boom"))
}

func TestGetManyAcrossChunks(t *testing.T) {
	srv, client, rec := newClient(t, []testkit.Option{testkit.WithManualActions()})
	var want []int64
	for range 30 {
		want = append(want, srv.Project().StartAction("bulk", store.ActionResource{ID: 1, Type: "server"}).ID)
	}
	got, err := client.Cloud().Actions().GetMany(context.Background(), want...)
	require.NoError(t, err)
	var gotIDs []int64
	for _, a := range got {
		gotIDs = append(gotIDs, a.ID)
	}
	assert.Equal(t, want, gotIDs)
	assert.Len(t, rec.seen("/actions"), 2, "25 ids per request")
}
