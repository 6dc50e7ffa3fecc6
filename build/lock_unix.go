//go:build unix

package build

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockFile holds an exclusive lock on f until f is closed, or the process
// ends, however it ends: kill -9 included.
func lockFile(f *os.File) error {
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
}

// tryLock takes the lock on f if nobody holds it, reporting whether it did.
func tryLock(f *os.File) (bool, error) {
	err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

// heldByOther reports whether another open file holds the lock on f's
// file; f does not hold it after.
func heldByOther(f *os.File) (bool, error) {
	free, err := tryLock(f)
	if free {
		err = unix.Flock(int(f.Fd()), unix.LOCK_UN)
	}
	return !free && err == nil, err
}
