package store

import (
	"fmt"
	"sort"
	"strings"
)

// Code is a Hetzner error code. It knows the HTTP status the API answers it with.
type Code string

// The codes of the Hetzner Cloud API error table. Operation-specific codes (placement_error,
// must_be_unassigned, incorrect_zone_mode, …) are Codes too; they answer 422 unless listed.
const (
	CodeJSONError             Code = "json_error"
	CodeUnauthorized          Code = "unauthorized"
	CodeTokenReadonly         Code = "token_readonly" // superseded by forbidden; kept for old clients' tables
	CodeForbidden             Code = "forbidden"
	CodeMaintenance           Code = "maintenance"
	CodeResourceLimitExceeded Code = "resource_limit_exceeded"
	CodeNotFound              Code = "not_found"
	CodeMethodNotAllowed      Code = "method_not_allowed"
	CodeUniquenessError       Code = "uniqueness_error"
	CodeConflict              Code = "conflict"
	CodeDeprecatedAPIEndpoint Code = "deprecated_api_endpoint"
	CodeResourceUnavailable   Code = "resource_unavailable"
	CodeInvalidInput          Code = "invalid_input"
	CodeServiceError          Code = "service_error"
	CodeUnsupportedError      Code = "unsupported_error"
	CodeLocked                Code = "locked"
	CodeProtected             Code = "protected"
	CodeRateLimitExceeded     Code = "rate_limit_exceeded"
	CodeServerError           Code = "server_error"
	CodeBadGateway            Code = "bad_gateway"
	CodeUnavailable           Code = "unavailable"
	CodeTimeout               Code = "timeout"

	// CodeInvalidSnapshot is the fake's own: PUT /_fake/state with a snapshot it cannot load.
	CodeInvalidSnapshot Code = "invalid_snapshot"
)

var codeStatus = map[Code]int{
	CodeJSONError:             400,
	CodeUnauthorized:          401,
	CodeTokenReadonly:         401,
	CodeForbidden:             403,
	CodeMaintenance:           403,
	CodeResourceLimitExceeded: 403,
	CodeNotFound:              404,
	CodeMethodNotAllowed:      405,
	CodeUniquenessError:       409,
	CodeConflict:              409,
	CodeDeprecatedAPIEndpoint: 410,
	CodeResourceUnavailable:   412,
	CodeInvalidInput:          422,
	CodeServiceError:          422,
	CodeUnsupportedError:      422,
	CodeLocked:                423,
	CodeProtected:             423,
	CodeRateLimitExceeded:     429,
	CodeServerError:           500,
	CodeBadGateway:            502,
	CodeUnavailable:           503,
	CodeTimeout:               504,
	CodeInvalidSnapshot:       400,
}

// Status is the HTTP status the API answers this code with; operation-specific codes are 422.
func (c Code) Status() int {
	if s, ok := codeStatus[c]; ok {
		return s
	}
	return 422
}

// Codes lists the codes of the error table (not the operation-specific ones).
func Codes() []Code {
	out := make([]Code, 0, len(codeStatus))
	for c := range codeStatus {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Error is the one error type of the fake: Hetzner's code, message and details.
type Error struct {
	Code    Code
	Message string
	Details any // nil renders as {}
	// HTTPStatus overrides the code's status where one operation answers it differently
	// (firewall_resource_not_found is 404 on apply but 422 on create); 0 keeps the code's.
	HTTPStatus int
}

func (e *Error) Error() string { return fmt.Sprintf("%s (%s)", e.Message, e.Code) }

// Status is the HTTP status of the error.
func (e *Error) Status() int {
	if e.HTTPStatus != 0 {
		return e.HTTPStatus
	}
	return e.Code.Status()
}

// WithStatus is the error answered with another status than its code's usual one.
func (e *Error) WithStatus(status int) *Error {
	c := *e
	c.HTTPStatus = status
	return &c
}

// Errorf builds an Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError names one invalid field and what is wrong with it.
type FieldError struct {
	Name     string   `json:"name"`
	Messages []string `json:"messages"`
}

// InvalidFields is the details object of invalid_input.
type InvalidFields struct {
	Fields []FieldError `json:"fields"`
}

// InvalidInput builds the API's invalid_input error for the given fields.
func InvalidInput(fields ...FieldError) *Error {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = "'" + f.Name + "'"
	}
	msg := "invalid input in field " + strings.Join(names, "")
	if len(fields) > 1 {
		msg = "invalid input in fields " + strings.Join(names, ", ")
	}
	return &Error{Code: CodeInvalidInput, Message: msg, Details: InvalidFields{Fields: fields}}
}

// InvalidField is InvalidInput for a single field and message.
func InvalidField(name, message string) *Error {
	return InvalidInput(FieldError{Name: name, Messages: []string{message}})
}

// uniqueField is a field of a uniqueness_error (no messages, as the API sends it).
type uniqueField struct {
	Name string `json:"name"`
}

// Uniqueness builds uniqueness_error naming the field that clashes.
func Uniqueness(field, message string) *Error {
	return &Error{Code: CodeUniquenessError, Message: message,
		Details: map[string]any{"fields": []uniqueField{{Name: field}}}}
}

// NotFound is the not_found error for a resource kind such as "server".
func NotFound(kind string) *Error {
	return Errorf(CodeNotFound, "%s not found", kind)
}

// Locked is the error for a resource with a running action.
func Locked(kind string) *Error {
	return Errorf(CodeLocked, "cannot perform operation because %s is locked", kind)
}
