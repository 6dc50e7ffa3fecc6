package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestBuildHint: the command a hint gives builds from the site folder
// only when it is one.
func TestBuildHint(t *testing.T) {
	site := t.TempDir()
	if err := os.Mkdir(filepath.Join(site, "content"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ site, want string }{
		{site, "`digest build -s " + site + " -o OUT`"},
		{t.TempDir(), "`digest build -s SITE -o OUT`"},
		{filepath.Join(site, "missing"), "`digest build -s SITE -o OUT`"},
	} {
		if got := buildHint(tt.site, "OUT"); got != tt.want {
			t.Errorf("buildHint(%q) = %s, want %s", tt.site, got, tt.want)
		}
	}
}
