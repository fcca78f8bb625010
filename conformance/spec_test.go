package conformance_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/conformance"
	"github.com/apiclab/apic/conformance/catalog"
	"github.com/apiclab/apic/spec/xrules"
)

func TestSpecsLoadAndValidate(t *testing.T) {
	for _, s := range catalog.All() {
		t.Run(s.Name, func(t *testing.T) {
			doc, err := s.Doc()
			require.NoError(t, err)
			assert.Equal(t, "3.0.3", doc.OpenAPI)
		})
	}
}

// Every documented example validates against its schema with kin-openapi and the generated
// validators, decodes into its generated type and re-encodes without losing a member; the
// request examples that the ledger records as breaking a kept rule are rejected instead.
func TestDocumentedExamples(t *testing.T) {
	for _, s := range catalog.All() {
		doc, err := s.Doc()
		require.NoError(t, err)
		ledger, err := conformance.ParseLedger(s.LedgerYAML)
		require.NoError(t, err)
		examples := conformance.Examples(doc)
		require.NotEmpty(t, examples, s.Name)
		for _, ex := range examples {
			t.Run(s.Name+"/"+ex.Ref(), func(t *testing.T) {
				for _, f := range conformance.CheckExample(s, ledger, ex) {
					t.Error(f)
				}
			})
		}
	}
}

// Every ledger entry points at spec locations that exist, and its checks give their stated
// verdicts.
func TestLedger(t *testing.T) {
	for _, s := range catalog.All() {
		t.Run(s.Name, func(t *testing.T) {
			ledger, err := conformance.ParseLedger(s.LedgerYAML)
			require.NoError(t, err)
			require.NotEmpty(t, ledger)
			for _, f := range conformance.CheckLedger(s, ledger) {
				t.Error(f)
			}
		})
	}
}

// Every member a response schema lists in x-always-returned is in every documented example of
// an answer with that schema: the list says what the examples show, never more.
func TestAlwaysReturnedAgreesWithExamples(t *testing.T) {
	listed := 0
	for _, s := range catalog.All() {
		doc, err := s.Doc()
		require.NoError(t, err)
		for _, ex := range conformance.Examples(doc) {
			always := xrules.Of(ex.SchemaRef.Value).AlwaysReturned
			if ex.Where == "request" || len(always) == 0 {
				continue
			}
			m, ok := ex.Value.(map[string]any)
			require.True(t, ok, ex.Ref())
			for _, k := range always {
				listed++
				assert.Contains(t, m, k, "%s: %s is listed in x-always-returned of %s, but the example lacks it", ex.Ref(), k, ex.Schema)
			}
		}
	}
	assert.Positive(t, listed)
}
