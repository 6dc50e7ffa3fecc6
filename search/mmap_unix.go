//go:build unix

package search

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps the file at path into memory, read-only, as bleve maps its
// segments: its pages are the page cache's, not the heap's.
func mapFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() == 0 {
		return []byte{}, nil
	}
	return unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED)
}

// dropPages tells the kernel that the pages of b, mapped by mapFile, are
// not needed now: they leave the process's resident set and are read
// again from the page cache when touched.
func dropPages(b []byte) {
	if len(b) > 0 {
		unix.Madvise(b, unix.MADV_DONTNEED) // advice: nothing to do if it fails
	}
}

// unmapFile releases what mapFile mapped.
func unmapFile(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return unix.Munmap(b)
}
