package build

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coopdigest/digest/source"
)

// TestNewest: a feed's notes are the latest published, in the order of a
// full sort, whether notes were published on their events' days (the fast
// path) or at other times.
func TestNewest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	// Days at times of their own in the zones notes write, so that a
	// day's order is not its moment's (17 March at 01:30 +08:00 is before
	// 16 March at 23:30 +03:00).
	zones := []*time.Location{time.UTC, time.FixedZone("+03", 3*3600), time.FixedZone("+08", 8*3600)}
	day := func(d int) time.Time {
		return time.Date(2025, 1, 1+d, r.IntN(24), r.IntN(60), 0, 0, zones[r.IntN(len(zones))])
	}
	for _, later := range []bool{false, true} {
		t.Run(fmt.Sprintf("published later: %v", later), func(t *testing.T) {
			var notes []*note
			for i := range 300 {
				sn := &source.Note{Date: day(r.IntN(100)), Slug: fmt.Sprintf("n%03d", i)}
				sn.Published = sn.Date
				if later && r.IntN(3) == 0 {
					sn.Published = day(r.IntN(200))
				}
				notes = append(notes, &note{Note: sn, url: sn.URL()})
			}
			slices.SortFunc(notes, func(a, b *note) int { return source.CompareNotes(a.Note, b.Note) })
			want := slices.Clone(notes)
			slices.SortFunc(want, func(a, b *note) int {
				return cmp.Or(source.CompareDays(b.Published, a.Published), source.CompareDays(b.Date, a.Date), strings.Compare(a.url, b.url))
			})
			for _, n := range []int{0, 1, 20, 300, 400} {
				got := newest(notes, n, !later)
				if !slices.Equal(got, want[:min(n, len(want))]) {
					t.Errorf("newest(%d) differs from a full sort", n)
				}
				if !later && !slices.Equal(got, newest(notes, n, false)) {
					t.Errorf("newest(%d): the fast path differs from the slow one", n)
				}
			}
		})
	}
}

// TestAbsoluteLinks: a feed entry's links and pictures into the site are
// absolute, and the rest of its HTML as it was.
func TestAbsoluteLinks(t *testing.T) {
	abs := func(p string) string { return "https://d.example" + p }
	const page = "https://d.example/2025/x/"
	for _, tt := range []struct{ in, want string }{
		{`<p>Текст <a href="https://a.example/">там</a>.</p>`, `<p>Текст <a href="https://a.example/">там</a>.</p>`},
		{`<p><a href="/docs/a.pdf">док</a> <img src="/2025/a%20b.png" alt="к"></p>`,
			`<p><a href="https://d.example/docs/a.pdf">док</a> <img src="https://d.example/2025/a%20b.png" alt="к"></p>`},
		{`<p>x<sup id="fnref:1"><a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a></sup></p>`,
			`<p>x<sup id="fnref:1"><a href="https://d.example/2025/x/#fn:1" class="footnote-ref" role="doc-noteref">1</a></sup></p>`},
		{`<p><a href="//cdn.example/a">cdn</a> <a href="/a?x=1&amp;y=2">q</a> &lt;a href="/no"&gt;</p>`,
			`<p><a href="//cdn.example/a">cdn</a> <a href="https://d.example/a?x=1&amp;y=2">q</a> &lt;a href="/no"&gt;</p>`},
		// Relative to the note's page, as its page has them.
		{`<p><a href="../../2024/y/">y</a> <a href="a.pdf">a</a> <a href="?p=2">p</a> <a href="mailto:a@d.example">m</a> <a href="tel:+7">t</a></p>`,
			`<p><a href="https://d.example/2024/y/">y</a> <a href="https://d.example/2025/x/a.pdf">a</a> <a href="https://d.example/2025/x/?p=2">p</a> <a href="mailto:a@d.example">m</a> <a href="tel:+7">t</a></p>`},
	} {
		if got := absoluteLinks(tt.in, page, abs); got != tt.want {
			t.Errorf("absoluteLinks(%s)\n= %s\nwant %s", tt.in, got, tt.want)
		}
	}
}
