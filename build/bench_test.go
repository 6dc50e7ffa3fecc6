package build

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkBuildCorpus builds the site in $DIGEST_CORPUS (a folder holding
// content/, as the corpus generator writes it) into a fresh folder per run.
func BenchmarkBuildCorpus(b *testing.B) {
	site := os.Getenv("DIGEST_CORPUS")
	if site == "" {
		b.Skip("set DIGEST_CORPUS to a generated site, e.g. /tmp/corpus-10000")
	}
	benchBuild(b, site)
}

func benchBuild(b *testing.B, site string) {
	for i := 0; b.Loop(); i++ {
		out := filepath.Join(b.TempDir(), "public")
		res, err := Build(context.Background(), Config{Site: site, Out: out})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Pages), "pages")
	}
}
