package source

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coopdigest/digest/russian"
)

// site is a small valid site source; tests add notes to it.
func site(notes map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"content/site.yaml": {Data: []byte("title: \"Тест: дайджест\"\nbase_url: https://example.org\nper_page: 2\n")},
		"content/taxonomy/regions.yaml": {Data: []byte(`- slug: khabarovsk-krai
  country: RU
  group: far-eastern
  name: {ru: Хабаровский край, en: Khabarovsk Krai, zh: 哈巴罗夫斯克边疆区}
  aliases: [Khabarovsk Territory]
- slug: moscow-oblast
  country: RU
  name: {ru: Московская область, en: Moscow Oblast, zh: 莫斯科州}
  aliases: [Подмосковье]
- slug: guangdong
  country: CN
  name: {ru: Гуандун, en: Guangdong, zh: 广东}
  aliases: [провинция Гуандун, Guangdong Province, 广东省]
- slug: beijing
  country: CN
  name: {ru: Пекин, en: Beijing, zh: 北京}
`)},
		"content/taxonomy/sectors.yaml": {Data: []byte(`- slug: trade
  name: {ru: Торговля, en: Trade, zh: 贸易}
- slug: education
  name: {ru: Образование, en: Education, zh: 教育}
  aliases: [образовательные обмены]
`)},
		"content/taxonomy/kinds.yaml": {Data: []byte(`- slug: delegation
  name: {ru: Делегация, en: Delegation, zh: 代表团}
- slug: expo
  name: {ru: Выставка, en: Expo, zh: 博览会}
  aliases: [ЭКСПО]
`)},
	}
	for name, text := range notes {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

func TestLoadValid(t *testing.T) {
	src, err := Load(site(map[string]string{
		"content/2025/khabarovsk.md": "---\ntitle: Делегация\ndate: 2025-03-17\nend: 2025-03-18\nkind: Делегация\nregions: [KHABAROVSK-KRAI, Пекин, пекин]\nsectors: [Образовательные обмены]\npeople:\n  - name: Сергей Абрамов\n    role: глава делегации\n  - Андрей Поваляев\nsources:\n  - url: https://example.org/1\n    publisher: Пресс-служба\n---\n\nТекст.\n",
		"content/2024/expo.md":       "\ufeff+++\r\ntitle = \"Выставка\"\r\ndate = 2024-05-17\r\nkind = \"экспо\"\r\nregions = [\"Гуандун\", \"подмосковье\"]\r\npeople.name = \"Иван Петров\"\r\npeople.role = \"гость\"\r\n+++\r\nТело.\r\n",
		"content/2024/draft.md":      "---\ntitle: Черновик\ndate: 2024-01-01T10:00:00+03:00\nkind: expo\nregions: [guangdong]\ndraft: true\n---\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(src.Notes) != 3 || len(src.Published(false)) != 2 {
		t.Fatalf("got %d notes, %d published", len(src.Notes), len(src.Published(false)))
	}
	n := src.Notes[0]
	if n.URL() != "/2025/khabarovsk/" || n.Kind != "delegation" || strings.Join(n.Regions, ",") != "khabarovsk-krai,beijing" ||
		strings.Join(n.Sectors, ",") != "education" || len(n.People) != 2 || n.People[0].Role != "глава делегации" || n.People[1].Name != "Андрей Поваляев" {
		t.Errorf("note parsed as %+v", n)
	}
	if n.BodyLine != 16 {
		t.Errorf("body starts on line %d, want 16", n.BodyLine)
	}
	expo := src.Notes[1]
	// people.name = … is a dotted key: a person, as people: {name: …} is in YAML.
	if expo.Kind != "expo" || strings.Join(expo.Regions, ",") != "guangdong,moscow-oblast" || strings.TrimSpace(string(expo.Body)) != "Тело." ||
		len(expo.People) != 1 || expo.People[0] != (Person{Name: "Иван Петров", Role: "гость"}) {
		t.Errorf("TOML note with BOM and CRLF parsed as %+v", expo)
	}
	draft := src.Notes[2]
	if !draft.Draft || draft.Date.Format(time.RFC3339) != "2024-01-01T10:00:00+03:00" {
		t.Errorf("draft parsed as %+v", draft)
	}
	if src.Settings.Title != "Тест: дайджест" || src.Settings.BaseURL != "https://example.org/" || src.Settings.PerPage != 2 {
		t.Errorf("site parsed as %+v", src.Settings)
	}
}

// TestLoadProblems holds one case per class of bad note: each must be
// reported as path:line:col: message, every problem of every note at once.
func TestLoadProblems(t *testing.T) {
	const head = "---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\n"
	tests := []struct {
		name  string
		notes map[string]string
		want  []string
	}{
		{"unknown region", map[string]string{"content/a.md": "---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong, Хабаровск]\n---\n"},
			[]string{`content/a.md:5:22: unknown region "Хабаровск"; did you mean "Хабаровский край" (khabarovsk-krai)?`}},
		{"a place for a region", map[string]string{
			"content/taxonomy/places.yaml": "- slug: harbin\n  name: {ru: Харбин, en: Harbin}\n",
			"content/a.md":                 "---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: [harbin]\n---\n",
		}, []string{`content/a.md:5:11: unknown region "harbin": a place; name it in places, and the region around it here`}},
		{"unknown sector", map[string]string{"content/a.md": head + "sectors: [торговлz]\n---\n"},
			[]string{`content/a.md:6:11: unknown sector "торговлz"; did you mean "Торговля" (trade)?`}},
		{"unknown regions too short to suggest one", map[string]string{"content/a.md": "---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong, x, 5]\n---\n"},
			[]string{`content/a.md:5:22: unknown region "x"`, `content/a.md:5:25: unknown region "5"`}},
		{"unknown region after an item left out", map[string]string{"content/a.md": "---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: [{x: 1}, true, Марс]\n---\n"},
			[]string{`content/a.md:5:11: an item of regions must be a single value, not a mapping`, `content/a.md:5:19: regions: true is a yes/no value, not a name; list the names, or write "true" in quotes`, `content/a.md:5:25: unknown region "Марс"`}},
		{"a title that is a list", map[string]string{"content/a.md": "---\ntitle: [a, b]\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\n---\n"},
			[]string{`content/a.md:2:8: title must be a single value, not a list`}},
		{"unknown kind", map[string]string{"content/a.md": "---\ntitle: Т\ndate: 2025-03-17\nkind: visit\nregions: [guangdong]\n---\n"},
			[]string{`content/a.md:4:7: unknown kind "visit"`}},
		{"bad date", map[string]string{"content/a.md": "---\ntitle: Т\ndate: 2024-13-01\nkind: expo\nregions: [guangdong]\n---\n"},
			[]string{`content/a.md:3:7: date "2024-13-01": month out of range`}},
		{"not a date", map[string]string{"content/a.md": "---\ntitle: Т\ndate: 17.03.2025\nkind: expo\nregions: [guangdong]\n---\n"},
			[]string{`content/a.md:3:7: date "17.03.2025": use YYYY-MM-DD or RFC 3339 (2025-03-17T10:00:00+03:00)`}},
		{"missing date", map[string]string{"content/a.md": "---\ntitle: Т\nkind: expo\nregions: [guangdong]\n---\n"},
			[]string{`content/a.md:1:1: missing required field "date"`}},
		{"end before date", map[string]string{"content/a.md": head + "end: 2025-03-16\n---\n"},
			[]string{`content/a.md:6:6: end 2025-03-16 is before date 2025-03-17`}},
		{"end on the day before, a later instant", map[string]string{"content/a.md": "---\ntitle: Т\ndate: 2025-03-17T00:30:00+03:00\nkind: delegation\nregions: [guangdong]\nend: 2025-03-16T23:30:00-05:00\n---\n"},
			[]string{`content/a.md:6:6: end 2025-03-16 is before date 2025-03-17`}},
		{"end on the date's day, an earlier instant, with another problem", map[string]string{"content/a.md": "---\ntitle: Т\ndate: 2026-06-01T10:00:00+03:00\nkind: delegation\nregions: [guangdong]\nend: 2026-06-01T09:00:00+03:00\nsectors: [Марс]\n---\n"},
			[]string{`content/a.md:7:11: unknown sector "Марс"`}},
		{"control character escaped in YAML", map[string]string{"content/a.md": head + "summary: \"Bell\\aEnd\"\n---\n"},
			[]string{`content/a.md:6:10: control character U+0007 in the value: remove it`}},
		{"control character escaped in TOML", map[string]string{"content/a.md": "+++\ntitle = \"Т\\u0000\"\ndate = 2025-03-17\nkind = \"delegation\"\nregions = [\"guangdong\"]\n+++\n"},
			[]string{`content/a.md:2:9: control character U+0000 in the value: remove it`}},
		{"control character in the text", map[string]string{"content/a.md": head + "---\n\nПервая строка.\nВторая \x01 строка.\n"},
			[]string{`content/a.md:9:8: control character U+0001 in the text: remove it`}},
		{"C1 control character in the text", map[string]string{"content/a.md": head + "---\nТекст\u0085.\n"},
			[]string{`content/a.md:7:6: control character U+0085 in the text: remove it`}},
		{"a bidi override escaped in YAML", map[string]string{"content/a.md": head + "summary: \"Цена: \\u202E0001\"\n---\n"},
			[]string{`content/a.md:6:10: bidi control character U+202E in the value: pages would show the text after it reversed; remove it`}},
		{"a bidi isolate raw in TOML", map[string]string{"content/a.md": "+++\ntitle = \"Т\u2067x\"\ndate = 2025-03-17\nkind = \"delegation\"\nregions = [\"guangdong\"]\n+++\n"},
			[]string{`content/a.md:2:9: bidi control character U+2067 in the value: pages would show the text after it reversed; remove it`}},
		{"a bidi embedding in a person's name", map[string]string{"content/a.md": head + "people:\n  - name: Иван \u202Aвонави\n---\n"},
			[]string{`content/a.md:7:11: bidi control character U+202A in the value: pages would show the text after it reversed; remove it`}},
		{"a bidi override written as a character reference", map[string]string{"content/a.md": head + "---\nЦена: &amp; &#x; &#99999999; &#x202E;0001 ₽ &#7;.\n"},
			[]string{`content/a.md:7:30: bidi control character U+202E in the text (written &#x202E;): pages would show the text after it reversed; remove it`}},
		{"a control character written as a character reference", map[string]string{"content/a.md": head + "---\nЗвонок&#7;.\n"},
			[]string{`content/a.md:7:7: control character U+0007 in the text (written &#7;): remove it`}},
		{"character references that are no controls", map[string]string{"content/a.md": head + "sectors: [Марс]\n---\n&#x41; &#8207; &#x200e; &#1099;\n"},
			[]string{`content/a.md:6:11: unknown sector "Марс"`}},
		{"a bidi control in the text", map[string]string{"content/a.md": head + "---\nТекст \u2066так\u2069.\n"},
			[]string{`content/a.md:7:7: bidi control character U+2066 in the text: pages would show the text after it reversed; remove it`}},
		{"a bidi control in a taxonomy name", map[string]string{"content/taxonomy/sectors.yaml": "- slug: trade\n  name: {ru: \"Торговля\u202D\"}\n"},
			[]string{`content/taxonomy/sectors.yaml:2:14: bidi control character U+202D in the value: pages would show the text after it reversed; remove it`}},
		{"bidi marks, which turn nothing", map[string]string{"content/a.md": "---\ntitle: Т\u200E\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\nsummary: \"\u200Fx\"\nsectors: [Марс]\n---\nТекст\u200E\u200F.\n"},
			[]string{`content/a.md:7:11: unknown sector "Марс"`}},
		{"a YAML tag", map[string]string{"content/a.md": head + "summary: !!binary 0J/RgNC40LLQtdGC\n---\n"},
			[]string{`content/a.md:6:10: YAML tag !!binary: tags are not read; write the value as text`}},
		{"a value that starts with & (an anchor)", map[string]string{"content/a.md": head + "summary: &NEW визит\npeople:\n  - &p Иван Иванов\n  - *p\n---\n"},
			[]string{`content/a.md:6:10: &NEW is a YAML anchor, not text, and no *NEW repeats it: the value reads "визит"; put the whole value in quotes`}},
		{"an anchor of a list no alias repeats", map[string]string{"content/a.md": head + "places: &x\n  - Харбин\n---\n"},
			[]string{`content/a.md:6:9: &x is a YAML anchor that no *x repeats: remove it`}},
		{"too many people", map[string]string{"content/a.md": head + "people: [" + strings.Repeat("Пётр Петров, ", 200) + "Иван Иванов]\n---\n"},
			[]string{`content/a.md:6:9: people: 201 entries, more than the 200 a note may list`}},
		{"a yes/no value for people", map[string]string{"content/a.md": head + "people: true\n---\n"},
			[]string{`content/a.md:6:9: people: true is a yes/no value, not a name; list the names, or write "true" in quotes`}},
		{"a yes/no value in a list, through yaml.v3", map[string]string{"content/a.md": head + "organizations:\n  - Совет # c\n  - {x: 1}\n  - FALSE\nplaces: ['true']\n---\n"},
			[]string{`content/a.md:8:5: an item of organizations must be a single value, not a mapping`, `content/a.md:9:5: organizations: FALSE is a yes/no value, not a name; list the names, or write "FALSE" in quotes`}},
		{"a yes/no value for a person in TOML", map[string]string{"content/a.md": "+++\ntitle = \"Т\"\ndate = 2025-03-17\nkind = \"delegation\"\nregions = [\"guangdong\"]\npeople = [\"Пётр\", false]\n+++\n"},
			[]string{`content/a.md:6:19: people: false is a yes/no value, not a name; list the names, or write "false" in quotes`}},
		{"missing required fields", map[string]string{"content/a.md": "---\ntitle: Т\n---\n"},
			[]string{`content/a.md:1:1: missing required field "date"`, `content/a.md:1:1: missing required field "kind"`, `content/a.md:1:1: missing required field "regions"`}},
		{"a blank region and a blank person", map[string]string{"content/a.md": "---\ntitle: Т\ndate: 2025-03-17\nkind: expo\nregions: [\"\"]\npeople: [Иван Иванов, \" \"]\n---\n"},
			[]string{`content/a.md:5:11: an item of regions is empty: remove it, or write the name`, `content/a.md:6:23: an item of people is empty: remove it, or write the name`}},
		{"a region's name in decomposed letters", map[string]string{"content/a.md": "---\ntitle: Т\ndate: 2025-03-17\nkind: expo\nregions: [Хабаровский край]\nsectors: [Марс]\n---\n"},
			[]string{`content/a.md:6:11: unknown sector "Марс"`}},
		{"a blank draft", map[string]string{"content/a.md": head + "draft:\n---\n"},
			[]string{`content/a.md:6:7: draft is empty: write true, or false to publish the note`}},
		{"empty regions", map[string]string{"content/a.md": "---\ntitle: Т\ndate: 2025-03-17\nkind: expo\nregions: []\n---\n"},
			[]string{`content/a.md:5:10: regions is empty: name at least one region`}},
		{"unknown field", map[string]string{"content/a.md": head + "sector: [trade]\n---\n"},
			[]string{`content/a.md:6:1: unknown field "sector"; did you mean "sectors"?`}},
		{"unknown fields as TOML dotted keys", map[string]string{"content/a.md": "+++\ntitle = \"Т\"\ndate = 2025-03-17\nkind = \"delegation\"\nregions = [\"guangdong\"]\nfoo.bar = 1\nsector.x = \"trade\"\n[\"draf\".y]\nz = true\n+++\n"},
			[]string{
				`content/a.md:6:1: unknown field "foo" (known: title, date, end, published, kind, regions, sectors, people, organizations, places, sources, summary, image, image_alt, slug, draft)`,
				`content/a.md:7:1: unknown field "sector"; did you mean "sectors"?`,
				`content/a.md:8:2: unknown field "draf"; did you mean "draft"?`,
			}},
		{"TOML keys quoted, literal and not ASCII", map[string]string{"content/a.md": "+++\ntitle = \"Т\"\ndate = 2025-03-17\nkind = \"delegation\"\nregions = [\"guangdong\"]\n'sektor' = 1\n  \"люди\" = [\"Иван\"]\n[[ 'people' ]]\n'rol' = \"глава\"\n+++\n"},
			[]string{
				`content/a.md:6:1: unknown field "sektor"; did you mean "sectors"?`,
				`content/a.md:7:3: unknown field "люди" (known: title, date, end, published, kind, regions, sectors, people, organizations, places, sources, summary, image, image_alt, slug, draft)`,
				`content/a.md:8:4: a person without a name`,
				`content/a.md:9:1: unknown field "rol" of a person: use name and role`,
			}},
		{"TOML dotted keys where a list is expected", map[string]string{"content/a.md": "+++\ntitle = \"Т\"\ndate = 2025-03-17\nkind = \"delegation\"\nregions = [\"guangdong\"]\npeople.role = \"глава\"\norganizations.name = \"Росатом\"\n+++\n"},
			[]string{`content/a.md:6:1: a person without a name`, `content/a.md:7:1: organizations must be a list: [a, b]`}},
		{"TOML arrays of tables: each key at its own line", map[string]string{"content/a.md": "+++\ntitle = \"Т\"\ndate = 2025-03-17\nkind = \"delegation\"\nregions = [\"guangdong\"]\n[[people]]\nname = \"Иван Петров\"\n\n  rol = \"глава\"\n[[people]]\nrole = \"гость\"\n[[sources]]\nlink = \"https://example.org\"\n+++\n"},
			[]string{
				`content/a.md:9:3: unknown field "rol" of a person: use name and role`,
				`content/a.md:10:3: a person without a name`,
				`content/a.md:12:3: source url "": must be an absolute http or https URL`,
				`content/a.md:13:1: unknown field "link" of a source: use url and publisher`,
			}},
		{"the same in YAML", map[string]string{"content/a.md": head + "people:\n  role: глава\norganizations:\n  name: Росатом\n---\n"},
			[]string{`content/a.md:7:3: a person without a name`, `content/a.md:9:3: organizations must be a list: [a, b]`}},
		{"YAML syntax", map[string]string{"content/a.md": "---\ntitle: Т\ndate: 2025-03-17\nregions: [guangdong\nkind: expo\n---\n"},
			[]string{`content/a.md:4:1: YAML syntax: did not find expected ',' or ']'`}},
		{"YAML scanner error", map[string]string{"content/a.md": head + "summary: a: b\n---\n"},
			[]string{`content/a.md:6:1: YAML syntax: mapping values are not allowed in this context`}},
		{"YAML scanner error that begins as a parser's does", map[string]string{"content/a.md": head + "summary: *,\n---\n"},
			[]string{`content/a.md:6:10: YAML syntax: did not find expected alphabetic or numeric character: a value that starts with '*' needs quotes`}},
		{"field given twice", map[string]string{"content/a.md": head + "title: Другой\n---\n"},
			[]string{`content/a.md:6:1: field "title" is given twice`}},
		{"TOML syntax", map[string]string{"content/a.md": "+++\ntitle = \"Т\"\ndate = 2025-03-17\nkind = expo\n+++\n"},
			[]string{`content/a.md:4:8: TOML syntax: expected value but found "expo" instead`}},
		{"no front matter", map[string]string{"content/a.md": "Просто текст\n"},
			[]string{`content/a.md:1:1: no front matter: a note starts with a --- line (YAML) or a +++ line (TOML)`}},
		{"unclosed front matter", map[string]string{"content/a.md": "---\ntitle: Т\n"},
			[]string{`content/a.md:1:1: front matter is not closed: add a --- line after the last field`}},
		{"two notes with one URL", map[string]string{
			"content/2025/a.md": head + "---\n",
			"content/2025/b.md": head + "slug: a\n---\n",
		}, []string{
			`content/2025/a.md:3:7: two notes have the URL /2025/a/ (also content/2025/b.md)`,
			`content/2025/b.md:6:7: two notes have the URL /2025/a/ (also content/2025/a.md)`,
		}},
		{"two notes with one URL among other problems", map[string]string{
			"content/2025/a.md": head + "sectors: [Марс]\n---\n",
			"content/2025/b.md": "+++\ntitle = \"Т\"\ndate = 2025-03-17\nkind = \"delegation\"\nregions = [\"guangdong\"]\nslug = \"a\"\n+++\n",
			"content/2025/c.md": head + "foo: 1\n---\n",
		}, []string{
			`content/2025/a.md:3:7: two notes have the URL /2025/a/ (also content/2025/b.md)`,
			`content/2025/a.md:6:11: unknown sector "Марс"`,
			`content/2025/b.md:6:8: two notes have the URL /2025/a/ (also content/2025/a.md)`,
			`content/2025/c.md:6:1: unknown field "foo" (known: title, date, end, published, kind, regions, sectors, people, organizations, places, sources, summary, image, image_alt, slug, draft)`,
		}},
		{"a title and a summary too long", map[string]string{
			"content/2025/a.md": "---\ntitle: " + strings.Repeat("Т", LongestTitle+1) + "\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\nsummary: " + strings.Repeat("с", LongestSummary+1) + "\n---\n",
			"content/2025/b.md": "---\ntitle: " + strings.Repeat("Т", LongestTitle) + "\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\nsummary: " + strings.Repeat("с", LongestSummary) + "\n---\n",
		}, []string{
			`content/2025/a.md:2:8: title is 501 characters long, more than 500: every page, feed and list of the note's regions, people and organizations writes it out; keep it to a headline and say the rest in summary`,
			`content/2025/a.md:6:10: summary is 2001 characters long, more than 2000: the lists and feeds of the note's regions, people and organizations write it out; say the rest in the text`,
		}},
		{"many notes with one URL", map[string]string{
			"content/2025/a.md": head + "---\n",
			"content/2025/b.md": head + "slug: a\n---\n",
			"content/2025/c.md": head + "slug: a\n---\n",
			"content/2025/d.md": head + "slug: a\n---\n",
			"content/2025/e.md": head + "slug: a\n---\n",
		}, []string{
			`content/2025/a.md:3:7: two notes have the URL /2025/a/ (also content/2025/b.md, content/2025/c.md, content/2025/d.md and 1 more)`,
			`content/2025/b.md:6:7: two notes have the URL /2025/a/ (also content/2025/a.md, content/2025/c.md, content/2025/d.md and 1 more)`,
			`content/2025/c.md:6:7: two notes have the URL /2025/a/ (also content/2025/a.md, content/2025/b.md, content/2025/d.md and 1 more)`,
			`content/2025/d.md:6:7: two notes have the URL /2025/a/ (also content/2025/a.md, content/2025/b.md, content/2025/c.md and 1 more)`,
			`content/2025/e.md:6:7: two notes have the URL /2025/a/ (also content/2025/a.md, content/2025/b.md, content/2025/c.md and 1 more)`,
		}},
		{"aliases that repeat too much", map[string]string{"content/a.md": "---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\n" +
			"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
			"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\nregions: *d\n---\n"},
			[]string{`content/a.md:8:12: alias *c: the aliases would repeat more than 4 KB; write the values out instead`}},
		{"aliases within the budget", map[string]string{"content/a.md": "---\ntitle: &t Т\nsummary: *t\ndate: 2025-03-17\nkind: delegation\nregions: &r [guangdong]\nsectors: *r\n---\n"},
			[]string{`content/a.md:6:14: unknown sector "guangdong"`}},
		{"a key given twice in a person", map[string]string{"content/a.md": head + "people:\n  - name: А\n    role: р\n    name: Б\n---\n"},
			[]string{`content/a.md:9:5: field "name" is given twice`}},
		{"a key given twice in a flow mapping", map[string]string{"content/a.md": head + "sources: [{url: https://a.org/, url: https://b.org/}]\n---\n"},
			[]string{`content/a.md:6:33: field "url" is given twice`}},
		{"invalid UTF-8 in the body", map[string]string{"content/a.md": head + "---\n\nТекст\nещё \xff текст\n"},
			[]string{`content/a.md:9:5: not UTF-8 (byte 0xff): save the file as UTF-8`}},
		{"invalid UTF-8 in the body and other problems", map[string]string{"content/a.md": head + "foo: 1\n---\n\xc3(\n"},
			[]string{
				`content/a.md:6:1: unknown field "foo" (known: title, date, end, published, kind, regions, sectors, people, organizations, places, sources, summary, image, image_alt, slug, draft)`,
				`content/a.md:8:1: not UTF-8 (byte 0xc3): save the file as UTF-8`,
			}},
		{"invalid UTF-8 in the front matter", map[string]string{"content/a.md": "---\ntitle: Тек\xe2\x82ст\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\n---\n"},
			[]string{`content/a.md:2:11: not UTF-8 (byte 0xe2): save the file as UTF-8`}},
		{"invalid UTF-8 in TOML", map[string]string{"content/a.md": "+++\ntitle = \"\xff\"\n+++\n"},
			[]string{`content/a.md:2:10: not UTF-8 (byte 0xff): save the file as UTF-8`}},
		{"invalid UTF-8 without front matter", map[string]string{"content/a.md": "\xff\n"},
			[]string{`content/a.md:1:1: not UTF-8 (byte 0xff): save the file as UTF-8`, `content/a.md:1:1: no front matter: a note starts with a --- line (YAML) or a +++ line (TOML)`}},
		{"control characters in a file name", map[string]string{"content/a\nb\x1b[31m.md": head + "---\n"},
			[]string{`"content/a\nb\x1b[31m.md":1:1: file name "a\nb\x1b[31m" is not a valid slug: rename the file or add slug: a-b-31m`}},
		{"a file name of no letters", map[string]string{"content/2031/-.md": head + "---\n"},
			[]string{`content/2031/-.md:1:1: file name "-" is not a valid slug: rename the file with Latin letters, digits and hyphens, or add a slug:`}},
		{"control characters in a value", map[string]string{"content/a.md": "---\ntitle: Т\ndate: \"2025\\e[2J\\a\"\nkind: delegation\nregions: [guangdong]\n---\n"},
			[]string{`content/a.md:3:7: date "2025\x1b[2J\a": use YYYY-MM-DD or RFC 3339 (2025-03-17T10:00:00+03:00)`}},
		{"a long slug", map[string]string{"content/a.md": head + "slug: " + strings.Repeat("a", 5000) + "\n---\n"},
			[]string{`content/a.md:6:7: slug "` + strings.Repeat("a", 60) + `…": longer than 200 characters; use a shorter one`}},
		{"a long file name", map[string]string{"content/" + strings.Repeat("b", 250) + ".md": head + "---\n"},
			[]string{"content/" + strings.Repeat("b", 250) + `.md:1:1: file name "` + strings.Repeat("b", 60) + `…" is longer than 200 characters: rename the file or add a shorter slug`}},
		{"a long value", map[string]string{"content/a.md": head + "sectors: [" + strings.Repeat("ж", 60000) + "]\n---\n"},
			[]string{`content/a.md:6:11: unknown sector "` + strings.Repeat("ж", 60) + `…"`}},
		{"a long key", map[string]string{"content/a.md": head + "? " + strings.Repeat("k", 5000) + "\n: 1\n---\n"},
			[]string{`content/a.md:6:3: unknown field "` + strings.Repeat("k", 60) + `…" (known: title, date, end, published, kind, regions, sectors, people, organizations, places, sources, summary, image, image_alt, slug, draft)`}},
		{"bad slug", map[string]string{"content/a.md": head + "slug: Новость дня\n---\n"},
			[]string{`content/a.md:6:7: slug "Новость дня": use lower-case Latin letters, digits and hyphens, e.g. "novost-dnia"`}},
		{"a slug of nothing a slug can have", map[string]string{"content/a.md": head + "slug: \"..\"\n---\n"},
			[]string{`content/a.md:6:7: slug "..": use lower-case Latin letters, digits and hyphens`}},
		{"a year before the first", map[string]string{"content/a.md": "---\ntitle: Т\ndate: 1899-12-31\nkind: expo\nregions: [guangdong]\n---\n"},
			[]string{`content/a.md:3:7: date "1899-12-31": year out of range (1900 to 2200)`}},
		{"bad source url", map[string]string{"content/a.md": head + "sources:\n  - url: javascript:alert(1)\n---\n"},
			[]string{`content/a.md:7:10: source url "javascript:alert(1)": must be an absolute http or https URL`}},
		{"bad source urls below their publishers", map[string]string{"content/a.md": head + "sources:\n  - publisher: P\n    url: javascript:x\n  - ftp://y\n  - {publisher: Q}\n---\n"},
			[]string{
				`content/a.md:8:10: source url "javascript:x": must be an absolute http or https URL`,
				`content/a.md:9:5: source url "ftp://y": must be an absolute http or https URL`,
				`content/a.md:10:5: source url "": must be an absolute http or https URL`,
			}},
		{"a bad source url in TOML, lines below its table", map[string]string{"content/a.md": "+++\ntitle = \"Т\"\ndate = 2025-03-17\nkind = \"delegation\"\nregions = [\"guangdong\"]\n\n[[sources]]\npublisher = \"P\"\n\nurl = \"ftp://x\"\n+++\n"},
			[]string{`content/a.md:10:7: source url "ftp://x": must be an absolute http or https URL`}},
		{"a YAML document ended, and fields after it", map[string]string{"content/a.md": head + "...\nsummary: З\nbogus: 1\nbroken: [unclosed\n---\nТекст\n"},
			[]string{`content/a.md:6:1: end of the YAML document: the lines after ... are not read; remove the line`}},
		{"a second YAML document in a taxonomy file", map[string]string{
			"content/taxonomy/sectors.yaml": "- slug: aaa\n  name: {ru: Ааа}\n---\n- slug: bbb\n  name: {ru: Ббб}\n",
			"content/a.md":                  head + "sectors: [Ббб]\n---\n",
		}, []string{`content/taxonomy/sectors.yaml:3:1: a second YAML document: the lines after --- are not read; remove the line`}},
		{"a second YAML document in site.yaml", map[string]string{"content/site.yaml": "title: Первый\n---\ntitle: Второй\nbase_url: https://evil.org/\n"},
			[]string{`content/site.yaml:2:1: a second YAML document: the lines after --- are not read; remove the line`}},
		{"an ended document, then another", map[string]string{"content/site.yaml": "# Сайт\n--- # начало\ntitle: Т\n...\n---\nbase_url: https://evil.org/\n"},
			[]string{`content/site.yaml:4:1: end of the YAML document: the lines after ... are not read; remove the line`}},
		// Nothing after them to lose: a site that built before builds.
		{"empty documents after the first", map[string]string{
			"content/taxonomy/sectors.yaml": "- slug: trade\n  name: {ru: Торговля}\n---\n# конец\n---\n",
			"content/a.md":                  head + "sectors: [trade, Марс]\n---\n",
		}, []string{`content/a.md:6:18: unknown sector "Марс"`}},
		{"one YAML document with its start and its end", map[string]string{
			"content/taxonomy/sectors.yaml": "\ufeff--- # отрасли\n- slug: trade\n  name: {ru: Торговля}\n...\n# конец\n",
			"content/a.md":                  head + "sectors: [trade, Марс]\n---\n",
		}, []string{`content/a.md:6:18: unknown sector "Марс"`}},
		{"a region's group misspelt, and one of the other country", map[string]string{"content/taxonomy/regions.yaml": "- slug: guangdong\n  country: CN\n  group: central\n  name: {ru: Гуандун}\n" +
			"- slug: khabarovsk-krai\n  group: far-eastren\n  country: RU\n  name: {ru: Хабаровский край}\n- slug: mars\n  country: XX\n  group: [a]\n  name: {ru: Марс}\n"},
			[]string{
				`content/taxonomy/regions.yaml:3:10: group "central": a Chinese region's group is a part of China: north-china, northeast-china, east-china, south-central-china, central-china, south-china, southwest-china, northwest-china, hk-macao-taiwan; did you mean "central-china"?`,
				`content/taxonomy/regions.yaml:6:10: group "far-eastren": a Russian region's group is a federal district: central, northwestern, southern, north-caucasian, volga, ural, siberian, far-eastern; did you mean "far-eastern"?`,
				`content/taxonomy/regions.yaml:10:12: country "XX": must be RU or CN`,
				`content/taxonomy/regions.yaml:11:10: group must be a single value, not a list`,
			}},
		{"a region's group of no country", map[string]string{"content/taxonomy/regions.yaml": "- slug: guangdong\n  group: south\n  name: {ru: Гуандун}\n"},
			[]string{
				`content/taxonomy/regions.yaml:1:3: region guangdong has no country (RU or CN)`,
				`content/taxonomy/regions.yaml:2:10: group "south": a region's group is a federal district or a part of China: central, northwestern, southern, north-caucasian, volga, ural, siberian, far-eastern, north-china, northeast-china, east-china, south-central-china, central-china, south-china, southwest-china, northwest-china, hk-macao-taiwan; did you mean "southern"?`,
			}},
		{"a group outside regions.yaml", map[string]string{"content/taxonomy/sectors.yaml": "- slug: trade\n  group: central\n  name: {ru: Торговля}\n"},
			[]string{`content/taxonomy/sectors.yaml:2:3: group is for regions only`}},
		{"groups of China in seven parts", map[string]string{
			"content/taxonomy/regions.yaml": "- slug: guangdong\n  country: CN\n  group: south-china\n  name: {ru: Гуандун}\n- slug: hubei\n  country: CN\n  group: central-china\n  name: {ru: Хубэй}\n",
			"content/a.md":                  head + "sectors: [Марс]\n---\n",
		}, []string{`content/a.md:6:11: unknown sector "Марс"`}},
		{"taxonomy keys another entry has, each where it is written", map[string]string{"content/taxonomy/sectors.yaml": "- slug: trade\n  name: {ru: Торговля}\n  aliases: [Молодёжные обмены]\n" +
			"- slug: trade2\n  name: {ru: Торговля-2, en: Trade}\n  aliases:\n    - один\n    - два\n    - Молодежные обмены\n- slug: trade\n  name: {ru: Ещё торговля}\n"},
			[]string{
				`content/taxonomy/sectors.yaml:5:30: "Trade" of trade2 is already a name of trade`,
				`content/taxonomy/sectors.yaml:9:7: "Молодежные обмены" of trade2 is already a name of trade`,
				`content/taxonomy/sectors.yaml:10:9: two entries have the slug "trade"`,
			}},
		{"an alias of no anchor", map[string]string{"content/a.md": head + "# *nope\nsummary: \"*nope\"\npeople: [&nopes Иван, *nopes]\nplaces: [Харбин, *nope]\n---\n"},
			[]string{`content/a.md:9:18: YAML syntax: unknown anchor 'nope' referenced: a value that starts with '*' needs quotes`}},
		{"an alias of no anchor in a taxonomy file", map[string]string{"content/taxonomy/sectors.yaml": "- slug: trade\n  name: {ru: Торговля}\n  aliases:\n    - *torg\n"},
			[]string{`content/taxonomy/sectors.yaml:4:7: YAML syntax: unknown anchor 'torg' referenced: a value that starts with '*' needs quotes`}},
		{"every problem of every note, sorted", map[string]string{
			"content/b.md": "---\ntitle: Т\ndate: 2025-02-30\nkind: expo\nregions: [Марс]\n---\n",
			"content/a.md": "---\ntitle: Т\ndate: 2025-03-17\nkind: expo\nregions: [guangdong]\nfoo: 1\n---\n",
		}, []string{
			`content/a.md:6:1: unknown field "foo" (known: title, date, end, published, kind, regions, sectors, people, organizations, places, sources, summary, image, image_alt, slug, draft)`,
			`content/b.md:3:7: date "2025-02-30": day out of range`,
			`content/b.md:5:11: unknown region "Марс"`,
		}},
	}
	// Twenty-one Russian and twenty Chinese regions make 420 partnerships.
	var many, slugs strings.Builder
	for i := range 41 {
		country := "RU"
		if i%2 == 1 {
			country = "CN"
		}
		fmt.Fprintf(&many, "- slug: r%d\n  country: %s\n  name: {ru: Регион %d}\n", i, country, i)
		fmt.Fprintf(&slugs, "r%d, ", i)
	}
	tests = append(tests, struct {
		name  string
		notes map[string]string
		want  []string
	}{"regions of too many partnerships", map[string]string{
		"content/taxonomy/regions.yaml": many.String(),
		"content/a.md":                  "---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: [" + slugs.String() + "]\n---\n",
	}, []string{`content/a.md:5:10: regions: 21 Russian and 20 Chinese regions make 420 partnerships, more than the 400 a note may (each is a page with its feeds); name the regions that took part`}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(site(tt.notes))
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("Load: got %v, want problems", err)
			}
			got := strings.Split(es.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestLoadTaxonomyProblems(t *testing.T) {
	fsys := site(nil)
	fsys["content/taxonomy/kinds.yaml"] = &fstest.MapFile{Data: []byte("- slug: expo\n  name: {ru: Выставка}\n- slug: fair\n  name: {ru: Ярмарка}\n  aliases: [выставка]\n  colour: red\n")}
	_, err := Load(fsys)
	want := "content/taxonomy/kinds.yaml:5:13: \"выставка\" of fair is already a name of expo\ncontent/taxonomy/kinds.yaml:6:3: unknown field \"colour\" in a kind entry"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
	delete(fsys, "content/site.yaml")
	if _, err := Load(fsys); err == nil || !strings.Contains(err.Error(), "content/site.yaml: missing") {
		t.Errorf("missing site.yaml: got %v", err)
	}
}

func TestFoldAndLookup(t *testing.T) {
	src, err := LoadSettings(site(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"guangdong", "Guangdong", "ГУАНДУН", "провинция  Гуандун", "广东", "广东省", "Guangdong Province"} {
		if got := src.Regions.Lookup(name); got == nil || got.Slug != "guangdong" {
			t.Errorf("Lookup(%q) = %v", name, got)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"Ёлки  Зелёные", "елки зеленые"},
		{" А. Ю.  Воробьёв ", "а.ю.воробьев"},
		{"А.Ю.Воробьев", "а.ю.воробьев"},
		{"Воробьёв А. Ю.", "воробьев а.ю."},
		{"Василий Oрлов", "василий орлов"}, // a Latin O
	} {
		if got := russian.Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := src.Regions.Unknown("Хабаровск"); got != `unknown region "Хабаровск"; did you mean "Хабаровский край" (khabarovsk-krai)?` {
		t.Errorf("Unknown = %s", got)
	}
}

// TestNamedTwice: a person or organization a note names twice, by one name
// as compared or by two names of one registry entry, is listed once, as
// written first; a person keeps the roles of both.
func TestNamedTwice(t *testing.T) {
	registries := map[string]string{
		"content/taxonomy/people.yaml":        "- slug: vladimir-putin\n  name: {ru: Владимир Путин, en: Vladimir Putin, zh: 普京}\n",
		"content/taxonomy/organizations.yaml": "- slug: rosatom\n  name: {ru: Росатом, en: Rosatom}\n  aliases: [Госкорпорация «Росатом»]\n",
	}
	const head = "---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\n"
	tests := []struct {
		name, note   string
		people, orgs string // Name/Role, and names, joined by |
	}{
		{"one name", head + "people: [Иван Петров, иван  петров]\norganizations: [Росатом, РОСАТОМ, Газпром]\n---\n",
			"Иван Петров/", "Росатом|Газпром"},
		{"two names of one entry", head + "people: [Vladimir Putin, Пётр Иванов, 普京]\norganizations: [Госкорпорация «Росатом», rosatom]\n---\n",
			"Vladimir Putin/|Пётр Иванов/", "Госкорпорация «Росатом»"},
		{"two roles", head + "people:\n  - name: Иван Петров\n    role: глава\n  - Пётр Иванов\n  - name: ИВАН ПЕТРОВ\n    role: гость\n  - name: Иван Петров\n    role: Гость\n---\n",
			"Иван Петров/глава; гость|Пётр Иванов/", ""},
		{"a role the first did not give", head + "people: [Иван Петров, {name: Иван Петров, role: гость}, {name: Иван Петров}]\n---\n",
			"Иван Петров/гость", ""},
		{"TOML", "+++\ntitle = \"Т\"\ndate = 2025-03-17\nkind = \"delegation\"\nregions = [\"guangdong\"]\norganizations = [\"Росатом\", \"rosatom\"]\n" +
			"[[people]]\nname = \"Иван Петров\"\nrole = \"глава\"\n[[people]]\nname = \"иван петров\"\n+++\n",
			"Иван Петров/глава", "Росатом"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			notes := map[string]string{"content/a.md": tt.note}
			for k, v := range registries {
				notes[k] = v
			}
			src, err := Load(site(notes))
			if err != nil {
				t.Fatal(err)
			}
			var people []string
			for _, p := range src.Notes[0].People {
				people = append(people, p.Name+"/"+p.Role)
			}
			if got := strings.Join(people, "|"); got != tt.people {
				t.Errorf("people: got %s, want %s", got, tt.people)
			}
			if got := strings.Join(src.Notes[0].Organizations, "|"); got != tt.orgs {
				t.Errorf("organizations: got %s, want %s", got, tt.orgs)
			}
		})
	}
}

// TestSampleSite loads the sample site that ships with the repository.
func TestSampleSite(t *testing.T) {
	src, err := Load(os.DirFS(".."))
	if err != nil {
		t.Fatal(err)
	}
	if len(src.Notes) < 5 || len(src.Regions.Terms) != 123 {
		t.Errorf("sample site: %s", src)
	}
	// Every place a sample note names has its names in three languages.
	for _, n := range src.Notes {
		for _, p := range n.Places {
			if e := src.Places.Lookup(p); e == nil || e.Name.En == "" || e.Name.Zh == "" {
				t.Errorf("%s: place %s: %+v, want an entry of places.yaml with English and Chinese names", n.File, p, e)
			}
		}
	}
}

// TestPublished: published is when the note appeared, a date or RFC 3339,
// and the note's date without it.
func TestPublished(t *testing.T) {
	const head = "---\ntitle: Т\ndate: 2019-05-01\nkind: delegation\nregions: [guangdong]\n"
	tests := []struct {
		name, field string
		want        string // RFC 3339, or the problem
	}{
		{"without", "", "2019-05-01T00:00:00Z"},
		{"a date", "published: 2025-03-17\n", "2025-03-17T00:00:00Z"},
		{"a moment", "published: 2025-03-17T09:30:00+03:00\n", "2025-03-17T09:30:00+03:00"},
		{"not a date", "published: вчера\n", `content/a.md:6:12: published "вчера": use YYYY-MM-DD or RFC 3339 (2025-03-17T10:00:00+03:00)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseNote("content/a.md", []byte(head+tt.field+"---\n"), mustLoad(t))
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = n.Published.Format(time.RFC3339)
			}
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func mustLoad(t *testing.T) *Site {
	t.Helper()
	src, err := Load(site(nil))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestSiteWarnings: a note published after the build's day is no problem,
// but a warning at its published field, or at its date when it has none;
// a draft is let be. A file named as a note in capitals is not one.
func TestSiteWarnings(t *testing.T) {
	const head = "---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\n"
	src, err := Load(site(map[string]string{
		"content/2025/a.md":  head + "published: 2030-01-01\n---\n",
		"content/2025/b.md":  head + "published: 2026-12-05T23:00:00-05:00\n---\n", // that day, in its zone
		"content/2025/c.md":  head + "published: 2031-01-01\ndraft: true\n---\n",
		"content/2030/d.md":  "---\ntitle: Т\ndate: 2030-05-01\nslug: later\nkind: delegation\nregions: [guangdong]\n---\n",
		"content/2025/e.MD":  head + "---\n",
		"content/2025/f.mdx": "",
	}))
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	want := "content/2030/d.md:3:7: date 2030-05-01 is after today, 2026-12-05: the note stays first in every feed until then; give published: the day the note appears\n" +
		"content/2025/a.md:6:12: published 2030-01-01 is after today, 2026-12-05: the note stays first in every feed until then\n" +
		"content/2025/e.MD: not read as a note, as its name ends in .MD: a note's name ends in .md, in small letters"
	if got := strings.Join(src.Warnings(today), "\n"); got != want {
		t.Errorf("warnings:\n%s\nwant\n%s", got, want)
	}
}

// TestWriteSettings: what WriteSettings writes, LoadSettings reads back as
// it was: the settings a served site needs, and every taxonomy and registry
// entry with its names and aliases; an empty registry is left out.
func TestWriteSettings(t *testing.T) {
	for _, fsys := range []fs.FS{os.DirFS(".."), site(nil)} {
		src, err := LoadSettings(fsys)
		if err != nil {
			t.Fatal(err)
		}
		src.Settings.SearchOrigins = []string{"https://digest.example.org"}
		dir := t.TempDir()
		if err := WriteSettings(dir, src); err != nil {
			t.Fatal(err)
		}
		back, err := LoadSettings(os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		s, b := src.Settings, back.Settings
		if b.Title != s.Title || b.BaseURL != s.BaseURL || b.Language != s.Language || b.PerPage != s.PerPage ||
			b.SearchURL != s.SearchURL || !slices.Equal(b.SearchOrigins, s.SearchOrigins) {
			t.Errorf("settings read back: %+v, want %+v", b, s)
		}
		for i, tf := range back.taxonomyFiles() {
			want := *src.taxonomyFiles()[i].dst
			if got := *tf.dst; !reflect.DeepEqual(got.Terms, want.Terms) && len(got.Terms)+len(want.Terms) > 0 {
				t.Errorf("%s read back: %d entries, want %d", tf.kind, len(got.Terms), len(want.Terms))
			}
			_, err := os.Stat(filepath.Join(dir, Dir, "taxonomy", tf.kind+".yaml"))
			if written := err == nil; written != (!tf.optional || len(want.Terms) > 0) {
				t.Errorf("%s: written %v, with %d entries", tf.kind, written, len(want.Terms))
			}
		}
	}
}

// TestListOfOne: a list of one written as its value is that list
// (docs/CONTENT.md).
func TestListOfOne(t *testing.T) {
	src, err := Load(site(map[string]string{"content/a.md": "---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: guangdong\nplaces: Гуанчжоу\n---\n"}))
	if err != nil {
		t.Fatal(err)
	}
	if n := src.Notes[0]; !slices.Equal(n.Regions, []string{"guangdong"}) || !slices.Equal(n.Places, []string{"Гуанчжоу"}) {
		t.Errorf("regions %q, places %q; want [guangdong] and [Гуанчжоу]", n.Regions, n.Places)
	}
}

// TestSortNotes: newest first by the day each note starts as written, in
// its own zone, then by URL, whatever the moments.
func TestSortNotes(t *testing.T) {
	at := func(s string) time.Time {
		d, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	notes := []*Note{
		{Slug: "b-evening-moscow", Date: at("2025-03-16T23:30:00+03:00")}, // 20:30 UTC on the 16th
		{Slug: "a-night-harbin", Date: at("2025-03-17T01:30:00+08:00")},   // 17:30 UTC on the 16th
		{Slug: "c-morning", Date: at("2025-03-16T08:00:00+03:00")},
		{Slug: "a-day", Date: at("2025-03-16T00:00:00Z")},
		{Slug: "z-before-1970", Date: at("1969-12-31T23:00:00-02:00")},
		{Slug: "y-1970", Date: at("1970-01-01T00:30:00+01:00")},
	}
	SortNotes(notes)
	var got []string
	for _, n := range notes {
		got = append(got, n.Slug)
	}
	want := []string{"a-night-harbin", "a-day", "b-evening-moscow", "c-morning", "y-1970", "z-before-1970"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}
