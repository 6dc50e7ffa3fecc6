package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"
)

// indexDoc is a Document as the mapping would index it, were it given to
// bleve as a struct: the oracle docMaker is held to.
type indexDoc struct {
	URL     string   `json:"url"`
	Title   string   `json:"title"`
	Text    []string `json:"text"`
	Summary string   `json:"summary"`
	Body    string   `json:"body"`
	Kind    string   `json:"kind"`
	Regions []string `json:"regions"`
	Sectors []string `json:"sectors"`
	Day     string   `json:"day"`
	End     string   `json:"end"`
}

func newIndexDoc(d *Document) *indexDoc {
	text := []string{d.Summary, d.Body}
	for _, l := range [][]string{d.People, d.Orgs, d.Places, d.Names} {
		text = append(text, l...)
	}
	return &indexDoc{
		URL: d.ID, Title: d.Title, Text: text, Summary: d.Summary, Body: d.Body,
		Kind: d.Kind, Regions: d.Regions, Sectors: d.Sectors, Day: d.Day, End: d.End,
	}
}

// TestDocumentsAsMapped builds documents into an index as Build does and
// as bleve's builder does with the mapping, and compares everything the
// two indexes hold: every field's terms, every posting's frequency, norm
// and locations, stored fields and doc values; with term vectors, as the
// tests' indexes have them, and without, as Build writes.
func TestDocumentsAsMapped(t *testing.T) {
	for _, vectors := range []bool{false, true} {
		t.Run(fmt.Sprintf("termVectors=%v", vectors), func(t *testing.T) { testDocumentsAsMapped(t, vectors) })
	}
}

func testDocumentsAsMapped(t *testing.T, vectors bool) {
	docs := append(testDocs(t, true), genDocs(300)...)
	docs = append(docs,
		Document{ID: "/2025/empty/", Title: "", Kind: "visit", Regions: []string{"jilin"}, Day: "2025-01-01"},
		Document{
			ID:      "/2025/mixed/",
			Title:   "Делегация Guangdong 广东省 2025 ёлка Ёлка",
			Summary: "Ёлочные игрушки из 广州 и WIDE ｗｉｄｅ; сотрудничество, сотрудничество.",
			Body:    "Выставка\u00adвыставке выставки. Mосква, Москва́! Co-operation 2024-2025 и в на по.\n\nХабаровск.",
			People:  []string{"Лю Юнжу, глава управления", "Ivan Petrov"},
			Orgs:    []string{"Управление коммерции провинции Гуандун", ""},
			Places:  []string{"Харбин", "哈尔滨"},
			Names:   []string{"Гуандун", "Guangdong", "广东", "провинция Гуандун"},
			Kind:    "expo",
			Regions: []string{"guangdong", "moscow-oblast", "heilongjiang"},
			Sectors: []string{"trade", "culture"},
			Day:     "2025-06-01",
			End:     "2025-06-03",
		},
	)
	dir := t.TempDir()
	ours := filepath.Join(dir, "ours")
	if err := build(context.Background(), ours, docs, 1, vectors); err != nil {
		t.Fatal(err)
	}
	theirs := filepath.Join(dir, "theirs")
	b, err := bleve.NewBuilder(theirs, newMapping(vectors), map[string]any{"batchSize": batchSize, "buildPathPrefix": dir})
	if err != nil {
		t.Fatal(err)
	}
	for i := range docs {
		if err := b.Index(docs[i].ID, newIndexDoc(&docs[i])); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	got, want := dumpIndex(t, filepath.Join(ours, "00")), dumpIndex(t, theirs)
	if len(want) < 1000 {
		t.Fatalf("the oracle's index has %d lines: too few to compare", len(want))
	}
	if !slices.Equal(got, want) {
		for i := range max(len(got), len(want)) {
			var g, w string
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if g != w {
				t.Fatalf("indexes differ at line %d of %d:\n got: %s\nwant: %s", i+1, len(want), g, w)
			}
		}
	}
}

// dumpIndex lists what the bleve index at path holds, a line per fact,
// sorted, with documents named by their IDs.
func dumpIndex(t *testing.T, path string) []string {
	t.Helper()
	idx, err := bleve.OpenUsing(path, map[string]any{"read_only": true})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	ai, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := ai.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fields, err := r.Fields()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	ext := func(id index.IndexInternalID) string {
		s, err := r.ExternalID(id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	slices.Sort(fields) // a snapshot lists them in no order
	add("fields %v", fields)
	for _, f := range fields {
		dict, err := r.FieldDict(f)
		if err != nil {
			t.Fatal(err)
		}
		for {
			e, err := dict.Next()
			if err != nil {
				t.Fatal(err)
			}
			if e == nil {
				break
			}
			add("dict %s %q %d", f, e.Term, e.Count)
			tfr, err := r.TermFieldReader(context.Background(), []byte(e.Term), f, true, true, true)
			if err != nil {
				t.Fatal(err)
			}
			for {
				d, err := tfr.Next(nil)
				if err != nil {
					t.Fatal(err)
				}
				if d == nil {
					break
				}
				var locs []string
				for _, v := range d.Vectors {
					locs = append(locs, fmt.Sprintf("%s@%d[%d:%d]%v", v.Field, v.Pos, v.Start, v.End, v.ArrayPositions))
				}
				add("post %s %q %s freq=%d norm=%g %s", f, e.Term, ext(d.ID), d.Freq, d.Norm, strings.Join(locs, " "))
			}
			tfr.Close()
		}
		dict.Close()
	}
	dvr, err := r.DocValueReader(fields)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := r.DocIDReaderAll()
	if err != nil {
		t.Fatal(err)
	}
	defer ids.Close()
	for {
		id, err := ids.Next()
		if err != nil {
			t.Fatal(err)
		}
		if id == nil {
			break
		}
		name := ext(id)
		doc, err := r.Document(name)
		if err != nil {
			t.Fatal(err)
		}
		doc.VisitFields(func(f index.Field) {
			add("stored %s %s%v %q", name, f.Name(), f.ArrayPositions(), f.Value())
		})
		if err := dvr.VisitDocValues(id, func(field string, term []byte) {
			add("docvalue %s %s %q", name, field, term)
		}); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(out)
	return out
}

// TestDocumentsAsMappedCovers makes sure the comparison above compares
// something: locations in array elements past the first, and stored
// fields of both kinds.
func TestDocumentsAsMappedCovers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ix")
	docs := genDocs(3)
	if err := build(context.Background(), dir, docs, 1, true); err != nil {
		t.Fatal(err)
	}
	lines := strings.Join(dumpIndex(t, filepath.Join(dir, "00")), "\n")
	for _, want := range []string{"[5]", "stored /", "docvalue /", "text@", "title@"} {
		if !strings.Contains(lines, want) {
			t.Errorf("the dump has no %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "00", "index_meta.json")); err != nil {
		t.Error(err)
	}
}
