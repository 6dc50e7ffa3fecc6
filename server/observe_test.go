package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// TestAccessLog: a line for every request, with its route, never its
// whole path, and the client's address.
func TestAccessLog(t *testing.T) {
	longQuery := "q=" + url.QueryEscape(strings.Repeat("выставка ", 200))
	tests := []struct {
		method, path string
		header       []string
		remote       string
		level        string
		route        string
		status       int
		logPath      string
		client       string
	}{
		{method: "GET", path: "/", level: "INFO", route: "page", status: 200, logPath: "/"},
		{method: "GET", path: "/2025/note/", level: "INFO", route: "page", status: 200, logPath: "/2025/note/"},
		{method: "GET", path: "/2025/note", level: "INFO", route: "page", status: 301, logPath: "/2025/note"},
		{method: "GET", path: "/missing", level: "INFO", route: "page", status: 404, logPath: "/missing"},
		{method: "GET", path: "/style.css", level: "INFO", route: "asset", status: 200, logPath: "/style.css"},
		{method: "GET", path: "/feed.xml", level: "INFO", route: "feed", status: 200, logPath: "/feed.xml"},
		{method: "HEAD", path: "/healthz", level: "INFO", route: "health", status: 200, logPath: "/healthz"},
		{method: "GET", path: "/readyz", level: "INFO", route: "ready", status: 200, logPath: "/readyz"},
		{method: "GET", path: "/metrics", level: "INFO", route: "metrics", status: 200, logPath: "/metrics"},
		{method: "GET", path: "/search?q=x", level: "INFO", route: "search", status: 200, logPath: "/search?q=x"},
		{method: "GET", path: "/api/search?q=x", level: "INFO", route: "api", status: 200, logPath: "/api/search?q=x"},
		{method: "GET", path: "/search.atom?q=x", level: "INFO", route: "feed", status: 200, logPath: "/search.atom?q=x"},
		{method: "GET", path: "/_digest/x", level: "INFO", route: "other", status: 200, logPath: "/_digest/x"},
		{method: "POST", path: "/", level: "INFO", route: "other", status: 405, logPath: "/"},
		{method: "GET", path: "/search?q=panic", level: "ERROR", route: "search", status: 500, logPath: "/search?q=panic"},
		{method: "GET", path: "/search?" + longQuery, level: "INFO", route: "search", status: 200,
			logPath: "/search?" + cut(longQuery, maxLogQuery)},
		{method: "GET", path: "/" + strings.Repeat("a", 1000), level: "INFO", route: "page", status: 404,
			logPath: "/" + strings.Repeat("a", maxLogPath-1) + "…"},
		{method: "GET", path: "/", remote: "203.0.113.7:4242", header: []string{"X-Forwarded-For", "198.51.100.1"},
			level: "INFO", route: "page", status: 200, logPath: "/", client: "203.0.113.7"},
		{method: "GET", path: "/", remote: "10.0.0.2:4242", header: []string{"X-Forwarded-For", "6.6.6.6, 198.51.100.1"},
			level: "INFO", route: "page", status: 200, logPath: "/", client: "198.51.100.1"},
	}
	search := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("q") == "panic" {
			panic("boom")
		}
		answering.ServeHTTP(w, r)
	})
	var buf bytes.Buffer
	s := newServer(t, Config{
		Search: search, SearchFeed: search, Metrics: prometheus.NewRegistry(),
		Routes:         map[string]http.Handler{"GET /_digest/": answering},
		AccessLog:      slog.New(slog.NewJSONHandler(&buf, nil)),
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
	})
	for _, tt := range tests {
		t.Run(tt.method+" "+cut(tt.path, 40), func(t *testing.T) {
			buf.Reset()
			w := httptest.NewRecorder()
			r := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.remote != "" {
				r.RemoteAddr = tt.remote
			}
			for i := 0; i+1 < len(tt.header); i += 2 {
				r.Header.Set(tt.header[i], tt.header[i+1])
			}
			s.ServeHTTP(w, r)
			var line struct {
				Level, Msg, Method, Route, Path, Remote string
				Status                                  int
				Bytes                                   int
				Dur                                     int64
			}
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil || strings.Count(buf.String(), "\n") != 1 {
				t.Fatalf("%v: %q", err, buf.String())
			}
			client := tt.client
			if client == "" {
				client = "192.0.2.1" // httptest's
			}
			want := fmt.Sprint(tt.level, "request", tt.method, tt.route, tt.logPath, client, tt.status, w.Body.Len())
			got := fmt.Sprint(line.Level, line.Msg, line.Method, line.Route, line.Path, line.Remote, line.Status, line.Bytes)
			if got != want {
				t.Errorf("logged %s\nwant         %s", got, want)
			}
			if line.Dur <= 0 {
				t.Errorf("duration %d", line.Dur)
			}
		})
	}
}

// TestAccessLogText: the caller picks the format.
func TestAccessLogText(t *testing.T) {
	var buf bytes.Buffer
	s := newServer(t, Config{AccessLog: slog.New(slog.NewTextHandler(&buf, nil))})
	do(s, "GET", "/style.css")
	for _, want := range []string{"level=INFO msg=request method=GET route=asset path=/style.css status=200 bytes=6 dur=", "remote=192.0.2.1\n"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("%q lacks %q", buf.String(), want)
		}
	}
	// A logger at level warn gets no line of a request that went well.
	buf.Reset()
	s = newServer(t, Config{AccessLog: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	do(s, "GET", "/style.css")
	if buf.Len() != 0 {
		t.Errorf("logged %q", buf.String())
	}
}

// TestClientAddr: X-Forwarded-For is believed only as far as the proxies
// that wrote it are trusted.
func TestClientAddr(t *testing.T) {
	trusted, err := ParseProxies("10.0.0.0/8, 127.0.0.1 ::1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		remote  string
		fwd     []string
		trusted []netip.Prefix
		want    string
	}{
		{"no proxies trusted", "10.1.1.1:80", []string{"198.51.100.1"}, nil, "10.1.1.1"},
		{"not from a proxy", "203.0.113.7:80", []string{"198.51.100.1"}, trusted, "203.0.113.7"},
		{"from a proxy", "10.1.1.1:80", []string{"198.51.100.1"}, trusted, "198.51.100.1"},
		{"from a proxy, no header", "10.1.1.1:80", nil, trusted, "10.1.1.1"},
		{"a client's own entry is not believed", "10.1.1.1:80", []string{"1.2.3.4, 198.51.100.1"}, trusted, "198.51.100.1"},
		{"two proxies", "127.0.0.1:80", []string{"1.2.3.4, 198.51.100.1, 10.2.2.2"}, trusted, "198.51.100.1"},
		{"two header lines", "127.0.0.1:80", []string{"1.2.3.4, 198.51.100.1", "10.2.2.2"}, trusted, "198.51.100.1"},
		{"all trusted", "127.0.0.1:80", []string{"10.3.3.3, 10.2.2.2"}, trusted, "10.3.3.3"},
		{"garbage from the client", "10.1.1.1:80", []string{"<script>, 198.51.100.1"}, trusted, "198.51.100.1"},
		{"garbage from the last hop", "10.1.1.1:80", []string{"198.51.100.1, nonsense"}, trusted, "10.1.1.1"},
		{"with a port", "10.1.1.1:80", []string{"198.51.100.1:5555"}, trusted, "198.51.100.1"},
		{"IPv6", "[::1]:80", []string{"2001:db8::1"}, trusted, "2001:db8::1"},
		{"IPv6 with a port", "[::1]:80", []string{"[2001:db8::1]:443"}, trusted, "2001:db8::1"},
		{"IPv4 in IPv6 from a proxy", "[::ffff:10.1.1.1]:80", []string{"198.51.100.1"}, trusted, "198.51.100.1"},
		{"spaces", "10.1.1.1:80", []string{"  198.51.100.1  ,10.2.2.2 "}, trusted, "198.51.100.1"},
		{"no port", "10.1.1.1", []string{"198.51.100.1"}, trusted, "198.51.100.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, f := range tt.fwd {
				r.Header.Add("X-Forwarded-For", f)
			}
			if got := clientAddr(r, tt.trusted); got != tt.want {
				t.Errorf("%q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseProxies(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  string
	}{
		{"", "[]", ""},
		{"127.0.0.1", "[127.0.0.1/32]", ""},
		{"10.1.2.3/8, ::1,\t2001:db8::/32", "[10.0.0.0/8 ::1/128 2001:db8::/32]", ""},
		{"::ffff:10.0.0.1", "[10.0.0.1/32]", ""},
		{"10.0.0.0/8,localhost", "", `"localhost" is neither`},
		{"10.0.0.0/33", "", `"10.0.0.0/33" is neither`},
	}
	for _, tt := range tests {
		got, err := ParseProxies(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || fmt.Sprint(got) != tt.want {
			t.Errorf("%q: %v %v, want %s", tt.in, got, err, tt.want)
		}
	}
}

// TestStaticRoute: a file's route comes from its path, so that there are
// only a few whatever is asked.
func TestStaticRoute(t *testing.T) {
	tests := map[string]route{
		"/": routePage, "/2025/note/": routePage, "/2025/note": routePage, "/index.html": routePage,
		"/A.HTM": routePage, "/feed.xml": routeFeed, "/regions/harbin/feed.xml": routeFeed, "/x.atom": routeFeed,
		"/sitemap.xml": routeAsset, "/style.3f2a9c1b.css": routeAsset, "/logo.png": routeAsset, "/robots.txt": routeAsset,
	}
	for p, want := range tests {
		if got := staticRoute(p); got != want {
			t.Errorf("%s: %s, want %s", p, got, want)
		}
	}
}

// sample is the value of the series of family name with the labels given
// (name, value, …) in reg: a counter's or gauge's value, a histogram's
// count; -1 when there is none.
func sample(t *testing.T, reg prometheus.Gatherer, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, lp := range m.GetLabel() {
					if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue series
				}
			}
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				return m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				return m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return -1
}

// TestMetrics: what /metrics reports after a few requests.
func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	out, page := pageSite(t)
	s := newServer(t, Config{Out: out, Search: answering, Metrics: reg, MaxSearches: 3, MaxWaiting: 7})
	var pageBytes int
	for range 3 {
		pageBytes += len(body(t, get(s, "GET", "/page/")))
	}
	get(s, "GET", "/page/", "Accept-Encoding", "gzip").Body.Close()
	get(s, "GET", "/missing").Body.Close()
	get(s, "POST", "/page/").Body.Close()
	// An answer big enough to compress, twice: a copy made, then used.
	bigAnswer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	s2reg := prometheus.NewRegistry()
	s2 := newServer(t, Config{SearchOnly: true, Search: bigAnswer, Metrics: s2reg})
	for range 2 {
		get(s2, "GET", "/search?q=x", "Accept-Encoding", "gzip").Body.Close()
	}
	// Many paths make no more series.
	for range 200 {
		get(s, "GET", fmt.Sprintf("/%x/", rand.Uint64())).Body.Close()
		get(s, "GET", fmt.Sprintf("/%x.png", rand.Uint64())).Body.Close()
	}

	tests := []struct {
		reg    prometheus.Gatherer
		name   string
		labels []string
		want   float64
	}{
		{reg, "digest_http_requests_total", []string{"route", "page", "code", "200"}, 4},
		{reg, "digest_http_requests_total", []string{"route", "page", "code", "404"}, 201},
		{reg, "digest_http_requests_total", []string{"route", "asset", "code", "404"}, 200},
		{reg, "digest_http_requests_total", []string{"route", "other", "code", "405"}, 1},
		{reg, "digest_http_request_duration_seconds", []string{"route", "page"}, 205},
		{reg, "digest_http_request_duration_seconds", []string{"route", "search"}, 0},
		{reg, "digest_http_requests_in_flight", nil, 0},
		// Read once each: the page and 404.html; served again from the
		// copies: the page 3 times, 404.html 400 times.
		{reg, "digest_compression_cache_misses_total", []string{"cache", "files"}, 2},
		{reg, "digest_compression_cache_hits_total", []string{"cache", "files"}, 3 + 400},
		{reg, "digest_queue_max_running", nil, 3},
		{reg, "digest_queue_max_waiting", nil, 7},
		{reg, "digest_queue_running", nil, 0},
		{reg, "digest_queue_waiting", nil, 0},
		{reg, "digest_queue_rejected_total", nil, 0},
		{reg, "digest_build_info", nil, 1},
		{s2reg, "digest_compression_cache_misses_total", []string{"cache", "answers"}, 1},
		{s2reg, "digest_compression_cache_hits_total", []string{"cache", "answers"}, 1},
		{s2reg, "digest_queue_wait_seconds", nil, 2},
		{s2reg, "digest_http_requests_total", []string{"route", "search", "code", "200"}, 2},
	}
	for _, tt := range tests {
		if got := sample(t, tt.reg, tt.name, tt.labels...); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
	if got, want := sample(t, reg, "digest_http_response_bytes_total", "route", "page"), float64(pageBytes); got < want {
		t.Errorf("page bytes %v, want at least %v", got, want)
	}

	// The scrape itself, as a scraper sees it.
	text := body(t, get(s, "GET", "/metrics"))
	for _, want := range []string{
		"\ndigest_http_requests_in_flight 1\n", // the scrape
		`digest_http_request_duration_seconds_bucket{route="page",le="0.0001"}`,
		`digest_http_request_duration_seconds_bucket{route="page",le="2"}`,
		"\ngo_goroutines ", "\ngo_build_info{", "\nprocess_cpu_seconds_total ", `digest_build_info{goversion="go`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	routes := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		if _, rest, ok := strings.Cut(line, `route="`); ok {
			name, _, _ := strings.Cut(rest, `"`)
			routes[name] = true
		}
	}
	for name := range routes {
		if !strings.Contains(" other page asset feed search api health ready metrics ", " "+name+" ") {
			t.Errorf("route %q", name)
		}
	}
	if n := strings.Count(text, "digest_http_requests_total{"); n > 8 {
		t.Errorf("%d series of requests after 400 paths", n)
	}
}

// TestMetricsRegistry: the server's collectors go into the caller's
// registry, beside the caller's own, and twice is an error, not a panic.
func TestMetricsRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	docs := prometheus.NewGauge(prometheus.GaugeOpts{Name: "digest_search_documents", Help: "Notes in the index."})
	docs.Set(1234)
	reg.MustRegister(docs)
	s := newServer(t, Config{Metrics: reg})
	if text := body(t, get(s, "GET", "/metrics")); !strings.Contains(text, "\ndigest_search_documents 1234\n") {
		t.Error("the caller's collector is not in /metrics")
	}
	_, err := New(Config{Out: site(t), Metrics: reg})
	if err == nil || !strings.Contains(err.Error(), "server: metrics:") {
		t.Errorf("a second server on the same registry: %v", err)
	}
	if res := do(newServer(t, Config{}), "GET", "/metrics"); res.StatusCode != 404 {
		t.Errorf("/metrics without a registry: %d", res.StatusCode)
	}
}

// TestObservingAllocates: counting and logging cost no allocation per
// request: a disabled access log none at all, metrics none once each
// series is made.
func TestObservingAllocates(t *testing.T) {
	out, _ := pageSite(t)
	r := httptest.NewRequest("GET", "/page/", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	w := &discard{h: http.Header{}}
	allocs := func(cfg Config) float64 {
		cfg.Out = out
		s := newServer(t, cfg)
		return testing.AllocsPerRun(100, func() {
			clear(w.h)
			s.ServeHTTP(w, r)
		})
	}
	base := allocs(Config{})
	quiet := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	for name, cfg := range map[string]Config{
		"metrics":              {Metrics: prometheus.NewRegistry()},
		"access log disabled":  {AccessLog: quiet},
		"both, log disabled":   {Metrics: prometheus.NewRegistry(), AccessLog: quiet},
		"trusted proxies, off": {AccessLog: quiet, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
	} {
		if got := allocs(cfg); got > base {
			t.Errorf("%s: %v allocations a request, %v without", name, got, base)
		}
	}
}
