package build

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"html"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coopdigest/digest/search"
	"github.com/coopdigest/digest/source"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/*/want")

// readTree returns every file below dir but the search index, by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if rel == search.DirName {
				return fs.SkipDir
			}
			return nil
		}
		if rel == filesName {
			return nil // the files digest wrote into OUT over time: not the site
		}
		data, err := os.ReadFile(p)
		if rel == MarkerName {
			// The entries digest wrote into OUT over time: not the site.
			var kept []byte
			for line := range bytes.Lines(data) {
				if !bytes.HasPrefix(line, []byte(wrotePrefix)) {
					kept = append(kept, line...)
				}
			}
			data = kept
		}
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// testToday is the day of the tests' builds: the golden pages must not
// change with the day they are built on.
var testToday = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

func buildSite(t *testing.T, site, out string, drafts bool) *Result {
	t.Helper()
	res, err := Build(context.Background(), Config{Site: site, Out: out, Drafts: drafts, Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestGolden builds each site in testdata and compares every file it
// writes with testdata/<case>/want. Run with -update to accept changes.
func TestGolden(t *testing.T) {
	cases, _ := filepath.Glob("testdata/*/content")
	if len(cases) == 0 {
		t.Fatal("no testdata sites")
	}
	for _, c := range cases {
		site := filepath.Dir(c)
		t.Run(filepath.Base(site), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "public")
			buildSite(t, site, out, false)
			got := readTree(t, out)
			wantDir := filepath.Join(site, "want")
			if *update {
				os.RemoveAll(wantDir)
				for name, data := range got {
					p := filepath.Join(wantDir, filepath.FromSlash(name))
					os.MkdirAll(filepath.Dir(p), 0o755)
					if err := os.WriteFile(p, data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			checkLinks(t, out, got)
			want := readTree(t, wantDir)
			for name, w := range want {
				g, ok := got[name]
				switch {
				case !ok:
					t.Errorf("%s: not written", name)
				case !bytes.Equal(g, w):
					t.Errorf("%s differs from the golden file (go test ./build -run TestGolden -update to accept):\n%s", name, firstDiff(string(g), string(w)))
				}
			}
			for name := range got {
				if _, ok := want[name]; !ok {
					t.Errorf("%s: written but not in the golden files", name)
				}
			}
			if _, err := os.Stat(filepath.Join(out, search.DirName)); err != nil {
				t.Errorf("no search index: %v", err)
			}
		})
	}
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + itoa(i+1) + ":\n  got:  " + gl + "\n  want: " + wl
		}
	}
	return ""
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(i)) }

func fmtInt(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// TestSitePages checks what the contract promises of the pages themselves.
func TestSitePages(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	res := buildSite(t, "testdata/basic", out, false)
	files := readTree(t, out)
	if res.Notes != 3 {
		t.Errorf("published %d notes, want 3 (the draft left out)", res.Notes)
	}
	mustHave := map[string][]string{
		"index.html":                                      {`href="/2025/delegation/"`, `rel="next" href="/page/2/"`, `<form class="search-box" role="search" method="get" action="/search"`, `<link rel="canonical" href="https://digest.example.org/">`},
		"page/2/index.html":                               {`href="/2024/talks/"`, `rel="prev" href="/"`},
		"2025/delegation/index.html":                      {"16–17 марта 2025", `"@type":"Event"`, "Сергей Абрамов", "глава делегации", `<h2 id="vstrecha-v-posolstve">`, "&laquo;серию встреч&raquo;", "<table>", `id="fn:1"`, `<a href="https://example.org/">хорошая</a>`, "Делегация &lt;b&gt;края&lt;/b&gt;", `<meta property="og:type" content="article">`, `href="/regions/khabarovsk-krai/beijing/"`},
		"regions/index.html":                              {"Россия", "Китай", "Дальневосточный федеральный округ", `href="/regions/heilongjiang/"`},
		"regions/khabarovsk-krai/index.html":              {`href="/regions/khabarovsk-krai/beijing/"`, `href="/regions/khabarovsk-krai/heilongjiang/"`, "2 события", `href="/regions/khabarovsk-krai/feed.xml"`},
		"regions/khabarovsk-krai/heilongjiang/index.html": {"ЭКСПО в Харбине"},
		"regions/moscow-oblast/heilongjiang/index.html":   {"ЭКСПО в Харбине", "Переговоры в Подмосковье"},
		"kinds/expo/index.html":                           {"ЭКСПО в Харбине"},
		"sectors/education/index.html":                    {"2 события"},
		"2024/index.html":                                 {"ЭКСПО в Харбине", "Переговоры в Подмосковье"},
		"feed.xml":                                        {`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ru">`, "<id>https://digest.example.org/2025/delegation/</id>"},
		"regions/beijing/feed.xml":                        {"Делегация &lt;b&gt;края&lt;/b&gt; в Пекине"},
		"sitemap.xml":                                     {"<loc>https://digest.example.org/regions/moscow-oblast/heilongjiang/</loc>", "<loc>https://digest.example.org/2025/delegation/</loc>"},
		"robots.txt":                                      {"Sitemap: https://digest.example.org/sitemap.xml"},
		"404.html":                                        {"Страница не найдена"},
		"style.css":                                       {":root"},
	}
	for name, wants := range mustHave {
		page, ok := files[name]
		if !ok {
			t.Errorf("%s: missing", name)
			continue
		}
		for _, w := range wants {
			if !bytes.Contains(page, []byte(w)) {
				t.Errorf("%s does not contain %q", name, w)
			}
		}
	}
	mustNot := map[string][]string{
		"2025/delegation/index.html": {"<script>alert", "javascript:", `href=""`, "<b>края</b>"},
		"sitemap.xml":                {"404"},
	}
	for name, nots := range mustNot {
		for _, w := range nots {
			if bytes.Contains(files[name], []byte(w)) {
				t.Errorf("%s contains %q", name, w)
			}
		}
	}
	for name := range files {
		if strings.Contains(name, "draft") || bytes.Contains(files[name], []byte("Черновик")) {
			t.Errorf("%s: the draft was published", name)
		}
	}
}

func TestDrafts(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	res := buildSite(t, "testdata/basic", out, true)
	if res.Notes != 4 {
		t.Errorf("with --drafts published %d notes, want 4", res.Notes)
	}
	if _, err := os.Stat(filepath.Join(out, "2024/draft/index.html")); err != nil {
		t.Error(err)
	}
	if drafts, err := HasDrafts(out); !drafts || err != nil {
		t.Errorf("HasDrafts = %v, %v after a build with drafts", drafts, err)
	}
	buildSite(t, "testdata/basic", out, false)
	if drafts, err := HasDrafts(out); drafts || err != nil {
		t.Errorf("HasDrafts = %v, %v after a build without", drafts, err)
	}
}

// TestDeterministic builds one site twice into fresh folders and compares
// every page byte for byte.
func TestDeterministic(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	buildSite(t, "testdata/basic", a, false)
	buildSite(t, "testdata/basic", b, false)
	fa, fb := readTree(t, a), readTree(t, b)
	if len(fa) != len(fb) {
		t.Fatalf("%d files, then %d", len(fa), len(fb))
	}
	for name := range fa {
		if !bytes.Equal(fa[name], fb[name]) {
			t.Errorf("%s differs between two builds", name)
		}
	}
	// And the list of the files digest wrote, which readTree leaves out.
	la, err := os.ReadFile(filepath.Join(a, filesName))
	if err != nil {
		t.Fatal(err)
	}
	if lb, err := os.ReadFile(filepath.Join(b, filesName)); err != nil || !bytes.Equal(la, lb) {
		t.Errorf("%s differs between two builds (%v)", filesName, err)
	}
}

// TestFailedBuildKeepsOut breaks a note after a good build: the build must
// fail with the note's problem and leave OUT, index included, as it was.
func TestFailedBuildKeepsOut(t *testing.T) {
	site := t.TempDir()
	if err := os.CopyFS(site, os.DirFS("testdata/basic")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(site, "want"))
	out := filepath.Join(site, "public")
	buildSite(t, site, out, false)
	before := snapshot(t, out)

	bad := filepath.Join(site, "content", "2025", "bad.md")
	if err := os.WriteFile(bad, []byte("---\ntitle: Плохая\ndate: 2025-13-01\nkind: delegation\nregions: [Хабаровск]\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Build(context.Background(), Config{Site: site})
	var es source.Errors
	if !errors.As(err, &es) || len(es) != 2 {
		t.Fatalf("got %v, want two problems", err)
	}
	if want := `content/2025/bad.md:5:11: unknown region "Хабаровск"; did you mean "Хабаровский край" (khabarovsk-krai)?`; es[1].Error() != want {
		t.Errorf("got %s\nwant %s", es[1], want)
	}
	after := snapshot(t, out)
	if len(after) != len(before) {
		t.Fatalf("OUT had %d files, now %d", len(before), len(after))
	}
	for name, data := range before {
		if !bytes.Equal(after[name], data) {
			t.Errorf("%s changed after a failed build", name)
		}
	}
	// No temporary folders are left beside OUT.
	entries, _ := os.ReadDir(site)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left behind %s", e.Name())
		}
	}

	// A template error fails the build the same way.
	os.Remove(bad)
	os.MkdirAll(filepath.Join(site, "templates"), 0o755)
	os.WriteFile(filepath.Join(site, "templates", "note.html"), []byte("{{define \"main\"}}{{.Data.Nope}{{end}}"), 0o644)
	if _, err := Build(context.Background(), Config{Site: site}); err == nil || !strings.Contains(err.Error(), "templates/note.html:1:") {
		t.Errorf("template error: got %v", err)
	}
	if after := snapshot(t, out); len(after) != len(before) {
		t.Errorf("OUT changed after a template error")
	}
	// So does one in the search page, which no build renders: it is tried.
	os.Remove(filepath.Join(site, "templates", "note.html"))
	os.WriteFile(filepath.Join(site, "templates", "search.html"), []byte("{{define \"main\"}}{{.Data.Nope}}{{end}}"), 0o644)
	if _, err := Build(context.Background(), Config{Site: site}); err == nil || !strings.Contains(err.Error(), "templates/search.html:1:") {
		t.Errorf("search page error: got %v", err)
	}
	if after := snapshot(t, out); len(after) != len(before) {
		t.Errorf("OUT changed after a search page error")
	}
}

// TestTemplateOverride replaces one default template with the site's own.
func TestTemplateOverride(t *testing.T) {
	site := t.TempDir()
	os.CopyFS(site, os.DirFS("testdata/basic"))
	os.MkdirAll(filepath.Join(site, "templates"), 0o755)
	os.WriteFile(filepath.Join(site, "templates", "404.html"), []byte(`{{define "main"}}<p class="custom">Нет такой страницы</p>{{end}}`), 0o644)
	out := filepath.Join(site, "public")
	buildSite(t, site, out, false)
	page, _ := os.ReadFile(filepath.Join(out, "404.html"))
	if !bytes.Contains(page, []byte(`<p class="custom">Нет такой страницы</p>`)) || !regexp.MustCompile(`<link rel="stylesheet" href="/style\.[0-9a-f]{10,}\.css">`).Match(page) {
		t.Errorf("override not used with the default layout:\n%s", page)
	}
}

// TestTemplateWritesWithoutEnd: a template of the site's own that calls
// itself twice, a level deeper each time, would write 2^32 times what it
// writes at the bottom; the build stops it at the most a page may have,
// naming the template and the page.
func TestTemplateWritesWithoutEnd(t *testing.T) {
	boom := `{{define "boom"}}{{if .}}{{template "boom" (slice . 1)}}{{template "boom" (slice . 1)}}{{else}}<p>` +
		strings.Repeat("Страница не найдена. ", 50) + `</p>{{end}}{{end}}`
	call := `{{template "boom" "abcdefghijklmnopqrstuvwxyzabcdef"}}`
	for _, tc := range []struct {
		file, template, want string
	}{
		{"404.html", boom + `{{define "main"}}` + call + `{{end}}`, "rendering 404.html: templates/404.html: writes more than 64 MB, the most a page may have"},
		// A note's item in lists: search.html shows items too, and the
		// build tries it first.
		{"_items.html", boom + `{{define "noteitem"}}` + call + `{{end}}`, "templates/search.html: writes more than 64 MB"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			site := t.TempDir()
			os.CopyFS(site, os.DirFS("testdata/basic"))
			os.MkdirAll(filepath.Join(site, "templates"), 0o755)
			os.WriteFile(filepath.Join(site, "templates", tc.file), []byte(tc.template), 0o644)
			_, err := Build(context.Background(), Config{Site: site, Out: filepath.Join(t.TempDir(), "public")})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want …%s…", err, tc.want)
			}
		})
	}
}

// snapshot reads every file below dir, the index included.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			files[p] = data
		}
		return err
	})
	return files
}

// siteLink is a link or a source of a page within the site.
var siteLink = regexp.MustCompile(`(?:href|src)="(/[^/"][^"]*|/)"`)

// checkLinks checks that every link of the site's pages to a page or file
// of the site leads to a file the build wrote; those the server answers
// (the search, and its feed) are left out.
func checkLinks(t *testing.T, out string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		for _, m := range siteLink.FindAllSubmatch(data, -1) {
			target := html.UnescapeString(string(m[1]))
			target, _, _ = strings.Cut(target, "#")
			target, _, _ = strings.Cut(target, "?")
			if target == "/search" || target == "/search.atom" {
				continue
			}
			p, err := url.PathUnescape(strings.TrimPrefix(target, "/"))
			if err != nil {
				t.Errorf("%s links to %s: %v", name, target, err)
				continue
			}
			if p == "" || strings.HasSuffix(p, "/") {
				p += "index.html"
			}
			if _, ok := files[p]; !ok {
				t.Errorf("%s links to %s, which the build did not write", name, target)
			}
		}
	}
}

// TestEmptyTermPages checks that the page of a region without events asks
// crawlers not to index it and is left out of the sitemap, and that those
// of regions with events are not.
func TestEmptyTermPages(t *testing.T) {
	site := newSite(t)
	mustEdit(t, filepath.Join(site, "content", "taxonomy", "regions.yaml"), appending("- slug: adygea\n  country: RU\n  group: southern\n  name: {ru: Адыгея, en: Adygea, zh: 阿迪格}\n"))
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, out, false)
	files := readTree(t, out)
	noindex := []byte(`<meta name="robots" content="noindex">`)
	if page, ok := files["regions/adygea/index.html"]; !ok || !bytes.Contains(page, noindex) {
		t.Errorf("the page of a region without events: %v, noindex %v", ok, bytes.Contains(page, noindex))
	}
	if bytes.Contains(files["regions/khabarovsk-krai/index.html"], noindex) {
		t.Errorf("the page of a region with events asks not to be indexed")
	}
	if bytes.Contains(files["sitemap.xml"], []byte("/regions/adygea/")) || !bytes.Contains(files["sitemap.xml"], []byte("/regions/khabarovsk-krai/")) {
		t.Errorf("sitemap.xml:\n%s", files["sitemap.xml"])
	}
}

// TestProblemsAtOnce: a build that stops at the source's problems reports,
// in the same run, the files it would not publish where they go, as check
// does: a missing favicon and a static file where the build writes its own.
func TestProblemsAtOnce(t *testing.T) {
	site := t.TempDir()
	if err := os.CopyFS(site, os.DirFS("testdata/basic")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(site, "want"))
	cfg := filepath.Join(site, "content", "site.yaml")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, append(data, "favicon: /nope.svg\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(site, "content", "static"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(site, "content", "static", "feed.xml"), []byte("<x/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Build(context.Background(), Config{Site: site})
	var es source.Errors
	if !errors.As(err, &es) {
		t.Fatalf("got %v, want the source's problems", err)
	}
	var files []string
	for _, e := range es {
		files = append(files, e.File)
	}
	if want := []string{"content/site.yaml", "content/static/feed.xml"}; !slices.Equal(files, want) {
		t.Errorf("problems of %q, want %q:\n%v", files, want, err)
	}
}
