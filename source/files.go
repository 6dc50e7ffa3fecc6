package source

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// StaticDir is the folder of content/ whose files are published as they are,
// at the root of the site: content/static/img/logo.png at /img/logo.png.
const StaticDir = Dir + "/static"

// File is a file of content/ that is neither a note nor a setting: a file of
// content/static/, which is always published, or a file beside the notes,
// published when a note shows it (see Files.Resolve).
type File struct {
	// Path is the file's path relative to the site folder, slash-separated:
	// content/2025/photo.jpg.
	Path    string
	Size    int64
	ModTime time.Time
	// problem says why the file cannot be published, or is "".
	problem string
	// lost says that problem is the site's whether or not a note shows the
	// file: a symbolic link to a folder, which is not followed, so that
	// the notes and files in the folder would be left out unseen.
	lost bool
}

// URL is the file's path on the site: its path below content/static/ for a
// static file (/img/logo.png), its path below content/ for any other
// (content/2025/photo.jpg is /2025/photo.jpg), so that a relative link
// between two files of content/ holds between the published files too.
func (f *File) URL() string {
	if rest, ok := strings.CutPrefix(f.Path, StaticDir+"/"); ok {
		return "/" + rest
	}
	return strings.TrimPrefix(f.Path, Dir)
}

// Static reports whether the file is one of content/static/.
func (f *File) Static() bool { return strings.HasPrefix(f.Path, StaticDir+"/") }

// Err says why the file cannot be published (not a regular file, a
// symbolic link that leads out of the site, over limits.file), or is nil.
func (f *File) Err() error {
	if f.problem == "" {
		return nil
	}
	return errors.New(f.problem)
}

// Version changes whenever the file's size or time of change does: what a
// build compares to tell whether to copy a file again.
func (f *File) Version() [2]int64 { return [2]int64{f.Size, f.ModTime.UnixNano()} }

// Files are the files of a site's content/ folder that are neither notes nor
// settings, by Path: those of content/static/ and those beside the notes.
// Files and folders whose names start with a dot are left out, and so are
// content/site.yaml and content/taxonomy/.
type Files map[string]*File

// Static returns the files of content/static/, which every build publishes.
func (fs Files) Static() []*File {
	var out []*File
	for _, f := range fs {
		if f.Static() {
			out = append(out, f)
		}
	}
	return out
}

// webAddress reports whether s is an absolute http or https URL with a
// host: what a source, the site's base, its licence or another origin's
// search is given as.
func webAddress(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Local reports whether ref, a link or image destination as a note writes
// it, names a file of the site rather than an address elsewhere: it has no
// scheme (https:, data:) and does not start with // or #.
func Local(ref string) bool {
	if ref == "" || strings.HasPrefix(ref, "//") || strings.HasPrefix(ref, "#") {
		return false
	}
	colon := strings.IndexByte(ref, ':')
	return colon < 0 || strings.ContainsAny(ref[:colon], "/?#")
}

// RefPath returns the path, relative to the site folder, of the file that
// ref names in the note file note: a path relative to the note's folder
// (photo.jpg, img/photo.jpg, ../shared/map.png) or, when it starts with /, a
// path on the site, which names a file of content/static/ (/img/logo.png is
// content/static/img/logo.png). A query or fragment is dropped and
// %-escapes are decoded. A path that leads out of content/ is an error.
func RefPath(note, ref string) (string, error) {
	p := ref
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	if p == "" || strings.HasSuffix(p, "/") {
		return "", fmt.Errorf("%s names no file", q(ref))
	}
	var full string
	if strings.HasPrefix(p, "/") {
		full = path.Join(StaticDir, p)
	} else {
		full = path.Join(path.Dir(note), p)
	}
	if !strings.HasPrefix(full, Dir+"/") {
		return "", fmt.Errorf("%s is outside %s/: only files of the site's %s/ folder are published", q(ref), Dir, Dir)
	}
	return full, nil
}

// Resolve returns the file that ref names in the note file note, as RefPath
// finds it, or says why there is none to publish.
func (fs Files) Resolve(note, ref string) (*File, error) {
	p, err := RefPath(note, ref)
	if err != nil {
		return nil, err
	}
	f := fs[p]
	if f == nil {
		if name := path.Base(p); !listOther(p) || IsNote(p) || EditorFile(name) {
			return nil, fmt.Errorf("%s: %s is not published: notes, the site's settings and taxonomy, hidden files and editors' backups never are", q(ref), p)
		}
		if strings.HasPrefix(ref, "/") {
			return nil, fmt.Errorf("%s: no file %s (a path from / names a file of %s/)", q(ref), p, StaticDir)
		}
		return nil, fmt.Errorf("%s: no file %s", q(ref), p)
	}
	if f.problem != "" {
		return nil, fmt.Errorf("%s: %s", q(ref), f.problem)
	}
	return f, nil
}

// ImageExts are the extensions of the pictures a note's image field and the
// site's image setting may name; the favicon may be an .ico file too.
var ImageExts = []string{".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg"}

// imageExt reports whether the file name p has one of exts, in any case.
func imageExt(p string, exts ...string) bool {
	ext := strings.ToLower(path.Ext(p))
	for _, e := range exts {
		if ext == e {
			return true
		}
	}
	return false
}

// otherFile describes the file name of fsys, which is not a note, as
// d, its entry in its folder's listing, shows it, under the size limit.
func otherFile(fsys fs.FS, name string, d fs.DirEntry, limit int64) *File {
	f := &File{Path: name}
	if !utf8.ValidString(name) {
		f.problem = "the name is not UTF-8: rename it"
		return f
	}
	var st fs.FileInfo
	var err error
	if d.Type()&fs.ModeSymlink != 0 {
		// Followed only inside the site, as os.Root follows it.
		if st, err = fs.Stat(fsys, name); err != nil {
			f.problem = readProblem(statProblem(fsys, name, err))
			if folderOutside(fsys, name) {
				f.problem, f.lost = "a symbolic link to a folder outside the site folder, which is not followed: what the folder holds is not read; put the folder itself in place of the link, or remove the link", true
			}
			return f
		}
		if st.IsDir() {
			// A walk that followed it could go round a loop, read a
			// folder twice under two names, or read one that watch mode
			// does not watch.
			f.problem, f.lost = "a symbolic link to a folder, which is not followed: what the folder holds is not read; put the folder itself in place of the link, or remove the link", true
			return f
		}
	} else if st, err = d.Info(); err != nil {
		f.problem = readProblem(err)
		return f
	}
	if err := regular(st.Mode()); err != nil {
		f.problem = err.Error()
		return f
	}
	f.Size, f.ModTime = st.Size(), st.ModTime()
	if f.Size > limit {
		se := &sizeError{size: f.Size, limit: limit}
		f.problem = se.describe("a file", "limits.file")
	}
	return f
}

// listOther reports whether the walk of content/ lists the file name among
// Files: all but notes, content/site.yaml and what content/taxonomy/ holds.
// A *.md file of content/static/ is a file there, not a note. A symbolic
// link content/taxonomy is not listed either: the taxonomy files are read
// by their paths, through it.
func listOther(name string) bool {
	return name != Dir+"/site.yaml" && name != Dir+"/taxonomy" && !strings.HasPrefix(name, Dir+"/taxonomy/")
}

// IsNote reports whether the file name, relative to the site folder, is a
// note: a *.md file below content/ but not in content/static/.
func IsNote(name string) bool {
	return strings.HasSuffix(name, ".md") && !strings.HasPrefix(name, StaticDir+"/")
}

// ListFiles lists the Files below dir, a folder or a file of content/ (the
// incremental builds of watch mode list what changed): nothing when dir does
// not exist. Problems with the files themselves are kept in each File (see
// File.Err); the error is a folder that cannot be read.
func ListFiles(fsys fs.FS, dir string, limits Limits) (Files, error) {
	files := Files{}
	st, err := fs.Lstat(fsys, dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return files, nil
	case err != nil:
		return nil, &FileError{File: dir, Err: errors.New(readProblem(err))}
	case !st.IsDir():
		if !IsNote(dir) && listOther(dir) && !Hidden(dir) {
			files[dir] = otherFile(fsys, dir, fs.FileInfoToDirEntry(st), limits.File)
		}
		return files, nil
	}
	err = walkContent(fsys, dir, func(string, bool) {}, func(name string, d fs.DirEntry) {
		files[name] = otherFile(fsys, name, d, limits.File)
	})
	return files, err
}

// Hidden reports whether any part of the path p, a slash-separated path
// of the site folder, starts with a dot: the build reads nothing there.
func Hidden(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}

// staticProblems reports every file of content/static/ that cannot be
// published: those are always published, so their problems are the site's.
// It reports every symbolic link to a folder too (File.lost).
func staticProblems(p *problems, files Files) {
	for _, f := range files {
		if (f.Static() || f.lost) && f.problem != "" {
			p.add(f.Path, 0, 0, "%s", f.problem)
		}
	}
}

// Problems reports every file of content/static/ that cannot be
// published, and every symbolic link to a folder, which would leave out
// what the folder holds; the files beside notes are problems only when a
// note shows them. None is nil.
func (fs Files) Problems() Errors {
	var p problems
	staticProblems(&p, fs)
	if err := p.err(); err != nil {
		return err.(Errors)
	}
	return nil
}

// checkImages resolves the image of every note against files, setting
// ImageFile, and reports those that name no file to publish.
func checkImages(p *problems, notes []*Note, files Files) {
	for _, n := range notes {
		if n.Image == "" {
			continue
		}
		f, err := files.Resolve(n.File, n.Image)
		if err != nil {
			p.add(n.File, n.ImagePos.Line, n.ImagePos.Col, "image %s", err)
			continue
		}
		n.ImageFile = f.Path
	}
}

// checkSiteFiles checks the files site.yaml names (favicon, image) against
// the files of content/static/.
func checkSiteFiles(p *problems, s *Settings, files Files) {
	for _, set := range []struct {
		key string
		val string
		pos Pos
	}{{"favicon", s.Favicon, s.faviconPos}, {"image", s.Image, s.imagePos}} {
		if set.val == "" {
			continue
		}
		if _, err := files.Resolve(path.Join(Dir, "site.yaml"), set.val); err != nil {
			p.add(path.Join(Dir, "site.yaml"), set.pos.Line, set.pos.Col, "%s %s", set.key, err)
		}
	}
}
