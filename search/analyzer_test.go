package search

import (
	"slices"
	"testing"
	"unicode/utf8"
)

func terms(t *testing.T, s string) []string {
	t.Helper()
	a, err := newAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tok := range a.Analyze([]byte(s)) {
		out = append(out, string(tok.Term))
	}
	return out
}

func TestAnalyzer(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"выставке", []string{"выставк"}},
		{"Выставки", []string{"выставк"}},
		{"мостов моста", []string{"мост", "мост"}},
		{"Ёлочных елочных", []string{"елочн", "елочн"}},
		{"Хабаровского края", []string{"хабаровск", "кра"}},
		{"Guangdong Province", []string{"guangdong", "province"}},
		{"广东省", []string{"广东", "东省"}},
		{"广", []string{"广"}},
		{"в Гуандуне 广东", []string{"гуандун", "广东"}},
		{"ＡＢＣ", []string{"abc"}},
		{"до́ма", []string{"дом"}},
		{"Российско-Китайскому", []string{"российск", "китайск"}},
		{"2025 года", []string{"2025", "год"}},
		{"", nil},
		{"!!! — …", nil},
	}
	for _, tt := range tests {
		if got := terms(t, tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("analyze %q = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAnalyzerOffsets(t *testing.T) {
	a, err := newAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	in := "Ёлка в Харбине и 广东省"
	toks := a.Analyze([]byte(in))
	var got []string
	var pos []int
	for _, tok := range toks {
		got = append(got, in[tok.Start:tok.End])
		pos = append(pos, tok.Position)
	}
	if want := []string{"Ёлка", "Харбине", "广东", "东省"}; !slices.Equal(got, want) {
		t.Errorf("spans %q, want %q", got, want)
	}
	// Stop words keep their place: в is 2, и is 4.
	if want := []int{1, 3, 5, 6}; !slices.Equal(pos, want) {
		t.Errorf("positions %v, want %v", pos, want)
	}
}

func TestDecode(t *testing.T) {
	for i := 0; i < 1<<16; i++ {
		b := []byte{byte(i >> 8), byte(i), 'x'}
		r, n := decode(b)
		wr, wn := utf8.DecodeRune(b)
		if r != wr || n != wn {
			t.Fatalf("decode(% x) = %U %d, want %U %d", b[:2], r, n, wr, wn)
		}
	}
}
