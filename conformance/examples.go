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
	ID      string `yaml:"id"`
	Title   string `yaml:"title"`
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
