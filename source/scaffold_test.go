package source

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/adrg/frontmatter"
)

func TestTitleSlug(t *testing.T) {
	for _, tc := range []struct {
		title, want string
	}{
		{"Хабаровская делегация посетила Харбин", "khabarovskaia-delegatsiia-posetila-kharbin"},
		{"Ёлки в Шэньяне: ёжик", "iolki-v-sheniane-iozhik"},
		{`Форум «Россия — Китай»: "ЭКСПО-2025"`, "forum-rossiia-kitai-ekspo-2025"},
		{"Встреча с Си Цзиньпином", "vstrecha-s-si-tszinpinom"},
		{"Объём торговли вырос", "obiom-torgovli-vyros"},
		{"snake_case  и   пробелы", "snake-case-i-probely"},
		{"Harbin Expo 2025", "harbin-expo-2025"},
		{"«—»: !?", ""},
		{"", ""},
		// Cut at the last word boundary before MaxSlugLen.
		{"Правительство Хабаровского края и Народное правительство провинции Хэйлунцзян подписали соглашение",
			"pravitelstvo-khabarovskogo-kraia-i-narodnoe-pravitelstvo"},
		{strings.Repeat("ы", 80), strings.Repeat("y", MaxSlugLen)},
	} {
		t.Run(tc.title, func(t *testing.T) {
			got := TitleSlug(tc.title)
			if got != tc.want {
				t.Errorf("TitleSlug(%q) = %q, want %q", tc.title, got, tc.want)
			}
			if got != "" && !ValidSlug(got) || len(got) > MaxSlugLen {
				t.Errorf("TitleSlug(%q) = %q: not a valid slug of at most %d bytes", tc.title, got, MaxSlugLen)
			}
		})
	}
}

// repoSettings loads the taxonomy the repository ships with its sample site.
func repoSettings(t *testing.T) *Site {
	t.Helper()
	src, err := LoadSettings(os.DirFS(".."))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestScaffold(t *testing.T) {
	src := repoSettings(t)
	day := time.Date(2025, 3, 17, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		spec    NoteSpec
		file    string
		kind    string
		regions []string
		sectors []string
	}{{
		name:    "names, aliases and slugs are stored as slugs",
		spec:    NoteSpec{Title: "Хабаровская делегация посетила Харбин", Date: day, Kind: "Делегация", Regions: []string{"Хабаровский край", "провинция Хэйлунцзян", "khabarovsk-krai"}, Sectors: []string{"trade"}},
		file:    "content/2025/khabarovskaia-delegatsiia-posetila-kharbin.md",
		kind:    "delegation",
		regions: []string{"khabarovsk-krai", "heilongjiang"},
		sectors: []string{"trade"},
	}, {
		name:    "colons, quotes and ё in the title; kind other by default",
		spec:    NoteSpec{Title: `  Форум «Ёлка»: "Пекин — Москва"  и 'ещё'`, Date: day, Regions: []string{"пекин", "МОСКВА"}},
		file:    "content/2025/forum-iolka-pekin-moskva-i-eshchio.md",
		kind:    "other",
		regions: []string{"beijing", "moscow"},
	}, {
		name:    "a title that YAML would take for something else",
		spec:    NoteSpec{Title: "- yes: # 2024", Date: time.Date(2024, 12, 31, 23, 0, 0, 0, time.FixedZone("MSK", 3*3600)), Kind: "expo", Regions: []string{"guangdong"}},
		file:    "content/2024/yes-2024.md",
		kind:    "expo",
		regions: []string{"guangdong"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Scaffold(src, tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			if got.File != tc.file {
				t.Errorf("File = %q, want %q", got.File, tc.file)
			}
			n, err := ParseNote(got.File, got.Data, src)
			if err != nil {
				t.Fatalf("the scaffold does not parse: %v\n%s", err, got.Data)
			}
			if want := strings.Join(strings.Fields(tc.spec.Title), " "); n.Title != want {
				t.Errorf("Title = %q, want %q", n.Title, want)
			}
			if n.Date.Format(time.DateOnly) != tc.spec.Date.Format(time.DateOnly) {
				t.Errorf("Date = %v, want the day of %v", n.Date, tc.spec.Date)
			}
			if n.URL() != got.URL {
				t.Errorf("URL = %q, the note has %q", got.URL, n.URL())
			}
			if n.Kind != tc.kind || !slices.Equal(n.Regions, tc.regions) || !slices.Equal(n.Sectors, tc.sectors) {
				t.Errorf("kind, regions, sectors = %q %q %q, want %q %q %q", n.Kind, n.Regions, n.Sectors, tc.kind, tc.regions, tc.sectors)
			}
			if n.Summary != "" || n.Draft || len(n.People) > 0 || len(n.Sources) > 0 {
				t.Errorf("optional fields are filled: %+v", n)
			}
			if !strings.Contains(string(n.Body), "Текст заметки") {
				t.Errorf("no body placeholder:\n%s", got.Data)
			}
		})
	}
}

func TestScaffoldToday(t *testing.T) {
	got, err := Scaffold(repoSettings(t), NoteSpec{Title: "Сегодня", Kind: "talks", Regions: []string{"moscow"}})
	if err != nil {
		t.Fatal(err)
	}
	// Around midnight the day may turn between the two calls.
	today, yesterday := time.Now(), time.Now().AddDate(0, 0, -1)
	if !strings.Contains(string(got.Data), "\ndate: "+today.Format(time.DateOnly)+"\n") &&
		!strings.Contains(string(got.Data), "\ndate: "+yesterday.Format(time.DateOnly)+"\n") {
		t.Errorf("the date is not today's:\n%s", got.Data)
	}
}

// TestScaffoldPublished: a note about an event of another day is published
// today, so that feeds carry it as new; a note about today's event needs no
// published field.
func TestScaffoldPublished(t *testing.T) {
	src := repoSettings(t)
	old, err := Scaffold(src, NoteSpec{Title: "Давний визит", Date: time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC), Kind: "talks", Regions: []string{"moscow"}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := ParseNote(old.File, old.Data, src)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(n.Published); d < 0 || d > 48*time.Hour || n.Date.Year() != 2019 {
		t.Errorf("a note about 2019 written now: date %v, published %v; want published today", n.Date, n.Published)
	}
	today, err := Scaffold(src, NoteSpec{Title: "Сегодня", Kind: "talks", Regions: []string{"moscow"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(today.Data), "\npublished:") {
		t.Errorf("a note about today's event has a published field:\n%s", today.Data)
	}
}

func TestScaffoldProblems(t *testing.T) {
	src := repoSettings(t)
	noOther, err := LoadSettings(site(nil)) // its kinds have no "other"
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2025, 3, 17, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		src  *Site
		spec NoteSpec
		want []string // every SpecError, as "field: message"
	}{{
		name: "a city for a region",
		spec: NoteSpec{Title: "Визит", Date: day, Regions: []string{"Хабаровск"}},
		want: []string{`regions: unknown region "Хабаровск": a place; name it in places, and the region around it here ("Хабаровский край", khabarovsk-krai?)`},
	}, {
		name: "a region of another world, no nearer to one than three letters",
		spec: NoteSpec{Title: "Визит", Date: day, Regions: []string{"narnia"}},
		want: []string{`regions: unknown region "narnia"`},
	}, {
		name: "no region",
		spec: NoteSpec{Title: "Визит", Date: day, Regions: []string{" "}},
		want: []string{"regions: at least one region is required"},
	}, {
		name: "every problem at once",
		spec: NoteSpec{Title: "«»", Date: time.Date(1812, 9, 7, 0, 0, 0, 0, time.UTC), Kind: "фестиваль", Regions: []string{"Марс"}, Sectors: []string{"Торговл"}},
		want: []string{
			`title: "«»" has no letters or digits to make a file name of`,
			"date: 1812-09-07: year out of range (1900 to 2200)",
			`kind: unknown kind "фестиваль"`,
			`regions: unknown region "Марс"`,
			`sectors: unknown sector "Торговл"; did you mean "Торговля" (trade)?`,
		},
	}, {
		name: "no title",
		spec: NoteSpec{Title: " \n ", Date: day, Regions: []string{"moscow"}},
		want: []string{"title: a title is required"},
	}, {
		name: "title not UTF-8",
		spec: NoteSpec{Title: "bad\xffutf", Date: day, Regions: []string{"moscow"}},
		want: []string{`title: "bad\xffutf" is not UTF-8 text`},
	}, {
		name: "title with a control character",
		spec: NoteSpec{Title: "Визит\a", Date: day, Regions: []string{"moscow"}},
		want: []string{`title: "Визит\a" holds a control character`},
	}, {
		name: "title with a bidi control",
		spec: NoteSpec{Title: "Визит \u202Eотсич", Date: day, Regions: []string{"moscow"}},
		want: []string{`title: "Визит \u202eотсич" holds a bidi control character, which would show the text after it reversed`},
	}, {
		name: "title too long",
		spec: NoteSpec{Title: strings.Repeat("Визит ", 100), Date: day, Regions: []string{"moscow"}},
		want: []string{`title: 599 characters long, more than 500: keep it to a headline and say the rest in summary`},
	}, {
		name: "no kind and no kind other",
		src:  noOther,
		spec: NoteSpec{Title: "Визит", Date: day, Regions: []string{"beijing"}},
		want: []string{"kind: a kind is required: one of delegation, expo"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			s := src
			if tc.src != nil {
				s = tc.src
			}
			got, err := Scaffold(s, tc.spec)
			if err == nil {
				t.Fatalf("no error; wrote\n%s", got.Data)
			}
			var msgs []string
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var se *SpecError
				if !errors.As(e, &se) {
					t.Errorf("%v is not a *SpecError", e)
				}
				msgs = append(msgs, e.Error())
			}
			if !slices.Equal(msgs, tc.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(tc.want, "\n"))
			}
			if strings.HasPrefix(tc.want[0], "regions: at least") && !errors.Is(err, ErrNoRegion) {
				t.Errorf("errors.Is(%v, ErrNoRegion) = false", err)
			}
		})
	}
}

func TestNotesAt(t *testing.T) {
	fsys := site(map[string]string{
		// Found by its explicit slug, in any folder.
		"content/misc/renamed.md": "---\ntitle: A\ndate: 2025-01-02\nkind: expo\nregions: [beijing]\nslug: forum\n---\n",
		// Found by its file name, though it has other problems.
		"content/2025/forum.md": "---\ntitle: B\ndate: 2025-05-05\nkind: фестиваль\nregions: [Марс]\n---\n",
		// TOML with a bare date and an explicit slug.
		"content/2025/t.md": "+++\ntitle = \"C\"\ndate = 2025-06-01\nkind = \"expo\"\nregions = [\"beijing\"]\nslug = \"forum\"\n+++\n",
		// Front matter longer than what NotesAt reads first.
		"content/long.md": "\ufeff\n---\ntitle: G\nsummary: " + strings.Repeat("очень длинное резюме ", 300) + "\ndate: 2025-07-07\nslug: forum\n---\n",
		// Not at /2025/forum/: another year; another slug; a note that says
		// "forum" only in its body; a date that cannot be read.
		"content/2024/forum.md":   "---\ntitle: D\ndate: 2024-05-05\nkind: expo\nregions: [beijing]\n---\n",
		"content/2025/other.md":   "---\ntitle: E\ndate: 2025-05-05\nkind: expo\nregions: [beijing]\nslug: forum-2\n---\nforum\n",
		"content/2025/x/forum.md": "---\ntitle: F\ndate: когда-то\nkind: expo\nregions: [beijing]\n---\n",
		"content/2025/broken.md":  "---\ntitle: [\nslug: forum\n---\n",
	})
	got, err := NotesAt(fsys, "/2025/forum/")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"content/2025/forum.md", "content/2025/t.md", "content/long.md", "content/misc/renamed.md"}
	if !slices.Equal(got, want) {
		t.Errorf("NotesAt = %q, want %q", got, want)
	}
	if _, err := NotesAt(fsys, "/forum/"); err == nil {
		t.Error("NotesAt accepted a URL without a year")
	}
}

// TestSplitFrontMatter holds splitFrontMatter to what ParseNote finds with
// github.com/adrg/frontmatter.
func TestSplitFrontMatter(t *testing.T) {
	for _, data := range []string{
		"---\ntitle: A\n---\nТекст.\n",
		"\n \n---\ntitle: A\n---\n",
		"\ufeff+++\r\ntitle = \"A\"\r\n+++\r\nТело.\r\n",
		"---  \ntitle: A\n  ---\n",
		"---\ntitle: A\n+++\n---\n",
		"---\n---\n",
		"---\ntitle: A\n",
		"---",
		"title: A\n---\n",
		"",
	} {
		fm, format, ok := splitFrontMatter([]byte(data))
		var want raw
		_, err := frontmatter.Parse(strings.NewReader(strings.TrimPrefix(data, "\ufeff")), &want, formats...)
		if wantOK := err == nil && want.format != ""; ok != wantOK || format != want.format || string(fm) != string(want.data) {
			t.Errorf("splitFrontMatter(%q) = %q, %q, %v; frontmatter finds %q, %q, %v", data, fm, format, ok, want.data, want.format, wantOK)
		}
	}
}
