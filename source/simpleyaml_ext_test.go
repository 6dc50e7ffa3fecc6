package source_test

import (
	"testing"

	"github.com/coopdigest/digest/internal/sitegen"
	"github.com/coopdigest/digest/source"
)

// TestSimpleYAMLGenerated holds the fast path of front matter to yaml.v3 on
// generated notes, which name terms in every way editors do, and checks
// that it reads them all.
func TestSimpleYAMLGenerated(t *testing.T) {
	gen := t.TempDir()
	if err := sitegen.Write(gen, "../content", 300); err != nil {
		t.Fatal(err)
	}
	fms := source.FrontMatters(t, gen, 1000)
	read := 0
	for _, fm := range fms {
		if source.CheckSimpleYAML(t, fm) {
			read++
		}
	}
	if len(fms) < 290 || read != len(fms) {
		t.Errorf("the fast path read %d of %d generated front matters", read, len(fms))
	}
}
