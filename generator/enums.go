package generator

import (
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"

	"github.com/apiclab/apic/spec/xrules"
)

// EnumNames gives enum values Go names, per property name: {type: {"1": Public, "2": Private}}.
// oapi-codegen would otherwise name a constant after its value, which says nothing for the
// integer codes the pages use (TypeN1). The names transcribe the meanings the property's
// description gives. A map applies to an enum of that property whose every value it names;
// an integer enum that no map names is refused.
type EnumNames map[string]map[string]string

// nameEnums prepares doc for oapi-codegen's models: it sets x-enum-varnames on every enum
// schema that names covers, and gives each case-insensitive enum (x-enum-ci) that is a
// property of a component its canonical values as an enum and a type name, so that it too
// becomes a named type with constants. The returned undo, called before the validators are
// generated, leaves those properties only their type (x-go-type), which the validators need
// and check with x-enum-ci rather than enum; done, called after, restores the document. The
// embedded spec is generated from a fresh copy and never sees any of this.
func nameEnums(doc *openapi3.T, names EnumNames) (undo, done func(), err error) {
	var problems []string
	injected := map[*openapi3.Schema]string{}
	eachSchema(doc, func(v *openapi3.Schema, prop, where string) {
		if len(v.Enum) == 0 && v.Type.Is("string") {
			if ci := xrules.Of(v).EnumCIValues(); len(ci) > 0 {
				if rest, ok := strings.CutPrefix(where, "#/components/schemas/"); ok {
					if parent, p, ok := strings.Cut(rest, "/properties/"); ok && !strings.Contains(p, "/") {
						name := codegen.SchemaNameToTypeName(parent) + codegen.SchemaNameToTypeName(p)
						v.Enum = ci
						if v.Extensions == nil {
							v.Extensions = map[string]any{}
						}
						v.Extensions["x-go-type-name"] = name
						injected[v] = name
					}
				}
			}
		}
		if len(v.Enum) == 0 {
			return
		}
		if vars, ok := enumVarNames(v.Enum, names[prop]); ok {
			if v.Extensions == nil {
				v.Extensions = map[string]any{}
			}
			v.Extensions["x-enum-varnames"] = vars
		} else if v.Type.Is("integer") || v.Type.Is("number") {
			problems = append(problems, fmt.Sprintf("%s: the integer enum %v has no Go names (enum-names: %s: {value: Name})", where, v.Enum, prop))
		}
	})
	undo = func() {
		eachSchema(doc, func(v *openapi3.Schema, _, _ string) { delete(v.Extensions, "x-enum-varnames") })
		for v, name := range injected {
			v.Enum = nil
			delete(v.Extensions, "x-go-type-name")
			v.Extensions["x-go-type"] = name
		}
	}
	done = func() {
		for v := range injected {
			delete(v.Extensions, "x-go-type")
		}
	}
	if len(problems) > 0 {
		return undo, done, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return undo, done, nil
}

// eachSchema calls fn once for every schema reachable from the components, in a stable order,
// with the name of the property (or component) it stands for and its JSON pointer.
func eachSchema(doc *openapi3.T, fn func(s *openapi3.Schema, prop, where string)) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.SchemaRef, prop, where string)
	walk = func(s *openapi3.SchemaRef, prop, where string) {
		if s == nil || s.Value == nil || seen[s.Value] {
			return
		}
		v := s.Value
		seen[v] = true
		fn(v, prop, where)
		props := make([]string, 0, len(v.Properties))
		for p := range v.Properties {
			props = append(props, p)
		}
		sort.Strings(props)
		for _, p := range props {
			walk(v.Properties[p], p, where+"/properties/"+p)
		}
		walk(v.Items, prop, where+"/items")
		for _, group := range []openapi3.SchemaRefs{v.OneOf, v.AnyOf, v.AllOf} {
			for i, b := range group {
				walk(b, prop, fmt.Sprintf("%s/%d", where, i))
			}
		}
		walk(v.AdditionalProperties.Schema, prop, where+"/additionalProperties")
	}
	schemas := make([]string, 0, len(doc.Components.Schemas))
	for n := range doc.Components.Schemas {
		schemas = append(schemas, n)
	}
	sort.Strings(schemas)
	for _, n := range schemas {
		walk(doc.Components.Schemas[n], n, "#/components/schemas/"+n)
	}
}

// enumVarNames returns the names of values, in order, when m names every one of them.
func enumVarNames(values []any, m map[string]string) ([]any, bool) {
	if len(m) == 0 {
		return nil, false
	}
	out := make([]any, len(values))
	for i, val := range values {
		name, ok := m[fmt.Sprint(val)]
		if !ok {
			return nil, false
		}
		out[i] = name
	}
	return out, true
}
