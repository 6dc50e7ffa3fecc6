package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coopdigest/digest/source"
)

// newSite makes a site folder with the settings and taxonomy the repository
// ships and the given files (slash-separated paths below the site folder).
func newSite(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"site.yaml", "taxonomy/regions.yaml", "taxonomy/sectors.yaml", "taxonomy/kinds.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", source.Dir, f))
		if err != nil {
			t.Fatal(err)
		}
		files[source.Dir+"/"+f] = string(data)
	}
	for name, text := range files {
		file := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestNew(t *testing.T) {
	const existing = "---\ntitle: Уже есть\ndate: 2025-03-17\nkind: visit\nregions: [moscow]\n---\n\nНе трогать.\n"
	for _, tc := range []struct {
		name  string
		files map[string]string // the site's notes before the run
		args  []string
		// On success: the file written, relative to the site, and what
		// the note holds.
		file              string
		title, kind, date string
		regions, sectors  []string
		wantErr           string // on failure: the message, with SITE/ for the site folder
		usage             bool   // on failure: whether it is a usageError that prints the usage
		unchanged         string // on failure: a file of files that must keep its content
	}{{
		name:    "Cyrillic title",
		args:    []string{"--date", "2025-03-17", "--kind", "Делегация", "--region", "Хабаровский край", "--region", "провинция Хэйлунцзян", "Хабаровская делегация посетила Харбин"},
		file:    "content/2025/khabarovskaia-delegatsiia-posetila-kharbin.md",
		title:   "Хабаровская делегация посетила Харбин",
		kind:    "delegation",
		date:    "2025-03-17",
		regions: []string{"khabarovsk-krai", "heilongjiang"},
	}, {
		name:    "ё in the title",
		args:    []string{"--date", "2024-09-01", "--region", "приморье", "--sector", "образование", "Учёные Приморья и Цзилиня объединят усилия"},
		file:    "content/2024/uchionye-primoria-i-tszilinia-obediniat-usiliia.md",
		title:   "Учёные Приморья и Цзилиня объединят усилия",
		kind:    "other",
		date:    "2024-09-01",
		regions: []string{"primorsky-krai"},
		sectors: []string{"education"},
	}, {
		name:    "colons and quotes in the title",
		args:    []string{"--date=2023-06-15", "--kind", "expo", "--region", "heilongjiang", `ЭКСПО: «Россия — Китай» и "Харбин-2023"`},
		file:    "content/2023/ekspo-rossiia-kitai-i-kharbin-2023.md",
		title:   `ЭКСПО: «Россия — Китай» и "Харбин-2023"`,
		kind:    "expo",
		date:    "2023-06-15",
		regions: []string{"heilongjiang"},
	}, {
		name:    "flags after the title, words without quotes",
		args:    []string{"Переговоры", "в", "Москве", "--region", "moscow", "--date", "2022-02-02", "--kind", "talks", "--region", "Пекин"},
		file:    "content/2022/peregovory-v-moskve.md",
		title:   "Переговоры в Москве",
		kind:    "talks",
		date:    "2022-02-02",
		regions: []string{"moscow", "beijing"},
	}, {
		name:    "a title that starts with a hyphen after --",
		args:    []string{"--region", "moscow", "--date", "2021-01-01", "--", "-30", "в", "Москве"},
		file:    "content/2021/30-v-moskve.md",
		title:   "-30 в Москве",
		kind:    "other",
		date:    "2021-01-01",
		regions: []string{"moscow"},
	}, {
		name:    "a city for a region",
		args:    []string{"--region", "Хабаровск", "Визит"},
		wantErr: `--region: unknown region "Хабаровск"; did you mean "Хабаровский край" (khabarovsk-krai)?`,
	}, {
		name:    "every bad name at once",
		args:    []string{"--region", "moscow", "--kind", "фестиваль", "--sector", "Торговл", "Визит"},
		wantErr: "--kind: unknown kind \"фестиваль\"\n--sector: unknown sector \"Торговл\"; did you mean \"Торговля\" (trade)?",
	}, {
		name:    "bad date",
		args:    []string{"--region", "moscow", "--date", "17.03.2025", "Визит"},
		wantErr: `--date: "17.03.2025" is not a date: use YYYY-MM-DD`,
	}, {
		name:    "month out of range",
		args:    []string{"--region", "moscow", "--date", "2025-13-01", "Визит"},
		wantErr: `--date: "2025-13-01" is not a date: use YYYY-MM-DD`,
	}, {
		// The zero day, which Scaffold would take for none given.
		name:    "the first day of year 1",
		args:    []string{"--region", "moscow", "--date", "0001-01-01", "Визит"},
		wantErr: `--date: 0001-01-01: year out of range (1900 to 2200)`,
	}, {
		name:    "missing region",
		args:    []string{"--kind", "visit", "Визит"},
		wantErr: "--region: at least one region is required",
		usage:   true,
	}, {
		name:    "missing title",
		args:    []string{"--region", "moscow"},
		wantErr: "a title is required: digest new [flags] TITLE",
		usage:   true,
	}, {
		name:      "an existing file is not overwritten",
		files:     map[string]string{"content/2025/vizit.md": existing},
		args:      []string{"--region", "beijing", "--date", "2025-05-05", "Визит"},
		wantErr:   "SITE/content/2025/vizit.md already exists; give another title or edit it",
		unchanged: "content/2025/vizit.md",
	}, {
		name:    "another note has the URL",
		files:   map[string]string{"content/notes/old.md": strings.Replace(existing, "---\n\n", "slug: vizit\n---\n\n", 1)},
		args:    []string{"--region", "beijing", "--date", "2025-05-05", "Визит"},
		wantErr: "SITE/content/notes/old.md already has the URL /2025/vizit/; give another title",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.files == nil {
				tc.files = map[string]string{}
			}
			site := newSite(t, tc.files)
			var stdout, stderr bytes.Buffer
			err := runNew(context.Background(), append([]string{"-s", site}, tc.args...), &stdout, &stderr)

			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("no error; wrote %s", stdout.String())
				}
				want := strings.ReplaceAll(tc.wantErr, "SITE/", site+string(filepath.Separator))
				if err.Error() != want {
					t.Errorf("error:\n%v\nwant:\n%s", err, want)
				}
				if tc.usage != strings.Contains(stderr.String(), "usage: digest new") {
					t.Errorf("usage printed = %v, want %v; stderr:\n%s", !tc.usage, tc.usage, stderr.String())
				}
				if tc.usage && !errors.As(err, new(usageError)) {
					t.Errorf("%v is not a usageError", err)
				}
				if stdout.Len() > 0 {
					t.Errorf("stdout: %q", stdout.String())
				}
				if tc.unchanged != "" {
					data, err := os.ReadFile(filepath.Join(site, tc.unchanged))
					if err != nil || string(data) != tc.files[tc.unchanged] {
						t.Errorf("%s changed: %q, %v", tc.unchanged, data, err)
					}
				}
				// Nothing new was written.
				if files, _ := source.NoteFiles(os.DirFS(site)); len(files) != len(tc.files)-4 {
					t.Errorf("notes after the run: %q", files)
				}
				return
			}

			if err != nil {
				t.Fatalf("runNew: %v\nstderr: %s", err, stderr.String())
			}
			file := filepath.Join(site, filepath.FromSlash(tc.file))
			if got := stdout.String(); got != file+"\n" {
				t.Errorf("stdout = %q, want %q", got, file+"\n")
			}
			// The site passes digest check with the new note in it.
			src, err := source.Load(os.DirFS(site))
			if err != nil {
				t.Fatalf("the site does not load: %v", err)
			}
			i := slices.IndexFunc(src.Notes, func(n *source.Note) bool { return n.File == tc.file })
			if i < 0 {
				t.Fatalf("no note %s among %d", tc.file, len(src.Notes))
			}
			n := src.Notes[i]
			if n.Title != tc.title || n.Kind != tc.kind || n.Date.Format(time.DateOnly) != tc.date ||
				!slices.Equal(n.Regions, tc.regions) || !slices.Equal(n.Sectors, tc.sectors) {
				t.Errorf("note: title %q kind %q date %s regions %q sectors %q\nwant: title %q kind %q date %s regions %q sectors %q",
					n.Title, n.Kind, n.Date.Format(time.DateOnly), n.Regions, n.Sectors,
					tc.title, tc.kind, tc.date, tc.regions, tc.sectors)
			}
		})
	}
}

// TestNewTwice runs the same command twice: the second run must refuse and
// leave the first note as the editor has changed it.
func TestNewTwice(t *testing.T) {
	site := newSite(t, map[string]string{})
	args := []string{"-s", site, "--region", "moscow", "Визит", "в", "Москву"}
	var out bytes.Buffer
	if err := runNew(context.Background(), args, &out, &out); err != nil {
		t.Fatal(err)
	}
	file := strings.TrimSpace(out.String())
	// The date defaults to today; around New Year's midnight the year may
	// turn during the run.
	year := func(t time.Time) string { return filepath.Join(site, "content", t.Format("2006"), "vizit-v-moskvu.md") }
	if file != year(time.Now()) && file != year(time.Now().Add(-time.Minute)) {
		t.Errorf("file = %q, want %q", file, year(time.Now()))
	}
	edited := []byte("---\ntitle: Визит в Москву\ndate: 2025-01-01\nkind: visit\nregions: [moscow]\n---\n\nПравка редактора.\n")
	if err := os.WriteFile(file, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	err := runNew(context.Background(), args, &out, &out)
	if err == nil || !strings.Contains(err.Error(), file+" already exists") {
		t.Errorf("second run: %v", err)
	}
	if data, _ := os.ReadFile(file); !bytes.Equal(data, edited) {
		t.Errorf("the note was overwritten:\n%s", data)
	}
}

// TestNewNotOutsideSite checks that digest new writes no note through a
// year's folder that is a link out of the site.
func TestNewNotOutsideSite(t *testing.T) {
	site := newSite(t, map[string]string{})
	elsewhere := t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(site, "content", "2025")); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := runNew(context.Background(), []string{"-s", site, "--region", "moscow", "--date", "2025-03-01", "Визит"}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "cannot write it inside the site folder") {
		t.Errorf("got %v, want a refusal", err)
	}
	if names, _ := os.ReadDir(elsewhere); len(names) > 0 {
		t.Errorf("wrote %s outside the site", names[0].Name())
	}
}
