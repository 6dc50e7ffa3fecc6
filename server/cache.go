package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/maypok86/otter/v2"
	"github.com/maypok86/otter/v2/stats"
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
	// body is the page as served when it differs from the file (a script
	// injected); nil to serve the file.
	body []byte
	// gzip and zstd are the compressed body; nil when the file's type is
	// not text, it is tiny, or compression does not pay, and zstd also when
	// it is not smaller than gzip.
	gzip, zstd []byte
}

// weight is the memory p holds, for the cache's budget.
func (p *prepared) weight(k fileKey) uint32 {
	return uint32(len(k.name) + len(p.etag) + len(p.body) + len(p.gzip) + len(p.zstd) + 128)
}

// maxPrepared is the largest file that is compressed and whose copies are
// kept; a larger one is sent as it is, with its hash as validator. It also
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
		p, err := s.load(ctype, f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k.name, err)
		}
		return p, nil
	}))
}

// load reads f and prepares it: its hash, the script injected into an
// HTML page, and compressed copies of text.
func (s *static) load(ctype string, f *os.File) (*prepared, error) {
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
		return &prepared{etag: etag(h.Sum(nil))}, nil
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
	h.Write(data)
	if len(data) > maxPrepared {
		// Too big to keep: hash the rest and send it as it is.
		if _, err := io.Copy(h, f); err != nil {
			return nil, err
		}
		p.etag = etag(h.Sum(nil))
		return p, nil
	}
	p.etag = etag(h.Sum(nil))
	if text && len(data) >= minCompress {
		p.gzip = worthIt(gzipBytes(data), len(data))
		// A zstd copy is kept only when it is the smaller: on pages gzip's
		// best level wins by a little, on feeds and sitemaps zstd does.
		if z := worthIt(zstdBytes(data), len(data)); z != nil && (p.gzip == nil || len(z) < len(p.gzip)) {
			p.zstd = z
		}
	}
	return p, nil
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

// worthIt returns a compressed copy if it saves at least a tenth of the
// size, nil otherwise.
func worthIt(z []byte, size int) []byte {
	if len(z) > size-size/10 {
		return nil
	}
	return bytes.Clone(z) // not the spare capacity of the encoder's buffer
}

// immutable is the Cache-Control of fingerprinted files: they never change
// under their name, so browsers keep them a year without asking.
const immutable = "public, max-age=31536000, immutable"

// cacheControl is the Cache-Control of a file served with status 200:
// fingerprinted assets are immutable; anything else, pages and feeds
// first, is revalidated on every use, so that a rebuilt site is seen at
// once.
func cacheControl(name string) string {
	if fingerprinted(path.Base(name)) {
		return immutable
	}
	return "no-cache"
}

// fingerprinted reports whether a file name carries a fingerprint of its
// content before its extension, as style.3f2a9c1b.css does: at least 8
// lowercase hexadecimal digits, between a name and the extension. At least
// one of them must be a letter, so that a date (photo.20250301.jpg) is not
// taken for a fingerprint and kept for a year after it is replaced.
func fingerprinted(base string) bool {
	ext := path.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	dot := strings.LastIndexByte(stem, '.')
	if len(ext) < 2 || dot < 1 {
		return false
	}
	fp := stem[dot+1:]
	if len(fp) < 8 {
		return false
	}
	letter := false
	for _, c := range []byte(fp) {
		switch {
		case c >= 'a' && c <= 'f':
			letter = true
		case c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return letter
}
