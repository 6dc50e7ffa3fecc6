package build

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/coopdigest/digest/source"
)

// TestTransientBuild checks that a build whose model is not kept (Build),
// which keeps the bodies, text and data of its notes only when their
// Markdown is small enough and otherwise makes them again where they are
// needed, writes the same site, and indexes the same documents, as a
// Session that keeps its model.
func TestTransientBuild(t *testing.T) {
	for _, tc := range []struct {
		site   string
		drafts bool
	}{
		{"testdata/basic", false},
		{"testdata/basic", true},
		{"testdata/media", false},
	} {
		t.Run(filepath.Base(tc.site)+map[bool]string{false: "", true: "/drafts"}[tc.drafts], func(t *testing.T) {
			dir := t.TempDir()
			kept := filepath.Join(dir, "kept")
			s := NewSession(Config{Site: tc.site, Out: kept, Drafts: tc.drafts, Today: testToday})
			if _, err := s.Build(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			want := readTree(t, kept)

			prepared := func(cfg Config) *builder {
				src, err := load(context.Background(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				tmpl, err := LoadTemplates(tc.site)
				if err != nil {
					t.Fatal(err)
				}
				b, err := prepare(context.Background(), cfg, src, tmpl, os.DirFS(tc.site), nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			docs := func(b *builder) []any {
				var out []any
				for i := range b.model.notes {
					d, err := b.document(i)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, d)
				}
				return out
			}
			session := prepared(Config{Site: tc.site, Drafts: tc.drafts, Today: testToday})
			wantDocs := docs(session)
			var size int64
			for _, n := range session.model.notes {
				if n.Size <= 0 {
					t.Fatalf("%s: size %d", n.File, n.Size)
				}
				size += int64(n.Size)
			}

			for _, keep := range []struct {
				name  string
				limit int64
				kept  bool
			}{
				{"none kept", -1, false},
				{"kept", 0, true},
				{"Markdown at the limit", size, true},
				{"Markdown over the limit", size - 1, false},
			} {
				t.Run(keep.name, func(t *testing.T) {
					out := filepath.Join(dir, keep.name)
					cfg := Config{Site: tc.site, Out: out, Drafts: tc.drafts, Today: testToday, keepLimit: keep.limit}
					if _, err := Build(context.Background(), cfg); err != nil {
						t.Fatal(err)
					}
					got := readTree(t, out)
					for _, name := range slices.Sorted(maps.Keys(want)) {
						if !bytes.Equal(got[name], want[name]) {
							t.Errorf("%s differs from a kept session's:\n%s", name, firstDiff(string(got[name]), string(want[name])))
						}
						delete(got, name)
					}
					for name := range got {
						t.Errorf("%s written only by the transient build", name)
					}

					cfg.transient = true
					b := prepared(cfg)
					if got := docs(b); !reflect.DeepEqual(got, wantDocs) {
						t.Errorf("a transient build indexes other documents than a kept session:\n got %v\nwant %v", got, wantDocs)
					}
					if b.keep != keep.kept {
						t.Errorf("the build keeps %v, want %v", b.keep, keep.kept)
					}
					for _, n := range b.model.notes {
						if n.Body != nil {
							t.Errorf("%s: a transient build holds the note's Markdown", n.File)
						}
						if !b.keep && (n.html != "" || n.text != "") {
							t.Errorf("%s: a build that keeps nothing holds the note's body", n.File)
						}
					}
				})
			}
		})
	}
}

// TestTransientNoteChanged changes a note's file while a transient build
// runs, which reads each note's body again where it needs it: once the
// note is read, the build must not show another version of it, so it fails
// and names the note, and OUT is as it was.
func TestTransientNoteChanged(t *testing.T) {
	const note = "content/2025/delegation.md"
	for _, stage := range []string{"loaded", "markdown", "rendering"} {
		for _, change := range []string{"body", "front matter"} {
			t.Run(change+" at "+stage, func(t *testing.T) {
				site := filepath.Join(t.TempDir(), "site")
				if err := os.CopyFS(site, os.DirFS("testdata/basic")); err != nil {
					t.Fatal(err)
				}
				out := filepath.Join(t.TempDir(), "public")
				buildSite(t, site, out, false)
				before := tree(t, out)
				path := filepath.Join(site, filepath.FromSlash(note))
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				edited := string(data) + "\nОдна строка больше.\n"
				if change == "front matter" {
					edited = strings.Replace(string(data), "title: ", "title: Снова ", 1)
				}
				// Nothing kept: the notes are read again where they are
				// rendered.
				_, err = Build(context.Background(), Config{Site: site, Out: out, Today: testToday, keepLimit: -1, stage: func(s string) {
					if s == stage {
						if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
							t.Error(err)
						}
					}
				}})
				var fe *source.FileError
				if !errors.As(err, &fe) || fe.File != note || !errors.Is(err, source.ErrChanged) {
					t.Fatalf("got %v, want a problem of %s that says it changed", err, note)
				}
				if !strings.Contains(err.Error(), "build again") {
					t.Errorf("error %q does not say to build again", err)
				}
				sameTree(t, "OUT", before, tree(t, out))
				assertNoTemp(t, out)

				// Built again, the site has the note as it is now.
				buildSite(t, site, out, false)
			})
		}
	}
}
