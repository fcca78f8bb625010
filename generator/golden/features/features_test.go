package features_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/generated/validation"
	"github.com/apiclab/apic/generator/golden/features"
)

// violations decodes body as a CreateThingRequest and returns "path rule" for each violation.
func violations(t *testing.T, body string) []string {
	t.Helper()
	var req features.CreateThingRequest
	err := req.DecodeJSON([]byte(body))
	if err == nil {
		return nil
	}
	v, ok := validation.AsErrors(err)
	require.True(t, ok, "not validation.Errors: %v", err)
	var out []string
	for _, x := range v {
		out = append(out, x.Path+" "+x.Rule)
	}
	return out
}

const valid = `{"name":"thing_1","kind":1,"method":"get","backend_type":"HTTP","backend":{"timeout":10,"url_domain":"a:80"}}`

func TestValidDocument(t *testing.T) {
	assert.Empty(t, violations(t, valid))
}

func TestEveryViolationIsReportedWithItsPath(t *testing.T) {
	got := violations(t, `{"name":"x<","kind":3,"method":"PUT","backend_type":"HTTP",
		"backend":{"timeout":0,"retry_count":"11","vpc_status":1},
		"params":[{"name":"9a","location":"path"},{"location":"body"}],
		"tags":["SN-a","SN-b"],"remark":"<b>","uri":"/a/{id}","note":null}`)
	assert.ElementsMatch(t, []string{
		"backend.retry_count x-integer-string",
		"backend.timeout minimum",
		"backend.vpc_info x-required-if",
		"kind enum",
		"method x-enum-ci",
		"name minLength",
		"name pattern",
		"params[0].name pattern",
		"params[1].name required",
		"params[1].location x-enum-ci",
		"remark x-forbidden-chars",
		"tags x-prefix-tag",
		"uri x-path-params",
	}, got)
}

func TestStructuralViolationsAreNotRepeated(t *testing.T) {
	got := violations(t, `{"name":5,"kind":"1","backend_type":null,"backend":[]}`)
	assert.ElementsMatch(t, []string{
		"name type", "kind type", "backend_type nullable", "backend type", "method required",
	}, got)
}

func TestMemberNamesAreExact(t *testing.T) {
	// encoding/json would bind "NAME" to Name; the strict decoder ignores it, so the required
	// member is missing.
	got := violations(t, `{"NAME":"thing_1","kind":1,"method":"get","backend_type":"MOCK"}`)
	assert.Equal(t, []string{"name required"}, got)
}

func TestLengthsCountCharacters(t *testing.T) {
	doc := func(name string) string {
		return `{"name":"` + name + `","kind":2,"method":"POST","backend_type":"MOCK"}`
	}
	assert.Empty(t, violations(t, doc("汉字汉字汉字汉字")), "8 characters, 24 bytes")
	assert.Equal(t, []string{"name maxLength"}, violations(t, doc("汉字汉字汉字汉字汉")))
}

func TestForbiddenValuesAndNotIn(t *testing.T) {
	assert.Equal(t, []string{"uri x-forbidden-values"},
		violations(t, `{"name":"abc","kind":1,"method":"Get","uri":"/health","backend_type":"MOCK"}`))
	// url_domain is required unless a VPC channel is used.
	assert.Empty(t, violations(t,
		`{"name":"abc","kind":1,"method":"get","backend_type":"HTTP","backend":{"timeout":1,"vpc_status":1,"vpc_info":{"vpc_id":"v"}}}`))
	assert.Equal(t, []string{"backend.url_domain x-required-if"}, violations(t,
		`{"name":"abc","kind":1,"method":"get","backend_type":"HTTP","backend":{"timeout":1,"vpc_status":2}}`))
}

func TestOneOf(t *testing.T) {
	base := `{"name":"abc","kind":1,"method":"get","backend_type":"HTTP","backend":{"timeout":1,"vpc_status":1,"vpc_info":{"vpc_id":"v","port":%s}}}`
	for port, ok := range map[string]bool{`8080`: true, `"8080"`: true, `70000`: false, `"123456"`: false, `true`: false} {
		got := violations(t, sprintf(base, port))
		if ok {
			assert.Empty(t, got, port)
		} else {
			assert.Equal(t, []string{"backend.vpc_info.port oneOf"}, got, port)
		}
	}
}

func TestValidateOnGoValues(t *testing.T) {
	req := features.CreateThingRequest{Name: "ab", Kind: 1, Method: "GET", BackendType: "HTTP"}
	err := req.Validate()
	v, ok := validation.AsErrors(err)
	require.True(t, ok)
	var got []string
	for _, x := range v {
		got = append(got, x.Path+" "+x.Rule)
	}
	assert.ElementsMatch(t, []string{"backend x-required-if", "name minLength"}, got)
}

func TestRoundTripKeepsEmptyArrays(t *testing.T) {
	var req features.CreateThingRequest
	require.NoError(t, req.DecodeJSON([]byte(`{"name":"abc","kind":1,"method":"get","backend_type":"MOCK","tags":[]}`)))
	out, err := json.Marshal(req)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"tags":[]`)
}

func TestMalformedJSON(t *testing.T) {
	var req features.CreateThingRequest
	err := req.DecodeJSON([]byte(`{"name":`))
	var syn *validation.SyntaxError
	assert.ErrorAs(t, err, &syn)
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// A REQUEST value must name a declared parameter (x-references); a CONSTANT may be anything.
func TestReferences(t *testing.T) {
	base := `{"name":"abc","kind":1,"method":"get","backend_type":"MOCK","params":[{"name":"city","location":"query"}],"refs":[%s]}`
	assert.Empty(t, violations(t, sprintf(base, `{"origin":"request","value":"city"},{"origin":"CONSTANT","value":"x"}`)))
	assert.Equal(t, []string{"refs[1].value x-references"},
		violations(t, sprintf(base, `{"origin":"REQUEST","value":"city"},{"origin":"Request","value":"town"}`)))
}
