package store_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

// documentedStatus is the error table of the API (../shared/reference/behaviour.md §3.3),
// written out here rather than read from the code, so a wrong entry in codeStatus fails.
var documentedStatus = map[store.Code]int{
	"json_error":              400,
	"unauthorized":            401,
	"token_readonly":          401, // superseded by forbidden; old clients still know it
	"forbidden":               403,
	"maintenance":             403,
	"resource_limit_exceeded": 403,
	"not_found":               404,
	"method_not_allowed":      405,
	"uniqueness_error":        409,
	"conflict":                409,
	"deprecated_api_endpoint": 410,
	"resource_unavailable":    412,
	"invalid_input":           422,
	"service_error":           422,
	"unsupported_error":       422,
	"locked":                  423,
	"protected":               423,
	"rate_limit_exceeded":     429,
	"server_error":            500,
	"bad_gateway":             502,
	"unavailable":             503,
	"timeout":                 504,
}

// operationSpecific are codes of single operations (behaviour.md §3.5, dns.md); they are 422.
var operationSpecific = []store.Code{
	"placement_error", "primary_ip_assigned", "primary_ip_datacenter_mismatch",
	"primary_ip_version_mismatch", "invalid_server_type", "server_not_stopped",
	"server_already_attached", "ip_not_available", "no_subnet_available", "networks_overlap",
	"server_has_ipv4", "server_has_ipv6", "primary_ip_already_assigned", "must_be_unassigned",
	"incorrect_zone_mode", "resource_in_use", "no_space_left_in_location",
}

func TestEveryDocumentedCodeHasItsStatus(t *testing.T) {
	for code, want := range documentedStatus {
		assert.Equal(t, want, code.Status(), "%s", code)
		e := store.Errorf(code, "something about %s", "it")
		assert.Equal(t, want, e.Status(), "%s: an *Error answers its code's status", code)
	}
	for _, code := range operationSpecific {
		assert.Equal(t, 422, code.Status(), "%s", code)
	}
}

func TestCodesListsTheErrorTable(t *testing.T) {
	listed := map[store.Code]bool{}
	for _, c := range store.Codes() {
		listed[c] = true
	}
	for code := range documentedStatus {
		assert.True(t, listed[code], "Codes() misses %s", code)
	}
	for _, code := range operationSpecific {
		assert.False(t, listed[code], "Codes() lists the operation-specific %s", code)
	}
	// The one code of the fake's own (a bad PUT /_fake/state) is the only extra.
	for c := range listed {
		if _, documented := documentedStatus[c]; !documented {
			assert.Equal(t, store.CodeInvalidSnapshot, c, "undocumented code in the table")
		}
	}
}

func TestErrorConstructorsFillCodeAndDetails(t *testing.T) {
	e := store.InvalidField("name", "Missing data for required field.")
	assert.Equal(t, store.CodeInvalidInput, e.Code)
	assert.Equal(t, "invalid input in field 'name'", e.Message)
	assert.JSONEq(t, `{"fields":[{"name":"name","messages":["Missing data for required field."]}]}`, detailsJSON(t, e))

	e = store.InvalidInput(store.FieldError{Name: "a", Messages: []string{"x"}}, store.FieldError{Name: "b", Messages: []string{"y"}})
	assert.Equal(t, "invalid input in fields 'a', 'b'", e.Message, "the API's wording for several fields")

	e = store.Uniqueness("public_key", "SSH key with the same fingerprint already exists")
	assert.Equal(t, 409, e.Status())
	assert.JSONEq(t, `{"fields":[{"name":"public_key"}]}`, detailsJSON(t, e), "uniqueness fields carry no messages")

	e = store.NotFound("server")
	assert.Equal(t, 404, e.Status())
	assert.Equal(t, "server not found", e.Message)

	e = store.Locked("server")
	assert.Equal(t, 423, e.Status())
	assert.Equal(t, "cannot perform operation because server is locked", e.Message, "the live wording")
	assert.Nil(t, e.Details, "nil details render as {}")
}

func detailsJSON(t *testing.T, e *store.Error) string {
	t.Helper()
	b, err := json.Marshal(e.Details)
	require.NoError(t, err)
	return string(b)
}
