package validation

import (
	"math"
	"strconv"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
)

// multipleOf agrees with kin-openapi, the oracle, across magnitudes and decimal steps.
func TestMultipleOfAgreesWithKinOpenAPI(t *testing.T) {
	steps := []float64{0.01, 0.1, 0.5, 1, 3, 0.3, 1e-7, 2.5, 1e10}
	n := 0
	for _, m := range steps {
		s := openapi3.NewFloat64Schema()
		s.MultipleOf = &m
		for k := -30; k <= 30; k++ {
			for _, v := range []float64{float64(k) * m, float64(k)*m + m/3, float64(k) * m * (1 + 1e-12), float64(k) / 7,
				mustParse(strconv.FormatFloat(float64(k)*m, 'f', 12, 64))} {
				kin := s.VisitJSON(v) == nil
				assert.Equal(t, kin, isMultiple(v, m), "%v multipleOf %v", v, m)
				n++
			}
		}
	}
	assert.True(t, isMultiple(0.07, 0.01))
	assert.False(t, isMultiple(0.075, 0.01))
	t.Logf("%d values compared", n)
}

func mustParse(s string) float64 { f, _ := strconv.ParseFloat(s, 64); return f }

func TestMultipleOfInt(t *testing.T) {
	var e Errors
	MultipleOfInt(&e, nil, 10, 5)
	MultipleOfInt(&e, nil, -10, 5)
	MultipleOfInt(&e, nil, math.MaxInt64, 7) // 2^63-1 = 7 * 1317624576693539401
	assert.Empty(t, e)
	MultipleOfInt(&e, nil, 11, 5)
	assert.Len(t, e, 1)
}

func TestFloatRange(t *testing.T) {
	check := func(v float64) []string {
		var e Errors
		FloatRange(&e, nil, v, true, 0, true, true, 10, false)
		var out []string
		for _, x := range e {
			out = append(out, x.Rule)
		}
		return out
	}
	assert.Equal(t, []string{RuleMinimum}, check(0))
	assert.Empty(t, check(1e-300))
	assert.Empty(t, check(10))
	assert.Equal(t, []string{RuleMaximum}, check(10.000000001))
}

func TestUnique(t *testing.T) {
	var e Errors
	Unique(&e, nil, []string{"a", "b"})
	Unique(&e, nil, []any{"1", 1.0, map[string]any{"a": 1.0, "b": 2.0}, map[string]any{"b": 2.0}})
	a, b := "x", "y"
	Unique(&e, nil, []*string{&a, &b, nil})
	assert.Empty(t, e)
	Unique(&e, nil, []any{map[string]any{"a": 1.0, "b": 2.0}, map[string]any{"b": 2.0, "a": 1.0}})
	Unique(&e, nil, []float64{1, 1.0})
	Unique(&e, nil, []*string{nil, nil})
	assert.Len(t, e, 3)
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		format, value string
		ok            bool
	}{
		{"date", "2024-02-29", true}, {"date", "2023-02-29", false}, {"date", "2024-13-01", false},
		{"date-time", "2024-02-29T23:59:60Z", true}, {"date-time", "2024-02-29T23:59:59.123+08:00", true},
		{"date-time", "2024-02-29T23:59:59", false}, {"date-time", "2023-02-29T00:00:00Z", false},
		{"byte", "", true}, {"byte", "U3dhZ2dlcg==", true}, {"byte", "a b", false},
		{"email", "anything", true}, // not a checked format
	} {
		var e Errors
		Format(&e, nil, tc.value, tc.format)
		assert.Equal(t, tc.ok, len(e) == 0, "%s %q", tc.format, tc.value)
		// kin-openapi's default set gives the same verdict.
		kin := openapi3.NewStringSchema()
		kin.Format = tc.format
		assert.Equal(t, tc.ok, kin.VisitJSON(tc.value) == nil, "kin-openapi: %s %q", tc.format, tc.value)
	}
}

// Violations of one direction are dropped from the other; without a direction, only readOnly and
// writeOnly members are dropped (required ones stay required).
func TestAlong(t *testing.T) {
	var e Errors
	p := (*Path)(nil).Key("a")
	e.Add(&p, RuleMaximum, "x")
	ReadOnly(&e, &p)
	WriteOnly(&e, &p)
	e.AddFor(Response, &p, RuleRequired, "is required")
	rules := func(es Errors) (out []string) {
		for _, v := range es {
			out = append(out, v.Rule)
		}
		return out
	}
	assert.Equal(t, []string{RuleMaximum, RuleReadOnly}, rules(e.along(Request)))
	assert.Equal(t, []string{RuleMaximum, RuleWriteOnly, RuleRequired}, rules(e.along(Response)))
	assert.Equal(t, []string{RuleMaximum, RuleRequired}, rules(e.along(AnyDirection)))
	assert.Len(t, e, 4, "e itself is left as it was")
}
