// Package fakehetzner is a stateful fake of the Hetzner Cloud API (and the deprecated legacy
// DNS API) for tests and CI. New builds a server from a Config; Handler serves it.
package fakehetzner

import (
	_ "embed"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fakehetzner/fakehetzner/internal/handlers"
	"github.com/fakehetzner/fakehetzner/internal/store"
	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

// OpenAPI is the contract the fake serves and validates every request against.
//
//go:embed openapi.json
var OpenAPI []byte

// spec parses OpenAPI once per process; every server shares the result (it is never mutated).
var spec = sync.OnceValues(func() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	return doc, nil
})

// Spec returns the parsed openapi.json.
func Spec() (*openapi3.T, error) { return spec() }

// defaultCatalog is built once per process and shared read-only by every server.
var defaultCatalog = sync.OnceValue(catalog.Default)

// Config configures a server.
type Config struct {
	// Tokens are the accepted API tokens as TOKEN[:ro|:rw][@PROJECT]. None: any token is
	// accepted and each distinct token is a project of its own.
	Tokens []string
	// RateLimit is the number of requests per hour per project (0 turns limiting off).
	RateLimit int
	// ActionDuration is how long actions run: "0s" (finished on the next read), "2s", "manual".
	ActionDuration string
	// AdminToken protects the /_fake control API when set.
	AdminToken string
	// Logger receives one line per request; nil discards.
	Logger *slog.Logger
	// TimeSource is the wall clock the fake clock starts from (time.Now when nil).
	TimeSource func() time.Time
	// Limits caps resources per project by collection name (servers, ssh_keys, ...); kinds
	// not named keep the generous default (store.DefaultLimit).
	Limits map[string]int
	// MaxBodyBytes caps request bodies (0: 1 MiB).
	MaxBodyBytes int64
	// JournalSize is how many requests /_fake/requests keeps (0: 1000).
	JournalSize int
	// DatacentersRemoved makes GET /datacenters(/{id}) answer 410 deprecated_api_endpoint, as
	// announced for after 2026-10-01 (by default they are served, marked deprecated).
	DatacentersRemoved bool
}

// Server is one fake: its state and its HTTP handler.
type Server struct {
	store *store.Store
	api   *handlers.API
}

// New builds a server.
func New(cfg Config) (*Server, error) {
	doc, err := Spec()
	if err != nil {
		return nil, err
	}
	var tokens []handlers.Token
	for _, t := range cfg.Tokens {
		tok, err := handlers.ParseToken(t)
		if err != nil {
			return nil, err
		}
		tokens = append(tokens, tok)
	}
	if cfg.ActionDuration == "" {
		cfg.ActionDuration = "0s"
	}
	d, err := store.ParseActionDuration(cfg.ActionDuration)
	if err != nil {
		return nil, fmt.Errorf("action duration %q: use a duration such as 2s, or manual", cfg.ActionDuration)
	}
	if cfg.RateLimit < 0 {
		return nil, fmt.Errorf("rate limit %d: must be 0 (off) or more", cfg.RateLimit)
	}
	if err := store.Limits(cfg.Limits).Check(); err != nil {
		return nil, err
	}
	st := store.New(defaultCatalog(), store.WithClock(store.NewClock(cfg.TimeSource)), store.WithActionDuration(d),
		store.WithLimits(cfg.Limits))
	api, err := handlers.New(handlers.Options{
		Spec: doc, Store: st, Tokens: tokens, RateLimit: cfg.RateLimit,
		AdminToken: cfg.AdminToken, Logger: cfg.Logger,
		MaxBodyBytes: cfg.MaxBodyBytes, JournalSize: cfg.JournalSize,
		DatacentersRemoved: cfg.DatacentersRemoved,
	})
	if err != nil {
		return nil, err
	}
	return &Server{store: st, api: api}, nil
}

// Handler serves the whole API.
func (s *Server) Handler() http.Handler { return s.api }

// Store is the server's state, for seeding and inspection in tests.
func (s *Server) Store() *store.Store { return s.store }

// ProjectKey is the key of the project a token belongs to when no tokens are configured, or
// when the token is configured without a shared project name.
func ProjectKey(token string) string {
	tok, err := handlers.ParseToken(token)
	if err != nil {
		return ""
	}
	return handlers.ProjectKey(tok)
}
