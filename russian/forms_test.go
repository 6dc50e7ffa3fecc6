package russian

import (
	"slices"
	"testing"
)

func TestForms(t *testing.T) {
	for _, tt := range []struct {
		word, stem string
		has        []string // among the forms
	}{
		{"китай", "кита", []string{"китая", "китаю", "китае"}},
		{"музее", "муз", []string{"музей", "музея", "музеем"}},
		{"абрамов", "абрам", []string{"абрамова", "абрамовым"}},
		{"абрамовым", "абрамов", []string{"абрамов", "абрамова"}},
		{"время", "врем", []string{"времени", "временем"}},
		{"времени", "времен", []string{"время"}},
	} {
		forms := Forms(tt.word, tt.stem)
		for _, f := range tt.has {
			if !slices.Contains(forms, f) {
				t.Errorf("Forms(%q, %q) lacks %q: %q", tt.word, tt.stem, f, forms)
			}
		}
	}
}

func TestFleetingVowel(t *testing.T) {
	for stem, want := range map[string][]string{
		"выставк":  {"выставок", "выставек"},
		"выставок": {"выставк"},
		"уровн":    {"уровон", "уровен"},
		"отц":      {"отоц", "отец"},
		"делегац":  nil, // a vowel before the ц: none comes or goes
		"дом":      nil,
	} {
		if got := FleetingVowel(stem); !slices.Equal(got, want) {
			t.Errorf("FleetingVowel(%q) = %q, want %q", stem, got, want)
		}
	}
}

func TestAdjectives(t *testing.T) {
	for _, tt := range []struct {
		word, stem string
		want       string // among the stems; "" for none at all
	}{
		{"побратимы", "побратим", "побратимск"},
		{"харбин", "харбин", "харбинск"},
		{"урал", "урал", "уральск"},
		{"китай", "кита", "китайск"},
		{"россия", "росси", "российск"},
		{"хэйлунцзян", "хэйлунцзя", "хэйлунцзянск"},
		{"цзилинь", "цзилин", "цзилиньск"},
		{"экономика", "экономик", "экономическ"},
		{"куры", "кур", ""},
		{"harbin", "harbin", ""},
	} {
		got := Adjectives(tt.word, tt.stem)
		if tt.want == "" && got != nil || tt.want != "" && !slices.Contains(got, tt.want) {
			t.Errorf("Adjectives(%q, %q) = %q, want %q among them", tt.word, tt.stem, got, tt.want)
		}
	}
}
