package search

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// writableIndex builds docs into a temporary folder and opens it for
// updates; it returns the index and its folder.
func writableIndex(t testing.TB, docs []Document, shards int) (*Index, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), DirName)
	if err := build(context.Background(), dir, docs, loadSite(t), shards); err != nil {
		t.Fatal(err)
	}
	ix, err := OpenWritable(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix, dir
}

func update(t testing.TB, ix *Index, upserts []Document, deletes ...string) {
	t.Helper()
	if err := ix.Update(context.Background(), upserts, deletes); err != nil {
		t.Fatal(err)
	}
}

// docByID returns a copy of the document with the ID.
func docByID(t testing.TB, docs []Document, id string) Document {
	t.Helper()
	for _, d := range docs {
		if d.ID == id {
			d.Regions = slices.Clone(d.Regions)
			d.Sectors = slices.Clone(d.Sectors)
			return d
		}
	}
	t.Fatalf("no document %s", id)
	return Document{}
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func facetCount(fs []FacetCount, value string) int {
	for _, f := range fs {
		if f.Value == value {
			return f.Count
		}
	}
	return 0
}

func TestUpdateTitle(t *testing.T) {
	docs := testDocs(t, false)
	ix, _ := writableIndex(t, docs, 2)
	if got := urls(search(t, ix, Query{Q: "торгпредство"})); !slices.Equal(got, []string{torgpred}) {
		t.Fatalf("before: %q", got)
	}
	d := docByID(t, docs, torgpred)
	d.Title = "Представительство провело вебинар для экспортёров"
	update(t, ix, []Document{d})

	if got := urls(search(t, ix, Query{Q: "вебинар"})); !slices.Equal(got, []string{torgpred}) {
		t.Errorf("new word: %q", got)
	}
	if r := search(t, ix, Query{Q: "торгпредство"}); r.Total != 0 || len(r.Hits) != 0 {
		t.Errorf("old word: %q, total %d", urls(r), r.Total)
	}
	r := search(t, ix, Query{Q: "вебинар"})
	if len(r.Hits) != 1 || r.Hits[0].Title != d.Title {
		t.Errorf("hit %+v", r.Hits)
	}
	// The rest of the note is as it was; the index has as many notes.
	if got := urls(search(t, ix, Query{Q: `"торговый дом"`})); !slices.Equal(got, []string{torgpred}) {
		t.Errorf("body: %q", got)
	}
	if ix.Len() != len(docs) {
		t.Errorf("Len %d, want %d", ix.Len(), len(docs))
	}
	// A typo of the new word finds it: the vocabulary has it.
	if got := urls(search(t, ix, Query{Q: "вебенар"})); !slices.Equal(got, []string{torgpred}) {
		t.Errorf("typo of the new word: %q", got)
	}
}

func TestUpdateMove(t *testing.T) {
	docs := testDocs(t, false)
	ix, _ := writableIndex(t, docs, 2)
	before := search(t, ix, Query{})
	// bridge: 2024-03-01, amur-oblast and heilongjiang. Move it to 2019 and
	// to Guangdong.
	d := docByID(t, docs, bridge)
	d.Date = day("2019-05-05")
	d.Regions = []string{"guangdong"}
	update(t, ix, []Document{d})

	tests := []struct {
		name string
		q    Query
		want []string // newest first
	}{
		{"new region", Query{Regions: []string{"guangdong"}}, []string{toys, deleg, torgpred, bridge}},
		{"old region", Query{Regions: []string{"amur-oblast"}}, []string{newYear}},
		{"new year", Query{From: day("2019-01-01"), To: day("2019-12-31")}, []string{bridge}},
		{"old year", Query{From: day("2024-01-01"), To: day("2024-12-31")}, []string{typo, newYear}},
		{"all by date", Query{}, []string{expo, typo, newYear, toys, deleg, torgpred, bridge}},
		{"word and new region", Query{Q: "мост", Regions: []string{"guangdong"}}, []string{bridge}},
		{"word and old region", Query{Q: "мост", Regions: []string{"heilongjiang"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Sort = SortDate
			if got := urls(search(t, ix, tt.q)); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	after := search(t, ix, Query{})
	if after.Total != before.Total {
		t.Errorf("total %d, was %d", after.Total, before.Total)
	}
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"guangdong", facetCount(after.Facets.Regions, "guangdong"), facetCount(before.Facets.Regions, "guangdong") + 1},
		{"amur-oblast", facetCount(after.Facets.Regions, "amur-oblast"), facetCount(before.Facets.Regions, "amur-oblast") - 1},
		{"heilongjiang", facetCount(after.Facets.Regions, "heilongjiang"), facetCount(before.Facets.Regions, "heilongjiang") - 1},
		{"2024", facetCount(after.Facets.Years, "2024"), facetCount(before.Facets.Years, "2024") - 1},
		{"2019", facetCount(after.Facets.Years, "2019"), 1},
		{"talks", facetCount(after.Facets.Kinds, "talks"), facetCount(before.Facets.Kinds, "talks")},
	} {
		if c.got != c.want {
			t.Errorf("facet %s: %d, want %d", c.name, c.got, c.want)
		}
	}
	// Facets of a search with words follow too.
	r := search(t, ix, Query{Q: "мост"})
	if facetCount(r.Facets.Regions, "guangdong") != 1 || facetCount(r.Facets.Regions, "heilongjiang") != 0 ||
		facetCount(r.Facets.Years, "2019") != 1 || facetCount(r.Facets.Years, "2024") != 0 {
		t.Errorf("facets of мост: %+v", r.Facets)
	}
	if len(r.Hits) != 1 || !slices.Equal(r.Hits[0].Regions, []string{"guangdong"}) || r.Hits[0].Date.Year() != 2019 {
		t.Errorf("hits of мост: %+v", r.Hits)
	}
}

func TestUpdateDelete(t *testing.T) {
	docs := testDocs(t, false)
	ix, _ := writableIndex(t, docs, 2)
	before := search(t, ix, Query{Q: "Гуандун"})
	update(t, ix, nil, toys, "/no/such/note/")

	if ix.Len() != len(docs)-1 {
		t.Errorf("Len %d, want %d", ix.Len(), len(docs)-1)
	}
	for _, q := range []Query{
		{Q: "ёлочные"}, {Q: "Гуандун"}, {Q: "Подмосковье"}, {}, {Regions: []string{"moscow-oblast"}},
		{Q: "-выставка"}, {Q: "Гуандун", Sort: SortDate}, {From: day("2023-01-01"), To: day("2023-12-31")},
	} {
		r := search(t, ix, q)
		if slices.Contains(urls(r), toys) {
			t.Errorf("%+v: deleted note found", q)
		}
	}
	r := search(t, ix, Query{Q: "Гуандун"})
	if r.Total != before.Total-1 || !slices.Equal(urls(r), []string{deleg, torgpred}) && !slices.Equal(urls(r), []string{torgpred, deleg}) {
		t.Errorf("Гуандун: %q, total %d", urls(r), r.Total)
	}
	if got := facetCount(r.Facets.Years, "2023"); got != 0 {
		t.Errorf("year 2023 counted %d times", got)
	}
	if got, want := facetCount(r.Facets.Regions, "moscow-oblast"), facetCount(before.Facets.Regions, "moscow-oblast")-1; got != want {
		t.Errorf("moscow-oblast: %d, want %d", got, want)
	}
	all := search(t, ix, Query{})
	if all.Total != len(docs)-1 || len(all.Hits) != len(docs)-1 {
		t.Errorf("listing: total %d, %d hits", all.Total, len(all.Hits))
	}
	if got := search(t, ix, Query{Q: "ёлочные"}); got.Total != 0 {
		t.Errorf("ёлочные: total %d", got.Total)
	}
	// Deleting again, or what was never there, changes nothing.
	update(t, ix, nil, toys)
	if ix.Len() != len(docs)-1 {
		t.Errorf("Len after a second delete %d", ix.Len())
	}
}

func TestUpdateAdd(t *testing.T) {
	docs := testDocs(t, false)
	ix, _ := writableIndex(t, docs, 2)
	d := Document{
		ID:      "/2026/zhejiang-tea/",
		Title:   "Чайная ярмарка в Ханчжоу",
		Summary: "Производители чая из Чжэцзяна приехали в Приморье.",
		Body:    "Переговоры о поставках улуна прошли в Уссурийске.",
		Orgs:    []string{"Ассоциация чаеводов"},
		Kind:    "tea-fair", // a kind no note had
		Regions: []string{"zhejiang", "primorsky-krai"},
		Sectors: []string{"agriculture"},
		Date:    day("2026-01-20"),
	}
	update(t, ix, []Document{d})
	if ix.Len() != len(docs)+1 {
		t.Errorf("Len %d", ix.Len())
	}
	for _, q := range []string{"улун", "Ханчжоу", "чаеводов", "улуна Уссурийске"} {
		if got := urls(search(t, ix, Query{Q: q})); !slices.Equal(got, []string{d.ID}) {
			t.Errorf("q=%q: %q", q, got)
		}
	}
	r := search(t, ix, Query{})
	if r.Total != len(docs)+1 || r.Hits[0].URL != d.ID {
		t.Errorf("listing: total %d, first %q", r.Total, urls(r))
	}
	if facetCount(r.Facets.Regions, "zhejiang") != 1 || facetCount(r.Facets.Kinds, "tea-fair") != 1 || facetCount(r.Facets.Years, "2026") != 1 {
		t.Errorf("facets %+v", r.Facets)
	}
	if got := urls(search(t, ix, Query{Regions: []string{"zhejiang"}, Kinds: []string{"tea-fair"}})); !slices.Equal(got, []string{d.ID}) {
		t.Errorf("filters: %q", got)
	}
	h := search(t, ix, Query{Q: "улун"}).Hits[0]
	if h.Title != d.Title || h.Kind != "tea-fair" || !slices.Equal(h.Regions, d.Regions) || !h.Date.Equal(d.Date) ||
		!strings.Contains(h.Snippet, "<mark>улуна</mark>") {
		t.Errorf("hit %+v", h)
	}
}

func TestUpdateReadOnly(t *testing.T) {
	ix := sharedIndex(t)
	done := make(chan error, 1)
	go func() { done <- ix.Update(context.Background(), testDocs(t, false)[:1], nil) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "read-only") {
			t.Errorf("err = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Update on a read-only index hangs")
	}
}

func TestUpdateClosed(t *testing.T) {
	ix, _ := writableIndex(t, testDocs(t, false), 1)
	ix.Close()
	if err := ix.Update(context.Background(), nil, []string{expo}); err != ErrClosed {
		t.Errorf("err = %v, want ErrClosed", err)
	}
}

func TestUpdateCancelled(t *testing.T) {
	docs := testDocs(t, false)
	ix, _ := writableIndex(t, docs, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ix.Update(ctx, nil, []string{expo}); err == nil {
		t.Error("no error")
	}
	if ix.Len() != len(docs) {
		t.Errorf("Len %d after a cancelled update", ix.Len())
	}
}

// TestUpdateReopen checks that updates are on disk: the index opened again,
// read-only or for updates, answers as the updated one did.
func TestUpdateReopen(t *testing.T) {
	docs := testDocs(t, false)
	ix, dir := writableIndex(t, docs, 2)
	d := docByID(t, docs, bridge)
	d.Title = "Мост Благовещенск — Хэйхэ: вебинар"
	d.Date = day("2019-05-05")
	d.Regions = []string{"guangdong"}
	update(t, ix, []Document{d})
	update(t, ix, nil, toys)
	update(t, ix, []Document{{ID: "/2026/new/", Title: "Новая заметка про вебинар", Kind: "expo", Regions: []string{"jilin"}, Date: day("2026-02-02")}})

	queries := []Query{
		{}, {Q: "вебинар"}, {Q: "Гуандун"}, {Q: "мост"}, {Regions: []string{"guangdong"}}, {Q: "ёлочные"},
		{From: day("2019-01-01"), To: day("2019-12-31")}, {Q: "вебенар"}, {Q: "-Гуандун"}, {Kinds: []string{"expo"}},
	}
	want := make([]*Result, len(queries))
	for i, q := range queries {
		want[i] = search(t, ix, q)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	for _, open := range []struct {
		name string
		fn   func(string) (*Index, error)
	}{{"Open", Open}, {"OpenWritable", OpenWritable}} {
		t.Run(open.name, func(t *testing.T) {
			ix, err := open.fn(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			if ix.Len() != len(docs) {
				t.Errorf("Len %d, want %d", ix.Len(), len(docs))
			}
			for i, q := range queries {
				sameResult(t, fmt.Sprintf("%+v", q), search(t, ix, q), want[i])
			}
		})
	}
	// Updated again after a reopen, from segments read from disk.
	ix, err := OpenWritable(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	update(t, ix, nil, bridge)
	if r := search(t, ix, Query{Q: "вебинар"}); !slices.Equal(urls(r), []string{"/2026/new/"}) {
		t.Errorf("after another update: %q", urls(r))
	}
}

// sameResult compares what a reader sees of two results: hits in order with
// what they show, totals and facets. Scores are left out.
func sameResult(t *testing.T, name string, got, want *Result) {
	t.Helper()
	if got.Total != want.Total {
		t.Errorf("%s: total %d, want %d", name, got.Total, want.Total)
	}
	if !slices.Equal(urls(got), urls(want)) {
		t.Errorf("%s: hits %q, want %q", name, urls(got), urls(want))
	} else {
		for i := range got.Hits {
			g, w := got.Hits[i], want.Hits[i]
			g.Score, w.Score = 0, 0
			if fmt.Sprint(g) != fmt.Sprint(w) {
				t.Errorf("%s: hit %d:\n%+v\nwant\n%+v", name, i, g, w)
			}
		}
	}
	if fmt.Sprint(got.Facets) != fmt.Sprint(want.Facets) {
		t.Errorf("%s: facets\n%+v\nwant\n%+v", name, got.Facets, want.Facets)
	}
}

// randomDocs makes n small documents of a few words from a short list, so
// that words, regions, kinds and years repeat across them.
func randomDocs(r *rand.Rand, n, first int) []Document {
	words := strings.Fields("выставка мост порт зерно соя лес уголь газ нефть туризм форум делегация проект торговля")
	regions := []string{"guangdong", "heilongjiang", "jilin", "khabarovsk-krai", "primorsky-krai", "amur-oblast", "zhejiang"}
	kinds := []string{"expo", "talks", "visit", "agreement"}
	pick := func(list []string, k int) []string {
		var out []string
		for range k {
			out = append(out, list[r.IntN(len(list))])
		}
		return out
	}
	docs := make([]Document, n)
	for i := range docs {
		date := time.Date(2018+r.IntN(8), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		docs[i] = Document{
			ID:      fmt.Sprintf("/%d/n%d/", date.Year(), first+i),
			Title:   strings.Join(pick(words, 3), " "),
			Summary: strings.Join(pick(words, 5), " "),
			Body:    strings.Join(pick(words, 20), " "),
			Kind:    kinds[r.IntN(len(kinds))],
			Regions: pick(regions, 1+r.IntN(2)),
			Sectors: pick([]string{"trade", "energy", "agriculture"}, r.IntN(2)),
			Date:    date,
		}
	}
	return docs
}

// TestUpdateMatchesBuild applies random updates and checks, every few, that
// the index answers as an index built afresh from the same documents, then
// that it does so after a reopen. Enough updates go in for bleve to merge
// segments, those the build wrote among them.
func TestUpdateMatchesBuild(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	docs := randomDocs(r, 200, 0)
	ix, dir := writableIndex(t, docs, 2)
	model := map[string]Document{}
	for _, d := range docs {
		model[d.ID] = d
	}
	queries := []Query{{}, {Q: "мост"}, {Q: "выставка соя"}, {Q: "-зерно"}, {Q: `"мост порт"`},
		{Regions: []string{"jilin"}}, {Q: "газ", Kinds: []string{"expo", "visit"}},
		{From: day("2020-01-01"), To: day("2021-12-31")}, {Q: "лес", Regions: []string{"guangdong"}, Sectors: []string{"trade"}}}
	check := func(step int) {
		t.Helper()
		fresh := buildIndex(t, slices.Collect(maps.Values(model)), 2)
		for _, q := range queries {
			q.Sort = SortDate
			q.PerPage = 100
			sameResult(t, fmt.Sprintf("step %d: %+v", step, q), search(t, ix, q), search(t, fresh, q))
		}
		if ix.Len() != len(model) {
			t.Errorf("step %d: Len %d, want %d", step, ix.Len(), len(model))
		}
	}
	next := len(docs)
	for step := 1; step <= 60; step++ {
		var upserts []Document
		var deletes []string
		ids := slices.Sorted(maps.Keys(model))
		for range 1 + r.IntN(4) {
			switch r.IntN(3) {
			case 0: // a new note
				d := randomDocs(r, 1, next)[0]
				next++
				upserts = append(upserts, d)
			case 1: // a changed note, maybe to another year (and URL kept)
				d := randomDocs(r, 1, next)[0]
				d.ID = ids[r.IntN(len(ids))]
				upserts = append(upserts, d)
			case 2:
				deletes = append(deletes, ids[r.IntN(len(ids))])
			}
		}
		update(t, ix, upserts, deletes...)
		for _, d := range upserts {
			model[d.ID] = d
		}
		for _, id := range deletes {
			delete(model, id)
		}
		if step%15 == 0 {
			check(step)
		}
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	var err error
	if ix, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	check(-1)
}

// TestUpdateWhileSearching runs searches from many goroutines while
// updates go in, under the race detector in `make test`. Every result must
// be whole: as many hits as asked or as there are, each with its title,
// and kinds that add up to the total.
func TestUpdateWhileSearching(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	docs := randomDocs(r, 300, 0)
	ix, _ := writableIndex(t, docs, 2)
	h := newTestHandler(t, ix)
	var stop atomic.Bool
	var wg sync.WaitGroup
	var searches atomic.Int64
	for g := range 6 {
		wg.Go(func() {
			queries := []Query{{}, {Q: "мост"}, {Q: "выставка соя"}, {Regions: []string{"jilin"}}, {Q: "газ", Sort: SortDate}, {Q: "-зерно"}}
			for i := g; !stop.Load(); i++ {
				q := queries[i%len(queries)]
				q.PerPage = 10
				res, err := ix.Search(context.Background(), q)
				if err != nil {
					t.Error(err)
					return
				}
				sum := 0
				for _, k := range res.Facets.Kinds {
					sum += k.Count
				}
				if sum != res.Total || len(res.Hits) != min(10, res.Total) {
					t.Errorf("%+v: total %d, kinds add up to %d, %d hits", q, res.Total, sum, len(res.Hits))
				}
				for _, hit := range res.Hits {
					if hit.Title == "" {
						t.Errorf("%+v: hit %s without a title", q, hit.URL)
					}
				}
				if w := get(t, h, "GET", "/api/search?q=%D0%BC%D0%BE%D1%81%D1%82"); w.Code != 200 {
					t.Errorf("handler: %d", w.Code)
				}
				searches.Add(1)
			}
		})
	}
	next := len(docs)
	for i := range 40 {
		d := randomDocs(r, 1, next)[0]
		next++
		changed := randomDocs(r, 1, 0)[0]
		changed.ID = docs[r.IntN(len(docs))].ID
		update(t, ix, []Document{d, changed}, docs[i].ID)
	}
	stop.Store(true)
	wg.Wait()
	if searches.Load() == 0 {
		t.Error("no search ran")
	}
}

// TestHandlerAfterUpdate checks that the handler's cache does not answer
// with what an update changed.
func TestHandlerAfterUpdate(t *testing.T) {
	docs := testDocs(t, false)
	ix, _ := writableIndex(t, docs, 1)
	h := newTestHandler(t, ix)
	const target = "/api/search?q=%D0%B2%D0%B5%D0%B1%D0%B8%D0%BD%D0%B0%D1%80" // вебинар
	if w := get(t, h, "GET", target); !strings.Contains(w.Body.String(), `"total": 0`) && !strings.Contains(w.Body.String(), `"total":0`) {
		t.Fatalf("before: %s", w.Body)
	}
	d := docByID(t, docs, torgpred)
	d.Title = "Вебинар для экспортёров"
	update(t, ix, []Document{d})
	if w := get(t, h, "GET", target); !strings.Contains(w.Body.String(), torgpred) {
		t.Errorf("after the update: %s", w.Body)
	}
}

// TestOpenLocked checks that an index another holds open for updates is
// an error that says so, after a short wait.
func TestOpenLocked(t *testing.T) {
	_, dir := writableIndex(t, testDocs(t, false), 1)
	for _, open := range []func(string) (*Index, error){Open, OpenWritable} {
		ix, err := open(dir)
		if err == nil {
			ix.Close()
		}
		if !errors.Is(err, ErrLocked) {
			t.Errorf("err = %v, want ErrLocked", err)
		}
	}
}
