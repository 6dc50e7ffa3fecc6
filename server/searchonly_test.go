package server

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// answering is a search handler that names the path it answers, in the
// format of the endpoint; another method than GET and HEAD gets 405, as
// the search page answers it.
var answering = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusMethodNotAllowed)
		io.WriteString(w, "<p>405 "+r.URL.Path+"</p>")
		return
	}
	switch r.URL.Path {
	case "/api/search":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, `{"path":"/api/search"}`)
	case "/search.atom":
		w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
		io.WriteString(w, "<feed>/search.atom</feed>")
	default:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<p>"+r.URL.Path+"</p>")
	}
})

// TestSearchOnly: a server of the search alone answers the search and the
// operations endpoints, and 404 to anything else, without reading a file.
func TestSearchOnly(t *testing.T) {
	h := newServer(t, Config{SearchOnly: true, Search: answering, SearchFeed: answering, Metrics: prometheus.NewRegistry()})
	tests := []struct {
		method, path string
		status       int
		ctype        string
		contains     string
	}{
		{"GET", "/search?q=x", 200, "text/html; charset=utf-8", "<p>/search</p>"},
		{"HEAD", "/search?q=x", 200, "text/html; charset=utf-8", ""},
		{"GET", "/api/search?q=x", 200, "application/json; charset=utf-8", `"/api/search"`},
		{"GET", "/search.atom?q=x", 200, "application/atom+xml; charset=utf-8", "/search.atom"},
		{"GET", "/healthz", 200, "text/plain; charset=utf-8", "ok"},
		{"GET", "/readyz", 200, "text/plain; charset=utf-8", "ready"},
		{"GET", "/metrics", 200, "text/plain; version=0.0.4; charset=utf-8; escaping=underscores", "digest_http_requests_total"},
		// Everything else is not here, in a line of text or, under /api/, JSON.
		{"GET", "/", 404, "text/plain; charset=utf-8", "only the search"},
		{"GET", "/index.html", 404, "text/plain; charset=utf-8", "only the search"},
		{"GET", "/2025/note/", 404, "text/plain; charset=utf-8", "only the search"},
		{"GET", "/style.css", 404, "text/plain; charset=utf-8", "only the search"},
		{"GET", "/api/other", 404, "application/json; charset=utf-8", `{"error":"not found`},
		{"GET", "/search/", 301, "text/html; charset=utf-8", `href="/search"`},                  // the results page
		{"GET", "/search/../etc/passwd", 307, "text/html; charset=utf-8", `href="/etc/passwd"`}, // to the cleaned path, then 404
		// Only GET and HEAD, as everywhere; the search page says so itself.
		{"POST", "/search", 405, "text/html; charset=utf-8", "<p>405 /search</p>"},
		{"OPTIONS", "/search", 405, "text/html; charset=utf-8", "<p>405 /search</p>"},
		{"POST", "/search.atom", 405, "text/plain; charset=utf-8", "405 method not allowed"},
		{"POST", "/search/", 405, "text/plain; charset=utf-8", "405 method not allowed"},
		// Under /api/ in JSON, as the API's other errors are.
		{"DELETE", "/api/search", 405, "application/json; charset=utf-8", `{"error":"method DELETE not allowed: use GET"}`},
		{"POST", "/api/search", 405, "application/json; charset=utf-8", `{"error":"method POST not allowed: use GET"}`},
		{"POST", "/api/other", 405, "application/json; charset=utf-8", `{"error":"method POST not allowed: use GET"}`},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			res := do(h, tt.method, tt.path)
			b := body(t, res)
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d", res.StatusCode, tt.status)
			}
			if ct := res.Header.Get("Content-Type"); ct != tt.ctype {
				t.Errorf("Content-Type %q, want %q", ct, tt.ctype)
			}
			if !strings.Contains(b, tt.contains) {
				t.Errorf("body %q lacks %q", b, tt.contains)
			}
			if tt.status == 404 && len(b) > 200 {
				t.Errorf("a 404 of %d bytes", len(b))
			}
			if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Content-Security-Policy") == "" {
				t.Error("no security headers")
			}
		})
	}
}

// TestSearchPageMethods: another method than GET and HEAD on /search gets
// the search page's own 405, from the Search handler, in either mode; with
// no search, and on any other path, the server's line of text.
func TestSearchPageMethods(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		path  string
		ctype string
		want  string
	}{
		{"search only", Config{SearchOnly: true, Search: answering}, "/search?q=x", "text/html; charset=utf-8", "<p>405 /search</p>"},
		{"with the site", Config{Search: answering}, "/search?q=x", "text/html; charset=utf-8", "<p>405 /search</p>"},
		{"with origins", Config{Search: answering, Origins: []string{"https://digest.example.org"}}, "/search", "text/html; charset=utf-8", "<p>405 /search</p>"},
		{"no search", Config{}, "/search?q=x", "text/plain; charset=utf-8", "405 method not allowed"},
		{"the feed", Config{Search: answering, SearchFeed: answering}, "/search.atom?q=x", "text/plain; charset=utf-8", "405 method not allowed"},
		{"a page", Config{Search: answering}, "/", "text/plain; charset=utf-8", "405 method not allowed"},
	}
	for _, tt := range tests {
		h := newServer(t, tt.cfg)
		for _, m := range []string{"POST", "PUT", "DELETE", "OPTIONS"} {
			res := do(h, m, tt.path)
			b := body(t, res)
			if res.StatusCode != 405 || res.Header.Get("Allow") != "GET, HEAD" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: %s %s: %d, Allow %q", tt.name, m, tt.path, res.StatusCode, res.Header.Get("Allow"))
			}
			if ct := res.Header.Get("Content-Type"); ct != tt.ctype || !strings.Contains(b, tt.want) {
				t.Errorf("%s: %s %s: %s %q, want %s with %q", tt.name, m, tt.path, ct, b, tt.ctype, tt.want)
			}
		}
	}
}

// TestSearchOnlyWithoutFeed: /search.atom is not found unless a handler
// serves it, in either mode.
func TestSearchOnlyWithoutFeed(t *testing.T) {
	for _, cfg := range []Config{{SearchOnly: true, Search: answering}, {Search: answering}} {
		res := do(newServer(t, cfg), "GET", "/search.atom?q=x")
		if res.StatusCode != 404 {
			t.Errorf("SearchOnly %v: status %d, want 404", cfg.SearchOnly, res.StatusCode)
		}
	}
}

// TestConfigErrors: a Config that cannot be served is refused with an
// error that names what is wrong.
func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"search only with files", Config{SearchOnly: true, Search: answering, Out: "public"}, `Out is "public"`},
		{"search only without search", Config{SearchOnly: true}, "without a Search handler"},
		{"origin with a path", Config{SearchOnly: true, Search: answering, Origins: []string{"https://digest.example.org/"}}, `"https://digest.example.org/" is not an origin`},
		{"origin with a wildcard", Config{SearchOnly: true, Search: answering, Origins: []string{"https://*.example.org"}}, "a wildcard stands alone"},
		{"origin without scheme", Config{SearchOnly: true, Search: answering, Origins: []string{"digest.example.org"}}, "scheme"},
		{"origin of another scheme", Config{SearchOnly: true, Search: answering, Origins: []string{"ftp://digest.example.org"}}, "scheme"},
		{"origin with a user", Config{SearchOnly: true, Search: answering, Origins: []string{"https://me@digest.example.org"}}, "user"},
		{"origin with a query", Config{SearchOnly: true, Search: answering, Origins: []string{"https://digest.example.org?"}}, "more than"},
		{"origin with an empty port", Config{SearchOnly: true, Search: answering, Origins: []string{"https://digest.example.org:"}}, "port"},
		{"origin empty", Config{SearchOnly: true, Search: answering, Origins: []string{""}}, "scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one with %q", err, tt.want)
			}
		})
	}
	for _, ok := range []string{"*", "https://digest.example.org", "http://localhost:8080", "https://[::1]:8443", "HTTPS://Digest.Example.org"} {
		if _, err := New(Config{SearchOnly: true, Search: answering, Origins: []string{ok}}); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}

// TestCORS: pages of the origins named may read the search's answers from
// a browser, pages of others may not, and nothing but the search is open
// to them.
// corsCase is a request of TestCORS and what its answer has.
type corsCase struct {
	name    string
	origins []string
	method  string
	path    string
	header  []string
	status  int
	allow   string // Access-Control-Allow-Origin
	methods string // Access-Control-Allow-Methods
	maxAge  string
	vary    bool // Vary names Origin
}

func TestCORS(t *testing.T) {
	const site, other = "https://digest.example.org", "https://evil.example"
	tests := []corsCase{
		{name: "GET from the site", origins: []string{site}, method: "GET", path: "/api/search?q=x",
			header: []string{"Origin", site}, status: 200, allow: site, vary: true},
		{name: "GET of the page from the site", origins: []string{site}, method: "GET", path: "/search?q=x",
			header: []string{"Origin", site}, status: 200, allow: site, vary: true},
		{name: "GET of the feed from the site", origins: []string{site}, method: "GET", path: "/search.atom?q=x",
			header: []string{"Origin", site}, status: 200, allow: site, vary: true},
		{name: "GET from the site, written with its default port", origins: []string{"HTTPS://Digest.Example.org:443"}, method: "GET", path: "/api/search?q=x",
			header: []string{"Origin", site}, status: 200, allow: site, vary: true},
		{name: "GET from the site on another port", origins: []string{site + ":8443"}, method: "GET", path: "/api/search?q=x",
			header: []string{"Origin", site}, status: 200, vary: true},
		{name: "GET from plain http to an https origin", origins: []string{site}, method: "GET", path: "/api/search?q=x",
			header: []string{"Origin", "http://digest.example.org"}, status: 200, vary: true},
		{name: "GET from the site, second of two", origins: []string{other + ".org", site}, method: "GET", path: "/api/search?q=x",
			header: []string{"Origin", site}, status: 200, allow: site, vary: true},
		{name: "GET from another origin", origins: []string{site}, method: "GET", path: "/api/search?q=x",
			header: []string{"Origin", other}, status: 200, vary: true},
		{name: "GET with two origins, the site's first", origins: []string{site}, method: "GET", path: "/api/search?q=x",
			header: []string{"Origin", site, "Origin", other}, status: 200, vary: true},
		{name: "GET from a longer origin", origins: []string{site}, method: "GET", path: "/api/search?q=x",
			header: []string{"Origin", site + ".evil.example"}, status: 200, vary: true},
		{name: "GET without an origin", origins: []string{site}, method: "GET", path: "/api/search?q=x",
			status: 200, vary: true},
		{name: "GET from any origin", origins: []string{"*"}, method: "GET", path: "/api/search?q=x",
			header: []string{"Origin", other}, status: 200, allow: "*", vary: true},
		{name: "no origins configured", method: "GET", path: "/api/search?q=x",
			header: []string{"Origin", site}, status: 200},
		{name: "preflight from the site", origins: []string{site}, method: "OPTIONS", path: "/api/search",
			header: []string{"Origin", site, "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "content-type"},
			status: 204, allow: site, methods: "GET", maxAge: "3600", vary: true},
		{name: "preflight of HEAD", origins: []string{site}, method: "OPTIONS", path: "/search",
			header: []string{"Origin", site, "Access-Control-Request-Method", "HEAD"},
			status: 204, allow: site, methods: "HEAD", maxAge: "3600", vary: true},
		{name: "preflight of the feed", origins: []string{site}, method: "OPTIONS", path: "/search.atom",
			header: []string{"Origin", site, "Access-Control-Request-Method", "GET"},
			status: 204, allow: site, methods: "GET", maxAge: "3600", vary: true},
		{name: "preflight from another origin", origins: []string{site}, method: "OPTIONS", path: "/api/search",
			header: []string{"Origin", other, "Access-Control-Request-Method", "GET"}, status: 204, vary: true},
		{name: "preflight of POST", origins: []string{site}, method: "OPTIONS", path: "/api/search",
			header: []string{"Origin", site, "Access-Control-Request-Method", "POST"}, status: 204, vary: true},
		{name: "preflight of a header not allowed", origins: []string{site}, method: "OPTIONS", path: "/api/search",
			header: []string{"Origin", site, "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization"}, status: 204, vary: true},
		{name: "OPTIONS that is no preflight", origins: []string{site}, method: "OPTIONS", path: "/api/search",
			header: []string{"Origin", site}, status: 405, allow: site, vary: true},
		{name: "preflight of another path", origins: []string{site}, method: "OPTIONS", path: "/healthz",
			header: []string{"Origin", site, "Access-Control-Request-Method", "GET"}, status: 405},
		{name: "preflight of a page", origins: []string{site}, method: "OPTIONS", path: "/",
			header: []string{"Origin", site, "Access-Control-Request-Method", "GET"}, status: 405},
		{name: "preflight without origins configured", method: "OPTIONS", path: "/api/search",
			header: []string{"Origin", site, "Access-Control-Request-Method", "GET"}, status: 405},
		{name: "POST from the site", origins: []string{site}, method: "POST", path: "/api/search",
			header: []string{"Origin", site}, status: 405},
		{name: "a page is not open to the site", origins: []string{site}, method: "GET", path: "/",
			header: []string{"Origin", site}, status: 200},
		{name: "health is not open to the site", origins: []string{site}, method: "GET", path: "/healthz",
			header: []string{"Origin", site}, status: 200},
	}
	// The same, the origins asked at each request, as digest serve asks
	// the index it serves.
	cases := []struct {
		mode string
		cfg  func(origins []string) Config
	}{
		{"Origins", func(o []string) Config { return Config{Search: answering, SearchFeed: answering, Origins: o} }},
		{"OriginsNow", func(o []string) Config {
			return Config{Search: answering, SearchFeed: answering, OriginsNow: func() []string { return o }}
		}},
	}
	for _, mode := range cases {
		for _, tt := range tests {
			t.Run(mode.mode+"/"+tt.name, func(t *testing.T) {
				testCORS(t, newServer(t, mode.cfg(tt.origins)), tt)
			})
		}
	}
}

// TestOriginsNowFollowed checks that the origins a server asks at each
// request are those of then: an origin added is let in, one taken away
// is not.
func TestOriginsNowFollowed(t *testing.T) {
	const site = "https://digest.example.org"
	var origins []string
	h := newServer(t, Config{Search: answering, SearchOnly: true, OriginsNow: func() []string { return origins }})
	for _, step := range []struct {
		origins []string
		allow   string
	}{{nil, ""}, {[]string{site}, site}, {[]string{"not an origin"}, ""}, {nil, ""}} {
		origins = step.origins
		res := get(h, "GET", "/api/search?q=x", "Origin", site)
		res.Body.Close()
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != step.allow {
			t.Errorf("origins %q: Access-Control-Allow-Origin %q, want %q", step.origins, got, step.allow)
		}
		if csp := res.Header.Get("Content-Security-Policy"); strings.Contains(csp, site) != (step.allow != "") {
			t.Errorf("origins %q: CSP %q", step.origins, csp)
		}
	}
}

// testCORS checks the answer of h to the request of tt.
func testCORS(t *testing.T, h http.Handler, tt corsCase) {
	t.Helper()
	res := get(h, tt.method, tt.path, tt.header...)
	res.Body.Close()
	if res.StatusCode != tt.status {
		t.Errorf("status %d, want %d", res.StatusCode, tt.status)
	}
	hd := res.Header
	if got := hd.Values("Access-Control-Allow-Origin"); len(got) > 1 {
		t.Errorf("Access-Control-Allow-Origin %q: more than one", got)
	}
	if got := hd.Get("Access-Control-Allow-Origin"); got != tt.allow {
		t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tt.allow)
	}
	if got := hd.Get("Access-Control-Allow-Methods"); got != tt.methods {
		t.Errorf("Access-Control-Allow-Methods %q, want %q", got, tt.methods)
	}
	if got := hd.Get("Access-Control-Max-Age"); got != tt.maxAge {
		t.Errorf("Access-Control-Max-Age %q, want %q", got, tt.maxAge)
	}
	if vary := strings.Contains(strings.Join(hd.Values("Vary"), ","), "Origin"); vary != tt.vary {
		t.Errorf("Vary %q", hd.Values("Vary"))
	}
	if hd.Get("Access-Control-Allow-Credentials") != "" {
		t.Error("credentials allowed")
	}
	if tt.allow != "" && tt.method == "GET" && !strings.Contains(hd.Get("Access-Control-Expose-Headers"), "Retry-After") {
		t.Errorf("Retry-After not exposed: %q", hd.Get("Access-Control-Expose-Headers"))
	}
}

// TestSearchOnlyCSP: the search page of a server of the search alone may
// use the styles, scripts and images of the site's origins, and no
// others.
func TestSearchOnlyCSP(t *testing.T) {
	tests := []struct {
		cfg  Config
		want []string
		not  []string
	}{
		{Config{Search: answering, Origins: []string{"https://digest.example.org"}}, []string{CSP}, nil},
		{Config{SearchOnly: true, Search: answering}, []string{CSP}, nil},
		{Config{SearchOnly: true, Search: answering, Origins: []string{"*"}}, []string{CSP}, nil},
		{Config{SearchOnly: true, Search: answering, Origins: []string{"https://Digest.example.org:443", "*"}},
			[]string{"style-src 'self' https://digest.example.org;", "script-src 'self' https://digest.example.org;", "img-src 'self' data: https://digest.example.org;", "frame-ancestors 'none'", "object-src 'none'"},
			[]string{"*", "unsafe"}},
	}
	for _, tt := range tests {
		csp := do(newServer(t, tt.cfg), "GET", "/search?q=x").Header.Get("Content-Security-Policy")
		for _, w := range tt.want {
			if !strings.Contains(csp, w) {
				t.Errorf("%+v: CSP %q lacks %q", tt.cfg.Origins, csp, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(csp, n) {
				t.Errorf("%+v: CSP %q has %q", tt.cfg.Origins, csp, n)
			}
		}
	}
}
