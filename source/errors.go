package source

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// FileError is a problem at a place in a source file. File is relative to the
// site's folder and slash-separated; Line and Col count from 1, and are 0 when
// the problem belongs to the file as a whole.
type FileError struct {
	File string
	Line int
	Col  int
	Err  error
}

// Error formats the problem as path:line:col: message, the form editors'
// tools and terminals recognise. It is always one line of printable text: a
// file name that holds a control character, a line break or bytes that are
// not UTF-8 is quoted as a Go string, and such characters in the message are
// escaped, so that a name cannot split a report or reach a terminal raw.
func (e *FileError) Error() string {
	file, msg := quoteName(e.File), oneLine(e.Err.Error())
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", file, e.Line, e.Col, msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", file, e.Line, msg)
	default:
		return fmt.Sprintf("%s: %s", file, msg)
	}
}

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// Errors is every problem found in one run, sorted by file, line and column.
// It is returned as a single error so that callers can print one line each.
type Errors []*FileError

// Error joins the problems one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.Is and errors.As see every problem.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// problems collects FileErrors while a site is read.
type problems struct {
	list    Errors
	unknown int // names that matched no taxonomy entry, for hintedNames
	// minor are problems told only where no other is: a value's control
	// character, say, beside the message that the value is no date.
	minor Errors
}

func (p *problems) add(file string, line, col int, format string, args ...any) {
	p.list = append(p.list, &FileError{File: file, Line: line, Col: col, Err: fmt.Errorf(format, args...)})
}

func (p *problems) addErr(err error) {
	// Errors first: errors.As would find the first FileError inside it.
	var es Errors
	if errors.As(err, &es) {
		p.list = append(p.list, es...)
		return
	}
	var fe *FileError
	if errors.As(err, &fe) {
		p.list = append(p.list, fe)
		return
	}
	p.list = append(p.list, &FileError{File: "?", Err: err})
}

// err sorts the problems and returns them, or nil when there are none.
func (p *problems) err() error {
	for _, m := range p.minor {
		if !slices.ContainsFunc(p.list, func(e *FileError) bool { return e.File == m.File && e.Line == m.Line && e.Col == m.Col }) {
			p.list = append(p.list, m)
		}
	}
	p.minor = nil
	if len(p.list) == 0 {
		return nil
	}
	slices.SortStableFunc(p.list, func(a, b *FileError) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	return p.list
}

// echoLen is how many characters of a value a message repeats: enough to
// recognise it, few enough that a long value keeps the message short.
const echoLen = 60

// q quotes a value for a message, as %q does, cut to echoLen characters
// with an ellipsis inside the quotes when it is longer.
func q(s string) string { return strconv.Quote(cut(s)) }

// cut returns s cut to echoLen characters, with an ellipsis when it is longer.
func cut(s string) string {
	n := 0
	for i := range s {
		if n == echoLen {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// quoteName returns a file name as it is when it prints as one line of
// plain text, and quoted as a Go string otherwise.
func quoteName(s string) string {
	if plainText(s) {
		return s
	}
	return strconv.Quote(s)
}

// plainText reports whether s is UTF-8 whose every character prints:
// no control characters, line or paragraph separators or format characters.
func plainText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return plainTextSlow(s[i:])
		}
	}
	return true
}

func plainTextSlow(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") || !strconv.IsPrint(r) {
			return false
		}
	}
	return true
}

// oneLine escapes what would not print in a message: control characters,
// line breaks and bytes that are not UTF-8. Messages quote the values they
// echo already; this holds for what libraries say too.
func oneLine(s string) string {
	if plainText(s) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case strconv.IsPrint(r):
			b.WriteRune(r)
		default:
			qr := strconv.QuoteRune(r)
			b.WriteString(qr[1 : len(qr)-1])
		}
	}
	return b.String()
}
