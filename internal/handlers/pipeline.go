package handlers

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

// The request pipeline, in order and in one place:
//
//	recover → correlation id → journal → access log → recover → read body (size limit)
//	  → auth (token → project) → rate limit → faults → validate → handler
//
// The first six wrap every request; the gate applies auth and rate limit by surface (/v1,
// the legacy /api, the /_fake control API) to every request, routed or not; faults wrap
// every route but /_fake and /healthz, validation each route (registerRoutes in api.go), with
// the operation resolved once at start-up. recover runs twice: the inner one turns a handler's
// panic into an error the journal and the access log see; the outer one catches the rest.
// The journal comes before the access log so it also records the status of what that renders.
func (a *API) installPipeline(e *echo.Echo) {
	e.Use(a.recoverPanics, correlationID, a.journalRequests, a.accessLog, a.recoverPanics, a.readBody, a.gate)
}

// gate applies each surface's own auth and rate limit by path prefix. It runs for every
// request, routed or not, so an unknown /v1 route or a wrong method still answers with the
// auth check and the RateLimit-* headers, as the real API does.
func (a *API) gate(next echo.HandlerFunc) echo.HandlerFunc {
	v1 := a.authenticate(a.rateLimit(next))
	legacy := a.legacyAuthenticate(a.legacyRateLimit(next))
	control := a.requireAdmin(next)
	return func(c echo.Context) error {
		switch path := c.Request().URL.Path; {
		case strings.HasPrefix(path, "/v1/"):
			return v1(c)
		case strings.HasPrefix(path, "/api/"):
			return legacy(c)
		case strings.HasPrefix(path, "/_fake/"):
			return control(c)
		}
		return next(c)
	}
}

const (
	headerCorrelationID = "X-Correlation-Id"
	ctxProject          = "fakehetzner.project"
)

// recoverPanics turns a panic into 500 server_error and logs its stack; the server lives on.
func (a *API) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				a.log.Error("panic while serving", "panic", fmt.Sprint(r), "path", c.Request().URL.Path,
					"correlation_id", c.Response().Header().Get(headerCorrelationID), "stack", string(debug.Stack()))
				err = store.Errorf(store.CodeServerError, "internal server error")
			}
		}()
		return next(c)
	}
}

// correlationID gives every answer an X-Correlation-Id of 16 lowercase hex digits.
func correlationID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(headerCorrelationID, fmt.Sprintf("%016x", rand.Uint64()))
		return next(c)
	}
}

// accessLog writes one line per request. It renders errors itself so the line has the status.
// The token is never logged; the project appears as its key (a hash).
func (a *API) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		if !a.log.Enabled(c.Request().Context(), slog.LevelInfo) {
			return nil
		}
		req, res := c.Request(), c.Response()
		project := ""
		if p, ok := c.Get(ctxProject).(*store.Project); ok {
			project = p.Key()
		}
		a.log.LogAttrs(req.Context(), slog.LevelInfo, "request",
			slog.String("method", req.Method),
			slog.String("path", req.URL.Path),
			slog.Int("status", res.Status),
			slog.Duration("duration", time.Since(start)),
			slog.String("correlation_id", res.Header().Get(headerCorrelationID)),
			slog.String("project", project))
		return nil
	}
}

// Token is one accepted API token.
type Token struct {
	Value    string
	ReadOnly bool
	Project  string // project name shared by several tokens; "" = the token's own project
}

// ParseToken reads TOKEN[:ro|:rw][@PROJECT] as given to --token.
func ParseToken(spec string) (Token, error) {
	var t Token
	rest, project, hasProject := strings.Cut(spec, "@")
	if hasProject {
		if project == "" {
			return t, fmt.Errorf("token %q: empty project name after @", redact(spec))
		}
		t.Project = project
	}
	value, mode, hasMode := strings.Cut(rest, ":")
	switch {
	case !hasMode, mode == "rw":
	case mode == "ro":
		t.ReadOnly = true
	default:
		return t, fmt.Errorf("token %q: mode must be ro or rw", redact(spec))
	}
	if value == "" {
		return t, fmt.Errorf("empty token")
	}
	t.Value = value
	return t, nil
}

func redact(s string) string {
	if len(s) <= 4 {
		return "****"
	}
	return s[:4] + "****"
}

// ProjectKey names a project without revealing the token: a hash of the token, or of the
// project name shared by several tokens.
func ProjectKey(t Token) string {
	src := "token:" + t.Value
	if t.Project != "" {
		src = "project:" + t.Project
	}
	sum := sha256.Sum256([]byte(src))
	return hex.EncodeToString(sum[:8])
}

// bearer extracts the token of "Authorization: Bearer T".
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return ""
	}
	return strings.TrimSpace(h[7:])
}

// authenticate resolves the bearer token to its project. With no tokens configured every
// token is accepted and is a project of its own. A refused request still spends from a
// bucket of its own (per client address), as the API counts unauthenticated requests too.
func (a *API) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		tok, err := a.resolveToken(c.Request())
		if err != nil {
			if limitErr := a.spend(c, "anonymous/"+c.RealIP()); limitErr != nil {
				return limitErr
			}
			return err
		}
		c.Set(ctxProject, a.store.Project(a.keyOfToken(tok)))
		return next(c)
	}
}

// keyOfToken is ProjectKey, remembered per token: hashing on every request is measurable.
func (a *API) keyOfToken(t Token) string {
	cacheKey := t.Value + "\x00" + t.Project
	if k, ok := a.projectKeys.Load(cacheKey); ok {
		return k.(string)
	}
	k := ProjectKey(t)
	a.projectKeys.Store(cacheKey, k)
	return k
}

func (a *API) resolveToken(r *http.Request) (Token, error) {
	value := bearer(r)
	if value == "" {
		return Token{}, store.Errorf(store.CodeUnauthorized, "unable to authenticate")
	}
	tok, ok := a.tokens[value]
	if !ok && len(a.tokens) > 0 {
		return Token{}, store.Errorf(store.CodeUnauthorized, "unable to authenticate")
	}
	if !ok {
		tok = Token{Value: value}
	}
	if tok.ReadOnly && r.Method != http.MethodGet && r.Method != http.MethodHead {
		return Token{}, store.Errorf(store.CodeForbidden, "insufficient permissions: the token is read-only")
	}
	return tok, nil
}

// requireAdmin guards /_fake when an admin token is configured (constant-time compare).
func (a *API) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if a.adminToken != "" {
			got := bearer(c.Request())
			if subtle.ConstantTimeCompare([]byte(got), []byte(a.adminToken)) != 1 {
				return store.Errorf(store.CodeUnauthorized, "unable to authenticate")
			}
		}
		return next(c)
	}
}

// bucket is one project's token bucket: it holds up to limit requests and refills
// continuously at limit per hour, read off the fake clock.
type bucket struct {
	mu     sync.Mutex
	tokens float64
	last   time.Time
	limit  int
}

// take spends one request if the bucket has one; it returns what is left and when it is full.
func (b *bucket) take(now time.Time, limit int) (ok bool, remaining int, reset time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	perSecond := float64(limit) / 3600
	if b.limit != limit || b.last.IsZero() {
		b.tokens, b.limit = float64(limit), limit
	} else if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(float64(limit), b.tokens+elapsed*perSecond)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		ok = true
	}
	missing := float64(limit) - b.tokens
	reset = now.Add(time.Duration(math.Ceil(missing/perSecond)) * time.Second)
	return ok, int(b.tokens), reset
}

// rateLimit applies the project's bucket and sets the RateLimit-* headers on every answer.
func (a *API) rateLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := a.spend(c, c.Get(ctxProject).(*store.Project).Key()); err != nil {
			return err
		}
		return next(c)
	}
}

// spend takes one request from the bucket named key and sets the RateLimit-* headers;
// it fails with rate_limit_exceeded when the bucket is empty. A limit of 0 is no limit.
func (a *API) spend(c echo.Context, key string) error {
	limit := int(a.rateLimitPerHour.Load())
	if limit <= 0 {
		return nil
	}
	bv, _ := a.buckets.LoadOrStore(key, &bucket{})
	ok, remaining, reset := bv.(*bucket).take(a.store.Clock().Now(), limit)
	h := c.Response().Header()
	h.Set("RateLimit-Limit", strconv.Itoa(limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	if !ok {
		return store.Errorf(store.CodeRateLimitExceeded, "limit of %d requests per hour reached", limit)
	}
	return nil
}
