package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

// The deprecated legacy DNS API under /api/v1 (formerly dns.hetzner.com), with the old
// service's shapes: Auth-API-Token, string ids, its own error bodies, creates answering 200,
// Kong's rate-limit headers, and Deprecation/Sunset headers on every answer.

// legacyDeprecated is when the surface was deprecated (the DNS beta ended and no new zones
// could be made in the old console: 2025-11-10); legacySunset when the old API was shut down
// (May 2026 per third-party notes; the exact day is unconfirmed).
var (
	legacyDeprecated = time.Date(2025, 11, 10, 0, 0, 0, 0, time.UTC)
	legacySunset     = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
)

const (
	headerLegacyToken = "Auth-API-Token"
	legacyJSONType    = "application/json; charset=utf-8"
)

// markDeprecated sets the Deprecation (RFC 9745) and Sunset (RFC 8594) headers.
func markDeprecated(c echo.Context) {
	h := c.Response().Header()
	h.Set("Deprecation", "@"+strconv.FormatInt(legacyDeprecated.Unix(), 10))
	h.Set("Sunset", legacySunset.Format(http.TimeFormat))
	h.Set("Link", `<https://docs.hetzner.com/networking/dns/migration-to-hetzner-console/process>; rel="deprecation"`)
}

// legacyError is an error in the legacy API's shape: {"error":{"message","code"}} next to the
// empty objects (shell) the old service sent, or Kong's bare {"message"} when bare is set.
type legacyError struct {
	status  int
	message string
	bare    bool
	shell   map[string]any
}

func (e *legacyError) Error() string { return e.message }

// legacyWithShell attaches the empty objects the old service answered beside an error.
func legacyWithShell(err error, shell map[string]any) error {
	var se *store.Error
	if errors.As(err, &se) {
		le := asLegacyError(se)
		le.shell = shell
		return le
	}
	return err
}

// emptyLegacyRecord is the record shell of record errors (observed live for duplicates).
var emptyLegacyRecord = map[string]string{"id": "", "type": "", "name": "", "value": "", "zone_id": "", "created": "", "modified": ""}

// asLegacyError turns any error of the pipeline or a handler into the legacy shape.
func asLegacyError(err error) *legacyError {
	var le *legacyError
	if errors.As(err, &le) {
		return le
	}
	var he *echo.HTTPError
	if errors.As(err, &he) && !errors.As(err, new(*store.Error)) {
		switch he.Code {
		case http.StatusNotFound:
			return &legacyError{status: 404, message: "no Route matched with those values", bare: true}
		case http.StatusMethodNotAllowed:
			return &legacyError{status: 405, message: "Method not allowed", bare: true}
		}
	}
	se := asAPIError(err)
	status := se.Status()
	switch {
	case se.Code == store.CodeUniquenessError || se.Code == store.CodeInvalidInput:
		status = http.StatusUnprocessableEntity
	case se.Code == store.CodeNotFound && se.Message == store.ErrLegacyRecordNotFound:
		return &legacyError{status: 404, message: se.Message, bare: true}
	case se.Code == store.CodeRateLimitExceeded:
		return &legacyError{status: 429, message: "API rate limit exceeded", bare: true}
	case se.Code == store.CodeUnauthorized:
		return &legacyError{status: 401, message: "Invalid authentication credentials", bare: true}
	}
	msg := se.Message
	if se.Code == store.CodeInvalidInput {
		msg = legacyFieldsMessage(se)
	}
	if status != http.StatusNotFound {
		// The old service prefixed messages with the status and listed "<problem>; " items.
		msg = fmt.Sprintf("%d %s: %s; ", status, http.StatusText(status), msg)
	}
	return &legacyError{status: status, message: msg}
}

// legacyFieldsMessage words a validation failure: "invalid <field>: <message>".
func legacyFieldsMessage(se *store.Error) string {
	f, ok := se.Details.(store.InvalidFields)
	if !ok || len(f.Fields) == 0 {
		return se.Message
	}
	var parts []string
	for _, field := range f.Fields {
		parts = append(parts, fmt.Sprintf("invalid %s: %s", field.Name, strings.Join(field.Messages, " ")))
	}
	return strings.Join(parts, "; ")
}

// writeLegacyError renders an error of a legacy route (called from writeError).
func (a *API) writeLegacyError(err error, c echo.Context) {
	markDeprecated(c)
	le := asLegacyError(err)
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(le.status)
		return
	}
	body := map[string]any{}
	for k, v := range le.shell {
		body[k] = v
	}
	if le.bare {
		body["message"] = le.message
	} else {
		body["error"] = map[string]any{"message": le.message, "code": le.status}
	}
	_ = legacyJSON(c, le.status, body)
}

func legacyJSON(c echo.Context, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.Blob(status, legacyJSONType, b)
}

// isLegacyPath tells the legacy routes, which answer errors in their own shape.
func isLegacyPath(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/api/") }

// legacyAuthenticate resolves the Auth-API-Token header to its project, with Kong's answers
// for a missing or unknown token. Each token keeps legacy zones of its own.
func (a *API) legacyAuthenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		markDeprecated(c)
		value := strings.TrimSpace(c.Request().Header.Get(headerLegacyToken))
		if value == "" {
			return &legacyError{status: 401, message: "No API key found in request", bare: true}
		}
		tok, ok := a.tokens[value]
		if !ok && len(a.tokens) > 0 {
			return &legacyError{status: 401, message: "Invalid authentication credentials", bare: true}
		}
		if !ok {
			tok = Token{Value: value}
		}
		if tok.ReadOnly && c.Request().Method != http.MethodGet && c.Request().Method != http.MethodHead {
			return &legacyError{status: 403, message: "403 Forbidden: the token is read-only; "}
		}
		c.Set(ctxProject, a.store.Project(ProjectKey(tok)))
		return next(c)
	}
}

// legacyRateLimit applies the project's legacy bucket and sets Kong's headers; its
// RateLimit-Reset is the seconds until the bucket is full again, not a UNIX time.
func (a *API) legacyRateLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		limit := int(a.rateLimitPerHour.Load())
		if limit <= 0 {
			return next(c)
		}
		p := project(c)
		bv, _ := a.buckets.LoadOrStore("legacy-dns/"+p.Key(), &bucket{})
		now := a.store.Clock().Now()
		ok, remaining, reset := bv.(*bucket).take(now, limit)
		h := c.Response().Header()
		h.Set("X-RateLimit-Limit-Hour", strconv.Itoa(limit))
		h.Set("X-RateLimit-Remaining-Hour", strconv.Itoa(remaining))
		h.Set("RateLimit-Limit", strconv.Itoa(limit))
		h.Set("RateLimit-Remaining", strconv.Itoa(remaining))
		h.Set("RateLimit-Reset", strconv.Itoa(int(math.Ceil(reset.Sub(now).Seconds()))))
		if !ok {
			h.Set("Retry-After", strconv.Itoa(int(math.Ceil(3600/float64(limit)))))
			return &legacyError{status: 429, message: "API rate limit exceeded", bare: true}
		}
		return next(c)
	}
}

// defaultPlainText treats a zone file sent without Content-Type as text/plain.
func defaultPlainText(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Header.Get("Content-Type") == "" {
			c.Request().Header.Set("Content-Type", "text/plain")
		}
		return next(c)
	}
}

func (a *API) legacyOperations() map[string]echo.HandlerFunc {
	return map[string]echo.HandlerFunc{
		"legacy_list_zones":           a.legacyListZones,
		"legacy_create_zone":          a.legacyCreateZone,
		"legacy_get_zone":             a.legacyGetZone,
		"legacy_update_zone":          a.legacyUpdateZone,
		"legacy_delete_zone":          a.legacyDeleteZone,
		"legacy_import_zone_file":     a.legacyImportZoneFile,
		"legacy_export_zone_file":     a.legacyExportZoneFile,
		"legacy_validate_zone_file":   a.legacyValidateZoneFile,
		"legacy_list_records":         a.legacyListRecords,
		"legacy_create_record":        a.legacyCreateRecord,
		"legacy_get_record":           a.legacyGetRecord,
		"legacy_update_record":        a.legacyUpdateRecord,
		"legacy_delete_record":        a.legacyDeleteRecord,
		"legacy_bulk_create_records":  a.legacyBulkCreateRecords,
		"legacy_bulk_update_records":  a.legacyBulkUpdateRecords,
		"legacy_list_primary_servers": a.legacyListPrimaryServers,
		"legacy_create_primary_server": func(c echo.Context) error {
			return legacyPrimaryWrite(c, func(p *store.Project, req store.LegacyPrimaryServerRequest) (store.LegacyPrimaryServer, error) {
				return p.LegacyCreatePrimaryServer(req)
			})
		},
		"legacy_get_primary_server": a.legacyGetPrimaryServer,
		"legacy_update_primary_server": func(c echo.Context) error {
			return legacyPrimaryWrite(c, func(p *store.Project, req store.LegacyPrimaryServerRequest) (store.LegacyPrimaryServer, error) {
				return p.LegacyUpdatePrimaryServer(c.Param("PrimaryServerID"), req)
			})
		},
		"legacy_delete_primary_server": a.legacyDeletePrimaryServer,
	}
}

// legacyPagination is meta.pagination of the legacy lists: plain numbers, and on the last
// (first) page next_page (previous_page) is the page itself, as the old service sent it.
type legacyPagination struct {
	Page         int `json:"page"`
	PerPage      int `json:"per_page"`
	PreviousPage int `json:"previous_page"`
	NextPage     int `json:"next_page"`
	LastPage     int `json:"last_page"`
	TotalEntries int `json:"total_entries"`
}

func legacyMeta(p store.Pagination) map[string]legacyPagination {
	lp := legacyPagination{Page: p.Page, PerPage: p.PerPage, PreviousPage: p.Page, NextPage: p.Page,
		LastPage: p.LastPage, TotalEntries: p.TotalEntries}
	if p.PreviousPage != nil {
		lp.PreviousPage = *p.PreviousPage
	}
	if p.NextPage != nil {
		lp.NextPage = *p.NextPage
	}
	return map[string]legacyPagination{"pagination": lp}
}

// legacyListOptions reads page and per_page; per_page defaults to 100 (0 with allByDefault).
func legacyListOptions(c echo.Context, allByDefault bool) store.ListOptions {
	page, _ := strconv.Atoi(c.QueryParam("page"))
	perPage, _ := strconv.Atoi(c.QueryParam("per_page"))
	if perPage == 0 && !allByDefault {
		perPage = store.LegacyMaxPerPage
	}
	return store.ListOptions{Page: page, PerPage: perPage}
}

func (a *API) legacyListZones(c echo.Context) error {
	pg, err := project(c).LegacyListZones(c.QueryParam("name"), c.QueryParam("search_name"), legacyListOptions(c, false))
	if err != nil {
		return legacyWithShell(err, map[string]any{"zones": []any{}})
	}
	return legacyJSON(c, 200, map[string]any{"zones": pg.Items, "meta": legacyMeta(pg.Pagination)})
}

func (a *API) legacyCreateZone(c echo.Context) error {
	var req store.LegacyZoneRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	z, err := project(c).LegacyCreateZone(req)
	if err != nil {
		return err
	}
	return legacyJSON(c, 200, map[string]any{"zone": z})
}

func (a *API) legacyGetZone(c echo.Context) error {
	z, err := project(c).LegacyGetZone(c.Param("ZoneID"))
	if err != nil {
		return err
	}
	return legacyJSON(c, 200, map[string]any{"zone": z})
}

func (a *API) legacyUpdateZone(c echo.Context) error {
	var req store.LegacyZoneRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	z, err := project(c).LegacyUpdateZone(c.Param("ZoneID"), req)
	if err != nil {
		return err
	}
	return legacyJSON(c, 200, map[string]any{"zone": z})
}

func (a *API) legacyDeleteZone(c echo.Context) error {
	if err := project(c).LegacyDeleteZone(c.Param("ZoneID")); err != nil {
		return err
	}
	return c.NoContent(200)
}

// legacyZonefileBody reads a text/plain zone file.
func legacyZonefileBody(c echo.Context) (string, error) {
	b, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return "", store.Errorf(store.CodeInvalidInput, "could not read the zone file")
	}
	return string(b), nil
}

func (a *API) legacyImportZoneFile(c echo.Context) error {
	text, err := legacyZonefileBody(c)
	if err != nil {
		return err
	}
	z, err := project(c).LegacyImportZonefile(c.Param("ZoneID"), text)
	if err != nil {
		return err
	}
	return legacyJSON(c, 201, map[string]any{"zone": z})
}

func (a *API) legacyExportZoneFile(c echo.Context) error {
	text, err := project(c).LegacyExportZonefile(c.Param("ZoneID"))
	if err != nil {
		return err
	}
	return c.Blob(200, "text/plain; charset=utf-8", []byte(text))
}

func (a *API) legacyValidateZoneFile(c echo.Context) error {
	text, err := legacyZonefileBody(c)
	if err != nil {
		return err
	}
	v, err := store.LegacyValidateZonefile(text)
	if err != nil {
		return err
	}
	return legacyJSON(c, 200, v)
}

func (a *API) legacyListRecords(c echo.Context) error {
	pg, err := project(c).LegacyListRecords(c.QueryParam("zone_id"), legacyListOptions(c, true))
	if err != nil {
		return legacyWithShell(err, map[string]any{"records": []any{}})
	}
	return legacyJSON(c, 200, map[string]any{"records": pg.Items, "meta": legacyMeta(pg.Pagination)})
}

// legacyRecordWrite runs a create or update of one record; failures carry the record shell.
func legacyRecordWrite(c echo.Context, f func(p *store.Project, req store.LegacyRecordRequest) (store.LegacyRecord, error)) error {
	var req store.LegacyRecordRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	r, err := f(project(c), req)
	if err != nil {
		return legacyWithShell(err, map[string]any{"record": emptyLegacyRecord})
	}
	return legacyJSON(c, 200, map[string]any{"record": r})
}

func (a *API) legacyCreateRecord(c echo.Context) error {
	return legacyRecordWrite(c, func(p *store.Project, req store.LegacyRecordRequest) (store.LegacyRecord, error) {
		return p.LegacyCreateRecord(req)
	})
}

func (a *API) legacyUpdateRecord(c echo.Context) error {
	return legacyRecordWrite(c, func(p *store.Project, req store.LegacyRecordRequest) (store.LegacyRecord, error) {
		return p.LegacyUpdateRecord(c.Param("RecordID"), req)
	})
}

func (a *API) legacyGetRecord(c echo.Context) error {
	r, err := project(c).LegacyGetRecord(c.Param("RecordID"))
	if err != nil {
		return err
	}
	return legacyJSON(c, 200, map[string]any{"record": r})
}

func (a *API) legacyDeleteRecord(c echo.Context) error {
	if err := project(c).LegacyDeleteRecord(c.Param("RecordID")); err != nil {
		return err
	}
	return c.NoContent(200)
}

type legacyBulkRequest struct {
	Records []store.LegacyRecordRequest `json:"records"`
}

func (a *API) legacyBulkCreateRecords(c echo.Context) error {
	var req legacyBulkRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	res, err := project(c).LegacyBulkCreateRecords(req.Records)
	if err != nil {
		return legacyWithShell(err, map[string]any{"records": res.Records, "valid_records": res.ValidRecords, "invalid_records": res.InvalidRecords})
	}
	return legacyJSON(c, 200, res)
}

func (a *API) legacyBulkUpdateRecords(c echo.Context) error {
	var req legacyBulkRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	return legacyJSON(c, 200, project(c).LegacyBulkUpdateRecords(req.Records))
}

func (a *API) legacyListPrimaryServers(c echo.Context) error {
	list, err := project(c).LegacyListPrimaryServers(c.QueryParam("zone_id"))
	if err != nil {
		return legacyWithShell(err, map[string]any{"primary_servers": []any{}})
	}
	return legacyJSON(c, 200, map[string]any{"primary_servers": list})
}

func legacyPrimaryWrite(c echo.Context, f func(p *store.Project, req store.LegacyPrimaryServerRequest) (store.LegacyPrimaryServer, error)) error {
	var req store.LegacyPrimaryServerRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	s, err := f(project(c), req)
	if err != nil {
		return err
	}
	return legacyJSON(c, 200, map[string]any{"primary_server": s})
}

func (a *API) legacyGetPrimaryServer(c echo.Context) error {
	s, err := project(c).LegacyGetPrimaryServer(c.Param("PrimaryServerID"))
	if err != nil {
		return err
	}
	return legacyJSON(c, 200, map[string]any{"primary_server": s})
}

func (a *API) legacyDeletePrimaryServer(c echo.Context) error {
	if err := project(c).LegacyDeletePrimaryServer(c.Param("PrimaryServerID")); err != nil {
		return err
	}
	return c.NoContent(200)
}
