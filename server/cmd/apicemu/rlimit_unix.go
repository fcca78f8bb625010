//go:build unix

package main

import "syscall"

// fitOpenFiles lowers a connection cap to leave room, under the process's open-files limit,
// for the store's files and the listener: past that limit accept fails for everyone.
func fitOpenFiles(conns int) int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur > uint64(conns)+64 {
		return conns
	}
	return max(1, int(rl.Cur)-64)
}
