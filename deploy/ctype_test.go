package deploy

import (
	"testing"

	"github.com/coopdigest/digest/server"
)

// TestContentType: the types of the site's files for programs, as digest
// serve sends them.
func TestContentType(t *testing.T) {
	for name, want := range map[string]string{
		"feed.xml":                     "application/atom+xml; charset=utf-8",
		"regions/amur-oblast/feed.xml": "application/atom+xml; charset=utf-8",
		"feed.json":                    "application/feed+json; charset=utf-8",
		"data/events.json":             "application/json; charset=utf-8",
		"calendar.ics":                 "text/calendar; charset=utf-8",
		"data/events.csv":              "text/csv; charset=utf-8",
		"sitemap.xml":                  "application/xml; charset=utf-8",
		"brand.3f2a9c1b0e.woff2":       "font/woff2",
		"brand.woff":                   "font/woff",
	} {
		if got := server.ContentType(name); got != want {
			t.Errorf("server.ContentType(%q) = %q, want %q", name, got, want)
		}
	}
	for _, name := range []string{"calendar.ics", "data/events.csv"} {
		if !compressible(name) {
			t.Errorf("%s is not compressed", name)
		}
	}
}
