package breaking

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"github.com/apiclab/apic/spec/xrules"
)

// The changes oasdiff cannot see: the x- rules of spec/README.md, their grades, and defaults.
// A rule that is new or tighter, or that becomes enforced, on a schema that requests use
// breaks callers: documents that passed before are now refused by the validating client and
// by the emulator. The opposite changes, and any change on schemas only responses use, are
// warnings. A changed default changes what a server stores for an omitted member: a warning.
//
// Check IDs:
const (
	xRuleAdded        = "x-rule-added"
	xRuleRemoved      = "x-rule-removed"
	xRuleTightened    = "x-rule-tightened"
	xRuleLoosened     = "x-rule-loosened"
	xRuleEnforced     = "x-rule-became-enforced"
	xRuleAdvisory     = "x-rule-became-advisory"
	xEnumCaseNarrowed = "x-enum-ci-became-case-sensitive"
	xCoerceRemoved    = "x-coerce-removed"
	xCoerceAdded      = "x-coerce-added"
	defaultChanged    = "default-changed"
	// x-always-returned is a promise about answers: withdrawing a member may break a client
	// that reads it, and adding one makes the conformance suite fail a service that omits it.
	// Both are reported; like every change on response schemas, neither breaks requests.
	alwaysReturnedRemoved = "always-returned-removed"
	alwaysReturnedAdded   = "always-returned-added"
)

// site is one schema of a document, by its JSON pointer.
type site struct {
	schema  *openapi3.Schema
	request bool // a request body reaches it
}

// compareRules lists the x- rule, grade and default changes between base and rev.
func compareRules(base, rev *openapi3.T) []Change {
	before, after := sites(base), sites(rev)
	ptrs := make([]string, 0, len(after))
	for p := range after {
		if _, ok := before[p]; ok {
			ptrs = append(ptrs, p)
		}
	}
	sort.Strings(ptrs)
	var out []Change
	for _, p := range ptrs {
		b, a := before[p], after[p]
		request := a.request || b.request
		add := func(id string, tightens bool, format string, args ...any) {
			out = append(out, Change{ID: id, Breaking: tightens && request, Operation: p,
				Message: fmt.Sprintf(format, args...) + map[bool]string{true: " (requests use this schema)", false: ""}[request && tightens]})
		}
		diffRules(xrules.Of(b.schema), xrules.Of(a.schema), b.schema, a.schema, add)
		if !sameJSON(b.schema.Default, a.schema.Default) {
			add(defaultChanged, false, "default changed from %s to %s: an omitted member is stored differently", show(b.schema.Default), show(a.schema.Default))
		}
	}
	return out
}

// diffRules compares the rules of one schema. add records a change; tightens says whether it
// can refuse a document that passed before.
func diffRules(b, a *xrules.Rules, bs, as *openapi3.Schema, add func(id string, tightens bool, format string, args ...any)) {
	// List rules, entry by entry: an entry is identified by what it says, less its grade.
	lists := []struct {
		name   string
		before []graded
		after  []graded
	}{
		{xrules.RequiredIf, entries(b.RequiredIf, fieldGrade), entries(a.RequiredIf, fieldGrade)},
		{xrules.ForbiddenIf, entries(b.ForbiddenIf, fieldGrade), entries(a.ForbiddenIf, fieldGrade)},
		// A reworded message is no new rule.
		{xrules.ForbiddenValues, entries(b.ForbiddenValues, valueGrade, "message"), entries(a.ForbiddenValues, valueGrade, "message")},
		{xrules.References, entries(b.References, refGrade), entries(a.References, refGrade)},
	}
	for _, l := range lists {
		old := map[string]string{}
		for _, g := range l.before {
			old[g.key] = g.advisory
		}
		seen := map[string]bool{}
		for _, g := range l.after {
			seen[g.key] = true
			was, ok := old[g.key]
			switch {
			case !ok && g.advisory == "":
				add(xRuleAdded, true, "new %s rule %s", l.name, g.key)
			case !ok:
				add(xRuleAdded, false, "new advisory %s rule %s (ledger %s)", l.name, g.key, g.advisory)
			case was != "" && g.advisory == "":
				add(xRuleEnforced, true, "%s rule %s is now enforced (was advisory, ledger %s)", l.name, g.key, was)
			case was == "" && g.advisory != "":
				add(xRuleAdvisory, false, "%s rule %s is now advisory (ledger %s)", l.name, g.key, g.advisory)
			}
		}
		for _, g := range l.before {
			if !seen[g.key] {
				add(xRuleRemoved, false, "%s rule %s removed", l.name, g.key)
			}
		}
	}
	if (b.PathParams == nil) != (a.PathParams == nil) || b.PathParams != nil && *b.PathParams != *a.PathParams {
		switch {
		case b.PathParams == nil:
			add(xRuleAdded, true, "new %s rule", xrules.PathParams)
		case a.PathParams == nil:
			add(xRuleRemoved, false, "%s rule removed", xrules.PathParams)
		default:
			add(xRuleTightened, true, "%s rule changed", xrules.PathParams)
		}
	}
	if gone := missing(b.AlwaysReturned, a.AlwaysReturned); len(gone) > 0 {
		add(alwaysReturnedRemoved, false, "%s no longer lists %s: answers may omit it, and clients that read it may break", xrules.AlwaysReturned, strings.Join(gone, ", "))
	}
	if added := missing(a.AlwaysReturned, b.AlwaysReturned); len(added) > 0 {
		add(alwaysReturnedAdded, false, "%s now lists %s: the conformance suite fails answers without it", xrules.AlwaysReturned, strings.Join(added, ", "))
	}
	// Case-insensitive enums.
	switch {
	case len(b.EnumCI) > 0 && len(a.EnumCI) == 0 && len(as.Enum) > 0:
		add(xEnumCaseNarrowed, true, "%s removed: values in another casing than the enum's are refused", xrules.EnumCI)
	case len(b.EnumCI) > 0 || len(a.EnumCI) > 0:
		if gone := missing(b.EnumCI, a.EnumCI); len(gone) > 0 {
			add(xRuleTightened, true, "%s values removed: %s", xrules.EnumCI, strings.Join(gone, ", "))
		}
		if added := missing(a.EnumCI, b.EnumCI); len(added) > 0 && len(b.EnumCI) > 0 {
			add(xRuleLoosened, false, "%s values added: %s", xrules.EnumCI, strings.Join(added, ", "))
		}
		if len(b.EnumCI) == 0 && len(bs.Enum) > 0 {
			add(xRuleLoosened, false, "%s added: values in any casing are accepted", xrules.EnumCI)
		} else if len(b.EnumCI) == 0 {
			add(xRuleAdded, true, "new %s rule", xrules.EnumCI)
		}
	}
	// Single-valued rules.
	if more := missing(chars(a.ForbiddenChars), chars(b.ForbiddenChars)); len(more) > 0 {
		add(tightenedOrAdded(b.ForbiddenChars == ""), true, "%s forbids %q too", xrules.ForbiddenChars, strings.Join(more, ""))
	}
	if fewer := missing(chars(b.ForbiddenChars), chars(a.ForbiddenChars)); len(fewer) > 0 {
		add(xRuleLoosened, false, "%s allows %q now", xrules.ForbiddenChars, strings.Join(fewer, ""))
	}
	switch bi, ai := b.IntegerString, a.IntegerString; {
	case bi == nil && ai != nil:
		add(xRuleAdded, true, "new %s rule [%d, %d]", xrules.IntegerString, ai.Minimum, ai.Maximum)
	case bi != nil && ai == nil:
		add(xRuleRemoved, false, "%s rule removed", xrules.IntegerString)
	case bi != nil && (ai.Minimum > bi.Minimum || ai.Maximum < bi.Maximum):
		add(xRuleTightened, true, "%s range [%d, %d] narrowed to [%d, %d]", xrules.IntegerString, bi.Minimum, bi.Maximum, ai.Minimum, ai.Maximum)
	case bi != nil && *ai != *bi:
		add(xRuleLoosened, false, "%s range [%d, %d] widened to [%d, %d]", xrules.IntegerString, bi.Minimum, bi.Maximum, ai.Minimum, ai.Maximum)
	}
	switch bt, at := b.PrefixTag, a.PrefixTag; {
	case bt == nil && at != nil:
		add(xRuleAdded, true, "new %s rule", xrules.PrefixTag)
	case bt != nil && at == nil:
		add(xRuleRemoved, false, "%s rule removed", xrules.PrefixTag)
	case bt != nil && (at.Max < bt.Max || at.Prefix != bt.Prefix):
		add(xRuleTightened, true, "%s allows %d items starting with %q (was %d with %q)", xrules.PrefixTag, at.Max, at.Prefix, bt.Max, bt.Prefix)
	case bt != nil && at.Max > bt.Max:
		add(xRuleLoosened, false, "%s allows %d items (was %d)", xrules.PrefixTag, at.Max, bt.Max)
	}
	// Grades of keywords and single-valued extensions. A rule that is new on the schema is
	// oasdiff's to report (keywords) or reported above (extensions); only a grade change of a
	// rule both versions have is reported here.
	for _, rule := range union(keys(b.Advisory), keys(a.Advisory)) {
		was, now := b.Advisory[rule], a.Advisory[rule]
		switch {
		case was != "" && now == "" && xrules.HasRule(as, rule):
			add(xRuleEnforced, true, "%s is now enforced (was advisory, ledger %s)", rule, was)
		case was == "" && now != "" && xrules.HasRule(bs, rule):
			add(xRuleAdvisory, false, "%s is now advisory (ledger %s)", rule, now)
		}
	}
	switch {
	case b.Coerce != nil && a.Coerce == nil:
		add(xCoerceRemoved, true, "out-of-range values are no longer replaced by the default")
	case b.Coerce == nil && a.Coerce != nil:
		add(xCoerceAdded, false, "out-of-range values are replaced by the default")
	}
}

func tightenedOrAdded(added bool) string {
	if added {
		return xRuleAdded
	}
	return xRuleTightened
}

// graded is one entry of a list rule: what it says (key), and its grade.
type graded struct{ key, advisory string }

func fieldGrade(r xrules.FieldRule) string      { return r.Advisory }
func valueGrade(r xrules.ForbiddenValue) string { return r.Advisory }
func refGrade(r xrules.Reference) string        { return r.Advisory }

// entries lists the entries of a list rule, each identified by its JSON less the members in
// drop (its grade, and what only rewords it).
func entries[T any](list []T, grade func(T) string, drop ...string) []graded {
	var out []graded
	for _, e := range list {
		var m map[string]any
		_ = json.Unmarshal([]byte(asJSON(e)), &m)
		for _, k := range append(drop, "advisory") {
			delete(m, k)
		}
		out = append(out, graded{asJSON(m), grade(e)})
	}
	return out
}

// sites lists every schema of doc written under components/schemas, by JSON pointer, with
// whether a request body reaches it.
func sites(doc *openapi3.T) map[string]site {
	requested := map[*openapi3.Schema]bool{}
	var mark func(s *openapi3.SchemaRef)
	mark = func(s *openapi3.SchemaRef) {
		if s == nil || s.Value == nil || requested[s.Value] {
			return
		}
		requested[s.Value] = true
		eachChild(s.Value, func(_ string, c *openapi3.SchemaRef) { mark(c) })
	}
	if doc.Paths != nil {
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				if op.RequestBody != nil && op.RequestBody.Value != nil {
					for _, mt := range op.RequestBody.Value.Content {
						mark(mt.Schema)
					}
				}
			}
		}
	}
	out := map[string]site{}
	var walk func(ptr string, s *openapi3.SchemaRef)
	walk = func(ptr string, s *openapi3.SchemaRef) {
		if s == nil || s.Value == nil {
			return
		}
		out[ptr] = site{s.Value, requested[s.Value]}
		// A $ref'd child is walked where it is written, under components/schemas.
		eachChild(s.Value, func(step string, c *openapi3.SchemaRef) {
			if c.Ref == "" {
				walk(ptr+"/"+step, c)
			}
		})
	}
	if doc.Components != nil {
		for name, s := range doc.Components.Schemas {
			walk("#/components/schemas/"+name, s)
		}
	}
	return out
}

func eachChild(s *openapi3.Schema, fn func(step string, c *openapi3.SchemaRef)) {
	for name, p := range s.Properties {
		fn("properties/"+strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1"), p)
	}
	if s.Items != nil {
		fn("items", s.Items)
	}
	for i, b := range s.OneOf {
		fn(fmt.Sprintf("oneOf/%d", i), b)
	}
}

func asJSON(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

func sameJSON(a, b any) bool { return asJSON(a) == asJSON(b) }

func show(v any) string {
	if v == nil {
		return "none"
	}
	return asJSON(v)
}

func chars(s string) []string { return strings.Split(s, "") }

// missing lists the items of a that b lacks.
func missing(a, b []string) []string {
	var out []string
	for _, x := range a {
		if x != "" && !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func union(a, b []string) []string {
	out := append(append([]string{}, a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// CompareLedgers lists the ledger decisions that changed between base and rev (ledger files,
// format spec/README.md): entries added or removed, decisions reworded, grades changed. None
// breaks code by itself (the spec changes that carry a decision are reported on their own),
// but each tells a reader why the spec moved.
func CompareLedgers(base, rev []byte) ([]Change, error) {
	type entry struct {
		ID       string `yaml:"id"`
		Title    string `yaml:"title"`
		Decision string `yaml:"decision"`
		Grade    string `yaml:"grade"`
	}
	var b, a []entry
	if err := yaml.Unmarshal(base, &b); err != nil {
		return nil, fmt.Errorf("base ledger: %w", err)
	}
	if err := yaml.Unmarshal(rev, &a); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	old := map[string]entry{}
	for _, e := range b {
		old[e.ID] = e
	}
	var out []Change
	add := func(id, entryID, format string, args ...any) {
		out = append(out, Change{ID: id, Operation: "ledger " + entryID, Message: fmt.Sprintf(format, args...)})
	}
	seen := map[string]bool{}
	for _, e := range a {
		seen[e.ID] = true
		was, ok := old[e.ID]
		switch {
		case !ok:
			add("ledger-entry-added", e.ID, "%s", e.Title)
		case was.Grade != e.Grade:
			add("ledger-grade-changed", e.ID, "grade %q -> %q: %s", was.Grade, e.Grade, e.Decision)
		case strings.Join(strings.Fields(was.Decision), " ") != strings.Join(strings.Fields(e.Decision), " "):
			add("ledger-decision-changed", e.ID, "%s", e.Decision)
		}
	}
	for _, e := range b {
		if !seen[e.ID] {
			add("ledger-entry-removed", e.ID, "%s", e.Title)
		}
	}
	return out, nil
}
