package server

import (
	"bytes"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// minCompress is the smallest body that is compressed: below it the
// saving is less than what a packet carries anyway (gzhttp's default).
const minCompress = 1024

// compressible reports whether a body of the content type ctype is worth
// compressing: text, JSON, XML (feeds, SVG) and uncompressed fonts, not
// images, archives or event streams, which must reach the reader as they
// are written.
func compressible(ctype string) bool {
	mt, _, _ := strings.Cut(ctype, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	switch {
	case mt == "text/event-stream":
		return false
	case strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "+xml"), strings.HasSuffix(mt, "+json"):
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript", "application/wasm",
		"font/ttf", "font/otf", "image/x-icon", "image/vnd.microsoft.icon", "image/bmp":
		return true
	}
	return false
}

// coding is a content coding of a response.
type coding int

const (
	identity coding = iota
	codingGzip
	codingZstd
)

// negotiate picks the coding to send of those a file has, from the values
// of a request's Accept-Encoding: the one the client weighs most, zstd when
// it weighs both alike (a file has a zstd copy only when it is the
// smaller), identity when it accepts neither. "*" stands for neither: as
// gzhttp notes, clients that send it often expect the bytes as they are.
// gzhttp negotiates the same way but does not export it.
func negotiate(accept []string, gz, zst bool) coding {
	var qg, qz float64
	for _, line := range accept {
		for part := range strings.SplitSeq(line, ",") {
			name, params, _ := strings.Cut(part, ";")
			name = strings.TrimSpace(name)
			q := 1.0
			for param := range strings.SplitSeq(params, ";") {
				param = strings.TrimSpace(param)
				if len(param) >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=' {
					v, err := strconv.ParseFloat(param[2:], 64)
					if err != nil || v < 0 {
						v = 0
					}
					q = min(v, 1)
				}
			}
			switch {
			case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
				qg = q
			case strings.EqualFold(name, "zstd"):
				qz = q
			}
		}
	}
	if !gz {
		qg = 0
	}
	if !zst {
		qz = 0
	}
	switch {
	case qz > 0 && qz >= qg:
		return codingZstd
	case qg > 0:
		return codingGzip
	}
	return identity
}

// The levels of the files' compressed copies, made once per version of a
// file and then sent many times: the smallest output of each.
const (
	gzipLevel = gzip.BestCompression
	zstdLevel = zstd.SpeedBestCompression
)

// The levels of a large file's compressed copies (see maxPrepared), made
// as its first request waits, once per version: gzip's default and zstd's
// default are many times faster than their best, for a copy a few percent
// larger.
const (
	largeGzipLevel = gzip.DefaultCompression
	largeZstdLevel = zstd.SpeedDefault
)

var (
	gzipWriters = sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, gzipLevel)
		return w
	}}
	// zstdEncoder compresses whole bodies with EncodeAll, which may be
	// called at the same time from many goroutines.
	zstdEncoder = sync.OnceValue(func() *zstd.Encoder {
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstdLevel), zstd.WithEncoderConcurrency(1))
		if err != nil {
			panic(err) // only for options that are invalid, and these are fixed
		}
		return enc
	})
)

// gzipBytes is data compressed by gzip.
func gzipBytes(data []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(data) / 3)
	w := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(w)
	w.Reset(&buf)
	w.Write(data) // a bytes.Buffer takes everything
	w.Close()
	return buf.Bytes()
}

// zstdBytes is data compressed by zstd.
func zstdBytes(data []byte) []byte {
	return zstdEncoder().EncodeAll(data, make([]byte, 0, len(data)/3))
}
