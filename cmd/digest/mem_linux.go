package main

import (
	"bytes"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// totalMemory returns the machine's memory in bytes, or 0 if unknown.
func totalMemory() uint64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 0
	}
	return uint64(si.Totalram) * uint64(si.Unit)
}

// mappedFiles returns how much of the process's resident memory is files
// mapped into it (and shared memory), in bytes, or 0 if unknown.
func mappedFiles() uint64 {
	// statm: size, resident, shared (file-backed and shared pages), ...
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(data)
	if len(f) < 3 {
		return 0
	}
	pages, err := strconv.ParseUint(string(f[2]), 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}
