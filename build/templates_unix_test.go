//go:build unix

package build

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestTemplateFiles: a site's templates/ is read as its notes are: only
// regular files of a bounded size, symbolic links followed only inside it.
// Each bad file fails the build with its name and what is wrong, at once
// (a named pipe would block a read, a device never end).
func TestTemplateFiles(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.txt")
	os.WriteFile(outside, []byte("secret"), 0o644)
	for _, tc := range []struct {
		name string
		make func(path string) error
		want string
	}{
		{"link outside", func(p string) error { return os.Symlink(outside, p) }, "leads outside templates/"},
		// Inside the site, outside templates/: said as it is.
		{"link to the site", func(p string) error { return os.Symlink("../content/site.yaml", p) }, "leads outside templates/"},
		{"named pipe", func(p string) error { return syscall.Mkfifo(p, 0o644) }, "a named pipe, not a regular file"},
		{"device", func(p string) error { return os.Symlink("/dev/zero", p) }, "leads outside"},
		{"too large", func(p string) error { return os.WriteFile(p, make([]byte, 5<<20), 0o644) }, "more than the limit of 4 MB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site := t.TempDir()
			os.CopyFS(site, os.DirFS("testdata/basic"))
			os.MkdirAll(filepath.Join(site, "templates"), 0o755)
			if err := tc.make(filepath.Join(site, "templates", "favicon.svg")); err != nil {
				t.Skip(err)
			}
			_, err := Build(context.Background(), Config{Site: site, Out: filepath.Join(t.TempDir(), "out")})
			if err == nil || !strings.Contains(err.Error(), "templates/favicon.svg: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want templates/favicon.svg: …%s", err, tc.want)
			}
		})
	}
}
