package server

import (
	"github.com/getkin/kin-openapi/openapi3"
)

// The spec drives the generic parts of an answer: defaults come from `default` (an absent
// optional object whose members have defaults, auth_opt, is created with them, as the service
// answers with it filled in; a value a page says the service replaces, x-coerce, is replaced),
// case-insensitive enum values are stored in their canonical form (x-enum-ci), and a document
// is cut down to what a response schema describes. Creates and updates apply them to the typed
// request (typed.go); the functions here walk a schema and a stored document (decoded by
// encoding/json into map[string]any and []any) together.

// outOfRange reports whether v is a number outside the minimum..maximum of s.
func outOfRange(s *openapi3.Schema, v any) bool {
	n, ok := v.(float64)
	return ok && (s.Min != nil && n < *s.Min || s.Max != nil && n > *s.Max)
}

func objectDefaults(s *openapi3.Schema) map[string]any {
	if !s.Type.Is("object") || len(s.Required) > 0 {
		return nil
	}
	var out map[string]any
	for name, p := range s.Properties {
		if p.Value != nil && p.Value.Default != nil {
			if out == nil {
				out = map[string]any{}
			}
			out[name] = p.Value.Default
		}
	}
	return out
}

// project removes, recursively, every member that schema does not describe.
func project(s *openapi3.SchemaRef, doc any) {
	eachObject(s, doc, func(s *openapi3.Schema, obj map[string]any) {
		if len(s.Properties) == 0 {
			return
		}
		for name := range obj {
			if _, ok := s.Properties[name]; !ok {
				delete(obj, name)
			}
		}
	})
}

// eachObject calls fn for every object in doc with the schema that describes it: properties,
// array items, and the oneOf branch of matching JSON type.
func eachObject(s *openapi3.SchemaRef, doc any, fn func(*openapi3.Schema, map[string]any)) {
	if s == nil || s.Value == nil || doc == nil {
		return
	}
	v := s.Value
	switch d := doc.(type) {
	case map[string]any:
		if len(v.OneOf) > 0 {
			for _, br := range v.OneOf {
				if br.Value != nil && (br.Value.Type.Is("object") || len(br.Value.Properties) > 0) {
					eachObject(br, d, fn)
					return
				}
			}
			return
		}
		fn(v, d)
		for name, p := range v.Properties {
			if child, ok := d[name]; ok {
				eachObject(p, child, fn)
			}
		}
	case []any:
		items := v.Items
		if len(v.OneOf) > 0 {
			for _, br := range v.OneOf {
				if br.Value != nil && br.Value.Type.Is("array") {
					items = br.Value.Items
				}
			}
		}
		for _, x := range d {
			eachObject(items, x, fn)
		}
	}
}
