package server

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

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

// TestLinksInOut: a symbolic link inside OUT is not followed, to a file or
// through a folder, as one could lead to a hidden file that the path does
// not show (.digest, the index); OUT itself may be a link.
func TestLinksInOut(t *testing.T) {
	out := site(t)
	for name, text := range map[string]string{".digest": "marker", ".search/index.json": "{}", "docs/a.txt": "a"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(out, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{"dig.txt": ".digest", "srch": ".search", "docs2": "docs", "b.txt": "docs/a.txt"} {
		if err := os.Symlink(target, filepath.Join(out, link)); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	outLink := filepath.Join(t.TempDir(), "out")
	if err := os.Symlink(out, outLink); err != nil {
		t.Fatal(err)
	}
	h := newServer(t, Config{Out: outLink})
	for path, want := range map[string]int{"/dig.txt": 404, "/srch/index.json": 404, "/docs2/a.txt": 404, "/b.txt": 404, "/docs/a.txt": 200, "/style.css": 200} {
		if res := doWithin(t, h, "GET", path); res.StatusCode != want {
			t.Errorf("%s: status %d, want %d", path, res.StatusCode, want)
		}
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

// rawRequest sends one request line as written, byte for byte, to a real
// server, and returns the response.
func rawRequest(t *testing.T, addr, line string, header ...string) *http.Response {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	req := line + "\r\nHost: site.example\r\nConnection: close\r\n"
	for _, h := range header {
		req += h + "\r\n"
	}
	if _, err := io.WriteString(c, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	return res
}

// offSite reports whether a browser on http://site.example/a/b would leave
// the site when it follows loc: browsers drop tabs and newlines from a URL,
// trim spaces and control bytes at its ends and read a backslash as a slash.
func offSite(loc string) bool {
	s := strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, loc)
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	u, err := url.Parse(s)
	if err != nil {
		return true
	}
	base, _ := url.Parse("http://site.example/a/b")
	return base.ResolveReference(u).Host != "site.example"
}

// TestRedirectsStayOnSite sends hostile paths as a raw client would, through
// a real server: no redirect may lead off the site, and a folder's redirect
// goes to its cleaned path with a slash.
func TestRedirectsStayOnSite(t *testing.T) {
	srv := httptest.NewServer(newServer(t, Config{}))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	tests := []struct {
		path string
		want string // the Location wanted, "" for any on the site
	}{
		{"/%2Fevil.example%2F..", "/"},
		{"/%2F%2Fevil.example%2F..", "/"},
		{"/%2Fevil.example%2F..?next=1", "/?next=1"},
		{"/%2F%2F%2Fevil.example/%2E%2E/2025/note", "/2025/note/"},
		{"/%2Fevil.example/%2E%2E/2025/note", "/2025/note/"},
		{"//evil.example/..", ""},
		{"//evil.example/%2E%2E", ""},
		{"///evil.example/%2E%2E/2025/note", ""},
		{"/%5Cevil.example%2F..", "/"},
		{"/%5C%5Cevil.example/%2E%2E", "/"},
		{`/\evil.example/%2E%2E`, ""},
		{`/\\evil.example/%2E%2E/2025/note`, ""},
		{"/%2F%5Cevil.example%2F..", "/"},
		{"/%09/evil.example/%2E%2E/%2E%2E/2025/note", "/2025/note/"},
		{"/%0A/evil.example/%2E%2E/%2E%2E/2025/note", "/2025/note/"},
		{"/%0D%0A/evil.example/%2E%2E/%2E%2E/2025/note", "/2025/note/"},
		{"/%2F%09%2Fevil.example%2F..", ""},
		{"/%20/evil.example/%2E%2E/%2E%2E/2025/note", "/2025/note/"},
		{"/%00/%2E%2E", "/"},
		{"/%2e%2e%2f%2e%2e%2f2025/note", "/2025/note/"},
		{"/./2025/./note", ""},
		{"/2025/note", "/2025/note/"},
		{"/2025/note?q=%2F%2Fevil.example", "/2025/note/?q=%2F%2Fevil.example"},
		{"/2025//note", ""},
		{"/%2E", "/"},
		{"/.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := rawRequest(t, addr, "GET "+tt.path+" HTTP/1.1")
			res.Body.Close()
			loc := res.Header.Get("Location")
			if res.StatusCode == http.StatusOK {
				return
			}
			if res.StatusCode/100 != 3 {
				if tt.want != "" {
					t.Errorf("status %d, want a redirect to %q", res.StatusCode, tt.want)
				}
				return
			}
			if offSite(loc) || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, `/\`) {
				t.Errorf("%d Location: %q leads off the site", res.StatusCode, loc)
			}
			for _, c := range []byte(loc) {
				if c < ' ' || c == 0x7f {
					t.Errorf("Location %q holds a control byte", loc)
					break
				}
			}
			if tt.want != "" && loc != tt.want {
				t.Errorf("Location %q, want %q", loc, tt.want)
			}
		})
	}
}

// TestFolderRedirectCleaned: a folder's redirect is built from the cleaned
// path whatever the decoded path holds, such as paths that ServeMux would
// clean first when they come unescaped.
func TestFolderRedirectCleaned(t *testing.T) {
	h := &static{out: site(t), log: slog.New(slog.DiscardHandler)}
	tests := []struct{ path, want string }{
		{"//evil.example/..", "/"},
		{"//evil.example/../2025/note", "/2025/note/"},
		{"/\\evil.example/../2025/note", "/2025/note/"},
		{"/\t/evil.example/../../2025/note", "/2025/note/"},
		{"/\n//evil.example/../../2025/note?x", "/2025/note/?x"},
		{"2025/note", "/2025/note/"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := do(h, "GET", tt.path)
			if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != tt.want {
				t.Errorf("%d Location %q, want 301 %q", res.StatusCode, res.Header.Get("Location"), tt.want)
			}
		})
	}
}

// TestManyRanges: a Range of many small parts would make a multipart
// answer many times the file's size; past a few parts it is ignored.
func TestManyRanges(t *testing.T) {
	out := site(t)
	page := strings.Repeat("<p>a line of a page</p>\n", 1000)
	os.WriteFile(filepath.Join(out, "big.html"), []byte(page), 0o644)
	h := newServer(t, Config{Out: out})
	many := make([]string, 500)
	for i := range many {
		many[i] = strconv.Itoa(i*2) + "-" + strconv.Itoa(i*2)
	}
	tests := []struct {
		rng    string
		status int
		size   int // of the body at most
	}{
		{"bytes=0-9", 206, 10},
		{"bytes=0-0,10-10", 206, 1000},
		{"bytes=" + strings.Join(many, ","), 200, len(page)},
		{"bytes=" + strings.Join(many[:maxRanges+1], ","), 200, len(page)},
		{"bytes=" + strings.Join(many[:maxRanges], ","), 206, maxRanges * 200},
		{"bytes=0-,0-,0-", 200, len(page)},
		{"bytes=99999999-", 416, 1000},
	}
	for _, tt := range tests {
		name := tt.rng
		if len(name) > 30 {
			name = name[:30]
		}
		t.Run(name, func(t *testing.T) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest("GET", "/big.html", nil)
			r.Header.Set("Range", tt.rng)
			h.ServeHTTP(w, r)
			if w.Code != tt.status || w.Body.Len() > tt.size {
				t.Errorf("status %d, %d bytes; want %d, at most %d", w.Code, w.Body.Len(), tt.status, tt.size)
			}
		})
	}
}
