package build

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coopdigest/digest/search"
)

var (
	replaySeed  = flag.Uint64("replay.seed", 0, "TestSessionReplay: the seed to replay (0: the test's own seeds)")
	replaySteps = flag.Int("replay.steps", 0, "TestSessionReplay: operations per seed (0: 150; 25 with -race or -short)")
)

// TestSessionReplay edits a site as an editor does under `serve --watch`:
// a random mix of saves, new notes, renames, moves into another folder
// (new or not), deletes, folders renamed, and broken saves fixed by a
// later one; the session builds after each operation with the paths that
// changed, as the watcher reports them, keeping them for the next build
// when a build fails. After every good build OUT must be, byte for byte
// outside the index, what a full build of the same source writes, and the
// session's index must hold what the full build's holds.
//
// A failure names its seed and step: go test ./build -run TestSessionReplay
// -replay.seed N replays it.
func TestSessionReplay(t *testing.T) {
	// Each step is a full build as well: 300 operations in all, fewer
	// under the race detector, which makes builds several times slower
	// (`make test` runs it without the race detector too).
	steps := 150
	switch {
	case testing.Short(), raceDetector:
		steps = 25
	}
	if *replaySteps > 0 {
		steps = *replaySteps
	}
	seeds := []uint64{1, 2}
	if *replaySeed != 0 {
		seeds = []uint64{*replaySeed}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { replay(t, seed, steps) })
	}
}

// replayRegions, replaySectors and replayKinds are few, so that notes share
// their lists, feeds and partnerships, where a stale page would show.
var (
	replayRegions = [2][]string{
		{"khabarovsk-krai", "primorsky-krai", "amur-oblast", "moscow", "Татарстан"},
		{"heilongjiang", "jilin", "Пекин", "shanghai", "liaoning"},
	}
	replaySectors = []string{"trade", "investment", "education", "tourism", "logistics"}
	replayKinds   = []string{"visit", "delegation", "expo", "agreement", "talks"}
	replayPeople  = []string{"Иван Петров", "ИВАН ПЕТРОВ", "иван петров", "Ivan Petrov", "Ли Мин", "Анна Смирнова",
		"Андрей Воробьёв", "А. Ю. Воробьёв", "Хао Пэн"}
	replayOrgs = []string{"Росатом", "Госкорпорация «Росатом»", "Корпорация развития", "КОРПОРАЦИЯ РАЗВИТИЯ",
		"Harbin Electric", "Harbin  electric", "Росток", "Rostok"}
	replayWords = strings.Fields(`делегация провинции губернатор встреча соглашение торговля инвестиции
		выставка форум переговоры логистика зерно экспорт туризм университет культура энергетика`)
)

// replaySite is a site under edit: its folder and its notes' files.
type replaySite struct {
	t     *testing.T
	r     *rand.Rand
	dir   string
	notes []string // slash paths relative to dir, content/…
	made  int      // notes written, for unique names and titles
}

func (s *replaySite) full(p string) string { return filepath.Join(s.dir, filepath.FromSlash(p)) }

// note returns a valid note, or one with an unknown region when broken.
func (s *replaySite) note(broken bool) []byte {
	r := s.r
	pick := func(l []string) string { return l[r.IntN(len(l))] }
	words := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = pick(replayWords)
		}
		return strings.Join(w, " ")
	}
	s.made++
	var b strings.Builder
	b.WriteString("---\n")
	// Titles differ (two notes at one URL are a problem, which the
	// broken saves cover) but share words, so that order is by title.
	fmt.Fprintf(&b, "title: %s %d\n", words(3), s.made)
	date := time.Date(2023+r.IntN(4), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	fmt.Fprintf(&b, "date: %s\n", date.Format(time.DateOnly))
	if r.IntN(5) == 0 {
		fmt.Fprintf(&b, "end: %s\n", date.AddDate(0, 0, 1+r.IntN(4)).Format(time.DateOnly))
	}
	if r.IntN(4) == 0 {
		fmt.Fprintf(&b, "published: %s\n", date.AddDate(0, 0, r.IntN(400)).Format(time.DateOnly))
	}
	fmt.Fprintf(&b, "kind: %s\n", pick(replayKinds))
	regions := []string{pick(replayRegions[0])}
	if r.IntN(4) > 0 {
		regions = append(regions, pick(replayRegions[1]))
	}
	if broken {
		regions = append(regions, "Марс")
	}
	fmt.Fprintf(&b, "regions: [%s]\n", strings.Join(regions, ", "))
	fmt.Fprintf(&b, "sectors: [%s]\n", pick(replaySectors))
	// People and organizations, met together: spellings of one name
	// (whose page takes the most written), names whose slugs clash, names
	// the registry merges.
	if n := r.IntN(4); n > 0 {
		b.WriteString("people:\n")
		for range n {
			fmt.Fprintf(&b, "  - name: %s\n    role: %s\n", pick(replayPeople), words(2))
		}
	}
	if n := r.IntN(3); n > 0 {
		b.WriteString("organizations:\n")
		for range n {
			fmt.Fprintf(&b, "  - %s\n", pick(replayOrgs))
		}
	}
	if r.IntN(8) == 0 {
		fmt.Fprintf(&b, "slug: fixed-%d\n", s.made)
	}
	if r.IntN(15) == 0 {
		b.WriteString("draft: true\n")
	}
	fmt.Fprintf(&b, "summary: %s.\n", words(8))
	b.WriteString("---\n\n")
	for range 1 + r.IntN(3) {
		b.WriteString(words(20 + r.IntN(20)))
		b.WriteString(".\n\n")
	}
	return []byte(b.String())
}

func (s *replaySite) write(p string, data []byte) {
	s.t.Helper()
	if err := os.MkdirAll(filepath.Dir(s.full(p)), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(s.full(p), data, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// folder returns a folder for a note: one that has notes, or a new one.
func (s *replaySite) folder() (dir string, isNew bool) {
	if len(s.notes) > 0 && s.r.IntN(5) > 0 {
		return path.Dir(s.notes[s.r.IntN(len(s.notes))]), false
	}
	dir = fmt.Sprintf("content/%d", 2023+s.r.IntN(5))
	if s.r.IntN(3) == 0 {
		dir += fmt.Sprintf("/part-%d", s.r.IntN(3))
	}
	_, err := os.Stat(s.full(dir))
	return dir, err != nil
}

// changedFor is what the watcher reports for a file written into dir:
// the file, or the first new folder on its way.
func (s *replaySite) changedFor(p string) string {
	for d := path.Dir(p); d != "content"; d = path.Dir(d) {
		if _, err := os.Stat(s.full(d)); err != nil {
			p = d
		}
	}
	return p
}

// operation changes the site and returns its name and the changed paths.
// A broken save is followed, some operations later, by its fix.
func (s *replaySite) operation(broken map[string]bool) (string, []string) {
	r := s.r
	if len(broken) > 0 && r.IntN(3) == 0 {
		for p := range broken {
			delete(broken, p)
			s.write(p, s.note(false))
			return "fix " + p, []string{p}
		}
	}
	pickNote := func() (int, string) {
		i := r.IntN(len(s.notes))
		return i, s.notes[i]
	}
	op := r.IntN(100)
	switch {
	case len(s.notes) < 5 || op < 15:
		dir, _ := s.folder()
		p := fmt.Sprintf("%s/n%04d.md", dir, s.made)
		changed := s.changedFor(p)
		s.write(p, s.note(false))
		s.notes = append(s.notes, p)
		return "add " + p, []string{changed}
	case op < 45:
		_, p := pickNote()
		s.write(p, s.note(false))
		delete(broken, p)
		return "save " + p, []string{p}
	case op < 55:
		// A save that only touches the body keeps the front matter.
		_, p := pickNote()
		data, err := os.ReadFile(s.full(p))
		if err != nil {
			s.t.Fatal(err)
		}
		s.write(p, append(data, "\nЕщё одна строка.\n"...))
		return "append to " + p, []string{p}
	case op < 62:
		i, p := pickNote()
		os.Remove(s.full(p))
		s.notes = slices.Delete(s.notes, i, i+1)
		delete(broken, p)
		return "delete " + p, []string{p}
	case op < 72:
		i, p := pickNote()
		q := fmt.Sprintf("%s/r%04d.md", path.Dir(p), s.made)
		s.made++
		if err := os.Rename(s.full(p), s.full(q)); err != nil {
			s.t.Fatal(err)
		}
		s.notes[i] = q
		if broken[p] {
			delete(broken, p)
			broken[q] = true
		}
		return "rename " + p + " to " + q, []string{p, q}
	case op < 82:
		i, p := pickNote()
		dir, _ := s.folder()
		q := fmt.Sprintf("%s/m%04d.md", dir, s.made)
		s.made++
		changed := s.changedFor(q)
		os.MkdirAll(filepath.Dir(s.full(q)), 0o755)
		if err := os.Rename(s.full(p), s.full(q)); err != nil {
			s.t.Fatal(err)
		}
		s.notes[i] = q
		if broken[p] {
			delete(broken, p)
			broken[q] = true
		}
		return "move " + p + " to " + q, []string{p, changed}
	case op < 86:
		// A folder renamed, with every note in it.
		_, p := pickNote()
		dir := path.Dir(p)
		if dir == "content" || strings.Count(dir, "/") > 2 {
			return "nothing", []string{}
		}
		to := fmt.Sprintf("%s-%d", dir, s.made)
		s.made++
		if err := os.Rename(s.full(dir), s.full(to)); err != nil {
			s.t.Fatal(err)
		}
		for i, n := range s.notes {
			if strings.HasPrefix(n, dir+"/") {
				s.notes[i] = to + strings.TrimPrefix(n, dir)
				if broken[n] {
					delete(broken, n)
					broken[s.notes[i]] = true
				}
			}
		}
		return "rename folder " + dir + " to " + to, []string{dir, to}
	default:
		_, p := pickNote()
		s.write(p, s.note(true))
		broken[p] = true
		return "break " + p, []string{p}
	}
}

func replay(t *testing.T, seed uint64, steps int) {
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "content"), os.DirFS("../content")); err != nil {
		t.Fatal(err)
	}
	s := &replaySite{t: t, r: rand.New(rand.NewPCG(seed, 7)), dir: dir}
	// The sample's notes stay; the generated ones join them.
	for range 40 {
		fdir, _ := s.folder()
		p := fmt.Sprintf("%s/n%04d.md", fdir, s.made)
		s.write(p, s.note(false))
		s.notes = append(s.notes, p)
	}
	out := filepath.Join(t.TempDir(), "public")
	sess := NewSession(Config{Site: dir, Out: out, Today: testToday})
	sess.OpenIndex = func(dir string) (Index, error) { return search.OpenWritable(dir) }
	// Even seeds replay as the watcher builds: files for programs left to
	// Flush, which is called after most builds and otherwise left to the
	// next build.
	sess.DeferData = seed%2 == 0
	t.Cleanup(func() {
		if ix, ok := sess.Index().(*search.Index); ok && ix != nil {
			ix.Close()
		}
	})
	ctx := context.Background()
	if _, err := sess.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	broken := map[string]bool{}
	var pending []string
	var log []string
	fresh := filepath.Join(t.TempDir(), "public")
	for step := 1; step <= steps; step++ {
		name, changed := s.operation(broken)
		log = append(log, fmt.Sprintf("%d: %s", step, name))
		pending = append(pending, changed...)
		slices.Sort(pending)
		pending = slices.Compact(pending)
		_, err := sess.Build(ctx, pending)
		if len(broken) > 0 {
			if err == nil {
				t.Fatalf("seed %d, step %d (%s): the build succeeded with broken notes %v\nsteps:\n%s", seed, step, name, broken, strings.Join(log, "\n"))
			}
			continue // the watcher keeps the changes for the next build
		}
		if err != nil {
			t.Fatalf("seed %d, step %d (%s): %v\nsteps:\n%s", seed, step, name, err, strings.Join(log, "\n"))
		}
		pending = pending[:0]
		if sess.DeferData {
			if r := s.r.IntN(3); r == 0 {
				continue // the next build flushes first
			}
			if err := sess.Flush(ctx); err != nil {
				t.Fatalf("seed %d, step %d (%s): flush: %v", seed, step, name, err)
			}
		}

		os.RemoveAll(fresh)
		if _, err := Build(ctx, Config{Site: dir, Out: fresh, Today: testToday}); err != nil {
			t.Fatalf("seed %d, step %d (%s): the full build: %v", seed, step, name, err)
		}
		got, want := readTree(t, out), readTree(t, fresh)
		var diffs []string
		for f, w := range want {
			if !bytes.Equal(got[f], w) {
				diffs = append(diffs, fmt.Sprintf("%s differs from a full build's: %s", f, firstDiff(string(got[f]), string(w))))
			}
		}
		for f := range got {
			if _, ok := want[f]; !ok {
				diffs = append(diffs, f+" is left behind")
			}
		}
		if g, w := replayListing(t, sess.Index().(*search.Index)), replayFreshListing(t, fresh); g != w {
			diffs = append(diffs, fmt.Sprintf("the index lists\n%s\nwant, as a full build's:\n%s", g, w))
		}
		if len(diffs) > 0 {
			slices.Sort(diffs)
			t.Fatalf("seed %d, step %d (%s): %d files differ; the first:\n%s\nsteps:\n%s", seed, step, name, len(diffs), diffs[0], strings.Join(log, "\n"))
		}
	}
}

// replayListing lists every document of ix, page by page: URL, date, title.
func replayListing(t *testing.T, ix *search.Index) string {
	t.Helper()
	var lines []string
	for page := 1; ; page++ {
		res, err := ix.Search(context.Background(), search.Query{PerPage: search.MaxPerPage, Page: page})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			lines = append(lines, fmt.Sprintf("%s %s %s %s %s %v", h.URL, h.Date.Format(time.DateOnly), h.Title, h.Kind, strings.Join(h.Regions, ","), h.Sectors))
		}
		if page*search.MaxPerPage >= res.Total {
			slices.Sort(lines)
			return strings.Join(lines, "\n")
		}
	}
}

func replayFreshListing(t *testing.T, out string) string {
	t.Helper()
	ix, err := search.Open(filepath.Join(out, search.DirName))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	return replayListing(t, ix)
}

// failingIndex is a session's index whose next update fails when fail is set.
type failingIndex struct {
	*search.Index
	fail *bool
}

func (f failingIndex) Update(ctx context.Context, upserts []search.Document, deletes []string) error {
	if *f.fail {
		*f.fail = false
		return errors.New("disk full")
	}
	return f.Index.Update(ctx, upserts, deletes)
}

// indexedSession is a session building site into out whose index is
// opened writable, through wrap when given, as watch mode opens it; latest
// returns the index it opened last, which the test closes.
func indexedSession(t *testing.T, site, out string, wrap func(*search.Index) Index) (s *Session, latest func() *search.Index) {
	t.Helper()
	var opened []*search.Index
	s = NewSession(Config{Site: site, Out: out, Today: testToday})
	s.OpenIndex = func(dir string) (Index, error) {
		ix, err := search.OpenWritable(dir)
		if err != nil {
			return nil, err
		}
		opened = append(opened, ix)
		if wrap != nil {
			return wrap(ix), nil
		}
		return ix, nil
	}
	t.Cleanup(func() {
		for _, ix := range opened {
			ix.Close()
		}
	})
	if _, err := s.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return s, func() *search.Index { return opened[len(opened)-1] }
}

// retitle gives content/2024/talks.md of site the title title.
func retitle(t *testing.T, site, title string) {
	t.Helper()
	p := filepath.Join(site, "content", "2024", "talks.md")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, p, regexp.MustCompile(`(?m)^title: .*$`).ReplaceAllLiteralString(string(data), "title: "+title))
}

// checkIndexAsFull checks that ix lists what the index of a full build of
// site lists, and returns that build's folder.
func checkIndexAsFull(t *testing.T, site string, ix *search.Index) string {
	t.Helper()
	fresh := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, fresh, false)
	if got, want := replayListing(t, ix), replayFreshListing(t, fresh); got != want {
		t.Errorf("the index lists\n%s\nwant, as a full build's:\n%s", got, want)
	}
	return fresh
}

// TestSessionIndexUpdateFails: when the index cannot take a save's change,
// the session builds the whole site again, so that pages and index agree,
// and says why.
func TestSessionIndexUpdateFails(t *testing.T) {
	site := newSite(t)
	out := filepath.Join(t.TempDir(), "public")
	fail := false
	s, latest := indexedSession(t, site, out, func(ix *search.Index) Index { return failingIndex{ix, &fail} })
	retitle(t, site, "Переговоры в Московской области")
	fail = true
	res, err := s.Build(context.Background(), []string{"content/2024/talks.md"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Full || !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "disk full") }) {
		t.Errorf("got %+v; want a full build that warns of the failed update", res)
	}
	fresh := checkIndexAsFull(t, site, latest())
	got, want := readTree(t, out), readTree(t, fresh)
	for f, w := range want {
		if !bytes.Equal(got[f], w) {
			t.Errorf("%s differs from a full build's: %s", f, firstDiff(string(got[f]), string(w)))
		}
	}
}

// TestSessionRenderFailsAfterIndex: the index takes a save's documents
// while its pages are rendered; when a page then fails, the index is put
// back as it was, as OUT is, and the next save that works has both.
func TestSessionRenderFailsAfterIndex(t *testing.T) {
	site := newSite(t)
	note, err := os.ReadFile("../templates/note.html")
	if err != nil {
		t.Fatal(err)
	}
	// A template that fails for one title, as a site's own may.
	mustWrite(t, filepath.Join(site, "templates", "note.html"), strings.Replace(string(note), `{{define "main"}}`,
		`{{define "main"}}{{if eq .Title "Взрыв"}}{{index .Data.Places 99}}{{end}}`, 1))
	out := filepath.Join(t.TempDir(), "public")
	s, latest := indexedSession(t, site, out, nil)
	ctx := context.Background()
	before, index := readTree(t, out), replayListing(t, latest())

	retitle(t, site, "Взрыв")
	if _, err := s.Build(ctx, []string{"content/2024/talks.md"}); err == nil || !strings.Contains(err.Error(), "index out of range") {
		t.Fatalf("got %v; want the template's error", err)
	}
	if got := replayListing(t, latest()); got != index {
		t.Errorf("after the failed save the index lists\n%s\nwant, as before:\n%s", got, index)
	}
	after := readTree(t, out)
	for f, w := range before {
		if !bytes.Equal(after[f], w) {
			t.Errorf("%s changed in a failed build: %s", f, firstDiff(string(after[f]), string(w)))
		}
	}

	retitle(t, site, "Переговоры в Московской области")
	if _, err := s.Build(ctx, []string{"content/2024/talks.md"}); err != nil {
		t.Fatal(err)
	}
	checkIndexAsFull(t, site, latest())
}
