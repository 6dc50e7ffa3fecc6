package source

import (
	"strings"
	"testing"
)

func TestAlike(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want string
	}{
		{"Андрей Воробьёв", "Андрей Воробьев", ""}, // one name once folded: never compared
		{"А.Ю. Воробьев", "А. Ю. Воробьев", ""},    // initials however spaced: one name
		{"Андрей Воробьев", "Андрей Воробъев", "differ by one letter"},
		{"А. Ю. Воробьев", "Андрей Воробьев", "differ by initials"},
		{"А. Воробьев", "Андрей Юрьевич Воробьев", "differ by initials"},
		{"Андрей Ю. Воробьев", "Андрей Юрьевич Воробьев", "differ by initials"},
		{"Б. Воробьев", "Андрей Воробьев", ""},
		{"Андрей Воробьев", "Андрей Петров", ""},
		{"Ли Мин", "Ли Мэй", ""},
		{"Ли Мин", "Ли Мин", ""},
	} {
		a, b := Fold(tc.a), Fold(tc.b)
		got := ""
		if a != b {
			got = alike(a, b)
		}
		if got != tc.want {
			t.Errorf("alike(%q, %q) = %q, want %q", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestNameWarnings(t *testing.T) {
	people, err := parseTaxonomy("content/taxonomy/people.yaml", "people", []byte(
		"- slug: andrey-vorobyov\n  name: {ru: Андрей Воробьёв, en: Andrey Vorobyov}\n  aliases: [А. Ю. Воробьёв]\n"))
	if err != nil {
		t.Fatal(err)
	}
	orgs := &Taxonomy{Kind: "organizations", index: map[string]*Term{}}
	src := &Site{Taxonomies: Taxonomies{People: people, Organizations: orgs}, Notes: []*Note{
		{File: "content/2024/a.md", People: []Person{{Name: "Андрей Воробьев"}, {Name: "Иван Петров"}}, Organizations: []string{"Технополис Москва"}},
		{File: "content/2024/b.md", People: []Person{{Name: "А.Ю. Воробьёв"}, {Name: "И. Петров"}, {Name: "Иван Петрв"}}, Organizations: []string{"Технополис «Москва»"}},
	}}
	got := NameWarnings(src)
	want := []string{
		`content/2024/b.md: the person "И. Петров" and content/2024/a.md: "Иван Петров" differ by initials; if they are one, give people.yaml an entry`,
		`content/2024/b.md: the person "Иван Петрв" and content/2024/a.md: "Иван Петров" differ by one letter`,
	}
	if len(got) != 2 {
		t.Fatalf("got %d warnings, want 2 (registered names merged, organizations by more than a letter apart):\n%s", len(got), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("warning %d:\n%s\nwant it to begin\n%s", i, got[i], w)
		}
	}
}
