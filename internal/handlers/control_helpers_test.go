package handlers_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/fakehetzner/fakehetzner/testkit"
)

// ctlAnswer is one HTTP ctlAnswer, read whole.
type ctlAnswer struct {
	Status int
	Header http.Header
	Body   []byte
}

// ctlError is the error envelope's content.
type ctlError struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Details json.RawMessage `json:"details"`
}

func (a ctlAnswer) err(t testing.TB) ctlError {
	t.Helper()
	var env struct {
		Error *ctlError `json:"error"`
	}
	require.NoError(t, json.Unmarshal(a.Body, &env), "status %d body %s", a.Status, a.Body)
	require.NotNil(t, env.Error, "no error envelope: %d %s", a.Status, a.Body)
	return *env.Error
}

// call sends one request to the server root (path starts with /v1, /_fake, /api, ...). body is
// nil, a string or []byte sent as is, or a value sent as JSON. token "" sends no Authorization.
func ctlCall(t testing.TB, srv *testkit.Server, method, path, token string, body any, headers ...string) ctlAnswer {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	case io.Reader: // sent without a Content-Length
		rd = b
	default:
		data, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, srv.BaseURL+path, rd)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Auth-API-Token", token) // the legacy DNS API's header
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	res, err := srv.HTTPClient().Do(req)
	require.NoError(t, err, "%s %s", method, path)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return ctlAnswer{Status: res.StatusCode, Header: res.Header, Body: data}
}

// publicKey returns a fresh authorized_keys line.
func ctlKey(t testing.TB) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	k, err := ssh.NewPublicKey(pub)
	require.NoError(t, err)
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
}

// ctlState is the whole state as JSON; with a fixed time source it is byte-stable.
func ctlState(t testing.TB, srv *testkit.Server) []byte {
	t.Helper()
	b, err := json.Marshal(srv.Snapshot())
	require.NoError(t, err)
	return b
}

// ctlTime is a time source that never moves, so snapshots compare byte for byte.
func ctlTime() time.Time { return time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) }
