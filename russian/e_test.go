package russian

import (
	"slices"
	"testing"
)

func TestOtherEs(t *testing.T) {
	for _, tt := range []struct {
		w    string
		want []string
	}{
		{"хебей", []string{"хэбей", "хебэй", "хэбэй"}},
		{"хэбей", []string{"хебей", "хэбэй", "хебэй"}},
		{"тайбей", []string{"тайбэй"}},
		{"елена", []string{"елэна"}}, // the first е follows no consonant
		{"мама", nil},
		{"", nil},
	} {
		if got := OtherEs(tt.w); !slices.Equal(got, tt.want) {
			t.Errorf("OtherEs(%q) = %q, want %q", tt.w, got, tt.want)
		}
	}
	// At most the first maxEs letters change.
	if got := OtherEs("бебебебебе"); len(got) != 1<<maxEs-1 {
		t.Errorf("OtherEs of five е: %d spellings, want %d", len(got), 1<<maxEs-1)
	}
}
