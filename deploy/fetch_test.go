package deploy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gocloud.dev/blob"
)

// newFetcher makes a Fetcher of the index published to u, with copies in
// dir.
func newFetcher(t testing.TB, u, dir string, check func(string) error) *Fetcher {
	t.Helper()
	f, err := NewFetcher(context.Background(), FetcherConfig{URL: u, Dir: dir, Check: check})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// fetch runs Fetch and fails the test on an error or an unexpected change.
func fetch(t testing.TB, f *Fetcher, wantChanged bool) Index {
	t.Helper()
	ix, changed, err := f.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if changed != wantChanged {
		t.Errorf("changed %v, want %v", changed, wantChanged)
	}
	return ix
}

// sameTree fails the test unless folder got holds the same files as want,
// besides a Fetcher's marker.
func sameTree(t testing.TB, got, want string) {
	t.Helper()
	read := func(root string) map[string]string {
		m := map[string]string{}
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || p == filepath.Join(root, markerName) {
				return err
			}
			data, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			m[rel] = string(data)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if g, w := read(got), read(want); !mapsEqual(g, w) {
		t.Errorf("%s and %s differ:\n%v\n%v", got, want, slices.Sorted(mapsKeys(g)), slices.Sorted(mapsKeys(w)))
	}
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// entries lists a folder's names, but for a Fetcher's lock file.
func entries(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		if e.Name() != lockName {
			names = append(names, e.Name())
		}
	}
	return names
}

// TestFetch follows a published index through new versions and a restart.
func TestFetch(t *testing.T) {
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			out := newSite(t)
			dir := t.TempDir()
			b := openBucket(t, st.url)
			var checked []string
			f := newFetcher(t, st.url, dir, func(d string) error {
				checked = append(checked, d)
				return nil
			})
			if _, _, err := f.Fetch(context.Background()); !errors.Is(err, ErrNotPublished) {
				t.Fatalf("before any deploy: %v, want ErrNotPublished", err)
			}

			var versions []string
			for i := range 3 {
				newIndexVersion(t, out, i)
				deploy(t, Config{Out: out, Target: st.url})
				v := currentVersion(t, b)
				versions = append(versions, v)
				ix := fetch(t, f, true)
				if ix.Version != v || ix.Dir != filepath.Join(dir, v) || ix.Published.IsZero() {
					t.Errorf("fetched %+v, want version %s in %s", ix, v, filepath.Join(dir, v))
				}
				sameTree(t, ix.Dir, filepath.Join(out, IndexDir))
				if len(checked) != i+1 || !strings.Contains(filepath.Base(checked[i]), v) || checked[i] == ix.Dir {
					t.Errorf("Check ran on %q, want a temporary folder for %s", checked, v)
				}
				// The current version and the one before are kept.
				want := slices.Sorted(slices.Values(versions[max(0, i-1):]))
				if got := entries(t, dir); !slices.Equal(got, want) {
					t.Errorf("the folder holds %q, want %q", got, want)
				}

				// Nothing changed: one read, of the pointer.
				if st.s3 != nil {
					st.s3.takeGets()
				}
				if again := fetch(t, f, false); again != ix {
					t.Errorf("fetched %+v again, want %+v", again, ix)
				}
				if st.s3 != nil {
					if gets := st.s3.takeGets(); !slices.Equal(gets, []string{DefaultIndexPrefix + PointerName}) {
						t.Errorf("an unchanged pointer cost the reads of %q", gets)
					}
				}
			}

			// A replica that restarts uses the copy it has.
			f.Close()
			g := newFetcher(t, st.url, dir, nil)
			if st.s3 != nil {
				st.s3.takeGets()
			}
			if ix := fetch(t, g, true); ix.Version != versions[2] {
				t.Errorf("after a restart, fetched %s, want %s", ix.Version, versions[2])
			}
			if st.s3 != nil {
				if gets := st.s3.takeGets(); len(gets) != 1 {
					t.Errorf("after a restart, read %q, want the pointer alone", gets)
				}
			}
			if got := entries(t, dir); !slices.Equal(got, slices.Sorted(slices.Values(versions[1:]))) {
				t.Errorf("after a restart, the folder holds %q, want %q", got, versions[1:])
			}
		})
	}
}

// TestFetchCheckRejects keeps a version that Check rejects out.
func TestFetchCheckRejects(t *testing.T) {
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			out := newSite(t)
			dir := t.TempDir()
			deploy(t, Config{Out: out, Target: st.url})
			f := newFetcher(t, st.url, dir, func(string) error { return errors.New("does not open") })
			if _, _, err := f.Fetch(context.Background()); err == nil || !strings.Contains(err.Error(), "does not open") {
				t.Errorf("got %v, want the Check's error", err)
			}
			if got := entries(t, dir); len(got) != 0 {
				t.Errorf("the folder holds %q", got)
			}
		})
	}
}

// TestFetchPointerMoves deploys a new version while a Fetch is under way:
// the Fetch returns the version it began, whole, and the next Fetch the new
// one.
func TestFetchPointerMoves(t *testing.T) {
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			out := newSite(t)
			first := filepath.Join(t.TempDir(), "first")
			if err := os.CopyFS(first, os.DirFS(filepath.Join(out, IndexDir))); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			b := openBucket(t, st.url)
			deploy(t, Config{Out: out, Target: st.url})
			v1 := currentVersion(t, b)
			newIndexVersion(t, out, 2)

			var once sync.Once
			var deployErr error
			redeploy := func() {
				once.Do(func() { _, deployErr = Deploy(context.Background(), Config{Out: out, Target: st.url}) })
			}
			var check func(string) error
			if st.s3 != nil {
				// While the first file of v1 is being read.
				st.s3.setHook(func(method, key string) {
					if method == "GET" && strings.HasPrefix(key, DefaultIndexPrefix+v1+"/") {
						redeploy()
					}
				})
				defer st.s3.setHook(nil)
			} else {
				// Once v1 is downloaded, before it is put in place.
				check = func(string) error { redeploy(); return nil }
			}
			f := newFetcher(t, st.url, dir, check)
			ix := fetch(t, f, true)
			if deployErr != nil {
				t.Fatal(deployErr)
			}
			v2 := currentVersion(t, b)
			if v2 == v1 {
				t.Fatal("the deploy during the fetch did not move the pointer")
			}
			if ix.Version != v1 {
				t.Errorf("fetched %s, want %s, the version the fetch began", ix.Version, v1)
			}
			sameTree(t, ix.Dir, first)
			if ix := fetch(t, f, true); ix.Version != v2 {
				t.Errorf("then fetched %s, want %s", ix.Version, v2)
			}
			sameTree(t, filepath.Join(dir, v2), filepath.Join(out, IndexDir))
		})
	}
}

// TestFetchVersionPruned removes the version being downloaded half way:
// the Fetch fails and leaves nothing, and the next one gets the new
// version.
func TestFetchVersionPruned(t *testing.T) {
	s3 := newS3(t)
	u := s3.bucketURL(t, "site")
	out := newSite(t)
	dir := t.TempDir()
	b := openBucket(t, u)
	deploy(t, Config{Out: out, Target: u})
	v1 := currentVersion(t, b)
	newIndexVersion(t, out, 2)
	var once sync.Once
	s3.setHook(func(method, key string) {
		if method == "GET" && key == versionKey(DefaultIndexPrefix, v1, "index.json") {
			once.Do(func() {
				if _, err := Deploy(context.Background(), Config{Out: out, Target: u, Delete: true, KeepIndex: 1}); err != nil {
					t.Error(err)
				}
			})
		}
	})
	f, err := NewFetcher(context.Background(), FetcherConfig{URL: u, Dir: dir, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, _, err := f.Fetch(context.Background()); err == nil {
		t.Fatal("a fetch of a version removed half way succeeded")
	}
	if got := entries(t, dir); len(got) != 0 {
		t.Errorf("the folder holds %q", got)
	}
	s3.setHook(nil)
	v2 := currentVersion(t, b)
	if ix := fetch(t, f, true); ix.Version != v2 {
		t.Errorf("fetched %s, want %s", ix.Version, v2)
	}
}

// TestFetchCorrupt spoils the published index in one way at a time: each
// Fetch fails with an error that says what is wrong, leaves no folder for
// the version, and keeps the version fetched before.
func TestFetchCorrupt(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, put func(key string, data []byte), get func(key string) []byte, v string)
		want  string
	}{
		{"a changed byte", func(t *testing.T, put func(string, []byte), get func(string) []byte, v string) {
			k := versionKey(DefaultIndexPrefix, v, "00/store/000000000002.zap")
			data := get(k)
			data[10] ^= 1
			put(k, data)
		}, "00/store/000000000002.zap: sha256"},
		{"a short file", func(t *testing.T, put func(string, []byte), get func(string) []byte, v string) {
			k := versionKey(DefaultIndexPrefix, v, "00.pos")
			put(k, get(k)[:10])
		}, "00.pos: 10 bytes, the manifest says 900"},
		{"a long file", func(t *testing.T, put func(string, []byte), get func(string) []byte, v string) {
			k := versionKey(DefaultIndexPrefix, v, "00.pos")
			put(k, append(get(k), "more"...))
		}, "00.pos: more than 900 bytes, the manifest says 900"},
		{"a missing file", func(t *testing.T, put func(string, []byte), get func(string) []byte, v string) {
			put(versionKey(DefaultIndexPrefix, v, "index.json"), nil)
		}, "index.json"},
		{"a manifest that climbs out", func(t *testing.T, put func(string, []byte), get func(string) []byte, v string) {
			k := manifestKey(DefaultIndexPrefix, v)
			put(k, bytes.Replace(get(k), []byte(`"00.pos"`), []byte(`"../00.pos"`), 1))
		}, `bad path "../00.pos"`},
		{"a manifest of other files", func(t *testing.T, put func(string, []byte), get func(string) []byte, v string) {
			k := manifestKey(DefaultIndexPrefix, v)
			put(k, bytes.Replace(get(k), []byte(`"size": 900`), []byte(`"size": 901`), 1))
		}, "its files make version"},
		{"a manifest that is not JSON", func(t *testing.T, put func(string, []byte), get func(string) []byte, v string) {
			put(manifestKey(DefaultIndexPrefix, v), []byte("<html>"))
		}, "manifest " + DefaultIndexPrefix},
		{"a pointer that is not JSON", func(t *testing.T, put func(string, []byte), get func(string) []byte, v string) {
			put(DefaultIndexPrefix+PointerName, []byte("<html>"))
		}, PointerName},
		{"a pointer to nowhere", func(t *testing.T, put func(string, []byte), get func(string) []byte, v string) {
			put(DefaultIndexPrefix+PointerName, []byte(`{"format":1,"version":"0123456789abcdef"}`))
		}, "0123456789abcdef.json"},
	}
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					ctx := context.Background()
					var u string
					if st.s3 != nil {
						u = st.s3.bucketURL(t, strings.ToLower(strings.ReplaceAll(tt.name, " ", "-")))
					} else {
						u = fileURL(t.TempDir())
					}
					b := openBucket(t, u)
					out := newSite(t)
					dir := t.TempDir()
					deploy(t, Config{Out: out, Target: u})
					f := newFetcher(t, u, dir, nil)
					good := fetch(t, f, true)

					newIndexVersion(t, out, 2)
					deploy(t, Config{Out: out, Target: u})
					v := currentVersion(t, b)
					put := putter(t, b)
					get := func(key string) []byte {
						data, err := b.ReadAll(ctx, key)
						if err != nil {
							t.Fatal(err)
						}
						return data
					}
					tt.spoil(t, put, get, v)
					_, _, err := f.Fetch(ctx)
					if err == nil || !strings.Contains(err.Error(), tt.want) {
						t.Fatalf("got %v, want an error that says %q", err, tt.want)
					}
					if got := entries(t, dir); !slices.Equal(got, []string{good.Version}) {
						t.Errorf("the folder holds %q, want the good version alone", got)
					}
					sameTree(t, good.Dir, good.Dir) // still readable
				})
			}
		})
	}
}

// TestFetchBadIndexJSON rejects a version, whole as published, whose
// index.json does not name shards that are in it.
func TestFetchBadIndexJSON(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"not JSON", "{", "index.json: unexpected end"},
		{"no shards", `{"version":5,"shards":[]}`, "names no shards"},
		{"a shard not there", `{"version":5,"shards":["00","01"]}`, `shard "01" is not in the version`},
		{"a shard that climbs", `{"version":5,"shards":["../00"]}`, `shard "../00"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := newSite(t)
			writeFiles(t, out, map[string]string{".search/index.json": tt.json})
			u := fileURL(t.TempDir())
			dir := t.TempDir()
			deploy(t, Config{Out: out, Target: u})
			f := newFetcher(t, u, dir, nil)
			_, _, err := f.Fetch(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error that says %q", err, tt.want)
			}
			if got := entries(t, dir); len(got) != 0 {
				t.Errorf("the folder holds %q", got)
			}
		})
	}
}

// TestFetchRejectedOnce spoils a new version in one way at a time: a
// version that fails a check of what it holds is downloaded once, and the
// Fetches after that read the pointer alone and keep the version fetched
// before, until the pointer names another version; one that cannot be read
// is tried again.
func TestFetchRejectedOnce(t *testing.T) {
	tests := []struct {
		name    string
		spoil   func(put func(key string, data []byte), get func(key string) []byte, v string)
		checkOK bool   // the Check passes the spoiled version
		want    string // in the error
		retried bool   // downloaded again by the next Fetch
	}{
		{"the Check fails", func(func(string, []byte), func(string) []byte, string) {}, false, "does not open", false},
		{"a changed byte", func(put func(string, []byte), get func(string) []byte, v string) {
			k := versionKey(DefaultIndexPrefix, v, "00.pos")
			data := get(k)
			data[10] ^= 1
			put(k, data)
		}, true, "00.pos: sha256", false},
		{"a bad index.json", func(put func(string, []byte), get func(string) []byte, v string) {
			put(versionKey(DefaultIndexPrefix, v, "index.json"), []byte("{"))
		}, true, "index.json", false},
		{"a manifest that is not JSON", func(put func(string, []byte), get func(string) []byte, v string) {
			put(manifestKey(DefaultIndexPrefix, v), []byte("<html>"))
		}, true, "manifest " + DefaultIndexPrefix, false},
		{"a missing file", func(put func(string, []byte), get func(string) []byte, v string) {
			put(versionKey(DefaultIndexPrefix, v, "00.pos"), nil)
		}, true, "00.pos", true},
	}
	s3 := newS3(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			u, b, out := deployed(t, s3, fmt.Sprintf("rejected-%d", i))
			var spoiled string
			check := func(dir string) error {
				if !tt.checkOK && spoiled != "" && strings.Contains(filepath.Base(dir), spoiled) {
					return errors.New("does not open")
				}
				return nil
			}
			f := newFetcher(t, u, t.TempDir(), check)
			good := fetch(t, f, true)

			newIndexVersion(t, out, 2)
			deploy(t, Config{Out: out, Target: u})
			spoiled = currentVersion(t, b)
			tt.spoil(putter(t, b), func(key string) []byte {
				data, err := b.ReadAll(ctx, key)
				if err != nil {
					t.Fatal(err)
				}
				return data
			}, spoiled)
			// A replica with no version yet gets the error every time.
			g := newFetcher(t, u, t.TempDir(), check)
			clock := time.Now()
			f.now = func() time.Time { return clock }
			g.now = f.now
			s3.takeGets()
			for range 2 {
				if _, _, err := f.Fetch(ctx); err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("got %v, want an error that says %q", err, tt.want)
				}
				if _, _, err := g.Fetch(ctx); err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("without a version before: got %v, want an error that says %q", err, tt.want)
				}
				if gets := s3.takeGets(); len(gets) <= 2 {
					t.Fatalf("the first Fetches read %q, want the version", gets)
				}
				if !tt.retried {
					break
				}
			}
			if tt.retried {
				return
			}
			for range 2 {
				if ix := fetch(t, f, false); ix != good {
					t.Errorf("after the rejection, fetched %+v, want %+v", ix, good)
				}
				if _, _, err := g.Fetch(ctx); err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("without a version before: got %v, want an error that says %q", err, tt.want)
				}
				if gets := s3.takeGets(); !slices.Equal(gets, []string{DefaultIndexPrefix + PointerName, DefaultIndexPrefix + PointerName}) {
					t.Errorf("a rejected version cost the reads of %q, want the pointer's alone", gets)
				}
			}

			// After rejectRetry the version is downloaded again, in case
			// the bucket was mended under the same pointer.
			clock = clock.Add(rejectRetry)
			if _, _, err := f.Fetch(ctx); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("after %v: got %v, want the error again", rejectRetry, err)
			}
			if gets := s3.takeGets(); len(gets) <= 1 {
				t.Errorf("after %v, read %q, want the version again", rejectRetry, gets)
			}

			// A new pointer is followed.
			newIndexVersion(t, out, 3)
			deploy(t, Config{Out: out, Target: u})
			v3 := currentVersion(t, b)
			for _, h := range []*Fetcher{f, g} {
				if ix := fetch(t, h, true); ix.Version != v3 {
					t.Errorf("then fetched %s, want %s", ix.Version, v3)
				}
			}
		})
	}
}

// putter returns a function that writes data at key in b, or deletes the
// key for nil data.
func putter(t *testing.T, b *blob.Bucket) func(key string, data []byte) {
	return func(key string, data []byte) {
		t.Helper()
		var err error
		if data == nil {
			err = b.Delete(context.Background(), key)
		} else {
			err = b.WriteAll(context.Background(), key, data, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// deployed is a bucket of s3 named name, open, and a site deployed into it.
func deployed(t *testing.T, s3 *s3Server, name string) (u string, b *blob.Bucket, out string) {
	t.Helper()
	u = s3.bucketURL(t, name)
	b = openBucket(t, u)
	out = newSite(t)
	deploy(t, Config{Out: out, Target: u})
	return u, b, out
}

// fakeTimers stands in for time.AfterFunc: its timers fire when the test
// says, all at once.
type fakeTimers struct {
	mu  sync.Mutex
	fns []func()
}

type fakeTimer struct{}

func (fakeTimer) Reset(time.Duration) bool { return true }
func (fakeTimer) Stop() bool               { return true }

func (ft *fakeTimers) afterFunc(_ time.Duration, fn func()) timer {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.fns = append(ft.fns, fn)
	return fakeTimer{}
}

// fire runs every timer made so far; those of reads that ended do
// nothing.
func (ft *fakeTimers) fire() {
	ft.mu.Lock()
	fns := ft.fns
	ft.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// TestFetchStalls makes the bucket stop answering one read at a time: the
// Fetch fails with an error that says so, not a cancellation, once the
// read goes without progress for the idle time, leaves nothing, and the
// next Fetch, with the bucket answering again, gets the new version.
func TestFetchStalls(t *testing.T) {
	tests := []struct {
		name string
		key  func(v string) string
	}{
		{"the pointer", func(string) string { return DefaultIndexPrefix + PointerName }},
		{"the manifest", func(v string) string { return manifestKey(DefaultIndexPrefix, v) }},
		{"a file", func(v string) string { return versionKey(DefaultIndexPrefix, v, "00.pos") }},
	}
	s3 := newS3(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			u, b, out := deployed(t, s3, fmt.Sprintf("stalls-%d", i))
			dir := t.TempDir()
			f := newFetcher(t, u, dir, nil)
			ft := &fakeTimers{}
			f.afterFunc = ft.afterFunc
			f.cfg.Workers = 1 // the timers that fire are the hanging read's alone
			good := fetch(t, f, true)
			newIndexVersion(t, out, 2)
			deploy(t, Config{Out: out, Target: u})
			v := currentVersion(t, b)

			release := make(chan struct{})
			var once sync.Once
			unblock := func() { once.Do(func() { close(release) }) }
			t.Cleanup(unblock) // before the server closes
			s3.setHook(func(method, key string) {
				if method == "GET" && key == tt.key(v) {
					ft.fire()
					<-release
				}
			})
			_, _, err := f.Fetch(ctx)
			if _, ok := errors.AsType[*stallError](err); !ok || errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), tt.key(v)+": no answer from the bucket for 1m0s") {
				t.Fatalf("got %v, want a stall", err)
			}
			if got := entries(t, dir); !slices.Equal(got, []string{good.Version}) {
				t.Errorf("the folder holds %q, want the good version alone", got)
			}
			s3.setHook(nil)
			unblock()
			if ix := fetch(t, f, true); ix.Version != v {
				t.Errorf("then fetched %s, want %s", ix.Version, v)
			}
		})
	}
}

// TestFetchLocalCopy restarts a replica, a new Fetcher on a folder that
// holds versions, while its bucket gives none in one way at a time: the
// first Fetch returns the newest copy that passes the Check and logs why,
// and the Fetches after it look in the bucket again.
func TestFetchLocalCopy(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, b *blob.Bucket, ft *fakeTimers, s3 *s3Server) (url string)
		want  string // in the error logged
	}{
		{"no pointer", func(t *testing.T, b *blob.Bucket, _ *fakeTimers, _ *s3Server) string {
			if err := b.Delete(context.Background(), DefaultIndexPrefix+PointerName); err != nil {
				t.Fatal(err)
			}
			return ""
		}, "no index published"},
		{"a bucket that does not answer", func(t *testing.T, _ *blob.Bucket, ft *fakeTimers, s3 *s3Server) string {
			release := make(chan struct{})
			t.Cleanup(func() { s3.setHook(nil); close(release) })
			s3.setHook(func(method, key string) {
				if method == "GET" {
					ft.fire()
					<-release
				}
			})
			return ""
		}, "no answer from the bucket"},
		{"a rejected version", func(t *testing.T, b *blob.Bucket, _ *fakeTimers, _ *s3Server) string {
			p, err := readPointer(context.Background(), b, DefaultIndexPrefix)
			if err != nil {
				t.Fatal(err)
			}
			k := versionKey(DefaultIndexPrefix, p.Version, "index.json")
			if err := b.WriteAll(context.Background(), k, []byte("{"), nil); err != nil {
				t.Fatal(err)
			}
			return ""
		}, "index.json"},
	}
	s3 := newS3(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			u := s3.bucketURL(t, fmt.Sprintf("local-%d", i))
			b := openBucket(t, u)
			out := newSite(t)
			dir := t.TempDir()
			f := newFetcher(t, u, dir, nil)
			var versions []Index
			for n := range 3 {
				newIndexVersion(t, out, n)
				deploy(t, Config{Out: out, Target: u})
				versions = append(versions, fetch(t, f, true))
			}
			// The newest copy is damaged: the one before is served.
			bad, good := versions[2], versions[1]
			f.Close()
			// A version the bucket has and the folder has not.
			newIndexVersion(t, out, 3)
			deploy(t, Config{Out: out, Target: u})
			ft := &fakeTimers{}
			if other := tt.spoil(t, b, ft, s3); other != "" {
				u = other
			}
			var logs bytes.Buffer
			g, err := NewFetcher(ctx, FetcherConfig{URL: u, Dir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil)), Check: func(d string) error {
				if d == bad.Dir {
					return errors.New("does not open")
				}
				return nil
			}})
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			g.afterFunc = ft.afterFunc
			ix := fetch(t, g, true)
			if ix.Version != good.Version || ix.Dir != good.Dir || !ix.Published.Equal(good.Published) {
				t.Errorf("fetched %+v, want the copy %s", ix, good.Dir)
			}
			if l := logs.String(); !strings.Contains(l, "serving the copy in the index folder") || !strings.Contains(l, tt.want) || !strings.Contains(l, "does not open") {
				t.Errorf("logged %q, want why each copy and the bucket failed", l)
			}
			if got := entries(t, dir); !slices.Equal(got, slices.Sorted(slices.Values([]string{versions[1].Version, versions[2].Version}))) {
				t.Errorf("the folder holds %q, want its versions as they were", got)
			}
			if tt.name == "a rejected version" {
				// Not downloaded again.
				if again := fetch(t, g, false); again != ix {
					t.Errorf("fetched %+v again, want %+v", again, ix)
				}
				return
			}
			// The next Fetch looks in the bucket again.
			if _, _, err := g.Fetch(ctx); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("the next Fetch: %v, want an error that says %q", err, tt.want)
			}
		})
	}
}

// TestFetchKeepsForeign puts in the folder entries that the Fetcher did not
// write, some with the names it gives its own: through new versions, it
// removes its own old versions and what a download or removal that stopped
// half way left, and none of the others.
func TestFetchKeepsForeign(t *testing.T) {
	dir := t.TempDir()
	elsewhere := t.TempDir()
	if err := writeMarker(elsewhere, copyMarker{}); err != nil {
		t.Fatal(err)
	}
	foreign := []struct {
		name string
		make func(p string) error
	}{
		{"notes.txt", func(p string) error { return os.WriteFile(p, []byte("mine"), 0o644) }},
		{"fedcba9876543210", func(p string) error { return os.WriteFile(p, []byte("a file named as a version"), 0o644) }},
		{"0123456789abcdef", func(p string) error { // a folder named as a version
			return os.CopyFS(p, os.DirFS(t.TempDir()))
		}},
		{".fetch-config", func(p string) error { return os.CopyFS(p, os.DirFS(t.TempDir())) }},
		{".old-stuff", func(p string) error { return os.CopyFS(p, os.DirFS(t.TempDir())) }},
		{"abcdefabcdef0123", func(p string) error { // a link to a folder with the marker
			return os.Symlink(elsewhere, p)
		}},
		{".fetch-abcdefabcdef0123-1", func(p string) error { // a marker not the Fetcher's
			if err := os.Mkdir(p, 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(p, markerName), []byte("someone else's\n"), 0o644)
		}},
	}
	for _, fe := range foreign {
		if err := fe.make(filepath.Join(dir, fe.name)); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(filepath.Join(dir, fe.name)); err == nil && fi.IsDir() {
			if err := os.WriteFile(filepath.Join(dir, fe.name, "data"), []byte("precious"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// What a Fetcher that stopped half way left.
	for _, name := range []string{".fetch-0011223344556677-9", ".old-0011223344556677-9"} {
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := writeMarker(filepath.Join(dir, name), copyMarker{}); err != nil {
			t.Fatal(err)
		}
	}

	u := fileURL(t.TempDir())
	out := newSite(t)
	f := newFetcher(t, u, dir, nil)
	var versions []string
	for n := range 4 {
		newIndexVersion(t, out, n)
		deploy(t, Config{Out: out, Target: u})
		versions = append(versions, fetch(t, f, true).Version)
		want := versions[max(0, n-1):]
		for _, fe := range foreign {
			want = append(want, fe.name)
		}
		if got, want := entries(t, dir), slices.Sorted(slices.Values(want)); !slices.Equal(got, want) {
			t.Errorf("after version %d, the folder holds %q, want %q", n, got, want)
		}
	}
	for _, fe := range foreign {
		p := filepath.Join(dir, fe.name)
		if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
			p = filepath.Join(p, "data")
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: %v", fe.name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(elsewhere, markerName)); err != nil {
		t.Errorf("the folder a link points to: %v", err)
	}
}

// TestFetchMarkerInVersion rejects a version that holds a file named as the
// Fetcher's marker, which it could not tell from its own.
func TestFetchMarkerInVersion(t *testing.T) {
	out := newSite(t)
	writeFiles(t, out, map[string]string{".search/" + markerName: "not the Fetcher's"})
	u := fileURL(t.TempDir())
	dir := t.TempDir()
	deploy(t, Config{Out: out, Target: u})
	f := newFetcher(t, u, dir, nil)
	_, _, err := f.Fetch(context.Background())
	if err == nil || !strings.Contains(err.Error(), "lists "+markerName+", the name of the replica's own marker") {
		t.Fatalf("got %v, want the marker refused", err)
	}
	if got := entries(t, dir); len(got) != 0 {
		t.Errorf("the folder holds %q", got)
	}
}

// TestFetchDamagedCopy: a copy of the pointer's version that fails the
// Check when a new Fetcher finds it (a file cut short on its disk) is
// downloaded again when it is the replica's own, and is an error that
// says to remove it when it is not.
func TestFetchDamagedCopy(t *testing.T) {
	for _, tt := range []struct {
		name    string
		foreign bool // the copy has no marker
		want    string
	}{
		{"the replica's copy", false, ""},
		{"a copy without a marker", true, "has no marker of this replica's to remove it by"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u := fileURL(t.TempDir())
			out := newSite(t)
			dir := t.TempDir()
			newIndexVersion(t, out, 0)
			deploy(t, Config{Out: out, Target: u})
			check := func(d string) error { return checkIndexJSON(d) }
			f := newFetcher(t, u, dir, check)
			ix := fetch(t, f, true)
			f.Close()
			if err := os.WriteFile(filepath.Join(ix.Dir, "index.json"), []byte("{"), 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.foreign {
				if err := os.Remove(filepath.Join(ix.Dir, markerName)); err != nil {
					t.Fatal(err)
				}
			}
			g := newFetcher(t, u, dir, check)
			got, _, err := g.Fetch(context.Background())
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Fetch: %v, want an error saying %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != ix.Version {
				t.Errorf("fetched %s, want %s again", got.Version, ix.Version)
			}
			sameTree(t, got.Dir, filepath.Join(out, IndexDir))
		})
	}
}

// TestFetchLocalCopyOfAnotherBucket: the copies in the folder are no
// fallback for a Fetcher of another bucket or prefix (a mistyped --index
// would serve another site's index).
func TestFetchLocalCopyOfAnotherBucket(t *testing.T) {
	u := fileURL(t.TempDir())
	out := newSite(t)
	dir := t.TempDir()
	newIndexVersion(t, out, 0)
	deploy(t, Config{Out: out, Target: u})
	f := newFetcher(t, u, dir, nil)
	fetch(t, f, true)
	f.Close()
	for _, cfg := range []FetcherConfig{{URL: fileURL(t.TempDir()), Dir: dir}, {URL: u, Prefix: "other/", Dir: dir}} {
		g, err := NewFetcher(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if ix, _, err := g.Fetch(context.Background()); !errors.Is(err, ErrNotPublished) {
			t.Errorf("%s %s: fetched %+v, %v; want ErrNotPublished, not the other bucket's copy", cfg.URL, cfg.Prefix, ix, err)
		}
		g.Close()
	}
}

// TestFetchMissingFolder restarts a replica whose file:// bucket is a
// folder not there yet (a network mount that comes later): it serves its
// copy, and takes the bucket's versions once the folder is there; without
// a copy, the first Fetch says which folder is missing.
func TestFetchMissingFolder(t *testing.T) {
	ctx := context.Background()
	bucket := filepath.Join(t.TempDir(), "bucket")
	u, target := fileURL(bucket), fileURL(bucket)+"?create_dir=1"
	out := newSite(t)
	newIndexVersion(t, out, 0)
	deploy(t, Config{Out: out, Target: target})
	dir := t.TempDir()
	f := newFetcher(t, u, dir, nil)
	first := fetch(t, f, true)
	f.Close()
	newIndexVersion(t, out, 1)
	deploy(t, Config{Out: out, Target: target})
	away := bucket + ".away"
	if err := os.Rename(bucket, away); err != nil {
		t.Fatal(err)
	}

	// A wrong URL is still the caller's mistake, at once.
	if f, err := NewFetcher(ctx, FetcherConfig{URL: u + "?bogus=1", Dir: t.TempDir()}); err == nil {
		f.Close()
		t.Error("NewFetcher of a missing folder with a bad query: no error")
	}
	noCopy := newFetcher(t, u, t.TempDir(), nil)
	if _, _, err := noCopy.Fetch(ctx); err == nil || !strings.Contains(err.Error(), bucket) {
		t.Errorf("Fetch without a copy: %v, want an error that names %s", err, bucket)
	}

	var logs bytes.Buffer
	g, err := NewFetcher(ctx, FetcherConfig{URL: u, Dir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatalf("NewFetcher with the bucket's folder missing: %v", err)
	}
	defer g.Close()
	if ix := fetch(t, g, true); ix != first {
		t.Errorf("fetched %+v, want the copy %+v", ix, first)
	}
	if !strings.Contains(logs.String(), "serving the copy in the index folder") {
		t.Errorf("logged %q, want why the copy is served", logs.String())
	}
	if _, _, err := g.Fetch(ctx); err == nil {
		t.Error("the next Fetch with the folder still missing: no error")
	}
	if err := os.Rename(away, bucket); err != nil {
		t.Fatal(err)
	}
	if ix := fetch(t, g, true); ix.Version == first.Version {
		t.Errorf("fetched %s once the folder is back, want the newer version", ix.Version)
	}
}
