package templates

import (
	"bytes"
	"strings"
	"testing"

	"github.com/coopdigest/digest/source"
)

// TestSearchFeed: the search page links the search as an Atom feed, in its
// head and to the reader, with the same words and filters but no order or
// page; a search that failed links none.
func TestSearchFeed(t *testing.T) {
	set, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	site := source.DefaultSettings()
	tests := []struct {
		name string
		page SearchPage
		want string // the feed's address; "" for none
	}{
		{"everything", SearchPage{Sort: "date"}, "/search.atom"},
		{"words and filters", SearchPage{Query: "Хабаровск & Пекин", Regions: []string{"khabarovsk-krai", "beijing"}, Kinds: []string{"forum"},
			From: "2024-01-01", To: "2025-12-31", PerPage: 50, Sort: "date", Pager: Pager{Number: 3, Total: 5}},
			"/search.atom?from=2024-01-01&amp;kind=forum&amp;per_page=50&amp;q=%D0%A5%D0%B0%D0%B1%D0%B0%D1%80%D0%BE%D0%B2%D1%81%D0%BA&#43;%26&#43;%D0%9F%D0%B5%D0%BA%D0%B8%D0%BD&amp;region=khabarovsk-krai&amp;region=beijing&amp;to=2025-12-31"},
		{"a failed search", SearchPage{Query: "x", Error: "слишком длинный запрос"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := set.Execute(&buf, "search.html", &Page{Site: site, Title: "Поиск", Path: "/search", Data: &tt.page}); err != nil {
				t.Fatal(err)
			}
			html := buf.String()
			head, body, _ := strings.Cut(html, "</head>")
			if tt.want == "" {
				if strings.Contains(html, ".atom") {
					t.Errorf("a failed search links a feed")
				}
				return
			}
			if want := `<link rel="alternate" type="application/atom+xml" title="Поиск: лента" href="` + tt.want + `">`; !strings.Contains(head, want) {
				t.Errorf("head lacks %s", want)
			}
			if want := `<a href="` + tt.want + `" type="application/atom+xml">Подписаться на этот поиск</a>`; !strings.Contains(body, want) {
				t.Errorf("body lacks %s", want)
			}
		})
	}
}
