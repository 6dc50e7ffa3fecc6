package server

import (
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
)

// serveHTTP serves h through NewHTTPServer on a free port.
func serveHTTP(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewHTTPServer(h, slog.New(slog.DiscardHandler))
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestHTTPServer: requests that net/http answers itself unless told not to,
// and the limits of a public server.
func TestHTTPServer(t *testing.T) {
	addr := serveHTTP(t, newServer(t, Config{}))
	tests := []struct {
		line   string
		header []string
		status int
	}{
		{"OPTIONS * HTTP/1.1", nil, http.StatusMethodNotAllowed},
		{"OPTIONS / HTTP/1.1", nil, http.StatusMethodNotAllowed},
		{"CONNECT site.example:443 HTTP/1.1", nil, http.StatusMethodNotAllowed},
		{"TRACE / HTTP/1.1", nil, http.StatusMethodNotAllowed},
		{"GET * HTTP/1.1", nil, http.StatusBadRequest},
		{"GET / HTTP/1.1", []string{"X-Big: " + strings.Repeat("a", 100<<10)}, http.StatusRequestHeaderFieldsTooLarge},
		{"GET /" + strings.Repeat("a", 100<<10) + " HTTP/1.1", nil, http.StatusRequestHeaderFieldsTooLarge},
		{"GET /" + strings.Repeat("a/", 20<<10) + " HTTP/1.1", nil, http.StatusNotFound},
		{"GET / HTTP/1.1", nil, http.StatusOK},
	}
	for _, tt := range tests {
		name, _, _ := strings.Cut(tt.line, " HTTP/")
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			res := rawRequest(t, addr, tt.line, tt.header...)
			res.Body.Close()
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d", res.StatusCode, tt.status)
			}
			if tt.status == http.StatusMethodNotAllowed && res.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow %q, want %q", res.Header.Get("Allow"), "GET, HEAD")
			}
		})
	}
	srv := NewHTTPServer(http.NotFoundHandler(), nil)
	if srv.ReadHeaderTimeout == 0 || srv.ReadTimeout == 0 || srv.WriteTimeout == 0 || srv.IdleTimeout == 0 {
		t.Errorf("a timeout is unset: %+v", srv)
	}
}

// TestHTTPServerCORS: over a real connection, with origins allowed, a
// preflight of the search is answered and "OPTIONS *" is still 405.
func TestHTTPServerCORS(t *testing.T) {
	const site = "https://digest.example.org"
	addr := serveHTTP(t, newServer(t, Config{SearchOnly: true, Search: answering, Origins: []string{site}}))
	tests := []struct {
		line   string
		header []string
		status int
		allow  string
	}{
		{"OPTIONS * HTTP/1.1", []string{"Origin: " + site, "Access-Control-Request-Method: GET"}, http.StatusMethodNotAllowed, ""},
		{"OPTIONS /api/search HTTP/1.1", []string{"Origin: " + site, "Access-Control-Request-Method: GET"}, http.StatusNoContent, site},
		{"OPTIONS /api/search HTTP/1.1", []string{"Origin: https://other.example", "Access-Control-Request-Method: GET"}, http.StatusNoContent, ""},
		{"OPTIONS /healthz HTTP/1.1", []string{"Origin: " + site, "Access-Control-Request-Method: GET"}, http.StatusMethodNotAllowed, ""},
		{"GET /api/search?q=x HTTP/1.1", []string{"Origin: " + site}, http.StatusOK, site},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			res := rawRequest(t, addr, tt.line, tt.header...)
			res.Body.Close()
			if res.StatusCode != tt.status || res.Header.Get("Access-Control-Allow-Origin") != tt.allow {
				t.Errorf("status %d, Access-Control-Allow-Origin %q; want %d, %q", res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"), tt.status, tt.allow)
			}
		})
	}
}
