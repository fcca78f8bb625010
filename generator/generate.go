package generator

// `go generate ./...` from the repository root regenerates everything, as `make generate` does.
//go:generate go run ./cmd/apicgen -root .. generate
