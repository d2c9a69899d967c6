package handlers_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/apitest"
	"github.com/fakehetzner/fakehetzner/testkit"
)

func namesOf(t *testing.T, res *apitest.Response, key string) []string {
	t.Helper()
	require.Equal(t, 200, res.Status, string(res.Body))
	var out []string
	for _, it := range res.JSON()[key].([]any) {
		name, _ := it.(map[string]any)["name"].(string)
		out = append(out, name)
	}
	return out
}

func TestCatalogListsAndGets(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	for _, tc := range []struct{ list, one, name string }{
		{"locations", "location", "hel1"},
		{"datacenters", "datacenter", "hel1-dc2"},
		{"server_types", "server_type", "cpx22"},
		{"load_balancer_types", "load_balancer_type", "lb11"},
		{"isos", "iso", ""},
	} {
		t.Run(tc.list, func(t *testing.T) {
			res := api.Get("/v1/" + tc.list)
			require.Equal(t, 200, res.Status)
			body := res.JSON()
			items := body[tc.list].([]any)
			require.NotEmpty(t, items)
			pag := body["meta"].(map[string]any)["pagination"].(map[string]any)
			assert.EqualValues(t, len(items), pag["total_entries"])

			first := items[0].(map[string]any)
			id := int64(first["id"].(float64))
			got := api.Get(fmt.Sprintf("/v1/%s/%d", tc.list, id)).JSON()[tc.one]
			assert.Equal(t, first, got)
			nf := api.Get(fmt.Sprintf("/v1/%s/%d", tc.list, 987654321))
			assert.Equal(t, 404, nf.Status)
			assert.Equal(t, "not_found", nf.Error().Code)

			if tc.name != "" {
				assert.Equal(t, []string{tc.name}, namesOf(t, api.Get("/v1/"+tc.list+"?name="+tc.name), tc.list))
				assert.Empty(t, namesOf(t, api.Get("/v1/"+tc.list+"?name=nope"), tc.list))
			}
		})
	}
	assert.Equal(t, []string{"ash", "fsn1", "hel1", "hil", "nbg1", "sin"}, namesOf(t, api.Get("/v1/locations?sort=name"), "locations"))
	assert.Equal(t, []string{"sin", "nbg1", "hil", "hel1", "fsn1", "ash"}, namesOf(t, api.Get("/v1/locations?sort=name:desc"), "locations"))
}

func TestServerTypeShowsAvailabilityPerLocation(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	types := api.Get("/v1/server_types?name=cpx22").JSON()["server_types"].([]any)
	require.Len(t, types, 1)
	st := types[0].(map[string]any)
	var hel1 map[string]any
	for _, l := range st["locations"].([]any) {
		if l.(map[string]any)["name"] == "hel1" {
			hel1 = l.(map[string]any)
		}
		assert.Contains(t, l, "available")
		assert.Contains(t, l, "recommended")
	}
	require.NotNil(t, hel1, "cpx22 is offered in hel1")
	assert.Equal(t, true, hel1["available"])
	assert.NotEmpty(t, st["prices"])
}

func TestDatacentersAreMarkedDeprecated(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	for _, path := range []string{"/v1/datacenters", "/v1/datacenters/3"} {
		res := api.Get(path)
		require.Equal(t, 200, res.Status, path)
		assert.Equal(t, "@1780358400", res.Header.Get("Deprecation"), path)
		assert.NotEmpty(t, res.Header.Get("Sunset"), path)
	}
	body := api.Get("/v1/datacenters").JSON()
	assert.Contains(t, body, "recommendation")
	dc := body["datacenters"].([]any)[0].(map[string]any)
	assert.NotEmpty(t, dc["server_types"].(map[string]any)["available"])
	assert.Empty(t, api.Get("/v1/locations").Header.Get("Deprecation"), "only deprecated endpoints are marked")
}

func TestImageFilters(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	images := func(query string) []map[string]any {
		res := api.Get("/v1/images?per_page=50&" + query)
		require.Equal(t, 200, res.Status, string(res.Body))
		var out []map[string]any
		for _, i := range res.JSON()["images"].([]any) {
			out = append(out, i.(map[string]any))
		}
		return out
	}
	ubuntu := images("name=ubuntu-24.04")
	require.Len(t, ubuntu, 2, "one per architecture")
	arches := []string{ubuntu[0]["architecture"].(string), ubuntu[1]["architecture"].(string)}
	assert.ElementsMatch(t, []string{"x86", "arm"}, arches)
	arm := images("name=ubuntu-24.04&architecture=arm")
	require.Len(t, arm, 1)
	assert.Equal(t, "arm", arm[0]["architecture"])

	for _, i := range images("type=app") {
		assert.Equal(t, "app", i["type"])
	}
	assert.NotEmpty(t, images("type=app"))
	for _, i := range images("") {
		assert.Nil(t, i["deprecation"], "deprecated images are hidden by default: %v", i["name"])
	}
	withDeprecated := images("include_deprecated=true&type=system")
	deprecated := 0
	for _, i := range withDeprecated {
		if i["deprecation"] != nil {
			deprecated++
			assert.Equal(t, i["deprecation"].(map[string]any)["announced"], i["deprecated"])
		}
	}
	assert.Positive(t, deprecated)
	assert.Empty(t, images("type=snapshot"))
	res := api.Get("/v1/images?type=nonsense")
	assert.Equal(t, 422, res.Status)
	assert.Equal(t, []string{"type"}, res.Error().FieldNames())
}

func TestPricing(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	p := api.Get("/v1/pricing").JSON()["pricing"].(map[string]any)
	assert.Equal(t, "EUR", p["currency"])
	st := p["server_types"].([]any)
	require.NotEmpty(t, st)
	price := st[0].(map[string]any)["prices"].([]any)[0].(map[string]any)["price_hourly"].(map[string]any)
	assert.Regexp(t, `^\d+\.\d+$`, price["net"], "amounts are decimal strings")
}

func TestCatalogAnswersAreReplayedFaithfully(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	first := api.Get("/v1/datacenters?per_page=2&page=2")
	second := api.Get("/v1/datacenters?per_page=2&page=2")
	require.Equal(t, 200, second.Status)
	assert.Equal(t, first.Body, second.Body)
	assert.Equal(t, "application/json", second.Header.Get("Content-Type"))
	assert.Equal(t, first.Header.Values("Link"), second.Header.Values("Link"))
	assert.Contains(t, second.Header.Get("Link"), srv.BaseURL[len("http://"):], "links are absolute for the host asked")
	assert.NotEmpty(t, second.Header.Get("Deprecation"))
	assert.NotEqual(t, first.Header.Get("X-Correlation-Id"), second.Header.Get("X-Correlation-Id"))

	other := api.Get("/v1/datacenters?per_page=2&page=2", "Host: fake.example:8080")
	assert.Equal(t, first.Body, other.Body)
	assert.Contains(t, other.Header.Get("Link"), "http://fake.example:8080/v1/datacenters")

	// errors are never replayed: a bad query still answers 422, and an unknown id 404, each time
	for range 2 {
		assert.Equal(t, 422, api.Get("/v1/locations?sort=bogus").Status)
		assert.Equal(t, 404, api.Get("/v1/locations/999").Status)
	}
}

func TestDatacentersCanBeSwitchedToTheAnnouncedRemoval(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	require.Equal(t, 200, api.Get("/v1/datacenters").Status) // also fills the answer cache
	res := api.Do("PATCH", "/_fake/config", map[string]any{"datacenters_removed": true})
	require.Equal(t, 200, res.Status, string(res.Body))
	assert.Equal(t, true, res.JSON()["datacenters_removed"])
	for _, path := range []string{"/v1/datacenters", "/v1/datacenters/3"} {
		res := api.Get(path)
		assert.Equal(t, 410, res.Status, path)
		assert.Equal(t, "deprecated_api_endpoint", res.Error().Code)
		assert.Contains(t, string(res.Body), "2026-06-02-datacenters-deprecated")
	}
	assert.Equal(t, 200, api.Get("/v1/locations").Status, "locations replace them")
	api.Do("PATCH", "/_fake/config", map[string]any{"datacenters_removed": false})
	assert.Equal(t, 200, api.Get("/v1/datacenters").Status)
}
