package source

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestFileErrorOneLine holds FileError to one line of printable text,
// whatever its file name and message hold.
func TestFileErrorOneLine(t *testing.T) {
	tests := []struct {
		name string
		err  *FileError
		want string
	}{
		{"plain", &FileError{File: "content/2025/а.md", Line: 3, Col: 7, Err: errors.New("date: bad")},
			`content/2025/а.md:3:7: date: bad`},
		{"a line break in the name", &FileError{File: "content/a\nb.md", Line: 1, Err: errors.New("x")},
			`"content/a\nb.md":1: x`},
		{"an escape in the name", &FileError{File: "content/\x1b[2Ja.md", Err: errors.New("x")},
			`"content/\x1b[2Ja.md": x`},
		{"bytes that are not UTF-8", &FileError{File: "content/\xff.md", Err: errors.New("x")},
			`"content/\xff.md": x`},
		{"a direction override", &FileError{File: "content/a\u202egpj.md", Err: errors.New("x")},
			`"content/a\u202egpj.md": x`},
		{"a U+FFFD that is there", &FileError{File: "content/\ufffd.md", Err: errors.New("x")},
			"content/\ufffd.md: x"},
		{"a message of lines", &FileError{File: "content/a.md", Line: 2, Col: 1, Err: errors.New("YAML: one\ntwo\x1b[0m\xfe")},
			`content/a.md:2:1: YAML: one\ntwo\x1b[0m\xfe`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestQ(t *testing.T) {
	for s, want := range map[string]string{
		"Хабаровск":                `"Хабаровск"`,
		strings.Repeat("ж", 60):    `"` + strings.Repeat("ж", 60) + `"`,
		strings.Repeat("ж", 61):    `"` + strings.Repeat("ж", 60) + `…"`,
		"a\x1b[2J" + "\n":          `"a\x1b[2J\n"`,
		strings.Repeat("\xff", 70): `"` + strings.Repeat(`\xff`, 60) + `…"`,
	} {
		if got := q(s); got != want {
			t.Errorf("q(%.20q…) = %s, want %s", s, got, want)
		}
	}
}

// TestProblemPositions holds each problem of front matter to the line and
// column, in characters, where the key or the value it is about starts:
// TOML's where YAML's are. The YAML of a case writes two spaces after each
// colon, so that its values start where the TOML's do; a case that cannot
// be written alike in the other format has that one empty.
func TestProblemPositions(t *testing.T) {
	yaml := func(lines ...string) string { return "---\n" + strings.Join(lines, "\n") + "\n---\n" }
	toml := func(lines ...string) string { return "+++\n" + strings.Join(lines, "\n") + "\n+++\n" }
	yamlHead := []string{"title: Т", "date: 2025-03-17", "kind: delegation", "regions: [guangdong]"}
	tomlHead := []string{`title = "Т"`, "date = 2025-03-17", `kind = "delegation"`, `regions = ["guangdong"]`}
	yamlWith := func(lines ...string) string { return yaml(append(slices.Clone(yamlHead), lines...)...) }
	tomlWith := func(lines ...string) string { return toml(append(slices.Clone(tomlHead), lines...)...) }
	tests := []struct {
		name       string
		yaml, toml string
		want       []string // line:col of each problem
	}{
		{"a date of the wrong type",
			yaml("title: Т", "date:  5", "kind: delegation", "regions: [guangdong]"),
			toml(`title = "Т"`, "date = 5", `kind = "delegation"`, `regions = ["guangdong"]`),
			[]string{"3:8"}},
		{"an end before the date",
			yamlWith("end:  2025-03-16"), tomlWith("end = 2025-03-16"),
			[]string{"6:7"}},
		{"a single unknown region where a list is expected",
			yaml("title: Т", "date: 2025-03-17", "kind: delegation", `regions:  "Марс"`),
			toml(`title = "Т"`, "date = 2025-03-17", `kind = "delegation"`, `regions = "Марс"`),
			[]string{"5:11"}},
		{"an unknown sector after letters not in ASCII",
			yamlWith(`sectors:  ["Торговля", "Марс"]`), tomlWith(`sectors = ["Торговля", "Марс"]`),
			[]string{"6:24"}},
		{"an unknown region on a line of its own",
			yaml("title: Т", "date: 2025-03-17", "kind: delegation", "regions:  [", `  "guangdong",`, `  "Марс",`, "]"),
			toml(`title = "Т"`, "date = 2025-03-17", `kind = "delegation"`, "regions = [", `  "guangdong",`, `  "Марс",`, "]"),
			[]string{"7:3"}},
		{"draft neither true nor false",
			yamlWith(`draft:  "да"`), tomlWith(`draft = "да"`),
			[]string{"6:9"}},
		{"an unknown field of a person in an inline table",
			yamlWith(`people:  [{name:  "Ли"}, {name:  "Ван", rol:  "гость"}]`), tomlWith(`people = [{name = "Ли"}, {name = "Ван", rol = "гость"}]`),
			[]string{"6:41"}},
		{"a control character escaped",
			yamlWith(`summary:  "Звонок\a"`), tomlWith(`summary = "Звонок\u0007"`),
			[]string{"6:11"}},
		{"a bidi control escaped",
			yamlWith(`summary:  "Звонок\u202E"`), tomlWith(`summary = "Звонок\u202E"`),
			[]string{"6:11"}},
		{"a quoted key given twice",
			yamlWith(`"title":  "Б"`), tomlWith(`"title" = "Б"`),
			[]string{"6:1"}},
		{"a key given twice after letters not in ASCII",
			yamlWith(`people:  [{name:  "Ю", name:  "Я"}]`), tomlWith(`people = [{name = "Ю", name = "Я"}]`),
			[]string{"6:24"}},
		{"a table given twice",
			"", tomlWith(`["люди"]`, "x = 1", `["люди"]`),
			[]string{"8:2"}},
		{"a raw control character",
			yamlWith("summary:  \"Тест \a\""), tomlWith("summary = \"Тест \a\""),
			[]string{"6:17"}},
		{"a raw escape character in a comment",
			yamlWith("# Тест \x1b[2J"), tomlWith("# Тест \x1b[2J"),
			[]string{"6:8"}},
		{"a raw control character that starts a line",
			"", tomlWith(`summary = """`, "\x1b[1m\"\"\""),
			[]string{"7:1"}},
		{"a raw C1 control character",
			yamlWith("summary:  \"Тест \u0080\""), "",
			[]string{"6:17"}},
		{"a raw control character after a NEL, which YAML reads as a line break",
			yamlWith("# a\u0085b", "summary:  \"\a\""), "",
			[]string{"7:12"}},
		{"an escape that is not",
			"", tomlWith(`summary = "Тест \q"`),
			[]string{"6:11"}},
		{"a syntax error after letters not in ASCII",
			"", toml(`title = "Т"`, "date = 2025-03-17", `kind = "delegation"`, `regions = ["Гуандун" x]`),
			[]string{"5:22"}},
	}
	for _, tt := range tests {
		for format, note := range map[string]string{"YAML": tt.yaml, "TOML": tt.toml} {
			if note == "" {
				continue
			}
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				_, err := Load(site(map[string]string{"content/2025/a.md": note}))
				var es Errors
				if !errors.As(err, &es) {
					t.Fatalf("Load: %v, want problems at %s", err, tt.want)
				}
				var got []string
				for _, e := range es {
					got = append(got, fmt.Sprintf("%d:%d", e.Line, e.Col))
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("problems at %s, want %s:\n%v", got, tt.want, err)
				}
			})
		}
	}
}
