//go:build tools

// Package tools pins the versions of the code generators that apicgen drives as libraries,
// so that `go mod tidy` keeps them and every machine generates the same bytes.
package tools

import (
	_ "github.com/dave/jennifer/jen"
	_ "github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
)
