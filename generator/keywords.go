package generator

// The scalar, array and object keywords beyond the base set: exclusiveMinimum and
// exclusiveMaximum, multipleOf, enums of numbers and booleans, formats, uniqueItems,
// minProperties and maxProperties, additionalProperties, inline objects (named types),
// maps, nullable items, readOnly and writeOnly. validators.go calls in here from small hooks.

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"

	"github.com/apiclab/apic/spec/xrules"
)

// Formats. The validators check kin-openapi's default set, so that they and that oracle agree
// on every document; the other well-known formats are annotations, deliberately unchecked (as
// kin-openapi leaves them unless a program opts in), and any other format is refused, so that
// none is dropped by accident. spec/README.md ("Formats") gives the reasons.
var (
	// checkedFormats holds the string formats the validators check (validation.Format).
	checkedFormats = map[string]bool{"date": true, "date-time": true, "byte": true}
	// annotationFormats are accepted and not checked, per JSON type.
	annotationFormats = map[string][]string{
		"string":  {"password", "email", "uuid", "uri", "uri-reference", "hostname", "ipv4", "ipv6", "binary"},
		"integer": {"int32", "int64"}, // checked by the Go type's range (validation.FitInt)
		"number":  {"float", "double"},
	}
)

// stringFormatsAreText maps every string format to string, unless the configuration maps it:
// oapi-codegen would otherwise decode date-time into time.Time (refusing the leap second that
// RFC 3339 allows), uuid into a byte array (accepting braces and urn: prefixes) and byte into
// decoded bytes, so that the Go value would neither keep the text as sent nor agree with the
// format check.
func stringFormatsAreText(m *codegen.TypeMapping) *codegen.TypeMapping {
	formats := map[string]codegen.SimpleTypeSpec{}
	for f := range checkedFormats {
		formats[f] = codegen.SimpleTypeSpec{Type: "string"}
	}
	for _, f := range annotationFormats["string"] {
		formats[f] = codegen.SimpleTypeSpec{Type: "string"}
	}
	for f, t := range m.String.Formats {
		formats[f] = t
	}
	m.String.Formats = formats
	return m
}

// formatProblem says why the generator cannot take s's format, or "".
func formatProblem(s *openapi3.Schema) string {
	f := s.Format
	if f == "" {
		return ""
	}
	for _, t := range []string{"string", "integer", "number"} {
		if s.Type.Is(t) && (t == "string" && checkedFormats[f] || slices.Contains(annotationFormats[t], f)) {
			return ""
		}
	}
	var known []string
	for f := range checkedFormats {
		known = append(known, f)
	}
	for _, fs := range annotationFormats {
		known = append(known, fs...)
	}
	sort.Strings(known)
	return fmt.Sprintf("format %s is not supported by the validator generator on this type (known formats: %s; see spec/README.md, Formats)", f, strings.Join(known, ", "))
}

// Objects and maps.

// members says what an object does with members that no property declares.
type members struct {
	extra  *value // their schema (additionalProperties); nil: skipped, or refused when closed
	closed bool   // additionalProperties: false
	isMap  bool   // the Go type is the map of members itself: an object without properties
}

// isMapSchema reports whether s is an object without properties, which oapi-codegen declares
// as a Go map of its members.
func isMapSchema(s *openapi3.Schema) bool {
	return s != nil && s.Type.Is("object") && len(s.Properties) == 0 && len(s.OneOf)+len(s.AnyOf)+len(s.AllOf) == 0
}

// inlineMap reports whether a component is declared as an alias of a map type, which cannot
// have methods: it is checked where it is used.
func inlineMap(gs codegen.Schema) bool {
	return isMapSchema(gs.OAPISchema) && gs.DefineViaAlias
}

func membersOf(gs codegen.Schema, where string) (members, error) {
	s := gs.OAPISchema
	m := members{closed: s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has, isMap: isMapSchema(s)}
	if m.closed || (!gs.HasAdditionalProperties && !m.isMap) {
		return m, nil
	}
	extra, err := extraValue(gs, where)
	m.extra = &extra
	return m, err
}

// extraValue is the value of a member that no property declares, as oapi-codegen types it.
func extraValue(gs codegen.Schema, where string) (value, error) {
	at := where + "/additionalProperties"
	if gs.AdditionalPropertiesType == nil && gs.OAPISchema.AdditionalProperties.Schema != nil {
		// A reference to a map component: its own schema knows the member type.
		full, err := codegen.GenerateGoSchema(openapi3.NewSchemaRef("", gs.OAPISchema), []string{gs.TypeDecl()})
		if err != nil {
			return value{}, err
		}
		gs = full
	}
	if gs.AdditionalPropertiesType == nil {
		return value{kind: kAny, goType: "interface{}", where: at}, nil
	}
	return toValue(*gs.AdditionalPropertiesType, at)
}

// mapValue completes v, the value of a map type.
func mapValue(gs codegen.Schema, v value) (value, error) {
	v.kind = kMap
	m, err := membersOf(gs, v.where)
	if err != nil {
		return v, err
	}
	if m.extra == nil && !m.closed {
		m.extra = &value{kind: kAny, goType: "interface{}", where: v.where + "/additionalProperties"}
	}
	v.elem = m.extra
	return v, nil
}

// typelessObject refuses properties on a schema without a type. Under OpenAPI 3.0 such a schema
// accepts every JSON value (a string, a number, null) and checks the properties of objects only;
// the Go struct oapi-codegen declares for it cannot hold any of the other values, so a document
// the schema accepts could not be decoded and sent back as it came.
func typelessObject(s *openapi3.Schema, where string) error {
	if s != nil && len(s.Properties) > 0 && (s.Type == nil || len(s.Type.Slice()) == 0) {
		return fmt.Errorf("%s: properties on a schema without a type; the schema accepts any JSON value, which the generated struct cannot hold: add type: object", where)
	}
	return nil
}

// inlineObjects adds the struct types that oapi-codegen names for the inline objects of a
// component (generate-types-for-anonymous-schemas): Thing_Inner for Thing's property inner.
func (m *model) inlineObjects(gs codegen.Schema, where string) error {
	if m.seenInline == nil {
		m.seenInline = map[string]bool{}
	}
	for _, at := range gs.AdditionalTypes {
		s := at.Schema.OAPISchema
		if len(at.Schema.UnionElements) > 0 || s == nil || m.seenInline[at.TypeName] || at.Schema.ArrayType != nil {
			continue
		}
		if !(s.Type.Is("object") || len(s.Properties) > 0) || inlineMap(at.Schema) {
			continue
		}
		m.seenInline[at.TypeName] = true
		o, err := newObject(at.TypeName, at.TypeName, at.Schema, where+" (inline object "+at.JsonName+")")
		if err != nil {
			return err
		}
		m.objects = append(m.objects, o)
	}
	return nil
}

// hoisted returns the schema of the named type that oapi-codegen hoisted an inline schema
// into (generate-types-for-anonymous-schemas): the reference it leaves in place has no
// OpenAPI schema of its own.
func hoisted(gs codegen.Schema) codegen.Schema {
	if gs.OAPISchema != nil || gs.RefType == "" {
		return gs
	}
	for _, at := range gs.AdditionalTypes {
		if at.TypeName == gs.RefType {
			return at.Schema
		}
	}
	return gs
}

// Checks.

// keywordsProblem refuses the keywords of this file where the generated code could not check
// them, or "" when it can.
func keywordsProblem(v value) string {
	s := v.schema
	if p := formatProblem(s); p != "" {
		return p
	}
	if (s.ExclusiveMin.IsTrue() && s.Min == nil) || (s.ExclusiveMax.IsTrue() && s.Max == nil) {
		return "exclusiveMinimum/exclusiveMaximum without the bound it qualifies"
	}
	if s.MultipleOf != nil && v.kind != kInt && v.kind != kFloat && v.kind != kAny {
		return "multipleOf on a value that is not a number"
	}
	if s.UniqueItems && v.kind != kArray && v.kind != kAny {
		return "uniqueItems on a value that is not an array"
	}
	return ""
}

// keywordConstraints names the keywords of this file set on s (see constraints).
func keywordConstraints(s *openapi3.Schema) []string {
	var out []string
	for _, c := range []struct {
		set  bool
		name string
	}{
		{s.MultipleOf != nil, "multipleOf"}, {s.UniqueItems, "uniqueItems"},
		{s.MinProps > 0 || s.MaxProps != nil, "minProperties/maxProperties"},
		{s.AdditionalProperties.Has != nil || s.AdditionalProperties.Schema != nil, "additionalProperties"},
		{s.Format != "", "format"},
	} {
		if c.set {
			out = append(out, c.name)
		}
	}
	return out
}

// hasKeywordChecks reports whether a value of v can break a keyword of this file.
func hasKeywordChecks(v value) bool {
	s := v.schema
	if s == nil {
		return false
	}
	switch v.kind {
	case kMap:
		return s.MinProps > 0 || s.MaxProps != nil || v.elem != nil && hasChecks(*v.elem)
	case kArray:
		return s.UniqueItems
	}
	return s.MultipleOf != nil || checkedFormats[s.Format] && v.kind == kString
}

// exclusive reports whether a number schema has an exclusive bound.
func exclusive(s *openapi3.Schema) bool { return s.ExclusiveMin.IsTrue() || s.ExclusiveMax.IsTrue() }

// intLimits are the inclusive integer bounds of s: an exclusive bound moves one inward.
func intLimits(s *openapi3.Schema) (minV, maxV int64) {
	if s.Min != nil {
		minV = intBound(*s.Min, true)
		if s.ExclusiveMin.IsTrue() && *s.Min == math.Ceil(*s.Min) && minV < math.MaxInt64 {
			minV++
		}
	}
	if s.Max != nil {
		maxV = intBound(*s.Max, false)
		if s.ExclusiveMax.IsTrue() && *s.Max == math.Floor(*s.Max) && maxV > math.MinInt64 {
			maxV--
		}
	}
	return minV, maxV
}

// intKeywords checks multipleOf on the integer nv.
func (g *vgen) intKeywords(s *openapi3.Schema, nv, pp jen.Code) []jen.Code {
	if s.MultipleOf == nil {
		return nil
	}
	m := *s.MultipleOf
	if m == math.Trunc(m) && m < math.MaxInt64 {
		return []jen.Code{g.graded(xrules.Of(s).AdvisoryOf("multipleOf"), func(errs jen.Code) jen.Code {
			return g.rule("MultipleOfInt").Call(errs, pp, nv, jen.Lit(int64(m)))
		})}
	}
	return []jen.Code{g.graded(xrules.Of(s).AdvisoryOf("multipleOf"), func(errs jen.Code) jen.Code {
		return g.rule("MultipleOf").Call(errs, pp, jen.Float64().Call(nv), jen.Lit(m))
	})}
}

// floatKeywords checks exclusive bounds, enum and multipleOf on the number expr.
func (g *vgen) floatKeywords(v value, expr, pp jen.Code) []jen.Code {
	s := v.schema
	var out []jen.Code
	num := jen.Float64().Call(expr)
	if exclusive(s) {
		var minV, maxV float64
		if s.Min != nil {
			minV = *s.Min
		}
		if s.Max != nil {
			maxV = *s.Max
		}
		out = append(out, g.bounds(xrules.Of(s), "minimum", s.Min != nil, "maximum", s.Max != nil, func(errs jen.Code, lo, hi bool) jen.Code {
			return g.rule("FloatRange").Call(errs, pp, num,
				jen.Lit(lo), jen.Lit(pick(lo, minV, 0)), jen.Lit(lo && s.ExclusiveMin.IsTrue()),
				jen.Lit(hi), jen.Lit(pick(hi, maxV, 0)), jen.Lit(hi && s.ExclusiveMax.IsTrue()))
		})...)
	}
	if len(s.Enum) > 0 {
		var lits []jen.Code
		for _, e := range s.Enum {
			f, _ := e.(float64)
			lits = append(lits, jen.Lit(f))
		}
		out = append(out, g.graded(xrules.Of(s).AdvisoryOf("enum"), func(errs jen.Code) jen.Code {
			return g.rule("EnumFloat").Call(errs, pp, num, jen.Index().Float64().Values(lits...))
		}))
	}
	if s.MultipleOf != nil {
		out = append(out, g.graded(xrules.Of(s).AdvisoryOf("multipleOf"), func(errs jen.Code) jen.Code {
			return g.rule("MultipleOf").Call(errs, pp, num, jen.Lit(*s.MultipleOf))
		}))
	}
	return out
}

// boolKeywords checks a boolean enum.
func (g *vgen) boolKeywords(s *openapi3.Schema, expr, pp jen.Code) []jen.Code {
	if len(s.Enum) == 0 {
		return nil
	}
	var lits []jen.Code
	for _, e := range s.Enum {
		b, _ := e.(bool)
		lits = append(lits, jen.Lit(b))
	}
	return []jen.Code{g.graded(xrules.Of(s).AdvisoryOf("enum"), func(errs jen.Code) jen.Code {
		return g.rule("EnumBool").Call(errs, pp, jen.Bool().Call(expr), jen.Index().Bool().Values(lits...))
	})}
}

// stringKeywords checks a checked format on the string sv.
func (g *vgen) stringKeywords(s *openapi3.Schema, sv, pp jen.Code) []jen.Code {
	if !checkedFormats[s.Format] {
		return nil
	}
	return []jen.Code{g.graded(xrules.Of(s).AdvisoryOf("format"), func(errs jen.Code) jen.Code {
		return g.rule("Format").Call(errs, pp, sv, jen.Lit(s.Format))
	})}
}

// arrayKeywords checks uniqueItems on the slice expr.
func (g *vgen) arrayKeywords(s *openapi3.Schema, expr, pp jen.Code) []jen.Code {
	if !s.UniqueItems {
		return nil
	}
	return []jen.Code{g.graded(xrules.Of(s).AdvisoryOf("uniqueItems"), func(errs jen.Code) jen.Code {
		return g.rule("Unique").Call(errs, pp, expr)
	})}
}

// propsCheck checks minProperties and maxProperties against the member count n.
func (g *vgen) propsCheck(s *openapi3.Schema, n, pp jen.Code) []jen.Code {
	minP, maxP := -1, -1
	if s.MinProps > 0 {
		minP = int(s.MinProps)
	}
	if s.MaxProps != nil {
		maxP = int(*s.MaxProps)
	}
	return g.bounds(xrules.Of(s), "minProperties", minP >= 0, "maxProperties", maxP >= 0, func(errs jen.Code, lo, hi bool) jen.Code {
		return g.rule("Props").Call(errs, pp, n, jen.Lit(pick(lo, minP, -1)), jen.Lit(pick(hi, maxP, -1)))
	})
}

// mapCheck checks the map expr (of v's Go type) at pp: its member count and each member.
func (g *vgen) mapCheck(v value, expr, pp jen.Code, depth int) ([]jen.Code, error) {
	out := g.propsCheck(v.schema, jen.Len(expr), pp)
	if v.elem != nil && hasChecks(*v.elem) {
		k, x, q := jen.Id(fmt.Sprintf("k%d", depth)), jen.Id(fmt.Sprintf("x%d", depth)), jen.Id(fmt.Sprintf("q%d", depth))
		inner, err := g.check(*v.elem, x, nil, jen.Op("&").Add(q), depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, jen.For(jen.List(k, x).Op(":=").Range().Add(expr)).Block(
			append([]jen.Code{jen.Add(q).Op(":=").Parens(pp).Dot("Key").Call(k)}, inner...)...))
	} else if v.elem != nil {
		if err := g.supported(*v.elem); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// memberDecode decodes the member named key (an expression of type string) of the map m at
// path pp (m has Go type goType): into m[key] when the object takes members of that schema,
// or records it as undeclared when it is closed.
func (g *vgen) memberDecode(v *value, closed bool, m jen.Code, goType string, key, pp jen.Code, depth int) ([]jen.Code, error) {
	if closed || v == nil {
		return []jen.Code{
			g.rule("Undeclared").Call(errsID, pp, key),
			jen.If(jen.Err().Op(":=").Id("d").Dot("Skip").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		}, nil
	}
	e, q := jen.Id(fmt.Sprintf("m%d", depth)), jen.Id(fmt.Sprintf("mq%d", depth))
	dec, err := g.decode(*v, e, false, jen.Op("&").Add(q), depth+1, "return err")
	if err != nil {
		return nil, err
	}
	out := []jen.Code{jen.Var().Add(e).Id(v.goType)}
	if usesPath(*v) {
		out = append([]jen.Code{jen.Add(q).Op(":=").Parens(pp).Dot("Key").Call(key)}, out...)
	}
	out = append(out, dec...)
	return append(out,
		jen.If(jen.Add(m).Op("==").Nil()).Block(jen.Add(m).Op("=").Make(jen.Id(goType))),
		jen.Add(m).Index(key).Op("=").Add(e),
	), nil
}

// mapDecode decodes a JSON object into the map target (of v's Go type).
func (g *vgen) mapDecode(v value, target jen.Code, pointer bool, pp jen.Code, depth int) ([]jen.Code, error) {
	mv := jen.Id(fmt.Sprintf("mv%d", depth))
	it := jen.Id(fmt.Sprintf("mi%d", depth))
	ok := jen.Id(fmt.Sprintf("ok%d", depth))
	ret := jen.Return(jen.Err())
	key := jen.String().Call(jen.Add(it).Dot("Key").Call())
	kv := jen.Id(fmt.Sprintf("mk%d", depth))
	member, err := g.memberDecode(v.elem, v.elem == nil, mv, v.goType, kv, pp, depth)
	if err != nil {
		return nil, err
	}
	assign := jen.Add(target).Op("=").Add(mv)
	if pointer {
		assign = jen.Add(target).Op("=").Op("&").Add(mv)
	}
	return []jen.Code{
		jen.If(jen.List(ok, jen.Err()).Op(":=").Qual(g.valPkg, "Expect").Call(dID, errsID, pp, jen.Qual(jxPkg, "Object"), jen.Lit("an object")), jen.Err().Op("!=").Nil()).Block(ret).Else().If(ok).Block(
			// An empty object decodes to an empty, not a nil, map so that it is sent back as {}.
			jen.Add(mv).Op(":=").Make(jen.Id(v.goType)),
			jen.List(it, jen.Err()).Op(":=").Id("d").Dot("ObjIter").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(ret),
			jen.For(jen.Add(it).Dot("Next").Call()).Block(append([]jen.Code{jen.Add(kv).Op(":=").Add(key)}, member...)...),
			jen.If(jen.Err().Op(":=").Add(it).Dot("Err").Call(), jen.Err().Op("!=").Nil()).Block(ret),
			assign,
		),
	}, nil
}

// usesPath reports whether decoding a value of v records violations at its path: values that
// decode themselves (unions) or take anything (no type) do not.
func usesPath(v value) bool { return v.kind != kAny && v.kind != kUnion }

// Object hooks.

// nullObject lets a nullable object type decode null: the value stays as it is.
func (g *vgen) nullObject(o *object) []jen.Code {
	if !o.schema.Nullable {
		return nil
	}
	return []jen.Code{
		jen.If(jen.List(jen.Id("null"), jen.Err()).Op(":=").Qual(g.valPkg, "IsNull").Call(dID), jen.Err().Op("!=").Nil().Op("||").Id("null")).Block(jen.Return(jen.Err())),
	}
}

// otherMember decodes a member that no property of o declares (the default case of DecodeJX).
func (g *vgen) otherMember(o *object) ([]jen.Code, error) {
	if !o.closed && o.extra == nil {
		return []jen.Code{
			jen.If(jen.Err().Op(":=").Id("d").Dot("Skip").Call(), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		}, nil
	}
	key := jen.Id("key")
	code, err := g.memberDecode(o.extra, o.closed, g.membersExpr(o), o.mapType(), key, jen.Id("path"), 0)
	if err != nil {
		return nil, err
	}
	return append([]jen.Code{jen.Add(key).Op(":=").String().Call(jen.Id("iter").Dot("Key").Call())}, code...), nil
}

// membersExpr is the map that holds o's undeclared members.
func (g *vgen) membersExpr(o *object) *jen.Statement {
	if o.isMap {
		return jen.Parens(jen.Op("*").Id("v"))
	}
	return jen.Id("v").Dot("AdditionalProperties")
}

// mapType is the Go type of the map of o's undeclared members.
func (o *object) mapType() string {
	if o.isMap {
		return o.goName
	}
	if o.extra == nil {
		return ""
	}
	return "map[string]" + o.extra.goType
}

// objectKeywords checks, in ValidateAt, o's undeclared members, its member count and the
// readOnly and writeOnly members that are set.
func (g *vgen) objectKeywords(o *object) ([]jen.Code, error) {
	var out []jen.Code
	s := o.schema
	if o.isMap {
		out = append(out, g.propsCheck(s, jen.Len(g.membersExpr(o)), jen.Id("path"))...)
	}
	if o.extra != nil && hasChecks(*o.extra) {
		inner, err := g.check(*o.extra, jen.Id("x"), nil, jen.Op("&").Id("q"), 1)
		if err != nil {
			return nil, err
		}
		out = append(out, jen.For(jen.List(jen.Id("k"), jen.Id("x")).Op(":=").Range().Add(g.membersExpr(o))).Block(
			append([]jen.Code{jen.Id("q").Op(":=").Id("path").Dot("Key").Call(jen.Id("k"))}, inner...)...))
	} else if o.extra != nil {
		if err := g.supported(*o.extra); err != nil {
			return nil, err
		}
	}
	for i := range o.fields {
		f := &o.fields[i]
		fs := f.val.schema
		if fs == nil || !fs.ReadOnly && !fs.WriteOnly {
			continue
		}
		present := presentExpr(f)
		if present == nil {
			return nil, fmt.Errorf("%s: a readOnly or writeOnly property must be optional in Go (a pointer); keep oapi-codegen's default for required ones", f.val.where)
		}
		fn := pick(fs.ReadOnly, "ReadOnly", "WriteOnly")
		out = append(out, jen.If(present).Block(
			jen.Id("p").Op(":=").Id("path").Dot("Key").Call(jen.Lit(f.json)),
			g.rule(fn).Call(errsID, jen.Op("&").Id("p")),
		))
	}
	return out, nil
}

// memberCount declares, for a struct with minProperties or maxProperties, the count of the
// members DecodeJX reads, and returns the statement that counts one. The members of the JSON
// document are counted, as kin-openapi counts them: the Go value cannot tell a member sent as
// null, or with a wrong type, from one not sent. So a struct's Validate does not count members.
func (g *vgen) memberCount(o *object) (decl, count []jen.Code) {
	if o.isMap || o.schema.MinProps == 0 && o.schema.MaxProps == nil {
		return nil, nil
	}
	return []jen.Code{jen.Id("members").Op(":=").Lit(0)}, []jen.Code{jen.Id("members").Op("++")}
}

// countCheck checks the count memberCount made.
func (g *vgen) countCheck(o *object) []jen.Code {
	if decl, _ := g.memberCount(o); decl == nil {
		return nil
	}
	return g.propsCheck(o.schema, jen.Id("members"), jen.Id("path"))
}

// requiredMissing records a missing required member at q: a readOnly member is required in
// responses only, a writeOnly member in requests only.
func (g *vgen) requiredMissing(f field, q jen.Code) jen.Code {
	if s := f.val.schema; s != nil && (s.ReadOnly || s.WriteOnly) {
		return errsID.Clone().Dot("AddFor").Call(g.rule(pick(s.ReadOnly, "Response", "Request")), q, g.rule("RuleRequired"), jen.Lit("is required"))
	}
	return errsID.Clone().Dot("Add").Call(q, g.rule("RuleRequired"), jen.Lit("is required"))
}
