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

// snippetBytes is about the most a snippet and its key take: snippetRunes
// of Cyrillic, marks and the key.
const snippetBytes = 2*snippetRunes + 256

func newDocCache() *lru[int32, *storedDoc] {
	return newLRU(docCacheBytes, func(_ int32, d *storedDoc) int { return d.size() })
}

// size is about what d takes in memory, with the folded copies of its
// summary and body and the snippets that searches of words make.
func (d *storedDoc) size() int {
	n := 128 + len(d.title) + 2*len(d.summary) + 2*len(d.body) + len(d.end) + maxSnippets*snippetBytes
	for _, s := range d.regions {
		n += 16 + len(s)
	}
	for _, s := range d.sectors {
		n += 16 + len(s)
	}
	return n
}
