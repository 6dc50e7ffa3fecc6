package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// gate is a search handler that holds every request until it is let go,
// and tells which requests it entered, by their query.
type gate struct {
	entered chan string
	release chan struct{}
}

func newGate() *gate {
	return &gate{entered: make(chan string, 100), release: make(chan struct{}, 100)}
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.entered <- r.URL.RawQuery
	<-g.release
	answering.ServeHTTP(w, r)
}

// async sends a request and returns where its answer will come.
func async(h http.Handler, r *http.Request) <-chan *http.Response {
	done := make(chan *http.Response, 1)
	go func() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		done <- w.Result()
	}()
	return done
}

// waitFor waits until cond holds, failing the test after a while.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		runtime.Gosched()
	}
}

// TestQueueFull: with as many searches running and waiting as allowed,
// the next is turned away at once with 503, a Retry-After and a short
// message in the endpoint's format, readable by the pages of the origins
// allowed; other routes are not held up.
func TestQueueFull(t *testing.T) {
	const site = "https://digest.example.org"
	tests := []struct {
		path, ctype, contains string
	}{
		{"/api/search?q=x", "application/json; charset=utf-8", `{"error":"too many searches at once`},
		{"/search?q=x", "text/html; charset=utf-8", "<p>Сейчас идёт слишком много поисков сразу"},
		{"/search.atom?q=x", "text/plain; charset=utf-8", "503 busy: too many searches"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			g := newGate()
			reg := prometheus.NewRegistry()
			s := newServer(t, Config{Search: g, SearchFeed: g, MaxSearches: 1, MaxWaiting: 1, Origins: []string{site}, Metrics: reg})
			first := async(s, httptest.NewRequest("GET", "/search?q=first", nil))
			<-g.entered
			second := async(s, httptest.NewRequest("GET", "/api/search?q=second", nil))
			waitFor(t, "the second waits", func() bool { return s.queue.waiting() == 1 })

			res := get(s, "GET", tt.path, "Origin", site, "Accept-Encoding", "gzip")
			b := body(t, res)
			if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "1" {
				t.Errorf("status %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
			}
			if ct := res.Header.Get("Content-Type"); ct != tt.ctype || !strings.Contains(b, tt.contains) || len(b) > 300 {
				t.Errorf("%s: %q", ct, b)
			}
			if res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("Access-Control-Allow-Origin") != site {
				t.Errorf("headers %v", res.Header)
			}
			if res := do(s, "GET", "/healthz"); res.StatusCode != 200 {
				t.Errorf("/healthz while the searches are busy: %d", res.StatusCode)
			}
			if got := testutil.ToFloat64(s.metrics.rejected); got != 1 {
				t.Errorf("%v rejected", got)
			}
			g.release <- struct{}{}
			g.release <- struct{}{}
			if res := <-first; res.StatusCode != 200 {
				t.Errorf("first: %d", res.StatusCode)
			}
			if res := <-second; res.StatusCode != 200 {
				t.Errorf("second: %d", res.StatusCode)
			}
			if q := <-g.entered; q != "q=second" {
				t.Errorf("entered %q", q)
			}
			if s.queue.running() != 0 || s.queue.waiting() != 0 {
				t.Errorf("%d running, %d waiting after all", s.queue.running(), s.queue.waiting())
			}
		})
	}
}

// TestQueueLimits: how many run and wait, as configured.
func TestQueueLimits(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	tests := []struct {
		run, wait         int
		wantRun, wantWait int
	}{
		{0, 0, procs, DefaultWaitingPerTurn * procs},
		{3, 0, 3, 3 * DefaultWaitingPerTurn},
		{3, 5, 3, 5},
		{3, -1, 3, 0},
		{-2, -1, procs, 0},
	}
	for _, tt := range tests {
		q := newQueue(tt.run, tt.wait, nil)
		if cap(q.turns) != tt.wantRun || cap(q.admitted)-cap(q.turns) != tt.wantWait {
			t.Errorf("newQueue(%d, %d): %d run, %d wait; want %d, %d", tt.run, tt.wait, cap(q.turns), cap(q.admitted)-cap(q.turns), tt.wantRun, tt.wantWait)
		}
	}
	// Filled exactly: run + wait are let in, the next is turned away.
	for _, tt := range []struct{ run, wait int }{{1, -1}, {1, 2}, {2, 3}} {
		g := newGate()
		s := newServer(t, Config{Search: g, MaxSearches: tt.run, MaxWaiting: tt.wait})
		var answers []<-chan *http.Response
		for i := range tt.run + max(tt.wait, 0) {
			answers = append(answers, async(s, httptest.NewRequest("GET", "/search?q=x", nil)))
			if i < tt.run {
				<-g.entered
			}
		}
		waitFor(t, "all wait", func() bool { return s.queue.waiting() == max(tt.wait, 0) })
		if res := do(s, "GET", "/search?q=x"); res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%+v: one more got %d", tt, res.StatusCode)
		}
		for range answers {
			g.release <- struct{}{}
		}
		for _, a := range answers {
			if res := <-a; res.StatusCode != 200 {
				t.Errorf("%+v: %d", tt, res.StatusCode)
			}
		}
	}
}

// TestQueueOrder: searches that wait run in the order they came.
func TestQueueOrder(t *testing.T) {
	g := newGate()
	s := newServer(t, Config{Search: g, MaxSearches: 1, MaxWaiting: 5})
	first := async(s, httptest.NewRequest("GET", "/search?q=0", nil))
	<-g.entered
	var answers []<-chan *http.Response
	for i := 1; i <= 5; i++ {
		answers = append(answers, async(s, httptest.NewRequest("GET", "/search?q="+string(rune('0'+i)), nil)))
		waitFor(t, "the search waits", func() bool { return s.queue.waiting() == i })
		// waiting counts a search from its admission, a moment before it
		// blocks on its turn, where its place in line is taken: on a busy
		// machine the next could otherwise block first.
		time.Sleep(20 * time.Millisecond)
	}
	g.release <- struct{}{}
	<-first
	for i := 1; i <= 5; i++ {
		if q := <-g.entered; q != "q="+string(rune('0'+i)) {
			// Fatal: the answers awaited below would never come.
			t.Fatalf("turn %d went to %q", i, q)
		}
		g.release <- struct{}{}
		<-answers[i-1]
	}
}

// TestQueueClientGone: a search whose client leaves while it waits is
// dropped at once, never run, and its place is free.
func TestQueueClientGone(t *testing.T) {
	g := newGate()
	s := newServer(t, Config{Search: g, MaxSearches: 1, MaxWaiting: 1, Metrics: prometheus.NewRegistry()})
	first := async(s, httptest.NewRequest("GET", "/search?q=first", nil))
	<-g.entered
	ctx, cancel := context.WithCancel(context.Background())
	gone := async(s, httptest.NewRequest("GET", "/search?q=gone", nil).WithContext(ctx))
	waitFor(t, "the search waits", func() bool { return s.queue.waiting() == 1 })
	cancel()
	<-gone
	if s.queue.waiting() != 0 || testutil.ToFloat64(s.metrics.abandoned) != 1 {
		t.Errorf("%d waiting, %v abandoned", s.queue.waiting(), testutil.ToFloat64(s.metrics.abandoned))
	}
	third := async(s, httptest.NewRequest("GET", "/search?q=third", nil))
	waitFor(t, "the third waits", func() bool { return s.queue.waiting() == 1 })
	g.release <- struct{}{}
	g.release <- struct{}{}
	<-first
	if res := <-third; res.StatusCode != 200 {
		t.Errorf("third: %d", res.StatusCode)
	}
	if q := <-g.entered; q != "q=third" {
		t.Errorf("%q ran", q)
	}
	select {
	case q := <-g.entered:
		t.Errorf("%q ran", q)
	default:
	}
}

// TestQueueSendsAfterTurn: a search's answer is written to its client
// after its turn is given back, so that a slow reader holds no turn.
func TestQueueSendsAfterTurn(t *testing.T) {
	s := newServer(t, Config{Search: answering, MaxSearches: 1, MaxWaiting: -1})
	var running int
	w := &probeWriter{ResponseWriter: httptest.NewRecorder(), onWrite: func() { running = s.queue.running() }}
	s.ServeHTTP(w, httptest.NewRequest("GET", "/search?q=x", nil))
	if running != 0 {
		t.Errorf("the answer was written during the search's turn")
	}
}

// probeWriter calls onWrite on the first write of a body.
type probeWriter struct {
	http.ResponseWriter
	onWrite func()
}

func (w *probeWriter) Write(b []byte) (int, error) {
	if w.onWrite != nil {
		w.onWrite()
		w.onWrite = nil
	}
	return w.ResponseWriter.Write(b)
}

var _ io.Writer = (*probeWriter)(nil)
