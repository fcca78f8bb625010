package xrules_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/generator/runtime/validation"
	"github.com/apiclab/apic/spec/xrules"
)

// The runtime that generated code calls reports each extension rule under a constant; the
// model's list and the runtime's constants must be the same set, name for name.
func TestRuntimeRuleNamesMatchTheModel(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "validation.go", validation.Source, 0)
	require.NoError(t, err)
	runtime := map[string]string{} // value -> constant
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				if v, _ := strconv.Unquote(lit.Value); strings.HasPrefix(v, "x-") {
					runtime[v] = name.Name
				}
			}
		}
	}
	model := map[string]string{}
	for _, e := range xrules.Extensions {
		model[e.Name] = e.Runtime
	}
	assert.Equal(t, model, runtime)
	assert.Len(t, xrules.Names(), len(xrules.Extensions))
}

// load builds the schema Thing of a small spec whose Thing schema is body (YAML, indented by
// six spaces).
func load(t *testing.T, body string) *openapi3.Schema {
	t.Helper()
	src := `openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Item:
      type: object
      properties:
        name: {type: string}
        location: {type: string}
        origin: {type: string}
        value: {type: string}
    Thing:
` + body
	doc, err := openapi3.NewLoader().LoadFromData([]byte(src))
	require.NoError(t, err)
	return doc.Components.Schemas["Thing"].Value
}

const props = `      type: object
      properties:
        kind: {type: string}
        extra: {type: string}
        uri: {type: string}
        tags: {type: array, items: {type: string}}
        params: {type: array, items: {$ref: '#/components/schemas/Item'}}
        backends: {type: array, items: {$ref: '#/components/schemas/Item'}}
`

func TestParseDecodesEveryExtension(t *testing.T) {
	s := load(t, props+`      x-required-if:
      - {field: extra, when: {property: kind, in: [A]}}
      x-forbidden-if:
      - {field: extra, when: {property: kind, present: false}}
      x-forbidden-values:
      - {properties: {kind: [B]}, field: extra, message: no B}
      x-references:
      - {items: backends, when: {property: origin, in: [REQUEST]}, value: value, target: params, name: name}
      x-path-params: {uri: uri, params: params, location: location, value: PATH}
      x-always-returned: [kind, uri]
      x-order: 1
`)
	r, probs := xrules.Parse(s)
	require.Empty(t, probs)
	assert.Equal(t, []xrules.FieldRule{{Field: "extra", When: xrules.Condition{Property: "kind", In: []any{"A"}}}}, r.RequiredIf)
	require.Len(t, r.ForbiddenIf, 1)
	assert.False(t, *r.ForbiddenIf[0].When.Present)
	assert.Equal(t, []xrules.ForbiddenValue{{Properties: map[string][]any{"kind": {"B"}}, Field: "extra", Message: "no B"}}, r.ForbiddenValues)
	require.Len(t, r.References, 1)
	assert.Equal(t, []string{"backends"}, r.References[0].Steps())
	assert.Equal(t, &xrules.Params{URI: "uri", Params: "params", Name: "name", Location: "location", Value: "PATH"}, r.PathParams)
	assert.Equal(t, []string{"kind", "uri"}, r.AlwaysReturned)

	str := load(t, `      type: string
      pattern: '^[aA]$'
      x-enum-ci: [A]
      x-forbidden-chars: '<>'
      x-integer-string: {minimum: -1, maximum: 10}
`)
	r, probs = xrules.Parse(str)
	require.Empty(t, probs)
	assert.Equal(t, []string{"A"}, r.EnumCI)
	assert.Equal(t, []any{"A"}, r.EnumCIValues())
	assert.Equal(t, "<>", r.ForbiddenChars)
	assert.Equal(t, &xrules.Range{Minimum: -1, Maximum: 10}, r.IntegerString)

	arr := load(t, "      type: array\n      items: {type: string}\n      x-prefix-tag: {prefix: APIG-SN-, max: 1}\n")
	r, probs = xrules.Parse(arr)
	require.Empty(t, probs)
	assert.Equal(t, &xrules.Tag{Prefix: "APIG-SN-", Max: 1}, r.PrefixTag)

	assert.Same(t, xrules.Of(arr), xrules.Of(arr), "Of decodes a schema once")
}

// Every kind of mistake is reported under the extension's name, with what is wrong.
func TestCheckReportsProblems(t *testing.T) {
	for name, tc := range map[string]struct{ ext, want string }{
		"unknown extension":     {"x-colour: blue", "x-colour: not a defined extension"},
		"unknown member":        {"x-required-if: [{field: extra, when: {property: kind, in: [A]}, colour: 1}]", `x-required-if: want a list of {field, when}: json: unknown field "colour"`},
		"missing field":         {"x-required-if: [{field: nope, when: {property: kind, in: [A]}}]", `x-required-if: field "nope" is not a property of this schema`},
		"missing when property": {"x-forbidden-if: [{field: extra, when: {property: nope, in: [A]}}]", `x-forbidden-if: when.property "nope" is not a property`},
		"two tests in a when":   {"x-required-if: [{field: extra, when: {property: kind, in: [A], present: true}}]", "when needs exactly one of in, not_in, present"},
		"no message":            {"x-forbidden-values: [{properties: {kind: [B]}}]", "x-forbidden-values: needs properties and a message"},
		"params not an array":   {"x-path-params: {uri: uri, params: kind, location: location, value: PATH}", `params "kind" is not an array`},
		"params item property":  {"x-path-params: {uri: uri, params: params, location: where, value: PATH}", `the items of "params" have no property "where"`},
		"reference target":      {"x-references: [{items: backends, value: value, target: kind, name: name}]", `target "kind" is not an array of objects`},
		"reference step":        {`x-references: [{items: "backends.params[]", value: value, target: params, name: name}]`, "only the last step may omit []"},
		"reference value":       {"x-references: [{items: backends, value: nope, target: params, name: name}]", `the items of "backends" have no property "nope"`},
		"reference when":        {"x-references: [{items: backends, when: {property: nope, in: [A]}, value: value, target: params, name: name}]", `have no property "nope" (when.property)`},
		"chars on an object":    {"x-forbidden-chars: '<>'", "want a non-empty string on a string schema"},
		"enum-ci on an object":  {"x-enum-ci: [A]", "on a string schema with a pattern and no enum"},
		"integer-string shape":  {"x-integer-string: {minimum: 1}", "want {minimum, maximum} on a string schema"},
		"prefix-tag on object":  {"x-prefix-tag: {prefix: a, max: 1}", "want {prefix, max} on an array schema"},
		"always-returned name":  {"x-always-returned: [kind, nope]", `member "nope" is not a property of this schema`},
		"always-returned empty": {"x-always-returned: []", "want a non-empty list of property names on an object schema"},
	} {
		t.Run(name, func(t *testing.T) {
			probs := xrules.Check(load(t, props+"      "+tc.ext+"\n"))
			require.Len(t, probs, 1, "%v", probs)
			assert.Contains(t, probs[0].Error(), tc.want)
			assert.Equal(t, strings.SplitN(tc.ext, ":", 2)[0], probs[0].Extension)
		})
	}
}

func TestForeignExtensionsAreLeftAlone(t *testing.T) {
	for _, name := range []string{"x-order", "x-go-type", "x-oapi-codegen-extra-tags"} {
		assert.True(t, xrules.Foreign(name), name)
	}
	assert.False(t, xrules.Foreign(xrules.RequiredIf))
	_, ok := xrules.Lookup(xrules.References)
	assert.True(t, ok)
}
