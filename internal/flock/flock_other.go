//go:build !unix

package flock

import (
	"errors"
	"os"
)

// TryLock returns errors.ErrUnsupported where flock is missing.
func TryLock(*os.File) (bool, error) { return false, errors.ErrUnsupported }

// Unlock returns errors.ErrUnsupported where flock is missing.
func Unlock(*os.File) error { return errors.ErrUnsupported }
