package source

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The budget of one note in FuzzParseNote: reading a note may cost time and
// memory in proportion to its size only. The constants are loose enough for
// the race detector and a busy machine; what they catch is a cost that grows
// faster than the note, which soon passes any constant.
const (
	fuzzTimeBase    = time.Second
	fuzzTimePerByte = 20 * time.Microsecond
	fuzzAllocBase   = 4 << 20
	fuzzAllocByte   = 1000
)

// hostileNotes are notes written to hurt: each once took time, memory or
// a clear message from ParseNote, or is a shape the parsers treat apart.
func hostileNotes() map[string]string {
	const head = "---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\n"
	bomb := "---\ntitle: Т\na0: &a0 x\n"
	for i := 1; i <= 9; i++ {
		p := "*a" + string(rune('0'+i-1))
		bomb += "a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat(p+",", 8) + p + "]\n"
	}
	bomb += "date: 2025-03-17\nkind: delegation\nregions: *a9\n---\n"
	many := make([]string, 5000)
	for i := range many {
		many[i] = "регион" + strings.Repeat("ы", i%7)
	}
	return map[string]string{
		"alias bomb":              bomb,
		"alias bomb in a mapping": "---\na: &a {x: 1, y: 1, z: 1}\nb: &b {x: *a, y: *a, z: *a, w: *a}\nc: &c {x: *b, y: *b, z: *b, w: *b}\nd: &d {x: *c, y: *c, z: *c, w: *c}\ne: &e {x: *d, y: *d, z: *d, w: *d}\nf: &f {x: *e, y: *e, z: *e, w: *e}\ng: [*f, *f, *f, *f, *f, *f, *f, *f]\n---\n",
		"merge key":               head + "base: &b {name: A}\npeople:\n  - <<: *b\n    role: r\n---\n",
		"huge key":                head + "? " + strings.Repeat("k", 100_000) + "\n: 1\n---\n",
		"huge TOML key":           "+++\n\"" + strings.Repeat("k", 100_000) + "\" = 1\n+++\n",
		"huge value":              head + "summary: " + strings.Repeat("ы", 100_000) + "\n---\n",
		"huge unknown region":     "---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: [" + strings.Repeat("Хабаровск", 20_000) + "]\n---\n",
		"many unknown regions":    "---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: [" + strings.Join(many, ", ") + "]\n---\n",
		"many unknown fields":     head + strings.Repeat("titel: x\n", 1) + strings.Join(many, ": 1\n") + ": 1\n---\n",
		"duplicate keys":          head + "title: again\npeople:\n  - name: A\n    name: B\nsources: [{url: https://a.org/, url: https://b.org/}]\n---\n",
		"duplicate TOML keys":     "+++\ntitle = \"a\"\ntitle = \"b\"\n+++\n",
		"many duplicate keys":     head + strings.Repeat("x: 1\n", 5000) + "---\n",
		"control characters":      "---\ntitle: \"\\e[2J\\0\\a\"\ndate: \"2025\\n03\"\nkind: \"\\u202e\"\nregions: [\"\\x1b[31m\"]\nslug: \"a\\tb\"\n---\n\x1b[2J\x00body\n",
		"tab in front matter":     "---\ntitle:\tТ\n---\n",
		"invalid UTF-8 in body":   head + "---\n\nТекст \xff\xfe текст\n",
		"invalid UTF-8 in YAML":   "---\ntitle: \xc3(\n---\n",
		"invalid UTF-8 in TOML":   "+++\ntitle = \"\xe2\x82\"\n+++\n",
		"invalid UTF-8 in a key":  "---\n\xff: 1\n---\n",
		"CRLF":                    strings.ReplaceAll(head+"---\n\nТекст\n", "\n", "\r\n"),
		"CR only":                 strings.ReplaceAll(head+"---\n\nТекст\n", "\n", "\r"),
		"BOM":                     "\ufeff" + head + "---\n",
		"BOM twice":               "\ufeff\ufeff" + head + "---\n",
		"BOM in TOML":             "\ufeff+++\ntitle = \"Т\"\n+++\n",
		"NEL and separators":      "---\ntitle: a\u0085b\u2028c\u2029d\n---\n",
		"unterminated YAML":       head,
		"unterminated TOML":       "+++\ntitle = \"Т\"\n",
		"only a delimiter":        "---",
		"empty front matter":      "---\n---\n",
		"empty TOML":              "+++\n+++\n",
		"empty":                   "",
		"deep YAML flow":          "---\nx: " + strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000) + "\n---\n",
		"deep YAML flow mapping":  "---\nx: " + strings.Repeat("{a: ", 9_000) + "1" + strings.Repeat("}", 9_000) + "\n---\n",
		"deep YAML block":         "---\n" + deepBlock(300) + "---\n",
		"deep TOML array":         "+++\nx = " + strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000) + "\n+++\n",
		"deep TOML table":         "+++\nx = " + strings.Repeat("{a = ", 5_000) + "1" + strings.Repeat("}", 5_000) + "\n+++\n",
		"long slug":               head + "slug: " + strings.Repeat("a", 5000) + "\n---\n",
		"tags":                    head + "summary: !!binary aGVsbG8=\nend: !!timestamp 2025-03-18\nslug: !custom x\n---\n",
		"anchored keys":           "---\n&k title: Т\n*k : again\n---\n",
		"long lines":              head + "---\n" + strings.Repeat("x", 200_000) + "\n",
		"many lines":              head + "---\n" + strings.Repeat("\n", 200_000),
	}
}

// deepBlock writes n mappings, each inside the last.
func deepBlock(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	b.WriteString(strings.Repeat(" ", n) + "b: 1\n")
	return b.String()
}

func FuzzParseNote(f *testing.F) {
	src, err := LoadSettings(os.DirFS(".."))
	if err != nil {
		f.Fatal(err)
	}
	files, err := NoteFiles(os.DirFS(".."))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(filepath.Join("..", file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(strings.TrimSuffix(filepath.Base(file), ".md"), data)
	}
	hostile := hostileNotes()
	for _, name := range slices.Sorted(maps.Keys(hostile)) {
		f.Add(strings.ReplaceAll(name, " ", "-"), []byte(hostile[name]))
	}
	f.Add("a\nb\x1b[31m\xff", []byte("---\ntitle: Т\n---\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		file := "content/2025/" + name + ".md"
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		n, err := ParseNote(file, data, src)
		took := time.Since(start)
		runtime.ReadMemStats(&after)

		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > fuzzAllocBase+fuzzAllocByte*uint64(len(data)) {
			t.Errorf("%d bytes allocated for %s, a note of %d bytes", alloc, q(name), len(data))
		}
		if took > fuzzTimeBase+fuzzTimePerByte*time.Duration(len(data)) {
			t.Errorf("%v taken for %s, a note of %d bytes", took, q(name), len(data))
		}
		if (n == nil) == (err == nil) {
			t.Fatalf("ParseNote returned %v and %v", n, err)
		}
		if err != nil {
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("not Errors: %v", err)
			}
			for _, e := range es {
				line := e.Error()
				if !plainText(line) {
					t.Errorf("a problem that does not print as one plain line: %q", line)
				}
				// Values are cut to echoLen characters; only the file name is whole.
				if rest := strings.TrimPrefix(line, quoteName(file)); len([]rune(rest)) > 600 {
					t.Errorf("a problem of %d characters: %.200s…", len([]rune(rest)), rest)
				}
			}
			return
		}
		if !strings.HasPrefix(string(data), "\ufeff") && !strings.HasPrefix(string(data), "---") && !strings.HasPrefix(string(data), "+++") && strings.TrimSpace(string(data)) == string(data) {
			t.Errorf("a note without front matter parsed: %q", data)
		}
		if n.Title == "" || n.Date.IsZero() || n.Kind == "" || len(n.Regions) == 0 || !ValidSlug(n.Slug) {
			t.Errorf("a note without a required field parsed: %+v", n)
		}
		if !strings.HasSuffix(string(data), string(n.Body)) {
			t.Errorf("the body is not the end of the note")
		}
	})
}

// BenchmarkParseNoteHostile reads each of hostileNotes, and front matters
// near the size limit in the shapes that cost yaml.v3 and BurntSushi/toml
// the most per byte, to show the time and memory a megabyte of the worst
// front matter costs.
func BenchmarkParseNoteHostile(b *testing.B) {
	src, err := LoadSettings(os.DirFS(".."))
	if err != nil {
		b.Fatal(err)
	}
	notes := hostileNotes()
	fill := func(open, close, line string) string {
		var s strings.Builder
		s.WriteString(open + "\n")
		for i := 0; ; i++ {
			l := strings.ReplaceAll(line, "N", strconv.Itoa(i))
			if s.Len()+len(l) > DefaultFrontMatterLimit-100 {
				break
			}
			s.WriteString(l)
		}
		return s.String() + close + "\n"
	}
	notes["a limit of unknown fields"] = fill("---", "---", "xN: 1\n")
	notes["a limit of nested flow mappings"] = fill("---", "---", "xN: "+strings.Repeat("{a: ", 3000)+"1"+strings.Repeat("}", 3000)+"\n")
	notes["a limit of a flow list"] = fill("---\nplaces: [", "]\n---", "xN, ")
	notes["a limit of aliases"] = fill("---\na: &a [x, x, x, x, x, x, x, x]", "---", "bN: [*a, *a, *a, *a]\n")
	notes["a limit of nested TOML arrays"] = fill("+++", "+++", "xN = "+strings.Repeat("[", tomlDepth)+"1"+strings.Repeat("]", tomlDepth)+"\n")
	notes["a limit of nested TOML tables"] = fill("+++", "+++", "xN = "+strings.Repeat("{a.b.c = ", tomlDepth/2)+"1"+strings.Repeat("}", tomlDepth/2)+"\n")
	for _, name := range slices.Sorted(maps.Keys(notes)) {
		data := []byte(notes[name])
		b.Run(strings.ReplaceAll(name, " ", "-"), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				ParseNote("content/2025/a.md", data, src)
			}
		})
	}
}
