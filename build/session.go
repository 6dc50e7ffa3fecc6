package build

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/coopdigest/digest/search"
	"github.com/coopdigest/digest/source"
	"github.com/coopdigest/digest/templates"
)

// Index is a search index that a Session keeps up to date between full
// builds: it puts in the documents of new and changed notes and takes out
// those of deleted ones, by URL.
type Index interface {
	Update(ctx context.Context, upserts []search.Document, deletes []string) error
}

// Session builds one site again and again, as watch mode does. Its first
// build, and any build after a change to site.yaml or the taxonomy, or to a
// quarter of the notes and bulkNotes or more, is a full one: everything is
// written into a new folder that is swapped in. Later
// builds re-read only the notes that changed, render again only the files
// whose inputs changed, write those in place (each file atomically), remove
// the files of pages that are gone and update the changed notes' documents
// in the search index. A build that fails changes nothing, but for the
// files of a write that failed part way, which the next build writes again.
//
// A Session is not safe for concurrent use: one build at a time.
type Session struct {
	cfg Config
	// OpenIndex, when set, opens the index of a full build for updates;
	// without it every change rebuilds the whole index.
	OpenIndex func(dir string) (Index, error)
	// DeferData, when set, makes an incremental build write the pages, the
	// files they show and the index, and leave the files for programs
	// (feeds, calendars, CSV and JSON data, sitemaps) to Flush: a saved
	// note changes those of every list it is in, megabytes that a reader
	// waiting for the page need not wait for. The next Build flushes them
	// first if Flush was not called.
	DeferData bool

	// deferred are the outputs an incremental build left to Flush.
	deferred []output

	src   *source.Site
	tmpl  *templates.Set
	model *model
	keys  map[string]uint64
	index Index
	mu    sync.Mutex
	// held is OUT's marker, open and locked, once a session that is not
	// transient has built OUT: another process's build refuses OUT while a
	// watch session updates it (see CheckOut). Close lets it go.
	held *os.File

	// removeDir, when set, replaces the removal of the previous output
	// after a swap, for tests of a removal that fails.
	removeDir func(dir string) error
}

// Hold takes the lock of OUT's marker now, when OUT has one, as the
// session's first full build would: another session or build is refused
// OUT from here on, and this session is not (serve --watch holds OUT before
// it serves the site built before). It is an *OutError when another
// process holds OUT.
func (s *Session) Hold() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hold()
}

// hold is Hold with s.mu held.
func (s *Session) hold() error {
	if s.held != nil || s.cfg.transient {
		return nil
	}
	f, err := holdMarker(s.cfg.OutDir())
	if err != nil {
		return err
	}
	s.held = f
	return nil
}

// ownsOut reports whether OUT is the output the session wrote: it has a
// marker, the one the session holds when it holds one. OUT removed and
// built again by another process while the session held the old one has
// another, which only a full build may replace (the old one's lock went
// with it).
func (s *Session) ownsOut() bool {
	if s.held == nil {
		return hasMarker(s.cfg.OutDir())
	}
	held, err := s.held.Stat()
	if err != nil {
		return false
	}
	now, err := os.Lstat(filepath.Join(s.cfg.OutDir(), MarkerName))
	return err == nil && os.SameFile(held, now)
}

// Close ends the session: another process may build OUT from now on.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		return nil
	}
	err := s.held.Close()
	s.held = nil
	return err
}

// NewSession starts a session for the site cfg names.
func NewSession(cfg Config) *Session {
	return &Session{cfg: cfg}
}

// Build brings OUT up to date. changed lists the files that changed since
// the last build (paths relative to SITE, slash-separated; folders too);
// nil means that anything may have changed, which makes a full build, and
// so does an OUT that is no longer the one the session wrote (removed, or
// replaced by something else: CheckOut then judges it).
func (s *Session) Build(ctx context.Context, changed []string) (*Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	full := s.src == nil || changed == nil || needsFull(changed) || !s.ownsOut() || s.bulk(changed)
	if !full {
		// An incremental build, and the flush before it, write into OUT in
		// place: once begun they end, whatever ctx says, so that a
		// shutdown never leaves OUT part old and part new. They take a
		// save's time; a full build is cut short, as it swaps OUT whole.
		ictx := context.WithoutCancel(ctx)
		// A failed flush forgets the session's state: the build is full.
		if len(s.deferred) == 0 || s.flush(ictx) == nil {
			return s.incremental(ictx, changed)
		}
	}
	s.deferred = nil // a full build writes everything
	return s.full(ctx)
}

// bulkNotes is how many notes a change must touch, and at least a quarter
// of the site's, for a Session to build the whole site (bulk).
const bulkNotes = 500

// bulk reports whether changed touches so many notes (a git checkout, a
// find-and-replace over the site) that a full build is the better: an
// incremental one holds the last build's model and the new one at once,
// several times a full build's memory, and takes as long.
func (s *Session) bulk(changed []string) bool {
	paths := make(map[string]bool, len(changed))
	for _, p := range changed {
		paths[p] = true
	}
	n := 0
	known := make(map[string]bool, len(s.src.Notes))
	for _, note := range s.src.Notes {
		known[note.File] = true
		for p := note.File; p != "." && p != "/"; p = path.Dir(p) {
			if paths[p] {
				n++
				break
			}
		}
	}
	for _, p := range changed {
		if source.IsNote(p) && !known[p] {
			n++ // a new note
		}
	}
	return n >= max(bulkNotes, len(s.src.Notes)/4)
}

// Flush writes the files the last build left for later (see DeferData),
// whatever ctx says, as an incremental build does. When one cannot be
// written, the next build is a full one.
func (s *Session) Flush(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flush(context.WithoutCancel(ctx))
}

func (s *Session) flush(ctx context.Context) error {
	outs := s.deferred
	s.deferred = nil
	if len(outs) == 0 {
		return nil
	}
	bufs, err := renderOutputs(ctx, s.cfg, outs)
	if err == nil { // listed before written, as incremental does
		err = recordEntries(s.cfg.OutDir(), topNames(outs))
	}
	if err == nil {
		err = writeOutputs(s.cfg.OutDir(), nil, outs, bufs)
	}
	if err != nil {
		s.src, s.model, s.keys = nil, nil, nil
	}
	return err
}

// deferrable reports whether an output is a file for programs rather than
// for readers' pages (see DeferData).
func deferrable(o output) bool {
	if o.from != "" {
		return false
	}
	switch path.Ext(o.path) {
	case ".xml", ".ics", ".csv", ".json":
		return true
	}
	return false
}

// needsFull reports whether a change touches what every page depends on.
func needsFull(changed []string) bool {
	for _, p := range changed {
		switch {
		case p == source.Dir, p == source.Dir+"/site.yaml", strings.HasPrefix(p, source.Dir+"/taxonomy"):
			return true
		case p == "templates", strings.HasPrefix(p, "templates/"), strings.HasPrefix(p, source.Dir+"/"):
		default:
			return true
		}
	}
	return false
}

// full builds the whole site into a new temporary folder beside OUT and
// swaps it in. OUT is checked before any work (CheckOut) and again before
// the swap; the temporary folder goes on every way out (an error, a
// cancellation, a panic), and the temporary folders of earlier builds that
// were killed go while this one works.
func (s *Session) full(ctx context.Context) (res *Result, err error) {
	start := time.Now()
	log := logger(s.cfg)
	out := s.cfg.OutDir()
	if s.held != nil && !s.ownsOut() {
		// OUT was removed, or built again by another process: the lock
		// held is the old output's, and the new one is judged afresh.
		s.held.Close()
		s.held = nil
	}
	if err := checkOut(s.cfg.Site, out, s.held != nil, false); err != nil {
		return nil, err
	}
	// OUT's marker from the start of the first build, so that another
	// session or build refuses OUT now, not once both have built it.
	if err := s.hold(); err != nil {
		return nil, err
	}
	stale := make(chan struct{})
	var staleErr error
	go func() {
		defer close(stale)
		var removed []string
		removed, staleErr = removeStale(ctx, out)
		for _, d := range removed {
			log.Info("removed the temporary folder of an earlier build", "path", d)
		}
	}()
	waitStale := func() {
		select {
		case <-stale:
		case <-ctx.Done(): // what is left, the next build removes
		}
	}
	defer func() {
		waitStale()
		// Said at every build, as the folder is a whole site's size.
		if ctx.Err() == nil && staleErr != nil && res != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("a temporary folder of an earlier build could not be removed (%v): remove it yourself", staleErr))
		}
	}()

	src, err := load(ctx, s.cfg)
	if err != nil {
		return nil, stopped(ctx, err, out)
	}
	log.Debug("loaded", "notes", len(src.Notes), "seconds", time.Since(start).Seconds())
	s.cfg.reached("loaded")
	tmpl, err := LoadTemplates(s.cfg.Site)
	if err != nil {
		return nil, err
	}
	tmp, err := newTempDir(out, s.cfg.Drafts, s.cfg.Live)
	if err != nil {
		// The build writes the new site beside OUT, in its parent folder.
		if diskFull(err) {
			return nil, fullDisk(fmt.Errorf("output folder %s: cannot write the new site beside it (%w)", out, err), out)
		}
		return nil, fmt.Errorf("output folder %s: cannot write the new site beside it (%w); choose an output folder in a folder you may write to", out, err)
	}
	swapped := false
	var busy <-chan struct{} // closed once nothing writes into tmp; nil: nothing does
	defer func() {
		if swapped {
			return
		}
		if diskFull(err) {
			err = fullDisk(err, out)
		}
		r := recover()
		if left := tmp.remove(ctx, busy); left && r == nil {
			err = fmt.Errorf("%w; the temporary folder %s is left for the next build to remove", err, tmp.path)
		}
		if r != nil {
			panic(r)
		}
	}()
	res, b, keys, err := write(ctx, s.cfg, src, tmpl, tmp.path, &busy)
	if err != nil {
		return nil, stopped(ctx, err, out)
	}
	s.cfg.reached("written")
	kept, err := keepAssets(out, tmp.path, tmpl)
	if err == nil {
		err = recordFiles(tmp.path, kept)
	}
	if err != nil {
		return nil, fmt.Errorf("keeping the previous output's assets: %w", err)
	}
	names, err := readDirNames(tmp.path)
	if err == nil {
		err = recordEntries(tmp.path, names)
	}
	if err != nil {
		return nil, fmt.Errorf("marking the output: %w", err)
	}
	// OUT may have changed while the site was built.
	if err := checkOut(s.cfg.Site, out, s.held != nil, true); err != nil {
		return nil, err
	}
	// An OUT of a version that kept no lists is judged by the new site's.
	if err := checkUnlisted(out, tmp.path); err != nil {
		return nil, err
	}
	if err := adoptLegacy(out); err != nil {
		return nil, fmt.Errorf("marking the previous output %s: %w", out, err)
	}
	s.cfg.reached("checked")
	old, err := swap(tmp.path, out)
	if err != nil {
		return nil, stopped(ctx, err, out)
	}
	swapped = true
	if s.cfg.transient {
		tmp.release()
	} else {
		// OUT's marker now: held until the next full build or Close.
		if s.held != nil {
			s.held.Close()
		}
		s.held, tmp.marker = tmp.marker, nil
	}
	if old != "" {
		// OUT holds the new site: whatever goes wrong now is a warning.
		// What was put in OUT after the last look went with it: kept.
		if err := s.removeOld(ctx, old); errors.As(err, new(*ForeignError)) {
			res.Warnings = append(res.Warnings, "the previous output, moved aside: "+err.Error())
		} else if err != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("the previous output, moved to %s, was not removed (%v); the next build removes it, or remove it yourself", old, err))
		}
	}
	s.src, s.tmpl, s.keys, s.model = src, tmpl, keys, b.model
	s.index = nil
	if s.OpenIndex != nil {
		ix, err := s.OpenIndex(filepath.Join(out, search.DirName))
		if err != nil {
			return nil, err
		}
		s.index = ix
	}
	// The folders of killed builds may take longer to remove than the
	// build took: that is part of its time.
	select {
	case <-stale:
	default:
		if s.cfg.Progress != nil {
			fmt.Fprint(s.cfg.Progress, "\r\033[Kremoving the temporary folders of earlier builds")
			defer fmt.Fprint(s.cfg.Progress, "\r\033[K")
		}
		waitStale()
	}
	res.Full = true
	res.Duration = time.Since(start)
	return res, nil
}

// removeOld removes the previous output after a swap; a cancelled build
// leaves what it cannot remove within removeBound to the next build.
func (s *Session) removeOld(ctx context.Context, old string) error {
	if s.removeDir != nil {
		return s.removeDir(old)
	}
	done := make(chan error, 1)
	go func() { done <- removeUnlessForeign(old) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	select {
	case err := <-done:
		return err
	case <-time.After(removeBound):
		return context.Cause(ctx)
	}
}

// stopped words the error of a build that ctx stopped: OUT was not touched.
func stopped(ctx context.Context, err error, out string) error {
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.Cause(ctx))) {
		return &StoppedError{Cause: context.Cause(ctx), Out: out, err: err}
	}
	return err
}

// diskFull reports whether err is that of a full disk, or of a quota
// reached.
func diskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// fullDisk says of err, a full disk's before OUT was replaced, what to do.
func fullDisk(err error, out string) error {
	dir, aerr := filepath.Abs(filepath.Dir(out))
	if aerr != nil {
		dir = filepath.Dir(out)
	}
	return fmt.Errorf("%w; the disk of %s is full, or its quota reached: free some space and build again; %s is as it was", err, dir, out)
}

// StoppedError is a build that was stopped, by a signal or its caller,
// before it replaced OUT.
type StoppedError struct {
	Cause error  // why, as context.Cause tells
	Out   string // the output folder, as it was
	err   error
}

func (e *StoppedError) Error() string {
	return fmt.Sprintf("build stopped (%v); %s is as it was", e.Cause, e.Out)
}

// Unwrap returns the cause and the error the build stopped with.
func (e *StoppedError) Unwrap() []error { return []error{e.Cause, e.err} }

// Index returns the index the session updates, or nil.
func (s *Session) Index() Index {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.index
}

func (s *Session) incremental(ctx context.Context, changed []string) (*Result, error) {
	start := time.Now()
	root, err := os.OpenRoot(s.cfg.Site)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	fsys, done := source.SiteFS(root)
	defer done()

	tmpl := s.tmpl
	for _, p := range changed {
		if p == "templates" || strings.HasPrefix(p, "templates/") {
			t, err := LoadTemplates(s.cfg.Site)
			if err != nil {
				return nil, err
			}
			tmpl = t
			break
		}
	}

	src, dropped, fresh, reread, err := s.reparse(fsys, changed)
	if err != nil {
		return nil, err
	}

	b, err := prepare(ctx, s.cfg, src, tmpl, fsys, s.model, s.tmpl)
	if err != nil {
		return nil, err
	}
	b.relate(s.model)
	prepared := time.Now()

	// The open index takes the save's documents on another core while the
	// pages are planned and rendered, and the pages are written once it
	// has: a failure in between puts the index back as it was (fail).
	upserts, deletes := s.indexChanges(b, dropped, fresh)
	var indexed chan error
	if s.index != nil && (len(upserts) > 0 || len(deletes) > 0) {
		indexed = make(chan error, 1)
		go func() { indexed <- s.updateIndex(ctx, b, upserts, deletes) }()
	}
	// putBack follows a failure once the index has the change: the index
	// as it was, or, when it may not be, a full build that puts pages and
	// index in agreement again.
	putBack := func(err error, ierr error) (*Result, error) {
		if ierr == nil {
			ierr = s.undoIndex(ctx, upserts, deletes)
		}
		if ierr != nil {
			return s.recover(ctx, errors.Join(err, fmt.Errorf("updating the search index: %w", ierr)))
		}
		return nil, err
	}
	fail := func(err error) (*Result, error) {
		if indexed == nil {
			return nil, err
		}
		return putBack(err, <-indexed)
	}

	outs, err := b.plan()
	if err != nil {
		return fail(err)
	}
	planned := time.Now()
	sums := keys(outs)
	keyed := time.Now()
	todo, newPaths, changedKeys, gone := s.outputChanges(outs, sums)
	b.warnings = withWarnings(b.warnings, b.goneLinks(outs, gone))

	var later []output
	if s.DeferData {
		todo, later = splitOutputs(todo, deferrable)
	}
	// Render everything before writing anything, so that a failure leaves
	// OUT as it was.
	bufs, err := renderOutputs(ctx, s.cfg, todo)
	if err != nil {
		return fail(err)
	}
	rendered := time.Now()
	overlapped := indexed != nil
	if overlapped {
		if err := <-indexed; err != nil {
			// OUT is as it was, the index may not be: a full build puts
			// them in agreement again.
			return s.recover(ctx, fmt.Errorf("updating the search index: %w", err))
		}
	}
	indexedAt := time.Now()
	out := s.cfg.OutDir()
	// A new year's folder, a new static file: the next build replaces it.
	// Listed before they are written, so that a write that fails, or a
	// process killed, leaves none that the next build takes for a file
	// someone put there. The files Flush writes later are listed with these.
	if err := recordEntries(out, topNames(todo)); err != nil {
		logger(s.cfg).Warn("marking the output's new entries", "err", err)
	}
	if err := recordFiles(out, newPaths); err != nil {
		logger(s.cfg).Warn("listing the output's new files", "err", err)
	}
	if err := writeOutputs(out, fsys, todo, bufs); err != nil {
		// Some of todo may be written, new: the next build writes them all
		// again, or removes them, whatever their keys.
		for _, o := range todo {
			s.keys[o.path] = unknownKey
		}
		if overlapped { // said as it is, with the index as it was
			return putBack(err, nil)
		}
		return nil, err
	}
	var removed []string
	for _, p := range gone {
		if removeOutput(out, p) {
			removed = append(removed, p)
		}
	}
	// Off the list once gone: a process killed in between leaves listed
	// only files that are no longer there, which is harmless.
	if err := unrecordFiles(out, removed); err != nil {
		logger(s.cfg).Warn("taking the removed files off the output's list", "err", err)
	}
	if tmpl != s.tmpl {
		// The search page of OUT alone follows the pages.
		if err := copyTemplates(tmpl, filepath.Join(out, search.DirName)); err != nil {
			logger(s.cfg).Warn("the search page's templates in OUT", "err", err)
		}
	}
	if !overlapped {
		// The index, made again from every document when the session has
		// none open, follows the pages.
		if err := s.updateIndex(ctx, b, upserts, deletes); err != nil {
			return s.recover(ctx, fmt.Errorf("updating the search index: %w", err))
		}
	}
	logger(s.cfg).Debug("rebuilt", "files", len(todo), "removed", len(gone), "documents", len(upserts)+len(deletes),
		"prepare_ms", prepared.Sub(start).Milliseconds(), "plan_ms", planned.Sub(prepared).Milliseconds(), "keys_ms", keyed.Sub(planned).Milliseconds(),
		"render_ms", rendered.Sub(keyed).Milliseconds(), "index_wait_ms", indexedAt.Sub(rendered).Milliseconds(), "write_ms", time.Since(indexedAt).Milliseconds())

	maps.Copy(s.keys, changedKeys)
	for _, p := range gone {
		delete(s.keys, p)
	}
	s.src, s.tmpl, s.model = src, tmpl, b.model
	s.deferred = later
	return &Result{Notes: len(b.model.notes), Pages: countPages(outs), Files: len(outs), Rendered: len(todo) + len(later), Removed: len(gone),
		Source: src, Duration: time.Since(start), Changed: reread, Warnings: b.warnings}, nil
}

// reparse lists again the files below every changed path, and reads again
// the notes below them and the notes that show a file below them; it keeps
// the others, in their order. It returns the site so read, the notes
// dropped and those read again, and the files of those.
func (s *Session) reparse(fsys fs.FS, changed []string) (src *source.Site, dropped, fresh []*source.Note, reread []string, err error) {
	var paths []string
	for _, p := range changed {
		if strings.HasPrefix(p, source.Dir+"/") {
			paths = append(paths, p)
		}
	}
	files, fileProblems, err := s.listFiles(fsys, paths)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	paths = append(paths, s.showing(paths)...)
	kept := make([]*source.Note, 0, len(s.src.Notes))
	for _, n := range s.src.Notes {
		if slices.ContainsFunc(paths, func(p string) bool { return n.File == p || strings.HasPrefix(n.File, p+"/") }) {
			dropped = append(dropped, n)
		} else {
			kept = append(kept, n)
		}
	}
	for _, p := range paths {
		if source.Hidden(p) {
			continue // a full build does not read it; what was there is dropped
		}
		// Lstat, as a full build walks: a symbolic link is read as a note, if
		// it is one, by ParseNotes, which says why not.
		st, err := fs.Lstat(fsys, p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // deleted
		case err != nil:
			return nil, nil, nil, nil, &source.FileError{File: p, Err: err}
		case st.IsDir():
			files, err := source.NoteFilesUnder(fsys, p)
			if err != nil {
				return nil, nil, nil, nil, err
			}
			reread = append(reread, files...)
		case source.IsNote(p):
			reread = append(reread, p)
		}
	}
	slices.Sort(reread)
	reread = slices.Compact(reread)
	src = &source.Site{Settings: s.src.Settings, Taxonomies: s.src.Taxonomies, Files: files}
	fresh, err = source.ParseNotes(fsys, reread, src, kept)
	// Every problem at once, as a full build tells them.
	if problems, ok := errors.AsType[source.Errors](err); ok {
		err = sorted(append(fileProblems, problems...))
	} else if err == nil && fileProblems != nil {
		err = fileProblems
	}
	if err != nil {
		return nil, nil, nil, nil, err
	}
	src.Notes = mergeNotes(kept, fresh)
	return src, dropped, fresh, reread, nil

}

// outputChanges compares the planned outputs, whose keys are sums, with
// what the last build wrote (s.keys): the outputs to render and their new
// keys, those of them the last build did not write, and the paths of the
// last build's outputs that are planned no more.
func (s *Session) outputChanges(outs []output, sums []uint64) (todo []output, newPaths []string, changedKeys map[string]uint64, gone []string) {
	// What to render: the outputs whose keys are new or changed; kept ones
	// are as the last build wrote them, which s.keys has (the session sets
	// s.model, which they are kept from, and s.keys together).
	changedKeys = map[string]uint64{}
	found := 0 // outputs the last build wrote too
	for i, o := range outs {
		if o.kept {
			found++
			continue
		}
		k, ok := s.keys[o.path]
		if ok {
			found++
		} else {
			newPaths = append(newPaths, o.path)
		}
		if !ok || k != sums[i] {
			todo = append(todo, o)
			changedKeys[o.path] = sums[i]
		}
	}
	// What to remove: unless every output of the last build is planned again.
	if found != len(s.keys) {
		planned := make(map[string]bool, len(outs))
		for _, o := range outs {
			planned[o.path] = true
		}
		for p := range s.keys {
			if !planned[p] {
				gone = append(gone, p)
			}
		}
	}

	return todo, newPaths, changedKeys, gone
}

// unknownKey is the key of an output a failed write may have left as the
// last good build had it or as the failed one made it: no output's key.
const unknownKey = 0

// undoIndex puts back in the open index the documents that upserts and
// deletes changed as the session's last build had them.
func (s *Session) undoIndex(ctx context.Context, upserts []search.Document, deletes []string) error {
	var back []search.Document
	var gone []string
	undo := func(url string) {
		if n := s.model.byURL[url]; n != nil {
			back = append(back, search.FromNote(n.Note, n.text, &s.model.src.Taxonomies))
		} else {
			gone = append(gone, url)
		}
	}
	for _, d := range upserts {
		undo(d.ID)
	}
	for _, url := range deletes {
		undo(url)
	}
	return s.index.Update(ctx, back, gone)
}

// recover follows an incremental build whose pages and index may disagree
// (the index could not be updated, or the pages not written, or put back
// after a failure) with a full build, which writes pages and index anew,
// so that the two never disagree for longer than the build.
// When that fails too, the session forgets its state: the next build is a
// full one.
func (s *Session) recover(ctx context.Context, cause error) (*Result, error) {
	logger(s.cfg).Warn("rebuilding the whole site", "err", cause)
	res, err := s.full(ctx)
	if err != nil {
		s.src, s.model, s.keys = nil, nil, nil
		return nil, errors.Join(cause, fmt.Errorf("and the full build that followed: %w", err))
	}
	res.Warnings = append(res.Warnings, cause.Error()+"; the whole site was built again")
	return res, nil
}

// listFiles returns the site's files (source.Files) with those below the
// changed paths listed again, and their problems: a file of content/static/
// that cannot be published, a symbolic link to a folder.
func (s *Session) listFiles(fsys fs.FS, changed []string) (_ source.Files, problems source.Errors, err error) {
	if len(changed) == 0 {
		return s.src.Files, nil, nil
	}
	files := maps.Clone(s.src.Files)
	if files == nil {
		files = source.Files{}
	}
	for p := range files {
		if slices.ContainsFunc(changed, func(c string) bool { return p == c || strings.HasPrefix(p, c+"/") }) {
			delete(files, p)
		}
	}
	for _, c := range changed {
		found, err := source.ListFiles(fsys, c, s.src.Settings.Limits)
		if err != nil {
			return nil, nil, err
		}
		maps.Copy(files, found)
	}
	return files, files.Problems(), nil
}

// showing returns the notes, by file, that show or link a file below the
// changed paths: their image, a picture or a file of their body, or a file
// their body links that was not there.
func (s *Session) showing(changed []string) []string {
	below := func(p string) bool {
		return p != "" && slices.ContainsFunc(changed, func(c string) bool { return p == c || strings.HasPrefix(p, c+"/") })
	}
	var notes []string
	for _, n := range s.src.Notes {
		if below(n.ImageFile) {
			notes = append(notes, n.File)
		}
	}
	for _, n := range s.model.notes {
		if slices.ContainsFunc(n.refs, below) || slices.ContainsFunc(n.links, below) {
			notes = append(notes, n.File)
		}
	}
	return notes
}

// indexChanges compares the published notes with the last build's.
func (s *Session) indexChanges(b *builder, dropped, fresh []*source.Note) (upserts []search.Document, deletes []string) {
	// Only the notes read again can have changed: the others are the same
	// source.Note as before.
	before := map[string]uint64{}
	for _, n := range dropped {
		if !n.Draft || s.cfg.Drafts {
			before[n.URL()] = n.Version
		}
	}
	for _, n := range fresh {
		if n.Draft && !s.cfg.Drafts {
			continue
		}
		if v, ok := before[n.URL()]; !ok || v != n.Version {
			upserts = append(upserts, search.FromNote(n, b.model.byURL[n.URL()].text, &b.model.src.Taxonomies))
		}
		delete(before, n.URL())
	}
	for u := range before {
		deletes = append(deletes, u)
	}
	slices.Sort(deletes)
	return upserts, deletes
}

// mergeNotes returns the notes of kept and fresh, both in the order of
// source.SortNotes (ParseNotes returns them so), in that order.
func mergeNotes(kept, fresh []*source.Note) []*source.Note {
	out := make([]*source.Note, 0, len(kept)+len(fresh))
	i := 0
	for _, n := range kept {
		for i < len(fresh) && source.CompareNotes(fresh[i], n) < 0 {
			out = append(out, fresh[i])
			i++
		}
		out = append(out, n)
	}
	return append(out, fresh[i:]...)
}

// updateIndex puts the changes into the session's index, or, without one,
// rebuilds the index beside OUT's and swaps it in.
func (s *Session) updateIndex(ctx context.Context, b *builder, upserts []search.Document, deletes []string) error {
	if len(upserts) == 0 && len(deletes) == 0 {
		return nil
	}
	if s.index != nil {
		return s.index.Update(ctx, upserts, deletes)
	}
	dir := filepath.Join(s.cfg.OutDir(), search.DirName)
	tmp := dir + ".new"
	os.RemoveAll(tmp)
	if err := search.Build(ctx, tmp, b.documents(), b.model.src); err != nil {
		return err // says it is the index's
	}
	old, err := swap(tmp, dir)
	if err != nil {
		os.RemoveAll(tmp)
		return err
	}
	// The index in place is the new one: a failure to remove the old one
	// only leaves it for the next update, which removes it first.
	if err := os.RemoveAll(old); err != nil {
		logger(s.cfg).Warn("could not remove the previous search index", "path", old, "err", err)
	}
	return nil
}
