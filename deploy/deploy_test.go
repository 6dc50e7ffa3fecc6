package deploy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coopdigest/digest/build"
	"github.com/coopdigest/digest/templates"
)

// TestDeployUploadsWhatChanged deploys a site, then again after each of a
// series of changes, and counts what each deploy did.
func TestDeployUploadsWhatChanged(t *testing.T) {
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			out := newSite(t)
			b := openBucket(t, st.url)
			steps := []struct {
				name   string
				edit   func()
				delete bool
				want   Summary
				s3     []string // the writes the S3 server sees, in any order; nil: not checked
			}{
				{
					name: "first deploy uploads everything",
					want: Summary{Files: siteKeys, Uploaded: siteKeys, Index: IndexSummary{Uploaded: indexKeys, Switched: true}},
				},
				{
					name: "a second uploads nothing",
					want: Summary{Files: siteKeys, Skipped: siteKeys, Index: IndexSummary{Skipped: indexKeys}},
					s3:   []string{},
				},
				{
					name: "a changed page is uploaded alone",
					edit: func() { writeFiles(t, out, map[string]string{"2024/a/index.html": page("a, changed")}) },
					want: Summary{Files: siteKeys, Uploaded: 1, Skipped: siteKeys - 1, Index: IndexSummary{Skipped: indexKeys}},
					s3:   []string{"2024/a/index.html", RecordKey},
				},
				{
					name: "an object changed in the bucket is uploaded again",
					edit: func() {
						data, err := b.ReadAll(context.Background(), "style.css")
						if err != nil {
							t.Fatal(err)
						}
						data[0] ^= 1 // the same size, another MD5
						if err := b.WriteAll(context.Background(), "style.css", data, nil); err != nil {
							t.Fatal(err)
						}
						if err := b.Delete(context.Background(), "app.js"); err != nil {
							t.Fatal(err)
						}
					},
					want: Summary{Files: siteKeys, Uploaded: 2, Skipped: siteKeys - 2, Index: IndexSummary{Skipped: indexKeys}},
					s3:   []string{"style.css", "app.js"}, // the record says the same
				},
				{
					name: "a removed page is kept without delete",
					edit: func() { os.Remove(filepath.Join(out, "2024", "b", "index.html")) },
					want: Summary{Files: siteKeys - 1, Skipped: siteKeys - 1, Kept: 1, Index: IndexSummary{Skipped: indexKeys}},
					s3:   []string{}, // the record keeps what it knew of the page
				},
				{
					name:   "and removed with it",
					delete: true,
					want:   Summary{Files: siteKeys - 1, Skipped: siteKeys - 1, Deleted: 1, Index: IndexSummary{Skipped: indexKeys}},
					s3:     []string{"2024/b/index.html", RecordKey},
				},
				{
					name: "a changed index is a new version",
					edit: func() { newIndexVersion(t, out, 2) },
					want: Summary{Files: siteKeys - 1, Skipped: siteKeys - 1, Index: IndexSummary{Uploaded: indexKeys, Switched: true}},
				},
				{
					name: "nothing changed again",
					want: Summary{Files: siteKeys - 1, Skipped: siteKeys - 1, Index: IndexSummary{Skipped: indexKeys}},
					s3:   []string{},
				},
			}
			for _, step := range steps {
				t.Run(step.name, func(t *testing.T) {
					if step.edit != nil {
						step.edit()
					}
					if st.s3 != nil {
						st.s3.takeEvents()
					}
					got := deploy(t, Config{Out: out, Target: st.url, Delete: step.delete})
					ix, err := readIndex(filepath.Join(out, IndexDir))
					if err != nil {
						t.Fatal(err)
					}
					step.want.Index.Version = ix.version
					got.UploadedBytes, got.Index.UploadedBytes = 0, 0
					if *got != step.want {
						t.Errorf("got  %+v\nwant %+v", *got, step.want)
					}
					if v := currentVersion(t, b); v != ix.version {
						t.Errorf("the pointer names %s, want %s", v, ix.version)
					}
					if st.s3 != nil && step.s3 != nil {
						var writes []string
						for _, e := range st.s3.takeEvents() {
							if k, ok := strings.CutPrefix(e, "end PUT "); ok {
								writes = append(writes, k)
							} else if k, ok := strings.CutPrefix(e, "end DELETE "); ok {
								writes = append(writes, k)
							}
						}
						slices.Sort(writes)
						slices.Sort(step.s3)
						if !slices.Equal(writes, step.s3) {
							t.Errorf("the server saw writes of %q, want %q", writes, step.s3)
						}
					}
				})
			}

			// What is in the bucket is the site, and nothing else of OUT.
			objs := keys(t, b)
			for name, content := range siteFiles() {
				_, there := objs[name]
				switch {
				case strings.HasPrefix(name, "."):
					if there {
						t.Errorf("%s was published", name)
					}
				case name == "2024/b/index.html":
					if there {
						t.Errorf("%s was not deleted", name)
					}
				case !there:
					t.Errorf("%s is missing", name)
				case name == "2024/a/index.html":
					if got := string(readObject(t, b, name)); got != page("a, changed") {
						t.Errorf("%s holds %q", name, got)
					}
				default:
					if got := string(readObject(t, b, name)); got != content {
						t.Errorf("%s holds %q", name, got)
					}
				}
			}
		})
	}
}

// TestDeleteLeavesForeign checks that a deploy with Delete removes only
// what a deploy wrote, never an object of the bucket's owner or of another
// tool (a CNAME, a .git folder beside a checkout's pages), the first
// deploy's included.
func TestDeleteLeavesForeign(t *testing.T) {
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			out := newSite(t)
			b := openBucket(t, st.url)
			foreign := []string{"CNAME", ".git/HEAD", "2024/a/notes.txt"}
			for _, key := range foreign {
				if err := b.WriteAll(context.Background(), key, []byte("theirs"), nil); err != nil {
					t.Fatal(err)
				}
			}
			cfg := Config{Out: out, Target: st.url, Delete: true}
			if sum := deploy(t, cfg); sum.Deleted != 0 || sum.Foreign != len(foreign) {
				t.Errorf("first deploy: %+v, want nothing deleted and %d left", *sum, len(foreign))
			}
			os.Remove(filepath.Join(out, "2024", "b", "index.html"))
			sum := deploy(t, cfg)
			if sum.Deleted != 1 || sum.Foreign != len(foreign) {
				t.Errorf("second deploy: %+v, want the page deleted and %d left", *sum, len(foreign))
			}
			if !strings.Contains(sum.String(), "left 3 that no deploy wrote") {
				t.Errorf("summary %q", sum)
			}
			objs := keys(t, b)
			for _, key := range foreign {
				if _, ok := objs[key]; !ok {
					t.Errorf("%s deleted", key)
				}
			}
			if _, ok := objs["2024/b/index.html"]; ok {
				t.Errorf("the removed page was kept")
			}
		})
	}
}

// TestDeployHeaders checks the type, cache control and encoding of each
// kind of file, and that what is stored reads back as the file.
func TestDeployHeaders(t *testing.T) {
	const short = DefaultPageCacheControl
	tests := []struct {
		key, ctype, cache, encoding string
	}{
		{"index.html", "text/html; charset=utf-8", short, "gzip"},
		{"2024/a/index.html", "text/html; charset=utf-8", short, "gzip"},
		{"feed.xml", "application/atom+xml; charset=utf-8", short, "gzip"},
		{"sitemap.xml", "application/xml; charset=utf-8", short, "gzip"},
		{"robots.txt", "text/plain; charset=utf-8", short, ""}, // too short for gzip to save bytes
		{fingerprintedKey, "text/css; charset=utf-8", immutable, "gzip"},
		{"style.css", "text/css; charset=utf-8", short, "gzip"},
		{"app.js", "text/javascript; charset=utf-8", short, "gzip"},
		{"logo.png", "image/png", short, ""},
	}
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			out := newSite(t)
			deploy(t, Config{Out: out, Target: st.url})
			b := openBucket(t, st.url)
			files := siteFiles()
			for _, tt := range tests {
				t.Run(tt.key, func(t *testing.T) {
					a, err := b.Attributes(context.Background(), tt.key)
					if err != nil {
						t.Fatal(err)
					}
					cache := a.CacheControl
					if st.s3 != nil {
						// gofakes3 keeps no Cache-Control: see what was sent.
						cache = st.s3.header(tt.key, "Cache-Control")
					}
					if a.ContentType != tt.ctype || cache != tt.cache || a.ContentEncoding != tt.encoding {
						t.Errorf("type %q, cache %q, encoding %q; want %q, %q, %q", a.ContentType, cache, a.ContentEncoding, tt.ctype, tt.cache, tt.encoding)
					}
					if a.ContentEncoding == "gzip" && a.Size >= int64(len(files[tt.key])) {
						t.Errorf("gzipped to %d bytes from %d", a.Size, len(files[tt.key]))
					}
					if got := string(readObject(t, b, tt.key)); got != files[tt.key] {
						t.Errorf("reads back as %q", got)
					}
				})
			}
		})
	}
}

// TestDeployFingerprints checks that only a name that carries the
// fingerprint of its file's content is cached for good: a date in the name
// of an editor's file (content/static/) is not, nor a fingerprint that the
// content no longer has, since the file can change under the name.
func TestDeployFingerprints(t *testing.T) {
	const short = DefaultPageCacheControl
	css, js := "main { color: teal; }\n", "console.log('menu');\n"
	tests := []struct {
		key, content, cache string
	}{
		{templates.Fingerprinted("css/style.css", []byte(css)), css, immutable},
		{templates.Fingerprinted("app.js", []byte(js)), js, immutable},
		{strings.Replace(templates.Fingerprinted("menu.js", []byte(js)), "menu.", "menu-", 1), js, immutable},
		{"docs/photo-20240115.jpg", "v1", short},
		{"docs/report.20240115.pdf", "v1", short},
		{"docs/scan.deadbeef01.png", "v1", short},                                               // hex of nothing in the file
		{templates.Fingerprinted("old/style.css", []byte("main { color: navy; }")), css, short}, // edited by hand
		{"css/style.css", css, short},
	}
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			out := newSite(t)
			for _, tt := range tests {
				writeFiles(t, out, map[string]string{tt.key: tt.content})
			}
			deploy(t, Config{Out: out, Target: st.url})
			b := openBucket(t, st.url)
			for _, tt := range tests {
				a, err := b.Attributes(context.Background(), tt.key)
				if err != nil {
					t.Fatal(err)
				}
				cache := a.CacheControl
				if st.s3 != nil {
					cache = st.s3.header(tt.key, "Cache-Control") // gofakes3 keeps none
				}
				if cache != tt.cache {
					t.Errorf("%s: Cache-Control %q, want %q", tt.key, cache, tt.cache)
				}
			}
		})
	}
}

// TestDeployNoGzip stores text as it is.
func TestDeployNoGzip(t *testing.T) {
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			out := newSite(t)
			b := openBucket(t, st.url)
			deploy(t, Config{Out: out, Target: st.url})
			// Turning gzip off changes how every text file is stored, so
			// they are uploaded again; the image is not.
			sum := deploy(t, Config{Out: out, Target: st.url, NoGzip: true})
			if sum.Uploaded != siteKeys-1 {
				t.Errorf("uploaded %d files, want the %d text files", sum.Uploaded, siteKeys-1)
			}
			a, err := b.Attributes(context.Background(), "index.html")
			if err != nil {
				t.Fatal(err)
			}
			enc := a.ContentEncoding
			if st.s3 != nil {
				// gofakes3 merges the metadata of an object it replaces
				// with the new one, where S3 replaces it: see what was sent.
				enc = st.s3.header("index.html", "Content-Encoding")
			}
			if enc != "" || a.Size != int64(len(page("home"))) {
				t.Errorf("encoding %q, %d bytes; want none, %d", enc, a.Size, len(page("home")))
			}
		})
	}
}

// TestDeployOrder checks that every asset is written before any page,
// every page before the feeds and sitemap, those before the index, the
// index's files before its manifest, the manifest before the pointer, and
// deletions last; as Deploy logs its writes and, on S3, as the server sees
// them start and end.
func TestDeployOrder(t *testing.T) {
	// rank is the step a key is written in.
	rank := func(event string) int {
		op, key, _ := strings.Cut(event, " ")
		switch {
		case op == "delete" || op == "end DELETE" || op == "DELETE":
			return 7
		case key == RecordKey:
			return 8
		case key == DefaultIndexPrefix+PointerName:
			return 6
		case strings.HasPrefix(key, DefaultIndexPrefix) && strings.HasSuffix(key, ".json") && !strings.Contains(strings.TrimPrefix(key, DefaultIndexPrefix), "/"):
			return 5
		case strings.HasPrefix(key, DefaultIndexPrefix):
			return 4
		}
		return 1 + int(groupOf(key))
	}
	// check fails unless, in events, no write of a later step starts (or,
	// in the log, is written) before every write of an earlier step ended.
	check := func(t *testing.T, events []string) {
		t.Helper()
		openStep := map[string]int{} // S3: writes started and not ended
		maxDone := 0
		for _, e := range events {
			var r int
			switch {
			case strings.HasPrefix(e, "start PUT "):
				key := strings.TrimPrefix(e, "start PUT ")
				r = rank("PUT " + key)
				openStep[key] = r
				for k, s := range openStep {
					if s < r {
						t.Errorf("%s started before %s ended", key, k)
					}
				}
			case strings.HasPrefix(e, "end PUT "):
				key := strings.TrimPrefix(e, "end PUT ")
				r = rank("PUT " + key)
				delete(openStep, key)
			case strings.HasPrefix(e, "end DELETE "):
				r = rank("DELETE x")
			default: // the log: "write key", "delete key"
				r = rank(e)
			}
			if r < maxDone {
				t.Errorf("%s came after a write of a later step", e)
			}
			maxDone = max(maxDone, r)
		}
	}
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			out := newSite(t)
			rec := &recorder{}
			cfg := Config{Out: out, Target: st.url, Delete: true, Logger: slogNew(rec), Workers: 3}
			if st.s3 != nil {
				st.s3.takeEvents()
			}
			deploy(t, cfg)
			check(t, rec.take())
			if st.s3 != nil {
				check(t, st.s3.takeEvents())
			}
			// A file of each kind changed, one removed, a new index.
			writeFiles(t, out, map[string]string{
				"index.html": page("home, changed"),
				"feed.xml":   "<feed>changed</feed>",
				"app.js":     "console.log('changed');",
				"style.css":  "main { padding: 0; }",
			})
			os.Remove(filepath.Join(out, "2024", "a", "index.html"))
			newIndexVersion(t, out, 2)
			deploy(t, cfg)
			events := rec.take()
			check(t, events)
			if !slices.Contains(events, "delete 2024/a/index.html") || !slices.Contains(events, "write index.html") {
				t.Errorf("the second deploy did not write and delete what it should: %q", events)
			}
			if st.s3 != nil {
				check(t, st.s3.takeEvents())
			}
		})
	}
}

// TestDryRun plans a deploy with changes of every kind and writes nothing.
func TestDryRun(t *testing.T) {
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			out := newSite(t)
			b := openBucket(t, st.url)
			deploy(t, Config{Out: out, Target: st.url})
			old := currentVersion(t, b)
			writeFiles(t, out, map[string]string{"index.html": page("changed"), "2025/new/index.html": page("new")})
			os.Remove(filepath.Join(out, "2024", "a", "index.html"))
			newIndexVersion(t, out, 2)
			before := keys(t, b)
			if st.s3 != nil {
				st.s3.takeEvents()
			}
			rec := &recorder{}
			sum := deploy(t, Config{Out: out, Target: st.url, DryRun: true, Delete: true, Logger: slogNew(rec)})
			// A new version is uploaded whole: its files are under its name.
			if sum.Uploaded != 2 || sum.Deleted != 1 || sum.Index.Uploaded != indexKeys || !sum.Index.Switched || !sum.DryRun {
				t.Errorf("planned %+v; want 2 uploads, 1 deletion, a new index, a switch", *sum)
			}
			if !strings.HasPrefix(sum.String(), "dry run: would upload 2 of 12 files (") || !strings.Contains(sum.String(), " before gzip)") {
				t.Errorf("summary %q", sum)
			}
			if after := keys(t, b); !mapsEqual(before, after) {
				t.Errorf("the bucket changed:\nbefore %v\nafter  %v", before, after)
			}
			// It says what it would do, and does none of it.
			e := rec.take()
			for _, want := range []string{"would write index.html", "would write 2025/new/index.html", "would delete 2024/a/index.html",
				"would write " + DefaultIndexPrefix + PointerName} {
				if !slices.Contains(e, want) {
					t.Errorf("the log lacks %q: %q", want, e)
				}
			}
			// The new version's files and its manifest too.
			if n := len(slices.DeleteFunc(slices.Clone(e), func(s string) bool {
				return !strings.HasPrefix(s, "would write "+DefaultIndexPrefix) || strings.HasSuffix(s, PointerName)
			})); n != indexKeys+1 {
				t.Errorf("the log names %d objects of the index, want its %d files and a manifest: %q", n, indexKeys, e)
			}
			if i := slices.IndexFunc(e, func(s string) bool { return !strings.HasPrefix(s, "would ") }); i >= 0 {
				t.Errorf("wrote: %q", e[i])
			}
			if st.s3 != nil {
				if e := st.s3.takeEvents(); len(e) > 0 {
					t.Errorf("the server saw %q", e)
				}
			}
			if v := currentVersion(t, b); v != old {
				t.Errorf("the pointer moved to %s", v)
			}
		})
	}
}

// TestDryRunNewFolder checks that a dry run to a file:// folder that a
// deploy would make (create_dir) plans to upload everything and makes
// nothing.
func TestDryRunNewFolder(t *testing.T) {
	out := newSite(t)
	dir := filepath.Join(t.TempDir(), "new", "site")
	sum := deploy(t, Config{Out: out, Target: fileURL(dir) + "?create_dir=1", DryRun: true})
	if sum.Uploaded != sum.Files || sum.Files == 0 || sum.Index.Uploaded != indexKeys {
		t.Errorf("planned %+v; want every file uploaded", *sum)
	}
	if _, err := os.Stat(filepath.Dir(dir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the dry run made %s (%v)", filepath.Dir(dir), err)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestInterrupted cancels deploys of a new version at several points, and
// checks that the pointer still names the old version each time, and that
// the deploy after them finishes the job.
func TestInterrupted(t *testing.T) {
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			out := newSite(t)
			b := openBucket(t, st.url)
			deploy(t, Config{Out: out, Target: st.url})
			old := currentVersion(t, b)
			writeFiles(t, out, map[string]string{"index.html": page("changed"), "app.js": "console.log(2)"})
			newIndexVersion(t, out, 2)
			ix, err := readIndex(filepath.Join(out, IndexDir))
			if err != nil {
				t.Fatal(err)
			}
			stops := []struct {
				name  string
				after func(event string) bool
			}{
				{"after an asset", func(e string) bool { return e == "write app.js" }},
				{"after a page", func(e string) bool { return e == "write index.html" }},
				{"after a file of the index", func(e string) bool { return strings.HasPrefix(e, "write "+DefaultIndexPrefix+ix.version+"/") }},
				{"after the manifest", func(e string) bool { return e == "write "+manifestKey(DefaultIndexPrefix, ix.version) }},
			}
			for _, stop := range stops {
				t.Run(stop.name, func(t *testing.T) {
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					rec := &recorder{on: func(e string) {
						if stop.after(e) {
							cancel()
						}
					}}
					_, err := Deploy(ctx, Config{Out: out, Target: st.url, Logger: slogNew(rec), Workers: 1})
					if !errors.Is(err, context.Canceled) {
						t.Fatalf("got %v, want context.Canceled", err)
					}
					if v := currentVersion(t, b); v != old {
						t.Fatalf("the pointer names %s, want the old %s", v, old)
					}
					// No deploy before this one finished.
					for _, e := range rec.take() {
						if strings.HasSuffix(e, PointerName) {
							t.Errorf("wrote the pointer: %q", e)
						}
					}
				})
			}
			sum := deploy(t, Config{Out: out, Target: st.url})
			if v := currentVersion(t, b); v != ix.version {
				t.Fatalf("the pointer names %s after a whole deploy, want %s", v, ix.version)
			}
			if sum.Index.Skipped == 0 || sum.Index.Uploaded+sum.Index.Skipped != indexKeys {
				t.Errorf("the last deploy uploaded %d and skipped %d files of the index; want the files written before to be skipped", sum.Index.Uploaded, sum.Index.Skipped)
			}
		})
	}
}

// TestPrune publishes several versions and prunes all but the newest few,
// and the remains of a deploy that never finished, only with Delete.
func TestPrune(t *testing.T) {
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			out := newSite(t)
			b := openBucket(t, st.url)
			ctx := context.Background()
			var versions []string
			for i := range 4 {
				newIndexVersion(t, out, i)
				deploy(t, Config{Out: out, Target: st.url})
				versions = append(versions, currentVersion(t, b))
				if st.s3 != nil {
					st.s3.clock.Advance(2e9) // S3 lists times in seconds
				}
			}
			// A version that never got its manifest, and a key that is no
			// version.
			stray := DefaultIndexPrefix + "0123456789abcdef/index.json"
			other := DefaultIndexPrefix + "README"
			for _, k := range []string{stray, other} {
				if err := b.WriteAll(ctx, k, []byte("{}"), nil); err != nil {
					t.Fatal(err)
				}
			}
			present := func(v string) bool {
				ok, err := b.Exists(ctx, manifestKey(DefaultIndexPrefix, v))
				if err != nil {
					t.Fatal(err)
				}
				files, err := listBucket(ctx, b, DefaultIndexPrefix+v+"/")
				if err != nil {
					t.Fatal(err)
				}
				if ok != (len(files) == indexKeys) {
					t.Errorf("version %s: manifest %v, %d files", v, ok, len(files))
				}
				return ok
			}

			sum := deploy(t, Config{Out: out, Target: st.url, KeepIndex: 2})
			if sum.Index.Pruned != 0 {
				t.Errorf("pruned %d versions without Delete", sum.Index.Pruned)
			}
			for _, v := range versions {
				if !present(v) {
					t.Errorf("version %s was removed without Delete", v)
				}
			}
			sum = deploy(t, Config{Out: out, Target: st.url, KeepIndex: 2, Delete: true})
			if sum.Index.Pruned != 3 {
				t.Errorf("pruned %d versions, want 3 (two old ones and the stray)", sum.Index.Pruned)
			}
			for i, v := range versions {
				if want := i >= 2; present(v) != want {
					t.Errorf("version %d (%s) present: %v, want %v", i, v, !want, want)
				}
			}
			if ok, _ := b.Exists(ctx, stray); ok {
				t.Errorf("%s is left", stray)
			}
			if ok, _ := b.Exists(ctx, other); !ok {
				t.Errorf("%s, no part of a version, was removed", other)
			}
			if v := currentVersion(t, b); v != versions[3] {
				t.Errorf("the pointer names %s, want %s", v, versions[3])
			}
		})
	}
}

// TestIndexTarget publishes the index to a bucket of its own, under a
// prefix of choice.
func TestIndexTarget(t *testing.T) {
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			out := newSite(t)
			indexURL := fileURL(t.TempDir())
			if st.s3 != nil {
				indexURL = st.s3.bucketURL(t, "private")
			}
			cfg := Config{Out: out, Target: st.url, IndexTarget: indexURL, IndexPrefix: "replicas/", Delete: true}
			deploy(t, cfg)
			site, index := keys(t, openBucket(t, st.url)), keys(t, openBucket(t, indexURL))
			if len(site) != siteKeys+1 { // and the record
				t.Errorf("the site's bucket has %d objects, want %d", len(site), siteKeys+1)
			}
			if len(index) != indexKeys+2 { // and the manifest and pointer
				t.Errorf("the index's bucket has %d objects, want %d: %v", len(index), indexKeys+2, index)
			}
			if _, ok := index["replicas/"+PointerName]; !ok {
				t.Errorf("no pointer under the prefix: %v", index)
			}
			if sum := deploy(t, cfg); sum.Uploaded+sum.Deleted+sum.Index.Uploaded != 0 {
				t.Errorf("a deploy of the same site changed %+v", *sum)
			}
		})
	}
}

// TestDeployErrors gives bad parameters and unreadable files, and checks
// that the error names the parameter or the file.
func TestDeployErrors(t *testing.T) {
	s3 := newS3(t)
	bucket := fileURL(t.TempDir())
	good := newSite(t)
	notSite := t.TempDir()
	writeFiles(t, notSite, map[string]string{"README.md": "notes"})
	dangling := newSite(t)
	if err := os.Symlink("/no/such/file", filepath.Join(dangling, "broken.html")); err != nil {
		t.Fatal(err)
	}
	badIndex := newSite(t)
	if err := os.Symlink("/no/such/file", filepath.Join(badIndex, ".search", "broken")); err != nil {
		t.Fatal(err)
	}
	clash := newSite(t)
	writeFiles(t, clash, map[string]string{"_search/x.html": "x"})
	unmarked := newSite(t)
	os.Remove(filepath.Join(unmarked, build.MarkerName))
	otherMarker := newSite(t)
	writeFiles(t, otherMarker, map[string]string{build.MarkerName: "built by hand\n"})
	tests := []struct {
		name  string
		cfg   Config
		param string // the ParamError's, or "" for an error of a file
		want  string // in the message
	}{
		{"no target", Config{Out: good}, "target", "none given"},
		{"unknown scheme", Config{Out: good, Target: "ftp://host/dir"}, "target", `"ftp"`},
		{"not a URL", Config{Out: good, Target: "s3://bucket/%zz"}, "target", "%zz"},
		{"a plain path", Config{Out: good, Target: "/var/www"}, "target", "/var/www"},
		{"a missing folder", Config{Out: good, Target: "file:///no/such/folder"}, "target", "/no/such/folder"},
		{"an unknown S3 parameter", Config{Out: good, Target: s3.url("site") + "&colour=blue"}, "target", "colour"},
		{"a missing S3 bucket", Config{Out: good, Target: s3.url("missing")}, "", "target s3://missing?"},
		{"a bad index target", Config{Out: good, Target: bucket, IndexTarget: "gopher://x"}, "index target", "gopher"},
		{"the index inside the site", Config{Out: good, Target: bucket, IndexTarget: bucket + "/replicas"}, "index target", "inside the target"},
		{"the index inside the site's prefix", Config{Out: good, Target: s3.url("site") + "&prefix=www/", IndexTarget: s3.url("site") + "&prefix=www/search/"}, "index target", "inside the target"},
		{"a prefix without a slash", Config{Out: good, Target: bucket, IndexPrefix: "search"}, "index prefix", `end with "/"`},
		{"a target's prefix without a slash", Config{Out: good, Target: bucket + "?prefix=www"}, "target", `prefix "www" must end with "/"`},
		{"an index target's prefix without a slash", Config{Out: good, Target: bucket, IndexTarget: s3.url("site") + "&prefix=idx"}, "index target", `prefix "idx" must end with "/"`},
		{"a prefix that climbs", Config{Out: good, Target: bucket, IndexPrefix: "../search/"}, "index prefix", "relative"},
		{"a page under the index prefix", Config{Out: clash, Target: bucket}, "index prefix", filepath.Join(clash, "_search", "x.html")},
		{"no site folder", Config{Target: bucket}, "site folder", "none given"},
		{"a missing site folder", Config{Out: "/no/such/site", Target: bucket}, "site folder", "no such file"},
		{"a file for a folder", Config{Out: filepath.Join(good, "index.html"), Target: bucket}, "site folder", "not a folder"},
		{"not a built site", Config{Out: notSite, Target: bucket}, "site folder", "no .digest marker"},
		{"a site digest did not build", Config{Out: unmarked, Target: bucket}, "site folder", "no .digest marker: digest build did not write it (run digest build first)"},
		{"a marker of another program", Config{Out: otherMarker, Target: bucket}, "site folder", "no .digest marker"},
		{"a relative file URL", Config{Out: good, Target: "file://dep/rel"}, "target", "a file:// URL needs an absolute path: file:///abs/path"},
		{"a relative index file URL", Config{Out: good, Target: bucket, IndexTarget: "file://dep/rel"}, "index target", "a file:// URL needs an absolute path"},
		{"a page cache with a line break", Config{Out: good, Target: bucket, PageCacheControl: "public\r\nX-Evil: 1"}, "page cache control", "control character"},
		{"an unreadable page", Config{Out: dangling, Target: bucket}, "", filepath.Join(dangling, "broken.html")},
		{"an unreadable index file", Config{Out: badIndex, Target: bucket}, "", filepath.Join(badIndex, ".search", "broken")},
		{"no workers", Config{Out: good, Target: bucket, Workers: -1}, "workers", "at least 1"},
		{"the site folder as the target", Config{Out: good, Target: fileURL(good)}, "target", "is the site folder"},
		{"a folder inside the site", Config{Out: good, Target: fileURL(filepath.Join(good, "2024"))}, "target", "is the site folder"},
		{"a prefix inside the site", Config{Out: good, Target: fileURL(filepath.Dir(good)) + "?prefix=" + filepath.Base(good) + "/"}, "target", "is the site folder"},
		{"a folder that holds the site", Config{Out: good, Target: fileURL(filepath.Dir(good))}, "target", "holds the site folder"},
		{"the index in the site folder", Config{Out: good, Target: bucket, IndexTarget: fileURL(filepath.Join(good, ".search"))}, "index target", "is the site folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Deploy(context.Background(), tt.cfg)
			if err == nil {
				t.Fatal("no error")
			}
			var pe *ParamError
			switch {
			case errors.As(err, &pe) && pe.Param != tt.param:
				t.Errorf("an error of %q, want %q: %v", pe.Param, tt.param, err)
			case !errors.As(err, &pe) && tt.param != "":
				t.Errorf("not a ParamError: %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%q does not say %q", err, tt.want)
			}
		})
	}
	// None of it wrote anything.
	if k := keys(t, openBucket(t, bucket)); len(k) != 0 {
		t.Errorf("the bucket holds %v", k)
	}
}

// TestChangedWhileDeploying changes a file after it was planned and before
// it is uploaded: the deploy stops and says so, and the pointer stays.
func TestChangedWhileDeploying(t *testing.T) {
	for _, name := range []string{"logo.png", "index.html", ".search/00.pos"} {
		t.Run(name, func(t *testing.T) {
			out := newSite(t)
			u := fileURL(t.TempDir())
			deploy(t, Config{Out: out, Target: u})
			b := openBucket(t, u)
			old := currentVersion(t, b)
			writeFiles(t, out, map[string]string{"app.js": "console.log(2)"})
			newIndexVersion(t, out, 2)
			rec := &recorder{on: func(e string) {
				if e == "write app.js" {
					writeFiles(t, out, map[string]string{name: "changed"})
				}
			}}
			// Make the file one to upload, too.
			writeFiles(t, out, map[string]string{name: "to upload"})
			_, err := Deploy(context.Background(), Config{Out: out, Target: u, Workers: 1, Logger: slogNew(rec)})
			if !errors.Is(err, errChanged) || !strings.Contains(err.Error(), filepath.Join(out, filepath.FromSlash(name))) {
				t.Errorf("got %v, want an error that %s changed", err, name)
			}
			if v := currentVersion(t, b); v != old {
				t.Errorf("the pointer moved to %s", v)
			}
		})
	}
}

// TestFileURLHost checks that a file:// URL with a host, which fileblob
// would drop (file://dep/rel is the folder /rel), is refused, by Deploy and
// by a Fetcher, and that one with localhost, the local machine, is taken.
func TestFileURLHost(t *testing.T) {
	out := newSite(t)
	dir := filepath.ToSlash(t.TempDir())
	tests := []struct {
		target string
		want   string // in the error; "" for none
	}{
		{"file://" + dir, ""},
		{"file://localhost" + dir, ""},
		{"file://dep/rel", `"file://dep/rel": names the host "dep"; a file:// URL needs an absolute path: file:///abs/path`},
		{"file://./rel", `names the host "."`},
		{"file://host" + dir, `names the host "host"`},
		{"file://localhost:8080" + dir, `names the host "localhost:8080"`},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			_, err := Deploy(context.Background(), Config{Out: out, Target: tt.target, DryRun: true})
			var pe *ParamError
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want == "":
			case !errors.As(err, &pe) || pe.Param != "target":
				t.Errorf("got %v, want an error of the target", err)
			case !strings.Contains(err.Error(), tt.want):
				t.Errorf("%q does not say %q", err, tt.want)
			}
			if tt.want == "" {
				return
			}
			_, err = NewFetcher(context.Background(), FetcherConfig{URL: tt.target, Dir: t.TempDir()})
			if !errors.As(err, &pe) || pe.Param != "index URL" || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewFetcher: got %v, want an error of the index URL that says %q", err, tt.want)
			}
		})
	}
}

// TestPageCacheControl checks that a Cache-Control for pages that is no
// valid header value, which would end up in every page's metadata, is
// refused before anything is written, and that a valid one is stored.
func TestPageCacheControl(t *testing.T) {
	tests := []struct {
		value string
		ok    bool
	}{
		{"public, max-age=60", true},
		{"public,\tmax-age=60", true}, // a tab is allowed
		{"public, max-age=60\r\nX-Evil: 1", false},
		{"public, max-age=60\n", false},
		{"public\r", false},
		{"no-\x00cache", false},
		{"no-cache\x7f", false},
		{"\x1b[31mno-cache", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.value), func(t *testing.T) {
			out := newSite(t)
			u := fileURL(t.TempDir())
			_, err := Deploy(context.Background(), Config{Out: out, Target: u, PageCacheControl: tt.value})
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				a, err := openBucket(t, u).Attributes(context.Background(), "index.html")
				if err != nil {
					t.Fatal(err)
				}
				if a.CacheControl != tt.value {
					t.Errorf("index.html has Cache-Control %q, want %q", a.CacheControl, tt.value)
				}
				return
			}
			var pe *ParamError
			if !errors.As(err, &pe) || pe.Param != "page cache control" || !strings.Contains(err.Error(), "control character") {
				t.Errorf("got %v, want a ParamError of the page cache control that names a control character", err)
			}
			if k := keys(t, openBucket(t, u)); len(k) != 0 {
				t.Errorf("the refused deploy wrote %v", k)
			}
		})
	}
}

// TestDeleteRemovesEmptyFolders checks that a deploy with Delete to a
// folder (file://) removes the folders that held the objects it deleted
// once they are empty, and only those: never the target's own folder, nor
// one that still holds anything.
func TestDeleteRemovesEmptyFolders(t *testing.T) {
	tests := []struct {
		name    string
		prefix  string            // of the target
		add     map[string]string // to the site, deployed once before the removal
		foreign map[string]string // put into the target by hand
		empty   []string          // folders made in the target by hand, empty
		remove  []string          // from the site before the deploy with Delete
		gone    []string          // folders of the target (under the prefix) removed
		kept    []string          // and kept
	}{
		{
			name:   "a page's folder",
			remove: []string{"2024/b/index.html"},
			gone:   []string{"2024/b"},
			kept:   []string{"2024", "2024/a"},
		},
		{
			name:   "a whole year",
			add:    map[string]string{"2023/x/index.html": page("x"), "2023/y/z/index.html": page("z")},
			remove: []string{"2023/x/index.html", "2023/y/z/index.html"},
			gone:   []string{"2023/x", "2023/y/z", "2023/y", "2023"},
			kept:   []string{"2024/b"},
		},
		{
			name:    "a folder that holds a file no deploy wrote",
			foreign: map[string]string{"2024/b/notes.txt": "theirs"},
			remove:  []string{"2024/b/index.html"},
			kept:    []string{"2024", "2024/b"},
		},
		{
			name:   "an empty folder that held nothing deleted",
			empty:  []string{"2024/b/empty", "empty"},
			remove: []string{"2024/b/index.html"},
			kept:   []string{"2024/b", "2024/b/empty", "empty"},
		},
		{
			name:   "below a prefix",
			prefix: "www/",
			add:    map[string]string{"2023/x/index.html": page("x")},
			remove: []string{"2023/x/index.html", "2024/b/index.html"},
			gone:   []string{"2023", "2024/b"},
			kept:   []string{".", "2024/a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := newSite(t)
			writeFiles(t, out, tt.add)
			dir := t.TempDir()
			u := fileURL(dir)
			if tt.prefix != "" {
				u += "?prefix=" + tt.prefix
			}
			root := filepath.Join(dir, filepath.FromSlash(tt.prefix))
			deploy(t, Config{Out: out, Target: u})
			writeFiles(t, root, tt.foreign)
			for _, d := range tt.empty {
				if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(d)), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for _, name := range tt.remove {
				if err := os.Remove(filepath.Join(out, filepath.FromSlash(name))); err != nil {
					t.Fatal(err)
				}
			}
			if sum := deploy(t, Config{Out: out, Target: u, Delete: true}); sum.Deleted != len(tt.remove) {
				t.Errorf("deleted %d objects, want %d", sum.Deleted, len(tt.remove))
			}
			for _, d := range tt.gone {
				if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(d))); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s is left (%v)", d, err)
				}
			}
			for _, d := range append(tt.kept, "") {
				if fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(d))); err != nil || !fi.IsDir() {
					t.Errorf("folder %q was removed (%v)", d, err)
				}
			}
			for key := range tt.foreign {
				if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(key))); err != nil {
					t.Errorf("%s: %v", key, err)
				}
			}
		})
	}
}

// TestPruneRemovesEmptyFolders checks that the folders of the index
// versions that a deploy with Delete prunes from a folder (file://) go
// with their files.
func TestPruneRemovesEmptyFolders(t *testing.T) {
	out := newSite(t)
	dir := t.TempDir()
	u := fileURL(dir)
	deploy(t, Config{Out: out, Target: u})
	old := currentVersion(t, openBucket(t, u))
	newIndexVersion(t, out, 2)
	if sum := deploy(t, Config{Out: out, Target: u, Delete: true, KeepIndex: 1}); sum.Index.Pruned != 1 {
		t.Fatalf("pruned %d versions, want 1", sum.Index.Pruned)
	}
	if _, err := os.Lstat(filepath.Join(dir, "_search", old)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the folder of the pruned version is left (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "_search", PointerName)); err != nil {
		t.Errorf("the pointer: %v", err)
	}
}

// TestRemoveEmptyFoldersStaysInside: keys that climb out of the bucket's
// folder, as a record changed by hand may hold, remove nothing there.
func TestRemoveEmptyFoldersStaysInside(t *testing.T) {
	top := t.TempDir()
	bucket := filepath.Join(top, "site")
	for _, dir := range []string{filepath.Join(top, "outside"), filepath.Join(bucket, "2024", "x")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	d := &deployer{log: slog.New(slog.DiscardHandler)}
	d.removeEmptyFolders("file://"+filepath.ToSlash(bucket), []string{"../outside/x.html", "/outside/y.html", "2024/x/index.html"})
	if _, err := os.Stat(filepath.Join(top, "outside")); err != nil {
		t.Errorf("a folder outside the bucket was removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(bucket, "2024")); err == nil {
		t.Error("the emptied folders inside the bucket are left")
	}
	if _, err := os.Stat(bucket); err != nil {
		t.Errorf("the bucket's folder was removed: %v", err)
	}
}
