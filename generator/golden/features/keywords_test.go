package features_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/generated/validation"
	"github.com/apiclab/apic/generator/golden/features"
)

// gadget decodes body as a Gadget request body and returns "path rule" for each violation.
func gadget(t *testing.T, body string, decode func([]byte, *features.Gadget) (validation.Errors, error)) []string {
	t.Helper()
	var g features.Gadget
	_, err := decode([]byte(body), &g)
	return pathRules(t, err)
}

func request(data []byte, g *features.Gadget) (validation.Errors, error) {
	return validation.DecodeRequest(data, g)
}

func response(data []byte, g *features.Gadget) (validation.Errors, error) {
	return validation.DecodeResponse(data, g)
}

func anyWay(data []byte, g *features.Gadget) (validation.Errors, error) {
	return validation.Decode(data, g)
}

func TestScalarKeywords(t *testing.T) {
	for body, want := range map[string][]string{
		`{"weight":0.5}`:                nil,
		`{"weight":9.5}`:                nil,
		`{"weight":0}`:                  {"weight minimum"},
		`{"weight":10}`:                 {"weight maximum"},
		`{"weight":1.25}`:               {"weight multipleOf"},
		`{"count":5}`:                   nil,
		`{"count":95}`:                  nil,
		`{"count":0}`:                   {"count minimum"},
		`{"count":100}`:                 {"count maximum"},
		`{"count":7}`:                   {"count multipleOf"},
		`{"price":0.07}`:                nil, // 0.07/0.01 is 7.000000000000001 in binary floating point
		`{"price":19.99}`:               nil,
		`{"price":0.075}`:               {"price multipleOf"},
		`{"factor":1.5}`:                nil,
		`{"factor":1}`:                  {"factor enum"},
		`{"enabled":true}`:              nil,
		`{"enabled":false}`:             {"enabled enum"},
		`{"day":"2024-02-29"}`:          nil,
		`{"day":"2023-02-29"}`:          {"day format"},
		`{"day":"2024-2-29"}`:           {"day format"},
		`{"at":"2024-02-29T23:59:60Z"}`: nil, // RFC 3339 admits a leap second
		`{"at":"2024-02-29 10:00:00Z"}`: {"at format"},
		`{"blob":"U3dhZ2dlcg=="}`:       nil,
		`{"blob":"not base64!"}`:        {"blob format"},
		`{"contact":"not an address"}`:  nil, // email is an annotation
	} {
		assert.Equal(t, want, gadget(t, body, request), body)
	}
}

// Bug 8: nullable: true admits null beside an enum that does not list it (spec/README.md).
func TestNullableEnumAcceptsNull(t *testing.T) {
	assert.Empty(t, gadget(t, `{"grade":null}`, request))
	assert.Equal(t, []string{"grade enum"}, gadget(t, `{"grade":"C"}`, request))
}

func TestArrayAndObjectKeywords(t *testing.T) {
	for body, want := range map[string][]string{
		`{"colors":["red","blue"]}`:             nil,
		`{"colors":["red","blue","red"]}`:       {"colors uniqueItems"},
		`{}`:                                    {" minProperties"},
		`{"zz":1}`:                              {"zz additionalProperties"},
		`{"labels":{"a":"x","b":"yy"}}`:         nil,
		`{"labels":{"a":"x","b":"yy","c":"z"}}`: {"labels maxProperties"},
		`{"labels":{"a":"toolong"}}`:            {"labels.a maxLength"},
		`{"labels":{"a":1}}`:                    {"labels.a type"},
		`{"labels":[]}`:                         {"labels type"},
		`{"dims":{"w":1,"h":2}}`:                nil,
		`{"dims":{"h":2}}`:                      {"dims.w required"},
		`{"dims":{"w":0}}`:                      {"dims.w minimum"},
		`{"notes":["a",null,"abc"]}`:            nil,
		`{"notes":["abcd",null]}`:               {"notes[0] maxLength"},
		`{"notes":[1]}`:                         {"notes[0] type"},
	} {
		assert.Equal(t, want, gadget(t, body, request), body)
	}
}

// Bug 4: a member that no property declares is checked against additionalProperties, at its
// own path.
func TestAdditionalPropertiesSchema(t *testing.T) {
	var g features.Gadget
	require.NoError(t, g.DecodeJSON([]byte(`{"labels":{"k":"v"}}`)))
	assert.Equal(t, map[string]string{"k": "v"}, *g.Labels)
	bad := "toolong"
	g.Labels = &map[string]string{"k": bad}
	v, ok := validation.AsErrors(g.Validate())
	require.True(t, ok)
	assert.Equal(t, "labels.k", v[0].Path)
}

// readOnly members are refused in requests, writeOnly ones in responses; without a direction
// both are accepted.
func TestReadOnlyWriteOnly(t *testing.T) {
	body := `{"id":"g1","secret":"s"}`
	assert.Equal(t, []string{"id readOnly"}, gadget(t, body, request))
	assert.Equal(t, []string{"secret writeOnly"}, gadget(t, body, response))
	assert.Empty(t, gadget(t, body, anyWay))
}

// Bug 12: a nullable object type decodes null.
func TestNullableObjectDecodesNull(t *testing.T) {
	var g features.Gadget
	assert.NoError(t, g.DecodeJSON([]byte(`null`)))
	var r features.CreateThingRequest
	assert.Error(t, r.DecodeJSON([]byte(`null`)), "a non-nullable object refuses null")
}

// Bug 10: an integer written with a fraction or an exponent is refused, even when its value is
// integral (the decision is documented in spec/README.md, "Integers").
func TestIntegralFloatIsNotAnInteger(t *testing.T) {
	for _, n := range []string{`5.0`, `5e0`, `0.5e1`} {
		assert.Equal(t, []string{"count type"}, gadget(t, `{"count":`+n+`}`, request), n)
	}
}

// Bug 9: a pattern's \S is ECMA-262's: U+00A0 and U+FEFF are white space (Go's regexp alone
// would take them for \S).
func TestPatternWhiteSpaceIsECMA(t *testing.T) {
	for body, want := range map[string][]string{
		`{"motto":"a b"}`:      nil,
		`{"motto":" a"}`:       {"motto pattern"},
		`{"motto":"\u00a0a"}`:  {"motto pattern"},
		`{"motto":"a\ufeff"}`:  {"motto pattern"},
		`{"motto":"a\u2003b"}`: nil,
		`{"motto":"a\u0085"}`:  nil,
	} {
		assert.Equal(t, want, gadget(t, body, request), body)
	}
}
