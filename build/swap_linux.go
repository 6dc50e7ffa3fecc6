package build

import "golang.org/x/sys/unix"

// exchange atomically swaps the folders a and b (Linux renameat2
// RENAME_EXCHANGE), so that readers of b never see it missing.
func exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}
