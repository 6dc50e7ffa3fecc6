package russian

import (
	"slices"
	"strings"
	"testing"
)

func TestUnabbreviated(t *testing.T) {
	for q, want := range map[string]string{
		"Амурская обл.":    "Амурская область",
		"Амурской Обл":     "Амурской область",
		"Приморский кр.":   "Приморский край",
		"Хабаровский р-н":  "Хабаровский район",
		"респ. Бурятия":    "республика Бурятия",
		"пров. Хэйлунцзян": "провинция Хэйлунцзян",
		"Кр. Армии":        "Кр. Армии", // no word before
		"Бурятия респ.":    "Бурятия респ.",
		"обл.":             "обл.",
		"облако обл..":     "облако обл..",
		"г. Хабаровск":     "Хабаровск",
		"в г. Харбине":     "в Харбине",
		"г харбин":         "харбин",
		"Г. Иванов":        "Г. Иванов", // an initial, maybe
		"2024 г.":          "2024 г.",   // a year's (dates.YearsAlone)
		"г.":               "г.",
		"г.Харбин":         "Харбин",
		"в г.Харбине":      "в Харбине",
		"Г.Харбин":         "Г. Харбин", // an initial, maybe
		"пров.Хэйлунцзян":  "провинция Хэйлунцзян",
		"респ.Бурятия":     "республика Бурятия",
		"обл.Амурская":     "обл.Амурская", // a short form that comes after a word
		"г.2024":           "г.2024",
		"т.е.":             "т.е.",
		"":                 "",
	} {
		if got := strings.Join(Unabbreviated(strings.Fields(q)), " "); got != want {
			t.Errorf("Unabbreviated(%q) = %q, want %q", q, got, want)
		}
	}
	if got := Unabbreviated(nil); !slices.Equal(got, nil) {
		t.Errorf("Unabbreviated(nil) = %q", got)
	}
}
