package validation

import _ "embed"

// Source is this package's validation.go. The generator writes it into generated/validation so
// that generated packages depend on no hand-written package of this repository.
//
//go:embed validation.go
var Source []byte

// KeywordsSource is this package's keywords.go, written beside Source.
//
//go:embed keywords.go
var KeywordsSource []byte

// SchemaSource is this package's schema.go, written beside Source.
//
//go:embed schema.go
var SchemaSource []byte
