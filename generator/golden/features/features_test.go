package features_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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
	return pathRules(t, req.DecodeJSON([]byte(body)))
}

// pathRules returns "path rule" for each violation err carries.
func pathRules(t *testing.T, err error) []string {
	t.Helper()
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

// check decodes body and returns "path rule ledger" for each advisory violation, and the
// enforced ones as "path rule".
func check(t *testing.T, body string) (warnings, errs []string) {
	t.Helper()
	var req features.CreateThingRequest
	w, err := validation.Decode([]byte(body), &req)
	for _, x := range w {
		warnings = append(warnings, x.Path+" "+x.Rule+" "+x.Ledger)
	}
	if v, ok := validation.AsErrors(err); ok {
		for _, x := range v {
			errs = append(errs, x.Path+" "+x.Rule)
		}
	} else {
		require.NoError(t, err)
	}
	return warnings, errs
}

// An advisory rule never fails a document; its violations come back as warnings that name the
// ledger entry, beside the enforced rules' errors.
func TestAdvisoryRulesWarn(t *testing.T) {
	w, errs := check(t, `{"name":"thing_1","kind":1,"method":"get","backend_type":"HTTP",
		"backend":{"timeout":10,"url_domain":"a:80","retries":9},"label":"toolong"}`)
	assert.Empty(t, errs)
	assert.Equal(t, []string{
		"backend.retries maximum T-002",
		"caption x-required-if T-003",
		"label maxLength T-001",
	}, w)

	var req features.CreateThingRequest
	assert.NoError(t, req.DecodeJSON([]byte(`{"name":"thing_1","kind":1,"method":"get","backend_type":"MOCK","label":"toolong","caption":"c"}`)),
		"DecodeJSON fails on enforced rules only")

	// An empty label is not filled: the caption is not wanted.
	w, errs = check(t, `{"name":"thing_1","kind":1,"method":"get","backend_type":"MOCK","label":""}`)
	assert.Empty(t, w)
	assert.Empty(t, errs)

	// Enforced and advisory violations of one document are told apart.
	w, errs = check(t, `{"name":"x","kind":1,"method":"get","backend_type":"MOCK","label":"abcde","caption":"c"}`)
	assert.Equal(t, []string{"name minLength"}, errs)
	assert.Equal(t, []string{"label maxLength T-001"}, w)
}

// The validating client sends a body that breaks only advisory rules and hands the warnings to
// its handler; WithStrictDocs refuses it, as the pages' letter would.
func TestClientWarnsOrRefusesByGrade(t *testing.T) {
	sent := 0
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		sent++
		w.WriteHeader(http.StatusCreated)
	}))
	defer hs.Close()
	label := "toolong"
	body := features.CreateThingRequest{Name: "thing_1", Kind: 1, Method: "GET", BackendType: "MOCK", Label: &label, Caption: &label}

	var got validation.Errors
	c, err := features.NewClientWithResponses(hs.URL, features.WithRequestValidation(
		features.WithWarningHandler(func(_ context.Context, _ *http.Request, w validation.Errors) { got = append(got, w...) })))
	require.NoError(t, err)
	_, err = c.CreateThingWithResponse(context.Background(), "p", body)
	require.NoError(t, err)
	assert.Equal(t, 1, sent, "sent")
	require.Len(t, got, 1)
	assert.Equal(t, "T-001", got[0].Ledger)

	strict, err := features.NewClientWithResponses(hs.URL, features.WithRequestValidation(features.WithStrictDocs()))
	require.NoError(t, err)
	_, err = strict.CreateThingWithResponse(context.Background(), "p", body)
	v, ok := validation.AsErrors(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, "label", v[0].Path)
	assert.Equal(t, 1, sent, "the strict client sent nothing")
}

// Numbers without a format are doubles, and fractional bounds on integers admit exactly the
// integers inside them.
func TestNumberPrecisionAndFractionalBounds(t *testing.T) {
	base := `{"name":"thing_1","kind":1,"method":"get","backend_type":"MOCK",`
	for body, want := range map[string][]string{
		`"ratio":0.1}`:       nil,
		`"ratio":0.1000001}`: {"ratio maximum"},
		`"level":2}`:         nil,
		`"level":9}`:         nil,
		`"level":1}`:         {"level minimum"},
		`"level":10}`:        {"level maximum"},
	} {
		assert.Equal(t, want, violations(t, base+body), body)
	}
}
