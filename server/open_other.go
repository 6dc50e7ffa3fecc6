//go:build !unix

package server

// openFlags adds nothing where files cannot be named pipes that block an
// open.
const openFlags = 0

// exhausted reports whether err is the system's want of a resource, not a
// file that is not there: not told apart here.
func exhausted(error) bool { return false }
