// Package sdk is a small Go client for the Hetzner Cloud API (and, deprecated, the legacy
// Hetzner DNS API), developed and tested against fakehetzner.
//
//	client := sdk.New(os.Getenv("HCLOUD_TOKEN"))
//	for key, err := range client.Cloud().SSHKeys().All(ctx, sdk.SSHKeyListOpts{}) {
//		...
//	}
//
// What it gives over hand-written HTTP:
//   - typed facades per resource (Cloud().SSHKeys(), Cloud().Actions(), …) and raw access to
//     every operation of the API by its operationId (Cloud().Call);
//   - one error type, *Error, whose Code constants are sentinels for errors.Is
//     (sdk.ErrNotFound, sdk.ErrProtected, …); a request that got no answer is a
//     *TransportError instead, never an *Error;
//   - pagination as Go iterators that follow next_page, and a label-selector builder;
//   - action waiting that polls all pending actions in one request with exponential backoff;
//   - rate-limit awareness (RateLimit) and retries that never repeat a request the server may
//     already have carried out.
//
// The package uses the standard library only and knows nothing of the fake's internals.
package sdk

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Version is the SDK's version, sent in the User-Agent.
const Version = "0.1.0"

// Default endpoints of the real services.
const (
	DefaultEndpoint    = "https://api.hetzner.cloud/v1"
	DefaultDNSEndpoint = "https://dns.hetzner.com/api/v1"
)

// Client talks to the Cloud API and the legacy DNS API. It is safe for concurrent use.
type Client struct {
	token       string
	endpoint    string
	dnsEndpoint string
	http        *http.Client
	userAgent   string

	pollInitial, pollMax time.Duration
	retries              int
	retryBase, retryMax  time.Duration

	mu        sync.Mutex
	rateLimit RateLimit
}

// Option configures a Client.
type Option func(*Client)

// WithEndpoint sets the Cloud API base URL (ending in /v1).
func WithEndpoint(u string) Option {
	return func(c *Client) { c.endpoint = strings.TrimRight(u, "/") }
}

// WithDNSEndpoint sets the legacy DNS API base URL (ending in /api/v1).
func WithDNSEndpoint(u string) Option {
	return func(c *Client) { c.dnsEndpoint = strings.TrimRight(u, "/") }
}

// WithHTTPClient sets the HTTP client (timeouts, proxies, transports).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithUserAgent puts an application name in front of the SDK's own User-Agent.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// WithPollBackoff sets how action waiting polls: first after initial, then doubling up to max.
// Values below a millisecond are raised to one: waiting never spins.
func WithPollBackoff(initial, ceiling time.Duration) Option {
	return func(c *Client) {
		c.pollInitial = max(initial, time.Millisecond)
		c.pollMax = max(ceiling, c.pollInitial)
	}
}

// WithRetries sets how often a failed request is repeated (0 turns retries off; default 5)
// and the backoff between attempts: base doubling up to max (defaults 1 s and 60 s). A rate
// limited request waits until the bucket holds a request again, but never longer than max.
func WithRetries(n int, base, ceiling time.Duration) Option {
	return func(c *Client) {
		c.retries = max(n, 0)
		c.retryBase = max(base, time.Millisecond)
		c.retryMax = max(ceiling, c.retryBase)
	}
}

// New returns a client that authenticates with token.
func New(token string, opts ...Option) *Client {
	c := &Client{
		token:       token,
		endpoint:    DefaultEndpoint,
		dnsEndpoint: DefaultDNSEndpoint,
		http:        &http.Client{Timeout: 60 * time.Second},
		pollInitial: 500 * time.Millisecond,
		pollMax:     5 * time.Second,
		retries:     5,
		retryBase:   time.Second,
		retryMax:    60 * time.Second,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// RateLimit is the rate-limit state the API reported on its last answer.
type RateLimit struct {
	Limit     int       // requests per hour
	Remaining int       // requests left in the bucket
	Reset     time.Time // when the bucket is full again
}

// RateLimit returns the state reported by the last answer that carried rate-limit headers
// (the zero value before any).
func (c *Client) RateLimit() RateLimit {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rateLimit
}

// api names the service a request goes to.
type api int

const (
	apiCloud api = iota
	apiDNS
)

// request is one API call, built by the facades or by Call.
type request struct {
	api         api
	method      string
	path        string // relative to the endpoint, already escaped
	query       url.Values
	body        []byte // nil: no body
	contentType string // of body; application/json when empty
	accept      string
}

// response is an answer with status < 400.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request, retrying where that is safe, and turns error answers into *Error.
func (c *Client) do(ctx context.Context, req request) (*response, error) {
	for attempt := 0; ; attempt++ {
		res, err := c.send(ctx, req)
		if err == nil {
			return res, nil
		}
		wait, retry := c.retryAfter(req, attempt, err)
		if !retry {
			return nil, err
		}
		if ctxErr := sleep(ctx, wait); ctxErr != nil {
			return nil, &TransportError{Method: req.method, URL: c.url(req), Err: errors.Join(ctxErr, lastError{err})}
		}
	}
}

// lastError keeps the error that caused the retry visible when the context ends while waiting.
type lastError struct{ err error }

func (l lastError) Error() string { return "while waiting to retry: " + l.err.Error() }
func (l lastError) Unwrap() error { return l.err }

func (c *Client) url(req request) string {
	base := c.endpoint
	if req.api == apiDNS {
		base = c.dnsEndpoint
	}
	u := base + req.path
	if len(req.query) > 0 {
		u += "?" + req.query.Encode()
	}
	return u
}

// send makes one attempt.
func (c *Client) send(ctx context.Context, req request) (*response, error) {
	u := c.url(req)
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, u, body)
	if err != nil {
		return nil, &TransportError{Method: req.method, URL: u, Err: err}
	}
	ua := "fakehetzner-sdk/" + Version
	if c.userAgent != "" {
		ua = c.userAgent + " " + ua
	}
	hr.Header.Set("User-Agent", ua)
	if req.api == apiDNS {
		hr.Header.Set("Auth-API-Token", c.token)
	} else {
		hr.Header.Set("Authorization", "Bearer "+c.token)
	}
	if req.body != nil {
		ct := req.contentType
		if ct == "" {
			ct = "application/json"
		}
		hr.Header.Set("Content-Type", ct)
	}
	accept := req.accept
	if accept == "" {
		accept = "application/json"
	}
	hr.Header.Set("Accept", accept)
	hres, err := c.http.Do(hr)
	if err != nil {
		return nil, &TransportError{Method: req.method, URL: u, Err: err}
	}
	defer hres.Body.Close()
	data, err := io.ReadAll(hres.Body)
	if err != nil {
		return nil, &TransportError{Method: req.method, URL: u, Err: err}
	}
	if req.api == apiCloud {
		c.noteRateLimit(hres.Header)
	}
	if hres.StatusCode >= 400 {
		if req.api == apiDNS {
			return nil, dnsError(hres.StatusCode, hres.Header, data)
		}
		return nil, apiError(hres.StatusCode, hres.Header, data)
	}
	return &response{status: hres.StatusCode, header: hres.Header, body: data}, nil
}

// noteRateLimit records the RateLimit-* headers of a Cloud answer (Reset is a UNIX time).
func (c *Client) noteRateLimit(h http.Header) {
	limit, err1 := strconv.Atoi(h.Get("RateLimit-Limit"))
	remaining, err2 := strconv.Atoi(h.Get("RateLimit-Remaining"))
	reset, err3 := strconv.ParseInt(h.Get("RateLimit-Reset"), 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return
	}
	c.mu.Lock()
	c.rateLimit = RateLimit{Limit: limit, Remaining: remaining, Reset: time.Unix(reset, 0)}
	c.mu.Unlock()
}

// idempotent methods can be repeated even if the server acted on the first attempt. DELETE is
// left out on purpose: repeating a delete that went through answers not_found (or, for
// servers, starts a second action), which would hide the success.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodOptions:
		return true
	}
	return false
}

// retryAfter decides whether to repeat a failed attempt and how long to wait first.
//
// Rate-limited and conflict answers are repeated for every method: the API refused the request
// without acting on it. 502/503/504 and network failures are repeated only for idempotent
// methods, since the server may have acted before the answer was lost — except a failure to
// connect at all, which left nothing behind.
func (c *Client) retryAfter(req request, attempt int, err error) (time.Duration, bool) {
	if attempt >= c.retries {
		return 0, false
	}
	var apiErr *Error
	if errors.As(err, &apiErr) {
		switch {
		case apiErr.StatusCode == http.StatusTooManyRequests || errors.Is(apiErr, ErrRateLimitExceeded):
			return c.rateLimitWait(), true
		case errors.Is(apiErr, ErrConflict):
			return c.backoff(attempt), true
		case idempotent(req.method) && IsRetryable(apiErr):
			return c.backoff(attempt), true
		}
		return 0, false
	}
	var te *TransportError
	if errors.As(err, &te) && retryableTransport(te.Err) && (idempotent(req.method) || beforeSending(te.Err)) {
		return c.backoff(attempt), true
	}
	return 0, false
}

// backoff is base·2^attempt capped at max, with the upper half jittered so that many clients
// do not retry in step.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.retryBase
	for i := 0; i < attempt && d < c.retryMax; i++ {
		d *= 2
	}
	d = min(d, c.retryMax)
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// rateLimitWait is how long until the bucket holds one request again: it refills
// continuously at Limit per hour. Bounded by the retry cap.
func (c *Client) rateLimitWait() time.Duration {
	return refillWait(c.RateLimit(), c.retryBase, c.retryMax)
}

func refillWait(rl RateLimit, floor, ceiling time.Duration) time.Duration {
	if rl.Limit <= 0 {
		return floor
	}
	missing := max(1-rl.Remaining, 1)
	d := time.Duration(missing) * time.Hour / time.Duration(rl.Limit)
	return min(max(d, floor), ceiling)
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
