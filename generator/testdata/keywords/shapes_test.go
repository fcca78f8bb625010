package shapes_test

// This file is copied into the package generated from shapes.yaml (generator TestShapes).

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/generated/validation"
	"github.com/apiclab/apic/generator/testdata/keywords/out/shapes"
)

func violations(t *testing.T, v validation.Type, body string) []string {
	t.Helper()
	_, err := validation.DecodeRequest([]byte(body), v)
	if err == nil {
		return nil
	}
	errs, ok := validation.AsErrors(err)
	require.True(t, ok, "%v", err)
	var out []string
	for _, x := range errs {
		out = append(out, x.Path+" "+x.Rule)
	}
	return out
}

// Bug 4: {type: object, additionalProperties: {type: boolean}} refuses {"foo": 1}.
func TestAdditionalPropertiesSchema(t *testing.T) {
	var m shapes.MapBool
	assert.Equal(t, []string{"foo type"}, violations(t, &m, `{"foo":1}`))
	m = nil
	assert.Empty(t, violations(t, &m, `{"foo":true,"bar":false}`))
	assert.Equal(t, shapes.MapBool{"foo": true, "bar": false}, m)
	assert.Equal(t, []string{"mapbool.foo type"}, violations(t, &shapes.Holder{}, `{"mapbool":{"foo":1}}`))
	assert.Equal(t, []string{"extra.n minimum"}, violations(t, &shapes.Holder{}, `{"extra":{"a":"x","n":-1}}`))
	assert.Equal(t, []string{"closed.b additionalProperties"}, violations(t, &shapes.Holder{}, `{"closed":{"a":"x","b":1}}`))
	assert.Equal(t, []string{"objmap.k maxLength"}, violations(t, &shapes.Holder{}, `{"objmap":{"k":"abc"}}`))
}

// Undeclared members are kept, and sent back.
func TestUndeclaredMembersRoundTrip(t *testing.T) {
	var h shapes.Holder
	require.Empty(t, violations(t, &h, `{"extra":{"a":"x","n":2},"anymembers":{"k":[1,"b"]},"open":{"x":{"y":null}}}`))
	out, err := json.Marshal(h)
	require.NoError(t, err)
	assert.JSONEq(t, `{"extra":{"a":"x","n":2},"anymembers":{"k":[1,"b"]},"open":{"x":{"y":null}}}`, string(out))
}

// Bug 12: a nullable object type decodes null.
func TestNullableObject(t *testing.T) {
	var n shapes.NullableThing
	assert.NoError(t, n.DecodeJSON([]byte(`null`)))
	var h shapes.Holder
	assert.Empty(t, violations(t, &h, `{"nthing":null}`))
}

// Bug 13: items: {}, nullable items and objects without properties decode, keep what they got,
// and nullable items are checked when set.
func TestShapesDecode(t *testing.T) {
	var h shapes.Holder
	body := `{"anyitems":[1,"a",null,{}],"nstrs":["a",null],"obj":{"k":[1]}}`
	require.Empty(t, violations(t, &h, body))
	out, err := json.Marshal(h)
	require.NoError(t, err)
	assert.JSONEq(t, body, string(out))
	assert.Equal(t, []string{"nstrs[1] maxLength"}, violations(t, &shapes.Holder{}, `{"nstrs":[null,"abcd"]}`))
}

// Inline objects are checked at their paths.
func TestInlineObjects(t *testing.T) {
	var h shapes.Holder
	assert.Equal(t, []string{"inner.deep.y maxLength", "inner.x required", "list[0].z type"},
		violations(t, &h, `{"inner":{"deep":{"y":"abc"}},"list":[{"z":1}]}`))
}

// ro is required and readOnly: a request need not send it and must not; a response must.
func TestRequiredReadOnly(t *testing.T) {
	var h shapes.Holder
	assert.Equal(t, []string{"ro readOnly"}, violations(t, &h, `{"ro":"x"}`))
	_, err := validation.DecodeResponse([]byte(`{}`), &h)
	errs, _ := validation.AsErrors(err)
	require.Len(t, errs, 1)
	assert.Equal(t, "ro", errs[0].Path)
	assert.Equal(t, "required", errs[0].Rule)
}
