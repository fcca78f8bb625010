package derive

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apiclab/apic/generated/validation"
	"github.com/apiclab/apic/spec/xrules"
)

// CheckX is derive's own evaluator of the x- rules of spec/README.md (their model comes from
// spec/xrules). kin-openapi ignores them, so this is how the engine knows that a base document
// is valid and that a case breaks only the rule it aims at. It is written apart from the
// generated validators on purpose: it is the oracle that judges them.

// refItem is one item an x-references rule applies to: where it is, its schema and value.
type refItem struct {
	path   path
	schema *openapi3.Schema
	obj    map[string]any
}

// refItems walks the dotted items path of r below obj (`a[].b` steps into each item of a).
func refItems(s *openapi3.Schema, obj map[string]any, p path, steps []string) []refItem {
	name := strings.TrimSuffix(steps[0], "[]")
	arr, _ := obj[name].([]any)
	ps := propSchema(s, name)
	if ps == nil || ps.Items == nil || ps.Items.Value == nil {
		return nil
	}
	var out []refItem
	for i, e := range arr {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		at := p.key(name).index(i)
		if len(steps) == 1 {
			out = append(out, refItem{at, ps.Items.Value, m})
		} else {
			out = append(out, refItems(ps.Items.Value, m, at, steps[1:])...)
		}
	}
	return out
}

// refNames lists the names the target array of r declares.
func refNames(obj map[string]any, r xrules.Reference) []string {
	var names []string
	items, _ := obj[r.Target].([]any)
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			if n, ok := m[r.Name].(string); ok {
				names = append(names, n)
			}
		}
	}
	return names
}

func enumCI(s *openapi3.Schema) []string { return xrules.Of(s).EnumCI }

// xViolation is one broken x- rule; field is the schema of the member x-required-if asks for.
type xViolation struct {
	path  path
	rule  string
	msg   string
	field *openapi3.Schema
	// For x-references: a name that would satisfy the rule (fix), or a place and value that
	// would turn its condition off (altPath, alt).
	fix         any
	altPath     path
	alt         any
	declarePath path
	declare     any
}

func enumOf(s *openapi3.Schema) []any {
	if s == nil {
		return nil
	}
	return s.Enum
}

// CheckX evaluates the x- rules of schema on doc (a JSON-compatible value) and returns one
// "path: rule: message" line per violation ("$" is the root), in document order.
func CheckX(schema *openapi3.Schema, doc any) []string {
	var out []string
	for _, x := range checkX(schema, doc) {
		out = append(out, orRoot(x.path.String())+": "+x.rule+": "+x.msg)
	}
	return out
}

func checkX(s *openapi3.Schema, doc any) []xViolation {
	var out []xViolation
	checkAt(s, doc, nil, &out)
	return out
}

func checkAt(s *openapi3.Schema, v any, p path, out *[]xViolation) {
	if s == nil {
		return
	}
	add := func(at path, rule, msg string) { *out = append(*out, xViolation{path: at, rule: rule, msg: msg}) }
	if len(s.OneOf) > 0 {
		for _, b := range s.OneOf {
			if b.Value != nil && kindFits(b.Value, v) {
				checkAt(b.Value, v, p, out)
				return
			}
		}
		return
	}
	xr := xrules.Of(s)
	switch x := v.(type) {
	case string:
		if fc := xr.ForbiddenChars; fc != "" && strings.ContainsAny(x, fc) {
			add(p, xrules.ForbiddenChars, "contains one of "+strconv.Quote(fc))
		}
		if r := xr.IntegerString; r != nil {
			if n, err := strconv.ParseInt(x, 10, 64); err != nil || n < r.Minimum || n > r.Maximum {
				add(p, xrules.IntegerString, "not an integer in range")
			}
		}
		if ci := xr.EnumCI; len(ci) > 0 && !matches(x, true, toAny(ci)) {
			add(p, xrules.EnumCI, "not one of "+strings.Join(ci, ", "))
		}
	case []any:
		if pt := xr.PrefixTag; pt != nil {
			n := 0
			for _, e := range x {
				if str, ok := e.(string); ok && strings.HasPrefix(str, pt.Prefix) {
					n++
				}
			}
			if n > pt.Max {
				add(p, xrules.PrefixTag, "too many items start with "+pt.Prefix)
			}
		}
		if s.Items != nil {
			for i, e := range x {
				checkAt(s.Items.Value, e, p.index(i), out)
			}
		}
	case map[string]any:
		for _, name := range sortedKeys(x) {
			if ps := s.Properties[name]; ps != nil {
				checkAt(ps.Value, x[name], p.key(name), out)
			}
		}
		checkObject(s, x, p, out)
	}
}

// checkObject evaluates the object-level rules: x-required-if, x-forbidden-if,
// x-forbidden-values and x-path-params.
func checkObject(s *openapi3.Schema, obj map[string]any, p path, out *[]xViolation) {
	xr := xrules.Of(s)
	for _, r := range xr.RequiredIf {
		if holds(s, obj, r.When) && obj[r.Field] == nil {
			*out = append(*out, xViolation{path: p.key(r.Field), rule: xrules.RequiredIf, msg: "required when " + r.When.Property, field: propSchema(s, r.Field)})
		}
	}
	for _, r := range xr.ForbiddenIf {
		if _, there := obj[r.Field]; there && holds(s, obj, r.When) {
			*out = append(*out, xViolation{path: p.key(r.Field), rule: xrules.ForbiddenIf, msg: "forbidden when " + r.When.Property})
		}
	}
	for _, fv := range xr.ForbiddenValues {
		all := len(fv.Properties) > 0
		for name, values := range fv.Properties {
			got, ok := obj[name]
			all = all && ok && matches(got, isCI(s, name), values)
		}
		if all {
			at := p
			if fv.Field != "" {
				at = p.key(fv.Field)
			}
			*out = append(*out, xViolation{path: at, rule: xrules.ForbiddenValues, msg: fv.Message})
		}
	}
	for _, r := range xr.References {
		names := refNames(obj, r)
		for _, it := range refItems(s, obj, p, strings.Split(r.Items, ".")) {
			v, ok := it.obj[r.Value].(string)
			if !ok || contains(names, v) || (r.When != nil && !holds(it.schema, it.obj, *r.When)) {
				continue
			}
			x := xViolation{path: it.path.key(r.Value), rule: xrules.References, msg: strconv.Quote(v) + " names no " + r.Target + " item"}
			if len(names) > 0 {
				x.fix = names[0]
			} else if ts := propSchema(s, r.Target); ts != nil && ts.Items != nil {
				// Or a target item can be declared under that name.
				for _, c := range synth(ts.Items.Value) {
					if item, ok := c.(map[string]any); ok {
						item[r.Name] = v
						arr, _ := obj[r.Target].([]any)
						x.declarePath, x.declare = p.key(r.Target), append(append([]any{}, arr...), item)
						break
					}
				}
			}
			// Or the condition can be made false, when its property has a value outside the list.
			if r.When != nil && r.When.In != nil {
				for _, alt := range append(xrules.Of(propSchema(it.schema, r.When.Property)).EnumCIValues(), enumOf(propSchema(it.schema, r.When.Property))...) {
					if !matches(alt, true, r.When.In) {
						x.altPath, x.alt = it.path.key(r.When.Property), alt
						break
					}
				}
			}
			*out = append(*out, x)
		}
	}
	if pp := xr.PathParams; pp != nil {
		uri, _ := obj[pp.URI].(string)
		declared := map[string]bool{}
		items, _ := obj[pp.Params].([]any)
		for _, it := range items {
			m, _ := it.(map[string]any)
			if loc, ok := m[pp.Location].(string); ok && strings.EqualFold(loc, pp.Value) {
				if n, ok := m[pp.Name].(string); ok {
					declared[n] = true
				}
			}
		}
		for _, name := range validation.PathParams(uri) {
			if !declared[name] {
				*out = append(*out, xViolation{path: p.key(pp.URI), rule: xrules.PathParams, msg: "{" + name + "} is not declared"})
			}
		}
	}
}

// holds evaluates a `when` condition on obj; null counts as absent.
func holds(s *openapi3.Schema, obj map[string]any, c xrules.Condition) bool {
	v := obj[c.Property]
	switch {
	case c.Present != nil:
		return (v != nil) == *c.Present
	case c.Filled != nil:
		return (v != nil && v != "") == *c.Filled
	case c.In != nil:
		return v != nil && matches(v, isCI(s, c.Property), c.In)
	case c.NotIn != nil:
		return v == nil || !matches(v, isCI(s, c.Property), c.NotIn)
	}
	return false
}

func isCI(s *openapi3.Schema, prop string) bool {
	ps := propSchema(s, prop)
	return ps != nil && len(enumCI(ps)) > 0
}

func propSchema(s *openapi3.Schema, name string) *openapi3.Schema {
	if ref := s.Properties[name]; ref != nil {
		return ref.Value
	}
	return nil
}

// matches compares JSON values by their text, as the validators' conditions do.
func matches(v any, fold bool, values []any) bool {
	got := text(v)
	for _, w := range values {
		if want := text(w); got == want || (fold && strings.EqualFold(got, want)) {
			return true
		}
	}
	return false
}

func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	}
	data, _ := json.Marshal(v)
	return string(data)
}

var patterns sync.Map

func compile(p string) (*regexp.Regexp, error) {
	if re, ok := patterns.Load(p); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(p)
	if err == nil {
		patterns.Store(p, re)
	}
	return re, err
}
