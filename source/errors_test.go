package source

import (
	"errors"
	"strings"
	"testing"
)

// TestFileErrorOneLine holds FileError to one line of printable text,
// whatever its file name and message hold.
func TestFileErrorOneLine(t *testing.T) {
	tests := []struct {
		name string
		err  *FileError
		want string
	}{
		{"plain", &FileError{File: "content/2025/а.md", Line: 3, Col: 7, Err: errors.New("date: bad")},
			`content/2025/а.md:3:7: date: bad`},
		{"a line break in the name", &FileError{File: "content/a\nb.md", Line: 1, Err: errors.New("x")},
			`"content/a\nb.md":1: x`},
		{"an escape in the name", &FileError{File: "content/\x1b[2Ja.md", Err: errors.New("x")},
			`"content/\x1b[2Ja.md": x`},
		{"bytes that are not UTF-8", &FileError{File: "content/\xff.md", Err: errors.New("x")},
			`"content/\xff.md": x`},
		{"a direction override", &FileError{File: "content/a\u202egpj.md", Err: errors.New("x")},
			`"content/a\u202egpj.md": x`},
		{"a U+FFFD that is there", &FileError{File: "content/\ufffd.md", Err: errors.New("x")},
			"content/\ufffd.md: x"},
		{"a message of lines", &FileError{File: "content/a.md", Line: 2, Col: 1, Err: errors.New("YAML: one\ntwo\x1b[0m\xfe")},
			`content/a.md:2:1: YAML: one\ntwo\x1b[0m\xfe`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestQ(t *testing.T) {
	for s, want := range map[string]string{
		"Хабаровск":                `"Хабаровск"`,
		strings.Repeat("ж", 60):    `"` + strings.Repeat("ж", 60) + `"`,
		strings.Repeat("ж", 61):    `"` + strings.Repeat("ж", 60) + `…"`,
		"a\x1b[2J" + "\n":          `"a\x1b[2J\n"`,
		strings.Repeat("\xff", 70): `"` + strings.Repeat(`\xff`, 60) + `…"`,
	} {
		if got := q(s); got != want {
			t.Errorf("q(%.20q…) = %s, want %s", s, got, want)
		}
	}
}
