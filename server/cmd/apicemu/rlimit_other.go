//go:build !unix

package main

// fitOpenFiles keeps the cap as it is where there is no open-files limit to read.
func fitOpenFiles(conns int) int { return conns }
