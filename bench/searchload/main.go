// Command searchload loads a running `digest serve` with /api/search
// requests drawn from a site's own notes, as readers make them: words as
// the notes write them, two words of one note, phrases of two or three
// words in either kind of quotes, words with a typo, exclusions, names of
// regions, sectors and kinds in three scripts, filters by slug or name and
// by years, orders and pages. No request repeats in a run (uncached), unless
// -cached asks for a few requests over and over. It prints one line:
// requests per second and latency percentiles, and, when -pid names the
// server, its processor time a request and its resident memory. The
// processor time is the figure to compare builds by on a busy machine:
// requests per second move with whatever else runs, this client included.
//
//	go run ./bench/searchload -site /tmp/corpus-10000 -url http://127.0.0.1:8080 -c 1 -n 5000
//	go run ./bench/searchload -site /tmp/corpus-10000 -url … -c 32 -d 20s
//	go run ./bench/searchload -site /tmp/corpus-10000 -url … -c 32 -d 20s -cached 50
//	go run ./bench/searchload -site /tmp/corpus-10000 -url … -c 8 -n 200000 -pid PID -every 20000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coopdigest/digest/source"
	"github.com/coopdigest/digest/templates"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "searchload:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("searchload", flag.ContinueOnError)
	site := fs.String("site", "", "site folder holding content/, whose notes the requests are drawn from")
	base := fs.String("url", "", "server to load, e.g. http://127.0.0.1:8080")
	conns := fs.Int("c", 1, "connections, each sending its next request when the last is answered")
	n := fs.Int("n", 5000, "requests to send (at most)")
	dur := fs.Duration("d", 0, "stop after this long (0: after -n requests)")
	warmup := fs.Int("warmup", 500, "distinct requests sent first and not counted")
	cached := fs.Int("cached", 0, "send only this many distinct requests, over and over, after one pass")
	seed := fs.Uint64("seed", 1, "seed of the requests drawn")
	pid := fs.Int("pid", 0, "server process whose processor time and resident memory to report")
	every := fs.Int("every", 0, "with -pid, report the memory every this many requests")
	print := fs.Bool("print", false, "print the requests and send none")
	dates := fs.Bool("dates", false, "draw only dates in words, a note's days as pages print them or its month, alone or with a word of the note")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *site == "" || (*base == "" && !*print) {
		return errors.New("-site and -url are required")
	}
	src, err := source.Load(os.DirFS(*site))
	if err != nil {
		return err
	}
	g := newGenerator(src, *seed)
	g.dates = *dates
	total := *warmup + *n
	if *cached > 0 {
		total = *cached
	}
	reqs := make([]string, total)
	for i := range reqs {
		reqs[i] = g.next()
	}
	if *print {
		for _, r := range reqs {
			fmt.Fprintln(stdout, r)
		}
		return nil
	}
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: true,
	}, Timeout: time.Minute}
	l := &loader{client: client, base: strings.TrimSuffix(*base, "/"), pid: *pid, every: *every, out: stdout}
	var warm, measured []string
	if *cached > 0 {
		warm = reqs
		for len(measured) < *n {
			measured = append(measured, reqs...)
		}
		measured = measured[:*n]
	} else {
		warm, measured = reqs[:*warmup], reqs[*warmup:]
	}
	if len(warm) > 0 {
		l.run(warm, *conns, 0, false)
	}
	cpu0, cpuErr := cpuTime(*pid)
	st := l.run(measured, *conns, *dur, true)
	cpu1, cpuErr1 := cpuTime(*pid)
	kind := "uncached"
	if *cached > 0 {
		kind = fmt.Sprintf("cached(%d)", *cached)
	}
	fmt.Fprintf(stdout, "%s c=%d: %d requests in %.1f s: %.0f req/s, p50 %s, p90 %s, p99 %s, max %s, failed %d",
		kind, *conns, st.done, st.took.Seconds(), float64(st.done)/st.took.Seconds(),
		ms(st.pct(50)), ms(st.pct(90)), ms(st.pct(99)), ms(st.pct(100)), st.failed)
	if *pid > 0 {
		if err := errors.Join(cpuErr, cpuErr1); err == nil && st.done > 0 {
			cpu := cpu1 - cpu0
			fmt.Fprintf(stdout, ", server CPU %.2f ms a request (%.2f cores)",
				cpu.Seconds()*1000/float64(st.done), cpu.Seconds()/st.took.Seconds())
		}
		fmt.Fprintf(stdout, ", %s", memory(*pid))
	}
	fmt.Fprintln(stdout)
	if st.failed > 0 {
		return fmt.Errorf("%d requests failed, e.g. %s", st.failed, st.firstErr)
	}
	return nil
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}

// memory reads the resident memory of a process: now, in parts, and at its
// peak.
func memory(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "memory unknown"
	}
	mb := map[string]int{}
	for line := range strings.SplitSeq(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			kb, _ := strconv.Atoi(f[1])
			mb[strings.TrimSuffix(f[0], ":")] = kb / 1024
		}
	}
	// RssFile is the index's files mapped into memory: pages the kernel
	// may drop and read again.
	return fmt.Sprintf("RSS %d MB (heap and stacks %d MB, mapped files %d MB; peak %d MB)",
		mb["VmRSS"], mb["RssAnon"], mb["RssFile"], mb["VmHWM"])
}

// clockTick is the unit of /proc/PID/stat's times, USER_HZ: 100 a second
// on every Linux architecture Go runs on.
const clockTick = 10 * time.Millisecond

// cpuTime reads the processor time a process has used, user and system,
// all its threads; 0 for no process (pid 0).
func cpuTime(pid int) (time.Duration, error) {
	if pid <= 0 {
		return 0, nil
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command's name, field 2, is in parentheses and may hold spaces:
	// the fields are counted after its closing one, from field 3.
	_, rest, ok := strings.Cut(string(data), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return time.Duration(utime+stime) * clockTick, nil
}

type loader struct {
	client *http.Client
	base   string
	pid    int
	every  int
	out    io.Writer
}

type stats struct {
	lat      []time.Duration
	done     int
	failed   int
	firstErr string
	took     time.Duration
}

// pct is the p-th percentile of the latencies.
func (s *stats) pct(p int) time.Duration {
	if len(s.lat) == 0 {
		return 0
	}
	return s.lat[min(len(s.lat)-1, len(s.lat)*p/100)]
}

// run sends reqs over conns connections, each request once, until they are
// done or dur has passed.
func (l *loader) run(reqs []string, conns int, dur time.Duration, report bool) *stats {
	ctx := context.Background()
	if dur > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, dur)
		defer cancel()
	}
	var next atomic.Int64
	var mu sync.Mutex
	st := &stats{}
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			var lat []time.Duration
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(reqs) {
					break
				}
				t := time.Now()
				status, err := l.get(reqs[i])
				d := time.Since(t)
				if ctx.Err() != nil && err != nil {
					break
				}
				lat = append(lat, d)
				if err != nil || status != http.StatusOK {
					mu.Lock()
					st.failed++
					if st.firstErr == "" {
						st.firstErr = fmt.Sprintf("%s: status %d, %v", reqs[i], status, err)
					}
					mu.Unlock()
				}
				if report && l.pid > 0 && l.every > 0 && (i+1)%l.every == 0 {
					fmt.Fprintf(l.out, "after %d requests: %s\n", i+1, memory(l.pid))
				}
			}
			mu.Lock()
			st.lat = append(st.lat, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	st.took = time.Since(start)
	st.done = len(st.lat)
	slices.Sort(st.lat)
	return st
}

func (l *loader) get(path string) (int, error) {
	resp, err := l.client.Get(l.base + path)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// generator draws distinct requests from a site's notes and taxonomies.
type generator struct {
	r     *rand.Rand
	notes []*source.Note
	tax   []*source.Taxonomy
	years [2]int
	seen  map[string]bool
	dates bool // draw dates in words alone (see date)
}

func newGenerator(src *source.Site, seed uint64) *generator {
	g := &generator{r: rand.New(rand.NewPCG(seed, 42)), notes: src.Published(false), seen: map[string]bool{}}
	g.tax = src.Taxonomies.All()
	g.years = [2]int{g.notes[len(g.notes)-1].Date.Year(), g.notes[0].Date.Year()}
	return g
}

// next returns a request path that no earlier call returned.
func (g *generator) next() string {
	for {
		v := g.draw()
		s := "/api/search?" + v.Encode()
		if !g.seen[s] {
			g.seen[s] = true
			return s
		}
	}
}

// draw makes one request: its kind by the weights readers might give them.
func (g *generator) draw() url.Values {
	v := url.Values{}
	switch k := g.r.IntN(100); {
	case g.dates:
		v.Set("q", g.date())
	case k < 25: // a word
		v.Set("q", g.word(g.note(), 3))
	case k < 35: // two words of a note
		n := g.note()
		v.Set("q", g.word(n, 3)+" "+g.word(n, 3))
	case k < 45: // a phrase
		q := `"` + g.phrase(g.note()) + `"`
		if g.r.IntN(3) == 0 {
			q = "«" + strings.Trim(q, `"`) + "»"
		}
		v.Set("q", q)
	case k < 55: // a typo
		v.Set("q", typo(g.r, g.word(g.note(), 6)))
	case k < 60: // an exclusion
		v.Set("q", g.word(g.note(), 3)+" -"+g.word(g.note(), 3))
	case k < 70: // a name of a region, sector or kind
		v.Set("q", g.name(g.tax[g.r.IntN(3)]))
	case k < 85: // filters alone
		g.filters(v, 1+g.r.IntN(2))
	default: // a word and a filter
		v.Set("q", g.word(g.note(), 3))
		g.filters(v, 1)
	}
	if g.r.IntN(5) == 0 {
		v.Set("sort", "date")
	}
	switch p := g.r.IntN(20); {
	case p < 3:
		v.Set("page", "2")
	case p < 5:
		v.Set("page", strconv.Itoa(3+g.r.IntN(3)))
	}
	if g.r.IntN(10) == 0 {
		v.Set("per_page", []string{"10", "50"}[g.r.IntN(2)])
	}
	return v
}

func (g *generator) note() *source.Note { return g.notes[g.r.IntN(len(g.notes))] }

// monthsIn are the months' names as «в марте 2025 года» writes them.
var monthsIn = [...]string{"январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре", "октябре", "ноябре", "декабре"}

// date draws a date in words of a note: its days as its page prints them,
// or its month, alone or after a word of the note.
func (g *generator) date() string {
	n := g.note()
	var q string
	switch k := g.r.IntN(10); {
	case k < 5:
		q = templates.RuDateRange(n.Date, n.End)
	case k < 8:
		q = fmt.Sprintf("в %s %d года", monthsIn[n.Date.Month()-1], n.Date.Year())
	default:
		q = fmt.Sprintf("%s %d", strings.ToLower(n.Date.Month().String()), n.Date.Year())
	}
	if g.r.IntN(3) == 0 {
		q = g.word(n, 3) + " " + q
	}
	return q
}

// words splits a note's title and body into words of letters.
func words(n *source.Note) []string {
	return strings.FieldsFunc(n.Title+" "+string(n.Body), func(r rune) bool { return !unicode.IsLetter(r) })
}

// word is a word of the note with at least minRunes letters, as written.
func (g *generator) word(n *source.Note, minRunes int) string {
	ws := words(n)
	for range 50 {
		w := ws[g.r.IntN(len(ws))]
		if utf8.RuneCountInString(w) >= minRunes {
			return w
		}
	}
	return n.Title
}

// phrase is two or three words in a row of the note.
func (g *generator) phrase(n *source.Note) string {
	ws := words(n)
	k := 2 + g.r.IntN(2)
	if len(ws) < k {
		return n.Title
	}
	i := g.r.IntN(len(ws) - k + 1)
	return strings.Join(ws[i:i+k], " ")
}

// typo changes one letter inside a word: replaced, left out, or swapped
// with the next.
func typo(r *rand.Rand, w string) string {
	rs := []rune(w)
	if len(rs) < 4 {
		return w
	}
	i := 1 + r.IntN(len(rs)-2)
	switch r.IntN(3) {
	case 0:
		rs[i] = rs[r.IntN(len(rs))]
	case 1:
		rs = append(rs[:i], rs[i+1:]...)
	default:
		rs[i], rs[i+1] = rs[i+1], rs[i]
	}
	return string(rs)
}

// name is a name or alias of a term of t, in any of its scripts.
func (g *generator) name(t *source.Taxonomy) string {
	term := t.Terms[g.r.IntN(len(t.Terms))]
	names := []string{term.Name.Ru, term.Name.En, term.Name.Zh}
	names = append(names, term.Aliases...)
	names = slices.DeleteFunc(names, func(s string) bool { return s == "" })
	return names[g.r.IntN(len(names))]
}

// filters sets k filters of a note that exists: its regions, sector, kind
// or year, each by slug or by name.
func (g *generator) filters(v url.Values, k int) {
	n := g.note()
	for range k {
		switch g.r.IntN(4) {
		case 0:
			v.Add("region", g.slugOrName(g.tax[0], n.Regions[g.r.IntN(len(n.Regions))]))
		case 1:
			if len(n.Sectors) > 0 {
				v.Add("sector", g.slugOrName(g.tax[1], n.Sectors[g.r.IntN(len(n.Sectors))]))
			}
		case 2:
			v.Add("kind", g.slugOrName(g.tax[2], n.Kind))
		default:
			from := n.Date.Year() - g.r.IntN(3)
			v.Set("from", fmt.Sprintf("%d-%02d-01", from, 1+g.r.IntN(12)))
			v.Set("to", fmt.Sprintf("%d-12-31", n.Date.Year()+g.r.IntN(2)))
		}
	}
}

func (g *generator) slugOrName(t *source.Taxonomy, slug string) string {
	if g.r.IntN(2) == 0 {
		return slug
	}
	if term := t.Get(slug); term != nil {
		return term.Name.Ru
	}
	return slug
}
