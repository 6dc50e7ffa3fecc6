package search

import (
	"strings"
	"testing"
)

// TestLRU holds the cache of stored fields (an lru, as the response cache
// is) to its bounds: what is used stays, what is not goes, and the bytes
// kept stay within the budget.
func TestLRU(t *testing.T) {
	doc := func(n int) *storedDoc { return &storedDoc{body: strings.Repeat("ж", n)} }
	c := newLRU(100000, func(_ int32, d *storedDoc) int { return d.size() })
	c.put(1, doc(1000))
	if _, ok := c.get(1); !ok {
		t.Fatal("no entry after put")
	}
	if _, ok := c.get(2); ok {
		t.Fatal("an entry that was never put")
	}
	if c.put(2, doc(6000)); func() bool { _, ok := c.get(2); return ok }() {
		t.Error("a document over an eighth of the budget was kept")
	}
	// Row 1 is used all along; rows 10… pass once each.
	for r := int32(10); r < 100; r++ {
		c.put(r, doc(1000))
		if _, ok := c.get(1); !ok {
			t.Fatalf("row 1, in use, was dropped at row %d", r)
		}
		if c.size > c.max {
			t.Fatalf("%d bytes kept, budget %d", c.size, c.max)
		}
	}
	if _, ok := c.get(10); ok {
		t.Error("row 10, long unused, is still kept")
	}
	if n, most := len(c.items), c.max/doc(1000).size(); n > most {
		t.Errorf("%d documents kept within a budget of %d", n, most)
	}
	c.clear()
	if _, ok := c.get(1); ok || c.size != 0 {
		t.Error("entries left after clear")
	}
}

// TestLRUAdd: add keeps the value a key has, as the view's cache of rows
// needs (a cached set may have worked out its wholeSet), and reports
// whether the value went in.
func TestLRUAdd(t *testing.T) {
	c := newLRU(1000, func(_ string, v []byte) int { return len(v) })
	first, second := []byte("first"), []byte("second")
	for _, step := range []struct {
		key  string
		val  []byte
		want bool   // went in
		kept string // the key's value after
	}{
		{"a", first, true, "first"},
		{"a", second, false, "first"},
		{"b", make([]byte, 126), false, ""}, // over an eighth of the budget
		{"b", second, true, "second"},
	} {
		if got := c.add(step.key, step.val); got != step.want {
			t.Errorf("add(%q, %d bytes) = %v, want %v", step.key, len(step.val), got, step.want)
		}
		if v, _ := c.get(step.key); string(v) != step.kept {
			t.Errorf("after add(%q): %q, want %q", step.key, v, step.kept)
		}
	}
	if c.size != len(first)+len(second) {
		t.Errorf("size %d, want %d", c.size, len(first)+len(second))
	}
}
