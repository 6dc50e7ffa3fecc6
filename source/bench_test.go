package source_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coopdigest/digest/internal/sitegen"
	"github.com/coopdigest/digest/source"
)

// benchNotes is the size of the generated site: the goal is `digest check`
// under one second for 10,000 notes.
const benchNotes = 10000

// BenchmarkLoad loads a whole site with LoadDir, as `digest check` does. The generated
// case writes 10,000 notes of about 400 words with the repository's own
// taxonomy into a temporary folder first, so it needs nothing outside the
// repository. When DIGEST_CORPUS names a site folder (the parent of a
// content/ folder, such as /tmp/corpus-10000 from
// /work/shared/bench/gencorpus), that site is loaded too.
func BenchmarkLoad(b *testing.B) {
	b.Run(fmt.Sprintf("generated-%d", benchNotes), func(b *testing.B) {
		dir := b.TempDir()
		if err := sitegen.Write(dir, "../content", benchNotes); err != nil {
			b.Fatal(err)
		}
		benchLoad(b, dir)
	})
	if dir := os.Getenv("DIGEST_CORPUS"); dir != "" {
		b.Run("corpus", func(b *testing.B) { benchLoad(b, dir) })
	}
}

func benchLoad(b *testing.B, dir string) {
	var notes int
	for b.Loop() {
		src, err := source.LoadDir(dir)
		if err != nil {
			b.Fatal(firstLines(err.Error(), 20))
		}
		notes = len(src.Notes)
	}
	if notes > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(notes), "ns/note")
	}
}

// BenchmarkParseNote measures one note of about 400 words, the unit of Load.
func BenchmarkParseNote(b *testing.B) {
	dir := b.TempDir()
	if err := sitegen.Write(dir, "../content", 1); err != nil {
		b.Fatal(err)
	}
	src, err := source.LoadSettings(os.DirFS(dir))
	if err != nil {
		b.Fatal(err)
	}
	files, err := source.NoteFiles(os.DirFS(dir))
	if err != nil || len(files) != 1 {
		b.Fatal(files, err)
	}
	data, err := os.ReadFile(filepath.Join(dir, files[0]))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := source.ParseNote(files[0], data, src); err != nil {
			b.Fatal(err)
		}
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines[n] = "…"
	}
	return strings.Join(lines, "\n")
}
