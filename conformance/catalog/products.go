package catalog

import (
	"github.com/apiclab/apic/generated/apig"
	"github.com/apiclab/apic/generated/romaapic"
)

// The product specs.
var (
	ROMA = New("roma-apic", "spec/roma-apic.yaml", romaapic.GetSwagger, romaapic.SchemaTypes, romaapic.LedgerYAML)
	APIG = New("apig", "spec/apig.yaml", apig.GetSwagger, apig.SchemaTypes, apig.LedgerYAML)
)

// All lists every product spec.
func All() []*Spec { return []*Spec{ROMA, APIG} }
