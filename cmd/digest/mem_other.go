//go:build !linux

package main

// totalMemory is unknown here: no memory limit is set.
func totalMemory() uint64 { return 0 }
