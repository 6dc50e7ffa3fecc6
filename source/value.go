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

// fromYAML converts a yaml.v3 node tree, adding lineOffset to every line so
// that positions are the file's, not the front-matter block's.
func fromYAML(n *yaml.Node, lineOffset int) *value {
	for n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		v := fromYAML(n.Alias, lineOffset)
		v.line, v.col = n.Line+lineOffset, n.Column
		return v
	}
	v := &value{line: n.Line + lineOffset, col: n.Column}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			v.kind = nullValue
			return v
		}
		v.kind, v.str = scalarValue, n.Value
	case yaml.SequenceNode:
		v.kind = listValue
		for _, c := range n.Content {
			v.list = append(v.list, fromYAML(c, lineOffset))
		}
	case yaml.MappingNode:
		v.kind = mapValue
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			v.fields = append(v.fields, field{key: k.Value, line: k.Line + lineOffset, col: k.Column, val: fromYAML(n.Content[i+1], lineOffset)})
		}
	default:
		v.kind = nullValue
	}
	return v
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlParserProblems begin the messages of yaml.v3's parser (parserc.go), as
// opposed to its scanner.
var yamlParserProblems = []string{"did not find expected", "found duplicate %", "found incompatible YAML", "found undefined tag handle"}

// parseYAML decodes YAML data whose first line is line lineOffset+1 of file.
// A syntax error becomes a FileError at the file's line.
func parseYAML(file string, data []byte, lineOffset int) (*value, error) {
	if v, ok := parseSimpleYAML(data, lineOffset); ok {
		return v, nil
	}
	return parseFullYAML(file, data, lineOffset)
}

// parseFullYAML is parseYAML by yaml.v3 alone.
func parseFullYAML(file string, data []byte, lineOffset int) (*value, error) {
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
		return nil, &FileError{File: file, Line: line, Col: 1, Err: fmt.Errorf("YAML syntax: %s", msg)}
	}
	if doc.Kind == 0 {
		return &value{kind: mapValue, line: lineOffset + 1, col: 1}, nil
	}
	return fromYAML(&doc, lineOffset), nil
}

var tomlKeyRE = regexp.MustCompile(`^\s*(?:\[\[?)?\s*("?)([A-Za-z0-9_-]+)("?)\s*(?:=|\]\]?)`)

// parseTOML decodes TOML data whose first line is line lineOffset+1 of file.
// TOML offers no positions for keys, so top-level keys are found by scanning
// the lines; nested values carry their key's position.
func parseTOML(file string, data []byte, lineOffset int) (*value, error) {
	var m map[string]any
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&m)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &FileError{File: file, Line: pe.Position.Line + lineOffset, Col: max(pe.Position.Col, 1), Err: fmt.Errorf("TOML syntax: %s", pe.Message)}
		}
		return nil, &FileError{File: file, Line: lineOffset + 1, Col: 1, Err: fmt.Errorf("TOML: %v", err)}
	}
	pos := map[string][2]int{}
	for i, line := range strings.Split(string(data), "\n") {
		if sm := tomlKeyRE.FindStringSubmatchIndex(line); sm != nil {
			key := line[sm[4]:sm[5]]
			if _, seen := pos[key]; !seen {
				pos[key] = [2]int{i + 1 + lineOffset, sm[2] + 1}
			}
		}
	}
	root := &value{kind: mapValue, line: lineOffset + 1, col: 1}
	done := map[string]bool{}
	for _, k := range md.Keys() {
		// An array of tables lists its key once per table.
		if len(k) != 1 || done[k[0]] {
			continue
		}
		done[k[0]] = true
		p, ok := pos[k[0]]
		if !ok {
			p = [2]int{lineOffset + 1, 1}
		}
		root.fields = append(root.fields, field{key: k[0], line: p[0], col: p[1], val: fromAny(m[k[0]], p[0], p[1])})
	}
	sort.SliceStable(root.fields, func(i, j int) bool { return root.fields[i].line < root.fields[j].line })
	return root, nil
}

// fromAny converts a decoded TOML value, placing every part at line, col.
func fromAny(x any, line, col int) *value {
	v := &value{line: line, col: col}
	switch x := x.(type) {
	case nil:
		v.kind = nullValue
	case string:
		v.str = x
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
