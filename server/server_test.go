package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// site writes a small built site into a temporary folder.
func site(t *testing.T) string {
	t.Helper()
	out := t.TempDir()
	files := map[string]string{
		"index.html":           "<!doctype html><title>home</title><body><p>home</p></body>",
		"404.html":             "<!doctype html><title>lost</title><body><p>not here</p></body>",
		"style.css":            "body{}",
		"feed.xml":             "<feed/>",
		"feed.json":            "{}",
		"calendar.ics":         "BEGIN:VCALENDAR",
		"data/events.csv":      "url,title",
		"sitemap.xml":          "<urlset/>",
		"robots.txt":           "User-agent: *",
		"2025/note/index.html": "<!doctype html><body>note</body>",
		"empty/.keep":          "",
		".search/index.json":   `{"secret":true}`,
		".git/config":          "[core]",
		"2025/.hidden.html":    "hidden",
	}
	for name, data := range files {
		p := filepath.Join(out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A link out of the site must not be followed.
	secret := filepath.Join(t.TempDir(), "secret.txt")
	os.WriteFile(secret, []byte("secret"), 0o644)
	if err := os.Symlink(secret, filepath.Join(out, "link.txt")); err != nil {
		t.Fatal(err)
	}
	return out
}

func newServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.Out == "" && !cfg.SearchOnly {
		cfg.Out = site(t)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func do(h http.Handler, method, target string) *http.Response {
	w := httptest.NewRecorder()
	r := httptest.NewRequest(method, "/", nil)
	r.URL.Path = target // as a raw client could send it, uncleaned
	if i := strings.IndexByte(target, '?'); i >= 0 {
		r.URL.Path, r.URL.RawQuery = target[:i], target[i+1:]
	}
	h.ServeHTTP(w, r)
	return w.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestStatic(t *testing.T) {
	h := newServer(t, Config{})
	tests := []struct {
		path     string
		status   int
		ctype    string
		contains string
	}{
		{"/", 200, "text/html; charset=utf-8", "home"},
		{"/index.html", 200, "text/html; charset=utf-8", "home"},
		{"/2025/note/", 200, "text/html; charset=utf-8", "note"},
		{"/2025/note", 301, "", ""},
		{"/style.css", 200, "text/css; charset=utf-8", "body{}"},
		{"/feed.xml", 200, "application/atom+xml; charset=utf-8", "<feed/>"},
		{"/feed.json", 200, "application/feed+json; charset=utf-8", "{}"},
		{"/calendar.ics", 200, "text/calendar; charset=utf-8", "BEGIN:VCALENDAR"},
		{"/data/events.csv", 200, "text/csv; charset=utf-8", "url,title"},
		{"/sitemap.xml", 200, "application/xml; charset=utf-8", "<urlset/>"},
		{"/robots.txt", 200, "text/plain; charset=utf-8", "User-agent"},
		{"/missing", 404, "text/html; charset=utf-8", "not here"},
		{"/style.css/", 404, "text/html; charset=utf-8", "not here"},
		// No listings: a folder without index.html is not found.
		{"/empty/", 404, "text/html; charset=utf-8", "not here"},
		{"/2025/", 404, "text/html; charset=utf-8", "not here"},
		// Nor a redirect to its slash, which is not found either.
		{"/empty", 404, "text/html; charset=utf-8", "not here"},
		{"/2025", 404, "text/html; charset=utf-8", "not here"},
		// Nothing whose path has a dot segment: the index, .git, dot files.
		{"/.search/", 404, "text/html; charset=utf-8", "not here"},
		{"/.search/index.json", 404, "text/html; charset=utf-8", "not here"},
		{"/.git/config", 404, "text/html; charset=utf-8", "not here"},
		{"/2025/.hidden.html", 404, "text/html; charset=utf-8", "not here"},
		// Nothing outside OUT: ".." is cleaned away by a redirect inside the
		// site (see TestTraversalOverHTTP); a link out is not followed.
		{"/../etc/passwd", 307, "", ""},
		{"/../../../../etc/passwd", 307, "", ""},
		{"/link.txt", 404, "text/html; charset=utf-8", "not here"},
		{"/healthz", 200, "text/plain; charset=utf-8", "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := do(h, "GET", tt.path)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if tt.ctype != "" && res.Header.Get("Content-Type") != tt.ctype {
				t.Errorf("Content-Type %q, want %q", res.Header.Get("Content-Type"), tt.ctype)
			}
			b := body(t, res)
			if loc := res.Header.Get("Location"); loc != "" && !strings.HasPrefix(loc, "/") {
				t.Errorf("redirect off the site: %q", loc)
			}
			if !strings.Contains(b, tt.contains) {
				t.Errorf("body %q lacks %q", b, tt.contains)
			}
			if strings.Contains(b, "secret") || strings.Contains(b, "root:") {
				t.Errorf("leaked: %q", b)
			}
			if res.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff")
			}
			if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") && res.Header.Get("Content-Security-Policy") == "" {
				t.Error("HTML without a Content-Security-Policy")
			}
		})
	}
}

// TestTraversalOverHTTP sends paths as a raw client would, through a real
// server and its path cleaning.
func TestTraversalOverHTTP(t *testing.T) {
	srv := httptest.NewServer(newServer(t, Config{}))
	defer srv.Close()
	for _, p := range []string{"/../etc/passwd", "/%2e%2e/etc/passwd", "/..%2fetc%2fpasswd", "/.search/index.json", "/%2esearch/index.json", "//etc/passwd"} {
		req, _ := http.NewRequest("GET", srv.URL+p, nil)
		req.URL.Opaque = p // keep the path as written
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == 200 || strings.Contains(string(b), "root:") || strings.Contains(string(b), "secret") {
			t.Errorf("%s: %d %q", p, res.StatusCode, b)
		}
	}
}

func TestMethods(t *testing.T) {
	h := newServer(t, Config{})
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"} {
		res := do(h, m, "/")
		if res.StatusCode != 405 || res.Header.Get("Allow") != "GET, HEAD" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d, Allow %q", m, res.StatusCode, res.Header.Get("Allow"))
		}
	}
	res := do(h, "HEAD", "/style.css")
	if res.StatusCode != 200 || res.Header.Get("Content-Length") != "6" || body(t, res) != "" {
		t.Errorf("HEAD: %d, length %q", res.StatusCode, res.Header.Get("Content-Length"))
	}
	res = do(h, "HEAD", "/missing")
	if res.StatusCode != 404 || body(t, res) != "" {
		t.Errorf("HEAD missing: %d", res.StatusCode)
	}
}

func TestSearchMounted(t *testing.T) {
	var got []string
	search := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.Path)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "results")
	})
	h := newServer(t, Config{Search: search})
	for _, p := range []string{"/search?q=x", "/api/search?q=x"} {
		res := do(h, "GET", p)
		if res.StatusCode != 200 || body(t, res) != "results" || res.Header.Get("Content-Security-Policy") != CSP {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
	if len(got) != 2 {
		t.Errorf("search handler got %q", got)
	}
	// The results page's address written as a folder's is sent to it.
	for p, want := range map[string]string{"/search/": "/search", "/search/?q=%D0%B0&page=2": "/search?q=%D0%B0&page=2"} {
		if res := do(h, "GET", p); res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != want {
			t.Errorf("%s: %d, Location %q, want %q", p, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
	if res := do(h, "GET", "/search/x"); res.StatusCode != http.StatusNotFound {
		t.Errorf("/search/x: %d, want 404", res.StatusCode)
	}
	// A page the site publishes there is served.
	out := site(t)
	if err := os.MkdirAll(filepath.Join(out, "search"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "search", "index.html"), []byte("<!doctype html><p>own search page"), 0o644); err != nil {
		t.Fatal(err)
	}
	h = newServer(t, Config{Search: search, Out: out})
	if res := do(h, "GET", "/search/"); res.StatusCode != http.StatusOK || !strings.Contains(body(t, res), "own search page") {
		t.Errorf("/search/ of a site with its own page: %d", res.StatusCode)
	}
	// A wrong address under /api/ is the API's JSON 404, not the site's page.
	for _, p := range []string{"/api/search/", "/api/search.json", "/api/"} {
		res := do(h, "GET", p)
		if b := body(t, res); res.StatusCode != 404 || res.Header.Get("Content-Type") != "application/json; charset=utf-8" || !strings.Contains(b, `"error":"not found`) {
			t.Errorf("%s: %d %s %s", p, res.StatusCode, res.Header.Get("Content-Type"), b)
		}
	}
}

func TestPanicIsA500(t *testing.T) {
	h := newServer(t, Config{Search: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })})
	res := do(h, "GET", "/search")
	if res.StatusCode != 500 || strings.Contains(body(t, res), "boom") {
		t.Errorf("status %d", res.StatusCode)
	}
}

func TestInject(t *testing.T) {
	h := newServer(t, Config{Inject: `<script src="/_digest/live.js"></script>`})
	b := body(t, do(h, "GET", "/"))
	if !strings.HasSuffix(b, `<p>home</p><script src="/_digest/live.js"></script></body>`) {
		t.Errorf("body %q", b)
	}
	if b := body(t, do(h, "GET", "/style.css")); b != "body{}" {
		t.Errorf("css changed: %q", b)
	}
}

func TestNo404Page(t *testing.T) {
	out := t.TempDir()
	h := newServer(t, Config{Out: out})
	res := do(h, "GET", "/x")
	if res.StatusCode != 404 || !strings.Contains(body(t, res), "404") {
		t.Errorf("status %d", res.StatusCode)
	}
}

func TestMissingOut(t *testing.T) {
	if _, err := New(Config{Out: filepath.Join(t.TempDir(), "nope")}); err == nil {
		t.Error("no error for a missing folder")
	}
}

// TestFolderSwapped replaces OUT by another folder, as every build does: the
// server must serve the new one, not the deleted old one.
func TestFolderSwapped(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "public")
	if err := os.CopyFS(out, os.DirFS(site(t))); err != nil {
		t.Fatal(err)
	}
	h := newServer(t, Config{Out: out})
	if res := do(h, "GET", "/2025/note/"); res.StatusCode != http.StatusOK {
		t.Fatalf("before the swap: %d", res.StatusCode)
	}
	next := filepath.Join(parent, "next")
	os.MkdirAll(filepath.Join(next, "2026", "new"), 0o755)
	os.WriteFile(filepath.Join(next, "2026", "new", "index.html"), []byte("<!doctype html><body>new</body>"), 0o644)
	os.WriteFile(filepath.Join(next, "404.html"), []byte("<!doctype html><body>lost</body>"), 0o644)
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, out); err != nil {
		t.Fatal(err)
	}
	if res := do(h, "GET", "/2026/new/"); res.StatusCode != http.StatusOK || !strings.Contains(body(t, res), "new") {
		t.Errorf("after the swap: %d", res.StatusCode)
	}
	if res := do(h, "GET", "/2025/note/"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a page of the old folder: %d, want 404", res.StatusCode)
	}
}
