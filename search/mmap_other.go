//go:build !unix

package search

import "os"

// mapFile reads the file at path: where files cannot be mapped, it is on
// the heap.
func mapFile(path string) ([]byte, error) { return os.ReadFile(path) }

// dropPages does nothing: b is on the heap.
func dropPages([]byte) {}

// unmapFile releases what mapFile read.
func unmapFile([]byte) error { return nil }
