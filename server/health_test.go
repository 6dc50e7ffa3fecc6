package server

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
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
