package build

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coopdigest/digest/internal/sitegen"
	"github.com/coopdigest/digest/search"
)

// BenchmarkBuild builds generated sites of 1,000 and 10,000 notes from
// scratch into a fresh folder per run, index included. The goal: 10,000
// notes in less wall time than Hugo needs for the same corpus (see README).
// With DIGEST_CORPUS set to a site folder, such as one written by the
// corpus generator, that site is built too.
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

func benchBuild(b *testing.B, site string) {
	var res *Result
	for b.Loop() {
		out := filepath.Join(b.TempDir(), "public")
		var err error
		if res, err = Build(context.Background(), Config{Site: site, Out: out}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Pages), "pages")
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
