//go:build unix

package build

import (
	"errors"
	"os"

	"github.com/coopdigest/digest/internal/flock"
)

// lockFile holds an exclusive lock on f until f is closed, or the process
// ends, however it ends: kill -9 included.
func lockFile(f *os.File) error {
	ok, err := flock.TryLock(f)
	if err == nil && !ok {
		err = errors.New("locked by another process")
	}
	return err
}

// tryLock takes the lock on f if nobody holds it, reporting whether it did.
func tryLock(f *os.File) (bool, error) { return flock.TryLock(f) }

// heldByOther reports whether another open file holds the lock on f's
// file; f does not hold it after.
func heldByOther(f *os.File) (bool, error) {
	free, err := tryLock(f)
	if free {
		err = flock.Unlock(f)
	}
	return !free && err == nil, err
}
