package templates

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

func TestRuDateRange(t *testing.T) {
	tests := []struct{ start, end, want string }{
		{"2025-03-17", "", "17 марта 2025"},
		{"2025-03-17", "2025-03-17", "17 марта 2025"},
		{"2025-03-17", "2025-03-18", "17–18 марта 2025"},
		{"2025-04-30", "2025-05-02", "30 апреля – 2 мая 2025"},
		{"2024-12-30", "2025-01-02", "30 декабря 2024 – 2 января 2025"},
	}
	for _, tt := range tests {
		var end time.Time
		if tt.end != "" {
			end = day(tt.end)
		}
		if got := RuDateRange(day(tt.start), end); got != tt.want {
			t.Errorf("RuDateRange(%s, %s) = %q, want %q", tt.start, tt.end, got, tt.want)
		}
	}
	// An RFC 3339 time keeps the day it was written with.
	ts, _ := time.Parse(time.RFC3339, "2025-03-17T01:00:00+08:00")
	if got := RuDate(ts); got != "17 марта 2025" {
		t.Errorf("RuDate = %q", got)
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "событий", 1: "событие", 2: "события", 5: "событий", 11: "событий", 21: "событие", 22: "события", 112: "событий", 101: "событие"} {
		if got := Plural(n, "событие", "события", "событий"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestLoadParsesEverything(t *testing.T) {
	set, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"index.html", "list.html", "note.html", "term.html", "terms.html", "regions.html", "partnership.html", "404.html"} {
		if !set.Has(name) {
			t.Errorf("no page template %s", name)
		}
	}
	if _, ok := set.Static()["style.css"]; !ok {
		t.Error("no style.css")
	}
}
