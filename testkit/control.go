package testkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/fakehetzner/fakehetzner"
)

// The control helpers: fault injection, the request journal and project limits, through the
// same /_fake routes a shared CI server offers.

// WithLimits caps resources per project by collection name, e.g. {"servers": 5}.
func WithLimits(limits map[string]int) Option {
	return func(c *fakehetzner.Config) { c.Limits = limits }
}

// WithMaxBodyBytes caps request bodies.
func WithMaxBodyBytes(n int64) Option { return func(c *fakehetzner.Config) { c.MaxBodyBytes = n } }

// WithJournalSize sets how many requests the journal keeps.
func WithJournalSize(n int) Option { return func(c *fakehetzner.Config) { c.JournalSize = n } }

// Fault makes matching requests fail. Path is exact or has {name} for any one segment; a
// path without /v1 is a Cloud API path ("/servers/{id}"). Status and Code give an error
// answer in Hetzner's envelope (either one implies the other), Delay waits first (alone it
// only slows the request down), DropConnection closes the connection without an answer.
// Times 0 fires on every match; Probability 0 means always; Token limits it to that token's
// project.
type Fault struct {
	Method         string
	Path           string
	Status         int
	Code           string
	Message        string
	Details        map[string]any
	Delay          time.Duration
	DropConnection bool
	Times          int
	Probability    float64
	Token          string
}

// InjectedFault is a fault as the server lists it.
type InjectedFault struct {
	ID        int64  `json:"id"`
	Method    string `json:"method"`
	Path      string `json:"path"`
	Status    int    `json:"status"`
	Code      string `json:"code"`
	Remaining *int   `json:"remaining"`
	Project   string `json:"project"`
	Hits      int    `json:"hits"`
}

// InjectFault adds a fault and returns its id.
func (s *Server) InjectFault(t testing.TB, f Fault) int64 {
	t.Helper()
	body := map[string]any{}
	for name, v := range map[string]any{"method": f.Method, "path": f.Path, "status": f.Status,
		"code": f.Code, "message": f.Message, "drop_connection": f.DropConnection, "times": f.Times,
		"token": f.Token, "probability": f.Probability} {
		if v != reflect.Zero(reflect.TypeOf(v)).Interface() { // zero: the server's default
			body[name] = v
		}
	}
	if f.Details != nil {
		body["details"] = f.Details
	}
	if f.Delay > 0 {
		body["delay"] = f.Delay.String()
	}
	var out InjectedFault
	s.control(t, http.MethodPost, "/_fake/faults", body, 201, &out)
	return out.ID
}

// Faults lists the injected faults with how often each fired.
func (s *Server) Faults(t testing.TB) []InjectedFault {
	t.Helper()
	var out struct {
		Faults []InjectedFault `json:"faults"`
	}
	s.control(t, http.MethodGet, "/_fake/faults", nil, 200, &out)
	return out.Faults
}

// RemoveFault removes one fault.
func (s *Server) RemoveFault(t testing.TB, id int64) {
	t.Helper()
	s.control(t, http.MethodDelete, "/_fake/faults/"+strconv.FormatInt(id, 10), nil, 204, nil)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults(t testing.TB) {
	t.Helper()
	s.control(t, http.MethodDelete, "/_fake/faults", nil, 204, nil)
}

// Request is one journal entry: a request to the API and the status it got.
type Request struct {
	ID            int64           `json:"id"`
	Time          time.Time       `json:"time"`
	Method        string          `json:"method"`
	Path          string          `json:"path"`
	Query         string          `json:"query"`
	Route         string          `json:"route"`
	Status        int             `json:"status"`
	Duration      string          `json:"duration"`
	CorrelationID string          `json:"correlation_id"`
	Project       string          `json:"project"`
	Body          json.RawMessage `json:"body"`
	BodyTruncated bool            `json:"body_truncated"`
	Fault         int64           `json:"fault"`
}

// RequestFilter narrows Requests; zero fields match everything.
type RequestFilter struct {
	Method string
	Path   string // exact or with {name} segments; without /v1 it is a Cloud API path
	Status int
	Token  string // only this token's project
}

// Requests returns the journal, newest first, optionally filtered.
func (s *Server) Requests(t testing.TB, filter ...RequestFilter) []Request {
	t.Helper()
	q := url.Values{}
	for _, f := range filter {
		if f.Method != "" {
			q.Set("method", f.Method)
		}
		if f.Path != "" {
			q.Set("path", f.Path)
		}
		if f.Status != 0 {
			q.Set("status", strconv.Itoa(f.Status))
		}
		if f.Token != "" {
			q.Set("token", f.Token)
		}
	}
	var out struct {
		Requests []Request `json:"requests"`
	}
	s.control(t, http.MethodGet, "/_fake/requests?"+q.Encode(), nil, 200, &out)
	return out.Requests
}

// ClearRequests empties the journal.
func (s *Server) ClearRequests(t testing.TB) {
	t.Helper()
	s.control(t, http.MethodDelete, "/_fake/requests", nil, 204, nil)
}

// SetLimits changes the named per-project limits (others stay).
func (s *Server) SetLimits(t testing.TB, limits map[string]int) {
	t.Helper()
	s.control(t, http.MethodPatch, "/_fake/config", map[string]any{"limits": limits}, 200, nil)
}

// control calls a /_fake route and decodes the answer into out.
func (s *Server) control(t testing.TB, method, path string, body any, want int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("testkit: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.BaseURL+path, rd)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if s.admin != "" {
		req.Header.Set("Authorization", "Bearer "+s.admin)
	}
	res, err := s.http.Client().Do(req)
	if err != nil {
		t.Fatalf("testkit: %s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("testkit: %s %s: %d %s", method, path, res.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("testkit: %s %s: %v", method, path, fmt.Errorf("decoding %s: %w", data, err))
		}
	}
}
