package deploy

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coopdigest/digest/build"
	"github.com/coopdigest/digest/templates"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"gocloud.dev/blob"
)

// store is a bucket to deploy to in a test: its URL, and on S3 the server,
// which logs the requests.
type store struct {
	name string
	url  string
	s3   *s3Server // nil for file://
}

// stores are the two kinds of bucket every test runs against: a folder
// through fileblob, and gofakes3's in-memory S3 through s3blob.
func stores(t testing.TB) []store {
	s3 := newS3(t)
	return []store{
		{name: "file", url: fileURL(t.TempDir())},
		{name: "s3", url: s3.bucketURL(t, "site"), s3: s3},
	}
}

// fileURL is the file:// URL of a folder.
func fileURL(dir string) string { return "file://" + filepath.ToSlash(dir) }

// s3Server is gofakes3 with an in-memory backend, in-process. It logs the
// requests that write or delete objects, when they start and when they
// end, with the headers of each write, and the keys read; a hook, when
// set, runs before each request is served.
type s3Server struct {
	backend *s3mem.Backend
	clock   *clock
	srv     *httptest.Server

	mu      sync.Mutex
	events  []string               // "start PUT key", "end PUT key", "end DELETE key"
	headers map[string]http.Header // of the last PUT of each key
	gets    []string               // keys read, whole or in part
	hook    func(method, key string)
}

// clock is the S3 server's time, which a test can move forward: S3 lists
// times in whole seconds.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset).In(time.FixedZone("GMT", 0))
}

func (c *clock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

func newS3(t testing.TB) *s3Server {
	s := &s3Server{clock: &clock{}, headers: map[string]http.Header{}}
	s.backend = s3mem.New(s3mem.WithTimeSource(s.clock))
	h := gofakes3.New(s.backend).Server()
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Path style: /bucket/key.
		_, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		q := r.URL.Query()
		write := key != "" && (r.Method == http.MethodPut && !q.Has("partNumber") || r.Method == http.MethodPost && q.Has("uploadId"))
		s.mu.Lock()
		hook := s.hook
		if write {
			s.events = append(s.events, "start PUT "+key)
			if r.Method == http.MethodPut {
				s.headers[key] = r.Header.Clone()
			}
		}
		if r.Method == http.MethodGet && key != "" {
			s.gets = append(s.gets, key)
		}
		s.mu.Unlock()
		if hook != nil {
			hook(r.Method, key)
		}
		h.ServeHTTP(w, r)
		s.mu.Lock()
		defer s.mu.Unlock()
		switch {
		case write:
			s.events = append(s.events, "end PUT "+key)
		case r.Method == http.MethodDelete && key != "" && !q.Has("uploadId"):
			s.events = append(s.events, "end DELETE "+key)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// bucketURL makes a bucket and returns its gocloud URL.
func (s *s3Server) bucketURL(t testing.TB, name string) string {
	if err := s.backend.CreateBucket(name); err != nil {
		t.Fatal(err)
	}
	return s.url(name)
}

// url is the gocloud URL of a bucket, made or not.
func (s *s3Server) url(name string) string {
	q := url.Values{
		"endpoint":                     {s.srv.URL},
		"use_path_style":               {"true"},
		"region":                       {"us-east-1"},
		"anonymous":                    {"true"},
		"request_checksum_calculation": {"when_required"},
		"response_checksum_validation": {"when_required"},
	}
	return "s3://" + name + "?" + q.Encode()
}

// takeEvents returns the writes logged since the last call and forgets
// them.
func (s *s3Server) takeEvents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.events
	s.events = nil
	return e
}

// takeGets returns the reads logged since the last call and forgets them.
func (s *s3Server) takeGets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.gets
	s.gets = nil
	return g
}

// header is a header of the last PUT of key.
func (s *s3Server) header(key, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.headers[key].Get(name)
}

func (s *s3Server) setHook(h func(method, key string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = h
}

// openBucket opens a test bucket for looking at what a deploy left.
func openBucket(t testing.TB, u string) *blob.Bucket {
	t.Helper()
	b, err := blob.OpenBucket(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// keys lists a bucket: key → MD5 as listed, in hex.
func keys(t testing.TB, b *blob.Bucket) map[string]string {
	t.Helper()
	objs, err := listBucket(context.Background(), b, "")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for k, o := range objs {
		m[k] = fmt.Sprintf("%x/%d", o.md5, o.size)
	}
	return m
}

// readObject reads an object, gunzipping it when it is stored gzipped.
func readObject(t testing.TB, b *blob.Bucket, key string) []byte {
	t.Helper()
	ctx := context.Background()
	a, err := b.Attributes(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	data, err := b.ReadAll(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if a.ContentEncoding == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
	}
	return data
}

// writeFiles writes files (slash path → content) under dir.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// page is an HTML page long enough for gzip to save bytes.
func page(title string) string {
	return "<!doctype html><title>" + title + "</title><main>" +
		strings.Repeat("<p>Делегация провела серию встреч перед форумом.</p>\n", 40) + "</main>\n"
}

// marker is the marker that digest build writes into OUT.
const marker = "digest output format 1\nThis folder was written by `digest build`; the next build replaces it whole.\n"

// fingerprintedCSS is a stylesheet of siteFiles, and fingerprintedKey its
// name, which carries its fingerprint as a build names it.
var (
	fingerprintedCSS = strings.Repeat("body { margin: 0 auto; max-width: 40em; }\n", 30)
	fingerprintedKey = templates.Fingerprinted("style.css", []byte(fingerprintedCSS))
)

// siteFiles is a small built site: pages, feeds, assets with and without a
// fingerprint, an image, the marker and other dot-files that are no part of
// it, and an index.
func siteFiles() map[string]string {
	png := "\x89PNG\r\n\x1a\n" + strings.Repeat("\x00\x17\xff\x80", 200)
	return map[string]string{
		"index.html":                        page("home"),
		"404.html":                          page("not found"),
		"2024/a/index.html":                 page("a"),
		"2024/b/index.html":                 page("b"),
		"regions/guangdong/index.html":      page("guangdong"),
		"feed.xml":                          `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">` + strings.Repeat("<entry><title>x</title></entry>", 50) + "</feed>",
		"sitemap.xml":                       `<?xml version="1.0"?><urlset>` + strings.Repeat("<url><loc>https://example.org/</loc></url>", 50) + "</urlset>",
		"robots.txt":                        "User-agent: *\n",
		fingerprintedKey:                    fingerprintedCSS,
		"style.css":                         strings.Repeat("main { padding: 1em; }\n", 30),
		"app.js":                            strings.Repeat("console.log('search');\n", 30),
		"logo.png":                          png,
		build.MarkerName:                    marker,
		".well-known/security.txt":          "Contact: mailto:x@example.org\n",
		".search/index.json":                `{"version":5,"docs":5,"shards":["00"]}`,
		".search/00.pos":                    strings.Repeat("positions", 100),
		".search/00/index_meta.json":        `{"storage":"scorch","index_type":"scorch"}`,
		".search/00/store/000000000002.zap": strings.Repeat("zap segment bytes ", 200),
	}
}

// siteKeys is how many files of siteFiles are published as the site, and
// how many as the index.
const (
	siteKeys  = 12
	indexKeys = 4
)

// newSite writes siteFiles into a new folder and returns it.
func newSite(t testing.TB) string {
	out := t.TempDir()
	writeFiles(t, out, siteFiles())
	return out
}

// newIndexVersion changes the site's index, so that it is a new version.
func newIndexVersion(t testing.TB, out string, n int) {
	writeFiles(t, out, map[string]string{".search/00/store/000000000002.zap": strings.Repeat(fmt.Sprintf("zap segment %d ", n), 200)})
}

// recorder is a slog handler that keeps the key of every write and
// deletion a deploy logs, in order, and can run a function on each.
type recorder struct {
	mu     sync.Mutex
	events []string // "write key", "delete key"; "would write key", "would delete key" on a dry run
	on     func(event string)
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	switch rec.Message {
	case "write", "delete", "would write", "would delete":
	default:
		return nil
	}
	var key string
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == "key" {
			key = a.Value.String()
			return false
		}
		return true
	})
	r.mu.Lock()
	r.events = append(r.events, rec.Message+" "+key)
	on := r.on
	r.mu.Unlock()
	if on != nil {
		on(rec.Message + " " + key)
	}
	return nil
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.events
	r.events = nil
	return e
}

// deploy runs Deploy and fails the test on an error.
func deploy(t testing.TB, cfg Config) *Summary {
	t.Helper()
	sum, err := Deploy(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// currentVersion is the version the pointer names.
func currentVersion(t testing.TB, b *blob.Bucket) string {
	t.Helper()
	p, err := readPointer(context.Background(), b, DefaultIndexPrefix)
	if err != nil {
		t.Fatal(err)
	}
	return p.Version
}

// slogNew is a logger that writes to h.
func slogNew(h slog.Handler) *slog.Logger { return slog.New(h) }
