package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

var validationOptions = &openapi3filter.Options{
	MultiError:          true,
	SkipSettingDefaults: true,
	AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc, // the auth middleware decides
}

// jsonBodyOptions leave JSON bodies to validate(): it decodes each body once and checks the
// decoded value against the schema itself, instead of kin-openapi decoding it again.
var jsonBodyOptions = &openapi3filter.Options{
	MultiError:          true,
	SkipSettingDefaults: true,
	ExcludeRequestBody:  true,
	AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
}

var bodySchemaOptions = []openapi3.SchemaValidationOption{openapi3.VisitAsRequest(), openapi3.MultiErrors()}

// validate checks a request against its operation in openapi.json before the handler runs.
// The route is resolved once at start-up, so no router runs per request.
func validate(route *routers.Route) echo.MiddlewareFunc {
	var bodySchema *openapi3.Schema
	if rb := route.Operation.RequestBody; rb != nil && rb.Value != nil {
		if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			bodySchema = mt.Schema.Value
		}
	}
	// JSON bodies are checked here; text/plain ones (legacy zone files) by kin-openapi, as sent.
	options := validationOptions
	if bodySchema != nil {
		options = jsonBodyOptions
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			var bodyErr error
			if bodySchema != nil {
				root, err := normalizeBody(req, bodySchema)
				if err != nil {
					return err
				}
				bodyErr = bodySchema.VisitJSON(root, bodySchemaOptions...)
			}
			params := make(map[string]string, len(c.ParamNames()))
			for i, name := range c.ParamNames() {
				params[name] = c.ParamValues()[i]
			}
			err := openapi3filter.ValidateRequest(req.Context(), &openapi3filter.RequestValidationInput{
				Request: req, PathParams: params, Route: route, Options: options,
			})
			if err != nil || bodyErr != nil {
				var all openapi3.MultiError
				for _, e := range []error{err, bodyErr} {
					if e != nil {
						all = append(all, e)
					}
				}
				return validationError(all)
			}
			return next(c)
		}
	}
}

// normalizeBody reads and decodes the body once: an empty one counts as {} (clients send
// action POSTs without a body), a missing Content-Type as JSON, and malformed JSON is
// json_error. An explicit null on a field that cannot be null counts as absent, as the API
// treats it (ansible sends "ttl": null and the like), and ids sent as numbers in id-or-name
// fields become strings (coerce.go). The handler reads the normalized body again.
func normalizeBody(req *http.Request, schema *openapi3.Schema) (any, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return nil, store.Errorf(store.CodeInvalidInput, "request body too large")
			}
			return nil, store.Errorf(store.CodeJSONError, "could not read the request body")
		}
		body = b
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil || dec.More() {
		return nil, store.Errorf(store.CodeJSONError, "syntax error")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, store.Errorf(store.CodeJSONError, "syntax error")
	}
	if _, isObject := root.(map[string]any); !isObject {
		e := store.InvalidField("_schema", "root must be an object")
		e.Message = "invalid input: root must be an object"
		return nil, e
	}
	dropped := dropNulls(root, schema)
	root, coerced := coerceBody(schema, root)
	if dropped || coerced {
		body, _ = json.Marshal(root)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	if ct := req.Header.Get("Content-Type"); ct == "" || !strings.Contains(ct, "json") {
		req.Header.Set("Content-Type", "application/json")
	}
	return root, nil
}

// dropNulls removes null members that the schema does not allow to be null, recursively.
// It reports whether it removed any.
func dropNulls(v any, schema *openapi3.Schema) bool {
	if schema == nil {
		return false
	}
	dropped := false
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			ref := schema.Properties[k]
			if ref == nil || ref.Value == nil {
				continue
			}
			if val == nil && !ref.Value.Nullable && !slices.Contains(schema.Required, k) {
				delete(t, k)
				dropped = true
				continue
			}
			dropped = dropNulls(val, ref.Value) || dropped
		}
	case []any:
		if schema.Items != nil {
			for _, e := range t {
				dropped = dropNulls(e, schema.Items.Value) || dropped
			}
		}
	}
	return dropped
}

// validationError turns kin-openapi's findings into invalid_input with details.fields.
func validationError(err error) error {
	fields := map[string][]string{}
	var walk func(error, string)
	walk = func(err error, prefix string) {
		// Match the error's own type, not errors.As: a RequestError unwraps to the
		// MultiError inside it, which would lose the parameter's name.
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, inner := range e {
				walk(inner, prefix)
			}
			return
		case *openapi3filter.RequestError:
			if e.Parameter != nil {
				if e.Err == nil {
					fields[e.Parameter.Name] = append(fields[e.Parameter.Name], "Invalid value.")
					return
				}
				walkParam(fields, e.Parameter.Name, e.Err)
				return
			}
			if e.Err != nil {
				walk(e.Err, prefix)
				return
			}
		}
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			path := se.JSONPointer()
			if unknown, ok := unknownProperty(se); ok { // name the field, as the API does
				path = append(path, unknown)
			}
			name := prefix
			if len(path) > 0 {
				if name != "" {
					name += "."
				}
				name += strings.Join(path, ".")
			}
			if name == "" {
				name = "_schema"
			}
			fields[name] = append(fields[name], schemaMessage(se))
			return
		}
		var pe *openapi3filter.ParseError
		if errors.As(err, &pe) {
			if prefix == "" {
				// the body itself did not parse
				fields["_schema"] = append(fields["_schema"], "Invalid input.")
				return
			}
			fields[prefix] = append(fields[prefix], parseMessage(pe))
			return
		}
		name := prefix
		if name == "" {
			name = "_schema"
		}
		fields[name] = append(fields[name], "Invalid input.")
	}
	walk(err, "")
	return fieldsError(fields)
}

// unknownProperty is the field a body has but its schema (additionalProperties: false) lacks.
func unknownProperty(se *openapi3.SchemaError) (string, bool) {
	if se.SchemaField != "properties" {
		return "", false
	}
	var name string
	if _, err := fmt.Sscanf(se.Reason, "property %q is unsupported", &name); err != nil {
		return "", false
	}
	return name, true
}

// walkParam records every finding of one query or path parameter under its name.
func walkParam(fields map[string][]string, name string, err error) {
	if me, ok := err.(openapi3.MultiError); ok {
		for _, inner := range me {
			walkParam(fields, name, inner)
		}
		return
	}
	var se *openapi3.SchemaError
	var pe *openapi3filter.ParseError
	switch {
	case errors.As(err, &se):
		fields[name] = append(fields[name], schemaMessage(se))
	case errors.As(err, &pe):
		fields[name] = append(fields[name], parseMessage(pe))
	default:
		fields[name] = append(fields[name], "Invalid value.")
	}
}

func fieldsError(fields map[string][]string) error {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]store.FieldError, 0, len(names))
	for _, n := range names {
		out = append(out, store.FieldError{Name: n, Messages: dedupe(fields[n])})
	}
	e := store.InvalidInput(out...)
	if len(out) == 1 && len(out[0].Messages) == 1 && out[0].Messages[0] == msgUnknownField {
		e.Message = unknownFieldMessage(out[0].Name) // the same words as a strict decode's
	}
	return e
}

const msgUnknownField = "Unknown field."

// unknownFieldMessage is the API's message for a body field it does not know.
func unknownFieldMessage(name string) string {
	return fmt.Sprintf("invalid input: unknown field name '%s'", name)
}

// schemaMessage words a schema violation the way the real API (marshmallow) does.
func schemaMessage(se *openapi3.SchemaError) string {
	s := se.Schema
	switch se.SchemaField {
	case "required":
		return "Missing data for required field."
	case "nullable":
		return "Field may not be null."
	case "enum":
		return "Not a valid choice."
	case "type":
		if s != nil && s.Type != nil {
			switch {
			case s.Type.Is("string"):
				return "Not a valid string."
			case s.Type.Is("integer"):
				return "Not a valid integer."
			case s.Type.Is("number"):
				return "Not a valid number."
			case s.Type.Is("boolean"):
				return "Not a valid boolean."
			case s.Type.Is("array"):
				return "Not a valid list."
			case s.Type.Is("object"):
				return "Not a valid mapping type."
			}
		}
		return "Invalid type."
	case "maxLength":
		return fmt.Sprintf("Longer than maximum length %d.", derefU(s.MaxLength))
	case "minLength":
		return fmt.Sprintf("Shorter than minimum length %d.", s.MinLength)
	case "maxItems":
		return fmt.Sprintf("Longer than maximum length %d.", derefU(s.MaxItems))
	case "minItems":
		return fmt.Sprintf("Shorter than minimum length %d.", s.MinItems)
	case "minimum", "exclusiveMinimum":
		return fmt.Sprintf("Must be greater than or equal to %v.", derefF(s.Min))
	case "maximum", "exclusiveMaximum":
		return fmt.Sprintf("Must be less than or equal to %v.", derefF(s.Max))
	case "pattern":
		return "String does not match expected pattern."
	case "format":
		return "Not a valid " + s.Format + "."
	case "additionalProperties":
		return msgUnknownField
	case "properties":
		if _, ok := unknownProperty(se); ok {
			return msgUnknownField
		}
	}
	return "Invalid value."
}

func parseMessage(pe *openapi3filter.ParseError) string {
	reason := pe.Reason
	switch {
	case strings.Contains(reason, "integer"):
		return "Not a valid integer."
	case strings.Contains(reason, "number"):
		return "Not a valid number."
	case strings.Contains(reason, "boolean"):
		return "Not a valid boolean."
	}
	return "Invalid value."
}

func derefU(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}

func derefF(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

func dedupe(in []string) []string {
	out := in[:0]
	seen := map[string]bool{}
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
