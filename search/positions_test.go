package search

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
)

// TestWithoutTermVectors builds the same notes as Build does, without term
// vectors, and as the tests' other indexes are, with them, and holds every
// search of phrases and words on the first to the second: the same hits,
// snippets and facets. (On the second, the rows of phrases are held to
// bleve's phrase searcher by TestRowsMatchBleve.)
func TestWithoutTermVectors(t *testing.T) {
	docs := append(testDocs(t, false), genDocs(300)...)
	// Phrases across the elements of the text: a match may not run from
	// one into the next, nor from the title into the text.
	docs = append(docs, Document{
		ID: "/2025/elements/", Title: "Торговый", Summary: "дом и выставка", Body: "Мост порт. Зерно, соя.",
		People: []string{"Ли Мин торговый", "дом Ивана"}, Kind: "visit", Regions: []string{"jilin"}, Day: "2025-01-01",
	})
	without := filepath.Join(t.TempDir(), DirName)
	if err := build(context.Background(), without, docs, 2, false); err != nil {
		t.Fatal(err)
	}
	got, err := Open(without)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	want := buildIndex(t, docs, 2)
	found := 0
	for _, q := range []string{`"торговый дом"`, `"выставке в Харбине"`, `"мост порт"`, `"зерно соя"`, `"дом и выставка"`, `"торговый дом ивана"`,
		`"Ли Мин"`, `"провинция Гуандун"`, `"广东省"`, `"выставке в Харбине" Демешин`, `Гуандун -"торговый дом"`, `"порт мост"`,
		"российско-китайского", "-российско-китайского", "выставка", "мост порт", `"мост порт" "зерно соя"`, `"лес лес"`} {
		for _, sort := range []Sort{SortRelevance, SortDate} {
			q := Query{Q: q, Sort: sort, PerPage: 100}
			g, w := search(t, got, q), search(t, want, q)
			sameResult(t, fmt.Sprintf("%+v", q), g, w)
			if g.Total > 0 {
				found++
			}
		}
	}
	if found < 20 {
		t.Errorf("only %d searches found anything", found)
	}
	// Nothing runs across elements.
	for _, q := range []string{`"торговый дом"`, `"выставка мост"`, `"соя ли мин"`, `"торговый дом ивана"`} {
		for _, h := range search(t, got, Query{Q: q}).Hits {
			if h.URL == "/2025/elements/" {
				t.Errorf("%s found across elements", q)
			}
		}
	}
	if r := search(t, got, Query{Q: `"дом и выставка"`}); !slices.Contains(urls(r), "/2025/elements/") {
		t.Errorf(`"дом и выставка": %q`, urls(r))
	}
}

// TestVocabCounts holds the vocabulary's count of every term to the
// postings of the index: zap's dictionary iterator counts wrongly in
// merged segments without term vectors (see loadVocab). 2,500 notes in one
// shard make the builder merge three segments.
func TestVocabCounts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), DirName)
	if err := build(context.Background(), dir, genDocs(2500), 1, false); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	v := ix.acquire()
	defer v.release()
	it, err := v.vocab.fst.Iterator(nil, nil)
	ones, many := 0, 0
	for err == nil {
		term, count := it.Current()
		want := 0
		for _, f := range textFields {
			rows, _, _, perr := v.postings(context.Background(), f.name, string(term))
			if perr != nil {
				t.Fatal(perr)
			}
			want += len(rows)
		}
		if int(count) != want {
			t.Fatalf("%q: count %d, postings %d", term, count, want)
		}
		if count == 1 {
			ones++
		} else {
			many++
		}
		err = it.Next()
	}
	if ones < 100 || many < 100 {
		t.Errorf("%d terms of one note, %d of more: too few to tell", ones, many)
	}
}

// TestPositionsFile checks that a positions file cut short, or of another
// version, makes the index fail to open with ErrNoIndex, which tells the
// user to build again.
func TestPositionsFile(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func([]byte) []byte
		want string
	}{
		{"cut short", func(b []byte) []byte { return b[:len(b)-3] }, "cut short"},
		{"other version", func(b []byte) []byte { b[len(posMagic)-1]++; return b }, "not a positions file"},
		{"unknown record", func(b []byte) []byte { return append(b, 'X') }, "a record of kind"},
		{"missing", func([]byte) []byte { return []byte(posMagic) }, "no positions of"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), DirName)
			if err := build(context.Background(), dir, testDocs(t, false), 1, false); err != nil {
				t.Fatal(err)
			}
			path := posFile(dir, "00")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, c.edit(b), 0o644); err != nil {
				t.Fatal(err)
			}
			ix, err := Open(dir)
			if err == nil {
				ix.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrNoIndex) {
				t.Errorf("error %q, want %q and ErrNoIndex", err, c.want)
			}
		})
	}
}

func TestMatchPhrase(t *testing.T) {
	// Tokens of terms 1 (a), 2 (b), 3 (c) at positions in elements.
	toks := []ptok{{0, 1, 1}, {0, 2, 2}, {0, 4, 3}, {1, 1, 2}, {1, 2, 1}, {1, 3, 2}, {1, 5, 1}, {2, 1, 1}}
	for _, c := range []struct {
		name        string
		slots, offs []int32
		want        string
	}{
		{"a b", []int32{1, 2}, []int32{0, 1}, "[0 1] [4 5]"},
		{"b a", []int32{2, 1}, []int32{0, 1}, "[3 4]"},
		{"a b _ c: a gap", []int32{1, 2, 3}, []int32{0, 1, 3}, "[0 1 2]"},
		{"a _ c: the gap is a position, not a token", []int32{1, 3}, []int32{0, 2}, ""},
		{"a b a", []int32{1, 2, 1}, []int32{0, 1, 2}, ""},
		{"b a b", []int32{2, 1, 2}, []int32{0, 1, 2}, "[3 4 5]"},
		{"a a: not across elements", []int32{1, 1}, []int32{0, 1}, ""},
		{"a _ a", []int32{1, 1}, []int32{0, 2}, ""},
	} {
		var got []string
		matchPhrase(toks, c.slots, c.offs, func(at []int) bool {
			got = append(got, fmt.Sprint(at))
			return true
		})
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestPhraseIn holds the reading of streams to matchPhrase on the tokens
// they were written from: random elements of a few terms with gaps, and
// random patterns of them.
func TestPhraseIn(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	terms := []string{"a", "b", "c", "d"}
	found := 0
	for range 2000 {
		enc := newPosEncoder(newPosDict())
		enc.start()
		enc.field(true)
		type tok struct {
			elem, pos int32
			term      string
		}
		var toks []tok
		for e := range 1 + r.IntN(3) {
			if e > 0 {
				enc.element()
			}
			pos := 0
			for range r.IntN(40) {
				pos += 1 + r.IntN(2)*r.IntN(3) // now and then a gap
				term := terms[r.IntN(len(terms))]
				enc.token(enc.id([]byte(term)), pos)
				toks = append(toks, tok{int32(e), int32(pos), term})
			}
		}
		var phrase []string
		for range 2 + r.IntN(3) {
			phrase = append(phrase, terms[r.IntN(len(terms))])
		}
		var stream analysis.TokenStream
		pos := 1
		for _, w := range phrase {
			stream = append(stream, &analysis.Token{Term: []byte(w), Position: pos})
			pos += 1 + r.IntN(2)
		}
		p := newPhrasePattern(stream)
		var mine []ptok
		for _, tk := range toks {
			if k := slices.Index(p.terms, tk.term); k >= 0 {
				mine = append(mine, ptok{tk.elem, tk.pos, int32(k + 1)})
			}
		}
		want := false
		matchPhrase(mine, p.slots, p.offs, func([]int) bool { want = true; return false })
		enc.finish()
		ids := p.ids(enc.dict)
		got := false
		if ids != nil {
			got = p.in(enc.text, ids, &phraseScratch{})
		}
		if got != want {
			t.Fatalf("phrase %v (offsets %v) in %v: %v, want %v", phrase, p.offs, toks, got, want)
		}
		if got {
			found++
		}
	}
	if found < 200 {
		t.Errorf("only %d of 2000 streams had their phrase", found)
	}
}
