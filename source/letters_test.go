package source

import (
	"strings"
	"testing"
)

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
