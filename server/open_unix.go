//go:build unix

package server

import (
	"errors"
	"syscall"
)

// openFlags makes an open of a named pipe return at once rather than wait
// for a writer, should one be swapped in after its mode was checked.
const openFlags = syscall.O_NONBLOCK

// exhausted reports whether err is the system's want of a resource (file
// descriptors, memory) or a failing disk, not a file that is not there.
func exhausted(err error) bool {
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOMEM, syscall.EIO} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
