package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
)

// ErrNoIndex means that a folder holds no search index.
var ErrNoIndex = errors.New("no search index")

// ErrClosed is the error of a search on a closed index.
var ErrClosed = errors.New("search index closed")

// Index is an index opened for searching, and perhaps for updates (see
// OpenWritable). It is safe for use by many goroutines at once.
type Index struct {
	// mu is held for reading by every search and update and for writing by
	// Close, so that Close waits for the work under way.
	mu       sync.RWMutex
	closed   bool
	dir      string
	names    []string // of the shards
	shards   []bleve.Index
	analyzer *textAnalyzer
	// pos holds the positions files of the shards as last read, mapped
	// the files read so far, unmapped by Close.
	pos    []*shardPos
	mapped [][]byte
	// view is what searches run on; Update replaces it. nil once closed.
	view atomic.Pointer[view]
	// updates counts the Updates applied, so that caches of results know
	// when theirs are out of date.
	updates atomic.Uint64
	// w is the state of updates, nil when the index was opened read-only.
	w *writer
}

// lockTimeout is how long opening a shard waits for a process that holds
// it open for updates, before it fails rather than hangs.
const lockTimeout = 2 * time.Second

// Open opens the index in dir read-only, so that any number of processes
// may search one index. An index that is missing or was written by another
// version of this package is an error that wraps ErrNoIndex; so is one that
// a process holds open for updates (OpenWritable), after lockTimeout.
func Open(dir string) (*Index, error) {
	return open(dir, false)
}

func open(dir string, writable bool) (*Index, error) {
	data, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoIndex)
	}
	if err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil || len(m.Shards) == 0 {
		return nil, fmt.Errorf("%s: %w (unreadable %s)", dir, ErrNoIndex, manifestName)
	}
	if m.Version != formatVersion {
		return nil, fmt.Errorf("%s: %w of this version (format %d, want %d)", dir, ErrNoIndex, m.Version, formatVersion)
	}
	a, err := newAnalyzer()
	if err != nil {
		return nil, err
	}
	ix := &Index{dir: dir, names: m.Shards, analyzer: a}
	config := map[string]any{"read_only": true, "bolt_timeout": lockTimeout.String()}
	if writable {
		config = writableConfig()
	}
	for _, name := range m.Shards {
		if !validShardName(name) {
			ix.Close()
			return nil, fmt.Errorf("%s: %w (bad shard %q)", dir, ErrNoIndex, name)
		}
		s, err := bleve.OpenUsing(filepath.Join(dir, name), config)
		if err != nil {
			ix.Close()
			return nil, fmt.Errorf("search index %s: %w", filepath.Join(dir, name), err)
		}
		ix.shards = append(ix.shards, s)
	}
	// The first typo of the process would wait for the automaton builders.
	go builders()
	v, err := ix.load()
	if err != nil {
		ix.Close()
		return nil, err
	}
	ix.view.Store(v)
	if writable {
		im, ok := ix.shards[0].Mapping().(*mapping.IndexMappingImpl)
		if !ok {
			ix.Close()
			return nil, fmt.Errorf("search index %s: a mapping of type %T", dir, ix.shards[0].Mapping())
		}
		if ix.w, err = newWriter(a, im); err != nil {
			ix.Close()
			return nil, err
		}
		if err := ix.w.reset(v); err != nil {
			ix.Close()
			return nil, err
		}
	}
	return ix, nil
}

// load reads the positions files of the shards and loads a view of them.
func (ix *Index) load() (*view, error) {
	pos := make([]*shardPos, len(ix.names))
	for i, name := range ix.names {
		path := posFile(ix.dir, name)
		data, err := mapFile(path)
		if err != nil {
			return nil, fmt.Errorf("search index: %w", err)
		}
		ix.mapped = append(ix.mapped, data)
		if pos[i], err = parsePositions(path, data); err != nil {
			return nil, err
		}
	}
	v, err := loadView(ix.shards, pos)
	if err != nil {
		return nil, err
	}
	// Reading the files and finding the rows of their notes took every
	// page in; a search needs a few notes'.
	for _, data := range ix.mapped[len(ix.mapped)-len(pos):] {
		dropPages(data)
	}
	// The table has each row's lists now; the maps by URL were for that.
	for _, sp := range pos {
		sp.docs = nil
	}
	ix.pos = pos
	return v, nil
}

func validShardName(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil && len(s) <= 4
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
	// No search holds the view any more: this closes its snapshots, which
	// must be closed before their shards.
	errs := []error{ix.setView(nil)}
	for _, s := range ix.shards {
		errs = append(errs, s.Close())
	}
	for _, b := range ix.mapped {
		errs = append(errs, unmapFile(b))
	}
	ix.mapped = nil
	return errors.Join(errs...)
}

// Len returns the number of documents in the index.
func (ix *Index) Len() int {
	v := ix.view.Load()
	if v == nil {
		return 0
	}
	return v.table.Len()
}

// Dir returns the folder the index was opened from.
func (ix *Index) Dir() string { return ix.dir }

// Result is one page of hits with the facets of every hit.
type Result struct {
	Query Query // as searched: Page and PerPage filled in, Sort resolved
	Total int
	Took  time.Duration
	Hits  []Hit
	// Facets count the hits by region, sector, kind and year, most first.
	Facets Facets
}

// Hit is one note found.
type Hit struct {
	URL     string
	Title   string
	Date    time.Time // the day
	End     time.Time // zero for a one-day event
	Kind    string    // slug
	Regions []string  // slugs
	Sectors []string  // slugs
	Summary string
	// Snippet is HTML: the matched words in <mark>, the rest escaped. It is
	// from the body where a word matched there, else from the summary, else
	// the summary as it is.
	Snippet string
	Score   float64
}

// Facets count the hits of a search.
type Facets struct {
	Regions, Sectors, Kinds, Years []FacetCount
}

// FacetCount is one value of a facet: a slug, or a year, with its count.
type FacetCount struct {
	Value string
	Count int
}

// Search runs q. Whatever the reader typed, the query is built from
// analysed terms, never handed to a parser, so that only a broken index or
// a cancelled ctx make it fail. A page past the last is empty.
func (ix *Index) Search(ctx context.Context, q Query) (*Result, error) {
	start := time.Now()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return nil, ErrClosed
	}
	v := ix.acquire()
	if v == nil {
		return nil, ErrClosed
	}
	defer v.release()
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 || q.PerPage > MaxPerPage {
		q.PerPage = DefaultPerPage
	}
	p := ix.plan(v, ParseText(q.Q))
	if q.Sort == SortDefault {
		q.Sort = SortDate
		if p.scored() {
			q.Sort = SortRelevance
		}
	}
	byScore := p.scored() && q.Sort == SortRelevance

	t := v.table
	f := t.filter(q)
	// Pages past any possible hit are empty: nothing to keep but counts,
	// and (page-1)*per_page must not overflow.
	from := q.PerPage * min(q.Page-1, t.Len()/q.PerPage+1)
	keep := min(from+q.PerPage, t.Len())

	var c *counts
	var top []ranked
	total := 0
	var err error
	if f.none {
		c = t.newCounts()
	} else {
		c, top, total, err = rowSearch(ctx, v, p, &f, byScore, keep)
	}
	if err != nil {
		return nil, err
	}
	out := &Result{Query: q, Total: total, Facets: t.facets(c)}
	if from < len(top) {
		hits, err := ix.hits(ctx, v, top[from:], p)
		if err != nil {
			return nil, err
		}
		out.Hits = hits
	}
	out.Took = time.Since(start)
	return out, nil
}

// ranked is a matching row with its score.
type ranked struct {
	row   int32
	score float64
}

// mappingForSearch is the mapping queries are built against: they name
// their fields and analyzer, so it only has to know the analyzer.
var mappingForSearch = newMapping(false)

// topN keeps the best n rows seen: by score, then date, or by date alone.
type topN struct {
	n       int
	byScore bool
	rank    []int32
	items   []ranked // a heap with the worst kept row first
}

func newTopN(n int, byScore bool, rank []int32) *topN {
	return &topN{n: n, byScore: byScore, rank: rank}
}

// better reports whether a comes before b.
func (h *topN) better(a, b ranked) bool {
	if h.byScore && a.score != b.score {
		return a.score > b.score
	}
	return h.rank[a.row] < h.rank[b.row]
}

// compare orders a before b when a is better, for sorting.
func (h *topN) compare(a, b ranked) int {
	switch {
	case h.better(a, b):
		return -1
	case h.better(b, a):
		return 1
	}
	return 0
}

func (h *topN) push(x ranked) {
	if h.n == 0 {
		return
	}
	if len(h.items) < h.n {
		h.items = append(h.items, x)
		h.up(len(h.items) - 1)
		return
	}
	if !h.better(x, h.items[0]) {
		return
	}
	h.items[0] = x
	h.down(0)
}

func (h *topN) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.better(h.items[p], h.items[i]) {
			break
		}
		h.items[p], h.items[i] = h.items[i], h.items[p]
		i = p
	}
}

func (h *topN) down(i int) {
	for {
		l, worst := 2*i+1, i
		if l < len(h.items) && h.better(h.items[worst], h.items[l]) {
			worst = l
		}
		if r := l + 1; r < len(h.items) && h.better(h.items[worst], h.items[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		h.items[i], h.items[worst] = h.items[worst], h.items[i]
		i = worst
	}
}

// sorted returns the rows kept, best first.
func (h *topN) sorted() []ranked {
	out := slices.Clone(h.items)
	slices.SortFunc(out, h.compare)
	return out
}

// dayTime turns YYYYMMDD into a time at midnight UTC.
func dayTime(d int32) time.Time {
	return time.Date(int(d/10000), time.Month(d/100%100), int(d%100), 0, 0, 0, 0, time.UTC)
}
