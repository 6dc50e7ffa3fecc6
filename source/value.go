package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
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

// aliasAllowance is how much a YAML file's aliases may repeat in all when
// the file itself is smaller, in the units of aliasCost; see yamlDecoder.
const aliasAllowance = 4 << 10

// yamlDecoder converts a yaml.v3 node tree into values, adding lineOffset
// to every line so that positions are the file's, not the front-matter
// block's. It reports a key given twice in one mapping, at the second, and
// keeps the first. An alias (*name) repeats its anchor's values; all the
// aliases of a file together may repeat no more than the file writes out
// itself (size, its length in bytes), or aliasAllowance when that is more,
// counted by aliasCost: the text of the values and keys they repeat, and
// one for each value. Counting values alone let each alias repeat a value
// as long as the whole file, and every page, feed and index that shows
// the value pay for each repeat; counting bytes alone let nine lines of
// nine aliases each ask for nine to the ninth empty values.
type yamlDecoder struct {
	p          *problems
	file       string
	lineOffset int
	size       int

	// allow is how much aliases may repeat, and left how much they may
	// still repeat; both are -1 until the first alias.
	allow, left int
	inAlias     int  // how many aliases are being expanded
	over        bool // the budget is spent: the value is not to be used

	// anchored are the nodes with an anchor (&name), aliased those an
	// alias repeats: an anchor nothing repeats is text the editor lost.
	anchored []*yaml.Node
	aliased  map[*yaml.Node]bool
}

// aliasCost is what repeating the node n costs, apart from what its
// children cost: one for the value, and its text when it is a scalar.
func aliasCost(n *yaml.Node) int {
	if n.Kind == yaml.ScalarNode {
		return 1 + len(n.Value)
	}
	return 1
}

// spend takes cost from what aliases may still repeat, and reports whether
// there was that much left; once there is not, the value is not to be used.
func (d *yamlDecoder) spend(cost int) bool {
	if d.left -= cost; d.left < 0 {
		d.over = true
	}
	return !d.over
}

// decode returns the value of n, or nil when the aliases spent the budget.
func (d *yamlDecoder) decode(n *yaml.Node) *value {
	d.allow, d.left = -1, -1
	v := d.value(n)
	if d.over {
		return nil
	}
	for _, a := range d.anchored {
		if d.aliased[a] {
			continue
		}
		// «title: &NEW визит» is the title «визит»: YAML reads the word
		// after & as the name of an anchor, however the editor meant it.
		if a.Kind == yaml.ScalarNode {
			d.p.add(d.file, a.Line+d.lineOffset, a.Column, "&%s is a YAML anchor, not text, and no *%[1]s repeats it: the value reads %s; put the whole value in quotes", cut(a.Anchor), q(cut(a.Value)))
		} else {
			d.p.add(d.file, a.Line+d.lineOffset, a.Column, "&%s is a YAML anchor that no *%[1]s repeats: remove it", cut(a.Anchor))
		}
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
		if d.aliased == nil {
			d.aliased = map[*yaml.Node]bool{}
		}
		d.aliased[n.Alias] = true
		if d.allow < 0 {
			d.allow = max(d.size, aliasAllowance)
			d.left = d.allow
		}
		d.inAlias++
		v := d.value(n.Alias)
		d.inAlias--
		if d.over && d.inAlias == 0 {
			if d.allow == d.size {
				d.p.add(d.file, n.Line+d.lineOffset, n.Column, "alias *%s: the aliases would repeat more than the %s written out; write the values out instead", cut(n.Value), FormatSize(int64(d.allow)))
			} else {
				d.p.add(d.file, n.Line+d.lineOffset, n.Column, "alias *%s: the aliases would repeat more than %s; write the values out instead", cut(n.Value), FormatSize(int64(d.allow)))
			}
		}
		v.line, v.col = n.Line+d.lineOffset, n.Column
		return v
	}
	if d.inAlias > 0 && !d.spend(aliasCost(n)) {
		return &value{kind: nullValue}
	}
	v := &value{line: n.Line + d.lineOffset, col: n.Column}
	if n.Anchor != "" && d.inAlias == 0 {
		d.anchored = append(d.anchored, n)
	}
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
			// A key repeated is text repeated, as a value is.
			if d.inAlias > 0 && !d.spend(len(k.Value)) {
				return &value{kind: nullValue}
			}
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

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlParserProblems are the messages of yaml.v3's parser (parserc.go), as
// opposed to its scanner, whose messages may begin alike («did not find
// expected whitespace»).
var yamlParserProblems = []string{
	"did not find expected <stream-start>", "did not find expected <document start>",
	"did not find expected node content", "did not find expected '-' indicator", "did not find expected key",
	"did not find expected ',' or ']'", "did not find expected ',' or '}'",
	"found duplicate %YAML directive", "found duplicate %TAG directive", "found incompatible YAML document",
	"found undefined tag handle",
}

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
// tab and line breaks) or a bidi control (isTextControl), as YAML's and
// TOML's escapes write them («\a», «\u202E») or raw: no page, feed,
// calendar or CSV file may carry one. It is a minor problem
// (problems.minor), told where no other is.
func controls(p *problems, file string, v *value) {
	if v == nil {
		return
	}
	switch v.kind {
	case scalarValue:
		if i := strings.IndexFunc(v.str, isTextControl); i >= 0 {
			r, _ := utf8.DecodeRuneInString(v.str[i:])
			p.minor = append(p.minor, &FileError{File: file, Line: v.line, Col: v.col, Err: controlProblem(r, "value")})
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

// isBidiControl reports whether r is a bidi control that turns the
// direction of the text after it: an embedding, an override or an isolate
// (U+202A to U+202E, U+2066 to U+2069). A page shows what follows one
// reversed or moved, so that a title or a name reads otherwise than it is
// written. The marks U+200E and U+200F (LRM, RLM) turn nothing after them,
// and are allowed.
func isBidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// isTextControl reports whether r is a character that no value and no
// text may hold: a control character or a bidi control.
func isTextControl(r rune) bool { return isControl(r) || isBidiControl(r) }

// controlProblem says that the value or the text (where) holds r, a
// character that isTextControl is.
func controlProblem(r rune, where string) error {
	if isBidiControl(r) {
		return fmt.Errorf("bidi control character U+%04X in the %s: pages would show the text after it reversed; remove it", r, where)
	}
	return fmt.Errorf("control character U+%04X in the %s: remove it", r, where)
}

// isYAMLControl reports whether r is a character that yaml.v3 refuses as a
// control character: one that isControl is but NEL, which YAML reads as a
// line break, or U+FFFE or U+FFFF.
func isYAMLControl(r rune) bool {
	return isControl(r) && r != '\u0085' || r == '\ufffe' || r == '\uffff'
}

// parseFullYAML is parseYAML by yaml.v3 alone. The data is one YAML
// document: yaml.v3 reads the first and stops, so that what follows a ---
// or ... line would be lost without a word; it is a problem at that line.
func parseFullYAML(p *problems, file string, data []byte, lineOffset int) *value {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		line, msg := yamlErrorLine(err)
		col := 1
		switch {
		case slices.Contains(yamlBlockProblems, msg):
			line, col = yamlBlockProblemAt(data, line, msg)
		case msg == yamlEndOfStream:
			if l, c, ok := yamlOpenQuoteAt(data, line); ok {
				line, col, msg = l, c, "a quote that does not close: "+msg
			}
		case yamlUnknownAnchorRE.MatchString(msg):
			// yaml.v3 says no line for it: it is told where the alias is.
			// No field needs an alias: more likely it is text (*Важно*).
			if l, c, ok := yamlAliasAt(data, yamlUnknownAnchorRE.FindStringSubmatch(msg)[1]); ok {
				line, col, msg = l, c, msg+": a value that starts with '*' needs quotes"
			}
		}
		if c, first, ok := yamlReservedAt(data, line); ok && strings.ContainsRune(yamlReserved[msg], first) {
			col, msg = c, fmt.Sprintf("%s: a value that starts with %q needs quotes", msg, first)
		}
		line += lineOffset
		// yaml.v3 says no line for a control character: it is told where it is.
		if i := bytes.IndexFunc(data, isYAMLControl); msg == "control characters are not allowed" && i >= 0 {
			line, col = lineCol(data, i)
			line += lineOffset
		}
		p.add(file, line, col, "YAML syntax: %s", msg)
		return nil
	}
	if doc.Kind == 0 {
		return &value{kind: mapValue, line: lineOffset + 1, col: 1}
	}
	// A second document, or what yaml.v3 refuses after the first: either
	// way the lines after the marker would not be read. Empty documents
	// (a --- at the end) hold nothing to lose.
	if err := decodeEmpty(dec); err != io.EOF {
		switch line, marker := yamlDocumentEnd(data); marker {
		case "---":
			p.add(file, line+lineOffset, 1, "a second YAML document: the lines after --- are not read; remove the line")
		case "...":
			p.add(file, line+lineOffset, 1, "end of the YAML document: the lines after ... are not read; remove the line")
		default: // not seen: yaml.v3 reads no further without a marker
			line, msg := yamlErrorLine(err)
			p.add(file, max(line, 1)+lineOffset, 1, "YAML syntax: %s", msg)
		}
		return nil
	}
	d := yamlDecoder{p: p, file: file, lineOffset: lineOffset, size: len(data)}
	return d.decode(&doc)
}

// decodeEmpty reads the documents of dec while they are empty, and
// returns the error of the first that is not, io.EOF at the end, or
// errNotEmpty.
func decodeEmpty(dec *yaml.Decoder) error {
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			return err
		}
		if len(doc.Content) != 1 || doc.Content[0].Tag != "!!null" || doc.Content[0].Value != "" {
			return errNotEmpty
		}
	}
}

var errNotEmpty = errors.New("a YAML document after the first")

// yamlDocumentEnd returns the line of data, from 1, that ends its first
// YAML document, and the marker there, --- or ...: the first line that
// starts with a marker after the document's content, a --- before it
// being the document's start. It returns 0 and "" when there is none.
func yamlDocumentEnd(data []byte) (line int, marker string) {
	data = bytes.TrimPrefix(data, bom)
	content := false
	for line, i := 1, 0; i < len(data); line++ {
		start := i
		for i < len(data) && !isYAMLBreak(data[i:]) {
			_, size := utf8.DecodeRune(data[i:])
			i += size
		}
		text := data[start:i]
		if bytes.HasPrefix(data[i:], []byte("\r\n")) {
			i++
		}
		if i < len(data) {
			_, size := utf8.DecodeRune(data[i:])
			i += size
		}
		for _, m := range []string{"---", "..."} {
			if rest, ok := bytes.CutPrefix(text, []byte(m)); ok && (len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t') {
				if content || m == "..." {
					return line, m
				}
				content = true // the document's start: what follows is its content
			}
		}
		if t := bytes.TrimLeft(text, " \t"); len(t) > 0 && t[0] != '#' && t[0] != '%' {
			content = true
		}
	}
	return 0, ""
}

// yamlErrorLine splits an error of yaml.Unmarshal into the line of the
// data it says, from 1 (the first line when it says none), and what it
// says; it returns 0 and "" for no error.
func yamlErrorLine(err error) (line int, msg string) {
	if err == nil {
		return 0, ""
	}
	msg = err.Error()
	m := yamlLineRE.FindStringSubmatch(msg)
	if m == nil {
		return 1, strings.TrimPrefix(msg, "yaml: ")
	}
	line, _ = strconv.Atoi(m[1])
	msg = m[2]
	// yaml.v3 counts lines from 0 in its parser's errors and from 1 in
	// its scanner's.
	if slices.Contains(yamlParserProblems, msg) {
		line++
	}
	return line, msg
}

// yamlUnknownAnchorRE is what yaml.v3 says, with no line, of an alias
// (*name) that no anchor before it defines.
var yamlUnknownAnchorRE = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// yamlAliasAt returns the line and the column, from 1, of the first alias
// *name in data: *name where a value starts (at the start of a line, after
// a space, a tab, [, { or a comma) and ends, outside a comment. ok is false
// when there is none such.
func yamlAliasAt(data []byte, name string) (line, col int, ok bool) {
	if name == "" {
		return 0, 0, false
	}
	alias := []byte("*" + name)
	// Line by line, so that the work is the data's size, however many
	// times it holds the alias's letters.
	for start := 0; start < len(data); {
		end := bytes.IndexAny(data[start:], "\r\n")
		if end < 0 {
			end = len(data)
		} else {
			end += start
		}
		text := data[start:end]
		comment := len(text) // where a comment starts: a # that starts the line or follows a space
		if t := bytes.TrimLeft(text, " \t"); len(t) > 0 && t[0] == '#' {
			comment = 0
		} else if c := bytes.Index(text, []byte(" #")); c >= 0 {
			comment = c
		}
		for from := 0; ; {
			i := bytes.Index(text[from:comment], alias)
			if i < 0 {
				break
			}
			i += from
			from = i + 1
			before := i == 0 || bytes.IndexByte([]byte(" \t[{,"), text[i-1]) >= 0
			after := i+len(alias) == len(text) || bytes.IndexByte([]byte(" \t,]}"), text[i+len(alias)]) >= 0
			if before && after {
				line, col = lineCol(data, start+i)
				return line, col, true
			}
		}
		start = end + 1
	}
	return 0, 0, false
}

// yamlBlockProblems are the messages of yaml.v3's parser about a block
// list or mapping that a line goes on wrongly: an entry indented unlike
// the others, or without its «- ».
var yamlBlockProblems = []string{"did not find expected '-' indicator", "did not find expected key"}

// yamlBlockProblemAt returns the line and the column of data, from 1, of
// the mistake msg, one of yamlBlockProblems, that yaml.v3 said at the line
// at. yaml.v3 says such a mistake at the line where the list or mapping it
// is in starts, unless that is the first line, when it says the line of
// the mistake: in a taxonomy file, at the first entry for a mistake in the
// last. Parsed from the line where it starts, the list starts on the first
// line, and yaml.v3 says the line of the mistake. It says no column: the
// mistake is at the first word of its line when the data up to the end of
// that word is refused as the whole data is, and the column is 1 (the line)
// when it is not. When the parses say another thing than the first (an
// alias of an anchor above the list is unknown without the lines above),
// the line is at.
func yamlBlockProblemAt(data []byte, at int, msg string) (line, col int) {
	data = bytes.TrimPrefix(data, bom)
	// With a line before the data, no list starts on the first line, and
	// yaml.v3 says where the list starts whatever line it is.
	shifted := make([]byte, 0, len(data)+1)
	shifted = append(append(shifted, '\n'), data...)
	start, m := yamlErrorLine(yaml.Unmarshal(shifted, new(yaml.Node)))
	start-- // the line of data
	switch {
	case m != msg:
		return at, 1
	case start <= 1:
		line = at // the list starts on the first line: at is the mistake's
	default:
		l, m := yamlErrorLine(yaml.Unmarshal(data[yamlLineStart(data, start):], new(yaml.Node)))
		if m != msg {
			return at, 1
		}
		line = start + l - 1
	}
	from := yamlLineStart(data, line)
	indent, end := 0, from
	for end < len(data) && (data[end] == ' ' || data[end] == '\t') {
		indent, end = indent+1, end+1
	}
	if end == from+indent && (end == len(data) || isYAMLBreak(data[end:])) {
		return line, 1 // a blank line
	}
	for end < len(data) && data[end] != ' ' && data[end] != '\t' && !isYAMLBreak(data[end:]) {
		end++
	}
	if l, m := yamlErrorLine(yaml.Unmarshal(data[:end], new(yaml.Node))); l == at && m == msg {
		return line, 1 + indent
	}
	return line, 1
}

// yamlEndOfStream is yaml.v3's message for data that ends inside a quoted
// value, which it says at the end of the data.
const yamlEndOfStream = "found unexpected end of stream"

// maxQuoteLines is how many lines up from the end yamlOpenQuoteAt looks
// for a quote that does not close, each one a parse of what is above it.
const maxQuoteLines = 64

// yamlOpenQuoteAt returns the line and the column, from 1, of the quote
// that data ends inside, yaml.v3 having said yamlEndOfStream at the line
// at: the first quote of the last line that the data above it parses
// without ending inside a quote. ok is false when no line of the last
// maxQuoteLines is such, or it has no quote.
func yamlOpenQuoteAt(data []byte, at int) (line, col int, ok bool) {
	for l := at; l >= 1 && l > at-maxQuoteLines; l-- {
		start := yamlLineStart(data, l)
		if _, m := yamlErrorLine(yaml.Unmarshal(data[:start], new(yaml.Node))); m == yamlEndOfStream {
			continue
		}
		rest := data[start:]
		if i := bytes.IndexAny(rest, "\r\n"); i >= 0 {
			rest = rest[:i]
		}
		i := bytes.IndexAny(rest, `"'`)
		return l, 1 + utf8.RuneCount(rest[:max(i, 0)]), i >= 0
	}
	return 0, 0, false
}

// yamlReserved is what yaml.v3 says of a value that begins with a character
// it reserves, by the characters: an alias or anchor without a name, a
// tag, a block scalar with text on its line, or a character no token has.
var yamlReserved = map[string]string{
	"did not find expected alphabetic or numeric character": "*&",
	"did not find expected whitespace or line break":        "!",
	"did not find expected comment or line break":           "|>",
	"found character that cannot start any token":           "%@`",
}

// yamlReservedAt finds, on line (from 1) of data, a value that begins with
// a character YAML reserves («title: *Важно* визит», «- !Срочно»), which an
// editor means as text: its column and that character.
func yamlReservedAt(data []byte, line int) (col int, first rune, ok bool) {
	if line < 1 {
		return 0, 0, false
	}
	text := data[yamlLineStart(data, line):]
	if i := bytes.IndexAny(text, "\r\n"); i >= 0 {
		text = text[:i]
	}
	rest := bytes.TrimLeft(text, " ")
	item, isItem := bytes.CutPrefix(rest, []byte("- "))
	if isItem {
		rest = bytes.TrimLeft(item, " ")
	}
	// «key: value», or «- key: value» (a person's name), or «- value».
	if key, value, ok := bytes.Cut(rest, []byte(": ")); ok && !bytes.ContainsAny(key, "\"'#[{*&!|>%@`") {
		rest = value
	} else if !isItem {
		return 0, 0, false
	}
	rest = bytes.TrimLeft(rest, " ")
	if len(rest) == 0 || !bytes.ContainsRune([]byte("*&!|>%@`"), rune(rest[0])) {
		return 0, 0, false
	}
	return 1 + utf8.RuneCount(text[:len(text)-len(rest)]), rune(rest[0]), true
}

// isYAMLBreak reports whether data starts with what yaml.v3 breaks lines
// at: CR, LF, NEL, LS or PS.
func isYAMLBreak(data []byte) bool {
	if len(data) == 0 {
		return false
	}
	if data[0] == '\r' || data[0] == '\n' {
		return true
	}
	r, _ := utf8.DecodeRune(data)
	return r == '\u0085' || r == '\u2028' || r == '\u2029'
}

// yamlLineStart returns where the line of data, from 1, starts, the lines
// broken where yaml.v3 breaks them (isYAMLBreak), CR LF as one break.
func yamlLineStart(data []byte, line int) int {
	i := 0
	for n := 1; n < line && i < len(data); {
		brk := isYAMLBreak(data[i:])
		if bytes.HasPrefix(data[i:], []byte("\r\n")) {
			i++
		}
		_, size := utf8.DecodeRune(data[i:])
		i += size
		if brk {
			n++
		}
	}
	return i
}

// parseTOML decodes TOML data whose first line is line lineOffset+1 of file,
// adding its problems to p; it returns nil on a syntax error. TOML offers no
// positions for keys and values, so they are found by scanning the data
// (tomlScan).
func parseTOML(p *problems, file string, data []byte, lineOffset int) *value {
	if line, col, msg := tomlTooDeep(data); msg != "" {
		p.add(file, line+lineOffset, col, "TOML: %s", msg)
		return nil
	}
	var m map[string]any
	if _, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&m); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			line, col := tomlErrorAt(data, pe)
			p.add(file, line+lineOffset, col, "TOML syntax: %s", pe.Message)
		} else {
			p.add(file, lineOffset+1, 1, "TOML: %v", err)
		}
		return nil
	}
	root := fromAny(m, tomlScan(data, lineOffset))
	controls(p, file, root)
	return root
}

// tomlErrorAt is where in data the parser's error pe is: its line and
// column, which counts characters where toml.Position counts bytes. The
// parser points inside the quotes of a quoted key or string, and at the
// byte before a control character; these are told at the quote and at the
// character, as YAML tells them.
func tomlErrorAt(data []byte, pe toml.ParseError) (line, col int) {
	i := min(max(pe.Position.Start, 0), len(data))
	switch end := i + pe.Position.Len; {
	case strings.HasPrefix(pe.Message, "TOML files cannot contain control characters"):
		if j := bytes.IndexFunc(data[i:], isTOMLControl); j >= 0 {
			i += j
		}
	case i > 0 && end < len(data) && (data[i-1] == '"' || data[i-1] == '\'') && data[end] == data[i-1]:
		// Back to the first of the opening quotes: one, or three.
		for q, n := data[i-1], 0; n < 3 && i > 0 && data[i-1] == q; n++ {
			i--
		}
	}
	return lineCol(data, i)
}

// isTOMLControl reports whether r is a character that TOML may not hold
// raw: a control character but tab and line breaks.
func isTOMLControl(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' || r == 0x7f
}

// tomlScan finds where the keys and values of TOML data are written, as
// TOML does not say: it returns a tree of the shape that data decodes to,
// whose values hold their places only. Data is what the parser accepted,
// nested no deeper than tomlDepth; the first line is line lineOffset+1.
func tomlScan(data []byte, lineOffset int) *value {
	s := &tomlScanner{data: data, line: lineOffset + 1, col: 1, index: map[tomlField]int{}}
	root := &value{kind: mapValue, line: lineOffset + 1, col: 1}
	table := root // the table that keys go to
	for s.blank(true); s.i < len(s.data); s.blank(true) {
		switch {
		case bytes.HasPrefix(s.data[s.i:], []byte("[[")):
			// An array of tables: each table where its name is written.
			s.skip(2)
			key := s.key()
			t := root
			for _, part := range key[:len(key)-1] {
				t = s.table(t, part)
			}
			last := key[len(key)-1]
			last.val = &value{kind: listValue, line: last.line, col: last.col}
			list := s.add(t, last)
			table = &value{kind: mapValue, line: last.line, col: last.col}
			list.list = append(list.list, table)
		case s.data[s.i] == '[':
			s.advance()
			table = root
			for _, part := range s.key() {
				table = s.table(table, part)
			}
		default:
			s.keyValue(table)
		}
		s.rest()
	}
	return root
}

// tomlScanner reads TOML for tomlScan, keeping the line and the column of
// the byte it is at.
type tomlScanner struct {
	data      []byte
	i         int
	line, col int
	// index has where each table's fields are among its fields.
	index map[tomlField]int
}

// tomlField names the field key of the table t.
type tomlField struct {
	t   *value
	key string
}

// advance moves past one byte.
func (s *tomlScanner) advance() {
	if s.i >= len(s.data) {
		return
	}
	switch c := s.data[s.i]; {
	case c == '\n':
		s.line, s.col = s.line+1, 1
	case c&0xc0 != 0x80: // not inside a character
		s.col++
	}
	s.i++
}

// skip moves past n bytes.
func (s *tomlScanner) skip(n int) {
	for range n {
		s.advance()
	}
}

// at reports whether the byte at s.i is one of set.
func (s *tomlScanner) at(set string) bool {
	return s.i < len(s.data) && strings.IndexByte(set, s.data[s.i]) >= 0
}

// blank moves past spaces and tabs, and past comments and line breaks too
// when lines is true.
func (s *tomlScanner) blank(lines bool) {
	for s.at(" \t\r") || lines && s.at("\n#") {
		if s.at("#") {
			s.rest()
		} else {
			s.advance()
		}
	}
}

// rest moves to the end of the line.
func (s *tomlScanner) rest() {
	for s.i < len(s.data) && s.data[s.i] != '\n' {
		s.advance()
	}
}

// key reads a key, dotted or not: each part's name and place.
func (s *tomlScanner) key() []field {
	var parts []field
	for {
		s.blank(false)
		part := field{line: s.line, col: s.col}
		start := s.i
		if s.at(`"'`) {
			s.str()
			part.key = unquoteKey(s.data[start:s.i])
		} else {
			for s.i < len(s.data) && (isKeyByte(s.data[s.i]) || s.data[s.i] == '-') {
				s.advance()
			}
			part.key = string(s.data[start:s.i])
		}
		parts = append(parts, part)
		s.blank(false)
		if !s.at(".") {
			return parts
		}
		s.advance()
	}
}

// unquoteKey is the name that a quoted key, "basic" or 'literal', gives.
func unquoteKey(quoted []byte) string {
	if len(quoted) < 2 {
		return ""
	}
	if quoted[0] == '"' {
		if name, err := strconv.Unquote(string(quoted)); err == nil {
			return name
		}
	}
	return string(quoted[1 : len(quoted)-1])
}

// keyValue reads key = value into the table t.
func (s *tomlScanner) keyValue(t *value) {
	key := s.key()
	for _, part := range key[:len(key)-1] {
		t = s.table(t, part)
	}
	last := key[len(key)-1]
	if s.at("=") {
		s.advance()
	}
	s.blank(false)
	last.val = s.value()
	s.add(t, last)
}

// add adds f to the table t unless it has the key already, and returns
// the field's value.
func (s *tomlScanner) add(t *value, f field) *value {
	k := tomlField{t, f.key}
	if i, ok := s.index[k]; ok {
		return t.fields[i].val
	}
	s.index[k] = len(t.fields)
	t.fields = append(t.fields, f)
	return f.val
}

// table returns the table that part names in t, which is made where part
// is written when t has none; in an array of tables it is the last table.
func (s *tomlScanner) table(t *value, part field) *value {
	part.val = &value{kind: mapValue, line: part.line, col: part.col}
	v := s.add(t, part)
	if v.kind == listValue && len(v.list) > 0 {
		return v.list[len(v.list)-1]
	}
	return v
}

// value reads a value: an array, an inline table, a string or another
// scalar, which ends where a comma, a bracket, a comment or the line does.
func (s *tomlScanner) value() *value {
	v := &value{kind: scalarValue, line: s.line, col: s.col}
	switch {
	case s.at("["):
		v.kind = listValue
		s.advance()
		for s.blank(true); s.i < len(s.data) && !s.at("]"); s.blank(true) {
			v.list = append(v.list, s.value())
			if s.blank(true); s.at(",") {
				s.advance()
			}
		}
		s.advance()
	case s.at("{"):
		v.kind = mapValue
		s.advance()
		for s.blank(true); s.i < len(s.data) && !s.at("}"); s.blank(true) {
			s.keyValue(v)
			if s.blank(true); s.at(",") {
				s.advance()
			}
		}
		s.advance()
	case s.at(`"'`):
		s.str()
	default:
		// At least a byte, so that each value takes one.
		for s.advance(); s.i < len(s.data) && !s.at(",]}#\n"); {
			s.advance()
		}
	}
	return v
}

// str moves past a string: "basic", 'literal' or one of three quotes,
// which may take lines.
func (s *tomlScanner) str() {
	quote := s.data[s.i]
	n := 1
	if bytes.HasPrefix(s.data[s.i:], []byte{quote, quote, quote}) {
		n = 3
	}
	s.skip(n)
	for s.i < len(s.data) && !(s.data[s.i] == quote && (n == 1 || bytes.HasPrefix(s.data[s.i:], []byte{quote, quote, quote}))) {
		if s.data[s.i] == '\\' && quote == '"' {
			s.advance()
		}
		s.advance()
	}
	if n == 3 {
		n = quoteRun(s.data[s.i:], quote)
	}
	s.skip(n)
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

// fromAny converts a decoded TOML value written where at is, tomlScan's
// value of the same place: its parts are where at's parts are, and a part
// that at lacks is placed at at.
func fromAny(x any, at *value) *value {
	v := &value{line: at.line, col: at.col}
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
		for i, e := range x {
			v.list = append(v.list, fromAny(e, at.elem(i)))
		}
	case []map[string]any:
		v.kind = listValue
		for i, e := range x {
			v.list = append(v.list, fromAny(e, at.elem(i)))
		}
	case map[string]any:
		// The fields in the order at has them, the order they are written.
		v.kind = mapValue
		v.fields = make([]field, 0, len(x))
		for _, f := range at.fields {
			if e, ok := x[f.key]; ok {
				v.fields = append(v.fields, field{key: f.key, line: f.line, col: f.col, val: fromAny(e, f.val)})
			}
		}
		if len(v.fields) < len(x) {
			found := make(map[string]bool, len(v.fields))
			for _, f := range v.fields {
				found[f.key] = true
			}
			for _, k := range slices.Sorted(maps.Keys(x)) {
				if !found[k] {
					v.fields = append(v.fields, field{key: k, line: at.line, col: at.col, val: fromAny(x[k], at)})
				}
			}
		}
	default:
		v.str = fmt.Sprint(x)
	}
	return v
}

// elem is the place of a list's element i: its own, or the list's when
// the list has none.
func (v *value) elem(i int) *value {
	if v.kind == listValue && i < len(v.list) {
		return v.list[i]
	}
	return v
}
