package catalog_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// A minimal stand-in for testify's assert/require, so that the tests need no
// module beyond kin-openapi: expect.X reports and continues, must.X stops the
// test. Each returns whether the check held.
type checker struct{ fatal bool }

var (
	expect = checker{}
	must   = checker{fatal: true}
)

func (c checker) fail(t *testing.T, msgAndArgs []any, format string, args ...any) bool {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if extra := describe(msgAndArgs); extra != "" {
		msg = extra + ": " + msg
	}
	if c.fatal {
		t.Fatal(msg)
	}
	t.Error(msg)
	return false
}

func describe(msgAndArgs []any) string {
	if len(msgAndArgs) == 0 {
		return ""
	}
	if f, ok := msgAndArgs[0].(string); ok {
		return fmt.Sprintf(f, msgAndArgs[1:]...)
	}
	return fmt.Sprint(msgAndArgs...)
}

func (c checker) True(t *testing.T, cond bool, msgAndArgs ...any) bool {
	t.Helper()
	if !cond {
		return c.fail(t, msgAndArgs, "should be true")
	}
	return true
}

func (c checker) False(t *testing.T, cond bool, msgAndArgs ...any) bool {
	t.Helper()
	if cond {
		return c.fail(t, msgAndArgs, "should be false")
	}
	return true
}

func (c checker) Equal(t *testing.T, want, got any, msgAndArgs ...any) bool {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		return c.fail(t, msgAndArgs, "not equal:\nwant %#v\n got %#v", want, got)
	}
	return true
}

func (c checker) NotEqual(t *testing.T, a, b any, msgAndArgs ...any) bool {
	t.Helper()
	if reflect.DeepEqual(a, b) {
		return c.fail(t, msgAndArgs, "should differ: %#v", a)
	}
	return true
}

func (c checker) NoError(t *testing.T, err error, msgAndArgs ...any) bool {
	t.Helper()
	if err != nil {
		return c.fail(t, msgAndArgs, "unexpected error: %v", err)
	}
	return true
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface, reflect.Func, reflect.Chan:
		return rv.IsNil()
	}
	return false
}

func (c checker) Nil(t *testing.T, v any, msgAndArgs ...any) bool {
	t.Helper()
	if !isNil(v) {
		return c.fail(t, msgAndArgs, "should be nil: %#v", v)
	}
	return true
}

func (c checker) NotNil(t *testing.T, v any, msgAndArgs ...any) bool {
	t.Helper()
	if isNil(v) {
		return c.fail(t, msgAndArgs, "should not be nil")
	}
	return true
}

func (c checker) Len(t *testing.T, v any, n int, msgAndArgs ...any) bool {
	t.Helper()
	if l := reflect.ValueOf(v).Len(); l != n {
		return c.fail(t, msgAndArgs, "length %d, want %d", l, n)
	}
	return true
}

func (c checker) NotEmpty(t *testing.T, v any, msgAndArgs ...any) bool {
	t.Helper()
	if isNil(v) || reflect.ValueOf(v).Len() == 0 {
		return c.fail(t, msgAndArgs, "should not be empty")
	}
	return true
}

// Contains checks for a substring (string haystack), an element (slice) or
// a key (map).
func (c checker) Contains(t *testing.T, haystack, needle any, msgAndArgs ...any) bool {
	t.Helper()
	if s, ok := haystack.(string); ok {
		if !strings.Contains(s, fmt.Sprint(needle)) {
			return c.fail(t, msgAndArgs, "%q does not contain %q", s, needle)
		}
		return true
	}
	rv := reflect.ValueOf(haystack)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		for i := range rv.Len() {
			if reflect.DeepEqual(rv.Index(i).Interface(), needle) {
				return true
			}
		}
	case reflect.Map:
		for _, k := range rv.MapKeys() {
			if reflect.DeepEqual(k.Interface(), needle) {
				return true
			}
		}
	}
	return c.fail(t, msgAndArgs, "%#v does not contain %#v", haystack, needle)
}

func toFloat(v any) float64 {
	rv := reflect.ValueOf(v)
	switch {
	case rv.CanInt():
		return float64(rv.Int())
	case rv.CanUint():
		return float64(rv.Uint())
	case rv.CanFloat():
		return rv.Float()
	}
	panic(fmt.Sprintf("not a number: %#v", v))
}

func (c checker) Positive(t *testing.T, v any, msgAndArgs ...any) bool {
	t.Helper()
	if toFloat(v) <= 0 {
		return c.fail(t, msgAndArgs, "%v should be positive", v)
	}
	return true
}

// Less compares two strings or two numbers.
func (c checker) Less(t *testing.T, a, b any, msgAndArgs ...any) bool {
	t.Helper()
	var less bool
	if sa, ok := a.(string); ok {
		less = sa < b.(string)
	} else {
		less = toFloat(a) < toFloat(b)
	}
	if !less {
		return c.fail(t, msgAndArgs, "%v should be less than %v", a, b)
	}
	return true
}

func (c checker) InDelta(t *testing.T, want, got any, delta float64, msgAndArgs ...any) bool {
	t.Helper()
	w, g := toFloat(want), toFloat(got)
	if d := w - g; d > delta || -d > delta {
		return c.fail(t, msgAndArgs, "%v and %v differ by more than %v", w, g, delta)
	}
	return true
}

func (c checker) Regexp(t *testing.T, rx *regexp.Regexp, s string, msgAndArgs ...any) bool {
	t.Helper()
	if !rx.MatchString(s) {
		return c.fail(t, msgAndArgs, "%q does not match %s", s, rx)
	}
	return true
}

func (c checker) JSONEq(t *testing.T, want, got string, msgAndArgs ...any) bool {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		return c.fail(t, msgAndArgs, "expected value is not JSON: %v", err)
	}
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		return c.fail(t, msgAndArgs, "actual value is not JSON: %v", err)
	}
	if !reflect.DeepEqual(w, g) {
		return c.fail(t, msgAndArgs, "JSON differs:\nwant %s\n got %s", want, got)
	}
	return true
}
