package search

import (
	"container/list"
	"sync"
)

// cache keeps the latest responses by key, up to a number of bytes. A
// response is good for as long as the index it came from is served
// unchanged: SetIndex empties the cache, and keys name the index's count of
// updates (see Handler.cached).
type cache struct {
	mu    sync.Mutex
	max   int
	size  int
	ll    *list.List // front: most recently used
	items map[string]*list.Element
}

type cacheEntry struct {
	key  string
	resp cachedResponse
}

// cachedResponse is a response as written.
type cachedResponse struct {
	status int
	ctype  string
	body   []byte
}

func newCache(maxBytes int) *cache {
	return &cache{max: maxBytes, ll: list.New(), items: map[string]*list.Element{}}
}

func (c *cache) get(key string) (cachedResponse, bool) {
	if c == nil {
		return cachedResponse{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return cachedResponse{}, false
	}
	c.ll.MoveToFront(e)
	return e.Value.(*cacheEntry).resp, true
}

func (c *cache) put(key string, r cachedResponse) {
	if c == nil {
		return
	}
	n := len(key) + len(r.body) + 64
	if n > c.max/8 {
		return // one response must not push out many
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.size -= entrySize(e.Value.(*cacheEntry))
		c.ll.Remove(e)
	}
	c.items[key] = c.ll.PushFront(&cacheEntry{key, r})
	c.size += n
	for c.size > c.max {
		last := c.ll.Back()
		ce := last.Value.(*cacheEntry)
		c.ll.Remove(last)
		delete(c.items, ce.key)
		c.size -= entrySize(ce)
	}
}

func entrySize(e *cacheEntry) int { return len(e.key) + len(e.resp.body) + 64 }

// clear empties the cache.
func (c *cache) clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ll.Init()
	clear(c.items)
	c.size = 0
}
