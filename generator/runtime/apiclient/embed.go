package apiclient

import _ "embed"

// Source is this package's apiclient.go. The generator writes it into generated/apiclient, with
// its imports of the other runtime packages pointed at their generated copies.
//
//go:embed apiclient.go
var Source []byte
