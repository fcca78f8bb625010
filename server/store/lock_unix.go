//go:build unix

package store

import (
	"fmt"
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on path+".lock" for as long as the store is open. One
// emulator owns a SQLite file: its single writer groups the commits, and its answer cache
// trusts that nobody else changes the APIs. A second emulator on the same file is refused at
// start rather than served stale answers. The lock goes with the process (kill -9 included).
func lockFile(path string) (release func(), err error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("store: %s is in use by another emulator (%w); give each emulator its own file, or share a postgres:// store", path, err)
	}
	return func() { f.Close() }, nil
}
