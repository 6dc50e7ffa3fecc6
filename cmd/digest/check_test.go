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

// TestCheckEverything: one run of digest check reports every problem of
// the site, the front matter of one note hiding neither the Markdown of
// another nor the templates.
func TestCheckEverything(t *testing.T) {
	const head = "---\ntitle: Т\ndate: 2025-03-01\nkind: delegation\nregions: [%s]\n---\n"
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  []string // the lines of the error, in order; nil for none
	}{
		{"clean", map[string]string{"content/2025/a.md": strings.Replace(head, "%s", "moscow", 1) + "Текст.\n"}, nil},
		{"front matter, Markdown and a template", map[string]string{
			"content/2025/a.md":   strings.Replace(head, "%s", "moskow", 1) + "Текст.\n",
			"content/2025/b.md":   strings.Replace(head, "%s", "moscow", 1) + "![Снимок](missing.png)\n",
			"templates/note.html": `{{define "main"}}{{.Nope}`,
		}, []string{
			`content/2025/a.md:5:11: unknown region "moskow"`,
			`content/2025/b.md:7:1: image "missing.png": no file content/2025/missing.png`,
			`templates/note.html:1:`,
		}},
		{"a search page that fails, beside a bad note", map[string]string{
			"content/2025/a.md":     strings.Replace(head, "%s", "moskow", 1) + "Текст.\n",
			"content/2025/b.md":     strings.Replace(head, "%s", "moscow", 1) + "Текст.\n",
			"templates/search.html": `{{define "main"}}{{.Data.Nope}}{{end}}`,
		}, []string{
			`content/2025/a.md:5:11: unknown region "moskow"`,
			`templates/search.html:1:`,
		}},
		// A template that parses but fails on a page, as only a build
		// found it.
		{"a template that fails on a page", map[string]string{
			"content/2025/b.md":   strings.Replace(head, "%s", "moscow", 1) + "Текст.\n",
			"templates/list.html": `{{define "main"}}{{.Data.Nope}}{{end}}`,
		}, []string{
			`rendering `,
		}},
		{"a template of its own that works", map[string]string{
			"content/2025/b.md":   strings.Replace(head, "%s", "moscow", 1) + "Текст.\n",
			"templates/list.html": `{{define "main"}}<h1>{{.Data.Heading}}</h1>{{end}}`,
		}, nil},
		{"a file where the build writes its own, beside a bad note", map[string]string{
			"content/2025/a.md":      strings.Replace(head, "%s", "moskow", 1) + "Текст.\n",
			"content/2025/b.md":      strings.Replace(head, "%s", "moscow", 1) + "Текст.\n",
			"content/static/og.png":  "png",
			"content/static/img.png": "png",
		}, []string{
			`content/2025/a.md:5:11: unknown region "moskow"`,
			`content/static/og.png: published at /og.png, where the build writes a file of its own`,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			site := newSite(t, tt.files)
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{"check", "-s", site}, &stdout, &stderr)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("check: %v", err)
				}
				if !strings.Contains(stderr.String(), "no problems") {
					t.Errorf("stderr %q", stderr.String())
				}
				return
			}
			if err == nil {
				t.Fatal("check found no problem")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("problems:\n%v\nwant %d lines", err, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("line %d: %q, want %q…", i+1, lines[i], w)
				}
			}
		})
	}
}

// TestSiteFlag: a -s that is no folder is a mistake on the command line
// (exit status 2) that names the flag, for every command that reads a site.
func TestSiteFlag(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o644)
	missing := filepath.Join(t.TempDir(), "missing")
	for _, args := range [][]string{
		{"check", "-s", missing},
		{"check", "-s", ""},
		{"build", "-s", missing, "-o", filepath.Join(t.TempDir(), "out")},
		{"build", "-s", file, "-o", filepath.Join(t.TempDir(), "out")},
		{"new", "-s", missing, "--region", "moscow", "Визит"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, &stdout, &stderr)
		var ue usageError
		if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), "-s") {
			t.Errorf("%q: %v, want a mistake on the command line about -s", args, err)
		}
	}
}

// TestBuildFlagMistakes: an empty -o, and one file for both profiles, are
// mistakes on the command line that name the flags; OUT written «out/.»
// is out.
func TestBuildFlagMistakes(t *testing.T) {
	site := sampleSite(t)
	prof := filepath.Join(t.TempDir(), "x.prof")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"build", "-s", site, "-o", ""}, "-o: give the output folder"},
		{[]string{"build", "-s", site, "--cpuprofile", prof, "--memprofile", prof}, "--cpuprofile and --memprofile"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), tc.args, &stdout, &stderr)
		if !errors.As(err, new(usageError)) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: %v, want a mistake on the command line: %s", tc.args, err, tc.want)
		}
	}
	out := filepath.Join(t.TempDir(), "out")
	for range 2 {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{"build", "-s", site, "-o", out + string(filepath.Separator) + "."}, &stdout, &stderr); err != nil {
			t.Fatalf("-o %s/.: %v", out, err)
		}
	}
}

// TestStoppedWording: a command that ctx stopped says so and why, not
// "context canceled"; a build's own words, which say what OUT is, stay.
func TestStoppedWording(t *testing.T) {
	site := sampleSite(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "-s", site}, "digest check: stopped (interrupt signal received)"},
		{[]string{"build", "-s", site, "-o", filepath.Join(t.TempDir(), "out")}, "build stopped (interrupt signal received); "},
	} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(errors.New("interrupt signal received"))
		var stdout, stderr bytes.Buffer
		err := run(ctx, tc.args, &stdout, &stderr)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q, stopped: %v, want %q", tc.args, err, tc.want)
		}
	}
}
