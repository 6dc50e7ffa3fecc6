package source

import (
	"strings"
	"testing"
)

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

func TestScriptWarnings(t *testing.T) {
	const head = "---\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\n"
	many := strings.Repeat("Пекинe ", maxMixedWarnings+2)
	src, err := Load(site(map[string]string{
		"content/2025/a.md": head + "title: Делегация из Xабаровска\n---\n\nВстреча с Huawеi и ТехноPark.\n",
		"content/2025/b.md": head + "title: Т\n---\n\n" + many + "\n",
		"content/2025/c.md": head + "title: Хабаровск, Huawei, COVID-19\n---\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(ScriptWarnings(src), "\n")
	for _, want := range []string{
		`content/2025/a.md:5:21: "Xабаровска" has the Latin letter X among Cyrillic ones, which look alike: search reads it as "Хабаровска", but a copy of it, or a screen reader, does not; write it in one script`,
		`content/2025/a.md:8:11: "Huawеi" has the Cyrillic letter е among Latin ones`,
		`content/2025/b.md:8:29: "Пекинe" has the Latin letter e among Cyrillic ones`,
		"(and 2 more such words in this note)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings lack %s; they are:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "\n") + 1; n != 2+maxMixedWarnings {
		t.Errorf("%d warnings, want %d:\n%s", n, 2+maxMixedWarnings, got)
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
