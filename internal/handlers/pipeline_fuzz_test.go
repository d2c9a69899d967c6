package handlers_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/fakehetzner/fakehetzner"
	"github.com/fakehetzner/fakehetzner/internal/store"
)

// FuzzPipeline sends arbitrary bodies and query strings to every API route of the spec (and
// arbitrary paths and methods) through the whole pipeline. Whatever comes in: no panic, no
// 5xx, an error envelope with a correlation id on every Cloud API error, and no state change
// when the answer is an error.
//
//	cd internal/handlers && go test -run '^$' -fuzz '^FuzzPipeline$' -fuzztime 10s .
func FuzzPipeline(f *testing.F) {
	srv, err := fakehetzner.New(fakehetzner.Config{TimeSource: ctlTime, MaxBodyBytes: 16 << 10})
	if err != nil {
		f.Fatal(err)
	}
	const token = "fuzz-token"
	p := srv.Store().Project(fakehetzner.ProjectKey(token))
	if _, err := p.CreateSSHKey(store.CreateSSHKey{Name: "seed", PublicKey: ctlKey(f), Labels: map[string]string{"env": "prod"}}); err != nil {
		f.Fatal(err)
	}
	p.StartAction("seed_action")
	h := srv.Handler()

	// The routes to aim at: every API path of the spec with ids filled in.
	doc, err := fakehetzner.Spec()
	if err != nil {
		f.Fatal(err)
	}
	type route struct{ method, path string }
	var routes []route
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/v1/") && !strings.HasPrefix(path, "/api/") {
			continue
		}
		for method := range item.Operations() {
			filled := strings.NewReplacer("{id}", "1", "{id_or_name}", "1", "{rr_name}", "www", "{rr_type}", "A").Replace(path)
			routes = append(routes, route{method, filled})
		}
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].path+routes[i].method < routes[j].path+routes[j].method })
	methods := []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

	for i, r := range routes {
		f.Add(uint16(i), uint8(0), "", []byte(`{"name":"x"}`), r.method == "GET")
	}
	f.Add(uint16(0), uint8(1), "label_selector=env%3Dprod&per_page=50&sort=name:desc", []byte(nil), true)
	f.Add(uint16(3), uint8(2), "page=%zz&page=2", []byte(`{"labels":{"a":"b"},"name":`), false)
	f.Add(uint16(5), uint8(3), "id=1&id=abc", []byte(`[{"name":1}]`), false)
	f.Add(uint16(7), uint8(4), "", []byte("\x00\xff{}"), false)

	f.Fuzz(func(t *testing.T, routeIdx uint16, methodIdx uint8, query string, body []byte, specMethod bool) {
		r := routes[int(routeIdx)%len(routes)]
		method := r.method
		if !specMethod {
			method = methods[int(methodIdx)%len(methods)]
		}
		path := r.path
		if methodIdx%17 == 16 { // now and then a path that is not in the spec
			path += "/" + url.PathEscape(query)
		}
		before, _ := json.Marshal(srv.Store().Snapshot())
		req := &http.Request{
			Method: method, URL: &url.URL{Path: path, RawQuery: query}, Host: "fake.test",
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:        http.Header{"Authorization": {"Bearer " + token}, "Auth-API-Token": {token}},
			Body:          io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body)),
			RequestURI:    path,
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		if rec.Code >= 500 || rec.Code < 100 {
			t.Fatalf("%s %s?%s with %q: %d %s", method, path, query, body, rec.Code, rec.Body)
		}
		if rec.Header().Get("X-Correlation-Id") == "" {
			t.Fatalf("%s %s: no correlation id", method, path)
		}
		if rec.Code < 400 {
			return
		}
		after, _ := json.Marshal(srv.Store().Snapshot())
		if !bytes.Equal(before, after) {
			t.Fatalf("%s %s?%s with %q answered %d but changed the state", method, path, query, body, rec.Code)
		}
		if strings.HasPrefix(path, "/v1/") && method != "HEAD" {
			var env struct {
				Error *struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &env) != nil || env.Error == nil || env.Error.Code == "" {
				t.Fatalf("%s %s: %d without an error envelope: %s", method, path, rec.Code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("%s %s: error with Content-Type %q", method, path, ct)
			}
		}
	})
}
