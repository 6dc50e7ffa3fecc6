//go:build !unix

package build

import (
	"os"
	"time"
)

// lockFile does nothing where flock is missing; tryLock then judges a
// temporary folder by its age instead.
func lockFile(*os.File) error { return nil }

// staleAge is how old a temporary folder's marker must be, where locks are
// missing, before it is taken for the leftover of a killed build: longer
// than any build runs.
const staleAge = 24 * time.Hour

// tryLock reports whether the marker f is old enough to be stale.
func tryLock(f *os.File) (bool, error) {
	st, err := f.Stat()
	if err != nil {
		return false, err
	}
	return time.Since(st.ModTime()) > staleAge, nil
}

// heldByOther reports false where locks are missing: nothing can tell.
func heldByOther(*os.File) (bool, error) { return false, nil }
