package search

// The stored fields of the documents that hits showed lately are kept by
// row in an lru of the table (table.docs), so that the notes every reader
// sees (the newest, the first hits of common words) are decoded once rather
// than on every search: reading one from its segment (decompressing its
// text) was a fifth of a search's time. A row is one version of one
// document in a table and in the tables Update derives from it (a new
// version gets a new row), so that they share one cache and its entries
// never go stale; a table loaded afresh has a cache of its own.

// docCacheBytes is the budget of a table's cache of stored fields: a few
// thousand notes.
const docCacheBytes = 32 << 20

func newDocCache() *lru[int32, *storedDoc] {
	return newLRU(docCacheBytes, func(_ int32, d *storedDoc) int { return d.size() })
}

// size is about what d takes in memory, with the folded copies of its
// summary and body that a search of words makes.
func (d *storedDoc) size() int {
	n := 128 + len(d.title) + 2*len(d.summary) + 2*len(d.body) + len(d.end)
	for _, s := range d.regions {
		n += 16 + len(s)
	}
	for _, s := range d.sectors {
		n += 16 + len(s)
	}
	return n
}

// The snippets that searches of words made lately are kept beside, by row
// and terms (table.snippets): finding the words in a long body is most of
// what a hit costs, and the notes a search shows come back in its next
// pages, orders and filters, and in other readers' searches of the same
// words. A row's snippet for some terms never changes, so the tables
// update derives share this cache too.

// snippetCacheBytes is the budget of a table's cache of snippets: some ten
// thousand.
const snippetCacheBytes = 8 << 20

// snippetKey identifies a snippet: its row, and the terms it marks, sorted
// and joined by NUL, which no term has.
type snippetKey struct {
	row   int32
	terms string
}

func newSnippetCache() *lru[snippetKey, string] {
	return newLRU(snippetCacheBytes, func(k snippetKey, s string) int { return 64 + len(k.terms) + len(s) })
}
