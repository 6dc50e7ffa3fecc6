package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"unicode/utf8"
)

// ReadFile reads the file name of fsys when it is a regular file of at
// most limit bytes: a note, a settings or taxonomy file, or a template. It
// looks at what name is before it opens it, so that a named pipe cannot
// block the read and a device cannot be read without end; symbolic links
// are followed as fsys follows them (os.Root's only inside the root). It
// never reads more than limit+1 bytes. Its errors say what was wrong with
// the file, without its name; a file that does not exist is
// fs.ErrNotExist, and one that is too large a *sizeError.
func ReadFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	return readRegular(fsys, name, limit, false)
}

// readRegular is ReadFile. When walked is true, the caller found name a
// regular file as it listed its folder (fs.DirEntry.Type, which costs no
// look of its own), and name is opened without looking again first.
func readRegular(fsys fs.FS, name string, limit int64, walked bool) ([]byte, error) {
	f, st, err := openRegular(fsys, name, limit, walked)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := io.LimitReader(f, limit+1)
	data := make([]byte, 0, min(st.Size(), limit)+1)
	for {
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // it grew since Stat
		}
	}
	if int64(len(data)) > limit {
		return nil, &sizeError{size: -1, limit: limit}
	}
	return data, nil
}

// openRegular opens the file name of fsys, as readRegular reads it, when it
// is a regular file of at most limit bytes, and returns what it is.
func openRegular(fsys fs.FS, name string, limit int64, walked bool) (fs.File, fs.FileInfo, error) {
	if !walked {
		st, err := fs.Stat(fsys, name)
		if err != nil {
			return nil, nil, statProblem(fsys, name, err)
		}
		if err := regular(st.Mode()); err != nil {
			return nil, nil, err
		}
		if st.Size() > limit {
			return nil, nil, &sizeError{size: st.Size(), limit: limit}
		}
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, nil, statProblem(fsys, name, err)
	}
	// The file may have been replaced since; what is open is what counts.
	st, err := f.Stat()
	switch {
	case err != nil:
	case regular(st.Mode()) != nil:
		err = regular(st.Mode())
	case st.Size() > limit:
		err = &sizeError{size: st.Size(), limit: limit}
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// regular describes a mode that is not a regular file's, or returns nil.
func regular(m fs.FileMode) error {
	var what string
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		what = "a folder"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	default:
		what = "a special file"
	}
	return fmt.Errorf("%s, not a regular file: only regular files are read", what)
}

// ErrOutside is the problem of a symbolic link that leads outside the
// folder that files are read from: the site folder, for a site's files.
var ErrOutside = errors.New("a symbolic link that leads outside the site folder: only files inside it are read")

// statProblem describes why name could not be looked at or opened,
// telling symbolic links that lead nowhere or outside the site apart.
func statProblem(fsys fs.FS, name string, err error) error {
	if escapes(err) { // the file or a folder on its way
		return ErrOutside
	}
	lst, lerr := fs.Lstat(fsys, name)
	if lerr != nil || lst.Mode()&fs.ModeSymlink == 0 {
		return err
	}
	if errors.Is(err, fs.ErrNotExist) {
		return errors.New("a symbolic link to a file that does not exist")
	}
	return fmt.Errorf("a symbolic link that cannot be followed: %s", readProblem(err))
}

// escapes reports whether err is os.Root's refusal of a path that leads
// outside it, "path escapes from parent", which it does not export.
func escapes(err error) bool { return strings.Contains(err.Error(), "path escapes") }

// sizeError is a file over its size limit. size is -1 when the file grew
// past the limit while it was read.
type sizeError struct {
	size, limit int64
}

func (e *sizeError) Error() string { return e.describe("the file", "") }

// describe says that what is too large, and names the setting that raises
// the limit, if one does.
func (e *sizeError) describe(what, setting string) string {
	msg := fmt.Sprintf("more than the limit of %s for %s", FormatSize(e.limit), what)
	switch {
	case e.size < 0:
	case e.size-e.limit < e.limit/10:
		// Rounded, it could read as the limit itself.
		msg = fmt.Sprintf("%d bytes, %s", e.size, msg)
	default:
		msg = FormatSize(e.size) + ", " + msg
	}
	if setting != "" {
		msg += fmt.Sprintf(" (%s in %s/site.yaml)", setting, Dir)
	}
	return msg
}

// validUTF8 reports whether data is UTF-8, and adds a problem at the first
// byte that is not to p.
func validUTF8(p *problems, file string, data []byte) bool {
	if utf8.Valid(data) {
		return true
	}
	i := 0
	for {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	line, col := lineCol(data, i)
	p.add(file, line, col, "not UTF-8 (byte 0x%02x): save the file as UTF-8", data[i])
	return false
}

// lineCol is the line and column, from 1, of the byte at i of data.
func lineCol(data []byte, i int) (line, col int) {
	start := bytes.LastIndexByte(data[:i], '\n') + 1
	return 1 + bytes.Count(data[:start], []byte("\n")), 1 + utf8.RuneCount(data[start:i])
}

// folderRoots is the fs.FS of an os.Root that opens files from a root of
// their folder, opened once per folder. An os.Root opens a path one folder
// at a time, a system call each; for thousands of notes in a few folders
// that was a good part of reading them. A file its folder's root will not
// open (a symbolic link that leads out of the folder, perhaps still inside
// the site) is opened from the site's root, which has the last word.
type folderRoots struct {
	fs.FS // root.FS(), for all but Open
	root  *os.Root

	mu      sync.Mutex
	folders map[string]*os.Root // nil for a folder that would not open
	closed  bool
}

// Open opens name from the root of its folder.
func (r *folderRoots) Open(name string) (fs.File, error) {
	return inFolder(r, name, func(sub *os.Root, base string) (fs.File, error) { return sub.Open(base) }, fs.FS.Open)
}

// Stat and Lstat look at a file from the root of its folder too, as Open
// opens it; ReadLink and ReadDir are root.FS()'s: fs.Stat and the like
// would open the file without them, a named pipe too.

// Stat returns what name leads to, following symbolic links inside the root.
func (r *folderRoots) Stat(name string) (fs.FileInfo, error) {
	return inFolder(r, name, (*os.Root).Stat, fs.Stat)
}

// Lstat returns what name is, without following a symbolic link.
func (r *folderRoots) Lstat(name string) (fs.FileInfo, error) {
	return inFolder(r, name, (*os.Root).Lstat, fs.Lstat)
}

// inFolder does fromFolder with name's base name in the root of its folder,
// or, where that fails, fromSite with name in the site's root.
func inFolder[T any](r *folderRoots, name string, fromFolder func(*os.Root, string) (T, error), fromSite func(fs.FS, string) (T, error)) (T, error) {
	dir, base := path.Split(name)
	if dir != "" && fs.ValidPath(name) {
		if sub := r.folder(strings.TrimSuffix(dir, "/")); sub != nil {
			if v, err := fromFolder(sub, base); err == nil {
				return v, nil
			}
		}
	}
	return fromSite(r.FS, name)
}

// statOutside returns what the symbolic link name leads to, outside the
// site folder, where the root does not look: see folderOutside.
func (r *folderRoots) statOutside(name string) (fs.FileInfo, error) {
	return os.Stat(filepath.Join(r.root.Name(), filepath.FromSlash(name)))
}

// folderOutside reports whether the symbolic link name of fsys leads to a
// folder outside the site folder, when fsys can tell (SiteFS can). Such a
// link is not followed, as no link out of the site is, but what it leaves
// out is a folder's notes and files, not one file that a note may never
// show: it is looked at, never opened, so that it is told.
func folderOutside(fsys fs.FS, name string) bool {
	o, ok := fsys.(interface {
		statOutside(string) (fs.FileInfo, error)
	})
	if !ok {
		return false
	}
	st, err := o.statOutside(name)
	return err == nil && st.IsDir()
}

// ReadLink returns where the symbolic link name leads.
func (r *folderRoots) ReadLink(name string) (string, error) { return fs.ReadLink(r.FS, name) }

// ReadDir lists the folder name.
func (r *folderRoots) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(r.FS, name) }

var (
	_ fs.StatFS     = (*folderRoots)(nil)
	_ fs.ReadLinkFS = (*folderRoots)(nil)
	_ fs.ReadDirFS  = (*folderRoots)(nil)
)

// folder returns the root of dir, or nil.
func (r *folderRoots) folder(dir string) *os.Root {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	sub, ok := r.folders[dir]
	if !ok {
		sub, _ = r.root.OpenRoot(dir)
		if r.folders == nil {
			r.folders = map[string]*os.Root{}
		}
		r.folders[dir] = sub
	}
	return sub
}

// SiteFS returns the files of the site folder root as fs.FS, each opened
// from a root of its folder, and the function that closes those roots
// once the files are read: os.Root opens a path one folder at a time, and
// a build reads thousands of notes in a few folders (see folderRoots).
func SiteFS(root *os.Root) (fs.FS, func()) {
	r := &folderRoots{FS: root.FS(), root: root}
	return r, r.close
}

// close closes the folders' roots. A build that fails may still be
// reading (its index, which it does not wait for): what it opens after
// close comes from the site's root, or fails with it.
func (r *folderRoots) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, sub := range r.folders {
		if sub != nil {
			sub.Close()
		}
	}
	r.folders, r.closed = nil, true
}

// OpenFile opens the file name of fsys to copy it, as notes are read: only a
// regular file of at most limit bytes, looked at before it is opened, so
// that a named pipe cannot block and a device cannot be read without end;
// with the fs.FS of an os.Root, a symbolic link is followed only inside it.
// Its errors say what is wrong with the file, without its name.
func OpenFile(fsys fs.FS, name string, limit int64) (fs.File, error) {
	f, _, err := openRegular(fsys, name, limit, false)
	if err != nil {
		var se *sizeError
		if errors.As(err, &se) {
			return nil, errors.New(se.describe("a file", "limits.file"))
		}
		return nil, errors.New(readProblem(err))
	}
	return f, nil
}
