package deploy

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkDeploy deploys a built site to file:// and to the in-process S3:
// first, into an empty bucket; unchanged, the same site again; changed,
// the site and a second build of it in turn, each deploy uploading what
// differs. DIGEST_BENCH_OUT names the built site and DIGEST_BENCH_OUT2 the
// second build (say, after one note changed); without them, a site of
// 2,000 generated pages, and a copy with one page changed. Reported:
// objects per second, uploaded (first, changed) or compared (unchanged).
func BenchmarkDeploy(b *testing.B) {
	out, out2 := os.Getenv("DIGEST_BENCH_OUT"), os.Getenv("DIGEST_BENCH_OUT2")
	if out == "" {
		out = benchSite(b, 2000)
	}
	if out2 == "" {
		out2 = changedCopy(b, out)
	}
	s3 := newS3(b)
	kinds := []struct {
		name  string
		fresh func(n int) (string, func())
	}{
		{"file", func(int) (string, func()) {
			dir, err := os.MkdirTemp("", "deploy-bench-")
			if err != nil {
				b.Fatal(err)
			}
			return fileURL(dir), func() { os.RemoveAll(dir) }
		}},
		{"s3", func(n int) (string, func()) {
			name := fmt.Sprintf("bench%d", n)
			return s3.bucketURL(b, name), func() { s3.backend.ForceDeleteBucket(name) }
		}},
	}
	ctx := context.Background()
	run := func(b *testing.B, cfg Config) *Summary {
		b.Helper()
		sum, err := Deploy(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		return sum
	}
	buckets := 0
	for _, k := range kinds {
		b.Run(k.name+"/first", func(b *testing.B) {
			var objects int
			var took time.Duration
			for range b.N {
				buckets++
				u, done := k.fresh(buckets)
				start := time.Now()
				sum := run(b, Config{Out: out, Target: u})
				took += time.Since(start)
				objects += sum.Uploaded + sum.Index.Uploaded
				b.StopTimer()
				done()
				b.StartTimer()
			}
			b.ReportMetric(float64(objects)/took.Seconds(), "objects/s")
		})
		b.Run(k.name+"/unchanged", func(b *testing.B) {
			buckets++
			u, done := k.fresh(buckets)
			defer func() {
				b.StopTimer() // removing the bucket is no part of it
				done()
			}()
			run(b, Config{Out: out, Target: u})
			b.ResetTimer()
			var objects int
			start := time.Now()
			for range b.N {
				sum := run(b, Config{Out: out, Target: u})
				objects += sum.Files
			}
			b.ReportMetric(float64(objects)/time.Since(start).Seconds(), "objects/s")
		})
		b.Run(k.name+"/changed", func(b *testing.B) {
			buckets++
			u, done := k.fresh(buckets)
			defer func() {
				b.StopTimer() // removing the bucket is no part of it
				done()
			}()
			run(b, Config{Out: out, Target: u})
			b.ResetTimer()
			var uploaded int
			for i := range b.N {
				dir := out2
				if i%2 == 1 {
					dir = out
				}
				sum := run(b, Config{Out: dir, Target: u})
				uploaded += sum.Uploaded + sum.Index.Uploaded
			}
			b.ReportMetric(float64(uploaded)/float64(b.N), "uploads/op")
		})
	}
}

// benchSite writes a site of n pages, a few feeds and assets, and an index
// of a few files.
func benchSite(b *testing.B, n int) string {
	out := b.TempDir()
	files := siteFiles()
	for i := range n {
		files[fmt.Sprintf("%d/note-%d/index.html", 2000+i%25, i)] = page(fmt.Sprintf("note %d", i))
	}
	writeFiles(b, out, files)
	return out
}

// changedCopy links every file of out into a new folder, except one page,
// which it changes.
func changedCopy(b *testing.B, out string) string {
	dst := b.TempDir()
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		return os.Link(p, filepath.Join(dst, rel))
	})
	if err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(dst, "index.html")
	os.Remove(p)
	writeFiles(b, dst, map[string]string{"index.html": page("changed")})
	return dst
}

// BenchmarkFetch downloads the index of a built site (DIGEST_BENCH_OUT, or
// a generated one) from file:// and from the in-process S3 into a new
// folder (new), and looks again when nothing changed (unchanged).
func BenchmarkFetch(b *testing.B) {
	out := os.Getenv("DIGEST_BENCH_OUT")
	if out == "" {
		out = benchSite(b, 10)
		writeFiles(b, out, map[string]string{".search/00/store/000000000002.zap": string(make([]byte, 64<<20))})
	}
	s3 := newS3(b)
	ctx := context.Background()
	for _, k := range []struct{ name, url string }{
		{"file", fileURL(b.TempDir())},
		{"s3", s3.bucketURL(b, "site")},
	} {
		if _, err := Deploy(ctx, Config{Out: out, Target: k.url}); err != nil {
			b.Fatal(err)
		}
		b.Run(k.name+"/new", func(b *testing.B) {
			var bytes int64
			for range b.N {
				b.StopTimer()
				f, err := NewFetcher(ctx, FetcherConfig{URL: k.url, Dir: b.TempDir()})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				ix, _, err := f.Fetch(ctx)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				f.Close()
				bytes += dirSize(b, ix.Dir)
				b.StartTimer()
			}
			b.SetBytes(bytes / int64(b.N))
		})
		b.Run(k.name+"/unchanged", func(b *testing.B) {
			f, err := NewFetcher(ctx, FetcherConfig{URL: k.url, Dir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			if _, _, err := f.Fetch(ctx); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, changed, err := f.Fetch(ctx); err != nil || changed {
					b.Fatal(err, changed)
				}
			}
		})
	}
}

// dirSize is the size of the files under dir.
func dirSize(b *testing.B, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		n += fi.Size()
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}
