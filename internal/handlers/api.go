// Package handlers is the HTTP side of the fake: the request pipeline, Hetzner's error
// envelope, and one file per resource group whose handlers only translate HTTP to store calls.
package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

// Options configure the API.
type Options struct {
	Spec       *openapi3.T // the parsed openapi.json; every route in it needs a handler
	Store      *store.Store
	Tokens     []Token // none: any token is accepted, each its own project
	RateLimit  int     // requests per hour per project; 0 turns limiting off
	AdminToken string  // protects /_fake when set
	Logger     *slog.Logger
	// MaxBodyBytes caps a request body (0: DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// JournalSize is how many requests /_fake/requests keeps (0: DefaultJournalSize).
	JournalSize int
	// DatacentersRemoved makes /datacenters answer 410, as announced for after 2026-10-01.
	DatacentersRemoved bool
}

// API serves every route of the spec.
type API struct {
	echo       *echo.Echo
	store      *store.Store
	log        *slog.Logger
	tokens     map[string]Token
	adminToken string

	catalogCache       catalogCache
	datacentersRemoved atomic.Bool // the announced 410 for /datacenters
	rateLimitPerHour   atomic.Int64
	buckets            sync.Map // project key → *bucket
	projectKeys        sync.Map // token (and project name) → project key

	faults       faultSet
	journal      *journal
	maxBodyBytes int64
}

// New builds the API. It fails when the spec has an operation without a handler.
func New(o Options) (*API, error) {
	a := &API{store: o.Store, log: o.Logger, tokens: map[string]Token{}, adminToken: o.AdminToken,
		journal: newJournal(o.JournalSize), maxBodyBytes: o.MaxBodyBytes}
	if a.maxBodyBytes <= 0 {
		a.maxBodyBytes = DefaultMaxBodyBytes
	}
	if a.log == nil {
		// DiscardHandler reports every level disabled, so the access log skips building lines.
		a.log = slog.New(slog.DiscardHandler)
	}
	for _, t := range o.Tokens {
		a.tokens[t.Value] = t
	}
	a.rateLimitPerHour.Store(int64(o.RateLimit))
	a.datacentersRemoved.Store(o.DatacentersRemoved)

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = a.writeError
	a.installPipeline(e)
	if err := a.registerRoutes(e, o.Spec); err != nil {
		return nil, err
	}
	a.echo = e
	return a, nil
}

// ServeHTTP serves a request through the pipeline.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.echo.ServeHTTP(w, r) }

// SetRateLimit changes the per-project limit at run time (0 = off).
func (a *API) SetRateLimit(perHour int) { a.rateLimitPerHour.Store(int64(perHour)) }

// RateLimit is the per-project limit per hour (0 = off).
func (a *API) RateLimit() int { return int(a.rateLimitPerHour.Load()) }

// operations maps every operationId of the spec to its handler. Each resource file adds its own.
func (a *API) operations() map[string]echo.HandlerFunc {
	ops := map[string]echo.HandlerFunc{}
	for _, group := range []map[string]echo.HandlerFunc{
		a.actionOperations(), a.catalogOperations(), a.sshKeyOperations(), a.controlOperations(),
		a.serverOperations(), a.primaryIPOperations(), a.floatingIPOperations(), a.placementGroupOperations(), a.imageOperations(), a.metadataOperations(),
		a.faultOperations(), a.journalOperations(), a.zoneOperations(), a.legacyOperations(),
		a.networkOperations(), a.certificateOperations(), a.volumeOperations(), a.firewallOperations(),
		a.loadBalancerOperations(),
	} {
		for id, h := range group {
			ops[id] = h
		}
	}
	return ops
}

// preValidation are checks that answer before schema validation, where the real API does.
func (a *API) preValidation() map[string]echo.MiddlewareFunc {
	return map[string]echo.MiddlewareFunc{"get_multiple_actions": requireActionIDs,
		"legacy_import_zone_file": defaultPlainText, "legacy_validate_zone_file": defaultPlainText,
		"add_service": serviceDefaults(false), "create_load_balancer": serviceDefaults(true)}
}

// registerRoutes adds one echo route per operation of the spec, each with its validation
// middleware bound to the operation found here, once.
func (a *API) registerRoutes(e *echo.Echo, spec *openapi3.T) error {
	handlers := a.operations()
	pre := a.preValidation()
	// Middleware is attached per route rather than per echo group: a group's catch-all route
	// would turn a wrong method on a known path into 404 instead of 405. Unknown routes get
	// echo's 404 and 405, which writeError renders as not_found and method_not_allowed.

	paths := spec.Paths.InMatchingOrder()
	sort.Strings(paths)
	used := map[string]bool{}
	for _, path := range paths {
		item := spec.Paths.Value(path)
		for method, op := range item.Operations() {
			h, ok := handlers[op.OperationID]
			if !ok {
				return fmt.Errorf("operation %s (%s %s) has no handler", op.OperationID, method, path)
			}
			used[op.OperationID] = true
			route := &routers.Route{Spec: spec, Path: path, PathItem: item, Method: method, Operation: op}
			var mws []echo.MiddlewareFunc // auth and rate limit run earlier, in the gate (pipeline.go)
			if !strings.HasPrefix(path, "/_fake/") && path != "/healthz" {
				mws = append(mws, a.injectFaults) // after auth: a fault can target a project
			}
			if m, ok := pre[op.OperationID]; ok {
				mws = append(mws, m)
			}
			mws = append(mws, validate(route))
			e.Add(method, strings.NewReplacer("{", ":", "}", "").Replace(path), h, mws...)
		}
	}
	for id := range handlers {
		if !used[id] {
			return fmt.Errorf("handler %s has no operation in openapi.json", id)
		}
	}
	return nil
}
