package build

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coopdigest/digest/source"
)

// newSite copies testdata/basic into a new folder with a file of the
// editors' own beside content/, and returns the folder.
func newSite(t *testing.T) string {
	t.Helper()
	site := filepath.Join(t.TempDir(), "site")
	if err := os.CopyFS(site, os.DirFS("testdata/basic")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(site, "want"))
	mustWrite(t, filepath.Join(site, ".git", "HEAD"), "ref: refs/heads/main\n")
	mustWrite(t, filepath.Join(site, "templates", "404.html"), `{{define "main"}}<p>Нет такой страницы</p>{{end}}`)
	return site
}

// mustEdit writes the file p again as edit makes its text.
func mustEdit(t *testing.T, p string, edit func(string) string) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, p, edit(string(data)))
}

// appending is an edit for mustEdit that adds text at the end.
func appending(text string) func(string) string {
	return func(s string) string { return s + text }
}

func mustWrite(t *testing.T, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCheckOut decides every kind of output folder, under every spelling.
func TestCheckOut(t *testing.T) {
	site := newSite(t)
	top := filepath.Dir(site)
	link := filepath.Join(top, "link") // a symbolic link to the site
	if err := os.Symlink(site, link); err != nil {
		t.Fatal(err)
	}
	contentLink := filepath.Join(top, "content-link")
	if err := os.Symlink(filepath.Join(site, "content"), contentLink); err != nil {
		t.Fatal(err)
	}
	mk := func(name string, files ...string) string {
		dir := filepath.Join(top, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			text := "x"
			if f == MarkerName {
				text = markerText
			}
			mustWrite(t, filepath.Join(dir, filepath.FromSlash(f)), text)
		}
		return dir
	}
	empty := mk("empty")
	foreign := mk("foreign", "notes.txt", "photos/1.jpg")
	marked := mk("marked", MarkerName, "index.html")
	legacy := mk("legacy", ".search/index.json", "index.html", "sitemap.xml", "2025/x/index.html", ".search/00/index_meta.json")
	mustWrite(t, filepath.Join(legacy, ".search", "index.json"), `{"version": 1, "docs": 1, "shards": ["00"]}`)
	// The three files a previous layout had, but no index: a folder made to
	// look like an output, or someone's own.
	lookalike := mk("lookalike", ".search/index.json", "index.html", "sitemap.xml", "thesis.docx")
	mustWrite(t, filepath.Join(lookalike, ".search", "index.json"), `{}`)
	noShard := mk("no-shard", ".search/index.json", "index.html", "sitemap.xml")
	mustWrite(t, filepath.Join(noShard, ".search", "index.json"), `{"version": 1, "shards": ["00"]}`)
	halfLegacy := mk("half-legacy", ".search/index.json", "index.html")
	badMarker := mk("bad-marker", "index.html")
	mustWrite(t, filepath.Join(badMarker, MarkerName), "not digest's\n")
	linkedMarker := mk("linked-marker", "index.html")
	if err := os.Symlink(filepath.Join(marked, MarkerName), filepath.Join(linkedMarker, MarkerName)); err != nil {
		t.Fatal(err)
	}
	emptyLink := filepath.Join(top, "empty-link")
	if err := os.Symlink(empty, emptyLink); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(top, "file")
	mustWrite(t, file, "x")

	tests := []struct {
		name, dir, site, out string
		want                 string // "" or what the refusal says
	}{
		{"missing", "", site, filepath.Join(top, "new"), ""},
		{"missing, deep", "", site, filepath.Join(top, "a", "b", "c"), ""},
		{"default", "", site, filepath.Join(site, "public"), ""},
		{"empty", "", site, empty, ""},
		{"marked", "", site, marked, ""},
		{"made before the marker", "", site, legacy, ""},
		{"site itself", "", site, site, "it is the site folder itself"},
		{"site, with a trailing slash", "", site, site + "/", "it is the site folder itself"},
		{"site through ..", "", site, filepath.Join(site, "content", ".."), "it is the site folder itself"},
		{"site through a link", "", site, link, "it is the site folder itself"},
		{"site given through a link", "", link, site, "it is the site folder itself"},
		{"dot, inside the site", site, ".", ".", "it is the site folder itself"},
		{"dot with the site relative", top, "site", "site/.", "it is the site folder itself"},
		{"content", "", site, filepath.Join(site, "content"), "inside " + filepath.Join(site, "content")},
		{"content, relative", site, ".", "content", "which holds the site's sources"},
		{"below content, missing", "", site, filepath.Join(site, "content", "public"), "which holds the site's sources"},
		{"below content through a link", "", site, filepath.Join(contentLink, "2025"), "which holds the site's sources"},
		{"below content through the site's link", "", site, filepath.Join(link, "content", "public"), "which holds the site's sources"},
		{"templates", "", site, filepath.Join(site, "templates"), "which holds the site's sources"},
		{"below templates", "", site, filepath.Join(site, "templates", "out"), "which holds the site's sources"},
		{"the site's parent", "", site, top, "it holds the site folder"},
		{"the root", "", site, "/", "it holds the site folder"},
		{"the parent, relative", site, ".", "..", "it holds the site folder"},
		{"the site's .git", "", site, filepath.Join(site, ".git"), "not empty and was not written by digest"},
		{"another folder", "", site, foreign, "not empty and was not written by digest (no .digest marker)"},
		{"half a previous layout", "", site, halfLegacy, "not written by digest"},
		{"a previous layout's files, no index", "", site, lookalike, "not written by digest"},
		{"a previous layout's manifest, no shard", "", site, noShard, "not written by digest"},
		{"a marker not digest's", "", site, badMarker, "not written by digest"},
		{"a marker that is a link", "", site, linkedMarker, "not written by digest"},
		{"a link to an empty folder", "", site, emptyLink, "symbolic link"},
		{"a link to an empty folder, with a slash", "", site, emptyLink + "/", "symbolic link"},
		{"a file", "", site, file, "it is not a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.dir != "" {
				t.Chdir(tt.dir)
			}
			err := CheckOut(tt.site, tt.out)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var oe *OutError
			if !errors.As(err, &oe) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want a refusal that says %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "refusing to replace "+tt.out+": ") {
				t.Errorf("the message does not start by naming the folder as given: %v", err)
			}
		})
	}
}

// tree lists every file below dir with its content, for comparing before
// and after.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil && d.Type()&fs.ModeSymlink == 0 {
				return err
			}
			files[p] = string(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sameTree(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	if len(before) != len(after) {
		t.Errorf("%s: %d files before, %d after", what, len(before), len(after))
	}
	for p, data := range before {
		if after[p] != data {
			t.Errorf("%s: %s changed or went", what, p)
		}
	}
}

// TestBuildRefusesOut builds into folders that are not the build's to
// replace: the build fails before any work and every file stays.
func TestBuildRefusesOut(t *testing.T) {
	for _, out := range []string{".", "content", "content/public", "templates", ".git", "..", "foreign"} {
		t.Run(out, func(t *testing.T) {
			site := newSite(t)
			mustWrite(t, filepath.Join(site, "foreign", "mine.txt"), "mine")
			t.Chdir(site)
			before := tree(t, filepath.Dir(site))
			res, err := Build(context.Background(), Config{Site: ".", Out: out})
			var oe *OutError
			if !errors.As(err, &oe) {
				t.Fatalf("got %v, %+v; want a refusal", res, err)
			}
			sameTree(t, "after the refusal", before, tree(t, filepath.Dir(site)))
		})
	}
}

// TestBuildReplacesOwnOutput replaces what a build wrote, a marked folder,
// and an output of a version that wrote no marker, which is marked then.
func TestBuildReplacesOwnOutput(t *testing.T) {
	site := newSite(t)
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, out, false)
	if !hasMarker(out) {
		t.Fatal("the output has no marker")
	}
	// A page an older build wrote, which this one does not.
	mustWrite(t, filepath.Join(out, "stale.html"), "from an older build")
	if err := recordEntries(out, []string{"stale.html"}); err != nil {
		t.Fatal(err)
	}
	if err := recordFiles(out, []string{"stale.html"}); err != nil {
		t.Fatal(err)
	}
	buildSite(t, site, out, false)
	if _, err := os.Stat(filepath.Join(out, "stale.html")); err == nil {
		t.Error("the previous output was not replaced")
	}

	// An output from before the marker: the same layout, no marker.
	if err := os.Remove(filepath.Join(out, MarkerName)); err != nil {
		t.Fatal(err)
	}
	buildSite(t, site, out, false)
	if !hasMarker(out) {
		t.Error("the replaced output has no marker")
	}
	assertNoTemp(t, out)
}

// TestBuildKeepsForeignEntries checks that a build refuses to replace its
// own output when someone put entries into it that digest did not write (a
// checkout's .git, a CNAME, a report in a year's folder), and leaves them; that the entries a watch
// session adds are digest's; and that the build goes ahead once they are
// gone.
func TestBuildKeepsForeignEntries(t *testing.T) {
	site := newSite(t)
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, out, false)
	mustWrite(t, filepath.Join(out, ".git", "HEAD"), "ref: refs/heads/gh-pages")
	mustWrite(t, filepath.Join(out, "CNAME"), "digest.example.org")
	before := tree(t, out)
	_, err := Build(context.Background(), Config{Site: site, Out: out, Today: testToday})
	var oe *OutError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "it holds .git, CNAME, which digest did not write") {
		t.Fatalf("got %v, want a refusal that names .git and CNAME", err)
	}
	sameTree(t, "after the refusal", before, tree(t, out))
	if err := CheckOut(site, out); !errors.As(err, &oe) {
		t.Errorf("CheckOut: %v, want the refusal too", err)
	}
	os.RemoveAll(filepath.Join(out, ".git"))
	os.Remove(filepath.Join(out, "CNAME"))

	// So are files put into the folders digest wrote, at any depth.
	mustWrite(t, filepath.Join(out, "2025", "uploads", "report.pdf"), "%PDF")
	mustWrite(t, filepath.Join(out, "index.xml"), "<rss/>")
	before = tree(t, out)
	_, err = Build(context.Background(), Config{Site: site, Out: out, Today: testToday})
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "it holds index.xml, 2025/uploads/report.pdf, which digest did not write") {
		t.Fatalf("got %v, want a refusal that names the files", err)
	}
	sameTree(t, "after the refusal", before, tree(t, out))
	os.RemoveAll(filepath.Join(out, "2025", "uploads"))
	os.Remove(filepath.Join(out, "index.xml"))

	// So are a file beside the search index's and one whose name only
	// begins as a temporary file's does.
	mustWrite(t, filepath.Join(out, ".search", "my-notes.txt"), "mine")
	mustWrite(t, filepath.Join(out, "2025", ".tmp-notes"), "mine")
	before = tree(t, out)
	_, err = Build(context.Background(), Config{Site: site, Out: out, Today: testToday})
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "it holds .search/my-notes.txt, 2025/.tmp-notes, which digest did not write") {
		t.Fatalf("got %v, want a refusal that names the files", err)
	}
	sameTree(t, "after the refusal", before, tree(t, out))
	os.Remove(filepath.Join(out, ".search", "my-notes.txt"))
	os.Remove(filepath.Join(out, "2025", ".tmp-notes"))

	// A leftover temporary file of a write cut short is digest's.
	mustWrite(t, filepath.Join(out, ".tmp-index.html123"), "")
	mustWrite(t, filepath.Join(out, "2025", ".tmp-index.html456"), "")
	buildSite(t, site, out, false)
	assertNoTemp(t, out)
}

// TestBuildKeepsFilesOfUnlistedOutput checks that a build refuses an
// output that cannot say which of its files digest wrote (one of a version
// that wrote no marker, whose marker lists nothing, or that kept no list of
// files) when it holds a file that the new output does not, names the file
// and leaves every file as it was; and that it replaces such an output
// that holds nothing else, which keeps the lists from then on.
func TestBuildKeepsFilesOfUnlistedOutput(t *testing.T) {
	remove := func(t *testing.T, out string, names ...string) {
		t.Helper()
		for _, name := range names {
			if err := os.Remove(filepath.Join(out, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	noMarker := func(t *testing.T, out string) { remove(t, out, MarkerName, filesName) }
	noEntries := func(t *testing.T, out string) {
		remove(t, out, filesName)
		mustWrite(t, filepath.Join(out, MarkerName), markerText)
	}
	noList := func(t *testing.T, out string) { remove(t, out, filesName) }
	tests := []struct {
		name  string
		older func(t *testing.T, out string) // makes OUT an older version's
		add   []string                       // files put into OUT by hand
		want  string                         // "" or what the refusal names
	}{
		{"no marker, as built", noMarker, nil, ""},
		{"no marker, a CNAME", noMarker, []string{"CNAME"}, "it holds CNAME, which this build does not write"},
		{"no marker, a checkout and a report", noMarker, []string{"CNAME", ".git/HEAD", "2024/reports/q1.pdf"}, "it holds .git, CNAME, 2024/reports/q1.pdf, which"},
		{"no marker, a folder of its own", noMarker, []string{"uploads/a.pdf"}, "it holds uploads, which"},
		{"a marker that lists nothing, as built", noEntries, nil, ""},
		{"a marker that lists nothing, a CNAME", noEntries, []string{"CNAME"}, "it holds CNAME, which"},
		{"a marker that lists nothing, a report", noEntries, []string{"2025/report.pdf"}, "it holds 2025/report.pdf, which"},
		{"no list, as built", noList, nil, ""},
		{"no list, a report", noList, []string{"2024/report.pdf"}, "it holds 2024/report.pdf, which"},
		{"no list, deep", noList, []string{"2024/talks/img/a.png"}, "it holds 2024/talks/img/a.png, which"},
		{"no list, an older build's page", noList, []string{"2024/gone/index.html"}, "it holds 2024/gone/index.html, which"},
		{"no list, many", noList, []string{"2024/1.pdf", "2024/2.pdf", "2024/3.pdf", "2024/4.pdf", "2024/5.pdf", "2024/6.pdf"}, ", …, which"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := newSite(t)
			out := filepath.Join(t.TempDir(), "public")
			buildSite(t, site, out, false)
			tt.older(t, out)
			for _, p := range tt.add {
				mustWrite(t, filepath.Join(out, filepath.FromSlash(p)), "mine")
			}
			before := tree(t, out)
			_, err := Build(context.Background(), Config{Site: site, Out: out, Today: testToday})
			assertNoTemp(t, out)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if keeps, err := keepsLists(out); !keeps || err != nil {
					t.Errorf("the new output keeps no lists (%v)", err)
				}
				return
			}
			var oe *OutError
			if !errors.As(err, &oe) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "kept no list of its files") {
				t.Fatalf("got %v, want a refusal that says %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "refusing to replace "+out+": ") {
				t.Errorf("the message does not start by naming the folder: %v", err)
			}
			sameTree(t, "after the refusal", before, tree(t, out))
		})
	}
}

// TestKeepsLinkedAssets checks that a build keeps the stylesheet the
// previous output's pages link, for a page loaded or cached before the
// swap, and not those of older builds.
func TestKeepsLinkedAssets(t *testing.T) {
	site := newSite(t)
	out := filepath.Join(t.TempDir(), "public")
	styles := func() []string {
		t.Helper()
		names, err := filepath.Glob(filepath.Join(out, "style.*.css"))
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range names {
			names[i] = filepath.Base(n)
		}
		return names
	}
	var built [][]string
	for _, css := range []string{"", "body { color: #111 }\n", "body { color: #222 }\n"} {
		if css != "" {
			mustWrite(t, filepath.Join(site, "templates", "style.css"), css)
		}
		buildSite(t, site, out, false)
		built = append(built, styles())
	}
	if len(built[0]) != 1 {
		t.Fatalf("first build: %q, want one stylesheet", built[0])
	}
	// Each build has its own and the one before it, not the first.
	if len(built[1]) != 2 || !slices.Contains(built[1], built[0][0]) {
		t.Errorf("second build: %q, want its own and %s", built[1], built[0][0])
	}
	if len(built[2]) != 2 || slices.Contains(built[2], built[0][0]) {
		t.Errorf("third build: %q, want its own and the second's", built[2])
	}
	// They are digest's: the next build replaces the folder.
	if err := CheckOut(site, out); err != nil {
		t.Error(err)
	}
}

// assertNoTemp fails when a temporary folder is left beside out.
func assertNoTemp(t *testing.T, out string) {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Dir(out))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix(out)) {
			t.Errorf("left behind %s", e.Name())
		}
	}
}

// TestStaleTempRemoved leaves beside OUT what killed builds leave, and
// other things: the next build removes the marked folders of builds that
// are not running, and nothing else.
func TestStaleTempRemoved(t *testing.T) {
	site := newSite(t)
	out := filepath.Join(t.TempDir(), "public")
	parent := filepath.Dir(out)
	stale := []string{".public.tmp-111", ".public.tmp-222.old"}
	for _, name := range stale {
		mustWrite(t, filepath.Join(parent, name, MarkerName), markerText)
		mustWrite(t, filepath.Join(parent, name, "2025", "x", "index.html"), "<p>")
	}
	keep := map[string]string{
		".public.tmp-333/notes.txt":   "not digest's: no marker",
		".public.tmp-444/.digest":     "not digest's marker",
		".other.tmp-555/.digest":      markerText, // another output's
		"public-tmp-666/.digest":      markerText,
		".public.tmp-777/x/.digest":   markerText, // marker not at the top
		".public.tmp-888-link/.keep":  "",
		"unrelated/.public.tmp-999/x": "",
	}
	for p, text := range keep {
		mustWrite(t, filepath.Join(parent, filepath.FromSlash(p)), text)
	}
	// A link that looks like a stale folder, to a marked folder elsewhere.
	elsewhere := filepath.Join(t.TempDir(), "elsewhere")
	mustWrite(t, filepath.Join(elsewhere, MarkerName), markerText)
	if err := os.Symlink(elsewhere, filepath.Join(parent, ".public.tmp-link")); err != nil {
		t.Fatal(err)
	}
	// The previous output of a swap cut short, with a file of the reader's
	// put in it: kept, no longer marked.
	side := filepath.Join(parent, "side")
	buildSite(t, site, side, false)
	aside := filepath.Join(parent, ".public.tmp-1234")
	if err := os.Rename(side, aside); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(aside, "2025", "mine.txt"), "mine")
	// A build at work, its marker locked.
	live, err := newTempDir(out, false, false)
	if err != nil {
		t.Fatal(err)
	}
	defer live.release()

	buildSite(t, site, out, false)
	for _, name := range stale {
		if _, err := os.Lstat(filepath.Join(parent, name)); err == nil {
			t.Errorf("%s was not removed", name)
		}
	}
	if data, err := os.ReadFile(filepath.Join(aside, "2025", "mine.txt")); err != nil || string(data) != "mine" || hasMarker(aside) {
		t.Errorf("the folder with the reader's file: %q, %v, marked %v; want it kept, unmarked", data, err, hasMarker(aside))
	}
	for p, text := range keep {
		if data, err := os.ReadFile(filepath.Join(parent, filepath.FromSlash(p))); err != nil || string(data) != text {
			t.Errorf("%s: removed or changed (%v)", p, err)
		}
	}
	if !hasMarker(elsewhere) {
		t.Error("the folder behind a link was removed")
	}
	if !hasMarker(live.path) {
		t.Error("the temporary folder of a running build was removed")
	}
}

// TestTempRemovedOnEveryExit stops a build at each stage, by cancelling it
// and by a panic: OUT stays as it was and no temporary folder is left.
func TestTempRemovedOnEveryExit(t *testing.T) {
	site := newSite(t)
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, out, false)
	before := tree(t, out)
	for _, stage := range []string{"loaded", "markdown", "rendering", "indexing", "written"} {
		t.Run("cancel at "+stage, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := Build(ctx, Config{Site: site, Out: out, stage: func(s string) {
				if s == stage {
					cancel()
				}
			}})
			if stage == "written" {
				// Past the last look at ctx, the build finishes.
				if err != nil {
					t.Fatalf("cancelled after writing: %v", err)
				}
				return
			}
			if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "build stopped") {
				t.Fatalf("got %v, want a stopped build", err)
			}
			sameTree(t, "OUT", before, tree(t, out))
			assertNoTemp(t, out)
		})
	}
	before = tree(t, out)
	for _, stage := range []string{"loaded", "markdown", "rendering", "indexing", "written"} {
		t.Run("panic at "+stage, func(t *testing.T) {
			func() {
				defer func() {
					if r := recover(); r != fmt.Sprint("test panic at ", stage) {
						t.Errorf("recovered %v", r)
					}
				}()
				Build(context.Background(), Config{Site: site, Out: out, stage: func(s string) {
					if s == stage {
						panic(fmt.Sprint("test panic at ", stage))
					}
				}})
			}()
			sameTree(t, "OUT", before, tree(t, out))
			assertNoTemp(t, out)
		})
	}
}

// TestForeignPutDuringBuild: a file put in OUT after the build last looked,
// just before the swap, goes with the previous output, which is then kept,
// unmarked, so that neither this build nor the next removes it; the build
// says where it is.
func TestForeignPutDuringBuild(t *testing.T) {
	site := newSite(t)
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, out, false)
	res, err := Build(context.Background(), Config{Site: site, Out: out, stage: func(s string) {
		if s == "checked" {
			mustWrite(t, filepath.Join(out, "2025", "mine.txt"), "mine")
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(res.Warnings, func(w string) bool {
		return strings.Contains(w, "holds 2025/mine.txt, which digest did not write: it is kept")
	}) {
		t.Fatalf("warnings %q, want one that says the previous output holds 2025/mine.txt", res.Warnings)
	}
	kept, _ := filepath.Glob(filepath.Join(filepath.Dir(out), tempPrefix(out)+"*", "2025", "mine.txt"))
	if len(kept) != 1 {
		t.Fatalf("mine.txt kept at %q, want one place", kept)
	}
	buildSite(t, site, out, false)
	if data, err := os.ReadFile(kept[0]); err != nil || string(data) != "mine" {
		t.Errorf("after the next build: %q, %v", data, err)
	}
	if _, err := os.Stat(filepath.Join(out, "2025", "mine.txt")); err == nil {
		t.Error("mine.txt is in the new output")
	}
}

// TestOldOutputNotRemoved: when OUT holds the new site and only the old one
// cannot be removed, the build succeeds with a warning.
func TestOldOutputNotRemoved(t *testing.T) {
	site := newSite(t)
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, out, false)
	s := NewSession(Config{Site: site, Out: out})
	s.removeDir = func(string) error { return fs.ErrPermission }
	res, err := s.Build(context.Background(), nil)
	if err != nil {
		t.Fatalf("the build failed: %v", err)
	}
	if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "permission denied") }) {
		t.Errorf("warnings %q, want one about the old output", res.Warnings)
	}
	if !hasMarker(out) {
		t.Error("OUT is not the new output")
	}
}

// TestWriteErrorNamesNote: a page that cannot be written is reported with
// the note it comes from, not the temporary folder.
func TestWriteErrorNamesNote(t *testing.T) {
	site := newSite(t)
	// The longest slug a note may have, and an output folder so deep that
	// this note's page passes the longest path the system takes (PATH_MAX)
	// while the other pages do not.
	slug := strings.Repeat("x", source.LongestSlug)
	mustWrite(t, filepath.Join(site, "content", "2025", "long.md"),
		"---\ntitle: Длинный адрес\ndate: 2025-02-01\nkind: delegation\nregions: [beijing]\nslug: "+slug+"\n---\n\nТекст.\n")
	deep := t.TempDir()
	for len(deep) < 4096-len(slug)-120 {
		deep = filepath.Join(deep, strings.Repeat("d", 200))
	}
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(deep, "public")
	_, err := Build(context.Background(), Config{Site: site, Out: out})
	if err == nil {
		t.Fatal("the build succeeded")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "content/2025/long.md: ") || strings.Contains(msg, ".tmp-") || !strings.Contains(msg, "file name too long") || len(msg) > 300 {
		t.Errorf("got %q, want the note, the page cut short and the cause", msg)
	}
	assertNoTemp(t, out)
}
