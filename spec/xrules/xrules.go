// Package xrules is the one home of the spec's x- rule model: the rules that OpenAPI 3.0 cannot
// state, written as the x- extensions that spec/README.md defines.
//
// It holds the typed model of every extension, decodes it from a kin-openapi schema, checks
// it against that schema (known extensions only, well-formed values, named properties exist),
// and lists the rule names the generated validation runtime reports. The generator, the
// linter, the case derivation and the emulator all read the extensions through it; each
// keeps its own use of the rules (generated code, findings, an independent evaluator).
package xrules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// The extension names, as they appear in a spec and as the validators report them.
const (
	RequiredIf      = "x-required-if"
	ForbiddenIf     = "x-forbidden-if"
	ForbiddenValues = "x-forbidden-values"
	ForbiddenChars  = "x-forbidden-chars"
	IntegerString   = "x-integer-string"
	EnumCI          = "x-enum-ci"
	PrefixTag       = "x-prefix-tag"
	References      = "x-references"
	PathParams      = "x-path-params"

	// Advisory and Coerce grade and qualify the other rules of a schema; they are no rules of
	// their own.
	Advisory = "x-advisory"
	Coerce   = "x-coerce"

	// AlwaysReturned states what an answer holds, for the conformance suite; requests are not
	// checked against it.
	AlwaysReturned = "x-always-returned"
)

// Extension describes one defined extension.
type Extension struct {
	Name string
	// Runtime is the name of the constant of the generated validation runtime
	// (generated/validation) whose value is Name; generated code reports the rule with it.
	Runtime string
	// On is the kind of schema the extension stands on: "object", "string" or "array".
	On string
	// Shape is the value's form, for messages.
	Shape string
}

// Extensions lists every defined extension, in the order spec/README.md defines them. Adding
// one means a row here, a field of Rules with its decoding and check below, and then its
// generator template, derive handler and lint rule (spec/README.md walks through it).
var Extensions = []Extension{
	{RequiredIf, "RuleRequiredIf", "object", "a list of {field, when}"},
	{ForbiddenIf, "RuleForbiddenIf", "object", "a list of {field, when}"},
	{ForbiddenValues, "RuleForbiddenValues", "object", "a list of {properties, field, message}"},
	{ForbiddenChars, "RuleForbiddenChars", "string", "a non-empty string"},
	{IntegerString, "RuleIntegerString", "string", "{minimum, maximum}"},
	{EnumCI, "RuleEnumCI", "string", "a list of strings"},
	{PrefixTag, "RulePrefixTag", "array", "{prefix, max}"},
	{References, "RuleReferences", "object", "a list of {items, when, value, target, name}"},
	{PathParams, "RulePathParams", "object", "{uri, params, name, location, value}"},
}

// Modifiers lists the extensions that qualify rules, or describe answers, rather than state
// rules a request must follow: the generated validators emit no check for them.
var Modifiers = []Extension{
	{Advisory, "", "any", "a map from a rule of this schema to the ledger entry that downgrades it"},
	{Coerce, "", "integer", "{out_of_range: default}"},
	{AlwaysReturned, "", "object", "a list of property names"},
}

// Names lists the extension names, in the order of Extensions.
func Names() []string {
	out := make([]string, len(Extensions))
	for i, e := range Extensions {
		out[i] = e.Name
	}
	return out
}

// Lookup returns the extension called name.
func Lookup(name string) (Extension, bool) {
	for _, e := range append(Extensions[:len(Extensions):len(Extensions)], Modifiers...) {
		if e.Name == name {
			return e, true
		}
	}
	return Extension{}, false
}

// Foreign reports whether name is an extension that other tools own and this model leaves
// alone: oapi-codegen's (x-go-*, x-oapi-codegen-*, x-order).
func Foreign(name string) bool {
	return name == "x-order" || strings.HasPrefix(name, "x-go-") || strings.HasPrefix(name, "x-oapi-codegen-")
}

// Condition is a `when`: exactly one of In, NotIn, Present and Filled is set.
type Condition struct {
	Property string `json:"property"`
	In       []any  `json:"in,omitempty"`
	NotIn    []any  `json:"not_in,omitempty"`
	Present  *bool  `json:"present,omitempty"`
	// Filled: true holds when the property is present and not the empty string; false when it
	// is absent or empty. It is for fields the service itself fills with "" to mean "none".
	Filled *bool `json:"filled,omitempty"`
}

// FieldRule is one entry of x-required-if or x-forbidden-if.
type FieldRule struct {
	Field string    `json:"field"`
	When  Condition `json:"when"`
	Graded
}

// Graded is embedded in every entry of a list rule: Advisory, when set, names the ledger
// entry that downgrades the entry to advisory.
type Graded struct {
	Advisory string `json:"advisory,omitempty"`
}

// ForbiddenValue is one entry of x-forbidden-values: the object is rejected when every listed
// property has one of its values. Field, when set, is where the violation is reported.
type ForbiddenValue struct {
	Properties map[string][]any `json:"properties"`
	Field      string           `json:"field,omitempty"`
	Message    string           `json:"message"`
	Graded
}

// Range is the value of x-integer-string: a closed range of base-10 integers.
type Range struct {
	Minimum int64 `json:"minimum"`
	Maximum int64 `json:"maximum"`
}

// Tag is the value of x-prefix-tag: at most Max items start with Prefix.
type Tag struct {
	Prefix string `json:"prefix"`
	Max    int    `json:"max"`
}

// Reference is one entry of x-references.
type Reference struct {
	Items  string     `json:"items"`
	When   *Condition `json:"when,omitempty"`
	Value  string     `json:"value"`
	Target string     `json:"target"`
	Name   string     `json:"name"`
	Graded
}

// Steps splits Items into its property names (`a[].b` gives a, b).
func (r Reference) Steps() []string {
	steps := strings.Split(r.Items, ".")
	for i, s := range steps {
		steps[i] = strings.TrimSuffix(s, "[]")
	}
	return steps
}

// Params is the value of x-path-params. Name defaults to "name".
type Params struct {
	URI      string `json:"uri"`
	Params   string `json:"params"`
	Name     string `json:"name,omitempty"`
	Location string `json:"location"`
	Value    string `json:"value"`
}

// Rules are the x- rules of one schema, decoded. A zero field means the extension is absent.
type Rules struct {
	RequiredIf      []FieldRule
	ForbiddenIf     []FieldRule
	ForbiddenValues []ForbiddenValue
	ForbiddenChars  string
	IntegerString   *Range
	EnumCI          []string
	PrefixTag       *Tag
	References      []Reference
	PathParams      *Params

	// Advisory maps a rule of this schema (a keyword such as maximum or pattern, or a
	// single-valued extension such as x-forbidden-chars) to the ledger entry that downgrades
	// it. List rules are graded entry by entry instead (Graded).
	Advisory map[string]string
	// Coerce, when set, says what the service does with a value outside minimum..maximum.
	Coerce *Coercion
	// AlwaysReturned lists the members that every answer with this (response) schema holds.
	AlwaysReturned []string
}

// Coercion is the value of x-coerce.
type Coercion struct {
	// OutOfRange is "default": a value outside minimum..maximum is replaced by the schema's
	// default, as a page documents.
	OutOfRange string `json:"out_of_range"`
}

// Ledgers lists the ledger entries that downgrade rules of this schema, sorted, each once.
func (r *Rules) Ledgers() []string {
	var ids []string
	for _, id := range r.Advisory {
		ids = append(ids, id)
	}
	for _, fr := range append(r.RequiredIf[:len(r.RequiredIf):len(r.RequiredIf)], r.ForbiddenIf...) {
		ids = append(ids, fr.Advisory)
	}
	for _, fv := range r.ForbiddenValues {
		ids = append(ids, fv.Advisory)
	}
	for _, ref := range r.References {
		ids = append(ids, ref.Advisory)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) > 0 && ids[0] == "" {
		ids = ids[1:]
	}
	return ids
}

// AdvisoryOf returns the ledger entry that downgrades rule on this schema, or "" when the
// rule is enforced.
func (r *Rules) AdvisoryOf(rule string) string { return r.Advisory[rule] }

// EnumCIValues returns EnumCI as JSON values.
func (r *Rules) EnumCIValues() []any {
	if len(r.EnumCI) == 0 {
		return nil
	}
	out := make([]any, len(r.EnumCI))
	for i, v := range r.EnumCI {
		out[i] = v
	}
	return out
}

// Problem is one thing wrong with an extension of a schema.
type Problem struct {
	Extension string // the extension's name, the key under which it stands in the schema
	Message   string
}

func (p Problem) Error() string { return p.Extension + ": " + p.Message }

// Parse decodes every x- extension of s and checks it against s. Problems are listed in the
// order of the extensions' names; what could be decoded is returned with them.
func Parse(s *openapi3.Schema) (*Rules, []Problem) {
	r := &Rules{}
	if s == nil {
		return r, nil
	}
	var probs []Problem
	names := make([]string, 0, len(s.Extensions))
	for name := range s.Extensions {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		p := parser{s: s, name: name}
		p.parse(r, s.Extensions[name])
		probs = append(probs, p.probs...)
	}
	return r, probs
}

// Check lists the problems of the extensions of s.
func Check(s *openapi3.Schema) []Problem {
	_, probs := Parse(s)
	return probs
}

var cache sync.Map // *openapi3.Schema -> *Rules

// Of returns the rules of s, decoded once per schema. It is for consumers of specs that the
// linter and the generator have accepted: what has problems is left out.
func Of(s *openapi3.Schema) *Rules {
	if s == nil {
		return &Rules{}
	}
	if r, ok := cache.Load(s); ok {
		return r.(*Rules)
	}
	r, _ := Parse(s)
	cache.Store(s, r)
	return r
}

// parser decodes and checks one extension of one schema.
type parser struct {
	s     *openapi3.Schema
	name  string
	probs []Problem
}

func (p *parser) bad(format string, args ...any) {
	p.probs = append(p.probs, Problem{p.name, fmt.Sprintf(format, args...)})
}

// decode decodes raw into out, refusing unknown members.
func (p *parser) decode(raw, out any) bool {
	data, err := json.Marshal(raw)
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		err = dec.Decode(out)
	}
	if err != nil {
		e, _ := Lookup(p.name)
		p.bad("want %s: %v", e.Shape, err)
		return false
	}
	return true
}

// has reports whether the schema has property name, and complains when it has not.
func (p *parser) has(name, role string) bool {
	if p.s.Properties[name] == nil {
		p.bad("%s %q is not a property of this schema", role, name)
		return false
	}
	return true
}

func (p *parser) isType(t string) bool { return p.s.Type != nil && p.s.Type.Is(t) }

func (p *parser) parse(r *Rules, raw any) {
	switch p.name {
	case RequiredIf, ForbiddenIf:
		var rs []FieldRule
		if !p.decode(raw, &rs) {
			return
		}
		for _, fr := range rs {
			p.has(fr.Field, "field")
			p.condition(p.s, fr.When, "when.property")
			p.graded(fr.Graded)
		}
		if p.name == RequiredIf {
			r.RequiredIf = rs
		} else {
			r.ForbiddenIf = rs
		}
	case ForbiddenValues:
		var fvs []ForbiddenValue
		if !p.decode(raw, &fvs) {
			return
		}
		for _, fv := range fvs {
			for _, name := range sortedKeys(fv.Properties) {
				p.has(name, "properties")
			}
			if fv.Field != "" {
				p.has(fv.Field, "field")
			}
			if len(fv.Properties) == 0 || fv.Message == "" {
				p.bad("needs properties and a message")
			}
			p.graded(fv.Graded)
		}
		r.ForbiddenValues = fvs
	case PathParams:
		pp := Params{Name: "name"}
		if !p.decode(raw, &pp) {
			return
		}
		p.has(pp.URI, "uri")
		if p.has(pp.Params, "params") {
			item := itemsOf(p.s, pp.Params)
			if item == nil {
				p.bad("params %q is not an array", pp.Params)
				return
			}
			for _, f := range []string{pp.Name, pp.Location} {
				if item.Properties[f] == nil {
					p.bad("the items of %q have no property %q", pp.Params, f)
				}
			}
		}
		r.PathParams = &pp
	case References:
		var refs []Reference
		if !p.decode(raw, &refs) {
			return
		}
		for _, ref := range refs {
			p.reference(ref)
			p.graded(ref.Graded)
		}
		r.References = refs
	case ForbiddenChars:
		if str, ok := raw.(string); !ok || str == "" || !p.isType("string") {
			p.bad("want a non-empty string on a string schema")
			return
		}
		r.ForbiddenChars = raw.(string)
	case IntegerString:
		var rg struct{ Minimum, Maximum *int64 }
		if !p.decode(raw, &rg) {
			return
		}
		if rg.Minimum == nil || rg.Maximum == nil || !p.isType("string") {
			p.bad("want {minimum, maximum} on a string schema")
			return
		}
		r.IntegerString = &Range{*rg.Minimum, *rg.Maximum}
	case EnumCI:
		var vs []string
		if !p.decode(raw, &vs) {
			return
		}
		if len(vs) == 0 || !p.isType("string") || len(p.s.Enum) > 0 || p.s.Pattern == "" {
			p.bad("want a list of strings on a string schema with a pattern and no enum")
			return
		}
		r.EnumCI = vs
	case PrefixTag:
		var pt struct {
			Prefix *string `json:"prefix"`
			Max    *int    `json:"max"`
		}
		if !p.decode(raw, &pt) {
			return
		}
		if pt.Prefix == nil || pt.Max == nil || !p.isType("array") {
			p.bad("want {prefix, max} on an array schema")
			return
		}
		r.PrefixTag = &Tag{*pt.Prefix, *pt.Max}
	case Advisory:
		var m map[string]string
		if !p.decode(raw, &m) {
			return
		}
		for _, rule := range sortedKeys(m) {
			p.ledgerID(m[rule])
			if !HasRule(p.s, rule) {
				p.bad("%q is not a rule of this schema that can be graded", rule)
			}
		}
		r.Advisory = m
	case Coerce:
		var c Coercion
		if !p.decode(raw, &c) {
			return
		}
		if c.OutOfRange != "default" {
			p.bad("out_of_range must be \"default\"")
		}
		if p.s.Default == nil || (p.s.Min == nil && p.s.Max == nil) || !(p.isType("integer") || p.isType("number")) {
			p.bad("needs a number schema with a default and a minimum or maximum")
		}
		// A replaced value was accepted, so the bounds it replaces cannot be enforced.
		for rule, set := range map[string]bool{"minimum": p.s.Min != nil, "maximum": p.s.Max != nil} {
			if set && r.Advisory[rule] == "" {
				p.bad("%s must be advisory (x-advisory) where out-of-range values are replaced", rule)
			}
		}
		r.Coerce = &c
	case AlwaysReturned:
		var names []string
		if !p.decode(raw, &names) {
			return
		}
		if len(names) == 0 || !p.isType("object") {
			p.bad("want a non-empty list of property names on an object schema")
			return
		}
		for _, n := range names {
			p.has(n, "member")
		}
		r.AlwaysReturned = names
	default:
		if !Foreign(p.name) {
			p.bad("not a defined extension (spec/README.md)")
		}
	}
}

// ledgerID checks the form of a ledger entry id; the linter checks that the entry exists.
func (p *parser) ledgerID(id string) {
	if !ledgerIDPattern.MatchString(id) {
		p.bad("%q is not a ledger entry id (ROMA-nnn, APIG-nnn)", id)
	}
}

var ledgerIDPattern = regexp.MustCompile(`^[A-Z]+-[0-9]{3}$`)

// Gradable lists the schema keywords x-advisory may downgrade. The rest (type, nullable,
// oneOf, required) are the document's shape, which the service cannot be lenient about
// without the clients misreading its answers.
var Gradable = []string{"minLength", "maxLength", "minimum", "maximum", "pattern", "enum", "minItems", "maxItems"}

// HasRule reports whether rule, a gradable keyword (Gradable) or a single-valued extension,
// is set on s.
func HasRule(s *openapi3.Schema, rule string) bool {
	switch rule {
	case "minLength":
		return s.MinLength > 0
	case "maxLength":
		return s.MaxLength != nil
	case "minimum":
		return s.Min != nil
	case "maximum":
		return s.Max != nil
	case "pattern":
		return s.Pattern != ""
	case "enum":
		return len(s.Enum) > 0
	case "minItems":
		return s.MinItems > 0
	case "maxItems":
		return s.MaxItems != nil
	case ForbiddenChars, IntegerString, EnumCI, PrefixTag:
		return s.Extensions[rule] != nil
	}
	return false
}

// condition checks a `when` evaluated on an object of schema on.
func (p *parser) condition(on *openapi3.Schema, c Condition, role string) {
	if on.Properties[c.Property] == nil {
		p.bad("%s %q is not a property of this schema", role, c.Property)
	}
	p.exactlyOne(c)
}

func (p *parser) graded(g Graded) {
	if g.Advisory != "" {
		p.ledgerID(g.Advisory)
	}
}

// exactlyOne checks that a condition tests one thing.
func (p *parser) exactlyOne(c Condition) {
	n := 0
	for _, set := range []bool{c.In != nil, c.NotIn != nil, c.Present != nil, c.Filled != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		p.bad("when needs exactly one of in, not_in, present, filled")
	}
}

func (p *parser) reference(ref Reference) {
	if t := itemsOf(p.s, ref.Target); t == nil || t.Properties[ref.Name] == nil {
		p.bad("target %q is not an array of objects with a property %q", ref.Target, ref.Name)
	}
	cur := p.s
	steps := strings.Split(ref.Items, ".")
	for i, step := range steps {
		if i < len(steps)-1 && !strings.HasSuffix(step, "[]") {
			p.bad("items %q: only the last step may omit []", ref.Items)
			return
		}
		if cur = itemsOf(cur, strings.TrimSuffix(step, "[]")); cur == nil {
			p.bad("items %q: %q is not an array of objects", ref.Items, step)
			return
		}
	}
	if cur.Properties[ref.Value] == nil {
		p.bad("the items of %q have no property %q", ref.Items, ref.Value)
	}
	if ref.When != nil {
		if cur.Properties[ref.When.Property] == nil {
			p.bad("the items of %q have no property %q (when.property)", ref.Items, ref.When.Property)
		}
		p.exactlyOne(*ref.When)
	}
}

// itemsOf returns the item schema of the array property name of s, or nil.
func itemsOf(s *openapi3.Schema, name string) *openapi3.Schema {
	if p := s.Properties[name]; p != nil && p.Value != nil && p.Value.Items != nil {
		return p.Value.Items.Value
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
