package lint

import (
	"encoding/json"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// xShapes are the defined x- extensions (spec/README.md) and the JSON shape of each.
type xCond struct {
	Property string `json:"property"`
	In       []any  `json:"in"`
	NotIn    []any  `json:"not_in"`
	Present  *bool  `json:"present"`
}

type xFieldRule struct {
	Field string `json:"field"`
	When  xCond  `json:"when"`
}

type xForbiddenValues struct {
	Properties map[string][]any `json:"properties"`
	Field      string           `json:"field"`
	Message    string           `json:"message"`
}

type xPathParams struct {
	URI      string `json:"uri"`
	Params   string `json:"params"`
	Name     string `json:"name"`
	Location string `json:"location"`
	Value    string `json:"value"`
}

type xReference struct {
	Items  string `json:"items"`
	When   *xCond `json:"when"`
	Value  string `json:"value"`
	Target string `json:"target"`
	Name   string `json:"name"`
}

// itemsOf returns the item schema of the array property name of s, or nil.
func itemsOf(s *openapi3.Schema, name string) *openapi3.Schema {
	if p := s.Properties[name]; p != nil && p.Value != nil && p.Value.Items != nil {
		return p.Value.Items.Value
	}
	return nil
}

// strict decodes an extension value, refusing unknown members.
func strict(v, out any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	return dec.Decode(out)
}

func checkXExtension(s *Spec, r *Reporter) {
	schemas(s.Doc, func(site schemaSite) {
		v := site.Schema.Value
		if site.Schema.Ref != "" || v == nil {
			return
		}
		for _, name := range sortedKeys(v.Extensions) {
			at := Ptr(site.Ptr, name)
			bad := func(format string, args ...any) { r.At(at, name+": "+format, args...) }
			has := func(field, role string) {
				if v.Properties[field] == nil {
					bad("%s %q is not a property of this schema", role, field)
				}
			}
			val := v.Extensions[name]
			switch name {
			case "x-required-if", "x-forbidden-if":
				var rs []xFieldRule
				if err := strict(val, &rs); err != nil {
					bad("want a list of {field, when}: %v", err)
					return
				}
				for _, fr := range rs {
					has(fr.Field, "field")
					has(fr.When.Property, "when.property")
					if n := countSet(fr.When.In != nil, fr.When.NotIn != nil, fr.When.Present != nil); n != 1 {
						bad("when needs exactly one of in, not_in, present")
					}
				}
			case "x-forbidden-values":
				var fvs []xForbiddenValues
				if err := strict(val, &fvs); err != nil {
					bad("want a list of {properties, field, message}: %v", err)
					return
				}
				for _, fv := range fvs {
					for _, p := range sortedKeys(fv.Properties) {
						has(p, "properties")
					}
					if fv.Field != "" {
						has(fv.Field, "field")
					}
					if len(fv.Properties) == 0 || fv.Message == "" {
						bad("needs properties and a message")
					}
				}
			case "x-path-params":
				pp := xPathParams{Name: "name"}
				if err := strict(val, &pp); err != nil {
					bad("want {uri, params, name, location, value}: %v", err)
					return
				}
				has(pp.URI, "uri")
				has(pp.Params, "params")
				if p := v.Properties[pp.Params]; p != nil && p.Value != nil {
					if p.Value.Items == nil || p.Value.Items.Value == nil {
						bad("params %q is not an array", pp.Params)
						return
					}
					item := p.Value.Items.Value
					for _, f := range []string{pp.Name, pp.Location} {
						if item.Properties[f] == nil {
							bad("the items of %q have no property %q", pp.Params, f)
						}
					}
				}
			case "x-references":
				var refs []xReference
				if err := strict(val, &refs); err != nil {
					bad("want a list of {items, when, value, target, name}: %v", err)
					return
				}
				for _, ref := range refs {
					if t := itemsOf(v, ref.Target); t == nil || t.Properties[ref.Name] == nil {
						bad("target %q is not an array of objects with a property %q", ref.Target, ref.Name)
					}
					cur := v
					for _, step := range strings.Split(ref.Items, ".") {
						if cur = itemsOf(cur, strings.TrimSuffix(step, "[]")); cur == nil {
							bad("items %q: %q is not an array of objects", ref.Items, step)
							break
						}
					}
					if cur == nil {
						continue
					}
					if cur.Properties[ref.Value] == nil {
						bad("the items of %q have no property %q", ref.Items, ref.Value)
					}
					if ref.When != nil && cur.Properties[ref.When.Property] == nil {
						bad("the items of %q have no property %q (when.property)", ref.Items, ref.When.Property)
					}
				}
			case "x-forbidden-chars":
				if str, ok := val.(string); !ok || str == "" || !isType(v, "string") {
					bad("want a non-empty string on a string schema")
				}
			case "x-integer-string":
				var rg struct{ Minimum, Maximum *int64 }
				if err := strict(val, &rg); err != nil || rg.Minimum == nil || rg.Maximum == nil || !isType(v, "string") {
					bad("want {minimum, maximum} on a string schema")
				}
			case "x-enum-ci":
				var vs []string
				if err := strict(val, &vs); err != nil || len(vs) == 0 || !isType(v, "string") || len(v.Enum) > 0 || v.Pattern == "" {
					bad("want a list of strings on a string schema with a pattern and no enum")
				}
			case "x-prefix-tag":
				var pt struct {
					Prefix *string `json:"prefix"`
					Max    *int    `json:"max"`
				}
				if err := strict(val, &pt); err != nil || pt.Prefix == nil || pt.Max == nil || !isType(v, "array") {
					bad("want {prefix, max} on an array schema")
				}
			default:
				if name != "x-order" && !strings.HasPrefix(name, "x-go-") && !strings.HasPrefix(name, "x-oapi-codegen-") {
					bad("not a defined extension (spec/README.md)")
				}
			}
		}
	})
}

func countSet(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
