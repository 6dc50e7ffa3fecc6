package source

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"
)

// value is a decoded front-matter or taxonomy value with the place it was
// written, so that every later check can point at the file line and column.
// Exactly one of str, list and fields is meaningful, as kind says.
type value struct {
	kind   valueKind
	str    string
	list   []*value
	fields []field // in source order
	line   int
	col    int
	// yesNo marks a scalar that YAML or TOML read as a boolean (true,
	// false): where a name belongs it is a mistake, «people: true».
	yesNo bool
}

type field struct {
	key  string
	line int
	col  int
	val  *value
}

type valueKind int

const (
	scalarValue valueKind = iota
	listValue
	mapValue
	nullValue
)

func (k valueKind) String() string {
	switch k {
	case listValue:
		return "a list"
	case mapValue:
		return "a mapping"
	case nullValue:
		return "empty"
	default:
		return "a single value"
	}
}

// items returns the elements of a list; a single value is a list of one,
// and an empty value a list of none.
func (v *value) items() []*value {
	switch v.kind {
	case nullValue:
		return nil
	case listValue:
		return v.list
	}
	return []*value{v}
}

// get returns the field called key, or nil.
func (v *value) get(key string) *field {
	for i := range v.fields {
		if v.fields[i].key == key {
			return &v.fields[i]
		}
	}
	return nil
}

// aliasAllowance is how many values a YAML file's aliases may repeat in all
// when the file itself writes out fewer; see yamlDecoder.
const aliasAllowance = 1000

// yamlDecoder converts a yaml.v3 node tree into values, adding lineOffset
// to every line so that positions are the file's, not the front-matter
// block's. It reports a key given twice in one mapping, at the second, and
// keeps the first. An alias (*name) repeats its anchor's values; all the
// aliases of a file together may make no more values than the file writes
// out itself, or aliasAllowance when that is more. Without that budget nine
// lines of nine aliases each would ask for 9⁹ values.
type yamlDecoder struct {
	p          *problems
	file       string
	lineOffset int
	doc        *yaml.Node

	// allow is how many values aliases may make, and left how many they
	// may still make; both are -1 until the first alias, when the
	// document's own nodes are counted.
	allow, left int
	inAlias     int  // how many aliases are being expanded
	over        bool // the budget is spent: the value is not to be used
}

// decode returns the value of n, or nil when the aliases spent the budget.
func (d *yamlDecoder) decode(n *yaml.Node) *value {
	d.allow, d.left = -1, -1
	v := d.value(n)
	if d.over {
		return nil
	}
	return v
}

func (d *yamlDecoder) value(n *yaml.Node) *value {
	for n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if d.over {
		return &value{kind: nullValue}
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		if d.allow < 0 {
			d.allow = max(countNodes(d.doc), aliasAllowance)
			d.left = d.allow
		}
		d.inAlias++
		v := d.value(n.Alias)
		d.inAlias--
		if d.over && d.inAlias == 0 {
			d.p.add(d.file, n.Line+d.lineOffset, n.Column, "alias *%s: the aliases would repeat more than %d values; write the values out instead", cut(n.Value), d.allow)
		}
		v.line, v.col = n.Line+d.lineOffset, n.Column
		return v
	}
	if d.inAlias > 0 {
		if d.left--; d.left < 0 {
			d.over = true
			return &value{kind: nullValue}
		}
	}
	v := &value{line: n.Line + d.lineOffset, col: n.Column}
	if n.Style&yaml.TaggedStyle != 0 {
		// «!!binary …» would be read as its base64 text, «!!int hello»
		// as hello: a tag is a mistake, never what the editor meant.
		d.p.add(d.file, v.line, v.col, "YAML tag %s: tags are not read; write the value as text", cut(n.Tag))
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			v.kind = nullValue
			return v
		}
		v.kind, v.str = scalarValue, n.Value
		v.yesNo = n.Tag == "!!bool"
	case yaml.SequenceNode:
		v.kind = listValue
		if len(n.Content) > 0 {
			v.list = make([]*value, 0, len(n.Content))
		}
		for _, c := range n.Content {
			v.list = append(v.list, d.value(c))
		}
	case yaml.MappingNode:
		v.kind = mapValue
		if len(n.Content) > 0 {
			v.fields = make([]field, 0, len(n.Content)/2)
		}
		var seen map[string]bool
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if !v.addField(field{key: k.Value, line: k.Line + d.lineOffset, col: k.Column}, &seen) {
				// Inside an alias the anchor's own mapping was reported already.
				if d.inAlias == 0 {
					d.p.add(d.file, k.Line+d.lineOffset, k.Column, "field %s is given twice", q(k.Value))
				}
				continue
			}
			v.fields[len(v.fields)-1].val = d.value(n.Content[i+1])
		}
	default:
		v.kind = nullValue
	}
	return v
}

// addField appends f to a mapping's fields unless it has one of that key
// already, and reports whether it did. *seen holds the keys of a long
// mapping, made when it grows long; short ones are searched.
func (v *value) addField(f field, seen *map[string]bool) bool {
	if *seen != nil {
		if (*seen)[f.key] {
			return false
		}
		(*seen)[f.key] = true
	} else {
		if v.get(f.key) != nil {
			return false
		}
		if len(v.fields) == 8 {
			*seen = make(map[string]bool)
			for _, f := range v.fields {
				(*seen)[f.key] = true
			}
			(*seen)[f.key] = true
		}
	}
	v.fields = append(v.fields, f)
	return true
}

// countNodes counts the nodes of a tree as written, an alias as one.
func countNodes(n *yaml.Node) int {
	c := 1
	for _, x := range n.Content {
		c += countNodes(x)
	}
	return c
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlParserProblems begin the messages of yaml.v3's parser (parserc.go), as
// opposed to its scanner.
var yamlParserProblems = []string{"did not find expected", "found duplicate %", "found incompatible YAML", "found undefined tag handle"}

// parseYAML decodes YAML data whose first line is line lineOffset+1 of file,
// adding its problems to p. It returns nil when the data cannot be used: a
// syntax error or aliases that repeat too much.
func parseYAML(p *problems, file string, data []byte, lineOffset int) *value {
	v, ok := parseSimpleYAML(data, lineOffset)
	if !ok {
		v = parseFullYAML(p, file, data, lineOffset)
	}
	controls(p, file, v)
	return v
}

// controls reports each value of v that holds a control character (but
// tab and line breaks), as YAML's and TOML's escapes write them («\a»):
// no page, feed, calendar or CSV file may carry one. It is a minor problem
// (problems.minor), told where no other is.
func controls(p *problems, file string, v *value) {
	if v == nil {
		return
	}
	switch v.kind {
	case scalarValue:
		if i := strings.IndexFunc(v.str, isControl); i >= 0 {
			r, _ := utf8.DecodeRuneInString(v.str[i:])
			p.minor = append(p.minor, &FileError{File: file, Line: v.line, Col: v.col, Err: fmt.Errorf("control character U+%04X in the value: remove it", r)})
		}
	case listValue:
		for _, e := range v.list {
			controls(p, file, e)
		}
	case mapValue:
		for _, f := range v.fields {
			controls(p, file, f.val)
		}
	}
}

// isControl reports whether r is a control character that text may not
// hold: C0 but tab and line breaks, DEL and C1.
func isControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r <= 0x9f)
}

// parseFullYAML is parseYAML by yaml.v3 alone.
func parseFullYAML(p *problems, file string, data []byte, lineOffset int) *value {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		line := lineOffset + 1
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			line, msg = n+lineOffset, m[2]
			// yaml.v3 counts lines from 0 in its parser's errors and from 1 in
			// its scanner's; the parser's are the ones below.
			for _, p := range yamlParserProblems {
				if strings.HasPrefix(msg, p) {
					line++
					break
				}
			}
		} else {
			msg = strings.TrimPrefix(msg, "yaml: ")
		}
		p.add(file, line, 1, "YAML syntax: %s", msg)
		return nil
	}
	if doc.Kind == 0 {
		return &value{kind: mapValue, line: lineOffset + 1, col: 1}
	}
	d := yamlDecoder{p: p, file: file, lineOffset: lineOffset, doc: &doc}
	return d.decode(&doc)
}

// tomlKey is a key's part in TOML: "basic", 'literal' or bare. Its
// submatches are the part as written, then the basic, literal or bare
// name, one of which is there (see keyOf).
const tomlKey = `("([^"\\]*)"|'([^']*)'|([A-Za-z0-9_-]+))`

// tomlKeyRE finds the first part of a key at the start of a line: key =,
// key.part = (a dotted key), [key], [key.part] or [[key]].
var tomlKeyRE = regexp.MustCompile(`^\s*(?:\[\[?)?\s*` + tomlKey + `\s*(?:=|\.|\]\]?)`)

// keyOf is the name of the key that sm, tomlKey's submatches in line,
// found, and where it begins, a line's column.
func keyOf(line string, sm []int) (name string, col int) {
	for i := 4; i+1 < len(sm) && i <= 8; i += 2 {
		if sm[i] >= 0 {
			return line[sm[i]:sm[i+1]], 1 + utf8.RuneCountInString(line[:sm[2]])
		}
	}
	return "", 1
}

// parseTOML decodes TOML data whose first line is line lineOffset+1 of file,
// adding its problems to p; it returns nil on a syntax error. TOML offers no
// positions for keys, so top-level keys and those of arrays of tables are
// found by scanning the lines (tomlPlaces); other nested values carry their
// key's position.
func parseTOML(p *problems, file string, data []byte, lineOffset int) *value {
	if line, col, msg := tomlTooDeep(data); msg != "" {
		p.add(file, line+lineOffset, col, "TOML: %s", msg)
		return nil
	}
	var m map[string]any
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&m)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			p.add(file, pe.Position.Line+lineOffset, max(pe.Position.Col, 1), "TOML syntax: %s", pe.Message)
		} else {
			p.add(file, lineOffset+1, 1, "TOML: %v", err)
		}
		return nil
	}
	pos, tables := tomlPlaces(data, lineOffset)
	root := &value{kind: mapValue, line: lineOffset + 1, col: 1}
	done := map[string]bool{}
	for _, k := range md.Keys() {
		// A dotted key (foo.bar = 1) lists only its whole path, not its
		// first part, which is the top-level field; an array of tables
		// lists its key once per table.
		if done[k[0]] {
			continue
		}
		done[k[0]] = true
		p, ok := pos[k[0]]
		if !ok {
			p = [2]int{lineOffset + 1, 1}
		}
		val := fromAny(m[k[0]], p[0], p[1])
		if list, ok := m[k[0]].([]map[string]any); ok && len(tables[k[0]]) == len(list) {
			// [[people]] tables: each at its header, each key at its line.
			for i, t := range tables[k[0]] {
				e := val.list[i]
				e.line, e.col = t.at[0], t.at[1]
				for j := range e.fields {
					f := &e.fields[j]
					if kp, ok := t.keys[f.key]; ok {
						f.line, f.col = kp[0], kp[1]
						f.val = fromAny(list[i][f.key], kp[0], kp[1])
					}
				}
				sort.SliceStable(e.fields, func(a, b int) bool { return e.fields[a].line < e.fields[b].line })
			}
		}
		root.fields = append(root.fields, field{key: k[0], line: p[0], col: p[1], val: val})
	}
	sort.SliceStable(root.fields, func(i, j int) bool { return root.fields[i].line < root.fields[j].line })
	controls(p, file, root)
	return root
}

// tomlTable is where an array of tables' table ([[people]]) and its keys
// are written: line and column.
type tomlTable struct {
	at   [2]int
	keys map[string][2]int
}

// tomlTableRE finds an array of tables' header, [[key]], and tomlPlainRE a
// key of one part, key =.
var (
	tomlTableRE = regexp.MustCompile(`^\s*\[\[\s*` + tomlKey + `\s*\]\]`)
	tomlPlainRE = regexp.MustCompile(`^\s*` + tomlKey + `\s*=`)
)

// tomlPlaces finds where keys are written, as TOML does not say, by
// scanning the lines: top has the first place of each key's first part
// (tomlKeyRE), and tables the tables of each array of tables in order,
// each with the places of its keys.
func tomlPlaces(data []byte, lineOffset int) (top map[string][2]int, tables map[string][]tomlTable) {
	top, tables = map[string][2]int{}, map[string][]tomlTable{}
	var cur *tomlTable // the table of an array of tables being read
	for i, line := range strings.Split(string(data), "\n") {
		key := func(sm []int) (string, [2]int) {
			name, col := keyOf(line, sm)
			return name, [2]int{i + 1 + lineOffset, col}
		}
		if sm := tomlKeyRE.FindStringSubmatchIndex(line); sm != nil {
			if name, at := key(sm); top[name] == ([2]int{}) {
				top[name] = at
			}
		}
		switch sm := tomlTableRE.FindStringSubmatchIndex(line); {
		case sm != nil:
			name, at := key(sm)
			tables[name] = append(tables[name], tomlTable{at: at, keys: map[string][2]int{}})
			cur = &tables[name][len(tables[name])-1]
		case strings.HasPrefix(strings.TrimSpace(line), "["):
			cur = nil // another table
		case cur != nil:
			if sm := tomlPlainRE.FindStringSubmatchIndex(line); sm != nil {
				if name, at := key(sm); cur.keys[name] == ([2]int{}) {
					cur.keys[name] = at
				}
			}
		}
	}
	return top, tables
}

// tomlDepth is how deep TOML may nest: how many brackets ([ and {) may be
// open at once, and how many dots (which join the parts of keys) one line
// may have outside strings. A note needs two and none.
const tomlDepth = 4

// tomlTooDeep finds the first place where data nests deeper than tomlDepth
// and says how, or returns "". BurntSushi/toml keeps the whole path of
// every value as a string, so that the cost of reading grows with the size
// times the depth, and nesting costs a few bytes a level.
// It tells strings and comments as TOML does; it need not tell more, as
// what it gets wrong the parser rejects.
func tomlTooDeep(data []byte) (line, col int, msg string) {
	const (
		code = iota
		comment
		basic        // "…"
		literal      // '…'
		multiBasic   // """…"""
		multiLiteral // '''…'''
	)
	state, depth, dots := code, 0, 0
	line, start := 1, 0
	at := func(i int) (int, int) { return line, 1 + utf8.RuneCount(data[start:i]) }
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '\n' {
			line, start, dots = line+1, i+1, 0
			if state != multiBasic && state != multiLiteral {
				state = code
			}
			continue
		}
		switch state {
		case comment:
		case basic, multiBasic:
			switch {
			case c == '\\' && i+1 < len(data) && data[i+1] != '\n':
				i++
			case c == '"' && state == basic:
				state = code
			case c == '"' && bytes.HasPrefix(data[i:], []byte(`"""`)):
				i += quoteRun(data[i:], '"') - 1
				state = code
			}
		case literal:
			if c == '\'' {
				state = code
			}
		case multiLiteral:
			if bytes.HasPrefix(data[i:], []byte("'''")) {
				i += quoteRun(data[i:], '\'') - 1
				state = code
			}
		default:
			switch c {
			case '#':
				state = comment
			case '"', '\'':
				if bytes.HasPrefix(data[i:], []byte{c, c, c}) {
					state, i = multiBasic, i+2
					if c == '\'' {
						state = multiLiteral
					}
				} else if state = basic; c == '\'' {
					state = literal
				}
			case '[', '{':
				if depth++; depth > tomlDepth {
					line, col := at(i)
					return line, col, fmt.Sprintf("brackets nest more than %d deep", tomlDepth)
				}
			case ']', '}':
				depth = max(depth-1, 0)
			case '.':
				if dots++; dots > tomlDepth {
					line, col := at(i)
					return line, col, fmt.Sprintf("more than %d dots in one line outside strings: keys of so many parts are not read", tomlDepth)
				}
			}
		}
	}
	return 0, 0, ""
}

// quoteRun is how many times q repeats at the start of data: a multi-line
// string may end with five quotes, two of them its own.
func quoteRun(data []byte, q byte) int {
	n := 0
	for n < len(data) && n < 5 && data[n] == q {
		n++
	}
	return n
}

// fromAny converts a decoded TOML value, placing every part at line, col.
func fromAny(x any, line, col int) *value {
	v := &value{line: line, col: col}
	switch x := x.(type) {
	case nil:
		v.kind = nullValue
	case string:
		v.str = x
	case bool:
		v.str, v.yesNo = strconv.FormatBool(x), true
	case time.Time:
		// TOML's local dates and times come back in zones named after their kind.
		switch x.Location().String() {
		case "date-local":
			v.str = x.Format(time.DateOnly)
		case "datetime-local":
			v.str = x.Format("2006-01-02T15:04:05")
		case "time-local":
			v.str = x.Format("15:04:05")
		default:
			v.str = x.Format(time.RFC3339)
		}
	case []any:
		v.kind = listValue
		for _, e := range x {
			v.list = append(v.list, fromAny(e, line, col))
		}
	case []map[string]any:
		v.kind = listValue
		for _, e := range x {
			v.list = append(v.list, fromAny(e, line, col))
		}
	case map[string]any:
		v.kind = mapValue
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v.fields = append(v.fields, field{key: k, line: line, col: col, val: fromAny(x[k], line, col)})
		}
	default:
		v.str = fmt.Sprint(x)
	}
	return v
}
