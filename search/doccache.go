package search

import "sync"

// docCache keeps the stored fields of the documents that hits showed
// lately, by row, so that the notes every reader sees (the newest, the
// first hits of common words) are decoded once rather than on every
// search: reading one from its segment (decompressing its text) was a
// fifth of a search's time. A row is one version of one document for
// the life of an Index (Update gives a new version a new row), so that
// entries never go stale.
//
// It holds two generations of at most half its budget each: a document
// found in the old one moves to the new, and when the new one is full the
// old is dropped. What is used stays; what is not goes within two
// generations, with no per-entry bookkeeping.
type docCache struct {
	mu       sync.Mutex
	budget   int // bytes, both generations together
	size     int // bytes of cur
	cur, old map[int32]*storedDoc
}

// docCacheBytes is the budget of an index's cache of stored fields: a
// few thousand notes.
const docCacheBytes = 32 << 20

func (c *docCache) get(row int32) *storedDoc {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.cur[row]; d != nil {
		return d
	}
	d := c.old[row]
	if d != nil {
		c.addLocked(row, d)
	}
	return d
}

func (c *docCache) put(row int32, d *storedDoc) {
	c.mu.Lock()
	c.addLocked(row, d)
	c.mu.Unlock()
}

func (c *docCache) addLocked(row int32, d *storedDoc) {
	n := d.size()
	if 2*n > c.budget {
		return
	}
	if c.size+n > c.budget/2 {
		c.old, c.cur, c.size = c.cur, nil, 0
	}
	if c.cur == nil {
		c.cur = map[int32]*storedDoc{}
	}
	if c.cur[row] == nil {
		c.cur[row] = d
		c.size += n
	}
}

// size is about what d takes in memory.
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
