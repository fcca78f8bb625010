package server

import (
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apiclab/apic/spec/xrules"
)

// The emulator builds responses as JSON documents and lets the spec drive the generic parts:
// defaults come from `default`, case-insensitive enum values are stored in their canonical form
// (x-enum-ci), and a document is cut down to what a response schema describes. Each function
// walks a schema and a document (decoded by encoding/json into map[string]any and []any)
// together.

// applyDefaults sets every absent property that has a default in schema, recursively. An
// absent object whose members all are optional and some have defaults (auth_opt) is created
// with those defaults, as the service answers with it filled in. A value that a page says the
// service replaces by the default (x-coerce: a timeout out of range) is replaced.
func applyDefaults(s *openapi3.SchemaRef, doc any) {
	eachObject(s, doc, func(s *openapi3.Schema, obj map[string]any) {
		for name, p := range s.Properties {
			if p.Value == nil {
				continue
			}
			if v, ok := obj[name]; ok {
				if xrules.Of(p.Value).Coerce != nil && outOfRange(p.Value, v) {
					obj[name] = p.Value.Default
				}
				continue
			}
			if p.Value.Default != nil {
				obj[name] = p.Value.Default
				continue
			}
			if defaults := objectDefaults(p.Value); defaults != nil {
				obj[name] = defaults
			}
		}
	})
}

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

// canonicalize replaces every x-enum-ci value by its canonical spelling.
func canonicalize(s *openapi3.SchemaRef, doc any) {
	eachObject(s, doc, func(s *openapi3.Schema, obj map[string]any) {
		for name, p := range s.Properties {
			str, ok := obj[name].(string)
			if !ok || p.Value == nil {
				continue
			}
			for _, c := range xrules.Of(p.Value).EnumCI {
				if strings.EqualFold(c, str) {
					obj[name] = c
				}
			}
		}
	})
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
