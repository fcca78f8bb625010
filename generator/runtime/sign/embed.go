package sign

import _ "embed"

// Source is this package's sign.go. The generator writes it into generated/sign so that the
// generated clients can sign requests without depending on a hand-written package.
//
//go:embed sign.go
var Source []byte
