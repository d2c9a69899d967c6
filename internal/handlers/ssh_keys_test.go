package handlers_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/fakehetzner/fakehetzner/internal/apitest"
	"github.com/fakehetzner/fakehetzner/testkit"
)

// newPublicKey returns a fresh authorized_keys line and its MD5 fingerprint as ssh-keygen -E md5 prints it.
func newPublicKey(t testing.TB) (string, string) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	key, err := ssh.NewPublicKey(pub)
	require.NoError(t, err)
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key))) + " user@host"
	return line, ssh.FingerprintLegacyMD5(key)
}

type sshKeyAnswer struct {
	SSHKey struct {
		ID          int64             `json:"id"`
		Name        string            `json:"name"`
		Fingerprint string            `json:"fingerprint"`
		PublicKey   string            `json:"public_key"`
		Labels      map[string]string `json:"labels"`
		Created     string            `json:"created"`
	} `json:"ssh_key"`
}

func TestSSHKeyLifecycle(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	pub, fp := newPublicKey(t)

	res := api.Post("/v1/ssh_keys", map[string]any{"name": "deploy", "public_key": pub, "labels": map[string]string{"env": "prod"}})
	require.Equal(t, 201, res.Status, string(res.Body))
	var created sshKeyAnswer
	res.Decode(&created)
	k := created.SSHKey
	assert.Positive(t, k.ID)
	assert.Equal(t, "deploy", k.Name)
	assert.Equal(t, fp, k.Fingerprint)
	assert.Regexp(t, `^([0-9a-f]{2}:){15}[0-9a-f]{2}$`, k.Fingerprint)
	assert.Equal(t, pub, k.PublicKey)
	assert.Equal(t, map[string]string{"env": "prod"}, k.Labels)
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, k.Created)

	var got sshKeyAnswer
	api.Get(fmt.Sprintf("/v1/ssh_keys/%d", k.ID)).Decode(&got)
	assert.Equal(t, k, got.SSHKey)

	byFP := api.Get("/v1/ssh_keys?fingerprint=" + fp).JSON()["ssh_keys"].([]any)
	require.Len(t, byFP, 1)

	res = api.Put(fmt.Sprintf("/v1/ssh_keys/%d", k.ID), map[string]any{"name": "renamed"})
	require.Equal(t, 200, res.Status)
	res.Decode(&got)
	assert.Equal(t, "renamed", got.SSHKey.Name)
	assert.Equal(t, map[string]string{"env": "prod"}, got.SSHKey.Labels, "omitted labels stay")

	res = api.Put(fmt.Sprintf("/v1/ssh_keys/%d", k.ID), map[string]any{"labels": map[string]string{}})
	require.Equal(t, 200, res.Status)
	var cleared sshKeyAnswer
	res.Decode(&cleared)
	assert.Equal(t, map[string]string{}, cleared.SSHKey.Labels, "labels are replaced as a whole")

	assert.Equal(t, 204, api.Delete(fmt.Sprintf("/v1/ssh_keys/%d", k.ID)).Status)
	assert.Equal(t, 404, api.Get(fmt.Sprintf("/v1/ssh_keys/%d", k.ID)).Status)
	assert.Equal(t, 404, api.Delete(fmt.Sprintf("/v1/ssh_keys/%d", k.ID)).Status)

	// ids are never reused
	pub2, _ := newPublicKey(t)
	res = api.Post("/v1/ssh_keys", map[string]any{"name": "deploy", "public_key": pub2})
	res.Decode(&got)
	assert.Greater(t, got.SSHKey.ID, k.ID)
}

func TestSSHKeyErrors(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	pub, _ := newPublicKey(t)
	other, _ := newPublicKey(t)
	require.Equal(t, 201, api.Post("/v1/ssh_keys", map[string]any{"name": "a", "public_key": pub}).Status)
	require.Equal(t, 201, api.Post("/v1/ssh_keys", map[string]any{"name": "b", "public_key": other}).Status)
	before := srv.Snapshot().Projects

	third, _ := newPublicKey(t)
	cases := []struct {
		name   string
		res    *apitest.Response
		status int
		code   string
		field  string
	}{
		{"duplicate name", api.Post("/v1/ssh_keys", map[string]any{"name": "a", "public_key": third}), 409, "uniqueness_error", "name"},
		{"duplicate key", api.Post("/v1/ssh_keys", map[string]any{"name": "c", "public_key": pub}), 409, "uniqueness_error", "public_key"},
		{"not a key", api.Post("/v1/ssh_keys", map[string]any{"name": "c", "public_key": "ssh-rsa AAAAnotbase64"}), 422, "invalid_input", "public_key"},
		{"empty name", api.Post("/v1/ssh_keys", map[string]any{"name": "", "public_key": third}), 422, "invalid_input", "name"},
		{"reserved label", api.Post("/v1/ssh_keys", map[string]any{"name": "c", "public_key": third, "labels": map[string]string{"hetzner.cloud/x": "y"}}), 422, "invalid_input", "labels"},
		{"bad label key", api.Post("/v1/ssh_keys", map[string]any{"name": "c", "public_key": third, "labels": map[string]string{"-bad": "y"}}), 422, "invalid_input", "labels"},
		{"bad label value", api.Post("/v1/ssh_keys", map[string]any{"name": "c", "public_key": third, "labels": map[string]string{"ok": "no spaces"}}), 422, "invalid_input", "labels.ok"},
		{"rename onto another", api.Put("/v1/ssh_keys/2", map[string]any{"name": "a"}), 409, "uniqueness_error", "name"},
		{"update unknown", api.Put("/v1/ssh_keys/999", map[string]any{"name": "z"}), 404, "not_found", ""},
	}
	for _, tc := range cases {
		require.Equal(t, tc.status, tc.res.Status, "%s: %s", tc.name, tc.res.Body)
		e := tc.res.Error()
		assert.Equal(t, tc.code, e.Code, tc.name)
		if tc.field != "" {
			assert.Equal(t, []string{tc.field}, e.FieldNames(), tc.name)
		}
	}
	assert.Equal(t, before, srv.Snapshot().Projects, "refused requests changed nothing")
}

func TestSSHKeyListSelectorsSortAndPages(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	tiers := []string{"web", "db", "cache", "web", "db", ""}
	for i, tier := range tiers {
		pub, _ := newPublicKey(t)
		labels := map[string]string{"env": "prod"}
		if tier != "" {
			labels["tier"] = tier
		}
		if i%2 == 1 {
			labels["env"] = "dev"
		}
		require.Equal(t, 201, api.Post("/v1/ssh_keys", map[string]any{"name": fmt.Sprintf("key-%d", i), "public_key": pub, "labels": labels}).Status)
	}
	names := func(path string) []string {
		var out []string
		for _, k := range api.Get(path).JSON()["ssh_keys"].([]any) {
			out = append(out, k.(map[string]any)["name"].(string))
		}
		return out
	}
	sel := func(s string) string {
		return "/v1/ssh_keys?label_selector=" + strings.NewReplacer(" ", "+", "=", "%3D", "!", "%21", ",", "%2C").Replace(s)
	}
	assert.Equal(t, []string{"key-0", "key-2", "key-4"}, names(sel("env=prod")))
	assert.Equal(t, []string{"key-1", "key-3", "key-5"}, names(sel("env==dev")))
	assert.Equal(t, []string{"key-1", "key-2", "key-4", "key-5"}, names(sel("tier!=web")), "absent keys match !=")
	assert.Equal(t, []string{"key-0", "key-1", "key-2", "key-3", "key-4"}, names(sel("tier")))
	assert.Equal(t, []string{"key-5"}, names(sel("!tier")))
	assert.Equal(t, []string{"key-0", "key-1", "key-3", "key-4"}, names(sel("tier in (web, db)")))
	assert.Equal(t, []string{"key-2", "key-5"}, names(sel("tier notin (web,db)")))
	assert.Equal(t, []string{"key-0"}, names(sel("env=prod,tier=web")))
	assert.Empty(t, names(sel("nothing=here")))

	assert.Equal(t, []string{"key-5", "key-4", "key-3", "key-2", "key-1", "key-0"}, names("/v1/ssh_keys?sort=name:desc"))
	assert.Equal(t, []string{"key-5", "key-4", "key-3", "key-2", "key-1", "key-0"}, names("/v1/ssh_keys?sort=id:desc"))

	res := api.Get("/v1/ssh_keys?per_page=4&page=2")
	assert.Equal(t, []string{"key-4", "key-5"}, func() []string {
		var out []string
		for _, k := range res.JSON()["ssh_keys"].([]any) {
			out = append(out, k.(map[string]any)["name"].(string))
		}
		return out
	}())
	assert.JSONEq(t, `{"page":2,"per_page":4,"previous_page":1,"next_page":null,"last_page":2,"total_entries":6}`,
		mustJSON(t, res.JSON()["meta"].(map[string]any)["pagination"]))
	assert.Contains(t, res.Header.Get("Link"), `rel="prev"`)
	assert.Contains(t, res.Header.Get("Link"), "page=1")

	res = api.Get("/v1/ssh_keys?per_page=4")
	assert.JSONEq(t, `{"page":1,"per_page":4,"previous_page":null,"next_page":2,"last_page":2,"total_entries":6}`,
		mustJSON(t, res.JSON()["meta"].(map[string]any)["pagination"]))
	assert.Contains(t, res.Header.Get("Link"), `rel="next"`)

	// per_page above the maximum is clamped to 50
	res = api.Get("/v1/ssh_keys?per_page=500")
	assert.EqualValues(t, 50, res.JSON()["meta"].(map[string]any)["pagination"].(map[string]any)["per_page"])
	// a page beyond the last is empty, with the totals right
	res = api.Get("/v1/ssh_keys?page=9")
	assert.Empty(t, res.JSON()["ssh_keys"])
	assert.JSONEq(t, `{"page":9,"per_page":25,"previous_page":8,"next_page":null,"last_page":1,"total_entries":6}`,
		mustJSON(t, res.JSON()["meta"].(map[string]any)["pagination"]))
}
