package build

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
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
				src, err := Check(tc.site)
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
				if transient && len(out) > 0 && b.model.notes[0].html != "" {
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
