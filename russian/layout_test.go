package russian

import "testing"

func TestOtherLayout(t *testing.T) {
	for in, want := range map[string]string{
		"[f,fhjdcr":           "хабаровск",
		"Ljkbyf ,fhcrjuj":     "Долина барского",
		"Пгфтпвщтп":           "Guangdong",
		"\"[f,fhjdcr\" -vjcn": "\"хабаровск\" -мост",
		"`kjxrf":              "ёлочка",
		"2024 ~KRF":           "2024 ЁЛКА",
		"Хабаровск Harbin":    "Хабаровск Рфкишт",
		"вщтэе":               "don't",
	} {
		if got, ok := OtherLayout(in, func(string) bool { return false }); got != want || !ok {
			t.Errorf("OtherLayout(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	// Nor a letter alone, nor Russian whose keys type punctuation.
	for _, in := range []string{"", "2024", "Xабаровск", "16.03.2025 -", "V", "X ЭКСПО", "ёжик", "жжж", "Эра"} {
		if got, ok := OtherLayout(in, func(string) bool { return false }); ok {
			t.Errorf("OtherLayout(%q) = %q, true", in, got)
		}
	}
}
