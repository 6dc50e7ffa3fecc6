//go:build unix

package server

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// mkfifo makes a named pipe at name inside out, and on cleanup opens it
// for writing once so that a reader stuck in open (the bug) is let go.
func mkfifo(t *testing.T, out, name string) {
	t.Helper()
	p := filepath.Join(out, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	t.Cleanup(func() {
		if f, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
}
