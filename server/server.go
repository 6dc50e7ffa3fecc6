// Package server serves a built digest site: the static files of OUT, a
// search handler, and the endpoints a load balancer and a monitor ask,
// behind the same security headers; or, with Config.SearchOnly, the search
// alone, for a site whose pages live elsewhere.
//
// # Files
//
// Static files are read through an os.Root opened on OUT, so no request
// reaches outside it, not by "..", not by a symbolic link; nor is a
// symbolic link inside OUT followed, as the build writes none and one could
// lead to a hidden file. The system's want of file descriptors or memory
// gets 503 with Retry-After, not 404. Only regular
// files are served: a named pipe, socket or device in OUT is not found, and
// is never opened in a way that could block. A path with a segment that
// starts with "." (the search index, .git) is not found; a folder is served
// as its index.html and never listed, and a folder's path without its
// slash is redirected to the cleaned path with one, so that no redirect
// leads off the site; a missing file gets OUT/404.html with status 404.
// Only GET and HEAD are allowed; any other method gets 405 with an Allow
// header, OPTIONS too (and "OPTIONS *"), except a CORS preflight of the
// search; /search's 405 is the Search handler's own (the results page's,
// in Russian). A Range of more than a few parts is ignored. Every response has
// X-Content-Type-Options: nosniff and a Content-Security-Policy that allows
// only the site's own styles, scripts and images. A panic in any handler is
// logged and answered with 500, though none is expected.
//
// Text (pages, feeds, styles, the search's answers) is sent compressed by
// zstd or gzip when the client accepts it and it is not tiny, with Vary:
// Accept-Encoding. A file's compressed copies are made once per version of
// the file (its size and time of change), an answer's once per answer (its
// bytes), and kept within a budget, in memory, or in temporary files for a
// file over 4 MiB, so a page or an answer the search had cached costs no
// more to serve compressed than as it is. Every
// file has a strong ETag, a hash of its bytes, with "-gzip" or "-zstd"
// added for a compressed copy, and a Last-Modified; a Range is of the
// bytes of the coding sent. Fingerprinted assets, whose names carry the
// fingerprint of their content (style.3f2a9c1b0e.css; see
// templates.HasFingerprint), are cached by browsers for a year; anything else, pages and feeds first,
// is sent with Cache-Control: no-cache, to be revalidated on each use, so
// that a rebuilt site is seen at once. The 404 page keeps its status.
//
// # Search
//
// GET /search, /api/search and, when Config.SearchFeed is given,
// /search.atom go to the caller's handlers through a queue: at most
// Config.MaxSearches run at once (GOMAXPROCS by default) and at most
// Config.MaxWaiting more wait, in the order they came; one more is turned
// away at once with 503, Retry-After: 1 and a line in the endpoint's format
// (JSON for /api/search, HTML for /search, text for the feed), so that an
// overloaded replica sheds load instead of answering everyone late. A
// search whose client leaves while it waits is dropped. The queue is the
// one bound on searches; an answer is written to the client after the
// search's turn is given back.
//
// With Config.Origins, pages of those origins may read the search's
// answers from a browser: a request with an allowed Origin gets it back in
// Access-Control-Allow-Origin (any origin gets "*" when Origins holds
// "*"), with Vary: Origin, and a preflight (OPTIONS with
// Access-Control-Request-Method) of GET or HEAD gets 204 with
// Access-Control-Allow-Methods and an hour's Access-Control-Max-Age.
// Other origins get no CORS header, and no other route has any.
//
// With Config.SearchOnly nothing is read from disk: anything but the
// search and the endpoints below is 404, a line of text or, under /api/,
// JSON; the search page's Content-Security-Policy also allows styles,
// scripts and images from Origins, where the site's files are.
//
// # Operations
//
// GET /healthz is liveness: 200 "ok", with the caller's status line, while
// OUT and its index.html can be read (when there is an OUT) and
// Config.Health passes; otherwise 503 and the reason, in one line. It
// stays 200 while the server drains.
//
// GET /readyz is readiness, for a load balancer: 200 "ready" once
// Config.Ready passes (the index open and answering a probe query) and
// OUT can be read; 503 "not ready: " and the reason before that, and
// "not ready: draining" from the moment Drain is called. Requests that
// come while a check runs share it.
//
// Serve runs a server until its context ends (on SIGTERM), then drains:
// /readyz says 503 at once and every answer asks its client to close the
// connection, while requests are still answered for Config.Grace (as long
// as a load balancer takes to see the server is not ready); then no new
// connection is accepted and the requests in flight get
// Config.ShutdownTimeout to finish.
//
// # Metrics
//
// With Config.Metrics, GET /metrics serves that registry in the
// Prometheus text format. The server registers in it: Go's and the
// process's collectors, go_build_info, digest_build_info (the module's
// version and VCS revision as labels), and
//
//	digest_http_requests_total{route,code}           counter
//	digest_http_request_duration_seconds{route}      histogram, 0.1 ms to 2 s
//	digest_http_response_bytes_total{route}          counter, bytes as sent
//	digest_http_requests_in_flight                   gauge
//	digest_queue_running, digest_queue_waiting       gauges
//	digest_queue_max_running, digest_queue_max_waiting gauges
//	digest_queue_wait_seconds                        histogram
//	digest_queue_rejected_total, digest_queue_abandoned_total counters
//	digest_compression_cache_{hits,misses,evictions}_total{cache} counters
//	digest_compression_cache_bytes{cache}            gauge
//
// where route is one of page, asset, feed, search, api, health, ready,
// metrics and other, never a path, so that the series stay few whatever
// is asked, and cache is files or answers. A request whose client left
// before anything was written is counted with code 499. The caller
// registers its own collectors in the same registry, under names of its
// own (the search's: digest_search_* and digest_index_*), and must not
// register Go's, the process's or the build-info collectors again; a
// registry serves one Server.
//
// # Access log
//
// With Config.AccessLog, every request gets a line, through the caller's
// slog handler (text or JSON): method, route, path (path and query each
// cut to 256 bytes), status, bytes, dur and remote, the client's address:
// the peer's, or, when the peer is one of Config.TrustedProxies, the last
// address in X-Forwarded-For that is not. The line is at level info, error
// for a status of 500 or above other than 503. Errors of the server itself
// go to Config.Logger. Counting and logging allocate nothing per request
// when off.
//
// NewHTTPServer wraps the handler in an http.Server with the timeouts and
// limits a server on the open internet needs, and without net/http's own
// answer to "OPTIONS *".
package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Config is what a server serves.
type Config struct {
	// Out is the folder of the built site; empty with SearchOnly.
	Out string
	// Search serves GET /search and GET /api/search; nil for none. Its
	// answers are compressed as the client accepts when they are text and
	// not tiny, unless it flushes them as they are written; an ETag it
	// sets gets "-gzip" or "-zstd" added inside the quotes when the answer
	// is compressed.
	Search http.Handler
	// SearchFeed serves GET /search.atom, the search's answers as a feed;
	// nil for none. It is compressed, queued and open to Origins as Search
	// is.
	SearchFeed http.Handler
	// SearchOnly serves the search and the operations endpoints alone, for
	// a site whose pages are served from elsewhere: no file is read, Out
	// must be empty and Search given.
	SearchOnly bool
	// Origins are the origins, written as "https://digest.example.org",
	// whose pages may call the search from a browser (CORS); "*" for any;
	// none for pages of the server's own origin only. With SearchOnly they
	// may also serve the search page's styles, scripts and images.
	Origins []string
	// OriginsNow, when set, gives the origins at each request instead of
	// Origins, which are those of the start: a site's settings follow its
	// index as builds replace it. What it returns is checked and
	// normalised as Origins are; a list with an entry that is no origin
	// counts as none, and is logged.
	OriginsNow func() []string
	// MaxSearches is how many searches run at once: 0 for
	// runtime.GOMAXPROCS.
	MaxSearches int
	// MaxWaiting is how many more searches may wait for their turn before
	// one is turned away with 503: 0 for 4×MaxSearches, below 0 for none.
	MaxWaiting int
	// Health is the caller's part of GET /healthz, asked after OUT was
	// found readable: a one-line status on success, such as the index
	// generation served, or why the server cannot serve; nil for none. It
	// is polled, so it should be cheap. Both the status and the error's
	// message are shown to anyone who asks.
	Health func(context.Context) (status string, err error)
	// Ready is the caller's part of GET /readyz, asked after OUT was found
	// readable: nil when the server can take traffic (its index is open and
	// answers a probe query), or why not; nil for none. Requests that come
	// at the same time share one call, of at most ReadyTimeout. Its
	// message is shown to anyone who asks.
	Ready func(context.Context) error
	// Routes are more handlers by ServeMux pattern, such as watch mode's
	// "GET /_digest/events".
	Routes map[string]http.Handler
	// Inject is inserted before </body> of every static HTML page, such as a
	// live-reload script element; empty for none.
	Inject string
	// CacheBytes is about how much memory the compressed copies of files
	// and of the search's answers, and the files' ETags, may hold: a
	// quarter for the answers, the rest for the files; 0 for
	// DefaultCacheBytes.
	CacheBytes int64
	// Metrics gets the server's collectors and is served at GET /metrics
	// (see the package doc); nil for neither.
	Metrics *prometheus.Registry
	// AccessLog gets a line for every request, at level info (error for an
	// answer of status 500); nil for none.
	AccessLog *slog.Logger
	// TrustedProxies are the proxies whose X-Forwarded-For the access log
	// believes: the client's address is the last one in it that is not of
	// a trusted proxy, when the request came from one. Empty: the address
	// the request came from.
	TrustedProxies []netip.Prefix
	// Grace is how long Serve goes on answering after it starts to
	// report not ready, before it stops accepting connections: as long as
	// a load balancer takes to see it (its check interval times the
	// failed checks that take a server out); 0 for none.
	Grace time.Duration
	// ShutdownTimeout is how long Serve lets requests in flight finish
	// once it stops accepting: 0 for DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// MaxConns is how many connections Serve holds open at once: 0 for
	// DefaultMaxConns, below 0 for no limit. Past it, a new connection waits
	// in the system's backlog until one closes: each open connection costs
	// memory and a file descriptor until a timeout ends it, which a client
	// that opens many and reads nothing would otherwise spend without end.
	MaxConns int
	// Logger gets errors and changes of health and readiness; nil for
	// none.
	Logger *slog.Logger
}

// Server serves a site, or its search alone, and reports its readiness.
type Server struct {
	mux     *http.ServeMux
	csp     string
	log     *slog.Logger
	access  *slog.Logger // nil for no access log
	proxies []netip.Prefix
	metrics *metrics // nil for none
	// origins are the origins whose pages may read the search's answers:
	// its cors adds their headers and answers preflights, and csp is the
	// Content-Security-Policy of a server of the search alone.
	origins func() *originSet
	// searchOnly says that the server serves the search alone.
	searchOnly bool
	searches   map[string]route // the search's routes, by path
	queue      *queue           // of the searches
	// page is the Search handler, which answers another method than GET
	// and HEAD on /search with the results page's own 405; nil for none.
	page http.Handler
	// observing is whether a request is timed: for the metrics or the
	// access log.
	observing bool
	draining  atomic.Bool
	grace     time.Duration
	timeout   time.Duration
	maxConns  int
}

// CSP is the Content-Security-Policy of every response: the site's pages
// need nothing but their own stylesheet, scripts and images (JSON-LD
// script elements are data, not executed).
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"

// New returns the server of a site. OUT must be a readable folder, unless
// SearchOnly.
func New(cfg Config) (*Server, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.SearchOnly && cfg.Out != "" {
		return nil, fmt.Errorf("server: SearchOnly serves no files, but Out is %q", cfg.Out)
	}
	if cfg.SearchOnly && cfg.Search == nil {
		return nil, errors.New("server: SearchOnly without a Search handler would serve nothing")
	}
	origins, err := normalOrigins(cfg.Origins)
	if err != nil {
		return nil, err
	}
	s := &Server{
		mux:      http.NewServeMux(),
		csp:      CSP,
		log:      log,
		access:   cfg.AccessLog,
		proxies:  cfg.TrustedProxies,
		grace:    cfg.Grace,
		timeout:  cfg.ShutdownTimeout,
		maxConns: cfg.MaxConns,
	}
	if s.timeout <= 0 {
		s.timeout = DefaultShutdownTimeout
	}
	if s.maxConns == 0 {
		s.maxConns = DefaultMaxConns
	}
	s.searchOnly = cfg.SearchOnly
	fixed := newOrigins(origins)
	s.origins = func() *originSet { return fixed }
	if cfg.OriginsNow != nil {
		live := &liveOrigins{from: cfg.OriginsNow, log: log}
		s.origins = live.now
	}
	if cfg.Metrics != nil {
		m, err := newMetrics(cfg.Metrics)
		if err != nil {
			return nil, fmt.Errorf("server: metrics: %w", err)
		}
		s.metrics = m
	}
	s.observing = s.metrics != nil || s.access != nil
	budget := cfg.CacheBytes
	if budget <= 0 {
		budget = DefaultCacheBytes
	}
	answerBytes := budget / 4
	var st *static
	if !cfg.SearchOnly {
		st = &static{out: cfg.Out, inject: cfg.Inject, log: log, budget: budget - answerBytes}
		st.files = newFileCache(st.budget, s.metrics.cacheRecorder())
		if _, _, err := st.current(); err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
		s.handle("GET /", routeStatic, st)
		s.metrics.watchCache("files", st.files)
	} else {
		s.handle("/", routeOther, http.HandlerFunc(searchOnlyNotFound))
	}
	s.handle("GET /healthz", routeHealth, &health{static: st, check: cfg.Health, log: log})
	s.handle("GET /readyz", routeReady, &ready{static: st, check: cfg.Ready, draining: &s.draining, log: log})
	if cfg.Metrics != nil {
		s.handle("GET /metrics", routeMetrics, promhttp.HandlerFor(cfg.Metrics, promhttp.HandlerOpts{
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError),
			Registry: cfg.Metrics,
		}))
	}
	q := newQueue(cfg.MaxSearches, cfg.MaxWaiting, s.metrics)
	s.queue = q
	if err := s.metrics.watchQueue(q); err != nil {
		return nil, fmt.Errorf("server: metrics: %w", err)
	}
	copies := newAnswerCopies(answerBytes, s.metrics.cacheRecorder())
	s.metrics.watchCache("answers", copies.cache)
	s.searches = map[string]route{}
	for _, r := range []struct {
		path string
		rt   route
		h    http.Handler
	}{
		{"/search", routeSearch, cfg.Search},
		{"/api/search", routeAPI, cfg.Search},
		{"/search.atom", routeFeed, cfg.SearchFeed},
	} {
		if r.h == nil {
			continue
		}
		s.searches[r.path] = r.rt
		if r.rt == routeSearch {
			s.page = r.h
			// The site's pages end in a slash; a reader who writes the
			// results page's address so is sent to it, unless the site
			// publishes a page of its own there.
			s.handle("GET /search/{$}", routeSearch, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if st != nil && st.has("search/index.html") {
					st.ServeHTTP(w, r)
					return
				}
				target := "/search"
				if r.URL.RawQuery != "" {
					target += "?" + r.URL.RawQuery
				}
				http.Redirect(w, r, target, http.StatusMovedPermanently)
			}))
		}
		s.handle("GET "+r.path, r.rt, s.withCORS(copies.compress(q.limit(r.h))))
	}
	for pattern, h := range cfg.Routes {
		s.mux.Handle(pattern, h)
	}
	return s, nil
}

// withCORS is h with the headers that let pages of the origins read what
// it answers. A request with more than one Origin is no browser's, and
// gets none: rs/cors would echo each, an origin not listed among them.
func (s *Server) withCORS(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c := s.origins().cors; c != nil {
			if len(r.Header.Values("Origin")) > 1 {
				w.Header().Add("Vary", "Origin")
				h.ServeHTTP(w, r)
				return
			}
			c.ServeHTTP(w, r, h.ServeHTTP)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// handle serves pattern by h, and names its requests rt in the metrics and
// the access log.
func (s *Server) handle(pattern string, rt route, h http.Handler) {
	s.mux.Handle(pattern, named(rt, h))
}

// ServeHTTP serves a request, with the security headers, as the package
// doc says.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w}
	var start time.Time
	if s.observing {
		start = time.Now()
		s.metrics.started()
	}
	defer s.finish(rec, r, start)
	h := rec.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if s.searchOnly {
		h.Set("Content-Security-Policy", s.origins().csp)
	} else {
		h.Set("Content-Security-Policy", s.csp)
	}
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("X-Frame-Options", "DENY")
	if s.draining.Load() {
		// Clients that keep their connection open, a proxy's pool among
		// them, open their next one to a server that stays.
		h.Set("Connection", "close")
	}
	switch {
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		s.mux.ServeHTTP(rec, r)
	case r.Method == http.MethodOptions && s.searches[r.URL.Path] != 0 && s.origins().cors != nil:
		// A browser asks before it calls the search from another
		// origin with headers of its own: the preflight is answered by
		// cors, and any other OPTIONS gets 405.
		rec.route = s.searches[r.URL.Path]
		s.withCORS(http.HandlerFunc(s.methodNotAllowed)).ServeHTTP(rec, r)
	default:
		s.methodNotAllowed(rec, r)
	}
}

// finish ends a request: it turns a panic into a logged 500 when nothing
// has been written yet, and counts and logs the request.
func (s *Server) finish(rec *recorder, r *http.Request, start time.Time) {
	v := recover()
	if v != nil && v != http.ErrAbortHandler {
		s.log.Error("panic serving a request", "url", r.URL.String(), "panic", v)
		if rec.status == 0 {
			http.Error(rec, "500 internal error", http.StatusInternalServerError)
		}
	}
	if s.observing {
		s.observe(rec, r, start)
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
}

// methodNotAllowed answers 405: the site is only read. Under /api/ the
// answer is JSON, as the API's other errors are; /search's is the results
// page's own, in Russian, which the Search handler gives.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "GET, HEAD")
	if r.URL.Path == "/search" && s.page != nil {
		s.page.ServeHTTP(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		apiError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed: use GET")
		return
	}
	http.Error(w, "405 method not allowed: the site is read with GET", http.StatusMethodNotAllowed)
}

// apiError answers status with the API's JSON error, {"error": msg}.
func apiError(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// searchOnlyNotFound answers a request for anything but the search and
// the operations endpoints of a server of the search alone: JSON under
// /api/, a line of text elsewhere.
func searchOnlyNotFound(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		apiError(w, http.StatusNotFound, "not found: this server answers only /api/search")
		return
	}
	http.Error(w, "404 not found: this server answers only the search (/search, /api/search)", http.StatusNotFound)
}

// NewHTTPServer returns a server of h, not yet listening, with the limits
// a server on the open internet needs: timeouts for slow clients, a cap on
// the size of a request's header, and "OPTIONS *" passed to h (which
// answers 405) instead of net/http's 200. Its errors go to log at level
// warn; log may be nil.
func NewHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &http.Server{
		Handler:                      h,
		ReadHeaderTimeout:            10 * time.Second,
		ReadTimeout:                  30 * time.Second,
		WriteTimeout:                 60 * time.Second,
		IdleTimeout:                  2 * time.Minute,
		MaxHeaderBytes:               64 << 10,
		DisableGeneralOptionsHandler: true,
		ErrorLog:                     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// static serves the files of the built site.
type static struct {
	out    string
	inject string
	log    *slog.Logger

	// files holds what serving a file needs beyond its bytes (its ETag,
	// compressed copies), by version of the file, within budget bytes.
	files  *otter.Cache[fileKey, *prepared]
	budget int64

	mu   sync.Mutex
	root *os.Root    // opened on out
	dir  os.FileInfo // of the folder root was opened on
	gen  uint64      // how many roots were opened: a version of OUT
}

// current returns a root on OUT as it is now, and its generation. A build swaps a new folder in
// at OUT's path, so a root opened earlier may hold the old, deleted folder:
// it is reopened when the folder at the path is another one. Reads through
// a Root stay inside OUT, symbolic links included.
func (s *static) current() (*os.Root, uint64, error) {
	fi, err := os.Stat(s.out)
	if err != nil {
		return nil, 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.root != nil && os.SameFile(fi, s.dir) {
		return s.root, s.gen, nil
	}
	root, err := os.OpenRoot(s.out)
	if err != nil {
		return nil, 0, err
	}
	// The old root may still be in use by a request: close it once any
	// request has had time to finish.
	if old := s.root; old != nil {
		time.AfterFunc(2*time.Minute, func() { old.Close() })
	}
	s.root, s.dir = root, fi
	s.gen++
	return root, s.gen, nil
}

// has reports whether OUT has the file name now.
func (s *static) has(name string) bool {
	root, _, err := s.current()
	if err != nil {
		return false
	}
	_, err = root.Stat(name)
	return err == nil
}

func (s *static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	if name == "" {
		name = "."
	}
	if hidden(name) {
		s.notFound(w, r)
		return
	}
	root, gen, err := s.current()
	if err != nil {
		s.log.Error("site folder", "err", err)
		s.notFound(w, r)
		return
	}
	// The mode is checked before anything is opened: opening a named pipe
	// would wait for a writer, and a device may do something on open.
	fi, err := root.Stat(name)
	if err != nil {
		s.missing(w, r, err)
		return
	}
	if fi.IsDir() {
		page := path.Join(name, "index.html")
		if fi, err = root.Stat(page); err != nil || !fi.Mode().IsRegular() {
			s.notFound(w, r) // a folder of files, such as /data, has no page
			return
		}
		if !strings.HasSuffix(p, "/") {
			// A folder's page lives at its path with a slash, as links
			// write it.
			target := folderURL(name)
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return
		}
		name = page
	} else if strings.HasSuffix(p, "/") {
		s.notFound(w, r)
		return
	}
	if !fi.Mode().IsRegular() {
		s.notFound(w, r)
		return
	}
	f, fi, err := openChecked(root, name)
	if err != nil {
		s.missing(w, r, err)
		return
	}
	defer f.Close()
	k := fileKey{gen, name, fi.Size(), fi.ModTime().UnixNano()}
	// A version of a file served before passed: linked asks a system call
	// for each folder of each folder of the path.
	if _, served := s.files.GetEntryQuietly(k); !served && linked(root, name) {
		s.notFound(w, r)
		return
	}
	s.serveFile(w, r, k, f, http.StatusOK)
}

// folderURL is the path a request for the folder name (cleaned, relative
// to OUT) is redirected to: the name, escaped, between slashes. It never
// leads off the site: name has no leading slash, no empty segment and no
// "..", and the escaping turns a backslash, a tab or a newline, which a
// browser would drop or read as a slash, into %5C, %09 or %0A, so that what
// follows the first slash is never read as a host.
func folderURL(name string) string {
	if name == "." {
		return "/"
	}
	return (&url.URL{Path: "/" + name + "/"}).EscapedPath()
}

// errNotRegular is the error of opening anything but a regular file.
var errNotRegular = errors.New("not a regular file")

// open opens name in root for reading if it is a regular file.
func open(root *os.Root, name string) (*os.File, fs.FileInfo, error) {
	fi, err := root.Stat(name)
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, errNotRegular
	}
	return openChecked(root, name)
}

// openChecked opens name, which was found to be a regular file, for
// reading. It may have been replaced since, by a named pipe for instance:
// the open does not block on one, and the file opened is checked again.
func openChecked(root *os.Root, name string) (*os.File, fs.FileInfo, error) {
	f, err := root.OpenFile(name, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errNotRegular
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// linked reports whether a slash path of OUT is, or goes through, a
// symbolic link: the build writes none, and one could lead to a hidden file
// («dig.txt» to .digest) that the path does not show.
func linked(root *os.Root, name string) bool {
	for i := range len(name) + 1 {
		if i == len(name) || name[i] == '/' {
			if fi, err := root.Lstat(name[:i]); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
				return true
			}
		}
	}
	return false
}

// missing answers a request whose file could not be found or opened: 404,
// but 503 for the system's want of file descriptors or memory, or a
// failing disk, which is the server's failure, not the reader's, and is
// logged.
func (s *static) missing(w http.ResponseWriter, r *http.Request, err error) {
	if !exhausted(err) {
		s.notFound(w, r)
		return
	}
	s.log.Error("serving a file", "path", r.URL.Path, "err", err)
	w.Header().Set("Retry-After", "1")
	http.Error(w, "503 service unavailable: the server cannot open files now", http.StatusServiceUnavailable)
}

// hidden reports whether a slash path has a segment that starts with ".".
func hidden(name string) bool {
	for seg := range strings.SplitSeq(name, "/") {
		if strings.HasPrefix(seg, ".") && seg != "." {
			return true
		}
	}
	return false
}

// serveFile writes the file f, of version k, with its content type, in
// the coding the client prefers of those worth sending. Status 200 goes
// through http.ServeContent (ranges, conditional requests) with the ETag
// of the coding sent and the file's time as Last-Modified; any other
// status, for the 404 page, is written as it is, to be revalidated.
func (s *static) serveFile(w http.ResponseWriter, r *http.Request, k fileKey, f *os.File, status int) {
	ctype := ContentType(k.name)
	p, err := s.prepare(r.Context(), k, ctype, f)
	if err != nil {
		if r.Context().Err() == nil {
			s.log.Error("read", "err", err)
			http.Error(w, "500 internal error", http.StatusInternalServerError)
		}
		return
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	var content io.ReadSeeker = f
	if p.body != nil {
		content = bytes.NewReader(p.body)
	}
	tag := p.etag
	var ce string // the Content-Encoding of a body of the file
	if p.gzip != nil || p.zstd != nil {
		h.Add("Vary", "Accept-Encoding")
		switch negotiate(r.Header.Values("Accept-Encoding"), p.gzip != nil, p.zstd != nil) {
		case codingGzip:
			ce, content, tag = "gzip", p.gzip.reader(), etagOf(p.etag, "gzip")
		case codingZstd:
			ce, content, tag = "zstd", p.zstd.reader(), etagOf(p.etag, "zstd")
		}
	}
	if status == http.StatusOK {
		h.Set("Cache-Control", p.cacheControl())
		h.Set("ETag", tag)
		if rng := r.Header.Get("Range"); manyRanges(rng) || ce != "" && strings.Contains(rng, ",") {
			// Ignored, as the standard lets a server do: each part of a
			// multipart answer costs far more than the bytes it holds, and
			// one Content-Encoding cannot describe parts of a compressed
			// body.
			r = r.Clone(r.Context())
			r.Header.Del("Range")
		}
		// A range is of the bytes sent, compressed or not, as the coding
		// and the ETag say. ServeContent sets no Content-Length when it
		// finds a Content-Encoding, taking the body for one to be encoded
		// as it is written: the coding is set only with the status.
		if ce != "" {
			w = &encodedWriter{ResponseWriter: w, coding: ce}
		}
		http.ServeContent(w, r, k.name, time.Unix(0, k.mtime), content)
		return
	}
	if ce != "" {
		h.Set("Content-Encoding", ce)
	}
	h.Set("Cache-Control", "no-cache")
	size, err := content.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = content.Seek(0, io.SeekStart)
	}
	if err != nil {
		s.log.Error("read", "file", k.name, "err", err)
		http.Error(w, "500 internal error", http.StatusInternalServerError)
		return
	}
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		io.Copy(w, content)
	}
}

// encodedWriter sets Content-Encoding on a response that has a body of
// the file, of status 200 or 206; not on a 304 or an error in plain text.
type encodedWriter struct {
	http.ResponseWriter
	coding string
}

func (w *encodedWriter) WriteHeader(code int) {
	if code == http.StatusOK || code == http.StatusPartialContent {
		w.Header().Set("Content-Encoding", w.coding)
	}
	w.ResponseWriter.WriteHeader(code)
}

// ReadFrom copies src by the writer underneath, as recorder.ReadFrom does.
func (w *encodedWriter) ReadFrom(src io.Reader) (int64, error) { return io.Copy(w.ResponseWriter, src) }

// Unwrap gives http.ResponseController the writer underneath.
func (w *encodedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// maxRanges is how many parts a Range may ask for; readers and download
// tools ask for one.
const maxRanges = 10

// manyRanges reports whether a Range header asks for more than maxRanges
// parts.
func manyRanges(rng string) bool {
	return strings.Count(rng, ",") >= maxRanges
}

// injectHTML inserts s before the last </body>, or at the end.
func injectHTML(page []byte, s string) []byte {
	i := bytes.LastIndex(page, []byte("</body>"))
	if i < 0 {
		i = len(page)
	}
	out := make([]byte, 0, len(page)+len(s))
	out = append(out, page[:i]...)
	out = append(out, s...)
	return append(out, page[i:]...)
}

// notFound serves OUT/404.html with status 404, or a line of text when the
// site has no such page; under /api/, the API's JSON error, for programs
// that call a wrong address (/api/search/).
func (s *static) notFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Cache-Control", "no-cache")
		apiError(w, http.StatusNotFound, "not found: the API answers /api/search")
		return
	}
	root, gen, err := s.current()
	var (
		f  *os.File
		fi fs.FileInfo
	)
	if err == nil {
		f, fi, err = open(root, "404.html")
	}
	if err == nil {
		defer f.Close()
		s.serveFile(w, r, fileKey{gen, "404.html", fi.Size(), fi.ModTime().UnixNano()}, f, http.StatusNotFound)
		return
	}
	if !errors.Is(err, fs.ErrNotExist) {
		s.log.Error("open 404.html", "err", err)
	}
	w.Header().Set("Cache-Control", "no-cache")
	http.Error(w, "404 page not found", http.StatusNotFound)
}

// ContentType is the type of a site's file by its name, as `digest serve`
// sends it and `digest deploy` labels it: feeds are Atom.
func ContentType(name string) string {
	base := path.Base(name)
	ext := strings.ToLower(path.Ext(base))
	switch {
	case base == "feed.xml":
		return "application/atom+xml; charset=utf-8"
	case ext == ".html" || ext == ".htm":
		return "text/html; charset=utf-8"
	case ext == ".css":
		return "text/css; charset=utf-8"
	case ext == ".js" || ext == ".mjs":
		return "text/javascript; charset=utf-8"
	case base == "feed.json":
		return "application/feed+json; charset=utf-8"
	case ext == ".xml":
		return "application/xml; charset=utf-8"
	case ext == ".ics":
		return "text/calendar; charset=utf-8"
	case ext == ".csv":
		return "text/csv; charset=utf-8"
	case ext == ".txt":
		return "text/plain; charset=utf-8"
	case ext == ".json" || ext == ".map":
		return "application/json; charset=utf-8"
	case ext == ".svg":
		return "image/svg+xml"
	case ext == ".webmanifest":
		return "application/manifest+json"
	case ext == ".woff2":
		return "font/woff2"
	case ext == ".woff":
		return "font/woff"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}
