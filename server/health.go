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
	"unicode/utf8"
)

// health answers GET /healthz: whether the site can be served, in one
// line. It costs a few system calls and the caller's check, as it is
// polled.
type health struct {
	static *static
	check  func(context.Context) (string, error)
	log    *slog.Logger

	mu   sync.Mutex
	last string // the reason of the last answer, "" after an ok
}

func (h *health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var status string
	err := h.static.readable()
	if err == nil && h.check != nil {
		status, err = h.check(r.Context())
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		reason := oneLine(err.Error())
		h.changed(reason)
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "unavailable: "+reason+"\n")
		return
	}
	h.changed("")
	line := "ok"
	if status != "" {
		line += ": " + oneLine(status)
	}
	io.WriteString(w, line+"\n")
}

// changed logs the state when it is not what the last answer said, so
// that a monitor polling a broken site does not fill the log.
func (h *health) changed(reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if reason == h.last {
		return
	}
	if reason == "" {
		h.log.Info("health: ok again", "was", h.last)
	} else {
		h.log.Warn("health: unavailable", "reason", reason)
	}
	h.last = reason
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
