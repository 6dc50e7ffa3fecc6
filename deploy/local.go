package deploy

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha256"
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

	"github.com/coopdigest/digest/server"
	"github.com/coopdigest/digest/templates"
)

// immutable is the Cache-Control of an object whose name changes with its
// content.
const immutable = "public, max-age=31536000, immutable"

// DefaultPageCacheControl is the Cache-Control of objects whose content may
// change under one name: pages, feeds, the sitemap, unfingerprinted assets.
const DefaultPageCacheControl = "public, max-age=300"

// group is the step of a deploy in which a file is uploaded: each step
// finishes before the next begins, so that what a new page refers to is
// there before the page is.
type group int

const (
	groupAsset group = iota // stylesheets, scripts, images: what pages load
	groupPage               // HTML
	groupLinks              // feeds, the sitemap, robots.txt: what links to pages
	groupCount
)

// localFile is one file of OUT to publish.
type localFile struct {
	key   string // slash path under OUT
	path  string // on disk
	size  int64
	md5   [md5.Size]byte // of the file as it is in OUT
	ctype string
	cache string
	gzip  bool // gzip is tried; used when it saves bytes
	group group
}

// compressible reports whether gzip is worth trying on a file by its name:
// text. Images and fonts are compressed already.
func compressible(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".html", ".htm", ".css", ".js", ".mjs", ".xml", ".json", ".map", ".svg", ".txt", ".webmanifest", ".ics", ".csv":
		return true
	}
	return false
}

// groupOf is the step in which a file is uploaded.
func groupOf(name string) group {
	switch strings.ToLower(path.Ext(name)) {
	case ".html", ".htm":
		return groupPage
	case ".xml", ".txt":
		return groupLinks
	}
	return groupAsset
}

// walkSite lists the files of OUT to publish, without hashing them: every
// regular file (or link to one) whose path has no segment starting with ".".
func walkSite(out string, cfg *Config) ([]*localFile, error) {
	var files []*localFile
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == out {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(out, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !utf8.ValidString(key) {
			return fmt.Errorf("%s: the name is not UTF-8, which object keys must be", p)
		}
		fi, err := os.Stat(p) // follows a link
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s: not a regular file (%s)", p, fi.Mode().Type())
		}
		f := &localFile{
			key:   key,
			path:  p,
			size:  fi.Size(),
			ctype: server.ContentType(key),
			cache: cfg.PageCacheControl, // immutable, once hashFile finds a fingerprint
			gzip:  !cfg.NoGzip && compressible(key),
			group: groupOf(key),
		}
		files = append(files, f)
		return nil
	})
	return files, err
}

// hashFile sets f.md5 from the file's content, and f.cache to immutable
// when its name carries the fingerprint of that content.
func hashFile(f *localFile) error {
	r, err := os.Open(f.path)
	if err != nil {
		return err
	}
	defer r.Close()
	h := md5.New()
	var w io.Writer = h
	fp := sha256.New() // only for a name that may carry a fingerprint
	maybe := templates.MayHaveFingerprint(f.key)
	if maybe {
		w = io.MultiWriter(h, fp)
	}
	n, err := copyFile(w, r)
	if err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	f.size = n
	h.Sum(f.md5[:0])
	if maybe && templates.HasFingerprint(f.key, [sha256.Size]byte(fp.Sum(nil))) {
		f.cache = immutable
	}
	return nil
}

// gzipWriters keeps gzip writers for reuse: each holds a compressor of
// tables that a new one allocates and clears again, for every file.
var gzipWriters = sync.Pool{New: func() any {
	// The default level: the best one saves next to nothing more on pages,
	// and takes longer.
	return gzip.NewWriter(io.Discard)
}}

// copyBuffers keeps buffers for copyFile: io.Copy from a file allocates
// one for every file, and a site has many small ones.
var copyBuffers = sync.Pool{New: func() any {
	b := make([]byte, 64<<10)
	return &b
}}

// copyFile copies a file to w through a pooled buffer.
func copyFile(w io.Writer, f *os.File) (int64, error) {
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	// Hiding the file's WriteTo keeps io.CopyBuffer from going around the
	// buffer to one of its own.
	return io.CopyBuffer(w, struct{ io.Reader }{f}, *buf)
}

// errChanged means that a file changed between planning and uploading.
var errChanged = errors.New("changed while deploying; build again, then deploy")

// body reads a file and returns the bytes to store: gzipped when that is
// tried and saves bytes, with the encoding to declare.
func (f *localFile) body() (data []byte, encoding string, err error) {
	data, err = os.ReadFile(f.path)
	if err != nil {
		return nil, "", err
	}
	if md5.Sum(data) != f.md5 {
		return nil, "", fmt.Errorf("%s: %w", f.path, errChanged)
	}
	if !f.gzip {
		return data, "", nil
	}
	var buf bytes.Buffer
	buf.Grow(len(data) / 3)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	zw.Write(data) // a bytes.Buffer does not fail
	err = zw.Close()
	zw.Reset(io.Discard) // the pool keeps no buffer
	gzipWriters.Put(zw)
	if err != nil {
		return nil, "", err
	}
	if buf.Len() >= len(data) {
		return data, "", nil
	}
	return buf.Bytes(), "gzip", nil
}
