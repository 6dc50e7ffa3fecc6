package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
)

func sample() *Feed {
	msk := time.FixedZone("MSK", 3*3600)
	return &Feed{
		Title: "Россия — Китай", Language: "ru", Author: "Россия — Китай",
		URL: "https://d.example/feed.xml", Home: "https://d.example/",
		Updated: time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC),
		Entries: []Entry{
			{
				URL: "https://d.example/2025/khabarovsk-delegation-beijing/", Title: "Делегация; переговоры, итоги\nв Пекине",
				Summary: "Встречи в Пекине.", HTML: "<p>Текст &amp; ещё</p>",
				Published: time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC), Updated: time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC),
				// Written in Moscow time just after midnight: the day is the 17th
				// where it was written, the 16th in UTC.
				Start: time.Date(2025, 3, 17, 0, 30, 0, 0, msk), End: time.Date(2025, 3, 18, 0, 0, 0, 0, msk),
				Places: []string{"Пекин", "Тяньцзинь"},
				Categories: []Category{
					{Term: "delegation", Scheme: "https://d.example/kinds/", Label: "Делегация"},
					{Term: "khabarovsk-krai", Scheme: "https://d.example/regions/", Label: "Хабаровский край"},
				},
			},
			{
				URL: "https://d.example/2021/guangdong-torgpred/", Title: "Торгпредство в Гуанчжоу",
				HTML:      "<p>Текст</p>",
				Published: time.Date(2021, 4, 29, 0, 0, 0, 0, time.UTC), Updated: time.Date(2021, 4, 29, 0, 0, 0, 0, time.UTC),
				Start: time.Date(2021, 4, 29, 0, 0, 0, 0, time.UTC),
			},
		},
	}
}

// TestAtomAsBuilt reads the Atom feed the build writes today and writes it
// again: the bytes must be the same, so that moving the build to this
// package changes no feed.
func TestAtomAsBuilt(t *testing.T) {
	want, err := os.ReadFile("../build/testdata/basic/want/feed.xml")
	if err != nil {
		t.Fatal(err)
	}
	var af atomFeed
	if err := xml.Unmarshal(want, &af); err != nil {
		t.Fatal(err)
	}
	parse := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	// encoding/xml reads xml:lang in the XML namespace, not by the name it writes.
	var lang struct {
		Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	}
	if err := xml.Unmarshal(want, &lang); err != nil {
		t.Fatal(err)
	}
	f := &Feed{Title: af.Title, Language: lang.Lang, URL: af.ID, Home: af.Links[1].Href, Author: af.Author.Name, Updated: parse(af.Updated)}
	for _, e := range af.Entries {
		en := Entry{URL: e.ID, Title: e.Title, Summary: e.Summary, HTML: e.Content.Body, Published: parse(e.Published), Updated: parse(e.Updated)}
		for _, c := range e.Categories {
			en.Categories = append(en.Categories, Category(c))
		}
		f.Entries = append(f.Entries, en)
	}
	var got bytes.Buffer
	if err := Atom(&got, f); err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("Atom differs from the build's feed:\n%s", got.String())
	}
}

// TestJSONFeed checks the JSON Feed 1.1 rules a reader relies on: version,
// title and items at the top; an id, a content and RFC 3339 dates on every
// item; extension keys that start with "_".
func TestJSONFeed(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	if doc["version"] != JSONFeedVersion || doc["title"] != "Россия — Китай" || doc["feed_url"] != "https://d.example/feed.xml" {
		t.Errorf("top level: %v", doc)
	}
	items, _ := doc["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("%d items, want 2", len(items))
	}
	for i, x := range items {
		it := x.(map[string]any)
		if it["id"] == "" || it["content_html"] == nil {
			t.Errorf("item %d lacks id or content: %v", i, it)
		}
		for _, k := range []string{"date_published", "date_modified"} {
			if _, err := time.Parse(time.RFC3339, it[k].(string)); err != nil {
				t.Errorf("item %d: %s: %v", i, k, err)
			}
		}
		for k := range it {
			switch k {
			case "id", "url", "external_url", "title", "content_html", "content_text", "summary", "image", "banner_image",
				"date_published", "date_modified", "authors", "tags", "language", "attachments":
			default:
				if !strings.HasPrefix(k, "_") {
					t.Errorf("item %d: key %q is neither JSON Feed's nor an extension", i, k)
				}
			}
		}
	}
	ev := items[0].(map[string]any)["_event"].(map[string]any)
	if ev["start"] != "2025-03-17" || ev["end"] != "2025-03-18" {
		t.Errorf("event days %v, want the days as written", ev)
	}
	if strings.Contains(buf.String(), `\u003c`) {
		t.Error("HTML in the feed is escaped for inlining; it is data")
	}
	if _, ok := items[1].(map[string]any)["_event"].(map[string]any)["end"]; ok {
		t.Error("a one-day event has an end")
	}
}

// TestCalendar parses the calendar back with the library and checks what
// calendar programs use.
func TestCalendar(t *testing.T) {
	var buf bytes.Buffer
	if err := Calendar(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	if !strings.HasSuffix(text, "END:VCALENDAR\r\n") || strings.Contains(strings.ReplaceAll(text, "\r\n", ""), "\n") {
		t.Errorf("lines do not all end in CRLF:\n%q", text)
	}
	for _, line := range strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets (RFC 5545 folds at 75): %q", len(line), line)
		}
	}
	for _, want := range []string{
		"PRODID:-//coopdigest//digest//RU\r\n",
		"UID:2025-khabarovsk-delegation-beijing@d.example\r\n",
		"DTSTART;VALUE=DATE:20250317\r\n",
		"DTEND;VALUE=DATE:20250319\r\n",
		"DTSTAMP:20250320T000000Z\r\n",
		"DTSTART;VALUE=DATE:20210429\r\n",
		"DTEND;VALUE=DATE:20210430\r\n",
		`SUMMARY:Делегация\; переговоры\, итоги в Пекине`,
		`LOCATION:Пекин\, Тяньцзинь`,
	} {
		if !strings.Contains(strings.ReplaceAll(text, "\r\n ", ""), want) {
			t.Errorf("calendar lacks %q:\n%s", want, text)
		}
	}
	cal, err := ics.ParseCalendar(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	evs := cal.Events()
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2", len(evs))
	}
	if got := evs[0].GetProperty(ics.ComponentPropertySummary).Value; ics.FromText(got) != "Делегация; переговоры, итоги в Пекине" {
		t.Errorf("summary read back as %q", got)
	}
	start, err := evs[0].GetAllDayStartAt()
	if err != nil || start.Format(time.DateOnly) != "2025-03-17" {
		t.Errorf("start read back as %v, %v", start, err)
	}
	if got := evs[0].GetProperty(ics.ComponentPropertyUrl).Value; got != "https://d.example/2025/khabarovsk-delegation-beijing/" {
		t.Errorf("URL read back as %q", got)
	}
	pythonReads(t, text, 2)
}

// pythonReads parses a calendar with Python's icalendar, where Debian's
// python3-icalendar is installed, and checks its count of events.
func pythonReads(t *testing.T, text string, events int) {
	t.Helper()
	py := "/usr/bin/python3"
	if exec.Command(py, "-c", "import icalendar").Run() != nil {
		t.Log("python3-icalendar not installed: not read by Python")
		return
	}
	cmd := exec.Command(py, "-c", `import sys, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
evs = [c for c in cal.walk("VEVENT")]
for e in evs:
    assert e.decoded("DTSTART") < e.decoded("DTEND"), e
    assert e["UID"], e
print(len(evs))`)
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("Python's icalendar: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != strconv.Itoa(events) {
		t.Errorf("Python's icalendar read %s events, want %d", got, events)
	}
}

func TestUID(t *testing.T) {
	for in, want := range map[string]string{
		"https://d.example/2025/x/":          "2025-x@d.example",
		"https://d.example/sub/2025/x/":      "sub-2025-x@d.example",
		"https://d.example:8080/2025/x-y-z/": "2025-x-y-z@d.example:8080",
		"not a url":                          "not a url",
	} {
		if got := UID(in); got != want {
			t.Errorf("UID(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDeterministic: the same feed, the same bytes, in every form.
func TestDeterministic(t *testing.T) {
	for name, write := range map[string]func(*bytes.Buffer, *Feed) error{
		"atom":     func(b *bytes.Buffer, f *Feed) error { return Atom(b, f) },
		"json":     func(b *bytes.Buffer, f *Feed) error { return JSON(b, f) },
		"calendar": func(b *bytes.Buffer, f *Feed) error { return Calendar(b, f) },
	} {
		var a, b bytes.Buffer
		if err := write(&a, sample()); err != nil {
			t.Fatal(err)
		}
		if err := write(&b, sample()); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("%s: two writes differ", name)
		}
	}
}

// TestOneLine: a calendar's one-line values have their runs of white space,
// line breaks included, made one space, and none at their ends.
func TestOneLine(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"Пекин", "Пекин"},
		{"Хабаровский край, Пекин", "Хабаровский край, Пекин"},
		{" Пекин", "Пекин"},
		{"Пекин ", "Пекин"},
		{"Хабаровский  край", "Хабаровский край"},
		{"Хабаровский\r\nкрай", "Хабаровский край"},
		{"a\tb", "a b"},
		{"a\u00a0b", "a b"},
		{"a\u2028b", "a b"},
		{" ", ""},
	} {
		if got := oneLine(tt.in); got != tt.want {
			t.Errorf("oneLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
