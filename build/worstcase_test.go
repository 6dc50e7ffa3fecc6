package build

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// A worstCase makes a note body of about size bytes of one kind of input on
// which goldmark, or our code around it, once took time or memory that
// grew faster than the note. accepted ones stay inside the limits of
// limits.go and must render; the others must be refused, quickly.
type worstCase struct {
	name     string
	accepted bool
	make     func(size int) string
}

// repeat repeats unit until the text has about size bytes, with a newline
// at the end.
func repeat(unit string, size int) string {
	return strings.Repeat(unit, max(1, size/len(unit))) + "\n"
}

// paragraphs repeats the paragraph p, blank lines between, to about size
// bytes.
func paragraphs(p string, size int) string { return repeat(p+"\n\n", size) }

// bigTable is a table of cols columns, «a|» a cell in the header, and rows
// rows under it, «b|» a cell.
func bigTable(cols, rows int) string {
	return "|" + strings.Repeat("a|", cols) + "\n|" + strings.Repeat("-|", cols) + "\n" + strings.Repeat("|"+strings.Repeat("b|", cols)+"\n", rows)
}

// tableThenProse is top, a table of cols columns, with as many rows as
// there is room for in size bytes and in the cells a note may have
// (maxCells), then prose to about size bytes.
func tableThenProse(top, row string, cols, size int) string {
	t := top
	if row != "" {
		t += strings.Repeat(row, min(max(0, (size-len(top))/len(row)), maxCells/cols-1))
	}
	if len(t) < size {
		t += "\n" + paragraphs("Делегация края провела в Пекине серию встреч перед форумом.", size-len(t))
	}
	return t
}

// A family is a kind of input on which goldmark's time grows with the
// square of a paragraph: para(k) is a paragraph of k units of it.
type family struct {
	name string
	para func(k int) string
	// perNote: a limit per note, not per paragraph, bounds it; there is
	// no paragraph of it to repeat at the limit.
	perNote bool
}

var families = []family{
	{name: "link-destinations", para: func(k int) string { return strings.Repeat("![a](", k) }},
	{name: "angle-destinations", para: func(k int) string { return strings.Repeat("[a](<", k) }},
	{name: "link-titles", para: func(k int) string { return strings.Repeat("[a](b \"\n", k) }},
	{name: "brackets", para: func(k int) string { return strings.Repeat("[", k) + "a" + strings.Repeat("]", k) }},
	{name: "reference-definitions", para: func(k int) string { return strings.Repeat("[a]:\n", k) }},
	{name: "emphasis", para: func(k int) string { return strings.Repeat("*a_b*c_d**e_f*g**h*i_j**", k) }},
	{name: "code-spans", para: func(k int) string {
		var b strings.Builder
		for i := 1; i <= k; i++ {
			b.WriteString("e" + strings.Repeat("`", i))
		}
		return b.String()
	}},
	{name: "quotation-marks", para: func(k int) string { return strings.Repeat("\"", k) }},
	{name: "footnote-references", para: func(k int) string { return "[^1]\n\n[^1]: " + strings.Repeat("[^1]\n", k) }, perNote: true},
}

// largestAccepted is the largest k up to limit for which f's paragraph
// renders.
func largestAccepted(f family, limit int) int {
	lo, hi := 0, limit // f.para(lo) renders; f.para(hi+1) may not
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if _, _, err := renderMarkdown([]byte(f.para(mid)+"\n"), nil, true); err == nil {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

var worstCases = func() []worstCase {
	cases := []worstCase{
		// The cases of the issue: 20,000 equal headings, 100,000
		// footnotes, 100,000 "- " on one line, a large table, one long
		// word; and ordinary prose to compare with.
		{"prose", true, func(size int) string {
			return paragraphs(strings.Repeat("Делегация края провела в Пекине серию встреч перед **форумом** в [Хабаровске](https://example.org/). ", 8), size)
		}},
		{"headings", true, func(size int) string {
			h := repeat("# Харбин\n\n", min(size, (maxHeadings-1)*len("# Харбин\n\n")))
			if len(h) < size {
				h += paragraphs("Делегация края провела в Пекине серию встреч.", size-len(h))
			}
			return h
		}},
		{"headings-empty", false, func(size int) string { return repeat("#\n", size) }},
		// An address of a quarter of the note, used in the rest of it.
		{"reference-uses", false, func(size int) string {
			return "[r]: https://example.org/" + strings.Repeat("a", size/4) + "\n\n" + repeat("[r] ", size*3/4)
		}},
		// Links to a few sources, each written [источник][n] where it is cited.
		{"reference-uses-short", true, func(size int) string {
			return "[1]: https://example.org/news/2025/03/16/123\n[2]: https://example.org/release\n\n" +
				paragraphs("Делегация края провела встречи [источник][1] перед форумом [пресс-релиз][2].", size)
		}},
		{"footnotes", true, func(size int) string {
			var b strings.Builder
			for i := range maxFootnoteRefs {
				fmt.Fprintf(&b, "Текст[^%d].\n\n", i%maxFootnotes)
			}
			for i := range maxFootnotes {
				fmt.Fprintf(&b, "[^%d]: Сноска.\n\n", i)
			}
			if b.Len() < size {
				b.WriteString(paragraphs("Текст без сносок.", size-b.Len()))
			}
			return b.String()
		}},
		{"footnotes-100000", false, func(size int) string {
			var b strings.Builder
			for i := 0; b.Len() < size/2; i++ {
				fmt.Fprintf(&b, "x[^%d]\n", i)
			}
			b.WriteString("\n")
			for i := 0; b.Len() < size; i++ {
				fmt.Fprintf(&b, "[^%d]: y\n\n", i)
			}
			return b.String()
		}},
		{"list-one-line", false, func(size int) string { return strings.Repeat("- ", size/2) + "x" }},
		// A line of lists at the limit opens about two blocks a list.
		{"lists-at-limit", true, func(size int) string {
			line := strings.Repeat("- ", maxNesting-1) + "x\n"
			l := repeat(line, min(size, maxBlocks/(4*maxNesting)*len(line)))
			if len(l) < size {
				l += paragraphs("Делегация края провела в Пекине серию встреч.", size-len(l))
			}
			return l
		}},
		{"blockquotes-one-line", false, func(size int) string { return strings.Repeat("> ", size/2) + "x" }},
		{"blockquotes-at-limit", true, func(size int) string { return repeat(strings.Repeat("> ", maxNesting-1)+"x\n", size) }},
		{"table", true, func(size int) string { return tableThenProse("| a | b |\n|---|---|\n", "| x | y |\n", 2, size) }},
		// Rows longer than the header: goldmark reads as many cells as it has.
		{"table-wide", true, func(size int) string { return "|a|b|\n|-|-|\n" + repeat("|x", size) }},
		{"table-short-rows", false, func(size int) string {
			cols := strings.Repeat("|h", 1000) + "|\n" + strings.Repeat("|-", 1000) + "|\n"
			return cols + repeat("a\n", size-len(cols))
		}},
		{"table-short-rows-at-limit", true, func(size int) string {
			// 3 columns over rows of one: a cell a byte, tables one after
			// the other, as many as the note's cells allow.
			t := "|a|b|c|\n|-|-|-|\n" + strings.Repeat("|x\n", 100) + "\n\n"
			n := min(max(1, size/len(t)), maxCells/(101*3))
			return tableThenProse(strings.Repeat(t, n), "", 0, size)
		}},
		// The issue's: a 4 MB note of one table of 2,000 columns, «b|» a
		// cell, took 1.4 GB to build. Whatever the size, it has more
		// cells than a note may.
		{"table-cells", false, func(size int) string {
			rows := max(size/4002, maxCells/2000)
			return bigTable(2000, rows)
		}},
		{"table-cells-at-limit", true, func(size int) string {
			return tableThenProse(bigTable(2000, 0), "|"+strings.Repeat("b|", 2000)+"\n", 2000, size)
		}},
		// Code spans with «\|» in every cell: goldmark's table AST
		// transformer went through every such pipe for each such cell.
		{"table-code-pipes", true, func(size int) string {
			return tableThenProse("| a | b |\n|---|---|\n", "| `x\\|y` | `\\|` |\n", 2, size)
		}},
		{"word", true, func(size int) string { return repeat("a", size) }},
		// A note's links as a list of reference definitions, one a line,
		// which goldmark reads a line at a time (takeDefinitions).
		{"link-list", true, func(size int) string {
			var b strings.Builder
			for i := 0; b.Len() < size; i++ {
				fmt.Fprintf(&b, "[%d]: /%d\n", i, i)
			}
			return b.String()
		}},
	}
	// What the profiles showed besides: each family as one paragraph of
	// the whole size, refused, and as paragraphs of the most that is
	// accepted.
	for _, f := range families {
		cases = append(cases, worstCase{f.name, false, func(size int) string {
			unit := len(f.para(100)) / 100
			return f.para(size / unit)
		}})
		if f.perNote {
			continue
		}
		k := largestAccepted(f, 1<<14)
		cases = append(cases, worstCase{f.name + "-at-limit", true, func(size int) string { return paragraphs(f.para(k), size) }})
	}
	return cases
}()

// TestWorstCases renders small versions of the worst cases: the accepted
// ones render, the others are refused with a problem that names the line
// and the limit.
func TestWorstCases(t *testing.T) {
	for _, wc := range worstCases {
		t.Run(wc.name, func(t *testing.T) {
			src := []byte(wc.make(64 << 10))
			_, _, err := renderMarkdown(src, nil, true)
			if wc.accepted {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var me *markdownError
			if !errors.As(err, &me) || me.Line < 1 || me.Col < 1 || !strings.Contains(err.Error(), "limit") {
				t.Fatalf("got %v, want a problem at a line that names the limit", err)
			}
		})
	}
}

// BenchmarkWorstCaseNotes renders each worst case at a few sizes and
// reports the processor time and the bytes allocated per MB of note:
// figures that stay flat as the size grows show linear work. Refused cases
// measure the time to refuse them.
func BenchmarkWorstCaseNotes(b *testing.B) {
	for _, wc := range worstCases {
		for _, size := range []int{256 << 10, 1 << 20, 4 << 20} {
			b.Run(fmt.Sprintf("case=%s/size=%dKB", wc.name, size>>10), func(b *testing.B) {
				src := []byte(wc.make(size))
				mb := float64(len(src)) / (1 << 20)
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				cpu := cpuTime()
				start := time.Now()
				for b.Loop() {
					_, _, err := renderMarkdown(src, nil, true)
					if (err == nil) != wc.accepted {
						b.Fatalf("accepted %v, want %v: %v", err == nil, wc.accepted, err)
					}
				}
				wall, cpu := time.Since(start), cpuTime()-cpu
				runtime.ReadMemStats(&after)
				n := float64(b.N)
				b.ReportMetric(wall.Seconds()/n/mb, "s/MB")
				b.ReportMetric(cpu.Seconds()/n/mb, "cpu-s/MB")
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n/mb/(1<<20), "alloc-MB/MB")
			})
		}
	}
}
