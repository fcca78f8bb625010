// Package catalog lists the specs this repository generates packages for, with what a tool
// needs to check documents against them without the repository at hand: the embedded spec,
// the generated types by schema name, and the ledger.
package catalog

import (
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apiclab/apic/generated/validation"
)

// Spec is one product spec and its generated package.
type Spec struct {
	// Name is the spec's file name without extension ("roma-apic").
	Name string
	// File is the spec's path in the repository.
	File string
	// Types maps object schema names to constructors of the generated types.
	Types map[string]func() validation.Type
	// LedgerYAML is the spec's ledger of doc discrepancies.
	LedgerYAML string

	load func() (*openapi3.T, error)
	once sync.Once
	doc  *openapi3.T
	err  error
}

// Doc returns the embedded spec, loaded once and validated.
func (s *Spec) Doc() (*openapi3.T, error) {
	s.once.Do(func() {
		s.doc, s.err = s.load()
		if s.err == nil {
			// Examples are judged against the ledger by the conformance checks, not here.
			s.err = s.doc.Validate(openapi3.NewLoader().Context, openapi3.DisableExamplesValidation())
		}
		if s.err != nil {
			s.err = fmt.Errorf("%s: %w", s.File, s.err)
		}
	})
	return s.doc, s.err
}

// New describes a spec; load returns its embedded document (the generated GetSwagger).
func New(name, file string, load func() (*openapi3.T, error), types map[string]func() validation.Type, ledger string) *Spec {
	return &Spec{Name: name, File: file, load: load, Types: types, LedgerYAML: ledger}
}

// Decode decodes data as the named schema's generated type, strictly, and validates it. The
// error reports enforced rules only; Check also returns the advisory ones.
func (s *Spec) Decode(schema string, data []byte) (validation.Type, error) {
	t, _, err := s.Check(schema, data)
	return t, err
}

// Check is Decode that also returns the violations of advisory rules, as warnings.
func (s *Spec) Check(schema string, data []byte) (validation.Type, validation.Errors, error) {
	mk, ok := s.Types[schema]
	if !ok {
		return nil, nil, fmt.Errorf("%s: no generated type for schema %q", s.Name, schema)
	}
	t := mk()
	warnings, err := validation.Decode(data, t)
	return t, warnings, err
}
