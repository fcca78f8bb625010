package derive

// Cases of the scalar, array and object keywords beyond the base set: multipleOf, formats,
// uniqueItems, minProperties and maxProperties, additionalProperties, readOnly and writeOnly
// (exclusive bounds are cases of minimum and maximum, enums of numbers and booleans cases of
// enum). kin-openapi judges every one of them.

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

var keywordRules = []rule{
	{"multipleOf", true, isNumber(func(s *openapi3.Schema) bool { return s.MultipleOf != nil }), deriveMultipleOf},
	{"format", true, isString(func(s *openapi3.Schema) bool { return formatSamples[s.Format] != nil }), deriveFormat},
	{"uniqueItems", true, isArray(func(s *openapi3.Schema) bool { return s.UniqueItems }), deriveUniqueItems},
	{"minProperties", true, isObjectWith(func(s *openapi3.Schema) bool { return s.MinProps > 0 }), deriveMinProperties},
	{"maxProperties", true, isObjectWith(func(s *openapi3.Schema) bool { return s.MaxProps != nil }), deriveMaxProperties},
	{"additionalProperties", true, isObjectWith(explicitMembers), deriveAdditionalProperties},
	{"readOnly", true, isObjectWith(func(s *openapi3.Schema) bool { return len(flagged(s, true)) > 0 }), deriveReadOnly},
	{"writeOnly", true, isObjectWith(func(s *openapi3.Schema) bool { return len(flagged(s, false)) > 0 }), deriveWriteOnly},
}

func isObjectWith(f func(*openapi3.Schema) bool) func(*site) bool {
	return func(s *site) bool { return s.schema.Type.Is("object") && f(s.schema) }
}

// explicitMembers reports whether s says what members no property declares may be.
func explicitMembers(s *openapi3.Schema) bool {
	return s.AdditionalProperties.Has != nil || s.AdditionalProperties.Schema != nil
}

// memberSchema is the schema of the members s does not declare; nil when there may be none.
func memberSchema(s *openapi3.Schema) (*openapi3.Schema, bool) {
	if h := s.AdditionalProperties.Has; h != nil && !*h {
		return nil, false
	}
	if ref := s.AdditionalProperties.Schema; ref != nil {
		return ref.Value, true
	}
	return nil, true
}

// flagged lists the properties of s that are readOnly (or writeOnly), sorted.
func flagged(s *openapi3.Schema, readOnly bool) []string {
	var out []string
	for _, name := range sortedKeys(s.Properties) {
		if p := s.Properties[name].Value; p != nil && (readOnly && p.ReadOnly || !readOnly && p.WriteOnly) {
			out = append(out, name)
		}
	}
	return out
}

// Numbers.

// decimal rounds x to the decimal digits of step (a multiple of 0.01 written as 0.07, not as
// the binary product 7*0.01): the document carries what a person would write.
func decimal(x, step float64) float64 {
	digits := 0
	if t := strconv.FormatFloat(step, 'f', -1, 64); strings.Contains(t, ".") {
		digits = len(t) - strings.Index(t, ".") - 1
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', digits, 64), 64)
	return r
}

// multipleNear returns the multiples of s's multipleOf around v that s's bounds admit, nearest
// first.
func multipleNear(s *openapi3.Schema, v float64) []float64 {
	m := *s.MultipleOf
	k := math.Round(v / m)
	var out []float64
	for _, dk := range []float64{0, 1, -1, 2, -2} {
		c := decimal((k+dk)*m, m)
		if inBounds(s, c) {
			out = append(out, c)
		}
	}
	if s.Min != nil {
		for _, dk := range []float64{0, 1} {
			if c := decimal((math.Ceil(*s.Min/m)+dk)*m, m); inBounds(s, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

func inBounds(s *openapi3.Schema, v float64) bool {
	switch {
	case s.Min != nil && (v < *s.Min || s.ExclusiveMin.IsTrue() && v == *s.Min):
		return false
	case s.Max != nil && (v > *s.Max || s.ExclusiveMax.IsTrue() && v == *s.Max):
		return false
	}
	return !s.Type.Is("integer") || v == math.Trunc(v)
}

// deriveMultipleOf puts a multiple (valid) and a value half a step off one (invalid; one off
// for an integer step), both inside the bounds.
func deriveMultipleOf(d *deriver, s *site) ([]mut, error) {
	m := *s.schema.MultipleOf
	v, _ := s.value().(float64)
	valid := mut{variant: "multiple", valid: true}
	invalid := mut{variant: "not-multiple"}
	for _, c := range multipleNear(s.schema, v) {
		valid.bodies = append(valid.bodies, with(s.base, s.path, c))
		off := decimal(c+m/2, m/2)
		if s.schema.Type.Is("integer") {
			off = c + 1
		}
		if inBounds(s.schema, off) && (!s.schema.Type.Is("integer") || m > 1) {
			invalid.bodies = append(invalid.bodies, with(s.base, s.path, off))
		}
	}
	if len(invalid.bodies) == 0 {
		invalid.none = fmt.Sprintf(": every value inside the bounds is a multiple of %g", m)
	}
	return []mut{valid, invalid}, nil
}

// boundStep is the distance between a bound and the next value the bound cases try: 1, or the
// schema's multipleOf, so that those values break (or keep) the bound alone.
func boundStep(s *openapi3.Schema) float64 {
	if m := s.MultipleOf; m != nil && (!s.Type.Is("integer") || *m == math.Trunc(*m)) {
		return *m
	}
	return 1
}

// Formats: kin-openapi's default set (the ones the generated validators check).

type samples struct{ valid, malformed, offCalendar []string }

var formatSamples = map[string]*samples{
	"date":      {valid: []string{"2024-02-29", "1999-12-31"}, malformed: []string{"2024-2-29", "20240229"}, offCalendar: []string{"2023-02-29", "2024-04-31"}},
	"date-time": {valid: []string{"2024-02-29T23:59:60Z", "2024-02-29T08:00:00.5+08:00"}, malformed: []string{"2024-02-29T08:00:00", "2024-02-29 08:00:00Z"}, offCalendar: []string{"2023-02-29T08:00:00Z"}},
	"byte":      {valid: []string{"U3dhZ2dlcg==", "YWJj"}, malformed: []string{"not base64!", "ab$c"}},
}

func deriveFormat(d *deriver, s *site) ([]mut, error) {
	fs := formatSamples[s.schema.Format]
	one := func(variant string, valid bool, values []string) mut {
		m := mut{variant: variant, valid: valid}
		for _, v := range values {
			m.bodies = append(m.bodies, with(s.base, s.path, v))
		}
		return m
	}
	muts := []mut{one("valid", true, fs.valid), one("malformed", false, fs.malformed)}
	if len(fs.offCalendar) > 0 {
		muts = append(muts, one("off-calendar", false, fs.offCalendar))
	}
	return muts, nil
}

// Arrays.

// deriveUniqueItems gives the array two distinct items (valid) and one item twice (invalid).
func deriveUniqueItems(d *deriver, s *site) ([]mut, error) {
	arr, _ := s.value().([]any)
	var items []any
	for _, it := range arr {
		if !containsAny(items, it) {
			items = append(items, it)
		}
	}
	if s.schema.Items != nil {
		for _, c := range synth(s.schema.Items.Value) {
			if !containsAny(items, c) {
				items = append(items, c)
			}
		}
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("cannot synthesize an item")
	}
	distinct, dup := mut{variant: "distinct", valid: true}, mut{variant: "duplicate"}
	if len(items) > 1 {
		distinct.bodies = []any{with(s.base, s.path, []any{items[0], items[1]})}
	} else {
		distinct.none = ": only one valid item could be made"
	}
	dup.bodies = []any{with(s.base, s.path, []any{items[0], clone(items[0])})}
	if len(arr) > 0 {
		dup.bodies = append(dup.bodies, with(s.base, s.path, append(append([]any{}, arr...), clone(arr[0]))))
	}
	return []mut{distinct, dup}, nil
}

// Objects.

// resize returns copies of the object at s with n members: optional members removed (last
// first), or members added (optional properties not yet set, then undeclared members when
// the schema takes them). readOnly properties are never added: a request cannot send them.
func (s *site) resize(n int) []any {
	obj, _ := s.value().(map[string]any)
	out := map[string]any{}
	for k, v := range obj {
		out[k] = v
	}
	keys := sortedKeys(out)
	for i := len(keys) - 1; i >= 0 && len(out) > n; i-- {
		if !contains(s.schema.Required, keys[i]) {
			delete(out, keys[i])
		}
	}
	for _, name := range sortedKeys(s.schema.Properties) {
		if len(out) >= n {
			break
		}
		ps := s.schema.Properties[name].Value
		if _, there := out[name]; there || ps == nil || ps.ReadOnly {
			continue
		}
		if c := synth(ps); len(c) > 0 {
			out[name] = c[0]
		}
	}
	if ms, open := memberSchema(s.schema); open {
		for i := 0; len(out) < n; i++ {
			c := synth(ms)
			if len(c) == 0 {
				break
			}
			out["zz_member"+strconv.Itoa(i)] = c[0]
		}
	}
	if len(out) != n {
		return nil
	}
	return []any{with(s.base, s.path, out)}
}

func deriveMinProperties(d *deriver, s *site) ([]mut, error) {
	n := int(s.schema.MinProps)
	return []mut{
		{variant: "at-min", valid: true, bodies: s.resize(n), none: ": cannot make the object that size"},
		{variant: "under", bodies: s.resize(n - 1), none: ": the required members alone reach the minimum"},
	}, nil
}

func deriveMaxProperties(d *deriver, s *site) ([]mut, error) {
	n := int(*s.schema.MaxProps)
	return []mut{
		{variant: "at-max", valid: true, bodies: s.resize(n), none: ": cannot make the object that size"},
		{variant: "over", bodies: s.resize(n + 1), none: ": the schema declares too few members to pass the maximum"},
	}, nil
}

// deriveAdditionalProperties adds a member that no property declares: refused under
// additionalProperties: false, accepted with a valid value otherwise (an invalid value is a
// case of the member schema's own rules, derived at that member).
func deriveAdditionalProperties(d *deriver, s *site) ([]mut, error) {
	at := s.path.key("zz_undeclared")
	ms, open := memberSchema(s.schema)
	if !open {
		return []mut{{variant: "undeclared", at: at, bodies: []any{with(s.base, at, "a")}}}, nil
	}
	m := mut{variant: "undeclared", valid: true, at: at}
	for _, c := range synth(ms) {
		m.bodies = append(m.bodies, with(s.base, at, c))
	}
	return []mut{m}, nil
}

// deriveReadOnly sends each readOnly property: a request must not.
func deriveReadOnly(d *deriver, s *site) ([]mut, error) { return s.sendFlagged(true), nil }

// deriveWriteOnly sends each writeOnly property: a request may.
func deriveWriteOnly(d *deriver, s *site) ([]mut, error) { return s.sendFlagged(false), nil }

func (s *site) sendFlagged(readOnly bool) []mut {
	var muts []mut
	for _, name := range flagged(s.schema, readOnly) {
		at := s.path.key(name)
		m := mut{variant: "present", valid: !readOnly, at: at}
		for _, c := range synth(s.schema.Properties[name].Value) {
			m.bodies = append(m.bodies, with(s.base, at, c))
		}
		muts = append(muts, m)
	}
	return muts
}

// The walk and synth call in here.

// memberSite is the site of an undeclared member of the object at s, when its schema takes
// them with a schema of their own: an existing one, or one added to the base.
func (d *deriver) memberSite(s *site, obj map[string]any) *site {
	ms, open := memberSchema(s.schema)
	if !open || ms == nil {
		return nil
	}
	name := "zz_member"
	for _, k := range sortedKeys(obj) {
		if s.schema.Properties[k] == nil {
			name = k
			break
		}
	}
	child := &site{path: s.path.key(name), schema: ms}
	child.base, child.baseErr = d.ensure(s.base, child.path, ms)
	return child
}

// synthKeyword returns valid values for the keywords of this file that the plain synthesis
// would break, or nil to let it run.
func synthKeyword(s *openapi3.Schema) []any {
	if fs := formatSamples[s.Format]; fs != nil && s.Type.Is("string") {
		return toAny(fs.valid)
	}
	return nil
}

// synthNumber moves v onto a multiple of s's multipleOf.
func synthNumber(s *openapi3.Schema, v float64) float64 {
	if s.MultipleOf == nil {
		return v
	}
	if c := multipleNear(s, v); len(c) > 0 {
		return c[0]
	}
	return v
}

// synthItems makes n distinct items when s needs unique ones, from the candidates c.
func synthItems(s *openapi3.Schema, c []any, n int) ([]any, bool) {
	if !s.UniqueItems || n < 2 {
		return nil, false
	}
	var out []any
	for _, x := range c {
		if len(out) < n && !containsAny(out, x) {
			out = append(out, x)
		}
	}
	return out, true
}

// synthMembers adds optional, not readOnly, properties to m until it has minProperties
// members.
func synthMembers(s *openapi3.Schema, m map[string]any) {
	for _, name := range sortedKeys(s.Properties) {
		if len(m) >= int(s.MinProps) {
			return
		}
		ps := s.Properties[name].Value
		if _, there := m[name]; there || ps == nil || ps.ReadOnly {
			continue
		}
		if c := synth(ps); len(c) > 0 {
			m[name] = c[0]
		}
	}
	if ms, open := memberSchema(s); open {
		for i := 0; len(m) < int(s.MinProps); i++ {
			c := synth(ms)
			if len(c) == 0 {
				return
			}
			m["zz_member"+strconv.Itoa(i)] = c[0]
		}
	}
}
