package server

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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

// doWithin is do, failing the test when the answer takes longer than a
// hang would allow: a request that never ends is the bug tested.
func doWithin(t *testing.T, h http.Handler, method, target string) *http.Response {
	t.Helper()
	done := make(chan *http.Response, 1)
	go func() { done <- do(h, method, target) }()
	select {
	case res := <-done:
		return res
	case <-time.After(10 * time.Second):
		t.Fatalf("%s %s: no answer, the request hangs", method, target)
		return nil
	}
}

// TestNonRegularFiles: only regular files are served; a named pipe in OUT
// (as a page, a folder's index.html, the 404 page, or behind a link) is
// not found, at once, instead of blocking the request for ever.
func TestNonRegularFiles(t *testing.T) {
	tests := []struct {
		name     string
		fifos    []string
		link     [2]string // a symbolic link inside OUT: name, target
		path     string
		contains string
	}{
		{name: "page", fifos: []string{"fifo.html"}, path: "/fifo.html", contains: "not here"},
		{name: "folder index", fifos: []string{"pipe/index.html"}, path: "/pipe/", contains: "not here"},
		{name: "link to a pipe", fifos: []string{"fifo.css"}, link: [2]string{"linked.css", "fifo.css"}, path: "/linked.css", contains: "not here"},
		{name: "404 page", fifos: []string{"404.html"}, path: "/missing", contains: "404 page not found"},
		{name: "404 page and page", fifos: []string{"404.html", "fifo.html"}, path: "/fifo.html", contains: "404 page not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := site(t)
			for _, name := range tt.fifos {
				os.Remove(filepath.Join(out, name))
				mkfifo(t, out, name)
			}
			if tt.link[0] != "" {
				if err := os.Symlink(tt.link[1], filepath.Join(out, tt.link[0])); err != nil {
					t.Fatal(err)
				}
			}
			h := newServer(t, Config{Out: out})
			for _, method := range []string{"GET", "HEAD"} {
				res := doWithin(t, h, method, tt.path)
				if res.StatusCode != http.StatusNotFound {
					t.Errorf("%s: status %d, want 404", method, res.StatusCode)
				}
				if b := body(t, res); method == "GET" && !strings.Contains(b, tt.contains) {
					t.Errorf("%s: body %q lacks %q", method, b, tt.contains)
				}
			}
		})
	}
}

// TestOpenCheckedPipe: a file that a check found regular but that was
// swapped for a named pipe before the open is refused without blocking.
func TestOpenCheckedPipe(t *testing.T) {
	out := t.TempDir()
	mkfifo(t, out, "swapped.html")
	root, err := os.OpenRoot(out)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	done := make(chan error, 1)
	go func() {
		f, _, err := openChecked(root, "swapped.html")
		if f != nil {
			f.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, errNotRegular) {
			t.Errorf("err %v, want %v", err, errNotRegular)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the open blocks")
	}
}
