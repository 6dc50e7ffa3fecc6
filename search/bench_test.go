package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coopdigest/digest/source"
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
		src, err := source.Load(os.DirFS(dir))
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
			Date:    date,
			Names:   []string{"Гуандун", "Guangdong", "广东", "провинция Гуандун"},
		}
	}
	return docs
}

// benchSite is the site of DIGEST_CORPUS, or the test site.
func benchSite(b *testing.B) *source.Site {
	site := os.Getenv("DIGEST_CORPUS")
	if site == "" {
		site = "testdata/site"
	}
	src, err := source.LoadSettings(os.DirFS(site))
	if err != nil {
		b.Fatal(err)
	}
	return src
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

// BenchmarkBuild builds the index of n documents: into one shard, and
// into as many as Build chooses. It reports documents a second, processor
// seconds and the size of the index on disk.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		for _, shards := range []int{1, 0} {
			name := fmt.Sprintf("docs=%d/shards=%d", n, shards)
			if shards == 0 {
				name = fmt.Sprintf("docs=%d/shards=auto", n)
			}
			b.Run(name, func(b *testing.B) {
				if n > 10000 && os.Getenv("DIGEST_BENCH_LARGE") == "" {
					b.Skip("set DIGEST_BENCH_LARGE=1 for 100,000 documents")
				}
				docs := benchDocs(b, n)
				site := benchSite(b)
				if shards == 0 {
					shards = shardCount(n)
				}
				cpu := cpuTime()
				var size int64
				b.ResetTimer()
				for i := range b.N {
					dir := filepath.Join(b.TempDir(), fmt.Sprint(i))
					if err := build(context.Background(), dir, docs, site, shards); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					size = dirSize(b, dir)
					b.StartTimer()
				}
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "docs/s")
				b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
				b.ReportMetric(float64(size)/1e6, "MB")
			})
		}
	}
}

// dirSize adds up the sizes of the files below dir.
func dirSize(b *testing.B, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += fi.Size()
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
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
		if err := Build(context.Background(), dir, benchDocs(b, n), benchSite(b)); err != nil {
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

// BenchmarkUpdate measures Update of one document on a copy of the
// benchmark index: a note changed in place, a new note, a note deleted.
// Updates follow each other at once, or after a pause as in watch mode,
// where bleve's merging of the small segments updates leave is done
// between them. Besides the mean of all it reports the mean, median and
// slowest update as measured alone (ms).
func BenchmarkUpdate(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("docs=%d", n), func(b *testing.B) {
			if n > 10000 && os.Getenv("DIGEST_BENCH_LARGE") == "" {
				b.Skip("set DIGEST_BENCH_LARGE=1 for 100,000 documents")
			}
			ro := benchIndex(b, n)
			dir := filepath.Join(b.TempDir(), DirName)
			if err := os.CopyFS(dir, os.DirFS(ro.Dir())); err != nil {
				b.Fatal(err)
			}
			ix, err := OpenWritable(dir)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { ix.Close() })
			docs := benchDocs(b, n)
			r := rand.New(rand.NewPCG(5, 6))
			ops := []struct {
				name string
				op   func(i int) ([]Document, []string)
			}{
				{"change", func(i int) ([]Document, []string) {
					d := docs[r.IntN(len(docs))]
					d.Title = fmt.Sprintf("%s, правка %d", d.Title, i)
					return []Document{d}, nil
				}},
				{"add", func(i int) ([]Document, []string) {
					d := docs[r.IntN(len(docs))]
					d.ID = fmt.Sprintf("/2026/bench-new-%d/", i)
					return []Document{d}, nil
				}},
				{"delete", func(i int) ([]Document, []string) {
					return nil, []string{docs[r.IntN(len(docs))].ID}
				}},
			}
			for _, pause := range []time.Duration{0, 200 * time.Millisecond} {
				for _, op := range ops {
					b.Run(fmt.Sprintf("pause=%v/%s", pause, op.name), func(b *testing.B) {
						var took []time.Duration
						var sum time.Duration
						i := 0
						for b.Loop() {
							upserts, deletes := op.op(i)
							i++
							if pause > 0 {
								b.StopTimer()
								time.Sleep(pause)
								b.StartTimer()
							}
							start := time.Now()
							if err := ix.Update(context.Background(), upserts, deletes); err != nil {
								b.Fatal(err)
							}
							took = append(took, time.Since(start))
							sum += took[len(took)-1]
						}
						slices.Sort(took)
						ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
						b.ReportMetric(ms(sum/time.Duration(len(took))), "mean-ms")
						b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
						b.ReportMetric(ms(took[len(took)-1]), "max-ms")
					})
				}
			}
		})
	}
}

// BenchmarkRequests serves the requests listed in the file DIGEST_REQUESTS
// (one path and query a line, as `go run ./bench/searchload -print`
// writes them) through the handler, without its cache, on the index of
// the built site DIGEST_OUT: the work of digest serve for each but the
// network.
func BenchmarkRequests(b *testing.B) {
	out, list := os.Getenv("DIGEST_OUT"), os.Getenv("DIGEST_REQUESTS")
	if out == "" || list == "" {
		b.Skip("set DIGEST_OUT to a built site and DIGEST_REQUESTS to a file of requests")
	}
	data, err := os.ReadFile(list)
	if err != nil {
		b.Fatal(err)
	}
	reqs := strings.Fields(string(data))
	ix, err := Open(filepath.Join(out, DirName))
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	h, err := NewHandler(ix, HandlerConfig{CacheBytes: -1})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", reqs[i%len(reqs)], nil))
		if w.Code != 200 {
			b.Fatalf("%s: %d %s", reqs[i%len(reqs)], w.Code, w.Body)
		}
		i++
	}
}

// BenchmarkTypoDict builds the typo dictionary of the index of the built
// site DIGEST_OUT, as the first search with a typo on a snapshot does, and
// reports its terms and size.
func BenchmarkTypoDict(b *testing.B) {
	out := os.Getenv("DIGEST_OUT")
	if out == "" {
		b.Skip("set DIGEST_OUT to a built site")
	}
	ix, err := Open(filepath.Join(out, DirName))
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	t := ix.acquire()
	defer t.release()
	var d *typoDict
	for b.Loop() {
		if d, err = newTypoDict(t.readers); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.fst.Len()), "terms")
	b.ReportMetric(float64(d.size), "bytes")
}
