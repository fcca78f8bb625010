package generator

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apiclab/apic/spec/xrules"
)

const (
	jxPkg  = "github.com/go-faster/jx"
	rePkg  = "regexp"
	strPkg = "strconv"
)

// vgen generates validate.gen.go for one spec: Validate, ValidateAt, DecodeJSON and DecodeJX
// for every struct type, ValidateAt for every oneOf type, and the SchemaTypes registry.
type vgen struct {
	m        *model
	objects  map[string]*object // by Go type name
	valPkg   string
	patterns map[string]string // pattern -> variable
	enums    map[string]string // rendered list -> variable
	vars     []jen.Code
	walk     *walker // schemas checked over JSON (compose.go)
}

func generateValidators(doc *openapi3.T, c Config) ([]byte, error) {
	m, err := buildModel(doc)
	if err != nil {
		return nil, err
	}
	g := &vgen{
		m:        m,
		objects:  map[string]*object{},
		valPkg:   c.module + "/" + RuntimePackage,
		patterns: map[string]string{},
		enums:    map[string]string{},
	}
	for i := range m.objects {
		g.objects[m.objects[i].goName] = &m.objects[i]
	}
	g.walk = newWalker(m)
	f := jen.NewFile(c.Codegen.PackageName)
	f.ImportName(g.valPkg, "validation")
	f.ImportName(jxPkg, "jx")
	var body []jen.Code
	for i := range m.objects {
		code, err := g.object(&m.objects[i])
		if err != nil {
			return nil, err
		}
		body = append(body, code...)
	}
	for _, u := range m.unions {
		code, err := g.union(u)
		if err != nil {
			return nil, err
		}
		body = append(body, code...)
	}
	reg := jen.Dict{}
	for _, o := range m.objects {
		reg[jen.Lit(o.name)] = jen.Func().Params().Qual(g.valPkg, "Type").Block(jen.Return(jen.New(jen.Id(o.goName))))
	}
	for _, u := range m.unions {
		if u.component != "" {
			reg[jen.Lit(u.component)] = jen.Func().Params().Qual(g.valPkg, "Type").Block(jen.Return(jen.New(jen.Id(u.goName))))
		}
	}
	f.Comment("SchemaTypes maps each object schema of the spec (by its name under components/schemas)")
	f.Comment("to a constructor of its generated type, for tools that validate documents by schema name.")
	f.Var().Id("SchemaTypes").Op("=").Map(jen.String()).Func().Params().Qual(g.valPkg, "Type").Values(reg)
	if len(g.vars) > 0 {
		f.Var().Defs(g.vars...)
	}
	for _, c := range g.walk.table(g.valPkg) {
		f.Add(c)
	}
	for _, c := range body {
		f.Add(c)
	}
	var buf bytes.Buffer
	buf.WriteString(Header)
	if err := f.Render(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// pattern returns a matcher function for re: a rune loop for the common shapes (see
// classMatcher), else an automaton (see dfa), else a compiled regexp's MatchString.
func (g *vgen) pattern(re string) jen.Code {
	name, ok := g.patterns[re]
	if !ok {
		name = fmt.Sprintf("pattern%d", len(g.patterns))
		g.patterns[re] = name
		goRE := ecmaPattern(re)
		var def jen.Code = jen.Qual(rePkg, "MustCompile").Call(jen.Lit(goRE)).Dot("MatchString")
		if m, ok := compileClasses(goRE); ok {
			def = jen.Func().Params(jen.Id("s").String()).Bool().Block(m.code()...)
		} else if m, ok := compileDFA(goRE); ok {
			def = jen.Func().Params(jen.Id("s").String()).Bool().Block(m.code()...)
		}
		g.vars = append(g.vars, jen.Comment(re), jen.Id(name).Op("=").Add(def))
	}
	return jen.Id(name)
}

func (g *vgen) enumList(values []any, asString bool) jen.Code {
	var lits []jen.Code
	var key strings.Builder
	for _, v := range values {
		if asString {
			lits = append(lits, jen.Lit(literal(v)))
		} else {
			n, _ := v.(float64)
			lits = append(lits, jen.Lit(int64(n)))
		}
		fmt.Fprintf(&key, "%v|", v)
	}
	k := fmt.Sprintf("%v:%s", asString, key.String())
	name, ok := g.enums[k]
	if !ok {
		name = fmt.Sprintf("enum%d", len(g.enums))
		g.enums[k] = name
		typ := jen.Index().Int64()
		if asString {
			typ = jen.Index().String()
		}
		g.vars = append(g.vars, jen.Id(name).Op("=").Add(typ).Values(lits...))
	}
	return jen.Id(name)
}

var (
	errsID = jen.Id("errs")
	dID    = jen.Id("d")
)

func (g *vgen) rule(name string) *jen.Statement { return jen.Qual(g.valPkg, name) }

// graded returns the check call makes, reporting into the document's list when ledger is
// empty (an enforced rule), or as advisory violations naming ledger.
func (g *vgen) graded(ledger string, call func(errs jen.Code) jen.Code) jen.Code {
	if ledger == "" {
		return call(errsID)
	}
	return jen.Block(
		jen.Var().Id("w").Qual(g.valPkg, "Errors"),
		call(jen.Op("&").Id("w")),
		jen.Id("errs").Dot("Advise").Call(jen.Id("w"), jen.Lit(ledger)),
	)
}

// add returns the statement that records a violation of rule at the path p points to, as
// advisory when ledger is set.
func (g *vgen) add(ledger string, p, rule jen.Code, msg string) jen.Code {
	if ledger == "" {
		return jen.Id("errs").Dot("Add").Call(p, rule, jen.Lit(msg))
	}
	return jen.Id("errs").Dot("AddAdvisory").Call(p, rule, jen.Lit(ledger), jen.Lit(msg))
}

// bounds returns the calls that check a pair of bounds (minLength and maxLength, ...): one
// call when both have the same grade, else one per bound. lo and hi say which are set.
func (g *vgen) bounds(x *xrules.Rules, loRule string, lo bool, hiRule string, hi bool, call func(errs jen.Code, lo, hi bool) jen.Code) []jen.Code {
	loGrade, hiGrade := x.AdvisoryOf(loRule), x.AdvisoryOf(hiRule)
	switch {
	case !lo && !hi:
		return nil
	case !lo || !hi || loGrade == hiGrade:
		grade := loGrade
		if !lo {
			grade = hiGrade
		}
		return []jen.Code{g.graded(grade, func(errs jen.Code) jen.Code { return call(errs, lo, hi) })}
	}
	return []jen.Code{
		g.graded(loGrade, func(errs jen.Code) jen.Code { return call(errs, true, false) }),
		g.graded(hiGrade, func(errs jen.Code) jen.Code { return call(errs, false, true) }),
	}
}

// intBound turns a schema bound into the integer bound that admits the same integers: a
// fractional minimum rounds up and a fractional maximum down (minimum 1.5 admits 2, not 1), and
// a bound beyond the int64 range is clamped (float64 holds 2^63-1 as 2^63, which would wrap).
func intBound(b float64, lower bool) int64 {
	if lower {
		b = math.Ceil(b)
	} else {
		b = math.Floor(b)
	}
	switch {
	case b >= math.MaxInt64:
		return math.MaxInt64
	case b <= math.MinInt64:
		return math.MinInt64
	}
	return int64(b)
}

func pick[T any](cond bool, a, b T) T {
	if cond {
		return a
	}
	return b
}

// xrule is the runtime's constant for the extension rule called name.
func (g *vgen) xrule(name string) *jen.Statement {
	e, _ := xrules.Lookup(name)
	return g.rule(e.Runtime)
}

// object generates the methods of one struct type.
func (g *vgen) object(o *object) ([]jen.Code, error) {
	recv := jen.Id("v").Op("*").Id(o.goName)
	pathParam := jen.Id("path").Op("*").Qual(g.valPkg, "Path")
	errsParam := jen.Id("errs").Op("*").Qual(g.valPkg, "Errors")
	var out []jen.Code

	out = append(out,
		jen.Comment(fmt.Sprintf("Validate checks v against every rule of the %s schema and returns all violations", o.name)),
		jen.Comment("as validation.Errors, or nil."),
		jen.Func().Params(recv).Id("Validate").Params().Error().Block(
			jen.Return(jen.Qual(g.valPkg, "Validate").Call(jen.Id("v"))),
		),
		jen.Comment("DecodeJSON decodes data into v with exact member names and validates it. It reports every"),
		jen.Comment("violation (missing members, wrong types, broken rules) as validation.Errors."),
		jen.Func().Params(recv).Id("DecodeJSON").Params(jen.Id("data").Index().Byte()).Error().Block(
			jen.Return(jen.Qual(g.valPkg, "DecodeJSON").Call(jen.Id("data"), jen.Id("v"))),
		),
	)

	// ValidateAt
	var vbody []jen.Code
	for _, f := range o.fields {
		code, err := g.fieldCheck(f)
		if err != nil {
			return nil, err
		}
		vbody = append(vbody, code...)
	}
	rules, err := g.objectRules(o)
	if err != nil {
		return nil, err
	}
	vbody = append(vbody, rules...)
	kw, err := g.objectKeywords(o)
	if err != nil {
		return nil, err
	}
	vbody = append(vbody, kw...)
	walk, err := g.objectWalk(o)
	if err != nil {
		return nil, err
	}
	vbody = append(vbody, walk...)
	out = append(out,
		jen.Comment("ValidateAt checks v, found at path, and adds each violation to errs."),
		jen.Func().Params(recv).Id("ValidateAt").Params(pathParam, errsParam).Block(vbody...),
	)

	// DecodeJX
	var cases []jen.Code
	var required []jen.Code
	for i, f := range o.fields {
		var stmts []jen.Code
		if f.required {
			stmts = append(stmts, jen.Id("seen").Op("|=").Lit(uint64(1)<<uint(i)))
			q := jen.Id("q").Op(":=").Id("path").Dot("Key").Call(jen.Lit(f.json))
			required = append(required, jen.If(jen.Id("seen").Op("&").Lit(uint64(1)<<uint(i)).Op("==").Lit(0)).Block(
				q, g.requiredMissing(f, jen.Op("&").Id("q")),
			))
		}
		if f.val.kind != kUnion && f.val.kind != kAny {
			stmts = append(stmts, jen.Id("p").Op(":=").Id("path").Dot("Key").Call(jen.Lit(f.json)))
		}
		dec, err := g.decodeField(f)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, dec...)
		cases = append(cases, jen.Case(jen.Lit(f.json)).Block(stmts...))
	}
	other, err := g.otherMember(o)
	if err != nil {
		return nil, err
	}
	cases = append(cases, jen.Default().Block(other...))
	dbody := g.nullObject(o)
	dbody = append(dbody,
		jen.If(jen.List(jen.Id("ok"), jen.Err()).Op(":=").Qual(g.valPkg, "Expect").Call(dID, errsID, jen.Id("path"), jen.Qual(jxPkg, "Object"), jen.Lit("an object")),
			jen.Op("!").Id("ok").Op("||").Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
	)
	if len(required) > 0 {
		dbody = append(dbody, jen.Var().Id("seen").Uint64())
	}
	// Iterators rather than jx's callback API: a callback closure would move the decoder's
	// state to the heap on every object.
	count, counted := g.memberCount(o)
	dbody = append(dbody, count...)
	dbody = append(dbody,
		jen.List(jen.Id("iter"), jen.Err()).Op(":=").Id("d").Dot("ObjIter").Call(),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.For(jen.Id("iter").Dot("Next").Call()).Block(append(counted,
			jen.Switch(jen.String().Call(jen.Id("iter").Dot("Key").Call())).Block(cases...),
		)...),
		jen.If(jen.Err().Op(":=").Id("iter").Dot("Err").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
	)
	dbody = append(dbody, g.countCheck(o)...)
	dbody = append(dbody, required...)
	dbody = append(dbody, jen.Return(jen.Nil()))
	out = append(out,
		jen.Comment("DecodeJX decodes the next value of d into v; structural violations go to errs and"),
		jen.Comment("only malformed JSON is returned as an error."),
		jen.Func().Params(recv).Id("DecodeJX").Params(jen.Id("d").Op("*").Qual(jxPkg, "Decoder"), pathParam, errsParam).Error().Block(dbody...),
	)
	return out, nil
}

// fieldCheck validates one field of v at path.Key(json).
func (g *vgen) fieldCheck(f field) ([]jen.Code, error) {
	expr := jen.Id("v").Dot(f.goName)
	if !hasChecks(f.val) && !(f.required && !f.nullable && f.val.kind == kArray && !f.pointer) {
		return nil, g.supported(f.val)
	}
	p := jen.Id("p").Op(":=").Id("path").Dot("Key").Call(jen.Lit(f.json))
	if f.pointer {
		checks, err := g.check(f.val, jen.Parens(jen.Op("*").Add(expr)), expr, jen.Op("&").Id("p"), 0)
		if err != nil {
			return nil, err
		}
		return []jen.Code{jen.If(expr.Clone().Op("!=").Nil()).Block(append([]jen.Code{p}, checks...)...)}, nil
	}
	checks, err := g.check(f.val, expr, nil, jen.Op("&").Id("p"), 0)
	if err != nil {
		return nil, err
	}
	if f.val.kind == kArray && f.required && !f.nullable {
		// A nil slice would be sent as null, which a required array does not accept.
		return []jen.Code{jen.Block(p, jen.If(expr.Clone().Op("==").Nil()).Block(
			jen.Id("errs").Dot("Add").Call(jen.Op("&").Id("p"), g.rule("RuleRequired"), jen.Lit("is required")),
		).Else().Block(checks...))}, nil
	}
	return []jen.Code{jen.Block(append([]jen.Code{p}, checks...)...)}, nil
}

// hasChecks reports whether a value of v can break any rule.
func hasChecks(v value) bool {
	s := v.schema
	if hasKeywordChecks(v) || walked(v) {
		return true
	}
	switch v.kind {
	case kStruct, kUnion:
		return true
	case kAny:
		return false
	case kArray:
		return s.MinItems > 0 || s.MaxItems != nil || xrules.Of(s).PrefixTag != nil || hasChecks(*v.elem)
	}
	if len(s.Enum) > 0 || s.Min != nil || s.Max != nil || s.MinLength > 0 || s.MaxLength != nil || s.Pattern != "" {
		return true
	}
	x := xrules.Of(s)
	return len(x.EnumCI) > 0 || x.ForbiddenChars != "" || x.IntegerString != nil
}

// supported refuses schema keywords that the generated code would not check, so that no rule
// of a spec is silently dropped.
func (g *vgen) supported(v value) error {
	s := v.schema
	if s == nil {
		return nil
	}
	if u, ok := g.unionOf(v); ok && g.walkedUnion(u) || v.kind == kAny && walked(v) {
		return nil // the walker refuses what it cannot check (compose.go)
	} else if walked(v) {
		s = withoutCombination(v).schema
	}
	bad := []struct {
		set  bool
		name string
	}{
		{s.ExclusiveMin.Value != nil || s.ExclusiveMax.Value != nil, "a numeric exclusiveMinimum/exclusiveMaximum (OpenAPI 3.1)"},
		{s.Not != nil, "not"},
		{len(s.AnyOf) > 0 || len(s.AllOf) > 0, "anyOf/allOf"},
	}
	for _, b := range bad {
		if b.set {
			return fmt.Errorf("%s: %s is not supported by the validator generator", v.where, b.name)
		}
	}
	if p := keywordsProblem(v); p != "" {
		return fmt.Errorf("%s: %s", v.where, p)
	}
	// Constraints the generated code would not check are refused rather than dropped: on a
	// schema without a type (the code has no typed value to check them on) and beside a oneOf
	// (the code checks the branches only).
	if cs := constraints(s); len(cs) > 0 {
		switch {
		case len(s.OneOf) > 0:
			return fmt.Errorf("%s: %s beside oneOf is not supported by the validator generator; put it in each branch", v.where, strings.Join(cs, ", "))
		case v.kind == kAny:
			return fmt.Errorf("%s: %s on a schema without a type is not supported by the validator generator; give the schema a type", v.where, strings.Join(cs, ", "))
		}
	}
	if len(s.OneOf) > 0 && s.Type != nil && len(s.Type.Slice()) > 0 {
		return fmt.Errorf("%s: a type beside oneOf is not supported by the validator generator; put it in each branch", v.where)
	}
	return xProblems(s, v.where)
}

// constraints names the value keywords set on s.
func constraints(s *openapi3.Schema) []string {
	var out []string
	for _, c := range []struct {
		set  bool
		name string
	}{
		{s.Min != nil, "minimum"}, {s.Max != nil, "maximum"},
		{s.MinLength > 0, "minLength"}, {s.MaxLength != nil, "maxLength"}, {s.Pattern != "", "pattern"},
		{s.MinItems > 0, "minItems"}, {s.MaxItems != nil, "maxItems"}, {s.Items != nil, "items"},
		{len(s.Enum) > 0, "enum"}, {len(s.Required) > 0, "required"},
	} {
		if c.set {
			out = append(out, c.name)
		}
	}
	return append(out, keywordConstraints(s)...)
}

// xProblems refuses a schema whose x- extensions the rule model finds fault with.
func xProblems(s *openapi3.Schema, where string) error {
	if probs := xrules.Check(s); len(probs) > 0 {
		return fmt.Errorf("%s/%w", where, probs[0])
	}
	return nil
}

// check returns the statements that validate the value expr (of v's Go type, not a pointer)
// at the path pointer pp. ptr, when not nil, is an expression of type *T for the same value,
// used to call pointer methods without copying.
func (g *vgen) check(v value, expr, ptr jen.Code, pp jen.Code, depth int) ([]jen.Code, error) {
	if walked(v) {
		walk, err := g.walkCheck(v, expr, ptr, pp)
		if err != nil {
			return nil, err
		}
		typed, err := g.check(withoutCombination(v), expr, ptr, pp, depth)
		return append(typed, walk...), err
	}
	if err := g.supported(v); err != nil {
		return nil, err
	}
	s := v.schema
	var out []jen.Code
	switch v.kind {
	case kStruct, kUnion:
		target := ptr
		if target == nil {
			target = expr
		}
		out = append(out, jen.Add(target).Dot("ValidateAt").Call(pp, errsID))
	case kString:
		sv := jen.Id(fmt.Sprintf("s%d", depth))
		conv := expr
		if v.goType != "string" {
			conv = jen.String().Call(expr)
		}
		out = append(out, jen.Add(sv).Op(":=").Add(conv))
		x := xrules.Of(s)
		minL, maxL := -1, -1
		if s.MinLength > 0 {
			minL = int(s.MinLength)
		}
		if s.MaxLength != nil {
			maxL = int(*s.MaxLength)
		}
		out = append(out, g.bounds(x, "minLength", minL >= 0, "maxLength", maxL >= 0, func(errs jen.Code, lo, hi bool) jen.Code {
			return g.rule("String").Call(errs, pp, sv, jen.Lit(pick(lo, minL, -1)), jen.Lit(pick(hi, maxL, -1)))
		})...)
		isCI := len(x.EnumCI) > 0
		if s.Pattern != "" && !isCI {
			out = append(out, g.graded(x.AdvisoryOf("pattern"), func(errs jen.Code) jen.Code {
				return g.rule("Pattern").Call(errs, pp, sv, g.pattern(s.Pattern), jen.Lit(s.Pattern))
			}))
		}
		if len(s.Enum) > 0 {
			out = append(out, g.graded(x.AdvisoryOf("enum"), func(errs jen.Code) jen.Code {
				return g.rule("EnumString").Call(errs, pp, sv, g.enumList(s.Enum, true))
			}))
		}
		if isCI {
			out = append(out, g.graded(x.AdvisoryOf(xrules.EnumCI), func(errs jen.Code) jen.Code {
				return g.rule("EnumCI").Call(errs, pp, sv, g.enumList(x.EnumCIValues(), true))
			}))
		}
		if x.ForbiddenChars != "" {
			out = append(out, g.graded(x.AdvisoryOf(xrules.ForbiddenChars), func(errs jen.Code) jen.Code {
				return g.rule("ForbiddenChars").Call(errs, pp, sv, jen.Lit(x.ForbiddenChars))
			}))
		}
		if is := x.IntegerString; is != nil {
			out = append(out, g.graded(x.AdvisoryOf(xrules.IntegerString), func(errs jen.Code) jen.Code {
				return g.rule("IntegerString").Call(errs, pp, sv, jen.Lit(is.Minimum), jen.Lit(is.Maximum))
			}))
		}
		out = append(out, g.stringKeywords(s, sv, pp)...)
		if len(out) == 1 {
			return nil, nil
		}
	case kInt:
		nv := jen.Id(fmt.Sprintf("n%d", depth))
		out = append(out, jen.Add(nv).Op(":=").Int64().Call(expr))
		x := xrules.Of(s)
		minV, maxV := intLimits(s)
		out = append(out, g.bounds(x, "minimum", s.Min != nil, "maximum", s.Max != nil, func(errs jen.Code, lo, hi bool) jen.Code {
			return g.rule("Int").Call(errs, pp, nv, jen.Lit(lo), jen.Lit(pick(lo, minV, 0)), jen.Lit(hi), jen.Lit(pick(hi, maxV, 0)))
		})...)
		if len(s.Enum) > 0 {
			out = append(out, g.graded(x.AdvisoryOf("enum"), func(errs jen.Code) jen.Code {
				return g.rule("EnumInt").Call(errs, pp, nv, g.enumList(s.Enum, false))
			}))
		}
		out = append(out, g.intKeywords(s, nv, pp)...)
		if len(out) == 1 {
			return nil, nil
		}
	case kFloat:
		var minV, maxV float64
		if s.Min != nil {
			minV = *s.Min
		}
		if s.Max != nil {
			maxV = *s.Max
		}
		if !exclusive(s) {
			out = append(out, g.bounds(xrules.Of(s), "minimum", s.Min != nil, "maximum", s.Max != nil, func(errs jen.Code, lo, hi bool) jen.Code {
				return g.rule("Float").Call(errs, pp, jen.Float64().Call(expr), jen.Lit(lo), jen.Lit(pick(lo, minV, 0)), jen.Lit(hi), jen.Lit(pick(hi, maxV, 0)))
			})...)
		}
		out = append(out, g.floatKeywords(v, expr, pp)...)
	case kBool:
		out = append(out, g.boolKeywords(s, expr, pp)...)
	case kMap:
		return g.mapCheck(v, expr, pp, depth)
	case kArray:
		x := xrules.Of(s)
		minI, maxI := -1, -1
		if s.MinItems > 0 {
			minI = int(s.MinItems)
		}
		if s.MaxItems != nil {
			maxI = int(*s.MaxItems)
		}
		out = append(out, g.bounds(x, "minItems", minI >= 0, "maxItems", maxI >= 0, func(errs jen.Code, lo, hi bool) jen.Code {
			return g.rule("Items").Call(errs, pp, jen.Len(expr), jen.Lit(pick(lo, minI, -1)), jen.Lit(pick(hi, maxI, -1)))
		})...)
		if pt := x.PrefixTag; pt != nil {
			if v.elem.goType != "string" {
				return nil, fmt.Errorf("%s: x-prefix-tag needs an array of plain strings", v.where)
			}
			out = append(out, g.graded(x.AdvisoryOf(xrules.PrefixTag), func(errs jen.Code) jen.Code {
				return g.rule("PrefixTag").Call(errs, pp, expr, jen.Lit(pt.Prefix), jen.Lit(pt.Max))
			}))
		}
		out = append(out, g.arrayKeywords(s, expr, pp)...)
		if hasChecks(*v.elem) {
			i := jen.Id(fmt.Sprintf("i%d", depth))
			q := jen.Id(fmt.Sprintf("q%d", depth))
			elem := jen.Add(expr).Index(i)
			var ptr jen.Code
			if v.ptrElem {
				// Nullable items are pointers; a nil one is a null, which the item accepts.
				ptr, elem = elem, jen.Parens(jen.Op("*").Add(elem))
			}
			inner, err := g.check(*v.elem, elem, ptr, jen.Op("&").Add(q), depth+1)
			if err != nil {
				return nil, err
			}
			if v.ptrElem {
				inner = []jen.Code{jen.If(jen.Add(expr).Index(i).Op("!=").Nil()).Block(inner...)}
			}
			pathBase := pp
			body := append([]jen.Code{jen.Add(q).Op(":=").Parens(pathBase).Dot("Index").Call(i)}, inner...)
			out = append(out, jen.For(jen.Add(i).Op(":=").Range().Add(expr)).Block(body...))
		} else if err := g.supported(*v.elem); err != nil {
			return nil, err
		}
	case kAny:
	}
	return out, nil
}

// decodeField decodes the member of field f into v.<f> at path p.
func (g *vgen) decodeField(f field) ([]jen.Code, error) {
	target := jen.Id("v").Dot(f.goName)
	dec, err := g.decode(f.val, target, f.pointer, jen.Op("&").Id("p"), 0, "return err")
	if err != nil {
		return nil, err
	}
	if dec, err = g.walkNull(f, dec); err != nil {
		return nil, err
	}
	if !f.nullable {
		return dec, nil
	}
	if !f.pointer {
		return nil, fmt.Errorf("%s: a nullable property must be a pointer", f.val.where)
	}
	return []jen.Code{
		jen.If(jen.List(jen.Id("null"), jen.Err()).Op(":=").Qual(g.valPkg, "IsNull").Call(dID), jen.Err().Op("!=").Nil()).Block(
			jen.Return(jen.Err()),
		).Else().If(jen.Id("null")).Block(
			target.Clone().Op("=").Nil(),
		).Else().Block(dec...),
	}, nil
}

// decode returns statements that decode the next value of d into target. With pointer set,
// target has type *T and gets a new value. onErr is the statement that ends the enclosing
// function with err.
func (g *vgen) decode(v value, target jen.Code, pointer bool, pp jen.Code, depth int, onErr string) ([]jen.Code, error) {
	ret := jen.Return(jen.Err())
	x := jen.Id(fmt.Sprintf("x%d", depth))
	ok := jen.Id(fmt.Sprintf("ok%d", depth))
	assign := func(val jen.Code) []jen.Code {
		if !pointer {
			return []jen.Code{jen.Add(target).Op("=").Add(val)}
		}
		if v.kind == kUnion || v.kind == kAny {
			y := jen.Id(fmt.Sprintf("y%d", depth))
			return []jen.Code{jen.Add(y).Op(":=").Add(val), jen.Add(target).Op("=").Op("&").Add(y)}
		}
		// The document's allocator hands out the pointer (see validation.Ptr).
		return []jen.Code{jen.Add(target).Op("=").Qual(g.valPkg, "Ptr").Call(dID, pp, val)}
	}
	conv := func(val jen.Code, base string) jen.Code {
		if v.goType == base {
			return val
		}
		return jen.Id(v.goType).Call(val)
	}
	prim := func(fn string, base string, extra ...jen.Code) []jen.Code {
		cond := jen.Add(ok)
		for _, e := range extra {
			cond = cond.Op("&&").Add(e)
		}
		return []jen.Code{
			jen.List(x, ok, jen.Err()).Op(":=").Qual(g.valPkg, fn).Call(dID, errsID, pp),
			jen.If(jen.Err().Op("!=").Nil()).Block(ret),
			jen.If(cond).Block(assign(conv(x, base))...),
		}
	}
	switch v.kind {
	case kString:
		if list := enumValues(v.schema); list != nil {
			return []jen.Code{
				jen.List(x, ok, jen.Err()).Op(":=").Qual(g.valPkg, "DecodeEnumString").Call(dID, errsID, pp, g.enumList(list, true)),
				jen.If(jen.Err().Op("!=").Nil()).Block(ret),
				jen.If(ok).Block(assign(conv(x, "string"))...),
			}, nil
		}
		return prim("DecodeString", "string"), nil
	case kBool:
		return prim("DecodeBool", "bool"), nil
	case kFloat:
		return prim("DecodeFloat", "float64"), nil
	case kInt:
		bits := v.bits
		if bits == 0 {
			bits = 64
		}
		return prim("DecodeInt", "int64", g.rule("FitInt").Call(errsID, pp, x, jen.Lit(bits))), nil
	case kStruct:
		if pointer {
			return []jen.Code{
				jen.Add(x).Op(":=").New(jen.Id(v.goType)),
				jen.If(jen.Err().Op(":=").Add(x).Dot("DecodeJX").Call(dID, pp, errsID), jen.Err().Op("!=").Nil()).Block(ret),
				jen.Add(target).Op("=").Add(x),
			}, nil
		}
		return []jen.Code{
			jen.If(jen.Err().Op(":=").Add(target).Dot("DecodeJX").Call(dID, pp, errsID), jen.Err().Op("!=").Nil()).Block(ret),
		}, nil
	case kMap:
		return g.mapDecode(v, target, pointer, pp, depth)
	case kUnion, kAny:
		fn := "UnmarshalJSON"
		stmts := []jen.Code{jen.Var().Add(x).Id(v.goType)}
		if v.kind == kUnion {
			stmts = append(stmts,
				jen.List(jen.Id("raw"), jen.Err()).Op(":=").Qual(g.valPkg, "Raw").Call(dID),
				jen.If(jen.Err().Op("!=").Nil()).Block(ret),
				jen.If(jen.Err().Op(":=").Add(x).Dot(fn).Call(jen.Id("raw")), jen.Err().Op("!=").Nil()).Block(ret),
			)
		} else {
			stmts = append(stmts,
				jen.If(jen.Err().Op(":=").Qual(g.valPkg, "DecodeAny").Call(dID, jen.Op("&").Add(x)), jen.Err().Op("!=").Nil()).Block(ret),
			)
		}
		return append(stmts, assign(x)...), nil
	case kArray:
		arr := jen.Id(fmt.Sprintf("arr%d", depth))
		q := jen.Id(fmt.Sprintf("q%d", depth))
		e := jen.Id(fmt.Sprintf("e%d", depth))
		inner, err := g.decode(*v.elem, e, false, jen.Op("&").Add(q), depth+1, onErr)
		if err != nil {
			return nil, err
		}
		it := jen.Id(fmt.Sprintf("it%d", depth))
		elemType := jen.Id(v.elem.goType)
		if v.ptrElem {
			// Nullable items: a null is a nil pointer.
			elemType = jen.Op("*").Id(v.elem.goType)
			if inner, err = g.decode(*v.elem, e, true, jen.Op("&").Add(q), depth+1, onErr); err != nil {
				return nil, err
			}
			inner = []jen.Code{jen.If(jen.List(jen.Id("null"), jen.Err()).Op(":=").Qual(g.valPkg, "IsNull").Call(dID), jen.Err().Op("!=").Nil()).Block(ret).Else().If(jen.Op("!").Id("null")).Block(inner...)}
		}
		body := []jen.Code{jen.Var().Add(e).Add(elemType)}
		if usesPath(*v.elem) {
			body = append([]jen.Code{jen.Add(q).Op(":=").Parens(pp).Dot("Index").Call(jen.Len(arr))}, body...)
		}
		body = append(body, inner...)
		// Room for a few items at the first one: most arrays of a request are short.
		body = append(body,
			jen.If(jen.Add(arr).Op("==").Nil()).Block(jen.Add(arr).Op("=").Make(jen.Id(v.goType), jen.Lit(0),
				jen.Qual(g.valPkg, "FirstRoom").Types(jen.Id(v.elem.goType)).Call())),
			jen.Add(arr).Op("=").Append(arr, e))
		return []jen.Code{
			jen.If(jen.List(ok, jen.Err()).Op(":=").Qual(g.valPkg, "Expect").Call(dID, errsID, pp, jen.Qual(jxPkg, "Array"), jen.Lit("an array")), jen.Err().Op("!=").Nil()).Block(ret).Else().If(ok).Block(
				append([]jen.Code{
					jen.Var().Add(arr).Id(v.goType),
					jen.List(it, jen.Err()).Op(":=").Id("d").Dot("ArrIter").Call(),
					jen.If(jen.Err().Op("!=").Nil()).Block(ret),
					jen.For(jen.Add(it).Dot("Next").Call()).Block(body...),
					jen.If(jen.Err().Op(":=").Add(it).Dot("Err").Call(), jen.Err().Op("!=").Nil()).Block(ret),
					// An empty array decodes to an empty, not a nil, slice so that it is sent back as [].
					jen.If(jen.Add(arr).Op("==").Nil()).Block(jen.Add(arr).Op("=").Make(jen.Id(v.goType), jen.Lit(0))),
				}, assign(arr)...)...,
			),
		}, nil
	}
	return nil, fmt.Errorf("%s: cannot decode", v.where)
}

// union generates ValidateAt for a oneOf type: exactly one branch must accept the value.
func (g *vgen) union(u union) ([]jen.Code, error) {
	if g.walkedUnion(u) {
		return g.walkUnion(u)
	}
	var body []jen.Code
	body = append(body,
		jen.List(jen.Id("raw"), jen.Err()).Op(":=").Id("u").Dot("MarshalJSON").Call(),
		jen.If(jen.Err().Op("!=").Nil()).Block(
			jen.Id("errs").Dot("Add").Call(jen.Id("path"), g.rule("RuleOneOf"), jen.Err().Dot("Error").Call()),
			jen.Return(),
		),
		jen.Id("matched").Op(":=").Lit(0),
		jen.Var().Id("warned").Qual(g.valPkg, "Errors"),
	)
	var kinds []string
	for i, br := range u.branches {
		kinds = append(kinds, kindName(br))
		x := jen.Id(fmt.Sprintf("b%d", i))
		dec, err := g.decode(br, x, false, jen.Id("path"), 1, "return err")
		if err != nil {
			return nil, err
		}
		chk, err := g.check(br, x, nil, jen.Id("path"), 1)
		if err != nil {
			return nil, err
		}
		fn := append([]jen.Code{jen.Id("d").Op(":=").Qual(jxPkg, "DecodeBytes").Call(jen.Id("raw"))}, dec...)
		if len(chk) == 0 {
			chk = []jen.Code{jen.Id("_").Op("=").Add(x)}
		}
		fn = append(fn, chk...)
		fn = append(fn, jen.Return(jen.Nil()))
		// Inside the branch, errs is the branch's own list, so that a branch that does not
		// match leaves nothing in the caller's. A branch that breaks only advisory rules
		// matches; its warnings reach the caller when it is the one match.
		body = append(body, jen.Block(
			jen.Id("errs").Op(":=").New(jen.Qual(g.valPkg, "Errors")),
			jen.Var().Add(x).Id(br.goType),
			jen.If(jen.Err().Op(":=").Func().Params().Error().Block(fn...).Call(),
				jen.Err().Op("==").Nil().Op("&&").Op("!").Id("errs").Dot("Enforced").Call()).Block(
				jen.Id("matched").Op("++"),
				jen.Id("warned").Op("=").Append(jen.Id("warned"), jen.Op("*").Id("errs").Op("...")),
			),
		))
	}
	body = append(body, jen.If(jen.Id("matched").Op("!=").Lit(1)).Block(
		jen.Id("errs").Dot("Add").Call(jen.Id("path"), g.rule("RuleOneOf"), jen.Lit("must match exactly one of: "+strings.Join(kinds, ", "))),
	).Else().Block(
		jen.Op("*").Id("errs").Op("=").Append(jen.Op("*").Id("errs"), jen.Id("warned").Op("...")),
	))
	return []jen.Code{
		jen.Comment("ValidateAt checks that exactly one branch of the oneOf accepts u."),
		jen.Func().Params(jen.Id("u").Op("*").Id(u.goName)).Id("ValidateAt").Params(
			jen.Id("path").Op("*").Qual(g.valPkg, "Path"), jen.Id("errs").Op("*").Qual(g.valPkg, "Errors"),
		).Block(body...),
		jen.Comment("Validate checks u from the document root."),
		jen.Func().Params(jen.Id("u").Op("*").Id(u.goName)).Id("Validate").Params().Error().Block(
			jen.Return(jen.Qual(g.valPkg, "Validate").Call(jen.Id("u"))),
		),
	}, nil
}

func kindName(v value) string {
	switch v.kind {
	case kString:
		return "string"
	case kInt:
		return "integer"
	case kFloat:
		return "number"
	case kBool:
		return "boolean"
	case kArray:
		return "array"
	case kStruct:
		return "object"
	}
	return "value"
}

// objectRules generates the object-level x- rules of o.
func (g *vgen) objectRules(o *object) ([]jen.Code, error) {
	where := "#/components/schemas/" + o.name
	s := o.schema
	var out []jen.Code
	byJSON := map[string]*field{}
	for i := range o.fields {
		byJSON[o.fields[i].json] = &o.fields[i]
	}
	lookup := func(name, rule string) (*field, error) {
		f, ok := byJSON[name]
		if !ok {
			return nil, fmt.Errorf("%s: %s names %q, which is not a property", where, rule, name)
		}
		return f, nil
	}
	if err := xProblems(s, where); err != nil {
		return nil, err
	}
	x := xrules.Of(s)
	for _, kind := range []struct {
		ext   string
		rules []xrules.FieldRule
		verb  string
	}{
		{xrules.RequiredIf, x.RequiredIf, "is required"},
		{xrules.ForbiddenIf, x.ForbiddenIf, "must not be set"},
	} {
		for _, r := range kind.rules {
			f, err := lookup(r.Field, kind.ext)
			if err != nil {
				return nil, err
			}
			cond, text, err := g.condition(r.When, lookup, kind.ext)
			if err != nil {
				return nil, err
			}
			present := presentExpr(f)
			if present == nil {
				return nil, fmt.Errorf("%s: %s on %q, a required property that is always present", where, kind.ext, r.Field)
			}
			test := jen.Op("!").Parens(present)
			if kind.ext == xrules.ForbiddenIf {
				test = present
			}
			out = append(out, jen.If(cond.Op("&&").Add(test)).Block(
				jen.Id("p").Op(":=").Id("path").Dot("Key").Call(jen.Lit(r.Field)),
				g.add(r.Advisory, jen.Op("&").Id("p"), g.xrule(kind.ext), kind.verb+" when "+text),
			))
		}
	}
	for _, fv := range x.ForbiddenValues {
		names := make([]string, 0, len(fv.Properties))
		for n := range fv.Properties {
			names = append(names, n)
		}
		sort.Strings(names)
		var cond *jen.Statement
		for _, n := range names {
			c, _, err := g.condition(xrules.Condition{Property: n, In: fv.Properties[n]}, lookup, xrules.ForbiddenValues)
			if err != nil {
				return nil, err
			}
			if cond == nil {
				cond = c
			} else {
				cond = cond.Op("&&").Add(c)
			}
		}
		at := jen.Id("path")
		var pre []jen.Code
		if fv.Field != "" {
			pre = append(pre, jen.Id("p").Op(":=").Id("path").Dot("Key").Call(jen.Lit(fv.Field)))
			at = jen.Op("&").Id("p")
		}
		out = append(out, jen.If(cond).Block(append(pre,
			g.add(fv.Advisory, at, g.xrule(xrules.ForbiddenValues), fv.Message))...))
	}
	for _, r := range x.References {
		code, err := g.references(o, r, where)
		if err != nil {
			return nil, err
		}
		out = append(out, code)
	}
	if pp := x.PathParams; pp != nil {
		code, err := g.pathParams(o, *pp, lookup, where)
		if err != nil {
			return nil, err
		}
		out = append(out, code...)
	}
	return out, nil
}

// presentExpr is true when field f will be sent; nil when it always is.
func presentExpr(f *field) *jen.Statement { return presentOn("v", f) }

// presentOn is presentExpr for field f of the value named recv.
func presentOn(recv string, f *field) *jen.Statement {
	if f.pointer || f.val.kind == kArray || f.val.kind == kMap || (f.val.kind == kAny && !f.pointer) {
		return jen.Id(recv).Dot(f.goName).Op("!=").Nil()
	}
	return nil
}

// valueString renders field f (known to be present) as the string conditions compare.
func valueString(f *field) (jen.Code, error) { return valueOn("v", f) }

// valueOn is valueString for field f of the value named recv.
func valueOn(recv string, f *field) (jen.Code, error) {
	expr := jen.Id(recv).Dot(f.goName)
	if f.pointer {
		expr = jen.Parens(jen.Op("*").Add(expr))
	}
	switch f.val.kind {
	case kString:
		return jen.String().Call(expr), nil
	case kInt:
		return jen.Qual(strPkg, "FormatInt").Call(jen.Int64().Call(expr), jen.Lit(10)), nil
	case kBool:
		return jen.Qual(strPkg, "FormatBool").Call(jen.Bool().Call(expr)), nil
	}
	return nil, fmt.Errorf("%s: conditions can only compare strings, integers and booleans", f.val.where)
}

func (g *vgen) condition(c xrules.Condition, lookup func(string, string) (*field, error), rule string) (*jen.Statement, string, error) {
	return g.conditionOn("v", c, lookup, rule)
}

// conditionOn is condition on the value named recv.
func (g *vgen) conditionOn(recv string, c xrules.Condition, lookup func(string, string) (*field, error), rule string) (*jen.Statement, string, error) {
	f, err := lookup(c.Property, rule)
	if err != nil {
		return nil, "", err
	}
	present := presentOn(recv, f)
	truth := present
	if truth == nil {
		truth = jen.True()
	}
	if c.Present != nil {
		if *c.Present {
			return jen.Parens(truth), c.Property + " is set", nil
		}
		return jen.Op("!").Parens(truth), c.Property + " is not set", nil
	}
	if c.Filled != nil {
		if f.val.kind != kString {
			return nil, "", fmt.Errorf("%s: filled applies to strings only", f.val.where)
		}
		str, _ := valueOn(recv, f)
		filled := jen.Add(str).Op("!=").Lit("")
		if present != nil {
			filled = jen.Add(present).Op("&&").Add(filled)
		}
		if *c.Filled {
			return jen.Parens(filled), c.Property + " is not empty", nil
		}
		return jen.Op("!").Parens(filled), c.Property + " is empty or not set", nil
	}
	vals := c.In
	if c.NotIn != nil {
		vals = c.NotIn
	}
	str, err := valueOn(recv, f)
	if err != nil {
		return nil, "", err
	}
	fold := len(xrules.Of(f.val.schema).EnumCI) > 0
	args := []jen.Code{str, jen.Lit(fold)}
	var texts []string
	for _, v := range vals {
		args = append(args, jen.Lit(literal(v)))
		texts = append(texts, literal(v))
	}
	match := jen.Qual(g.valPkg, "Match").Call(args...)
	in := jen.Parens(jen.Add(truth).Op("&&").Add(match))
	if present == nil {
		in = jen.Parens(match)
	}
	if c.NotIn != nil {
		return jen.Op("!").Add(in), c.Property + " is not " + strings.Join(texts, " or "), nil
	}
	return in, c.Property + " is " + strings.Join(texts, " or "), nil
}

func (g *vgen) pathParams(o *object, pp xrules.Params, lookup func(string, string) (*field, error), where string) ([]jen.Code, error) {
	uri, err := lookup(pp.URI, "x-path-params")
	if err != nil {
		return nil, err
	}
	params, err := lookup(pp.Params, "x-path-params")
	if err != nil {
		return nil, err
	}
	if uri.val.kind != kString || params.val.kind != kArray || params.val.elem.kind != kStruct {
		return nil, fmt.Errorf("%s: x-path-params needs a string uri and an array of objects", where)
	}
	item, ok := g.objects[params.val.elem.goType]
	if !ok {
		return nil, fmt.Errorf("%s: x-path-params: no object type %s", where, params.val.elem.goType)
	}
	nameProp := pp.Name
	var nameF, locF *field
	for i := range item.fields {
		switch item.fields[i].json {
		case nameProp:
			nameF = &item.fields[i]
		case pp.Location:
			locF = &item.fields[i]
		}
	}
	if nameF == nil || locF == nil || nameF.val.kind != kString || locF.val.kind != kString {
		return nil, fmt.Errorf("%s: x-path-params: %s needs string properties %q and %q", where, item.name, nameProp, pp.Location)
	}
	fold := len(xrules.Of(locF.val.schema).EnumCI) > 0
	it := func(f *field) jen.Code {
		e := jen.Id("it").Dot(f.goName)
		if f.pointer {
			return jen.String().Call(jen.Op("*").Add(e))
		}
		return jen.String().Call(e)
	}
	itemCond := jen.Qual(g.valPkg, "Match").Call(it(locF), jen.Lit(fold), jen.Lit(pp.Value))
	if locF.pointer {
		itemCond = jen.Id("it").Dot(locF.goName).Op("!=").Nil().Op("&&").Add(itemCond)
	}
	if nameF.pointer {
		itemCond = itemCond.Op("&&").Id("it").Dot(nameF.goName).Op("!=").Nil()
	}
	uriExpr := jen.Id("v").Dot(uri.goName)
	pre := []jen.Code{}
	cond := jen.Qual("strings", "IndexByte").Call(jen.Id("uri"), jen.LitRune('{')).Op(">=").Lit(0)
	if uri.pointer {
		pre = append(pre, jen.If(uriExpr.Clone().Op("==").Nil()).Block(jen.Return()))
		uriExpr = jen.Op("*").Add(uriExpr)
	}
	paramsExpr := jen.Id("v").Dot(params.goName)
	var loop jen.Code
	rangeOver := paramsExpr
	if params.pointer {
		rangeOver = jen.Op("*").Add(paramsExpr)
	}
	loop = jen.For(jen.List(jen.Id("_"), jen.Id("it")).Op(":=").Range().Add(rangeOver)).Block(
		jen.If(itemCond).Block(jen.Id("declared").Op("=").Append(jen.Id("declared"), it(nameF))),
	)
	if params.pointer {
		loop = jen.If(paramsExpr.Clone().Op("!=").Nil()).Block(loop)
	}
	body := append(pre,
		jen.Id("uri").Op(":=").String().Call(uriExpr),
		jen.If(jen.Op("!").Parens(cond)).Block(jen.Return()),
		// On the stack for the usual few parameters.
		jen.Var().Id("room").Index(jen.Lit(8)).String(),
		jen.Id("declared").Op(":=").Id("room").Index(jen.Empty(), jen.Lit(0)),
		loop,
		jen.Id("p").Op(":=").Id("path").Dot("Key").Call(jen.Lit(pp.URI)),
		g.rule("UndeclaredPathParams").Call(errsID, jen.Op("&").Id("p"), jen.Id("uri"), jen.Id("declared")),
	)
	// A closure lets the rule return early without ending ValidateAt.
	return []jen.Code{jen.Func().Params().Block(body...).Call()}, nil
}

// enumValues lists the values of a string enum (enum or x-enum-ci), or nil.
func enumValues(s *openapi3.Schema) []any {
	if s == nil {
		return nil
	}
	if len(s.Enum) > 0 {
		return s.Enum
	}
	return xrules.Of(s).EnumCIValues()
}

// fieldOf returns the field of o with JSON name name.
func fieldOf(o *object, name string) (*field, bool) {
	for i := range o.fields {
		if o.fields[i].json == name {
			return &o.fields[i], true
		}
	}
	return nil, false
}

// arrayOfObjects returns the struct type of the items of f, an array of objects.
func (g *vgen) arrayOfObjects(f *field, where string) (*object, error) {
	if f.val.kind != kArray || f.val.elem.kind != kStruct {
		return nil, fmt.Errorf("%s: %s is not an array of objects", where, f.json)
	}
	item, ok := g.objects[f.val.elem.goType]
	if !ok {
		return nil, fmt.Errorf("%s: no object type %s", where, f.val.elem.goType)
	}
	return item, nil
}

// references generates the check of one x-references rule: every item reached by r.Items
// (for which r.When holds) names, in r.Value, an item of the array r.Target by its r.Name.
func (g *vgen) references(o *object, r xrules.Reference, where string) (jen.Code, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: x-references: "+format, append([]any{where}, args...)...)
	}
	target, ok := fieldOf(o, r.Target)
	if !ok {
		return nil, bad("no property %q", r.Target)
	}
	tItem, err := g.arrayOfObjects(target, where)
	if err != nil {
		return nil, err
	}
	tName, ok := fieldOf(tItem, r.Name)
	if !ok || tName.val.kind != kString {
		return nil, bad("%s has no string property %q", tItem.name, r.Name)
	}
	deref := func(recv string, f *field) *jen.Statement {
		e := jen.Id(recv).Dot(f.goName)
		if f.pointer {
			return jen.Parens(jen.Op("*").Add(e))
		}
		return e
	}
	nameOf := jen.String().Call(deref("t", tName))
	var hasBody []jen.Code
	loop := jen.For(jen.List(jen.Id("_"), jen.Id("t")).Op(":=").Range().Add(deref("v", target))).Block(
		jen.If(func() *jen.Statement {
			if tName.pointer {
				return jen.Id("t").Dot(tName.goName).Op("!=").Nil().Op("&&").Add(nameOf).Op("==").Id("n")
			}
			return jen.Add(nameOf).Op("==").Id("n")
		}()).Block(jen.Return(jen.True())),
	)
	if target.pointer {
		hasBody = append(hasBody, jen.If(jen.Id("v").Dot(target.goName).Op("==").Nil()).Block(jen.Return(jen.False())))
	}
	hasBody = append(hasBody, loop, jen.Return(jen.False()))

	steps := strings.Split(r.Items, ".")
	// walk emits the loops over steps[i:] below the value named recv of type cur, at path pp.
	var walk func(i int, cur *object, recv string, pp jen.Code) ([]jen.Code, error)
	walk = func(i int, cur *object, recv string, pp jen.Code) ([]jen.Code, error) {
		name := strings.TrimSuffix(steps[i], "[]")
		f, ok := fieldOf(cur, name)
		if !ok {
			return nil, bad("%s has no property %q", cur.name, name)
		}
		item, err := g.arrayOfObjects(f, where)
		if err != nil {
			return nil, err
		}
		idx, it, pv, qv := fmt.Sprintf("i%d", i), fmt.Sprintf("it%d", i), fmt.Sprintf("p%d", i), fmt.Sprintf("q%d", i)
		var body []jen.Code
		body = append(body,
			jen.Id(it).Op(":=").Op("&").Add(deref(recv, f)).Index(jen.Id(idx)),
			jen.Id(qv).Op(":=").Id(pv).Dot("Index").Call(jen.Id(idx)),
		)
		if i < len(steps)-1 {
			inner, err := walk(i+1, item, it, jen.Op("&").Id(qv))
			if err != nil {
				return nil, err
			}
			body = append(body, inner...)
		} else {
			vf, ok := fieldOf(item, r.Value)
			if !ok || vf.val.kind != kString {
				return nil, bad("%s has no string property %q", item.name, r.Value)
			}
			itemLookup := func(n, rule string) (*field, error) {
				f, ok := fieldOf(item, n)
				if !ok {
					return nil, bad("%s has no property %q", item.name, n)
				}
				return f, nil
			}
			cond := jen.Op("!").Id("has").Call(jen.String().Call(deref(it, vf)))
			if vf.pointer {
				cond = jen.Id(it).Dot(vf.goName).Op("!=").Nil().Op("&&").Add(cond)
			}
			if r.When != nil {
				c, _, err := g.conditionOn(it, *r.When, itemLookup, xrules.References)
				if err != nil {
					return nil, err
				}
				cond = c.Op("&&").Add(cond)
			}
			body = append(body, jen.If(cond).Block(
				jen.Id("r").Op(":=").Id(qv).Dot("Key").Call(jen.Lit(r.Value)),
				g.add(r.Advisory, jen.Op("&").Id("r"), g.xrule(xrules.References), "must name one of "+r.Target+"[]."+r.Name),
			))
		}
		loop := []jen.Code{
			jen.Id(pv).Op(":=").Parens(pp).Dot("Key").Call(jen.Lit(name)),
			jen.For(jen.Id(idx).Op(":=").Range().Add(deref(recv, f))).Block(body...),
		}
		if f.pointer {
			return []jen.Code{jen.If(jen.Id(recv).Dot(f.goName).Op("!=").Nil()).Block(loop...)}, nil
		}
		return []jen.Code{jen.Block(loop...)}, nil
	}
	loops, err := walk(0, o, "v", jen.Id("path"))
	if err != nil {
		return nil, err
	}
	return jen.Block(append([]jen.Code{
		jen.Id("has").Op(":=").Func().Params(jen.Id("n").String()).Bool().Block(hasBody...),
	}, loops...)...), nil
}
