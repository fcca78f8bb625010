package conformance_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/conformance"
	"github.com/apiclab/apic/conformance/catalog"
	"github.com/apiclab/apic/conformance/derive"
	"github.com/apiclab/apic/generated/validation"
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
