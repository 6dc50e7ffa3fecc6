//go:build unix

package server

import "syscall"

// openFlags makes an open of a named pipe return at once rather than wait
// for a writer, should one be swapped in after its mode was checked.
const openFlags = syscall.O_NONBLOCK
