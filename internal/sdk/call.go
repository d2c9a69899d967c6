package sdk

//go:generate go run ./internal/optable ../../openapi.json operations_gen.go

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"
)

// Operation is one operation of the API as openapi.json declares it.
type Operation struct {
	ID          string // operationId, e.g. "get_server"
	Method      string // GET, POST, …
	Path        string // relative to the endpoint, with {name} placeholders: "/servers/{id}"
	ContentType string // of the request body; "" when the operation takes none
}

type operation struct {
	api api
	Operation
}

// Params are the path and query parameters of a raw call. A key named in the operation's
// path fills the placeholder; every other key becomes a query parameter. Slices repeat the
// parameter (id=1&id=2); fmt.Stringer values (such as a Selector) use their String form.
type Params map[string]any

// call performs the operation operationID of the given API.
//
// body: nil sends none; []byte, json.RawMessage and string are sent as they are with the
// operation's content type; anything else is encoded as JSON.
// out: nil discards the answer; *[]byte and *string receive the raw body; anything else is
// decoded from JSON.
func (c *Client) call(ctx context.Context, which api, operationID string, params Params, body, out any) error {
	op, ok := lookupOperation(operationID)
	if !ok || op.api != which {
		return fmt.Errorf("hcloud: unknown operation %q", operationID)
	}
	path, query, err := expand(op.Path, params)
	if err != nil {
		return fmt.Errorf("hcloud: %s: %w", operationID, err)
	}
	req := request{api: which, method: op.Method, path: path, query: query, contentType: op.ContentType}
	switch b := body.(type) {
	case nil:
	case []byte:
		req.body = b
	case json.RawMessage:
		req.body = b
	case string:
		req.body = []byte(b)
	default:
		data, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("hcloud: %s: encoding the body: %w", operationID, err)
		}
		req.body = data
	}
	if req.body != nil && req.contentType == "" {
		req.contentType = "application/json"
	}
	res, err := c.do(ctx, req)
	if err != nil {
		return err
	}
	return decodeInto(res, out)
}

func decodeInto(res *response, out any) error {
	switch o := out.(type) {
	case nil:
		return nil
	case *[]byte:
		*o = res.body
		return nil
	case *string:
		*o = string(res.body)
		return nil
	}
	if len(res.body) == 0 {
		return nil
	}
	if err := json.Unmarshal(res.body, out); err != nil {
		return fmt.Errorf("hcloud: decoding the answer: %w", err)
	}
	return nil
}

// expand fills the {placeholders} of path from params and returns the rest as a query.
func expand(path string, params Params) (string, url.Values, error) {
	used := map[string]bool{}
	var b strings.Builder
	for {
		open := strings.IndexByte(path, '{')
		if open < 0 {
			b.WriteString(path)
			break
		}
		end := strings.IndexByte(path[open:], '}')
		if end < 0 {
			return "", nil, fmt.Errorf("malformed path %q", path)
		}
		name := path[open+1 : open+end]
		v, ok := params[name]
		if !ok {
			return "", nil, fmt.Errorf("missing path parameter %q", name)
		}
		vals := paramValues(v)
		if len(vals) != 1 || vals[0] == "" {
			return "", nil, fmt.Errorf("path parameter %q needs exactly one non-empty value", name)
		}
		used[name] = true
		b.WriteString(path[:open])
		b.WriteString(url.PathEscape(vals[0]))
		path = path[open+end+1:]
	}
	q := url.Values{}
	for k, v := range params {
		if !used[k] {
			q[k] = append(q[k], paramValues(v)...)
		}
	}
	return b.String(), q, nil
}

// paramValues renders one parameter value; a slice gives one value per element.
func paramValues(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return []string{x}
	case []string:
		return x
	case time.Time:
		return []string{x.Format(time.RFC3339)}
	case fmt.Stringer:
		return []string{x.String()}
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		out := make([]string, 0, rv.Len())
		for i := range rv.Len() {
			out = append(out, paramValues(rv.Index(i).Interface())...)
		}
		return out
	}
	return []string{fmt.Sprint(v)}
}

// getJSON and sendJSON are what the facades use: a fixed path, JSON in and out.
func (c *Client) getJSON(ctx context.Context, path string, q url.Values, out any) error {
	res, err := c.do(ctx, request{api: apiCloud, method: http.MethodGet, path: path, query: q})
	if err != nil {
		return err
	}
	return decodeInto(res, out)
}

func (c *Client) sendJSON(ctx context.Context, method, path string, in, out any) error {
	req := request{api: apiCloud, method: method, path: path}
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("hcloud: encoding the body: %w", err)
		}
		req.body = data
	}
	res, err := c.do(ctx, req)
	if err != nil {
		return err
	}
	return decodeInto(res, out)
}
