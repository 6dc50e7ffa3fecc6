package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	bolterrors "go.etcd.io/bbolt/errors"
	"golang.org/x/sync/errgroup"

	"github.com/coopdigest/digest/source"
)

// DirName is the index folder inside OUT. The server serves no path segment
// that starts with ".", so the index is never a static file.
const DirName = ".search"

// manifestName is the file of an index folder that lists its shards.
const manifestName = "index.json"

// SiteDir is the folder, inside the index folder dir, laid out as a site
// folder, with what serving needs of the site's source: content/ holds its
// settings and taxonomies (source.WriteSettings), templates/ its own
// templates, when it has them, as the build copied them.
func SiteDir(dir string) string { return filepath.Join(dir, "site") }

// formatVersion changes whenever the mapping or the layout of an index
// changes, so that a binary refuses an index it would misread.
const formatVersion = 8

// ErrNoIndex means that a folder holds no search index.
var ErrNoIndex = errors.New("no search index")

// ErrLocked means that another process holds the index open for updates
// (OpenWritable), as digest serve --watch does.
var ErrLocked = errors.New("held open for updates by another process, such as digest serve --watch")

// ErrClosed is the error of a search on a closed index.
var ErrClosed = errors.New("search index closed")

// manifest describes an index folder: its shards, each a bleve index in a
// subfolder, searched together as one.
type manifest struct {
	Version int `json:"version"`
	// Built is when the index was built: it names the index's generation.
	Built  time.Time `json:"built"`
	Docs   int       `json:"docs"` // as built; Update does not change it
	Shards []string  `json:"shards"`
}

// docsPerShard is about how many documents make one more shard worth it:
// bleve's builder analyses the documents of a shard in one goroutine, so
// that a build uses as many cores as it has shards.
const docsPerShard = 2000

// shardCount is the number of shards for n documents: one for a small
// site, one per core for a large one, up to what a typo dictionary holds.
func shardCount(n int) int {
	return max(1, min(runtime.GOMAXPROCS(0), n/docsPerShard, maxTypoShards))
}

// shardOf is the shard of a document, for the build and for every Update,
// so that an update replaces the document where it is.
func shardOf(id string, shards int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(shards))
}

// Build writes a new index of docs, with site's settings and taxonomies,
// into dir, which must not exist yet; on an error or when ctx is
// cancelled, it removes what it wrote.
func Build(ctx context.Context, dir string, docs []Document, site *source.Site) error {
	return build(ctx, dir, docs, site, shardCount(len(docs)))
}

// BuildFrom is Build of the documents with the IDs ids, which doc(i) makes
// as they are indexed, from one goroutine per shard, so that they need not
// all be in memory at once.
func BuildFrom(ctx context.Context, dir string, ids []string, doc func(i int) (Document, error), site *source.Site) error {
	return buildFrom(ctx, dir, ids, doc, site, shardCount(len(ids)))
}

// build is Build into n shards.
func build(ctx context.Context, dir string, docs []Document, site *source.Site, n int) error {
	ids := make([]string, len(docs))
	for i := range docs {
		ids[i] = docs[i].ID
	}
	return buildFrom(ctx, dir, ids, func(i int) (Document, error) { return docs[i], nil }, site, n)
}

// buildFrom is BuildFrom into n shards.
func buildFrom(ctx context.Context, dir string, ids []string, doc func(i int) (Document, error), site *source.Site, n int) (err error) {
	if site == nil {
		return errors.New("search index: no site settings")
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	if err := source.WriteSettings(SiteDir(dir), site); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	m := manifest{Version: formatVersion, Built: time.Now().UTC(), Docs: len(ids)}
	parts := make([][]int, n)
	for i, id := range ids {
		if id == "" {
			return errors.New("search index: a document without an ID")
		}
		s := shardOf(id, n)
		parts[s] = append(parts[s], i)
	}
	g, gctx := errgroup.WithContext(ctx)
	var merging sync.Mutex
	for i := range n {
		name := fmt.Sprintf("%02d", i)
		m.Shards = append(m.Shards, name)
		g.Go(func() error { return buildShard(gctx, filepath.Join(dir, name), ids, parts[i], doc, &merging) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, manifestName), data, 0o644); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	return nil
}

// buildShard indexes the documents numbered part into a new bleve index at
// path with bleve's offline builder: no syncs, one segment at the end,
// faster to write and to search. A shard of mergeAlone bytes of text or
// more merges holding merging: a merge maps the whole shard into memory,
// and large shards merged at once would hold the whole index resident.
func buildShard(ctx context.Context, path string, ids []string, part []int, doc func(i int) (Document, error), merging *sync.Mutex) error {
	if len(part) == 0 {
		// The builder cannot write an empty index; an ordinary index can.
		idx, err := bleve.New(path, newMapping())
		if err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		return idx.Close()
	}
	tmp := path + ".tmp"
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	defer os.RemoveAll(tmp)
	b, err := bleve.NewBuilder(path, newMapping(), map[string]any{"buildPathPrefix": tmp, "batchSize": builderBatch, "mergeMax": builderMerge})
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	// On an error the builder is left unclosed: Close would merge what was
	// written so far; the caller's RemoveAll discards it.
	text := 0 // bytes
	for k, i := range part {
		if k%builderBatch == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		d, err := doc(i)
		if err != nil {
			return fmt.Errorf("search index: %s: %w", ids[i], err)
		}
		if d.ID != ids[i] {
			return fmt.Errorf("search index: document %d has the ID %q, not %q", i, d.ID, ids[i])
		}
		if err := b.Index(d.ID, &d); err != nil {
			return fmt.Errorf("search index: %s: %w", d.ID, err)
		}
		text += len(d.Title) + len(d.Summary) + len(d.Body)
	}
	if text >= mergeAlone {
		merging.Lock()
		defer merging.Unlock()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := b.Close(); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	return nil
}

// builderBatch is how many documents the builder analyses, in memory on
// each shard at once, before it writes a segment: a quarter of bleve's
// default, with builderMerge twice its, keeps 100,000 notes on two cores to
// two rounds of merges (docs/BENCHMARKS.md).
const builderBatch = 250

// mergeAlone is the size of a shard's text, in bytes, from which its last
// merge waits for the others' (buildShard); smaller shards merge at once.
const mergeAlone = 64 << 20

// builderMerge is how many segments the builder merges into one at a time
// (bleve's default is 10).
const builderMerge = 20

// Index is an index opened for searching, and perhaps for updates (see
// OpenWritable). It is safe for use by many goroutines at once.
type Index struct {
	// mu is held for reading by every search and update, and for writing by
	// Close, which so waits for them.
	mu        sync.RWMutex
	closed    bool
	writable  bool
	dir       string
	man       manifest
	manifest  os.FileInfo // the index.json opened (see Replaced)
	site      *source.Site
	han       hanNames                // hanNames.split
	twins     map[string][]string     // regionTwins
	inflected map[string]string       // inflectedNames
	regionKey map[string]*source.Term // regionKeys
	shards    []bleve.Index
	alias     bleve.IndexAlias // every shard as one
	// analyzer and mapping are the shards': a reader's words are analysed
	// as the notes were.
	analyzer analysis.Analyzer
	mapping  mapping.IndexMapping
	docs     atomic.Int64
	tab      atomic.Pointer[table] // searched; Update replaces it, nil once closed
	// updates counts the Updates applied: caches of results key by it.
	updates atomic.Uint64
	upd     sync.Mutex // serializes Updates
}

// lockTimeout is how long opening a shard waits for a process that holds
// it open for updates, before it fails.
const lockTimeout = 2 * time.Second

// Open opens the index in dir read-only, which any number of processes
// may do. A missing index, or one of another format, is an error wrapping
// ErrNoIndex; one held open for updates (OpenWritable) wraps ErrLocked.
func Open(dir string) (*Index, error) { return open(dir, false) }

// OpenWritable opens the index in dir for searching and for Update; no
// other process may open it meanwhile.
func OpenWritable(dir string) (*Index, error) { return open(dir, true) }

func open(dir string, writable bool) (_ *Index, err error) {
	m, fi, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	if m.Version != formatVersion {
		return nil, fmt.Errorf("%s: %w of this version (format %d, want %d)", dir, ErrNoIndex, m.Version, formatVersion)
	}
	site, err := source.LoadSettings(os.DirFS(SiteDir(dir)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w (its site settings: %v)", dir, ErrNoIndex, err)
	}
	ix := &Index{dir: dir, man: m, manifest: fi, site: site, han: hanNamesOf(&site.Taxonomies), writable: writable}
	defer func() {
		// bleve panics on some damaged files, where an error would do.
		if v := recover(); v != nil {
			err = fmt.Errorf("search index %s cannot be read, its files may be damaged (%v): build the site again", dir, v)
		}
		if err != nil {
			closeAll(ix.shards)
		}
	}()
	config := map[string]any{"read_only": !writable, "bolt_timeout": lockTimeout.String()}
	for _, name := range m.Shards {
		if !validShardName(name) {
			return nil, fmt.Errorf("%s: %w (bad shard %q)", dir, ErrNoIndex, name)
		}
		s, err := bleve.OpenUsing(filepath.Join(dir, name), config)
		if errors.Is(err, bolterrors.ErrTimeout) {
			// bleve keeps a shard's snapshots in a bolt file, which a
			// writer holds locked.
			err = ErrLocked
		}
		if err != nil {
			return nil, fmt.Errorf("search index %s: %w", filepath.Join(dir, name), err)
		}
		ix.shards = append(ix.shards, s)
	}
	ix.alias = bleve.NewIndexAlias(ix.shards...)
	ix.mapping = ix.shards[0].Mapping()
	if ix.analyzer = ix.mapping.AnalyzerNamed(analyzerName); ix.analyzer == nil {
		return nil, fmt.Errorf("%s: %w (its mapping has no analyzer %q)", dir, ErrNoIndex, analyzerName)
	}
	ix.twins, ix.inflected, ix.regionKey = ix.regionTwins(), ix.inflectedNames(), ix.regionKeys()
	if err := ix.refresh(context.Background()); err != nil {
		return nil, err
	}
	return ix, nil
}

// readManifest reads the manifest of the index folder dir, and its file's
// information; an error wraps ErrNoIndex when there is none that names
// shards.
func readManifest(dir string) (manifest, os.FileInfo, error) {
	var m manifest
	f, err := os.Open(filepath.Join(dir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil, fmt.Errorf("%s: %w", dir, ErrNoIndex)
	}
	if err != nil {
		return m, nil, fmt.Errorf("search index: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return m, nil, fmt.Errorf("search index: %w", err)
	}
	// A manifest is a few lines; another folder's index.json may be large.
	if err := json.NewDecoder(io.LimitReader(f, 1<<20)).Decode(&m); err != nil || len(m.Shards) == 0 {
		return m, nil, fmt.Errorf("%s: %w (unreadable %s)", dir, ErrNoIndex, manifestName)
	}
	return m, fi, nil
}

// IsIndex reports whether dir holds a search index of any format version:
// a manifest whose shards are folders beside it.
func IsIndex(dir string) bool {
	m, _, err := readManifest(dir)
	if err != nil || m.Version < 1 {
		return false
	}
	for _, s := range m.Shards {
		if !validShardName(s) {
			return false
		}
		if st, err := os.Lstat(filepath.Join(dir, s)); err != nil || !st.IsDir() {
			return false
		}
	}
	return true
}

// Foreign returns, sorted, the names at the top of the index folder dir
// that are not its manifest, shards or SiteDir; none without a manifest.
func Foreign(dir string) ([]string, error) {
	m, _, err := readManifest(dir)
	if errors.Is(err, ErrNoIndex) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var foreign []string
	for _, e := range names {
		if n := e.Name(); n != manifestName && n != filepath.Base(SiteDir(dir)) && !slices.Contains(m.Shards, n) {
			foreign = append(foreign, n)
		}
	}
	return foreign, nil
}

func validShardName(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil && len(s) <= 4
}

// refresh reads the table of the shards as they are now and searches it
// from now on; the table before is closed once its searches are done.
func (ix *Index) refresh(ctx context.Context) error {
	t, err := loadTable(ctx, ix.shards, ix.mapping)
	if err != nil {
		return err
	}
	ix.docs.Store(int64(len(t.urls)))
	return ix.setTable(t)
}

// setTable makes t the table of new searches and releases the one before.
func (ix *Index) setTable(t *table) error {
	if old := ix.tab.Swap(t); old != nil {
		return old.release()
	}
	return nil
}

// acquire returns the index's table with a reference taken, or nil when
// the index is closed. The caller releases it.
func (ix *Index) acquire() *table {
	for {
		t := ix.tab.Load()
		if t == nil {
			return nil
		}
		if t.acquire() {
			return t
		}
		// An Update swapped t out and its last search released it in the
		// meantime: the new table is in place already.
	}
}

func closeAll[C io.Closer](cs []C) error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// Close closes the index once the searches and updates under way are done;
// later searches fail with ErrClosed.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return nil
	}
	ix.closed = true
	// No search holds the table any more: this closes its snapshots,
	// which must be closed before their shards.
	return errors.Join(ix.setTable(nil), closeAll(ix.shards))
}

// Len returns the number of documents in the index.
func (ix *Index) Len() int { return int(ix.docs.Load()) }

// Dir returns the folder the index was opened from.
func (ix *Index) Dir() string { return ix.dir }

// Built returns when the index was built.
func (ix *Index) Built() time.Time { return ix.man.Built }

// Replaced reports whether ix's folder now holds another index, as after a
// build swapped a new OUT in, and returns its index.json's information.
func (ix *Index) Replaced() (bool, os.FileInfo, error) {
	fi, err := os.Stat(filepath.Join(ix.dir, manifestName))
	return err == nil && !SameManifest(fi, ix.manifest), fi, err
}

// SameManifest reports whether a and b describe one version of an
// index.json: one file (a new one may reuse a deleted one's inode), not
// written since.
func SameManifest(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.ModTime().Equal(b.ModTime()) && a.Size() == b.Size()
}

// Site returns the settings and taxonomies the index was built with.
func (ix *Index) Site() *source.Site { return ix.site }

// Status describes the index for a health check (when built, updates
// since, notes), and fails when the index cannot answer a search.
func (ix *Index) Status(ctx context.Context) (string, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return "", ErrClosed
	}
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 0, 0, false)
	res, err := ix.alias.SearchInContext(ctx, req)
	if err != nil {
		return "", fmt.Errorf("search index: %w", err)
	}
	s := fmt.Sprintf("index built %s, %d notes", ix.man.Built.Format(time.RFC3339Nano), res.Total)
	if n := ix.updates.Load(); n > 0 {
		s += fmt.Sprintf(", %d updates since", n)
	}
	return s, nil
}

// Update puts the documents of new and changed notes into the index and
// takes out deleted notes by URL, one bleve batch per shard; searches that
// start after it returns see the changes. A read-only index refuses.
func (ix *Index) Update(ctx context.Context, upserts []Document, deletes []string) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return ErrClosed
	}
	if !ix.writable {
		return errors.New("search index: opened read-only; updates need OpenWritable")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ix.upd.Lock()
	defer ix.upd.Unlock()
	batches := make([]*bleve.Batch, len(ix.shards))
	batch := func(id string) *bleve.Batch {
		s := shardOf(id, len(ix.shards))
		if batches[s] == nil {
			batches[s] = ix.shards[s].NewBatch()
		}
		return batches[s]
	}
	for _, id := range deletes {
		batch(id).Delete(id)
	}
	for i := range upserts {
		d := &upserts[i]
		if d.ID == "" {
			return errors.New("search index: a document without an ID")
		}
		if err := batch(d.ID).Index(d.ID, d); err != nil {
			return fmt.Errorf("search index: %s: %w", d.ID, err)
		}
	}
	for s, b := range batches {
		if b == nil {
			continue
		}
		if err := ix.shards[s].Batch(b); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	ix.updates.Add(1)
	return ix.refresh(ctx)
}

// Updates returns how many Updates the index has had since it was opened.
func (ix *Index) Updates() uint64 { return ix.updates.Load() }
