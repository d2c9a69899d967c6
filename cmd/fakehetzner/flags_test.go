package main

// The flags of run and their FAKEHETZNER_* environment fallbacks, through the real run
// function serving on loopback (runInProcess): each setting is seen in what the server does,
// from the flag, from the variable, and with both (the flag wins).

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/apitest"
)

// flagEnv are the variables these tests set; each test starts with all of them unset, so a
// variable of the surrounding environment cannot decide a case.
var flagEnv = []string{"FAKEHETZNER_TOKENS", "FAKEHETZNER_RATE_LIMIT", "FAKEHETZNER_ACTION_DURATION",
	"FAKEHETZNER_ADMIN_TOKEN", "FAKEHETZNER_LOG_LEVEL"}

// cleanEnv unsets the variables for the test (t.Setenv restores them afterwards).
func cleanEnv(t *testing.T) {
	t.Helper()
	for _, name := range flagEnv {
		t.Setenv(name, "")
		require.NoError(t, os.Unsetenv(name))
	}
}

// flagCase is one way to configure a setting.
type flagCase struct {
	name string
	args []string
	env  map[string]string
}

// start runs the server for the case with its environment.
func (c flagCase) start(t *testing.T) *inProcess {
	t.Helper()
	cleanEnv(t)
	for k, v := range c.env {
		t.Setenv(k, v)
	}
	p, err := runInProcess(t, c.args...)
	require.NoError(t, err, "%s", c.name)
	return p
}

func TestTokenFlagAndEnv(t *testing.T) {
	for _, c := range []flagCase{
		{name: "flag", args: []string{"--token", "alpha", "--token", "beta:ro"}},
		{name: "env", env: map[string]string{"FAKEHETZNER_TOKENS": "alpha, beta:ro"}},
		{name: "flag wins", args: []string{"--token", "alpha", "--token", "beta:ro"},
			env: map[string]string{"FAKEHETZNER_TOKENS": "gamma"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := c.start(t)
			api := apitest.New(t, p.url, "alpha")
			assert.Equal(t, 200, api.Get("/v1/ssh_keys").Status, "a listed token")
			// gamma is unlisted (with "flag wins" it is the variable's token, which the flags replace).
			res := api.WithToken("gamma").Get("/v1/ssh_keys")
			assert.Equal(t, 401, res.Status, "an unlisted token: %s", res.Body)
			assert.Equal(t, "unauthorized", res.Error().Code)

			ro := api.WithToken("beta")
			assert.Equal(t, 200, ro.Get("/v1/ssh_keys").Status, "a read-only token reads")
			res = ro.Post("/v1/ssh_keys", map[string]any{"name": "k", "public_key": sshPublicKey(t)})
			assert.Equal(t, 403, res.Status, "a read-only token cannot write: %s", res.Body)
			assert.Equal(t, "forbidden", res.Error().Code)
			assert.Equal(t, 201, api.Post("/v1/ssh_keys", map[string]any{"name": "k", "public_key": sshPublicKey(t)}).Status,
				"a read-write token writes")
		})
	}
}

func TestTokenEnvUnsetAcceptsAnyToken(t *testing.T) {
	p := flagCase{name: "default"}.start(t)
	assert.Equal(t, 200, apitest.New(t, p.url, "whatever-token").Get("/v1/ssh_keys").Status)
}

func TestRateLimitFlagAndEnv(t *testing.T) {
	for _, c := range []struct {
		flagCase
		want string
	}{
		{flagCase{name: "default"}, "3600"},
		{flagCase{name: "flag", args: []string{"--rate-limit", "55"}}, "55"},
		{flagCase{name: "env", env: map[string]string{"FAKEHETZNER_RATE_LIMIT": "77"}}, "77"},
		{flagCase{name: "flag wins", args: []string{"--rate-limit", "55"}, env: map[string]string{"FAKEHETZNER_RATE_LIMIT": "77"}}, "55"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := c.start(t)
			res := apitest.New(t, p.url, "tok").Get("/v1/ssh_keys")
			require.Equal(t, 200, res.Status)
			assert.Equal(t, c.want, res.Header.Get("RateLimit-Limit"))
		})
	}
}

func TestActionDurationFlagAndEnv(t *testing.T) {
	for _, c := range []struct {
		flagCase
		want string // the create_server action after the clock moved an hour
	}{
		{flagCase{name: "default"}, "success"},
		{flagCase{name: "flag", args: []string{"--action-duration", "manual"}}, "running"},
		{flagCase{name: "env", env: map[string]string{"FAKEHETZNER_ACTION_DURATION": "manual"}}, "running"},
		{flagCase{name: "flag wins", args: []string{"--action-duration", "0s"},
			env: map[string]string{"FAKEHETZNER_ACTION_DURATION": "manual"}}, "success"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := c.start(t)
			api := apitest.New(t, p.url, "tok")
			res := api.Post("/v1/servers", map[string]any{"name": "s", "server_type": "cpx22", "image": "ubuntu-24.04"})
			require.Equal(t, 201, res.Status, "%s", res.Body)
			var created struct {
				Action struct {
					ID     int64  `json:"id"`
					Status string `json:"status"`
				} `json:"action"`
			}
			res.Decode(&created)
			require.Equal(t, "running", created.Action.Status)

			res = apitest.New(t, p.url, "").Post("/_fake/clock", map[string]any{"advance": "1h"})
			require.Equal(t, 200, res.Status, "%s", res.Body)
			res = api.Get(fmt.Sprintf("/v1/actions/%d", created.Action.ID))
			require.Equal(t, 200, res.Status, "%s", res.Body)
			assert.Equal(t, c.want, res.JSON()["action"].(map[string]any)["status"])
		})
	}
}

func TestAdminTokenFlagAndEnv(t *testing.T) {
	for _, c := range []struct {
		flagCase
		admin, other string
	}{
		{flagCase{name: "flag", args: []string{"--admin-token", "flag-admin"}}, "flag-admin", "env-admin"},
		{flagCase{name: "env", env: map[string]string{"FAKEHETZNER_ADMIN_TOKEN": "env-admin"}}, "env-admin", "flag-admin"},
		{flagCase{name: "flag wins", args: []string{"--admin-token", "flag-admin"},
			env: map[string]string{"FAKEHETZNER_ADMIN_TOKEN": "env-admin"}}, "flag-admin", "env-admin"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := c.start(t)
			res := apitest.New(t, p.url, "").Get("/_fake/state")
			assert.Equal(t, 401, res.Status, "no token: %s", res.Body)
			assert.Equal(t, "unauthorized", res.Error().Code)
			assert.Equal(t, 401, apitest.New(t, p.url, c.other).Get("/_fake/state").Status, "the other admin token")
			assert.Equal(t, 200, apitest.New(t, p.url, c.admin).Get("/_fake/state").Status, "the admin token")
		})
	}
	t.Run("unset", func(t *testing.T) {
		p := flagCase{name: "unset"}.start(t)
		assert.Equal(t, 200, apitest.New(t, p.url, "").Get("/_fake/state").Status, "an open control API")
	})
}

func TestLogLevelFlagAndEnv(t *testing.T) {
	for _, c := range []struct {
		flagCase
		lines int // access log lines for one request
	}{
		{flagCase{name: "default"}, 1},
		{flagCase{name: "flag warn", args: []string{"--log-level", "warn"}}, 0},
		{flagCase{name: "flag info", args: []string{"--log-level", "info"}}, 1},
		{flagCase{name: "env warn", env: map[string]string{"FAKEHETZNER_LOG_LEVEL": "warn"}}, 0},
		{flagCase{name: "flag wins", args: []string{"--log-level", "info"}, env: map[string]string{"FAKEHETZNER_LOG_LEVEL": "warn"}}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := c.start(t)
			const token = "log-level-secret-token"
			require.Equal(t, 200, apitest.New(t, p.url, token).Get("/v1/ssh_keys").Status)
			// After run returns every handler has ended, so the log is complete.
			require.NoError(t, p.stop(t))
			logs := p.logs.String()
			var access []string
			for _, line := range strings.Split(logs, "\n") {
				if strings.Contains(line, "msg=request") {
					access = append(access, line)
				}
			}
			require.Len(t, access, c.lines, "%s", logs)
			if c.lines == 1 {
				assert.Contains(t, access[0], "path=/v1/ssh_keys")
				assert.Contains(t, access[0], "status=200")
			}
			assert.NotContains(t, logs, token, "the token never reaches the log")
		})
	}
}
