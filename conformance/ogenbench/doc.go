// Package ogenbench measures this repository's generated strict decoders against ogen's
// generated code for the same specs, on the documented create bodies, in one run.
//
// It is a module of its own so that ogen stays out of the dependency graph of the packages
// users embed. The ogen code (roma/, apig/) is generated from spec/ by the lines below, with
// the ogen version go.mod pins; specs.sha256 records the inputs it was generated from, and a
// test fails when they have changed since.
package ogenbench

//go:generate go tool ogen --config ogen.yml --target roma --package roma --clean ../../spec/roma-apic.yaml
//go:generate go tool ogen --config ogen.yml --target apig --package apig --clean ../../spec/apig.yaml
//go:generate sh -c "sha256sum ../../spec/roma-apic.yaml ../../spec/apig.yaml ogen.yml > specs.sha256"
