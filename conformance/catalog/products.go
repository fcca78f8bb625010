package catalog

import (
	"github.com/apiclab/apic/generated/apig"
	"github.com/apiclab/apic/generated/apig/apigspec"
	"github.com/apiclab/apic/generated/romaapic"
	"github.com/apiclab/apic/generated/romaapic/romaapicspec"
)

// The product specs.
var (
	ROMA = New("roma-apic", "spec/roma-apic.yaml", romaapicspec.GetSwagger, romaapic.SchemaTypes, romaapicspec.LedgerYAML)
	APIG = New("apig", "spec/apig.yaml", apigspec.GetSwagger, apig.SchemaTypes, apigspec.LedgerYAML)
)

// All lists every product spec.
func All() []*Spec { return []*Spec{ROMA, APIG} }
