package source

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/coopdigest/digest/russian"
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
		// A first letter, or any letter of a short word, makes another name.
		{"Владимир Зотов", "Владимир Котов", ""},
		{"Дэн Вэй", "Фэн Вэй", ""},
		{"Дэн Вэй", "Дэн Мэй", ""},
		{"Е Линь", "Се Линь", ""},
		{"Сюй Цянцян", "Юй Цянцян", ""},
		{"Лу Вэнь", "Лю Вэнь", ""},
		{"Александр Носков", "Александр Носов", "differ by one letter"},
		{"Иван Петров", "Иван Петрова", "differ by one letter"},
		{"Ксения Ситникова", "Ксения Сотникова", "differ by one letter"},
		{"Ван Ли", "Ванли", "differ by one letter"}, // a space is no letter of a word
		// In Chinese names, any syllable changed, but for a soft sign.
		{"Цзинь Яньган", "Цзинь Яньфан", ""},
		{"Дин Сянчжэн", "Дин Сяочжэн", ""},
		{"Мэн Цзяньнин", "Мэн Цзяньцин", ""},
		{"Чэн Мэй", "Чэнь Мэй", "differ by one letter"},
		{"Цзэн Чуньюн", "Цзэн Чуньюнь", "differ by one letter"},
		{"Ли Чанъань", "Ли Чанъянь", ""}, // a ъ parts syllables here too
		{"Народное правительство провинции Хубэй", "Народное правительство провинции Хэбэй", ""},
		{"Отделение ККСМТ провинции Шаньси", "Отделение ККСМТ провинции Шэньси", ""},
		{"Отделение ККСМТ провинции Цзянси", "Отделение ККСМТ провинции Цзянсу", ""},
	} {
		a, b := russian.Fold(tc.a), russian.Fold(tc.b)
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
		{File: "content/2024/c.md", People: []Person{{Name: "Андрей Воробев"}}, PeoplePos: []Pos{{7, 5}}},
	}}
	got := NameWarnings(src)
	want := []string{
		`content/2024/b.md: the person "И. Петров" and content/2024/a.md: "Иван Петров" differ by initials; if they are one, give people.yaml an entry`,
		`content/2024/b.md: the person "Иван Петрв" and content/2024/a.md: "Иван Петров" differ by one letter`,
		// A registered name misspelt is a second person unless the registry knows the spelling.
		`content/2024/c.md:7:5: the person "Андрей Воробев" and people.yaml's "Андрей Воробьёв" (andrey-vorobyov) differ by one letter; if they are one, add "Андрей Воробев" to the entry's aliases`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d warnings, want %d (registered names merged, organizations by more than a letter apart):\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("warning %d:\n%s\nwant it to begin\n%s", i, got[i], w)
		}
	}
}

// TestSimilarFindsEveryPair holds similar's indexes to comparing every
// pair of names, on names made to be alike: a few words, initials, and
// letters changed, added and taken away.
func TestSimilarFindsEveryPair(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"иван", "петров", "петрова", "петрв", "ли", "мин", "мэй", "ооо", "ао", "технополис", "москва", "и", "п", "а", "ю"}
	for round := range 20 {
		names, entries, shown := map[string]string{}, map[string]string{}, map[string]string{}
		for i := range 150 {
			var w []string
			for range 1 + rng.IntN(3) {
				w = append(w, words[rng.IntN(len(words))])
			}
			f := strings.Join(w, " ")
			if rng.IntN(4) == 0 { // a letter changed, added or taken away
				r := []rune(f)
				i := rng.IntN(len(r))
				switch rng.IntN(3) {
				case 0:
					r[i] = 'х'
				case 1:
					r = slices.Insert(r, i, 'х')
				default:
					r = slices.Delete(r, i, i+1)
				}
				f = strings.TrimSpace(string(r))
			}
			switch {
			case f == "" || names[f] != "" || entries[f] != "":
			case i%5 == 0: // a registry's name
				entries[f], shown[f] = "slug", f
			default:
				names[f], shown[f] = "content/a.md", f
			}
		}
		var want []string
		for a := range shown {
			for b := range shown {
				noted := names[a] != "" || names[b] != ""
				if a < b && noted && shareWord(nameWords(a), nameWords(b)) && alike(a, b) != "" {
					want = append(want, a+" | "+b)
				}
			}
		}
		var got []string
		for _, w := range similar("people", names, entries, shown) {
			// content/a.md: the person "A" and content/a.md: "B" differ …,
			// or … "A" and people.yaml's "B" (slug) differ …
			parts := strings.Split(w, `"`)
			a, b := parts[1], parts[3]
			if b < a {
				a, b = b, a
			}
			got = append(got, a+" | "+b)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: similar found\n%s\nevery pair compared finds\n%s", round, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

func TestOneEdit(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"петров", "петрв", true},
		{"петров", "петрова", true},
		{"петров", "пётров", true},
		{"ab", "ba", false},
		{"aa", "aaa", true},
		{"иван", "иван петров", false}, // a prefix is no letter's difference
		{"мин", "мин", false},
		{"", "x", true},
	} {
		if got := oneEdit(tc.a, tc.b); got != tc.want {
			t.Errorf("oneEdit(%q, %q) = %v", tc.a, tc.b, got)
		}
		if got := oneEdit(tc.b, tc.a); got != tc.want {
			t.Errorf("oneEdit(%q, %q) = %v", tc.b, tc.a, got)
		}
	}
}
