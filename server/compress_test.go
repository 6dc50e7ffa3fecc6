package server

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coopdigest/digest/templates"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// pageSite is site with a typical page of the digest (testdata/page.html,
// about 20 KB) at /page/, a large 404 page and files of other kinds.
func pageSite(t testing.TB) (out string, page []byte) {
	t.Helper()
	page, err := os.ReadFile(filepath.Join("testdata", "page.html"))
	if err != nil {
		t.Fatal(err)
	}
	out = t.TempDir()
	lost := strings.Replace(string(page), "</main>", "<h1>not here</h1></main>", 1)
	files := map[string][]byte{
		"index.html":           page,
		"page/index.html":      page,
		"404.html":             []byte(lost),
		"style.css":            []byte("body{}"),
		"style.3f2a9c1b.css":   styleCSS, // hex, but of nothing in the file
		styleName:              styleCSS,
		logoName:               logoPNG,
		bigName:                bigJS,
		"photo.20250301.css":   bytes.Repeat([]byte("main{margin:0 auto}\n"), 100),
		"logo.png":             append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 4000)...),
		"feed.xml":             bytes.Repeat([]byte("<entry><title>Выставка</title></entry>\n"), 100),
		"sitemap.xml":          sitemap(5000),
		"2025/note/index.html": page,
	}
	for name, data := range files {
		p := filepath.Join(out, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out, page
}

// The static files of pageSite whose names carry the fingerprints of
// their content, as a build names them: a stylesheet, an image, which is
// not compressed, and a script larger than the server keeps in memory.
var (
	styleCSS  = bytes.Repeat([]byte("main{margin:0 auto}\n"), 100)
	styleName = templates.Fingerprinted("style.css", styleCSS)
	logoPNG   = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 4000)...)
	logoName  = templates.Fingerprinted("logo.png", logoPNG)
	bigJS     = bytes.Repeat([]byte("let a = 1;\n"), (maxPrepared+1)/10)
	bigName   = templates.Fingerprinted("app.js", bigJS)
)

// sitemap is a sitemap of n notes, text that zstd compresses better than
// gzip.
func sitemap(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<urlset>\n")
	for i := range n {
		fmt.Fprintf(&b, "<url><loc>https://digest.example.org/%d/note-%d/</loc><lastmod>%d-%02d-%02d</lastmod></url>\n", 2010+i%16, i*7919%100003, 2010+i%16, 1+i%12, 1+i%28)
	}
	b.WriteString("</urlset>\n")
	return b.Bytes()
}

// get sends a GET (or another method) with headers, given as name, value,
// name, value.
func get(h http.Handler, method, target string, header ...string) *http.Response {
	w := httptest.NewRecorder()
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	h.ServeHTTP(w, r)
	return w.Result()
}

// decoded is a response's body decoded as its Content-Encoding says.
func decoded(t *testing.T, res *http.Response) []byte {
	t.Helper()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	switch ce := res.Header.Get("Content-Encoding"); ce {
	case "":
		return raw
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return b
	case "zstd":
		zr, err := zstd.NewReader(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		b, err := zr.DecodeAll(raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		return b
	default:
		t.Fatalf("Content-Encoding %q", ce)
		return nil
	}
}

func TestCompression(t *testing.T) {
	out, page := pageSite(t)
	h := newServer(t, Config{Out: out})
	// A page has only a gzip copy, the smaller; a sitemap a zstd one too.
	if len(zstdBytes(page)) < len(gzipBytes(page)) {
		t.Fatal("testdata/page.html is smaller by zstd: the cases below expect gzip")
	}
	if sm := sitemap(5000); len(zstdBytes(sm)) >= len(gzipBytes(sm)) {
		t.Fatal("the sitemap is smaller by gzip: the cases below expect zstd")
	}
	tests := []struct {
		path, accept string
		coding       string // Content-Encoding wanted
	}{
		{"/page/", "", ""},
		{"/page/", "gzip", "gzip"},
		{"/page/", "GZIP", "gzip"},
		{"/page/", "x-gzip", "gzip"},
		{"/page/", "gzip, deflate, br, zstd", "gzip"},
		{"/page/", "zstd", ""},
		{"/page/", "gzip;q=0", ""},
		{"/page/", "gzip;q=x", ""},
		{"/page/", "identity", ""},
		{"/page/", "*", ""},
		{"/page/", "br, deflate", ""},
		{"/sitemap.xml", "gzip, deflate, br, zstd", "zstd"},
		{"/sitemap.xml", "zstd", "zstd"},
		{"/sitemap.xml", "gzip", "gzip"},
		{"/sitemap.xml", "zstd;q=0, gzip", "gzip"},
		{"/sitemap.xml", "gzip;q=0.5, zstd;q=0.4", "gzip"},
		{"/sitemap.xml", "gzip;q=0.5, zstd;q=0.5", "zstd"},
		{"/", "gzip", "gzip"},
		{"/2025/note/", "gzip, zstd", "gzip"},
		{"/feed.xml", "gzip", "gzip"},
		{"/" + styleName, "gzip", "gzip"},
		// Tiny bodies and compressed types are sent as they are.
		{"/style.css", "gzip, zstd", ""},
		{"/logo.png", "gzip, zstd", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.accept, func(t *testing.T) {
			res := get(h, "GET", tt.path, "Accept-Encoding", tt.accept)
			if res.StatusCode != 200 {
				t.Fatalf("status %d", res.StatusCode)
			}
			if ce := res.Header.Get("Content-Encoding"); ce != tt.coding {
				t.Errorf("Content-Encoding %q, want %q", ce, tt.coding)
			}
			raw := res.Header.Get("Content-Length")
			b := decoded(t, res)
			if tt.path == "/page/" && !bytes.Equal(b, page) {
				t.Errorf("the page decoded differs: %d bytes, want %d", len(b), len(page))
			}
			wantVary := tt.path != "/style.css" && tt.path != "/logo.png"
			if vary := res.Header.Get("Vary"); (vary == "Accept-Encoding") != wantVary {
				t.Errorf("Vary %q", vary)
			}
			tag := res.Header.Get("ETag")
			if !strings.HasPrefix(tag, `"`) || !strings.HasSuffix(tag, `"`) || strings.HasPrefix(tag, "W/") {
				t.Errorf("ETag %q is not strong", tag)
			}
			if tt.coding != "" && !strings.HasSuffix(tag, "-"+tt.coding+`"`) {
				t.Errorf("ETag %q does not name %s", tag, tt.coding)
			}
			if raw == "" {
				t.Error("no Content-Length")
			}
			// HEAD says what GET would.
			head := get(h, "HEAD", tt.path, "Accept-Encoding", tt.accept)
			for _, k := range []string{"Content-Encoding", "Content-Length", "ETag", "Vary", "Cache-Control", "Last-Modified"} {
				if head.Header.Get(k) != res.Header.Get(k) {
					t.Errorf("HEAD %s %q, GET %q", k, head.Header.Get(k), res.Header.Get(k))
				}
			}
			if b := body(t, head); b != "" {
				t.Errorf("HEAD has a body of %d bytes", len(b))
			}
		})
	}
}

// TestETags: an ETag per coding, 304 to a request that holds the coding it
// would get, and a new ETag when the file changes.
func TestETags(t *testing.T) {
	out, _ := pageSite(t)
	h := newServer(t, Config{Out: out})
	tags := map[string]string{}
	for _, accept := range []string{"", "gzip", "zstd"} {
		res := get(h, "GET", "/sitemap.xml", "Accept-Encoding", accept)
		tag := res.Header.Get("ETag")
		for a, other := range tags {
			if other == tag {
				t.Errorf("%q and %q share the ETag %s", a, accept, tag)
			}
		}
		tags[accept] = tag
		if lm := res.Header.Get("Last-Modified"); lm == "" {
			t.Errorf("%q: no Last-Modified", accept)
		}
	}
	tests := []struct {
		name   string
		header []string
		status int
	}{
		{"identity held", []string{"If-None-Match", tags[""]}, 304},
		{"gzip held", []string{"Accept-Encoding", "gzip", "If-None-Match", tags["gzip"]}, 304},
		{"zstd held", []string{"Accept-Encoding", "zstd, gzip", "If-None-Match", tags["zstd"]}, 304},
		{"one of a list", []string{"Accept-Encoding", "gzip", "If-None-Match", tags[""] + ", " + tags["gzip"]}, 304},
		{"weak match", []string{"Accept-Encoding", "gzip", "If-None-Match", "W/" + tags["gzip"]}, 304},
		{"gzip held, zstd now", []string{"Accept-Encoding", "zstd", "If-None-Match", tags["gzip"]}, 200},
		{"identity held, gzip now", []string{"Accept-Encoding", "gzip", "If-None-Match", tags[""]}, 200},
		{"other", []string{"If-None-Match", `"0123"`}, 200},
		{"modified since", []string{"If-Modified-Since", time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)}, 200},
		{"not modified since", []string{"If-Modified-Since", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}, 304},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := get(h, "GET", "/sitemap.xml", tt.header...)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if tt.status == 304 {
				if n := len(body(t, res)); n != 0 || res.Header.Get("Content-Encoding") != "" {
					t.Errorf("304 with a body of %d bytes or a Content-Encoding", n)
				}
				if res.Header.Get("ETag") == "" {
					t.Error("304 without the ETag")
				}
			}
		})
	}

	// A rebuilt file: another size, then the same size at another time.
	p := filepath.Join(out, "sitemap.xml")
	old := tags[""]
	for i, data := range []string{"<!doctype html><p>rebuilt</p>", "<!doctype html><p>Rebuilt</p>"} {
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		mtime := time.Now().Add(time.Duration(i+1) * time.Minute)
		os.Chtimes(p, mtime, mtime)
		res := get(h, "GET", "/sitemap.xml", "If-None-Match", old)
		if res.StatusCode != 200 || body(t, res) != data || res.Header.Get("ETag") == old {
			t.Errorf("after rebuild %d: status %d, ETag %s", i, res.StatusCode, res.Header.Get("ETag"))
		}
		old = res.Header.Get("ETag")
	}
}

func TestCacheControl(t *testing.T) {
	out, _ := pageSite(t)
	h := newServer(t, Config{Out: out})
	tests := []struct{ path, want string }{
		{"/", "no-cache"},
		{"/page/", "no-cache"},
		{"/feed.xml", "no-cache"},
		{"/style.css", "no-cache"},
		{"/" + styleName, "public, max-age=31536000, immutable"},
		{"/" + logoName, "public, max-age=31536000, immutable"},
		{"/" + bigName, "public, max-age=31536000, immutable"}, // compressed as it is read
		{"/style.3f2a9c1b.css", "no-cache"},
		{"/photo.20250301.css", "no-cache"},
		{"/missing", "no-cache"},
	}
	for _, tt := range tests {
		res := get(h, "GET", tt.path, "Accept-Encoding", "gzip")
		if cc := res.Header.Get("Cache-Control"); cc != tt.want {
			t.Errorf("%s: Cache-Control %q, want %q", tt.path, cc, tt.want)
		}
	}
}

// TestRangeCompressed: a range is of the bytes of the coding sent, which
// Content-Encoding and the ETag name.
func TestRangeCompressed(t *testing.T) {
	out, page := pageSite(t)
	h := newServer(t, Config{Out: out})
	full := get(h, "GET", "/page/", "Accept-Encoding", "gzip")
	gz, _ := io.ReadAll(full.Body)
	tag := full.Header.Get("ETag")
	tests := []struct {
		name   string
		header []string
		status int
		want   []byte
		coding string
	}{
		{"identity", []string{"Range", "bytes=0-99"}, 206, page[:100], ""},
		{"gzip", []string{"Accept-Encoding", "gzip", "Range", "bytes=0-99"}, 206, gz[:100], "gzip"},
		{"gzip rest", []string{"Accept-Encoding", "gzip", "Range", "bytes=100-"}, 206, gz[100:], "gzip"},
		{"if-range held", []string{"Accept-Encoding", "gzip", "Range", "bytes=100-", "If-Range", tag}, 206, gz[100:], "gzip"},
		{"if-range of another coding", []string{"Range", "bytes=100-", "If-Range", tag}, 200, page, ""},
		{"two ranges of gzip", []string{"Accept-Encoding", "gzip", "Range", "bytes=0-9,20-29"}, 200, gz, "gzip"},
		{"two ranges of identity", []string{"Range", "bytes=0-9,20-29"}, 206, nil, ""},
		{"past the end", []string{"Accept-Encoding", "gzip", "Range", "bytes=99999999-"}, 416, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := get(h, "GET", "/page/", tt.header...)
			b, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status || res.Header.Get("Content-Encoding") != tt.coding {
				t.Fatalf("status %d, Content-Encoding %q; want %d, %q", res.StatusCode, res.Header.Get("Content-Encoding"), tt.status, tt.coding)
			}
			if tt.want != nil && !bytes.Equal(b, tt.want) {
				t.Errorf("%d bytes, not the %d wanted", len(b), len(tt.want))
			}
		})
	}
}

// TestCompressLarge: a text file past maxPrepared is sent compressed from
// copies in temporary files, which leave nothing in the temporary folder,
// with ranges and validators as a smaller file has; one larger than the
// cache's budget is sent as it is.
func TestCompressLarge(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	out := site(t)
	events := eventsJSON(maxPrepared + 1<<20)
	huge := eventsJSON(13 << 20)
	os.MkdirAll(filepath.Join(out, "data"), 0o755)
	os.WriteFile(filepath.Join(out, "data", "events.json"), events, 0o644)
	os.WriteFile(filepath.Join(out, "data", "huge.json"), huge, 0o644)
	// The files' budget is three quarters of CacheBytes: 12 MiB.
	h := newServer(t, Config{Out: out, CacheBytes: 16 << 20})

	tags := map[string]string{}
	for _, tt := range []struct {
		path, accept, coding string
		want                 []byte
	}{
		{"/data/events.json", "gzip", "gzip", events},
		{"/data/events.json", "gzip, zstd", "zstd", events},
		{"/data/events.json", "", "", events},
		{"/data/huge.json", "gzip, zstd", "", huge},
	} {
		res := get(h, "GET", tt.path, "Accept-Encoding", tt.accept)
		if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != tt.coding {
			t.Fatalf("%s, %q: status %d, Content-Encoding %q; want 200, %q", tt.path, tt.accept, res.StatusCode, res.Header.Get("Content-Encoding"), tt.coding)
		}
		n, _ := strconv.Atoi(res.Header.Get("Content-Length"))
		if b := decoded(t, res); !bytes.Equal(b, tt.want) {
			t.Errorf("%s, %q: %d bytes decoded, want the file's %d", tt.path, tt.accept, len(b), len(tt.want))
		}
		if tt.coding != "" && n > len(tt.want)/4 {
			t.Errorf("%s, %q: %d bytes sent of %d", tt.path, tt.accept, n, len(tt.want))
		}
		tags[tt.coding] = res.Header.Get("ETag")
	}
	if len(tags) != 3 {
		t.Errorf("ETags %v: want one per coding", tags)
	}

	full := get(h, "GET", "/data/events.json", "Accept-Encoding", "gzip")
	gz, _ := io.ReadAll(full.Body)
	for _, tt := range []struct {
		name   string
		header []string
		status int
		want   []byte
	}{
		{"range", []string{"Accept-Encoding", "gzip", "Range", "bytes=100-199"}, 206, gz[100:200]},
		{"held", []string{"Accept-Encoding", "gzip", "If-None-Match", tags["gzip"]}, 304, nil},
		{"held in another coding", []string{"Accept-Encoding", "gzip", "If-None-Match", tags["zstd"]}, 200, gz},
	} {
		res := get(h, "GET", "/data/events.json", tt.header...)
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != tt.status || tt.want != nil && !bytes.Equal(b, tt.want) {
			t.Errorf("%s: status %d, %d bytes; want %d, %d bytes", tt.name, res.StatusCode, len(b), tt.status, len(tt.want))
		}
	}
	head := get(h, "HEAD", "/data/events.json", "Accept-Encoding", "gzip")
	if head.Header.Get("Content-Length") != full.Header.Get("Content-Length") || head.Header.Get("ETag") != tags["gzip"] {
		t.Errorf("HEAD: Content-Length %s, ETag %s; GET %s, %s", head.Header.Get("Content-Length"), head.Header.Get("ETag"), full.Header.Get("Content-Length"), tags["gzip"])
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("%d files left in the temporary folder, %s first", len(left), left[0].Name())
	}
}

// eventsJSON is about n bytes of a JSON list of events, text that
// compresses as a site's data does.
func eventsJSON(n int) []byte {
	var b bytes.Buffer
	b.WriteString("[\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `{"url":"/%d/note-%d/","title":"Делегация %d посетила выставку","date":"%d-%02d-%02d","regions":["region-%d","province-%d"]},`+"\n",
			2010+i%16, i*7919%100003, i%97, 2010+i%16, 1+i%12, 1+i%28, i%83, i%31)
	}
	b.WriteString("{}]\n")
	return b.Bytes()
}

// TestNotFoundCompressed: the 404 page keeps its status, compressed or
// not, and gets no validator.
func TestNotFoundCompressed(t *testing.T) {
	out, _ := pageSite(t)
	h := newServer(t, Config{Out: out})
	for accept, coding := range map[string]string{"": "", "gzip": "gzip", "gzip, zstd": "gzip", "zstd": ""} {
		for _, method := range []string{"GET", "HEAD"} {
			res := get(h, method, "/missing", "Accept-Encoding", accept)
			var b []byte
			if method == "GET" {
				b = decoded(t, res)
			}
			if res.StatusCode != 404 || res.Header.Get("Content-Encoding") != coding || res.Header.Get("ETag") != "" {
				t.Errorf("%s %q: %d, Content-Encoding %q, ETag %q", method, accept, res.StatusCode, res.Header.Get("Content-Encoding"), res.Header.Get("ETag"))
			}
			if method == "GET" && !strings.Contains(string(b), "not here") {
				t.Errorf("%q: not the 404 page", accept)
			}
		}
	}
}

// TestInjectCompressed: watch mode's script is in the compressed page too,
// and the ETag is not the one of the page without it.
func TestInjectCompressed(t *testing.T) {
	out, _ := pageSite(t)
	script := `<script src="/_digest/live.js"></script>`
	plain := get(newServer(t, Config{Out: out}), "GET", "/page/", "Accept-Encoding", "gzip")
	h := newServer(t, Config{Out: out, Inject: script})
	for _, accept := range []string{"", "gzip", "zstd"} {
		res := get(h, "GET", "/page/", "Accept-Encoding", accept)
		if b := decoded(t, res); !bytes.Contains(b, []byte(script+"</body>")) {
			t.Errorf("%q: no script", accept)
		}
		if res.Header.Get("ETag") == plain.Header.Get("ETag") {
			t.Errorf("%q: the ETag of the page without the script", accept)
		}
	}
}

// TestSearchCompressed: the search's answers are compressed when they are
// text and not tiny, get no ETag from the server, and an ETag of their
// own is marked with the coding.
func TestSearchCompressed(t *testing.T) {
	out, page := pageSite(t)
	big := bytes.Repeat([]byte("<p>Выставка в Харбине</p>\n"), maxAnswer/20)
	search := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		switch r.URL.Query().Get("q") {
		case "tiny":
			h.Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, `{"total":0}`)
		case "bad":
			h.Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":%q}`, strings.Repeat("from: not a date; ", 100))
		case "tagged":
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("ETag", `"v1"`)
			w.Write(page)
		case "pieces":
			h.Set("Content-Type", "text/html; charset=utf-8")
			for i := 0; i < len(page); i += 1000 {
				w.Write(page[i:min(i+1000, len(page))])
			}
		case "flushed":
			h.Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page[:5000])
			http.NewResponseController(w).Flush()
			w.Write(page[5000:])
		case "big":
			h.Set("Content-Type", "text/html; charset=utf-8")
			w.Write(big)
		case "image":
			h.Set("Content-Type", "image/png")
			w.Write(page)
		default:
			h.Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page)
		}
	})
	h := newServer(t, Config{Out: out, Search: search})
	tests := []struct {
		path, accept, coding string
		status               int
		vary                 bool
		etag                 string
	}{
		{"/search?q=x", "gzip", "gzip", 200, true, ""},
		{"/search?q=x", "gzip, zstd", "zstd", 200, true, ""},
		{"/search?q=x", "gzip;q=1, zstd;q=0.5", "gzip", 200, true, ""},
		{"/search?q=x", "", "", 200, true, ""},
		{"/search?q=x", "br", "", 200, true, ""},
		{"/search?q=pieces", "gzip", "gzip", 200, true, ""},
		{"/search?q=tagged", "gzip", "gzip", 200, true, `"v1-gzip"`},
		{"/search?q=tagged", "zstd", "zstd", 200, true, `"v1-zstd"`},
		{"/search?q=tagged", "", "", 200, true, `"v1"`},
		{"/api/search?q=tiny", "gzip", "", 200, false, ""},
		{"/api/search?q=bad", "gzip", "gzip", 400, true, ""},
		{"/search?q=image", "gzip", "", 200, false, ""},
		// Streamed or too big to hold: sent as it is.
		{"/search?q=flushed", "gzip", "", 200, false, ""},
		{"/search?q=big", "gzip", "", 200, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.accept, func(t *testing.T) {
			for range 2 { // the second from the copies kept
				res := get(h, "GET", tt.path, "Accept-Encoding", tt.accept)
				b := decoded(t, res)
				if res.StatusCode != tt.status || res.Header.Get("Content-Encoding") != tt.coding || res.Header.Get("ETag") != tt.etag {
					t.Fatalf("%d, Content-Encoding %q, ETag %q", res.StatusCode, res.Header.Get("Content-Encoding"), res.Header.Get("ETag"))
				}
				if vary := strings.Contains(res.Header.Get("Vary"), "Accept-Encoding"); vary != tt.vary {
					t.Errorf("Vary %q", res.Header.Get("Vary"))
				}
				raw := res.Header.Get("Content-Length")
				if streamed := strings.Contains(tt.path, "=flushed") || strings.Contains(tt.path, "=big"); raw == "" && !streamed {
					t.Error("no Content-Length")
				}
				want := page
				switch {
				case strings.Contains(tt.path, "=big"):
					want = big
				case strings.Contains(tt.path, "api"):
					want = nil
				}
				if want != nil && !bytes.Equal(b, want) {
					t.Errorf("the answer decoded differs: %d bytes, want %d", len(b), len(want))
				}
			}
			// HEAD says what GET would (RFC 9110, 9.3.2).
			res := get(h, "GET", tt.path, "Accept-Encoding", tt.accept)
			res.Body.Close()
			head := get(h, "HEAD", tt.path, "Accept-Encoding", tt.accept)
			for _, k := range []string{"Content-Encoding", "Content-Length", "ETag", "Vary"} {
				if head.Header.Get(k) != res.Header.Get(k) {
					t.Errorf("HEAD: %s %q, GET %q", k, head.Header.Get(k), res.Header.Get(k))
				}
			}
			if head.StatusCode != tt.status {
				t.Errorf("HEAD: %d", head.StatusCode)
			}
		})
	}
}

// TestAnswerCopies: an answer's copy is made once and served again for
// the same bytes, never for other bytes.
func TestAnswerCopies(t *testing.T) {
	_, page := pageSite(t)
	other := bytes.Clone(page)
	other[len(other)/2] ^= 1 // same length, other bytes
	var served []byte
	a := compressAnswers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(served)
	}), 1<<20)
	for _, tt := range []struct {
		body  []byte
		count int // copies kept after it
	}{{page, 1}, {page, 1}, {other, 2}, {page, 2}} {
		served = tt.body
		res := get(a, "GET", "/search", "Accept-Encoding", "zstd")
		if b := decoded(t, res); !bytes.Equal(b, tt.body) {
			t.Fatal("a copy of other bytes was sent")
		}
		if n := a.cache.EstimatedSize(); n != tt.count {
			t.Errorf("%d copies kept, want %d", n, tt.count)
		}
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		accept  []string
		gz, zst bool
		want    coding
	}{
		{nil, true, true, identity},
		{[]string{"gzip"}, true, true, codingGzip},
		{[]string{"gzip", "zstd"}, true, true, codingZstd}, // two header lines
		{[]string{"gzip, zstd"}, true, false, codingGzip},
		{[]string{"zstd"}, true, false, identity},
		{[]string{" gzip ; q=0.3 , zstd ; q=0.2 "}, true, true, codingGzip},
		{[]string{"gzip;Q=0.3, zstd;q=0.9"}, true, true, codingZstd},
		{[]string{"gzip;q=2"}, true, true, codingGzip},
		{[]string{"gzip;q=-1"}, true, true, identity},
		{[]string{"gzip;q=0.001"}, true, true, codingGzip},
		{[]string{";;,,;q=,=;"}, true, true, identity},
		{[]string{strings.Repeat("gzip;q=0,", 10000) + "gzip"}, true, true, codingGzip},
	}
	for _, tt := range tests {
		if got := negotiate(tt.accept, tt.gz, tt.zst); got != tt.want {
			t.Errorf("negotiate(%.40q, %v, %v) = %d, want %d", tt.accept, tt.gz, tt.zst, got, tt.want)
		}
	}
}

// TestCacheBudget: the prepared files stay within the memory given.
func TestCacheBudget(t *testing.T) {
	out, page := pageSite(t)
	for i := range 100 {
		p := filepath.Join(out, "many", strconv.Itoa(i), "index.html")
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, append([]byte(strconv.Itoa(i)), page...), 0o644)
	}
	const budget = 64 << 10
	st := &static{out: out, log: slog.New(slog.DiscardHandler), files: newFileCache(budget, nil)}
	for i := range 100 {
		res := get(st, "GET", "/many/"+strconv.Itoa(i)+"/", "Accept-Encoding", "gzip")
		if b := decoded(t, res); res.StatusCode != 200 || !bytes.HasSuffix(b, page) {
			t.Fatalf("%d: status %d", i, res.StatusCode)
		}
	}
	st.files.CleanUp()
	if w := st.files.WeightedSize(); w > budget {
		t.Errorf("the cache holds %d bytes, over its budget of %d", w, budget)
	}
}
