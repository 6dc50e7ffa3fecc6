package server

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// route is the name of a request's endpoint in the metrics and the access
// log: one of a few, never the path, so that the series a scraper keeps
// stay few however many paths are asked for.
type route uint8

const (
	routeOther   route = iota // caller's routes, 405, anything unknown
	routePage                 // a page of the site, a folder's redirect, the 404 page
	routeAsset                // any other file of the site
	routeFeed                 // a feed of the site, and /search.atom
	routeSearch               // /search
	routeAPI                  // /api/search
	routeHealth               // /healthz
	routeReady                // /readyz
	routeMetrics              // /metrics
	nRoutes

	// routeStatic names a file of the site by its path: page, asset or
	// feed.
	routeStatic = nRoutes
)

var routeNames = [nRoutes]string{"other", "page", "asset", "feed", "search", "api", "health", "ready", "metrics"}

func (rt route) String() string { return routeNames[rt] }

// staticRoute is the route of a request for a file of the site: a page
// when its path names a folder or an HTML file, a feed when an Atom or RSS
// file, an asset otherwise.
func staticRoute(p string) route {
	base := path.Base(p)
	switch ext := strings.ToLower(path.Ext(base)); {
	case strings.HasSuffix(p, "/"), ext == "", ext == ".html", ext == ".htm":
		return routePage
	case base == "feed.xml", ext == ".atom", ext == ".rss":
		return routeFeed
	}
	return routeAsset
}

// named sets the route of the requests h serves, for the recorder the
// server wraps every request in.
func named(rt route, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec, ok := w.(*recorder); ok {
			if rt == routeStatic {
				rec.route = staticRoute(r.URL.Path)
			} else {
				rec.route = rt
			}
		}
		h.ServeHTTP(w, r)
	})
}

// recorder remembers the status, the bytes written and the route of a
// request.
type recorder struct {
	http.ResponseWriter
	status int   // the final status, once written
	bytes  int64 // of the body, as sent (compressed)
	route  route
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// ReadFrom copies src to the writer underneath by its own ReadFrom, which
// hands a file to the connection (sendfile), as http.ServeContent's copy
// does without the recorder: with only Write, every file went through a
// new 32 KiB buffer.
func (w *recorder) ReadFrom(src io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := io.Copy(w.ResponseWriter, src)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (for
// flushing server-sent events).
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// statusClientGone is the status a request is counted and logged with
// when its client left before anything was written, as nginx logs it:
// nothing was sent.
const statusClientGone = 499

// observe counts a request in the metrics and writes its line in the
// access log.
func (s *Server) observe(rec *recorder, r *http.Request, start time.Time) {
	elapsed := time.Since(start)
	status := rec.status
	if status == 0 {
		status = http.StatusOK // what net/http sends for a handler that writes nothing
		if r.Context().Err() != nil {
			status = statusClientGone
		}
	}
	s.metrics.done(rec.route, status, rec.bytes, elapsed)
	if s.access == nil {
		return
	}
	level := slog.LevelInfo
	if status >= 500 && status != http.StatusServiceUnavailable {
		level = slog.LevelError
	}
	ctx := r.Context()
	if !s.access.Enabled(ctx, level) {
		return
	}
	s.access.LogAttrs(ctx, level, "request",
		slog.String("method", r.Method),
		slog.String("route", rec.route.String()),
		slog.String("path", logPath(r.URL.Path, r.URL.RawQuery)),
		slog.Int("status", status),
		slog.Int64("bytes", rec.bytes),
		slog.Duration("dur", elapsed),
		slog.String("remote", clientAddr(r, s.proxies)),
	)
}

// maxLogPath and maxLogQuery are how many bytes of a path and of a query
// the access log keeps: enough for any path of the site and any question a
// reader types, not a megabyte a client sends to fill the log.
const (
	maxLogPath  = 256
	maxLogQuery = 256
)

// logPath is a request's path and query as the access log shows them,
// each cut to its length.
func logPath(p, query string) string {
	p = cut(p, maxLogPath)
	if query == "" {
		return p
	}
	return p + "?" + cut(query, maxLogQuery)
}

// cut is s cut to at most n bytes at a character, ending in "…" when cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// clientAddr is the address of the client of r: the address the request
// came from, or, when that is a trusted proxy, the last address in
// X-Forwarded-For that is not one, read from the right, where each proxy
// appended the address it was called from. Addresses left of an untrusted
// one may have been written by the client and are not believed.
func clientAddr(r *http.Request, trusted []netip.Prefix) string {
	host := r.RemoteAddr
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if len(trusted) == 0 {
		return host
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !contains(trusted, peer) {
		return host
	}
	client := peer.String()
	fwd := r.Header.Values("X-Forwarded-For")
	for i := len(fwd) - 1; i >= 0; i-- {
		list := fwd[i]
		for list != "" {
			var hop string
			if j := strings.LastIndexByte(list, ','); j >= 0 {
				list, hop = list[:j], list[j+1:]
			} else {
				list, hop = "", list
			}
			hop = strings.TrimSpace(hop)
			addr, err := parseHop(hop)
			if err != nil {
				return client // a hop a proxy would not write: believe no more
			}
			client = addr.String()
			if !contains(trusted, addr) {
				return client
			}
		}
	}
	return client
}

// parseHop reads an address of X-Forwarded-For: an IP address, which some
// proxies write with a port.
func parseHop(hop string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(hop); err == nil {
		return a.Unmap(), nil
	}
	ap, err := netip.ParseAddrPort(hop)
	if err != nil {
		return netip.Addr{}, err
	}
	return ap.Addr().Unmap(), nil
}

func contains(prefixes []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParseProxies reads a list of trusted proxies, as a flag gives it: IP
// addresses and CIDR prefixes separated by commas or spaces, such as
// "127.0.0.1, 10.0.0.0/8, ::1". An error names the entry that is neither.
func ParseProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxies: %q is neither an IP address nor a CIDR prefix", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
