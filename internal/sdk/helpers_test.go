package sdk_test

import (
	"crypto/ed25519"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/fakehetzner/fakehetzner/internal/sdk"
	"github.com/fakehetzner/fakehetzner/testkit"
)

// recorder wraps the real transport to the in-process fake: it records every attempt and
// lets a test act between answers (advance the fake clock, complete an action). It does not
// change what goes over the wire.
type recorder struct {
	next http.RoundTripper

	mu       sync.Mutex
	requests []recorded
	after    func(n int, req *http.Request, res *http.Response) // n counts from 1
}

type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Status                 int // 0: no answer
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := r.next.RoundTrip(req)
	rec := recorded{Method: req.Method, Path: req.URL.Path, RawQuery: req.URL.RawQuery, Header: req.Header.Clone()}
	if res != nil {
		rec.Status = res.StatusCode
	}
	r.mu.Lock()
	r.requests = append(r.requests, rec)
	n, after := len(r.requests), r.after
	r.mu.Unlock()
	if after != nil {
		after(n, req, res)
	}
	return res, err
}

// seen returns the attempts so far, optionally only those whose path ends in suffix.
func (r *recorder) seen(suffix string) []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []recorded
	for _, q := range r.requests {
		if strings.HasSuffix(q.Path, suffix) {
			out = append(out, q)
		}
	}
	return out
}

// newClient starts a fake and returns an SDK client to it whose traffic rec records.
// Retries are off unless opts turn them on, so that error tests see one attempt each.
func newClient(t *testing.T, kit []testkit.Option, opts ...sdk.Option) (*testkit.Server, *sdk.Client, *recorder) {
	t.Helper()
	srv := testkit.New(t, kit...)
	rec := &recorder{next: srv.HTTPClient().Transport}
	base := []sdk.Option{sdk.WithHTTPClient(&http.Client{Transport: rec}), sdk.WithRetries(0, 0, 0)}
	return srv, srv.Client(append(base, opts...)...), rec
}

// publicKey returns a valid authorized_keys line, the same for the same seed byte.
func publicKey(t testing.TB, seed byte) string {
	t.Helper()
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	pub, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(s).Public())
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
}

func strconvFormat(id int64) string { return strconv.FormatInt(id, 10) }
