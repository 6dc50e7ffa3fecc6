//go:build unix

package build

import (
	"path/filepath"
	"syscall"
)

// isMountPoint reports whether dir is a file system's root, mounted there:
// the build cannot rename it to swap its new output in.
func isMountPoint(dir string) bool {
	var st, parent syscall.Stat_t
	if syscall.Stat(dir, &st) != nil || syscall.Stat(filepath.Join(dir, ".."), &parent) != nil {
		return false
	}
	return st.Dev != parent.Dev || st.Ino == parent.Ino
}
