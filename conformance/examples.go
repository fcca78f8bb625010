// Package conformance checks that the specs, the generated packages and a server agree with
// the reference pages: every documented example, every validation rule, and the flows the
// pages describe.
//
// Run runs the whole suite against a target (the in-process emulator from package emulator,
// or a live service) and returns a Report; cmd/apicconf is its command line. Rule cases are
// derived from the specs at run time (package derive), so a new field or rule gets its cases
// without new code.
package conformance

import (
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"github.com/apiclab/apic/generated/validation"
)

// Example is one documented example on a media type of the spec.
type Example struct {
	Operation string // operationId
	Method    string
	Path      string
	Where     string // "request", or the response status ("201", "400", ...)
	Name      string // the example's name
	Schema    string // component schema name of the media type ("" when inline)
	SchemaRef *openapi3.SchemaRef
	Value     any
}

// Ref is how the ledger names the example: "<operationId>/<where>/<name>".
func (e Example) Ref() string { return e.Operation + "/" + e.Where + "/" + e.Name }

// Examples lists every named example of doc's JSON media types, in a stable order.
func Examples(doc *openapi3.T) []Example {
	var out []Example
	add := func(op *openapi3.Operation, method, path, where string, mt *openapi3.MediaType) {
		if mt == nil {
			return
		}
		for name, ex := range mt.Examples {
			if ex == nil || ex.Value == nil {
				continue
			}
			out = append(out, Example{
				Operation: op.OperationID, Method: method, Path: path, Where: where, Name: name,
				Schema: SchemaName(mt.Schema), SchemaRef: mt.Schema, Value: ex.Value.Value,
			})
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				add(op, method, path, "request", op.RequestBody.Value.Content.Get("application/json"))
			}
			if op.Responses == nil {
				continue
			}
			for status, r := range op.Responses.Map() {
				if r.Value != nil {
					add(op, method, path, status, r.Value.Content.Get("application/json"))
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref() < out[j].Ref() })
	return out
}

// SchemaName returns the component name a schema reference points at, or "".
func SchemaName(s *openapi3.SchemaRef) string {
	if s == nil || !strings.HasPrefix(s.Ref, "#/components/schemas/") {
		return ""
	}
	return strings.TrimPrefix(s.Ref, "#/components/schemas/")
}

// LedgerEntry is one recorded discrepancy between the pages and the decision taken.
type LedgerEntry struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	// Grade is "advisory" for an entry that downgrades rules of the pages to advisory.
	Grade   string `yaml:"grade,omitempty"`
	Sources []struct {
		Source string `yaml:"source"`
		Says   string `yaml:"says"`
	} `yaml:"sources"`
	Decision  string        `yaml:"decision"`
	Locations []string      `yaml:"locations"`
	Checks    []LedgerCheck `yaml:"checks"`
}

// LedgerCheck pins a decision: a value of a schema, or a documented example, and its verdict.
type LedgerCheck struct {
	Schema  string `yaml:"schema,omitempty"`
	Value   any    `yaml:"value,omitempty"`
	Example string `yaml:"example,omitempty"`
	Valid   bool   `yaml:"valid"`
	// Rule and Path, for a check that is not valid, name the violation it must be rejected
	// for ("pattern" at "policy_mocks[0].name"), so that a rejection for another reason does
	// not pass.
	Rule string `yaml:"rule,omitempty"`
	Path string `yaml:"path,omitempty"`
	// Warns, on a valid check, says that the value breaks an advisory rule (Rule at Path, when
	// named): the generated validators accept it and report a warning naming the entry.
	Warns bool `yaml:"warns,omitempty"`
}

// Warned reports whether warnings hold the warning the check expects from entry id: one for
// the check's rule at its path (any, when the check names none), naming the entry.
func (c LedgerCheck) Warned(id string, warnings validation.Errors) bool {
	for _, w := range warnings {
		if w.Ledger == id && (c.Rule == "" || w.Rule == c.Rule && w.Path == c.Path) {
			return true
		}
	}
	return false
}

// Breaks reports whether err, from the generated validators, is a rejection that the check
// accepts: any rejection, or one for the check's rule at its path when it names them.
func (c LedgerCheck) Breaks(err error) bool {
	if err == nil {
		return false
	}
	if c.Rule == "" {
		return true
	}
	v, ok := validation.AsErrors(err)
	if !ok {
		return false
	}
	for _, x := range v {
		if x.Rule == c.Rule && x.Path == c.Path {
			return true
		}
	}
	return false
}

// Ledger is a spec's list of entries.
type Ledger []LedgerEntry

// ParseLedger reads a ledger file (format: spec/README.md).
func ParseLedger(data string) (Ledger, error) {
	var l Ledger
	dec := yaml.NewDecoder(strings.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	seen := map[string]bool{}
	for _, e := range l {
		if e.ID == "" || seen[e.ID] {
			return nil, fmt.Errorf("ledger: missing or duplicate id %q", e.ID)
		}
		seen[e.ID] = true
		for _, c := range e.Checks {
			if (c.Schema == "") == (c.Example == "") {
				return nil, fmt.Errorf("ledger %s: a check names exactly one of schema and example", e.ID)
			}
			if c.Warns && !c.Valid {
				return nil, fmt.Errorf("ledger %s: warns: true goes with valid: true (an advisory rule never rejects)", e.ID)
			}
		}
	}
	return l, nil
}

// ExpectedRejection returns the ledger entry that records the example (by Example.Ref) as
// breaking a kept rule.
func (l Ledger) ExpectedRejection(ref string) (string, bool) {
	id, _, ok := l.Rejection(ref)
	return id, ok
}

// Warning returns the ledger entry and check that record the example (by Example.Ref) as
// breaking an advisory rule: valid, with a warning.
func (l Ledger) Warning(ref string) (string, LedgerCheck, bool) {
	for _, e := range l {
		for _, c := range e.Checks {
			if c.Example == ref && c.Warns {
				return e.ID, c, true
			}
		}
	}
	return "", LedgerCheck{}, false
}

// BreaksLetter reports whether the ledger records the example as breaking a rule of the pages,
// enforced or advisory: such an example cannot be a base for derived cases, which start from
// documents that keep every rule.
func (l Ledger) BreaksLetter(ref string) bool {
	_, rejected := l.ExpectedRejection(ref)
	_, _, warned := l.Warning(ref)
	return rejected || warned
}

// Rejection is ExpectedRejection with the ledger check that records it.
func (l Ledger) Rejection(ref string) (string, LedgerCheck, bool) {
	for _, e := range l {
		for _, c := range e.Checks {
			if c.Example == ref && !c.Valid {
				return e.ID, c, true
			}
		}
	}
	return "", LedgerCheck{}, false
}
