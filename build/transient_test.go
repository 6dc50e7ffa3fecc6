package build

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/coopdigest/digest/source"
)

// TestTransientBuild checks that a build whose model is not kept (Build),
// which renders bodies and text again where they are needed instead of
// holding them, writes the same site, and indexes the same documents, as a
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
			kept, transient := filepath.Join(dir, "kept"), filepath.Join(dir, "transient")
			s := NewSession(Config{Site: tc.site, Out: kept, Drafts: tc.drafts, Today: testToday})
			if _, err := s.Build(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			buildSite(t, tc.site, transient, tc.drafts)
			want, got := readTree(t, kept), readTree(t, transient)
			for _, name := range slices.Sorted(func(yield func(string) bool) {
				for k := range want {
					if !yield(k) {
						return
					}
				}
			}) {
				if !bytes.Equal(got[name], want[name]) {
					t.Errorf("%s differs from a kept session's:\n%s", name, firstDiff(string(got[name]), string(want[name])))
				}
				delete(got, name)
			}
			for name := range got {
				t.Errorf("%s written only by the transient build", name)
			}

			docs := func(transient bool) []any {
				cfg := Config{Site: tc.site, Drafts: tc.drafts, Today: testToday, transient: transient}
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
				var out []any
				for i := range b.model.notes {
					d, err := b.document(i)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, d)
				}
				if transient && len(out) > 0 && (b.model.notes[0].html != "" || b.model.notes[0].Body != nil) {
					t.Error("a transient build holds the notes' bodies")
				}
				return out
			}
			if got, want := docs(true), docs(false); !reflect.DeepEqual(got, want) {
				t.Errorf("a transient build indexes other documents than a kept session:\n got %v\nwant %v", got, want)
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
				_, err = Build(context.Background(), Config{Site: site, Out: out, Today: testToday, stage: func(s string) {
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
