package derive

import (
	"encoding/json"
	"regexp"
	"sort"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/generated/validation"
	"github.com/apiclab/apic/generator/golden/features"
)

// keywordOf names the keyword of the vocabulary beyond the base set that case c exercises, or
// "" for the base rules. It reads the schema at the case's place.
func keywordOf(root *openapi3.SchemaRef, c Case) string {
	switch c.Rule {
	case "multipleOf", "format", "uniqueItems", "minProperties", "maxProperties", "additionalProperties", "readOnly", "writeOnly":
		return c.Rule
	}
	at, parent := schemaAt(root, c.Path)
	switch {
	case at == nil:
		return ""
	case c.Rule == "minimum" && at.Value.ExclusiveMin.IsTrue():
		return "exclusiveMinimum"
	case c.Rule == "maximum" && at.Value.ExclusiveMax.IsTrue():
		return "exclusiveMaximum"
	case c.Rule == "enum" && !at.Value.Type.Is("string"):
		return "enum of " + at.Value.Type.Slice()[0] + "s"
	case c.Rule == "nullable" && len(at.Value.Enum) > 0 && at.Value.Nullable:
		return "nullable enum"
	case parent != nil && parent.Value.AdditionalProperties.Schema != nil && parent.Value.Properties[lastKey(c.Path)] == nil:
		return "additionalProperties (member schema)"
	case parent != nil && parent.Ref == "" && parent.Value.Type.Is("object") && len(parent.Value.Properties) > 0 && parent != root:
		return "inline object (its members)"
	case parent != nil && parent.Value.Type.Is("array") && at.Value.Nullable:
		return "nullable items"
	}
	return ""
}

var pathStep = regexp.MustCompile(`[^.\[\]]+|\[\d+\]`)

// schemaAt returns the schema at a case's path and the one of its parent.
func schemaAt(root *openapi3.SchemaRef, path string) (at, parent *openapi3.SchemaRef) {
	at = root
	for _, st := range pathStep.FindAllString(path, -1) {
		parent = at
		if st[0] == '[' {
			at = at.Value.Items
		} else if p := at.Value.Properties[st]; p != nil {
			at = p
		} else {
			at = at.Value.AdditionalProperties.Schema
		}
		if at == nil || at.Value == nil {
			return nil, nil
		}
	}
	return at, parent
}

func lastKey(path string) string {
	steps := pathStep.FindAllString(path, -1)
	if len(steps) == 0 {
		return ""
	}
	return steps[len(steps)-1]
}

// combinationOf names the combining keyword a case of the combinations spec (CreateShapeRequest)
// exercises: the rule itself (oneOf, anyOf, not, discriminator), a rule inside a member declared
// with allOf, or a constraint on a member without a type; "" for the base rules.
func combinationOf(root *openapi3.SchemaRef, c Case) string {
	switch c.Rule {
	case "oneOf", "anyOf", "not", "discriminator":
		return c.Rule
	}
	steps := pathStep.FindAllString(c.Path, -1)
	if len(steps) == 0 {
		return ""
	}
	member := root.Value.Properties[steps[0]]
	switch {
	case member == nil || member.Value == nil:
		return ""
	case len(member.Value.AllOf) > 0:
		return "allOf (its branches)"
	case member.Value.Type == nil && len(member.Value.OneOf)+len(member.Value.AnyOf) == 0 && member.Value.Not == nil &&
		member.Value.Items == nil && len(member.Value.Properties) == 0 && c.Rule != "required":
		return "untyped value"
	}
	return ""
}

// The cases per keyword of the vocabulary beyond the base set, on the features spec (run with
// -v to see the table). Each keyword has cases on the side a request can take: readOnly members
// only fail, writeOnly ones only pass.
func TestKeywordCaseCounts(t *testing.T) {
	doc := loadFeatures(t)
	cases, gaps := Derive(doc)
	require.Empty(t, gaps)
	root := doc.Components.Schemas["CreateThingRequest"]
	shapes := doc.Components.Schemas["CreateShapeRequest"]
	counts := map[string][2]int{}
	for _, c := range cases {
		var k string
		switch c.Schema {
		case "CreateThingRequest":
			k = keywordOf(root, c)
		case "CreateShapeRequest":
			k = combinationOf(shapes, c)
		}
		if k == "" {
			continue
		}
		n := counts[k]
		if c.Valid {
			n[0]++
		} else {
			n[1]++
		}
		counts[k] = n
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%-38s valid %2d invalid %2d", k, counts[k][0], counts[k][1])
	}
	for _, k := range []string{"exclusiveMinimum", "exclusiveMaximum", "multipleOf", "enum of numbers", "enum of integers",
		"enum of booleans", "nullable enum", "format", "uniqueItems", "minProperties", "maxProperties", "additionalProperties",
		"additionalProperties (member schema)", "inline object (its members)", "nullable items", "readOnly", "writeOnly",
		"oneOf", "anyOf", "not", "discriminator", "allOf (its branches)", "untyped value"} {
		n := counts[k]
		assert.Positive(t, n[0]+n[1], "no case for %s", k)
		switch k {
		case "readOnly", "untyped value":
			assert.Positive(t, n[1], k)
		case "writeOnly", "nullable enum", "additionalProperties":
			assert.Positive(t, n[0], k)
		default:
			assert.True(t, n[0] > 0 && n[1] > 0, "%s: valid %d invalid %d", k, n[0], n[1])
		}
	}
}

// The keywords judged on response bodies: kin-openapi (as a response) and the generated
// decoder agree that writeOnly members are refused and readOnly ones required there.
func TestResponseDirection(t *testing.T) {
	doc := loadFeatures(t)
	s := doc.Components.Schemas["Gadget"].Value
	for body, valid := range map[string]bool{
		`{"id":"g1"}`:              true,
		`{"id":"g1","secret":"s"}`: false,
		`{"count":5}`:              true,
		`{"secret":"s","count":5}`: false,
	} {
		var v any
		require.NoError(t, json.Unmarshal([]byte(body), &v))
		kin := s.VisitJSON(v, openapi3.MultiErrors(), openapi3.VisitAsResponse())
		assert.Equal(t, valid, kin == nil, "kin-openapi: %s: %v", body, kin)
		_, err := decodeGadget(body, false)
		assert.Equal(t, valid, err == nil, "validators: %s: %v", body, err)
	}
	_, err := decodeGadget(`{"id":"g1"}`, true)
	assert.Error(t, err, "a request must not send a readOnly member")
}

func decodeGadget(body string, request bool) (any, error) {
	var g features.Gadget
	if request {
		_, err := validation.DecodeRequest([]byte(body), &g)
		return g, err
	}
	_, err := validation.DecodeResponse([]byte(body), &g)
	return g, err
}
