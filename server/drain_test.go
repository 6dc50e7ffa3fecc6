package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serving is a Server serving on a free port of the loopback through
// Serve, until stop is called.
type serving struct {
	s    *Server
	url  string
	addr string
	stop context.CancelFunc // as SIGTERM
	done chan error         // Serve's return
}

func startServing(t *testing.T, cfg Config) *serving {
	t.Helper()
	s := newServer(t, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sv := &serving{s: s, url: "http://" + ln.Addr().String(), addr: ln.Addr().String(), stop: cancel, done: make(chan error, 1)}
	hs := NewHTTPServer(s, nil)
	go func() { sv.done <- s.Serve(ctx, hs, ln) }()
	t.Cleanup(func() {
		cancel()
		hs.Close()
	})
	return sv
}

// fetch gets a path with client and returns the status, the body and
// whether the server asked to close the connection.
func fetch(t *testing.T, client *http.Client, url string) (int, string, bool) {
	t.Helper()
	res, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return res.StatusCode, string(b), res.Close
}

// TestServeDrains: on SIGTERM, a server reports not ready at once and
// goes on answering for the grace period, asking clients to close their
// connections; then it accepts no more connections, and the requests in
// flight finish before Serve returns.
func TestServeDrains(t *testing.T) {
	g := newGate()
	sv := startServing(t, Config{Search: g, Grace: time.Second, ShutdownTimeout: 30 * time.Second})
	client := &http.Client{Transport: &http.Transport{}, Timeout: 20 * time.Second}
	if code, b, closing := fetch(t, client, sv.url+"/readyz"); code != 200 || b != "ready\n" || closing {
		t.Fatalf("before: %d %q, closing %v", code, b, closing)
	}

	// A search in flight, on its own connection.
	type answer struct {
		code int
		body string
		err  error
	}
	inFlight := make(chan answer, 1)
	go func() {
		res, err := (&http.Client{Transport: &http.Transport{}}).Get(sv.url + "/search?q=slow")
		if err != nil {
			inFlight <- answer{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		inFlight <- answer{res.StatusCode, string(b), err}
	}()
	<-g.entered

	sv.stop() // SIGTERM
	waitFor(t, "draining", sv.s.Draining)
	// The grace period: not ready, but answering, on the connection kept
	// from before, which the server asks to close.
	if code, b, closing := fetch(t, client, sv.url+"/readyz"); code != 503 || b != "not ready: draining\n" || !closing {
		t.Errorf("while draining: %d %q, closing %v", code, b, closing)
	}
	if code, _, closing := fetch(t, client, sv.url+"/"); code != 200 || !closing {
		t.Errorf("a page while draining: %d, closing %v", code, closing)
	}
	if code, _, _ := fetch(t, client, sv.url+"/healthz"); code != 200 {
		t.Errorf("alive while draining: %d", code)
	}

	// Then no new connections, while the search is still under way.
	waitFor(t, "connections refused", func() bool {
		c, err := net.DialTimeout("tcp", sv.addr, time.Second)
		switch {
		case err == nil:
			c.Close()
			time.Sleep(10 * time.Millisecond) // the grace period goes on
			return false
		case errors.Is(err, syscall.ECONNRESET):
			return false // came as the listener closed
		case errors.Is(err, syscall.ECONNREFUSED):
			return true
		}
		t.Fatalf("dial: %v", err)
		return false
	})
	select {
	case a := <-inFlight:
		t.Fatalf("the search ended before it was let go: %+v", a)
	case err := <-sv.done:
		t.Fatalf("Serve returned with a request in flight: %v", err)
	default:
	}
	g.release <- struct{}{}
	if a := <-inFlight; a.err != nil || a.code != 200 || a.body != "<p>/search</p>" {
		t.Errorf("the search in flight: %+v", a)
	}
	if err := <-sv.done; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

// TestServeCutsAfterTimeout: requests still in flight after the shutdown
// timeout are cut, and Serve says so.
func TestServeCutsAfterTimeout(t *testing.T) {
	g := newGate()
	defer close(g.release)
	sv := startServing(t, Config{Search: g, ShutdownTimeout: 50 * time.Millisecond})
	failed := make(chan error, 1)
	go func() {
		res, err := (&http.Client{Transport: &http.Transport{}}).Get(sv.url + "/search?q=stuck")
		if err == nil {
			_, err = io.ReadAll(res.Body)
			res.Body.Close()
		}
		failed <- err
	}()
	<-g.entered
	sv.stop()
	if err := <-sv.done; err == nil || !strings.Contains(err.Error(), "requests still in flight after 50ms were cut") {
		t.Errorf("Serve: %v", err)
	}
	if err := <-failed; err == nil {
		t.Error("the request that was cut got an answer")
	}
}

// TestServeListenerFails: an error of the listener ends Serve with it.
func TestServeListenerFails(t *testing.T) {
	s := newServer(t, Config{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	err = s.Serve(context.Background(), NewHTTPServer(s, nil), ln)
	if err == nil || !strings.Contains(err.Error(), "serve:") {
		t.Errorf("Serve: %v", err)
	}
}

// TestMaxConns: past Config.MaxConns open connections, a new one waits
// until one closes, and is answered then.
func TestMaxConns(t *testing.T) {
	sv := startServing(t, Config{MaxConns: 2})
	// Two connections that sent a request and hold on, idle.
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", sv.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 512)
		if _, err := c.Read(buf); err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	answered := make(chan int, 1)
	go func() {
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		res, err := client.Get(sv.url + "/healthz")
		if err != nil {
			answered <- 0
			return
		}
		res.Body.Close()
		answered <- res.StatusCode
	}()
	select {
	case code := <-answered:
		t.Fatalf("a third connection was answered (%d) while two were held", code)
	case <-time.After(300 * time.Millisecond):
	}
	held[0].Close()
	select {
	case code := <-answered:
		if code != http.StatusOK {
			t.Errorf("status %d once a connection closed, want 200", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a third connection was not answered once one closed")
	}
}
