package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// DefaultShutdownTimeout is how long Serve lets requests in flight finish,
// when Config.ShutdownTimeout is 0: longer than any search takes, shorter
// than what a supervisor waits before it kills (systemd and Kubernetes
// wait 90 and 30 seconds).
const DefaultShutdownTimeout = 10 * time.Second

// DefaultMaxConns is Config.MaxConns when it is 0: thousands of readers at
// once, and at most a few hundred megabytes of connections' buffers for
// clients that stall.
const DefaultMaxConns = 4096

// Drain makes GET /readyz answer 503 "draining" from now on, so that load
// balancers stop sending requests, and asks clients to close their
// connections after each answer; requests are still answered. It cannot
// be undone: a server that drains is about to stop.
func (s *Server) Drain() {
	if !s.draining.Swap(true) {
		s.log.Info("draining: reporting not ready")
	}
}

// Draining reports whether Drain was called.
func (s *Server) Draining() bool { return s.draining.Load() }

// Serve serves hs, whose handler is s, on ln until ctx is done (on
// SIGTERM), and then stops as a server behind a load balancer must, so that
// no request fails: it drains at once (Drain), goes on answering for
// Config.Grace while load balancers see that it is not ready, then stops
// accepting connections and waits up to Config.ShutdownTimeout for the
// requests in flight (http.Server.Shutdown), closing what is left after
// that. It returns nil after a stop in which every request finished. It
// holds at most Config.MaxConns connections open at once.
func (s *Server) Serve(ctx context.Context, hs *http.Server, ln net.Listener) error {
	if s.maxConns > 0 {
		ln = capConns(hs, ln, s.maxConns)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.Drain()
	if s.grace > 0 {
		s.log.Info("draining: answering for a grace period before shutting down", "grace", s.grace)
		t := time.NewTimer(s.grace)
		select {
		case <-t.C:
		case err := <-errc:
			t.Stop()
			return fmt.Errorf("serve: %w", err)
		}
	}
	s.log.Info("shutting down: no new connections; finishing the requests in flight", "timeout", s.timeout)
	sctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
		<-errc
		return fmt.Errorf("shutdown: requests still in flight after %v were cut: %w", s.timeout, err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// capped is a listener that accepts a connection only while fewer than
// cap(open) are open; hs's ConnState frees a place as one closes. Unlike
// x/net's LimitListener, which wraps each connection, it gives http.Server
// the connection itself, whose ReadFrom sends a file by sendfile: through
// LimitListener a 21 MB file took 13,024 writes (strace).
type capped struct {
	net.Listener
	open chan struct{}
	done chan struct{}
	once sync.Once
}

// capConns returns ln holding at most n of hs's connections open at once.
func capConns(hs *http.Server, ln net.Listener, n int) net.Listener {
	l := &capped{Listener: ln, open: make(chan struct{}, n), done: make(chan struct{})}
	next := hs.ConnState
	hs.ConnState = func(c net.Conn, st http.ConnState) {
		if st == http.StateClosed || st == http.StateHijacked {
			select {
			case <-l.open:
			default: // never blocks a connection's goroutine, should a count go wrong
			}
		}
		if next != nil {
			next(c, st)
		}
	}
	return l
}

func (l *capped) Accept() (net.Conn, error) {
	select {
	case l.open <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.open
	}
	return c, err
}

func (l *capped) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}
