package watch

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coopdigest/digest/build"
)

const (
	deadline = 10 * time.Second
	debounce = 50 * time.Millisecond
)

// site is a running watcher on a copy of build/testdata/basic.
type site struct {
	dir, out string
	w        *Watcher
	srv      *httptest.Server
	builds   atomic.Int64 // OnBuild calls
	stderr   syncBuffer
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start copies the test site, runs a watcher on it until the test ends and
// waits for its first build.
func start(t *testing.T) *site {
	t.Helper()
	return startWith(t, nil)
}

// startWith is start with the watcher set up by set, when not nil, before
// it runs.
func startWith(t *testing.T, set func(*Watcher)) *site {
	t.Helper()
	s := &site{dir: t.TempDir()}
	s.out = filepath.Join(t.TempDir(), "out")
	if err := os.CopyFS(filepath.Join(s.dir, "content"), os.DirFS("../build/testdata/basic/content")); err != nil {
		t.Fatal(err)
	}
	w, err := New(Config{
		Site:     s.dir,
		Out:      s.out,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Stderr:   &s.stderr,
		Debounce: debounce,
		OnBuild:  func(*build.Result) { s.builds.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	s.w = w
	if set != nil {
		set(w)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx) }()
	s.srv = httptest.NewServer(w.Handler())
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(deadline):
			t.Error("Run did not return after its context was cancelled")
		}
		s.srv.Close() // waits for the event streams, which end with Run
	})
	select {
	case <-w.Built():
	case <-time.After(4 * deadline):
		t.Fatal("no first build")
	}
	if got := s.builds.Load(); got != 1 {
		t.Fatalf("after the first build: %d OnBuild calls, want 1; stderr:\n%s", got, s.stderr.String())
	}
	return s
}

func (s *site) write(t *testing.T, name, text string) {
	t.Helper()
	p := filepath.Join(s.dir, "content", filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// move renames from to to, both under content/, making to's folder first.
func (s *site) move(t *testing.T, from, to string) {
	t.Helper()
	content := filepath.Join(s.dir, "content")
	to = filepath.Join(content, filepath.FromSlash(to))
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(content, filepath.FromSlash(from)), to); err != nil {
		t.Fatal(err)
	}
}

// page returns OUT's page at the URL path, or "" when there is none.
func (s *site) page(url string) string {
	b, err := os.ReadFile(filepath.Join(s.out, filepath.FromSlash(url), "index.html"))
	if err != nil {
		return ""
	}
	return string(b)
}

// eventually waits until cond holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type event struct{ name, id, data string }

// client is a connection to /_digest/events.
type client struct {
	events chan event
	resp   *http.Response
}

// connect opens an event stream that lasts until the test ends.
func (s *site) connect(t *testing.T) *client {
	t.Helper()
	return connect(t, s.srv)
}

// connect opens an event stream from srv that lasts until the test ends.
func connect(t testing.TB, srv *httptest.Server) *client {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/_digest/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	c := &client{events: make(chan event, 100), resp: resp}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(c.events)
		readEvents(resp.Body, c.events)
	}()
	t.Cleanup(func() {
		cancel()
		resp.Body.Close()
		<-done
	})
	return c
}

// readEvents parses a server-sent event stream, enough for the tests.
func readEvents(r io.Reader, out chan<- event) {
	sc := bufio.NewScanner(r)
	var ev event
	var data []string
	for sc.Scan() {
		line := sc.Text()
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch {
		case line == "":
			if data != nil {
				ev.data = strings.Join(data, "\n")
				out <- ev
			}
			ev, data = event{}, nil
		case field == "event":
			ev.name = value
		case field == "id":
			ev.id = value
		case field == "data":
			data = append(data, value)
		}
	}
}

// next returns the next event, failing the test when none comes in time.
func (c *client) next(t testing.TB) event {
	t.Helper()
	select {
	case ev, ok := <-c.events:
		if !ok {
			t.Fatal("event stream ended")
		}
		return ev
	case <-time.After(deadline):
		t.Fatal("no event")
	}
	panic("unreachable")
}

// expect fails the test unless the next event is named name.
func (c *client) expect(t testing.TB, name string) event {
	t.Helper()
	ev := c.next(t)
	if ev.name != name {
		t.Fatalf("event %q (data %q), want %q", ev.name, ev.data, name)
	}
	return ev
}

// quiet fails the test when an event comes within d.
func (c *client) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case ev := <-c.events:
		t.Fatalf("unexpected event %q (data %q)", ev.name, ev.data)
	case <-time.After(d):
	}
}

const expo = `+++
title = "%s"
date = 2024-05-17
end = 2024-05-21
kind = "экспо"
regions = [%s]
sectors = ["trade", "education"]
+++

Выставка прошла в Харбине.
`

func TestEditRebuildsAndReloads(t *testing.T) {
	s := start(t)
	if !strings.Contains(s.page("2024/expo"), "ЭКСПО в Харбине") {
		t.Fatal("first build: no expo page")
	}
	if !strings.Contains(s.page("2024/expo"), `<script src="/_digest/live.js"></script>`) {
		t.Error("pages of a watch build do not load the live-reload script")
	}
	c := s.connect(t)
	c.quiet(t, 2*debounce) // nothing to say about a good build on connect

	s.write(t, "2024/expo.md", fmt.Sprintf(expo, "Expo in Harbin, edited", `"heilongjiang"`))
	c.expect(t, "reload")
	eventually(t, "page with the new title", func() bool {
		return strings.Contains(s.page("2024/expo"), "Expo in Harbin, edited")
	})
	if got := s.builds.Load(); got != 2 {
		t.Errorf("%d builds, want 2", got)
	}
}

// TestMaxStreams: past MaxStreams, an event stream is told to come back
// later and ends; one that closes makes room.
func TestMaxStreams(t *testing.T) {
	s := startWith(t, func(w *Watcher) { w.cfg.MaxStreams = 2 })
	first := s.connect(t)
	s.connect(t)
	resp, err := s.srv.Client().Get(s.srv.URL + "/_digest/events")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body) // it ends
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "retry: 10000\n") {
		t.Errorf("a third stream: %s, %q; want 200 and retry: 10000", resp.Status, body)
	}
	first.resp.Body.Close()
	eventually(t, "room for a stream once one closed", func() bool { return s.w.streams.Load() < 2 })
	s.connect(t)
}

// TestChmodRebuilds: a note's permissions changed (readable again, or no
// longer) make a rebuild, as a save does.
func TestChmodRebuilds(t *testing.T) {
	s := start(t)
	before := s.builds.Load()
	if err := os.Chmod(filepath.Join(s.dir, "content", "2024", "expo.md"), 0o600); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a rebuild after chmod", func() bool { return s.builds.Load() > before })
}

func TestBrokenThenFixed(t *testing.T) {
	s := start(t)
	c := s.connect(t)

	s.write(t, "2024/expo.md", fmt.Sprintf(expo, "Broken expo", `"atlantis"`))
	ev := c.expect(t, "error")
	if !strings.Contains(ev.data, "content/2024/expo.md:") || !strings.Contains(ev.data, "atlantis") {
		t.Errorf("error event data %q: want the file's path:line:col and the message", ev.data)
	}
	if !strings.Contains(s.stderr.String(), "content/2024/expo.md:") {
		t.Errorf("stderr %q: want the problem", s.stderr.String())
	}
	if p := s.page("2024/expo"); !strings.Contains(p, "ЭКСПО в Харбине") || strings.Contains(p, "Broken expo") {
		t.Error("a failed build changed OUT")
	}

	// Two problems: one data line each.
	s.write(t, "2024/expo.md", fmt.Sprintf(expo, "Broken expo", `"atlantis", "lemuria"`))
	ev = c.expect(t, "error")
	if lines := strings.Split(ev.data, "\n"); len(lines) != 2 || !strings.Contains(lines[0], "atlantis") || !strings.Contains(lines[1], "lemuria") {
		t.Errorf("error event data %q: want a line per problem", ev.data)
	}

	// A page loaded now shows the problems at once.
	late := s.connect(t)
	if ev := late.expect(t, "error"); !strings.Contains(ev.data, "lemuria") {
		t.Errorf("error event on connect: data %q", ev.data)
	}

	s.write(t, "2024/expo.md", fmt.Sprintf(expo, "Fixed expo", `"heilongjiang"`))
	for _, c := range []*client{c, late} {
		c.expect(t, "ok")
		c.expect(t, "reload")
	}
	if !strings.Contains(s.page("2024/expo"), "Fixed expo") {
		t.Error("fixed page not in OUT")
	}
	if got := s.builds.Load(); got != 2 {
		t.Errorf("%d successful builds, want 2", got)
	}
}

// TestHalfWrittenSave saves a note as a slow writer does: the file is
// emptied, and written a few quiet periods later. The rebuild of the empty
// file fails, and the one after the write succeeds before the failure is
// shown: the pages reload, and neither they nor the terminal see a problem.
func TestHalfWrittenSave(t *testing.T) {
	s := start(t)
	c := s.connect(t)
	s.write(t, "2024/expo.md", "")
	time.Sleep(3 * debounce)
	s.write(t, "2024/expo.md", fmt.Sprintf(expo, "Slowly saved expo", `"heilongjiang"`))
	c.expect(t, "reload")
	if !strings.Contains(s.page("2024/expo"), "Slowly saved expo") {
		t.Error("the saved page is not in OUT")
	}
	if e := s.stderr.String(); e != "" {
		t.Errorf("the terminal was told of problems: %q", e)
	}

	// A problem that stays is shown.
	s.write(t, "2024/expo.md", "")
	if ev := c.expect(t, "error"); !strings.Contains(ev.data, "content/2024/expo.md:") {
		t.Errorf("error event data %q: want the empty file's problem", ev.data)
	}
}

func TestBurstIsOneRebuild(t *testing.T) {
	s := start(t)
	c := s.connect(t)
	for i := range 10 {
		s.write(t, fmt.Sprintf("2024/burst-%d.md", i), fmt.Sprintf(
			"---\ntitle: Burst %d\ndate: 2024-06-%02d\nkind: delegation\nregions: [beijing]\n---\n\nText %d.\n", i, i+1, i))
	}
	c.expect(t, "reload")
	eventually(t, "the burst's pages", func() bool {
		for i := range 10 {
			if !strings.Contains(s.page(fmt.Sprintf("2024/burst-%d", i)), fmt.Sprintf("Burst %d", i)) {
				return false
			}
		}
		return true
	})
	time.Sleep(5 * debounce) // room for a stray second rebuild
	if n := s.builds.Load() - 1; n < 1 || n > 2 {
		t.Errorf("%d rebuilds for a burst of 10 files, want 1 (2 at most)", n)
	}
}

func TestNewFolderAndDelete(t *testing.T) {
	s := start(t)
	c := s.connect(t)

	// A note in a folder that did not exist, then an edit there: the new
	// folder is watched.
	note := "---\ntitle: %s\ndate: 2026-01-10\nkind: delegation\nregions: [beijing]\n---\n\nText.\n"
	s.write(t, "2026/new.md", fmt.Sprintf(note, "New note"))
	c.expect(t, "reload")
	eventually(t, "the new note's page", func() bool { return strings.Contains(s.page("2026/new"), "New note") })
	s.write(t, "2026/new.md", fmt.Sprintf(note, "New note, edited"))
	c.expect(t, "reload")
	eventually(t, "the edited note's page", func() bool { return strings.Contains(s.page("2026/new"), "New note, edited") })

	if s.page("2024/talks") == "" {
		t.Fatal("no talks page to begin with")
	}
	if err := os.Remove(filepath.Join(s.dir, "content", "2024", "talks.md")); err != nil {
		t.Fatal(err)
	}
	c.expect(t, "reload")
	eventually(t, "the deleted note's page to go", func() bool { return s.page("2024/talks") == "" })
}

// TestLinkedNotes checks that a note that is a symbolic link is rebuilt
// when the file it leads to changes: a note in content/, and a file
// elsewhere in the site folder.
func TestLinkedNotes(t *testing.T) {
	note := "---\ntitle: %s\ndate: 2022-07-01\nkind: expo\nregions: [beijing]\n---\n\nТекст.\n"
	var shared string
	s := startWith(t, func(w *Watcher) {
		content := filepath.Join(w.cfg.Site, "content")
		shared = filepath.Join(w.cfg.Site, "shared", "t.md")
		for p, text := range map[string]string{
			filepath.Join(content, "a", "orig.md"): fmt.Sprintf(note, "Оригинал"),
			shared:                                 fmt.Sprintf(note, "Общий"),
		} {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		os.MkdirAll(filepath.Join(content, "b"), 0o755)
		if err := os.Symlink(filepath.Join("..", "a", "orig.md"), filepath.Join(content, "b", "alias.md")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join("..", "..", "shared", "t.md"), filepath.Join(content, "b", "outside.md")); err != nil {
			t.Fatal(err)
		}
	})
	if !strings.Contains(s.page("2022/alias"), "Оригинал") || !strings.Contains(s.page("2022/outside"), "Общий") {
		t.Fatal("first build: no pages of the linked notes")
	}
	s.write(t, "a/orig.md", fmt.Sprintf(note, "Оригинал, правка"))
	eventually(t, "the link's page with the new title", func() bool {
		return strings.Contains(s.page("2022/alias"), "Оригинал, правка")
	})
	if err := os.WriteFile(shared, []byte(fmt.Sprintf(note, "Общий, правка")), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the page of the link outside content/ with the new title", func() bool {
		return strings.Contains(s.page("2022/outside"), "Общий, правка")
	})
}

// TestLinkedFolders: content/ itself, and content/taxonomy, may be links to
// folders of the site (docs/CONTENT.md); an edit in those folders is built
// as an edit through the links.
func TestLinkedFolders(t *testing.T) {
	var real string
	s := startWith(t, func(w *Watcher) {
		content := filepath.Join(w.cfg.Site, "content")
		real = filepath.Join(w.cfg.Site, "content-real")
		taxonomy := filepath.Join(w.cfg.Site, "taxonomy-real")
		for _, step := range []error{
			os.Rename(content, real),
			os.Symlink("content-real", content),
			os.Rename(filepath.Join(real, "taxonomy"), taxonomy),
			os.Symlink(filepath.Join("..", "taxonomy-real"), filepath.Join(real, "taxonomy")),
		} {
			if step != nil {
				t.Fatal(step)
			}
		}
	})
	if !strings.Contains(s.page("2024/expo"), "ЭКСПО в Харбине") {
		t.Fatal("first build: no expo page")
	}
	s.write(t, "2024/expo.md", fmt.Sprintf(expo, "Expo in Harbin, edited", `"heilongjiang"`))
	eventually(t, "the page with the new title", func() bool {
		return strings.Contains(s.page("2024/expo"), "Expo in Harbin, edited")
	})
	builds := s.builds.Load()
	p := filepath.Join(filepath.Dir(real), "taxonomy-real", "kinds.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(data, "\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a build after the taxonomy's edit", func() bool { return s.builds.Load() > builds })
}

// TestMovedFolder moves a folder of notes within content/, back and forth:
// after each move, an edit of a note in it is built. fsnotify drops the
// watch of a moved folder as it reports the move, which could come after
// the watcher watched the folder at its new place.
func TestMovedFolder(t *testing.T) {
	s := start(t)
	c := s.connect(t)
	note := "---\ntitle: %s\ndate: 2026-01-10\nkind: delegation\nregions: [beijing]\n---\n\nText.\n"
	s.write(t, "2026/moved.md", fmt.Sprintf(note, "Before the moves"))
	c.expect(t, "reload")
	dir := "2026"
	for i, to := range []string{"a", "b", "archive/c", "d", "archive/e", "f"} {
		s.move(t, dir, to)
		dir = to
		c.expect(t, "reload")
		title := fmt.Sprintf("After move %d", i+1)
		s.write(t, dir+"/moved.md", fmt.Sprintf(note, title))
		c.expect(t, "reload")
		eventually(t, "the page of the note edited in "+dir, func() bool { return strings.Contains(s.page("2026/moved"), title) })
	}
}

// TestMovedFolderWithSubfolders moves a folder holding folders several
// levels deep, and a folder in the middle of it, again and again: after
// each move a note at the bottom is edited, deleted and written again, and
// OUT follows. Watching the moved folder again does not rename the watches
// of the folders below it, which inotify keeps under their old paths.
func TestMovedFolderWithSubfolders(t *testing.T) {
	s := start(t)
	c := s.connect(t)
	content := filepath.Join(s.dir, "content")
	note := "---\ntitle: %s\ndate: 2026-01-10\nkind: delegation\nregions: [beijing]\n---\n\nText.\n"
	s.write(t, "2026/x/y/z/deep.md", fmt.Sprintf(note, "Before the moves"))
	c.expect(t, "reload")
	eventually(t, "the deep note's page", func() bool { return strings.Contains(s.page("2026/deep"), "Before the moves") })
	deep := "2026/x/y/z"
	for i, mv := range []struct{ from, to string }{
		{"2026", "a"},
		{"a", "archive/b"},
		{"archive/b/x", "archive/b/x2"}, // a folder in the middle
		{"archive/b", "c"},
		{"c/x2/y", "c/y"}, // up a level
		{"c", "archive/d"},
		{"archive", "e"}, // the folder that holds it
	} {
		s.move(t, mv.from, mv.to)
		deep = mv.to + strings.TrimPrefix(deep, mv.from)
		c.expect(t, "reload")

		title := fmt.Sprintf("After move %d", i+1)
		s.write(t, deep+"/deep.md", fmt.Sprintf(note, title))
		c.expect(t, "reload")
		eventually(t, "the page of the note edited in "+deep, func() bool { return strings.Contains(s.page("2026/deep"), title) })

		if err := os.Remove(filepath.Join(content, deep, "deep.md")); err != nil {
			t.Fatal(err)
		}
		c.expect(t, "reload")
		eventually(t, "the page of the note deleted in "+deep+" to go", func() bool { return s.page("2026/deep") == "" })

		s.write(t, deep+"/deep.md", fmt.Sprintf(note, title+", again"))
		c.expect(t, "reload")
		eventually(t, "the page of the note written again in "+deep, func() bool { return strings.Contains(s.page("2026/deep"), title+", again") })
	}
}

func TestEditorTempFilesIgnored(t *testing.T) {
	s := start(t)
	c := s.connect(t)
	for _, name := range []string{"2024/.expo.md.swp", "2024/4913", "2024/expo.md~", "2024/.#expo.md", "2024/#expo.md#"} {
		s.write(t, name, "scratch")
	}
	c.quiet(t, 6*debounce)
	if got := s.builds.Load(); got != 1 {
		t.Errorf("%d builds, want 1: editor files caused a rebuild", got)
	}
}

func TestIgnored(t *testing.T) {
	for name, want := range map[string]bool{
		"content/2024/.expo.md.swp": true,
		"content/2024/.expo.md.swx": true,
		"content/2024/4913":         true,
		"content/2024/expo.md~":     true,
		"content/2024/.#expo.md":    true,
		"content/2024/#expo.md#":    true,
		"content/2024/expo.md":      false,
		"content/site.yaml":         false,
		"templates/note.html":       false,
		"content/2024":              false,
		"content/2024/swamp.md":     false,
		"content/static/movie.swf":  false,
		"content/static/.htaccess":  true,
	} {
		if got := ignored(name); got != want {
			t.Errorf("ignored(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestScript(t *testing.T) {
	s := start(t)
	resp, err := s.srv.Client().Get(s.srv.URL + "/_digest/live.js")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("Content-Type %q", ct)
	}
	js := string(body)
	for _, want := range []string{`new EventSource("/_digest/events")`, `"reload"`, `"error"`, `"ok"`, "textContent", "location.reload()"} {
		if !strings.Contains(js, want) {
			t.Errorf("live.js lacks %s", want)
		}
	}
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("} {
		if strings.Contains(js, bad) {
			t.Errorf("live.js uses %s", bad)
		}
	}

	c := s.connect(t)
	if ct := c.resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("events Content-Type %q", ct)
	}
	if cc := c.resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("events Cache-Control %q", cc)
	}

	resp, err = s.srv.Client().Get(s.srv.URL + "/_digest/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/_digest/nothing: status %d, want 404", resp.StatusCode)
	}
}

func TestWriteEvent(t *testing.T) {
	var b strings.Builder
	writeEvent(&b, "error", "3", "a.md:1:2: one\nb.md:3: two\r\nthree\rfour")
	want := "event: error\nid: 3\ndata: a.md:1:2: one\ndata: b.md:3: two\ndata: three\ndata: four\n\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestPing(t *testing.T) {
	old := pingInterval
	pingInterval = 20 * time.Millisecond
	t.Cleanup(func() { pingInterval = old })
	s := start(t)
	resp, err := s.srv.Client().Get(s.srv.URL + "/_digest/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == ": ping\n" {
			return
		}
	}
}

// TestNewRejectsOut refuses, before any build, the output folders that a
// full build must not replace: the site itself, its sources, a folder that
// holds it, a folder that is not digest's.
func TestNewRejectsOut(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	if err := os.CopyFS(filepath.Join(site, "content"), os.DirFS("../build/testdata/basic/content")); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "foreign")
	if err := os.MkdirAll(foreign, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(foreign, "mine.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{site, filepath.Join(site, "content"), filepath.Join(site, "content", "public"), filepath.Join(site, "templates", "x"), dir, foreign} {
		if _, err := New(Config{Site: site, Out: out}); err == nil || !strings.Contains(err.Error(), "refusing to replace") {
			t.Errorf("-d %s: got %v, want a refusal", out, err)
		}
	}
	if _, err := New(Config{Site: site}); err != nil {
		t.Errorf("New with the default output folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(foreign, "mine.txt")); err != nil {
		t.Error(err)
	}
}

// TestNewDay: at the start of a day the watcher rebuilds, without any
// change, incrementally: the day decides which events are upcoming.
func TestNewDay(t *testing.T) {
	days := make(chan time.Time)
	s := startWith(t, func(w *Watcher) {
		w.nextDay = func() <-chan time.Time { return days }
	})
	days <- time.Now()
	eventually(t, "a rebuild on the new day", func() bool { return s.builds.Load() == 2 })
	days <- time.Now() // and the next day again
	eventually(t, "a rebuild on the day after", func() bool { return s.builds.Load() == 3 })
}

func TestUntilTomorrow(t *testing.T) {
	loc := time.FixedZone("MSK", 3*3600)
	for _, tc := range []struct {
		now  time.Time
		want time.Duration
	}{
		{time.Date(2025, 6, 1, 23, 59, 0, 0, loc), 61 * time.Second},
		{time.Date(2025, 6, 1, 0, 0, 0, 0, loc), 24*time.Hour + time.Second},
		{time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC), 12*time.Hour + time.Second},
	} {
		if got := untilTomorrow(tc.now); got != tc.want {
			t.Errorf("untilTomorrow(%v) = %v, want %v", tc.now, got, tc.want)
		}
	}
}
