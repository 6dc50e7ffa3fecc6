package build

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coopdigest/digest/search"
	"github.com/coopdigest/digest/source"
)

// TestFileProblems: a picture that is not there, or not the site's, and a
// file that would be published where the build writes its own, are problems
// with their places; a picture from another site is a warning. The build
// and digest check (Check, then CheckAll) report them alike, but for
// what only a build finds: where the bodies' pictures are published and
// what files hold.
func TestFileProblems(t *testing.T) {
	// The delegation note has 32 lines: what a case adds starts on line 34.
	const body = "content/2025/delegation.md"
	tests := []struct {
		name     string
		files    map[string]string // written into the site; a note's text is added to it
		want     []string          // the build's problems
		check    []string          // digest check's, when they differ
		warnings []string
	}{
		{
			name:  "a picture of the body that is not there",
			files: map[string]string{body: "\n![Схема](scheme.png)\n"},
			want:  []string{`content/2025/delegation.md:34:1: image "scheme.png": no file content/2025/scheme.png`},
		},
		{
			name:  "a draft's picture that is not there",
			files: map[string]string{"content/2025/x.md": "---\ntitle: Х\ndate: 2025-01-01\nkind: expo\nregions: [beijing]\ndraft: true\n---\n\n![Зал](hall.png)\n"},
			want:  []string{`content/2025/x.md:9:1: image "hall.png": no file content/2025/hall.png`},
		},
		{
			name:  "a picture of the body that is the site's settings",
			files: map[string]string{body: "\n![Настройки](../site.yaml)\n"},
			want:  []string{`content/2025/delegation.md:34:1: image "../site.yaml": content/site.yaml is not published: notes, the site's settings and taxonomy, hidden files and editors' backups never are`},
		},
		{
			name:  "pictures named with escapes, as goldmark reads them",
			files: map[string]string{"content/2025/a_b.png": "png", body: "\n![x](a\\_b.png) ![y](a&#95;b.png) ![z](c\\_d.png)\n"},
			want:  []string{`content/2025/delegation.md:34:34: image "c_d.png": no file content/2025/c_d.png`},
		},
		{
			name:  "two pictures not there, one of them from /",
			files: map[string]string{body: "\nТекст ![a](a.png) и ![b](/img/b.png).\n"},
			want: []string{
				`content/2025/delegation.md:34:7: image "a.png": no file content/2025/a.png`,
				`content/2025/delegation.md:34:21: image "/img/b.png": no file content/static/img/b.png (a path from / names a file of content/static/)`,
			},
		},
		{
			name: "pictures not there, beside a problem of another note's front matter and of its own",
			files: map[string]string{body: "\n![Схема](scheme.png)\n",
				"content/2025/x.md": "---\ntitle: Х\ndate: 2025-01-01\nkind: expoo\nregions: [beijing]\nimage: x.png\nimage_alt: Фото\n---\n\n![Зал](hall.png)\n"},
			want: []string{
				`content/2025/delegation.md:34:1: image "scheme.png": no file content/2025/scheme.png`,
				`content/2025/x.md:4:7: unknown kind "expoo"; did you mean "Выставка" (expo)?`,
				`content/2025/x.md:6:8: image "x.png": no file content/2025/x.png`,
				`content/2025/x.md:10:1: image "hall.png": no file content/2025/hall.png`,
			},
		},
		{
			// The index keeps the text up to there, so that a phrase of
			// its words costs no more than a note's (search.MaxRepeats).
			name:     "a word repeated more than the index keeps",
			files:    map[string]string{body: "\n" + strings.Repeat("выставки в Харбине ", search.MaxRepeats) + "выставка.\n"},
			want:     []string{},
			warnings: []string{"content/2025/delegation.md: «выставка» comes more than 2000 times in the note: search finds its words up to there only"},
		},
		{
			name:  "a picture of the body outside the site",
			files: map[string]string{body: "\n![Пароли](../../../etc/passwd.png)\n"},
			want:  []string{`content/2025/delegation.md:34:1: image "../../../etc/passwd.png" is outside content/: only files of the site's content/ folder are published`},
		},
		{
			name:  "a picture of the body inside the site but outside content/",
			files: map[string]string{body: "\n![Шаблон](../../templates/404.html)\n"},
			want:  []string{`content/2025/delegation.md:34:1: image "../../templates/404.html" is outside content/: only files of the site's content/ folder are published`},
		},
		{
			name:  "a note's picture without alt text",
			files: map[string]string{"content/2025/photo.png": "png", "content/2025/x.md": "---\ntitle: Х\ndate: 2025-01-01\nkind: expo\nregions: [beijing]\nimage: photo.png\n---\n"},
			want:  []string{`content/2025/x.md:6:8: image needs image_alt: a few words that say what the picture shows, for readers who cannot see it`},
		},
		{
			name:  "a note's picture that is no PNG",
			files: map[string]string{"content/2025/photo.png": "not a picture", "content/2025/x.md": "---\ntitle: Х\ndate: 2025-01-01\nkind: expo\nregions: [beijing]\nimage: photo.png\nimage_alt: Фото\n---\n"},
			want:  []string{`content/2025/x.md:6:8: image content/2025/photo.png: not a picture that a browser shows as .png (image: unknown format)`},
			check: []string{},
		},
		{
			name:  "a picture from another site",
			files: map[string]string{body: "\n![Снимок](https://example.org/a.jpg)\n"},
			warnings: []string{
				`content/2025/delegation.md:34:1: image https://example.org/a.jpg is on another site: digest serve lets pages show only the site's own pictures (its Content-Security-Policy), so readers see its description instead; save it beside the note and name the file: ![…](photo.jpg)`,
			},
		},
		{
			name:  "raw HTML, a block and inline, with a comment before them",
			files: map[string]string{"content/2025/raw.md": rawNote + "\n<!-- заметка редактора -->\n\nТекст.\n\n<div class=\"release\">\n<p>Пресс-релиз</p>\n</div>\n\nЕщё <b>жирный</b> текст.\n"},
			warnings: []string{
				`content/2025/raw.md:16:1: raw HTML <div class="release"> is not published (2 places, this the first): the page and the search leave out its tags, and a block of HTML with all it holds; write it in Markdown`,
			},
		},
		{
			name:  "an HTML comment and an autolink are no raw HTML",
			files: map[string]string{"content/2025/raw.md": rawNote + "\nТекст <!-- скрыто --> и <https://example.org/>, 1 < 2.\n"},
		},
		{
			name:  "links to a file beside the note, another note and a page",
			files: map[string]string{"content/2025/report.pdf": "pdf", body: "\n[Отчёт](report.pdf), [выставка](../2024/expo.md#итоги), [страница](/regions/beijing/) и [вверх](../).\n"},
		},
		{
			// The page would resolve them against its address.
			name:  "links to a file that is not there and to a draft",
			files: map[string]string{body: "\n[Нет](missing.pdf) и [черновик](../2024/draft.md).\n"},
			warnings: []string{
				`content/2025/delegation.md:34:1: link "missing.pdf": no file content/2025/missing.pdf: readers would find nothing there (a link names a file or a note's file from the note's folder, or a page of the site from /, such as /2024/expo/)`,
				`content/2025/delegation.md:34:22: link "../2024/draft.md": no published note content/2024/draft.md: readers would find nothing there (a link names a file or a note's file from the note's folder, or a page of the site from /, such as /2024/expo/)`,
			},
		},
		{
			// A page and a feed, the search, a year without its slash, a
			// file of content/static/.
			name:  "links from / that lead where the build writes",
			files: map[string]string{"content/static/docs/plan.pdf": "pdf", body: "\n[Пекин](/regions/beijing/), [лента](/feed.xml), [поиск](/search?q=выставка), [год](/2025#май) и [план](/docs/plan%2Epdf).\n"},
		},
		{
			name:  "links from / that lead nowhere",
			files: map[string]string{body: "\n[Пекин](/regions/beijng/), [план](/docs/plan.pdf) и [черновик](/2024/draft/).\n\n[Поиск](/search/?q=x), [лента](/feed.xml/), [API](/api/other).\n"},
			warnings: []string{
				`content/2025/delegation.md:34:1: link /regions/beijng/ leads to no page or file of the site: readers would find nothing there (a link from / names a page by its address, such as /2024/expo/ or /regions/beijing/, or a file of content/static/ by its path)`,
				`content/2025/delegation.md:34:28: link /docs/plan.pdf leads to no page or file of the site: readers would find nothing there (a link from / names a page by its address, such as /2024/expo/ or /regions/beijing/, or a file of content/static/ by its path)`,
				`content/2025/delegation.md:34:53: link /2024/draft/ leads to no page or file of the site: readers would find nothing there (a link from / names a page by its address, such as /2024/expo/ or /regions/beijing/, or a file of content/static/ by its path)`,
				`content/2025/delegation.md:36:24: link /feed.xml/ leads to no page or file of the site: readers would find nothing there (a link from / names a page by its address, such as /2024/expo/ or /regions/beijing/, or a file of content/static/ by its path)`,
				`content/2025/delegation.md:36:45: link /api/other leads to no page or file of the site: readers would find nothing there (a link from / names a page by its address, such as /2024/expo/ or /regions/beijing/, or a file of content/static/ by its path)`,
			},
		},
		{
			// The page resolves them against its address, /2025/<slug>/, as a
			// reader's browser does, and / has nothing above it.
			name:  "relative links to pages that are not there",
			files: map[string]string{body: "\n[Выставка](../2024/expo/), [годом раньше](../../2024/expo/), [в папке](../expo/#итоги) и [выше](../../../etc/passwd).\n"},
			warnings: []string{
				`content/2025/delegation.md:34:1: link ../2024/expo/ leads from the note's page to /2025/2024/expo/, no page or file of the site: readers would find nothing there (a relative link names a file or a note's file from the note's folder, such as ../2024/expo.md; a page is named from /, such as /2024/expo/)`,
				`content/2025/delegation.md:34:62: link ../expo/#итоги leads from the note's page to /2025/expo/, no page or file of the site: readers would find nothing there (a relative link names a file or a note's file from the note's folder, such as ../2024/expo.md; a page is named from /, such as /2024/expo/)`,
				`content/2025/delegation.md:34:90: link ../../../etc/passwd leads from the note's page to /etc/passwd, no page or file of the site: readers would find nothing there (a relative link names a file or a note's file from the note's folder, such as ../2024/expo.md; a page is named from /, such as /2024/expo/)`,
			},
		},
		{
			name:  "a static file where the build writes its own",
			files: map[string]string{"content/static/feed.xml": "<feed/>", "content/static/style.css": "body{}"},
			want: []string{
				`content/static/feed.xml: published at /feed.xml, where the build writes a file of its own: rename or move the file`,
				`content/static/style.css: published at /style.css, where the build writes a file of its own: rename or move the file`,
			},
		},
		{
			name:  "a static file where the build makes a folder",
			files: map[string]string{"content/static/regions": "?"},
			want:  []string{`content/static/regions: published at /regions, a folder of the site's pages: rename or move the file`},
		},
		{
			name:  "a static file inside a file the build writes",
			files: map[string]string{"content/static/robots.txt/a.txt": "?"},
			want:  []string{`content/static/robots.txt/a.txt: published inside /robots.txt, a file the build writes: rename or move the file's folder`},
		},
		{
			name:  "two files published at one place",
			files: map[string]string{"content/static/2025/photo.png": "a", "content/2025/photo.png": "b", body: "\n![Фото](photo.png)\n"},
			want:  []string{`content/static/2025/photo.png: published at /2025/photo.png, as content/2025/photo.png is: rename or move one of them`},
			check: []string{}, // the body's pictures are the build's: check has no model of them
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The site's own note has a <script> in its text, which is
			// not published.
			warnings := append([]string{fixtureHTML}, tt.warnings...)
			slices.SortFunc(warnings, byPlace)
			site := newSite(t)
			for name, text := range tt.files {
				p := filepath.Join(site, filepath.FromSlash(name))
				if old, err := os.ReadFile(p); err == nil && strings.HasSuffix(name, ".md") {
					text = string(old) + text
				}
				mustWrite(t, p, text)
			}
			res, err := Build(context.Background(), Config{Site: site, Out: filepath.Join(t.TempDir(), "public"), Today: testToday})
			got := problemLines(t, err)
			if !slices.Equal(got, tt.want) {
				t.Errorf("the build's problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if err == nil && !slices.Equal(res.Warnings, warnings) {
				t.Errorf("the build's warnings:\n%s\nwant:\n%s", strings.Join(res.Warnings, "\n"), strings.Join(warnings, "\n"))
			}

			wantCheck := tt.want
			if tt.check != nil {
				wantCheck = tt.check
			}
			// As digest check: the Markdown of every note, those with
			// problems too, and the files.
			var checked []string
			src, err := Check(site)
			if src != nil {
				var problems source.Errors
				errors.As(err, &problems)
				checked, err = CheckAll(context.Background(), site, src, problems)
			}
			if got := problemLines(t, err); !slices.Equal(got, wantCheck) {
				t.Errorf("check's problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantCheck, "\n"))
			}
			if err == nil && !slices.Equal(checked, warnings) {
				t.Errorf("check's warnings:\n%s\nwant:\n%s", strings.Join(checked, "\n"), strings.Join(warnings, "\n"))
			}
		})
	}
}

// fixtureHTML is the warning of the raw HTML of testdata/basic's
// delegation note.
const fixtureHTML = `content/2025/delegation.md:24:17: raw HTML <script> is not published: the page and the search leave out its tags, and a block of HTML with all it holds; write it in Markdown`

// rawNote is the front matter of a note, 10 lines, for a body to follow.
const rawNote = "---\ntitle: Х\ndate: 2025-01-01\nkind: expo\nregions: [beijing]\n---\n\nНачало.\n\nПродолжение.\n"

// problemLines is the problems of err, one line each; nil for none.
func problemLines(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return []string{}
	}
	var es source.Errors
	if !errors.As(err, &es) {
		t.Fatalf("not a list of problems: %v", err)
	}
	return strings.Split(es.Error(), "\n")
}

// TestByPlace checks that warnings are ordered by file, then by line and
// column as numbers, and those without a place as text.
func TestByPlace(t *testing.T) {
	got := []string{
		"content/b.md:2:1: b",
		"content/a.md:15:1: remote picture",
		"templates/x.html is not used",
		"content/a.md:9:12: remote picture",
		"content/a.md:9:3: remote picture",
	}
	slices.SortFunc(got, byPlace)
	want := []string{
		"content/a.md:9:3: remote picture",
		"content/a.md:9:12: remote picture",
		"content/a.md:15:1: remote picture",
		"content/b.md:2:1: b",
		"templates/x.html is not used",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLinks: a link to a file beside the note publishes the file and leads
// to it, one to another note's file leads to its page, in the page and in
// the feed; a link from / and one to a folder stay as written.
func TestLinks(t *testing.T) {
	site := newSite(t)
	mustEdit(t, filepath.Join(site, "content", "2025", "delegation.md"), appending("\n[Отчёт](report.pdf), [выставка](../2024/expo.md#итоги), [страница](/regions/beijing/) и [вверх](../).\n"))
	mustWrite(t, filepath.Join(site, "content", "2025", "report.pdf"), "%PDF-1.4")
	out := filepath.Join(t.TempDir(), "public")
	if _, err := Build(context.Background(), Config{Site: site, Out: out, Today: testToday}); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(out, "2025", "delegation", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<a href="/2025/report.pdf">Отчёт</a>`, `<a href="/2024/expo/#%D0%B8%D1%82%D0%BE%D0%B3%D0%B8">выставка</a>`,
		`<a href="/regions/beijing/">страница</a>`, `<a href="../">вверх</a>`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if data, err := os.ReadFile(filepath.Join(out, "2025", "report.pdf")); err != nil || string(data) != "%PDF-1.4" {
		t.Errorf("the linked file is not published: %q, %v", data, err)
	}
	feed, err := os.ReadFile(filepath.Join(out, "feed.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `href=&#34;https://digest.example.org/2025/report.pdf&#34;`; !strings.Contains(string(feed), want) {
		t.Errorf("the feed lacks %s", want)
	}
}
