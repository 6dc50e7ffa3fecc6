package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"golang.org/x/sync/errgroup"
)

// DirName is the index folder inside OUT. The server serves no path segment
// that starts with ".", so the index is never a static file.
const DirName = ".search"

// manifestName is the file of an index folder that lists its shards.
const manifestName = "index.json"

// formatVersion changes whenever the mapping or the layout of an index
// changes, so that a binary refuses an index it would misread.
const formatVersion = 5

// manifest describes an index folder: its shards, each a bleve index in a
// subfolder, searched together as one.
type manifest struct {
	Version int      `json:"version"`
	Docs    int      `json:"docs"` // as built; Update does not change it
	Shards  []string `json:"shards"`
}

// batchSize is the number of documents per bleve batch: larger batches index
// faster (see docs in LIBRARIES.md) at the cost of memory.
const batchSize = 1000

// docsPerShard is about how many documents make one more shard worth it:
// a shard is written by one goroutine, so that with 5,000 a site of 9,900
// notes was indexed on one core while the other had nothing left to do.
const docsPerShard = 1000

// shardCount chooses the number of shards for n documents: one for a small
// site, one per core for a large one, since every shard is written by its
// own goroutine and searched in parallel.
func shardCount(n int) int {
	return max(1, min(runtime.GOMAXPROCS(0), n/docsPerShard))
}

// Build writes a new index of docs into dir, which must not exist yet. The
// documents are split into shards written in parallel. On an error or when
// ctx is cancelled, Build removes what it wrote and returns the error.
func Build(ctx context.Context, dir string, docs []Document) error {
	return build(ctx, dir, docs, shardCount(len(docs)), false)
}

// build is Build into the given number of shards, with term vectors when
// termVectors (see newMapping).
func build(ctx context.Context, dir string, docs []Document, shards int, termVectors bool) (err error) {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	m := manifest{Version: formatVersion, Docs: len(docs)}
	for i := range shards {
		m.Shards = append(m.Shards, fmt.Sprintf("%02d", i))
	}
	// One analyzer for all shards: its cache of stems is shared.
	a, err := newAnalyzer()
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	im := newMapping(termVectors)
	for i, name := range m.Shards {
		dm, err := newDocMaker(a, im)
		if err != nil {
			return err
		}
		// Shard i gets every shards-th document, so that each holds all years.
		g.Go(func() error {
			return buildShard(gctx, dir, name, im, dm, docs, i, shards)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, manifestName), data, 0o644); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	return nil
}

// buildShard indexes docs[first], docs[first+step], … into a new bleve index
// named name in dir, with the mapping im, and writes its positions file. It
// uses bleve's offline builder, which writes segments without waiting for
// a sync after each batch and merges them into one at the end: faster to
// write than an index fed batches, and faster to search.
func buildShard(ctx context.Context, dir, name string, im *mapping.IndexMappingImpl, dm *docMaker, docs []Document, first, step int) (err error) {
	path := filepath.Join(dir, name)
	pw, err := createPosFile(posFile(dir, name))
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	defer func() {
		if cerr := pw.close(); cerr != nil && err == nil {
			err = fmt.Errorf("search index: %w", cerr)
		}
	}()
	if first >= len(docs) {
		// The builder cannot write an empty index; an ordinary index can.
		idx, err := bleve.New(path, im)
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
	b, err := newShardBuilder(path, tmp, im)
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	enc := newPosEncoder(newPosDict())
	// On an error the builder is left unclosed: Close would merge what was
	// written so far (and fails with nothing written); the deferred
	// RemoveAll of the caller and of tmp discards it.
	for i := first; i < len(docs); i += step {
		d := &docs[i]
		if d.ID == "" {
			return errors.New("search index: a document without an ID")
		}
		if (i-first)/step%batchSize == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := b.Index(dm.document(d, enc)); err != nil {
			return fmt.Errorf("search index: %s: %w", d.ID, err)
		}
		if err := pw.add(enc, d.ID); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := b.Close(); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	return nil
}
