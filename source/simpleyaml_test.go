package source

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tricky front matters: what parseSimpleYAML reads must come out as
// yaml.v3 reads it; the rest it must leave to yaml.v3.
var tricky = []string{
	"title: Простой заголовок\ndate: 2024-05-17\n",
	"ключ: [аб, b]\nx: \"й\"  # comment\n",
	"people:\n  - name: Х\n    role: r\n  - Б\nlist:\n- a\n- b\n",
	"a:\nb: ~\n",
	"a:\n\n# comment\n",
	"# leading comment\n\ntitle: x\n",
	"title: a #b\nplaces: [a , b ,c]  # trailing\n",
	"title: a#b\nsummary: 'single'\nkind: \"\"\n",
	"regions: []\nsectors: [ ]\n",
	"title: value:\n",
	"title: 2015-01-05T11:35:00+03:00\nurl: https://example.org/a?b=c#frag\n",
	"title: true\ndraft: false\nn: 12\nf: 1.5\nz: null\nq: NULL\nt: ~\n",
	"people: [True, FALSE, 'true', yes, tRue]\norganizations:\n  - TRUE\n  - \"false\"\n",
	"title: \"Форум: итоги\"\nsummary: \"a 'b' c\"\n",
	"title: x\n  continued\n",
	"title: >\n  folded\n",
	"title: |\n  literal\n",
	"regions: [a, [b]]\n",
	"regions: [a, b\n",
	"regions: [\"a\", 'b']\n",
	"regions: [a: b]\n",
	"people:\n  - name: A\n    role:\n      nested: x\n",
	"people:\n  - name: A\n      role: x\n",
	"people:\n  - name: A\n  - - b\n",
	"sources:\n  - url: https://x.org/1\n    publisher: П\n\n  - url: https://x.org/2\n",
	"title: &anchor x\nother: *anchor\n",
	"title: !!str 12\n",
	"title: x\ntitle: y\n",
	"? complex\n: key\n",
	"- a\n- b\n",
	"title: \"esc \\\" aped\"\n",
	"title:    many spaces   \n",
	"title: x\n---\nmore: y\n",
	"title: @at\n",
	"title: `tick`\n",
	"title: -dash\n",
	"title: - dash\n",
	"title: 5\nregions: [-1, +2]\n",
	"title: x\r\n",
	"title:\tx\n",
	"a-b: 1\n_c: 2\n3d: 3\n",
	"title: {a: b}\n",
	"title: x # c\n  # indented comment\nkind: y\n",
	"list:\n  - a\n  # comment inside\n  - b\n",
	"list:\n  - a\n - b\n",
	"list:\n- name: a\n  role: b\n- c\n",
	"",
	"# only a comment\n",
	"title: =\n",
	"title: <<\n",
	"title: \"\"\nsummary: ''\n",
	"title: a: b\n",
	"title: 'it''s'\n",
	"places: [Шанхай, 上海市, São Paulo]\n",
	"title: a\u2028b\n", "title: a\u0085b\n", "title: a\u2029b\n", "title: a\u00a0b\u00a0\n",
	"people:\n  - name: [a, b]\n    role: 'r'  # c\n",
	"title: x\n...\n", "title : x\n", "title: \"a # b\"\n",
	"people:\n  - name: A\n    name: B\n", "people:\n  - name: A\n  - name: A\n", "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\ng: 7\nh: 8\ni: 9\nj: 10\na: 11\n",
}

// frontMatters returns the front matter of every note below dir.
func frontMatters(t *testing.T, dir string, limit int) [][]byte {
	t.Helper()
	var out [][]byte
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") || len(out) >= limit {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		if rest, ok := bytes.CutPrefix(data, []byte("---\n")); ok {
			if fm, _, ok := bytes.Cut(rest, []byte("\n---")); ok {
				out = append(out, append(fm, '\n'))
			}
		}
		return nil
	})
	return out
}

// checkSimpleYAML fails when parseSimpleYAML reads data otherwise than
// parseYAML, and reports whether it read it.
func checkSimpleYAML(t *testing.T, data []byte) bool {
	t.Helper()
	got, ok := parseSimpleYAML(data, 3)
	if !ok {
		return false
	}
	var p problems
	want := parseFullYAML(&p, "note.md", data, 3)
	if err := p.err(); err != nil {
		t.Errorf("parseSimpleYAML read what yaml.v3 rejects (%v):\n%s", err, data)
		return true
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseSimpleYAML differs from yaml.v3 on:\n%s\ngot  %s\nwant %s", data, dump(got), dump(want))
	}
	return true
}

func dump(v *value) string {
	var b strings.Builder
	var walk func(v *value)
	walk = func(v *value) {
		b.WriteString(v.kind.String())
		b.WriteString("@")
		b.WriteString(strings.Join([]string{strconv.Itoa(v.line), strconv.Itoa(v.col)}, ":"))
		switch v.kind {
		case scalarValue:
			b.WriteString(" " + `"` + v.str + `"`)
		case listValue:
			b.WriteString(" [")
			for _, x := range v.list {
				walk(x)
				b.WriteString("; ")
			}
			b.WriteString("]")
		case mapValue:
			b.WriteString(" {")
			for _, f := range v.fields {
				b.WriteString(f.key + "@" + strconv.Itoa(f.line) + ":" + strconv.Itoa(f.col) + "=")
				walk(f.val)
				b.WriteString("; ")
			}
			b.WriteString("}")
		}
	}
	walk(v)
	return b.String()
}

// CheckSimpleYAML is checkSimpleYAML for the tests of package source_test,
// which may use internal/sitegen.
func CheckSimpleYAML(t *testing.T, data []byte) bool { return checkSimpleYAML(t, data) }

// FrontMatters is frontMatters for package source_test.
func FrontMatters(t *testing.T, dir string, limit int) [][]byte { return frontMatters(t, dir, limit) }

func TestSimpleYAMLMatchesYAML(t *testing.T) {
	for _, s := range tricky {
		checkSimpleYAML(t, []byte(s))
	}
	// The notes editors write are read by the fast path: the sample site,
	// the test sites and what digest new writes (generated notes: see
	// TestSimpleYAMLGenerated).
	src, err := LoadSettings(os.DirFS("../content/.."))
	if err != nil {
		t.Fatal(err)
	}
	scaffold := frontMatter("Новая встреча: итоги", time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 5, 0, 0, 0, 0, time.UTC), "expo", []string{"moscow", "Пекин"}, []string{"trade"}, src)
	sets := map[string][][]byte{
		"sample":     frontMatters(t, "../content", 1000),
		"testdata":   frontMatters(t, "../build/testdata", 1000),
		"digest new": {bytes.TrimSuffix(bytes.TrimPrefix(scaffold[:bytes.Index(scaffold, []byte("\n---\n"))+1], []byte("---\n")), nil)},
	}
	if corpus := os.Getenv("DIGEST_CORPUS"); corpus != "" {
		sets["corpus"] = frontMatters(t, corpus, 20000)
	}
	for name, fms := range sets {
		read := 0
		for _, fm := range fms {
			if checkSimpleYAML(t, fm) {
				read++
			}
		}
		t.Logf("%s: %d of %d front matters read by the fast path", name, read, len(fms))
		if len(fms) == 0 || read*10 < len(fms)*9 && name != "testdata" {
			t.Errorf("%s: the fast path read only %d of %d front matters", name, read, len(fms))
		}
	}
}

func FuzzSimpleYAML(f *testing.F) {
	for _, s := range tricky {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkSimpleYAML(t, []byte(s))
	})
}
