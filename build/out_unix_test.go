//go:build unix

package build

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStopWhileLoading stops a build whose source cannot be read to the
// end (a note that is a FIFO nobody writes to): it returns once stopped,
// whatever the reading does, and leaves OUT as it was.
func TestStopWhileLoading(t *testing.T) {
	site := newSite(t)
	fifo := filepath.Join(site, "content", "2025", "fifo.md")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	t.Cleanup(func() {
		// Let the reading that was left behind end.
		if f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	out := filepath.Join(t.TempDir(), "public")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := Build(ctx, Config{Site: site, Out: out})
		done <- err
	}()
	select {
	case err := <-done:
		// Either the source refuses the FIFO, or the build stops.
		var se *StoppedError
		if !errors.As(err, &se) && (err == nil || !strings.Contains(err.Error(), "fifo.md")) {
			t.Errorf("got %v, want the build stopped or the FIFO refused", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the build did not return after it was stopped")
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("OUT was written")
	}
	assertNoTemp(t, out)
}

// TestIsMountPoint: a file system's root is one, a folder in it is not.
// CheckOut refuses a mount point as OUT before the build, which could not
// swap its output in at the end.
func TestIsMountPoint(t *testing.T) {
	if !isMountPoint("/") {
		t.Error("/ is not taken for a mount point")
	}
	if st, err := os.Stat("/proc/self"); err == nil && st.IsDir() && !isMountPoint("/proc") {
		t.Error("/proc is not taken for a mount point")
	}
	if dir := t.TempDir(); isMountPoint(dir) {
		t.Errorf("%s is taken for a mount point", dir)
	}
}

// TestPipeInOldOutput builds over an output whose unfingerprinted
// stylesheet someone replaced with a FIFO: the build does not read it to
// keep the old stylesheet (keepAssets), which would wait for ever.
func TestPipeInOldOutput(t *testing.T) {
	site := newSite(t)
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, out, false)
	css := filepath.Join(out, "style.css")
	if err := os.Remove(css); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(css, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	t.Cleanup(func() {
		if f, err := os.OpenFile(css, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	done := make(chan error, 1)
	go func() {
		_, err := Build(context.Background(), Config{Site: site, Out: out})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the build is reading the pipe")
	}
	if fi, err := os.Lstat(css); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("style.css: %v, %v; want the build's file", fi, err)
	}
}
