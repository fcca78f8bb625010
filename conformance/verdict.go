package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apiclab/apic/conformance/catalog"
	"github.com/apiclab/apic/generated/validation"
)

// Normalize turns v into the form encoding/json decodes JSON into (map[string]any, []any,
// float64, string, bool, nil), which is what kin-openapi expects.
func Normalize(v any) (any, []byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, nil, err
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, nil, err
	}
	return out, data, nil
}

// Oracle judges v against schema with kin-openapi, reporting every violation.
func Oracle(schema *openapi3.SchemaRef, v any) error {
	return schema.Value.VisitJSON(v, openapi3.MultiErrors())
}

// Point is one of the places a document is judged at.
type Point string

const (
	PointOracle    Point = "kin-openapi"
	PointGenerated Point = "generated"
	PointDecode    Point = "client-decode"
	PointRoundTrip Point = "round-trip"
	PointClient    Point = "client-preflight"
	PointServer    Point = "server"
)

// Finding is one disagreement: at a point, a verdict other than the expected one.
type Finding struct {
	Ref     string
	Point   Point
	Message string
}

func (f Finding) String() string { return fmt.Sprintf("%s [%s] %s", f.Ref, f.Point, f.Message) }

// CheckExample judges one documented example at every offline point: kin-openapi, the
// generated strict decoder and validators, the client's encoding/json decoding, and a decode
// and re-encode that must keep every member the schema knows. An example that the ledger
// records as breaking a kept rule must be rejected by the generated validators instead.
func CheckExample(spec *catalog.Spec, ledger Ledger, ex Example) []Finding {
	var out []Finding
	bad := func(p Point, format string, args ...any) {
		out = append(out, Finding{Ref: ex.Ref(), Point: p, Message: fmt.Sprintf(format, args...)})
	}
	value, data, err := Normalize(ex.Value)
	if err != nil {
		bad(PointOracle, "not JSON: %v", err)
		return out
	}
	entry, check, rejected := ledger.Rejection(ex.Ref())
	warnEntry, warnCheck, warned := ledger.Warning(ex.Ref())
	oracleErr := Oracle(ex.SchemaRef, value)
	if ex.Schema == "" {
		bad(PointGenerated, "the media type has no component schema, so there is no generated type")
		return out
	}
	_, warnings, genErr := spec.Check(ex.Schema, data)
	if warned {
		// kin-openapi reads the pages' letter, which the example breaks: only the generated
		// code, which grades rules, must accept it and warn.
		oracleErr = nil
		if genErr == nil && !warnCheck.Warned(warnEntry, warnings) {
			bad(PointGenerated, "accepted without the warning ledger %s records (%s at %s); warnings: %v", warnEntry, warnCheck.Rule, warnCheck.Path, warnings)
		}
	} else if len(warnings) > 0 {
		bad(PointGenerated, "accepted with warnings no ledger check records: %v", warnings)
	}
	if rejected {
		switch {
		case genErr == nil:
			bad(PointGenerated, "accepted, but ledger %s records it as breaking a kept rule", entry)
		case !check.Breaks(genErr):
			bad(PointGenerated, "rejected, but not for %s at %s as ledger %s records: %v", check.Rule, check.Path, entry, genErr)
		}
		return out
	}
	if oracleErr != nil {
		bad(PointOracle, "rejected: %v", oracleErr)
	}
	if genErr != nil {
		bad(PointGenerated, "rejected: %v", genErr)
	}
	// The generated client decodes bodies with encoding/json.
	t := spec.Types[ex.Schema]()
	if err := json.Unmarshal(data, t); err != nil {
		bad(PointDecode, "encoding/json: %v", err)
		return out
	}
	again, err := json.Marshal(t)
	if err != nil {
		bad(PointRoundTrip, "re-encode: %v", err)
		return out
	}
	var back any
	_ = json.Unmarshal(again, &back)
	for _, diff := range Lost(Project(ex.SchemaRef.Value, value), back, "") {
		bad(PointRoundTrip, "%s", diff)
	}
	return out
}

// Project keeps only the members of v that schema describes, recursively: what a typed
// client can be expected to keep.
func Project(schema *openapi3.Schema, v any) any {
	if schema == nil {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		if len(schema.Properties) == 0 {
			return x
		}
		out := map[string]any{}
		for k, val := range x {
			if p, ok := schema.Properties[k]; ok {
				out[k] = Project(p.Value, val)
			}
		}
		return out
	case []any:
		if schema.Items == nil {
			return x
		}
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = Project(schema.Items.Value, val)
		}
		return out
	}
	return v
}

// Lost lists the places where want has a value that got does not have, or has differently.
// Members that got adds (zero values of required fields) are not losses.
func Lost(want, got any, path string) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %s", orRoot(path), short(got))}
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []string
		for _, k := range keys {
			gv, ok := g[k]
			if !ok && w[k] == nil {
				// null and absent mean the same for an optional member; the typed client
				// omits it.
				continue
			}
			if !ok {
				out = append(out, fmt.Sprintf("%s: lost", join(path, k)))
				continue
			}
			out = append(out, Lost(w[k], gv, join(path, k))...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %s, got %s", orRoot(path), short(want), short(got))}
		}
		var out []string
		for i := range w {
			out = append(out, Lost(w[i], g[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	}
	if !reflect.DeepEqual(want, got) {
		return []string{fmt.Sprintf("%s: want %s, got %s", orRoot(path), short(want), short(got))}
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(path string) string {
	if path == "" {
		return "(root)"
	}
	return path
}

func short(v any) string {
	data, _ := json.Marshal(v)
	s := string(data)
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return s
}

// Pointer resolves a JSON pointer ("#/components/schemas/X/properties/y") in a document.
func Pointer(doc any, ptr string) (any, bool) {
	ptr = strings.TrimPrefix(ptr, "#")
	if ptr == "" {
		return doc, true
	}
	cur := doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			var i int
			if _, err := fmt.Sscan(tok, &i); err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// CheckLedger checks every entry of a spec's ledger: each location exists in the spec, each
// check gives its stated verdict with the generated validators, and kin-openapi accepts every
// value the ledger calls valid (its rules are a subset of ours).
func CheckLedger(spec *catalog.Spec, ledger Ledger) []Finding {
	var out []Finding
	doc, err := spec.Doc()
	if err != nil {
		return []Finding{{Ref: spec.Name, Point: PointOracle, Message: err.Error()}}
	}
	raw, _, err := Normalize(doc)
	if err != nil {
		return []Finding{{Ref: spec.Name, Point: PointOracle, Message: err.Error()}}
	}
	examples := map[string]Example{}
	for _, ex := range Examples(doc) {
		examples[ex.Ref()] = ex
	}
	for _, e := range ledger {
		bad := func(p Point, format string, args ...any) {
			out = append(out, Finding{Ref: e.ID, Point: p, Message: fmt.Sprintf(format, args...)})
		}
		if len(e.Locations) == 0 {
			bad(PointOracle, "no location")
		}
		for _, loc := range e.Locations {
			if _, ok := Pointer(raw, loc); !ok {
				bad(PointOracle, "location %s does not exist in %s", loc, spec.File)
			}
		}
		if len(e.Checks) == 0 {
			bad(PointGenerated, "no check pins the decision")
		}
		for i, c := range e.Checks {
			var schema *openapi3.SchemaRef
			var name string
			var value any
			if c.Example != "" {
				ex, ok := examples[c.Example]
				if !ok {
					bad(PointOracle, "check %d: no example %s", i, c.Example)
					continue
				}
				schema, name, value = ex.SchemaRef, ex.Schema, ex.Value
			} else {
				s, ok := doc.Components.Schemas[c.Schema]
				if !ok {
					bad(PointOracle, "check %d: no schema %s", i, c.Schema)
					continue
				}
				schema, name, value = s, c.Schema, c.Value
			}
			v, data, err := Normalize(value)
			if err != nil {
				bad(PointOracle, "check %d: %v", i, err)
				continue
			}
			_, warnings, genErr := spec.Check(name, data)
			switch {
			case (genErr == nil) != c.Valid:
				bad(PointGenerated, "check %d (%s): want valid=%v, got %v", i, name, c.Valid, errText(genErr))
			case !c.Valid && !c.Breaks(genErr):
				bad(PointGenerated, "check %d (%s): rejected, but not for %s at %s: %v", i, name, c.Rule, c.Path, errText(genErr))
			case c.Warns && !c.Warned(e.ID, warnings):
				bad(PointGenerated, "check %d (%s): accepted, but without a warning for %s at %s naming %s; warnings: %v", i, name, c.Rule, c.Path, e.ID, warnings)
			case c.Valid && !c.Warns && len(warnings) > 0:
				bad(PointGenerated, "check %d (%s): accepted with warnings the check does not record (warns: true): %v", i, name, warnings)
			}
			if c.Warns && e.Grade != "advisory" {
				bad(PointGenerated, "check %d: warns, but the entry is not graded advisory", i)
			}
			// kin-openapi reads the pages' letter; a value that breaks an advisory rule is
			// valid only for the code that grades rules.
			if c.Valid && !c.Warns {
				if err := Oracle(schema, v); err != nil {
					bad(PointOracle, "check %d (%s): valid by the ledger, kin-openapi says %v", i, name, err)
				}
			}
		}
	}
	return out
}

func errText(err error) string {
	if err == nil {
		return "valid"
	}
	if v, ok := validation.AsErrors(err); ok {
		var b bytes.Buffer
		for i, x := range v {
			if i > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "%s %s", x.Path, x.Rule)
		}
		return "invalid (" + b.String() + ")"
	}
	return "invalid (" + err.Error() + ")"
}
