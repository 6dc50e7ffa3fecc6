package templates

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coopdigest/digest/source"
)

func day(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

func TestRuDateRange(t *testing.T) {
	tests := []struct{ start, end, want string }{
		{"2025-03-17", "", "17 марта 2025"},
		{"2025-03-17", "2025-03-17", "17 марта 2025"},
		{"2025-03-17", "2025-03-18", "17–18 марта 2025"},
		{"2025-04-30", "2025-05-02", "30 апреля – 2 мая 2025"},
		{"2024-12-30", "2025-01-02", "30 декабря 2024 – 2 января 2025"},
	}
	for _, tt := range tests {
		var end time.Time
		if tt.end != "" {
			end = day(tt.end)
		}
		if got := RuDateRange(day(tt.start), end); got != tt.want {
			t.Errorf("RuDateRange(%s, %s) = %q, want %q", tt.start, tt.end, got, tt.want)
		}
	}
	// An RFC 3339 time keeps the day it was written with.
	ts, _ := time.Parse(time.RFC3339, "2025-03-17T01:00:00+08:00")
	if got := RuDate(ts); got != "17 марта 2025" {
		t.Errorf("RuDate = %q", got)
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "событий", 1: "событие", 2: "события", 5: "событий", 11: "событий", 21: "событие", 22: "события", 112: "событий", 101: "событие"} {
		if got := Plural(n, "событие", "события", "событий"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestLoadParsesEverything(t *testing.T) {
	set, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"index.html", "list.html", "note.html", "term.html", "terms.html", "regions.html", "partnership.html", "404.html"} {
		if !set.Has(name) {
			t.Errorf("no page template %s", name)
		}
	}
	for _, name := range []string{"style.css", "favicon.svg"} {
		if _, ok := set.Static()[name]; !ok {
			t.Errorf("no %s", name)
		}
	}
}

func TestPagerLinks(t *testing.T) {
	// show writes a pager's row as text: [n] the current page, n~ a page a
	// narrow screen may leave out, … a gap.
	show := func(p Pager) string {
		var b strings.Builder
		for _, l := range p.Links() {
			switch {
			case l.Gap:
				b.WriteString("… ")
			case l.Current:
				fmt.Fprintf(&b, "[%d] ", l.Number)
			case l.Far:
				fmt.Fprintf(&b, "%d~ ", l.Number)
			default:
				fmt.Fprintf(&b, "%d ", l.Number)
			}
		}
		return strings.TrimSpace(b.String())
	}
	tests := []struct {
		number, total int
		want          string
	}{
		{1, 1, ""},
		{1, 2, "[1] 2"},
		{2, 2, "1 [2]"},
		{1, 40, "[1] 2 3~ … 40"},
		{3, 40, "1 2 [3] 4 5~ … 40"},
		{4, 40, "1 2 3 [4] 5 6~ … 40"},
		// A gap never stands for one page: 2 is shown instead.
		{5, 40, "1 2 3 4 [5] 6 7~ … 40"},
		{6, 40, "1 … 4~ 5 [6] 7 8~ … 40"},
		{35, 40, "1 … 33~ 34 [35] 36 37~ … 40"},
		{36, 40, "1 … 34~ 35 [36] 37 38 39 40"},
		{38, 40, "1 … 36~ 37 [38] 39 40"},
		{40, 40, "1 … 38~ 39 [40]"},
		{4, 7, "1 2 3 [4] 5 6 7"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d of %d", tt.number, tt.total), func(t *testing.T) {
			p := Pager{Number: tt.number, Total: tt.total, Base: "/regions/amur-oblast/"}
			if got := show(p); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("no base", func(t *testing.T) {
		if l := (Pager{Number: 2, Total: 5}).Links(); l != nil {
			t.Errorf("links without a base: %v", l)
		}
	})
}

func TestPagerURL(t *testing.T) {
	tests := []struct {
		base string
		n    int
		want string
	}{
		{"/", 1, "/"},
		{"/", 2, "/page/2/"},
		{"/regions/amur-oblast/", 12, "/regions/amur-oblast/page/12/"},
		{"?q=%D0%B3%D0%B0%D0%B7&region=amur-oblast", 1, "?q=%D0%B3%D0%B0%D0%B7&region=amur-oblast"},
		{"?q=%D0%B3%D0%B0%D0%B7&region=amur-oblast", 3, "?q=%D0%B3%D0%B0%D0%B7&region=amur-oblast&page=3"},
		{"", 3, ""},
	}
	for _, tt := range tests {
		if got := (Pager{Base: tt.base}).URL(tt.n); got != tt.want {
			t.Errorf("Pager{Base: %q}.URL(%d) = %q, want %q", tt.base, tt.n, got, tt.want)
		}
	}
}

// TestPagerPartial renders the pager as the pages show it: numbered links,
// the current page marked for assistive technology, and without a Base the
// newer/older links alone.
func TestPagerPartial(t *testing.T) {
	set, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		pager   Pager
		want    []string
		notWant []string
	}{
		{"numbered", Pager{Number: 6, Total: 40, Prev: "/page/5/", Next: "/page/7/", Base: "/"},
			[]string{`rel="prev" href="/page/5/">← Новее`, `rel="next" href="/page/7/">Старше →`, `<a href="/">`, `<a href="/page/40/">`,
				`<span aria-current="page"><span class="visually-hidden">Страница </span>6</span>`, `<li class="far"><a href="/page/4/">`, `<li class="gap" aria-hidden="true">…</li>`},
			[]string{`href="/page/6/"`, `href="/page/3/"`}},
		{"first page", Pager{Number: 1, Total: 3, Next: "/page/2/", Base: "/"},
			[]string{`rel="next"`, `aria-current="page"`}, []string{`rel="prev"`}},
		{"without a base", Pager{Number: 2, Total: 3, Prev: "/", Next: "/page/3/"},
			[]string{`rel="prev"`, `rel="next"`, `Страница 2 из 3`}, []string{`aria-current`}},
		{"one page", Pager{Number: 1, Total: 1, Base: "/"}, nil, []string{`<nav`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := set.ExecutePartial(&buf, "pager", tt.pager); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("no %s in\n%s", w, buf.String())
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(buf.String(), w) {
					t.Errorf("%s in\n%s", w, buf.String())
				}
			}
		})
	}
}

func TestByMonth(t *testing.T) {
	item := func(date string) Item { return Item{Title: date, Date: day(date)} }
	items := []Item{item("2025-12-30"), item("2025-12-01"), item("2025-03-17"), item("2024-03-02"), item("2025-03-01")}
	got := ByMonth(items)
	want := []struct {
		name, id string
		titles   []string
	}{
		{"Декабрь", "m-2025-12", []string{"2025-12-30", "2025-12-01"}},
		{"Март", "m-2025-03", []string{"2025-03-17"}},
		// A month of another year is another group, and order is kept.
		{"Март", "m-2024-03", []string{"2024-03-02"}},
		{"Март", "m-2025-03", []string{"2025-03-01"}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d groups, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		var titles []string
		for _, it := range g.Items {
			titles = append(titles, it.Title)
		}
		if g.Name != w.name || g.ID != w.id || !slices.Equal(titles, w.titles) {
			t.Errorf("group %d = %s %s %v, want %s %s %v", i, g.Name, g.ID, titles, w.name, w.id, w.titles)
		}
	}
	if ByMonth(nil) != nil {
		t.Error("groups of no items")
	}
}

func TestHost(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.khabkrai.ru/events/news/123": "khabkrai.ru",
		"http://example.org:8080/x":               "example.org",
		"https://пример.рф/":                      "пример.рф",
		"not a url at all":                        "",
		"%zz":                                     "",
	} {
		if got := Host(in); got != want {
			t.Errorf("Host(%q) = %q, want %q", in, got, want)
		}
	}
}

// fingerprintRE is what the server takes for a fingerprinted name (see
// server/cache.go): a name, a dot, at least 8 lowercase hexadecimal digits
// with a letter among them, and an extension.
var fingerprintRE = regexp.MustCompile(`^[^.]+\.([0-9a-f]{8,})\.[a-z0-9]+$`)

// TestFingerprinted: every name gets a fingerprint the server recognises,
// with a letter even where the hash starts with ten decimal digits.
func TestFingerprinted(t *testing.T) {
	digitsFirst := 0
	for i := range 5000 {
		data := []byte(fmt.Sprintf("body { margin: %dpx }", i))
		name := Fingerprinted("style.css", data)
		m := fingerprintRE.FindStringSubmatch(name)
		if m == nil || !strings.ContainsAny(m[1], "abcdef") {
			t.Fatalf("Fingerprinted(%q) = %q: not a fingerprint the server recognises", data, name)
		}
		if len(m[1]) > 10 {
			digitsFirst++
		}
		if again := Fingerprinted("style.css", data); again != name {
			t.Fatalf("two fingerprints of one file: %s, %s", name, again)
		}
	}
	if digitsFirst == 0 {
		t.Error("no hash started with ten decimal digits: the case is not tested")
	}
}

// TestAssets: pages link the static files by their fingerprinted names, a
// site's own stylesheet gets its own, and the page templates' versions
// change with it.
func TestAssets(t *testing.T) {
	def, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	own, err := Load(fstest.MapFS{"style.css": {Data: []byte("body { color: red }")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"style.css", "favicon.svg", "og.png"} {
		p := def.Asset(name)
		if p != "/"+Fingerprinted(name, def.Static()[name]) || !fingerprintRE.MatchString(p[1:]) {
			t.Errorf("Asset(%q) = %q", name, p)
		}
	}
	if def.Asset("style.css") == own.Asset("style.css") || own.Asset("style.css") != "/"+Fingerprinted("style.css", []byte("body { color: red }")) {
		t.Errorf("a site's stylesheet: %s, the default's %s", own.Asset("style.css"), def.Asset("style.css"))
	}
	if def.Asset("favicon.svg") != own.Asset("favicon.svg") {
		t.Error("the favicon changed with the stylesheet")
	}
	if def.Version("note.html") == own.Version("note.html") {
		t.Error("a page template's version does not change with the stylesheet it links")
	}
	var buf bytes.Buffer
	if err := own.Execute(&buf, "404.html", &Page{Path: "/404.html", Site: source.DefaultSettings()}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<link rel="stylesheet" href="` + own.Asset("style.css") + `">`, `<link rel="icon" href="` + own.Asset("favicon.svg") + `" type="image/svg+xml">`, `content="http://localhost:8080` + own.Asset("og.png")} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if def.Asset("nothing.css") != "" {
		t.Error("an asset that is not there")
	}
	broken, err := Load(fstest.MapFS{"404.html": {Data: []byte(`{{define "main"}}{{asset "nothing.css"}}{{end}}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := broken.Execute(&buf, "404.html", &Page{}); err == nil || !strings.Contains(err.Error(), `asset "nothing.css": no such static file`) {
		t.Errorf("an asset that is not there: got %v", err)
	}
}

// TestFontsAreStatic checks that a site's fonts are static files, which
// pages link by fingerprint.
func TestFontsAreStatic(t *testing.T) {
	set, err := Load(fstest.MapFS{"brand.woff2": {Data: []byte("wOF2")}, "notes.txt": {Data: []byte("no")}})
	if err != nil {
		t.Fatal(err)
	}
	if set.Asset("brand.woff2") == "" || set.Static()["brand.woff2"] == nil {
		t.Errorf("brand.woff2 is not a static file")
	}
	if set.Static()["notes.txt"] != nil {
		t.Errorf("notes.txt is a static file")
	}
}

// TestExecuteErrorPlace checks that a template that fails when executed is
// reported at its own file, line and column, and names the page rendered.
func TestExecuteErrorPlace(t *testing.T) {
	set, err := Load(fstest.MapFS{"base.html": {Data: []byte("<!doctype html>\n<title>{{.Nope}}</title>{{template \"main\" .}}")}})
	if err != nil {
		t.Fatal(err)
	}
	err = set.Execute(new(bytes.Buffer), "404.html", &Page{})
	if err == nil || !strings.HasPrefix(err.Error(), "templates/base.html:2:") || !strings.HasSuffix(err.Error(), "(rendering 404.html)") {
		t.Errorf("err = %v", err)
	}
}

// TestPageLimit: a template that writes without end stops at the most a
// page may have, 16 times what a note may and 64 MB at least, as a page
// and as a list's item.
func TestPageLimit(t *testing.T) {
	boom := `{{define "boom"}}{{if .}}{{template "boom" (slice . 1)}}{{template "boom" (slice . 1)}}{{else}}` +
		strings.Repeat("x", 4096) + `{{end}}{{end}}`
	call := `{{template "boom" "abcdefghijklmnopqrstuvwxyzabcdef"}}`
	set, err := Load(fstest.MapFS{
		"404.html":    {Data: []byte(boom + `{{define "main"}}` + call + `{{end}}`)},
		"_items.html": {Data: []byte(boom + `{{define "noteitem"}}` + call + `{{end}}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	site := source.DefaultSettings()
	if got := PageLimit(site); got != 64<<20 {
		t.Errorf("PageLimit of the default settings = %d, want 64 MB", got)
	}
	site.Limits.Note = 10 << 20
	if got := PageLimit(site); got != 160<<20 {
		t.Errorf("PageLimit of notes of 10 MB = %d, want 160 MB", got)
	}
	err = set.Execute(io.Discard, "404.html", &Page{Site: site})
	if err == nil || !strings.HasPrefix(err.Error(), "templates/404.html: writes more than 160 MB, the most a page may have") {
		t.Errorf("a page: %v", err)
	}
	err = set.ExecutePartial(io.Discard, "noteitem", Item{})
	if err == nil || !strings.HasPrefix(err.Error(), "writes more than 64 MB") {
		t.Errorf("a list's item: %v", err)
	}
}

// TestPartialsOverride checks which definition of a shared block the lists'
// partials take: a site's shared file of its own replaces the defaults'; a
// page's own definition stays the page's.
func TestPartialsOverride(t *testing.T) {
	item := func(s string) string { return `{{define "noteitem"}}<li>` + s + `</li>{{end}}` }
	tests := []struct {
		name  string
		files fstest.MapFS
		want  string // in the partial "noteitem", "" for the default
	}{
		{"a shared file of the site's", fstest.MapFS{"_custom.html": {Data: []byte(item("своя"))}}, "<li>своя</li>"},
		{"the shared file overridden", fstest.MapFS{"_partials.html": {Data: []byte(item("своя") + `{{define "pager"}}{{end}}`)}}, "<li>своя</li>"},
		{"a page's own", fstest.MapFS{"404.html": {Data: []byte(`{{define "main"}}{{template "noteitem" .}}{{end}}` + item("страница"))}}, ""},
	}
	def, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := Load(tt.files)
			if err != nil {
				t.Fatal(err)
			}
			var got, base bytes.Buffer
			data := map[string]any{}
			errGot := set.ExecutePartial(&got, "noteitem", data)
			errBase := def.ExecutePartial(&base, "noteitem", data)
			switch {
			case tt.want != "" && !strings.Contains(got.String(), tt.want):
				t.Errorf("noteitem = %q (%v), want %q", got.String(), errGot, tt.want)
			case tt.want == "" && (got.String() != base.String() || (errGot == nil) != (errBase == nil)):
				t.Errorf("noteitem = %q (%v), want the default's %q (%v)", got.String(), errGot, base.String(), errBase)
			}
		})
	}
}

// TestWithDefault checks that WithDefault loads a site's templates with
// the defaults' file in place of the site's own, and only that file.
func TestWithDefault(t *testing.T) {
	const layout = `<!doctype html><title>{{.Title}}</title><p>своя вёрстка</p>{{block "main" .}}{{end}}`
	own := fstest.MapFS{
		"search.html": {Data: []byte(`{{define "main"}}<p>своя страница</p>{{end}}`)},
		"base.html":   {Data: []byte(layout)},
		"style.css":   {Data: []byte(`body { color: #123456 }`)},
	}
	tests := []struct {
		name  string
		files []string // of own
		want  []string // in the page of WithDefault("search.html")
		not   []string
	}{
		{"the site's layout", []string{"search.html", "base.html", "style.css"}, []string{"своя вёрстка", `class="search-form"`}, []string{"своя страница"}},
		{"the default layout", []string{"search.html", "style.css"}, []string{`class="search-form"`, `<link rel="stylesheet"`}, []string{"своя страница", "своя вёрстка"}},
		{"no search.html of the site's", []string{"base.html"}, []string{"своя вёрстка", `class="search-form"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := fstest.MapFS{}
			for _, name := range tt.files {
				files[name] = own[name]
			}
			set, err := Load(files)
			if err != nil {
				t.Fatal(err)
			}
			got, err := set.WithDefault("search.html")
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := got.Execute(&buf, "search.html", &Page{Title: "Поиск", Path: "/search", Data: &SearchPage{}}); err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.want {
				if !strings.Contains(buf.String(), s) {
					t.Errorf("the page lacks %s:\n%.500s", s, buf.String())
				}
			}
			for _, s := range tt.not {
				if strings.Contains(buf.String(), s) {
					t.Errorf("the page has %s", s)
				}
			}
			if a, b := got.Asset("style.css"), set.Asset("style.css"); a != b {
				t.Errorf("style.css is %s, the site's %s", a, b)
			}
			if len(set.Own()) != len(tt.files) {
				t.Errorf("the site's set has lost files: %v", slices.Collect(maps.Keys(set.Own())))
			}
		})
	}
}

// TestUnused checks that a site's page template that no page is made with
// is warned of, with the name it may have meant, and that overrides and
// shared files are not.
func TestUnused(t *testing.T) {
	set, err := Load(fstest.MapFS{
		"Note.html":    {Data: []byte(`{{define "main"}}x{{end}}`)},
		"foo.html":     {Data: []byte(`{{define "main"}}x{{end}}`)},
		"list.html":    {Data: []byte(`{{define "main"}}x{{end}}`)},
		"_extra.html":  {Data: []byte(`{{define "extra"}}x{{end}}`)},
		"override.css": {Data: []byte(`a{}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := set.Unused()
	if len(got) != 2 || got[0] != "templates/Note.html: no page is made with it; did you mean note.html?" ||
		!strings.HasPrefix(got[1], "templates/foo.html: no page is made with it; the pages' templates are 404.html, ") || !strings.Contains(got[1], "note.html") {
		t.Errorf("Unused() = %q", got)
	}
	if defaults, _ := Load(nil); len(defaults.Unused()) != 0 {
		t.Errorf("the defaults: %q", defaults.Unused())
	}
}

// TestHasFingerprint: a name is fingerprinted only when the hex digits
// before its extension are the fingerprint of the file's content, as a
// build makes it.
func TestHasFingerprint(t *testing.T) {
	css := []byte("main { color: teal; }\n")
	fp := Fingerprint(css)
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"style." + fp + ".css", css, true},
		{"css/style." + fp + ".css", css, true},
		{"app-" + fp + ".js", css, true},
		{"style." + fp + ".css", []byte("main { color: navy; }\n"), false}, // the content changed under the name
		{"style." + strings.ToUpper(fp) + ".css", css, false},              // fingerprints are lower-case hex
		{"style." + fp[:8] + ".css", css, false},                           // part of it
		{"style." + fp + "0.css", css, false},                              // more than it
		{"photo-20240115.jpg", []byte("v1"), false},                        // a date
		{"report.20240115.pdf", []byte("v1"), false},
		{"style.3f2a9c1b.css", css, false}, // hex, but of nothing in the file
		{"style.css", css, false},
		{"2024/" + fp + "/index.html", css, false}, // a folder is no fingerprint
		{fp + ".css", css, false},                  // nor a name of hex digits alone
	}
	for _, tt := range tests {
		if got := HasFingerprint(tt.name, sha256.Sum256(tt.data)); got != tt.want {
			t.Errorf("HasFingerprint(%q, %q) = %v, want %v", tt.name, tt.data, got, tt.want)
		}
	}
}
