package conformance_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/conformance"
	"github.com/apiclab/apic/conformance/catalog"
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
