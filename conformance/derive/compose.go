package derive

import (
	"fmt"
	"reflect"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
)

// Cases of the combination keywords. A oneOf, anyOf or not is exercised with probe values:
// each probe that the rest of the schema accepts is judged branch by branch, and the first
// probe of each outcome (matches branch i, matches none, matches several) becomes a case whose
// verdict follows the keyword's count. A discriminator gets a valid case per value it names
// and an unknown value. An allOf's branches are walked like the schema they belong to.

// probes are values tried on a combination beside the ones its branches synthesize.
var probes = []any{0.0, 1.0, 1.5, 2.0, 2.5, -1.0, 10.0, 11.0, 100.0, "", "a", "abc", "abcd", "abcde", "foo", "admin", "root", true, false, []any{}, map[string]any{}}

// combination returns the rule handler of keyword kw: "oneOf", "anyOf" or "not".
func combination(kw string) func(d *deriver, s *site) ([]mut, error) {
	return func(d *deriver, s *site) ([]mut, error) {
		sc := s.schema
		branches := sc.OneOf
		switch kw {
		case "anyOf":
			branches = sc.AnyOf
		case "not":
			branches = openapi3.SchemaRefs{sc.Not}
		}
		rest := *sc
		rest.OneOf, rest.AnyOf, rest.Not, rest.Discriminator = nil, nil, nil, nil
		var cands []any
		for _, b := range branches {
			cands = append(cands, synth(b.Value)...)
		}
		cands = append(cands, probes...)
		seen := map[string]bool{}
		var muts []mut
		for _, c := range cands {
			if rest.VisitJSON(c) != nil {
				continue // the case would break the rest of the schema too
			}
			var hit []int
			for i, b := range branches {
				if b.Value.VisitJSON(c) == nil {
					hit = append(hit, i)
				}
			}
			variant, valid := outcome(kw, hit)
			if seen[variant] {
				continue
			}
			seen[variant] = true
			muts = append(muts, mut{variant: variant, valid: valid, bodies: []any{with(s.base, s.path, c)}})
		}
		if len(muts) == 0 {
			return nil, fmt.Errorf("no probe value fits the rest of the schema")
		}
		sort.SliceStable(muts, func(i, j int) bool { return muts[i].variant < muts[j].variant })
		return muts, nil
	}
}

// outcome names what a probe matching the branches hit does to keyword kw, and its verdict.
func outcome(kw string, hit []int) (string, bool) {
	switch {
	case kw == "not" && len(hit) == 0:
		return "outside", true
	case kw == "not":
		return "inside", false
	case len(hit) == 0:
		return "none", false
	case len(hit) == 1 || kw == "anyOf":
		return fmt.Sprintf("branch-%d", hit[0]), true
	}
	return "several", false
}

// deriveDiscriminator gives a valid case for each value the discriminator names (the
// branch's synthesized object with that value) and one for a value it does not name.
func deriveDiscriminator(d *deriver, s *site) ([]mut, error) {
	refs, names := discriminated(s.schema)
	prop := s.schema.Discriminator.PropertyName
	var muts []mut
	var first map[string]any
	for _, name := range names {
		b := refs[name]
		cands := synth(b)
		if len(cands) == 0 {
			return muts, fmt.Errorf("cannot synthesize the branch of %q", name)
		}
		obj, ok := clone(cands[0]).(map[string]any)
		if !ok {
			return muts, fmt.Errorf("the branch of %q is not an object", name)
		}
		obj[prop] = name
		if first == nil {
			first = obj
		}
		muts = append(muts, mut{variant: "value-" + name, valid: true, bodies: []any{with(s.base, s.path, obj)}})
	}
	if first != nil {
		bad := clone(first).(map[string]any)
		bad[prop] = "unknown-kind"
		muts = append(muts, mut{variant: "unknown", at: s.path.key(prop), bodies: []any{with(s.base, s.path, bad)}})
	}
	return muts, nil
}

// discriminated returns the branch schema of each discriminator value, and the values in order:
// the mapping's, or without one each $ref branch's component name.
func discriminated(sc *openapi3.Schema) (map[string]*openapi3.Schema, []string) {
	refs := sc.OneOf
	if len(refs) == 0 {
		refs = sc.AnyOf
	}
	byRef := map[string]*openapi3.Schema{}
	for _, r := range refs {
		byRef[r.Ref] = r.Value
	}
	out := map[string]*openapi3.Schema{}
	if m := sc.Discriminator.Mapping; len(m) > 0 {
		for value, target := range m {
			if b, ok := byRef[target.Ref]; ok {
				out[value] = b
			}
		}
	} else {
		for ref, b := range byRef {
			out[ref[len("#/components/schemas/"):]] = b
		}
	}
	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	return out, names
}

// parts returns the schemas whose members the walk visits at a value of sc besides sc's own:
// its allOf branches. (The branch a discriminator picks is not walked: kin-openapi reports a
// violation inside it as the oneOf's or anyOf's, the validators as the member's own.)
func parts(sc *openapi3.Schema) []*openapi3.Schema {
	var out []*openapi3.Schema
	for _, b := range sc.AllOf {
		if b.Value != nil {
			out = append(out, b.Value)
		}
	}
	return out
}

// unwrapAllOf replaces kin-openapi's one allOf error by the errors of the branches, so that a
// case is judged by the rule it breaks, as the validators report it.
func unwrapAllOf(e *openapi3.SchemaError) []*openapi3.SchemaError {
	if e.SchemaField != "allOf" || e.Origin == nil {
		return []*openapi3.SchemaError{e}
	}
	var out []*openapi3.SchemaError
	var walk func(err error)
	walk = func(err error) {
		switch x := err.(type) {
		case *openapi3.SchemaError:
			out = append(out, unwrapAllOf(x)...)
			return
		case interface{ Unwrap() []error }:
			for _, y := range x.Unwrap() {
				walk(y)
			}
			return
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
			return
		}
		if rv := reflect.ValueOf(err); rv.Kind() == reflect.Slice {
			for i := 0; i < rv.Len(); i++ {
				if y, ok := rv.Index(i).Interface().(error); ok {
					walk(y)
				}
			}
		}
	}
	walk(e.Origin)
	if len(out) == 0 {
		return []*openapi3.SchemaError{e}
	}
	return out
}
