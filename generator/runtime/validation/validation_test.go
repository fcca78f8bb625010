package validation

import (
	"testing"

	"github.com/go-faster/jx"

	"github.com/stretchr/testify/assert"
)

func TestPathString(t *testing.T) {
	var root *Path
	a := root.Key("req_params")
	b := a.Index(2)
	c := b.Key("name")
	assert.Equal(t, "", root.String())
	assert.Equal(t, "req_params", a.String())
	assert.Equal(t, "req_params[2].name", c.String())
}

func TestSettleDropsRepeatsBelowStructuralViolations(t *testing.T) {
	e := Errors{
		{Path: "name", Rule: RuleMinLength, Message: "too short"},
		{Path: "name", Rule: RuleRequired, Message: "is required"},
		{Path: "backend", Rule: RuleType, Message: "must be an object"},
		{Path: "backend.timeout", Rule: RuleMinimum, Message: "too small"},
		{Path: "backend_type", Rule: RuleEnum, Message: "not listed"},
		{Path: "name", Rule: RuleRequired, Message: "is required"},
	}
	got := e.Settle()
	assert.Equal(t, Errors{
		{Path: "backend", Rule: RuleType, Message: "must be an object"},
		{Path: "backend_type", Rule: RuleEnum, Message: "not listed"},
		{Path: "name", Rule: RuleRequired, Message: "is required"},
	}, got)
}

func TestLengthCountsCharacters(t *testing.T) {
	var e Errors
	String(&e, nil, "汉字汉", 3, 3)
	assert.Empty(t, e)
	String(&e, nil, "汉字", 3, -1)
	assert.Len(t, e, 1)
	assert.Equal(t, RuleMinLength, e[0].Rule)
}

func TestIntegerString(t *testing.T) {
	for s, ok := range map[string]bool{"-1": true, "10": true, "0": true, "11": false, "-2": false, "abc": false, "": false, "1.5": false} {
		var e Errors
		IntegerString(&e, nil, s, -1, 10)
		assert.Equal(t, ok, len(e) == 0, s)
	}
}

func TestPathParams(t *testing.T) {
	assert.Equal(t, []string{"a", "b"}, PathParams("/x/{a}/y/{b+}"))
	assert.Empty(t, PathParams("/x/y"))
	var e Errors
	UndeclaredPathParams(&e, nil, "/x/{a}/{b}", []string{"a"})
	assert.Len(t, e, 1)
	assert.Contains(t, e[0].Message, "{b}")
}

func TestPrefixTagAndMatch(t *testing.T) {
	var e Errors
	PrefixTag(&e, nil, []string{"APIG-SN-a", "b"}, "APIG-SN-", 1)
	assert.Empty(t, e)
	PrefixTag(&e, nil, []string{"APIG-SN-a", "APIG-SN-b"}, "APIG-SN-", 1)
	assert.Len(t, e, 1)
	assert.True(t, Match("get", true, "GET"))
	assert.False(t, Match("get", false, "GET"))
}

// A member of the wrong type is not also reported missing, nor are the members of an item that
// is not an object.
func TestSettleDropsRequiredBelowMistypedMembers(t *testing.T) {
	e := Errors{
		{Path: "conditions", Rule: RuleType, Message: "must be an array"},
		{Path: "conditions", Rule: RuleRequired, Message: "is required"},
		{Path: "policy_https[0]", Rule: RuleType, Message: "must be an object"},
		{Path: "policy_https[0].conditions", Rule: RuleRequired, Message: "is required"},
		{Path: "name", Rule: RuleRequired, Message: "is required"},
	}
	assert.Equal(t, Errors{
		{Path: "conditions", Rule: RuleType, Message: "must be an array"},
		{Path: "name", Rule: RuleRequired, Message: "is required"},
		{Path: "policy_https[0]", Rule: RuleType, Message: "must be an object"},
	}, e.Settle())
}

type probe struct{ n int64 }

func (p *probe) DecodeJX(d *jx.Decoder, path *Path, e *Errors) error {
	v, ok, err := DecodeInt(d, e, path)
	if ok {
		p.n = v
	}
	return err
}
func (p *probe) ValidateAt(*Path, *Errors) {}

func TestDecodeJSONRejectsTrailingData(t *testing.T) {
	for _, s := range []string{`1}`, `1 x`, `1 [`, `1,`, `1 2`} {
		var syn *SyntaxError
		assert.ErrorAs(t, DecodeJSON([]byte(s), &probe{}), &syn, s)
	}
	assert.NoError(t, DecodeJSON([]byte(" 1 \n"), &probe{}))
}

func TestDecodeIntBounds(t *testing.T) {
	p := &probe{}
	assert.NoError(t, DecodeJSON([]byte(`9223372036854775807`), p))
	assert.Equal(t, int64(9223372036854775807), p.n)
	assert.NoError(t, DecodeJSON([]byte(`-12`), p))
	assert.Equal(t, int64(-12), p.n)
	for _, s := range []string{`9223372036854775808`, `-9223372036854775809`, `1.5`, `1e300`, `1e3`, `1.0`, `1.0000000000000000001`, `1E0`, `-0.0`} {
		err := DecodeJSON([]byte(s), &probe{})
		v, ok := AsErrors(err)
		if assert.True(t, ok, s) {
			assert.Equal(t, RuleType, v[0].Rule, s)
		}
	}
}

func TestDecodeJSONRefusesWhatWouldBeRewritten(t *testing.T) {
	type str struct{ probeString }
	for _, s := range []string{"\"a\xffb\"", "\"\xc3\"", `"\ud800"`, `"\udc00\ud800"`, `"\ud800x"`, `"\ud800\u0041"`, `"\ud83d"`} {
		var syn *SyntaxError
		assert.ErrorAs(t, DecodeJSON([]byte(s), &str{}), &syn, "%q", s)
	}
	for _, s := range []string{`"\ud83d\ude00"`, `"\\ud800"`, `"é"`, `"\u00e9"`} {
		assert.NoError(t, DecodeJSON([]byte(s), &str{}), "%q", s)
	}
}

func TestHasNUL(t *testing.T) {
	assert.True(t, HasNUL([]byte(`{"a":"x\u0000"}`)))
	assert.True(t, HasNUL([]byte(`{"a":"\\\u0000"}`)))
	assert.False(t, HasNUL([]byte(`{"a":"\\u0000"}`)), "an escaped backslash followed by u0000")
	assert.False(t, HasNUL([]byte(`{"a":"x"}`)))
}

type probeString struct{ s string }

func (p *probeString) DecodeJX(d *jx.Decoder, path *Path, e *Errors) error {
	v, ok, err := DecodeString(d, e, path)
	if ok {
		p.s = v
	}
	return err
}
func (p *probeString) ValidateAt(*Path, *Errors) {}
