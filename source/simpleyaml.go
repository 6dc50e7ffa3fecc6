package source

import (
	"strings"
	"unicode/utf8"
)

// parseSimpleYAML reads the front matter most notes have, much faster than
// yaml.v3 (which took two thirds of `digest check`): top-level "key: value"
// lines whose values are plain or simply quoted scalars on one line, flow
// lists of plain scalars ([a, b]), and block lists of such scalars and of
// mappings of them (people, sources), with comments. It returns the tree
// parseYAML would, positions included, or false for anything else, which
// parseYAML then reads: it never guesses. A key given twice is left to
// parseYAML too, which reports it. TestSimpleYAMLMatchesYAML and
// FuzzSimpleYAML hold it to yaml.v3.
func parseSimpleYAML(data []byte, lineOffset int) (*value, bool) {
	if !printable(data) {
		return nil, false
	}
	p := simpleParser{lines: strings.Split(string(data), "\n"), offset: lineOffset}
	root := &value{kind: mapValue, line: lineOffset + 1, col: 1}
	var seen map[string]bool
	first := true
	for p.skipBlank(); p.i < len(p.lines); p.skipBlank() {
		line := p.lines[p.i]
		key, rest, ok := splitKey(line)
		if !ok {
			return nil, false
		}
		if first {
			root.line, first = p.i+1+lineOffset, false
		}
		f := field{key: key, line: p.i + 1 + lineOffset, col: 1}
		valCol := 1 + utf8.RuneCountInString(key) + 1 // just after the colon
		if rest == "" {
			p.i++
			if v, ok, seq := p.blockList(); seq {
				if !ok {
					return nil, false
				}
				f.val = v
			} else {
				f.val = &value{kind: nullValue, line: f.line, col: valCol}
			}
		} else {
			if rest[0] != ' ' {
				return nil, false
			}
			v, ok := inlineValue(rest[1:], f.line, valCol+1, false)
			if !ok {
				return nil, false
			}
			f.val = v
			p.i++
		}
		if !root.addField(f, &seen) {
			return nil, false // a key given twice: parseYAML reports it
		}
	}
	if first {
		return nil, false // nothing but comments: let yaml.v3 say what it is
	}
	return root, true
}

// printable reports whether data is UTF-8 of characters YAML allows, with
// no line breaks but \n and no tabs, which are left to yaml.v3.
func printable(data []byte) bool {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		// yaml.v3 breaks lines at NEL, U+2028 and U+2029 too: left to it.
		if !(r >= 0xa0 && r <= 0xd7ff && r != 0x2028 && r != 0x2029 || r >= 0xe000 && r <= 0xfffd && r != 0xfeff || r >= 0x10000 && r <= 0x10ffff) {
			return false // invalid UTF-8 is RuneError, U+FFFD, with size 1
		}
		if r == utf8.RuneError && size == 1 {
			return false
		}
		i += size
	}
	return true
}

type simpleParser struct {
	lines  []string
	i      int // the line being read
	offset int // lines of the file before data
}

// skipBlank moves past empty lines and lines that are only a comment.
func (p *simpleParser) skipBlank() {
	for p.i < len(p.lines) {
		t := strings.TrimLeft(p.lines[p.i], " ")
		if t != "" && t[0] != '#' {
			return
		}
		p.i++
	}
}

// blockList reads the block list that may follow "key:" from line p.i on.
// seq is false when none does (the key's value is then empty); ok is false
// for a list this parser does not read.
func (p *simpleParser) blockList() (v *value, ok, seq bool) {
	p.skipBlank()
	if p.i >= len(p.lines) {
		return nil, false, false
	}
	indent, item, isItem := listItem(p.lines[p.i])
	if !isItem {
		return nil, false, indentOf(p.lines[p.i]) > 0 // a nested mapping: not read here
	}
	list := &value{kind: listValue, line: p.i + 1 + p.offset, col: indent + 1}
	for isItem {
		line := p.i + 1 + p.offset
		col := indent + 3
		if key, rest, isKey := splitKey(item); isKey {
			// A mapping: "- key: value", then "  key: value" lines below.
			m := &value{kind: mapValue, line: line, col: col}
			var seen map[string]bool
			for {
				f := field{key: key, line: line, col: col}
				if rest == "" || rest[0] != ' ' {
					return nil, false, true // an empty or nested value
				}
				val, ok := inlineValue(rest[1:], line, col+utf8.RuneCountInString(key)+2, false)
				if !ok {
					return nil, false, true
				}
				f.val = val
				if !m.addField(f, &seen) {
					return nil, false, true
				}
				p.i++
				p.skipBlank()
				if p.i >= len(p.lines) || indentOf(p.lines[p.i]) != indent+2 {
					break
				}
				if key, rest, isKey = splitKey(p.lines[p.i][indent+2:]); !isKey {
					return nil, false, true
				}
				line = p.i + 1 + p.offset
			}
			list.list = append(list.list, m)
		} else {
			val, ok := inlineValue(item, line, col, false)
			if !ok || val.kind == listValue {
				return nil, false, true
			}
			list.list = append(list.list, val)
			p.i++
			p.skipBlank()
		}
		if p.i >= len(p.lines) {
			break
		}
		var next int
		next, item, isItem = listItem(p.lines[p.i])
		if isItem && next != indent {
			return nil, false, true
		}
		if !isItem && indentOf(p.lines[p.i]) > 0 {
			return nil, false, true // more indented text: not read here
		}
	}
	return list, true, true
}

// listItem splits "  - item" into its indentation and the item.
func listItem(line string) (indent int, item string, ok bool) {
	indent = indentOf(line)
	rest := line[indent:]
	if !strings.HasPrefix(rest, "- ") {
		return indent, "", false
	}
	return indent, rest[2:], true
}

func indentOf(line string) int {
	return len(line) - len(strings.TrimLeft(line, " "))
}

// splitKey splits "key: rest" or "key:" at the colon, for keys of letters,
// digits, _ and - that start with a letter or _, at the start of line.
func splitKey(line string) (key, rest string, ok bool) {
	i := 0
	for i < len(line) && (isKeyByte(line[i]) || i > 0 && line[i] == '-') {
		i++
	}
	// YAML limits implicit keys to 1024 characters; real ones are short.
	if i == 0 || i > 128 || i >= len(line) || line[i] != ':' || line[0] == '-' || line[0] >= '0' && line[0] <= '9' {
		return "", "", false
	}
	rest = line[i+1:]
	if rest != "" && rest[0] != ' ' {
		return "", "", false
	}
	return line[:i], rest, true
}

func isKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// inlineValue reads a value written on one line at the given line and
// column, followed by nothing but a comment: a flow list of plain scalars
// (not inside another), a quoted scalar without escapes, or a plain scalar.
func inlineValue(s string, line, col int, inFlow bool) (*value, bool) {
	lead := len(s) - len(strings.TrimLeft(s, " "))
	s, col = s[lead:], col+lead
	if s == "" {
		return nil, false
	}
	switch s[0] {
	case '[':
		if inFlow {
			return nil, false
		}
		end := strings.IndexByte(s, ']')
		if end < 0 || !onlyComment(s[end+1:]) {
			return nil, false
		}
		list := &value{kind: listValue, line: line, col: col}
		inner := s[1:end]
		if strings.TrimSpace(inner) == "" {
			if inner != "" {
				return nil, false
			}
			return list, true
		}
		at := col + 1
		for _, item := range strings.Split(inner, ",") {
			v, ok := inlineValue(item, line, at, true)
			if !ok {
				return nil, false
			}
			list.list = append(list.list, v)
			at += utf8.RuneCountInString(item) + 1
		}
		return list, true
	case '"', '\'':
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 {
			return nil, false
		}
		text, after := s[1:1+end], s[2+end:]
		if strings.ContainsAny(text, `\"'`) {
			return nil, false
		}
		if inFlow {
			if strings.TrimSpace(after) != "" {
				return nil, false
			}
		} else if !onlyComment(after) {
			return nil, false
		}
		return &value{kind: scalarValue, str: text, line: line, col: col}, true
	}
	// A plain scalar. In a flow list it ends at the comma (the caller's
	// split), and some characters are left to yaml.v3.
	if strings.ContainsAny(s[:1], "-?:,[]{}#&*!|>%@`") {
		return nil, false
	}
	text := s
	if i := strings.Index(text, " #"); i >= 0 {
		if inFlow {
			return nil, false
		}
		text = text[:i]
	}
	text = strings.TrimRight(text, " ")
	if strings.Contains(text, ": ") || strings.HasSuffix(text, ":") || strings.Contains(text, " #") ||
		inFlow && strings.ContainsAny(text, ":[]{}#\"'") {
		return nil, false
	}
	switch text {
	case "~", "null", "Null", "NULL":
		return &value{kind: nullValue, line: line, col: col}, true
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return &value{kind: scalarValue, str: text, line: line, col: col, yesNo: true}, true
	}
	return &value{kind: scalarValue, str: text, line: line, col: col}, true
}

// onlyComment reports whether s is blank or spaces and a comment.
func onlyComment(s string) bool {
	t := strings.TrimLeft(s, " ")
	return t == "" || t[0] == '#' && len(t) < len(s)
}
