// Package search indexes a digest's published notes with bleve and answers
// readers' searches over them: the index written by `digest build`, the
// queries of `digest search`, and the handler of `digest serve` for
// GET /api/search (a search's result as JSON), through which package
// searchpage answers GET /search (the results page).
// It uses bleve's public API only; docs/INDEX.md documents the index for
// those who query it with their own tools.
//
// # The index (mapping.go, index.go)
//
// Build writes the documents of the published notes (FromNote) into
// OUT/.search (DirName), inside the build's temporary folder, so that the
// swap that publishes the pages publishes the index with them. The folder
// holds index.json (format version, when it was built, the shards), one
// bleve index per shard (one for a small site, one per core for a large
// one, each written by bleve's offline builder in its own goroutine, the
// segments of large shards merged one shard at a time), and
// site/, the site's settings and taxonomies, so that OUT alone is enough to
// serve and search it. Every shard carries its mapping (newMapping), whose
// text analyzer is made of bleve's registered components: any program with
// bleve's standard components opens it and analyses text as the build did.
//
// Open opens every shard read-only, so that several processes may serve one
// OUT, and reads its table. OpenWritable
// opens them for Update, which watch mode calls after each incremental
// build with the documents of new and changed notes and the URLs of those
// gone: one bleve batch per shard, the shard of a document fixed by its URL;
// then the table is read again, and searches under way finish on the old.
//
// # Queries (query.go, search.go, table.go, fuzzy.go)
//
// A reader's q is taken apart by ParseText, never by a query parser: words,
// "quoted phrases" («» and “” count as quotes), and -word or -"phrase" to
// exclude. Each token of a word, as the index's analyzer makes it, must
// match in some text field (a term query per field, the title weighing
// three times as much); a word of five letters or more that few notes have
// may also match with a typo (fuzzy queries, one edit, two from ten
// letters, at a fifth of the weight: below exact matches), whose candidate
// terms are found once per search in a typo dictionary of every shard and
// field, built by the first search of a snapshot that needs it (see
// typoDict). A word that no
// note has as written is a typo: the Result's Typos name it, with the word
// the hits' snippets show in its place, and the results page says
// «Показаны результаты для …». A phrase is a
// match-phrase query per field. Exclusions are a boolean query's must-not.
// Nothing a reader types makes a search fail.
//
// The matches come from bleve's searchers, with bleve's scores, into a
// table of the index's doc values that an Index keeps in memory for the
// snapshot it searches (see table): filters by region, sector, kind and
// dates, facets, and the order by date run on it, bleve's own facets and
// sort having cost most of a search (docs/BENCHMARKS.md). The page's hits are loaded from
// bleve's stored fields on that snapshot, their snippets cut from the
// stored text at the places of the matches that bleve's term vectors give.
//
// ParseRequest reads the parameters shared by both endpoints and the
// command: q (at most 500 characters of UTF-8); region, sector, kind (each
// may repeat; a slug, any name or alias; a note must have every region and
// every sector given and one of the kinds); from and to (YYYY-MM-DD,
// inclusive, on the day the event starts); sort (relevance, the default
// with words, or date, newest first, the default without); page (from 1;
// past the end is empty); per_page (1 to 100). A bad one is a *ParamError
// that names it and quotes at most 40 characters of its value, in English
// (Error, for the API and the command line) and in Russian (Russian, for
// the results page).
//
// # Serving (handler.go)
//
// NewHandler serves /api/search and answers every bad request with 400 and
// JSON {"error": …} naming the parameter. Answer serves any other View of a
// search the same way, through the same cache and turns: the results page
// of package searchpage is one. Responses are kept in an LRU cache by view,
// query and the index's generation; SetIndex swaps in a new index and
// empties the cache, and Index.Close waits for the searches under way.
// Index.Replaced tells when a build has published another OUT, whose index
// `digest serve` then swaps in. Searches that
// are not cached take turns, with the making of their answers, in the order
// they came: as many at once as HandlerConfig.Turns says.
package search
