//go:build !unix

package build

// isMountPoint reports whether dir is a file system's root, mounted there;
// it is not told here, and the swap's rename says so instead.
func isMountPoint(dir string) bool { return false }
