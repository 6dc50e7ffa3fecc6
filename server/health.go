package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/singleflight"
)

// health answers GET /healthz: whether the process can serve, in one
// line. It costs a few system calls and the caller's check, as it is
// polled.
type health struct {
	static *static // nil when no files are served
	check  func(context.Context) (string, error)
	log    *slog.Logger
	state  transitions
}

func (h *health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var (
		status string
		err    error
	)
	if h.static != nil {
		err = h.static.readable()
	}
	if err == nil && h.check != nil {
		status, err = h.check(r.Context())
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		reason := oneLine(err.Error())
		h.state.changed(h.log, "health", "unavailable", reason)
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "unavailable: "+reason+"\n")
		return
	}
	h.state.changed(h.log, "health", "unavailable", "")
	line := "ok"
	if status != "" {
		line += ": " + oneLine(status)
	}
	io.WriteString(w, line+"\n")
}

// ReadyTimeout is how long GET /readyz waits for the caller's check.
const ReadyTimeout = 5 * time.Second

// ready answers GET /readyz: whether the server should be sent requests,
// in one line. It is not while it drains, nor while OUT cannot be read or
// the caller's check fails.
type ready struct {
	static   *static // nil when no files are served
	check    func(context.Context) error
	draining *atomic.Bool
	log      *slog.Logger
	state    transitions
	// calls lets requests that come while a check runs share its answer:
	// the check may run a search, and anyone may ask.
	calls singleflight.Group
}

// errDraining is the reason a draining server is not ready.
var errDraining = errors.New("draining")

func (h *ready) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := h.reason(r.Context())
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		reason := oneLine(err.Error())
		h.state.changed(h.log, "readiness", "not ready", reason)
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "not ready: "+reason+"\n")
		return
	}
	h.state.changed(h.log, "readiness", "not ready", "")
	io.WriteString(w, "ready\n")
}

// reason returns why the server is not ready, or nil.
func (h *ready) reason(ctx context.Context) error {
	if h.draining.Load() {
		return errDraining
	}
	if h.static != nil {
		if err := h.static.readable(); err != nil {
			return err
		}
	}
	if h.check == nil {
		return nil
	}
	ch := h.calls.DoChan("", func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ReadyTimeout)
		defer cancel()
		return nil, h.check(ctx)
	})
	var err error
	select {
	case res := <-ch:
		err = res.Err
	case <-ctx.Done():
		err = ctx.Err()
	}
	if h.draining.Load() {
		return errDraining // began while the check ran
	}
	return err
}

// transitions remembers the last state of a check, so that a change is
// logged once, not on every request of a monitor that polls.
type transitions struct {
	mu   sync.Mutex
	last string // the reason of the last answer, "" after an ok
}

// changed logs the state of the check named what when it is not what the
// last answer said: reason, or ok when reason is "".
func (t *transitions) changed(log *slog.Logger, what, bad, reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if reason == t.last {
		return
	}
	if reason == "" {
		log.Info(what+": ok again", "was", t.last)
	} else {
		log.Warn(what+": "+bad, "reason", reason)
	}
	t.last = reason
}

// readable returns why the site cannot be served, if it cannot: OUT or its
// index.html cannot be read. The reason names no path of the machine, as
// anyone may ask.
func (s *static) readable() error {
	root, _, err := s.current()
	if err != nil {
		return fmt.Errorf("the site folder cannot be read: %w", pathless(err))
	}
	f, _, err := open(root, "index.html")
	if err != nil {
		return fmt.Errorf("index.html cannot be read: %w", pathless(err))
	}
	return f.Close()
}

// pathless is the error of a file system call without the path it names.
func pathless(err error) error {
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// maxLine is how many bytes of a status or reason /healthz shows.
const maxLine = 200

// oneLine is s on one line of at most maxLine bytes: control characters
// become spaces, and a longer line is cut at a character and ends with "…".
func oneLine(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }), " ")
	if len(s) <= maxLine {
		return s
	}
	cut := maxLine
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
