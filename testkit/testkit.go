// Package testkit runs fakehetzner in-process for Go tests.
//
//	srv := testkit.New(t)
//	client := hcloud.NewClient(hcloud.WithEndpoint(srv.URL), hcloud.WithToken(srv.Token))
//
// The server is closed by t.Cleanup. Time is explicit: actions finish when the fake clock
// reaches their due time (AdvanceClock), never by sleeping.
package testkit

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fakehetzner/fakehetzner"
	"github.com/fakehetzner/fakehetzner/internal/store"
)

// Option configures a test server.
type Option func(*fakehetzner.Config)

// WithActionDuration makes actions run for d (finished when the clock has advanced by d).
func WithActionDuration(d time.Duration) Option {
	return func(c *fakehetzner.Config) { c.ActionDuration = d.String() }
}

// WithManualActions keeps actions running until CompleteAction is called.
func WithManualActions() Option {
	return func(c *fakehetzner.Config) { c.ActionDuration = "manual" }
}

// WithRateLimit sets the per-project requests per hour (0 = off, the testkit default).
func WithRateLimit(perHour int) Option { return func(c *fakehetzner.Config) { c.RateLimit = perHour } }

// WithTokens restricts the accepted tokens (TOKEN[:ro|:rw][@PROJECT]); the first is Token.
func WithTokens(tokens ...string) Option { return func(c *fakehetzner.Config) { c.Tokens = tokens } }

// WithAdminToken protects the /_fake control API.
func WithAdminToken(token string) Option { return func(c *fakehetzner.Config) { c.AdminToken = token } }

// WithLogger sends the access log to l (discarded by default).
func WithLogger(l *slog.Logger) Option { return func(c *fakehetzner.Config) { c.Logger = l } }

// WithTimeSource starts the fake clock from another wall clock.
func WithTimeSource(now func() time.Time) Option {
	return func(c *fakehetzner.Config) { c.TimeSource = now }
}

// Server is a running in-process fake.
type Server struct {
	// URL is the Cloud API base, ending in /v1, for hcloud.WithEndpoint.
	URL string
	// BaseURL is the server root (for /_fake, /healthz and /api/v1).
	BaseURL string
	// Token is an accepted API token; its project is the one the helpers seed.
	Token string

	fake   *fakehetzner.Server
	http   *httptest.Server
	tokens []string // the configured TOKEN[:mode][@project] specs
	admin  string   // the admin token, for the /_fake calls of control.go
}

// New starts a server for the test and closes it when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := fakehetzner.Config{ActionDuration: "0s"}
	for _, o := range opts {
		o(&cfg)
	}
	fake, err := fakehetzner.New(cfg)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	hs := httptest.NewServer(fake.Handler())
	t.Cleanup(hs.Close)
	token := "testkit-token"
	if len(cfg.Tokens) > 0 {
		tok, _, _ := cutToken(cfg.Tokens[0])
		token = tok
	}
	return &Server{URL: hs.URL + "/v1", BaseURL: hs.URL, Token: token, fake: fake, http: hs, tokens: cfg.Tokens,
		admin: cfg.AdminToken}
}

// cutToken returns the token value of TOKEN[:mode][@project].
func cutToken(spec string) (string, string, bool) {
	for i := 0; i < len(spec); i++ {
		if spec[i] == ':' || spec[i] == '@' {
			return spec[:i], spec[i:], true
		}
	}
	return spec, "", false
}

// HTTPClient is a client for the server (plain net/http, no token added).
func (s *Server) HTTPClient() *http.Client { return s.http.Client() }

// Store is the server's state, for inspection.
func (s *Server) Store() *store.Store { return s.fake.Store() }

// Project is the state of the project that Token belongs to.
func (s *Server) Project() *store.Project { return s.ProjectOf(s.Token) }

// ProjectOf is the state of the project a token belongs to. A configured token counts with
// its @project, so tokens sharing a project name share the state.
func (s *Server) ProjectOf(token string) *store.Project {
	spec := token
	for _, configured := range s.tokens {
		if value, _, _ := cutToken(configured); value == token {
			spec = configured
			break
		}
	}
	return s.fake.Store().Project(fakehetzner.ProjectKey(spec))
}

// AdvanceClock moves the fake clock forward and finishes the actions that became due.
func (s *Server) AdvanceClock(d time.Duration) {
	s.fake.Store().Clock().Advance(d)
	s.fake.Store().Tick()
}

// Now is the fake clock's time.
func (s *Server) Now() time.Time { return s.fake.Store().Clock().Now() }

// CompleteAction finishes a running action (success, or failure with code and message).
func (s *Server) CompleteAction(id int64, success bool, code, message string) (store.Action, error) {
	return s.fake.Store().CompleteAction(id, success, code, message)
}

// CreateSSHKey seeds an SSH key into Token's project.
func (s *Server) CreateSSHKey(t testing.TB, name, publicKey string, labels map[string]string) store.SSHKey {
	t.Helper()
	k, err := s.Project().CreateSSHKey(store.CreateSSHKey{Name: name, PublicKey: publicKey, Labels: labels})
	if err != nil {
		t.Fatalf("testkit: seeding ssh key %q: %v", name, err)
	}
	return k
}

// Snapshot returns the whole state; Restore puts one back.
func (s *Server) Snapshot() store.Snapshot { return s.fake.Store().Snapshot() }

// Restore replaces the whole state with a snapshot.
func (s *Server) Restore(snap store.Snapshot) error { return s.fake.Store().Restore(snap) }
