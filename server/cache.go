package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/maypok86/otter/v2"
	"github.com/maypok86/otter/v2/stats"

	"github.com/coopdigest/digest/templates"
)

// DefaultCacheBytes is the memory Config.CacheBytes gives, when zero, to
// the compressed copies of files and answers and the files' validators.
const DefaultCacheBytes = 64 << 20

// fileKey names one version of a file: a file whose size or time of change
// differs is another key, and so is every file of a folder swapped in at
// OUT (gen counts the roots opened).
type fileKey struct {
	gen   uint64
	name  string
	size  int64
	mtime int64
}

// prepared is what a file's responses need beyond the file itself,
// computed once per version of the file.
type prepared struct {
	// etag is the strong validator of the file as served: a hash of its
	// bytes, quoted.
	etag string
	// immutable is whether the file's name carries the fingerprint of its
	// content (templates.HasFingerprint), so that it never changes under
	// that name.
	immutable bool
	// body is the page as served when it differs from the file (a script
	// injected); nil to serve the file.
	body []byte
	// gzip and zstd are the compressed body; nil when the file's type is
	// not text, it is tiny, or compression does not pay, and zstd also when
	// it is not smaller than gzip.
	gzip, zstd *encoded
}

// weight is what p holds, for the cache's budget: its memory, and an
// eighth of the temporary files of a large file's compressed copies, so
// that the budget bounds the disk they take as well.
func (p *prepared) weight(k fileKey) uint32 {
	return uint32(len(k.name) + len(p.etag) + len(p.body) + 128 + p.gzip.memory() + p.zstd.memory() +
		int((p.gzip.onDisk()+p.zstd.onDisk())/8))
}

// encoded is a compressed copy of a file: in memory, or, for a file larger
// than maxPrepared, in a temporary file of its own, which is removed from
// its folder as soon as it is made, so that nothing is left behind however
// the server ends. Such a file is closed when the copy, dropped from the
// cache, is no longer read by any request and is collected: an os.File
// closes itself then, and closing it sooner could cut a download short.
type encoded struct {
	data []byte
	file *os.File
	len  int64 // of the file's part that holds the copy
}

// reader returns a reader of the copy, for one response.
func (e *encoded) reader() io.ReadSeeker {
	if e.file != nil {
		return io.NewSectionReader(e.file, 0, e.len)
	}
	return bytes.NewReader(e.data)
}

// memory is the bytes of the copy in memory, and onDisk those in a
// temporary file; 0 for no copy.
func (e *encoded) memory() int {
	if e == nil {
		return 0
	}
	return len(e.data)
}

func (e *encoded) onDisk() int64 {
	if e == nil || e.file == nil {
		return 0
	}
	return e.len
}

// maxPrepared is the largest file whose compressed copies are kept in
// memory; a larger one's are written to temporary files as the file is
// read (see loadLarge), up to a file of the cache's budget, which the copies
// weigh a fraction of. A larger file is sent as it is. maxPrepared also
// bounds what one load holds in memory.
const maxPrepared = 4 << 20

// newFileCache returns a cache of prepared files that holds about budget
// bytes; rec counts its lookups, or is nil.
func newFileCache(budget int64, rec stats.Recorder) *otter.Cache[fileKey, *prepared] {
	return otter.Must(&otter.Options[fileKey, *prepared]{
		MaximumWeight: uint64(max(budget, 1)),
		Weigher:       func(k fileKey, p *prepared) uint32 { return p.weight(k) },
		StatsRecorder: rec,
	})
}

// prepare returns what serving the file f, of version k and type ctype,
// needs: from the cache, or read from f once for all the requests that
// ask at the same time. f's offset is left anywhere.
func (s *static) prepare(ctx context.Context, k fileKey, ctype string, f *os.File) (*prepared, error) {
	return s.files.Get(ctx, k, otter.LoaderFunc[fileKey, *prepared](func(context.Context, fileKey) (*prepared, error) {
		p, err := s.load(k, ctype, f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k.name, err)
		}
		return p, nil
	}))
}

// load reads f, the file of version k, and prepares it: its hash, the
// script injected into an HTML page, and compressed copies of text.
func (s *static) load(k fileKey, ctype string, f *os.File) (*prepared, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	inject := s.inject != "" && strings.HasPrefix(ctype, "text/html")
	text := compressible(ctype)
	h := sha256.New()
	if !inject && !text {
		if _, err := io.Copy(h, f); err != nil {
			return nil, err
		}
		p := new(prepared)
		p.hashed(k.name, h.Sum(nil), true)
		return p, nil
	}
	limit := int64(maxPrepared + 1)
	if inject {
		limit = -1 // the page must be read whole to be changed
	}
	var data []byte
	var err error
	if limit < 0 {
		data, err = io.ReadAll(f)
	} else {
		data, err = io.ReadAll(io.LimitReader(f, limit))
	}
	if err != nil {
		return nil, err
	}
	p := new(prepared)
	if inject {
		data = injectHTML(data, s.inject)
		p.body = data
	}
	if len(data) > maxPrepared {
		if err := s.loadLarge(k, p, h, data, f); err != nil {
			return nil, err
		}
		return p, nil
	}
	h.Write(data)
	p.hashed(k.name, h.Sum(nil), !inject) // a page with the script injected is no file of the build's
	if text && len(data) >= minCompress {
		if z := gzipBytes(data); worthIt(len(z), len(data)) {
			p.gzip = &encoded{data: bytes.Clone(z)} // not the spare capacity of the encoder's buffer
		}
		// A zstd copy is kept only when it is the smaller: on pages gzip's
		// best level wins by a little, on feeds and sitemaps zstd does.
		if z := zstdBytes(data); worthIt(len(z), len(data)) && (p.gzip == nil || len(z) < len(p.gzip.data)) {
			p.zstd = &encoded{data: bytes.Clone(z)}
		}
	}
	return p, nil
}

// loadLarge prepares a file larger than maxPrepared, of version k, of
// which head was read and f holds the rest: its hash, by h, and, up to a
// file of the cache's budget, compressed copies in temporary files, made as
// it is read, at faster levels than the copies kept in memory (see
// largeGzipLevel). A copy that cannot be written (a full disk) is not made,
// and the file is sent as it is; that is logged.
func (s *static) loadLarge(k fileKey, p *prepared, h hash.Hash, head []byte, f *os.File) error {
	var gz, zs *largeCopy
	if k.size <= s.budget {
		var err error
		gz, err = newLargeCopy(func(w io.Writer) (io.WriteCloser, error) { return gzip.NewWriterLevel(w, largeGzipLevel) })
		if err == nil {
			zs, err = newLargeCopy(func(w io.Writer) (io.WriteCloser, error) {
				return zstd.NewWriter(w, zstd.WithEncoderLevel(largeZstdLevel), zstd.WithEncoderConcurrency(1))
			})
		}
		if err != nil {
			s.log.Warn("compress", "file", k.name, "err", err)
		}
	}
	w := io.Writer(h)
	for _, c := range []*largeCopy{gz, zs} {
		if c != nil {
			w = io.MultiWriter(w, c)
		}
	}
	w.Write(head) // neither a hash nor a copy fails a write
	n, err := io.Copy(w, f)
	if err != nil {
		gz.drop()
		zs.drop()
		return err
	}
	size := int64(len(head)) + n
	p.hashed(k.name, h.Sum(nil), p.body == nil)
	finish := func(c *largeCopy) *encoded {
		e, err := c.finish(size)
		if err != nil {
			s.log.Warn("compress", "file", k.name, "err", err)
		}
		return e
	}
	p.gzip = finish(gz)
	if z := finish(zs); z != nil && (p.gzip == nil || z.len < p.gzip.len) {
		p.zstd = z
	} else if z != nil {
		z.file.Close()
	}
	return nil
}

// largeCopy writes a compressed copy of a large file into a temporary
// file as the file is read. Its writes never fail: the first error is kept
// for finish, and what comes after it goes nowhere.
type largeCopy struct {
	file *os.File
	enc  io.WriteCloser
	err  error
}

// newLargeCopy makes a temporary file, removed from its folder at once,
// and a compressor that writes into it.
func newLargeCopy(newEncoder func(io.Writer) (io.WriteCloser, error)) (*largeCopy, error) {
	f, err := os.CreateTemp("", "digest-serve-*")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	enc, err := newEncoder(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &largeCopy{file: f, enc: enc}, nil
}

func (c *largeCopy) Write(b []byte) (int, error) {
	if c.err == nil {
		_, c.err = c.enc.Write(b)
	}
	return len(b), nil
}

// finish ends the copy of a file of size bytes and returns it; nil when
// there is none, it could not be written, or it saves less than a tenth.
func (c *largeCopy) finish(size int64) (*encoded, error) {
	if c == nil {
		return nil, nil
	}
	if c.err == nil {
		c.err = c.enc.Close()
	}
	var n int64
	if c.err == nil {
		n, c.err = c.file.Seek(0, io.SeekCurrent)
	}
	if c.err != nil || !worthIt(n, size) {
		c.file.Close()
		return nil, c.err
	}
	return &encoded{file: c.file, len: n}, nil
}

// drop discards the copy.
func (c *largeCopy) drop() {
	if c != nil {
		c.enc.Close()
		c.file.Close()
	}
}

// hashed sets what the SHA-256 sum of the file name as served gives: its
// ETag, and whether it is immutable, which only the build's own file can
// be (asIs: served as it is, not a page with a script injected).
func (p *prepared) hashed(name string, sum []byte, asIs bool) {
	p.etag = etag(sum)
	p.immutable = asIs && templates.HasFingerprint(name, [sha256.Size]byte(sum))
}

// etag is the quoted ETag of a file's SHA-256 sum: its first half in hex
// is unique enough for versions of one file.
func etag(sum []byte) string {
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// etagOf is the ETag of a compressed copy: the file's, with the coding
// added, as gzhttp marks the search's compressed answers.
func etagOf(tag string, coding string) string {
	return tag[:len(tag)-1] + "-" + coding + `"`
}

// worthIt reports whether a compressed copy of n bytes saves at least a
// tenth of the size.
func worthIt[T int | int64](n, size T) bool {
	return n <= size-size/10
}

// immutable is the Cache-Control of fingerprinted files: they never change
// under their name, so browsers keep them a year without asking.
const immutable = "public, max-age=31536000, immutable"

// cacheControl is the Cache-Control of a file served with status 200:
// fingerprinted assets are immutable; anything else, pages and feeds
// first, is revalidated on every use, so that a rebuilt site is seen at
// once.
func (p *prepared) cacheControl() string {
	if p.immutable {
		return immutable
	}
	return "no-cache"
}
