package server

import (
	"io"
	"net/http"
	"runtime"
	"time"
)

// queue bounds the searches of a server: no more than cap(turns) run at
// once, and no more than cap(admitted) run or wait; past that a search is
// turned away at once with 503, so that a server with more work than it
// can do answers some at their usual speed and tells the others to come
// back, instead of answering all of them late. It is the one bound on the
// searches: the search's own handler takes no turns of its own.
type queue struct {
	// admitted holds a token for every search running or waiting.
	admitted chan struct{}
	// turns holds a token for every search running. Those that wait are
	// let in the order they came: a channel's blocked senders are served
	// first in, first out.
	turns   chan struct{}
	metrics *metrics
}

// DefaultWaitingPerTurn is how many searches may wait for each that runs,
// when Config.MaxWaiting is 0: at the time a search takes, the last to
// wait gets its answer within a few of them.
const DefaultWaitingPerTurn = 4

// RetryAfter is the Retry-After of a search turned away, in seconds:
// soon, as a full queue empties within a few searches' time.
const RetryAfter = "1"

// newQueue returns a queue that lets run searches run at once, 0 for
// GOMAXPROCS, and wait more wait, 0 for DefaultWaitingPerTurn for each
// turn, below 0 for none.
func newQueue(run, wait int, m *metrics) *queue {
	if run <= 0 {
		run = runtime.GOMAXPROCS(0)
	}
	switch {
	case wait == 0:
		wait = DefaultWaitingPerTurn * run
	case wait < 0:
		wait = 0
	}
	return &queue{admitted: make(chan struct{}, run+wait), turns: make(chan struct{}, run), metrics: m}
}

// running is how many searches run now.
func (q *queue) running() int { return len(q.turns) }

// waiting is how many searches wait for their turn now.
func (q *queue) waiting() int { return max(len(q.admitted)-len(q.turns), 0) }

// limit returns next served in turn: a request waits until fewer than the
// limit run, and is turned away with 503 when as many as may wait do. A
// request whose client leaves while it waits is dropped.
func (q *queue) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case q.admitted <- struct{}{}:
		default:
			q.metrics.turnedAway()
			busy(w, r)
			return
		}
		defer func() { <-q.admitted }()
		select {
		case q.turns <- struct{}{}:
			q.metrics.waited(0)
		default:
			start := time.Now()
			select {
			case q.turns <- struct{}{}:
				q.metrics.waited(time.Since(start))
			case <-r.Context().Done():
				q.metrics.gaveUp()
				return
			}
		}
		defer func() { <-q.turns }()
		next.ServeHTTP(w, r)
	})
}

// busy answers a search turned away: 503, with a Retry-After and a short
// message in the endpoint's format.
func busy(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Retry-After", RetryAfter)
	h.Set("Cache-Control", "no-store")
	const msg = "too many searches at once; try again in a second"
	var body string
	switch r.URL.Path {
	case "/api/search":
		h.Set("Content-Type", "application/json; charset=utf-8")
		body = `{"error":"` + msg + `"}` + "\n"
	case "/search":
		h.Set("Content-Type", "text/html; charset=utf-8")
		// The results page is the site's, in Russian.
		body = "<!doctype html>\n<html lang=ru>\n<meta charset=utf-8>\n<title>Поиск занят</title>\n<p>Сейчас идёт слишком много поисков сразу. Повторите через секунду.</p>\n"
	default:
		h.Set("Content-Type", "text/plain; charset=utf-8")
		body = "503 busy: " + msg + "\n"
	}
	w.WriteHeader(http.StatusServiceUnavailable)
	io.WriteString(w, body)
}
