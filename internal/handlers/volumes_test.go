package handlers_test

// Volumes through raw HTTP: shapes, every operation and error path, attachments seen from the
// server side, actions and their undoing on failure, and that refused requests change nothing.

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/apitest"
	"github.com/fakehetzner/fakehetzner/internal/store"
	"github.com/fakehetzner/fakehetzner/testkit"
)

type volumeBody struct {
	ID          int64             `json:"id"`
	Name        string            `json:"name"`
	Server      *int64            `json:"server"`
	Status      string            `json:"status"`
	Size        int               `json:"size"`
	Format      *string           `json:"format"`
	LinuxDevice string            `json:"linux_device"`
	Labels      map[string]string `json:"labels"`
	Location    struct {
		Name string `json:"name"`
	} `json:"location"`
	Protection struct {
		Delete bool `json:"delete"`
	} `json:"protection"`
}

type volumeCreateAnswer struct {
	Volume      volumeBody     `json:"volume"`
	Action      actionAnswer   `json:"action"`
	NextActions []actionAnswer `json:"next_actions"`
}

func volFixedTime() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }

func volumePath(id int64, rest ...string) string {
	p := fmt.Sprintf("/v1/volumes/%d", id)
	for _, r := range rest {
		p += "/" + r
	}
	return p
}

func postVolume(t *testing.T, api *apitest.Client, body map[string]any) volumeCreateAnswer {
	t.Helper()
	res := api.Post("/v1/volumes", body)
	require.Equal(t, 201, res.Status, string(res.Body))
	var out volumeCreateAnswer
	res.Decode(&out)
	return out
}

func getVolume(t *testing.T, api *apitest.Client, id int64) volumeBody {
	t.Helper()
	res := api.Get(volumePath(id))
	require.Equal(t, 200, res.Status, string(res.Body))
	var out struct {
		Volume volumeBody `json:"volume"`
	}
	res.Decode(&out)
	return out.Volume
}

// volServer creates a server in a location and lets its actions finish.
func volServer(t *testing.T, srv *testkit.Server, api *apitest.Client, name, location string, extra map[string]any) int64 {
	t.Helper()
	body := map[string]any{"name": name, "server_type": "cpx22", "image": "ubuntu-24.04", "location": location}
	for k, v := range extra {
		body[k] = v
	}
	res := api.Post("/v1/servers", body)
	require.Equal(t, 201, res.Status, string(res.Body))
	var out struct {
		Server struct {
			ID int64 `json:"id"`
		} `json:"server"`
	}
	res.Decode(&out)
	srv.AdvanceClock(time.Second)
	return out.Server.ID
}

// serverVolumes is server.volumes as GET /servers/{id} shows it.
func serverVolumes(t *testing.T, api *apitest.Client, id int64) []int64 {
	t.Helper()
	res := api.Get(fmt.Sprintf("/v1/servers/%d", id))
	require.Equal(t, 200, res.Status, string(res.Body))
	var out struct {
		Server struct {
			Volumes []int64 `json:"volumes"`
		} `json:"server"`
	}
	res.Decode(&out)
	require.NotNil(t, out.Server.Volumes, "volumes is a list, never null")
	return out.Server.Volumes
}

func ref(typ string, id int64) store.ActionResource { return store.ActionResource{ID: id, Type: typ} }

func TestVolumeCreateShape(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(volFixedTime), testkit.WithActionDuration(time.Second))
	api := apitest.New(t, srv.BaseURL, srv.Token)

	res := api.Post("/v1/volumes", map[string]any{"name": "data", "size": 42, "location": "fsn1", "labels": map[string]string{"env": "test"}})
	require.Equal(t, 201, res.Status, string(res.Body))
	body := res.JSON()
	assert.ElementsMatch(t, []string{"volume", "action", "next_actions"}, keys(body))
	v := body["volume"].(map[string]any)
	assert.ElementsMatch(t, []string{"id", "name", "server", "status", "location", "size", "format", "protection", "labels",
		"linux_device", "created"}, keys(v))
	id := int64(v["id"].(float64))
	assert.Nil(t, v["server"])
	assert.Nil(t, v["format"])
	assert.Equal(t, "creating", v["status"])
	assert.Equal(t, float64(42), v["size"])
	assert.Equal(t, fmt.Sprintf("/dev/disk/by-id/scsi-0HC_Volume_%d", id), v["linux_device"])
	assert.Equal(t, "2026-11-23T10:00:00Z", v["created"])
	assert.Equal(t, map[string]any{"delete": false}, v["protection"])
	assert.Equal(t, "fsn1", v["location"].(map[string]any)["name"])
	assert.Equal(t, []any{}, body["next_actions"])

	var out volumeCreateAnswer
	res.Decode(&out)
	assert.Equal(t, "create_volume", out.Action.Command)
	assert.Equal(t, "running", out.Action.Status)
	assert.Equal(t, []store.ActionResource{ref("volume", id)}, out.Action.Resources)

	srv.AdvanceClock(time.Second)
	assert.Equal(t, "available", getVolume(t, api, id).Status, "create_volume done: creating → available")
	assert.Equal(t, "success", getAction(t, api, out.Action.ID).Status)

	// By location id (hcloud-go sends a number when it has one), formatted.
	byID := postVolume(t, api, map[string]any{"name": "logs", "size": 10, "location": 1, "format": "xfs"})
	require.NotNil(t, byID.Volume.Format)
	assert.Equal(t, "xfs", *byID.Volume.Format)
	ext := postVolume(t, api, map[string]any{"name": "ext", "size": 10240, "location": "nbg1", "format": "ext4"})
	assert.Equal(t, "ext4", *ext.Volume.Format)
	assert.Equal(t, "nbg1", ext.Volume.Location.Name)
}

func TestVolumeCreateAttachedToServer(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(volFixedTime), testkit.WithActionDuration(time.Second))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	sid := volServer(t, srv, api, "web", "nbg1", nil)

	out := postVolume(t, api, map[string]any{"name": "data", "size": 20, "server": sid, "automount": true})
	id := out.Volume.ID
	require.NotNil(t, out.Volume.Server)
	assert.Equal(t, sid, *out.Volume.Server)
	assert.Equal(t, "nbg1", out.Volume.Location.Name, "the server's location")
	assert.Equal(t, "create_volume", out.Action.Command)
	assert.Equal(t, []store.ActionResource{ref("volume", id), ref("server", sid)}, out.Action.Resources)
	require.Len(t, out.NextActions, 1)
	assert.Equal(t, "attach_volume", out.NextActions[0].Command)
	assert.Equal(t, []store.ActionResource{ref("volume", id), ref("server", sid)}, out.NextActions[0].Resources,
		"terraform looks for the server among the resources of a failed attach_volume")
	assert.Equal(t, []int64{id}, serverVolumes(t, api, sid))

	// A location naming the server's own is accepted.
	same := postVolume(t, api, map[string]any{"name": "more", "size": 10, "server": sid, "location": "nbg1"})
	assert.Equal(t, sid, *same.Volume.Server)
	srv.AdvanceClock(time.Second)
	assert.Equal(t, "available", getVolume(t, api, id).Status)
	assert.Equal(t, []int64{id, same.Volume.ID}, serverVolumes(t, api, sid))
}

func TestVolumeCreateErrorsChangeNothing(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(volFixedTime), testkit.WithActionDuration(time.Second))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	sid := volServer(t, srv, api, "web", "nbg1", nil)
	postVolume(t, api, map[string]any{"name": "taken", "size": 10, "location": "fsn1"})

	post := func(body map[string]any) func() *apitest.Response {
		return func() *apitest.Response { return api.Post("/v1/volumes", body) }
	}
	refused(t, srv, post(map[string]any{"name": "taken", "size": 10, "location": "fsn1"}), 409, "uniqueness_error", "name")
	refused(t, srv, post(map[string]any{"name": "x", "size": 10}), 422, "invalid_input", "location")
	refused(t, srv, post(map[string]any{"name": "x", "size": 10, "location": "fsn1", "automount": true}), 422, "invalid_input", "automount")
	refused(t, srv, post(map[string]any{"name": "x", "size": 9, "location": "fsn1"}), 422, "invalid_input", "size")
	refused(t, srv, post(map[string]any{"name": "x", "size": 10241, "location": "fsn1"}), 422, "invalid_input", "size")
	refused(t, srv, post(map[string]any{"name": "x", "size": 10, "location": "fsn1", "format": "btrfs"}), 422, "invalid_input", "format")
	refused(t, srv, post(map[string]any{"name": "x", "size": 10, "location": "mars1"}), 422, "invalid_input", "location")
	refused(t, srv, post(map[string]any{"name": "x", "size": 10, "server": 999999}), 422, "invalid_input", "server")
	refused(t, srv, post(map[string]any{"name": "x", "size": 10, "server": sid, "location": "fsn1"}), 422, "invalid_input", "location")
	refused(t, srv, post(map[string]any{"name": "x", "size": 10, "location": "fsn1", "labels": map[string]string{"hetzner.cloud/x": "y"}}),
		422, "invalid_input", "labels")
	refused(t, srv, post(map[string]any{"name": "x", "size": 10, "location": "fsn1", "datacenter": "fsn1-dc14"}), 422, "invalid_input", "datacenter")
	for _, name := range []string{"", "-lead", "trail.", "with space", "a/b", string(make([]byte, 65))} {
		refused(t, srv, post(map[string]any{"name": name, "size": 10, "location": "fsn1"}), 422, "invalid_input", "name")
	}
	refused(t, srv, post(map[string]any{"size": 10, "location": "fsn1"}), 422, "invalid_input", "name")
	refused(t, srv, func() *apitest.Response { return api.Post("/v1/volumes", `{"name":`) }, 400, "json_error")

	// The name rule admits dots, dashes and underscores inside, and 64 characters.
	long := "a" + string(slices.Repeat([]byte("b"), 62)) + "c"
	postVolume(t, api, map[string]any{"name": "my_data-1.vol", "size": 10, "location": "fsn1"})
	postVolume(t, api, map[string]any{"name": long, "size": 10, "location": "fsn1"})
}

func TestVolumeGetListUpdate(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(volFixedTime), testkit.WithManualActions())
	api := apitest.New(t, srv.BaseURL, srv.Token)
	b := postVolume(t, api, map[string]any{"name": "b-vol", "size": 10, "location": "fsn1", "labels": map[string]string{"tier": "db"}})
	a := postVolume(t, api, map[string]any{"name": "a-vol", "size": 10, "location": "fsn1"})
	_, err := srv.CompleteAction(a.Action.ID, true, "", "")
	require.NoError(t, err)

	assert.Equal(t, "b-vol", getVolume(t, api, b.Volume.ID).Name)
	refused(t, srv, func() *apitest.Response { return api.Get("/v1/volumes/999999") }, 404, "not_found")

	list := func(query string) []string {
		return namesOf(t, api.Get("/v1/volumes"+query), "volumes")
	}
	assert.Equal(t, []string{"b-vol", "a-vol"}, list(""))
	assert.Equal(t, []string{"a-vol", "b-vol"}, list("?sort=name"))
	assert.Equal(t, []string{"a-vol", "b-vol"}, list("?sort=created:desc&sort=id:desc"))
	assert.Equal(t, []string{"b-vol"}, list("?label_selector=tier%3Ddb"))
	assert.Equal(t, []string{"a-vol"}, list("?name=a-vol"))
	assert.Equal(t, []string{"b-vol"}, list("?status=creating"))
	assert.Equal(t, []string{"a-vol"}, list("?status=available"))
	assert.Equal(t, []string{"b-vol", "a-vol"}, list("?status=available&status=creating"))
	assert.Empty(t, list("?name=none"))
	assert.Equal(t, 422, api.Get("/v1/volumes?sort=size").Status)
	assert.Equal(t, 422, api.Get("/v1/volumes?status=gone").Status)

	res := api.Put(volumePath(a.Volume.ID), map[string]any{"name": "renamed", "labels": map[string]string{"x": "y"}})
	require.Equal(t, 200, res.Status, string(res.Body))
	got := getVolume(t, api, a.Volume.ID)
	assert.Equal(t, "renamed", got.Name)
	assert.Equal(t, map[string]string{"x": "y"}, got.Labels)
	res = api.Put(volumePath(a.Volume.ID), map[string]any{"labels": map[string]string{}})
	require.Equal(t, 200, res.Status, string(res.Body))
	assert.Equal(t, "renamed", getVolume(t, api, a.Volume.ID).Name, "an absent name stays")

	put := func(id int64, body any) func() *apitest.Response {
		return func() *apitest.Response { return api.Put(volumePath(id), body) }
	}
	refused(t, srv, put(a.Volume.ID, map[string]any{"name": "b-vol"}), 409, "uniqueness_error", "name")
	refused(t, srv, put(a.Volume.ID, map[string]any{"name": "not valid"}), 422, "invalid_input", "name")
	refused(t, srv, put(a.Volume.ID, map[string]any{"labels": map[string]string{"bad key!": "x"}}), 422, "invalid_input", "labels")
	refused(t, srv, put(a.Volume.ID, map[string]any{"size": 20}), 422, "invalid_input", "size")
	refused(t, srv, put(999999, map[string]any{"name": "x"}), 404, "not_found")
}

func TestVolumeAttachDetach(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(volFixedTime), testkit.WithActionDuration(time.Second))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	web := volServer(t, srv, api, "web", "fsn1", nil)
	db := volServer(t, srv, api, "db", "fsn1", nil)
	far := volServer(t, srv, api, "far", "nbg1", nil)
	v := postVolume(t, api, map[string]any{"name": "data", "size": 10, "location": "fsn1"}).Volume
	srv.AdvanceClock(time.Second)
	attach := func(id int64, body any) func() *apitest.Response {
		return func() *apitest.Response { return api.Post(volumePath(id, "actions", "attach"), body) }
	}

	a := actionOf(t, api.Post(volumePath(v.ID, "actions", "attach"), map[string]any{"server": web, "automount": false}))
	assert.Equal(t, "attach_volume", a.Command)
	assert.Equal(t, "running", a.Status)
	assert.Equal(t, []store.ActionResource{ref("volume", v.ID), ref("server", web)}, a.Resources)
	assert.Equal(t, web, *getVolume(t, api, v.ID).Server)
	assert.Equal(t, []int64{v.ID}, serverVolumes(t, api, web))
	assert.Empty(t, serverVolumes(t, api, db))

	e := refused(t, srv, attach(v.ID, map[string]any{"server": db}), 423, "locked")
	assert.Contains(t, e.Message, "volume")
	srv.AdvanceClock(time.Second)
	refused(t, srv, attach(v.ID, map[string]any{"server": db}), 422, "volume_already_attached")
	refused(t, srv, attach(v.ID, map[string]any{"server": web}), 422, "volume_already_attached")

	d := actionOf(t, api.Post(volumePath(v.ID, "actions", "detach"), nil))
	assert.Equal(t, "detach_volume", d.Command)
	assert.Equal(t, []store.ActionResource{ref("volume", v.ID), ref("server", web)}, d.Resources)
	assert.Nil(t, getVolume(t, api, v.ID).Server)
	assert.Empty(t, serverVolumes(t, api, web))
	srv.AdvanceClock(time.Second)

	// Detaching a detached volume is done at once (hcloud-go sends an empty object).
	d = actionOf(t, api.Post(volumePath(v.ID, "actions", "detach"), map[string]any{}))
	assert.Equal(t, "success", d.Status)
	assert.Equal(t, []store.ActionResource{ref("volume", v.ID)}, d.Resources)

	refused(t, srv, attach(v.ID, map[string]any{"server": far}), 422, "invalid_input", "server")
	refused(t, srv, attach(v.ID, map[string]any{"server": 999999}), 422, "invalid_input", "server")
	refused(t, srv, attach(v.ID, map[string]any{}), 422, "invalid_input", "server")
	refused(t, srv, attach(999999, map[string]any{"server": web}), 404, "not_found")
	refused(t, srv, func() *apitest.Response { return api.Post(volumePath(999999, "actions", "detach"), nil) }, 404, "not_found")
	refused(t, srv, func() *apitest.Response {
		return api.Post(volumePath(v.ID, "actions", "detach"), map[string]any{"x": 1})
	},
		422, "invalid_input", "x")

	// A server with a running action is locked for attaching and detaching.
	actionOf(t, api.Post(fmt.Sprintf("/v1/servers/%d/actions/reboot", db), nil))
	e = refused(t, srv, attach(v.ID, map[string]any{"server": db}), 423, "locked")
	assert.Contains(t, e.Message, "server")
	srv.AdvanceClock(time.Second)
	actionOf(t, api.Post(volumePath(v.ID, "actions", "attach"), map[string]any{"server": db, "automount": true}))
	srv.AdvanceClock(time.Second)
	actionOf(t, api.Post(fmt.Sprintf("/v1/servers/%d/actions/reboot", db), nil))
	refused(t, srv, func() *apitest.Response { return api.Post(volumePath(v.ID, "actions", "detach"), nil) }, 423, "locked")
}

func TestVolumeResizeProtectDelete(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(volFixedTime), testkit.WithActionDuration(time.Second))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	web := volServer(t, srv, api, "web", "fsn1", nil)
	v := postVolume(t, api, map[string]any{"name": "data", "size": 10, "location": "fsn1"}).Volume
	resize := func(size any) func() *apitest.Response {
		return func() *apitest.Response {
			return api.Post(volumePath(v.ID, "actions", "resize"), map[string]any{"size": size})
		}
	}
	refused(t, srv, resize(20), 423, "locked") // create_volume still runs
	srv.AdvanceClock(time.Second)

	a := actionOf(t, api.Post(volumePath(v.ID, "actions", "resize"), map[string]any{"size": 50}))
	assert.Equal(t, "resize_volume", a.Command)
	assert.Equal(t, []store.ActionResource{ref("volume", v.ID)}, a.Resources)
	assert.Equal(t, 50, getVolume(t, api, v.ID).Size)
	refused(t, srv, resize(60), 423, "locked")
	srv.AdvanceClock(time.Second)
	refused(t, srv, resize(50), 422, "invalid_input", "size")
	refused(t, srv, resize(40), 422, "invalid_input", "size")
	refused(t, srv, resize(10241), 422, "invalid_input", "size")
	refused(t, srv, resize(60.5), 422, "invalid_input", "size")
	refused(t, srv, resize("big"), 422, "invalid_input", "size")
	refused(t, srv, func() *apitest.Response {
		return api.Post(volumePath(999999, "actions", "resize"), map[string]any{"size": 60})
	}, 404, "not_found")
	actionOf(t, api.Post(volumePath(v.ID, "actions", "resize"), map[string]any{"size": 10240}))
	srv.AdvanceClock(time.Second)
	assert.Equal(t, 10240, getVolume(t, api, v.ID).Size)

	p := actionOf(t, api.Post(volumePath(v.ID, "actions", "change_protection"), map[string]any{"delete": true}))
	assert.Equal(t, "change_protection", p.Command)
	assert.Equal(t, "success", p.Status, "protection changes at once")
	assert.True(t, getVolume(t, api, v.ID).Protection.Delete)
	actionOf(t, api.Post(volumePath(v.ID, "actions", "change_protection"), map[string]any{}))
	assert.True(t, getVolume(t, api, v.ID).Protection.Delete, "an absent delete keeps the protection")
	refused(t, srv, func() *apitest.Response { return api.Delete(volumePath(v.ID)) }, 423, "protected")
	refused(t, srv, func() *apitest.Response {
		return api.Post(volumePath(999999, "actions", "change_protection"), map[string]any{"delete": true})
	}, 404, "not_found")
	actionOf(t, api.Post(volumePath(v.ID, "actions", "change_protection"), map[string]any{"delete": false}))

	actionOf(t, api.Post(volumePath(v.ID, "actions", "attach"), map[string]any{"server": web}))
	refused(t, srv, func() *apitest.Response { return api.Delete(volumePath(v.ID)) }, 423, "locked")
	srv.AdvanceClock(time.Second)
	e := refused(t, srv, func() *apitest.Response { return api.Delete(volumePath(v.ID)) }, 422, "service_error")
	assert.Equal(t, fmt.Sprintf("volume with ID '%d' is still attached to a server", v.ID), e.Message)
	actionOf(t, api.Post(volumePath(v.ID, "actions", "detach"), nil))
	srv.AdvanceClock(time.Second)

	res := api.Delete(volumePath(v.ID))
	require.Equal(t, 204, res.Status, string(res.Body))
	refused(t, srv, func() *apitest.Response { return api.Get(volumePath(v.ID)) }, 404, "not_found")
	refused(t, srv, func() *apitest.Response { return api.Delete(volumePath(v.ID)) }, 404, "not_found")
}

func TestVolumeActionEndpoints(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(volFixedTime), testkit.WithActionDuration(time.Second))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	web := volServer(t, srv, api, "web", "fsn1", nil)
	one := postVolume(t, api, map[string]any{"name": "one", "size": 10, "location": "fsn1"})
	two := postVolume(t, api, map[string]any{"name": "two", "size": 10, "server": web})
	srv.AdvanceClock(time.Second)
	resize := actionOf(t, api.Post(volumePath(one.Volume.ID, "actions", "resize"), map[string]any{"size": 11}))
	srv.AdvanceClock(time.Second)

	commands := func(path string) []string {
		res := api.Get(path)
		require.Equal(t, 200, res.Status, string(res.Body))
		var out struct {
			Actions []actionAnswer `json:"actions"`
		}
		res.Decode(&out)
		var cmds []string
		for _, a := range out.Actions {
			cmds = append(cmds, a.Command)
		}
		return cmds
	}
	assert.Equal(t, []string{"create_volume", "create_volume", "attach_volume", "resize_volume"}, commands("/v1/volumes/actions?sort=id"))
	assert.Equal(t, []string{"create_volume", "resize_volume"}, commands(volumePath(one.Volume.ID, "actions")+"?sort=id"))
	assert.Equal(t, []string{"create_volume", "attach_volume"}, commands(volumePath(two.Volume.ID, "actions")+"?sort=id"))
	assert.Equal(t, []string{"resize_volume"}, commands("/v1/volumes/actions?sort=id&status=success&id="+fmt.Sprint(resize.ID)))
	assert.Contains(t, commands(fmt.Sprintf("/v1/servers/%d/actions", web)), "attach_volume", "the server's actions list the attach")

	res := api.Get(fmt.Sprintf("/v1/volumes/actions/%d", resize.ID))
	require.Equal(t, 200, res.Status, string(res.Body))
	res = api.Get(volumePath(one.Volume.ID, "actions", fmt.Sprint(resize.ID)))
	require.Equal(t, 200, res.Status, string(res.Body))
	assert.Equal(t, 404, api.Get(volumePath(two.Volume.ID, "actions", fmt.Sprint(resize.ID))).Status, "another volume's action")
	assert.Equal(t, 404, api.Get(volumePath(999999, "actions")).Status)
	createServer := api.Get(fmt.Sprintf("/v1/servers/%d/actions?sort=id", web)).JSON()["actions"].([]any)[0].(map[string]any)
	assert.Equal(t, 404, api.Get(fmt.Sprintf("/v1/volumes/actions/%v", createServer["id"])).Status, "a server action is not a volume action")
}

func TestServerCreateWithVolumes(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(volFixedTime), testkit.WithActionDuration(time.Second))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	a := postVolume(t, api, map[string]any{"name": "a", "size": 10, "location": "nbg1"}).Volume
	b := postVolume(t, api, map[string]any{"name": "b", "size": 10, "location": "nbg1"}).Volume
	other := postVolume(t, api, map[string]any{"name": "other", "size": 10, "location": "fsn1"}).Volume
	post := func(body map[string]any) func() *apitest.Response {
		body["server_type"], body["image"] = "cpx22", "ubuntu-24.04"
		return func() *apitest.Response { return api.Post("/v1/servers", body) }
	}
	refused(t, srv, post(map[string]any{"name": "s", "volumes": []int64{a.ID}}), 423, "locked") // create_volume runs
	srv.AdvanceClock(time.Second)

	res := api.Post("/v1/servers", map[string]any{"name": "s", "server_type": "cpx22", "image": "ubuntu-24.04",
		"volumes": []int64{b.ID, a.ID}, "automount": true})
	require.Equal(t, 201, res.Status, string(res.Body))
	var out struct {
		Server struct {
			ID       int64   `json:"id"`
			Volumes  []int64 `json:"volumes"`
			Location struct {
				Name string `json:"name"`
			} `json:"location"`
		} `json:"server"`
	}
	res.Decode(&out)
	assert.Equal(t, "nbg1", out.Server.Location.Name, "without a location the server goes where its volumes are")
	assert.Equal(t, []int64{a.ID, b.ID}, out.Server.Volumes)
	assert.Equal(t, out.Server.ID, *getVolume(t, api, a.ID).Server)
	srv.AdvanceClock(time.Second)

	refused(t, srv, post(map[string]any{"name": "t", "volumes": []int64{a.ID}}), 422, "volume_already_attached")
	refused(t, srv, post(map[string]any{"name": "t", "location": "nbg1", "volumes": []int64{other.ID}}), 422, "invalid_input", "volumes")
	refused(t, srv, post(map[string]any{"name": "t", "volumes": []int64{other.ID, other.ID}}), 422, "invalid_input", "volumes")
	refused(t, srv, post(map[string]any{"name": "t", "volumes": []int64{999999}}), 422, "invalid_input", "volumes")
	refused(t, srv, post(map[string]any{"name": "t", "location": "fsn1", "automount": true}), 422, "invalid_input", "automount")

	// Deleting the server detaches its volumes once delete_server is done.
	res = api.Delete(fmt.Sprintf("/v1/servers/%d", out.Server.ID))
	require.Equal(t, 200, res.Status, string(res.Body))
	assert.Equal(t, out.Server.ID, *getVolume(t, api, a.ID).Server, "attached while the server is being deleted")
	refused(t, srv, func() *apitest.Response {
		return api.Post(volumePath(a.ID, "actions", "detach"), nil)
	}, 423, "locked")
	srv.AdvanceClock(time.Second)
	assert.Nil(t, getVolume(t, api, a.ID).Server)
	assert.Nil(t, getVolume(t, api, b.ID).Server)
	res = api.Delete(volumePath(a.ID))
	require.Equal(t, 204, res.Status, string(res.Body))
}

// A failing volume action is undone: the volume is as it was before (a failed create leaves none).
func TestVolumeFailedActionsAreUndone(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(volFixedTime), testkit.WithManualActions())
	api := apitest.New(t, srv.BaseURL, srv.Token)
	finish := func(id int64, ok bool) {
		t.Helper()
		_, err := srv.CompleteAction(id, ok, "action_failed", "")
		require.NoError(t, err)
	}
	res := api.Post("/v1/servers", map[string]any{"name": "web", "server_type": "cpx22", "image": "ubuntu-24.04", "location": "fsn1"})
	require.Equal(t, 201, res.Status, string(res.Body))
	var created struct {
		Server struct {
			ID int64 `json:"id"`
		} `json:"server"`
		Action      actionAnswer   `json:"action"`
		NextActions []actionAnswer `json:"next_actions"`
	}
	res.Decode(&created)
	web := created.Server.ID
	finish(created.Action.ID, true)
	finish(created.NextActions[0].ID, true)

	gone := postVolume(t, api, map[string]any{"name": "gone", "size": 10, "location": "fsn1"})
	finish(gone.Action.ID, false)
	assert.Equal(t, 404, api.Get(volumePath(gone.Volume.ID)).Status, "a failed create leaves no volume")

	v := postVolume(t, api, map[string]any{"name": "data", "size": 10, "location": "fsn1"})
	finish(v.Action.ID, true)
	id := v.Volume.ID

	a := actionOf(t, api.Post(volumePath(id, "actions", "attach"), map[string]any{"server": web}))
	finish(a.ID, false)
	assert.Nil(t, getVolume(t, api, id).Server, "a failed attach leaves the volume detached")
	assert.Empty(t, serverVolumes(t, api, web))

	a = actionOf(t, api.Post(volumePath(id, "actions", "attach"), map[string]any{"server": web}))
	finish(a.ID, true)
	d := actionOf(t, api.Post(volumePath(id, "actions", "detach"), nil))
	finish(d.ID, false)
	assert.Equal(t, web, *getVolume(t, api, id).Server, "a failed detach leaves the volume attached")

	r := actionOf(t, api.Post(volumePath(id, "actions", "resize"), map[string]any{"size": 30}))
	finish(r.ID, false)
	assert.Equal(t, 10, getVolume(t, api, id).Size, "a failed resize keeps the old size")
	r = actionOf(t, api.Post(volumePath(id, "actions", "resize"), map[string]any{"size": 30}))
	finish(r.ID, true)
	assert.Equal(t, 30, getVolume(t, api, id).Size)

	// create with a server: a failed create takes the attachment with it.
	withServer := postVolume(t, api, map[string]any{"name": "attached", "size": 10, "server": web})
	finish(withServer.Action.ID, false)
	finish(withServer.NextActions[0].ID, true)
	assert.Equal(t, 404, api.Get(volumePath(withServer.Volume.ID)).Status)
	assert.Equal(t, []int64{id}, serverVolumes(t, api, web))
}

func TestVolumeSnapshotRoundTrip(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(volFixedTime), testkit.WithManualActions())
	api := apitest.New(t, srv.BaseURL, srv.Token)
	res := api.Post("/v1/servers", map[string]any{"name": "web", "server_type": "cpx22", "image": "ubuntu-24.04", "location": "fsn1"})
	require.Equal(t, 201, res.Status, string(res.Body))
	web := int64(res.JSON()["server"].(map[string]any)["id"].(float64))
	attached := postVolume(t, api, map[string]any{"name": "attached", "size": 10, "server": web, "format": "ext4"})
	loose := postVolume(t, api, map[string]any{"name": "loose", "size": 10, "location": "hel1", "labels": map[string]string{"a": "b"}})
	_, err := srv.CompleteAction(loose.Action.ID, true, "", "")
	require.NoError(t, err)
	r := actionOf(t, api.Post(volumePath(loose.Volume.ID, "actions", "resize"), map[string]any{"size": 25}))

	snap := srv.Snapshot()
	require.Len(t, snap.Projects, 1)
	for _, ps := range snap.Projects {
		require.Len(t, ps.Volumes, 2)
	}
	before := netState(t, srv)
	fresh := testkit.New(t, testkit.WithTimeSource(volFixedTime), testkit.WithManualActions(), testkit.WithTokens(srv.Token))
	require.NoError(t, fresh.Restore(snap))
	assert.Equal(t, before, netState(t, fresh), "restoring gives the same state")

	api = apitest.New(t, fresh.BaseURL, srv.Token)
	assert.Equal(t, web, *getVolume(t, api, attached.Volume.ID).Server)
	assert.Equal(t, []int64{attached.Volume.ID}, serverVolumes(t, api, web))
	// The running resize still knows the size to go back to.
	_, err = fresh.CompleteAction(r.ID, false, "action_failed", "")
	require.NoError(t, err)
	assert.Equal(t, 10, getVolume(t, api, loose.Volume.ID).Size)
	// New ids go past the restored ones.
	next := postVolume(t, api, map[string]any{"name": "next", "size": 10, "location": "fsn1"})
	assert.Greater(t, next.Volume.ID, loose.Volume.ID)
}

// Restoring refuses volumes that could not exist.
func TestVolumeRestoreRefusesInvalidVolumes(t *testing.T) {
	srv := testkit.New(t, testkit.WithTimeSource(volFixedTime), testkit.WithActionDuration(time.Second))
	api := apitest.New(t, srv.BaseURL, srv.Token)
	web := volServer(t, srv, api, "web", "fsn1", nil)
	v := postVolume(t, api, map[string]any{"name": "data", "size": 10, "server": web}).Volume
	postVolume(t, api, map[string]any{"name": "other", "size": 10, "location": "fsn1"})
	srv.AdvanceClock(time.Second)
	nbg1 := int64(api.Get("/v1/locations?name=nbg1").JSON()["locations"].([]any)[0].(map[string]any)["id"].(float64))
	five, ntfs, unknown := 5, "ntfs", int64(999999)

	mutations := map[string]func(ps *store.ProjectSnapshot){
		"size too small":     func(ps *store.ProjectSnapshot) { ps.Volumes[0].Size = 5 },
		"size too large":     func(ps *store.ProjectSnapshot) { ps.Volumes[0].Size = 10241 },
		"bad name":           func(ps *store.ProjectSnapshot) { ps.Volumes[0].Name = "-x" },
		"name twice":         func(ps *store.ProjectSnapshot) { ps.Volumes[1].Name = ps.Volumes[0].Name },
		"id twice":           func(ps *store.ProjectSnapshot) { ps.Volumes[1].ID = ps.Volumes[0].ID },
		"id zero":            func(ps *store.ProjectSnapshot) { ps.Volumes[0].ID = 0 },
		"bad status":         func(ps *store.ProjectSnapshot) { ps.Volumes[0].Status = "deleted" },
		"bad format":         func(ps *store.ProjectSnapshot) { ps.Volumes[0].Format = &ntfs },
		"unknown location":   func(ps *store.ProjectSnapshot) { ps.Volumes[0].Location.ID = 999 },
		"unknown server":     func(ps *store.ProjectSnapshot) { ps.Volumes[0].Server = &unknown },
		"server elsewhere":   func(ps *store.ProjectSnapshot) { ps.Volumes[0].Location.ID = nbg1 },
		"bad labels":         func(ps *store.ProjectSnapshot) { ps.Volumes[0].Labels = map[string]string{"bad key!": "x"} },
		"resized from above": func(ps *store.ProjectSnapshot) { ps.Volumes[0].ResizedFrom = 20 },
		"resized from tiny":  func(ps *store.ProjectSnapshot) { ps.Volumes[0].ResizedFrom = five },
	}
	for name, mutate := range mutations {
		t.Run(name, func(t *testing.T) {
			before := netState(t, srv)
			snap := srv.Snapshot()
			require.Len(t, snap.Projects, 1)
			for key, ps := range snap.Projects {
				require.Len(t, ps.Volumes, 2)
				mutate(&ps)
				snap.Projects[key] = ps
			}
			assert.Error(t, srv.Restore(snap))
			assert.Equal(t, before, netState(t, srv), "a refused restore changes nothing")
		})
	}
	assert.Equal(t, web, *getVolume(t, api, v.ID).Server)
}

// batteryVolumeGrows makes the resize battery's baseline grow the seeded 10 GB volume.
func batteryVolumeGrows(_ *testing.T, _ *testkit.Server, _ map[string]int64, base map[string]any) {
	base["size"] = 20
}
