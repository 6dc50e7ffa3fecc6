//go:build unix

package source

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoadDir reads sites on disk with what should not be read in them:
// none of it may block, be read without end or be read from outside.
func TestLoadDir(t *testing.T) {
	const note = "---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\n---\n"
	outside := filepath.Join(t.TempDir(), "note.md")
	if err := os.WriteFile(outside, []byte(note), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		setup func(content string) error
		want  []string
	}{
		{"a named pipe", func(c string) error { return syscall.Mkfifo(filepath.Join(c, "2025/a.md"), 0o644) },
			[]string{`content/2025/a.md: a named pipe, not a regular file: only regular files are read`}},
		{"a named pipe as site.yaml", func(c string) error {
			os.Remove(filepath.Join(c, "site.yaml"))
			return syscall.Mkfifo(filepath.Join(c, "site.yaml"), 0o644)
		}, []string{`content/site.yaml: a named pipe, not a regular file: only regular files are read`}},
		{"a symbolic link to /dev/zero", func(c string) error { return os.Symlink("/dev/zero", filepath.Join(c, "2025/a.md")) },
			[]string{`content/2025/a.md: a symbolic link that leads outside the site folder: only files inside it are read`}},
		{"a symbolic link to a note outside", func(c string) error { return os.Symlink(outside, filepath.Join(c, "2025/a.md")) },
			[]string{`content/2025/a.md: a symbolic link that leads outside the site folder: only files inside it are read`}},
		{"a relative symbolic link out", func(c string) error {
			rel, err := filepath.Rel(filepath.Join(c, "2025"), outside)
			if err != nil {
				return err
			}
			return os.Symlink(rel, filepath.Join(c, "2025/a.md"))
		}, []string{`content/2025/a.md: a symbolic link that leads outside the site folder: only files inside it are read`}},
		{"a symbolic link to a taxonomy outside", func(c string) error {
			os.Remove(filepath.Join(c, "taxonomy/kinds.yaml"))
			return os.Symlink(outside, filepath.Join(c, "taxonomy/kinds.yaml"))
		}, []string{`content/taxonomy/kinds.yaml: a symbolic link that leads outside the site folder: only files inside it are read`}},
		{"a symbolic link in a loop", func(c string) error { return os.Symlink("a.md", filepath.Join(c, "2025/a.md")) },
			[]string{`content/2025/a.md: a symbolic link that cannot be followed: too many levels of symbolic links`}},
		{"a symbolic link inside", func(c string) error {
			if err := os.WriteFile(filepath.Join(c, "notes.txt"), []byte(note), 0o644); err != nil {
				return err
			}
			return os.Symlink("../notes.txt", filepath.Join(c, "2025/a.md"))
		}, nil},
		{"a socket", func(c string) error {
			fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
			if err != nil {
				return err
			}
			defer syscall.Close(fd)
			return syscall.Bind(fd, &syscall.SockaddrUnix{Name: filepath.Join(c, "2025/a.md")})
		}, []string{`content/2025/a.md: a socket, not a regular file: only regular files are read`}},
		{"an image that is a symbolic link out of the site", func(c string) error {
			if err := os.WriteFile(filepath.Join(c, "2025/a.md"), []byte(withImage("photo.jpg", "Фото")), 0o644); err != nil {
				return err
			}
			return os.Symlink(outside, filepath.Join(c, "2025/photo.jpg"))
		}, []string{`content/2025/a.md:6:8: image "photo.jpg": a symbolic link that leads outside the site folder: only files inside it are read`}},
		{"an image that is a symbolic link inside the site", func(c string) error {
			if err := os.WriteFile(filepath.Join(c, "2025/a.md"), []byte(withImage("photo.jpg", "Фото")), 0o644); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(c, "photo.jpg"), []byte("jpeg"), 0o644); err != nil {
				return err
			}
			return os.Symlink("../photo.jpg", filepath.Join(c, "2025/photo.jpg"))
		}, nil},
		{"a file of content/static/ that is a symbolic link to /dev/zero", func(c string) error {
			if err := os.MkdirAll(filepath.Join(c, "static"), 0o755); err != nil {
				return err
			}
			return os.Symlink("/dev/zero", filepath.Join(c, "static/zero.png"))
		}, []string{`content/static/zero.png: a symbolic link that leads outside the site folder: only files inside it are read`}},
		{"a symbolic link to a folder inside the site", func(c string) error {
			archive := filepath.Join(filepath.Dir(c), "archive", "2019")
			if err := os.MkdirAll(archive, 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(archive, "a.md"), []byte(note), 0o644); err != nil {
				return err
			}
			return os.Symlink("../archive/2019", filepath.Join(c, "2019"))
		}, []string{`content/2019: a symbolic link to a folder, which is not followed: what the folder holds is not read; put the folder itself in place of the link, or remove the link`}},
		{"a symbolic link to a folder of content/", func(c string) error { return os.Symlink("2025", filepath.Join(c, "latest")) },
			[]string{`content/latest: a symbolic link to a folder, which is not followed: what the folder holds is not read; put the folder itself in place of the link, or remove the link`}},
		{"a symbolic link to a folder outside the site", func(c string) error { return os.Symlink(filepath.Dir(outside), filepath.Join(c, "2025", "more")) },
			[]string{`content/2025/more: a symbolic link to a folder outside the site folder, which is not followed: what the folder holds is not read; put the folder itself in place of the link, or remove the link`}},
		{"a relative symbolic link to a folder outside the site", func(c string) error {
			rel, err := filepath.Rel(c, filepath.Dir(outside))
			if err != nil {
				return err
			}
			return os.Symlink(rel, filepath.Join(c, "2019"))
		}, []string{`content/2019: a symbolic link to a folder outside the site folder, which is not followed: what the folder holds is not read; put the folder itself in place of the link, or remove the link`}},
		{"content/static a symbolic link to a folder outside the site", func(c string) error { return os.Symlink(filepath.Dir(outside), filepath.Join(c, "static")) },
			[]string{`content/static: a symbolic link to a folder outside the site folder, which is not followed: what the folder holds is not read; put the folder itself in place of the link, or remove the link`}},
		{"content/taxonomy a symbolic link to a folder inside the site", func(c string) error {
			if err := os.Rename(filepath.Join(c, "taxonomy"), filepath.Join(filepath.Dir(c), "taxonomy")); err != nil {
				return err
			}
			return os.Symlink("../taxonomy", filepath.Join(c, "taxonomy"))
		}, nil},
		{"content/taxonomy a symbolic link out of the site", func(c string) error {
			away := filepath.Join(filepath.Dir(outside), "taxonomy")
			if err := os.Rename(filepath.Join(c, "taxonomy"), away); err != nil {
				return err
			}
			return os.Symlink(away, filepath.Join(c, "taxonomy"))
		}, []string{`content/taxonomy: a symbolic link that leads outside the site folder, which is not followed: only files inside it are read; put the folder itself in place of the link`}},
		{"content/ a symbolic link out of the site", func(c string) error {
			away := filepath.Join(filepath.Dir(outside), "content")
			if err := os.Rename(c, away); err != nil {
				return err
			}
			return os.Symlink(away, c)
		}, []string{`content: a symbolic link that leads outside the site folder, which is not followed: only files inside it are read; put the folder itself in place of the link`}},
		{"content/ a symbolic link inside the site", func(c string) error {
			inside := filepath.Join(filepath.Dir(c), "notes")
			if err := os.Rename(c, inside); err != nil {
				return err
			}
			return os.Symlink("notes", c)
		}, nil},
		{"control characters in a file name", func(c string) error {
			return os.WriteFile(filepath.Join(c, "2025", "a\nb\x1b[2J\u202e.md"), []byte(note), 0o644)
		}, []string{`"content/2025/a\nb\x1b[2J\u202e.md":1:1: file name "a\nb\x1b[2J\u202e" is not a valid slug: rename the file or add slug: a-b-2j`}},
		{"names that are not UTF-8", func(c string) error {
			if err := os.WriteFile(filepath.Join(c, "2025", "a\xff.md"), []byte(note), 0o644); err != nil {
				return err
			}
			if err := os.Mkdir(filepath.Join(c, "\xfe"), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(c, "\xfe", "b.md"), []byte(note), 0o644); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(c, "2025", "c.md"), []byte(strings.Replace(note, "guangdong", "Марс", 1)), 0o644)
		}, []string{
			`"content/2025/a\xff.md": the name is not UTF-8: rename it`,
			`content/2025/c.md:5:11: unknown region "Марс"`,
			`"content/\xfe": the name is not UTF-8: rename it`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, site(nil)); err != nil {
				t.Fatal(err)
			}
			content := filepath.Join(dir, Dir)
			if err := os.MkdirAll(filepath.Join(content, "2025"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := tt.setup(content); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := LoadDir(dir)
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(time.Minute):
				t.Fatal("LoadDir blocked")
			}
			var got []string
			var es Errors
			if errors.As(err, &es) {
				got = strings.Split(es.Error(), "\n")
			} else if err != nil {
				t.Fatalf("LoadDir: %v", err)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestListFilesFolderLinks lists again what watch mode lists again, a
// changed path: a symbolic link to a folder is a problem there as it is
// when the whole site is loaded, or its notes would go unseen.
func TestListFilesFolderLinks(t *testing.T) {
	const msg = `: a symbolic link to a folder, which is not followed: what the folder holds is not read; put the folder itself in place of the link, or remove the link`
	outside := t.TempDir()
	tests := []struct {
		name   string
		target string // where content/2019 leads
		path   string // what is listed again
		want   string
	}{
		{"the link, to a folder inside", "../archive", "content/2019", "content/2019" + msg},
		{"the folder of the link, to a folder inside", "../archive", "content", "content/2019" + msg},
		{"the link, to a folder outside", outside, "content/2019",
			`content/2019: a symbolic link to a folder outside the site folder, which is not followed: what the folder holds is not read; put the folder itself in place of the link, or remove the link`},
		{"the link, to a file inside", "../archive/a.md", "content/2019", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := t.TempDir()
			if err := os.MkdirAll(filepath.Join(site, "archive"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(site, "archive", "a.md"), []byte("---\n---\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(site, Dir), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(tt.target, filepath.Join(site, Dir, "2019")); err != nil {
				t.Fatal(err)
			}
			root, err := os.OpenRoot(site)
			if err != nil {
				t.Fatal(err)
			}
			defer root.Close()
			fsys, done := SiteFS(root)
			defer done()
			files, err := ListFiles(fsys, tt.path, DefaultSettings().Limits)
			if err != nil {
				t.Fatalf("ListFiles: %v", err)
			}
			got := ""
			if err := files.Problems(); err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
