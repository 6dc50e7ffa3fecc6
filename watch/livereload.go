package watch

import (
	"bufio"
	"cmp"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// pingInterval is how often an idle event stream gets a comment, which
// keeps proxies and browsers from closing it.
var pingInterval = 15 * time.Second

// Event names of the stream, as the live-reload script listens to them.
const (
	eventReload = "reload" // a build succeeded: reload the page
	eventError  = "error"  // a build failed: data is its problems, one per line
	eventOK     = "ok"     // a build succeeded after a failure: hide them
)

// Handler serves the live-reload endpoints; the caller routes the paths
// starting with /_digest/ to it, in front of the site:
//
//   - GET /_digest/live.js, the script every page of a live build loads. It
//     reloads the page after each build and, while the source is broken,
//     shows the build's problems over the page.
//   - GET /_digest/events, the server-sent events the script listens to:
//     "reload" after a successful build, "error" with the problems, one per
//     data line, after a failed one, and "ok" before the "reload" that ends
//     a failure. On connection it sends the current state: "error" at once
//     when the latest build failed.
//
// The event streams end when their client goes away or Run returns.
func (w *Watcher) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_digest/live.js", serveScript)
	mux.HandleFunc("GET /_digest/events", w.serveEvents)
	return mux
}

// serveScript serves the live-reload script.
func serveScript(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(rw, r, "live.js", time.Time{}, strings.NewReader(liveJS))
}

// serveEvents streams build events to one client until it goes away or Run
// returns.
func (w *Watcher) serveEvents(rw http.ResponseWriter, r *http.Request) {
	limit := int64(cmp.Or(w.cfg.MaxStreams, DefaultMaxStreams))
	if w.streams.Add(1) > limit {
		// An EventSource gives up for good on any status but 200: it is
		// told to come back in ten seconds, and the stream ends.
		w.streams.Add(-1)
		rw.Header().Set("Content-Type", "text/event-stream")
		rw.Header().Set("Cache-Control", "no-cache")
		io.WriteString(rw, "retry: 10000\n: too many live-reload streams open\n\n")
		return
	}
	defer w.streams.Add(-1)
	h := rw.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // for nginx in front
	rc := http.NewResponseController(rw)
	// The stream outlives any write timeout of the server; not every
	// ResponseWriter can lift it, which is fine.
	_ = rc.SetWriteDeadline(time.Time{})
	rw.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}

	bw := bufio.NewWriter(rw)
	send := func(name string, gen uint64, data string) {
		writeEvent(bw, name, strconv.FormatUint(gen, 10), data)
	}
	io.WriteString(bw, "retry: 1000\n\n") // reconnect quickly after a restart

	// The current state first: a page loaded while the source is broken
	// shows the problems, and one that reconnects after missing builds
	// reloads.
	st := w.current()
	shown := "" // the problems this client shows
	switch {
	case st.problem != "":
		send(eventError, st.gen, st.problem)
		shown = st.problem
	case st.gen > 0 && r.Header.Get("Last-Event-ID") != "" && r.Header.Get("Last-Event-ID") != strconv.FormatUint(st.gen, 10):
		send(eventReload, st.gen, eventReload)
	}
	if flush(bw, rc) != nil {
		return
	}

	ping := time.NewTicker(pingInterval)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-w.done:
			return
		case <-ping.C:
			io.WriteString(bw, ": ping\n\n")
		case <-st.changed:
			// Builds finished since are coalesced: only the latest matters.
			st = w.current()
			switch {
			case st.problem == "":
				if shown != "" {
					send(eventOK, st.gen, eventOK)
					shown = ""
				}
				send(eventReload, st.gen, eventReload)
			case st.problem != shown:
				send(eventError, st.gen, st.problem)
				shown = st.problem
			}
		}
		if flush(bw, rc) != nil {
			return // the client is gone
		}
	}
}

// flush sends what bw holds to the client now.
func flush(bw *bufio.Writer, rc *http.ResponseController) error {
	if err := bw.Flush(); err != nil {
		return err
	}
	return rc.Flush()
}

// writeEvent writes one server-sent event. Each line of data goes on a
// data line of its own, so that data may hold newlines; CR, LF and CRLF all
// end a line there.
func writeEvent(w io.Writer, name, id, data string) {
	var b strings.Builder
	b.WriteString("event: " + oneLine(name) + "\n")
	if id != "" {
		b.WriteString("id: " + oneLine(id) + "\n")
	}
	data = strings.ReplaceAll(data, "\r\n", "\n")
	data = strings.ReplaceAll(data, "\r", "\n")
	for _, line := range strings.Split(data, "\n") {
		b.WriteString("data: " + line + "\n")
	}
	b.WriteString("\n")
	io.WriteString(w, b.String())
}

// oneLine drops line breaks, which would end an SSE field early.
func oneLine(s string) string {
	return strings.NewReplacer("\r", "", "\n", "").Replace(s)
}

// liveJS is the live-reload script. It builds the overlay with textContent
// and style properties only: problems are shown as text, never parsed as
// HTML, and the site's Content-Security-Policy (no inline styles) allows it.
const liveJS = `// digest watch mode: reload after each build, show the problems of a failed one.
(function () {
  "use strict";
  var id = "digest-live-problems";

  function hide() {
    var old = document.getElementById(id);
    if (old) old.remove();
  }

  function show(text) {
    hide();
    var box = document.createElement("div");
    box.id = id;
    box.setAttribute("role", "alert");
    var s = box.style;
    s.position = "fixed";
    s.top = "0";
    s.left = "0";
    s.right = "0";
    s.zIndex = "2147483647";
    s.maxHeight = "60vh";
    s.overflow = "auto";
    s.margin = "0";
    s.padding = "1em 3em 1em 1em";
    s.background = "#2b0b0b";
    s.color = "#ffe9e9";
    s.borderBottom = "4px solid #e5484d";
    s.font = "14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
    s.boxShadow = "0 2px 12px rgba(0,0,0,.4)";

    var title = document.createElement("strong");
    title.textContent = "Сборка не удалась; на странице — последняя удачная сборка.";
    box.appendChild(title);

    var pre = document.createElement("pre");
    pre.textContent = text;
    pre.style.margin = ".5em 0 0";
    pre.style.whiteSpace = "pre-wrap";
    pre.style.font = "inherit";
    box.appendChild(pre);

    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "\u00d7";
    close.title = "Закрыть";
    close.setAttribute("aria-label", "Закрыть");
    var c = close.style;
    c.position = "absolute";
    c.top = ".5em";
    c.right = ".5em";
    c.font = "20px/1 sans-serif";
    c.color = "inherit";
    c.background = "transparent";
    c.border = "0";
    c.cursor = "pointer";
    close.addEventListener("click", hide);
    box.appendChild(close);

    (document.body || document.documentElement).appendChild(box);
  }

  var events = new EventSource("/_digest/events");
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("ok", hide);
  events.addEventListener("error", function (e) {
    // EventSource fires a plain "error" Event of its own when the
    // connection drops (it then reconnects): only messages carry problems.
    if (typeof e.data === "string") show(e.data);
  });
})();
`
