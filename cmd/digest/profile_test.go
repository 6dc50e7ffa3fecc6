package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildProfiles builds the sample site with --cpuprofile and
// --memprofile: both files are written, as pprof writes them (gzipped
// protocol buffers), and the build says how large its live heap grew.
func TestBuildProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof")
	var stderr bytes.Buffer
	args := []string{"build", "-s", "../..", "-o", filepath.Join(dir, "public"), "--cpuprofile", cpu, "--memprofile", mem}
	if err := run(context.Background(), args, &stderr, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	for _, p := range []string{cpu, mem} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			t.Errorf("%s is not a profile: %.40q", filepath.Base(p), data)
		}
	}
	if !strings.Contains(stderr.String(), "largest live heap") {
		t.Errorf("the build does not tell its largest live heap:\n%s", stderr.String())
	}
}
