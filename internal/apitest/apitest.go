// Package apitest is a small raw-HTTP client for the fake's tests: requests go through the
// whole pipeline exactly as curl would send them, and answers are decoded loosely.
package apitest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Client sends requests to one server with one token.
type Client struct {
	t     testing.TB
	Base  string // server root, e.g. http://127.0.0.1:1234
	Token string // bearer token; "" sends none
	HTTP  *http.Client
}

// New returns a client for base (the server root) sending token.
func New(t testing.TB, base, token string) *Client {
	return &Client{t: t, Base: base, Token: token, HTTP: http.DefaultClient}
}

// WithToken is a copy of the client that sends another token.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.Token = token
	return &cp
}

// Response is an answer, read whole.
type Response struct {
	t      testing.TB
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a request. body may be nil, a string or []byte (sent as is), or a value encoded
// as JSON. headers are "Name: value" pairs.
func (c *Client) Do(method, path string, body any, headers ...string) *Response {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.t.Fatalf("apitest: encoding body: %v", err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.Base+path, r)
	if err != nil {
		c.t.Fatalf("apitest: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		if strings.EqualFold(strings.TrimSpace(name), "Host") {
			req.Host = strings.TrimSpace(value) // net/http sends req.Host, not a Host header
			continue
		}
		req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatalf("apitest: %s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("apitest: reading %s %s: %v", method, path, err)
	}
	return &Response{t: c.t, Status: res.StatusCode, Header: res.Header, Body: data}
}

// Get, Post, Put and Delete are Do with the method.
func (c *Client) Get(path string, headers ...string) *Response {
	return c.Do("GET", path, nil, headers...)
}
func (c *Client) Post(path string, body any) *Response { return c.Do("POST", path, body) }
func (c *Client) Put(path string, body any) *Response  { return c.Do("PUT", path, body) }
func (c *Client) Delete(path string) *Response         { return c.Do("DELETE", path, nil) }

// JSON decodes the body into a generic map.
func (r *Response) JSON() map[string]any {
	r.t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		r.t.Fatalf("apitest: answer %d is not a JSON object: %v: %s", r.Status, err, r.Body)
	}
	return m
}

// Decode decodes the body into v.
func (r *Response) Decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("apitest: decoding answer %d: %v: %s", r.Status, err, r.Body)
	}
}

// APIError is the error envelope's content.
type APIError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details struct {
		Fields []struct {
			Name     string   `json:"name"`
			Messages []string `json:"messages"`
		} `json:"fields"`
	} `json:"details"`
}

// Error decodes the error envelope (fails the test when there is none).
func (r *Response) Error() APIError {
	r.t.Helper()
	var env struct {
		Error *APIError `json:"error"`
	}
	r.Decode(&env)
	if env.Error == nil {
		r.t.Fatalf("apitest: answer %d has no error envelope: %s", r.Status, r.Body)
	}
	return *env.Error
}

// FieldNames lists the names in details.fields of an error answer.
func (e APIError) FieldNames() []string {
	var out []string
	for _, f := range e.Details.Fields {
		out = append(out, f.Name)
	}
	return out
}
