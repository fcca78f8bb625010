package conformance

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/apiclab/apic/conformance/catalog"
)

// Body is a documented request example of a create operation, as JSON.
type Body struct {
	Spec   *catalog.Spec
	Name   string // the example's name
	Schema string // the request body's schema under components/schemas
	Data   []byte
	// Advisory names the ledger entry of an advisory rule the body breaks, if any: our
	// validators accept it with a warning; a validator that reads the letter refuses it.
	Advisory string
}

// CreateBodies returns the documented request bodies of every spec's create operations (POST
// operations named Create...) that the ledger does not record as breaking a kept rule: the
// bodies a decoder must accept, so that a benchmark on them measures the whole work. A body
// equal to an earlier one (two pages showing the same example) is listed once.
func CreateBodies() ([]Body, error) {
	var out []Body
	seen := map[string]bool{}
	for _, s := range catalog.All() {
		doc, err := s.Doc()
		if err != nil {
			return nil, err
		}
		ledger, err := ParseLedger(s.LedgerYAML)
		if err != nil {
			return nil, err
		}
		for _, ex := range Examples(doc) {
			if ex.Where != "request" || ex.Method != http.MethodPost || !strings.HasPrefix(ex.Operation, "Create") {
				continue
			}
			if _, rejected := ledger.ExpectedRejection(ex.Ref()); rejected {
				continue
			}
			data, err := json.Marshal(ex.Value)
			if err != nil {
				return nil, err
			}
			if seen[string(data)] {
				continue
			}
			seen[string(data)] = true
			advisory, _, _ := ledger.Warning(ex.Ref())
			out = append(out, Body{Spec: s, Name: ex.Name, Schema: ex.Schema, Data: data, Advisory: advisory})
		}
	}
	return out, nil
}
