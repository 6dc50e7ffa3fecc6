//go:build !unix

package server

// openFlags adds nothing where files cannot be named pipes that block an
// open.
const openFlags = 0
