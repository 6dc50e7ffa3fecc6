// Package server serves a built digest site: the static files of OUT, a
// search handler and /healthz, behind the same security headers.
//
// Static files are read through an os.Root opened on OUT, so no request
// reaches outside it, not by "..", not by a symbolic link. Only regular
// files are served: a named pipe, socket or device in OUT is not found, and
// is never opened in a way that could block. A path with a segment that
// starts with "." (the search index, .git) is not found; a folder is served
// as its index.html and never listed, and a folder's path without its
// slash is redirected to the cleaned path with one, so that no redirect
// leads off the site; a missing file gets OUT/404.html with status 404.
// Only GET and HEAD are allowed; any other method gets 405 with an Allow
// header. A Range of more than a few parts is ignored. Every response has
// X-Content-Type-Options: nosniff and a Content-Security-Policy that allows
// only the site's own styles, scripts and images. A panic in any handler is
// logged and answered with 500, though none is expected.
//
// Text (pages, feeds, styles, the search's answers) is sent compressed by
// zstd or gzip when the client accepts it and it is not tiny, with Vary:
// Accept-Encoding. A file's compressed copies are made once per version of
// the file (its size and time of change), an answer's once per answer (its
// bytes), and kept in memory within a budget, so a page or an answer the
// search had cached costs no more to serve compressed than as it is. Every
// file has a strong ETag, a hash of its bytes, with "-gzip" or "-zstd"
// added for a compressed copy, and a Last-Modified; a Range is of the
// bytes of the coding sent. Fingerprinted assets (style.3f2a9c1b.css)
// are cached by browsers for a year; anything else, pages and feeds first,
// is sent with Cache-Control: no-cache, to be revalidated on each use, so
// that a rebuilt site is seen at once. The 404 page keeps its status.
//
// GET /healthz answers 200 "ok", with the caller's status line, while
// OUT and its index.html can be read and the caller's check passes;
// otherwise 503 and the reason, in one line.
//
// NewHTTPServer wraps the handler in an http.Server with the timeouts and
// limits a server on the open internet needs, and without net/http's own
// answer to "OPTIONS *".
package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/maypok86/otter/v2"
)

// Config is what a server serves.
type Config struct {
	// Out is the folder of the built site.
	Out string
	// Search serves GET /search and GET /api/search; nil for none. Its
	// answers are compressed as the client accepts when they are text and
	// not tiny, unless it flushes them as they are written; an ETag it
	// sets gets "-gzip" or "-zstd" added inside the quotes when the answer
	// is compressed.
	Search http.Handler
	// Health is the caller's part of GET /healthz, asked after OUT was
	// found readable: a one-line status on success, such as the index
	// generation served, or why the server cannot serve; nil for none. It
	// is polled, so it should be cheap. Both the status and the error's
	// message are shown to anyone who asks.
	Health func(context.Context) (status string, err error)
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
	// Logger gets errors and, at debug level, every request; nil for none.
	Logger *slog.Logger
}

// CSP is the Content-Security-Policy of every response: the site's pages
// need nothing but their own stylesheet, scripts and images (JSON-LD
// script elements are data, not executed).
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"

// New returns the handler of a site. OUT must be a readable folder.
func New(cfg Config) (http.Handler, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	budget := cfg.CacheBytes
	if budget <= 0 {
		budget = DefaultCacheBytes
	}
	answerBytes := budget / 4
	st := &static{out: cfg.Out, inject: cfg.Inject, log: log, files: newFileCache(budget - answerBytes)}
	if _, _, err := st.current(); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", st)
	mux.Handle("GET /healthz", &health{static: st, check: cfg.Health, log: log})
	if cfg.Search != nil {
		search := compressAnswers(cfg.Search, answerBytes)
		mux.Handle("GET /search", search)
		mux.Handle("GET /api/search", search)
	}
	for pattern, h := range cfg.Routes {
		mux.Handle(pattern, h)
	}
	return recoverPanics(log, secure(allowGet(logRequests(log, mux)))), nil
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

// secure sets the security headers of every response.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", CSP)
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// allowGet answers 405 to any method but GET and HEAD.
func allowGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "405 method not allowed: the site is read with GET", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status and whether anything was written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (for
// flushing server-sent events).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !log.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		log.Debug("request", "method", r.Method, "url", r.URL.String(), "status", sw.status, "ms", time.Since(start).Milliseconds())
	})
}

// recoverPanics turns a panic into a logged 500, when nothing has been
// written yet.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			log.Error("panic serving a request", "url", r.URL.String(), "panic", v)
			if sw.status == 0 {
				http.Error(w, "500 internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// static serves the files of the built site.
type static struct {
	out    string
	inject string
	log    *slog.Logger

	// files holds what serving a file needs beyond its bytes (its ETag,
	// compressed copies), by version of the file.
	files *otter.Cache[fileKey, *prepared]

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
		s.notFound(w, r)
		return
	}
	if fi.IsDir() {
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
		name = path.Join(name, "index.html")
		fi, err = root.Stat(name)
	} else if strings.HasSuffix(p, "/") {
		s.notFound(w, r)
		return
	}
	if err != nil || !fi.Mode().IsRegular() {
		s.notFound(w, r)
		return
	}
	f, fi, err := openChecked(root, name)
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer f.Close()
	s.serveFile(w, r, fileKey{gen, name, fi.Size(), fi.ModTime().UnixNano()}, f, http.StatusOK)
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
	ctype := contentType(k.name)
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
			ce, content, tag = "gzip", bytes.NewReader(p.gzip), etagOf(p.etag, "gzip")
		case codingZstd:
			ce, content, tag = "zstd", bytes.NewReader(p.zstd), etagOf(p.etag, "zstd")
		}
	}
	if status == http.StatusOK {
		h.Set("Cache-Control", cacheControl(k.name))
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
// site has no such page.
func (s *static) notFound(w http.ResponseWriter, r *http.Request) {
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

// contentType is the type of a file by its name; feeds are Atom.
func contentType(name string) string {
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
	case ext == ".xml":
		return "application/xml; charset=utf-8"
	case ext == ".txt":
		return "text/plain; charset=utf-8"
	case ext == ".json":
		return "application/json; charset=utf-8"
	case ext == ".svg":
		return "image/svg+xml"
	case ext == ".webmanifest":
		return "application/manifest+json"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}
