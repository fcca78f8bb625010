package conformance

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apiclab/apic/conformance/derive"
	"github.com/apiclab/apic/spec/xrules"
)

// What a success answer holds, judged against the spec beyond its schema: the members the
// spec says every answer has (x-always-returned), the members no page documents, and, for a
// create or an update, what was sent and the documented defaults of what was not.

// KindUndocumented is the kind of the findings that name members of a success answer that no
// page documents. They are warnings, not failures: the service adds members the pages do not
// list yet (001 documents twenty members that 000 lacks), and a typed client ignores them, so
// an extra member breaks no documented client. A renamed or missing documented member is a
// failure of its own (x-always-returned, and what was sent coming back).
const KindUndocumented = "undocumented-member"

// missingAlways lists the members that x-always-returned names on the schemas of v (at any
// depth: the items of a list too) and that v lacks.
func missingAlways(s *openapi3.Schema, v any, path string) []string {
	s = branchFor(s, v)
	if s == nil {
		return nil
	}
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for _, k := range xrules.Of(s).AlwaysReturned {
			if _, ok := x[k]; !ok {
				out = append(out, join(path, k))
			}
		}
		for _, k := range sortedKeys(x) {
			if p := s.Properties[k]; p != nil {
				out = append(out, missingAlways(p.Value, x[k], join(path, k))...)
			}
		}
	case []any:
		if s.Items != nil {
			for i, e := range x {
				out = append(out, missingAlways(s.Items.Value, e, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return out
}

// undocumented lists the members of v that its schema does not describe, at any depth, with
// array indexes written as [] so that one member of many items is named once.
func undocumented(s *openapi3.Schema, v any, path string, out map[string]bool) {
	s = branchFor(s, v)
	if s == nil {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		open := len(s.Properties) == 0 || (s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has) || s.AdditionalProperties.Schema != nil
		for k, e := range x {
			p := s.Properties[k]
			switch {
			case p != nil:
				undocumented(p.Value, e, join(path, k), out)
			case !open:
				out[join(path, k)] = true
			}
		}
	case []any:
		if s.Items != nil {
			for _, e := range x {
				undocumented(s.Items.Value, e, path+"[]", out)
			}
		}
	}
}

// branchFor is the schema that describes v: s, or the first branch of its oneOf whose type
// fits v.
func branchFor(s *openapi3.Schema, v any) *openapi3.Schema {
	if s == nil || len(s.OneOf) == 0 {
		return s
	}
	for _, b := range s.OneOf {
		if b.Value != nil && b.Value.Type != nil && b.Value.Type.Permits(derive.JSONType(v)) {
			return b.Value
		}
	}
	return nil
}

// keptOnUpdate names, per update operation, the request members a page says the update
// cannot change: the answer keeps the stored value, whatever was sent.
var keptOnUpdate = map[string][]string{
	"UpdateApi": {"group_id"}, // 004 Table 3: "cannot be modified" (ledger APIG-008)
}

// echoes lists where the success answer of a create or an update does not return what the
// request sent, or does not return the documented default of an optional member the request
// left out. Only members that both the request and the answer schema describe are compared:
// the answer is the API as stored, which is what was sent, with the service's documented
// conversions (the listed spelling of a case-insensitive enum, the default for an
// out-of-range value that x-coerce replaces).
func (o *op) echoes(sent, answer []byte) []string {
	if o.reqType == "" {
		return nil
	}
	doc, err := o.spec.Doc()
	if err != nil {
		return nil
	}
	req := doc.Components.Schemas[o.reqType]
	ref := o.op.Responses.Status(o.success)
	if req == nil || ref == nil || ref.Value == nil {
		return nil
	}
	mt := ref.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	var s, a any
	if json.Unmarshal(sent, &s) != nil || json.Unmarshal(answer, &a) != nil {
		return nil
	}
	if m, ok := s.(map[string]any); ok {
		for _, k := range keptOnUpdate[o.op.OperationID] {
			delete(m, k)
		}
	}
	return echo(req.Value, mt.Schema.Value, s, a, "")
}

func echo(req, resp *openapi3.Schema, sent, got any, path string) []string {
	if req == nil || resp == nil || len(req.OneOf) > 0 || len(resp.OneOf) > 0 {
		return nil // a union is answered in any of its forms
	}
	switch s := sent.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: sent an object, answered %s", orRoot(path), short(got))}
		}
		var out []string
		for _, k := range sortedKeys(req.Properties) {
			rp, ap := req.Properties[k], resp.Properties[k]
			if rp == nil || rp.Value == nil || ap == nil || ap.Value == nil {
				continue
			}
			sv, sentIt := s[k]
			gv, answered := g[k]
			switch {
			case !sentIt && rp.Value.Default != nil && !contains(req.Required, k):
				want, _, _ := Normalize(rp.Value.Default)
				if !answered || !sameScalar(rp.Value, want, gv) {
					out = append(out, fmt.Sprintf("%s: left out, so its default %s is due; answered %s", join(path, k), short(want), answerText(gv, answered)))
				}
			case !sentIt || sv == nil:
			case !answered:
				out = append(out, fmt.Sprintf("%s: sent %s, not in the answer", join(path, k), short(sv)))
			default:
				out = append(out, echo(rp.Value, ap.Value, sv, gv, join(path, k))...)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(s) {
			return []string{fmt.Sprintf("%s: sent %s, answered %s", orRoot(path), short(sent), short(got))}
		}
		if req.Items == nil || resp.Items == nil {
			return nil
		}
		if isScalarList(s) {
			// Scalars (tags) are a set: the order the service keeps is not documented.
			if !reflect.DeepEqual(sortedTexts(s), sortedTexts(g)) {
				return []string{fmt.Sprintf("%s: sent %s, answered %s", orRoot(path), short(sent), short(got))}
			}
			return nil
		}
		var out []string
		for i := range s {
			out = append(out, echo(req.Items.Value, resp.Items.Value, s[i], g[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	}
	want := sent
	if f, ok := sent.(float64); ok && xrules.Of(req).Coerce != nil && ((req.Min != nil && f < *req.Min) || (req.Max != nil && f > *req.Max)) {
		want, _, _ = Normalize(req.Default) // x-coerce: an out-of-range value is stored as the default
	}
	if !sameScalar(req, want, got) {
		return []string{fmt.Sprintf("%s: sent %s, answered %s", orRoot(path), short(sent), short(got))}
	}
	return nil
}

// sameScalar compares a value sent with the one answered; a case-insensitive enum is
// answered in its listed spelling.
func sameScalar(s *openapi3.Schema, want, got any) bool {
	if ci := xrules.Of(s).EnumCI; len(ci) > 0 {
		w, _ := want.(string)
		for _, v := range ci {
			if strings.EqualFold(v, w) {
				return got == v
			}
		}
	}
	return reflect.DeepEqual(want, got)
}

func answerText(v any, answered bool) string {
	if !answered {
		return "nothing"
	}
	return short(v)
}

func isScalarList(a []any) bool {
	for _, v := range a {
		if !isScalar(v) {
			return false
		}
	}
	return true
}

func sortedTexts(a []any) []string {
	out := make([]string, len(a))
	for i, v := range a {
		out[i] = short(v)
	}
	sort.Strings(out)
	return out
}
