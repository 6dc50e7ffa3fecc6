package russian

import "testing"

func TestUnabbreviated(t *testing.T) {
	for w, want := range map[string]string{
		"обл.": "область", "Обл": "область", "кр.": "край", "респ.": "республика", "пров.": "провинция",
		"р-н": "район", "область": "область", "обл..": "обл..", "облако": "облако", "г.": "г.", "": "",
	} {
		if got := Unabbreviated(w); got != want {
			t.Errorf("Unabbreviated(%q) = %q, want %q", w, got, want)
		}
	}
}
