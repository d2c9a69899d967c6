package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

// errorEnvelope is the body of every error answer: {"error":{"code","message","details"}}.
type errorEnvelope struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    store.Code `json:"code"`
	Message string     `json:"message"`
	Details any        `json:"details"`
}

// asAPIError turns anything a handler or middleware returned into the store's error type.
func asAPIError(err error) *store.Error {
	var se *store.Error
	if errors.As(err, &se) {
		return se
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return store.Errorf(store.CodeNotFound, "not found")
		case http.StatusMethodNotAllowed:
			return store.Errorf(store.CodeMethodNotAllowed, "method not allowed")
		case http.StatusRequestEntityTooLarge:
			return store.Errorf(store.CodeInvalidInput, "request body too large")
		}
	}
	return store.Errorf(store.CodeServerError, "internal server error")
}

// writeError renders Hetzner's error envelope; it is echo's HTTPErrorHandler, so every error
// from the pipeline and the handlers ends here and no handler writes an error body itself.
func (a *API) writeError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if isLegacyPath(c) { // the legacy DNS API has error bodies of its own (legacy_dns.go)
		a.writeLegacyError(err, c)
		return
	}
	apiErr := asAPIError(err)
	if apiErr.Code == store.CodeServerError && !errors.As(err, new(*store.Error)) {
		a.log.Error("unhandled error", "error", err, "correlation_id", c.Response().Header().Get(headerCorrelationID))
	}
	details := apiErr.Details
	if details == nil {
		details = struct{}{}
	}
	status := apiErr.Status()
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, errorEnvelope{Error: errorBody{Code: apiErr.Code, Message: apiErr.Message, Details: details}})
}
