package handlers_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/apitest"
	"github.com/fakehetzner/fakehetzner/testkit"
)

func TestProjectLimitAnswersResourceLimitExceeded(t *testing.T) {
	srv := testkit.New(t, testkit.WithLimits(map[string]int{"ssh_keys": 1}), testkit.WithTimeSource(ctlTime))
	client := hcloud.NewClient(hcloud.WithEndpoint(srv.URL), hcloud.WithToken(srv.Token))
	_, _, err := client.SSHKey.Create(context.Background(), hcloud.SSHKeyCreateOpts{Name: "a", PublicKey: ctlKey(t)})
	require.NoError(t, err)
	before := ctlState(t, srv)

	res := ctlCall(t, srv, "POST", "/v1/ssh_keys", srv.Token, map[string]any{"name": "b", "public_key": ctlKey(t)})
	require.Equal(t, 403, res.Status)
	e := res.err(t)
	assert.Equal(t, "resource_limit_exceeded", e.Code)
	assert.Equal(t, "SSH key limit exceeded", e.Message)
	assert.JSONEq(t, `{"limits":[{"name":"project_limit"}]}`, string(e.Details))
	assert.Equal(t, string(before), string(ctlState(t, srv)), "a refused create changes nothing")

	_, _, err = client.SSHKey.Create(context.Background(), hcloud.SSHKeyCreateOpts{Name: "b", PublicKey: ctlKey(t)})
	assert.True(t, hcloud.IsError(err, hcloud.ErrorCodeResourceLimitExceeded), "%v", err)

	// Raised at run time, the same create succeeds.
	srv.SetLimits(t, map[string]int{"ssh_keys": 2})
	_, _, err = client.SSHKey.Create(context.Background(), hcloud.SSHKeyCreateOpts{Name: "b", PublicKey: ctlKey(t)})
	require.NoError(t, err)
}

func TestConfigLimits(t *testing.T) {
	srv := testkit.New(t)
	var cfg struct {
		Limits map[string]int `json:"limits"`
	}
	res := ctlCall(t, srv, "GET", "/_fake/config", "", nil)
	require.Equal(t, 200, res.Status)
	require.NoError(t, json.Unmarshal(res.Body, &cfg))
	assert.Equal(t, 1000, cfg.Limits["servers"], "generous by default")

	res = ctlCall(t, srv, "PATCH", "/_fake/config", "", `{"limits":{"servers":5}}`)
	require.Equal(t, 200, res.Status, "%s", res.Body)
	require.NoError(t, json.Unmarshal(res.Body, &cfg))
	assert.Equal(t, 5, cfg.Limits["servers"])
	assert.Equal(t, 1000, cfg.Limits["ssh_keys"], "other limits stay")

	for _, bad := range []string{`{"limits":{"gizmos":1}}`, `{"limits":{"servers":-1}}`, `{"limits":{"servers":"x"}}`,
		`{"limits":{"servers":1},"action_duration":"soon"}`} {
		res = ctlCall(t, srv, "PATCH", "/_fake/config", "", bad)
		assert.Equal(t, 422, res.Status, bad)
		assert.Equal(t, "invalid_input", res.err(t).Code)
	}
	res = ctlCall(t, srv, "GET", "/_fake/config", "", nil)
	require.NoError(t, json.Unmarshal(res.Body, &cfg))
	assert.Equal(t, 5, cfg.Limits["servers"], "invalid patches change nothing")
}

func TestEveryCreateRespectsItsLimit(t *testing.T) {
	creates := map[string]struct {
		path string
		body map[string]any
	}{
		"servers":          {"/v1/servers", map[string]any{"name": "web", "server_type": "cpx22", "image": "ubuntu-24.04", "location": "fsn1"}},
		"primary_ips":      {"/v1/primary_ips", map[string]any{"name": "ip", "type": "ipv4", "location": "fsn1"}},
		"floating_ips":     {"/v1/floating_ips", map[string]any{"type": "ipv4", "home_location": "fsn1"}},
		"placement_groups": {"/v1/placement_groups", map[string]any{"name": "pg", "type": "spread"}},
		"networks":         {"/v1/networks", map[string]any{"name": "net", "ip_range": "10.0.0.0/16"}},
		"volumes":          {"/v1/volumes", map[string]any{"name": "vol", "size": 10, "location": "fsn1"}},
		"zones":            {"/v1/zones", map[string]any{"name": "example.com", "mode": "primary"}},
		"ssh_keys":         {"/v1/ssh_keys", map[string]any{"name": "k", "public_key": testPublicKey}},
		"certificates":     {"/v1/certificates", map[string]any{"name": "c", "type": "managed", "domain_names": []string{"example.com"}}},
		"firewalls":        {"/v1/firewalls", map[string]any{"name": "fw"}},
		"load_balancers":   {"/v1/load_balancers", map[string]any{"name": "lb", "load_balancer_type": "lb11", "location": "fsn1"}},
	}
	for kind, create := range creates {
		t.Run(kind, func(t *testing.T) {
			srv := testkit.New(t, testkit.WithLimits(map[string]int{kind: 0}))
			api := apitest.New(t, srv.BaseURL, srv.Token)
			res := api.Post(create.path, create.body)
			require.Equal(t, 403, res.Status, string(res.Body))
			assert.Equal(t, "resource_limit_exceeded", res.Error().Code)

			srv.SetLimits(t, map[string]int{kind: 1})
			res = api.Post(create.path, create.body)
			assert.Equal(t, 201, res.Status, "under the limit: %s", res.Body)
		})
	}
}
