package main

import (
	"bytes"
	"context"
	"errors"
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

// TestProfileInsideOut: a profile asked for inside OUT, which the build
// replaces whole, would be lost; the build refuses it before it starts,
// by path or through a link, and builds nothing.
func TestProfileInsideOut(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "public")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(out, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ flag, file string }{
		{"--cpuprofile", filepath.Join(out, "cpu.prof")},
		{"--memprofile", out},
		{"--cpuprofile", filepath.Join(dir, "link", "sub", "cpu.prof")},
		{"--memprofile", filepath.Join(dir, "public", "..", "public", "mem.prof")},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(context.Background(), []string{"build", "-s", "../..", "-o", out, tt.flag, tt.file}, &stderr, &stderr)
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.flag+" "+tt.file+": inside OUT") {
				t.Fatalf("error %v, want a usage error naming %s", err, tt.flag)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("OUT holds %d files: the build ran", len(entries))
			}
		})
	}
	// Among the site's sources, a profile would be read as a note.
	for _, file := range []string{filepath.Join("..", "..", "content", "2024", "x.md"), filepath.Join("..", "..", "templates", "cpu.prof")} {
		var stderr bytes.Buffer
		err := run(context.Background(), []string{"build", "-s", "../..", "-o", out, "--memprofile", file}, &stderr, &stderr)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "among the site's sources") {
			t.Errorf("--memprofile %s: %v, want a usage error", file, err)
		}
		if _, err := os.Stat(file); err == nil {
			t.Errorf("%s written", file)
		}
	}
}

// TestProfileUnwritable: a profile that cannot be written is an error that
// names its flag, before the build: nothing is built.
func TestProfileUnwritable(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "public")
	for _, flag := range []string{"--cpuprofile", "--memprofile"} {
		for _, file := range []string{filepath.Join(dir, "missing", "p.prof"), dir} {
			var stderr bytes.Buffer
			err := run(context.Background(), []string{"build", "-s", "../..", "-o", out, flag, file}, &stderr, &stderr)
			if err == nil || !strings.Contains(err.Error(), flag+": ") {
				t.Errorf("%s %s: %v, want an error that names %s", flag, file, err, flag)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s %s: OUT written: the build ran", flag, file)
			}
		}
	}
}
