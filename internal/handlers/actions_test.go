package handlers_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/apitest"
	"github.com/fakehetzner/fakehetzner/internal/store"
	"github.com/fakehetzner/fakehetzner/testkit"
)

type actionAnswer struct {
	ID        int64                  `json:"id"`
	Command   string                 `json:"command"`
	Status    string                 `json:"status"`
	Progress  int                    `json:"progress"`
	Started   string                 `json:"started"`
	Finished  *string                `json:"finished"`
	Resources []store.ActionResource `json:"resources"`
	Error     *store.ActionError     `json:"error"`
}

func getAction(t *testing.T, api *apitest.Client, id int64) actionAnswer {
	t.Helper()
	var out struct {
		Action actionAnswer `json:"action"`
	}
	res := api.Get(fmt.Sprintf("/v1/actions/%d", id))
	require.Equal(t, 200, res.Status, string(res.Body))
	res.Decode(&out)
	return out.Action
}

func TestListingAllActionsIsGone(t *testing.T) {
	srv := testkit.New(t)
	res := apitest.New(t, srv.BaseURL, srv.Token).Get("/v1/actions")
	assert.Equal(t, 410, res.Status)
	e := res.Error()
	assert.Equal(t, "deprecated_api_endpoint", e.Code)
	assert.Contains(t, string(res.Body), `"announcement"`)
}

func TestActionsFinishOnTheNextReadByDefault(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	a := srv.Project().StartAction("create_server", store.ActionResource{ID: 7, Type: "server"})
	assert.Equal(t, "running", a.Status)
	assert.Nil(t, a.Finished)

	got := getAction(t, api, a.ID)
	assert.Equal(t, "success", got.Status)
	assert.Equal(t, 100, got.Progress)
	require.NotNil(t, got.Finished)
	assert.Nil(t, got.Error)
	assert.Equal(t, []store.ActionResource{{ID: 7, Type: "server"}}, got.Resources)
}

func TestActionDurationIsDrivenByTheClock(t *testing.T) {
	srv := testkit.New(t, testkit.WithActionDuration(2*time.Second))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	a := srv.Project().StartAction("start_server", store.ActionResource{ID: 1, Type: "server"})

	assert.Equal(t, "running", getAction(t, api, a.ID).Status)
	srv.AdvanceClock(time.Second)
	mid := getAction(t, api, a.ID)
	assert.Equal(t, "running", mid.Status)
	assert.InDelta(t, 50, mid.Progress, 5)
	srv.AdvanceClock(time.Second)
	done := getAction(t, api, a.ID)
	assert.Equal(t, "success", done.Status)
	assert.Equal(t, 100, done.Progress)
}

func TestManualActionsAndTheControlAPI(t *testing.T) {
	srv := testkit.New(t, testkit.WithManualActions())
	api := apitest.New(t, srv.BaseURL, srv.Token)
	control := apitest.New(t, srv.BaseURL, "")
	ok := srv.Project().StartAction("start_server", store.ActionResource{ID: 1, Type: "server"})
	bad := srv.Project().StartAction("stop_server", store.ActionResource{ID: 2, Type: "server"})

	srv.AdvanceClock(24 * time.Hour)
	assert.Equal(t, "running", getAction(t, api, ok.ID).Status, "manual actions wait for the control API")

	res := control.Post(fmt.Sprintf("/_fake/actions/%d/complete", ok.ID), map[string]any{"status": "success"})
	require.Equal(t, 200, res.Status, string(res.Body))
	assert.Equal(t, "success", getAction(t, api, ok.ID).Status)

	res = control.Post(fmt.Sprintf("/_fake/actions/%d/complete", bad.ID),
		map[string]any{"status": "error", "error": map[string]string{"code": "server_error", "message": "disk on fire"}})
	require.Equal(t, 200, res.Status, string(res.Body))
	failed := getAction(t, api, bad.ID)
	assert.Equal(t, "error", failed.Status)
	require.NotNil(t, failed.Error)
	assert.Equal(t, store.ActionError{Code: "server_error", Message: "disk on fire"}, *failed.Error)

	assert.Equal(t, 409, control.Post(fmt.Sprintf("/_fake/actions/%d/complete", ok.ID), map[string]any{"status": "success"}).Status, "already finished")
	assert.Equal(t, 404, control.Post("/_fake/actions/999999/complete", map[string]any{"status": "success"}).Status)
	assert.Equal(t, 422, control.Post(fmt.Sprintf("/_fake/actions/%d/complete", ok.ID), map[string]any{"status": "maybe"}).Status)
}

func TestActionListAsTheWaiterAsksForIt(t *testing.T) {
	srv := testkit.New(t, testkit.WithManualActions())
	api := apitest.New(t, srv.BaseURL, srv.Token)
	var ids []int64
	for i := range 30 {
		ids = append(ids, srv.Project().StartAction("start_server", store.ActionResource{ID: int64(i), Type: "server"}).ID)
	}
	_, err := srv.CompleteAction(ids[3], true, "", "")
	require.NoError(t, err)
	other := srv.ProjectOf("someone-else").StartAction("start_server", store.ActionResource{ID: 1, Type: "server"})

	q := fmt.Sprintf("/v1/actions?id=%d&id=%d&id=%d&id=%d&page=1&sort=status&sort=id", ids[5], ids[3], ids[1], other.ID)
	var out struct {
		Actions []actionAnswer `json:"actions"`
	}
	res := api.Get(q)
	require.Equal(t, 200, res.Status, string(res.Body))
	res.Decode(&out)
	require.Len(t, out.Actions, 3, "exactly the project's actions asked for")
	assert.Equal(t, []int64{ids[1], ids[5], ids[3]}, []int64{out.Actions[0].ID, out.Actions[1].ID, out.Actions[2].ID},
		"running before success, then by id")

	// more than a page of ids: the default page size applies and next_page leads on
	q = "/v1/actions?"
	for _, id := range ids {
		q += fmt.Sprintf("id=%d&", id)
	}
	first := api.Get(q + "page=1").JSON()
	assert.Len(t, first["actions"], 25)
	assert.EqualValues(t, 2, first["meta"].(map[string]any)["pagination"].(map[string]any)["next_page"])
	second := api.Get(q + "page=2").JSON()
	assert.Len(t, second["actions"], 5)
}
