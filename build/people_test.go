package build

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/coopdigest/digest/russian"
)

// TestPeople: names are matched as editors write them, in any letter case
// and with ё and е alike; a registry entry merges its spellings into one
// person with its slug and names; unregistered names are slugged by their
// transliteration, clashes told apart; each person's page lists their
// events with their role at each, and note pages link them.
func TestPeople(t *testing.T) {
	site := newSite(t)
	data, err := os.ReadFile(filepath.Join(site, "content", "site.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(site, "content", "site.yaml"), strings.Replace(string(data), "per_page: 2", "per_page: 10", 1))
	mustWrite(t, filepath.Join(site, "content", "taxonomy", "people.yaml"),
		"- slug: andrey-vorobyov\n  name: {ru: Андрей Воробьёв, en: Andrey Vorobyov, zh: 安德烈·沃罗比约夫}\n  aliases: [А. Ю. Воробьёв]\n")
	note := func(file, date, people string) {
		mustWrite(t, filepath.Join(site, "content", "2025", file),
			"---\ntitle: Встреча "+file+"\ndate: "+date+"\nkind: delegation\nregions: [beijing]\npeople:\n"+people+"---\n\nТекст.\n")
	}
	note("p1.md", "2025-01-10", "  - name: Андрей Воробьёв\n    role: губернатор\n  - name: Иван Петров\n")
	note("p2.md", "2025-02-10", "  - name: андрей воробьев\n    role: глава области\n  - name: ИВАН ПЕТРОВ\n    role: министр\n")
	note("p3.md", "2025-03-10", "  - name: А.Ю. Воробьёв\n  - name: Ivan Petrov\n")
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, out, false)
	read := func(p string) string {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	items := regexp.MustCompile(`<a class="note-title" href="([^"]+)"`)
	roles := regexp.MustCompile(`<p class="role-at"><span class="visually-hidden">Роль: </span>([^<]*)</p>`)
	for _, tc := range []struct {
		page  string
		name  string
		notes []string
		roles []string
	}{
		{"people/andrey-vorobyov/", "Андрей Воробьёв", []string{"/2025/p3/", "/2025/p2/", "/2025/p1/"}, []string{"глава области", "губернатор"}},
		{"people/ivan-petrov/", "Ivan Petrov", []string{"/2025/p3/"}, nil},
	} {
		page := read(tc.page + "index.html")
		if !strings.Contains(page, "<h1>"+tc.name+"</h1>") {
			t.Errorf("%s: not the page of %s", tc.page, tc.name)
		}
		var got []string
		for _, m := range items.FindAllStringSubmatch(page, -1) {
			got = append(got, m[1])
		}
		if !slices.Equal(got, tc.notes) {
			t.Errorf("%s lists %q, want %q", tc.page, got, tc.notes)
		}
		got = nil
		for _, m := range roles.FindAllStringSubmatch(page, -1) {
			got = append(got, m[1])
		}
		if !slices.Equal(got, tc.roles) {
			t.Errorf("%s: roles %q, want %q", tc.page, got, tc.roles)
		}
	}
	// "Ivan Petrov" is another spelling no registry merges: its own page.
	// Its slug clashes with Иван Петров's, which is told apart by a hash.
	dirs, err := os.ReadDir(filepath.Join(out, "people"))
	if err != nil {
		t.Fatal(err)
	}
	var petrovs []string
	for _, d := range dirs {
		if strings.HasPrefix(d.Name(), "ivan-petrov") {
			petrovs = append(petrovs, d.Name())
		}
	}
	if len(petrovs) != 2 || !regexp.MustCompile(`^ivan-petrov-[0-9a-f]{6}$`).MatchString(petrovs[1]) {
		t.Fatalf("the Petrovs' pages: %q, want ivan-petrov and ivan-petrov-<hash>", petrovs)
	}
	page := read("people/" + petrovs[1] + "/index.html")
	var got []string
	for _, m := range roles.FindAllStringSubmatch(page, -1) {
		got = append(got, m[1])
	}
	if !strings.Contains(page, "<h1>Иван Петров</h1>") || !slices.Equal(got, []string{"министр"}) {
		t.Errorf("%s: not Иван Петров's page with his role at p2: roles %q", petrovs[1], got)
	}
	if p := read("people/andrey-vorobyov/index.html"); !strings.Contains(p, `<span lang="en">Andrey Vorobyov</span>`) || !strings.Contains(p, "Иван Петров") {
		t.Error("the registered person's page lacks their English name or whom they met")
	}
	if p := read("2025/p3/index.html"); !strings.Contains(p, `<a class="person" href="/people/andrey-vorobyov/">А.Ю. Воробьёв</a>`) {
		t.Error("the note page does not link its person's page")
	}
	if p := read("people/index.html"); !strings.Contains(p, `<a href="/people/andrey-vorobyov/">Андрей Воробьёв</a> <span class="count">3</span>`) {
		t.Error("/people/ does not count Андрей Воробьёв's 3 events")
	}

	if d := read("data/events.json"); !strings.Contains(d, `"slug":"andrey-vorobyov","url":"https://digest.example.org/people/andrey-vorobyov/"`) {
		t.Error("the open data does not give the person's slug and page")
	}

	// Slugs stay when the order of notes and other names change.
	note("p0.md", "2026-01-10", "  - name: Ivan Petrov\n  - name: Иван Петров\n")
	out2 := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, out2, false)
	if _, err := os.Stat(filepath.Join(out2, "people", petrovs[1])); err != nil {
		t.Errorf("a slug changed with a new note: %v", err)
	}
}

// TestActorSlugsStable: an unregistered name's slug does not move when
// another spelling of it becomes the most written (ё for е), nor when a
// registry entry whose slug it would take is first named by a note.
func TestActorSlugsStable(t *testing.T) {
	site := newSite(t)
	mustWrite(t, filepath.Join(site, "content", "taxonomy", "organizations.yaml"),
		"- slug: rcgc\n  name: {ru: Гильдия коммерции}\n  aliases: [РКГК]\n")
	note := func(file, people, orgs string) {
		mustWrite(t, filepath.Join(site, "content", "2025", file),
			"---\ntitle: Встреча "+file+"\ndate: 2025-01-10\nkind: delegation\nregions: [beijing]\npeople: ["+people+"]\norganizations: ["+orgs+"]\n---\n\nТекст.\n")
	}
	dirs := func(out, kind string) []string {
		t.Helper()
		es, err := os.ReadDir(filepath.Join(out, kind))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range es {
			if e.IsDir() {
				names = append(names, e.Name())
			}
		}
		return names
	}
	// «Пётр Ёлкин» is written most, then «Петр Елкин»; «RCGC!» is
	// slugged rcgc, the slug of a registry entry no note names yet.
	note("e1.md", "Пётр Ёлкин", "RCGC!")
	note("e2.md", "Пётр Ёлкин", "RCGC!")
	note("e3.md", "Петр Елкин", "RCGC!")
	out1 := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, out1, false)
	if slices.Contains(dirs(out1, "organizations"), "rcgc") {
		t.Error("«RCGC!» took rcgc, the slug of a registry entry, which it would lose once a note names the entry")
	}
	note("e1.md", "Петр Елкин", "RCGC!")
	note("e2.md", "Петр Елкин", "РКГК")
	out2 := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, out2, false)
	for _, kind := range []string{"people", "organizations"} {
		before, after := dirs(out1, kind), dirs(out2, kind)
		for _, d := range before {
			if !slices.Contains(after, d) {
				t.Errorf("/%s/%s/ is gone after other spellings were saved: %q, then %q", kind, d, before, after)
			}
		}
	}
	if !slices.Contains(dirs(out2, "organizations"), "rcgc") {
		t.Error("the registry's rcgc has no page under its own slug")
	}
	// Two long names cut to one slug: the first keeps its page when a
	// note names the second, which sorts before it.
	const long = "Ассоциация предприятий внешнеэкономического сотрудничества провинции "
	note("e4.md", "Петр Елкин", long+"Хэнань")
	out3 := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, out3, false)
	note("e5.md", "Петр Елкин", long+"Аньхой")
	out4 := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, out4, false)
	before, after := dirs(out3, "organizations"), dirs(out4, "organizations")
	for _, d := range before {
		page := func(out string) string {
			b, _ := os.ReadFile(filepath.Join(out, "organizations", d, "index.html"))
			return string(b)
		}
		if strings.Contains(page(out3), "Хэнань") && !strings.Contains(page(out4), "Хэнань") {
			t.Errorf("/organizations/%s/, the page of the organization of Хэнань, is another's after a note named one of Аньхой", d)
		}
	}
	if len(after) != len(before)+1 {
		t.Errorf("organizations %q, then %q: want one more", before, after)
	}
}

// TestActorSlugsDistinct checks that a name written as another's slug
// with its hash does not share that actor's page.
func TestActorSlugsDistinct(t *testing.T) {
	site := newSite(t)
	hashed := "Ivan Petrov " + nameHash("n:"+russian.Fold("Иван Петров"))
	for i, name := range []string{"Иван Петров", "Ivan Petrov", hashed} {
		mustWrite(t, filepath.Join(site, "content", "2025", fmt.Sprintf("p%d.md", i)),
			fmt.Sprintf("---\ntitle: Встреча %d\ndate: 2025-01-1%d\nkind: delegation\nregions: [beijing]\npeople: [%s]\n---\n\nТекст.\n", i, i, name))
	}
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, out, false)
	files, err := filepath.Glob(filepath.Join(out, "people", "*", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{} // name → its page
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if h1 := regexp.MustCompile(`<h1>([^<]*)</h1>`).FindSubmatch(b); h1 != nil {
			pages[string(h1[1])] = f
		}
	}
	if a, b, c := pages["Иван Петров"], pages["Ivan Petrov"], pages[hashed]; a == "" || b == "" || c == "" || a == b || a == c || b == c {
		t.Errorf("the three people's pages: %q, %q and %q", a, b, c)
	}
}
