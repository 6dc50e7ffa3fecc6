package search

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
)

// Positions. The index keeps no term vectors: writing them was a fifth of
// the time a build spent on its index, and they took most of its size.
// Phrases still need to know where words are, so every shard has a
// positions file beside it, <shard>.pos, written with the shard by Build
// and appended to by Update:
//
//	file   = magic record*
//	record = 'T' uvarint(len) term         the next term number, from 1
//	       | 'D' uvarint(len) url uvarint(len) title text
//
// A document's title and text are each a list of its terms, by ascending
// number, each with where it is:
//
//	field = (uvarint(number - previous number) uvarint(len) positions)*
//
// and positions are uvarints, the first a position and each next one the
// distance from the one before. Positions run on from one element of the
// text array (summary, body, people, …) to the next with a gap of
// elementGap, wider than any phrase, so that no phrase runs across two;
// stop words leave gaps of their own, which phrases keep. Terms are
// numbered in the order the shard first meets them, so the common ones,
// met early, come first and take a byte.
//
// A search first finds the notes with every word of a phrase, from the
// postings, as before; only those notes' lists are read, and only as far
// as the phrase's terms: a microsecond or so each. A note's lists are the
// last record of its URL in the file of the shard that holds it: a
// replaced note's new lists come later.

// posMagic starts a positions file; its last byte is the format's version.
const posMagic = "coopdigest positions\n\x02"

// elementGap is the gap in positions between elements of the text: more
// than a query of 500 characters can span.
const elementGap = 1024

// posFile is the path of the positions file of a shard.
func posFile(dir, shard string) string { return filepath.Join(dir, shard+".pos") }

// posDoc is where the lists of a document are: its title's and its text's.
type posDoc struct {
	title, text []byte
}

// posDict numbers the terms of a shard. Only one goroutine adds terms (the
// shard's builder, or Update), which looks terms up without the lock;
// searches look them up with it.
type posDict struct {
	mu  sync.RWMutex
	ids map[string]uint32
}

func newPosDict() *posDict { return &posDict{ids: map[string]uint32{}} }

// posEncoder writes the lists of positions of the documents of one
// shard, term by term, as a docMaker analyses them, and numbers their
// terms.
type posEncoder struct {
	dict *posDict
	// title and text are the lists of the document being made.
	title, text []byte
	// pairs are the terms and positions of the field being made, as
	// number<<32 | position; out is where its list goes.
	pairs []uint64
	out   *[]byte
	// base is where the positions of the current element start, last the
	// position of its last token.
	base, last int
	// fresh lists the terms the document being made added to the dict,
	// in the order of their numbers.
	fresh []string
	tmp   []byte
}

func newPosEncoder(d *posDict) *posEncoder { return &posEncoder{dict: d} }

// start begins a document.
func (e *posEncoder) start() {
	e.title, e.text, e.fresh, e.out = e.title[:0], e.text[:0], e.fresh[:0], nil
}

// field begins the title (text false) or the text, whose elements are
// begun by element, and ends the field before.
func (e *posEncoder) field(text bool) {
	e.flush()
	e.out, e.base, e.last = &e.title, 0, 0
	if text {
		e.out = &e.text
	}
}

// finish ends the document's last field.
func (e *posEncoder) finish() {
	e.flush()
	e.out = nil
}

// element begins an element of the text array after the first.
func (e *posEncoder) element() {
	e.base += e.last + elementGap
	e.last = 0
}

// id returns the number of term, which it gives the next number if it is
// new to the shard.
func (e *posEncoder) id(term []byte) uint32 {
	id, ok := e.dict.ids[string(term)]
	if !ok {
		key := string(term)
		id = uint32(len(e.dict.ids) + 1)
		e.dict.mu.Lock()
		e.dict.ids[key] = id
		e.dict.mu.Unlock()
		e.fresh = append(e.fresh, key)
	}
	return id
}

// token adds a token of the term numbered id at position pos of the
// current element.
func (e *posEncoder) token(id uint32, pos int) {
	e.pairs = append(e.pairs, uint64(id)<<32|uint64(e.base+pos))
	e.last = pos
}

// flush writes the list of the field made last.
func (e *posEncoder) flush() {
	if e.out == nil {
		return
	}
	slices.Sort(e.pairs)
	b := *e.out
	prevID := uint64(0)
	for i := 0; i < len(e.pairs); {
		id := e.pairs[i] >> 32
		e.tmp = e.tmp[:0]
		prev := uint64(0)
		for ; i < len(e.pairs) && e.pairs[i]>>32 == id; i++ {
			p := e.pairs[i] & 0xffffffff
			e.tmp = binary.AppendUvarint(e.tmp, p-prev)
			prev = p
		}
		b = binary.AppendUvarint(b, id-prevID)
		b = binary.AppendUvarint(b, uint64(len(e.tmp)))
		b = append(b, e.tmp...)
		prevID = id
	}
	*e.out = b
	e.pairs = e.pairs[:0]
}

// appendRecords appends to b the records of the document made last, with
// the ID id: the terms it added to the dict, then its lists.
func (e *posEncoder) appendRecords(b []byte, id string) []byte {
	for _, t := range e.fresh {
		b = binary.AppendUvarint(append(b, 'T'), uint64(len(t)))
		b = append(b, t...)
	}
	b = binary.AppendUvarint(append(b, 'D'), uint64(len(id)))
	b = append(b, id...)
	b = binary.AppendUvarint(b, uint64(len(e.title)))
	b = append(b, e.title...)
	b = binary.AppendUvarint(b, uint64(len(e.text)))
	return append(b, e.text...)
}

// doc returns a copy of the lists of the document made last.
func (e *posEncoder) doc() posDoc {
	b := make([]byte, 0, len(e.title)+len(e.text))
	b = append(append(b, e.title...), e.text...)
	return posDoc{title: b[:len(e.title):len(e.title)], text: b[len(e.title):]}
}

// posWriter writes the positions file of a shard as it is built.
type posWriter struct {
	f   *os.File
	w   *bufio.Writer
	buf []byte
}

func createPosFile(path string) (*posWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriterSize(f, 256<<10)
	w.WriteString(posMagic)
	return &posWriter{f: f, w: w}, nil
}

// add writes the records of the document e made last.
func (pw *posWriter) add(e *posEncoder, id string) error {
	pw.buf = e.appendRecords(pw.buf[:0], id)
	_, err := pw.w.Write(pw.buf)
	return err
}

// close flushes and closes the file.
func (pw *posWriter) close() error {
	err := pw.w.Flush()
	return errors.Join(err, pw.f.Close())
}

// shardPos is the positions file of a shard as loaded: the numbers of its
// terms and, until the table takes them, the lists of its documents by URL.
type shardPos struct {
	dict *posDict
	docs map[string]posDoc
	// size is the length of the file as read: where Update appends.
	size int64
}

// parsePositions reads the records of a positions file. The terms and
// URLs it returns point into data, which must not change.
func parsePositions(path string, data []byte) (*shardPos, error) {
	bad := func(what string) error {
		return fmt.Errorf("search index %s: %w (positions: %s)", path, ErrNoIndex, what)
	}
	if len(data) < len(posMagic) || string(data[:len(posMagic)]) != posMagic {
		return nil, bad("not a positions file of this version")
	}
	sp := &shardPos{dict: newPosDict(), docs: map[string]posDoc{}, size: int64(len(data))}
	b := data[len(posMagic):]
	field := func() ([]byte, bool) {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return nil, false
		}
		f := b[k : k+int(n)]
		b = b[k+int(n):]
		return f, true
	}
	for len(b) > 0 {
		tag := b[0]
		b = b[1:]
		switch tag {
		case 'T':
			t, ok := field()
			if !ok {
				return nil, bad("a term cut short")
			}
			sp.dict.ids[stringOf(t)] = uint32(len(sp.dict.ids) + 1)
		case 'D':
			id, ok1 := field()
			title, ok2 := field()
			text, ok3 := field()
			if !ok1 || !ok2 || !ok3 {
				return nil, bad("a document cut short")
			}
			sp.docs[stringOf(id)] = posDoc{title: title, text: text}
		default:
			return nil, bad(fmt.Sprintf("a record of kind %#x", tag))
		}
	}
	return sp, nil
}

// phrasePattern is a phrase as its analysed tokens, each at its offset
// from the first one's position. A gap (a stop word) matches any token or
// none, as in bleve's phrase searcher.
type phrasePattern struct {
	terms []string // distinct, in the order the phrase has them
	slots []int32  // the term of each token, as its index in terms plus one
	offs  []int32  // each token's position after the first token's
}

// newPhrasePattern returns the pattern of the tokens of a phrase.
func newPhrasePattern(toks analysis.TokenStream) *phrasePattern {
	p := &phrasePattern{}
	for _, t := range toks {
		term := string(t.Term)
		i := slices.Index(p.terms, term)
		if i < 0 {
			i = len(p.terms)
			p.terms = append(p.terms, term)
		}
		p.slots = append(p.slots, int32(i+1))
		p.offs = append(p.offs, int32(t.Position-toks[0].Position))
	}
	return p
}

// term returns the term of the k-th token.
func (p *phrasePattern) term(k int) string { return p.terms[p.slots[k]-1] }

// ids returns the numbers of the pattern's terms in dict, or nil when the
// shard lacks one of them and so has no match.
func (p *phrasePattern) ids(dict *posDict) []uint32 {
	ids := make([]uint32, len(p.terms))
	dict.mu.RLock()
	defer dict.mu.RUnlock()
	for i, t := range p.terms {
		if ids[i] = dict.ids[t]; ids[i] == 0 {
			return nil
		}
	}
	return ids
}

// phraseScratch is the room that in needs, kept from one call to the next.
type phraseScratch struct {
	pos      []int32 // positions of the phrase's terms, one after another
	from, to []int   // of each term of the phrase in pos
	next     []int   // of each token of the phrase, into pos
}

// in reports whether the list of a field, l, has the phrase, its terms
// numbered ids. It reads the list as far as the highest of them, and the
// positions of those terms only.
func (p *phrasePattern) in(l []byte, ids []uint32, sc *phraseScratch) bool {
	sc.pos = sc.pos[:0]
	sc.from = slices.Grow(sc.from[:0], len(ids))[:len(ids)]
	sc.to = slices.Grow(sc.to[:0], len(ids))[:len(ids)]
	found := 0
	id := uint64(0)
	for found < len(ids) && len(l) > 0 {
		d, k1 := uvarint(l)
		if k1 <= 0 {
			return false
		}
		n, k2 := uvarint(l[k1:])
		if k2 <= 0 || n > uint64(len(l)-k1-k2) {
			return false
		}
		id += d
		block := l[k1+k2 : k1+k2+int(n)]
		l = l[k1+k2+int(n):]
		k := slices.Index(ids, uint32(id))
		if k < 0 {
			continue
		}
		sc.from[k] = len(sc.pos)
		pos := int32(0)
		for len(block) > 0 {
			v, m := uvarint(block)
			if m <= 0 {
				return false
			}
			block = block[m:]
			pos += int32(v)
			sc.pos = append(sc.pos, pos)
		}
		sc.to[k] = len(sc.pos)
		found++
	}
	if found < len(ids) {
		return false
	}
	// Every place of the first token, and the others at their offsets
	// from it; the places only grow, so each token's pointer only moves on.
	sc.next = slices.Grow(sc.next[:0], len(p.slots))[:len(p.slots)]
	for k, t := range p.slots {
		sc.next[k] = sc.from[t-1]
	}
	first := p.slots[0] - 1
	for _, p0 := range sc.pos[sc.from[first]:sc.to[first]] {
		ok := true
		for k := 1; k < len(p.slots) && ok; k++ {
			want, t := p0+p.offs[k], p.slots[k]-1
			j := sc.next[k]
			for j < sc.to[t] && sc.pos[j] < want {
				j++
			}
			sc.next[k] = j
			if j == sc.to[t] {
				return false // no place of this token after here
			}
			ok = sc.pos[j] == want
		}
		if ok {
			return true
		}
	}
	return false
}

// uvarint is binary.Uvarint with the one- and two-byte values, most of a
// list, read inline.
func uvarint(s []byte) (uint64, int) {
	if len(s) > 0 && s[0] < 0x80 {
		return uint64(s[0]), 1
	}
	if len(s) > 1 && s[1] < 0x80 {
		return uint64(s[0]&0x7f) | uint64(s[1])<<7, 2
	}
	return binary.Uvarint(s)
}

// ptok is a token of a text that a pattern has: where it is and which
// term of the pattern (its index in terms, from 1) it is.
type ptok struct {
	elem, pos int32
	term      int32
}

// matchPhrase calls f with the indexes in toks of the tokens of each place
// where the pattern whose terms are numbered slots matches, in order,
// until f returns false. toks are in the order of their elements and
// positions; slots[i] is the term (from 1) that offs[i] must have.
func matchPhrase(toks []ptok, slots []int32, offs []int32, f func(at []int) bool) {
	at := make([]int, len(slots))
	for i, t := range toks {
		if t.term != slots[0] {
			continue
		}
		at[0] = i
		ok := true
		j := i
		for k := 1; k < len(slots) && ok; k++ {
			want := t.pos + offs[k]
			for j < len(toks) && toks[j].elem == t.elem && toks[j].pos < want {
				j++
			}
			ok = j < len(toks) && toks[j].elem == t.elem && toks[j].pos == want && toks[j].term == slots[k]
			at[k] = j
		}
		if ok && !f(at) {
			return
		}
	}
}
