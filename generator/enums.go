package generator

import (
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// EnumNames gives enum values Go names, per property name: {type: {"1": Public, "2": Private}}.
// oapi-codegen would otherwise name a constant after its value, which says nothing for the
// integer codes the pages use (TypeN1). The names transcribe the meanings the property's
// description gives. A map applies to an enum of that property whose every value it names;
// an integer enum that no map names is refused.
type EnumNames map[string]map[string]string

// nameEnums sets oapi-codegen's x-enum-varnames on every enum schema of doc that names
// covers. It changes only the in-memory document handed to oapi-codegen: the spec itself
// keeps to the extensions spec/README.md lists.
func nameEnums(doc *openapi3.T, names EnumNames) error {
	var problems []string
	eachSchema(doc, func(v *openapi3.Schema, prop, where string) {
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
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

// unnameEnums removes what nameEnums added, for the generator's own readers of the document
// (the validators accept only the extensions spec/README.md lists).
func unnameEnums(doc *openapi3.T) {
	eachSchema(doc, func(v *openapi3.Schema, _, _ string) { delete(v.Extensions, "x-enum-varnames") })
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
