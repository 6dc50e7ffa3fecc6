package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzhttp"
	"github.com/prometheus/client_golang/prometheus"
)

// discard is a ResponseWriter that counts what it is given.
type discard struct {
	h     http.Header
	bytes int64
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Write(b []byte) (int, error) { d.bytes += int64(len(b)); return len(b), nil }

// BenchmarkServePage serves a typical page (testdata/page.html, about 20
// KB) as it is, compressed from the kept copies, revalidated, and, for
// comparison, compressed by gzhttp on every request, which is what keeping
// the copies saves.
func BenchmarkServePage(b *testing.B) {
	out, _ := pageSite(b)
	h, err := New(Config{Out: out})
	if err != nil {
		b.Fatal(err)
	}
	tag := get(h, "GET", "/page/", "Accept-Encoding", "gzip").Header.Get("ETag")
	// The page as it is, to gzhttp, which compresses it on every request.
	perRequest := gzhttp.GzipHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.Clone(r.Context())
		r.Header.Del("Accept-Encoding")
		h.ServeHTTP(w, r)
	}))
	tests := []struct {
		name   string
		h      http.Handler
		header []string
	}{
		{"identity", h, nil},
		{"gzip", h, []string{"Accept-Encoding", "gzip"}},
		{"zstd", h, []string{"Accept-Encoding", "gzip, deflate, br, zstd"}},
		{"revalidated", h, []string{"Accept-Encoding", "gzip", "If-None-Match", tag}},
		{"gzip-per-request", perRequest, []string{"Accept-Encoding", "gzip"}},
		{"zstd-per-request", perRequest, []string{"Accept-Encoding", "zstd"}},
	}
	for _, bc := range tests {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/page/", nil)
			for i := 0; i+1 < len(bc.header); i += 2 {
				r.Header.Set(bc.header[i], bc.header[i+1])
			}
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				bc.h.ServeHTTP(w, r)
			}
			b.ReportMetric(float64(w.bytes)/float64(b.N), "B/resp")
		})
	}
}

// BenchmarkSearchAnswer sends an answer of the search (testdata/answer.html,
// as the search sends it from its cache) as it is, compressed from the
// copies kept, and compressed by gzhttp on every request, which the copies
// replace.
func BenchmarkSearchAnswer(b *testing.B) {
	answer, err := os.ReadFile(filepath.Join("testdata", "answer.html"))
	if err != nil {
		b.Fatal(err)
	}
	search := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(answer)
	})
	kept := compressAnswers(search, DefaultCacheBytes/4)
	perRequest := gzhttp.GzipHandler(search)
	tests := []struct {
		name   string
		h      http.Handler
		accept string
	}{
		{"identity", kept, ""},
		{"gzip", kept, "gzip"},
		{"zstd", kept, "gzip, deflate, br, zstd"},
		{"gzip-per-request", perRequest, "gzip"},
		{"zstd-per-request", perRequest, "gzip, deflate, br, zstd"},
	}
	for _, bc := range tests {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/search?q=x", nil)
			if bc.accept != "" {
				r.Header.Set("Accept-Encoding", bc.accept)
			}
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				bc.h.ServeHTTP(w, r)
			}
			b.ReportMetric(float64(w.bytes)/float64(b.N), "B/resp")
		})
	}
}

// BenchmarkMiddleware serves a cached page (testdata/page.html, gzip, from
// the copies kept), and a tiny answer of a handler of the caller's, by the
// handler alone and through the Server, with its metrics and access log
// off and on: what observing a request costs, against a page and alone.
func BenchmarkMiddleware(b *testing.B) {
	out, _ := pageSite(b)
	quiet := &slog.HandlerOptions{Level: slog.LevelWarn}
	tiny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	tests := []struct {
		name    string
		metrics bool
		cfg     Config
	}{
		{"server", false, Config{}},
		{"metrics", true, Config{}},
		{"log-disabled", false, Config{AccessLog: slog.New(slog.NewJSONHandler(io.Discard, quiet))}},
		{"log-json", false, Config{AccessLog: slog.New(slog.NewJSONHandler(io.Discard, nil))}},
		{"log-text", false, Config{AccessLog: slog.New(slog.NewTextHandler(io.Discard, nil))}},
		{"metrics+log-json", true, Config{AccessLog: slog.New(slog.NewJSONHandler(io.Discard, nil))}},
	}
	run := func(b *testing.B, h http.Handler, target string) {
		r := httptest.NewRequest("GET", target, nil)
		r.Header.Set("Accept-Encoding", "gzip")
		w := &discard{h: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			clear(w.h)
			h.ServeHTTP(w, r)
		}
	}
	b.Run("page/alone", func(b *testing.B) {
		run(b, &static{out: out, log: slog.New(slog.DiscardHandler), files: newFileCache(DefaultCacheBytes, nil)}, "/page/")
	})
	b.Run("tiny/alone", func(b *testing.B) { run(b, tiny, "/tiny") })
	for _, target := range []string{"/page/", "/tiny"} {
		for _, bc := range tests {
			b.Run(strings.Trim(target, "/")+"/"+bc.name, func(b *testing.B) {
				cfg := bc.cfg
				cfg.Out = out
				cfg.Routes = map[string]http.Handler{"GET /tiny": tiny}
				if bc.metrics {
					cfg.Metrics = prometheus.NewRegistry()
				}
				h, err := New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				run(b, h, target)
			})
		}
	}
}
