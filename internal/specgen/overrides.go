package main

import (
	"fmt"
	"strings"
)

// The one place where openapi.json says more than the reference, without changing what the
// reference states (specdiff compares types, nullability, enums, …, and ignores x- keys):
//
//   - x-fakehetzner-id-or-name: the reference types these "ID or name" request fields as
//     string, but clients send numbers too (hcloud-go sends server_type and image as a number
//     when it has an id, hcloud-python sends whichever it has). Widening the type to
//     integer|string would be a specdiff mismatch, so the field keeps `type: string` and the
//     fake's validator turns a JSON integer into its decimal string before validating
//     (internal/handlers/coerce.go). Store request types accept both (store.IDOrName).
//   - x-fakehetzner-nullable: the reference says the field is not nullable, but clients send
//     null to reset it (hcloud-go's primary IP change_dns_ptr; Hetzner's own spec has it
//     nullable). The validator turns null into "" (which the store reads as "reset").
//
// Keys are component schema names; paths are property names joined by "." ("[]" = items).
var fieldOverrides = map[string]map[string]string{
	"create_server_request": {
		"server_type": "x-fakehetzner-id-or-name",
		"image":       "x-fakehetzner-id-or-name",
		"location":    "x-fakehetzner-id-or-name",
		"ssh_keys.[]": "x-fakehetzner-id-or-name",
	},
	"rebuild_server_from_image_request": {"image": "x-fakehetzner-id-or-name"},
	"change_type_of_server_request":     {"server_type": "x-fakehetzner-id-or-name"},
	"attach_iso_to_server_request":      {"iso": "x-fakehetzner-id-or-name"},
	"create_primary_ip_request":         {"location": "x-fakehetzner-id-or-name"},
	"create_floating_ip_request":        {"home_location": "x-fakehetzner-id-or-name"},
	"create_volume_request":             {"location": "x-fakehetzner-id-or-name"},
	"dns_ptr":                           {"dns_ptr": "x-fakehetzner-nullable"},
	"create_load_balancer_request": {"load_balancer_type": "x-fakehetzner-id-or-name",
		"location": "x-fakehetzner-id-or-name"},
	"change_type_of_load_balancer_request": {"load_balancer_type": "x-fakehetzner-id-or-name"},
}

// applyOverrides marks the fields of fieldOverrides; a path that does not exist (the
// reference changed) is an error, so the override list cannot rot silently.
func applyOverrides(schemas map[string]any) error {
	for name, fields := range fieldOverrides {
		s, ok := schemas[name].(map[string]any)
		if !ok {
			continue // the schema is not used by any served operation
		}
		for path, mark := range fields {
			node := s
			for _, part := range strings.Split(path, ".") {
				var next map[string]any
				if part == "[]" {
					next, _ = node["items"].(map[string]any)
				} else {
					props, _ := node["properties"].(map[string]any)
					next, _ = props[part].(map[string]any)
				}
				if next == nil {
					return fmt.Errorf("override %s.%s: no such field in the reference", name, path)
				}
				node = next
			}
			node[mark] = true
		}
	}
	return nil
}
