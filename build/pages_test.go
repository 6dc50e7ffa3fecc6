package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coopdigest/digest/source"
)

// TestExcerpt: a description is the text cut to about n runes at a space
// in its second half, or at the half; a text of n runes or fewer whole.
func TestExcerpt(t *testing.T) {
	long := strings.Repeat("Делегация посетила выставку в Харбине. ", 20)
	tests := []struct {
		text string
		n    int
		want string
	}{
		{"", 10, ""},
		{"коротко", 10, "коротко"},
		{"ровно десять", 12, "ровно десять"},
		{"ровно десять", 11, "ровно…"},          // back to the space
		{"абвгдеёжзийклмн", 10, "абвгд…"},       // no space: at the half
		{"аб вгдеёжзийклмн", 10, "аб вг…"},      // a space before the half does not count
		{"абвгд еёжзийклмн", 10, "абвгд…"},      // nor one at the half
		{"абвгдеёжзи йклмн", 10, "абвгдеёжзи…"}, // the rune n itself is a space
		{"ab 中文中文中文中文中文", 6, "ab …"},            // no space in the second half
		{long, 200, long[:strings.LastIndex(string([]rune(long)[:201]), " ")] + "…"},
	}
	for _, tt := range tests {
		if got := excerpt(tt.text, tt.n); got != tt.want {
			t.Errorf("excerpt(%q, %d) = %q, want %q", tt.text, tt.n, got, tt.want)
		}
	}
}

// TestRobots checks that robots.txt keeps crawlers off the search only
// where the site serves it: a rule is a path of the site's host.
func TestRobots(t *testing.T) {
	for _, tt := range []struct{ searchURL, want string }{
		{"/search", "Disallow: /search\n"},
		{"https://digest.example.org/найти", "Disallow: /%D0%BD%D0%B0%D0%B9%D1%82%D0%B8\n"},
		{"https://search.example.org/find", ""},
	} {
		t.Run(tt.searchURL, func(t *testing.T) {
			site := newSite(t)
			mustEdit(t, filepath.Join(site, "content", "site.yaml"), func(s string) string {
				return strings.Replace(s, "search_url: /search", "search_url: "+tt.searchURL, 1)
			})
			out := filepath.Join(t.TempDir(), "public")
			buildSite(t, site, out, false)
			got, err := os.ReadFile(filepath.Join(out, "robots.txt"))
			if err != nil {
				t.Fatal(err)
			}
			want := "User-agent: *\nAllow: /\n" + tt.want + "\nSitemap: https://digest.example.org/sitemap.xml\n"
			if string(got) != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

// TestGroupNames checks that the page of regions names every group that
// source lets a region be in, and no other.
func TestGroupNames(t *testing.T) {
	known := map[string]bool{"": true} // the regions of no group
	for _, groups := range source.RegionGroups {
		for _, g := range groups {
			known[g] = true
			if _, ok := groupNames[g]; !ok {
				t.Errorf("group %q has no Russian name", g)
			}
		}
	}
	for g := range groupNames {
		if !known[g] {
			t.Errorf("group %q is named, but no region may be in it", g)
		}
	}
}
