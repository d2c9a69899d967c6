package handlers

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

// Fault injection: /_fake/faults lets a test make chosen requests fail the way the real cloud
// can fail (an error answer, a slow answer, a dropped connection), a number of times, with a
// probability, for one project. Faults run in the pipeline after auth and rate limiting (so
// they can target a project and answers carry the RateLimit headers) and before validation.

// Fault is one injected fault as /_fake/faults shows it. The token it targets is kept only as
// its project key.
type Fault struct {
	ID             int64           `json:"id"`
	Method         string          `json:"method,omitempty"`
	Path           string          `json:"path,omitempty"`
	Status         int             `json:"status,omitempty"`
	Code           store.Code      `json:"code,omitempty"`
	Message        string          `json:"message,omitempty"`
	Details        json.RawMessage `json:"details,omitempty"`
	Delay          string          `json:"delay,omitempty"`
	DropConnection bool            `json:"drop_connection,omitempty"`
	Times          int             `json:"times,omitempty"`     // 0: every matching request
	Remaining      *int            `json:"remaining,omitempty"` // left of Times
	Probability    *float64        `json:"probability,omitempty"`
	Project        string          `json:"project,omitempty"` // key of the targeted project
	Hits           int             `json:"hits"`              // how often it fired
}

// faultRequest is the body of POST /_fake/faults.
type faultRequest struct {
	Method         string          `json:"method"`
	Path           string          `json:"path"`
	Status         int             `json:"status"`
	Code           store.Code      `json:"code"`
	Message        string          `json:"message"`
	Details        json.RawMessage `json:"details"`
	Delay          string          `json:"delay"`
	DropConnection bool            `json:"drop_connection"`
	Times          int             `json:"times"`
	Probability    *float64        `json:"probability"`
	Token          string          `json:"token"`
}

// activeFault is a fault with its parsed matcher and delay.
type activeFault struct {
	Fault
	path  pathPattern
	delay time.Duration
}

// faultSet holds the injected faults in creation order.
type faultSet struct {
	mu     sync.Mutex
	faults []*activeFault
	lastID int64
}

// defaultCodeForStatus is the code a status-only fault answers with: the API's code for it.
var defaultCodeForStatus = map[int]store.Code{
	400: store.CodeJSONError, 401: store.CodeUnauthorized, 403: store.CodeForbidden,
	404: store.CodeNotFound, 405: store.CodeMethodNotAllowed, 409: store.CodeConflict,
	410: store.CodeDeprecatedAPIEndpoint, 412: store.CodeResourceUnavailable,
	422: store.CodeInvalidInput, 423: store.CodeLocked, 429: store.CodeRateLimitExceeded,
	500: store.CodeServerError, 502: store.CodeBadGateway, 503: store.CodeUnavailable,
	504: store.CodeTimeout,
}

// newFault checks a fault request; projectKey resolves its token.
func newFault(req faultRequest, projectKey func(string) (string, bool)) (*activeFault, error) {
	f := &activeFault{Fault: Fault{
		Method: strings.ToUpper(req.Method), Path: req.Path, Status: req.Status, Code: req.Code,
		Message: req.Message, Delay: req.Delay, DropConnection: req.DropConnection,
		Times: req.Times, Probability: req.Probability,
	}}
	if req.Method != "" && !slices.Contains([]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}, f.Method) {
		return nil, store.InvalidField("method", "Not a valid choice.")
	}
	if req.Path != "" {
		p, ok := parsePathPattern(req.Path)
		if !ok {
			return nil, store.InvalidField("path", "Must be a path starting with /, with {name} for any one segment.")
		}
		f.path = p
	}
	if req.Status != 0 && (req.Status < 400 || req.Status > 599) {
		return nil, store.InvalidField("status", "Must be an error status between 400 and 599.")
	}
	if f.Code != "" && f.Status == 0 {
		f.Status = f.Code.Status()
	}
	if f.Status != 0 && f.Code == "" {
		f.Code = defaultCodeForStatus[f.Status]
		if f.Code == "" {
			f.Code = store.CodeServerError
		}
	}
	if f.Status != 0 && f.Message == "" {
		f.Message = "injected fault: " + string(f.Code)
	}
	if len(req.Details) > 0 && string(req.Details) != "null" {
		var obj map[string]any
		if json.Unmarshal(req.Details, &obj) != nil {
			return nil, store.InvalidField("details", "Not a valid mapping type.")
		}
		if f.Status == 0 {
			return nil, store.InvalidField("details", "Details need a status or a code.")
		}
		f.Details = req.Details
	}
	if req.Delay != "" {
		d, err := time.ParseDuration(req.Delay)
		if err != nil || d < 0 || d > 10*time.Minute {
			return nil, store.InvalidField("delay", "Not a valid duration between 0s and 10m.")
		}
		f.delay = d
	}
	if f.DropConnection && f.Status != 0 {
		return nil, store.InvalidField("drop_connection", "A dropped connection has no status or code.")
	}
	if f.Status == 0 && f.delay == 0 && !f.DropConnection {
		return nil, store.InvalidField("_schema", "A fault needs a status, a code, a delay or drop_connection.")
	}
	if req.Times < 0 {
		return nil, store.InvalidField("times", "Must be greater than or equal to 0.")
	}
	if req.Times > 0 {
		left := req.Times
		f.Remaining = &left
	}
	if p := req.Probability; p != nil && (*p < 0 || *p > 1) {
		return nil, store.InvalidField("probability", "Must be between 0 and 1.")
	}
	if req.Token != "" {
		key, ok := projectKey(req.Token)
		if !ok {
			return nil, store.InvalidField("token", "The server does not accept this token.")
		}
		f.Project = key
	}
	return f, nil
}

func (s *faultSet) add(f *activeFault) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastID++
	f.ID = s.lastID
	s.faults = append(s.faults, f)
	return f.view()
}

// view copies a fault for an answer.
func (f *activeFault) view() Fault {
	v := f.Fault
	if f.Remaining != nil {
		left := *f.Remaining
		v.Remaining = &left
	}
	return v
}

func (s *faultSet) list() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, 0, len(s.faults))
	for _, f := range s.faults {
		out = append(out, f.view())
	}
	return out
}

func (s *faultSet) remove(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.faults)
	s.faults = slices.DeleteFunc(s.faults, func(f *activeFault) bool { return f.ID == id })
	return len(s.faults) < n
}

func (s *faultSet) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// fire picks the first fault (by id) that matches the request and fires this time, counting
// it down; nil when none does.
func (s *faultSet) fire(method, path, project string) *activeFault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.Method != "" && f.Method != method {
			continue
		}
		if f.path != nil && !f.path.matches(path) {
			continue
		}
		if f.Project != "" && f.Project != project {
			continue
		}
		if f.Remaining != nil && *f.Remaining == 0 {
			continue
		}
		if f.Probability != nil && rand.Float64() >= *f.Probability {
			continue
		}
		if f.Remaining != nil {
			*f.Remaining--
		}
		f.Hits++
		fired := *f
		return &fired
	}
	return nil
}

// pathPattern is a path split into segments; a "{name}" segment matches any one segment.
type pathPattern []string

// parsePathPattern reads a fault or journal path. Paths outside /v1, /api and /_fake are Cloud
// API paths without their /v1 prefix: "/servers/{id}" means "/v1/servers/{id}".
func parsePathPattern(s string) (pathPattern, bool) {
	if !strings.HasPrefix(s, "/") || strings.ContainsAny(s, "?# ") {
		return nil, false
	}
	if s != "/v1" && !strings.HasPrefix(s, "/v1/") && !strings.HasPrefix(s, "/api/") && !strings.HasPrefix(s, "/_fake/") {
		s = "/v1" + s
	}
	return pathPattern(strings.Split(strings.TrimSuffix(s, "/"), "/")), true
}

func (p pathPattern) matches(path string) bool {
	segs := strings.Split(strings.TrimSuffix(path, "/"), "/")
	if len(segs) != len(p) {
		return false
	}
	for i, want := range p {
		if strings.HasPrefix(want, "{") && strings.HasSuffix(want, "}") {
			if segs[i] == "" {
				return false
			}
			continue
		}
		if want != segs[i] {
			return false
		}
	}
	return true
}

const (
	ctxFault   = "fakehetzner.fault"   // id of the fault that answered
	ctxDropped = "fakehetzner.dropped" // the connection was closed without an answer
)

// injectFaults applies the first fault that matches the request: it waits the delay, then
// answers the fault's error, drops the connection, or (delay only) serves the request.
func (a *API) injectFaults(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		projectKey := ""
		if p, ok := c.Get(ctxProject).(*store.Project); ok {
			projectKey = p.Key()
		}
		f := a.faults.fire(req.Method, req.URL.Path, projectKey)
		if f == nil {
			return next(c)
		}
		c.Set(ctxFault, f.ID)
		if f.delay > 0 {
			t := time.NewTimer(f.delay)
			select {
			case <-t.C:
			case <-req.Context().Done():
				t.Stop()
				return store.Errorf(store.CodeTimeout, "request cancelled during an injected delay")
			}
		}
		switch {
		case f.DropConnection:
			return dropConnection(c)
		case f.Status != 0:
			e := &store.Error{Code: f.Code, Message: f.Message}
			if len(f.Details) > 0 {
				e.Details = f.Details
			}
			return e.WithStatus(f.Status)
		}
		return next(c)
	}
}

// dropConnection closes the connection without an answer, as a crashed upstream would.
func dropConnection(c echo.Context) error {
	conn, _, err := c.Response().Hijack()
	if err != nil {
		// HTTP/2 or a recorder: aborting the handler is the closest thing.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
	c.Set(ctxDropped, true)
	c.Response().Committed, c.Response().Status = true, 0
	return nil
}

// projectKeyOf resolves a token to its project key as authenticate would; false when the
// server has a token list and the token is not on it.
func (a *API) projectKeyOf(value string) (string, bool) {
	tok, ok := a.tokens[value]
	if !ok && len(a.tokens) > 0 {
		return "", false
	}
	if !ok {
		tok = Token{Value: value}
	}
	return a.keyOfToken(tok), true
}

func (a *API) faultOperations() map[string]echo.HandlerFunc {
	return map[string]echo.HandlerFunc{
		"fake_create_fault":  a.createFault,
		"fake_list_faults":   a.listFaults,
		"fake_delete_fault":  a.deleteFault,
		"fake_delete_faults": a.deleteFaults,
	}
}

func (a *API) createFault(c echo.Context) error {
	var req faultRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	f, err := newFault(req, a.projectKeyOf)
	if err != nil {
		return err
	}
	return c.JSON(201, a.faults.add(f))
}

func (a *API) listFaults(c echo.Context) error {
	return c.JSON(200, map[string]any{"faults": a.faults.list()})
}

func (a *API) deleteFault(c echo.Context) error {
	id, err := pathID(c, "id", "fault")
	if err != nil {
		return err
	}
	if !a.faults.remove(id) {
		return store.NotFound("fault")
	}
	return c.NoContent(204)
}

func (a *API) deleteFaults(c echo.Context) error {
	a.faults.clear()
	return c.NoContent(204)
}
