// Command specgen writes the project's openapi.json.
//
// The facts (paths, parameters, field names, types, enums, bounds, required sets) come from
// the reference description of the Hetzner Cloud API with the later changes applied (the
// JSON patch beside it), for the operations the fake serves (operations.txt). The reference's
// prose, examples and code samples are dropped; each operation gets a short description of
// our own. The fake's own routes (legacy DNS API, /_fake control API, /healthz) are written
// by hand in extra.json and merged in.
//
//	go run ./internal/specgen            # from the module root; reads ../shared/reference
//
// It also regenerates the SDK's operation table (go generate ./internal/sdk).
package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"sort"
	"strings"

	jsonpatch "github.com/evanphx/json-patch/v5"
)

//go:embed operations.txt
var operationList string

//go:embed extra.json
var extraJSON []byte

// dropped are keys that carry the reference's prose or examples rather than facts.
var dropped = map[string]bool{
	"description": true, "summary": true, "example": true, "examples": true,
	"x-codeSamples": true, "title": true, "externalDocs": true,
}

func main() {
	ref := flag.String("reference", "../shared/reference/hcloud-cloud-api.json", "reference OpenAPI file")
	out := flag.String("out", "openapi.json", "output file")
	flag.Parse()

	doc, err := loadPatched(*ref)
	if err != nil {
		log.Fatal(err)
	}
	spec, err := build(doc)
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(spec); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	// The SDK's operation table follows the spec; regenerate it in the same step.
	gen := exec.Command("go", "generate", "./internal/sdk")
	gen.Stdout, gen.Stderr = os.Stdout, os.Stderr
	if err := gen.Run(); err != nil {
		log.Fatalf("go generate ./internal/sdk: %v", err)
	}
}

func loadPatched(refPath string) (map[string]any, error) {
	raw, err := os.ReadFile(refPath)
	if err != nil {
		return nil, err
	}
	patchPath := strings.TrimSuffix(refPath, ".json") + ".changes.json"
	if p, err := os.ReadFile(patchPath); err == nil {
		patch, err := jsonpatch.DecodePatch(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", patchPath, err)
		}
		if raw, err = patch.Apply(raw); err != nil {
			return nil, fmt.Errorf("applying %s: %w", patchPath, err)
		}
	}
	var doc map[string]any
	return doc, json.Unmarshal(raw, &doc)
}

type wanted struct {
	id          string
	description string
}

// operations parses operations.txt: "operationId  description" per line, # comments.
func operations() []wanted {
	var ops []wanted
	for _, line := range strings.Split(operationList, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, desc, _ := strings.Cut(line, " ")
		ops = append(ops, wanted{id: id, description: strings.TrimSpace(desc)})
	}
	return ops
}

func build(ref map[string]any) (map[string]any, error) {
	refPaths := ref["paths"].(map[string]any)
	refSchemas := ref["components"].(map[string]any)["schemas"].(map[string]any)

	type located struct {
		path, method string
		op           map[string]any
	}
	byID := map[string]located{}
	for path, item := range refPaths {
		for method, op := range item.(map[string]any) {
			if o, ok := op.(map[string]any); ok {
				if id, ok := o["operationId"].(string); ok {
					byID[id] = located{path, method, o}
				}
			}
		}
	}

	paths := map[string]any{}
	schemas := map[string]any{}
	var queue []string
	for _, w := range operations() {
		loc, ok := byID[w.id]
		if !ok {
			return nil, fmt.Errorf("operation %s is not in the reference", w.id)
		}
		op := clean(loc.op).(map[string]any)
		op["description"] = w.description
		delete(op, "servers")
		op["responses"] = keepSuccess(op["responses"].(map[string]any))
		queue = append(queue, refs(op)...)
		p := "/v1" + loc.path
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[loc.method] = op
	}
	// Pull in every component schema the chosen operations reach.
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if _, done := schemas[name]; done {
			continue
		}
		s, ok := refSchemas[name]
		if !ok {
			return nil, fmt.Errorf("schema %s is not in the reference", name)
		}
		cs := clean(s)
		schemas[name] = cs
		queue = append(queue, refs(cs)...)
	}

	if err := applyOverrides(schemas); err != nil {
		return nil, err
	}

	var extra map[string]any
	if err := json.Unmarshal(extraJSON, &extra); err != nil {
		return nil, fmt.Errorf("extra.json: %w", err)
	}
	for p, item := range extra["paths"].(map[string]any) {
		if _, clash := paths[p]; clash {
			return nil, fmt.Errorf("extra.json path %s clashes with a reference path", p)
		}
		paths[p] = item
	}
	if es, ok := extra["components"].(map[string]any)["schemas"].(map[string]any); ok {
		for name, s := range es {
			if _, clash := schemas[name]; clash {
				return nil, fmt.Errorf("extra.json schema %s clashes with a reference schema", name)
			}
			schemas[name] = s
		}
	}
	schemas["error_response"] = errorResponse

	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":   "fakehetzner",
			"version": "1.0.0",
			"description": "The API surface served by fakehetzner: the Hetzner Cloud API under /v1, " +
				"the deprecated legacy DNS API under /api/v1, and the fake's own control routes (x-fake).",
			"x-generated-by": "go run ./internal/specgen (facts from the Hetzner Cloud API reference, MIT)",
		},
		"servers":  []any{map[string]any{"url": "/"}},
		"security": []any{map[string]any{"APIToken": []any{}}},
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"APIToken":    map[string]any{"type": "http", "scheme": "bearer"},
				"DNSAPIToken": map[string]any{"type": "apiKey", "in": "header", "name": "Auth-API-Token"},
				"AdminToken":  map[string]any{"type": "http", "scheme": "bearer"},
			},
		},
		"paths": paths,
	}, nil
}

var errorResponse = map[string]any{
	"type":     "object",
	"required": []any{"error"},
	"properties": map[string]any{
		"error": map[string]any{
			"type":     "object",
			"required": []any{"code", "message", "details"},
			"properties": map[string]any{
				"code":    map[string]any{"type": "string"},
				"message": map[string]any{"type": "string"},
				"details": map[string]any{"type": "object", "nullable": true},
			},
		},
	},
}

// keepSuccess keeps the 2xx responses and points every error at our error envelope.
func keepSuccess(responses map[string]any) map[string]any {
	out := map[string]any{}
	for status, r := range responses {
		if strings.HasPrefix(status, "2") {
			m := r.(map[string]any)
			m["description"] = "Success."
			out[status] = m
		}
	}
	out["default"] = map[string]any{
		"description": "A Hetzner error envelope.",
		"content": map[string]any{"application/json": map[string]any{
			"schema": map[string]any{"$ref": "#/components/schemas/error_response"},
		}},
	}
	return out
}

// clean deep-copies v without prose and examples.
func clean(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			if dropped[k] {
				continue
			}
			if k == "properties" { // property names are data, even "description"
				props := map[string]any{}
				for pk, pv := range val.(map[string]any) {
					props[pk] = clean(pv)
				}
				out[k] = props
				continue
			}
			out[k] = clean(val)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = clean(e)
		}
		return out
	default:
		return v
	}
}

// refs lists the component schema names v refers to.
func refs(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if r, ok := t["$ref"].(string); ok {
				out = append(out, strings.TrimPrefix(r, "#/components/schemas/"))
			}
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(t[k])
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}
