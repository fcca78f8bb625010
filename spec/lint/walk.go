package lint

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// schemaSite is one schema of the document and where it is written.
type schemaSite struct {
	Ptr    string
	Name   string // property name, "" when the schema is not a property
	Schema *openapi3.SchemaRef
	Parent *openapi3.Schema // the object schema of a property
}

// schemas visits every schema written in the document (a $ref is visited, its target is
// visited where it is written), in a stable order.
func schemas(doc *openapi3.T, fn func(schemaSite)) {
	var walk func(site schemaSite)
	walk = func(site schemaSite) {
		if site.Schema == nil {
			return
		}
		fn(site)
		s := site.Schema.Value
		if site.Schema.Ref != "" || s == nil {
			return
		}
		for _, name := range sortedKeys(s.Properties) {
			walk(schemaSite{Ptr: Ptr(site.Ptr, "properties", name), Name: name, Schema: s.Properties[name], Parent: s})
		}
		walk(schemaSite{Ptr: Ptr(site.Ptr, "items"), Schema: s.Items})
		walk(schemaSite{Ptr: Ptr(site.Ptr, "additionalProperties"), Schema: s.AdditionalProperties.Schema})
		walk(schemaSite{Ptr: Ptr(site.Ptr, "not"), Schema: s.Not})
		for _, kw := range []struct {
			name string
			list openapi3.SchemaRefs
		}{{"allOf", s.AllOf}, {"anyOf", s.AnyOf}, {"oneOf", s.OneOf}} {
			for i, b := range kw.list {
				walk(schemaSite{Ptr: Ptr(site.Ptr, kw.name, itoa(i)), Schema: b})
			}
		}
	}
	if doc.Components != nil {
		for _, name := range sortedKeys(doc.Components.Schemas) {
			walk(schemaSite{Ptr: Ptr("#/components/schemas", name), Schema: doc.Components.Schemas[name]})
		}
		for _, name := range sortedKeys(doc.Components.Parameters) {
			if p := doc.Components.Parameters[name]; p.Ref == "" && p.Value != nil {
				walk(schemaSite{Ptr: Ptr("#/components/parameters", name, "schema"), Schema: p.Value.Schema})
			}
		}
	}
	operations(doc, func(op opSite) {
		for i, p := range op.Op.Parameters {
			if p.Ref == "" && p.Value != nil {
				walk(schemaSite{Ptr: Ptr(op.Ptr, "parameters", itoa(i)), Schema: p.Value.Schema})
			}
		}
		media(op, func(ptr string, _ string, mt *openapi3.MediaType) {
			walk(schemaSite{Ptr: Ptr(ptr, "schema"), Schema: mt.Schema})
		})
	})
}

// opSite is one operation and where it is written.
type opSite struct {
	Ptr, Path, Method string
	Op                *openapi3.Operation
}

func operations(doc *openapi3.T, fn func(opSite)) {
	if doc.Paths == nil {
		return
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		ops := item.Operations()
		for _, m := range sortedKeys(ops) {
			fn(opSite{Ptr: Ptr("#/paths", path, strings.ToLower(m)), Path: path, Method: m, Op: ops[m]})
		}
	}
}

// media visits the inline media types of an operation: where is "request" or the status.
func media(op opSite, fn func(ptr, where string, mt *openapi3.MediaType)) {
	if rb := op.Op.RequestBody; rb != nil && rb.Ref == "" && rb.Value != nil {
		for _, ct := range sortedKeys(rb.Value.Content) {
			fn(Ptr(op.Ptr, "requestBody", "content", ct), "request", rb.Value.Content[ct])
		}
	}
	if op.Op.Responses == nil {
		return
	}
	rs := op.Op.Responses.Map()
	for _, code := range sortedKeys(rs) {
		if r := rs[code]; r.Ref == "" && r.Value != nil {
			for _, ct := range sortedKeys(r.Value.Content) {
				fn(Ptr(op.Ptr, "responses", code, "content", ct), code, r.Value.Content[ct])
			}
		}
	}
}

// example is one named example of a media type.
type example struct {
	Ref    string // ledger name: <operationId>/<request|status>/<name>
	Ptr    string // of its value
	Schema *openapi3.SchemaRef
	Value  any
}

func examples(doc *openapi3.T) []example {
	var out []example
	operations(doc, func(op opSite) {
		media(op, func(ptr, where string, mt *openapi3.MediaType) {
			for _, name := range sortedKeys(mt.Examples) {
				ex := mt.Examples[name]
				if ex == nil || ex.Value == nil {
					continue
				}
				at := Ptr(ptr, "examples", name, "value")
				if ex.Ref != "" {
					at = ex.Ref + "/value"
				}
				out = append(out, example{Ref: op.Op.OperationID + "/" + where + "/" + name, Ptr: at, Schema: mt.Schema, Value: ex.Value.Value})
			}
		})
	})
	return out
}

// normalize turns v into what encoding/json decodes (what kin-openapi expects).
func normalize(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	_ = json.Unmarshal(data, &out)
	return out
}

func sortedKeys[M ~map[string]V, V any](m M) []string { return slices.Sorted(maps.Keys(m)) }

func itoa(i int) string { return strconv.Itoa(i) }
