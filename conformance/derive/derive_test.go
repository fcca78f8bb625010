package derive

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/generated/validation"
	"github.com/apiclab/apic/generator/golden/features"
)

func loadFeatures(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile("../../generator/testdata/features/spec.yaml")
	require.NoError(t, err)
	return doc
}

// Every derived case is judged by kin-openapi (when it can judge the rule) and by the generated
// validators of the features spec; both must agree with the expected verdict, and an invalid
// case must be rejected for its rule at its place.
func TestCasesAgreeWithOracleAndValidators(t *testing.T) {
	doc := loadFeatures(t)
	cases, gaps := Derive(doc)
	require.NotEmpty(t, cases)
	advisory := 0
	for _, c := range cases {
		data, err := json.Marshal(c.Body)
		require.NoError(t, err, c.ID)
		if c.Oracle {
			schema := doc.Components.Schemas[c.Schema].Value
			kinErr := schema.VisitJSON(c.Body, openapi3.MultiErrors(), openapi3.VisitAsRequest())
			if (kinErr == nil) != c.Valid {
				t.Errorf("%s: kin-openapi disagrees\n  body: %s\n  expected valid=%v, kin-openapi: %v", c.ID, data, c.Valid, kinErr)
			}
		}
		newType, ok := features.SchemaTypes[c.Schema]
		require.True(t, ok, "no generated type for %s", c.Schema)
		warnings, err := validation.DecodeRequest(data, newType())
		if c.Advisory != "" {
			// The letter rejects it (kin-openapi above); the validators grade the rule: they
			// accept the document and warn, naming the ledger entry.
			if err != nil || !reports(warnings, c.Rule, c.Path) || warnings[0].Ledger != c.Advisory {
				t.Errorf("%s: want accepted with a warning naming %s\n  body: %s\n  got %v, warnings %+v", c.ID, c.Advisory, data, err, warnings)
			}
			advisory++
			continue
		}
		if (err == nil) != c.Valid {
			t.Errorf("%s: validators disagree\n  body: %s\n  expected valid=%v, validators: %v", c.ID, data, c.Valid, err)
			continue
		}
		if c.Valid {
			continue
		}
		violations, ok := validation.AsErrors(err)
		if !ok {
			t.Errorf("%s: validators returned %T %v, not validation.Errors\n  body: %s", c.ID, err, err, data)
			continue
		}
		if !reports(violations, c.Rule, c.Path) {
			t.Errorf("%s: validators reject it, but not for %s at %q\n  body: %s\n  violations: %+v", c.ID, c.Rule, c.Path, data, violations)
		}
	}
	counts := map[string][2]int{}
	for _, c := range cases {
		n := counts[c.Rule]
		if c.Valid {
			n[0]++
		} else {
			n[1]++
		}
		counts[c.Rule] = n
	}
	for _, r := range sortedKeys(counts) {
		t.Logf("%-20s valid %3d invalid %3d", r, counts[r][0], counts[r][1])
	}
	t.Logf("%d cases (%d of advisory rules), %d gaps", len(cases), advisory, len(gaps))
	assert.Positive(t, advisory, "the features spec has advisory rules")
	for _, g := range gaps {
		t.Logf("gap: %+v", g)
	}
}

func reports(vs validation.Errors, rule, path string) bool {
	for _, v := range vs {
		if v.Rule == rule && (path == "" || v.Path == path || strings.HasPrefix(v.Path, path+".") || strings.HasPrefix(v.Path, path+"[")) {
			return true
		}
	}
	return false
}

// Every rule the features spec uses gets cases, with no gap. A 0-character params name breaks
// its pattern as well as minLength: that case is kept (kin-openapi names both).
func TestCoverage(t *testing.T) {
	cases, gaps := Derive(loadFeatures(t))
	rules := map[string]bool{}
	for _, c := range cases {
		rules[c.Rule] = true
	}
	for _, r := range []string{"required", "type", "nullable", "minLength", "maxLength", "minimum", "maximum",
		"enum", "pattern", "maxItems", "oneOf", "x-required-if", "x-forbidden-values", "x-forbidden-chars",
		"x-integer-string", "x-enum-ci", "x-prefix-tag", "x-path-params",
		"multipleOf", "format", "uniqueItems", "minProperties", "maxProperties", "additionalProperties",
		"readOnly", "writeOnly", "anyOf", "not", "discriminator"} {
		require.True(t, rules[r], "no case for rule %s", r)
	}
	require.Empty(t, gaps)

	byID := map[string]Case{}
	for _, c := range cases {
		byID[c.ID] = c
	}
	for id, valid := range map[string]bool{
		"CreateThing/Minimal/backend.timeout/maximum/over":             false,
		"CreateThing/Minimal/backend.timeout/maximum/at-max":           true,
		"CreateThing/Minimal/name/maxLength/at-max-chinese":            true,
		"CreateThing/Minimal/method/x-enum-ci/lowercase":               true,
		"CreateThing/Minimal/backend.vpc_info/x-required-if/missing":   false,
		"CreateThing/Minimal/backend.url_domain/x-required-if/missing": false,
		"CreateThing/Minimal/backend.vpc_info.port/oneOf/maximum-over": false,
		"CreateThing/Minimal/params[0].location/x-enum-ci/unlisted":    false,
		"CreateThing/Minimal/uri/x-path-params/declared":               true,
		"CreateThing/Minimal/note/nullable/null":                       true,
	} {
		c, ok := byID[id]
		require.True(t, ok, "missing case %s", id)
		require.Equal(t, valid, c.Valid, id)
	}
	require.Equal(t, "backend.timeout", byID["CreateThing/Minimal/backend.timeout/maximum/over"].Path)
	require.False(t, byID["CreateThing/Minimal/backend.vpc_info/x-required-if/missing"].Oracle)
	require.True(t, byID["CreateThing/Minimal/method/x-enum-ci/lowercase"].Oracle)
}

func TestDeterministicAndUnique(t *testing.T) {
	doc := loadFeatures(t)
	a, ga := Derive(doc)
	b, gb := Derive(doc)
	require.Equal(t, ids(a), ids(b))
	require.Equal(t, ga, gb)
	seen := map[string]bool{}
	for _, c := range a {
		require.False(t, seen[c.ID], "duplicate ID %s", c.ID)
		seen[c.ID] = true
		require.Equal(t, strings.Join([]string{c.Operation, c.Example, orRoot(c.Path), c.Rule, c.Variant}, "/"), c.ID)
	}
	// Bodies are deep copies: changing one case leaves the others alone.
	a[0].Body.(map[string]any)["name"] = "changed"
	for _, c := range a[1:] {
		if m, ok := c.Body.(map[string]any); ok {
			require.NotEqual(t, "changed", m["name"])
		}
	}
}

func ids(cs []Case) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func TestCheckX(t *testing.T) {
	doc := loadFeatures(t)
	s := doc.Components.Schemas["CreateThingRequest"].Value
	ok := map[string]any{"name": "thing_1", "kind": 1.0, "method": "get", "backend_type": "HTTP",
		"backend": map[string]any{"timeout": 10.0, "url_domain": "a"}}
	require.Empty(t, CheckX(s, ok))
	bad := map[string]any{"name": "x", "kind": 1.0, "method": "Get", "backend_type": "HTTP", "uri": "/health/{id}",
		"remark": "<b>", "tags": []any{"SN-1", "SN-2"},
		"params":  []any{map[string]any{"name": "id", "location": "query"}},
		"backend": map[string]any{"timeout": 10.0, "vpc_status": 1.0, "retry_count": "11"}}
	require.Equal(t, []string{
		"backend.retry_count: x-integer-string: not an integer in range",
		"backend.vpc_info: x-required-if: required when vpc_status",
		"remark: x-forbidden-chars: contains one of \"<>\"",
		"tags: x-prefix-tag: too many items start with SN-",
		"uri: x-path-params: {id} is not declared",
	}, CheckX(s, bad))
	bad["uri"] = "/health"
	require.Contains(t, CheckX(s, bad), "uri: x-forbidden-values: GET /health is reserved")
}

// The rules the features spec does not use (x-forbidden-if, `present` and `not_in`
// conditions on a string enum, minItems, exclusive bounds) get confirmed cases too.
func TestOtherRules(t *testing.T) {
	const spec = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /x:
    post:
      operationId: Op
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Req'}
            examples:
              Ex: {value: {mode: A, list: [x]}}
      responses: {"200": {description: ok}}
components:
  schemas:
    Req:
      type: object
      required: [mode]
      properties:
        mode: {type: string, enum: [A, B, C]}
        a: {type: string}
        b: {type: integer, minimum: 0, exclusiveMinimum: true}
        c: {type: string}
        list: {type: array, minItems: 1, maxItems: 2, items: {type: string}}
      x-forbidden-if:
        - field: a
          when: {property: mode, not_in: [A]}
        - field: c
          when: {property: a, present: true}
      x-required-if:
        - field: b
          when: {property: c, present: true}
`
	doc, err := openapi3.NewLoader().LoadFromData([]byte(spec))
	require.NoError(t, err)
	cases, gaps := Derive(doc)
	require.Empty(t, gaps)
	got := map[string]bool{}
	for _, c := range cases {
		got[c.ID] = c.Valid
	}
	for id, valid := range map[string]bool{
		"Op/Ex/a/x-forbidden-if/present":           false,
		"Op/Ex/a/x-forbidden-if/present-otherwise": true,
		"Op/Ex/c/x-forbidden-if/present":           false,
		"Op/Ex/c/x-forbidden-if/present-otherwise": true,
		"Op/Ex/b/x-required-if/missing":            false,
		"Op/Ex/b/x-required-if/missing-otherwise":  true,
		"Op/Ex/b/minimum/at-min":                   false,
		"Op/Ex/b/minimum/inside":                   true,
		"Op/Ex/list/minItems/at-min":               true,
		"Op/Ex/list/minItems/under":                false,
		"Op/Ex/list/maxItems/over":                 false,
	} {
		v, ok := got[id]
		require.True(t, ok, "missing %s in %s", id, fmt.Sprint(sortedIDs(got)))
		require.Equal(t, valid, v, id)
	}
}

func sortedIDs(m map[string]bool) []string {
	out := sortedKeys(m)
	sort.Strings(out)
	return out
}

// A place for which no valid value exists gives gaps, one per rule, with the reason.
func TestGap(t *testing.T) {
	const spec = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /x:
    post:
      operationId: Op
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Req'}
            examples:
              Ex: {value: {}}
      responses: {"200": {description: ok}}
components:
  schemas:
    Req:
      type: object
      properties:
        z: {type: string, minLength: 5, maxLength: 3}
`
	doc, err := openapi3.NewLoader().LoadFromData([]byte(spec))
	require.NoError(t, err)
	cases, gaps := Derive(doc)
	require.Empty(t, cases)
	var rules []string
	for _, g := range gaps {
		require.Equal(t, "z", g.Path)
		require.Contains(t, g.Reason, "no valid base")
		rules = append(rules, g.Rule)
	}
	require.Equal(t, []string{"type", "nullable", "minLength", "maxLength"}, rules)
}
