package handlers

import (
	"encoding/json"

	"github.com/getkin/kin-openapi/openapi3"
)

// coerceBody adjusts a decoded JSON body to what the real API accepts beyond what the
// reference spec states, before the body is validated against that spec (the marks are set
// by internal/specgen/overrides.go):
//
//   - a JSON integer in an "ID or name" field (x-fakehetzner-id-or-name) becomes its decimal
//     string: the spec types these fields as string, but clients send ids as numbers;
//   - null in a field marked x-fakehetzner-nullable becomes "" (the store reads it as reset).
//
// It reports whether anything changed.
func coerceBody(s *openapi3.Schema, v any) (any, bool) {
	if s == nil {
		return v, false
	}
	switch val := v.(type) {
	case json.Number:
		if s.Extensions["x-fakehetzner-id-or-name"] == true {
			if _, err := val.Int64(); err == nil {
				return val.String(), true
			}
		}
	case []any:
		if s.Items == nil {
			return v, false
		}
		changed := false
		for i, item := range val {
			var c bool
			val[i], c = coerceBody(s.Items.Value, item)
			changed = changed || c
		}
		return val, changed
	case map[string]any:
		changed := false
		for name, prop := range s.Properties {
			fv, present := val[name]
			if !present || prop == nil || prop.Value == nil {
				continue
			}
			if fv == nil {
				if prop.Value.Extensions["x-fakehetzner-nullable"] == true {
					val[name], changed = "", true
				}
				continue
			}
			var c bool
			val[name], c = coerceBody(prop.Value, fv)
			changed = changed || c
		}
		return val, changed
	}
	return v, false
}
