package deploy

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
)

// IndexDir is the search index's folder inside OUT, as `digest build`
// writes it (search.DirName).
const IndexDir = ".search"

// DefaultIndexPrefix is where in its bucket the index is published.
const DefaultIndexPrefix = "_search/"

// PointerName is the key, under the index prefix, of the pointer that names
// the current version.
const PointerName = "current.json"

// ErrNotPublished means that a bucket has no index under the prefix: no
// deploy has published one there.
var ErrNotPublished = errors.New("no index published")

// maxSmall bounds what is read of a pointer or a manifest, so that a wrong
// key costs no more than this.
const maxSmall = 1 << 20

// format is the version of the layout of pointers and manifests; a reader
// refuses another.
const format = 1

// versionPattern matches a version: the first 16 hex digits of a SHA-256.
var versionPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

// pointer names the current version of the index; Deploy writes it last.
type pointer struct {
	Format    int       `json:"format"`
	Version   string    `json:"version"`
	Files     int       `json:"files"`
	Bytes     int64     `json:"bytes"`
	Published time.Time `json:"published"`
}

// manifest lists the files of one version, at PREFIX<version>.json.
type manifest struct {
	Format  int            `json:"format"`
	Version string         `json:"version"`
	Files   []manifestFile `json:"files"`
}

// manifestFile is one file of a version: its slash path inside the index
// folder, its size and its SHA-256 in hex.
type manifestFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// versionOf is the version of an index made of files: a hash of every file's
// path, size and SHA-256, in the order of their paths, so that the same
// index always has the same version and any change gives another.
func versionOf(files []manifestFile) string {
	files = slices.Clone(files)
	slices.SortFunc(files, func(a, b manifestFile) int { return strings.Compare(a.Path, b.Path) })
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00%d\x00%s\n", f.Path, f.Size, f.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// versionKey is the key of a file of a version.
func versionKey(prefix, version, path string) string {
	return prefix + version + "/" + path
}

// manifestKey is the key of a version's manifest.
func manifestKey(prefix, version string) string {
	return prefix + version + ".json"
}

// parseVersionKey tells which version a key under the prefix belongs to,
// and whether it is the version's manifest. ok is false for keys that are
// no part of a version (the pointer, anything else).
func parseVersionKey(prefix, key string) (version string, isManifest, ok bool) {
	rest, found := strings.CutPrefix(key, prefix)
	if !found {
		return "", false, false
	}
	if v, found := strings.CutSuffix(rest, ".json"); found && versionPattern.MatchString(v) {
		return v, true, true
	}
	v, _, found := strings.Cut(rest, "/")
	if found && versionPattern.MatchString(v) {
		return v, false, true
	}
	return "", false, false
}

// indexFile is one file of the local index.
type indexFile struct {
	path string // on disk
	manifestFile
	md5 [md5.Size]byte
}

// localIndex is the index folder of OUT, hashed.
type localIndex struct {
	version string
	files   []indexFile
	bytes   int64
}

// readIndex hashes every file of the index folder dir, which it treats as
// opaque. It returns nil without an error when there is no such folder.
func readIndex(dir string) (*localIndex, error) {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s: not a folder", dir)
	}
	ix := &localIndex{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		f := indexFile{path: p, manifestFile: manifestFile{Path: filepath.ToSlash(rel)}}
		r, err := os.Open(p)
		if err != nil {
			return err
		}
		defer r.Close()
		if st, err := r.Stat(); err != nil || !st.Mode().IsRegular() {
			return fmt.Errorf("%s: not a regular file", p)
		}
		h, m := sha256.New(), md5.New()
		n, err := copyFile(io.MultiWriter(h, m), r)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		f.Size = n
		f.SHA256 = hex.EncodeToString(h.Sum(nil))
		m.Sum(f.md5[:0])
		ix.files = append(ix.files, f)
		ix.bytes += n
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(ix.files) == 0 {
		return nil, fmt.Errorf("%s: an empty index folder", dir)
	}
	ix.version = versionOf(ix.manifest().Files)
	return ix, nil
}

// manifest is the manifest of the local index.
func (ix *localIndex) manifest() manifest {
	m := manifest{Format: format, Version: ix.version}
	for _, f := range ix.files {
		m.Files = append(m.Files, f.manifestFile)
	}
	slices.SortFunc(m.Files, func(a, b manifestFile) int { return strings.Compare(a.Path, b.Path) })
	return m
}

// encode is the manifest as it is stored: the same manifest always gives
// the same bytes.
func (m manifest) encode() []byte {
	data, err := json.MarshalIndent(m, "", "\t")
	if err != nil {
		panic(err) // strings and numbers always encode
	}
	return append(data, '\n')
}

// check reports what is wrong with a manifest read from a bucket for the
// given version: its format, its version, and every path (relative, clean,
// no "..", each once, no file inside another).
func (m *manifest) check(version string) error {
	if m.Format != format {
		return fmt.Errorf("format %d, want %d", m.Format, format)
	}
	if m.Version != version {
		return fmt.Errorf("names version %q", m.Version)
	}
	if len(m.Files) == 0 {
		return errors.New("lists no files")
	}
	seen := make(map[string]bool, len(m.Files))
	for _, f := range m.Files {
		if !fs.ValidPath(f.Path) || f.Path == "." || strings.Contains(f.Path, `\`) {
			return fmt.Errorf("bad path %q", f.Path)
		}
		if seen[f.Path] {
			return fmt.Errorf("lists %q twice", f.Path)
		}
		seen[f.Path] = true
		if f.Size < 0 {
			return fmt.Errorf("%s: size %d", f.Path, f.Size)
		}
		if len(f.SHA256) != 2*sha256.Size {
			return fmt.Errorf("%s: bad sha256 %q", f.Path, f.SHA256)
		}
		if _, err := hex.DecodeString(f.SHA256); err != nil {
			return fmt.Errorf("%s: bad sha256 %q", f.Path, f.SHA256)
		}
	}
	for _, f := range m.Files {
		for dir := f.Path; ; {
			i := strings.LastIndexByte(dir, '/')
			if i < 0 {
				break
			}
			dir = dir[:i]
			if seen[dir] {
				return fmt.Errorf("%q is both a file and a folder", dir)
			}
		}
	}
	if v := versionOf(m.Files); v != version {
		return fmt.Errorf("its files make version %s, not %s", v, version)
	}
	return nil
}

// readSmall reads an object of at most maxSmall bytes.
func readSmall(ctx context.Context, b *blob.Bucket, key string) ([]byte, error) {
	r, err := b.NewReader(ctx, key, nil)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, maxSmall+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSmall {
		return nil, fmt.Errorf("more than %d bytes", maxSmall)
	}
	return data, nil
}

// readPointer reads and checks the pointer under prefix.
func readPointer(ctx context.Context, b *blob.Bucket, prefix string) (*pointer, error) {
	data, err := readSmall(ctx, b, prefix+PointerName)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fmt.Errorf("%s%s: %w", prefix, PointerName, ErrNotPublished)
	}
	if err != nil {
		return nil, fmt.Errorf("%s%s: %w", prefix, PointerName, err)
	}
	var p pointer
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%s%s: %w", prefix, PointerName, err)
	}
	if p.Format != format {
		return nil, fmt.Errorf("%s%s: format %d, want %d", prefix, PointerName, p.Format, format)
	}
	if !versionPattern.MatchString(p.Version) {
		return nil, fmt.Errorf("%s%s: bad version %q", prefix, PointerName, p.Version)
	}
	return &p, nil
}
