package build

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coopdigest/digest/search"
	"github.com/coopdigest/digest/templates"
	"golang.org/x/sync/errgroup"
)

// MarkerName is the file that marks a folder as written by digest: every
// output folder has one, and so has every temporary folder of a build from
// its first moment. A build replaces OUT only when OUT is missing, empty or
// holds the marker, and removes a stale temporary folder beside OUT only
// when it holds the marker; see CheckOut. The server serves no dot-file.
const MarkerName = ".digest"

// OutputFormat is the version of the output's layout that the marker names.
// Any version is digest's own and may be replaced.
const OutputFormat = 1

// markerPrefix starts the marker's text, whatever the format version.
const markerPrefix = "digest output format "

// markerText is what a build writes into MarkerName.
var markerText = fmt.Sprintf("%s%d\nThis folder was written by `digest build`; the next build replaces it whole.\n", markerPrefix, OutputFormat)

// draftsLine ends the marker of an output built with Config.Drafts, and
// liveLine that of one built with Config.Live.
const (
	draftsLine = "It publishes drafts: built with --drafts.\n"
	liveLine   = "Its pages load the live-reload script of digest serve --watch, which only that server answers.\n"
)

// HasDrafts reports whether the output folder out was built with
// Config.Drafts, and so publishes notes marked draft, as its marker says.
// An output without a marker has none.
func HasDrafts(out string) (bool, error) { return markerSays(out, draftsLine) }

// HasLive reports whether the output folder out was built with
// Config.Live, as digest serve --watch builds, and so has pages that load
// a script that only that server answers, as its marker says.
func HasLive(out string) (bool, error) { return markerSays(out, liveLine) }

// IsOutput reports whether the folder dir is an output that digest wrote:
// it holds the marker.
func IsOutput(dir string) bool { return hasMarker(dir) }

// markerSays reports whether the marker of out has the line; false when
// out has no marker.
func markerSays(out, line string) (bool, error) {
	f, err := openMarker(out)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	text, err := io.ReadAll(io.LimitReader(f, maxMarker))
	if err != nil {
		return false, err
	}
	return strings.HasPrefix(string(text), markerPrefix) && strings.Contains(string(text), line), nil
}

// maxMarker is the most of a marker that is read.
const maxMarker = 1 << 20

// wrotePrefix starts a line of the marker that names an entry of the
// output's top folder that digest wrote, quoted as Go quotes it: a build
// replaces OUT whole, and refuses to when OUT holds entries that digest
// did not write (see foreignEntries), such as a .git or a CNAME put there
// by hand.
const wrotePrefix = "wrote "

// recordEntries adds to the marker of out the names of its top folder's
// entries among names that it does not list yet.
func recordEntries(out string, names []string) error {
	listed, _, err := markerEntries(out)
	if err != nil {
		return err
	}
	var add strings.Builder
	for _, name := range names {
		if !listed[name] && name != MarkerName {
			listed[name] = true
			add.WriteString(wrotePrefix + strconv.Quote(name) + "\n")
		}
	}
	if add.Len() == 0 {
		return nil
	}
	return appendText(filepath.Join(out, MarkerName), os.O_WRONLY|os.O_APPEND, add.String())
}

// appendText writes text at the end of the file at path, opened with flag.
func appendText(path string, flag int, text string) error {
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// filesName is the file of an output that lists every file below it that a
// build or a watch session wrote, one slash path quoted as Go quotes it a
// line: a build refuses to replace an output that holds a file the list
// does not name, in the folders digest wrote (see foreignEntries), such as
// a report put in 2024/ by hand. An output of an older version has none.
const filesName = ".digest-files"

// recordFiles adds paths, slash paths below the output out, to its list of
// the files digest wrote, in order, so that two builds of one site list
// theirs alike.
func recordFiles(out string, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	return appendText(filepath.Join(out, filesName), os.O_WRONLY|os.O_APPEND|os.O_CREATE, string(fileLines(slices.Sorted(slices.Values(paths)))))
}

// fileLines is paths as the list of files has them: each quoted, a line
// each.
func fileLines(paths []string) []byte {
	var lines []byte
	for _, p := range paths {
		lines = append(strconv.AppendQuote(lines, p), '\n')
	}
	return lines
}

// unrecordFiles takes paths, files that digest removed from the output
// out, off its list of the files digest wrote, so that a file someone puts
// at one of those paths later is theirs to the next build. The list is
// replaced whole, by a temporary file (.tmp-*, digest's) renamed over it,
// each path once, in order.
func unrecordFiles(out string, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	files, err := listedFiles(out)
	if err != nil || files == nil {
		return err
	}
	n := len(files)
	for _, p := range paths {
		delete(files, p)
	}
	if len(files) == n {
		return nil // none listed
	}
	return writeAtomic(filepath.Join(out, filesName), fileLines(slices.Sorted(maps.Keys(files))))
}

// listedFiles returns the files that the list of out names; nil when out
// has no list.
func listedFiles(out string) (map[string]bool, error) {
	data, err := os.ReadFile(filepath.Join(out, filesName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	files := map[string]bool{}
	for line := range strings.Lines(string(data)) {
		if p, err := strconv.Unquote(strings.TrimSuffix(line, "\n")); err == nil {
			files[p] = true
		}
	}
	return files, nil
}

// markerEntries returns the entries that the marker of out lists, and
// whether it lists any: a marker of an older version lists none.
func markerEntries(out string) (map[string]bool, bool, error) {
	f, err := openMarker(out)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	text, err := io.ReadAll(io.LimitReader(f, maxMarker))
	if err != nil {
		return nil, false, err
	}
	listed := map[string]bool{}
	for line := range strings.Lines(string(text)) {
		if q, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), wrotePrefix); ok {
			if name, err := strconv.Unquote(q); err == nil {
				listed[name] = true
			}
		}
	}
	return listed, len(listed) > 0, nil
}

// markerHeld reports whether a process holds the marker of out locked: a
// build under way, or a watch session that updates OUT (Session.held).
func markerHeld(out string) (bool, error) {
	f, err := openMarker(out)
	if err != nil {
		return false, err
	}
	defer f.Close()
	return heldByOther(f)
}

// holdMarker opens OUT's marker and takes its lock, for a session that
// updates OUT, or returns nil when OUT has none (it is new, empty, or of a
// version that wrote none); it is an *OutError when another process holds
// the lock.
func holdMarker(out string) (*os.File, error) {
	f, err := openMarker(out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	held, err := heldByOther(f)
	if err == nil && !held && lockFile(f) != nil {
		held = true // taken in between
	}
	if err != nil || held {
		f.Close()
		if err == nil {
			err = &OutError{Out: out, Reason: heldReason}
		}
		return nil, err
	}
	return f, nil
}

// heldReason is why OUT may not be replaced while another process holds it.
const heldReason = "another digest process holds it, such as digest serve --watch, which updates it as notes change; stop that first, or build into another folder"

// foreignEntries returns the entries of the top folder of out, an output,
// that the marker of from does not list, or files there that from's list
// of files does not name, in order; then, when deep or when
// there are any, the files in the folders it lists that from's list of
// files (filesName) does not name; at most maxForeign+1 in all. from is out
// itself, or a new output that judges an out that keeps no lists (see
// checkUnlisted). None when the marker lists nothing, and none below the
// top when there is no list. The temporary files of a write cut short
// (see cutShort) are digest's, and so is the search index, which the build
// writes whole, but for what search.Foreign finds at its top.
func foreignEntries(out, from string, deep bool) ([]string, error) {
	listed, lists, err := markerEntries(from)
	if err != nil || !lists {
		return nil, err
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return nil, err
	}
	files, err := listedFiles(from)
	if err != nil {
		return nil, err
	}
	var foreign []string
	for _, e := range entries {
		name := e.Name()
		if name == MarkerName || name == filesName || cutShort(name) {
			continue
		}
		// A file at the top that a watch session removed stays in the
		// marker, which the session holds locked, but leaves the list.
		if !listed[name] || files != nil && !e.IsDir() && !files[name] {
			foreign = append(foreign, name)
		}
	}
	if !deep && len(foreign) == 0 || files == nil {
		return foreign, nil
	}
	// A folder a processor: reading them is system calls.
	found := make([][]string, len(entries))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, e := range entries {
		switch name := e.Name(); {
		case e.IsDir() && listed[name] && name == search.DirName:
			g.Go(func() error {
				names, err := search.Foreign(filepath.Join(out, name))
				for _, n := range names {
					found[i] = append(found[i], name+"/"+n)
				}
				return err
			})
		case e.IsDir() && listed[name]:
			g.Go(func() (err error) {
				found[i], err = unlisted(out, name, files, nil)
				slices.Sort(found[i])
				return err
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	foreign = slices.Concat(append([][]string{foreign}, found...)...)
	return foreign[:min(len(foreign), maxForeign+1)], nil
}

// maxForeign is how many foreign entries a refusal names; foreignEntries
// looks for one more, to tell that there are more.
const maxForeign = 5

// unlisted appends to foreign the files below rel, a slash path of a
// folder of the output out, that files does not have, but the temporary
// files of a write cut short, until foreign holds more than maxForeign.
// Every folder of a site is read: its entries unsorted, their paths made
// as they are read.
func unlisted(out, rel string, files map[string]bool, foreign []string) ([]string, error) {
	f, err := os.Open(filepath.Join(out, filepath.FromSlash(rel)))
	if err != nil {
		return foreign, err
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	for _, e := range entries {
		p := rel + "/" + e.Name()
		switch {
		case len(foreign) > maxForeign:
			return foreign, nil
		case e.IsDir():
			if foreign, err = unlisted(out, p, files, foreign); err != nil {
				return foreign, err
			}
		case !files[p] && !cutShort(e.Name()):
			foreign = append(foreign, p)
		}
	}
	return foreign, err
}

// cutShort reports whether name is that of the temporary file of a write
// cut short (os.CreateTemp's ".tmp-" and a file's name, then its random
// digits), which digest may delete; a file of the reader's own named
// «.tmp-notes» is not.
func cutShort(name string) bool {
	rest, ok := strings.CutPrefix(name, ".tmp-")
	return ok && rest != "" && '0' <= rest[len(rest)-1] && rest[len(rest)-1] <= '9'
}

// keepAssets writes into dir, a new output, the fingerprinted static files
// of the templates that the previous output out links and dir does not
// have (a stylesheet changed): a page loaded before the swap, or kept by a
// cache, still finds what it links. Those of older builds are not kept. It
// returns the paths it wrote.
func keepAssets(out, dir string, tmpl *templates.Set) ([]string, error) {
	var kept []string
	for _, name := range slices.Sorted(maps.Keys(tmpl.Static())) {
		p := filepath.Join(out, filepath.FromSlash(name))
		// A file as the build writes it: a pipe put in its place would
		// never end.
		if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() {
			continue // no previous output, or not this file
		}
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		old := templates.Fingerprinted(name, data)
		if "/"+old == tmpl.Asset(name) {
			continue
		}
		if fi, err := os.Lstat(filepath.Join(out, filepath.FromSlash(old))); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(old)), data, 0o644); err != nil {
			return nil, err
		}
		kept = append(kept, old)
	}
	return kept, nil
}

// readDirNames returns the names of the entries of dir, sorted.
func readDirNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, err
}

// OutError is an output folder that a build refuses to replace, with the
// reason, before anything is read, written or deleted.
type OutError struct {
	Out    string // the folder as given
	Reason string // why it may not be replaced, and what to do
}

func (e *OutError) Error() string {
	return fmt.Sprintf("refusing to replace %s: %s", e.Out, e.Reason)
}

// CheckOut decides whether a build of site may replace the folder out. A
// build writes a whole new folder and swaps it in, so that whatever out held
// is deleted: that is allowed only when out is missing, an empty folder, a
// previous output of digest (it holds MarkerName, and nothing that the
// marker and the list of files do not name: see foreignEntries) or an output of a version
// that wrote no marker (recognised once by its layout: .search/index.json,
// index.html and sitemap.xml; the build then marks it). A build judges an
// output that keeps no lists of what digest wrote once more before the
// swap, by the new output's lists (see checkUnlisted). Whatever the
// folder holds, out must not be the site folder, hold it, or lie inside
// SITE/content or SITE/templates. Paths are compared after symbolic links
// are resolved and by the folders' identity, so that relative, symlinked
// and case-folded spellings of one folder are the same folder. The error is
// an *OutError.
func CheckOut(site, out string) error { return checkOut(site, out, false, true) }

// checkOut is CheckOut; mine says that OUT's marker is held by the caller,
// whose lock it is, and deep whether the files below OUT's top folder are
// looked at (see foreignEntries), which costs a system call a folder.
func checkOut(site, out string, mine, deep bool) error {
	refuse := func(format string, args ...any) error {
		return &OutError{Out: out, Reason: fmt.Sprintf(format, args...)}
	}
	siteReal, err := realPath(site)
	if err != nil {
		return fmt.Errorf("site folder %s: %w", site, err)
	}
	outReal, err := realPath(out)
	if err != nil {
		return fmt.Errorf("output folder %s: %w", out, err)
	}
	switch {
	case contains(outReal, siteReal) && contains(siteReal, outReal):
		return refuse("it is the site folder itself; choose a new folder for the output, such as %s", filepath.Join(site, "public"))
	case contains(outReal, siteReal):
		return refuse("it holds the site folder %s; choose a new folder for the output, such as %s", siteReal, filepath.Join(site, "public"))
	}
	for _, dir := range []string{"content", "templates"} {
		if d := filepath.Join(siteReal, dir); contains(d, outReal) {
			return refuse("it is inside %s, which holds the site's sources; choose a folder outside it, such as %s", filepath.Join(site, dir), filepath.Join(site, "public"))
		}
	}
	// Clean: «link/» would be looked at through the link.
	st, err := os.Lstat(filepath.Clean(out))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("output folder: %w", err)
	case st.Mode()&fs.ModeSymlink != 0:
		return refuse("it is a symbolic link (to %s), which the build would replace by a folder; give the folder it points to", outReal)
	case !st.IsDir():
		return refuse("it is not a folder; choose a new or empty folder for the output, or remove it yourself")
	case isMountPoint(out):
		return refuse("it is a mount point, which the build cannot replace (it swaps a new folder in whole); build into a folder inside it, such as %s", filepath.Join(out, "public"))
	}
	switch kind, err := outKind(out); {
	case err != nil:
		return fmt.Errorf("output folder: %w", err)
	case kind == outForeign:
		return refuse("it is not empty and was not written by digest (no %s marker); choose an empty or new folder for the output, or remove it yourself", MarkerName)
	case kind == outMarked:
		if held, err := markerHeld(out); err != nil {
			return fmt.Errorf("output folder: %w", err)
		} else if held && !mine {
			return refuse("%s", heldReason)
		}
		foreign, err := foreignEntries(out, out, deep)
		if err != nil {
			return fmt.Errorf("output folder: %w", err)
		}
		if len(foreign) > 0 {
			return refuse("it holds %s, which digest did not write, and a build replaces the folder whole; move them out of it (a file the site should publish, such as a CNAME, goes in content/static/, which every build copies)", foreignList(foreign))
		}
	}
	return nil
}

// foreignList names foreign entries in a refusal: maxForeign of them, and
// an ellipsis when there are more.
func foreignList(foreign []string) string {
	if len(foreign) > maxForeign {
		foreign = append(foreign[:maxForeign:maxForeign], "…")
	}
	return strings.Join(foreign, ", ")
}

// checkUnlisted decides, just before the swap, whether next, a new output
// that the build has listed, may replace out when out cannot say which of
// its files digest wrote: an output of a version that wrote no marker, or
// a marker that lists no entries, or no list of files (filesName). Such an
// output is replaced only when it holds nothing that next does not, as
// next's lists tell (see foreignEntries): what else it holds may be a page
// of an older build or a file put there by hand, and nothing tells which.
// An output that keeps its lists is checkOut's to judge. The error is an
// *OutError.
func checkUnlisted(out, next string) error {
	kind, err := outKind(out)
	switch {
	case errors.Is(err, fs.ErrNotExist) || (err == nil && kind == outEmpty):
		return nil
	case err != nil:
		return fmt.Errorf("output folder: %w", err)
	case kind == outMarked:
		if keeps, err := keepsLists(out); err != nil {
			return fmt.Errorf("output folder: %w", err)
		} else if keeps {
			return nil
		}
	}
	foreign, err := foreignEntries(out, next, true)
	if err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	if len(foreign) == 0 {
		return nil
	}
	return &OutError{Out: out, Reason: fmt.Sprintf("it holds %s, which this build does not write, and the version of digest that wrote the folder kept no list of its files, so the build cannot tell its old pages from files put there by hand; move out what is yours (a file the site should publish, such as a CNAME, goes in content/static/, which every build copies), then remove the folder or build into a new one", foreignList(foreign))}
}

// keepsLists reports whether the marked output out says which files digest
// wrote in it: its marker lists its entries, and it has a list of files.
func keepsLists(out string) (bool, error) {
	_, lists, err := markerEntries(out)
	if err != nil || !lists {
		return false, err
	}
	_, err = os.Lstat(filepath.Join(out, filesName))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// What an existing output folder is.
type outKindT int

const (
	outEmpty   outKindT = iota
	outMarked           // holds the marker
	outLegacy           // an output of a version that wrote no marker
	outForeign          // anything else
)

// outKind tells what the folder dir holds.
func outKind(dir string) (outKindT, error) {
	f, err := os.Open(dir)
	if err != nil {
		return 0, err
	}
	names, err := f.Readdirnames(1)
	f.Close()
	if errors.Is(err, io.EOF) || (err == nil && len(names) == 0) {
		return outEmpty, nil
	}
	if err != nil {
		return 0, err
	}
	if hasMarker(dir) {
		return outMarked, nil
	}
	// Every output before the marker had these; it takes all three, and
	// a search index's manifest that names its shards, each a folder.
	for _, p := range []string{".search/index.json", "index.html", "sitemap.xml"} {
		st, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil || !st.Mode().IsRegular() {
			return outForeign, nil
		}
	}
	if !search.IsIndex(filepath.Join(dir, search.DirName)) {
		return outForeign, nil
	}
	return outLegacy, nil
}

// hasMarker reports whether dir holds a marker written by digest: a
// regular file whose text starts as markerText does.
func hasMarker(dir string) bool {
	f, err := openMarker(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	return isMarker(f)
}

// openMarker opens dir's marker for reading, never through a symbolic link.
func openMarker(dir string) (*os.File, error) {
	p := filepath.Join(dir, MarkerName)
	st, err := os.Lstat(p)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", p)
	}
	return os.Open(p)
}

// isMarker reports whether the file f holds a marker's text.
func isMarker(f *os.File) bool {
	buf := make([]byte, len(markerPrefix))
	_, err := io.ReadFull(f, buf)
	return err == nil && string(buf) == markerPrefix
}

// realPath returns the absolute form of p with the symbolic links of its
// existing part resolved; the part that does not exist yet is kept as is.
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var rest []string
	for cur := abs; ; {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(append([]string{r}, rest...)...), nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs, nil
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
		cur = parent
	}
}

// Within reports whether p is the folder dir or inside it, with the links
// of what exists of either followed: a file written there before a build
// of dir is gone after it.
func Within(dir, p string) bool {
	d, err1 := realPath(dir)
	f, err2 := realPath(p)
	return err1 == nil && err2 == nil && contains(d, f)
}

// contains reports whether the folder dir is p or one of its ancestors: by
// path, or by identity of an existing folder, which also catches spellings
// that differ only in case on a file system that ignores case.
func contains(dir, p string) bool {
	dst, dirErr := os.Stat(dir)
	for q := p; ; {
		if q == dir {
			return true
		}
		if dirErr == nil {
			if st, err := os.Stat(q); err == nil && os.SameFile(st, dst) {
				return true
			}
		}
		parent := filepath.Dir(q)
		if parent == q {
			return false
		}
		q = parent
	}
}

// tempPrefix starts the names of the temporary folders of builds of out,
// which are made beside it.
func tempPrefix(out string) string {
	return "." + filepath.Base(filepath.Clean(out)) + ".tmp-"
}

// tempDir is a build's temporary folder beside OUT: marked from its first
// moment, and its marker held locked for as long as the build runs, so that
// another build can tell it from a stale one (see removeStale).
type tempDir struct {
	path   string
	marker *os.File // open and locked until release
}

// newTempDir makes a marked temporary folder beside out, on the same file
// system, so that it can be renamed into place; its marker says whether it
// publishes drafts, and whether its pages load the live-reload script.
func newTempDir(out string, drafts, live bool) (*tempDir, error) {
	parent := filepath.Dir(filepath.Clean(out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(parent, tempPrefix(out))
	if err != nil {
		return nil, err
	}
	f, err := writeMarker(dir, drafts, live)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	return &tempDir{path: dir, marker: f}, nil
}

// writeMarker writes the marker into dir and returns it open.
func writeMarker(dir string, drafts, live bool) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, MarkerName), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	text := markerText
	if drafts {
		text += draftsLine
	}
	if live {
		text += liveLine
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// release lets go of the temporary folder's lock.
func (t *tempDir) release() {
	if t.marker != nil {
		t.marker.Close()
		t.marker = nil
	}
}

// removeBound is how long a cancelled build goes on removing its temporary
// folder before it leaves the rest to the next build: a build stopped with
// Ctrl-C or SIGTERM must end within a second or two, and on a slow disk a
// folder of many thousand files takes longer than that to delete.
const removeBound = time.Second

// remove deletes the temporary folder. With ctx cancelled it gives up after
// removeBound and reports the folder left behind, still marked, for the next
// build to remove (the removal goes on in the background meanwhile); after
// is closed once nothing writes into the folder any more, and the removal
// is repeated then in case a writer added files after it.
func (t *tempDir) remove(ctx context.Context, after <-chan struct{}) (left bool) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		removeMarked(t.path)
		if after != nil {
			<-after
			removeMarked(t.path)
		}
		t.release()
	}()
	if ctx.Err() == nil {
		<-done
		return dirExists(t.path)
	}
	select {
	case <-done:
		return dirExists(t.path)
	case <-time.After(removeBound):
		return true
	}
}

func dirExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// ForeignError is a previous output, or the folder of an earlier build,
// that holds what digest did not write, put there while a build ran, after
// it looked: it is kept, no longer marked, so that no build removes it.
type ForeignError struct {
	Dir     string
	Foreign []string // the first of what it holds (maxForeign+1)
}

func (e *ForeignError) Error() string {
	return fmt.Sprintf("%s holds %s, which digest did not write: it is kept; move out what is yours and remove it", e.Dir, foreignList(e.Foreign))
}

// removeUnlessForeign removes the marked folder dir, a previous output or
// the folder of an earlier build, unless it holds what digest did not
// write (a *ForeignError).
func removeUnlessForeign(dir string) error {
	foreign, err := foreignEntries(dir, dir, true)
	if err != nil {
		return err
	}
	if len(foreign) > 0 {
		if err := os.Remove(filepath.Join(dir, MarkerName)); err != nil {
			return err
		}
		return &ForeignError{Dir: dir, Foreign: foreign}
	}
	return removeMarked(dir)
}

// removeMarked deletes the marked folder dir: its entries in parallel, the
// marker last, so that a removal cut short leaves a folder that is still
// known to be digest's.
func removeMarked(dir string) error {
	for range 3 { // a writer that has not stopped yet may add entries
		f, err := os.Open(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		names, err := f.Readdirnames(-1)
		f.Close()
		if err != nil {
			return err
		}
		var rest []string
		for _, n := range names {
			if n != MarkerName {
				rest = append(rest, n)
			}
		}
		if len(rest) == 0 {
			if err := os.Remove(filepath.Join(dir, MarkerName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			return nil
		}
		if err := removeAllParallel(dir, rest); err != nil {
			return err
		}
	}
	return fmt.Errorf("%s: still being written to", dir)
}

// removeAllParallel removes the entries names of dir, several at once: on
// a disk where every unlink waits for the journal, that is what makes the
// removal of a site of many thousand files take seconds rather than tens.
func removeAllParallel(dir string, names []string) error {
	workers := max(4, 2*runtime.GOMAXPROCS(0))
	next := make(chan string)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for p := range next {
				if err := os.RemoveAll(p); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	// Descend one level, so that the pages of a large site, most of them
	// in a few folders (a year, regions), spread over the workers.
	for _, n := range names {
		p := filepath.Join(dir, n)
		st, err := os.Lstat(p)
		if err == nil && st.IsDir() {
			if sub, err := os.ReadDir(p); err == nil {
				for _, e := range sub {
					next <- filepath.Join(p, e.Name())
				}
			}
		}
		next <- p
	}
	close(next)
	wg.Wait()
	return first
}

// removeStale removes the temporary folders that earlier builds of out,
// killed before they could, left beside it: only those that hold a marker
// that no running build holds locked. It stops early when ctx is done and
// returns the folders it removed.
func removeStale(ctx context.Context, out string) (removed []string, err error) {
	parent := filepath.Dir(filepath.Clean(out))
	entries, err := os.ReadDir(parent)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	prefix := tempPrefix(out)
	var errs []error
	for _, e := range entries {
		if ctx.Err() != nil {
			break
		}
		if !strings.HasPrefix(e.Name(), prefix) || e.Type()&fs.ModeSymlink != 0 || !e.IsDir() {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		ok, err := removeIfStale(dir)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			removed = append(removed, dir)
		}
	}
	return removed, errors.Join(errs...)
}

// removeIfStale removes dir if it holds a marker that nobody holds locked.
func removeIfStale(dir string) (bool, error) {
	f, err := openMarker(dir)
	if err != nil {
		return false, nil // not digest's, or not any more
	}
	defer f.Close()
	if !isMarker(f) {
		return false, nil
	}
	free, err := tryLock(f)
	if err != nil || !free {
		return false, err // a build at work
	}
	if err := removeUnlessForeign(dir); err != nil {
		return false, err
	}
	return true, nil
}

// adoptLegacy marks the output folder out if it is the output of a version
// that wrote no marker, so that it is recognised as digest's from now on,
// wherever the swap moves it.
func adoptLegacy(out string) error {
	kind, err := outKind(out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil || kind != outLegacy {
		return err
	}
	f, err := writeMarker(out, false, false)
	if err != nil {
		return err
	}
	return f.Close()
}
