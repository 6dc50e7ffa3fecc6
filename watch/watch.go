// Package watch rebuilds a site when its sources change and tells open pages
// to reload.
//
// A Watcher builds the site once, then watches SITE/content and
// SITE/templates (recursively) and rebuilds, a short quiet period after the
// last change, whenever a file there is written, created, renamed or
// removed. Builds are atomic (see package build): while the source is
// broken the last good output stays served, the problems are printed one per
// line, and open pages show them in an overlay. Pages learn about builds
// through the server-sent events of Handler; they are built with
// build.Config.Live, so every page loads the script that listens to them.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/coopdigest/digest/build"
	"github.com/coopdigest/digest/source"
)

// DefaultDebounce is the quiet period after a change before a rebuild starts,
// when Config.Debounce is zero: the events of an editor's save (write,
// rename, chmod) come within a millisecond or two, and the quiet period is
// part of what an editor waits for. Changes that come during a rebuild
// make one more.
const DefaultDebounce = 10 * time.Millisecond

// holdFailure is how long a failed rebuild's problems wait before they are
// shown: a save that truncates the file and writes it after a pause (a
// slow disk, a script's redirection) is read half written, and the
// rebuild after the write is done makes the problems void. A problem that
// stays is shown that much later.
const holdFailure = 250 * time.Millisecond

// maxWaitFactor bounds how long a stream of changes that never pauses can
// postpone a rebuild: maxWaitFactor quiet periods, at least a second.
const maxWaitFactor = 10

// Config says what to build and whom to tell.
type Config struct {
	// Site is the folder holding content/ and, optionally, templates/.
	Site string
	// Out is where the site is written; SITE/public when empty. Each full
	// build replaces it whole, so it must be missing, empty or an output of
	// digest, and neither hold the site nor lie inside its sources (see
	// build.CheckOut).
	Out string
	// Drafts publishes notes marked draft: true.
	Drafts bool
	// Logger receives a line per build and diagnostics; nil discards them.
	Logger *slog.Logger
	// Stderr receives the problems of a failed build, one per line
	// (path:line:col: message); nil discards them.
	Stderr io.Writer
	// Debounce is the quiet period after a change before a rebuild starts,
	// so that a burst of saves makes one rebuild; DefaultDebounce when zero.
	Debounce time.Duration
	// OnBuild, when set, is called after each successful build, the first
	// included, before pages are told to reload. The caller reopens the
	// search index here. It runs on Run's goroutine: the next build waits
	// for it.
	OnBuild func(res *build.Result)
	// OpenIndex, when set, opens the search index after each full build for
	// updates in place (search.OpenWritable); incremental builds then update
	// only the changed notes' documents. Without it every change rebuilds
	// the index. See build.Session.
	OpenIndex func(dir string) (build.Index, error)
	// BuildMemory, when set, is called as each build starts, and what it
	// returns as it ends: the command's policy for a build's memory,
	// which a server's is not.
	BuildMemory func() (done func())
	// MaxStreams is how many live-reload event streams may be open at once,
	// DefaultMaxStreams when zero: each holds a connection for as long as
	// its page is open, and a client that opened many would take every
	// connection the server allows.
	MaxStreams int
}

// DefaultMaxStreams is Config.MaxStreams when it is zero.
const DefaultMaxStreams = 128

// Watcher rebuilds a site when its sources change. Its Handler tells pages
// about builds. Create one with New; Run it once.
type Watcher struct {
	cfg      Config
	out      string
	log      *slog.Logger
	stderr   io.Writer
	debounce time.Duration

	running atomic.Bool
	streams atomic.Int64  // event streams open (serveEvents)
	built   chan struct{} // closed when the first build is over
	done    chan struct{} // closed when Run returns

	// session builds the site; pending are the paths changed since the last
	// good build, everything that a change may have been missed. Only Run's
	// goroutine touches them.
	session    *build.Session
	pending    map[string]bool
	everything bool
	// arrived are the folders created or moved into the site since the
	// last rebuild, which is when they are watched again (see relevant).
	arrived map[string]bool
	// links are, by the file a symbolic link of the site leads to, the
	// links to it: a change of the file is a change of each (see follow).
	// linkDirs are the folders outside the watched trees that are watched
	// for such files alone.
	links    map[string][]string
	linkDirs map[string]bool
	// treeLinks are, by the folder a symbolic link of the site leads to,
	// the link: content/ itself, or content/taxonomy, may be a link to a
	// folder, whose changes are changes of the paths through the link
	// (see linkTree).
	treeLinks map[string]string

	// nextDay returns a channel that delivers at the start of the next
	// day: the day is an input of every build (upcoming events), so a
	// new day rebuilds what it changes. A test replaces it.
	nextDay func() <-chan time.Time

	mu sync.Mutex
	st state
}

// state is what clients are told: the outcome of the latest build.
type state struct {
	gen     uint64        // builds finished so far
	problem string        // the latest build's problems, "" when it succeeded
	changed chan struct{} // closed, and replaced, at the next build
}

// New checks cfg and returns a Watcher for it.
func New(cfg Config) (*Watcher, error) {
	if cfg.Site == "" {
		return nil, errors.New("watch: no site folder")
	}
	if cfg.Debounce < 0 {
		return nil, fmt.Errorf("watch: negative debounce %v", cfg.Debounce)
	}
	w := &Watcher{
		cfg:      cfg,
		out:      build.Config{Site: cfg.Site, Out: cfg.Out}.OutDir(),
		log:      cfg.Logger,
		stderr:   cfg.Stderr,
		debounce: cfg.Debounce,
		built:    make(chan struct{}),
		done:     make(chan struct{}),
		st:       state{changed: make(chan struct{})},
		pending:  map[string]bool{},
		nextDay:  func() <-chan time.Time { return time.After(untilTomorrow(time.Now())) },
	}
	w.session = build.NewSession(build.Config{Site: cfg.Site, Out: cfg.Out, Drafts: cfg.Drafts, Logger: cfg.Logger, Live: true})
	w.session.OpenIndex = cfg.OpenIndex
	w.session.DeferData = true // written after the reload: see rebuild
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.stderr == nil {
		w.stderr = io.Discard
	}
	if w.debounce == 0 {
		w.debounce = DefaultDebounce
	}
	// Each full build replaces OUT whole: the same rules as digest build.
	// OUT is the watcher's from here on, until Run ends.
	if err := build.CheckOut(cfg.Site, w.out); err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	if err := w.session.Hold(); err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	return w, nil
}

// roots are the folders watched recursively.
func (w *Watcher) roots() []string {
	return []string{filepath.Join(w.cfg.Site, "content"), filepath.Join(w.cfg.Site, "templates")}
}

// Built returns a channel that is closed once Run's first build is over,
// whether it succeeded or not: from then on OUT holds a site unless that
// build failed and there was none before.
func (w *Watcher) Built() <-chan struct{} { return w.built }

// Index returns the search index the watcher keeps up to date, as
// Config.OpenIndex opened it after the latest full build, or nil.
func (w *Watcher) Index() build.Index { return w.session.Index() }

// Run builds the site once, then rebuilds it whenever its sources change,
// until ctx is done; it then returns nil. It returns an error only when it
// cannot watch the site. A failed build does not end it: its problems are
// printed to Config.Stderr and sent to the pages. Run may be called once.
func (w *Watcher) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return errors.New("watch: Run called twice")
	}
	defer close(w.done)
	// Once stopped, another process may build OUT (build.CheckOut).
	defer w.session.Close()
	builtOnce := sync.OnceFunc(func() { close(w.built) })
	defer builtOnce()

	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	defer fw.Close()
	// The site folder itself, for content/ or templates/ appearing later.
	if err := fw.Add(w.cfg.Site); err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	for _, root := range w.roots() {
		if err := w.addTree(fw, root); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("watch: %w", err)
		}
	}

	// Watching starts before the first build, so that no change is missed.
	if problems := w.rebuild(ctx, true); problems != nil {
		w.fail(problems, true)
	}
	builtOnce()

	timer := time.NewTimer(time.Hour)
	timer.Stop()
	// A failed rebuild's problems wait in held until hold fires, and are
	// dropped when a rebuild succeeds meanwhile (see holdFailure).
	hold := time.NewTimer(time.Hour)
	hold.Stop()
	var held []string
	rebuild := func() {
		problems := w.rebuild(ctx, false)
		if problems == nil {
			held = nil
			hold.Stop()
			return
		}
		if held == nil {
			hold.Reset(holdFailure)
		}
		held = problems
	}
	day := w.nextDay()
	var first time.Time // of the changes waiting for a rebuild; zero when none
	changed := func() {
		now := time.Now()
		if first.IsZero() {
			first = now
		}
		delay := w.debounce
		if deadline := first.Add(max(maxWaitFactor*w.debounce, time.Second)); now.Add(delay).After(deadline) {
			delay = max(deadline.Sub(now), 0)
		}
		timer.Reset(delay)
	}
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case ev, ok := <-fw.Events:
			if !ok {
				return errors.New("watch: file watcher closed")
			}
			if links := w.links[filepath.Clean(ev.Name)]; len(links) > 0 && ev.Op != fsnotify.Chmod {
				w.log.Debug("change of a file links lead to", "path", ev.Name, "op", ev.Op.String())
				for _, l := range links {
					w.note(l)
				}
				changed()
			}
			if via := w.throughLink(ev.Name); via != "" && ev.Op != fsnotify.Chmod && !ignored(ev.Name) {
				w.log.Debug("change through a link", "path", ev.Name, "as", via, "op", ev.Op.String())
				w.note(via)
				changed()
				if !w.inTrees(ev.Name) {
					// Folders below the linked one come and go as in the
					// trees (see relevant).
					if ev.Has(fsnotify.Rename) {
						w.unwatchTree(fw, ev.Name)
					}
					if ev.Has(fsnotify.Create) {
						w.watchCreated(fw, ev.Name)
					}
					continue
				}
			}
			if w.linkDirs[filepath.Dir(filepath.Clean(ev.Name))] && !w.inTrees(ev.Name) {
				continue // watched for the files of links alone
			}
			if w.relevant(fw, ev) {
				w.log.Debug("change", "path", ev.Name, "op", ev.Op.String())
				w.note(ev.Name)
				changed()
			}
		case err, ok := <-fw.Errors:
			if !ok {
				return errors.New("watch: file watcher closed")
			}
			// An overflow means lost events: rebuild everything to be safe.
			w.log.Warn("file watcher", "err", err)
			w.everything = true
			changed()
		case <-timer.C:
			first = time.Time{}
			for dir := range w.arrived {
				w.watchTree(fw, dir)
			}
			clear(w.arrived)
			rebuild()
		case <-hold.C:
			if !first.IsZero() {
				// A change is waiting for its rebuild, which may make the
				// problems void; if not, they are held again.
				held = nil
				continue
			}
			w.fail(held, false)
			held = nil
		case <-day:
			// Events that began yesterday are no longer upcoming.
			w.log.Info("a new day: rebuilding what it changes")
			timer.Stop()
			first = time.Time{}
			rebuild()
			day = w.nextDay()
		}
	}
}

// untilTomorrow is the time from now to the start of the next day, as the
// build counts days (build.Config.Today: the local date), and a second.
func untilTomorrow(now time.Time) time.Duration {
	y, m, d := now.Date()
	return time.Date(y, m, d+1, 0, 0, 1, 0, now.Location()).Sub(now)
}

// relevant reports whether ev may change the site, and starts watching the
// folders it creates.
func (w *Watcher) relevant(fw *fsnotify.Watcher, ev fsnotify.Event) bool {
	if ev.Has(fsnotify.Rename) {
		// A moved folder's watches, and those of the folders below it,
		// follow it, but fsnotify names their events by the paths they
		// were added at; adding them at the new place (at the Create that
		// follows) gets the same watches back, with the old paths. So the
		// old paths are unwatched here, which a renamed file finds none of.
		w.unwatchTree(fw, ev.Name)
	}
	if ignored(ev.Name) {
		return false
	}
	if rel, err := filepath.Rel(w.cfg.Site, ev.Name); err == nil && source.Hidden(filepath.ToSlash(rel)) {
		// The build reads nothing in a hidden folder, nor a hidden file; a
		// folder moved there leaves with its Rename, above.
		return false
	}
	if filepath.Clean(filepath.Dir(ev.Name)) == filepath.Clean(w.cfg.Site) {
		// In the site folder itself only content/ and templates/ matter:
		// OUT and the build's temporary folder may well be there too.
		base := filepath.Base(ev.Name)
		if base != "content" && base != "templates" {
			return false
		}
	}
	// A permission changed may make a note unreadable, or readable again,
	// and a folder that could not be watched watchable.
	if ev.Has(fsnotify.Create) || ev.Has(fsnotify.Chmod) {
		w.watchCreated(fw, ev.Name)
	}
	return true
}

// watchCreated watches what a new entry p is: a folder, with those below
// it, or what a symbolic link leads to.
func (w *Watcher) watchCreated(fw *fsnotify.Watcher, p string) {
	st, err := os.Lstat(p)
	switch {
	case err != nil:
	case st.Mode()&fs.ModeSymlink != 0:
		w.followLink(fw, p)
	case st.IsDir():
		w.watchTree(fw, p)
		// A folder moved within the site lost its old watches at its
		// Rename, which comes first (see relevant). fsnotify may still
		// drop the new one when it reads that the folder moved, perhaps
		// after the line above (the moved-folder tests fail without what
		// follows): so the folder is watched again before the rebuild,
		// when fsnotify has read that (its event came before the debounce
		// ran out).
		if w.arrived == nil {
			w.arrived = map[string]bool{}
		}
		w.arrived[p] = true
	}
}

// watchTree watches dir and the folders below it, or says why it cannot.
func (w *Watcher) watchTree(fw *fsnotify.Watcher, dir string) {
	if err := w.addTree(fw, dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		w.log.Warn("file watcher: cannot watch a new folder", "path", dir, "err", err)
	}
}

// unwatchTree stops watching dir and the folders below it, those that are
// watched.
func (w *Watcher) unwatchTree(fw *fsnotify.Watcher, dir string) {
	dir = filepath.Clean(dir)
	for _, p := range fw.WatchList() {
		if p != dir && !strings.HasPrefix(p, dir+string(filepath.Separator)) {
			continue
		}
		// fsnotify may have removed it already, as it read the move; the
		// kernel may have, the folder being gone, and fsnotify forgets it
		// all the same.
		if err := fw.Remove(p); err != nil && !errors.Is(err, fsnotify.ErrNonExistentWatch) {
			w.log.Debug("file watcher: cannot stop watching a folder", "path", p, "err", err)
		}
	}
}

// addTree watches dir and every folder below it but hidden ones, which the
// build skips too.
func (w *Watcher) addTree(fw *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p != dir && errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking
			}
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			w.followLink(fw, p)
			return nil
		}
		if !d.IsDir() {
			return nil
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		return fw.Add(p)
	})
}

// follow watches the file the symbolic link at link leads to, so that an
// edit of it rebuilds the link's note, as the build reads the note through
// the link: in the watched trees, as any file there; outside them, by
// watching its folder too.
func (w *Watcher) follow(fw *fsnotify.Watcher, link string) {
	target, err := filepath.EvalSymlinks(link)
	if err != nil {
		return // a broken link: the build says so
	}
	target = filepath.Clean(target)
	if w.links == nil {
		w.links, w.linkDirs = map[string][]string{}, map[string]bool{}
	}
	if !slices.Contains(w.links[target], link) {
		w.links[target] = append(w.links[target], link)
	}
	if dir := filepath.Dir(target); !w.inTrees(target) && !w.linkDirs[dir] {
		if err := fw.Add(dir); err != nil {
			w.log.Warn("file watcher: cannot watch the folder of a file a link leads to", "link", link, "path", dir, "err", err)
			return
		}
		w.linkDirs[dir] = true
	}
}

// followLink watches what the symbolic link at link leads to: a folder
// (linkTree) or a file (follow).
func (w *Watcher) followLink(fw *fsnotify.Watcher, link string) {
	if st, err := os.Stat(link); err == nil && st.IsDir() {
		w.linkTree(fw, link)
	} else {
		w.follow(fw, link)
	}
}

// linkTree watches the folder the symbolic link at link leads to, and
// those below it, as the build reads them through the link; a change there
// is noted at its path through the link (throughLink).
func (w *Watcher) linkTree(fw *fsnotify.Watcher, link string) {
	target, err := filepath.EvalSymlinks(link)
	if err != nil {
		return // a broken link: the build says so
	}
	target = filepath.Clean(target)
	if w.treeLinks == nil {
		w.treeLinks = map[string]string{}
	}
	if _, ok := w.treeLinks[target]; ok {
		return // watched already, or a link to a folder above it
	}
	w.treeLinks[target] = filepath.Clean(link)
	w.watchTree(fw, target)
}

// throughLink returns p, a path in a folder a link leads to (linkTree), as
// the build reads it, through the link; "" for a path in no such folder.
func (w *Watcher) throughLink(p string) string {
	p = filepath.Clean(p)
	for target, link := range w.treeLinks {
		if p == target {
			return link
		}
		if rest, ok := strings.CutPrefix(p, target+string(filepath.Separator)); ok {
			return filepath.Join(link, rest)
		}
	}
	return ""
}

// inTrees reports whether p is in one of the trees watched whole (roots).
func (w *Watcher) inTrees(p string) bool {
	p = filepath.Clean(p)
	for _, root := range w.roots() {
		root = filepath.Clean(root)
		if p == root || strings.HasPrefix(p, root+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// ignored reports whether a file is an editor's temporary or backup file,
// which no build reads (source.EditorFile).
func ignored(path string) bool { return source.EditorFile(filepath.Base(path)) }

// build is the session's Build under the config's BuildMemory.
func (w *Watcher) build(ctx context.Context, changed []string) (*build.Result, error) {
	if w.cfg.BuildMemory != nil {
		defer w.cfg.BuildMemory()()
	}
	return w.session.Build(ctx, changed)
}

// rebuild builds the site; when it succeeds, it reports it and tells the
// clients. It returns the problems of a build that failed, nil for one
// that did not (or that shutting down cut short): Run reports them (fail).
func (w *Watcher) rebuild(ctx context.Context, first bool) (problems []string) {
	start := time.Now()
	var changed []string
	if !first && !w.everything {
		// Not nil, which would be a full build, when only the day changed.
		changed = append([]string{}, slices.Sorted(maps.Keys(w.pending))...)
	}
	res, err := w.build(ctx, changed)
	if err == nil {
		// The changes are in OUT; after a failure they stay pending, so
		// that the next build includes them with whatever fixes them.
		clear(w.pending)
		w.everything = false
	}
	if ctx.Err() != nil {
		// Shutting down: the feeds and data files follow the pages all the
		// same, so that OUT is left whole; and the editor learns that the
		// last save made it.
		if err == nil {
			w.session.Flush(ctx)
			w.log.Info("rebuilt while shutting down", "seconds", time.Since(start).Seconds(), "notes", res.Notes, "rendered", res.Rendered, "full", res.Full)
		}
		return nil
	}
	if err != nil {
		return problemLines(err)
	}
	// Before the build is logged: once it says built, the server searches
	// what the build made.
	if w.cfg.OnBuild != nil {
		w.cfg.OnBuild(res)
	}
	msg := "rebuilt"
	if first {
		msg = "built"
	}
	w.log.Info(msg, "seconds", time.Since(start).Seconds(), "notes", res.Notes, "pages", res.Pages, "rendered", res.Rendered, "full", res.Full)
	for _, warning := range res.Warnings {
		w.log.Warn(warning)
	}
	w.publish("")
	// Feeds, calendars and data files follow the pages the reload shows.
	if err := w.session.Flush(ctx); err != nil && ctx.Err() == nil {
		fmt.Fprintln(w.stderr, err)
		w.log.Warn("could not write the feeds and data files; the next build is a full one", "err", err)
	}
	return nil
}

// fail reports the problems of a failed build: to the terminal, and to the
// clients, whose pages show them.
func (w *Watcher) fail(problems []string, first bool) {
	for _, l := range problems {
		fmt.Fprintln(w.stderr, l)
	}
	msg := "rebuilt"
	if first {
		msg = "built"
	}
	// The index comes with a good build, and OUT has that build.
	if w.Index() != nil {
		msg += " with errors; serving the last good build"
	} else {
		msg += " with errors; no good build yet"
	}
	w.log.Warn(msg, "problems", len(problems))
	w.publish(strings.Join(problems, "\n"))
}

// note records a changed path, relative to the site and slash-separated,
// for the next build.
func (w *Watcher) note(name string) {
	rel, err := filepath.Rel(w.cfg.Site, name)
	if err != nil || strings.HasPrefix(rel, "..") {
		w.everything = true
		return
	}
	w.pending[filepath.ToSlash(rel)] = true
}

// problemLines are the lines of a build error: one per problem for
// source.Errors, whose message joins them with newlines.
func problemLines(err error) []string {
	var lines []string
	for l := range strings.Lines(err.Error()) {
		if l = strings.TrimRight(l, "\r\n"); strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		lines = []string{"build failed"}
	}
	return lines
}

// publish records the outcome of a build, problem being "" on success, and
// wakes every client.
func (w *Watcher) publish(problem string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	close(w.st.changed)
	w.st = state{gen: w.st.gen + 1, problem: problem, changed: make(chan struct{})}
}

// Problems returns how many problems the latest build had: none when it
// succeeded, or before the first ended.
func (w *Watcher) Problems() int {
	st := w.current()
	if st.problem == "" {
		return 0
	}
	return strings.Count(st.problem, "\n") + 1
}

// current returns the outcome of the latest build.
func (w *Watcher) current() state {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.st
}
