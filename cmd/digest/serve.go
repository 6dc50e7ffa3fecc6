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
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/coopdigest/digest/build"
	"github.com/coopdigest/digest/deploy"
	"github.com/coopdigest/digest/search"
	"github.com/coopdigest/digest/searchpage"
	"github.com/coopdigest/digest/server"
	"github.com/coopdigest/digest/watch"
)

const serveSynopsis = `[-s SITE] [-d OUT] [--addr HOST:PORT] [--watch [--drafts]]
       digest serve --search-only [-d OUT | --index URL [--index-prefix P] [--poll D] [--index-dir DIR]] [--search-origins O,…]

Operations: /healthz (alive), /readyz (index open and answering; 503 while
draining), /metrics (Prometheus). On SIGTERM serve reports not ready, goes on
answering for --drain, then finishes the requests in flight and exits.`

// serveOptions are serve's flags, checked.
type serveOptions struct {
	site, out, addr  string
	watching, drafts bool
	searchOnly       bool
	// origins are those of --search-origins; originsSet says the flag was
	// given, so that site.yaml's are not used.
	origins                 []string
	originsSet              bool
	logFormat               string
	accessLog               bool
	verbose                 bool
	proxies                 []netip.Prefix
	maxSearches, maxWaiting int
	maxConns                int
	grace, shutdownTimeout  time.Duration
	// indexURL is the bucket to fetch the index from; poll how often to
	// look for a newer one; indexDir where copies are kept ("" for a
	// temporary folder).
	indexURL, indexDir string
	indexPrefix        string
	poll               time.Duration
}

// parseServe reads serve's flags; a bad value is a usageError naming its
// flag.
func parseServe(args []string, stdout, stderr io.Writer) (serveOptions, error) {
	var o serveOptions
	fs := newFlags("serve", serveSynopsis, stdout, stderr)
	fs.StringVar(&o.site, "s", ".", "site folder, for the default of -d; with --watch, its content/ and templates/ are built as they change (without, the search page has the templates OUT was built with)")
	fs.StringVar(&o.out, "d", "", "built site to serve (default SITE/public); it holds everything search needs")
	fs.StringVar(&o.addr, "addr", "localhost:8080", "address to listen on")
	fs.BoolVar(&o.verbose, "v", false, "log every request (as --access-log), and, with --watch, each change and build step")
	fs.BoolVar(&o.accessLog, "access-log", false, "log every request: method, route, path, status, bytes, duration, client")
	fs.StringVar(&o.logFormat, "log-format", "text", "log lines as text or json")
	fs.BoolVar(&o.watching, "watch", false, "rebuild the site when its sources change and reload open pages")
	fs.BoolVar(&o.drafts, "drafts", false, "with --watch, publish notes marked draft: true")
	fs.BoolVar(&o.searchOnly, "search-only", false, "serve only /search, /api/search, /search.atom, /healthz, /readyz and /metrics, for a site whose pages are served elsewhere")
	origins := fs.String("search-origins", "", "origins whose pages may call the search from a browser (CORS), comma-separated, such as https://digest.example.org; * for any (default: site.yaml's search_origins)")
	proxies := fs.String("trusted-proxies", "", "proxies whose X-Forwarded-For the access log believes: IP addresses and CIDR prefixes, comma-separated")
	fs.IntVar(&o.maxSearches, "max-searches", 0, "searches run at once (0: one per processor)")
	fs.IntVar(&o.maxWaiting, "max-waiting", 0, "searches that may wait for a turn before more get 503 and Retry-After (0: 4 per search run at once; -1: none)")
	fs.IntVar(&o.maxConns, "max-conns", server.DefaultMaxConns, "connections held open at once; more wait for one to close (-1: no limit)")
	fs.DurationVar(&o.grace, "drain", 0, "on SIGTERM, report not ready and go on answering this long before shutting down: the load balancer's check interval times its fall count")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", server.DefaultShutdownTimeout, "on SIGTERM, how long the requests in flight may take to finish")
	fs.StringVar(&o.indexURL, "index", "", "with --search-only, fetch the index from the bucket at `URL` that digest deploy published it to (s3://, gs://, azblob://, file://), instead of OUT")
	fs.StringVar(&o.indexPrefix, "index-prefix", deploy.DefaultIndexPrefix, "with --index, where in the bucket the index is: digest deploy's --index-prefix")
	fs.DurationVar(&o.poll, "poll", time.Minute, "with --index, how often to look for a newer version (at least 100ms)")
	fs.StringVar(&o.indexDir, "index-dir", "", "with --index, the folder to keep its copies in, reused after a restart (default: a temporary folder, removed on exit)")
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, usageError{fmt.Sprintf("serve takes no arguments, got %q", fs.Args())}
	}
	bad := func(flag, format string, a ...any) (serveOptions, error) {
		dashes := "--"
		if len(flag) == 1 {
			dashes = "-" // -s, -d
		}
		return o, usageError{"serve: " + dashes + flag + ": " + fmt.Sprintf(format, a...)}
	}
	indexOnly := firstSet(fs, "poll", "index-dir", "index-prefix") // the flags of --index
	switch {
	case o.site == "":
		return bad("s", "give the site folder, or leave -s out for the current one")
	case o.out == "" && flagSet(fs, "d"):
		return bad("d", "give the built site's folder, or leave -d out for SITE/public")
	case o.logFormat != "text" && o.logFormat != "json":
		return bad("log-format", "%q is neither text nor json", o.logFormat)
	case o.watching && o.searchOnly:
		return bad("watch", "cannot go with --search-only: --watch serves the pages it builds")
	case o.drafts && !o.watching:
		return bad("drafts", "only with --watch")
	case o.maxSearches < 0:
		return bad("max-searches", "%d: give 1 or more, or 0 for one per processor", o.maxSearches)
	case o.maxWaiting < -1:
		return bad("max-waiting", "%d: give 0 or more, or -1 for none", o.maxWaiting)
	case o.maxConns < -1 || o.maxConns == 0:
		return bad("max-conns", "%d: give 1 or more, or -1 for no limit", o.maxConns)
	case o.grace < 0:
		return bad("drain", "%v: must not be negative", o.grace)
	case o.shutdownTimeout <= 0:
		return bad("shutdown-timeout", "%v: must be more than 0", o.shutdownTimeout)
	case flagSet(fs, "index") && strings.TrimSpace(o.indexURL) == "":
		return bad("index", "empty: give the URL of the bucket that digest deploy published the index to")
	case o.indexURL != "" && !o.searchOnly:
		return bad("index", "only with --search-only: the pages are not in the index's bucket")
	case o.indexURL != "" && flagSet(fs, "d"):
		return bad("index", "cannot go with -d: the index comes from one or the other")
	case o.indexURL == "" && indexOnly != "":
		return bad(indexOnly, "only with --index")
	case o.poll < minPoll:
		// Each look reads the pointer, a request that buckets bill: a
		// mistyped unit (1ms, 1us) would read it thousands of times a
		// second.
		return bad("poll", "%v: must be at least %v; a minute is enough for most sites", o.poll, minPoll)
	}
	if _, port, err := net.SplitHostPort(o.addr); err != nil {
		return bad("addr", "%s: %v; give HOST:PORT, such as localhost:8080 or :8080", o.addr, strings.TrimPrefix(err.Error(), "address "+o.addr+": "))
	} else if _, err := net.LookupPort("tcp", port); err != nil {
		return bad("addr", "%s: port %q is not a port number from 0 to 65535", o.addr, port)
	}
	var err error
	if o.proxies, err = server.ParseProxies(*proxies); err != nil {
		return bad("trusted-proxies", "%v", strings.TrimPrefix(err.Error(), "trusted proxies: "))
	}
	if o.originsSet = flagSet(fs, "search-origins"); o.originsSet {
		for f := range strings.SplitSeq(*origins, ",") {
			if f = strings.TrimSpace(f); f != "" {
				o.origins = append(o.origins, f)
			}
		}
		// The server's own check, on a server that reads nothing.
		if _, err := server.New(server.Config{SearchOnly: true, Search: http.NotFoundHandler(), Origins: o.origins}); err != nil {
			return bad("search-origins", "%v", strings.TrimPrefix(err.Error(), "server: Origins: "))
		}
	}
	o.accessLog = o.accessLog || o.verbose
	if o.out == "" {
		o.out = filepath.Join(o.site, "public")
	}
	return o, nil
}

// minPoll is the shortest --poll.
const minPoll = 100 * time.Millisecond

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseServe(args, stdout, stderr)
	if err != nil {
		return err
	}
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if o.verbose {
		opts.Level = slog.LevelDebug
	}
	var handler slog.Handler = slog.NewTextHandler(stderr, opts)
	if o.logFormat == "json" {
		handler = slog.NewJSONHandler(stderr, opts)
	}
	log := slog.New(handler)
	// The address is taken first: a port in use fails before a build.
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("digest serve: --addr %s: %w", o.addr, err)
	}
	defer ln.Close() // closed by the server when it serves

	// --watch: build now and on every change; pages reload after each build.
	var (
		routes map[string]http.Handler
		mu     sync.Mutex
		sh     *search.Handler     // nil until the server exists
		page   *searchpage.Handler // the results page of sh
		cur    *search.Index       // the index sh searches
		// built is the index of a build of --watch that ended before the
		// server was made, which takes it.
		built *search.Index
	)
	if o.watching {
		var w *watch.Watcher
		good := make(chan struct{}) // closed by the first build that succeeds
		var goodOnce sync.Once
		w, err := watch.New(watch.Config{
			Site: o.site, Out: o.out, Drafts: o.drafts, Logger: log, Stderr: stderr,
			// The watcher's builds update the index in place; the handler
			// searches that same index, so it sees each update at once.
			OpenIndex: func(dir string) (build.Index, error) { return search.OpenWritable(dir) },
			// A bulk change is a full build, kept to a build's memory
			// budget; the collector's goal stays the server's.
			BuildMemory: func() func() { return followMemory(-1) },
			// Live-reload streams leave most connections to requests.
			MaxStreams: streamsFor(o.maxConns),
			OnBuild: func(res *build.Result) {
				mu.Lock()
				defer mu.Unlock()
				// Once built says what the server is to take.
				defer goodOnce.Do(func() { close(good) })
				// The search page takes the site's templates as they are
				// now: a changed stylesheet has a new fingerprint.
				if page != nil {
					if t, err := build.LoadTemplates(o.site); err == nil {
						if err := page.SetTemplates(t); err != nil {
							log.Warn("search page templates", "err", err)
						}
					}
				}
				if !res.Full {
					return
				}
				// A full build wrote a new index: search it from now on.
				ix, ok := w.Index().(*search.Index)
				switch {
				case !ok || ix == cur:
				case sh == nil:
					built = ix
				default:
					swapIndex(sh, ix)
					cur = ix
				}
			},
		})
		if err != nil {
			return err
		}
		// A site built before is served while the first build runs, as
		// after one that fails, and the build's OnBuild swaps its index in:
		// a restart does not take the site down for a build's time. The
		// watcher holds OUT from watch.New on: no other process replaces it.
		old := openBuilt(ctx, o.out, o.drafts, log)
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
		routes = map[string]http.Handler{"GET /_digest/": w.Handler()}
		if old != nil {
			cur = old
			log.Info("building the site; meanwhile the site built before is served", "out", o.out)
		} else {
			// Until there is a site to serve, every page says why.
			u := serveUnbuilt(ln, w, log)
			log.Info("building the site; meanwhile the address says so", "url", "http://"+ln.Addr().String())
			select {
			case <-w.Built():
			case <-ctx.Done():
				u.stop()
				return nil
			}
			if w.Index() == nil {
				// The first build failed, and there is no site from before to
				// serve: the editor fixes the problems printed, and the site
				// is served from the first build that succeeds.
				log.Warn("nothing to serve until a build succeeds: fix the problems above and save; meanwhile every page shows them",
					"out", o.out, "url", "http://"+ln.Addr().String())
				select {
				case <-good:
				case <-ctx.Done():
					u.stop()
					return nil
				}
			}
			if ln, err = u.handOver(); err != nil {
				return fmt.Errorf("digest serve: --addr %s: %w", o.addr, err)
			}
			defer ln.Close() // closed by the server when it serves
		}
	}

	// --index: the index comes from a bucket, and newer versions after it.
	var (
		fetcher *deploy.Fetcher
		version = newIndexVersion()
	)
	if o.indexURL != "" {
		dir := o.indexDir
		if dir == "" {
			if dir, err = os.MkdirTemp("", "digest-index-"); err != nil {
				return fmt.Errorf("digest serve: %w", err)
			}
			defer os.RemoveAll(dir)
		}
		fetcher, cur, err = fetchIndex(ctx, o.indexURL, o.indexPrefix, dir, log, version)
		if err != nil {
			return err
		}
		defer fetcher.Close()
	}

	mu.Lock()
	// The search page looks like the pages: under --watch it follows the
	// site's templates as they are saved, from the first build that
	// succeeds on (before, the site built before is served, with the
	// templates its build copied, whose stylesheet it has); otherwise it
	// takes those the build of the index served copied beside it, with
	// every new index.
	tmplSite := ""
	if o.watching && (cur == nil || built != nil) {
		tmplSite = o.site
	}
	if cur == nil {
		// The first build's index, when nothing was served during it.
		cur, built = built, nil
	}
	if !o.watching && fetcher == nil {
		if live, err := build.HasLive(o.out); err == nil && live {
			log.Warn("the site was built by digest serve --watch for editing: its pages load /_digest/live.js, which only serve --watch answers; run digest build to publish it", "out", o.out)
		}
	}
	serveGC()
	if o.maxSearches == 0 {
		o.maxSearches = spareProcessor()
	}
	sv, err := newServer(o, tmplSite, log, routes, cur, version)
	if err != nil {
		mu.Unlock()
		return err
	}
	sh, page, cur = sv.search, sv.page, sv.index
	if built != nil && built != cur {
		// The first build ended while the site built before was served.
		swapIndex(sh, built)
		cur = built
	}
	mu.Unlock()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		sh.Index().Close()
	}()
	switch {
	case fetcher != nil:
		pctx, stop := context.WithCancel(ctx)
		polled := make(chan struct{})
		go func() { pollIndex(pctx, fetcher, sh, o.poll, log, version, sv.indexTemplates); close(polled) }()
		// Runs first: no index is swapped in after the one served is closed.
		defer func() { stop(); <-polled }()
	case !o.watching:
		// A build that swaps a new OUT in is served within a second.
		fctx, stop := context.WithCancel(ctx)
		followed := make(chan struct{})
		go func() { followIndex(fctx, sh, followInterval, log, sv.indexTemplates); close(followed) }()
		// Runs first: no index is swapped in after the one served is closed.
		defer func() { stop(); <-followed }()
	}
	sv.http.Addr = o.addr
	status, err := sh.Status(ctx)
	if err != nil {
		return fmt.Errorf("digest serve: %w", err)
	}
	what := o.out
	switch {
	case o.indexURL != "":
		what = "the search of " + o.indexURL
	case o.searchOnly:
		what = "the search of " + o.out
	}
	fmt.Fprintf(stderr, "serving %s at http://%s (%s)\n", what, ln.Addr(), status)
	if err := sv.server.Serve(ctx, sv.http, ln); err != nil {
		return fmt.Errorf("digest serve: %w", err)
	}
	return nil
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

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// firstSet returns the first of names given on the command line, or "".
func firstSet(fs *flag.FlagSet, names ...string) string {
	for _, name := range names {
		if flagSet(fs, name) {
			return name
		}
	}
	return ""
}

// newSiteServer is newServer for a site's OUT with serve's defaults.
func newSiteServer(site, out, tmplSite string, log *slog.Logger, routes map[string]http.Handler, ix *search.Index, turns int) (*http.Server, *search.Index, *search.Handler, error) {
	o := serveOptions{site: site, out: out, maxSearches: turns, shutdownTimeout: server.DefaultShutdownTimeout}
	sv, err := newServer(o, tmplSite, log, routes, ix, newIndexVersion())
	if err != nil {
		return nil, nil, nil, err
	}
	return sv.http, sv.index, sv.search, nil
}

// indexTemplates gives the results page the templates that the build of
// ix copied beside it, the site's own over the embedded ones
// (search.SiteDir): the search page of an OUT or a replica served alone
// looks like the pages of that build and links its stylesheet.
func (sv *served) indexTemplates(ix *search.Index) {
	t, err := build.LoadTemplates(search.SiteDir(ix.Dir()))
	if err == nil && t.Version("search.html") != sv.tmplVersion {
		// Only templates that changed: a change forgets the cached pages.
		if err = sv.page.SetTemplates(t); err == nil {
			sv.tmplVersion = t.Version("search.html")
		}
	}
	if err != nil {
		sv.log.Warn("search page: the templates of a new index", "dir", ix.Dir(), "err", err)
	}
}

// served is what newServer makes for `digest serve`.
type served struct {
	http   *http.Server        // the server, not yet listening
	server *server.Server      // what it serves
	index  *search.Index       // the index searched
	search *search.Handler     // its search handler
	page   *searchpage.Handler // the handler's results page
	log    *slog.Logger
	// tmplVersion is the version of the results page's templates (see
	// templates.Set.Version), set by newServer and indexTemplates.
	tmplVersion uint64
}

// newServer checks that OUT holds a built site with its index, unless the
// index ix is given, and makes a server for it as o says, searching ix, or
// OUT's index opened read-only. The results page is rendered with the
// templates of tmplSite over the embedded ones; when tmplSite is empty,
// with those the index's build copied (see indexTemplates). o.site only
// names the site in hints.
func newServer(o serveOptions, tmplSite string, log *slog.Logger, routes map[string]http.Handler, ix *search.Index, version *indexVersion) (*served, error) {
	site, out := o.site, o.out
	if ix == nil {
		st, err := os.Stat(out)
		switch {
		case err != nil && errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("digest serve: %s: no built site; run %s first", out, buildHint(site, out))
		case err != nil:
			return nil, fmt.Errorf("digest serve: %w", err)
		case !st.IsDir():
			return nil, fmt.Errorf("digest serve: %s is not a folder", out)
		}
		ix, err = search.Open(filepath.Join(out, search.DirName))
		if errors.Is(err, search.ErrNoIndex) {
			return nil, fmt.Errorf("digest serve: %v; run %s first", err, buildHint(site, out))
		}
		if errors.Is(err, search.ErrLocked) {
			return nil, fmt.Errorf("digest serve: %w; stop it, or serve a copy of %s", err, out)
		}
		if err != nil {
			return nil, fmt.Errorf("digest serve: %w; run %s to rebuild it", err, buildHint(site, out))
		}
	}
	fail := func(err error) (*served, error) {
		ix.Close()
		return nil, err
	}
	copied := search.SiteDir(ix.Dir()) // the templates the index's build copied
	if tmplSite == "" {
		tmplSite = copied
	}
	tmpl, err := build.LoadTemplates(tmplSite)
	if err != nil && o.watching && tmplSite != copied {
		// The site's templates are broken, as the watcher has said: the
		// results page takes those of the site served until a build
		// succeeds, and then the site's again.
		tmpl, err = build.LoadTemplates(copied)
	}
	if err != nil {
		return fail(err)
	}
	// The server's queue is the one bound on searches; the handler's own
	// turns are as many, so that a search let in never waits again.
	sh, err := search.NewHandler(ix, search.HandlerConfig{Logger: log, Turns: o.maxSearches})
	if err != nil {
		return fail(err)
	}
	page, err := searchpage.New(sh, searchpage.Config{Templates: tmpl, Logger: log, Live: o.watching})
	if err != nil {
		return fail(err)
	}
	// The page and the JSON share the handler's cache of answers and its
	// turns.
	searches := http.NewServeMux()
	searches.Handle("/search", page)
	searches.Handle("/api/search", sh)
	origins := o.origins
	if !o.originsSet {
		origins = ix.Site().Settings.SearchOrigins
	}
	reg := prometheus.NewRegistry()
	cfg := server.Config{
		Search: searches, SearchFeed: searchFeed{sh}, SearchOnly: o.searchOnly, Origins: origins,
		MaxSearches: o.maxSearches, MaxWaiting: o.maxWaiting, MaxConns: o.maxConns,
		Health: sh.Status,
		// Status runs a query on the index: it is open and answering.
		Ready:   func(ctx context.Context) error { _, err := sh.Status(ctx); return err },
		Routes:  routes,
		Metrics: reg, TrustedProxies: o.proxies,
		Grace: o.grace, ShutdownTimeout: o.shutdownTimeout,
		Logger: log,
	}
	if !o.searchOnly {
		cfg.Out = out
	}
	if !o.originsSet {
		// A rebuilt site's settings come with its index.
		cfg.OriginsNow = func() []string { return sh.Index().Site().Settings.SearchOrigins }
	}
	if o.accessLog {
		cfg.AccessLog = log
	}
	s, err := server.New(cfg)
	if err != nil {
		if strings.Contains(err.Error(), "Origins") {
			err = fmt.Errorf("%w (from search_origins in the site's site.yaml)", err)
		}
		return fail(fmt.Errorf("digest serve: %w", err))
	}
	if err := reg.Register(newSearchCollector(sh, version)); err != nil {
		return fail(fmt.Errorf("digest serve: metrics: %w", err))
	}
	return &served{http: server.NewHTTPServer(s, log), server: s, index: ix, search: sh, page: page, log: log, tmplVersion: tmpl.Version("search.html")}, nil
}

// swapIndex makes sh search ix from now on, and closes the index it
// searched once that index's searches finish.
func swapIndex(sh *search.Handler, ix *search.Index) {
	if old := sh.SetIndex(ix); old != nil && old != ix {
		old.Close()
	}
}

// openBuilt opens OUT's index read-only when OUT holds one that answers a
// search (checkBuilt) and publishes drafts only when drafts may be; nil
// otherwise. An index that fails, as a damaged one does, is logged and
// closed: the site is then served from the first build that succeeds.
func openBuilt(ctx context.Context, out string, drafts bool, log *slog.Logger) *search.Index {
	dir := filepath.Join(out, search.DirName)
	if has, err := build.HasDrafts(out); err != nil || has && !drafts || !search.IsIndex(dir) {
		return nil
	}
	ix, err := checkBuilt(ctx, dir)
	if err != nil {
		log.Warn("the site built before is not served while the site is built: its search index fails", "dir", dir, "err", err)
		return nil
	}
	return ix
}

// checkBuilt opens the index in dir read-only and runs the search of the
// results page without words, which reads the facets of every note and
// the stored fields of a page of them. A panic on damaged files, in the
// open or the search, is an error too; the index is closed on any error.
func checkBuilt(ctx context.Context, dir string) (ix *search.Index, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("search index %s: panic: %v", dir, v)
		}
		if err != nil && ix != nil {
			ix.Close()
			ix = nil
		}
	}()
	if ix, err = search.Open(dir); err != nil {
		return nil, err
	}
	_, err = ix.Search(ctx, search.Query{PerPage: search.MaxPerPage})
	return ix, err
}

// streamsFor is how many live-reload streams serve --watch keeps open
// with maxConns connections at once (-1: no limit): at most half of them.
func streamsFor(maxConns int) int {
	if maxConns < 0 {
		return watch.DefaultMaxStreams
	}
	return max(1, min(watch.DefaultMaxStreams, maxConns/2))
}
