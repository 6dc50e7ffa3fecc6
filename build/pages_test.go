package build

import (
	"strings"
	"testing"
)

// TestExcerpt: a description is the text cut to about n runes at a space
// in its second half, or at the half; a text of n runes or fewer whole.
func TestExcerpt(t *testing.T) {
	long := strings.Repeat("Делегация посетила выставку в Харбине. ", 20)
	tests := []struct {
		text string
		n    int
		want string
	}{
		{"", 10, ""},
		{"коротко", 10, "коротко"},
		{"ровно десять", 12, "ровно десять"},
		{"ровно десять", 11, "ровно…"},          // back to the space
		{"абвгдеёжзийклмн", 10, "абвгд…"},       // no space: at the half
		{"аб вгдеёжзийклмн", 10, "аб вг…"},      // a space before the half does not count
		{"абвгд еёжзийклмн", 10, "абвгд…"},      // nor one at the half
		{"абвгдеёжзи йклмн", 10, "абвгдеёжзи…"}, // the rune n itself is a space
		{"ab 中文中文中文中文中文", 6, "ab …"},            // no space in the second half
		{long, 200, long[:strings.LastIndex(string([]rune(long)[:201]), " ")] + "…"},
	}
	for _, tt := range tests {
		if got := excerpt(tt.text, tt.n); got != tt.want {
			t.Errorf("excerpt(%q, %d) = %q, want %q", tt.text, tt.n, got, tt.want)
		}
	}
}
