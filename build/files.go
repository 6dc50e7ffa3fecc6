package build

import (
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/coopdigest/digest/source"
)

// copies plans the copies of the site's own files: every file of
// content/static/ and every file a published note shows or links (its
// image, the pictures and linked files of its body), each at its path on
// the site (source.File.URL).
// outs are the outputs the build makes itself: a file published where one
// of them is, or where another file is published, is a problem at the file.
func (b *builder) copies(outs []output) ([]output, error) {
	src := b.model.src
	if len(src.Files) == 0 {
		return nil, nil // nothing to publish: no note can show a file
	}
	chosen := map[string]*source.File{}
	for _, f := range src.Files.Static() {
		chosen[f.Path] = f
	}
	for _, n := range b.model.notes {
		if f := src.Files[n.ImageFile]; f != nil {
			chosen[f.Path] = f
		}
		for _, r := range n.refs {
			if f := src.Files[r]; f != nil {
				chosen[f.Path] = f
			}
		}
	}
	if len(chosen) == 0 {
		return nil, nil
	}
	files := make([]*source.File, 0, len(chosen))
	for _, f := range chosen {
		files = append(files, f)
	}
	slices.SortFunc(files, func(a, b *source.File) int { return strings.Compare(a.Path, b.Path) })

	made := make(map[string]bool, len(outs)) // paths of the build's own files
	folders := map[string]bool{}             // and of their folders
	for _, o := range outs {
		made[o.path] = true
		for d := path.Dir(o.path); d != "." && !folders[d]; d = path.Dir(d) {
			folders[d] = true
		}
	}
	var problems source.Errors
	bad := func(f *source.File, format string, args ...any) {
		problems = append(problems, &source.FileError{File: f.Path, Err: fmt.Errorf(format, args...)})
	}
	at := map[string]*source.File{}
	var copies []output
	for _, f := range files {
		url := f.URL()
		p := url[1:]
		if other := at[p]; other != nil {
			bad(f, "published at %s, as %s is: rename or move one of them", url, other.Path)
			continue
		}
		at[p] = f
		switch {
		case made[p]:
			bad(f, "published at %s, where the build writes a file of its own: rename or move the file", url)
			continue
		case folders[p]:
			bad(f, "published at %s, a folder of the site's pages: rename or move the file", url)
			continue
		}
		clash := ""
		for d := path.Dir(p); d != "." && clash == ""; d = path.Dir(d) {
			if made[d] {
				clash = d
			}
		}
		if clash != "" {
			bad(f, "published inside /%s, a file the build writes: rename or move the file's folder", clash)
			continue
		}
		copies = append(copies, output{path: p, from: f.Path, limit: src.Settings.Limits.File,
			key: func(h *maphash.Hash) {
				h.WriteString(f.Path)
				maphash.WriteComparable(h, f.Version())
			}})
	}
	if len(problems) > 0 {
		return nil, sorted(problems)
	}
	return copies, nil
}

// copyFile copies the file from of the site to dst, a new file: as the
// source read it, a regular file inside the site of at most limit bytes.
func copyFile(site fs.FS, from string, limit int64, dst string) error {
	r, err := source.OpenFile(site, from, limit)
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	err = copyLimited(w, r, limit)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

// copyAtomic replaces the file dst with a copy of the file from of the
// site, as copyFile makes it: readers see the old file or the new one.
func copyAtomic(site fs.FS, from string, limit int64, dst string) error {
	r, err := source.OpenFile(site, from, limit)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	w, err := os.CreateTemp(filepath.Dir(dst), ".tmp-"+filepath.Base(dst))
	if err != nil {
		return err
	}
	err = copyLimited(w, r, limit)
	if err == nil {
		err = w.Chmod(0o644)
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(w.Name(), dst)
	}
	if err != nil {
		os.Remove(w.Name())
	}
	return err
}

// copyLimited copies r to w, failing when r holds more than limit bytes:
// the file may have grown since it was looked at.
func copyLimited(w io.Writer, r io.Reader, limit int64) error {
	n, err := io.Copy(w, io.LimitReader(r, limit+1))
	if err == nil && n > limit {
		err = errors.New("grew past limits.file while it was copied")
	}
	return err
}
