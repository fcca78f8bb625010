package conformance_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/conformance"
	"github.com/apiclab/apic/conformance/catalog"
	"github.com/apiclab/apic/conformance/derive"
	"github.com/apiclab/apic/generated/validation"
	"github.com/apiclab/apic/spec/xrules"
)

// For every constraint of every request schema, the cases derived from the documented examples
// get the same verdict from kin-openapi (where it can judge the rule) and from the generated
// validators, and an invalid case is rejected for its own rule at its own place.
func TestGeneratedValidatorsAgreeWithKinOpenAPI(t *testing.T) {
	for _, s := range catalog.All() {
		t.Run(s.Name, func(t *testing.T) {
			doc, err := s.Doc()
			require.NoError(t, err)
			ledger, err := conformance.ParseLedger(s.LedgerYAML)
			require.NoError(t, err)
			// Examples the ledger records as breaking a kept rule are judged by
			// TestDocumentedExamples; they cannot be a valid base for mutations.
			cases, gaps := derive.DeriveWith(doc, derive.Options{Skip: ledger.BreaksLetter})
			require.NotEmpty(t, cases)
			for _, g := range gaps {
				t.Errorf("no case could be derived for %s %s %s %s: %s", g.Operation, g.Schema, g.Path, g.Rule, g.Reason)
			}
			perRule := map[string]int{}
			for _, c := range cases {
				perRule[c.Rule]++
				body, data, err := conformance.Normalize(c.Body)
				require.NoError(t, err)
				if c.Oracle {
					schema := doc.Components.Schemas[c.Schema]
					if got := conformance.Oracle(schema, body) == nil; got != c.Valid {
						t.Errorf("%s: kin-openapi says valid=%v, want %v\n%s", c.ID, got, c.Valid, data)
					}
				}
				_, warnings, genErr := s.Check(c.Schema, data)
				if c.Advisory != "" {
					// The letter rejects it (kin-openapi agreed above); the generated code
					// grades the rule and warns.
					if genErr != nil || !(conformance.LedgerCheck{Rule: c.Rule, Path: c.Path}).Warned(c.Advisory, warnings) {
						t.Errorf("%s: want accepted with a warning naming %s, got %v, warnings %v", c.ID, c.Advisory, genErr, warnings)
					}
					continue
				}
				if (genErr == nil) != c.Valid {
					t.Errorf("%s: generated validators say valid=%v (%v), want %v\n%s", c.ID, genErr == nil, genErr, c.Valid, data)
					continue
				}
				if !c.Valid && !reports(genErr, c.Rule, c.Path) {
					t.Errorf("%s: rejected, but not for %s at %q: %v", c.ID, c.Rule, c.Path, genErr)
				}
			}
			t.Logf("%d cases: %s", len(cases), summary(perRule))
		})
	}
}

func reports(err error, rule, path string) bool {
	v, ok := validation.AsErrors(err)
	if !ok {
		return false
	}
	for _, x := range v {
		if x.Rule == rule && (x.Path == path || strings.HasPrefix(x.Path, path+".") || strings.HasPrefix(x.Path, path+"[")) {
			return true
		}
		// oneOf failures name the union, the case names the rule inside it.
		if rule == validation.RuleOneOf && x.Rule == validation.RuleOneOf && strings.HasPrefix(path, x.Path) {
			return true
		}
	}
	return false
}

func summary(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, " ")
}

// Value coverage: for every operation with a request body, every value of every enum (listed
// or case-insensitive) and both values of every boolean, at every place of the request schema,
// is sent by some valid case. A service that refuses a documented value (cors: true, one
// match mode) then fails a case.
func TestEveryValueHasAValidCase(t *testing.T) {
	index := regexp.MustCompile(`\[\d+\]`)
	for _, s := range catalog.All() {
		doc, err := s.Doc()
		require.NoError(t, err)
		ledger, err := conformance.ParseLedger(s.LedgerYAML)
		require.NoError(t, err)
		cases, _ := derive.DeriveWith(doc, derive.Options{Skip: ledger.BreaksLetter})
		sent := map[string]bool{} // operation, path without indexes, value
		for _, c := range cases {
			if !c.Valid {
				continue
			}
			if v, ok := valueAt(c.Body, c.Path); ok {
				sent[fmt.Sprintf("%s %s %v", c.Operation, index.ReplaceAllString(c.Path, "[]"), v)] = true
			}
		}
		want := 0
		for _, c := range cases {
			if sent[c.Operation+" done"] {
				continue
			}
			sent[c.Operation+" done"] = true
			var walk func(sc *openapi3.Schema, path string, depth int)
			walk = func(sc *openapi3.Schema, path string, depth int) {
				if sc == nil || depth > 8 {
					return
				}
				var values []any
				switch {
				case len(sc.Enum) > 0:
					values = sc.Enum
				case len(xrules.Of(sc).EnumCI) > 0:
					values = xrules.Of(sc).EnumCIValues()
				case sc.Type.Is("boolean"):
					values = []any{true, false}
				}
				for _, v := range values {
					want++
					if v, _, _ := conformance.Normalize(v); !sent[fmt.Sprintf("%s %s %v", c.Operation, path, v)] {
						t.Errorf("%s: no valid case sends %v at %s", c.Operation, v, path)
					}
				}
				for _, b := range sc.OneOf {
					walk(b.Value, path, depth+1)
				}
				for name, p := range sc.Properties {
					sub := name
					if path != "" {
						sub = path + "." + name
					}
					walk(p.Value, sub, depth+1)
				}
				if sc.Items != nil {
					walk(sc.Items.Value, path+"[]", depth+1)
				}
			}
			walk(doc.Components.Schemas[c.Schema].Value, "", 0)
		}
		require.Positive(t, want, s.Name)
		t.Logf("%s: %d enum and boolean values, each sent by a valid case", s.Name, want)
	}
}

func valueAt(doc any, path string) (any, bool) {
	for _, tok := range regexp.MustCompile(`[^.\[\]]+|\[\d+\]`).FindAllString(path, -1) {
		switch x := doc.(type) {
		case map[string]any:
			v, ok := x[tok]
			if !ok {
				return nil, false
			}
			doc = v
		case []any:
			var i int
			if _, err := fmt.Sscanf(tok, "[%d]", &i); err != nil || i >= len(x) {
				return nil, false
			}
			doc = x[i]
		default:
			return nil, false
		}
	}
	return doc, true
}
