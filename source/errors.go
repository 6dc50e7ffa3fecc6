package source

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
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
// tools and terminals recognise.
func (e *FileError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Col, e.Err)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	default:
		return fmt.Sprintf("%s: %v", e.File, e.Err)
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
	list Errors
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
	if len(p.list) == 0 {
		return nil
	}
	slices.SortStableFunc(p.list, func(a, b *FileError) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	return p.list
}
