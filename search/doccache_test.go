package search

import (
	"strings"
	"testing"
)

func TestDocCache(t *testing.T) {
	doc := func(n int) *storedDoc { return &storedDoc{body: strings.Repeat("ж", n)} }
	c := &docCache{budget: 10000}
	c.put(1, doc(1000))
	if c.get(1) == nil || c.get(2) != nil {
		t.Fatal("get after put")
	}
	if c.put(2, doc(6000)); c.get(2) != nil {
		t.Error("a document over half the budget was kept")
	}
	// Row 1 is used all along; rows 10… pass once each.
	for r := int32(10); r < 100; r++ {
		c.put(r, doc(1000))
		if c.get(1) == nil {
			t.Fatalf("row 1, in use, was dropped at row %d", r)
		}
		if c.size > c.budget/2 {
			t.Fatalf("generation of %d bytes, budget %d", c.size, c.budget)
		}
	}
	if c.get(10) != nil {
		t.Error("row 10, unused for many generations, is still kept")
	}
	if n := len(c.cur) + len(c.old); n > 10 {
		t.Errorf("%d documents kept within a budget of 10", n)
	}
}
