//go:build !unix

package store

// lockFile does nothing where flock is missing: run one emulator per SQLite file there.
func lockFile(string) (func(), error) { return func() {}, nil }
