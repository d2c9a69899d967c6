package handlers_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/apitest"
	"github.com/fakehetzner/fakehetzner/testkit"
)

// legacyClient talks to the legacy DNS API with the Auth-API-Token header.
type legacyClient struct {
	t     *testing.T
	base  string
	token string
}

type legacyAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (a legacyAnswer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(a.body, &m), "%d %s", a.status, a.body)
	return m
}

func (c legacyClient) do(method, path, contentType string, body string) legacyAnswer {
	c.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+"/api/v1"+path, r)
	require.NoError(c.t, err)
	if c.token != "" {
		req.Header.Set("Auth-API-Token", c.token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(c.t, err)
	return legacyAnswer{status: res.StatusCode, header: res.Header, body: b}
}

func (c legacyClient) send(method, path string, body any) legacyAnswer {
	c.t.Helper()
	if body == nil {
		return c.do(method, path, "", "")
	}
	b, err := json.Marshal(body)
	require.NoError(c.t, err)
	return c.do(method, path, "application/json", string(b))
}

const (
	legacyTimePattern = `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,3})? \+0000 UTC$`
	legacyToken       = "L3gacyT0kenL3gacyT0kenL3gacyT0ke"
)

func legacyCreateZone(t *testing.T, c legacyClient, name string) map[string]any {
	t.Helper()
	res := c.send("POST", "/zones", map[string]any{"name": name})
	require.Equal(t, 200, res.status, string(res.body))
	return res.json(t)["zone"].(map[string]any)
}

func legacyCreateRecord(t *testing.T, c legacyClient, body map[string]any) map[string]any {
	t.Helper()
	res := c.send("POST", "/records", body)
	require.Equal(t, 200, res.status, string(res.body))
	return res.json(t)["record"].(map[string]any)
}

func TestLegacyAuthAndHeaders(t *testing.T) {
	srv := testkit.New(t, testkit.WithTokens(legacyToken, "other-token"))
	c := legacyClient{t: t, base: srv.BaseURL}

	res := c.send("GET", "/zones", nil)
	assert.Equal(t, 401, res.status)
	assert.JSONEq(t, `{"message":"No API key found in request"}`, string(res.body))
	assert.Equal(t, "@1762732800", res.header.Get("Deprecation"), "errors are marked deprecated too")
	assert.Equal(t, "Fri, 01 May 2026 00:00:00 GMT", res.header.Get("Sunset"))

	c.token = "wrong"
	res = c.send("GET", "/zones", nil)
	assert.Equal(t, 401, res.status)
	assert.JSONEq(t, `{"message":"Invalid authentication credentials"}`, string(res.body))

	// A bearer token is not the legacy API's way in.
	req, _ := http.NewRequest("GET", srv.BaseURL+"/api/v1/zones", nil)
	req.Header.Set("Authorization", "Bearer "+legacyToken)
	hres, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	hres.Body.Close()
	assert.Equal(t, 401, hres.StatusCode)

	c.token = legacyToken
	res = c.send("GET", "/zones", nil)
	require.Equal(t, 200, res.status, string(res.body))
	assert.Equal(t, "application/json; charset=utf-8", res.header.Get("Content-Type"))
	assert.Equal(t, "@1762732800", res.header.Get("Deprecation"))
	assert.NotEmpty(t, res.header.Get("Sunset"))
	assert.NotEmpty(t, res.header.Get("X-Correlation-Id"))

	res = c.send("GET", "/nothing-here", nil)
	assert.Equal(t, 404, res.status)
	assert.JSONEq(t, `{"message":"no Route matched with those values"}`, string(res.body))
}

func TestLegacyZonesPerToken(t *testing.T) {
	srv := testkit.New(t)
	a := legacyClient{t: t, base: srv.BaseURL, token: "token-a"}
	b := legacyClient{t: t, base: srv.BaseURL, token: "token-b"}
	z := legacyCreateZone(t, a, "example.com")

	assert.Equal(t, 404, b.send("GET", "/zones/"+z["id"].(string), nil).status, "another token does not see the zone")
	legacyCreateZone(t, b, "example.com") // nor does its name clash
	// Cloud zones of the same token are another thing altogether.
	cloud := apitest.New(t, srv.BaseURL, "token-a")
	res := cloud.Get("/v1/zones")
	assert.Contains(t, string(res.Body), `"zones":[]`)
}

func TestLegacyZoneLifecycle(t *testing.T) {
	srv := testkit.New(t)
	c := legacyClient{t: t, base: srv.BaseURL, token: legacyToken}

	z := legacyCreateZone(t, c, "example.com")
	id := z["id"].(string)
	assert.Regexp(t, `^[2-9A-HJ-NP-Za-km-z]{22}$`, id)
	assert.Equal(t, "example.com", z["name"])
	assert.Equal(t, float64(86400), z["ttl"])
	assert.Equal(t, []any{"hydrogen.ns.hetzner.com", "oxygen.ns.hetzner.com", "helium.ns.hetzner.de"}, z["ns"])
	assert.Equal(t, []any{}, z["legacy_ns"])
	assert.Regexp(t, legacyTimePattern, z["created"])
	assert.Regexp(t, legacyTimePattern, z["modified"])
	assert.Equal(t, "", z["verified"])
	assert.Equal(t, "verified", z["status"])
	assert.Equal(t, false, z["paused"])
	assert.Equal(t, false, z["is_secondary_dns"])
	assert.Equal(t, map[string]any{"id": "", "name": "", "description": "", "prices": nil}, z["zone_type"])
	assert.Equal(t, map[string]any{"name": "", "token": ""}, z["txt_verification"])
	assert.Equal(t, float64(4), z["records_count"], "SOA and three NS records")
	for _, k := range []string{"registrar", "legacy_dns_host", "project", "owner", "permission"} {
		assert.Equal(t, "", z[k], k)
	}

	res := c.send("POST", "/zones", map[string]any{"name": "example.com"})
	assert.Equal(t, 422, res.status)
	assert.Equal(t, map[string]any{"message": "422 Unprocessable Entity: zone already exists; ", "code": float64(422)}, res.json(t)["error"])
	res = c.send("POST", "/zones", map[string]any{"name": "not a zone"})
	assert.Equal(t, 422, res.status)
	res = c.send("POST", "/zones", map[string]any{"ttl": 600})
	assert.Equal(t, 422, res.status, "the spec requires name")
	assert.Contains(t, res.json(t)["error"].(map[string]any)["message"], "name")
	assert.Equal(t, 400, c.do("POST", "/zones", "application/json", `{"name":`).status)

	legacyCreateZone(t, c, "example.org")
	legacyCreateZone(t, c, "another.net")
	res = c.send("GET", "/zones?name=example.org", nil)
	require.Equal(t, 200, res.status)
	m := res.json(t)
	assert.Len(t, m["zones"], 1)
	assert.Equal(t, map[string]any{"page": float64(1), "per_page": float64(100), "previous_page": float64(1), "next_page": float64(1),
		"last_page": float64(1), "total_entries": float64(1)}, m["meta"].(map[string]any)["pagination"])
	res = c.send("GET", "/zones?search_name=example", nil)
	assert.Len(t, res.json(t)["zones"], 2)
	res = c.send("GET", "/zones?per_page=2&page=2", nil)
	m = res.json(t)
	assert.Len(t, m["zones"], 1)
	assert.Equal(t, float64(1), m["meta"].(map[string]any)["pagination"].(map[string]any)["previous_page"])
	res = c.send("GET", "/zones?name=missing.com", nil)
	assert.Equal(t, 404, res.status)
	assert.JSONEq(t, `{"zones":[],"error":{"message":"zone not found","code":404}}`, string(res.body))

	res = c.send("GET", "/zones/"+id, nil)
	require.Equal(t, 200, res.status)
	assert.Equal(t, z, res.json(t)["zone"])
	res = c.send("GET", "/zones/doesnotexist", nil)
	assert.Equal(t, 404, res.status)
	assert.JSONEq(t, `{"error":{"message":"zone not found","code":404}}`, string(res.body))

	res = c.send("PUT", "/zones/"+id, map[string]any{"name": "example.com", "ttl": 600})
	require.Equal(t, 200, res.status, string(res.body))
	assert.Equal(t, float64(600), res.json(t)["zone"].(map[string]any)["ttl"])
	assert.Equal(t, 422, c.send("PUT", "/zones/"+id, map[string]any{"name": "renamed.com"}).status)
	assert.Equal(t, 422, c.send("PUT", "/zones/"+id, map[string]any{"name": "example.com", "ttl": 1}).status)

	res = c.send("DELETE", "/zones/"+id, nil)
	assert.Equal(t, 200, res.status)
	assert.Empty(t, res.body)
	assert.Equal(t, 404, c.send("GET", "/zones/"+id, nil).status)
	assert.Equal(t, 404, c.send("DELETE", "/zones/"+id, nil).status)
}

func TestLegacyRecords(t *testing.T) {
	srv := testkit.New(t)
	c := legacyClient{t: t, base: srv.BaseURL, token: legacyToken}
	zid := legacyCreateZone(t, c, "example.com")["id"].(string)

	// A new zone holds the SOA and NS records, without ttl.
	res := c.send("GET", "/records?zone_id="+zid, nil)
	require.Equal(t, 200, res.status, string(res.body))
	recs := res.json(t)["records"].([]any)
	require.Len(t, recs, 4)
	soa := recs[0].(map[string]any)
	assert.Equal(t, "SOA", soa["type"])
	assert.Equal(t, "@", soa["name"])
	assert.Regexp(t, `^hydrogen\.ns\.hetzner\.com\. dns\.hetzner\.com\. \d{10} 86400 10800 3600000 3600$`, soa["value"])
	assert.NotContains(t, soa, "ttl")
	assert.Equal(t, "hydrogen.ns.hetzner.com.", recs[1].(map[string]any)["value"])

	r := legacyCreateRecord(t, c, map[string]any{"zone_id": zid, "type": "TXT", "name": "_acme-challenge", "value": "abc123", "ttl": 60})
	rid := r["id"].(string)
	assert.Regexp(t, `^[0-9a-f]{32}$`, rid)
	assert.Equal(t, "TXT", r["type"])
	assert.Equal(t, "abc123", r["value"], "unquoted TXT values are fine here")
	assert.Equal(t, float64(60), r["ttl"])
	assert.Equal(t, zid, r["zone_id"])
	assert.Regexp(t, legacyTimePattern, r["created"])
	noTTL := legacyCreateRecord(t, c, map[string]any{"zone_id": zid, "type": "A", "name": "www", "value": "198.51.100.1"})
	assert.NotContains(t, noTTL, "ttl")
	legacyCreateRecord(t, c, map[string]any{"zone_id": zid, "type": "CAA", "name": "@", "value": `0 issue "letsencrypt.org"`})
	legacyCreateRecord(t, c, map[string]any{"zone_id": zid, "type": "MX", "name": "@", "value": "10 mail.example.com."})

	// Duplicates answer 422 with the record shell beside the error, as the live service did.
	res = c.send("POST", "/records", map[string]any{"zone_id": zid, "type": "A", "name": "www", "value": "198.51.100.1"})
	assert.Equal(t, 422, res.status)
	assert.JSONEq(t, `{"record":{"id":"","type":"","name":"","value":"","zone_id":"","created":"","modified":""},
		"error":{"message":"422 Unprocessable Entity: taken: 198.51.100.1; ","code":422}}`, string(res.body))
	for _, bad := range []map[string]any{
		{"zone_id": zid, "type": "A", "name": "bad", "value": "198.51.100"},
		{"zone_id": zid, "type": "MX", "name": "bad", "value": "mail.example.com."},
		{"zone_id": zid, "type": "SOA", "name": "@", "value": "a. b. 1 2 3 4 5"},
		{"zone_id": zid, "type": "A", "name": "BAD", "value": "198.51.100.1"},
		{"zone_id": zid, "type": "A", "name": "bad", "value": "198.51.100.1", "ttl": 1},
		{"zone_id": zid, "type": "PTR", "name": "bad", "value": "x.example.com."},
	} {
		res := c.send("POST", "/records", bad)
		assert.Equal(t, 422, res.status, "%v: %s", bad, res.body)
	}
	res = c.send("POST", "/records", map[string]any{"zone_id": "nope", "type": "A", "name": "x", "value": "198.51.100.1"})
	assert.Equal(t, 404, res.status)

	res = c.send("GET", "/records?zone_id="+zid, nil)
	assert.Len(t, res.json(t)["records"], 8, "without per_page every record comes back")
	res = c.send("GET", "/records?zone_id="+zid+"&per_page=3&page=3", nil)
	m := res.json(t)
	assert.Len(t, m["records"], 2)
	assert.Equal(t, float64(3), m["meta"].(map[string]any)["pagination"].(map[string]any)["last_page"])
	res = c.send("GET", "/records?zone_id=unknown", nil)
	assert.Equal(t, 404, res.status)
	assert.JSONEq(t, `{"records":[],"error":{"message":"zone not found","code":404}}`, string(res.body))
	res = c.send("GET", "/zones/"+zid, nil)
	assert.Equal(t, float64(8), res.json(t)["zone"].(map[string]any)["records_count"])

	res = c.send("GET", "/records/"+rid, nil)
	require.Equal(t, 200, res.status)
	assert.Equal(t, r, res.json(t)["record"])
	res = c.send("PUT", "/records/"+rid, map[string]any{"zone_id": zid, "type": "TXT", "name": "_acme-challenge", "value": `"def456"`})
	require.Equal(t, 200, res.status, string(res.body))
	updated := res.json(t)["record"].(map[string]any)
	assert.Equal(t, `"def456"`, updated["value"])
	assert.NotContains(t, updated, "ttl", "PUT replaces the whole record")

	res = c.send("DELETE", "/records/"+rid, nil)
	assert.Equal(t, 200, res.status)
	res = c.send("GET", "/records/"+rid, nil)
	assert.Equal(t, 404, res.status)
	assert.JSONEq(t, `{"message":"record does not exist"}`, string(res.body))
	assert.Equal(t, 404, c.send("DELETE", "/records/"+rid, nil).status)
}

func TestLegacyBulkRecords(t *testing.T) {
	srv := testkit.New(t)
	c := legacyClient{t: t, base: srv.BaseURL, token: legacyToken}
	zid := legacyCreateZone(t, c, "example.com")["id"].(string)

	res := c.send("POST", "/records/bulk", map[string]any{"records": []map[string]any{
		{"zone_id": zid, "type": "A", "name": "a", "value": "198.51.100.1"},
		{"zone_id": zid, "type": "CAA", "name": "@", "value": "0 issue"},
	}})
	assert.Equal(t, 422, res.status)
	m := res.json(t)
	assert.Equal(t, []any{}, m["records"])
	assert.Len(t, m["valid_records"], 1)
	assert.Len(t, m["invalid_records"], 1)
	assert.Equal(t, float64(422), m["error"].(map[string]any)["code"])
	assert.Contains(t, m["error"].(map[string]any)["message"], "invalid CAA record")
	assert.Len(t, c.send("GET", "/records?zone_id="+zid, nil).json(t)["records"], 4, "nothing was created")

	res = c.send("POST", "/records/bulk", map[string]any{"records": []map[string]any{
		{"zone_id": zid, "type": "A", "name": "a", "value": "198.51.100.1"},
		{"zone_id": zid, "type": "A", "name": "b", "value": "198.51.100.2", "ttl": 300},
	}})
	require.Equal(t, 200, res.status, string(res.body))
	created := res.json(t)["records"].([]any)
	require.Len(t, created, 2)
	first := created[0].(map[string]any)

	res = c.send("PUT", "/records/bulk", map[string]any{"records": []map[string]any{
		{"id": first["id"], "zone_id": zid, "type": "A", "name": "a", "value": "203.0.113.1"},
		{"id": "missing", "zone_id": zid, "type": "A", "name": "c", "value": "203.0.113.2"},
	}})
	require.Equal(t, 200, res.status, string(res.body))
	m = res.json(t)
	assert.Len(t, m["records"], 1)
	assert.Equal(t, "203.0.113.1", m["records"].([]any)[0].(map[string]any)["value"])
	assert.Len(t, m["failed_records"], 1)
}

func TestLegacyPrimaryServers(t *testing.T) {
	srv := testkit.New(t)
	c := legacyClient{t: t, base: srv.BaseURL, token: legacyToken}
	zid := legacyCreateZone(t, c, "example.com")["id"].(string)

	res := c.send("POST", "/primary_servers", map[string]any{"zone_id": zid, "address": "198.51.100.7", "port": 53})
	require.Equal(t, 200, res.status, string(res.body))
	ps := res.json(t)["primary_server"].(map[string]any)
	psid := ps["id"].(string)
	assert.Equal(t, "198.51.100.7", ps["address"])
	assert.Equal(t, float64(53), ps["port"])
	assert.Equal(t, zid, ps["zone_id"])
	assert.Regexp(t, legacyTimePattern, ps["created"])
	assert.Equal(t, true, c.send("GET", "/zones/"+zid, nil).json(t)["zone"].(map[string]any)["is_secondary_dns"])

	assert.Equal(t, 422, c.send("POST", "/primary_servers", map[string]any{"zone_id": zid, "address": "ns1.example.net", "port": 53}).status)
	assert.Equal(t, 422, c.send("POST", "/primary_servers", map[string]any{"zone_id": zid, "address": "198.51.100.8", "port": 70000}).status)
	assert.Equal(t, 404, c.send("POST", "/primary_servers", map[string]any{"zone_id": "nope", "address": "198.51.100.8", "port": 53}).status)

	res = c.send("GET", "/primary_servers?zone_id="+zid, nil)
	assert.Len(t, res.json(t)["primary_servers"], 1)
	res = c.send("PUT", "/primary_servers/"+psid, map[string]any{"zone_id": zid, "address": "2001:db8::7", "port": 5353})
	require.Equal(t, 200, res.status, string(res.body))
	assert.Equal(t, "2001:db8::7", res.json(t)["primary_server"].(map[string]any)["address"])
	assert.Equal(t, 200, c.send("GET", "/primary_servers/"+psid, nil).status)
	assert.Equal(t, 200, c.send("DELETE", "/primary_servers/"+psid, nil).status)
	assert.Equal(t, 404, c.send("GET", "/primary_servers/"+psid, nil).status)
	assert.Equal(t, false, c.send("GET", "/zones/"+zid, nil).json(t)["zone"].(map[string]any)["is_secondary_dns"])
}

func TestLegacyZoneFiles(t *testing.T) {
	srv := testkit.New(t)
	c := legacyClient{t: t, base: srv.BaseURL, token: legacyToken}
	zid := legacyCreateZone(t, c, "example.com")["id"].(string)
	legacyCreateRecord(t, c, map[string]any{"zone_id": zid, "type": "TXT", "name": "txt", "value": "hello world", "ttl": 300})

	res := c.send("GET", "/zones/"+zid+"/export", nil)
	require.Equal(t, 200, res.status, string(res.body))
	assert.Equal(t, "text/plain; charset=utf-8", res.header.Get("Content-Type"))
	exported := string(res.body)
	assert.Contains(t, exported, "$ORIGIN\texample.com.\n$TTL\t86400\n")
	assert.Contains(t, exported, "txt\tIN\t300\tTXT\t\"hello world\"\n")

	res = c.do("POST", "/zones/"+zid+"/import", "text/plain", exported+"www\tIN\tA\t198.51.100.1\n")
	require.Equal(t, 201, res.status, string(res.body))
	assert.Equal(t, float64(6), res.json(t)["zone"].(map[string]any)["records_count"])
	recs := c.send("GET", "/records?zone_id="+zid, nil).json(t)["records"].([]any)
	var www map[string]any
	for _, r := range recs {
		if r.(map[string]any)["name"] == "www" {
			www = r.(map[string]any)
		}
	}
	require.NotNil(t, www)
	assert.NotContains(t, www, "ttl")

	// A zone file without Content-Type is read as text; a broken one changes nothing.
	res = c.do("POST", "/zones/"+zid+"/import", "", "www IN A 198.51.100\n")
	assert.Equal(t, 422, res.status)
	assert.Contains(t, res.json(t)["error"].(map[string]any)["message"], "line: 1")
	assert.Len(t, c.send("GET", "/records?zone_id="+zid, nil).json(t)["records"], 6)
	assert.Equal(t, 404, c.do("POST", "/zones/nope/import", "text/plain", exported).status)

	res = c.do("POST", "/zones/file/validate", "text/plain", "$ORIGIN example.org.\n@ IN A 198.51.100.1\nwww 600 IN CNAME example.org.\n")
	require.Equal(t, 200, res.status, string(res.body))
	m := res.json(t)
	assert.Equal(t, float64(2), m["parsed_records"])
	assert.Len(t, m["valid_records"], 2)
	assert.Equal(t, 422, c.do("POST", "/zones/file/validate", "text/plain", "@ IN A 198.51.100.1\n").status, "no $ORIGIN")
	res = c.send("GET", "/zones?name=example.org", nil)
	assert.Equal(t, 404, res.status, "validate creates nothing")
}

func TestLegacyRateLimitHeaders(t *testing.T) {
	srv := testkit.New(t, testkit.WithRateLimit(2))
	c := legacyClient{t: t, base: srv.BaseURL, token: legacyToken}
	res := c.send("GET", "/zones", nil)
	require.Equal(t, 200, res.status)
	assert.Equal(t, "2", res.header.Get("RateLimit-Limit"))
	assert.Equal(t, "1", res.header.Get("RateLimit-Remaining"))
	assert.Equal(t, "1800", res.header.Get("RateLimit-Reset"), "seconds until full, not a UNIX time")
	assert.Equal(t, "2", res.header.Get("X-RateLimit-Limit-Hour"))
	assert.Equal(t, "1", res.header.Get("X-RateLimit-Remaining-Hour"))
	require.Equal(t, 200, c.send("GET", "/zones", nil).status)
	res = c.send("GET", "/zones", nil)
	assert.Equal(t, 429, res.status)
	assert.JSONEq(t, `{"message":"API rate limit exceeded"}`, string(res.body))
	assert.NotEmpty(t, res.header.Get("Retry-After"))
}

func TestLegacySnapshotRestore(t *testing.T) {
	srv := testkit.New(t)
	c := legacyClient{t: t, base: srv.BaseURL, token: legacyToken}
	z := legacyCreateZone(t, c, "example.com")
	zid := z["id"].(string)
	legacyCreateRecord(t, c, map[string]any{"zone_id": zid, "type": "A", "name": "www", "value": "198.51.100.1", "ttl": 600})
	require.Equal(t, 200, c.send("POST", "/primary_servers", map[string]any{"zone_id": zid, "address": "198.51.100.7", "port": 53}).status)
	before := c.send("GET", "/records?zone_id="+zid, nil).body

	snap := srv.Snapshot()
	raw, err := json.Marshal(snap)
	require.NoError(t, err)
	require.Equal(t, 200, c.send("DELETE", "/zones/"+zid, nil).status)
	require.NoError(t, json.Unmarshal(raw, &snap), "the snapshot survives JSON")
	require.NoError(t, srv.Restore(snap))
	assert.Equal(t, string(before), string(c.send("GET", "/records?zone_id="+zid, nil).body))
	got := c.send("GET", "/zones/"+zid, nil).json(t)["zone"].(map[string]any)
	assert.Equal(t, true, got["is_secondary_dns"])
	assert.Equal(t, z["created"], got["created"])
	z2 := legacyCreateZone(t, c, "example.org")
	assert.NotEqual(t, zid, z2["id"], "ids are not reused after a restore")
}
