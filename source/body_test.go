package source

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// bodyNotes are notes whose bodies start in different ways: after YAML,
// after TOML with a byte-order mark and CRLF lines, right after the front
// matter, and none at all.
var bodyNotes = map[string]string{
	"content/2025/khabarovsk.md": "---\ntitle: Делегация\ndate: 2025-03-17\nkind: delegation\nregions: [khabarovsk-krai]\n---\n\nТекст *с разметкой*.\n",
	"content/2024/expo.md":       "\ufeff+++\r\ntitle = \"Выставка\"\r\ndate = 2024-05-17\r\nkind = \"экспо\"\r\nregions = [\"Гуандун\"]\r\n+++\r\nТело.\r\n",
	"content/2024/tight.md":      "---\ntitle: Встреча\ndate: 2024-02-01\nkind: delegation\nregions: [beijing]\n---\nСразу текст.",
	"content/2023/empty.md":      "---\ntitle: Пусто\ndate: 2023-01-01\nkind: expo\nregions: [guangdong]\n---\n",
}

// writeFS writes fsys into a new folder and returns it.
func writeFS(t *testing.T, fsys fstest.MapFS) string {
	t.Helper()
	dir := t.TempDir()
	for name, f := range fsys {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLoadDirWithoutBodies checks that notes loaded without their bodies
// read again, with ReadBody, the bodies LoadDir gives them.
func TestLoadDirWithoutBodies(t *testing.T) {
	dir := writeFS(t, site(bodyNotes))
	with, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	without, err := LoadDirWithoutBodies(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(with.Notes) != len(bodyNotes) || len(without.Notes) != len(with.Notes) {
		t.Fatalf("%d and %d notes, want %d", len(with.Notes), len(without.Notes), len(bodyNotes))
	}
	fsys := os.DirFS(dir)
	limit := with.Settings.Limits.Note
	for i, n := range without.Notes {
		w := with.Notes[i]
		if n.Body != nil {
			t.Errorf("%s holds its body", n.File)
		}
		if n.BodyLine != w.BodyLine || n.Version != w.Version {
			t.Errorf("%s: body line %d, version %x; LoadDir's %d, %x", n.File, n.BodyLine, n.Version, w.BodyLine, w.Version)
		}
		got, err := n.ReadBody(fsys, limit)
		if err != nil {
			t.Fatalf("%s: %v", n.File, err)
		}
		if !bytes.Equal(got, w.Body) {
			t.Errorf("%s: read again %q, want %q", n.File, got, w.Body)
		}
		// A note that holds its body gives it without a look at fsys.
		if held, err := w.ReadBody(fstest.MapFS{}, limit); err != nil || !bytes.Equal(held, w.Body) {
			t.Errorf("%s held: %q, %v; want %q", w.File, held, err, w.Body)
		}
	}
}

// TestReadBodyChanged checks that a body is not read from a file that
// changed after the note was parsed: a page would show the front matter of
// one version and the body of another.
func TestReadBodyChanged(t *testing.T) {
	const file = "content/2025/khabarovsk.md"
	for _, tc := range []struct {
		name   string
		change func(path string) error
		says   string
	}{
		{"body edited", func(p string) error {
			return os.WriteFile(p, []byte(strings.Replace(bodyNotes[file], "Текст", "Другой текст", 1)), 0o644)
		}, "content/2025/khabarovsk.md: the note changed while the site was built: build again"},
		{"title edited, body as it was", func(p string) error {
			return os.WriteFile(p, []byte(strings.Replace(bodyNotes[file], "Делегация", "Визит", 1)), 0o644)
		}, "content/2025/khabarovsk.md: the note changed while the site was built: build again"},
		{"removed", os.Remove, "content/2025/khabarovsk.md: the note changed while the site was built (the file is gone): build again"},
		{"grown past the limit", func(p string) error {
			return os.WriteFile(p, []byte(bodyNotes[file]+strings.Repeat("я", 1<<20)), 0o644)
		}, "content/2025/khabarovsk.md: the note changed while the site was built (2.0 MB, more than the limit of 512 KB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := site(bodyNotes)
			fsys["content/site.yaml"].Data = append(bytes.Clone(fsys["content/site.yaml"].Data), "limits:\n  note: 512 KB\n  front_matter: 64 KB\n"...)
			dir := writeFS(t, fsys)
			src, err := LoadDirWithoutBodies(dir)
			if err != nil {
				t.Fatal(err)
			}
			var n *Note
			for _, m := range src.Notes {
				if m.File == file {
					n = m
				}
			}
			if err := tc.change(filepath.Join(dir, filepath.FromSlash(file))); err != nil {
				t.Fatal(err)
			}
			body, err := n.ReadBody(os.DirFS(dir), src.Settings.Limits.Note)
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != file || !errors.Is(err, ErrChanged) {
				t.Fatalf("ReadBody: %q, %v; want a FileError of %s that wraps ErrChanged", body, err, file)
			}
			if !strings.HasPrefix(err.Error(), tc.says) {
				t.Errorf("error %q, want it to start %q", err, tc.says)
			}
		})
	}
}
