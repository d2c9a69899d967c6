package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

// The request journal: the last requests to the APIs (never /_fake or /healthz), newest first,
// so a test can assert what its client called. It keeps the project key, never the token.

// JournalEntry is one request as GET /_fake/requests shows it.
type JournalEntry struct {
	ID            int64           `json:"id"` // sequence number, counting from 1
	Time          time.Time       `json:"time"`
	Method        string          `json:"method"`
	Path          string          `json:"path"`
	Query         string          `json:"query"`
	Route         string          `json:"route,omitempty"` // the spec path that served it
	Status        int             `json:"status"`          // 0: the connection was dropped
	Duration      string          `json:"duration"`
	CorrelationID string          `json:"correlation_id"`
	Project       string          `json:"project,omitempty"`
	Body          json.RawMessage `json:"body,omitempty"` // writes only; a JSON string when not JSON
	BodyTruncated bool            `json:"body_truncated,omitempty"`
	Fault         int64           `json:"fault,omitempty"` // id of the injected fault that applied
}

// Default sizes: how many requests the journal keeps, how much of a body, and how large a
// request body may be.
const (
	DefaultJournalSize  = 1000
	journalBodyMax      = 16 << 10
	DefaultMaxBodyBytes = 1 << 20
)

// journal is a bounded ring of entries.
type journal struct {
	mu      sync.Mutex
	entries []JournalEntry // ring of cap size
	next    int            // where the next entry goes
	full    bool
	lastID  int64
}

func newJournal(size int) *journal {
	if size <= 0 {
		size = DefaultJournalSize
	}
	return &journal{entries: make([]JournalEntry, size)}
}

func (j *journal) add(e JournalEntry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.lastID++
	e.ID = j.lastID
	j.entries[j.next] = e
	j.next = (j.next + 1) % len(j.entries)
	if j.next == 0 {
		j.full = true
	}
}

// newestFirst returns the entries that pass keep, newest first, at most limit (0: all).
func (j *journal) newestFirst(keep func(*JournalEntry) bool, limit int) []JournalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := j.next
	if j.full {
		n = len(j.entries)
	}
	out := []JournalEntry{}
	for i := 0; i < n; i++ {
		e := &j.entries[(j.next-1-i+len(j.entries))%len(j.entries)]
		if keep(e) {
			out = append(out, *e)
			if limit > 0 && len(out) == limit {
				break
			}
		}
	}
	return out
}

func (j *journal) clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	clear(j.entries)
	j.next, j.full = 0, false
}

const ctxBody = "fakehetzner.body"

// journaled says whether a path belongs in the journal: the APIs, not the control routes.
func journaled(path string) bool {
	return path != "/healthz" && path != "/_fake" && !strings.HasPrefix(path, "/_fake/")
}

// journalRequests records every API request with the answer it got. It sits right after the
// correlation id, outside the access log that renders errors, so it sees every status.
func (a *API) journalRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if !journaled(req.URL.Path) {
			return next(c)
		}
		start := time.Now()
		err := next(c)
		if err != nil { // render now so the entry has the status
			c.Error(err)
			err = nil
		}
		res := c.Response()
		e := JournalEntry{
			Time:          a.store.Clock().Now(),
			Method:        req.Method,
			Path:          req.URL.Path,
			Query:         req.URL.RawQuery,
			Route:         routeTemplate(c),
			Status:        res.Status,
			Duration:      time.Since(start).String(),
			CorrelationID: res.Header().Get(headerCorrelationID),
		}
		if p, ok := c.Get(ctxProject).(*store.Project); ok {
			e.Project = p.Key()
		}
		if dropped, _ := c.Get(ctxDropped).(bool); dropped {
			e.Status = 0
		}
		if id, ok := c.Get(ctxFault).(int64); ok {
			e.Fault = id
		}
		if body, ok := c.Get(ctxBody).([]byte); ok && len(bytes.TrimSpace(body)) > 0 {
			e.Body, e.BodyTruncated = journalBody(body)
		}
		a.journal.add(e)
		return err
	}
}

// routeTemplate is the spec path of the route that served the request ("" when none did).
func routeTemplate(c echo.Context) string {
	p := c.Path()
	if p == "" || strings.HasSuffix(p, "/*") {
		return ""
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

// journalBody keeps a body as JSON when it is JSON and small enough, else as a JSON string.
func journalBody(body []byte) (json.RawMessage, bool) {
	truncated := len(body) > journalBodyMax
	if !truncated && json.Valid(body) {
		var compact bytes.Buffer
		if json.Compact(&compact, body) == nil {
			return compact.Bytes(), false
		}
	}
	if truncated {
		body = body[:journalBodyMax]
	}
	s, _ := json.Marshal(strings.ToValidUTF8(string(body), "\uFFFD"))
	return s, truncated
}

// readBody reads a write's body once, up to the body limit, so the journal can record it and
// validation and the handler read it again. A larger body is refused before anything else.
func (a *API) readBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Body == nil || req.Body == http.NoBody || req.Method == http.MethodGet || req.Method == http.MethodHead {
			return next(c)
		}
		if req.ContentLength > a.maxBodyBytes {
			return bodyTooLarge(a.maxBodyBytes)
		}
		body, err := io.ReadAll(http.MaxBytesReader(c.Response(), req.Body, a.maxBodyBytes))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return bodyTooLarge(a.maxBodyBytes)
			}
			return store.Errorf(store.CodeJSONError, "could not read the request body")
		}
		c.Set(ctxBody, body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		return next(c)
	}
}

// bodyTooLarge is the answer to a body over the limit. The real API's answer is not known;
// invalid_input is what it gives for values that are too long.
func bodyTooLarge(limit int64) error {
	return store.Errorf(store.CodeInvalidInput, "request body too large: the limit is %d bytes", limit)
}

func (a *API) journalOperations() map[string]echo.HandlerFunc {
	return map[string]echo.HandlerFunc{
		"fake_list_requests":  a.listRequests,
		"fake_clear_requests": a.clearRequests,
	}
}

// listRequests answers GET /_fake/requests with the filters method, path (a pattern as for
// faults), status, project (a key), token (resolved to its project) and limit.
func (a *API) listRequests(c echo.Context) error {
	q := c.QueryParams()
	method := strings.ToUpper(q.Get("method"))
	var path pathPattern
	if s := q.Get("path"); s != "" {
		p, ok := parsePathPattern(s)
		if !ok {
			return store.InvalidField("path", "Must be a path starting with /, with {name} for any one segment.")
		}
		path = p
	}
	status := 0
	if s := q.Get("status"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return store.InvalidField("status", "Not a valid integer.")
		}
		status = n
	}
	project := q.Get("project")
	if tok := q.Get("token"); tok != "" {
		key, ok := a.projectKeyOf(tok)
		if !ok {
			return store.InvalidField("token", "The server does not accept this token.")
		}
		project = key
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	entries := a.journal.newestFirst(func(e *JournalEntry) bool {
		return (method == "" || e.Method == method) &&
			(path == nil || path.matches(e.Path)) &&
			(!q.Has("status") || e.Status == status) &&
			(project == "" || e.Project == project)
	}, limit)
	return c.JSON(200, map[string]any{"requests": entries})
}

func (a *API) clearRequests(c echo.Context) error {
	a.journal.clear()
	return c.NoContent(204)
}
