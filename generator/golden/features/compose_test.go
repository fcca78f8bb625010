package features_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/generated/validation"
	"github.com/apiclab/apic/generator/golden/features"
)

// shape returns a valid CreateShapeRequest with member name set to the JSON value v ("" drops it).
func shape(t *testing.T, name, v string) string {
	t.Helper()
	doc := map[string]json.RawMessage{"pet": json.RawMessage(`{"kind":"cat"}`), "code": json.RawMessage(`1`)}
	if v == "" {
		delete(doc, name)
	} else {
		doc[name] = json.RawMessage(v)
	}
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	return string(out)
}

// Every combination keyword, judged by the generated code and by kin-openapi: both give the
// expected verdict, and a rejection names the expected rule at the expected path.
func TestCombinationsAgreeWithKinOpenAPI(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromFile("../../testdata/features/spec.yaml")
	require.NoError(t, err)
	schema := doc.Components.Schemas["CreateShapeRequest"].Value
	for _, tc := range []struct {
		member, value string
		want          string // "" for valid, else "path rule"
	}{
		// oneOf with overlapping branches (bug 3): exactly one must match.
		{"code", `1`, ""},
		{"code", `1.5`, "code oneOf"},
		{"code", `2`, "code oneOf"}, // an integer of at least 2 matches both
		{"code", `2.5`, ""},         // only the minimum
		{"code", `"x"`, ""},         // a string passes {minimum: 2} alone
		// a type beside oneOf (bug 2).
		{"label", `"a"`, ""},
		{"label", `"abcde"`, ""},
		{"label", `"foo"`, "label oneOf"},
		{"label", `5`, "label type"},
		// anyOf.
		{"size", `10`, ""},
		{"size", `"abc"`, ""},
		{"size", `11`, "size anyOf"},
		{"size", `"abcd"`, "size anyOf"},
		{"size", `true`, "size anyOf"},
		{"size", `null`, "size anyOf"},
		// not beside a type.
		{"handle", `"bob"`, ""},
		{"handle", `"root"`, "handle not"},
		{"handle", `"abcdefghijk"`, "handle maxLength"},
		// discriminator with a mapping; an unknown kind is refused by name.
		{"pet", `{"kind":"dog","bark":true}`, ""},
		{"pet", `{"kind":"cat","lives":10}`, "pet.lives maximum"},
		{"pet", `{"kind":"cow"}`, "pet.kind discriminator"},
		{"pet", `{"lives":3}`, "pet.kind required"},
		{"pet", `{"kind":5}`, "pet.kind discriminator"},
		{"pet", `[]`, "pet oneOf"},
		{"pet", `null`, "pet oneOf"}, // a null oneOf value is reported as the oneOf, as elsewhere
		// discriminator without a mapping: the value names the component.
		{"mount", `{"type":"Camel","humps":2}`, ""},
		{"mount", `{"type":"Camel","humps":3}`, "mount.humps maximum"},
		{"mount", `{"type":"Horse","speed":81}`, "mount.speed maximum"},
		{"mount", `{"type":"Mule"}`, "mount.type discriminator"},
		// allOf merged into one struct: every branch's constraints hold.
		{"owner", `{"id":"abc","age":1}`, ""},
		{"owner", `{"id":"abcdef","age":1}`, "owner.id maxLength"},
		{"owner", `{"id":"a","age":1}`, "owner.id minLength"},
		{"owner", `{"id":"abc","age":-1}`, "owner.age minimum"},
		{"owner", `{"id":"abc"}`, "owner.age required"},
		{"ref", `{"id":"abcdef"}`, "ref.id maxLength"},
		// nullable union.
		{"note", `null`, ""},
		{"note", `"x"`, ""},
		{"note", `true`, "note oneOf"},
		// arrays of unions.
		{"pets", `[{"kind":"dog"},{"kind":"cat","lives":0}]`, "pets[1].lives minimum"},
		{"pets", `[{"kind":"cow"}]`, "pets[0].kind discriminator"},
		{"mixed", `[1,"a",true]`, "mixed[2] oneOf"},
		{"mixed", `[1.5]`, "mixed[0] oneOf"},
		// recursion through $ref.
		{"tree", `{"name":"a","children":[{"name":"b","children":[{"name":"toolongname"}]}]}`, "tree.children[0].children[0].name maxLength"},
		{"tree", `{"name":"a","children":[{"children":[]}]}`, "tree.children[0].name required"},
		// a checked format inside a combination.
		{"when", `"2024-02-29"`, ""},
		{"when", `7`, ""},
		{"when", `"2023-02-29"`, "when oneOf"},
		{"when", `"29.02.2024"`, "when oneOf"},
		// a constraint on a value without a type.
		{"ceiling", `3`, ""},
		{"ceiling", `3.5`, "ceiling maximum"},
		{"ceiling", `"x"`, ""},
		{"ceiling", `null`, "ceiling nullable"},
	} {
		body := shape(t, tc.member, tc.value)
		var v any
		require.NoError(t, json.Unmarshal([]byte(body), &v))
		kinErr := schema.VisitJSON(v, openapi3.MultiErrors())
		assert.Equal(t, tc.want == "", kinErr == nil, "kin-openapi on %s: %v", body, kinErr)

		var req features.CreateShapeRequest
		_, err := validation.Decode([]byte(body), &req)
		if tc.want == "" {
			assert.NoError(t, err, body)
			continue
		}
		vs, ok := validation.AsErrors(err)
		if !assert.True(t, ok, "%s: %v", body, err) {
			continue
		}
		var got []string
		for _, x := range vs {
			got = append(got, x.Path+" "+x.Rule)
		}
		assert.Contains(t, got, tc.want, body)
	}
}

// Every violation of a document is reported, each at its path, across combined schemas.
func TestCombinationsReportEveryViolation(t *testing.T) {
	got := violationsOf(t, &features.CreateShapeRequest{}, `{"pet":{"kind":"cat","lives":0},"code":1.5,
		"owner":{"id":"abcdef","age":-2},"pets":[{"kind":"cow"}],"handle":"root","size":true}`)
	assert.ElementsMatch(t, []string{
		"pet.lives minimum", "code oneOf", "owner.id maxLength", "owner.age minimum",
		"pets[0].kind discriminator", "handle not", "size anyOf",
	}, got)
}

// A component that is itself a oneOf has the methods of every generated type, and its
// discriminator's message names the known kinds.
func TestComponentUnion(t *testing.T) {
	var p features.Pet
	require.NoError(t, p.DecodeJSON([]byte(`{"kind":"dog","bark":false}`)))
	dog, err := p.AsDog()
	require.NoError(t, err)
	assert.Equal(t, features.DogKindDog, dog.Kind)
	err = p.DecodeJSON([]byte(`{"kind":"cow"}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown kind "cow"; must be one of cat, dog`)
	_, ok := features.SchemaTypes["Pet"]
	assert.True(t, ok)

	var built features.Pet
	require.NoError(t, built.FromCat(features.Cat{Lives: ptr(12)}))
	vs, ok := validation.AsErrors(built.Validate())
	require.True(t, ok)
	assert.Equal(t, "lives", vs[0].Path)
}

func ptr[T any](v T) *T { return &v }

func violationsOf(t *testing.T, v validation.Type, body string) []string {
	t.Helper()
	_, err := validation.Decode([]byte(body), v)
	vs, ok := validation.AsErrors(err)
	require.True(t, ok, "%v", err)
	var out []string
	for _, x := range vs {
		out = append(out, x.Path+" "+x.Rule)
	}
	return out
}

var _ = strings.TrimSpace
