//go:build !unix

package deploy

import "os"

// tryLock does nothing where flock is missing: one Fetcher per folder is
// then the caller's to see to.
func tryLock(*os.File) (bool, error) { return true, nil }
