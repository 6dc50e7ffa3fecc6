package search

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// naiveWindow is bestWindow as its comment says it: every window counted
// afresh.
func naiveWindow(text string, ms []span) (best, terms int) {
	var seen []string
	for i := range ms {
		limit := advance(text, ms[i].start, windowRunes)
		seen = seen[:0]
		for j := i; j < len(ms) && ms[j].end <= limit; j++ {
			if !slices.Contains(seen, ms[j].term) {
				seen = append(seen, ms[j].term)
			}
		}
		if len(seen) > terms {
			best, terms = i, len(seen)
		}
	}
	return best, terms
}

func TestBestWindow(t *testing.T) {
	words := []string{"мост", "порт", "a", "выставка", "广东", "торговый", "дом", "сотрудничество"}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 3000 {
		var b strings.Builder
		var ms []span
		for range rng.IntN(120) {
			w := words[rng.IntN(len(words))]
			if rng.IntN(50) == 0 {
				w = strings.Repeat("длинное", 30) // a match longer than a window
			}
			start := b.Len()
			b.WriteString(w)
			if rng.IntN(3) == 0 {
				ms = append(ms, span{start, b.Len(), w})
			}
			b.WriteString(strings.Repeat(" ", 1+rng.IntN(60)))
		}
		text := b.String()
		gb, gt := bestWindow(text, ms)
		wb, wt := naiveWindow(text, ms)
		if len(ms) > 0 && (gb != wb || gt != wt) {
			t.Fatalf("case %d (%d matches): bestWindow = %d, %d; want %d, %d", n, len(ms), gb, gt, wb, wt)
		}
	}
}

func TestAdvance(t *testing.T) {
	naive := func(text string, i, n int) int {
		for ; n > 0 && i < len(text); n-- {
			_, size := utf8.DecodeRuneInString(text[i:])
			i += size
		}
		return i
	}
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"a", " ", "ж", "Ё", "广", "—", "𝄞", "«", "z9"}
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(80) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		text := b.String()
		starts := []int{0}
		for i := range text {
			starts = append(starts, i)
		}
		i := starts[rng.IntN(len(starts))]
		n := rng.IntN(40)
		if got, want := advance(text, i, n), naive(text, i, n); got != want {
			t.Fatalf("advance(%q, %d, %d) = %d, want %d", text, i, n, got, want)
		}
	}
}
