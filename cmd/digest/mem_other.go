//go:build !linux

package main

// totalMemory is unknown here: no memory limit is set.
func totalMemory() uint64 { return 0 }

// mappedFiles is unknown here.
func mappedFiles() uint64 { return 0 }
