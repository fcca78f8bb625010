package validation

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/go-faster/jx"
)

// Rule names of the composition keywords.
const (
	RuleAnyOf         = "anyOf"
	RuleNot           = "not"
	RuleDiscriminator = "discriminator"
)

// Schema is a schema that generated code checks by walking it over a JSON value, for what a
// Go type cannot say on its own: schemas combined with allOf, anyOf, oneOf and not, a
// discriminator, and constraints on a value without a type. The generator writes one table of
// them per package; a schema that has a generated type of its own is checked by that type's
// code (Typed), so x- rules and advisory grades keep working inside combinations.
type Schema struct {
	// Typed, when set, checks the value with a generated type and nothing else applies.
	Typed func(raw []byte, p *Path, e *Errors)

	Type     string // "" (any), "string", "integer", "number", "boolean", "array" or "object"
	Bits     int    // 32 for format int32
	Nullable bool
	Enum     []any // JSON values: string, float64, bool, nil

	Min, Max     *float64
	ExclusiveMin bool
	ExclusiveMax bool
	MultipleOf   float64 // 0: none
	MinLength    int
	MaxLength    *int
	Pattern      func(string) bool
	PatternText  string
	Format       string // a checked string format (see Format); "" when none

	Items       *Schema
	MinItems    int
	MaxItems    *int
	UniqueItems bool

	Properties map[string]*Schema
	Required   []string
	MinProps   int
	MaxProps   *int
	// NoAdditional refuses members not listed in Properties; Additional checks them.
	NoAdditional bool
	Additional   *Schema

	AllOf, AnyOf, OneOf []*Schema
	Not                 *Schema
	// Names names each branch of OneOf or AnyOf in messages ("integer", "Cat").
	Names []string
	// Discriminator is the member whose value picks the branch of OneOf or AnyOf: Mapping
	// gives the branch index of each known value.
	Discriminator string
	Mapping       map[string]int
}

// Bound returns a pointer to b, for the bounds of a Schema literal.
func Bound(b float64) *float64 { return &b }

// Limit returns a pointer to n, for the upper limits of a Schema literal.
func Limit(n int) *int { return &n }

// limit is the upper limit l, or -1 when there is none, as String and Items take it.
func limit(l *int) int {
	if l == nil {
		return -1
	}
	return *l
}

// CheckValue checks the JSON form of v (encoding/json) against s.
func CheckValue(s *Schema, v any, p *Path, e *Errors) {
	raw, err := json.Marshal(v)
	if err != nil {
		e.Add(p, RuleType, "cannot be written as JSON: "+err.Error())
		return
	}
	CheckJSON(s, raw, p, e)
}

// CheckJSON checks the JSON value raw against s and adds each violation at its path.
func CheckJSON(s *Schema, raw []byte, p *Path, e *Errors) {
	if s.Typed != nil {
		s.Typed(raw, p, e)
		return
	}
	t := jx.DecodeBytes(raw).Next()
	composed := len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) > 0
	if t == jx.Null && s.Nullable {
		return
	}
	if s.Not != nil && matches(s.Not, raw) {
		e.Add(p, RuleNot, "must not match the schema of not")
	}
	for _, b := range s.AllOf {
		CheckJSON(b, raw, p, e)
	}
	if len(s.OneOf) > 0 {
		s.choose(s.OneOf, RuleOneOf, raw, p, e)
	}
	if len(s.AnyOf) > 0 {
		s.choose(s.AnyOf, RuleAnyOf, raw, p, e)
	}
	if t == jx.Null {
		// A combination may admit null on its own (a nullable branch); OpenAPI 3.0 leaves
		// null to nullable otherwise.
		if !composed {
			e.Add(p, RuleNullable, "must not be null")
		}
		return
	}
	if len(s.Enum) > 0 && !inEnum(s.Enum, raw) {
		e.Add(p, RuleEnum, "must be one of "+enumText(s.Enum))
	}
	if s.Type != "" && !typeFits(s.Type, t, raw) {
		e.Add(p, RuleType, "must be "+article(s.Type)+", got "+kindOf(t, raw))
		return
	}
	switch t {
	case jx.String:
		str, err := jx.DecodeBytes(raw).Str()
		if err != nil {
			return
		}
		if s.MinLength > 0 || s.MaxLength != nil {
			String(e, p, str, s.MinLength, limit(s.MaxLength))
		}
		if s.Pattern != nil {
			Pattern(e, p, str, s.Pattern, s.PatternText)
		}
		if s.Format != "" {
			Format(e, p, str, s.Format)
		}
	case jx.Number:
		s.number(raw, p, e)
	case jx.Array:
		s.array(raw, p, e)
	case jx.Object:
		s.object(raw, p, e)
	}
}

// matches reports whether raw satisfies s, advisory rules aside.
func matches(s *Schema, raw []byte) bool {
	var w Errors
	CheckJSON(s, raw, nil, &w)
	return !w.Enforced()
}

// choose checks a oneOf (rule RuleOneOf: exactly one branch) or an anyOf (at least one). With
// a discriminator, its value picks the one branch that must match. The advisory warnings of
// the matching branch reach e.
func (s *Schema) choose(branches []*Schema, rule string, raw []byte, p *Path, e *Errors) {
	if s.Discriminator != "" && jx.DecodeBytes(raw).Next() == jx.Object {
		i, ok := s.discriminate(raw, p, e)
		if !ok {
			return
		}
		// The named branch is the only candidate: its violations are the value's own.
		CheckJSON(branches[i], raw, p, e)
		return
	}
	matched := 0
	var first Errors
	for _, b := range branches {
		var w Errors
		CheckJSON(b, raw, p, &w)
		if !w.Enforced() {
			if matched == 0 {
				first = w
			}
			matched++
			if rule == RuleAnyOf {
				break
			}
		}
	}
	switch {
	case matched == 1 || (matched > 1 && rule == RuleAnyOf):
		*e = append(*e, first...)
	case rule == RuleAnyOf:
		e.Add(p, RuleAnyOf, "must match at least one of: "+strings.Join(s.Names, ", "))
	case matched == 0:
		e.Add(p, RuleOneOf, "must match exactly one of: "+strings.Join(s.Names, ", "))
	default:
		e.Add(p, RuleOneOf, "must match exactly one of: "+strings.Join(s.Names, ", ")+"; it matches "+strconv.Itoa(matched))
	}
}

// discriminate returns the branch the discriminator member names, or records why there is none.
func (s *Schema) discriminate(raw []byte, p *Path, e *Errors) (int, bool) {
	q := p.Key(s.Discriminator)
	d := jx.DecodeBytes(raw)
	var value []byte
	found := false
	_ = d.ObjBytes(func(d *jx.Decoder, key []byte) error {
		if string(key) == s.Discriminator && !found {
			found = true
			v, err := d.Raw()
			value = v
			return err
		}
		return d.Skip()
	})
	if !found {
		e.Add(&q, RuleRequired, "is required")
		return 0, false
	}
	vd := jx.DecodeBytes(value)
	if vd.Next() != jx.String {
		e.Add(&q, RuleDiscriminator, "must be a string naming the kind")
		return 0, false
	}
	name, err := vd.Str()
	if err != nil {
		return 0, false
	}
	i, ok := s.Mapping[name]
	if !ok {
		known := make([]string, 0, len(s.Mapping))
		for k := range s.Mapping {
			known = append(known, k)
		}
		sort.Strings(known)
		e.Add(&q, RuleDiscriminator, "unknown kind "+strconv.Quote(name)+"; must be one of "+strings.Join(known, ", "))
		return 0, false
	}
	return i, true
}

func (s *Schema) number(raw []byte, p *Path, e *Errors) {
	n, err := jx.DecodeBytes(raw).Num()
	if err != nil {
		return
	}
	v, err := strconv.ParseFloat(n.String(), 64)
	if err != nil {
		return
	}
	if s.Type == "integer" && s.Bits == 32 && (v < math.MinInt32 || v > math.MaxInt32) {
		e.Add(p, RuleType, "must be a 32-bit integer, got "+n.String())
	}
	text := strconv.FormatFloat
	if s.Min != nil && (v < *s.Min || s.ExclusiveMin && v == *s.Min) {
		e.Add(p, RuleMinimum, "must be "+pick(s.ExclusiveMin, "greater than ", "at least ")+text(*s.Min, 'g', -1, 64)+", got "+n.String())
	}
	if s.Max != nil && (v > *s.Max || s.ExclusiveMax && v == *s.Max) {
		e.Add(p, RuleMaximum, "must be "+pick(s.ExclusiveMax, "less than ", "at most ")+text(*s.Max, 'g', -1, 64)+", got "+n.String())
	}
	if m := s.MultipleOf; m > 0 {
		MultipleOf(e, p, v, m) // the typed checks' rule, so that both reach one verdict
	}
}

func pick(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

func (s *Schema) array(raw []byte, p *Path, e *Errors) {
	var items [][]byte
	if err := jx.DecodeBytes(raw).Arr(func(d *jx.Decoder) error {
		v, err := d.Raw()
		items = append(items, v)
		return err
	}); err != nil {
		return
	}
	if s.MinItems > 0 || s.MaxItems != nil {
		Items(e, p, len(items), s.MinItems, limit(s.MaxItems))
	}
	if s.UniqueItems {
	unique:
		for i := range items {
			for j := 0; j < i; j++ {
				if equalJSON(items[i], items[j]) {
					e.Add(p, RuleUniqueItems, "items "+strconv.Itoa(j)+" and "+strconv.Itoa(i)+" are equal")
					break unique
				}
			}
		}
	}
	if s.Items != nil {
		for i, it := range items {
			q := p.Index(i)
			CheckJSON(s.Items, it, &q, e)
		}
	}
}

func (s *Schema) object(raw []byte, p *Path, e *Errors) {
	type member struct {
		key string
		raw []byte
	}
	var members []member
	if err := jx.DecodeBytes(raw).ObjBytes(func(d *jx.Decoder, key []byte) error {
		v, err := d.Raw()
		members = append(members, member{string(key), v})
		return err
	}); err != nil {
		return
	}
	for _, name := range s.Required {
		found := false
		for _, m := range members {
			found = found || m.key == name
		}
		if !found {
			q := p.Key(name)
			e.Add(&q, RuleRequired, "is required")
		}
	}
	Props(e, p, len(members), s.MinProps, limit(s.MaxProps))
	for _, m := range members {
		q := p.Key(m.key)
		switch ps, ok := s.Properties[m.key]; {
		case ok:
			CheckJSON(ps, m.raw, &q, e)
		case s.NoAdditional:
			Undeclared(e, p, m.key)
		case s.Additional != nil:
			CheckJSON(s.Additional, m.raw, &q, e)
		}
	}
}

// typeFits reports whether a JSON value of kind t (raw) has the schema type want. An integer
// is written without a fraction or an exponent, as DecodeInt reads it.
func typeFits(want string, t jx.Type, raw []byte) bool {
	switch want {
	case "string":
		return t == jx.String
	case "boolean":
		return t == jx.Bool
	case "array":
		return t == jx.Array
	case "object":
		return t == jx.Object
	case "number":
		return t == jx.Number
	case "integer":
		if t != jx.Number {
			return false
		}
		n, err := jx.DecodeBytes(raw).Num()
		if err != nil || strings.ContainsAny(n.String(), ".eE") {
			return false
		}
		_, err = n.Int64()
		return err == nil
	}
	return true
}

func kindOf(t jx.Type, raw []byte) string {
	if t == jx.Number && !typeFits("integer", t, raw) {
		return "a number with a fraction or exponent"
	}
	return Kind(t)
}

func article(typ string) string {
	switch typ {
	case "integer", "array", "object":
		return "an " + typ
	}
	return "a " + typ
}

// inEnum reports whether raw equals one of the listed values (numbers compare by value).
func inEnum(values []any, raw []byte) bool {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return false
	}
	for _, x := range values {
		if x == v {
			return true
		}
	}
	return false
}

func enumText(values []any) string {
	parts := make([]string, len(values))
	for i, v := range values {
		b, _ := json.Marshal(v)
		parts[i] = string(b)
	}
	return strings.Join(parts, ", ")
}

// equalJSON compares two JSON values by meaning: member order and number spelling aside.
func equalJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// Typed checks a JSON value with the generated type PT: its strict decoder and validators.
func Typed[T any, PT interface {
	*T
	Type
}](raw []byte, p *Path, e *Errors) {
	var v T
	if err := PT(&v).DecodeJX(jx.DecodeBytes(raw), p, e); err != nil {
		e.Add(p, RuleType, "malformed JSON: "+err.Error())
		return
	}
	PT(&v).ValidateAt(p, e)
}
