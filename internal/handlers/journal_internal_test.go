package handlers

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/store"
	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

// A panic is answered 500 after the journal and the access log have seen it: the inner
// recover of the pipeline turns it into an error they render and record.
func TestJournalRecordsPanicsAsServerErrors(t *testing.T) {
	var logs bytes.Buffer
	doc, err := openapi3.NewLoader().LoadFromFile("../../openapi.json")
	require.NoError(t, err)
	a, err := New(Options{Spec: doc, Store: store.New(catalog.Default()),
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	a.echo.GET("/v1/boom", func(echo.Context) error { panic("kaboom") }, a.authenticate)

	req := httptest.NewRequest("GET", "/v1/boom", nil)
	req.Header.Set("Authorization", "Bearer tok")
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, req)

	assert.Equal(t, 500, rec.Code)
	assert.Contains(t, rec.Body.String(), `"server_error"`)
	id := rec.Header().Get(headerCorrelationID)
	entries := a.journal.newestFirst(func(*JournalEntry) bool { return true }, 0)
	require.Len(t, entries, 1)
	assert.Equal(t, 500, entries[0].Status)
	assert.Equal(t, id, entries[0].CorrelationID)
	assert.Equal(t, ProjectKey(Token{Value: "tok"}), entries[0].Project)
	assert.Contains(t, logs.String(), "panic while serving")
	assert.Contains(t, logs.String(), "status=500", "the access log has the line too")
}
