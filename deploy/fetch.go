package deploy

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"gocloud.dev/blob"
	"golang.org/x/sync/errgroup"

	"github.com/coopdigest/digest/internal/flock"
)

// DefaultFetchWorkers is how many files of an index a Fetcher downloads at
// once: an index has few files, and large ones.
const DefaultFetchWorkers = 4

// rejectRetry is how long a Fetcher waits before it downloads again a
// version it rejected, while the pointer still names it: the bucket may be
// mended without a new version (a file uploaded again by a deploy of the
// same site, which leaves the pointer as it was).
const rejectRetry = 10 * time.Minute

// DefaultFetchIdle is how long a read from the bucket may go without
// progress (an answer, or a byte of a download) before a Fetch gives it
// up: long for a bucket, short beside forever.
const DefaultFetchIdle = time.Minute

// Names in a Fetcher's folder that are not versions: downloads under way and
// versions being removed. They start with "." so that they never look like
// a version.
const (
	tempPrefix = ".fetch-"
	oldPrefix  = ".old-"
)

// markerName is the file a Fetcher writes into each folder it makes in
// its folder (a version's, and the temporary ones), before anything else:
// it removes no folder without one, so that nothing in the folder that it
// did not write is ever removed.
const markerName = ".digest-fetch"

// markerText starts the marker; lines follow that say where the version
// came from and when its pointer said it was published, for a version's
// folder (see copyMarker).
const markerText = "digest index copy\nThis folder was written by a digest replica (digest serve --index), which removes it when it is no longer needed.\n"

// copyMarker is what a version folder's marker says of it: the bucket URL and
// prefix it was downloaded from, and when it was published. A temporary
// folder's says nothing.
type copyMarker struct {
	index, prefix string
	published     time.Time
}

// writeMarker writes the marker m into dir, a folder just made.
func writeMarker(dir string, m copyMarker) error {
	text := markerText
	if m.index != "" {
		text += "index " + m.index + "\nprefix " + m.prefix + "\n"
	}
	if !m.published.IsZero() {
		text += "published " + m.published.UTC().Format(time.RFC3339Nano) + "\n"
	}
	return os.WriteFile(filepath.Join(dir, markerName), []byte(text), 0o644)
}

// readMarker reports whether dir is a folder (not a link to one) with the
// marker, and what the marker says.
func readMarker(dir string) (ours bool, m copyMarker) {
	if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() {
		return false, m
	}
	if fi, err := os.Lstat(filepath.Join(dir, markerName)); err != nil || !fi.Mode().IsRegular() || fi.Size() > maxSmall {
		return false, m
	}
	data, err := os.ReadFile(filepath.Join(dir, markerName))
	text, found := strings.CutPrefix(string(data), markerText)
	if err != nil || !found {
		return false, m
	}
	for line := range strings.Lines(text) {
		key, v, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		switch key {
		case "index":
			m.index = v
		case "prefix":
			m.prefix = v
		case "published":
			m.published, _ = time.Parse(time.RFC3339Nano, v)
		}
	}
	return true, m
}

// lockName is the file in a Fetcher's folder that it holds a lock on while
// it is open, so that a second Fetcher, in this process or another, is
// refused the folder.
const lockName = ".digest-fetch.lock"

// FetcherConfig says where a Fetcher finds the index and where it keeps its
// copies.
type FetcherConfig struct {
	// URL is the bucket the index is published to (deploy's IndexTarget),
	// as gocloud.dev/blob opens it.
	URL string
	// Prefix is where in the bucket; empty means DefaultIndexPrefix.
	Prefix string
	// Dir is the local folder that holds one folder per version. One
	// Fetcher at a time may use it: NewFetcher refuses one that another
	// holds (where the system has flock).
	Dir string
	// Workers is how many files download at once; 0 means
	// DefaultFetchWorkers.
	Workers int
	// Idle is how long each read from the bucket may go without an answer
	// or a byte of data before the Fetch gives it up and fails; 0 means
	// DefaultFetchIdle. A download that goes on receiving is never cut
	// short, however large.
	Idle time.Duration
	// Check, when set, is run on a downloaded version's folder before it is
	// put in place, for what only the reader can tell: that it opens as an
	// index, say. An error rejects the version.
	Check func(dir string) error
	// Logger gets an Info record for each version downloaded; nil means
	// none.
	Logger *slog.Logger
}

// Fetcher keeps local copies of the versions of a published index.
type Fetcher struct {
	cfg FetcherConfig
	// bucket is nil until a file:// bucket's folder exists: a network
	// mount may come after the replica.
	bucket *blob.Bucket
	lock   *os.File // lockName, locked

	mu       sync.Mutex // one Fetch at a time
	last     Index      // what the last Fetch returned: the current version
	previous string     // the version before: a server may still have it open
	// rejected is the last version downloaded that failed a check: it is
	// not downloaded again while the pointer stays the same, for
	// rejectRetry.
	rejected *rejection

	// now is time.Now, or a test's clock.
	now func() time.Time

	// afterFunc is time.AfterFunc, or a test's fake.
	afterFunc func(time.Duration, func()) timer
}

// timer is what a Fetcher uses of a *time.Timer.
type timer interface {
	Reset(time.Duration) bool
	Stop() bool
}

// stallError is the error of a read from the bucket that made no progress
// for the Fetcher's Idle.
type stallError struct{ idle time.Duration }

func (e *stallError) Error() string {
	return fmt.Sprintf("no answer from the bucket for %v", e.idle)
}

// Unwrap makes a stall a deadline that passed.
func (e *stallError) Unwrap() error { return context.DeadlineExceeded }

// watch returns a context for one read from the bucket, which is
// canceled with a *stallError once progress is not reported for
// f.cfg.Idle, a function that reports progress, and one that ends the
// watch and turns err into the stall when the stall is what made it.
func (f *Fetcher) watch(ctx context.Context) (wctx context.Context, progress func(), done func(err error) error) {
	wctx, cancel := context.WithCancelCause(ctx)
	t := f.afterFunc(f.cfg.Idle, func() { cancel(&stallError{f.cfg.Idle}) })
	return wctx, func() { t.Reset(f.cfg.Idle) }, func(err error) error {
		t.Stop()
		if se, ok := errors.AsType[*stallError](context.Cause(wctx)); ok && err != nil && ctx.Err() == nil {
			err = se
		}
		cancel(nil)
		return err
	}
}

// progressReader reports each read that gets bytes.
type progressReader struct {
	r        io.Reader
	progress func()
}

func (p progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.progress()
	}
	return n, err
}

// rejection is a pointer whose version failed a check of what it holds,
// why, and when.
type rejection struct {
	p   *pointer
	err error
	at  time.Time
}

// holds reports whether r still stands for the pointer p at now.
func (r *rejection) holds(p *pointer, now time.Time) bool {
	return r != nil && r.p.Version == p.Version && r.p.Published.Equal(p.Published) && now.Sub(r.at) < rejectRetry
}

// rejectError is an error in what a version holds (its manifest, a file's
// size or SHA-256, its index.json, the Check), as opposed to one in reading
// it: downloading the version again gives the same error.
type rejectError struct{ err error }

func (e *rejectError) Error() string { return e.err.Error() }
func (e *rejectError) Unwrap() error { return e.err }

// reject marks err as an error in what a version holds.
func reject(err error) error { return &rejectError{err} }

// Index is a local copy of one version of the index.
type Index struct {
	// Version is the version's name, a hash of its content.
	Version string
	// Dir is the folder holding it, as OUT/.search holds it after a build.
	Dir string
	// Published is when a deploy made it current.
	Published time.Time
}

// NewFetcher opens the bucket and makes Dir if needed. Nothing is read from
// the bucket until Fetch; a file:// bucket whose folder is missing is
// opened by the first Fetch that finds it, so that the first Fetch's
// fallback to a local copy holds for it as for a bucket that does not
// answer.
func NewFetcher(ctx context.Context, cfg FetcherConfig) (*Fetcher, error) {
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultIndexPrefix
	}
	if err := checkPrefix(cfg.Prefix); err != nil {
		return nil, &ParamError{"index prefix", cfg.Prefix, err}
	}
	if cfg.Dir == "" {
		return nil, &ParamError{"index folder", cfg.Dir, errors.New("none given")}
	}
	if cfg.Workers == 0 {
		cfg.Workers = DefaultFetchWorkers
	}
	if cfg.Workers < 1 {
		return nil, &ParamError{"workers", fmt.Sprint(cfg.Workers), errors.New("must be at least 1")}
	}
	if cfg.Idle == 0 {
		cfg.Idle = DefaultFetchIdle
	}
	if cfg.Idle < 0 {
		return nil, &ParamError{"idle timeout", cfg.Idle.String(), errors.New("must be more than 0")}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, &ParamError{"index folder", cfg.Dir, unwrapPath(err)}
	}
	lock, err := os.OpenFile(filepath.Join(cfg.Dir, lockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, &ParamError{"index folder", cfg.Dir, unwrapPath(err)}
	}
	if ok, err := flock.TryLock(lock); err != nil {
		// A file system without locks, as some network ones: go on.
		cfg.Logger.Warn("the index folder cannot be locked: that no other replica uses it is not checked", "dir", cfg.Dir, "err", err)
	} else if !ok {
		lock.Close()
		return nil, &ParamError{"index folder", cfg.Dir, errors.New("in use by another replica: give each its own folder")}
	}
	b, err := openURL(ctx, cfg.URL, false)
	if err != nil && !missingFolder(cfg.URL, err) {
		lock.Close()
		return nil, &ParamError{"index URL", cfg.URL, err}
	}
	afterFunc := func(d time.Duration, fn func()) timer { return time.AfterFunc(d, fn) }
	return &Fetcher{cfg: cfg, bucket: b, lock: lock, afterFunc: afterFunc, now: time.Now}, nil
}

// Close closes the bucket and lets another Fetcher have the folder. The
// local copies stay.
func (f *Fetcher) Close() error {
	var err error
	if f.bucket != nil {
		err = f.bucket.Close()
	}
	if lerr := f.lock.Close(); err == nil && !errors.Is(lerr, os.ErrClosed) {
		err = lerr
	}
	return err
}

// Fetch makes sure that the version the pointer names is in a local folder,
// and returns it, with changed true when it is not the version the last
// Fetch returned (on the first Fetch, always). When the pointer names the
// version of the last Fetch, Fetch reads nothing but the pointer. A
// version is downloaded into a temporary folder, checked, and renamed into
// place, so that a folder named for a version is always whole; on an error
// nothing of the download is left, and the versions in place are as they
// were. After a new version, folders of versions other than it and the one
// before are removed.
//
// A version that fails a check of what it holds (its manifest, a file's
// size or SHA-256, its index.json, the Check) is not downloaded again while
// the pointer stays as it was, for rejectRetry: the Fetch that downloaded
// it returns the error, and those after it return the version the last
// Fetch returned, unchanged, as if the pointer still named it (without
// one, the error again). Errors in reading the bucket are tried again on
// the next Fetch.
//
// The first Fetch of a Fetcher that cannot get the version the pointer
// names (the bucket does not answer, has no pointer, or the version is
// rejected) returns instead the newest version already in the folder that
// passes the Check, as one left by an earlier process, and logs why, so that
// a replica that restarts during an outage of its bucket serves the copy it
// has; the Fetches after it look in the bucket again.
func (f *Fetcher) Fetch(ctx context.Context) (ix Index, changed bool, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ix, changed, err = f.fetch(ctx)
	if err != nil && f.last.Version == "" && ctx.Err() == nil {
		if local, ok := f.local(); ok {
			f.cfg.Logger.Warn("the bucket gives no index: serving the copy in the index folder", "version", local.Version, "dir", local.Dir, "err", err)
			f.last, f.previous = local, f.newestOther(local.Version)
			return local, true, nil
		}
	}
	return ix, changed, err
}

// fetch is Fetch without the fallback to a local copy.
func (f *Fetcher) fetch(ctx context.Context) (ix Index, changed bool, err error) {
	fail := func(err error) (Index, bool, error) {
		return Index{}, false, fmt.Errorf("index %s: %w", f.cfg.URL, err)
	}
	if f.bucket == nil {
		b, err := openURL(ctx, f.cfg.URL, false)
		if err != nil {
			return fail(err)
		}
		f.bucket = b
	}
	wctx, _, done := f.watch(ctx)
	p, err := readPointer(wctx, f.bucket, f.cfg.Prefix)
	if err = done(err); err != nil {
		if _, ok := errors.AsType[*stallError](err); ok {
			err = fmt.Errorf("%s%s: %w", f.cfg.Prefix, PointerName, err)
		}
		return fail(err)
	}
	ix = Index{Version: p.Version, Dir: filepath.Join(f.cfg.Dir, p.Version), Published: p.Published}
	changed = p.Version != f.last.Version
	if isDir(ix.Dir) && !changed {
		return ix, false, nil
	}
	// A folder named for the version is whole when it was made: one left
	// by an earlier process is used as it is, unless it fails the Check
	// since (a file cut short on its disk), when a copy of ours is
	// downloaded again.
	if isDir(ix.Dir) && f.cfg.Check != nil {
		if err := f.cfg.Check(ix.Dir); err != nil {
			if ours, _ := readMarker(ix.Dir); !ours {
				return fail(fmt.Errorf("%s fails, and has no marker of this replica's to remove it by (%w): remove it", ix.Dir, err))
			}
			f.cfg.Logger.Warn("the copy of the version in the index folder fails: downloading it again", "dir", ix.Dir, "err", err)
			if err := f.discard(ix.Dir); err != nil {
				return fail(err)
			}
		}
	}
	if !isDir(ix.Dir) {
		if f.rejected.holds(p, f.now()) {
			if f.last.Version != "" {
				return f.last, false, nil
			}
			return fail(f.rejected.err)
		}
		if err := f.download(ctx, p.Version, p.Published); err != nil {
			if _, ok := errors.AsType[*rejectError](err); ok {
				err = fmt.Errorf("%w; not downloaded again for %v unless the pointer changes", err, rejectRetry)
				f.rejected = &rejection{p, err, f.now()}
			}
			return fail(err)
		}
	}
	if changed {
		if f.last.Version == "" {
			f.previous = f.newestOther(p.Version)
		} else {
			f.previous = f.last.Version
		}
		f.last = ix
		f.clean()
	}
	return ix, changed, nil
}

// download fetches a version into a temporary folder, checks it and renames
// it into place.
func (f *Fetcher) download(ctx context.Context, version string, published time.Time) error {
	start := time.Now()
	mkey := manifestKey(f.cfg.Prefix, version)
	wctx, _, done := f.watch(ctx)
	data, err := readSmall(wctx, f.bucket, mkey)
	if err = done(err); err != nil {
		return fmt.Errorf("manifest %s: %w", mkey, err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return reject(fmt.Errorf("manifest %s: %w", mkey, err))
	}
	if err := m.check(version); err != nil {
		return reject(fmt.Errorf("manifest %s: %w", mkey, err))
	}

	if slices.ContainsFunc(m.Files, func(mf manifestFile) bool { return mf.Path == markerName }) {
		return reject(fmt.Errorf("manifest %s: lists %s, the name of the replica's own marker", mkey, markerName))
	}

	tmp, err := os.MkdirTemp(f.cfg.Dir, tempPrefix+version+"-")
	if err != nil {
		return err
	}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(tmp)
		}
	}()
	if err := writeMarker(tmp, copyMarker{f.cfg.URL, f.cfg.Prefix, published}); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(f.cfg.Workers)
	var size int64
	for _, mf := range m.Files {
		size += mf.Size
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			return f.downloadFile(gctx, versionKey(f.cfg.Prefix, version, mf.Path), filepath.Join(tmp, filepath.FromSlash(mf.Path)), mf)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkIndexJSON(tmp); err != nil {
		return reject(fmt.Errorf("version %s: %w", version, err))
	}
	if f.cfg.Check != nil {
		if err := f.cfg.Check(tmp); err != nil {
			return reject(fmt.Errorf("version %s: %w", version, err))
		}
	}
	if err := syncTree(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(f.cfg.Dir, version)); err != nil {
		return err
	}
	keep = true
	f.cfg.Logger.Info("index downloaded", "version", version, "files", len(m.Files), "bytes", size, "took", time.Since(start).Round(time.Millisecond))
	return syncDir(f.cfg.Dir)
}

// downloadFile copies one object into dst, checking its size and SHA-256
// against the manifest. It reads at most one byte more than the manifest
// says, so an object larger than listed costs no more.
func (f *Fetcher) downloadFile(ctx context.Context, key, dst string, mf manifestFile) error {
	wctx, progress, done := f.watch(ctx)
	if err := done(f.copyFile(wctx, progress, key, dst, mf)); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

// copyFile is downloadFile without the watch on its progress.
func (f *Fetcher) copyFile(ctx context.Context, progress func(), key, dst string, mf manifestFile) error {
	r, err := f.bucket.NewReader(ctx, key, nil)
	if err != nil {
		return err
	}
	defer r.Close()
	progress()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	w, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(progressReader{r, progress}, mf.Size+1))
	if err == nil {
		err = w.Sync()
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if n < mf.Size {
		return reject(fmt.Errorf("%d bytes, the manifest says %d", n, mf.Size))
	}
	if n > mf.Size {
		return reject(fmt.Errorf("more than %d bytes, the manifest says %d", mf.Size, mf.Size))
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != mf.SHA256 {
		return reject(fmt.Errorf("sha256 %s, the manifest says %s", got, mf.SHA256))
	}
	return nil
}

// checkIndexJSON checks that the index.json of a downloaded version parses
// and that every shard it names is a folder of the version.
func checkIndexJSON(dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return fmt.Errorf("index.json: %w", unwrapPath(err))
	}
	var m struct {
		Shards []string `json:"shards"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("index.json: %w", err)
	}
	if len(m.Shards) == 0 {
		return errors.New("index.json: names no shards")
	}
	for _, s := range m.Shards {
		if !fs.ValidPath(s) || strings.Contains(s, "/") || s == "." || !isDir(filepath.Join(dir, s)) {
			return fmt.Errorf("index.json: shard %q is not in the version", s)
		}
	}
	return nil
}

// newestOther is the most recently modified version folder other than
// version: on a Fetcher's first new version, the one a server may still be
// serving.
func (f *Fetcher) newestOther(version string) string {
	entries, _ := os.ReadDir(f.cfg.Dir)
	var best string
	var bestMod time.Time
	for _, e := range entries {
		if !e.IsDir() || !versionPattern.MatchString(e.Name()) || e.Name() == version {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.ModTime().After(bestMod) {
			best, bestMod = e.Name(), fi.ModTime()
		}
	}
	return best
}

// local is the newest version folder downloaded from this Fetcher's
// bucket and prefix, as its marker says, that passes the Check; its
// Published is the one its marker records, or else when it was last
// modified.
func (f *Fetcher) local() (Index, bool) {
	entries, _ := os.ReadDir(f.cfg.Dir)
	var found []Index
	for _, e := range entries {
		if !e.IsDir() || !versionPattern.MatchString(e.Name()) {
			continue
		}
		// Only a copy of this bucket and prefix: with a mistyped --index,
		// another site's copy is no fallback.
		dir := filepath.Join(f.cfg.Dir, e.Name())
		ours, m := readMarker(dir)
		if fi, err := e.Info(); err == nil && ours && m.index == f.cfg.URL && m.prefix == f.cfg.Prefix {
			found = append(found, Index{Version: e.Name(), Dir: dir, Published: cmp.Or(m.published, fi.ModTime())})
		}
	}
	slices.SortFunc(found, func(a, b Index) int { return b.Published.Compare(a.Published) })
	for _, ix := range found {
		if f.cfg.Check != nil {
			if err := f.cfg.Check(ix.Dir); err != nil {
				f.cfg.Logger.Warn("a copy in the index folder fails", "dir", ix.Dir, "err", err)
				continue
			}
		}
		return ix, true
	}
	return Index{}, false
}

// clean removes the folders of versions other than the current and the
// previous one, and what downloads and removals that stopped half way left:
// only folders with the marker, which the Fetcher wrote.
// A version's folder is renamed before it is removed, so that no folder
// named for a version is ever half removed. Errors are logged, not returned:
// what is left is removed next time.
func (f *Fetcher) clean() {
	entries, err := os.ReadDir(f.cfg.Dir)
	if err != nil {
		f.cfg.Logger.Warn("clean the index folder", "dir", f.cfg.Dir, "err", err)
		return
	}
	for _, e := range entries {
		name := e.Name()
		full := filepath.Join(f.cfg.Dir, name)
		if ours, _ := readMarker(full); !ours {
			continue
		}
		var err error
		switch {
		case strings.HasPrefix(name, tempPrefix) || strings.HasPrefix(name, oldPrefix):
			err = os.RemoveAll(full)
		case versionPattern.MatchString(name) && !slices.Contains([]string{f.last.Version, f.previous}, name):
			err = f.discard(full)
		}
		if err != nil {
			f.cfg.Logger.Warn("remove an old index version", "dir", full, "err", err)
		}
	}
}

// discard removes the version folder dir: moved first into a marked
// folder of oldPrefix, so that its name is free at once and a removal cut
// short leaves no folder that looks like a version.
func (f *Fetcher) discard(dir string) error {
	old, err := os.MkdirTemp(f.cfg.Dir, oldPrefix+filepath.Base(dir)+"-")
	if err != nil {
		return err
	}
	if err := writeMarker(old, copyMarker{}); err != nil {
		os.RemoveAll(old)
		return err
	}
	if err := os.Rename(dir, filepath.Join(old, filepath.Base(dir))); err != nil {
		os.RemoveAll(old)
		return err
	}
	return os.RemoveAll(old)
}

// missingFolder reports whether err, of opening bucketURL, is that of a
// file:// bucket's folder that does not exist; not of a wrong URL, which
// is the caller's mistake.
func missingFolder(bucketURL string, err error) bool {
	u, uerr := checkURL(bucketURL)
	return uerr == nil && u.Scheme == "file" && errors.Is(err, fs.ErrNotExist)
}

// isDir reports whether name is a folder.
func isDir(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.IsDir()
}

// syncTree flushes the entries of a folder and of every folder inside it
// to disk (the files were flushed as they were written), so that the rename
// that puts it in place is not seen before what it renames.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return syncDir(p)
	})
}

// syncDir flushes a folder's entries to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}
