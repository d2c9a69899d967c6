package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
)

// Code is an error code of the API. Every Code is itself an error, so the constants below are
// sentinels for errors.Is:
//
//	if errors.Is(err, sdk.ErrNotFound) { ... }
//
// Operation-specific codes that have no constant work the same way:
// errors.Is(err, sdk.Code("must_be_unassigned")).
type Code string

// Error is the code itself, so that printing a Code shows it as the API sends it.
func (c Code) Error() string { return string(c) }

// The codes of the API's error table. They are constants, not variables: nothing can
// reassign a sentinel.
const (
	ErrJSON                  Code = "json_error"              // 400: the body is not valid JSON
	ErrUnauthorized          Code = "unauthorized"            // 401: missing or wrong token
	ErrForbidden             Code = "forbidden"               // 403: e.g. a write with a read-only token
	ErrMaintenance           Code = "maintenance"             // 403: blocked by maintenance
	ErrResourceLimitExceeded Code = "resource_limit_exceeded" // 403: a project limit is reached
	ErrNotFound              Code = "not_found"               // 404
	ErrMethodNotAllowed      Code = "method_not_allowed"      // 405
	ErrUniqueness            Code = "uniqueness_error"        // 409: a name or key already exists
	ErrConflict              Code = "conflict"                // 409: changed concurrently; retryable
	ErrDeprecatedAPIEndpoint Code = "deprecated_api_endpoint" // 410: removed functionality
	ErrResourceUnavailable   Code = "resource_unavailable"    // 412: e.g. out of stock
	ErrInvalidInput          Code = "invalid_input"           // 422: see Error.Details.Fields
	ErrServiceError          Code = "service_error"           // 422: a backend failed
	ErrUnsupported           Code = "unsupported_error"       // 422: not supported by the resource
	ErrLocked                Code = "locked"                  // 423: another action is running
	ErrProtected             Code = "protected"               // 423: protection forbids it
	ErrRateLimitExceeded     Code = "rate_limit_exceeded"     // 429
	ErrServerError           Code = "server_error"            // 500
	ErrBadGateway            Code = "bad_gateway"             // 502; retryable
	ErrUnavailable           Code = "unavailable"             // 503; retryable
	ErrTimeout               Code = "timeout"                 // 504; retryable
)

// Older names the API used for codes that have a constant above; errors.Is treats them as
// the newer code.
const (
	codeTokenReadonly Code = "token_readonly" // before 2026-10-05 the API answered read-only writes with it
	codeLimitReached  Code = "limit_reached"  // old name of rate_limit_exceeded
)

// Error is an error answer of the API, or a failed action.
type Error struct {
	Code    Code
	Message string
	Details ErrorDetails
	// StatusCode is the HTTP status of the answer (0 for a failed action).
	StatusCode int
	// CorrelationID is the X-Correlation-Id of the answer; quote it to Hetzner support.
	CorrelationID string
	// Action is the failed action when the error comes from waiting for one, else nil.
	Action *Action
}

// ErrorDetails is the "details" object, decoded for the codes that carry one.
type ErrorDetails struct {
	// Fields names the offending fields of invalid_input (with messages) and of
	// uniqueness_error (names only).
	Fields []FieldError
	// Limits names the limits of resource_limit_exceeded.
	Limits []string
	// Announcement is the changelog URL of deprecated_api_endpoint.
	Announcement string
	// Raw is the details object as sent, for codes this type does not model.
	Raw json.RawMessage
}

// FieldError is one invalid field of invalid_input or uniqueness_error.
type FieldError struct {
	Name     string   `json:"name"`
	Messages []string `json:"messages"`
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "error"
	}
	switch {
	case e.Action != nil:
		return fmt.Sprintf("hcloud: action %d (%s) failed: %s (%s)", e.Action.ID, e.Action.Command, msg, string(e.Code))
	case e.Code == "":
		return fmt.Sprintf("hcloud: %s (HTTP %d, %s)", msg, e.StatusCode, e.CorrelationID)
	default:
		return fmt.Sprintf("hcloud: %s (%s, %s)", msg, string(e.Code), e.CorrelationID)
	}
}

// Is makes errors.Is(err, sdk.ErrNotFound) work; old code names match their successors.
func (e *Error) Is(target error) bool {
	c, ok := target.(Code)
	if !ok {
		return false
	}
	switch {
	case e.Code == c:
		return true
	case e.Code == codeTokenReadonly:
		return c == ErrForbidden
	case e.Code == codeLimitReached:
		return c == ErrRateLimitExceeded
	}
	return false
}

// retryableCode says whether the API asks to try again later.
func retryableCode(c Code) bool {
	switch c {
	case ErrConflict, ErrRateLimitExceeded, codeLimitReached, ErrBadGateway, ErrUnavailable, ErrTimeout:
		return true
	}
	return false
}

// retryableStatus covers answers without a JSON body, such as a proxy's 502.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// IsRetryable reports whether trying the same request again later may succeed: conflict,
// rate limits, 502/503/504 and network failures. It does not say whether a retry is safe:
// the client itself only repeats a request when the server cannot have acted on it.
func IsRetryable(err error) bool {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		if apiErr.Action != nil {
			return false
		}
		return retryableCode(apiErr.Code) || (apiErr.Code == "" && retryableStatus(apiErr.StatusCode))
	}
	var te *TransportError
	if errors.As(err, &te) {
		return retryableTransport(te.Err)
	}
	return false
}

// retryableTransport: network failures are, the caller's own context ending is not.
func retryableTransport(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// beforeSending reports whether a transport failure happened before the request left this
// machine (the connection could not be opened), so even a POST can be repeated.
func beforeSending(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// TransportError is a request that got no answer from the API (connection refused, reset,
// timed out, or the context ended). It is never an *Error.
type TransportError struct {
	Method string
	URL    string
	Err    error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("hcloud: %s %s: %v", e.Method, e.URL, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// errorBody is the envelope of every error answer of the Cloud API.
type errorBody struct {
	Error *struct {
		Code    Code            `json:"code"`
		Message string          `json:"message"`
		Details json.RawMessage `json:"details"`
	} `json:"error"`
}

// apiError builds the *Error of an answer with status >= 400.
func apiError(status int, header http.Header, body []byte) *Error {
	e := &Error{StatusCode: status, CorrelationID: header.Get("X-Correlation-Id")}
	var env errorBody
	if json.Unmarshal(body, &env) == nil && env.Error != nil && env.Error.Code != "" {
		e.Code, e.Message = env.Error.Code, env.Error.Message
		e.Details = decodeDetails(env.Error.Details)
		return e
	}
	// Not the API's envelope (a proxy's page, an empty body): say what we know, invent no code.
	e.Message = fmt.Sprintf("server answered %d %s", status, http.StatusText(status))
	return e
}

func decodeDetails(raw json.RawMessage) ErrorDetails {
	d := ErrorDetails{Raw: raw}
	var known struct {
		Fields []FieldError `json:"fields"`
		Limits []struct {
			Name string `json:"name"`
		} `json:"limits"`
		Announcement string `json:"announcement"`
	}
	if json.Unmarshal(raw, &known) == nil {
		d.Fields, d.Announcement = known.Fields, known.Announcement
		for _, l := range known.Limits {
			d.Limits = append(d.Limits, l.Name)
		}
	}
	return d
}

// dnsError builds the *Error of a legacy DNS answer. That API has no error codes, only
// {"error":{"message","code":<status>}} or {"message"}, so Code is derived from the status to
// keep errors.Is(err, sdk.ErrNotFound) working; Details stays empty.
func dnsError(status int, header http.Header, body []byte) *Error {
	e := &Error{StatusCode: status, CorrelationID: header.Get("X-Correlation-Id"), Code: statusCode(status)}
	var env struct {
		Message string `json:"message"`
		Error   *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &env)
	switch {
	case env.Error != nil && env.Error.Message != "":
		e.Message = env.Error.Message
	case env.Message != "":
		e.Message = env.Message
	default:
		e.Message = fmt.Sprintf("server answered %d %s", status, http.StatusText(status))
	}
	return e
}

// statusCode maps an HTTP status to the code the Cloud API uses for it.
func statusCode(status int) Code {
	switch status {
	case http.StatusBadRequest:
		return ErrJSON
	case http.StatusUnauthorized:
		return ErrUnauthorized
	case http.StatusForbidden:
		return ErrForbidden
	case http.StatusNotFound:
		return ErrNotFound
	case http.StatusMethodNotAllowed:
		return ErrMethodNotAllowed
	case http.StatusConflict:
		return ErrConflict
	case http.StatusUnprocessableEntity:
		return ErrInvalidInput
	case http.StatusTooManyRequests:
		return ErrRateLimitExceeded
	case http.StatusInternalServerError:
		return ErrServerError
	case http.StatusBadGateway:
		return ErrBadGateway
	case http.StatusServiceUnavailable:
		return ErrUnavailable
	case http.StatusGatewayTimeout:
		return ErrTimeout
	}
	return ""
}
