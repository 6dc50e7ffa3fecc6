package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coopdigest/digest/content"
)

// Benchmarks run on generated documents, or on a corpus site when
// DIGEST_CORPUS names one (a folder with content/, as written by
// /work/shared/bench/gencorpus):
//
//	DIGEST_CORPUS=/tmp/corpus-10000 go test ./search -run '^$' -bench . -benchtime 1x

var corpusOnce struct {
	sync.Once
	docs []Document
	err  error
}

// corpusDocs loads every note of DIGEST_CORPUS, drafts too (so that the
// corpus of N notes gives N documents), or returns nil when it is not set.
func corpusDocs(b *testing.B) []Document {
	dir := os.Getenv("DIGEST_CORPUS")
	if dir == "" {
		return nil
	}
	corpusOnce.Do(func() {
		src, err := content.Load(os.DirFS(dir))
		if err != nil {
			corpusOnce.err = err
			return
		}
		for _, n := range src.Notes {
			corpusOnce.docs = append(corpusOnce.docs, FromNote(n, string(n.Body), &src.Taxonomies))
		}
	})
	if corpusOnce.err != nil {
		b.Fatalf("DIGEST_CORPUS=%s: %v", dir, corpusOnce.err)
	}
	return corpusOnce.docs
}

var benchWords = strings.Fields(`сотрудничество регион провинция делегация выставка форум
инвестиции торговля соглашение губернатор предприятие проект развитие экспорт logistics
транспорт мост порт граница энергетика сельское хозяйство образование университет туризм
культура медицина технологии строительство автомобиль зерно соя лес уголь газ нефть`)

// genDocs synthesises n documents of about 400 words each.
func genDocs(n int) []Document {
	r := rand.New(rand.NewPCG(1, 2))
	regions := []string{"guangdong", "heilongjiang", "khabarovsk-krai", "moscow-oblast", "jilin", "primorsky-krai"}
	docs := make([]Document, n)
	var b strings.Builder
	for i := range docs {
		b.Reset()
		for w := range 400 {
			if w > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(benchWords[r.IntN(len(benchWords))])
			if r.IntN(50) == 0 {
				fmt.Fprintf(&b, "%d", r.IntN(100000))
			}
		}
		date := time.Date(2010+r.IntN(16), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		docs[i] = Document{
			ID:      fmt.Sprintf("/%d/note-%d/", date.Year(), i),
			Title:   fmt.Sprintf("Событие %d: %s и %s", i, benchWords[r.IntN(len(benchWords))], benchWords[r.IntN(len(benchWords))]),
			Summary: "Краткое описание события номер " + fmt.Sprint(i),
			Body:    b.String(),
			People:  []string{"Иван Петров, губернатор"},
			Kind:    "visit",
			Regions: []string{regions[r.IntN(len(regions))], regions[r.IntN(len(regions))]},
			Sectors: []string{"trade"},
			Day:     date.Format(time.DateOnly),
			Names:   []string{"Гуандун", "Guangdong", "广东", "провинция Гуандун"},
		}
	}
	return docs
}

func benchDocs(b *testing.B, n int) []Document {
	if docs := corpusDocs(b); docs != nil {
		if n > len(docs) {
			b.Skipf("corpus has %d documents, fewer than %d", len(docs), n)
		}
		return docs[:n]
	}
	return genDocs(n)
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		for _, shards := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("docs=%d/shards=%d", n, shards), func(b *testing.B) {
				if n > 10000 && os.Getenv("DIGEST_BENCH_LARGE") == "" {
					b.Skip("set DIGEST_BENCH_LARGE=1 for 100,000 documents")
				}
				docs := benchDocs(b, n)
				cpu := cpuTime()
				b.ResetTimer()
				for i := range b.N {
					dir := filepath.Join(b.TempDir(), fmt.Sprint(i))
					if err := build(context.Background(), dir, docs, shards); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "docs/s")
				b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
			})
		}
	}
}

// cpuTime is the processor time, user and system, the process has used:
// on a shared machine it varies less than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchIndex builds an index of n documents once per benchmark run. With
// DIGEST_BENCH_INDEX set, indexes are kept in that folder between runs.
func benchIndex(b *testing.B, n int) *Index {
	b.Helper()
	base := os.Getenv("DIGEST_BENCH_INDEX")
	if base == "" {
		base = b.TempDir()
	}
	src := "gen"
	if os.Getenv("DIGEST_CORPUS") != "" {
		src = filepath.Base(os.Getenv("DIGEST_CORPUS"))
	}
	dir := filepath.Join(base, fmt.Sprintf("%s-%d-v%d", src, n, formatVersion))
	if _, err := os.Stat(dir); err != nil {
		start := time.Now()
		if err := Build(context.Background(), dir, benchDocs(b, n)); err != nil {
			b.Fatal(err)
		}
		b.Logf("built %d documents in %v", n, time.Since(start))
	}
	ix, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.Close() })
	return ix
}

// benchQueries are what readers type, from a rare name to a word in most
// notes, with filters and both orders.
var benchQueries = []struct {
	name string
	q    Query
}{
	{"rare", Query{Q: "Хабаровск"}},
	{"common", Query{Q: "сотрудничество"}},
	{"two-words", Query{Q: "выставка Харбин"}},
	{"typo", Query{Q: "сотрудничиство"}},
	{"phrase", Query{Q: `"торговый дом"`}},
	{"hanzi", Query{Q: "广东"}},
	{"filter-only", Query{Regions: []string{"heilongjiang"}}},
	{"all", Query{}},
	{"common-by-date", Query{Q: "сотрудничество", Sort: SortDate}},
	{"word-and-filters", Query{Q: "проект", Regions: []string{"guangdong"}, From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}},
}

func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("docs=%d", n), func(b *testing.B) {
			if n > 10000 && os.Getenv("DIGEST_BENCH_LARGE") == "" {
				b.Skip("set DIGEST_BENCH_LARGE=1 for 100,000 documents")
			}
			ix := benchIndex(b, n)
			for _, bq := range benchQueries {
				b.Run(bq.name, func(b *testing.B) {
					var total int
					for b.Loop() {
						r, err := ix.Search(context.Background(), bq.q)
						if err != nil {
							b.Fatal(err)
						}
						total = r.Total
					}
					b.ReportMetric(float64(total), "hits")
				})
			}
		})
	}
}
