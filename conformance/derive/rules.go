package derive

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apiclab/apic/spec/xrules"
)

// rule derives the cases of one constraint kind at a site. The table order is the order of
// the cases at each place, so it is part of what keeps Derive deterministic.
type rule struct {
	name    string // as the validators name it
	oracle  bool   // kin-openapi judges it
	applies func(s *site) bool
	derive  func(d *deriver, s *site) ([]mut, error)
}

// mut is one derived document: candidate bodies, best first. The first one that gets the
// expected verdict for the expected reason becomes the case; none gives a Gap.
type mut struct {
	variant string
	valid   bool
	bodies  []any
	at      path   // the place the case names, when it is not the site (a member of an object)
	none    string // why there is no candidate, when bodies is empty
	// advisory names the ledger entry that downgrades the entry of a list rule the case
	// breaks (keyword rules are graded on the schema, xrules.Rules.Advisory).
	advisory string
}

var rules = []rule{
	{"required", true, func(s *site) bool { return s.required && !s.branch && !s.part }, deriveRequired},
	{"type", true, isMember(func(s *site) bool { return s.schema.Type != nil || len(s.schema.OneOf) > 0 }), deriveType},
	{"type", true, func(s *site) bool { return s.schema.Type.Is("boolean") }, deriveBoolean},
	{"nullable", true, isMember(func(*site) bool { return true }), deriveNullable},
	{"default", true, isMember(func(s *site) bool { return s.schema.Default != nil && !s.required }), deriveDefault},
	{"minLength", true, isString(func(s *openapi3.Schema) bool { return s.MinLength > 0 }), deriveMinLength},
	{"maxLength", true, isString(func(s *openapi3.Schema) bool { return s.MaxLength != nil }), deriveMaxLength},
	{"pattern", true, isString(func(s *openapi3.Schema) bool { return s.Pattern != "" && len(enumCI(s)) == 0 }), derivePattern},
	{"enum", true, func(s *site) bool { return len(s.schema.Enum) > 0 && s.value() != nil }, deriveEnum},
	{xrules.EnumCI, true, isString(func(s *openapi3.Schema) bool { return len(enumCI(s)) > 0 }), deriveEnumCI},
	{xrules.ForbiddenChars, false, isString(func(s *openapi3.Schema) bool { return xrules.Of(s).ForbiddenChars != "" }), deriveForbiddenChars},
	{xrules.IntegerString, false, isString(func(s *openapi3.Schema) bool { return xrules.Of(s).IntegerString != nil }), deriveIntegerString},
	{"minimum", true, isNumber(func(s *openapi3.Schema) bool { return s.Min != nil }), deriveMinimum},
	{"maximum", true, isNumber(func(s *openapi3.Schema) bool { return s.Max != nil }), deriveMaximum},
	{"minItems", true, isArray(func(s *openapi3.Schema) bool { return s.MinItems > 0 }), deriveMinItems},
	{"maxItems", true, isArray(func(s *openapi3.Schema) bool { return s.MaxItems != nil }), deriveMaxItems},
	{xrules.PrefixTag, false, isArray(func(s *openapi3.Schema) bool { return xrules.Of(s).PrefixTag != nil }), derivePrefixTag},
	{xrules.RequiredIf, false, isObject(func(x *xrules.Rules) bool { return len(x.RequiredIf) > 0 }), deriveRequiredIf},
	{xrules.ForbiddenIf, false, isObject(func(x *xrules.Rules) bool { return len(x.ForbiddenIf) > 0 }), deriveForbiddenIf},
	{xrules.ForbiddenValues, false, isObject(func(x *xrules.Rules) bool { return len(x.ForbiddenValues) > 0 }), deriveForbiddenValues},
	{xrules.PathParams, false, isObject(func(x *xrules.Rules) bool { return x.PathParams != nil }), derivePathParams},
	{xrules.References, false, isObject(func(x *xrules.Rules) bool { return len(x.References) > 0 }), deriveReferences},
	{"oneOf", true, func(s *site) bool { return len(s.schema.OneOf) > 0 && s.schema.Discriminator == nil && !s.branch }, combination("oneOf")},
	{"anyOf", true, func(s *site) bool { return len(s.schema.AnyOf) > 0 && s.schema.Discriminator == nil && !s.branch }, combination("anyOf")},
	{"not", true, func(s *site) bool { return s.schema.Not != nil && !s.branch }, combination("not")},
	{"discriminator", true, func(s *site) bool { return s.schema.Discriminator != nil && !s.branch && !s.part }, deriveDiscriminator},
}

func init() { rules = append(rules, keywordRules...) } // keywords.go: after the base rules

// Applicability. A site whose base could not be built has no value; its rules are still
// listed so that they become gaps.

func isMember(f func(*site) bool) func(*site) bool {
	return func(s *site) bool { return len(s.path) > 0 && !s.branch && !s.part && f(s) }
}

func isString(f func(*openapi3.Schema) bool) func(*site) bool {
	return func(s *site) bool { return s.schema.Type.Is("string") && f(s.schema) }
}

func isNumber(f func(*openapi3.Schema) bool) func(*site) bool {
	return func(s *site) bool { return (s.schema.Type.Is("integer") || s.schema.Type.Is("number")) && f(s.schema) }
}

func isArray(f func(*openapi3.Schema) bool) func(*site) bool {
	return func(s *site) bool { return s.schema.Type.Is("array") && f(s.schema) }
}

func isObject(f func(*xrules.Rules) bool) func(*site) bool {
	return func(s *site) bool { return f(xrules.Of(s.schema)) }
}

// Structure.

func deriveRequired(d *deriver, s *site) ([]mut, error) {
	return []mut{{variant: "missing", bodies: []any{without(s.base, s.path)}}}, nil
}

// deriveType puts a value of a JSON type that the schema (or none of its oneOf branches)
// accepts; the variant names that type.
func deriveType(d *deriver, s *site) ([]mut, error) {
	others := []struct {
		kind string
		v    any
	}{{"number", 12345.0}, {"string", "1"}, {"string", "x"}, {"boolean", true}, {"array", []any{}}, {"object", map[string]any{}}}
	// A number written as a string ("1") comes before any other string: a lenient service
	// that reads it as the number would otherwise go unnoticed.
	for _, o := range others {
		if !accepts(s.schema, o.v) {
			return []mut{{variant: o.kind, bodies: []any{with(s.base, s.path, o.v)}}}, nil
		}
	}
	return nil, nil // no JSON type is refused: nothing to derive
}

// deriveBoolean: both values of a boolean are valid (a service that refuses one, cors: true,
// is noticed).
// A boolean with an enum is covered by the enum's own cases (a value it leaves out is invalid).
func deriveBoolean(d *deriver, s *site) ([]mut, error) {
	if len(s.schema.Enum) > 0 {
		return nil, nil
	}
	return []mut{
		{variant: "is-true", valid: true, bodies: []any{with(s.base, s.path, true)}},
		{variant: "is-false", valid: true, bodies: []any{with(s.base, s.path, false)}},
	}, nil
}

func accepts(s *openapi3.Schema, v any) bool {
	if s.Type != nil && !kindFits(s, v) {
		return false
	}
	for _, b := range append(s.OneOf[:len(s.OneOf):len(s.OneOf)], s.AnyOf...) {
		if b.Value != nil && accepts(b.Value, v) {
			return true
		}
	}
	return len(s.OneOf) == 0 && len(s.AnyOf) == 0 && kindFits(s, v)
}

// deriveDefault leaves out an optional member that has a documented default: the document is
// valid, and the service must answer with the default (the suite's answer checks see to it).
func deriveDefault(d *deriver, s *site) ([]mut, error) {
	return []mut{{variant: "omitted", valid: true, bodies: []any{without(s.base, s.path)}}}, nil
}

func deriveNullable(d *deriver, s *site) ([]mut, error) {
	return []mut{{variant: "null", valid: s.schema.Nullable, bodies: []any{with(s.base, s.path, nil)}}}, nil
}

// Strings. Lengths count characters, as JSON Schema does; grown and cut strings keep the
// pattern so that only the length is wrong.

func deriveMinLength(d *deriver, s *site) ([]mut, error) {
	n := int(s.schema.MinLength)
	return []mut{
		s.str("at-min", true, n),
		s.str("under", false, n-1),
	}, nil
}

func deriveMaxLength(d *deriver, s *site) ([]mut, error) {
	n := int(*s.schema.MaxLength)
	muts := []mut{s.str("at-max", true, n), s.str("over", false, n+1)}
	// Characters, not bytes: a Chinese string at the bound is three times as long in UTF-8.
	sc := s.schema
	if len(sc.Enum) == 0 && len(enumCI(sc)) == 0 && xrules.Of(sc).IntegerString == nil && stringOK(sc, "汉") && n > 0 {
		v, _ := s.value().(string)
		var bodies []any
		for _, c := range []string{strings.Repeat("汉", n), firstRune(v) + strings.Repeat("汉", n-1)} {
			if stringOK(sc, c) {
				bodies = append(bodies, with(s.base, s.path, c))
			}
		}
		muts = append(muts, mut{variant: "at-max-chinese", valid: true, bodies: bodies})
	}
	return muts, nil
}

// str fits the current string to n characters.
func (s *site) str(variant string, valid bool, n int) mut {
	m := mut{variant: variant, valid: valid}
	v, _ := s.value().(string)
	if str, ok := fit(v, n, s.schema); ok {
		m.bodies = []any{with(s.base, s.path, str)}
	} else if !valid && n >= 0 {
		// Last resort, for a pattern that states the bounds too: break both (confirm
		// accepts it only leniently).
		r := []rune(strings.Repeat(v+"a", n+1))
		m.bodies = []any{with(s.base, s.path, string(r[:n]))}
	} else {
		m.none = fmt.Sprintf(": no string of %d characters grown from %q keeps the other string rules", n, v)
	}
	return m
}

// derivePattern inserts or substitutes characters at either end until Go's regexp rejects the
// value, keeping the length bounds.
func derivePattern(d *deriver, s *site) ([]mut, error) {
	re, err := compile(s.schema.Pattern)
	if err != nil {
		return nil, fmt.Errorf("pattern does not compile in Go: %v", err)
	}
	v, _ := s.value().(string)
	r := []rune(v)
	var bodies []any
	for _, ch := range []string{" ", "#", "!", "<", "汉", "-"} {
		var cands []string
		if len(r) > 0 {
			cands = append(cands, ch+string(r[1:]), string(r[:len(r)-1])+ch)
		}
		cands = append(cands, ch+v, v+ch)
		for _, c := range cands {
			if n := runes(c); !re.MatchString(c) && n >= int(s.schema.MinLength) && (s.schema.MaxLength == nil || n <= int(*s.schema.MaxLength)) {
				bodies = append(bodies, with(s.base, s.path, c))
			}
		}
	}
	return []mut{{variant: "mismatch", bodies: bodies}}, nil
}

func deriveEnum(d *deriver, s *site) ([]mut, error) {
	values := normalize(s.schema.Enum).([]any)
	// Every listed value is valid: a service that refuses one of them is noticed.
	var muts []mut
	for _, v := range values {
		muts = append(muts, mut{variant: "is-" + text(v), valid: true, bodies: []any{with(s.base, s.path, v)}})
	}
	var unlisted []any
	if str, ok := values[0].(string); ok {
		unlisted = []any{strings.ToLower(str), str + "X", "zz"}
	} else if _, ok := values[0].(bool); ok {
		unlisted = []any{false, true}
	} else {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range values {
			if f, ok := v.(float64); ok {
				lo, hi = math.Min(lo, f), math.Max(hi, f)
			}
		}
		unlisted = []any{hi + 1, lo - 1}
	}
	var bodies []any
	for _, u := range unlisted {
		if !matches(u, false, values) {
			bodies = append(bodies, with(s.base, s.path, u))
		}
	}
	return append(muts, mut{variant: "unlisted", bodies: bodies}), nil
}

// deriveEnumCI: any casing of a listed value is valid, an unlisted word is not. The schema's
// pattern says the same, so kin-openapi judges these cases too.
func deriveEnumCI(d *deriver, s *site) ([]mut, error) {
	values := enumCI(s.schema)
	var muts []mut
	for _, v := range values {
		muts = append(muts, mut{variant: "is-" + v, valid: true, bodies: []any{with(s.base, s.path, v)}})
	}
	v0 := values[0]
	seen := map[string]bool{v0: true}
	for _, alt := range []struct{ variant, v string }{{"lowercase", strings.ToLower(v0)}, {"mixedcase", mixedCase(v0)}} {
		if !seen[alt.v] {
			seen[alt.v] = true
			muts = append(muts, mut{variant: alt.variant, valid: true, bodies: []any{with(s.base, s.path, alt.v)}})
		}
	}
	var bodies []any
	for _, u := range []string{"zz", v0 + "X", "X" + v0} {
		if !matches(u, true, toAny(values)) {
			bodies = append(bodies, with(s.base, s.path, u))
		}
	}
	return append(muts, mut{variant: "unlisted", bodies: bodies}), nil
}

func mixedCase(v string) string {
	r := []rune(strings.ToLower(v))
	for i := 0; i < len(r); i += 2 {
		r[i] = []rune(strings.ToUpper(string(r[i])))[0]
	}
	return string(r)
}

func deriveForbiddenChars(d *deriver, s *site) ([]mut, error) {
	chars := xrules.Of(s.schema).ForbiddenChars
	v, _ := s.value().(string)
	r := []rune(v)
	var muts []mut
	for _, ch := range chars {
		c := string(ch)
		cands := []string{v + c, c + v}
		if len(r) > 0 {
			cands = append(cands, string(r[:len(r)-1])+c, c+string(r[1:]))
		}
		m := mut{variant: "contains-" + c}
		for _, x := range cands {
			m.bodies = append(m.bodies, with(s.base, s.path, x))
		}
		muts = append(muts, m)
	}
	return muts, nil
}

func deriveIntegerString(d *deriver, s *site) ([]mut, error) {
	r := xrules.Of(s.schema).IntegerString
	one := func(variant string, valid bool, v string) mut {
		return mut{variant: variant, valid: valid, bodies: []any{with(s.base, s.path, v)}}
	}
	return []mut{
		one("at-min", true, strconv.FormatInt(r.Minimum, 10)),
		one("at-max", true, strconv.FormatInt(r.Maximum, 10)),
		one("under", false, strconv.FormatInt(r.Minimum-1, 10)),
		one("over", false, strconv.FormatInt(r.Maximum+1, 10)),
		one("not-integer", false, "abc"),
	}, nil
}

// Numbers: the bound passes, one past it fails (an exclusive bound fails itself).

func deriveMinimum(d *deriver, s *site) ([]mut, error) {
	return s.bound(*s.schema.Min, -1, s.schema.ExclusiveMin.IsTrue(), "min", "under"), nil
}

func deriveMaximum(d *deriver, s *site) ([]mut, error) {
	return s.bound(*s.schema.Max, +1, s.schema.ExclusiveMax.IsTrue(), "max", "over"), nil
}

func (s *site) bound(b, dir float64, exclusive bool, name, past string) []mut {
	if s.schema.Type.Is("integer") && b != math.Trunc(b) {
		// The integer bound of a fractional one: minimum 1.5 admits 2 and refuses 1.
		if dir < 0 {
			b = math.Ceil(b)
		} else {
			b = math.Floor(b)
		}
	}
	dir *= boundStep(s.schema) // under multipleOf, the neighbours that are multiples too
	at := mut{variant: "at-" + name, valid: !exclusive, bodies: []any{with(s.base, s.path, b)}}
	muts := []mut{at, {variant: past, bodies: []any{with(s.base, s.path, b+dir)}}}
	if exclusive {
		muts = append(muts, mut{variant: "inside", valid: true, bodies: []any{with(s.base, s.path, b-dir)}})
	}
	return muts
}

// Arrays: pad with copies of an element, or cut. Each element is a candidate padding, the
// first one first: copies of some elements break other rules (a second APIG-SN- tag).

func deriveMinItems(d *deriver, s *site) ([]mut, error) {
	n := int(s.schema.MinItems)
	return []mut{s.items("at-min", true, n), s.items("under", false, n-1)}, nil
}

func deriveMaxItems(d *deriver, s *site) ([]mut, error) {
	n := int(*s.schema.MaxItems)
	return []mut{s.items("at-max", true, n), s.items("over", false, n+1)}, nil
}

func (s *site) items(variant string, valid bool, n int) mut {
	arr, _ := s.value().([]any)
	pads := arr
	if len(pads) == 0 {
		if c := synth(s.schema.Items.Value); len(c) > 0 {
			pads = c[:1]
		} else {
			pads = []any{nil}
		}
	}
	m := mut{variant: variant, valid: valid}
	for _, item := range pads {
		out := []any{}
		for i := range n {
			if i < len(arr) {
				out = append(out, arr[i])
			} else {
				out = append(out, clone(item))
			}
		}
		m.bodies = append(m.bodies, with(s.base, s.path, out))
	}
	return m
}

// derivePrefixTag fills the array with max items that carry the prefix, then one more.
func derivePrefixTag(d *deriver, s *site) ([]mut, error) {
	pt := xrules.Of(s.schema).PrefixTag
	arr, _ := s.value().([]any)
	tags := []string{pt.Prefix + "a", pt.Prefix + "1", pt.Prefix}
	if len(arr) > 0 {
		if first, ok := arr[0].(string); ok {
			tags = append([]string{pt.Prefix + first}, tags...)
		}
	}
	atMax, over := mut{variant: "at-max", valid: true}, mut{variant: "over"}
	for _, t := range tags {
		list := []any{}
		for range pt.Max {
			list = append(list, t)
		}
		atMax.bodies = append(atMax.bodies, with(s.base, s.path, list))
		over.bodies = append(over.bodies, with(s.base, s.path, append(list, t)))
	}
	return []mut{atMax, over}, nil
}

// Conditional rules. A case first builds a valid document in which the condition holds (or
// not) and the field is present (or absent), so that the one change it makes decides.

func deriveRequiredIf(d *deriver, s *site) ([]mut, error) {
	var muts []mut
	for _, r := range xrules.Of(s.schema).RequiredIf {
		at := s.path.key(r.Field)
		fs := propSchema(s.schema, r.Field)
		missing := mut{variant: "missing", at: at, advisory: r.Advisory}
		for _, b := range d.condBases(s, r.When, true, at, fs, true) {
			missing.bodies = append(missing.bodies, without(b, at))
		}
		muts = append(muts, missing)
		if !contains(s.schema.Required, r.Field) {
			otherwise := mut{variant: "missing-otherwise", valid: true, at: at}
			for _, b := range d.condBases(s, r.When, false, at, fs, true) {
				otherwise.bodies = append(otherwise.bodies, without(b, at))
			}
			muts = append(muts, otherwise)
		}
	}
	return muts, nil
}

func deriveForbiddenIf(d *deriver, s *site) ([]mut, error) {
	var muts []mut
	for _, r := range xrules.Of(s.schema).ForbiddenIf {
		at := s.path.key(r.Field)
		fs := propSchema(s.schema, r.Field)
		for _, m := range []mut{{variant: "present", at: at, advisory: r.Advisory}, {variant: "present-otherwise", valid: true, at: at}} {
			for _, b := range d.condBases(s, r.When, !m.valid, at, fs, false) {
				for _, v := range synth(fs) {
					m.bodies = append(m.bodies, with(b, at, v))
				}
			}
			muts = append(muts, m)
		}
	}
	return muts, nil
}

// condBases returns valid documents in which condition c of the object at s evaluates to want
// and the field at `at` is present (or absent).
func (d *deriver) condBases(s *site, c xrules.Condition, want bool, at path, fs *openapi3.Schema, present bool) []any {
	cp := s.path.key(c.Property)
	ps := propSchema(s.schema, c.Property)
	listed, inList := c.In, want
	if c.NotIn != nil {
		listed, inList = c.NotIn, !want // "not in" holds exactly when "in" does not
	}
	var docs []any
	switch {
	case c.Present != nil:
		if *c.Present == want {
			if b, err := d.ensure(s.base, cp, ps); err == nil {
				docs = append(docs, b)
			}
		} else {
			docs = append(docs, without(s.base, cp))
		}
	case c.Filled != nil:
		if *c.Filled == want {
			if b, err := d.ensure(s.base, cp, ps); err == nil {
				docs = append(docs, b)
			}
			for _, v := range synth(ps) {
				if v != "" {
					docs = append(docs, with(s.base, cp, v))
				}
			}
		} else {
			docs = append(docs, with(s.base, cp, ""))
			if !contains(s.schema.Required, c.Property) {
				docs = append(docs, without(s.base, cp))
			}
		}
	case inList:
		for _, v := range listed {
			docs = append(docs, with(s.base, cp, v))
		}
	default:
		// A value outside the list: another enum value, else absence, else any valid value.
		var cands []any
		if ps != nil {
			cands, _ = normalize(ps.Enum).([]any)
			if ci := enumCI(ps); len(ci) > 0 {
				cands = toAny(ci)
			}
		}
		if len(cands) == 0 && !contains(s.schema.Required, c.Property) {
			docs = append(docs, without(s.base, cp))
		}
		if len(cands) == 0 {
			cands = synth(ps)
		}
		for _, v := range cands {
			if !matches(v, isCI(s.schema, c.Property), listed) {
				docs = append(docs, with(s.base, cp, v))
			}
		}
	}
	var out []any
	for _, doc := range docs {
		var b any = without(doc, at)
		var err error
		if present {
			b, err = d.ensure(b, at, fs)
		} else {
			b = d.repair(b, at, "")
			err = d.clean(b)
		}
		obj, _ := mustGet(b, s.path).(map[string]any)
		if err == nil && obj != nil && holds(s.schema, obj, c) == want {
			out = append(out, b)
		}
	}
	return out
}

// deriveForbiddenValues gives every listed property its first listed value.
func deriveForbiddenValues(d *deriver, s *site) ([]mut, error) {
	var muts []mut
	for _, fv := range xrules.Of(s.schema).ForbiddenValues {
		b := s.base
		for _, name := range sortedKeys(fv.Properties) {
			if vs := fv.Properties[name]; len(vs) > 0 {
				b = with(b, s.path.key(name), vs[0])
			}
		}
		at := s.path
		if fv.Field != "" {
			at = s.path.key(fv.Field)
		}
		muts = append(muts, mut{variant: "all-listed", bodies: []any{b}, at: at, advisory: fv.Advisory})
	}
	return muts, nil
}

// derivePathParams adds a `{name}` to the uri, once undeclared and once declared by a new
// params item whose location is the required value.
func derivePathParams(d *deriver, s *site) ([]mut, error) {
	pp := xrules.Of(s.schema).PathParams
	up, qp := s.path.key(pp.URI), s.path.key(pp.Params)
	b, err := d.ensure(s.base, up, propSchema(s.schema, pp.URI))
	if err != nil {
		return nil, err
	}
	uri, _ := mustGet(b, up).(string)
	undeclared := mut{variant: "undeclared", at: up, bodies: []any{with(b, up, uri+"/{zz_undeclared}")}}

	declared := mut{variant: "declared", valid: true, at: up}
	if arr := propSchema(s.schema, pp.Params); arr != nil && arr.Items != nil {
		params, _ := mustGet(b, qp).([]any)
		for _, c := range synth(arr.Items.Value) {
			item, ok := c.(map[string]any)
			if !ok {
				continue
			}
			item[pp.Name], item[pp.Location] = "zz_declared", pp.Value
			body := with(b, qp, append(append([]any{}, params...), item))
			declared.bodies = append(declared.bodies, with(body, up, uri+"/{zz_declared}"))
		}
	}
	return []mut{undeclared, declared}, nil
}

func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}

// deriveReferences takes the first item each x-references rule applies to (its condition
// holding) and points its value at no declared name (invalid), or at a declared one (valid).
func deriveReferences(d *deriver, s *site) ([]mut, error) {
	obj, _ := mustGet(s.base, s.path).(map[string]any)
	var muts []mut
	for _, r := range xrules.Of(s.schema).References {
		names := refNames(obj, r)
		var target *refItem
		for _, it := range refItems(s.schema, obj, s.path, strings.Split(r.Items, ".")) {
			if r.When == nil || holds(it.schema, it.obj, *r.When) {
				it := it
				target = &it
				break
			}
		}
		if target == nil {
			// The example has no item the rule applies to: add one (and a name for it to
			// refer to) when the items are a member of this object.
			b, it, err := d.addReferringItem(s, obj, r)
			if err != nil {
				return muts, err
			}
			s = &site{path: s.path, schema: s.schema, base: b}
			obj, _ = mustGet(b, s.path).(map[string]any)
			names, target = refNames(obj, r), it
		}
		at := target.path.key(r.Value)
		muts = append(muts, mut{variant: "undeclared", at: at, bodies: []any{with(s.base, at, "zz_undeclared")}, advisory: r.Advisory})
		if len(names) > 0 {
			muts = append(muts, mut{variant: "declared", valid: true, at: at, bodies: []any{with(s.base, at, names[len(names)-1])}})
		}
	}
	return muts, nil
}

// addReferringItem adds to the base an item reached by r.Items for which r's condition holds
// and whose value names a target item, adding a target item when there is none, and an outer
// item (`policy_https[]`) when the path passes through an empty array. The base must stay
// valid.
func (d *deriver) addReferringItem(s *site, obj map[string]any, r xrules.Reference) (any, *refItem, error) {
	b := s.base
	names := refNames(obj, r)
	if len(names) == 0 {
		ts := propSchema(s.schema, r.Target)
		if ts == nil || ts.Items == nil {
			return nil, nil, fmt.Errorf("%s is not an array", r.Target)
		}
		for _, c := range synth(ts.Items.Value) {
			if item, ok := c.(map[string]any); ok {
				item[r.Name] = "zz_ref"
				arr, _ := obj[r.Target].([]any)
				b = with(b, s.path.key(r.Target), append(append([]any{}, arr...), item))
				names = []string{"zz_ref"}
				break
			}
		}
		if len(names) == 0 {
			return nil, nil, fmt.Errorf("cannot synthesize a %s item", r.Target)
		}
	}
	steps := strings.Split(r.Items, ".")
	at, schema := s.path, s.schema
	for i, step := range steps {
		name := strings.TrimSuffix(step, "[]")
		ps := propSchema(schema, name)
		if ps == nil || ps.Items == nil || ps.Items.Value == nil {
			return nil, nil, fmt.Errorf("%s: %s is not an array of objects", r.Items, name)
		}
		arrPath := at.key(name)
		arr, _ := mustGet(b, arrPath).([]any)
		if i < len(steps)-1 && len(arr) > 0 {
			at, schema = arrPath.index(0), ps.Items.Value
			continue
		}
		var item map[string]any
		for _, c := range synth(ps.Items.Value) {
			if m, ok := c.(map[string]any); ok {
				item = m
				break
			}
		}
		if item == nil {
			return nil, nil, fmt.Errorf("cannot synthesize a %s item", name)
		}
		if i == len(steps)-1 {
			item[r.Value] = names[0]
			if r.When != nil && len(r.When.In) > 0 {
				item[r.When.Property] = r.When.In[0]
			}
		}
		b = with(b, arrPath, append(append([]any{}, arr...), item))
		at, schema = arrPath.index(len(arr)), ps.Items.Value
		if i == len(steps)-1 {
			// Synthesized items may switch on conditional rules (a condition of origin param
			// needs req_param_name): complete them.
			b = d.repair(b, nil, "")
			if why := d.clean(b); why != nil {
				return nil, nil, fmt.Errorf("no valid base with a %s item: %v", r.Items, why)
			}
			return b, &refItem{path: at, schema: schema, obj: item}, nil
		}
	}
	return nil, nil, fmt.Errorf("%s: empty items path", r.Items)
}
