package server

import (
	"bytes"
	"hash/maphash"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/maypok86/otter/v2"
	"github.com/maypok86/otter/v2/stats"
)

// answers compresses the answers of a handler made per request, the
// search's, and keeps the compressed copy of each answer by its bytes: the
// search answers the same question from its own cache, and compressing that
// answer again on every request, as gzhttp does, served a cached answer at
// a fraction of the rate uncompressed (BenchmarkSearchAnswer).
type answers struct {
	next http.Handler
	*answerCopies
}

// answerCopies are the compressed copies of answers, kept by the hash of
// the body, for the handlers that share them.
type answerCopies struct {
	cache *otter.Cache[uint64, *answer]
	seed  maphash.Seed
}

// answer is an answer's body and its compressed copies, each made when
// first asked for.
type answer struct {
	body []byte
	mu   sync.Mutex
	gzip []byte
	zstd []byte
}

// maxAnswer is the largest answer that is compressed; a larger one, or
// one that is flushed as it is written, is sent as it is.
const maxAnswer = 1 << 20

// newAnswerCopies returns copies of answers kept within a memory budget;
// rec counts their lookups, or is nil.
func newAnswerCopies(budget int64, rec stats.Recorder) *answerCopies {
	return &answerCopies{
		cache: otter.Must(&otter.Options[uint64, *answer]{
			MaximumWeight: uint64(max(budget, 1)),
			Weigher: func(_ uint64, a *answer) uint32 {
				// Weighed when stored, with the copy being made.
				return uint32(2*len(a.body) + 64)
			},
			StatsRecorder: rec,
		}),
		seed: maphash.MakeSeed(),
	}
}

// compress returns next with its answers compressed as the client accepts
// when they are text and not tiny, from the copies kept.
func (c *answerCopies) compress(next http.Handler) *answers {
	return &answers{next: next, answerCopies: c}
}

// compressAnswers is next compressed with copies of its own.
func compressAnswers(next http.Handler, budget int64) *answers {
	return newAnswerCopies(budget, nil).compress(next)
}

var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (a *answers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	buf := bodies.Get().(*bytes.Buffer)
	buf.Reset()
	bw := &bufferedWriter{ResponseWriter: w, buf: buf}
	a.next.ServeHTTP(bw, r)
	if !bw.passing {
		a.send(w, r, bw.code, buf.Bytes())
	}
	if buf.Cap() <= maxAnswer {
		bodies.Put(buf)
	}
}

// send writes a whole answer, compressed if it is worth it.
func (a *answers) send(w http.ResponseWriter, r *http.Request, code int, body []byte) {
	if code == 0 {
		code = http.StatusOK
	}
	h := w.Header()
	if !bodyAllowed(code) || h.Get("Content-Encoding") != "" || !compressible(h.Get("Content-Type")) || len(body) < minCompress {
		sendAsIs(w, r, code, body)
		return
	}
	h.Add("Vary", "Accept-Encoding")
	c := negotiate(r.Header.Values("Accept-Encoding"), true, true)
	if c == identity {
		sendAsIs(w, r, code, body)
		return
	}
	// A HEAD gets the headers a GET would (RFC 9110, 9.3.2), of the
	// compressed copy, which the answers' cache keeps for the GET.
	z, name := a.compressed(body, c)
	h.Set("Content-Encoding", name)
	h.Set("Content-Length", strconv.Itoa(len(z)))
	h.Del("Accept-Ranges")
	if tag := h.Get("ETag"); strings.HasSuffix(tag, `"`) {
		h.Set("ETag", etagOf(tag, name))
	}
	w.WriteHeader(code)
	w.Write(z)
}

// compressed returns body compressed by c, from the copies kept when it
// was sent before, and the name of the coding.
func (a *answerCopies) compressed(body []byte, c coding) ([]byte, string) {
	key := maphash.Bytes(a.seed, body)
	ans, ok := a.cache.GetIfPresent(key)
	if !ok || !bytes.Equal(ans.body, body) {
		ans = &answer{body: bytes.Clone(body)}
		a.cache.Set(key, ans)
	}
	ans.mu.Lock()
	defer ans.mu.Unlock()
	if c == codingZstd {
		if ans.zstd == nil {
			ans.zstd = answerZstd().EncodeAll(body, make([]byte, 0, len(body)/3))
		}
		return ans.zstd, "zstd"
	}
	if ans.gzip == nil {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.DefaultCompression)
		zw.Write(body)
		zw.Close()
		ans.gzip = b.Bytes()
	}
	return ans.gzip, "gzip"
}

// sendAsIs writes a whole answer as it is, with its length: net/http
// would send one of more than a few kilobytes in chunks, for want of it.
func sendAsIs(w http.ResponseWriter, r *http.Request, code int, body []byte) {
	h := w.Header()
	if bodyAllowed(code) && h.Get("Content-Length") == "" && (len(body) > 0 || r.Method != http.MethodHead) {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(code)
	w.Write(body)
}

// answerZstd compresses answers at zstd's default level: an answer that is
// asked for once pays for its copy, so the level is not the slowest.
var answerZstd = sync.OnceValue(func() *zstd.Encoder {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	if err != nil {
		panic(err) // only for options that are invalid, and these are fixed
	}
	return enc
})

// bodyAllowed reports whether a response of status code has a body.
func bodyAllowed(code int) bool {
	return code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified
}

// bufferedWriter holds an answer until the handler returns, so that it can
// be compressed whole; past maxAnswer bytes, or when the handler flushes,
// it passes everything on as it is.
type bufferedWriter struct {
	http.ResponseWriter
	buf     *bytes.Buffer
	code    int  // the status, once set
	passing bool // headers sent: writes go straight through
}

func (w *bufferedWriter) WriteHeader(code int) {
	switch {
	case w.passing:
		w.ResponseWriter.WriteHeader(code)
	case code < 200:
		w.ResponseWriter.WriteHeader(code) // informational: sent at once
	case w.code == 0:
		w.code = code
	}
}

func (w *bufferedWriter) Write(b []byte) (int, error) {
	if w.passing {
		return w.ResponseWriter.Write(b)
	}
	if w.code == 0 {
		w.code = http.StatusOK
	}
	if w.buf.Len()+len(b) <= maxAnswer {
		return w.buf.Write(b)
	}
	if err := w.pass(); err != nil {
		return 0, err
	}
	return w.ResponseWriter.Write(b)
}

// pass sends the status and what was held, and lets everything after go
// straight through.
func (w *bufferedWriter) pass() error {
	if w.passing {
		return nil
	}
	w.passing = true
	if w.code != 0 {
		w.ResponseWriter.WriteHeader(w.code)
	}
	_, err := w.ResponseWriter.Write(w.buf.Bytes())
	return err
}

// FlushError sends what was held and flushes it: an answer that is
// flushed is streamed, not compressed.
func (w *bufferedWriter) FlushError() error {
	if err := w.pass(); err != nil {
		return err
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *bufferedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush is FlushError for http.Flusher.
func (w *bufferedWriter) Flush() { w.FlushError() }
