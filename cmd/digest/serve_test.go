package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coopdigest/digest/build"
	"github.com/coopdigest/digest/search"
)

func TestServeNeedsABuild(t *testing.T) {
	site := t.TempDir()
	tests := []struct {
		name string
		prep func(out string)
		want string
	}{
		{"no OUT", func(string) {}, "no built site; run `digest build"},
		{"no index", func(out string) { os.MkdirAll(out, 0o755) }, "no search index; run `digest build"},
		{"broken index", func(out string) {
			os.MkdirAll(filepath.Join(out, search.DirName), 0o755)
			os.WriteFile(filepath.Join(out, search.DirName, "index.json"), []byte("{"), 0o644)
		}, "run `digest build"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "public")
			tt.prep(out)
			var stderr bytes.Buffer
			err := runServe(context.Background(), []string{"-s", site, "-d", out, "--addr", "localhost:0"}, &stderr, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "digest serve: ") {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestServeWatchBrokenAtStart checks that serve --watch started on a site
// whose first build fails, with no site built before (no OUT, or an empty
// one), waits for a fix rather than exit, answering every page meanwhile
// with 503 and a page that shows the problems, and then serves the site.
func TestServeWatchBrokenAtStart(t *testing.T) {
	for _, emptyOut := range []bool{false, true} {
		t.Run(fmt.Sprintf("empty OUT %v", emptyOut), func(t *testing.T) { testServeWatchBrokenAtStart(t, emptyOut) })
	}
}

// testServeWatchBrokenAtStart is TestServeWatchBrokenAtStart with no OUT,
// or an empty one.
func testServeWatchBrokenAtStart(t *testing.T, emptyOut bool) {
	site := newSite(t, map[string]string{
		"content/2025/a.md":   brokenStartNote,
		"templates/note.html": `{{define "main"}}{{.Data.Nope}{{end}}`,
	})
	if emptyOut {
		if err := os.Mkdir(filepath.Join(site, "public"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	lines := serveLines(t, "-s", site, "--watch")
	url := unbuiltURL(t, lines)
	for _, path := range []string{"/", "/2025/a/", "/search?q=x"} {
		status, body, err := getBody(url + path)
		if err != nil || status != http.StatusServiceUnavailable || !strings.Contains(body, "Сайт собирается") || !strings.Contains(body, `new EventSource("/_digest/events")`) {
			t.Errorf("GET %s before the fix: %d %v\n%s", path, status, err, body)
		}
	}
	if status, body, err := getBody(url + "/_digest/live.js"); err != nil || status != http.StatusOK || !strings.Contains(body, "EventSource") {
		t.Errorf("GET /_digest/live.js before the fix: %d %v", status, err)
	}
	// A program calling the API gets JSON.
	if status, body, err := getBody(url + "/api/search?q=x"); err != nil || status != http.StatusServiceUnavailable || !strings.HasPrefix(body, `{"error":"no site yet: `) {
		t.Errorf("GET /api/search before the fix: %d %v\n%s", status, err, body)
	}
	// Monitors get a line of text.
	for path, want := range map[string]string{"/healthz": "unavailable: no site yet", "/readyz": "not ready: no site yet"} {
		if status, body, err := getBody(url + path); err != nil || status != http.StatusServiceUnavailable || !strings.HasPrefix(body, want) {
			t.Errorf("GET %s before the fix: %d %v\n%s", path, status, err, body)
		}
	}
	// And say why, once the build has failed.
	waitFor(t, 20*time.Second, func() bool {
		_, body, _ := getBody(url + "/healthz")
		return strings.HasPrefix(body, "unavailable: no site yet: its build failed with 1 problem(s)")
	}, "/healthz to say that the build failed")
	if _, body, _ := getBody(url + "/api/search?q=x"); !strings.HasPrefix(body, `{"error":"no site yet: its build failed with 1 problem(s)`) {
		t.Errorf("GET /api/search after the build failed: %s", body)
	}
	os.Remove(filepath.Join(site, "templates", "note.html"))
	if got := servedURL(t, lines); got != url {
		t.Errorf("served at %s, then at %s", url, got)
	}
	if status, _, err := getBody(url + "/"); err != nil || status != http.StatusOK {
		t.Errorf("GET / after the fix: %d %v", status, err)
	}
}

// TestServeWatchServesOldWhileBuilding checks that serve --watch started
// on a site built before serves that site, pages and search, while its
// first build runs, instead of answering 503 for the build's time, and
// then serves what the build made. The site's 404 page takes the build
// about a second of template calls, far longer than the server takes to
// start.
func TestServeWatchServesOldWhileBuilding(t *testing.T) {
	site, out := slowSite(t, false, nil)
	retitle(t, site)
	lines := serveLines(t, "-s", site, "-d", out, "--watch")
	base := servedURL(t, lines)
	status, body, err := getBody(base + "/2024/amur-bridge/")
	if err != nil || status != http.StatusOK || !strings.Contains(body, oldTitle) {
		t.Fatalf("GET the note during the first build: %d %v, want 200 and the title built before\n%s", status, err, body)
	}
	status, body, err = getBody(base + "/api/search?q=" + url.QueryEscape("мост Благовещенск"))
	if err != nil || status != http.StatusOK || !strings.Contains(body, `"/2024/amur-bridge/"`) {
		t.Fatalf("search during the first build: %d %v\n%s", status, err, body)
	}
	for !strings.Contains(nextLine(t, lines), "msg=built") {
	}
	for path, want := range map[string]string{
		"/2024/amur-bridge/": newTitle,
		"/api/search?q=" + url.QueryEscape("переправа"): `"/2024/amur-bridge/"`,
	} {
		if status, body, err := getBody(base + path); err != nil || status != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s after the build: %d %v, want %q\n%s", path, status, err, want, body)
		}
	}
}

// TestServeWatchTwice checks that serve --watch holds OUT from its start,
// so that a second one of the site, started while the first builds, exits
// and says why, rather than serve the old site beside it and race it to
// replace OUT: the first still serves the site built before when the
// second has given up.
func TestServeWatchTwice(t *testing.T) {
	site, out := slowSite(t, false, nil)
	retitle(t, site)
	base := startServe(t, "-s", site, "-d", out, "--watch")
	var stderr bytes.Buffer
	err := runServe(context.Background(), []string{"-s", site, "-d", out, "--watch", "--addr", "127.0.0.1:0"}, &stderr, &stderr)
	if err == nil || !strings.Contains(err.Error(), "another digest process holds it") {
		t.Errorf("the second serve --watch: %v\n%s", err, stderr.String())
	}
	if status, body, err := getBody(base + "/2024/amur-bridge/"); err != nil || status != http.StatusOK || !strings.Contains(body, oldTitle) {
		t.Errorf("the first serve's note once the second gave up: %d %v, want the site built before (OUT held only after the build?)", status, err)
	}
}

// slowSite is the search package's test site built into OUT, with --drafts
// or without, and then files written over it and a 404 page that takes the
// next build about a second of template calls (slow404).
func slowSite(t *testing.T, drafts bool, files map[string]string) (site, out string) {
	t.Helper()
	site, out = buildTestSite(t)
	if drafts {
		var stderr bytes.Buffer
		if err := runBuild(context.Background(), []string{"-s", site, "-o", out, "--drafts"}, &stderr, &stderr); err != nil {
			t.Fatalf("build --drafts: %v\n%s", err, stderr.String())
		}
	}
	for name, text := range files {
		writeFile(t, filepath.Join(site, filepath.FromSlash(name)), text)
	}
	writeFile(t, filepath.Join(site, "templates", "404.html"), slow404)
	return site, out
}

// writeFile writes text to the file p, making its folder.
func writeFile(t *testing.T, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// oldTitle and newTitle are words of the title of the test site's note
// /2024/amur-bridge/, and of the title retitle gives it.
const oldTitle, newTitle = "обсудили загрузку моста", "обсудили загрузку переправы"

// retitle gives the test site's note /2024/amur-bridge/ a new title.
func retitle(t *testing.T, site string) {
	t.Helper()
	note := filepath.Join(site, "content", "notes", "amur-bridge.md")
	data, err := os.ReadFile(note)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, note, strings.Replace(string(data), oldTitle, newTitle, 1))
}

// slow404 is a 404 page that takes a build about a second of template
// calls, far longer than serve takes to start.
const slow404 = `{{define "spin"}}{{if gt . 0}}{{template "spin" add . -1}}{{template "spin" add . -1}}{{end}}{{end}}` +
	`{{define "main"}}{{template "spin" 19}}<h1>Нет такой страницы</h1>{{end}}`

// TestServeWatchFirstBuildOverOld checks what serve --watch serves while
// its first build runs over an OUT built before: not an OUT of drafts when
// drafts are not asked for, which it answers with 503 until the build is
// over; and the results page with the stylesheet of the site it serves,
// not the site's new one, which OUT does not have yet.
func TestServeWatchFirstBuildOverOld(t *testing.T) {
	t.Run("drafts", func(t *testing.T) {
		site, out := slowSite(t, true, map[string]string{})
		lines := serveLines(t, "-s", site, "-d", out, "--watch")
		base, _, _ := firstBuildURL(t, lines)
		if status, _, err := getBody(base + "/2025/draft-secret/"); err != nil || status != http.StatusServiceUnavailable {
			t.Errorf("a draft during the first build: %d %v, want 503", status, err)
		}
		servedURL(t, lines)
		if status, _, err := getBody(base + "/2025/draft-secret/"); err != nil || status != http.StatusNotFound {
			t.Errorf("a draft after the first build: %d %v, want 404", status, err)
		}
	})
	t.Run("stylesheet", func(t *testing.T) {
		site, out := slowSite(t, false, map[string]string{"templates/style.css": "body { color: #123456 }\n"})
		base := servedURL(t, serveLines(t, "-s", site, "-d", out, "--watch"))
		_, page, err := getBody(base + "/search?q=" + url.QueryEscape("мост"))
		_, href, ok := strings.Cut(page, `<link rel="stylesheet" href="`)
		if err != nil || !ok {
			t.Fatalf("the results page links no stylesheet: %v\n%s", err, page)
		}
		href, _, _ = strings.Cut(href, `"`)
		if status, _, err := getBody(base + href); err != nil || status != http.StatusOK {
			t.Errorf("GET %s, the results page's stylesheet, during the first build: %d %v", href, status, err)
		}
	})
}

// TestServeWatchBrokenOverOld checks that serve --watch started with a
// broken template on a site built before serves that site, its search page
// too, rather than exit, and serves the next good build.
func TestServeWatchBrokenOverOld(t *testing.T) {
	site, out := buildTestSite(t)
	broken := filepath.Join(site, "templates", "note.html")
	writeFile(t, broken, `{{define "main"}}{{.Data.Nope}{{end}}`)
	lines := serveLines(t, "-s", site, "-d", out, "--watch")
	base := servedURL(t, lines)
	for _, path := range []string{"/2024/amur-bridge/", "/search?q=" + url.QueryEscape("мост")} {
		if status, body, err := getBody(base + path); err != nil || status != http.StatusOK || !strings.Contains(body, "Благовещенск") {
			t.Errorf("GET %s while the template is broken: %d %v\n%s", path, status, err, body)
		}
	}
	// A word of the note's new title is found once the fix is built: by
	// the first build, when it reads the site after the fix, or else by a
	// rebuild (the log cannot tell which comes).
	retitle(t, site)
	os.Remove(broken)
	waitFor(t, 2*time.Minute, func() bool {
		status, body, err := getBody(base + "/api/search?q=" + url.QueryEscape("переправа"))
		return err == nil && status == http.StatusOK && strings.Contains(body, `"/2024/amur-bridge/"`)
	}, "the search to find the note's new title after the fix")
}

// TestServeWatchDamagedOld checks that serve --watch started over a site
// built before whose index is damaged, so that a search fails or panics
// or the index does not open, serves no 500 while the first build runs,
// logs why the old site is not served, and serves the build's site after.
func TestServeWatchDamagedOld(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, seg []byte) []byte // the shard's segment file
		err   string                                // in the line that says why the old site is not served
	}{
		// Open succeeds; every search that reads a note fails.
		{"stored fields that do not decode", spoilStored, "snappy: corrupt input"},
		// Open succeeds; every search that reads a note panics.
		{"a stored-fields index at the start", func(t *testing.T, seg []byte) []byte {
			binary.BigEndian.PutUint64(seg[len(seg)-segStoredIndex:], 0)
			return seg
		}, "panic: runtime error"},
		// Open fails: bleve panics, which search.Open recovers.
		{"a sections index past the end", func(t *testing.T, seg []byte) []byte {
			binary.BigEndian.PutUint64(seg[len(seg)-segSectionsIndex:], uint64(len(seg)))
			return seg
		}, "may be damaged (runtime error"},
		// Open fails.
		{"a segment cut short", func(t *testing.T, seg []byte) []byte { return seg[:len(seg)/2] }, "error parsing mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site, out := slowSite(t, false, nil)
			segs, err := filepath.Glob(filepath.Join(out, search.DirName, "*", "store", "*.zap"))
			if err != nil || len(segs) != 1 {
				t.Fatalf("segment files %q, %v: want one", segs, err)
			}
			seg, err := os.ReadFile(segs[0])
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, segs[0], string(tt.spoil(t, seg)))
			lines := serveLines(t, "-s", site, "-d", out, "--watch")
			base, building, before := firstBuildURL(t, lines)
			api := "/api/search?q=" + url.QueryEscape("выставка")
			for _, path := range []string{api, "/search?q=" + url.QueryEscape("выставка")} {
				if status, body, err := getBody(base + path); err != nil || status != http.StatusServiceUnavailable && status != http.StatusOK {
					t.Errorf("GET %s during the first build: %d %v, want 503 or 200\n%.300s", path, status, err, body)
				}
			}
			dir := "dir=" + filepath.Join(out, search.DirName)
			if !slices.ContainsFunc(before, func(l string) bool {
				return strings.Contains(l, "its search index fails") && strings.Contains(l, dir) && strings.Contains(l, tt.err)
			}) {
				t.Errorf("no line says that the site built before is not served, with %q:\n%s", tt.err, strings.Join(before, "\n"))
			}
			if building {
				servedURL(t, lines)
			} else {
				for !strings.Contains(nextLine(t, lines), "msg=built") {
				}
			}
			if status, body, err := getBody(base + api); err != nil || status != http.StatusOK || !strings.Contains(body, `"/2024/expo-new-year/"`) {
				t.Errorf("search after the first build: %d %v\n%.300s", status, err, body)
			}
		})
	}
}

// The places of a segment file's footer fields, counted from its end, in
// bleve's zap format: the offsets of its sections index and its stored
// fields' index, and its number of documents, each a big-endian uint64.
const segSectionsIndex, segStoredIndex, segDocs = 20, 28, 36

// spoilStored makes the stored fields of every document of the segment
// seg undecodable, and nothing else: each document's compressed fields
// start with a length that overflows. The document's record is its
// lengths of metadata and data, its metadata, which starts with the length
// of its ID, its ID and its compressed fields.
func spoilStored(t *testing.T, seg []byte) []byte {
	t.Helper()
	n := len(seg)
	index := binary.BigEndian.Uint64(seg[n-segStoredIndex:])
	docs := binary.BigEndian.Uint64(seg[n-segDocs:])
	const width = binary.MaxVarintLen64
	for i := range docs {
		at := binary.BigEndian.Uint64(seg[index+8*i:])
		metaLen, a := binary.Uvarint(seg[at:])
		dataLen, b := binary.Uvarint(seg[at+uint64(a):])
		meta := at + uint64(a+b)
		idLen, c := binary.Uvarint(seg[meta:])
		if a <= 0 || b <= 0 || c <= 0 || dataLen < idLen+width {
			t.Fatalf("document %d of the segment is not laid out as spoilStored reads it", i)
		}
		fields := meta + metaLen + idLen
		copy(seg[fields:fields+width], bytes.Repeat([]byte{0xff}, width))
	}
	return seg
}

// firstBuildURL reads the lines of serve --watch until the one that gives
// the address it answers at while its first build runs, and returns that
// address, whether it answers that the site is being built (or serves the
// site built before), and the lines before.
func firstBuildURL(t *testing.T, lines <-chan string) (url string, building bool, before []string) {
	t.Helper()
	for {
		line := nextLine(t, lines)
		if _, addr, ok := strings.Cut(line, "meanwhile the address says so"); ok {
			_, addr, _ = strings.Cut(addr, "url=")
			return strings.Fields(addr + " ")[0], true, before
		}
		if _, addr, ok := strings.Cut(line, " at http://"); ok {
			return "http://" + strings.Fields(addr)[0], false, before
		}
		before = append(before, line)
	}
}

// brokenStartNote is the note of a site whose template breaks its first
// build.
const brokenStartNote = "---\ntitle: Т\ndate: 2025-03-01\nkind: delegation\nregions: [moscow]\n---\nТекст.\n"

// unbuiltURL reads the lines of serve --watch until the one that says that
// nothing is built, and returns the address it gives.
func unbuiltURL(t *testing.T, lines <-chan string) string {
	t.Helper()
	for {
		line := nextLine(t, lines)
		if !strings.Contains(line, "nothing to serve until a build succeeds") {
			continue
		}
		_, after, ok := strings.Cut(line, "url=")
		if !ok {
			t.Fatalf("no url in %q", line)
		}
		return strings.Fields(after)[0]
	}
}

// TestServeLockedIndex checks that an OUT whose index another process
// holds open for updates, as serve --watch does, is said to be so, without
// advice to build it again.
func TestServeLockedIndex(t *testing.T) {
	_, out := buildTestSite(t)
	ix, err := search.OpenWritable(filepath.Join(out, search.DirName))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	var stderr bytes.Buffer
	err = runServe(context.Background(), []string{"-d", out, "--addr", "localhost:0"}, &stderr, &stderr)
	if err == nil || !strings.Contains(err.Error(), "held open for updates by another process") || strings.Contains(err.Error(), "digest build") {
		t.Errorf("err = %v", err)
	}
}

func TestInterspersed(t *testing.T) {
	fs := newFlags("search", "", &bytes.Buffer{}, &bytes.Buffer{})
	fs.Bool("json", false, "")
	fs.String("region", "", "")
	fs.String("d", "", "")
	tests := []struct{ in, want []string }{
		{[]string{"выставка", "--region", "guangdong"}, []string{"--region", "guangdong", "--", "выставка"}},
		{[]string{"--json", "выставка", "Харбин", "-d", "out"}, []string{"--json", "-d", "out", "--", "выставка", "Харбин"}},
		{[]string{"Гуандун", "-ёлочные"}, []string{"--", "Гуандун", "-ёлочные"}},
		{[]string{"--region=x", "a", "--", "--json"}, []string{"--region=x", "--", "a", "--json"}},
		{[]string{"a", "--nope"}, []string{"--nope", "--", "a"}},
	}
	for _, tt := range tests {
		if got := interspersed(fs, tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("interspersed(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSearchCommand(t *testing.T) {
	site := t.TempDir()
	if err := os.CopyFS(site, os.DirFS("../../search/testdata/site")); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := runBuild(context.Background(), []string{"-s", site}, &stdout, &stderr); err != nil {
		t.Fatalf("build: %v\n%s", err, stderr.String())
	}
	tests := []struct {
		args []string
		want string // stdout
	}{
		{[]string{"выставка", "-s", site, "--region", "Приамурье"}, "2024-01-01  /2024/expo-new-year/  Выставка китайских товаров открылась в Благовещенске\n"},
		{[]string{"-s", site, "--kind", "expo", "--from", "2025-01-01"}, "2025-06-10  /2025/khabarovsk-harbin-expo/  Хабаровские компании показали продукцию на выставке в Харбине\n"},
		{[]string{"-s", site, "Гуандун", "-ёлочные", "--sort", "date"}, "2022-05-05  /2022/guangdong-delegation/  Делегация из южного Китая посетила технопарк в Долгопрудном\n2021-09-15  /2021/guangdong-torgpred/  Торгпредство России в Гуанчжоу провело семинар для экспортёров\n"},
	}
	for _, tt := range tests {
		stdout.Reset()
		stderr.Reset()
		if err := runSearch(context.Background(), tt.args, &stdout, &stderr); err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		if stdout.String() != tt.want {
			t.Errorf("%q: stdout\n%s\nwant\n%s", tt.args, stdout.String(), tt.want)
		}
		if !strings.Contains(stderr.String(), "notes found") {
			t.Errorf("%q: stderr %q", tt.args, stderr.String())
		}
	}
	stderr.Reset()
	if err := runSearch(context.Background(), []string{"-s", site, "и", "в"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if want := "not searched for, as stop words or words of more than 100 letters: «и», «в»\n"; !strings.HasSuffix(stderr.String(), want) {
		t.Errorf("stop words: stderr %q, want it to end in %q", stderr.String(), want)
	}
	stderr.Reset()
	if err := runSearch(context.Background(), []string{"-s", site, "выставка", "governor"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if want := "nothing found as typed: searched without «governor», which no note has\n"; !strings.HasSuffix(stderr.String(), want) {
		t.Errorf("a word no note has: stderr %q, want it to end in %q", stderr.String(), want)
	}
	stdout.Reset()
	if err := runSearch(context.Background(), []string{"-s", site, "--json", "Демешин"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), `"snippet": "`) || !strings.Contains(stdout.String(), "<mark>Демешин</mark>") {
		t.Errorf("--json: %s", stdout.String())
	}
	err := runSearch(context.Background(), []string{"-s", site, "--region", "Хабаровск", "x"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "khabarovsk-krai") {
		t.Errorf("unknown region: %v", err)
	}
	err = runSearch(context.Background(), []string{"-s", site, "-d", "", "x"}, &stdout, &stderr)
	if !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), "-d: give the built site's folder") {
		t.Errorf("-d '': %v, want a usage error", err)
	}
	err = runSearch(context.Background(), []string{"-s", "", "x"}, &stdout, &stderr)
	if !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), "-s: give the site folder") {
		t.Errorf("-s '': %v, want a usage error", err)
	}
}

// lineWriter hands the lines written to it to a channel, until it is
// closed.
type lineWriter struct {
	mu     sync.Mutex
	buf    []byte
	lines  chan string
	closed bool
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 || w.closed {
			return len(p), nil
		}
		select {
		case w.lines <- string(w.buf[:i]):
		default:
		}
		w.buf = w.buf[i+1:]
	}
}

// close closes the channel of lines; later lines are dropped.
func (w *lineWriter) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	close(w.lines)
}

// startServe runs `digest serve` with args on a free port and returns its
// address; the server stops when the test ends.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	return servedURL(t, serveLines(t, args...))
}

// servedURL reads the lines of serve until the one that says where the
// site is served, and returns that address.
func servedURL(t *testing.T, lines <-chan string) string {
	t.Helper()
	for {
		if _, addr, ok := strings.Cut(nextLine(t, lines), " at http://"); ok {
			return "http://" + strings.Fields(addr)[0]
		}
	}
}

// serveLines runs digest serve with args on a port of its own until the
// test ends, and returns the lines it writes; it fails the test when serve
// fails, or ends before the test.
func serveLines(t *testing.T, args ...string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &lineWriter{lines: make(chan string, 100)}
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, append(args, "--addr", "127.0.0.1:0"), stderr, stderr)
		stderr.close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return stderr.lines
}

// nextLine returns the next line serve writes, and fails the test when
// there is none within two minutes or serve has ended: a guard against a
// hang, long enough for a build of the slow site under the race detector
// on a loaded machine (one took more than 30 s in CI beside other work).
func nextLine(t *testing.T, lines <-chan string) string {
	t.Helper()
	select {
	case line, ok := <-lines:
		if !ok {
			t.Fatal("serve ended")
		}
		return line
	case <-time.After(2 * time.Minute):
		t.Fatal("serve wrote nothing for 2 minutes")
	}
	return ""
}

// testClient opens a connection per request: a pooled client may dial a
// connection it then leaves unused, which serve's shutdown waits for.
var testClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}

// getBody fetches a URL and returns its status and body.
func getBody(url string) (int, string, error) {
	resp, err := testClient.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), err
}

// buildTestSite copies the search package's test site into a new folder
// and builds it into OUT there.
func buildTestSite(t *testing.T) (site, out string) {
	t.Helper()
	site = t.TempDir()
	if err := os.CopyFS(site, os.DirFS("../../search/testdata/site")); err != nil {
		t.Fatal(err)
	}
	out = filepath.Join(site, "public")
	var stderr bytes.Buffer
	if err := runBuild(context.Background(), []string{"-s", site, "-o", out}, &stderr, &stderr); err != nil {
		t.Fatalf("build: %v\n%s", err, stderr.String())
	}
	return site, out
}

// TestServeOUTAlone serves and searches a copy of a built site in another
// folder, with no source anywhere: OUT holds all that search needs.
func TestServeOUTAlone(t *testing.T) {
	_, out := buildTestSite(t)
	copied := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(copied, os.DirFS(out)); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Dir(out)); err != nil {
		t.Fatal(err)
	}
	base := startServe(t, "-d", copied)
	for _, c := range []struct{ path, want string }{
		{"/api/search?q=" + url.QueryEscape("выставка") + "&region=" + url.QueryEscape("Приамурье"), `"url":"/2024/expo-new-year/"`},
		{"/search?q=" + url.QueryEscape("Гуандун"), "Тестовый дайджест"}, // the site's title, from OUT
		{"/search?q=" + url.QueryEscape("Гуандун"), "Московская область"},
		{"/2024/expo-new-year/", "Благовещенске"},
		{"/healthz", "ok"},
	} {
		status, body, err := getBody(base + c.path)
		if err != nil || status != http.StatusOK || !strings.Contains(body, c.want) {
			t.Errorf("GET %s: %d %v, want %q in:\n%.500s", c.path, status, err, c.want, body)
		}
	}
	var stdout, stderr bytes.Buffer
	if err := runSearch(context.Background(), []string{"-d", copied, "--region", "Приамурье", "выставка"}, &stdout, &stderr); err != nil {
		t.Fatalf("search: %v", err)
	}
	if !strings.Contains(stdout.String(), "/2024/expo-new-year/") {
		t.Errorf("search: %s", stdout.String())
	}
}

// TestServeOUTAloneTemplates serves a copy of a site built with templates
// of its own: the search page is rendered with them, links the stylesheet
// the build published, and follows a rebuild with other templates.
func TestServeOUTAloneTemplates(t *testing.T) {
	site, out := buildTestSite(t)
	page, err := os.ReadFile("../../templates/search.html")
	if err != nil {
		t.Fatal(err)
	}
	style := filepath.Join(site, "templates", "style.css")
	write := func(css string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(style), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(style, []byte(css), 0o644); err != nil {
			t.Fatal(err)
		}
		own := strings.Replace(string(page), `{{define "main"}}`, `{{define "main"}}<p id="own">поиск сайта</p>`, 1)
		if err := os.WriteFile(filepath.Join(site, "templates", "search.html"), []byte(own), 0o644); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		if err := runBuild(context.Background(), []string{"-s", site, "-o", out}, &stderr, &stderr); err != nil {
			t.Fatalf("build: %v\n%s", err, stderr.String())
		}
	}
	// The stylesheet the search page links, as the server serves it.
	linked := func(base string) (href, css string, status int) {
		t.Helper()
		status, body, err := getBody(base + "/search?q=" + url.QueryEscape("Гуандун"))
		if err != nil || status != http.StatusOK {
			t.Fatalf("GET /search: %d %v", status, err)
		}
		if !strings.Contains(body, `<p id="own">поиск сайта</p>`) {
			t.Errorf("the search page is not the site's own")
		}
		_, rest, _ := strings.Cut(body, `<link rel="stylesheet" href="`)
		href, _, _ = strings.Cut(rest, `"`)
		status, css, err = getBody(base + href)
		if err != nil {
			t.Fatal(err)
		}
		return href, css, status
	}
	write("body { color: #123456 }")
	// Served from another folder, without the site.
	copied := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(copied, os.DirFS(out)); err != nil {
		t.Fatal(err)
	}
	if href, css, status := linked(startServe(t, "-d", copied)); status != http.StatusOK || !strings.Contains(css, "#123456") {
		t.Errorf("the search page links %s: %d %.100s", href, status, css)
	}
	// Served from OUT, and rebuilt with another stylesheet: the search
	// page follows within a second or so.
	base := startServe(t, "-d", out)
	first, _, _ := linked(base)
	write("body { color: #654321 }")
	deadline := time.Now().Add(10 * time.Second)
	for {
		href, css, status := linked(base)
		if href != first && status == http.StatusOK && strings.Contains(css, "#654321") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the rebuild the search page links %s: %d %.100s", href, status, css)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestServeRebuilt runs searches and page requests in a loop while
// `digest build` swaps a new OUT in, twice: no request fails, and the new
// note is found within a couple of seconds.
func TestServeRebuilt(t *testing.T) {
	site, out := buildTestSite(t)
	base := startServe(t, "-s", site, "-d", out)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var requests atomic.Int64
	failures := make(chan string, 10)
	for i := range 4 {
		wg.Go(func() {
			paths := []string{"/api/search?q=" + url.QueryEscape("выставка"), "/search?region=guangdong", "/2024/expo-new-year/", "/"}
			for j := i; ctx.Err() == nil; j++ {
				p := paths[j%len(paths)]
				if status, body, err := getBody(base + p); err != nil || status != http.StatusOK {
					select {
					case failures <- fmt.Sprintf("GET %s: %d %v %.200s", p, status, err, body):
					default:
					}
				}
				requests.Add(1)
			}
		})
	}
	for round := range 2 {
		note := fmt.Sprintf("---\ntitle: Вебинар номер %d для экспортёров\ndate: 2026-02-0%d\nkind: talks\nregions: [guangdong]\n---\n\nТекст.\n", round, round+1)
		if err := os.WriteFile(filepath.Join(site, "content", "notes", fmt.Sprintf("webinar-%d.md", round)), []byte(note), 0o644); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		if err := runBuild(context.Background(), []string{"-s", site, "-o", out}, &stderr, &stderr); err != nil {
			t.Fatalf("build: %v\n%s", err, stderr.String())
		}
		want := fmt.Sprintf("/2026/webinar-%d/", round)
		deadline := time.Now().Add(3 * time.Second)
		for {
			_, body, err := getBody(base + "/api/search?q=" + url.QueryEscape("вебинар"))
			if err == nil && strings.Contains(body, want) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: %s not found 3 s after the build: %s", round, want, body)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if _, body, _ := getBody(base + "/healthz"); !strings.Contains(body, "ok") {
			t.Errorf("healthz: %s", body)
		}
	}
	cancel()
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	if requests.Load() < 10 {
		t.Errorf("only %d requests ran", requests.Load())
	}
}

// TestServeSiteTemplates checks that the results page is rendered with the
// templates OUT was built with, whether the site is given or OUT is served
// alone: a template saved since is not used before a build.
func TestServeSiteTemplates(t *testing.T) {
	site, out := buildTestSite(t)
	if err := os.MkdirAll(filepath.Join(site, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	tmpl := `{{define "main"}}<p id="own">свой шаблон поиска: {{.Data.Total}}</p>{{end}}`
	if err := os.WriteFile(filepath.Join(site, "templates", "search.html"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	own := func(args ...string) bool {
		t.Helper()
		base := startServe(t, args...)
		_, body, err := getBody(base + "/search?q=" + url.QueryEscape("Гуандун"))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Contains(body, "свой шаблон поиска: 3")
	}
	if own("-s", site, "-d", out) {
		t.Errorf("serve -s SITE -d OUT: a template saved after the build is used")
	}
	var stderr bytes.Buffer
	if err := runBuild(context.Background(), []string{"-s", site, "-o", out}, &stderr, &stderr); err != nil {
		t.Fatalf("build: %v\n%s", err, stderr.String())
	}
	for _, args := range [][]string{{"-s", site, "-d", out}, {"-d", out}} {
		if !own(args...) {
			t.Errorf("serve %q: the site's template, which OUT was built with, is not used", args)
		}
	}
}

// TestServeWarnsOfLiveSite: plain serve of a site that serve --watch built
// says that its pages load a script only --watch answers.
func TestServeWarnsOfLiveSite(t *testing.T) {
	site, out := buildTestSite(t)
	if _, err := build.Build(context.Background(), build.Config{Site: site, Out: out, Live: true}); err != nil {
		t.Fatal(err)
	}
	lines := serveLines(t, "-d", out)
	for warned := false; ; {
		line := nextLine(t, lines)
		warned = warned || strings.Contains(line, "built by digest serve --watch for editing")
		if strings.Contains(line, " at http://") {
			if !warned {
				t.Error("no warning before the site is served")
			}
			break
		}
	}
}
