package sdk_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner"
	"github.com/fakehetzner/fakehetzner/internal/sdk"
)

func TestCatalog(t *testing.T) {
	ctx := context.Background()
	_, client, rec := newClient(t, nil)
	cloud := client.Cloud()

	t.Run("locations", func(t *testing.T) {
		var names []string
		for l, err := range cloud.Locations().All(ctx, sdk.LocationListOpts{Sort: []string{"name"}}) {
			require.NoError(t, err)
			names = append(names, l.Name)
		}
		assert.True(t, sort.StringsAreSorted(names))
		assert.Subset(t, names, []string{"fsn1", "nbg1", "hel1", "ash", "hil", "sin"})
		hel, _, err := cloud.Locations().List(ctx, sdk.LocationListOpts{Name: "hel1"})
		require.NoError(t, err)
		require.Len(t, hel, 1)
		assert.Equal(t, "eu-central", hel[0].NetworkZone)
		got, err := cloud.Locations().Get(ctx, hel[0].ID)
		require.NoError(t, err)
		assert.Equal(t, hel[0], got)
	})
	t.Run("datacenters (deprecated)", func(t *testing.T) {
		dcs, pg, err := cloud.Datacenters().List(ctx, sdk.DatacenterListOpts{Name: "hel1-dc2"}) //nolint:staticcheck // the deprecated API is still served
		require.NoError(t, err)
		require.Len(t, dcs, 1)
		assert.Equal(t, 1, pg.TotalEntries)
		assert.Equal(t, "hel1", dcs[0].Location.Name)
		assert.NotEmpty(t, dcs[0].ServerTypes.Supported)
		got, err := cloud.Datacenters().Get(ctx, dcs[0].ID)
		require.NoError(t, err)
		assert.Equal(t, dcs[0].Name, got.Name)
		n := 0
		for _, err := range cloud.Datacenters().All(ctx, sdk.DatacenterListOpts{}) {
			require.NoError(t, err)
			n++
		}
		assert.Greater(t, n, 1)
	})
	t.Run("server types", func(t *testing.T) {
		cpx, _, err := cloud.ServerTypes().List(ctx, sdk.ServerTypeListOpts{Name: "cpx22"})
		require.NoError(t, err)
		require.Len(t, cpx, 1)
		st := cpx[0]
		assert.Equal(t, sdk.ArchitectureX86, st.Architecture)
		assert.NotEmpty(t, st.Prices)
		assert.NotEmpty(t, st.Prices[0].PriceHourly.Gross)
		assert.NotEmpty(t, st.Locations)
		got, err := cloud.ServerTypes().Get(ctx, st.ID)
		require.NoError(t, err)
		assert.Equal(t, st.Name, got.Name)
		n := 0
		for _, err := range cloud.ServerTypes().All(ctx, sdk.ServerTypeListOpts{PerPage: 5}) {
			require.NoError(t, err)
			n++
		}
		assert.Greater(t, n, 5, "more than one page")
	})
	t.Run("load balancer types", func(t *testing.T) {
		lbs, _, err := cloud.LoadBalancerTypes().List(ctx, sdk.LoadBalancerTypeListOpts{Name: "lb11"})
		require.NoError(t, err)
		require.Len(t, lbs, 1)
		assert.EqualValues(t, 5, lbs[0].MaxServices)
		got, err := cloud.LoadBalancerTypes().Get(ctx, lbs[0].ID)
		require.NoError(t, err)
		assert.Equal(t, "lb11", got.Name)
		for _, err := range cloud.LoadBalancerTypes().All(ctx, sdk.LoadBalancerTypeListOpts{}) {
			require.NoError(t, err)
		}
	})
	t.Run("isos", func(t *testing.T) {
		var arm, any int
		for iso, err := range cloud.ISOs().All(ctx, sdk.ISOListOpts{Architecture: sdk.ArchitectureARM, IncludeArchitectureWildcard: true}) {
			require.NoError(t, err)
			if iso.Architecture == nil {
				any++
			} else {
				assert.Equal(t, sdk.ArchitectureARM, *iso.Architecture)
				arm++
			}
		}
		assert.Positive(t, arm+any)
		isos, _, err := cloud.ISOs().List(ctx, sdk.ISOListOpts{PerPage: 1})
		require.NoError(t, err)
		got, err := cloud.ISOs().Get(ctx, isos[0].ID)
		require.NoError(t, err)
		assert.Equal(t, isos[0], got)
	})
	t.Run("images", func(t *testing.T) {
		ubuntu, _, err := cloud.Images().List(ctx, sdk.ImageListOpts{Name: "ubuntu-24.04", Architecture: sdk.ArchitectureX86,
			Types: []sdk.ImageType{sdk.ImageTypeSystem}, Statuses: []sdk.ImageStatus{sdk.ImageStatusAvailable}, IncludeDeprecated: true})
		require.NoError(t, err)
		require.Len(t, ubuntu, 1)
		assert.Equal(t, "ubuntu", ubuntu[0].OSFlavor)
		got, err := cloud.Images().Get(ctx, ubuntu[0].ID)
		require.NoError(t, err)
		assert.Equal(t, ubuntu[0].ID, got.ID)
		last := rec.seen("/images")
		q, _ := url.ParseQuery(last[len(last)-1].RawQuery)
		assert.Equal(t, "true", q.Get("include_deprecated"))
		assert.Equal(t, []string{"system"}, q["type"])
		for _, err := range cloud.Images().All(ctx, sdk.ImageListOpts{BoundTo: []int64{1}}) {
			require.NoError(t, err)
		}
	})
	t.Run("pricing", func(t *testing.T) {
		p, err := cloud.Pricing().Get(ctx)
		require.NoError(t, err)
		assert.Equal(t, "EUR", p.Currency)
		assert.NotEmpty(t, p.VATRate)
		assert.NotEmpty(t, p.ServerTypes)
		assert.NotEmpty(t, p.PrimaryIPs)
		assert.NotEmpty(t, p.Image.PricePerGBMonth.Net)
	})
}

func TestCallReachesEveryOperationByID(t *testing.T) {
	ctx := context.Background()
	srv, client, rec := newClient(t, nil)
	cloud := client.Cloud()

	var one struct {
		Location sdk.Location `json:"location"`
	}
	require.NoError(t, cloud.Call(ctx, "get_location", sdk.Params{"id": 1}, nil, &one))
	want, err := cloud.Locations().Get(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, want, one.Location)

	// Non-path params go into the query; slices repeat.
	k := srv.CreateSSHKey(t, "k", publicKey(t, 1), map[string]string{"env": "prod"})
	var list struct {
		SSHKeys []sdk.SSHKey    `json:"ssh_keys"`
		Meta    json.RawMessage `json:"meta"`
	}
	require.NoError(t, cloud.Call(ctx, "list_ssh_keys", sdk.Params{"label_selector": sdk.Selector().Eq("env", "prod"), "sort": []string{"name", "id"}}, nil, &list))
	require.Len(t, list.SSHKeys, 1)
	assert.Equal(t, k.ID, list.SSHKeys[0].ID)
	last := rec.seen("/ssh_keys")
	q, _ := url.ParseQuery(last[len(last)-1].RawQuery)
	assert.Equal(t, []string{"name", "id"}, q["sort"])
	assert.Equal(t, "env=prod", q.Get("label_selector"))

	// A body is JSON-encoded; the answer can stay raw.
	var raw []byte
	require.NoError(t, cloud.Call(ctx, "replace_ssh_key", sdk.Params{"id": k.ID}, map[string]string{"name": "renamed"}, &raw))
	assert.Contains(t, string(raw), `"name":"renamed"`)
	var text string
	require.NoError(t, cloud.Call(ctx, "get_multiple_actions", sdk.Params{"id": []int64{1, 2}}, nil, &text))
	assert.True(t, strings.HasPrefix(text, `{"actions":`), text)

	// Errors and retries work as for the facades.
	err = cloud.Call(ctx, "get_ssh_key", sdk.Params{"id": 999999}, nil, nil)
	assert.ErrorIs(t, err, sdk.ErrNotFound)
	require.NoError(t, cloud.Call(ctx, "delete_ssh_key", sdk.Params{"id": k.ID}, nil, nil))

	// Mistakes are caught before anything is sent.
	before := len(rec.seen(""))
	assert.ErrorContains(t, cloud.Call(ctx, "get_ssh_key", nil, nil, nil), `missing path parameter "id"`)
	assert.ErrorContains(t, cloud.Call(ctx, "no_such_operation", nil, nil, nil), "unknown operation")
	assert.ErrorContains(t, cloud.Call(ctx, "fake_reset", nil, nil, nil), "unknown operation", "the fake's own API is not the Cloud API")
	assert.Len(t, rec.seen(""), before)

	op, ok := cloud.Operation("get_rrset")
	require.True(t, ok)
	assert.Equal(t, sdk.Operation{ID: "get_rrset", Method: "GET", Path: "/zones/{id_or_name}/rrsets/{rr_name}/{rr_type}"}, op)
}

// The SDK's operation table is generated from openapi.json; it must list exactly the Cloud and
// legacy DNS operations the fake serves. When this fails, run: go generate ./internal/sdk
func TestOperationTableMatchesOpenAPI(t *testing.T) {
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(fakehetzner.OpenAPI, &spec))
	var cloudIDs, dnsIDs []string
	for path, item := range spec.Paths {
		for method, raw := range item {
			var op struct {
				OperationID string `json:"operationId"`
			}
			if json.Unmarshal(raw, &op) != nil || op.OperationID == "" {
				continue
			}
			if strings.HasPrefix(path, "/api/v1/") {
				dnsIDs = append(dnsIDs, op.OperationID)
			}
			if rel, ok := strings.CutPrefix(path, "/v1"); ok {
				cloudIDs = append(cloudIDs, op.OperationID)
				got, found := sdk.New("").Cloud().Operation(op.OperationID)
				if assert.True(t, found, "%s missing: run go generate ./internal/sdk", op.OperationID) {
					assert.Equal(t, strings.ToUpper(method), got.Method, op.OperationID)
					assert.Equal(t, rel, got.Path, op.OperationID)
				}
			}
		}
	}
	slices.Sort(cloudIDs)
	assert.Equal(t, cloudIDs, sdk.New("").Cloud().Operations(), "stale table: run go generate ./internal/sdk")
	slices.Sort(dnsIDs)
	assert.Equal(t, dnsIDs, sdk.New("").DNS().Operations(), "stale table: run go generate ./internal/sdk") //nolint:staticcheck // checks the legacy table
}
