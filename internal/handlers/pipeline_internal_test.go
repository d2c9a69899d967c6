package handlers

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/store"
	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

func newTestAPI(t *testing.T, log *slog.Logger) *API {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile("../../openapi.json")
	require.NoError(t, err)
	a, err := New(Options{Spec: doc, Store: store.New(catalog.Default()), Logger: log})
	require.NoError(t, err)
	return a
}

func TestPanicBecomesServerErrorAndIsLogged(t *testing.T) {
	var logs bytes.Buffer
	a := newTestAPI(t, slog.New(slog.NewJSONHandler(&logs, nil)))
	a.echo.GET("/boom", func(echo.Context) error { panic("kaboom") })
	hs := httptest.NewServer(a)
	defer hs.Close()

	res, err := http.Get(hs.URL + "/boom")
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, 500, res.StatusCode)
	var env errorEnvelope
	require.NoError(t, json.NewDecoder(res.Body).Decode(&env))
	assert.Equal(t, store.CodeServerError, env.Error.Code)
	assert.Contains(t, logs.String(), "kaboom")
	assert.Contains(t, logs.String(), "goroutine", "the stack is logged")

	res2, err := http.Get(hs.URL + "/healthz")
	require.NoError(t, err)
	res2.Body.Close()
	assert.Equal(t, 200, res2.StatusCode, "the server lives on")
}

func TestAccessLogNeverHoldsTheToken(t *testing.T) {
	var logs bytes.Buffer
	a := newTestAPI(t, slog.New(slog.NewTextHandler(&logs, nil)))
	hs := httptest.NewServer(a)
	defer hs.Close()
	const secret = "s3cr3t-token-value-0123456789"
	req, _ := http.NewRequest("GET", hs.URL+"/v1/locations?name=fsn1", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	line := logs.String()
	assert.Equal(t, 1, strings.Count(line, "\n"), "one line per request")
	assert.Contains(t, line, "path=/v1/locations")
	assert.Contains(t, line, "status=200")
	assert.Contains(t, line, "project="+ProjectKey(Token{Value: secret}))
	assert.NotContains(t, line, secret)
}

func TestEverySpecOperationHasAHandler(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromFile("../../openapi.json")
	require.NoError(t, err)
	a := &API{}
	ops := a.operations()
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			_, ok := ops[op.OperationID]
			assert.True(t, ok, "%s %s (%s) has no handler", method, path, op.OperationID)
		}
	}
}
