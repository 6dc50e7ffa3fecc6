package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/coopdigest/digest/server"
	"github.com/coopdigest/digest/watch"
)

// unbuilt answers for serve --watch while it has no site to serve: its
// first build is under way, or failed with no site built before. Every
// path is 503 with a page that says so (/healthz and /readyz with a
// line), shows the problems of a failed build as the live-reload events
// tell them, and reloads itself once the site is served; the live-reload
// endpoints work as beside the site. A
// browser opened on the address waits with something to read, not on a
// connection that nothing answers.
type unbuilt struct {
	srv  *http.Server
	addr string
	done chan struct{}
}

// serveUnbuilt starts answering on ln, with live serving /_digest/, with
// the limits of the site's server; its errors go to log.
func serveUnbuilt(ln net.Listener, w *watch.Watcher, log *slog.Logger) *unbuilt {
	mux := http.NewServeMux()
	mux.Handle("/_digest/", w.Handler())
	why := func() string {
		if n := w.Problems(); n > 0 {
			return fmt.Sprintf("its build failed with %d problem(s), which the terminal lists; it builds again at the next save", n)
		}
		return "its first build is under way"
	}
	// The monitors' endpoints answer in a line, as the site's server does.
	for path, answer := range map[string]string{"/healthz": "unavailable", "/readyz": "not ready"} {
		mux.HandleFunc(path, func(rw http.ResponseWriter, r *http.Request) {
			h := rw.Header()
			h.Set("Content-Type", "text/plain; charset=utf-8")
			h.Set("Cache-Control", "no-store")
			rw.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(rw, answer+": no site yet: "+why()+"\n")
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Retry-After", "1")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			// A program calling the API reads JSON, as the API's other
			// errors are.
			h.Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			body, _ := json.Marshal(map[string]string{"error": "no site yet: " + why()})
			w.Write(append(body, '\n'))
			return
		}
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, unbuiltPage)
	})
	u := &unbuilt{
		srv:  server.NewHTTPServer(mux, log),
		addr: ln.Addr().String(),
		done: make(chan struct{}),
	}
	go func() {
		u.srv.Serve(ln)
		close(u.done)
	}()
	return u
}

// stop stops answering: it closes the listener and cuts the connections
// open, the pages' event streams among them.
func (u *unbuilt) stop() {
	u.srv.Close()
	<-u.done
}

// handOver stops answering and returns a new listener on the same address,
// for the site's server. The page polls until it gets something else than
// 503 (a request between the two listeners fails, and it polls again), so
// that it reloads once, onto the site.
func (u *unbuilt) handOver() (net.Listener, error) {
	u.stop()
	return net.Listen("tcp", u.addr)
}

// unbuiltPage is the page of every path while nothing is built. It
// listens to the live-reload events for the problems of a failed build,
// and polls for the site.
const unbuiltPage = `<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Сайт собирается</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:48em;margin:15vh auto 0;padding:0 1em;color:#222}
pre{white-space:pre-wrap;background:#2b0b0b;color:#ffe9e9;padding:1em;font:14px/1.5 ui-monospace,monospace}
</style>
</head>
<body>
<h1 id="title">Сайт собирается</h1>
<p id="building">Страница обновится сама, как только сборка закончится.</p>
<noscript><p>Без JavaScript страница не обновится сама и не покажет ошибки сборки: их печатает терминал, где запущен digest serve. Обновите страницу, когда сборка закончится.</p></noscript>
<div id="failed" hidden>
<p>Исправьте ошибки и сохраните файл: страница обновится сама, как только сайт соберётся.</p>
<pre id="problems"></pre>
</div>
<script>
(function () {
  "use strict";
  var events = new EventSource("/_digest/events");
  events.addEventListener("error", function (e) {
    if (typeof e.data !== "string") return; // the connection dropped
    document.getElementById("title").textContent = "Сборка не удалась";
    document.getElementById("problems").textContent = e.data;
    document.getElementById("failed").hidden = false;
    document.getElementById("building").hidden = true;
  });
  setInterval(function () {
    fetch(location.href, {method: "HEAD", cache: "no-store"}).then(function (r) {
      if (r.status !== 503) location.reload();
    }, function () {});
  }, 1000);
})();
</script>
</body>
</html>
`
