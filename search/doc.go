// Package search indexes a digest's published notes with bleve and answers
// readers' searches over them: the index written by `digest build`, the
// queries of `digest search`, and the handler of `digest serve` for
// GET /search (a results page) and GET /api/search (the same as JSON).
//
// # The index
//
// Build writes the documents of the published notes (FromNote) into OUT/.search
// (DirName), inside the build's temporary folder, so that the swap that
// publishes the pages publishes the index with them. The folder holds
// index.json (format version, shards) and one bleve index per shard (one
// per thousand notes, up to one per core), each written by bleve's offline
// builder in its own goroutine and merged into one segment, and beside each
// shard its positions file (see positions.go): bleve keeps no term vectors,
// which were a fifth of an index's build time and most of its size, and
// phrases read where their words are from these files instead. The
// documents bleve writes are made and analysed by this package (see
// docMaker), not mapped by bleve. Open opens every shard read-only, so
// several processes may serve one OUT, maps the positions files, and loads
// two things into memory: a table of every note's URL, day, kind, regions
// and sectors (from doc values), on which filters, facets and sorting run;
// and the vocabulary of the index as one finite-state transducer, for
// typos.
//
// # Updates
//
// OpenWritable opens an index for searching and for Update, which watch
// mode calls after each incremental build with the documents of new and
// changed notes and the URLs of those gone. A document's positions are
// appended to its shard's positions file first, and cut off again if the
// document does not make it into the shard. A document goes into its shard
// as a bleve batch, on disk when Update returns, so that an index opened
// later sees it: the table and the vocabulary are read from the shards
// again at every Open. In memory, the table gets a new row for the new
// version and leaves the old one out; new words are counted apart from the
// vocabulary as loaded. A search runs on a view: a snapshot of every shard
// with the table and vocabulary of exactly that snapshot; Update makes a
// new view and swaps it in, and searches under way finish on theirs. Only
// one process may hold an index open for updates, and no process may open
// it read-only meanwhile.
//
// A note's text is analysed for Russian by one analyzer of this package
// (see textAnalyzer): Snowball stems («выставке» → выставк), ё as е, lower
// case, Russian stop words dropped, Hanzi as bigrams (广东省 → 广东 东省). A
// note's title is one field; everything else a reader may look for is one
// array field: summary, body, people with their roles, organizations,
// places, and every name (ru, en, zh) and alias of its kind, regions and
// sectors, so that «Guangdong», «广东», «Гуандун» and «провинция Гуандун»
// find the same notes.
//
// # Queries
//
// A reader's q is taken apart by ParseText, never by a query parser: words
// (each must match, after stemming, in the title or the text; a match in
// the title weighs three times as much), "quoted phrases" (words in order;
// «» and “” count as quotes), and -word or -"phrase" to exclude. A word of
// five letters or more that few notes have (fewer than one in a thousand)
// is also looked for within one edit (two from ten letters), its first
// letter kept, at a fifth of the weight: a typo finds the note, below exact
// matches. Nothing a reader types makes a search fail.
//
// A search runs in rows of the table rather than in bleve's searchers (see
// rows.go): each word is read once into the rows that have it with their
// scores, each phrase found once (the rows with all of its words, from the
// postings, whose positions have them in order), and both are kept in a
// cache of the index's current view; a query is then set operations on rows,
// and filters, totals and facets are bitsets, a filter's rows and facets
// kept in the view too (see view.filtered). Scores are bleve's TF-IDF on the
// shard of each note, exactly: a query ranks as bleve ranked it, phrases as
// its phrase searcher does. A hit's snippet marks its words where its text
// has them (see findSpans), its phrases where a reading of its text finds
// them in order (see clauseSpans); the stored fields of recent hits are kept
// in memory with their last snippets (see newDocCache).
//
// ParseRequest reads the parameters shared by both endpoints and the
// command: q (at most 500 characters of UTF-8); region, sector, kind (each
// may repeat; a slug, any name or alias; a note must have every region and
// every sector given and one of the kinds); from and to (YYYY-MM-DD,
// inclusive, on the day the event starts); sort (relevance, the default
// with words, or date, newest first, the default without); page (from 1;
// past the end is empty); per_page (1 to 100). A bad one is a *ParamError
// that names it; an unknown name comes with the closest known one.
//
// # Serving
//
// NewHandler serves /search and /api/search and answers every bad request
// with 400 and a message naming the parameter: JSON {"error": …} from the
// API, the results page with the message from /search. Responses are
// cached by query and by the index's count of updates; SetIndex swaps in a
// new index and empties the cache, and Index.Close waits for the searches
// under way. Searches that are not cached take turns, with the making of
// their answers, in the order they came: as many at once as
// HandlerConfig.Turns says (digest serve: one per CPU, with one more
// processor left for the network).
package search
