// Package search indexes a digest's published notes with bleve and answers
// readers' searches over them: the index written by `digest build`, the
// queries of `digest search`, and the handler of `digest serve` for
// GET /api/search, through which package searchpage answers GET /search.
// It uses bleve's public API only; docs/INDEX.md documents the index for
// those who query it with their own tools.
//
// # The index (mapping.go, index.go)
//
// Build writes the documents of the published notes (FromNote: people and
// places in Latin letters too, by package russian's pinyin and Latin
// spellings) into OUT/.search (DirName): index.json, one bleve index per
// shard, each written by bleve's offline builder in its own goroutine, and
// site/, the site's settings and taxonomies, so that OUT alone is enough
// to serve and search it. Every shard carries its mapping (newMapping), whose analyzer
// is made of bleve's registered components. Open opens the shards
// read-only; OpenWritable opens them for Update, which `serve --watch`
// calls after each incremental build.
//
// # Queries
//
// ParseText (parse.go) takes a reader's q apart: words, "phrases",
// -exclusions, OR; never an error. Index.plan (query.go) turns it into
// bleve queries: each token of a word in some text field, with its other
// forms at a lower weight (variants: package russian's rules of endings, a
// Latin word's Russian spellings, Palladius's spellings of pinyin, е for
// э) and, for a rare word, its typos (fuzzy queries at a lower weight,
// whose candidates come from one typo dictionary of every shard and field:
// fuzzy.go); a date, as package dates reads it, as its words or its days
// (planDate, dates.go); a phrase as a match-phrase query; exclusions as
// must-not. Names (names.go): words that name a region, place, person or
// organization in another script, or by an alias, or a Chinese name in
// pinyin, have the Russian name as another form (orRussian), and a name
// the notes list ranks their notes first. Regions (regions.go): a query
// that names regions and nothing else but dates puts their events first,
// and regions whose names stem alike are told apart.
//
// Search (search.go) runs the plan: the matches come from bleve's
// searchers, with bleve's scores, into the table of the snapshot's doc
// values (table.go), where filters, facets and the order by date run. The
// page's hits are loaded from bleve's stored fields, their snippets cut at
// the places bleve's term vectors give (snippet.go); a hit found by
// another spelling of a name has the name marked as the note writes it
// (markNames). A search that finds nothing is tried again: with typos of
// listed names, in the other keyboard layout (russian.OtherLayout), then
// with looser typos.
//
// # Serving (request.go, handler.go)
//
// ParseRequest reads a search's parameters; a bad one is a *ParamError,
// which the handler answers with 400. Handler serves /api/search and any
// other View of a search (Answer) through one LRU cache of answers and
// turns for the processors; SetIndex swaps in a rebuilt index, and
// Index.Close waits for the searches under way.
package search
