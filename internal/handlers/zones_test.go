package handlers_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/apitest"
	"github.com/fakehetzner/fakehetzner/testkit"
)

type zoneBody struct {
	ID                 int64             `json:"id"`
	Name               string            `json:"name"`
	Created            string            `json:"created"`
	Mode               string            `json:"mode"`
	TTL                int               `json:"ttl"`
	Labels             map[string]string `json:"labels"`
	Protection         map[string]bool   `json:"protection"`
	PrimaryNameservers []map[string]any  `json:"primary_nameservers"`
	AuthNS             struct {
		Assigned            []string `json:"assigned"`
		Delegated           []string `json:"delegated"`
		DelegationLastCheck string   `json:"delegation_last_check"`
		DelegationStatus    string   `json:"delegation_status"`
	} `json:"authoritative_nameservers"`
	Registrar   string `json:"registrar"`
	Status      string `json:"status"`
	RecordCount int    `json:"record_count"`
}

type zoneActionBody struct {
	ID        int64  `json:"id"`
	Command   string `json:"command"`
	Status    string `json:"status"`
	Resources []struct {
		ID   int64  `json:"id"`
		Type string `json:"type"`
	} `json:"resources"`
}

type recordBody struct {
	Value   string `json:"value"`
	Comment string `json:"comment"`
}

type rrsetBody struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	TTL        *int              `json:"ttl"`
	Labels     map[string]string `json:"labels"`
	Protection map[string]bool   `json:"protection"`
	Records    []recordBody      `json:"records"`
	Zone       int64             `json:"zone"`
}

var hetznerNS = []string{"hydrogen.ns.hetzner.com.", "oxygen.ns.hetzner.com.", "helium.ns.hetzner.de."}

func createZone(t *testing.T, api *apitest.Client, body map[string]any) (zoneBody, zoneActionBody) {
	t.Helper()
	res := api.Post("/v1/zones", body)
	require.Equal(t, 201, res.Status, string(res.Body))
	var out struct {
		Zone   zoneBody       `json:"zone"`
		Action zoneActionBody `json:"action"`
	}
	res.Decode(&out)
	return out.Zone, out.Action
}

func getZone(t *testing.T, api *apitest.Client, idOrName string) zoneBody {
	t.Helper()
	res := api.Get("/v1/zones/" + idOrName)
	require.Equal(t, 200, res.Status, string(res.Body))
	var out struct {
		Zone zoneBody `json:"zone"`
	}
	res.Decode(&out)
	return out.Zone
}

func getRRSet(t *testing.T, api *apitest.Client, zone, name, typ string) rrsetBody {
	t.Helper()
	res := api.Get(fmt.Sprintf("/v1/zones/%s/rrsets/%s/%s", zone, name, typ))
	require.Equal(t, 200, res.Status, string(res.Body))
	var out struct {
		RRSet rrsetBody `json:"rrset"`
	}
	res.Decode(&out)
	return out.RRSet
}

func listRRSets(t *testing.T, api *apitest.Client, path string) ([]rrsetBody, map[string]any) {
	t.Helper()
	res := api.Get(path)
	require.Equal(t, 200, res.Status, string(res.Body))
	var out struct {
		RRSets []rrsetBody `json:"rrsets"`
		Meta   struct {
			Pagination map[string]any `json:"pagination"`
		} `json:"meta"`
	}
	res.Decode(&out)
	return out.RRSets, out.Meta.Pagination
}

func rrsetIDs(sets []rrsetBody) []string {
	out := make([]string, len(sets))
	for i, s := range sets {
		out[i] = s.ID
	}
	return out
}

func requireZoneError(t *testing.T, res *apitest.Response, status int, code string) apitest.APIError {
	t.Helper()
	require.Equal(t, status, res.Status, string(res.Body))
	e := res.Error()
	require.Equal(t, code, e.Code, string(res.Body))
	return e
}

func TestZoneLifecycle(t *testing.T) {
	srv := testkit.New(t, testkit.WithActionDuration(2*time.Second))
	api := apitest.New(t, srv.BaseURL, srv.Token)

	z, act := createZone(t, api, map[string]any{"name": "example.com", "mode": "primary", "ttl": 600, "labels": map[string]string{"env": "test"}})
	assert.Positive(t, z.ID)
	assert.Equal(t, "example.com", z.Name)
	assert.Equal(t, "primary", z.Mode)
	assert.Equal(t, 600, z.TTL)
	assert.Equal(t, map[string]string{"env": "test"}, z.Labels)
	assert.Equal(t, map[string]bool{"delete": false}, z.Protection)
	assert.Equal(t, []map[string]any{}, z.PrimaryNameservers)
	assert.Empty(t, z.AuthNS.Assigned, "nameservers are assigned when create_zone finishes")
	assert.Equal(t, []string{}, z.AuthNS.Delegated)
	assert.Equal(t, "unknown", z.AuthNS.DelegationStatus)
	assert.NotEmpty(t, z.AuthNS.DelegationLastCheck)
	assert.Equal(t, "ok", z.Status)
	assert.Equal(t, "other", z.Registrar)
	assert.Equal(t, 4, z.RecordCount, "SOA and three NS records")
	assert.Equal(t, "create_zone", act.Command)
	assert.Equal(t, "running", act.Status)
	require.Len(t, act.Resources, 1)
	assert.Equal(t, z.ID, act.Resources[0].ID)
	assert.Equal(t, "zone", act.Resources[0].Type)

	// Terraform changes protection at once, without waiting for create_zone.
	res := api.Post(fmt.Sprintf("/v1/zones/%d/actions/change_protection", z.ID), map[string]any{"delete": true})
	require.Equal(t, 201, res.Status, string(res.Body))

	srv.AdvanceClock(2 * time.Second)
	byName := getZone(t, api, "example.com")
	assert.Equal(t, hetznerNS, byName.AuthNS.Assigned)
	assert.Equal(t, map[string]bool{"delete": true}, byName.Protection)
	assert.Equal(t, byName, getZone(t, api, fmt.Sprint(z.ID)))

	requireZoneError(t, api.Delete("/v1/zones/example.com"), 423, "protected")
	require.Equal(t, 201, api.Post("/v1/zones/example.com/actions/change_protection", map[string]any{"delete": false}).Status)

	res = api.Put("/v1/zones/example.com", map[string]any{"labels": map[string]string{"team": "dns"}})
	require.Equal(t, 200, res.Status, string(res.Body))
	assert.Equal(t, map[string]string{"team": "dns"}, getZone(t, api, "example.com").Labels)
	requireZoneError(t, api.Put("/v1/zones/example.com", map[string]any{"name": "other.com"}), 422, "invalid_input")

	res = api.Post("/v1/zones/example.com/actions/change_ttl", map[string]any{"ttl": 7200})
	require.Equal(t, 201, res.Status, string(res.Body))
	assert.Equal(t, 7200, getZone(t, api, "example.com").TTL)
	requireZoneError(t, api.Post("/v1/zones/example.com/actions/change_ttl", map[string]any{"ttl": 59}), 422, "invalid_input")

	res = api.Delete("/v1/zones/example.com")
	require.Equal(t, 201, res.Status, string(res.Body))
	var del struct {
		Action zoneActionBody `json:"action"`
	}
	res.Decode(&del)
	assert.Equal(t, "delete_zone", del.Action.Command)
	requireZoneError(t, api.Get("/v1/zones/example.com"), 404, "not_found")
	requireZoneError(t, api.Get(fmt.Sprintf("/v1/zones/%d", z.ID)), 404, "not_found")
	// The action of a deleted zone stays pollable.
	require.Equal(t, 200, api.Get(fmt.Sprintf("/v1/actions/%d", del.Action.ID)).Status)
}

func TestZoneList(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	createZone(t, api, map[string]any{"name": "b-example.com", "mode": "primary", "labels": map[string]string{"env": "prod"}})
	createZone(t, api, map[string]any{"name": "a-example.de", "mode": "primary", "labels": map[string]string{"env": "test"}})
	createZone(t, api, map[string]any{"name": "c-example.co.uk", "mode": "secondary",
		"primary_nameservers": []map[string]any{{"address": "198.51.100.1"}}})

	names := func(path string) []string {
		res := api.Get(path)
		require.Equal(t, 200, res.Status, string(res.Body))
		var out struct {
			Zones []zoneBody `json:"zones"`
		}
		res.Decode(&out)
		var n []string
		for _, z := range out.Zones {
			n = append(n, z.Name)
		}
		return n
	}
	assert.Equal(t, []string{"b-example.com", "a-example.de", "c-example.co.uk"}, names("/v1/zones"))
	assert.Equal(t, []string{"a-example.de"}, names("/v1/zones?name=a-example.de"))
	assert.Empty(t, names("/v1/zones?name=a-example"))
	assert.Equal(t, []string{"c-example.co.uk"}, names("/v1/zones?mode=secondary"))
	assert.Equal(t, []string{"b-example.com"}, names("/v1/zones?label_selector=env%3Dprod"))
	assert.Equal(t, []string{"c-example.co.uk", "b-example.com", "a-example.de"}, names("/v1/zones?sort=name:desc"))
	assert.Equal(t, []string{"a-example.de"}, names("/v1/zones?sort=name&per_page=1"))
	assert.Equal(t, []string{"b-example.com"}, names("/v1/zones?sort=name&per_page=1&page=2"))
	requireZoneError(t, api.Get("/v1/zones?mode=tertiary"), 422, "invalid_input")
	requireZoneError(t, api.Get("/v1/zones?sort=ttl"), 422, "invalid_input")
}

func TestZoneCreateErrors(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	createZone(t, api, map[string]any{"name": "example.com", "mode": "primary"})

	e := requireZoneError(t, api.Post("/v1/zones", map[string]any{"name": "example.com", "mode": "primary"}), 409, "uniqueness_error")
	assert.Equal(t, []string{"name"}, e.FieldNames())
	for _, name := range []string{"www.example.org", "Example.org", "example.org.", "example.invalidtld", "exa_mple.org", "-x.org", "com", ""} {
		e := requireZoneError(t, api.Post("/v1/zones", map[string]any{"name": name, "mode": "primary"}), 422, "invalid_input")
		assert.Equal(t, []string{"name"}, e.FieldNames(), name)
	}
	for _, name := range []string{"example.co.uk", "xn--mnchen-3ya.de", "example.github.io"} {
		createZone(t, api, map[string]any{"name": name, "mode": "primary"})
	}
	for field, body := range map[string]map[string]any{
		"mode":                          {"name": "x1.org", "mode": "tertiary"},
		"ttl":                           {"name": "x2.org", "mode": "primary", "ttl": 30},
		"labels":                        {"name": "x3.org", "mode": "primary", "labels": map[string]string{"hetzner.cloud/x": "y"}},
		"primary_nameservers":           {"name": "x4.org", "mode": "secondary"},
		"rrsets":                        {"name": "x5.org", "mode": "primary", "zonefile": "a IN A 192.0.2.1\n", "rrsets": []map[string]any{{"name": "b", "type": "A", "records": []map[string]string{{"value": "192.0.2.2"}}}}},
		"primary_nameservers.0.address": {"name": "x6.org", "mode": "secondary", "primary_nameservers": []map[string]any{{"address": "ns1.example.org"}}},
		"zonefile":                      {"name": "x7.org", "mode": "primary", "zonefile": "a IN A 192.0.2\n"},
		"rrsets.0.type":                 {"name": "x8.org", "mode": "primary", "rrsets": []map[string]any{{"name": "b", "type": "SOA", "records": []map[string]string{{"value": "a. b. 1 2 3 4 5"}}}}},
		"unknown":                       {"name": "x9.org", "mode": "primary", "unknown": true},
	} {
		e := requireZoneError(t, api.Post("/v1/zones", body), 422, "invalid_input")
		assert.Contains(t, e.FieldNames(), field, "%v", body)
	}
	res := api.Get("/v1/zones?name=x7.org")
	assert.Contains(t, string(res.Body), `"zones":[]`, "a refused create leaves nothing behind")
}

func TestZoneCreateWithRRSetsAndZonefile(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	z, _ := createZone(t, api, map[string]any{"name": "example.com", "mode": "primary", "rrsets": []map[string]any{
		{"name": "www", "type": "A", "ttl": 300, "labels": map[string]string{"k": "v"}, "records": []map[string]string{{"value": "198.51.100.1", "comment": "web"}}},
	}})
	assert.Equal(t, 5, z.RecordCount)
	www := getRRSet(t, api, "example.com", "www", "A")
	assert.Equal(t, rrsetBody{ID: "www/A", Name: "www", Type: "A", TTL: zptr(300), Labels: map[string]string{"k": "v"},
		Protection: map[string]bool{"change": false}, Records: []recordBody{{"198.51.100.1", "web"}}, Zone: z.ID}, www)

	// The create example imports a file with only an A record: SOA and NS stay automatic.
	z2, _ := createZone(t, api, map[string]any{"name": "example.org", "mode": "primary", "zonefile": "$TTL 1800\nwww IN A 198.51.100.2\n"})
	assert.Equal(t, 1800, z2.TTL)
	assert.Equal(t, 5, z2.RecordCount)
	sets, _ := listRRSets(t, api, "/v1/zones/example.org/rrsets")
	assert.Equal(t, []string{"@/NS", "@/SOA", "www/A"}, rrsetIDs(sets))
}

func zptr[T any](v T) *T { return &v }

func TestSecondaryZone(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	z, _ := createZone(t, api, map[string]any{"name": "example.com", "mode": "secondary",
		"rrsets":              []map[string]any{{"name": "www", "type": "A", "records": []map[string]string{{"value": "198.51.100.1"}}}},
		"primary_nameservers": []map[string]any{{"address": "198.51.100.1"}, {"address": "2001:db8::53", "port": 5353, "tsig_algorithm": "hmac-sha256", "tsig_key": "c2VjcmV0"}}})
	assert.Equal(t, 0, z.RecordCount, "rrsets are ignored for secondary zones")
	assert.Equal(t, []map[string]any{{"address": "198.51.100.1", "port": float64(53)},
		{"address": "2001:db8::53", "port": float64(5353), "tsig_algorithm": "hmac-sha256", "tsig_key": "c2VjcmV0"}}, z.PrimaryNameservers)

	for _, res := range []*apitest.Response{
		api.Get("/v1/zones/example.com/rrsets"),
		api.Get("/v1/zones/example.com/rrsets/www/A"),
		api.Post("/v1/zones/example.com/rrsets", map[string]any{"name": "www", "type": "A", "records": []map[string]string{{"value": "198.51.100.1"}}}),
		api.Put("/v1/zones/example.com/rrsets/www/A", map[string]any{"labels": map[string]string{}}),
		api.Delete("/v1/zones/example.com/rrsets/www/A"),
		api.Post("/v1/zones/example.com/rrsets/www/A/actions/add_records", map[string]any{"records": []map[string]string{{"value": "198.51.100.1"}}}),
		api.Post("/v1/zones/example.com/rrsets/www/A/actions/remove_records", map[string]any{"records": []map[string]string{{"value": "198.51.100.1"}}}),
		api.Post("/v1/zones/example.com/rrsets/www/A/actions/set_records", map[string]any{"records": []map[string]string{{"value": "198.51.100.1"}}}),
		api.Post("/v1/zones/example.com/rrsets/www/A/actions/update_records", map[string]any{"records": []map[string]string{{"value": "198.51.100.1", "comment": ""}}}),
		api.Post("/v1/zones/example.com/rrsets/www/A/actions/change_ttl", map[string]any{"ttl": nil}),
		api.Post("/v1/zones/example.com/rrsets/www/A/actions/change_protection", map[string]any{"change": true}),
		api.Get("/v1/zones/example.com/zonefile"),
		api.Post("/v1/zones/example.com/actions/import_zonefile", map[string]any{"zonefile": "a IN A 192.0.2.1\n"}),
		api.Post("/v1/zones/example.com/actions/change_ttl", map[string]any{"ttl": 600}),
	} {
		e := requireZoneError(t, res, 422, "incorrect_zone_mode")
		assert.Equal(t, "This operation is not supported for this Zone's mode.", e.Message)
	}

	res := api.Post("/v1/zones/example.com/actions/change_primary_nameservers", map[string]any{"primary_nameservers": []map[string]any{{"address": "203.0.113.9", "port": 53}}})
	require.Equal(t, 201, res.Status, string(res.Body))
	assert.Equal(t, []map[string]any{{"address": "203.0.113.9", "port": float64(53)}}, getZone(t, api, "example.com").PrimaryNameservers)
	requireZoneError(t, api.Post("/v1/zones/example.com/actions/change_primary_nameservers", map[string]any{"primary_nameservers": []map[string]any{}}), 422, "invalid_input")

	createZone(t, api, map[string]any{"name": "example.org", "mode": "primary"})
	requireZoneError(t, api.Post("/v1/zones/example.org/actions/change_primary_nameservers", map[string]any{"primary_nameservers": []map[string]any{{"address": "203.0.113.9"}}}), 422, "incorrect_zone_mode")
}

func TestRRSetLifecycle(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	z, _ := createZone(t, api, map[string]any{"name": "example.com", "mode": "primary"})

	res := api.Post("/v1/zones/example.com/rrsets", map[string]any{"name": "www", "type": "A", "ttl": 3600,
		"labels": map[string]string{"key": "value"}, "records": []map[string]string{{"value": "198.51.100.1", "comment": "My web server"}}})
	require.Equal(t, 201, res.Status, string(res.Body))
	var created struct {
		RRSet  rrsetBody      `json:"rrset"`
		Action zoneActionBody `json:"action"`
	}
	res.Decode(&created)
	assert.Equal(t, rrsetBody{ID: "www/A", Name: "www", Type: "A", TTL: zptr(3600), Labels: map[string]string{"key": "value"},
		Protection: map[string]bool{"change": false}, Records: []recordBody{{"198.51.100.1", "My web server"}}, Zone: z.ID}, created.RRSet)
	assert.Equal(t, "create_rrset", created.Action.Command)
	assert.Equal(t, z.ID, created.Action.Resources[0].ID)
	assert.Equal(t, "zone", created.Action.Resources[0].Type)
	assert.Equal(t, created.RRSet, getRRSet(t, api, fmt.Sprint(z.ID), "www", "A"))
	assert.Equal(t, 5, getZone(t, api, "example.com").RecordCount)

	e := requireZoneError(t, api.Post("/v1/zones/example.com/rrsets", map[string]any{"name": "www", "type": "A", "records": []map[string]string{{"value": "198.51.100.2"}}}), 409, "uniqueness_error")
	assert.NotEmpty(t, e.Message)
	requireZoneError(t, api.Get("/v1/zones/example.com/rrsets/www/AAAA"), 404, "not_found")
	requireZoneError(t, api.Get("/v1/zones/example.net/rrsets/www/A"), 404, "not_found")
	requireZoneError(t, api.Get("/v1/zones/example.com/rrsets/www/BOGUS"), 422, "invalid_input")

	// PUT changes only labels.
	res = api.Put("/v1/zones/example.com/rrsets/www/A", map[string]any{"labels": map[string]string{"key": "changed"}})
	require.Equal(t, 200, res.Status, string(res.Body))
	assert.Equal(t, map[string]string{"key": "changed"}, getRRSet(t, api, "example.com", "www", "A").Labels)
	requireZoneError(t, api.Put("/v1/zones/example.com/rrsets/www/A", map[string]any{"ttl": 60}), 422, "invalid_input")

	// add_records appends, and creates an rrset that does not exist.
	res = api.Post("/v1/zones/example.com/rrsets/www/A/actions/add_records", map[string]any{"records": []map[string]string{{"value": "198.51.100.2"}}, "ttl": 3600})
	require.Equal(t, 201, res.Status, string(res.Body))
	assert.Equal(t, "add_rrset_records", res.JSON()["action"].(map[string]any)["command"])
	assert.Equal(t, []recordBody{{"198.51.100.1", "My web server"}, {"198.51.100.2", ""}}, getRRSet(t, api, "example.com", "www", "A").Records)
	e = requireZoneError(t, api.Post("/v1/zones/example.com/rrsets/www/A/actions/add_records", map[string]any{"records": []map[string]string{{"value": "198.51.100.3"}}, "ttl": 600}), 422, "invalid_input")
	assert.Equal(t, []string{"ttl"}, e.FieldNames())
	require.Equal(t, 201, api.Post("/v1/zones/example.com/rrsets/_acme-challenge/TXT/actions/add_records", map[string]any{"records": []map[string]string{{"value": `"token"`}}}).Status)
	assert.Nil(t, getRRSet(t, api, "example.com", "_acme-challenge", "TXT").TTL)
	requireZoneError(t, api.Post("/v1/zones/example.com/rrsets/www/A/actions/add_records", map[string]any{"records": []map[string]string{}}), 422, "invalid_input")

	// update_records changes comments and answers 200.
	res = api.Post("/v1/zones/example.com/rrsets/www/A/actions/update_records", map[string]any{"records": []map[string]string{{"value": "198.51.100.2", "comment": "second"}}})
	require.Equal(t, 200, res.Status, string(res.Body))
	assert.Equal(t, "update_rrset_records", res.JSON()["action"].(map[string]any)["command"])
	assert.Equal(t, []recordBody{{"198.51.100.1", "My web server"}, {"198.51.100.2", "second"}}, getRRSet(t, api, "example.com", "www", "A").Records)
	requireZoneError(t, api.Post("/v1/zones/example.com/rrsets/www/A/actions/update_records", map[string]any{"records": []map[string]string{{"value": "198.51.100.9", "comment": "x"}}}), 422, "invalid_input")

	// set_records replaces all records.
	res = api.Post("/v1/zones/example.com/rrsets/www/A/actions/set_records", map[string]any{"records": []map[string]string{{"value": "203.0.113.5"}}})
	require.Equal(t, 201, res.Status, string(res.Body))
	assert.Equal(t, []recordBody{{"203.0.113.5", ""}}, getRRSet(t, api, "example.com", "www", "A").Records)
	requireZoneError(t, api.Post("/v1/zones/example.com/rrsets/mail/A/actions/set_records", map[string]any{"records": []map[string]string{{"value": "203.0.113.5"}}}), 404, "not_found")

	// change_ttl sets and unsets.
	require.Equal(t, 201, api.Post("/v1/zones/example.com/rrsets/www/A/actions/change_ttl", map[string]any{"ttl": 1337}).Status)
	assert.Equal(t, zptr(1337), getRRSet(t, api, "example.com", "www", "A").TTL)
	require.Equal(t, 201, api.Post("/v1/zones/example.com/rrsets/www/A/actions/change_ttl", map[string]any{"ttl": nil}).Status)
	assert.Nil(t, getRRSet(t, api, "example.com", "www", "A").TTL)
	requireZoneError(t, api.Post("/v1/zones/example.com/rrsets/www/A/actions/change_ttl", map[string]any{"ttl": 10}), 422, "invalid_input")

	// Change protection blocks record changes and deletion, not labels.
	require.Equal(t, 201, api.Post("/v1/zones/example.com/rrsets/www/A/actions/change_protection", map[string]any{"change": true}).Status)
	assert.Equal(t, map[string]bool{"change": true}, getRRSet(t, api, "example.com", "www", "A").Protection)
	for _, res := range []*apitest.Response{
		api.Delete("/v1/zones/example.com/rrsets/www/A"),
		api.Post("/v1/zones/example.com/rrsets/www/A/actions/add_records", map[string]any{"records": []map[string]string{{"value": "203.0.113.6"}}}),
		api.Post("/v1/zones/example.com/rrsets/www/A/actions/set_records", map[string]any{"records": []map[string]string{{"value": "203.0.113.6"}}}),
		api.Post("/v1/zones/example.com/rrsets/www/A/actions/remove_records", map[string]any{"records": []map[string]string{{"value": "203.0.113.5"}}}),
		api.Post("/v1/zones/example.com/rrsets/www/A/actions/change_ttl", map[string]any{"ttl": 600}),
		api.Post("/v1/zones/example.com/actions/import_zonefile", map[string]any{"zonefile": "x"}),
	} {
		e := requireZoneError(t, res, 423, "protected")
		assert.Equal(t, "RRSet(s) is/are change protected", e.Message)
	}
	require.Equal(t, 200, api.Put("/v1/zones/example.com/rrsets/www/A", map[string]any{"labels": map[string]string{}}).Status)
	require.Equal(t, 201, api.Post("/v1/zones/example.com/rrsets/www/A/actions/change_protection", map[string]any{"change": false}).Status)

	// remove_records deletes an rrset left empty.
	require.Equal(t, 201, api.Post("/v1/zones/example.com/rrsets/www/A/actions/remove_records", map[string]any{"records": []map[string]string{{"value": "203.0.113.5"}}}).Status)
	requireZoneError(t, api.Get("/v1/zones/example.com/rrsets/www/A"), 404, "not_found")

	res = api.Delete("/v1/zones/example.com/rrsets/_acme-challenge/TXT")
	require.Equal(t, 201, res.Status, string(res.Body))
	assert.Equal(t, "delete_rrset", res.JSON()["action"].(map[string]any)["command"])
	assert.Equal(t, 4, getZone(t, api, "example.com").RecordCount)
	requireZoneError(t, api.Delete("/v1/zones/example.com/rrsets/_acme-challenge/TXT"), 404, "not_found")
}

func TestRRSetList(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	createZone(t, api, map[string]any{"name": "example.com", "mode": "primary"})
	for i := range 120 {
		res := api.Post("/v1/zones/example.com/rrsets", map[string]any{"name": fmt.Sprintf("h%03d", i), "type": "A",
			"labels": map[string]string{"odd": fmt.Sprint(i%2 == 1)}, "records": []map[string]string{{"value": fmt.Sprintf("192.0.2.%d", i)}}})
		require.Equal(t, 201, res.Status, string(res.Body))
	}
	srv.AdvanceClock(time.Second) // created is kept to the second
	require.Equal(t, 201, api.Post("/v1/zones/example.com/rrsets", map[string]any{"name": "h000", "type": "TXT", "records": []map[string]string{{"value": `"x"`}}}).Status)

	sets, pg := listRRSets(t, api, "/v1/zones/example.com/rrsets")
	assert.Len(t, sets, 25)
	assert.Equal(t, []string{"@/NS", "@/SOA", "h000/A", "h000/TXT"}, rrsetIDs(sets[:4]))
	assert.Equal(t, float64(123), pg["total_entries"])
	sets, pg = listRRSets(t, api, "/v1/zones/example.com/rrsets?per_page=100")
	assert.Len(t, sets, 100, "rrsets allow 100 per page")
	assert.Equal(t, float64(100), pg["per_page"])
	_, pg = listRRSets(t, api, "/v1/zones/example.com/rrsets?per_page=500")
	assert.Equal(t, float64(100), pg["per_page"], "clamped to the maximum")
	assert.Equal(t, float64(2), pg["last_page"])
	sets, _ = listRRSets(t, api, "/v1/zones/example.com/rrsets?name=h000")
	assert.Equal(t, []string{"h000/A", "h000/TXT"}, rrsetIDs(sets))
	sets, _ = listRRSets(t, api, "/v1/zones/example.com/rrsets?type=TXT&type=SOA")
	assert.Equal(t, []string{"@/SOA", "h000/TXT"}, rrsetIDs(sets))
	sets, _ = listRRSets(t, api, "/v1/zones/example.com/rrsets?name=h001&label_selector=odd%3Dtrue")
	assert.Equal(t, []string{"h001/A"}, rrsetIDs(sets))
	sets, _ = listRRSets(t, api, "/v1/zones/example.com/rrsets?sort=name:desc&per_page=2")
	assert.Equal(t, []string{"h119/A", "h118/A"}, rrsetIDs(sets))
	sets, _ = listRRSets(t, api, "/v1/zones/example.com/rrsets?sort=created:desc&sort=id&per_page=1")
	assert.Equal(t, []string{"h000/TXT"}, rrsetIDs(sets))
	requireZoneError(t, api.Get("/v1/zones/example.com/rrsets?type=BOGUS"), 422, "invalid_input")
}

func TestRRSetValues(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	createZone(t, api, map[string]any{"name": "example.com", "mode": "primary"})
	create := func(name, typ, value string) *apitest.Response {
		return api.Post("/v1/zones/example.com/rrsets", map[string]any{"name": name, "type": typ, "records": []map[string]string{{"value": value}}})
	}
	valid := []struct{ name, typ, value string }{
		{"@", "A", "198.51.100.1"},
		{"*", "AAAA", "2001:db8::1"},
		{"*.sub", "A", "198.51.100.2"},
		{"www", "CNAME", "example.net."},
		{"@", "MX", "10 mail.example.com."},
		{"rel", "MX", "10 mail"},
		{"_spf", "TXT", `"v=spf1 -all"`},
		{"long", "TXT", `"part1" "part \"two\""`},
		{"_sip._tcp", "SRV", "10 5 5060 sip.example.com."},
		{"@", "CAA", `0 issue "letsencrypt.org"`},
		{"sub", "NS", "ns1.example.net."},
		{"1", "PTR", "host.example.com."},
		{"_443._tcp", "TLSA", "3 1 1 d2abde240d7cd3ee6b4b28c54df034b97983a1d16e8a410e4561cb106618e971"},
		{"sub", "DS", "12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55D4AC69CB"},
		{"hinfo", "HINFO", `"CPU" "OS"`},
		{"rp", "RP", "mbox.example.com. txt.example.com."},
		{"svc", "HTTPS", `1 . alpn="h3,h2" ipv4hint=203.0.113.1`},
		{"_dns", "SVCB", `1 dns.example.com. alpn=dot`},
		{"xn--4bi", "A", "198.51.100.3"},
	}
	for _, v := range valid {
		res := create(v.name, v.typ, v.value)
		require.Equal(t, 201, res.Status, "%v: %s", v, res.Body)
		assert.Equal(t, v.value, getRRSet(t, api, "example.com", v.name, v.typ).Records[0].Value, "values are stored as given")
	}
	invalid := []struct{ name, typ, value, field string }{
		{"a1", "A", "198.51.100", "records"},
		{"a2", "A", "2001:db8::1", "records"},
		{"a3", "AAAA", "198.51.100.1", "records"},
		{"a4", "MX", "mail.example.com.", "records"},
		{"a5", "TXT", "unquoted text", "records"},
		{"a6", "SRV", "10 5 sip.example.com.", "records"},
		{"a7", "CAA", "0 issue", "records"},
		{"a8", "TLSA", "3 1 1 xyz", "records"},
		{"a9", "A", "198.51.100.1 ; comment", "records"},
		{"a10", "A", "198.51.100.1\nb IN A 198.51.100.2", "records"},
		{"a11", "A", "", "records"},
		{"WWW", "A", "198.51.100.1", "name"},
		{"www.example.com", "A", "198.51.100.1", "name"},
		{"www.", "A", "198.51.100.1", "name"},
		{"a..b", "A", "198.51.100.1", "name"},
		{"a*", "A", "198.51.100.1", "name"},
		{"", "A", "198.51.100.1", "name"},
		{"@", "CNAME", "example.net.", "type"},
		{"www", "A", "198.51.100.1", "type"}, // www has a CNAME
		{"@", "SOA", "a. b. 1 2 3 4 5", "type"},
		{"x", "BOGUS", "1", "type"},
	}
	for _, v := range invalid {
		e := requireZoneError(t, create(v.name, v.typ, v.value), 422, "invalid_input")
		assert.Contains(t, e.FieldNames(), v.field, "%v", v)
	}
	e := requireZoneError(t, api.Post("/v1/zones/example.com/rrsets", map[string]any{"name": "d", "type": "A",
		"records": []map[string]string{{"value": "198.51.100.1"}, {"value": "198.51.100.1"}}}), 422, "invalid_input")
	assert.Equal(t, []string{"records"}, e.FieldNames())
	requireZoneError(t, api.Post("/v1/zones/example.com/rrsets", map[string]any{"name": "e", "type": "A", "records": []map[string]string{}}), 422, "invalid_input")
	requireZoneError(t, api.Post("/v1/zones/example.com/rrsets/www/CNAME/actions/add_records", map[string]any{"records": []map[string]string{{"value": "other.example.net."}}}), 422, "invalid_input")
}

func TestSOAAndApexNS(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	createZone(t, api, map[string]any{"name": "example.com", "mode": "primary"})

	soa := getRRSet(t, api, "example.com", "@", "SOA")
	assert.Nil(t, soa.TTL)
	require.Len(t, soa.Records, 1)
	day := srv.Now().Format("20060102")
	assert.Equal(t, "hydrogen.ns.hetzner.com. dns.hetzner.com. "+day+"00 86400 10800 3600000 3600", soa.Records[0].Value)
	ns := getRRSet(t, api, "example.com", "@", "NS")
	assert.Nil(t, ns.TTL)
	assert.Equal(t, []recordBody{{hetznerNS[0], ""}, {hetznerNS[1], ""}, {hetznerNS[2], ""}}, ns.Records)

	// Every change moves the serial on.
	require.Equal(t, 201, api.Post("/v1/zones/example.com/rrsets/www/A/actions/add_records", map[string]any{"records": []map[string]string{{"value": "198.51.100.1"}}}).Status)
	assert.Contains(t, getRRSet(t, api, "example.com", "@", "SOA").Records[0].Value, " "+day+"01 ")

	// Terraform sends the SOA with serial 0: the fields are taken, the serial keeps counting.
	res := api.Post("/v1/zones/example.com/rrsets/@/SOA/actions/set_records", map[string]any{"records": []map[string]string{{"value": "ns1.example.com. hostmaster.example.com. 0 3600 600 86400 300"}}})
	require.Equal(t, 201, res.Status, string(res.Body))
	assert.Equal(t, "ns1.example.com. hostmaster.example.com. "+day+"02 3600 600 86400 300", getRRSet(t, api, "example.com", "@", "SOA").Records[0].Value)

	requireZoneError(t, api.Delete("/v1/zones/example.com/rrsets/@/SOA"), 422, "invalid_input")
	requireZoneError(t, api.Delete("/v1/zones/example.com/rrsets/@/NS"), 422, "invalid_input")
	requireZoneError(t, api.Post("/v1/zones/example.com/rrsets/@/SOA/actions/add_records", map[string]any{"records": []map[string]string{{"value": "a. b. 1 2 3 4 5"}}}), 422, "invalid_input")
	requireZoneError(t, api.Post("/v1/zones/example.com/rrsets/@/SOA/actions/remove_records", map[string]any{"records": []map[string]string{{"value": "x"}}}), 422, "invalid_input")
	requireZoneError(t, api.Post("/v1/zones/example.com/rrsets/@/SOA/actions/set_records", map[string]any{"records": []map[string]string{{"value": "a. b. 1 2 3 4 5"}, {"value": "c. d. 1 2 3 4 5"}}}), 422, "invalid_input")
	requireZoneError(t, api.Post("/v1/zones/example.com/rrsets/@/NS/actions/remove_records", map[string]any{"records": []map[string]string{{"value": hetznerNS[1]}}}), 422, "invalid_input")
	requireZoneError(t, api.Post("/v1/zones/example.com/rrsets/@/NS/actions/set_records", map[string]any{"records": []map[string]string{{"value": "ns1.example.net."}}}), 422, "invalid_input")

	// More NS records at the apex are fine, and can go again.
	require.Equal(t, 201, api.Post("/v1/zones/example.com/rrsets/@/NS/actions/add_records", map[string]any{"records": []map[string]string{{"value": "ns1.example.net."}}}).Status)
	assert.Len(t, getRRSet(t, api, "example.com", "@", "NS").Records, 4)
	require.Equal(t, 201, api.Post("/v1/zones/example.com/rrsets/@/NS/actions/remove_records", map[string]any{"records": []map[string]string{{"value": "ns1.example.net."}}}).Status)
	assert.Len(t, getRRSet(t, api, "example.com", "@", "NS").Records, 3)
}

func TestZonefileExportImport(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	createZone(t, api, map[string]any{"name": "example.com", "mode": "primary", "ttl": 600})
	require.Equal(t, 201, api.Post("/v1/zones/example.com/rrsets/www/A/actions/add_records", map[string]any{"records": []map[string]string{{"value": "192.168.0.1", "comment": "web"}}}).Status)

	res := api.Get("/v1/zones/example.com/zonefile")
	require.Equal(t, 200, res.Status, string(res.Body))
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
	var exp struct {
		Zonefile string `json:"zonefile"`
	}
	res.Decode(&exp)
	day := srv.Now().Format("20060102")
	assert.Equal(t, "$ORIGIN\texample.com.\n$TTL\t600\n\n"+
		"@\tIN\tSOA\thydrogen.ns.hetzner.com. dns.hetzner.com. "+day+"01 86400 10800 3600000 3600\n\n"+
		"@\tIN\tNS\thydrogen.ns.hetzner.com.\n@\tIN\tNS\toxygen.ns.hetzner.com.\n@\tIN\tNS\thelium.ns.hetzner.de.\n\n"+
		"www\tIN\tA\t192.168.0.1 ; web\n", exp.Zonefile)

	// What the CLI's e2e test does: append a TTL-less record and import.
	res = api.Post("/v1/zones/example.com/actions/import_zonefile", map[string]any{"zonefile": exp.Zonefile + "\nfoobar\tIN\tA\t192.168.0.2\n"})
	require.Equal(t, 201, res.Status, string(res.Body))
	assert.Equal(t, "import_zonefile", res.JSON()["action"].(map[string]any)["command"])
	foobar := getRRSet(t, api, "example.com", "foobar", "A")
	assert.Nil(t, foobar.TTL)
	assert.Equal(t, []recordBody{{"192.168.0.2", ""}}, foobar.Records)
	assert.Equal(t, []recordBody{{"192.168.0.1", "web"}}, getRRSet(t, api, "example.com", "www", "A").Records)
	assert.Equal(t, 6, getZone(t, api, "example.com").RecordCount)

	// A broken file is refused with its line and changes nothing.
	before, _ := listRRSets(t, api, "/v1/zones/example.com/rrsets")
	e := requireZoneError(t, api.Post("/v1/zones/example.com/actions/import_zonefile", map[string]any{"zonefile": exp.Zonefile + "bad\tIN\tA\t192.168.0\n"}), 422, "invalid_input")
	assert.Equal(t, []string{"zonefile"}, e.FieldNames())
	assert.Contains(t, strings.Join(e.Details.Fields[0].Messages, " "), "line: 11")
	e = requireZoneError(t, api.Post("/v1/zones/example.com/actions/import_zonefile", map[string]any{"zonefile": "$ORIGIN example.org.\n"}), 422, "invalid_input")
	assert.Contains(t, e.Details.Fields[0].Messages[0], "line 1")
	requireZoneError(t, api.Post("/v1/zones/example.com/actions/import_zonefile", map[string]any{"zonefile": "www IN A 192.0.2.1\n"}), 422, "invalid_input")
	requireZoneError(t, api.Post("/v1/zones/example.com/actions/import_zonefile", map[string]any{}), 422, "invalid_input")
	after, _ := listRRSets(t, api, "/v1/zones/example.com/rrsets")
	assert.Equal(t, before, after)

	// $TTL sets the zone TTL.
	res = api.Post("/v1/zones/example.com/actions/import_zonefile", map[string]any{"zonefile": strings.Replace(exp.Zonefile, "$TTL\t600", "$TTL\t900", 1)})
	require.Equal(t, 201, res.Status, string(res.Body))
	assert.Equal(t, 900, getZone(t, api, "example.com").TTL)
	requireZoneError(t, api.Get("/v1/zones/example.com/rrsets/foobar/A"), 404, "not_found")
	requireZoneError(t, api.Get("/v1/zones/example.net/zonefile"), 404, "not_found")
}

func TestZoneActionEndpoints(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	z1, a1 := createZone(t, api, map[string]any{"name": "example.com", "mode": "primary"})
	_, a2 := createZone(t, api, map[string]any{"name": "example.org", "mode": "primary"})
	res := api.Post("/v1/zones/example.com/actions/change_ttl", map[string]any{"ttl": 600})
	require.Equal(t, 201, res.Status)
	var ttlAct struct {
		Action zoneActionBody `json:"action"`
	}
	res.Decode(&ttlAct)

	list := func(path string) []int64 {
		res := api.Get(path)
		require.Equal(t, 200, res.Status, string(res.Body))
		var out struct {
			Actions []zoneActionBody `json:"actions"`
		}
		res.Decode(&out)
		var got []int64
		for _, a := range out.Actions {
			got = append(got, a.ID)
		}
		return got
	}
	assert.Equal(t, []int64{a1.ID, a2.ID, ttlAct.Action.ID}, list("/v1/zones/actions"))
	assert.Equal(t, []int64{a1.ID, ttlAct.Action.ID}, list("/v1/zones/example.com/actions"))
	assert.Equal(t, []int64{ttlAct.Action.ID}, list(fmt.Sprintf("/v1/zones/%d/actions?sort=id:desc&per_page=1", z1.ID)))
	assert.Equal(t, []int64{a2.ID}, list("/v1/zones/example.org/actions?status=success"))

	require.Equal(t, 200, api.Get(fmt.Sprintf("/v1/zones/actions/%d", a2.ID)).Status)
	require.Equal(t, 200, api.Get(fmt.Sprintf("/v1/zones/example.com/actions/%d", a1.ID)).Status)
	requireZoneError(t, api.Get(fmt.Sprintf("/v1/zones/example.com/actions/%d", a2.ID)), 404, "not_found")
	requireZoneError(t, api.Get("/v1/zones/actions/999999"), 404, "not_found")
	requireZoneError(t, api.Get("/v1/zones/example.net/actions"), 404, "not_found")
}

func TestZoneSnapshotRestore(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	createZone(t, api, map[string]any{"name": "example.com", "mode": "primary", "labels": map[string]string{"a": "b"}})
	require.Equal(t, 201, api.Post("/v1/zones/example.com/rrsets/www/A/actions/add_records", map[string]any{"records": []map[string]string{{"value": "192.0.2.1", "comment": "c"}}, "ttl": 300}).Status)
	zBefore := getZone(t, api, "example.com")
	setsBefore, _ := listRRSets(t, api, "/v1/zones/example.com/rrsets")

	// Through /_fake/state, as JSON.
	res := api.Get("/_fake/state")
	require.Equal(t, 200, res.Status)
	snap := res.Body
	require.Equal(t, 201, api.Delete("/v1/zones/example.com").Status)
	res = api.Do("PUT", "/_fake/state", snap)
	require.Equal(t, 204, res.Status, string(res.Body))
	assert.Equal(t, zBefore, getZone(t, api, "example.com"))
	setsAfter, _ := listRRSets(t, api, "/v1/zones/example.com/rrsets")
	assert.Equal(t, setsBefore, setsAfter)
	// A zone created after the restore gets a fresh id.
	z2, _ := createZone(t, api, map[string]any{"name": "example.org", "mode": "primary"})
	assert.Greater(t, z2.ID, zBefore.ID)
}

// TestRRSetAnsibleStyle: ansible's community.dns sends explicit nulls and filters by @ and type.
func TestRRSetAnsibleStyle(t *testing.T) {
	srv := testkit.New(t)
	api := apitest.New(t, srv.BaseURL, srv.Token)
	createZone(t, api, map[string]any{"name": "example.com", "mode": "primary"})
	res := api.Post("/v1/zones/example.com/rrsets", map[string]any{"name": "@", "type": "MX", "ttl": nil, "labels": nil,
		"records": []map[string]any{{"value": "10 mail.example.com.", "comment": nil}}})
	require.Equal(t, 201, res.Status, string(res.Body))
	res = api.Post("/v1/zones/example.com/rrsets/@/MX/actions/add_records", map[string]any{"ttl": nil,
		"records": []map[string]any{{"value": "20 mail2.example.com.", "comment": nil}}})
	require.Equal(t, 201, res.Status, string(res.Body))
	sets, pg := listRRSets(t, api, "/v1/zones/example.com/rrsets?name=%40&type=MX&per_page=100&page=1")
	require.Len(t, sets, 1)
	assert.Equal(t, float64(100), pg["per_page"])
	assert.Equal(t, []recordBody{{"10 mail.example.com.", ""}, {"20 mail2.example.com.", ""}}, sets[0].Records)
	assert.Nil(t, sets[0].TTL)
}
