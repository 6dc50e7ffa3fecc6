package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/coopdigest/digest/build"
	"github.com/coopdigest/digest/search"
	"github.com/coopdigest/digest/server"
	"github.com/coopdigest/digest/templates"
	"github.com/coopdigest/digest/watch"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "[-s SITE] [-d OUT] [--addr HOST:PORT] [--watch [--drafts]]", stderr)
	site := fs.String("s", ".", "site folder: its templates/ override the search page's; with --watch, its content/ is built")
	out := fs.String("d", "", "built site to serve (default SITE/public); it holds everything search needs")
	addr := fs.String("addr", "localhost:8080", "address to listen on")
	verbose := fs.Bool("v", false, "log every request")
	watching := fs.Bool("watch", false, "rebuild the site when its sources change and reload open pages")
	drafts := fs.Bool("drafts", false, "with --watch, publish notes marked draft: true")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("serve takes no arguments, got %q", fs.Args())}
	}
	// The site's templates apply when the site is named, or when OUT is
	// the site's own; a built OUT given alone is served with the defaults.
	siteTemplates := *watching || *out == "" || flagSet(fs, "s")
	if *out == "" {
		*out = filepath.Join(*site, "public")
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	// --watch: build now and on every change; pages reload after each build.
	var (
		routes map[string]http.Handler
		mu     sync.Mutex
		sh     *search.Handler // nil until the server exists
		cur    *search.Index   // the index sh searches
	)
	if *watching {
		var w *watch.Watcher
		w, err := watch.New(watch.Config{
			Site: *site, Out: *out, Drafts: *drafts, Logger: log, Stderr: stderr,
			// The watcher's builds update the index in place; the handler
			// searches that same index, so it sees each update at once.
			OpenIndex: func(dir string) (build.Index, error) { return search.OpenWritable(dir) },
			OnBuild: func(res *build.Result) {
				if !res.Full {
					return
				}
				// A full build wrote a new index: search it from now on.
				mu.Lock()
				defer mu.Unlock()
				ix, ok := w.Index().(*search.Index)
				if sh == nil || !ok || ix == cur {
					return // the first build: the server is made with it below
				}
				if old := sh.SetIndex(ix); old != nil && old != ix {
					old.Close()
				}
				cur = ix
			},
		})
		if err != nil {
			return err
		}
		runErr := make(chan error, 1)
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		go func() { runErr <- w.Run(ctx) }()
		defer func() {
			if err := <-runErr; err != nil {
				log.Error("watch", "err", err)
			}
		}()
		defer cancel() // runs first: stops Run, then the defer above waits for it
		select {
		case <-w.Built():
		case <-ctx.Done():
			return nil
		}
		routes = map[string]http.Handler{"GET /_digest/": w.Handler()}
		if ix, ok := w.Index().(*search.Index); ok {
			cur = ix
		}
	}

	tmplSite := ""
	if siteTemplates {
		tmplSite = *site
	}
	mu.Lock()
	serveGC()
	srv, ix, h, err := newSiteServer(*site, *out, tmplSite, log, routes, cur, spareProcessor())
	if err != nil {
		mu.Unlock()
		return err
	}
	sh, cur = h, ix
	mu.Unlock()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		sh.Index().Close()
	}()
	if !*watching {
		// A build that swaps a new OUT in is served within a second.
		go sh.Follow(ctx, filepath.Join(*out, search.DirName), followInterval, log)
	}
	srv.Addr = *addr
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("digest serve: %w", err)
	}
	status, err := sh.Status(ctx)
	if err != nil {
		return fmt.Errorf("digest serve: %w", err)
	}
	fmt.Fprintf(stderr, "serving %s at http://%s (%s)\n", *out, ln.Addr(), status)
	return serveUntilDone(ctx, srv, ln)
}

// serveGC makes the server collect garbage half as often as Go's default,
// unless GOGC says otherwise: a search makes much short-lived garbage (the
// matches of bleve's searchers, stored documents, highlights), collecting
// it was a large part of a search's processor time (docs/BENCHMARKS.md),
// and the heap it lets grow
// is small beside the index. It does so once per process.
var serveGC = sync.OnceFunc(func() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
})

// spareProcessor gives the process one processor more than searches may
// use at once, and returns how many they may: GOMAXPROCS as it was. The Go
// scheduler looks at the network when a processor runs out of work, or
// every 10 ms: with every processor searching under load, requests were
// read and answers sent in batches, and the slowest answers took four
// times the median (twice with the spare one). GOMAXPROCS in the
// environment is left as it is. It does so once per process, however many
// times serve runs in it (tests), so that builds keep their workers.
var spareProcessor = sync.OnceValue(func() (turns int) {
	turns = runtime.GOMAXPROCS(0)
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(turns + 1)
	}
	return turns
})

// followInterval is how often serve looks for a rebuilt OUT.
const followInterval = 500 * time.Millisecond

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// newSiteServer checks that out holds a built site with its index and
// returns a server for it, not yet listening, and the index it searches:
// ix when given, otherwise out's index opened read-only. The search page is
// rendered with the templates of tmplSite, when not empty, over the
// embedded ones. site only names the site in hints. turns is how many
// searches run at once (0: GOMAXPROCS).
func newSiteServer(site, out, tmplSite string, log *slog.Logger, routes map[string]http.Handler, ix *search.Index, turns int) (*http.Server, *search.Index, *search.Handler, error) {
	st, err := os.Stat(out)
	switch {
	case err != nil && errors.Is(err, os.ErrNotExist):
		return nil, nil, nil, fmt.Errorf("digest serve: %s: no built site; run `digest build -s %s -o %s` first", out, site, out)
	case err != nil:
		return nil, nil, nil, fmt.Errorf("digest serve: %w", err)
	case !st.IsDir():
		return nil, nil, nil, fmt.Errorf("digest serve: %s is not a folder", out)
	}
	if ix == nil {
		ix, err = search.Open(filepath.Join(out, search.DirName))
		if errors.Is(err, search.ErrNoIndex) {
			return nil, nil, nil, fmt.Errorf("digest serve: %v; run `digest build -s %s -o %s` first", err, site, out)
		}
		if err != nil {
			return nil, nil, nil, fmt.Errorf("digest serve: %w; run `digest build -s %s -o %s` to rebuild it", err, site, out)
		}
	}
	tmpl, err := templates.Load(nil)
	if tmplSite != "" {
		tmpl, err = build.LoadTemplates(tmplSite)
	}
	if err != nil {
		ix.Close()
		return nil, nil, nil, err
	}
	sh, err := search.NewHandler(ix, search.HandlerConfig{Templates: tmpl, Logger: log, Turns: turns})
	if err != nil {
		ix.Close()
		return nil, nil, nil, err
	}
	h, err := server.New(server.Config{Out: out, Search: sh, Health: sh.Status, Routes: routes, Logger: log})
	if err != nil {
		ix.Close()
		return nil, nil, nil, err
	}
	return server.NewHTTPServer(h, log), ix, sh, nil
}

// serveUntilDone serves on ln until ctx is cancelled, then shuts down,
// letting requests under way finish for a few seconds.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("digest serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("digest serve: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("digest serve: %w", err)
	}
	return nil
}
