package search

import (
	"container/list"
	"sync"
)

// lru keeps the latest values by key, up to a number of bytes as sizeOf
// counts them; a value over an eighth of that is not kept, so that one
// value never pushes out many. A nil *lru keeps nothing.
//
// The handler keeps responses in one (see Handler.cached): a response is
// good for as long as the index it came from is served unchanged, since
// SetIndex empties the cache and keys name the index's count of updates.
// A table keeps the stored fields of hits in another, by row (see hits);
// a view the rows of words and plans (see rowSet) and of filters (see
// view.filtered).
type lru[K comparable, V any] struct {
	mu     sync.Mutex
	max    int
	size   int
	sizeOf func(K, V) int
	ll     *list.List // front: most recently used
	items  map[K]*list.Element
}

type lruEntry[K comparable, V any] struct {
	key  K
	val  V
	size int
}

func newLRU[K comparable, V any](maxBytes int, sizeOf func(K, V) int) *lru[K, V] {
	return &lru[K, V]{max: maxBytes, sizeOf: sizeOf, ll: list.New(), items: map[K]*list.Element{}}
}

func (c *lru[K, V]) get(key K) (V, bool) {
	var zero V
	if c == nil {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return zero, false
	}
	c.ll.MoveToFront(e)
	return e.Value.(*lruEntry[K, V]).val, true
}

func (c *lru[K, V]) put(key K, val V) {
	if c == nil {
		return
	}
	n := c.sizeOf(key, val)
	if n > c.max/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.size -= e.Value.(*lruEntry[K, V]).size
		c.ll.Remove(e)
	}
	c.insertLocked(key, val, n)
}

// add is put but for a key the cache has: it keeps the value it has,
// whose holders may have worked on it since (see rowSet.whole). It reports
// whether val went in.
func (c *lru[K, V]) add(key K, val V) bool {
	if c == nil {
		return false
	}
	n := c.sizeOf(key, val)
	if n > c.max/8 {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[key]; ok {
		return false
	}
	c.insertLocked(key, val, n)
	return true
}

// insertLocked puts val, of n bytes, first and drops the least recently
// used values over the budget.
func (c *lru[K, V]) insertLocked(key K, val V, n int) {
	c.items[key] = c.ll.PushFront(&lruEntry[K, V]{key, val, n})
	c.size += n
	for c.size > c.max {
		last := c.ll.Back()
		e := last.Value.(*lruEntry[K, V])
		c.ll.Remove(last)
		delete(c.items, e.key)
		c.size -= e.size
	}
}

// clear empties the cache.
func (c *lru[K, V]) clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ll.Init()
	clear(c.items)
	c.size = 0
}

// cache keeps the handler's responses by key.
type cache = lru[string, cachedResponse]

// cachedResponse is a response as written.
type cachedResponse struct {
	status int
	ctype  string
	body   []byte
}

func newCache(maxBytes int) *cache {
	return newLRU(maxBytes, func(key string, r cachedResponse) int { return len(key) + len(r.body) + 64 })
}
