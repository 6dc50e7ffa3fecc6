package server

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestHealthz: /healthz tells whether the site can be served, in one line.
func TestHealthz(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(t *testing.T, out string)
		health func(context.Context) (string, error)
		status int
		body   string
	}{
		{name: "ok", status: 200, body: "ok\n"},
		{name: "ok with a status",
			health: func(context.Context) (string, error) { return "index generation 3, 1,234 notes", nil },
			status: 200, body: "ok: index generation 3, 1,234 notes\n"},
		{name: "status of two lines",
			health: func(context.Context) (string, error) { return "generation 3\n1,234 notes", nil },
			status: 200, body: "ok: generation 3 1,234 notes\n"},
		{name: "check fails",
			health: func(context.Context) (string, error) { return "", errors.New("index gone") },
			status: 503, body: "unavailable: index gone\n"},
		{name: "check fails in two lines",
			health: func(context.Context) (string, error) { return "", errors.New("index\ngone") },
			status: 503, body: "unavailable: index gone\n"},
		{name: "OUT moved away",
			break_: func(t *testing.T, out string) { os.Rename(out, out+".away") },
			status: 503, body: "unavailable: the site folder cannot be read: no such file or directory\n"},
		{name: "OUT replaced by a file",
			break_: func(t *testing.T, out string) { os.RemoveAll(out); os.WriteFile(out, nil, 0o644) },
			status: 503, body: "unavailable: the site folder cannot be read: not a directory\n"},
		{name: "OUT emptied",
			break_: func(t *testing.T, out string) { os.RemoveAll(out); os.Mkdir(out, 0o755) },
			status: 503, body: "unavailable: index.html cannot be read: no such file or directory\n"},
		{name: "index.html a pipe",
			break_: func(t *testing.T, out string) {
				os.Remove(filepath.Join(out, "index.html"))
				mkfifo(t, out, "index.html")
			},
			status: 503, body: "unavailable: index.html cannot be read: not a regular file\n"},
		{name: "OUT gone and check fails",
			break_: func(t *testing.T, out string) { os.RemoveAll(out) },
			health: func(context.Context) (string, error) { return "", errors.New("index gone") },
			status: 503, body: "unavailable: the site folder cannot be read: no such file or directory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "public")
			if err := os.CopyFS(out, os.DirFS(site(t))); err != nil {
				t.Fatal(err)
			}
			h := newServer(t, Config{Out: out, Health: tt.health})
			if tt.break_ != nil {
				tt.break_(t, out)
			}
			for _, method := range []string{"GET", "HEAD"} {
				res := doWithin(t, h, method, "/healthz")
				b := body(t, res)
				if res.StatusCode != tt.status {
					t.Errorf("%s: status %d, want %d", method, res.StatusCode, tt.status)
				}
				if method == "GET" && b != tt.body {
					t.Errorf("body %q, want %q", b, tt.body)
				}
				if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("Cache-Control %q", cc)
				}
			}
		})
	}
}

// TestReadyz: /readyz tells a load balancer whether to send requests: not
// before the caller's check passes, not while OUT cannot be read, not
// while draining; with the reason, in one line.
func TestReadyz(t *testing.T) {
	tests := []struct {
		name       string
		searchOnly bool
		break_     func(t *testing.T, out string)
		ready      func(context.Context) error
		drain      bool
		status     int
		body       string
	}{
		{name: "no check", status: 200, body: "ready\n"},
		{name: "check passes", ready: func(context.Context) error { return nil }, status: 200, body: "ready\n"},
		{name: "index not open yet",
			ready:  func(context.Context) error { return errors.New("the index is being fetched") },
			status: 503, body: "not ready: the index is being fetched\n"},
		{name: "probe fails in two lines",
			ready:  func(context.Context) error { return errors.New("probe query:\nno answer") },
			status: 503, body: "not ready: probe query: no answer\n"},
		{name: "OUT gone",
			break_: func(t *testing.T, out string) { os.RemoveAll(out) },
			ready:  func(context.Context) error { return nil },
			status: 503, body: "not ready: the site folder cannot be read: no such file or directory\n"},
		{name: "draining", drain: true, ready: func(context.Context) error { return nil },
			status: 503, body: "not ready: draining\n"},
		{name: "draining and check fails", drain: true, ready: func(context.Context) error { return errors.New("index gone") },
			status: 503, body: "not ready: draining\n"},
		{name: "search only", searchOnly: true, ready: func(context.Context) error { return nil }, status: 200, body: "ready\n"},
		{name: "search only, not ready", searchOnly: true,
			ready:  func(context.Context) error { return errors.New("no index yet") },
			status: 503, body: "not ready: no index yet\n"},
		{name: "search only, draining", searchOnly: true, drain: true, status: 503, body: "not ready: draining\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Ready: tt.ready, Search: answering, SearchOnly: tt.searchOnly}
			if !tt.searchOnly {
				cfg.Out = filepath.Join(t.TempDir(), "public")
				if err := os.CopyFS(cfg.Out, os.DirFS(site(t))); err != nil {
					t.Fatal(err)
				}
			}
			s := newServer(t, cfg)
			if tt.break_ != nil {
				tt.break_(t, cfg.Out)
			}
			if tt.drain {
				s.Drain()
			}
			for _, method := range []string{"GET", "HEAD"} {
				res := doWithin(t, s, method, "/readyz")
				b := body(t, res)
				if res.StatusCode != tt.status {
					t.Errorf("%s: status %d, want %d", method, res.StatusCode, tt.status)
				}
				if method == "GET" && b != tt.body {
					t.Errorf("body %q, want %q", b, tt.body)
				}
				if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("Cache-Control %q", cc)
				}
			}
			// Liveness is another question: a draining server is alive.
			if tt.drain {
				if res := do(s, "GET", "/healthz"); res.StatusCode != 200 {
					t.Errorf("/healthz while draining: %d", res.StatusCode)
				}
			}
		})
	}
}

// TestReadyShared: requests for /readyz that come while the check runs
// share it, so that asking often costs one check at a time; a client that
// leaves does not end the check for the others.
func TestReadyShared(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	s := newServer(t, Config{SearchOnly: true, Search: answering, Metrics: prometheus.NewRegistry(), Ready: func(ctx context.Context) error {
		calls.Add(1)
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}})
	// One client asks and leaves.
	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan int)
	go func() {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil).WithContext(ctx))
		gone <- w.Code
	}()
	for calls.Load() == 0 {
		runtime.Gosched()
	}
	cancel()
	if code := <-gone; code != http.StatusServiceUnavailable {
		t.Errorf("the client that left: %d", code)
	}
	// Many ask while the check is still under way.
	const n = 20
	codes := make(chan int, n)
	for range n {
		go func() { codes <- doWithin(t, s, "GET", "/readyz").StatusCode }()
	}
	for s.metrics.inFlight.Load() < n { // all of them were let in
		runtime.Gosched()
	}
	close(release)
	for range n {
		if code := <-codes; code != 200 {
			t.Errorf("status %d", code)
		}
	}
	// One check for all, and maybe another for a request that reached it
	// after the first was done; one each, without sharing.
	if c := calls.Load(); c > n/4 {
		t.Errorf("%d checks for %d requests at once", c, n+1)
	}
}

// TestHealthzSearchOnly: with no files, /healthz asks only the caller.
func TestHealthzSearchOnly(t *testing.T) {
	tests := []struct {
		health func(context.Context) (string, error)
		status int
		body   string
	}{
		{nil, 200, "ok\n"},
		{func(context.Context) (string, error) { return "1,234 notes", nil }, 200, "ok: 1,234 notes\n"},
		{func(context.Context) (string, error) { return "", errors.New("index gone") }, 503, "unavailable: index gone\n"},
	}
	for _, tt := range tests {
		res := do(newServer(t, Config{SearchOnly: true, Search: answering, Health: tt.health}), "GET", "/healthz")
		if b := body(t, res); res.StatusCode != tt.status || b != tt.body {
			t.Errorf("%d %q, want %d %q", res.StatusCode, b, tt.status, tt.body)
		}
	}
}
