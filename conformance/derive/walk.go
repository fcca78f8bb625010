// Package derive derives conformance test cases from a spec at run time. For every constraint
// of a request body schema it mutates a documented request example into boundary values that
// must pass and violations that must fail, so that a new field or rule in a spec gets its cases
// without anyone writing them.
//
// Every case is confirmed before it is returned: kin-openapi (the independent oracle for the
// standard keywords) and CheckX (for the spec's x- extensions) must give the expected verdict
// for the expected reason. A constraint for which no such document can be built becomes a Gap.
//
// This file walks the example and the schema together and synthesizes valid values; rules.go
// holds one small handler per rule; xcheck.go evaluates the x- extensions.
package derive

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"regexp/syntax"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apiclab/apic/spec/xrules"
)

// Case is one document to judge.
type Case struct {
	ID        string // "<operationId>/<example>/<json.path>/<rule>/<variant>" ("$" for the root path)
	Operation string // operationId
	Example   string // name of the documented example the case starts from
	Schema    string // component schema name of the request body (from its $ref)
	Path      string // JSON path of the mutated place, in the validators' form; "" for the root
	Rule      string // the rule's name as the validators name it
	Variant   string // "at-max", "over", "missing", "lowercase", ...
	Valid     bool   // the expected verdict, by the pages' letter
	// Advisory, on an invalid case, names the ledger entry that downgrades the broken rule: the
	// letter rejects the document, but the service accepts it, and validators that grade
	// rules accept it with a warning.
	Advisory string
	Oracle   bool // true when kin-openapi can judge the rule
	Body     any  // the mutated document, a deep copy
}

// Gap is a constraint for which no case could be derived, and why.
type Gap struct {
	Operation, Schema, Path, Rule, Reason string
}

// Derive returns the cases for every operation of doc that has a JSON request body with a $ref
// schema and named examples, in a deterministic order (operationId, example name, schema walk).
func Derive(doc *openapi3.T) ([]Case, []Gap) { return DeriveWith(doc, Options{}) }

// Options tune Derive.
type Options struct {
	// Skip names documented examples that are not to be used as a base, such as the ones a
	// ledger records as breaking a kept rule ("<operationId>/request/<name>").
	Skip func(ref string) bool
}

// DeriveWith is Derive with options.
func DeriveWith(doc *openapi3.T, opts Options) ([]Case, []Gap) {
	type target struct {
		op     *openapi3.Operation
		schema *openapi3.SchemaRef
		exs    openapi3.Examples
	}
	var targets []target
	if doc.Paths != nil {
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				if op.RequestBody == nil || op.RequestBody.Value == nil {
					continue
				}
				mt := jsonMedia(op.RequestBody.Value.Content)
				if mt == nil || mt.Schema == nil || mt.Schema.Ref == "" || mt.Schema.Value == nil || len(mt.Examples) == 0 {
					continue
				}
				targets = append(targets, target{op, mt.Schema, mt.Examples})
			}
		}
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].op.OperationID < targets[j].op.OperationID })

	// Each example of each operation is derived on its own goroutine (the schemas are only
	// read); the results are merged in the deterministic order of the loop.
	type work struct {
		t    target
		name string
	}
	var todo []work
	for _, t := range targets {
		for _, name := range sortedKeys(t.exs) {
			ex := t.exs[name]
			if ex == nil || ex.Value == nil || (opts.Skip != nil && opts.Skip(t.op.OperationID+"/request/"+name)) {
				continue
			}
			todo = append(todo, work{t, name})
		}
	}
	done := make([]*deriver, len(todo))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, w := range todo {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			d := &deriver{
				op:      w.t.op.OperationID,
				example: w.name,
				schema:  w.t.schema.Ref[strings.LastIndex(w.t.schema.Ref, "/")+1:],
				root:    w.t.schema.Value,
			}
			base := normalize(w.t.exs[w.name].Value.Value)
			if err := d.clean(base); err != nil {
				d.gap(nil, "", "the example itself is not valid: "+err.Error())
			} else {
				d.site(&site{schema: d.root, base: base})
			}
			done[i] = d
		}()
	}
	wg.Wait()
	var cases []Case
	var gaps []Gap
	seen := map[string]int{}
	for _, d := range done {
		for _, c := range d.cases {
			// Two rules of one kind on one place (e.g. two x-required-if for one field)
			// would give the same ID; number the later ones so IDs stay unique and stable.
			if n := seen[c.ID]; n > 0 && structural(c.Rule) {
				continue // a member that two allOf branches declare has one shape to break
			} else if n > 0 {
				c.ID += "#" + strconv.Itoa(n+1)
			}
			seen[c.ID]++
			cases = append(cases, c)
		}
		gaps = append(gaps, d.gaps...)
	}
	return cases, gaps
}

func jsonMedia(content openapi3.Content) *openapi3.MediaType {
	if mt := content.Get("application/json"); mt != nil {
		return mt
	}
	for _, k := range sortedKeys(content) {
		if strings.Contains(k, "json") {
			return content[k]
		}
	}
	return nil
}

// deriver derives the cases of one example of one operation.
type deriver struct {
	op, example, schema string
	root                *openapi3.Schema
	cases               []Case
	gaps                []Gap
	pending             []Gap // gaps of an array's element [0], which later elements may fill
	walking             map[*openapi3.Schema]bool
}

// site is one place of the document: the root, an object property or an array element.
type site struct {
	path     path
	schema   *openapi3.Schema // the schema of the value here (the chosen branch inside a oneOf)
	required bool             // required by the parent object
	branch   bool             // the value is checked by a oneOf branch: validators report "oneOf"
	part     bool             // the schema is an allOf branch or a discriminated branch of the value's schema
	base     any              // a valid document in which this place has a value
	baseErr  error            // why no such document could be built
}

func (s *site) value() any { v, _ := get(s.base, s.path); return v }

// site derives the cases of every rule at s, then walks into its members and items.
func (d *deriver) site(s *site) {
	for _, r := range rules {
		if !r.applies(s) {
			continue
		}
		if s.baseErr != nil {
			d.gap(s.path, r.name, s.baseErr.Error())
			continue
		}
		muts, err := r.derive(d, s)
		if err != nil {
			d.gap(s.path, r.name, err.Error())
		}
		for _, m := range muts {
			d.emit(s, r, m)
		}
	}
	if s.baseErr != nil || s.branch {
		return
	}
	sc := s.schema
	for _, p := range parts(sc) {
		d.site(&site{path: s.path, schema: p, required: s.required, part: true, base: s.base})
	}
	// A schema that contains itself through $ref (a tree) is walked at its first level only.
	if d.walking[sc] {
		return
	}
	if d.walking == nil {
		d.walking = map[*openapi3.Schema]bool{}
	}
	d.walking[sc] = true
	defer delete(d.walking, sc)
	switch v := s.value().(type) {
	case map[string]any:
		for _, name := range sortedKeys(sc.Properties) {
			ps := sc.Properties[name].Value
			if ps != nil && ps.ReadOnly {
				continue // a request cannot send it: the readOnly rule's case
			}
			child := &site{path: s.path.key(name), schema: ps, required: contains(sc.Required, name)}
			child.base, child.baseErr = d.ensure(s.base, child.path, ps)
			d.site(child)
		}
		if child := d.memberSite(s, v); child != nil {
			d.site(child)
		}
	case []any:
		if sc.Items == nil || sc.Items.Value == nil {
			return
		}
		// Element [0] stands for every element; an empty array gets one synthesized item.
		// A rule that cannot be exercised on [0] (changing it would break a rule elsewhere,
		// such as the one PATH parameter that the URI needs) is tried on the next elements,
		// which add only the cases [0] could not give.
		d.element(s, sc, 0, nil)
		missing := d.pending
		d.pending = nil
		for i := 1; i < len(v) && len(missing) > 0; i++ {
			missing = d.element(s, sc, i, missing)
		}
		for _, g := range missing {
			d.gaps = append(d.gaps, g)
		}
	default:
		if len(sc.OneOf) == 0 {
			return
		}
		// Inside a oneOf only the branch that accepts the current value is walked.
		for _, b := range sc.OneOf {
			if b.Value != nil && kindFits(b.Value, v) {
				d.site(&site{path: s.path, schema: b.Value, branch: true, base: s.base})
				return
			}
		}
	}
}

// element derives the cases of array element i of s. With want nil it keeps every case and
// leaves its gaps in d.pending; otherwise it keeps only the cases that fill a gap of want (by
// rule and path with the index left out) and returns the gaps still open.
func (d *deriver) element(s *site, sc *openapi3.Schema, i int, want []Gap) []Gap {
	sub := &deriver{op: d.op, example: d.example, schema: d.schema, root: d.root, walking: d.walking}
	child := &site{path: s.path.index(i), schema: sc.Items.Value}
	child.base, child.baseErr = sub.ensure(s.base, child.path, child.schema)
	sub.site(child)
	prefix := s.path.index(i).String()
	key := func(p, rule string) string { return strings.TrimPrefix(p, prefix) + " " + rule }
	if want == nil {
		d.cases = append(d.cases, sub.cases...)
		d.pending = append(d.pending, sub.gaps...)
		return nil
	}
	open := map[string]bool{}
	for _, g := range want {
		open[key(strings.Replace(g.Path, s.path.index(0).String(), prefix, 1), g.Rule)] = true
	}
	filled := map[string]bool{}
	for _, c := range sub.cases {
		if k := key(c.Path, c.Rule); open[k] {
			d.cases = append(d.cases, c)
			filled[k] = true
		}
	}
	var still []Gap
	for _, g := range want {
		if !filled[key(strings.Replace(g.Path, s.path.index(0).String(), prefix, 1), g.Rule)] {
			still = append(still, g)
		}
	}
	return still
}

// emit confirms a mutation and records it as a case, or records a gap when no candidate body
// gets the expected verdict for the expected reason.
func (d *deriver) emit(s *site, r rule, m mut) {
	at := s.path
	if m.at != nil {
		at = m.at
	}
	c := Case{
		Operation: d.op, Example: d.example, Schema: d.schema,
		Path: at.String(), Rule: r.name, Variant: m.variant, Valid: m.valid, Oracle: r.oracle,
	}
	if !m.valid {
		c.Advisory = m.advisory
		if c.Advisory == "" {
			c.Advisory = xrules.Of(s.schema).AdvisoryOf(r.name)
		}
	}
	// Validators report every failure inside a oneOf, and a wrong type or null of a oneOf
	// value, as the oneOf rule; the inner rule stays visible in the variant.
	if s.branch || (len(s.schema.OneOf) > 0 && s.schema.Type == nil && (r.name == "type" || r.name == "nullable")) {
		c.Rule, c.Variant = "oneOf", r.name+"-"+m.variant
	}
	if len(s.schema.AnyOf) > 0 && s.schema.Type == nil && (r.name == "type" || r.name == "nullable") {
		c.Rule, c.Variant = "anyOf", r.name+"-"+m.variant
	}
	var why error
	for _, lenient := range []bool{false, true} {
		for _, body := range m.bodies {
			// A changed value may switch on a conditional rule elsewhere (an enum value that
			// makes another member required): complete the document, keeping the change.
			if fixed := d.repair(body, at, c.Rule); reflect.DeepEqual(mustGet(body, at), mustGet(fixed, at)) {
				body = fixed
			}
			if err := d.confirm(&c, at, body, lenient); err != nil {
				if !lenient {
					why = err // the strict reason is the clearer one
				}
				continue
			}
			c.Body = body
			c.ID = strings.Join([]string{c.Operation, c.Example, orRoot(c.Path), c.Rule, c.Variant}, "/")
			d.cases = append(d.cases, c)
			return
		}
	}
	if why == nil {
		why = fmt.Errorf("no candidate value%s", m.none)
	}
	d.gap(at, c.Rule, m.variant+": "+why.Error())
}

func (d *deriver) gap(p path, rule, reason string) {
	d.gaps = append(d.gaps, Gap{Operation: d.op, Schema: d.schema, Path: p.String(), Rule: rule, Reason: d.example + ": " + reason})
}

// confirm checks that body gets c's verdict, and when invalid, for c's rule alone: an invalid
// case that breaks a second rule would not show that the first one is enforced. Leniently, it
// accepts a pattern that restates a string x- rule (as x-enum-ci's pattern does): both break
// together, and kin-openapi then judges the x- rule through the pattern. It also accepts a
// pattern that restates the length bounds.
func (d *deriver) confirm(c *Case, at path, body any, lenient bool) error {
	kin, xs := d.judge(body)
	restated := func(e *openapi3.SchemaError) bool {
		return lenient && e.SchemaField == "pattern" && strings.Join(e.JSONPointer(), "/") == at.pointer()
	}
	switch {
	case c.Valid:
		if len(kin) > 0 || len(xs) > 0 {
			return fmt.Errorf("expected valid, got %s", describe(kin, xs))
		}
	case c.Oracle:
		if len(kin) == 0 {
			return fmt.Errorf("kin-openapi accepts it")
		}
		own := 0
		for _, e := range kin {
			switch {
			case e.SchemaField == c.Rule || contains(kinFields[c.Rule], e.SchemaField):
				own++
			case !(restated(e) && (c.Rule == "minLength" || c.Rule == "maxLength")):
				// A pattern that states the lengths itself ({2,63}) breaks with them.
				return fmt.Errorf("expected only %s, got %s", c.Rule, describe(kin, xs))
			}
		}
		if own == 0 {
			return fmt.Errorf("expected %s, got %s", c.Rule, describe(kin, xs))
		}
		for _, x := range xs {
			// A missing, mistyped or null member looks absent to the conditional rules, so
			// they may fire too; value rules must break alone.
			same := x.path.String() == c.Path && (x.rule == c.Rule || lenient && c.Rule == "pattern" && stringX[x.rule])
			if !structural(c.Rule) && !same {
				return fmt.Errorf("also breaks %s", describe(nil, xs))
			}
		}
	default:
		for _, e := range kin {
			if !restated(e) {
				return fmt.Errorf("expected only %s, got %s", c.Rule, describe(kin, xs))
			}
		}
		if len(xs) == 0 {
			return fmt.Errorf("CheckX accepts it")
		}
		for _, x := range xs {
			if x.rule != c.Rule || x.path.String() != c.Path {
				return fmt.Errorf("expected only %s at %q, got %s", c.Rule, c.Path, describe(nil, xs))
			}
		}
		c.Oracle = len(kin) > 0
	}
	return nil
}

// stringX are the x- rules of a single string, which a sibling pattern may restate.
var stringX = map[string]bool{"x-enum-ci": true, "x-forbidden-chars": true, "x-integer-string": true}

// kinFields lists the other keywords kin-openapi may name for a rule.
var kinFields = map[string][]string{
	"x-enum-ci": {"pattern"},          // the schema's pattern states the same enum
	"minimum":   {"exclusiveMinimum"}, // validators name both bounds minimum/maximum
	"maximum":   {"exclusiveMaximum"},
	// kin-openapi reports an undeclared member as a failure of "properties".
	"additionalProperties": {"properties"},
	// kin-openapi checks enum and the combinations (oneOf, anyOf, not) before the type, and
	// stops there for a null.
	"type":     {"enum", "oneOf", "anyOf", "not"},
	"nullable": {"enum", "oneOf", "anyOf", "not"},
	// Without a mapping kin-openapi tries every branch, so an unknown kind breaks the branches.
	"discriminator": {"oneOf", "anyOf"},
}

func structural(rule string) bool { return rule == "required" || rule == "type" || rule == "nullable" }

// judge returns kin-openapi's schema errors and the x- rule violations of doc.
func (d *deriver) judge(doc any) ([]*openapi3.SchemaError, []xViolation) {
	var kin []*openapi3.SchemaError
	var flatten func(error)
	flatten = func(err error) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, x := range e {
				flatten(x)
			}
		case *openapi3.SchemaError:
			kin = append(kin, unwrapAllOf(e)...)
		case nil:
		default:
			kin = append(kin, &openapi3.SchemaError{SchemaField: "?", Reason: e.Error()})
		}
	}
	// Cases are request bodies: readOnly members are refused, writeOnly ones taken.
	flatten(d.root.VisitJSON(doc, openapi3.MultiErrors(), openapi3.VisitAsRequest()))
	return kin, checkX(d.root, doc)
}

// clean returns nil when doc is valid for both kin-openapi and CheckX.
func (d *deriver) clean(doc any) error {
	if kin, xs := d.judge(doc); len(kin) > 0 || len(xs) > 0 {
		return fmt.Errorf("%s", describe(kin, xs))
	}
	return nil
}

func describe(kin []*openapi3.SchemaError, xs []xViolation) string {
	var parts []string
	for _, e := range kin {
		parts = append(parts, fmt.Sprintf("kin %s at /%s (%s)", e.SchemaField, strings.Join(e.JSONPointer(), "/"), e.Reason))
	}
	for _, x := range xs {
		parts = append(parts, fmt.Sprintf("%s at %q (%s)", x.rule, x.path, x.msg))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, "; ")
}

// ensure returns a valid copy of base in which p has a value: base itself when it has one,
// else base with a synthesized value inserted (and conditional rules it triggers satisfied).
func (d *deriver) ensure(base any, p path, s *openapi3.Schema) (any, error) {
	if _, ok := get(base, p); ok {
		return base, nil
	}
	cands := synth(s)
	if len(cands) == 0 {
		return nil, fmt.Errorf("no valid base: cannot synthesize a value for %s", orRoot(p.String()))
	}
	var why error
	for _, v := range cands {
		b := d.repair(with(base, p, v), nil, "")
		if why = d.clean(b); why == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("no valid base: inserting a synthesized %s gives %v", orRoot(p.String()), why)
}

// repair satisfies the conditional x- rules of doc: it synthesizes members that
// x-required-if asks for and removes those that x-forbidden-if forbids, and points an
// x-references value at a declared name (or, at keep, turns the rule's condition off), never
// changing keep itself.
func (d *deriver) repair(doc any, keep path, intended string) any {
	for range 8 {
		changed := false
		for _, x := range checkX(d.root, doc) {
			atKeep := keep != nil && x.path.String() == keep.String()
			switch {
			case atKeep && x.rule == intended:
				// the violation the case is about
			case atKeep && x.rule == "x-references" && x.altPath != nil:
				doc, changed = with(doc, x.altPath, x.alt), true
			case atKeep:
			case x.rule == "x-required-if" && x.field != nil:
				if c := synth(x.field); len(c) > 0 {
					doc, changed = with(doc, x.path, c[0]), true
				}
			case x.rule == "x-forbidden-if":
				doc, changed = without(doc, x.path), true
			case x.rule == "x-references" && x.fix != nil:
				doc, changed = with(doc, x.path, x.fix), true
			case x.rule == "x-references" && x.declarePath != nil:
				doc, changed = with(doc, x.declarePath, x.declare), true
			case x.rule == "x-references" && x.altPath != nil && (keep == nil || x.altPath.String() != keep.String()):
				doc, changed = with(doc, x.altPath, x.alt), true
			}
		}
		if !changed {
			break
		}
	}
	return doc
}

// synth returns candidate valid values for s, best first; none when it cannot make one.
func synth(s *openapi3.Schema) []any {
	if s == nil {
		return []any{"a"}
	}
	if len(s.OneOf) > 0 {
		var out []any
		for _, b := range s.OneOf {
			out = append(out, synth(b.Value)...)
		}
		return out
	}
	if len(s.Enum) > 0 {
		return normalize(s.Enum).([]any)
	}
	if ci := enumCI(s); len(ci) > 0 {
		return toAny(ci)
	}
	if c := synthKeyword(s); c != nil {
		return c
	}
	t := s.Type
	switch {
	case t.Is("string"):
		if r := xrules.Of(s).IntegerString; r != nil {
			return []any{strconv.FormatInt(r.Minimum, 10), strconv.FormatInt(r.Maximum, 10)}
		}
		var out []any
		seeds := []string{"a", "abc", "a1", "A", "1", "a_1", "a.b", "/a", "汉", "a-1", "http://a"}
		if seed, ok := patternSeed(s.Pattern); ok {
			seeds = append(seeds, seed)
		}
		for _, seed := range seeds {
			if v, ok := fit(seed, max(int(s.MinLength), runes(seed)), s); ok && !containsAny(out, v) {
				out = append(out, v)
			}
		}
		return out
	case t.Is("integer"), t.Is("number"):
		v := 1.0
		if s.Min != nil && v < *s.Min {
			v = *s.Min
			if s.ExclusiveMin.IsTrue() {
				v++
			}
		}
		if s.Max != nil && v > *s.Max {
			v = *s.Max
			if s.ExclusiveMax.IsTrue() {
				v--
			}
		}
		if t.Is("integer") {
			// A fractional bound admits the integers inside it.
			if s.Min != nil && v == *s.Min {
				v = math.Ceil(v)
			} else {
				v = math.Floor(v)
			}
		}
		return []any{synthNumber(s, v)}
	case t.Is("boolean"):
		return []any{false, true}
	case t.Is("array"):
		var item any = "a"
		if s.Items != nil {
			c := synth(s.Items.Value)
			if len(c) == 0 {
				return nil
			}
			item = c[0]
			if distinct, unique := synthItems(s, c, int(s.MinItems)); unique {
				return []any{distinct}
			}
		}
		arr := []any{}
		for range max(1, int(s.MinItems)) {
			arr = append(arr, clone(item))
		}
		return []any{arr}
	case t.Is("object") || (t == nil && len(s.Properties) > 0):
		m := map[string]any{}
		for _, name := range s.Required {
			c := synth(s.Properties[name].Value)
			if len(c) == 0 {
				return nil
			}
			m[name] = c[0]
		}
		synthMembers(s, m)
		return []any{m}
	}
	return []any{"a"}
}

// patternSeed returns a short string that pattern matches, read off its syntax tree: the first
// alternative, the fewest repetitions, a letter or digit of each character class.
func patternSeed(pattern string) (string, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if pattern == "" || err != nil {
		return "", false
	}
	var b strings.Builder
	var walk func(*syntax.Regexp)
	walk = func(r *syntax.Regexp) {
		switch r.Op {
		case syntax.OpLiteral:
			b.WriteString(string(r.Rune))
		case syntax.OpCharClass:
			b.WriteRune(classRune(r.Rune))
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			b.WriteByte('a')
		case syntax.OpCapture, syntax.OpPlus, syntax.OpAlternate:
			walk(r.Sub[0])
		case syntax.OpRepeat:
			for range r.Min {
				walk(r.Sub[0])
			}
		case syntax.OpConcat:
			for _, sub := range r.Sub {
				walk(sub)
			}
		}
	}
	walk(re)
	return b.String(), true
}

// classRune picks a readable member of a character class given as lo-hi pairs.
func classRune(ranges []rune) rune {
	for _, want := range []rune{'a', 'A', '1', '0', '_'} {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= want && want <= ranges[i+1] {
				return want
			}
		}
	}
	if len(ranges) > 0 {
		return ranges[0]
	}
	return 'a'
}

// fit returns a string of n characters built from v (truncated, or grown by repeating one of
// its characters or a filler) that still satisfies s's pattern and forbidden characters.
func fit(v string, n int, s *openapi3.Schema) (string, bool) {
	if n < 0 {
		return "", false
	}
	rs := []rune(v)
	var cands []string
	if len(rs) >= n {
		cands = append(cands, string(rs[:n]), string(rs[len(rs)-n:]))
	} else if len(rs) > 0 {
		fill := []string{string(rs[len(rs)-1]), string(rs[0]), v, "a", "1", "汉", "_"}
		for _, f := range fill {
			grown := []rune(v + strings.Repeat(f, n))
			cands = append(cands, string(grown[:n]))
		}
		// A value whose end is closed (host:port, where the port has at most five digits)
		// can only grow at the front.
		for _, f := range fill {
			grown := []rune(strings.Repeat(f, n) + v)
			cands = append(cands, string(grown[len(grown)-n:]))
		}
	} else {
		for _, f := range []string{"a", "1", "汉"} {
			cands = append(cands, strings.Repeat(f, n))
		}
	}
	for _, c := range cands {
		if stringOK(s, c) {
			return c, true
		}
	}
	return "", false
}

// stringOK reports whether str passes the string rules of s that fit can control.
func stringOK(s *openapi3.Schema, str string) bool {
	if s.Pattern != "" {
		re, err := compile(s.Pattern)
		if err != nil || !re.MatchString(str) {
			return false
		}
	}
	if fc := xrules.Of(s).ForbiddenChars; fc != "" && strings.ContainsAny(str, fc) {
		return false
	}
	return true
}

// kindFits reports whether v has a JSON type that s accepts.
func kindFits(s *openapi3.Schema, v any) bool {
	k := kind(v)
	if k == "integer" && s.Type.Permits("number") {
		return true
	}
	if k == "number" && s.Type.Is("integer") {
		return false
	}
	return s.Type.Permits(k) || (k == "null" && s.Nullable)
}

// JSONType is the JSON type of a decoded value, with integral numbers called "integer", as
// the schemas' types name them.
func JSONType(v any) string { return kind(v) }

// kind is the JSON type of v, with integral numbers called "integer".
func kind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "?"
}

// path is a JSON path: object keys and array indexes.
type path []step

type step struct {
	key   string
	index int // -1 for an object key
}

func (p path) key(k string) path { return append(p[:len(p):len(p)], step{key: k, index: -1}) }
func (p path) index(i int) path  { return append(p[:len(p):len(p)], step{index: i}) }

// String renders p as the validators do: "backend.timeout", "params[0].name", "" for the root.
func (p path) String() string {
	var b strings.Builder
	for _, s := range p {
		if s.index >= 0 {
			fmt.Fprintf(&b, "[%d]", s.index)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
	}
	return b.String()
}

// pointer renders p as kin-openapi's JSON pointer tokens joined by "/".
func (p path) pointer() string {
	tokens := make([]string, len(p))
	for i, s := range p {
		tokens[i] = s.key
		if s.index >= 0 {
			tokens[i] = strconv.Itoa(s.index)
		}
	}
	return strings.Join(tokens, "/")
}

func orRoot(p string) string {
	if p == "" {
		return "$"
	}
	return p
}

func get(doc any, p path) (any, bool) {
	for _, s := range p {
		switch x := doc.(type) {
		case map[string]any:
			v, ok := x[s.key]
			if !ok || s.index >= 0 {
				return nil, false
			}
			doc = v
		case []any:
			if s.index < 0 || s.index >= len(x) {
				return nil, false
			}
			doc = x[s.index]
		default:
			return nil, false
		}
	}
	return doc, true
}

func mustGet(doc any, p path) any { v, _ := get(doc, p); return v }

// with returns a deep copy of doc with v (copied) at p; missing parents are created and an
// index one past the end appends.
func with(doc any, p path, v any) any { return setIn(clone(doc), p, clone(v)) }

func setIn(doc any, p path, v any) any {
	if len(p) == 0 {
		return v
	}
	s := p[0]
	if s.index < 0 {
		m, ok := doc.(map[string]any)
		if !ok {
			m = map[string]any{}
		}
		m[s.key] = setIn(m[s.key], p[1:], v)
		return m
	}
	a, _ := doc.([]any)
	for len(a) <= s.index {
		a = append(a, nil)
	}
	a[s.index] = setIn(a[s.index], p[1:], v)
	return a
}

// without returns a deep copy of doc with the member or element at p removed.
func without(doc any, p path) any {
	doc = clone(doc)
	if len(p) == 0 {
		return nil
	}
	parent, ok := get(doc, p[:len(p)-1])
	if !ok {
		return doc
	}
	last := p[len(p)-1]
	switch x := parent.(type) {
	case map[string]any:
		delete(x, last.key)
	case []any:
		if last.index < len(x) {
			return setIn(doc, p[:len(p)-1], append(x[:last.index:last.index], x[last.index+1:]...))
		}
	}
	return doc
}

func clone(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = clone(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = clone(e)
		}
		return a
	}
	return v
}

// normalize turns any Go value into its JSON-compatible form (float64 numbers, []any, maps).
func normalize(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	_ = json.Unmarshal(data, &out)
	return out
}

func sortedKeys[M ~map[string]V, V any](m M) []string { return slices.Sorted(maps.Keys(m)) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsAny(list []any, v any) bool {
	for _, x := range list {
		if reflect.DeepEqual(x, v) {
			return true
		}
	}
	return false
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func runes(s string) int { return len([]rune(s)) }
