package watch

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coopdigest/digest/build"
	"github.com/coopdigest/digest/internal/sitegen"
	"github.com/coopdigest/digest/search"
	"github.com/coopdigest/digest/source"
)

// BenchmarkSaveToReload is what an editor waits for in serve --watch: on a
// generated site of 10,000 notes, from the write of one note (a new title)
// to the reload event its open pages get, with the debounce, the note's
// pages and its document in the index updated, saves half a second apart
// (the feeds and data files follow the reload). It reports the median, 90th
// percentile and slowest save (ms) and how many times faster than the
// first, full build.
//
//	go test ./watch -run '^$' -bench SaveToReload -benchtime 30x
func BenchmarkSaveToReload(b *testing.B) {
	dir := b.TempDir()
	if err := sitegen.Write(dir, "../content", 10000); err != nil {
		b.Fatal(err)
	}
	w, err := New(Config{
		Site:      dir,
		Out:       filepath.Join(b.TempDir(), "out"),
		Logger:    slog.New(slog.DiscardHandler),
		Stderr:    io.Discard,
		OpenIndex: func(dir string) (build.Index, error) { return search.OpenWritable(dir) },
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	start := time.Now()
	go func() { errc <- w.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			b.Error(err)
		}
	})
	select {
	case <-w.Built():
	case <-time.After(5 * time.Minute):
		b.Fatal("no first build")
	}
	full := time.Since(start)
	srv := httptest.NewServer(w.Handler())
	b.Cleanup(srv.Close)
	c := connect(b, srv)

	files, err := source.NoteFiles(os.DirFS(dir))
	if err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(dir, files[len(files)/2])
	orig, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	titleLine := regexp.MustCompile(`(?m)^title: .*$`)
	if !titleLine.Match(orig) {
		b.Fatalf("%s: no title line", file)
	}
	var times []time.Duration
	var title string
	for i := 0; b.Loop(); i++ {
		if i > 0 {
			// Saves half a second apart, as an editor's are: the feeds and
			// data files of a save are written after its reload, and a save
			// that comes while they are waits for them.
			b.StopTimer()
			time.Sleep(500 * time.Millisecond)
			b.StartTimer()
		}
		title = fmt.Sprintf("Правка номер %d", i)
		data := titleLine.ReplaceAll(orig, []byte("title: "+title))
		t0 := time.Now()
		if err := os.WriteFile(file, data, 0o644); err != nil {
			b.Fatal(err)
		}
		c.expect(b, "reload")
		times = append(times, time.Since(t0))
	}
	b.StopTimer()

	// The page and the index have the new title.
	res, err := w.Index().(*search.Index).Search(context.Background(), search.Query{Q: `"` + title + `"`})
	if err != nil || res.Total != 1 {
		b.Fatalf("index after the last save: %v hits, err %v", res, err)
	}
	page, err := os.ReadFile(filepath.Join(w.out, strings.TrimPrefix(res.Hits[0].URL, "/"), "index.html"))
	if err != nil || !strings.Contains(string(page), title) {
		b.Fatalf("page %s does not have the new title (%v)", res.Hits[0].URL, err)
	}
	slices.Sort(times)
	median := times[len(times)/2]
	b.ReportMetric(ms(median), "median-ms")
	b.ReportMetric(ms(times[len(times)*9/10]), "p90-ms")
	b.ReportMetric(ms(times[len(times)-1]), "max-ms")
	b.ReportMetric(float64(full)/float64(median), "x-faster-than-full")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
