package build

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/coopdigest/digest/internal/sitegen"
	"github.com/coopdigest/digest/search"
)

// BenchmarkBuild builds generated sites of 1,000 and 10,000 notes from
// scratch into a fresh folder per run, with the search index and without
// it, one after the other in each round, so that both see the same
// machine. The goals: 10,000 notes in less wall time than Hugo needs for
// the same corpus (see README), and indexing adding less time to a build
// than the pages take (the "added-s" metric against the build without the
// index). With DIGEST_CORPUS set to a site folder, such as one written by
// the corpus generator, that site is built too.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("notes=%d", n), func(b *testing.B) {
			site := b.TempDir()
			if err := sitegen.Write(site, "../content", n); err != nil {
				b.Fatal(err)
			}
			benchBuild(b, site)
		})
	}
	if site := os.Getenv("DIGEST_CORPUS"); site != "" {
		b.Run("corpus", func(b *testing.B) { benchBuild(b, site) })
	}
}

// benchBuild builds site with its index and without it in turns. It
// reports the time of a build with the index, and what the index added to
// it in wall time and in processor time.
func benchBuild(b *testing.B, site string) {
	var res *Result
	var with, without, cpuWith, cpuWithout time.Duration
	for b.Loop() {
		for _, noIndex := range []bool{false, true} {
			out := filepath.Join(b.TempDir(), "public")
			start, cpu := time.Now(), cpuTime()
			var err error
			if res, err = Build(context.Background(), Config{Site: site, Out: out, noIndex: noIndex}); err != nil {
				b.Fatal(err)
			}
			wall, cpu := time.Since(start), cpuTime()-cpu
			if noIndex {
				without, cpuWithout = without+wall, cpuWithout+cpu
			} else {
				with, cpuWith = with+wall, cpuWith+cpu
			}
			// Each build starts from a collected heap, as a command would.
			runtime.GC()
		}
	}
	n := float64(b.N)
	b.ReportMetric(with.Seconds()/n, "s/build")
	b.ReportMetric(without.Seconds()/n, "s/build-no-index")
	b.ReportMetric((with-without).Seconds()/n, "added-s")
	b.ReportMetric((cpuWith-cpuWithout).Seconds()/n, "added-cpu-s")
	b.ReportMetric(cpuWithout.Seconds()/n, "cpu-s-no-index")
	b.ReportMetric(float64(res.Pages), "pages")
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

// BenchmarkRebuildOneNote edits one note of a built 10,000-note site and
// rebuilds it in a session, as watch mode does on a save: the goal is under
// 100 ms from the write to OUT updated.
func BenchmarkRebuildOneNote(b *testing.B) {
	site := b.TempDir()
	if err := sitegen.Write(site, "../content", 10000); err != nil {
		b.Fatal(err)
	}
	s := NewSession(Config{Site: site, Live: true})
	s.OpenIndex = func(dir string) (Index, error) { return search.OpenWritable(dir) }
	full, err := s.Build(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	file := "content/2020/note-00042.md"
	path := filepath.Join(site, file)
	orig, err := os.ReadFile(path)
	if err != nil {
		// The generator spreads notes over years; find note 42 wherever it is.
		matches, _ := filepath.Glob(filepath.Join(site, "content", "*", "note-00042.md"))
		if len(matches) != 1 {
			b.Fatal(err)
		}
		path = matches[0]
		file, _ = filepath.Rel(site, path)
		file = filepath.ToSlash(file)
		orig, _ = os.ReadFile(path)
	}
	var res *Result
	for i := 0; b.Loop(); i++ {
		// A new title: the note's page, its lists and its feeds change.
		edited := bytes.Replace(orig, []byte("title: "), []byte(fmt.Sprintf("title: Правка %d ", i)), 1)
		if err := os.WriteFile(path, edited, 0o644); err != nil {
			b.Fatal(err)
		}
		if res, err = s.Build(context.Background(), []string{file}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Rendered), "files/op")
	b.ReportMetric(float64(full.Duration)/float64(b.Elapsed()/time.Duration(b.N)), "x-faster-than-full")
}
