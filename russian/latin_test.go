package russian

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

func TestLatin(t *testing.T) {
	for _, tt := range []struct {
		name string
		want []string
	}{
		{"Фёдор Лазарев", []string{"fyodor lazarev", "fedor lazarev"}},
		{"Дмитрий Демешин", []string{"dmitriy demeshin", "dmitry demeshin", "dmitri demeshin"}},
		{"Екатерина Маркова", []string{"yekaterina markova", "ekaterina markova"}},
		{"Мария Ильина", []string{"mariya ilyina", "maria ilina"}},
		{"Андрей Юрьевич Воробьёв", []string{"andrey yuryevich vorobyov", "andrei yurevich vorobev"}},
		{"Александр Хрущёв", []string{"aleksandr khrushchov", "alexandr khrushchev"}},
		{"Алексей Савельев", []string{"aleksey savelyev", "alexei savelev"}},
		{"Валентина Матвиенко", []string{"valentina matviyenko", "valentina matvienko"}},
		{"Евгений Цой", []string{"yevgeniy tsoy", "evgeny tsoi", "evgeni tsoi"}},
		{"Наталья Ковальчук", []string{"natalya kovalchuk"}},
		{"А. Ю. Воробьёв", []string{"a. yu. vorobyov", "a. yu. vorobev"}},
		// A town on a river, as English texts write it.
		{"Ростов-на-Дону", []string{"rostov-na-donu", "rostov-on-don"}},
		{"Комсомольск-на-Амуре", []string{"komsomolsk-na-amure", "komsomolsk-on-amur"}},
		{"Славянск-на-Кубани", []string{"slavyansk-na-kubani", "slavyansk-on-kuban"}},
		{"Ставрополь-на-Волге", []string{"stavropol-na-volge", "stavropol-on-volga"}},
		{"Николаевск-на-Амуре", []string{"nikolayevsk-na-amure", "nikolaevsk-on-amur"}},
		{"Франкфурт-на-Майне", []string{"frankfurt-na-mayne", "frankfurt-on-main"}},
		{"Благовещенск", []string{"blagoveshchensk"}},
		{"Сыктывкар", []string{"syktyvkar"}},
		// A given name whose ё is written е.
		{"Федор Петрович Ковалев", []string{"fyodor petrovich kovalev", "fedor petrovich kovalev"}},
		{"Петр Семенов", []string{"pyotr semenov", "petr semenov"}},
		// Letters read as search reads them: decomposed, stressed, with a
		// Latin look-alike or a character of no width.
		{"Федо\u0301р Ле\u0308вин", []string{"fyodor lyovin", "fedor levin"}},
		{"Coбянин", []string{"sobyanin"}},
		{"Соб\u200bянин", []string{"sobyanin"}},
		{"ИВАН ПЕТРОВ", []string{"ivan petrov"}},
		// Not Russian letters, or none.
		{"John Smith", nil},
		{"ТехноPark", nil},
		{"Мирослав Кравчук-Їжак", nil},
		{"习近平", nil},
		{"", nil},
		{"1990 — 2000", nil},
	} {
		if got := Latin(tt.name); !slices.Equal(got, tt.want) {
			t.Errorf("Latin(%q) = %q, want %q", tt.name, got, tt.want)
		}
		if n := len(Latin(tt.name)); n > LatinSpellings {
			t.Errorf("Latin(%q) gives %d spellings, more than LatinSpellings", tt.name, n)
		}
	}
}

// FuzzLatin checks that whatever a name holds, Latin writes no Russian
// letter and gives at most LatinSpellings spellings, each once.
func FuzzLatin(f *testing.F) {
	for _, s := range []string{"Фёдор Лазарев", "Дмитрий", "Мария-Ия", "ий", "Ъь", "А.Ю. Воробьёв", "Федор\u200b Петр"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		out := Latin(name)
		if len(out) > LatinSpellings {
			t.Fatalf("Latin(%q) = %q: more than %d spellings", name, out, LatinSpellings)
		}
		for i, s := range out {
			if strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) && unicode.IsLetter(r) }) {
				t.Errorf("Latin(%q) = %q: a Cyrillic letter left", name, s)
			}
			if slices.Contains(out[:i], s) {
				t.Errorf("Latin(%q) = %q: a spelling twice", name, out)
			}
		}
	})
}

// TestCyrillic checks that the Russian spellings of a word in Latin letters
// have the word as the notes write it, and that words of other letters
// have none.
func TestCyrillic(t *testing.T) {
	for _, tt := range []struct {
		latin string
		want  string // "": no spellings
	}{
		{"demeshin", "демешин"},
		{"harbin", "харбин"},
		{"khabarovsk", "хабаровск"},
		{"blagoveshchensk", "благовещенск"},
		{"fyodor", "фёдор"},
		{"lazarev", "лазарев"},
		{"sergey", "сергей"},
		{"dmitriy", "дмитрий"},
		{"yekaterinburg", "екатеринбург"},
		{"ekaterinburg", "екатеринбург"},
		{"maria", "мария"},
		{"yakutsk", "якутск"},
		{"mikhail", "михаил"},
		{"rosatom", "росатом"},
		{"sberbank", "сбербанк"},
		{"energy", "энерги"},
		{"alexei", "алексей"},
		{"tsvetkov", "цветков"},
		{"expo", "экспо"},
		{"komsomolsk", "комсомольск"},
		{"olga", "ольга"},
		{"tatyana", "татьяна"},
		{"ulyanovsk", "ульяновск"},
		{"ilyushin", "ильюшин"},
		{"dom", ""},       // too short to tell
		{"харбин", ""},    // no Latin letters
		{"harbin2", ""},   // a digit
		{"hong-kong", ""}, // a hyphen: its parts are words
		{strings.Repeat("e", 25), ""},
	} {
		got := Cyrillic(tt.latin)
		if tt.want == "" {
			if got != nil {
				t.Errorf("Cyrillic(%q) = %q, want none", tt.latin, got)
			}
			continue
		}
		if !slices.Contains(got, tt.want) {
			t.Errorf("Cyrillic(%q) = %q, want %q among them", tt.latin, got, tt.want)
		}
		if len(got) > MaxCyrillic {
			t.Errorf("Cyrillic(%q): %d spellings, more than %d", tt.latin, len(got), MaxCyrillic)
		}
	}
	// Every letter of an ambiguous word: the most spellings, no more.
	if got := Cyrillic("eieieieieieie"); len(got) != MaxCyrillic {
		t.Errorf("Cyrillic(eieieieieieie): %d spellings, want %d", len(got), MaxCyrillic)
	}
}
