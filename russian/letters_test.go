package russian

import "testing"

func TestUnmixed(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Хабаровск и Пекин", "Хабаровск и Пекин"},
		// Latin letters in a Cyrillic word, and Cyrillic in a Latin one.
		{"Xабаровск и Пекинe", "Хабаровск и Пекине"},
		{"Huawеi, ТЕХНОПАРК", "Huawei, ТЕХНОПАРК"},
		{"КOНГРЕСС-ХOЛЛ 2024", "КОНГРЕСС-ХОЛЛ 2024"},
		// The fewer are the slips, where either could be.
		{"Сoca-Cola, Pеpsi, PEPSI", "Coca-Cola, Pepsi, PEPSI"},
		// Letters of both scripts that look like none of the other's.
		{"ТехноPark, iPhone, Ту-154", "ТехноPark, iPhone, Ту-154"},
		{"5G и 4К, COVID-19", "5G и 4К, COVID-19"},
		{"广东Guangdоng", "广东Guangdong"},
		// Not text: left as it is.
		{"\xd0X\xd1", "\xd0X\xd1"},
	} {
		if got := Unmixed(tc.in); got != tc.want {
			t.Errorf("Unmixed(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func BenchmarkUnmixed(b *testing.B) {
	text := "Делегация Хабаровского края провела переговоры в Пекине с компанией Huawei. "
	for range 6 {
		text += text
	}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Unmixed(text)
	}
}

func TestInvisible(t *testing.T) {
	for _, r := range Invisibles {
		if !Invisible(r) {
			t.Errorf("Invisible(%U) = false", r)
		}
	}
	for _, r := range "аA 1-\u00a0\u2011\u0301" {
		if Invisible(r) {
			t.Errorf("Invisible(%U) = true", r)
		}
	}
	if got := Fold("Собя\u200bнин \u00adСергей\ufeff"); got != "собянин сергей" {
		t.Errorf("Fold = %q", got)
	}
}
