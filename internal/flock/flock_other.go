//go:build !unix

// Package flock takes advisory locks on open files, which the system
// releases when the file is closed or the process ends, however it ends:
// kill -9 included. Build and deploy mark their folders with them.
package flock

import (
	"errors"
	"os"
)

// TryLock returns errors.ErrUnsupported where flock is missing.
func TryLock(*os.File) (bool, error) { return false, errors.ErrUnsupported }

// Unlock returns errors.ErrUnsupported where flock is missing.
func Unlock(*os.File) error { return errors.ErrUnsupported }
