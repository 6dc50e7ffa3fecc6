package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coopdigest/digest/search"
	"github.com/coopdigest/digest/source"
)

// TestSessionMatchesFullBuild makes changes one after another and checks,
// after each incremental build, that OUT is byte for byte what a full build
// of the same source writes.
func TestSessionMatchesFullBuild(t *testing.T) {
	for _, withIndex := range []bool{false, true} {
		name := "index rebuilt"
		if withIndex {
			name = "index updated"
		}
		t.Run(name, func(t *testing.T) { testSession(t, withIndex) })
	}
}

// testSession is TestSessionMatchesFullBuild with the session's index
// rebuilt at each change, or updated in place (withIndex); then the index
// must list what a full build's lists.
func testSession(t *testing.T, withIndex bool) {
	site := t.TempDir()
	if err := os.CopyFS(site, os.DirFS("testdata/basic")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(site, "want"))
	out := filepath.Join(site, "public")
	s := NewSession(Config{Site: site, Out: out, Today: testToday})
	if withIndex {
		s.OpenIndex = func(dir string) (Index, error) { return search.OpenWritable(dir) }
		t.Cleanup(func() { s.Index().(*search.Index).Close() })
	}
	ctx := context.Background()
	if res, err := s.Build(ctx, nil); err != nil || !res.Full {
		t.Fatalf("first build: %v, %+v", err, res)
	}
	write := func(p, text string) {
		t.Helper()
		full := filepath.Join(site, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name     string
		change   func()
		changed  []string
		maxFiles int // files rendered at most; 0: no limit
	}{
		{"edit a body", func() {
			data, _ := os.ReadFile(filepath.Join(site, "content/2024/talks.md"))
			write("content/2024/talks.md", strings.Replace(string(data), "Переговоры об образовании.", "Переговоры об образовании и науке.", 1))
		}, []string{"content/2024/talks.md"}, 8}, // its page, the site's JSON Feed and the Atom feeds of the site, its kind, regions, partnership and sector; no calendar or data file
		{"edit a title", func() {
			data, _ := os.ReadFile(filepath.Join(site, "content/2024/talks.md"))
			write("content/2024/talks.md", strings.Replace(string(data), "title: Переговоры в Подмосковье", "title: Переговоры в Московской области", 1))
		}, []string{"content/2024/talks.md"}, 0},
		{"add a note in a new folder", func() {
			write("content/2026/new.md", "---\ntitle: Новая встреча\ndate: 2026-01-10\nkind: expo\nregions: [beijing, moscow-oblast]\nsectors: [trade]\n---\n\nТекст.\n")
		}, []string{"content/2026"}, 0},
		{"a note in a hidden folder", func() {
			write("content/.drafts/secret.md", "---\ntitle: Тайная встреча\ndate: 2024-08-01\nkind: expo\nregions: [beijing]\n---\n\nТекст.\n")
		}, []string{"content/.drafts"}, 0},
		{"edit it", func() {
			write("content/.drafts/secret.md", "---\ntitle: Тайная встреча 2\ndate: 2024-08-01\nkind: expo\nregions: [beijing]\n---\n\nТекст.\n")
		}, []string{"content/.drafts/secret.md"}, 0},
		{"hide a folder", func() {
			if err := os.Rename(filepath.Join(site, "content/2026"), filepath.Join(site, "content/.2026")); err != nil {
				t.Fatal(err)
			}
		}, []string{"content/2026", "content/.2026"}, 0},
		{"show it again", func() {
			if err := os.Rename(filepath.Join(site, "content/.2026"), filepath.Join(site, "content/2026")); err != nil {
				t.Fatal(err)
			}
		}, []string{"content/.2026", "content/2026"}, 0},
		{"delete a note", func() {
			os.Remove(filepath.Join(site, "content/2024/expo.md"))
		}, []string{"content/2024/expo.md"}, 0},
		{"change a template", func() {
			write("templates/404.html", `{{define "main"}}<p>Нет такой страницы.</p>{{end}}`)
		}, []string{"templates/404.html"}, 1},
		{"change the stylesheet", func() {
			write("templates/style.css", "body { color: #123 }\n")
		}, []string{"templates/style.css"}, 0},
		{"change a slug", func() {
			data, _ := os.ReadFile(filepath.Join(site, "content/2024/talks.md"))
			write("content/2024/talks.md", strings.Replace(string(data), "title: ", "slug: talks-moved\ntitle: ", 1))
		}, []string{"content/2024/talks.md"}, 0},
		{"publish the draft", func() {
			data, _ := os.ReadFile(filepath.Join(site, "content/2024/draft.md"))
			write("content/2024/draft.md", strings.Replace(string(data), "draft: true", "draft: false", 1))
		}, []string{"content/2024/draft.md"}, 0},
		{"add a static folder", func() {
			write("content/static/docs/a.txt", "Программа.\n")
			write("content/static/img/map.png", string(testPNG(t, 10, 10)))
		}, []string{"content/static"}, 2},
		{"change a static file", func() {
			write("content/static/docs/a.txt", "Программа, вторая редакция.\n")
		}, []string{"content/static/docs/a.txt"}, 1},
		{"give a note a picture", func() {
			write("content/2024/photo.png", string(testPNG(t, 16, 9)))
			data, _ := os.ReadFile(filepath.Join(site, "content/2024/talks.md"))
			write("content/2024/talks.md", strings.Replace(string(data), "title: ", "image: photo.png\nimage_alt: Переговоры\ntitle: ", 1))
		}, []string{"content/2024/photo.png", "content/2024/talks.md"}, 0},
		{"change the picture", func() {
			write("content/2024/photo.png", string(testPNG(t, 32, 18)))
		}, []string{"content/2024/photo.png"}, 2},
		{"show a static picture in a body", func() {
			data, _ := os.ReadFile(filepath.Join(site, "content/2025/delegation.md"))
			write("content/2025/delegation.md", string(data)+"\n![Карта](/img/map.png)\n")
		}, []string{"content/2025/delegation.md"}, 0},
		{"change a picture a body shows", func() {
			write("content/static/img/map.png", string(testPNG(t, 12, 12)))
		}, []string{"content/static/img/map.png"}, 1},
		{"remove a static file", func() {
			os.Remove(filepath.Join(site, "content/static/docs/a.txt"))
		}, []string{"content/static/docs/a.txt"}, 0},
		{"link a note and a file beside the body", func() {
			write("content/2025/report.pdf", "%PDF-1.4")
			data, _ := os.ReadFile(filepath.Join(site, "content/2025/delegation.md"))
			write("content/2025/delegation.md", string(data)+"\n[Переговоры](../2024/talks.md) и [отчёт](report.pdf).\n")
		}, []string{"content/2025/report.pdf", "content/2025/delegation.md"}, 0},
		{"move the linked note", func() {
			data, _ := os.ReadFile(filepath.Join(site, "content/2024/talks.md"))
			write("content/2024/talks.md", strings.Replace(string(data), "slug: talks-moved", "slug: talks-again", 1))
		}, []string{"content/2024/talks.md"}, 0},
		{"change the linked file", func() {
			write("content/2025/report.pdf", "%PDF-1.7")
		}, []string{"content/2025/report.pdf"}, 0},
		{"link a file that is not there yet", func() {
			data, _ := os.ReadFile(filepath.Join(site, "content/2025/delegation.md"))
			write("content/2025/delegation.md", string(data)+"\n[План](plan.pdf).\n")
		}, []string{"content/2025/delegation.md"}, 0},
		{"add it", func() {
			write("content/2025/plan.pdf", "%PDF-1.4")
		}, []string{"content/2025/plan.pdf"}, 0},
	}
	for _, st := range steps {
		st.change()
		res, err := s.Build(ctx, st.changed)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if res.Full {
			t.Errorf("%s: a full build, want an incremental one", st.name)
		}
		// What the session added to OUT is digest's: its full build
		// replaces it.
		if err := checkOut(site, out, true, true); err != nil {
			t.Errorf("%s: %v", st.name, err)
		}
		if st.maxFiles > 0 && res.Rendered > st.maxFiles {
			t.Errorf("%s: rendered %d files, want at most %d", st.name, res.Rendered, st.maxFiles)
		}
		if st.name == "change the stylesheet" && (res.Rendered < res.Pages || res.Removed != 1) {
			t.Errorf("%s: rendered %d files of %d pages and removed %d; want every page, which links the stylesheet by its new name, and the old stylesheet gone", st.name, res.Rendered, res.Pages, res.Removed)
		}
		fresh := filepath.Join(t.TempDir(), "public")
		buildSite(t, site, fresh, false)
		got, want := readTree(t, out), readTree(t, fresh)
		for name, w := range want {
			if !bytes.Equal(got[name], w) {
				t.Errorf("%s: %s differs from a full build:\n%s", st.name, name, firstDiff(string(got[name]), string(w)))
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok {
				t.Errorf("%s: %s left behind", st.name, name)
			}
		}
		// OUT's list names what a full build's does: a page removed is off
		// it, so that a file put there later is not taken for digest's.
		gotFiles, err1 := listedFiles(out)
		wantFiles, err2 := listedFiles(fresh)
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
		for p := range gotFiles {
			if !wantFiles[p] {
				t.Errorf("%s: OUT's list names %s, which a full build does not write", st.name, p)
			}
		}
		for p := range wantFiles {
			if !gotFiles[p] {
				t.Errorf("%s: OUT's list does not name %s", st.name, p)
			}
		}
		if withIndex {
			if got, want := indexListing(t, s.Index().(*search.Index)), freshListing(t, fresh); got != want {
				t.Errorf("%s: the index lists\n%s\nwant, as a full build's:\n%s", st.name, got, want)
			}
		}
	}

	if listed, _, err := markerEntries(out); err != nil || !listed["2026"] {
		t.Errorf("the marker lists %v (%v), without the folder of the year a session added", listed, err)
	}
	// Another build of OUT waits for the session to end.
	var oe *OutError
	if err := CheckOut(site, out); !errors.As(err, &oe) || !strings.Contains(err.Error(), "another digest process holds it") {
		t.Errorf("CheckOut while the session holds OUT: %v", err)
	}

	// A picture that a note shows, taken away, fails the build at the note;
	// putting it back mends it.
	photo, _ := os.ReadFile(filepath.Join(site, "content/2024/photo.png"))
	os.Remove(filepath.Join(site, "content/2024/photo.png"))
	if _, err := s.Build(ctx, []string{"content/2024/photo.png"}); err == nil || !strings.Contains(err.Error(), `content/2024/talks.md:3:8: image "photo.png": no file content/2024/photo.png`) {
		t.Fatalf("a picture taken away: got %v", err)
	}
	write("content/2024/photo.png", string(photo))
	if _, err := s.Build(ctx, []string{"content/2024/photo.png"}); err != nil {
		t.Fatalf("the picture put back: %v", err)
	}

	// Two notes at one URL fail the build; taking one away mends it.
	write("content/2025/dup.md", "---\ntitle: Дубль\ndate: 2026-03-01\nkind: expo\nregions: [beijing]\nslug: new\n---\n")
	if _, err := s.Build(ctx, []string{"content/2025/dup.md"}); err == nil || !strings.Contains(err.Error(), "two notes have the URL /2026/new/") {
		t.Fatalf("two notes at one URL: got %v", err)
	}
	os.Remove(filepath.Join(site, "content/2025/dup.md"))
	if _, err := s.Build(ctx, []string{"content/2025/dup.md"}); err != nil {
		t.Fatalf("after removing the second note: %v", err)
	}

	// A broken note fails the build and leaves OUT as it was.
	before := snapshot(t, out)
	write("content/2025/bad.md", "---\ntitle: Плохая\ndate: 2025-01-01\nkind: delegation\nregions: [Марс]\n---\n")
	if _, err := s.Build(ctx, []string{"content/2025/bad.md"}); err == nil || !strings.Contains(err.Error(), `content/2025/bad.md:5:11: unknown region "Марс"`) {
		t.Fatalf("bad note: got %v", err)
	}
	after := snapshot(t, out)
	for name, data := range before {
		if !bytes.Equal(after[name], data) {
			t.Errorf("%s changed after a failed build", name)
		}
	}
	// A taxonomy change is a full build.
	os.Remove(filepath.Join(site, "content/2025/bad.md"))
	if res, err := s.Build(ctx, []string{"content/taxonomy/sectors.yaml"}); err != nil || !res.Full {
		t.Errorf("taxonomy change: %v, %+v", err, res)
	}
}

// testPNG is a PNG picture of w×h pixels.
func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// indexListing lists every document of ix: URL, title and date.
func indexListing(t *testing.T, ix *search.Index) string {
	t.Helper()
	res, err := ix.Search(context.Background(), search.Query{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, h := range res.Hits {
		fmt.Fprintf(&b, "%s %s %s\n", h.URL, h.Date.Format(time.DateOnly), h.Title)
	}
	return b.String()
}

// freshListing is indexListing of the index a full build wrote into out.
func freshListing(t *testing.T, out string) string {
	t.Helper()
	ix, err := search.Open(filepath.Join(out, search.DirName))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	return indexListing(t, ix)
}

// TestSessionOutGone: when OUT is removed between builds, the next build
// is a full one, which writes it again; when OUT is replaced by a folder
// that is not digest's, the build refuses it.
func TestSessionOutGone(t *testing.T) {
	site := newSite(t)
	out := filepath.Join(t.TempDir(), "public")
	s := NewSession(Config{Site: site, Out: out})
	ctx := context.Background()
	if _, err := s.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	res, err := s.Build(ctx, []string{"content/2024/talks.md"})
	if err != nil || !res.Full {
		t.Fatalf("after OUT was removed: %v, %+v; want a full build", err, res)
	}
	if !hasMarker(out) {
		t.Fatal("OUT was not written again")
	}
	// Removed and built again by another process (rm -rf public; digest
	// build), OUT is that build's, which only a full build replaces: an
	// incremental one would write into it, and into its index.
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(ctx, Config{Site: site, Out: out, Today: testToday}); err != nil {
		t.Fatalf("another build of the removed OUT: %v", err)
	}
	res, err = s.Build(ctx, []string{"content/2024/talks.md"})
	if err != nil || !res.Full {
		t.Fatalf("after OUT was built by another: %v, %+v; want a full build", err, res)
	}
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(out, "mine.txt"), "mine")
	if _, err := s.Build(ctx, []string{"content/2024/talks.md"}); !errors.As(err, new(*OutError)) {
		t.Fatalf("after OUT was replaced: got %v, want a refusal", err)
	}
	if data, err := os.ReadFile(filepath.Join(out, "mine.txt")); err != nil || string(data) != "mine" {
		t.Errorf("the folder that replaced OUT changed: %v", err)
	}
}

// TestSessionWriteErrorNamesNote: in an incremental build too, a page that
// cannot be written is reported with its note, and OUT keeps the others;
// the new ones among them are in OUT's list even so (as when the process is
// killed between the writes), so that the next build takes them for its own
// and does not refuse OUT.
func TestSessionWriteErrorNamesNote(t *testing.T) {
	site := newSite(t)
	out := filepath.Join(t.TempDir(), "public")
	s := NewSession(Config{Site: site, Out: out})
	ctx := context.Background()
	if _, err := s.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// A file stands where the new note's page folder must go; the page of
	// its new person can be written.
	mustWrite(t, filepath.Join(out, "2025", "long"), "not a folder")
	mustWrite(t, filepath.Join(site, "content", "2025", "long.md"),
		"---\ntitle: Длинный адрес\ndate: 2025-02-01\nkind: delegation\nregions: [beijing]\n"+
			"people: [{name: Пётр Новиков, role: посол}]\n---\n\nТекст.\n")
	_, err := s.Build(ctx, []string{"content/2025/long.md"})
	if err == nil || !strings.HasPrefix(err.Error(), "content/2025/long.md: writing 2025/") || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("got %v, want the note, the page and the cause", err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(out, "people", "petr-novikov", "index.html")); err != nil {
		t.Fatalf("the new person's page was not written: %v", err)
	}
	os.Remove(filepath.Join(out, "2025", "long")) // the file the test put there
	if _, err := Build(ctx, Config{Site: site, Out: out}); err != nil {
		t.Errorf("a build after the failed one: %v", err)
	}
}

// TestSessionRepairsFailedWrite: a write that fails part way leaves some of
// a change in OUT (a changed note's page, a new person's page); once the
// change is undone, the next build puts OUT back as a full build has it.
func TestSessionRepairsFailedWrite(t *testing.T) {
	site := newSite(t)
	s, out := builtSession(t, site)
	ctx := context.Background()
	note := filepath.Join(site, "content", "2025", "delegation.md")
	orig, err := os.ReadFile(note)
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(out, "2025", "delegation", "index.html")
	before, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	// A file stands where the new note's page folder must go: the write
	// fails there, and the others are written.
	mustWrite(t, filepath.Join(out, "2025", "long"), "not a folder")
	mustWrite(t, note, strings.Replace(string(orig), "title: Делегация", "title: Частично", 1))
	mustWrite(t, filepath.Join(site, "content", "2025", "long.md"),
		"---\ntitle: Длинный адрес\ndate: 2025-02-01\nkind: delegation\nregions: [beijing]\n"+
			"people: [{name: Пётр Новиков, role: посол}]\n---\n\nТекст.\n")
	changed := []string{"content/2025/delegation.md", "content/2025/long.md"}
	if _, err := s.Build(ctx, changed); err == nil {
		t.Fatal("the build did not fail")
	}
	if data, _ := os.ReadFile(page); !bytes.Contains(data, []byte("Частично")) {
		t.Fatal("the changed note's page was not written before the failure: the test shows nothing")
	}
	// The editor undoes the change.
	os.Remove(filepath.Join(out, "2025", "long"))
	os.Remove(filepath.Join(site, "content", "2025", "long.md"))
	mustWrite(t, note, string(orig))
	if _, err := s.Build(ctx, changed); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(page); !bytes.Equal(data, before) {
		t.Error("the note's page is still the failed build's")
	}
	if _, err := os.Stat(filepath.Join(out, "people", "petr-novikov")); err == nil {
		t.Error("the page of the new person of the failed build is left")
	}
}

// TestSessionReportsClashesWithOtherProblems: in watch mode too, a changed
// note that takes an unchanged note's URL is reported at both notes, in the
// same run as another changed note's problems.
func TestSessionReportsClashesWithOtherProblems(t *testing.T) {
	site := newSite(t)
	out := filepath.Join(t.TempDir(), "public")
	s := NewSession(Config{Site: site, Out: out})
	ctx := context.Background()
	if _, err := s.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(site, "content", "2024", "copy.md"),
		"---\ntitle: Копия\ndate: 2024-03-01\nkind: delegation\nregions: [beijing]\nslug: talks\n---\n\nТекст.\n")
	mustWrite(t, filepath.Join(site, "content", "2025", "broken.md"),
		"---\ntitle: Сломанная\ndate: 2025-03-01\nkind: delegation\nregions: [Марс]\n---\n\nТекст.\n")
	_, err := s.Build(ctx, []string{"content/2024/copy.md", "content/2025/broken.md"})
	if err == nil {
		t.Fatal("the build succeeded")
	}
	for _, want := range []string{
		"content/2024/copy.md:6:7: two notes have the URL /2024/talks/ (also content/2024/talks.md)",
		"content/2024/talks.md:3:7: two notes have the URL /2024/talks/ (also content/2024/copy.md)",
		`content/2025/broken.md:5:11: unknown region "Марс"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
}

// TestSessionReportsLinksWithOtherProblems: a symbolic link to a folder,
// a problem of the site's files, is reported with the notes' problems of
// the same run, as a full build reports them, not alone.
func TestSessionReportsLinksWithOtherProblems(t *testing.T) {
	site := newSite(t)
	out := filepath.Join(t.TempDir(), "public")
	s := NewSession(Config{Site: site, Out: out})
	ctx := context.Background()
	if _, err := s.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(site, "content", "2024")
	if err := os.Symlink("../2025", filepath.Join(dir, "folder")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("nothere.md", filepath.Join(dir, "dangling.md")); err != nil {
		t.Fatal(err)
	}
	_, err := s.Build(ctx, []string{"content/2024/folder", "content/2024/dangling.md"})
	if err == nil {
		t.Fatal("the build succeeded")
	}
	for _, want := range []string{
		"content/2024/dangling.md: a symbolic link to a file that does not exist",
		"content/2024/folder: a symbolic link to a folder, which is not followed",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
}

// TestSessionNewDay: the build's day is an input of every build of a
// session; when it changes, the next build, whatever changed, moves the
// events that began from the home page's upcoming ones to the past ones,
// as a full build of that day does.
func TestSessionNewDay(t *testing.T) {
	site := t.TempDir()
	if err := os.CopyFS(site, os.DirFS("testdata/media")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(site, "want"))
	out := filepath.Join(t.TempDir(), "public")
	s := NewSession(Config{Site: site, Out: out, Today: testToday})
	ctx := context.Background()
	if _, err := s.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	home := func(dir string) string {
		data, err := os.ReadFile(filepath.Join(dir, "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	upcoming := func(page string) string {
		_, after, _ := strings.Cut(page, `id="upcoming-title"`)
		before, _, _ := strings.Cut(after, `id="past-title"`)
		return before
	}
	if !strings.Contains(upcoming(home(out)), "Выставка в Подмосковье") {
		t.Fatal("the exhibition of 15 June is not upcoming on 1 June")
	}
	s.cfg.Today = time.Date(2025, 6, 20, 0, 0, 0, 0, time.UTC)
	res, err := s.Build(ctx, []string{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Full || res.Rendered == 0 {
		t.Errorf("the day changed: %+v; want an incremental build that renders the home page", res)
	}
	if strings.Contains(upcoming(home(out)), "Выставка в Подмосковье") {
		t.Error("the exhibition of 15 June is still upcoming on 20 June")
	}
	fresh := filepath.Join(t.TempDir(), "public")
	if _, err := Build(ctx, Config{Site: site, Out: fresh, Today: s.cfg.Today}); err != nil {
		t.Fatal(err)
	}
	got, want := readTree(t, out), readTree(t, fresh)
	for name, w := range want {
		if !bytes.Equal(got[name], w) {
			t.Errorf("%s differs from a full build of the new day:\n%s", name, firstDiff(string(got[name]), string(w)))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s left behind", name)
		}
	}
}

// TestSessionHoldsOutFromTheStart checks that a session holds an OUT
// built before from its first build on, a build that fails too, so that a
// second session or build refuses OUT at once rather than after both have
// built it (two serve --watch started on one site).
func TestSessionHoldsOutFromTheStart(t *testing.T) {
	site := newSite(t)
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, out, false)
	if err := os.MkdirAll(filepath.Join(site, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(site, "templates", "note.html"), []byte(`{{define "main"}}{{.Nope}{{end}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	s := NewSession(Config{Site: site, Out: out, Today: testToday})
	if _, err := s.Build(context.Background(), nil); err == nil {
		t.Fatal("the broken template built")
	}
	var oe *OutError
	if err := CheckOut(site, out); !errors.As(err, &oe) || !strings.Contains(err.Error(), "another digest process holds it") {
		t.Errorf("CheckOut after the session's first build failed: %v, want a refusal", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := CheckOut(site, out); err != nil {
		t.Errorf("CheckOut once the session is closed: %v", err)
	}
}

// TestSessionHoldsOut checks that while a session that is not transient,
// as serve --watch runs, holds OUT, a build of another session refuses it
// and leaves it as it is, and that once the session is closed it builds.
func TestSessionHoldsOut(t *testing.T) {
	site := newSite(t)
	out := filepath.Join(t.TempDir(), "public")
	s := NewSession(Config{Site: site, Out: out, Today: testToday})
	if _, err := s.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	before := tree(t, out)
	_, err := Build(context.Background(), Config{Site: site, Out: out, Today: testToday})
	var oe *OutError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "another digest process holds it") {
		t.Fatalf("a build while the session holds OUT: %v, want a refusal", err)
	}
	sameTree(t, "after the refusal", before, tree(t, out))
	// The session's own full build goes on.
	if res, err := s.Build(context.Background(), nil); err != nil || !res.Full {
		t.Fatalf("the session's full build: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	buildSite(t, site, out, false)
}

// TestIncrementalFinishesWhenCancelled checks that an incremental build
// and the flush of its data files, which write into OUT in place, finish
// when their context is cancelled, as when serve --watch is stopped under
// them: OUT is then the new site whole, as a full build writes it.
func TestIncrementalFinishesWhenCancelled(t *testing.T) {
	site := newSite(t)
	out := filepath.Join(t.TempDir(), "public")
	s := NewSession(Config{Site: site, Out: out, Today: testToday})
	s.DeferData = true
	defer s.Close()
	if _, err := s.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	note := filepath.Join(site, "content", "2024", "talks.md")
	data, err := os.ReadFile(note)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, note, strings.Replace(string(data), "title: Переговоры в Подмосковье", "title: Переговоры в Московской области", 1))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := s.Build(ctx, []string{"content/2024/talks.md"})
	if err != nil || res.Full {
		t.Fatalf("an incremental build, cancelled: %v, %+v", err, res)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatalf("its flush, cancelled: %v", err)
	}
	fresh := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, fresh, false)
	got, want := readTree(t, out), readTree(t, fresh)
	for name, w := range want {
		if !bytes.Equal(got[name], w) {
			t.Errorf("%s differs from a full build:\n%s", name, firstDiff(string(got[name]), string(w)))
		}
	}
}

// TestSessionUnlistsRemovedPages checks that an incremental build that
// moves a note's page takes the old page off OUT's list of files, without
// a temporary file left, so that a file put at its path later is not taken
// for digest's: the next full build refuses OUT, names the file and leaves
// everything as it was.
func TestSessionUnlistsRemovedPages(t *testing.T) {
	site := newSite(t)
	s, out := builtSession(t, site)
	ctx := context.Background()
	const oldPage, newPage = "2024/talks/index.html", "2024/talks-moved/index.html"
	if files, err := listedFiles(out); err != nil || !files[oldPage] {
		t.Fatalf("after the first build the list does not name %s (%v)", oldPage, err)
	}
	mustEdit(t, filepath.Join(site, "content", "2024", "talks.md"), movedTalks)
	res, err := s.Build(ctx, []string{"content/2024/talks.md"})
	if err != nil || res.Full {
		t.Fatalf("the slug changed: %v, %+v; want an incremental build", err, res)
	}
	if _, err := os.Lstat(filepath.Join(out, filepath.FromSlash(oldPage))); err == nil {
		t.Errorf("%s is still there", oldPage)
	}
	files, err := listedFiles(out)
	if err != nil {
		t.Fatal(err)
	}
	if files[oldPage] || !files[newPage] {
		t.Errorf("the list names %s: %v, and %s: %v; want only the new page", oldPage, files[oldPage], newPage, files[newPage])
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("left behind %s", e.Name())
		}
	}

	mustWrite(t, filepath.Join(out, filepath.FromSlash(oldPage)), "<p>mine</p>")
	before := tree(t, out)
	_, err = s.Build(ctx, nil)
	var oe *OutError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "it holds "+oldPage+", which digest did not write") {
		t.Fatalf("got %v, want a refusal that names %s", err, oldPage)
	}
	sameTree(t, "after the refusal", before, tree(t, out))
	assertNoTemp(t, out)
}

// TestSessionUnlistsRemovedTopFile: a file at OUT's top that a watch
// session removed, and someone put there again, is theirs to the next
// build, though the marker, which the session cannot rewrite, still
// names it.
func TestSessionUnlistsRemovedTopFile(t *testing.T) {
	site := newSite(t)
	static := filepath.Join(site, "content", "static", "CNAME")
	mustWrite(t, static, "digest.example.org")
	s, out := builtSession(t, site)
	ctx := context.Background()
	if err := os.Remove(static); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Build(ctx, []string{"content/static/CNAME"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(out, "CNAME")); err == nil {
		t.Fatal("CNAME is still there")
	}
	mustWrite(t, filepath.Join(out, "CNAME"), "mine.example.org")
	before := tree(t, out)
	_, err := s.Build(ctx, nil)
	var oe *OutError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "it holds CNAME, which digest did not write") {
		t.Fatalf("got %v, want a refusal that names CNAME", err)
	}
	sameTree(t, "after the refusal", before, tree(t, out))
}

// builtSession returns a session of site that has built it into a new
// folder, out, and closes at the test's end.
func builtSession(t *testing.T, site string) (s *Session, out string) {
	t.Helper()
	out = filepath.Join(t.TempDir(), "public")
	s = NewSession(Config{Site: site, Out: out, Today: testToday})
	t.Cleanup(func() { s.Close() })
	if _, err := s.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return s, out
}

// TestSessionBulk: a change to a quarter of the notes, and at least
// bulkNotes, is built as a whole site is; new notes count.
func TestSessionBulk(t *testing.T) {
	s := &Session{src: &source.Site{}}
	for i := range 4000 {
		s.src.Notes = append(s.src.Notes, &source.Note{File: fmt.Sprintf("content/%d/n%d.md", 2000+i%20, i)})
	}
	files := func(from, n int) []string {
		var p []string
		for i := from; i < from+n; i++ {
			p = append(p, fmt.Sprintf("content/%d/n%d.md", 2000+i%20, i))
		}
		return p
	}
	for _, tc := range []struct {
		name    string
		changed []string
		want    bool
	}{
		{"one note", files(0, 1), false},
		{"a year's folder", []string{"content/2003"}, false},
		{"content", []string{"content"}, true},
		{"999 notes", files(0, 999), false},
		{"1,000 notes", files(0, 1000), true},
		{"500 notes and 500 new ones", files(3500, 1000), true},
		{"five years' folders", []string{"content/2000", "content/2001", "content/2002", "content/2003", "content/2004"}, true},
	} {
		if got := s.bulk(tc.changed); got != tc.want {
			t.Errorf("%s: bulk %v, want %v", tc.name, got, tc.want)
		}
	}
}

// movedTalks is an edit for mustEdit that gives talks.md a slug of its own,
// which moves its page.
func movedTalks(s string) string {
	return strings.Replace(s, "title: ", "slug: talks-moved\ntitle: ", 1)
}

// TestSessionWarnsOfLinksToRemovedPages: a note whose link from / led to
// a page that an incremental build removes is warned of, though the build
// does not render it again.
func TestSessionWarnsOfLinksToRemovedPages(t *testing.T) {
	site := newSite(t)
	mustEdit(t, filepath.Join(site, "content", "2025", "delegation.md"), appending("\n[Лекции](/2024/talks/) и [выставка](/2024/expo/).\n"))
	s, _ := builtSession(t, site)
	mustEdit(t, filepath.Join(site, "content", "2024", "talks.md"), movedTalks)
	res, err := s.Build(context.Background(), []string{"content/2024/talks.md"})
	if err != nil || res.Full {
		t.Fatalf("the slug changed: %v, %+v; want an incremental build", err, res)
	}
	var dead []string
	for _, w := range res.Warnings {
		if strings.Contains(w, "leads to no page") {
			dead = append(dead, w)
		}
	}
	if len(dead) != 1 || !strings.HasPrefix(dead[0], "content/2025/delegation.md:") || !strings.Contains(dead[0], "link /2024/talks/ ") {
		t.Errorf("warnings of links after the page moved: %q; want delegation.md's link to /2024/talks/", dead)
	}
}
