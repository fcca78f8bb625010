package generator

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"

	"github.com/apiclab/apic/spec/xrules"
)

// Schemas that combine others (allOf, anyOf, oneOf, not, a discriminator) or constrain a value
// without a type say more than the Go type oapi-codegen declares for them. The generated code
// checks them by walking a table of validation.Schema over the value's JSON (the runtime's
// CheckJSON), while everything a Go type does say keeps its typed checks. A schema with a
// generated type of its own (an object or oneOf component) is checked inside the table by that
// type's code, so recursion through $ref costs nothing at generation and x- rules still apply.

// walkTable is the Go name of the table of walked schemas in validate.gen.go.
const walkTable = "walkedSchemas"

// walker builds the table: one slot per schema (and mode), in the order first met.
type walker struct {
	slots []jen.Code
	index map[walkKey]int
	typed map[string]string // component name -> Go type with a generated decoder
}

type walkKey struct {
	s     *openapi3.Schema
	typed string // the Go type checked by its own code, for a $ref to such a component
	only  bool   // only the combination keywords (the typed code checks the rest)
	self  string // with only: the value's own Go type, whose allOf branch is left out
}

func newWalker(m *model) *walker {
	w := &walker{index: map[walkKey]int{}, typed: map[string]string{}}
	for _, o := range m.objects {
		w.typed[o.name] = o.goName
	}
	for _, u := range m.unions {
		if u.component != "" {
			w.typed[u.component] = u.goName
		}
	}
	return w
}

// combines reports whether s has keywords the walker checks beside a Go type.
func combines(s *openapi3.Schema) bool {
	return s != nil && (len(s.AllOf) > 0 || len(s.AnyOf) > 0 || len(s.OneOf) > 0 || s.Not != nil || s.Discriminator != nil)
}

// walked reports whether a value of v is checked by the walker: its Go type cannot hold
// what its schema says.
func walked(v value) bool {
	s := v.schema
	if s == nil {
		return false
	}
	switch v.kind {
	case kUnion:
		return false // its type's ValidateAt decides (walkedUnion)
	case kAny:
		return combines(s) || len(constraints(s)) > 0
	}
	return combines(s)
}

// walkCheck returns the statements that check v with the walker, or nil when v is not walked.
// A value without a type is walked whole; a typed value only for its combination keywords.
func (g *vgen) walkCheck(v value, expr, ptr, pp jen.Code) ([]jen.Code, error) {
	if !walked(v) {
		return nil, nil
	}
	only := v.kind != kAny
	i, err := g.walk.compile(g, &openapi3.SchemaRef{Value: v.schema}, v.where, only, v.goType)
	if err != nil || i < 0 {
		return nil, err
	}
	target := expr
	if ptr != nil {
		target = ptr
	}
	call := g.rule("CheckValue").Call(jen.Op("&").Id(walkTable).Index(jen.Lit(i)), target, pp, errsID)
	if v.kind == kAny && ptr == nil {
		// A value without a type is nil when the member is absent.
		return []jen.Code{jen.If(jen.Add(expr).Op("!=").Nil()).Block(call)}, nil
	}
	return []jen.Code{call}, nil
}

// withoutCombination is v with its schema's combination keywords removed, for the typed checks.
func withoutCombination(v value) value {
	s := *v.schema
	s.AllOf, s.AnyOf, s.OneOf, s.Not, s.Discriminator = nil, nil, nil, nil, nil
	if v.kind == kAny {
		s = openapi3.Schema{Nullable: s.Nullable}
	}
	v.schema = &s
	return v
}

// walkedUnion reports whether the oneOf or anyOf type u is checked by the walker rather than
// by decoding each branch into its Go type: a component, an anyOf, a discriminator, keywords
// beside the branches, or a branch that no Go type can check alone.
func (g *vgen) walkedUnion(u union) bool {
	s := u.schema
	if u.component != "" || len(s.AnyOf) > 0 || len(s.AllOf) > 0 || s.Not != nil || s.Discriminator != nil ||
		len(constraints(s)) > 0 || (s.Type != nil && len(s.Type.Slice()) > 0) || len(u.branches) == 0 {
		return true
	}
	for _, br := range u.branches {
		if br.kind == kAny || br.kind == kUnion || combines(br.schema) || g.supported(br) != nil {
			return true
		}
	}
	return false
}

// walkUnion generates the methods of a oneOf or anyOf type checked by the walker: ValidateAt,
// Validate and, for a component, the strict decoder.
func (g *vgen) walkUnion(u union) ([]jen.Code, error) {
	i, err := g.walk.compile(g, &openapi3.SchemaRef{Value: u.schema}, u.where, false, "")
	if err != nil {
		return nil, err
	}
	recv := jen.Id("u").Op("*").Id(u.goName)
	pathParam := jen.Id("path").Op("*").Qual(g.valPkg, "Path")
	errsParam := jen.Id("errs").Op("*").Qual(g.valPkg, "Errors")
	out := []jen.Code{
		jen.Comment("ValidateAt checks u against every branch of its schema and adds each violation to errs."),
		jen.Func().Params(recv).Id("ValidateAt").Params(pathParam, errsParam).Block(
			jen.List(jen.Id("raw"), jen.Err()).Op(":=").Id("u").Dot("MarshalJSON").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(
				jen.Id("errs").Dot("Add").Call(jen.Id("path"), g.rule("RuleType"), jen.Err().Dot("Error").Call()),
				jen.Return(),
			),
			g.rule("CheckJSON").Call(jen.Op("&").Id(walkTable).Index(jen.Lit(i)), jen.Id("raw"), jen.Id("path"), errsID),
		),
		jen.Comment("Validate checks u from the document root."),
		jen.Func().Params(recv).Id("Validate").Params().Error().Block(
			jen.Return(jen.Qual(g.valPkg, "Validate").Call(jen.Id("u"))),
		),
	}
	if u.component == "" {
		return out, nil
	}
	return append(out,
		jen.Comment("DecodeJSON decodes data into u and validates it, reporting every violation as validation.Errors."),
		jen.Func().Params(recv).Id("DecodeJSON").Params(jen.Id("data").Index().Byte()).Error().Block(
			jen.Return(jen.Qual(g.valPkg, "DecodeJSON").Call(jen.Id("data"), jen.Id("u"))),
		),
		jen.Comment("DecodeJX takes the next value of d; ValidateAt judges it against the branches."),
		jen.Func().Params(recv).Id("DecodeJX").Params(jen.Id("d").Op("*").Qual(jxPkg, "Decoder"), pathParam, errsParam).Error().Block(
			jen.List(jen.Id("raw"), jen.Err()).Op(":=").Qual(g.valPkg, "Raw").Call(dID),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.Return(jen.Id("u").Dot("UnmarshalJSON").Call(jen.Id("raw"))),
		),
	), nil
}

// objectWalk returns the check of the combination keywords of an object component (an allOf
// that oapi-codegen merged into one struct, a not or anyOf beside its properties): the merged
// struct keeps one schema per property, so each branch is checked as written.
func (g *vgen) objectWalk(o *object) ([]jen.Code, error) {
	if !combines(o.schema) {
		return nil, nil
	}
	i, err := g.walk.compile(g, &openapi3.SchemaRef{Value: o.schema}, "#/components/schemas/"+o.name, true, o.goName)
	if err != nil || i < 0 {
		return nil, err
	}
	return []jen.Code{g.rule("CheckValue").Call(jen.Op("&").Id(walkTable).Index(jen.Lit(i)), jen.Id("v"), jen.Id("path"), errsID)}, nil
}

// table returns the declarations of the walked schemas, or nil when there is none.
func (w *walker) table(valPkg string) []jen.Code {
	if len(w.slots) == 0 {
		return nil
	}
	return []jen.Code{
		jen.Comment(walkTable + " are the schemas checked by walking them over a value's JSON: combinations"),
		jen.Comment("(allOf, anyOf, oneOf, not) and constraints on values without a type."),
		jen.Var().Id(walkTable).Index(jen.Lit(len(w.slots))).Qual(valPkg, "Schema"),
		jen.Func().Id("init").Params().Block(w.slots...),
	}
}

// compile adds ref's schema to the table and returns its slot, or -1 when only is set and
// nothing is left to check. With only, the schema's own keywords are left to the typed code.
func (w *walker) compile(g *vgen, ref *openapi3.SchemaRef, where string, only bool, self string) (int, error) {
	s := ref.Value
	if s == nil {
		return -1, fmt.Errorf("%s: unresolved $ref %s", where, ref.Ref)
	}
	key := walkKey{s: s, only: only, self: self}
	if !only && ref.Ref != "" {
		if typ, ok := w.typed[componentName(ref.Ref)]; ok {
			key = walkKey{typed: typ}
		}
	}
	if i, ok := w.index[key]; ok {
		return i, nil
	}
	i := len(w.slots)
	w.index[key] = i
	w.slots = append(w.slots, nil)
	slot := func(d jen.Dict) jen.Code {
		return jen.Id(walkTable).Index(jen.Lit(i)).Op("=").Qual(g.valPkg, "Schema").Values(d)
	}
	if key.typed != "" {
		w.slots[i] = slot(jen.Dict{jen.Id("Typed"): g.rule("Typed").Index(jen.Id(key.typed))})
		return i, nil
	}
	d := jen.Dict{}
	if !only {
		if err := w.keywords(g, s, where, d); err != nil {
			return -1, err
		}
	} else if s.Nullable {
		d[jen.Id("Nullable")] = jen.True()
	}
	combined, err := w.combination(g, s, where, self, d)
	if err != nil {
		return -1, err
	}
	if only && !combined {
		delete(w.index, key)
		w.slots = w.slots[:i]
		return -1, nil
	}
	w.slots[i] = slot(d)
	return i, nil
}

func componentName(ref string) string {
	if name, ok := strings.CutPrefix(ref, "#/components/schemas/"); ok {
		return name
	}
	return ""
}

// keywords fills d with s's own value keywords, refusing any the walker cannot check.
func (w *walker) keywords(g *vgen, s *openapi3.Schema, where string, d jen.Dict) error {
	refuse := func(what string) error {
		return fmt.Errorf("%s: %s in a combined or untyped schema is not supported by the validator generator", where, what)
	}
	for name := range s.Extensions {
		if _, ok := xrules.Lookup(name); ok {
			return refuse(name + " (make the schema a component of its own)")
		}
	}
	switch {
	case s.Format == "" || s.Format == "int32" || s.Format == "int64" || s.Format == "float" || s.Format == "double":
	case formatProblem(s) != "":
		// The same formats as a typed schema: a checked one is checked, an annotation is kept
		// as one, and any other (or one on a schema without its type) is refused.
		return refuse("format " + s.Format)
	case checkedFormats[s.Format]:
		d[jen.Id("Format")] = jen.Lit(s.Format)
	}
	if s.ReadOnly || s.WriteOnly {
		return refuse("readOnly/writeOnly")
	}
	if s.Type != nil {
		types := s.Type.Slice()
		if len(types) > 1 {
			return refuse("a list of types")
		}
		if len(types) == 1 {
			d[jen.Id("Type")] = jen.Lit(types[0])
			if types[0] == "integer" && s.Format == "int32" {
				d[jen.Id("Bits")] = jen.Lit(32)
			}
		}
	}
	if s.Nullable {
		d[jen.Id("Nullable")] = jen.True()
	}
	if len(s.Enum) > 0 {
		var lits []jen.Code
		for _, v := range s.Enum {
			switch x := v.(type) {
			case string, bool:
				lits = append(lits, jen.Lit(x))
			case float64:
				lits = append(lits, jen.Lit(x))
			case int:
				lits = append(lits, jen.Lit(float64(x)))
			case int64:
				lits = append(lits, jen.Lit(float64(x)))
			case nil:
				lits = append(lits, jen.Nil())
			default:
				return refuse("an enum of arrays or objects")
			}
		}
		d[jen.Id("Enum")] = jen.Index().Any().Values(lits...)
	}
	bound := func(b *float64) jen.Code { return g.rule("Bound").Call(jen.Lit(*b)) }
	if s.Min != nil {
		d[jen.Id("Min")] = bound(s.Min)
	}
	if s.Max != nil {
		d[jen.Id("Max")] = bound(s.Max)
	}
	if s.ExclusiveMin.Value != nil {
		d[jen.Id("Min")], d[jen.Id("ExclusiveMin")] = bound(s.ExclusiveMin.Value), jen.True()
	} else if s.ExclusiveMin.IsTrue() {
		d[jen.Id("ExclusiveMin")] = jen.True()
	}
	if s.ExclusiveMax.Value != nil {
		d[jen.Id("Max")], d[jen.Id("ExclusiveMax")] = bound(s.ExclusiveMax.Value), jen.True()
	} else if s.ExclusiveMax.IsTrue() {
		d[jen.Id("ExclusiveMax")] = jen.True()
	}
	if s.MultipleOf != nil {
		if *s.MultipleOf <= 0 {
			return refuse("multipleOf that is not positive")
		}
		d[jen.Id("MultipleOf")] = jen.Lit(*s.MultipleOf)
	}
	for _, l := range []struct {
		name    string
		min     uint64
		maxName string
		max     *uint64
	}{
		{"MinLength", s.MinLength, "MaxLength", s.MaxLength},
		{"MinItems", s.MinItems, "MaxItems", s.MaxItems},
		{"MinProps", s.MinProps, "MaxProps", s.MaxProps},
	} {
		if l.min > 0 {
			d[jen.Id(l.name)] = jen.Lit(int(l.min))
		}
		if l.max != nil {
			d[jen.Id(l.maxName)] = g.rule("Limit").Call(jen.Lit(int(*l.max)))
		}
	}
	if s.Pattern != "" {
		d[jen.Id("Pattern")], d[jen.Id("PatternText")] = g.pattern(s.Pattern), jen.Lit(s.Pattern)
	}
	if s.UniqueItems {
		d[jen.Id("UniqueItems")] = jen.True()
	}
	if s.Items != nil {
		j, err := w.compile(g, s.Items, where+"/items", false, "")
		if err != nil {
			return err
		}
		d[jen.Id("Items")] = w.ref(j)
	}
	if len(s.Properties) > 0 {
		props := jen.Dict{}
		names := make([]string, 0, len(s.Properties))
		for name := range s.Properties {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			j, err := w.compile(g, s.Properties[name], where+"/properties/"+name, false, "")
			if err != nil {
				return err
			}
			props[jen.Lit(name)] = w.ref(j)
		}
		d[jen.Id("Properties")] = jen.Map(jen.String()).Op("*").Qual(g.valPkg, "Schema").Values(props)
	}
	if len(s.Required) > 0 {
		var lits []jen.Code
		for _, r := range s.Required {
			lits = append(lits, jen.Lit(r))
		}
		d[jen.Id("Required")] = jen.Index().String().Values(lits...)
	}
	ap := s.AdditionalProperties
	switch {
	case ap.Has != nil && !*ap.Has:
		d[jen.Id("NoAdditional")] = jen.True()
	case ap.Schema != nil:
		j, err := w.compile(g, ap.Schema, where+"/additionalProperties", false, "")
		if err != nil {
			return err
		}
		d[jen.Id("Additional")] = w.ref(j)
	}
	return nil
}

func (w *walker) ref(i int) jen.Code { return jen.Op("&").Id(walkTable).Index(jen.Lit(i)) }

// combination fills d with s's allOf, anyOf, oneOf, not and discriminator. With self set, an
// allOf branch that is the value's own Go type is left out: that type's code checks it.
func (w *walker) combination(g *vgen, s *openapi3.Schema, where, self string, d jen.Dict) (bool, error) {
	n := len(d)
	err := w.combine(g, s, where, self, d)
	return len(d) > n, err
}

func (w *walker) combine(g *vgen, s *openapi3.Schema, where, self string, d jen.Dict) error {
	list := func(kw string, refs openapi3.SchemaRefs, skipSelf bool) ([]jen.Code, []string, error) {
		var out []jen.Code
		var names []string
		for i, r := range refs {
			name := componentName(r.Ref)
			if skipSelf && self != "" && w.typed[name] == self {
				continue
			}
			j, err := w.compile(g, r, fmt.Sprintf("%s/%s/%d", where, kw, i), false, "")
			if err != nil {
				return nil, nil, err
			}
			out = append(out, w.ref(j))
			if name == "" && r.Value != nil && r.Value.Type != nil && len(r.Value.Type.Slice()) == 1 {
				name = r.Value.Type.Slice()[0]
			}
			if name == "" {
				name = fmt.Sprintf("schema %d", i)
			}
			names = append(names, name)
		}
		return out, names, nil
	}
	branches := func(kw string) *jen.Statement { return jen.Index().Op("*").Qual(g.valPkg, "Schema") }
	all, _, err := list("allOf", s.AllOf, true)
	if err != nil {
		return err
	}
	if len(all) > 0 {
		d[jen.Id("AllOf")] = branches("allOf").Values(all...)
	}
	if len(s.OneOf) > 0 && len(s.AnyOf) > 0 {
		// Names and the discriminator serve one list.
		return fmt.Errorf("%s: oneOf beside anyOf is not supported by the validator generator; nest one in an allOf", where)
	}
	kw, refs := "oneOf", s.OneOf
	if len(s.AnyOf) > 0 {
		kw, refs = "anyOf", s.AnyOf
	}
	if len(refs) > 0 {
		codes, names, err := list(kw, refs, false)
		if err != nil {
			return err
		}
		d[jen.Id(strings.ToUpper(kw[:1])+kw[1:])] = branches(kw).Values(codes...)
		var lits []jen.Code
		for _, n := range names {
			lits = append(lits, jen.Lit(n))
		}
		d[jen.Id("Names")] = jen.Index().String().Values(lits...)
	}
	if s.Not != nil {
		j, err := w.compile(g, s.Not, where+"/not", false, "")
		if err != nil {
			return err
		}
		d[jen.Id("Not")] = w.ref(j)
	}
	if disc := s.Discriminator; disc != nil {
		mapping, err := discriminatorMapping(disc, refs, where)
		if err != nil {
			return err
		}
		d[jen.Id("Discriminator")] = jen.Lit(disc.PropertyName)
		m := jen.Dict{}
		for value, i := range mapping {
			m[jen.Lit(value)] = jen.Lit(i)
		}
		d[jen.Id("Mapping")] = jen.Map(jen.String()).Int().Values(m)
	}
	return nil
}

// discriminatorMapping returns the branch index of each discriminator value: the mapping's
// entries, or without a mapping each $ref branch's component name (as OpenAPI 3.0 says).
func discriminatorMapping(disc *openapi3.Discriminator, refs openapi3.SchemaRefs, where string) (map[string]int, error) {
	if len(refs) == 0 {
		return nil, fmt.Errorf("%s: a discriminator without oneOf or anyOf is not supported by the validator generator", where)
	}
	if disc.PropertyName == "" {
		return nil, fmt.Errorf("%s: a discriminator needs a propertyName", where)
	}
	byRef := map[string]int{}
	for i, r := range refs {
		if r.Ref == "" {
			return nil, fmt.Errorf("%s: a discriminator needs every branch to be a $ref", where)
		}
		byRef[r.Ref] = i
	}
	out := map[string]int{}
	for value, target := range disc.Mapping {
		ref := target.Ref
		if !strings.Contains(ref, "/") {
			ref = "#/components/schemas/" + ref
		}
		i, ok := byRef[ref]
		if !ok {
			return nil, fmt.Errorf("%s: discriminator mapping %q names %s, which is not a branch", where, value, target.Ref)
		}
		out[value] = i
	}
	if len(disc.Mapping) == 0 {
		for ref, i := range byRef {
			out[componentName(ref)] = i
		}
	}
	return out, nil
}

// allOfValue gives a value whose schema is an allOf without a type of its own (a $ref wrapped
// to add a description or nullable) the shape of the branch whose Go type oapi-codegen used.
func allOfValue(gs codegen.Schema, v value) value {
	s := gs.OAPISchema
	if s == nil || len(s.AllOf) == 0 || s.Type != nil && len(s.Type.Slice()) > 0 || len(s.Properties) > 0 {
		return v
	}
	for i, br := range s.AllOf {
		bs, err := codegen.GenerateGoSchema(br, []string{v.goType, fmt.Sprint(i)})
		if err != nil || bs.TypeDecl() != v.goType {
			continue
		}
		b, err := toValue(bs, v.where)
		if err != nil || b.kind == kAny {
			continue
		}
		v.kind, v.elem, v.bits = b.kind, b.elem, b.bits
		return v
	}
	return v
}

// unionOf returns the union type of a value, if it has one.
func (g *vgen) unionOf(v value) (union, bool) {
	if v.kind != kUnion {
		return union{}, false
	}
	for _, u := range g.m.unions {
		if u.goName == v.goType {
			return u, true
		}
	}
	return union{}, false
}

// walkNull makes a JSON null of a walked property without a Go type judged by its schema:
// encoding/json would decode it to nil, which reads as an absent member.
func (g *vgen) walkNull(f field, dec []jen.Code) ([]jen.Code, error) {
	if f.val.kind != kAny || f.nullable || !walked(f.val) {
		return dec, nil
	}
	i, err := g.walk.compile(g, &openapi3.SchemaRef{Value: f.val.schema}, f.val.where, false, "")
	if err != nil {
		return nil, err
	}
	return []jen.Code{
		jen.If(jen.List(jen.Id("null"), jen.Err()).Op(":=").Qual(g.valPkg, "IsNull").Call(dID), jen.Err().Op("!=").Nil()).Block(
			jen.Return(jen.Err()),
		).Else().If(jen.Id("null")).Block(
			jen.Id("q").Op(":=").Id("path").Dot("Key").Call(jen.Lit(f.json)),
			g.rule("CheckJSON").Call(jen.Op("&").Id(walkTable).Index(jen.Lit(i)), jen.Index().Byte().Call(jen.Lit("null")), jen.Op("&").Id("q"), errsID),
		).Else().Block(dec...),
	}, nil
}

// unionRefs gives a value whose Go type is an object, oneOf or anyOf component that has no
// type of its own (a $ref to an allOf or oneOf component) that type's shape: oapi-codegen
// names the type, but the schema it hands over says no type. The type's own code checks the
// combination, so the value's schema drops it.
func unionRefs(m *model) {
	shapes := map[string]kind{}
	for _, u := range m.unions {
		shapes[u.goName] = kUnion
	}
	for _, o := range m.objects {
		shapes[o.goName] = kStruct
	}
	var fix func(v *value)
	fix = func(v *value) {
		if k, ok := shapes[v.goType]; ok && v.kind == kAny {
			v.kind = k
			v.schema = withoutCombination(*v).schema
		}
		if v.elem != nil {
			fix(v.elem)
		}
	}
	for i := range m.objects {
		for j := range m.objects[i].fields {
			fix(&m.objects[i].fields[j].val)
		}
	}
	for i := range m.unions {
		for j := range m.unions[i].branches {
			fix(&m.unions[i].branches[j])
		}
	}
}

// repeatedBranch refuses a oneOf or anyOf type whose branches repeat a Go type (one $ref
// listed twice, or an allOf of two unions merged into one): oapi-codegen would declare the
// branch's methods twice.
func repeatedBranch(gs codegen.Schema, goName, where string) error {
	seen := map[string]bool{}
	for _, e := range gs.UnionElements {
		if seen[string(e)] {
			return fmt.Errorf("%s: the oneOf or anyOf type %s lists %s twice; list each branch once", where, goName, e)
		}
		seen[string(e)] = true
	}
	return nil
}

// usedAt returns the spec location of the property of o whose value (or item) has the Go type
// goType, so that messages about a oneOf type name the property; else where.
func usedAt(o object, goType, where string) string {
	for _, f := range o.fields {
		for v := &f.val; v != nil; v = v.elem {
			if v.goType == goType {
				return v.where
			}
		}
	}
	return where
}
