package build

import (
	"bytes"
	"errors"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The budget of rendering one body of n bytes: processor time and bytes
// allocated may grow with n, never faster. The slopes are a few times what
// the costliest bodies that the limits accept take (see
// BenchmarkWorstCaseNotes), so that a body over budget is one that the
// limits should have refused; the constants cover the garbage collector and
// a busy machine.
const (
	budgetTime      = 100 * time.Millisecond
	budgetTimePerB  = 3 * time.Microsecond
	budgetAlloc     = 4 << 20
	budgetAllocPerB = 1500
	// amplified is the size each fuzz input is repeated to as well:
	// work that grows with the square of the input shows at that size,
	// not at the few hundred bytes of most inputs.
	amplified = 64 << 10
)

// FuzzRenderMarkdown renders a note body, and the body repeated to
// amplified bytes, each within the budget, and checks what must hold of
// every rendering: no link or image to a script or data URL, no raw HTML,
// valid UTF-8 for valid UTF-8. Its seeds are the worst cases (small) and
// the Markdown of the tests and the sample sites.
func FuzzRenderMarkdown(f *testing.F) {
	for _, wc := range worstCases {
		f.Add([]byte(wc.make(2 << 10)))
	}
	for _, fam := range families {
		f.Add([]byte(fam.para(3)))
	}
	for _, tc := range markdownCases {
		f.Add([]byte(tc.src))
	}
	for _, dir := range []string{"testdata", "../content"} {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".md") {
				if data, err := os.ReadFile(p); err == nil {
					f.Add(data)
				}
			}
			return nil
		})
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		renderWithinBudget(t, src)
		if len(src) > 0 && len(src) < amplified {
			renderWithinBudget(t, bytes.Repeat(src, amplified/len(src)))
		}
	})
}

// renderWithinBudget renders src, failing t when it goes over the budget or
// breaks what must hold of the output.
func renderWithinBudget(t *testing.T, src []byte) {
	t.Helper()
	n := len(src)
	timeLimit := budgetTime + time.Duration(n)*budgetTimePerB
	allocLimit := uint64(budgetAlloc + n*budgetAllocPerB)
	if raceDetector {
		timeLimit, allocLimit = 10*timeLimit, 32*allocLimit
	}
	var (
		out   []byte
		err   error
		cpu   time.Duration
		alloc uint64
	)
	// The measures are of the whole process: what other goroutines do at
	// the same time (another test's leftovers, the collector) counts too.
	// Over budget, measure again, and keep the least.
	for try := 0; try < 3; try++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := cpuTime()
		out, _, err = renderMarkdown(src, nil, true)
		c := cpuTime() - start
		runtime.ReadMemStats(&after)
		a := after.TotalAlloc - before.TotalAlloc
		if try == 0 || c < cpu {
			cpu = c
		}
		if try == 0 || a < alloc {
			alloc = a
		}
		if cpu <= timeLimit && alloc <= allocLimit {
			break
		}
	}
	if cpu > timeLimit {
		t.Errorf("%d bytes took %v of processor time, over the budget of %v", n, cpu, timeLimit)
	}
	if alloc > allocLimit {
		t.Errorf("%d bytes allocated %d bytes, over the budget of %d", n, alloc, allocLimit)
	}
	if err != nil {
		var me *markdownError
		if !errors.As(err, &me) {
			t.Fatalf("not a problem with a place: %v", err)
		}
		if me.Line < 1 || me.Col < 1 || me.Line > bytes.Count(src, []byte("\n"))+1 {
			t.Fatalf("problem at %d:%d, outside the body: %v", me.Line, me.Col, err)
		}
		return
	}
	if err := checkHTML(out); err != nil {
		t.Fatalf("%v\nin:\n%q\nout:\n%q", err, clip(string(src), 2000), clip(string(out), 4000))
	}
	if utf8.Valid(src) && !utf8.Valid(out) {
		t.Fatalf("valid UTF-8 in, invalid out:\n%q", clip(string(out), 4000))
	}
}

var (
	tagRE  = regexp.MustCompile(`<(/?)([^\s>/]*)([^>]*)>`)
	attrRE = regexp.MustCompile(`\s([^\s=]+)(?:="([^"]*)")?`)
	// What goldmark writes for the Markdown we enable, and nothing else:
	// raw HTML comes out as a comment that says it was omitted.
	allowedTags = map[string]bool{
		"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
		"p": true, "em": true, "strong": true, "del": true, "code": true, "pre": true,
		"a": true, "img": true, "ul": true, "ol": true, "li": true, "input": true,
		"blockquote": true, "hr": true, "br": true, "sup": true, "div": true,
		"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
	}
	// No style: the server's Content-Security-Policy blocks inline styles,
	// and table cells are aligned by class.
	allowedAttrs = map[string]bool{
		"id": true, "href": true, "src": true, "alt": true, "title": true, "class": true,
		"role": true, "tabindex": true, "aria-label": true,
		"disabled": true, "checked": true, "type": true, "start": true,
	}
	schemeLike = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*$`)
)

// checkHTML checks rendered Markdown: only the tags and attributes that
// goldmark writes for our Markdown, URLs that are relative or http, https
// or mailto, and no comment but the one for omitted raw HTML.
func checkHTML(out []byte) error {
	s := string(out)
	s = strings.ReplaceAll(s, "<!-- raw HTML omitted -->", "")
	if strings.Contains(s, "<!") {
		return errors.New("a comment or declaration that is not goldmark's")
	}
	for _, m := range tagRE.FindAllStringSubmatch(s, -1) {
		name := m[2]
		if !allowedTags[name] {
			return errors.New("tag <" + name + "> passed through")
		}
		for _, a := range attrRE.FindAllStringSubmatch(m[3], -1) {
			attr, value := strings.ToLower(a[1]), html.UnescapeString(a[2])
			switch {
			case !allowedAttrs[attr]:
				return errors.New("attribute " + attr + " on <" + name + ">")
			case attr == "href" || attr == "src":
				if !safeOutputURL(value) {
					return errors.New(attr + "=" + value)
				}
			}
		}
	}
	// Every '<' that is not a tag is escaped, so the tags above are all.
	if strings.Count(s, "<") != len(tagRE.FindAllStringIndex(s, -1)) {
		return errors.New("a '<' that is not a tag")
	}
	return nil
}

// safeOutputURL reports whether a URL, as the browser reads it, is
// relative or has the scheme http, https or mailto. It is written apart
// from safeURL so as to check it.
func safeOutputURL(u string) bool {
	u = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, u)
	// A browser takes what comes before the first ':' for a scheme only
	// when it is a letter and then letters, digits, '+', '-' or '.'.
	colon := strings.IndexByte(u, ':')
	if colon < 0 || !schemeLike.MatchString(u[:colon]) {
		return true
	}
	switch strings.ToLower(u[:colon]) {
	case "http", "https", "mailto":
		return true
	}
	return false
}
