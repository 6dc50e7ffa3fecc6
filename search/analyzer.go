package search

import (
	"hash/maphash"
	"math"
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/ru"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/russian"
)

// analyzerName names the one text analyzer of the index. bleve finds
// analyzers by name in a registry, so the analyzer registers itself when
// this package is imported: every binary that opens an index imports it.
const analyzerName = "coopdigest"

func init() {
	if err := registry.RegisterAnalyzer(analyzerName, newTextAnalyzer); err != nil {
		panic(err)
	}
}

// textAnalyzer does in one pass what bleve's unicode tokenizer, cjk_width,
// to_lower, stop_ru, stemmer_ru_snowball and cjk_bigram filters and a ё→е
// char filter do in seven, at about four times the speed, which is what
// decides how long a build takes:
//
//   - a word is a run of letters, digits and combining marks; a soft hyphen
//     inside a word is skipped, and so are combining marks (stress accents);
//   - words are folded: lower case, ё as е, full-width Latin as ASCII;
//   - Russian stop words are dropped, leaving a gap in positions, so that a
//     phrase still needs its words in order;
//   - a word with Cyrillic letters is reduced to its Snowball stem, through a
//     cache, since a corpus repeats a few hundred thousand forms millions of
//     times;
//   - a run of Han, Hiragana or Katakana characters becomes overlapping
//     bigrams (广东省 → 广东 东省), or a unigram when it is one character.
//
// Token offsets are those of the input, so highlights fall on the words as
// written.
type textAnalyzer struct {
	// stopOther holds the stop words that are not Cyrillic, if any; the
	// Cyrillic ones are in the cache of stems, marked, so that one look-up
	// tells a Russian word's stem or that it is left out.
	stopOther map[string]bool
	seed      maphash.Seed
	shards    [stemShards]stemShard
}

// stemmed is what the analyzer makes of a folded Cyrillic word: its stem,
// or nothing, for a stop word.
type stemmed struct {
	stem []byte
	stop bool
}

// stemCache is a cache of stems that one goroutine keeps in front of the
// analyzer's own, to look a word up once rather than twice and without a
// lock. Indexing, which stems millions of words, uses one per goroutine.
// It keeps a termRef of each term, which scan hands to emit with the
// tokens of Russian words, so that indexing finds what it knows of a term
// in the same look-up as the word's stem.
type stemCache struct {
	forms map[string]localStem
	terms map[string]*termRef // every form of a stem has its stem's
}

// localStem is a form in a stemCache: a stop word, or its stem's term.
type localStem struct {
	stop bool
	ref  *termRef
}

func newStemCache() *stemCache {
	return &stemCache{forms: map[string]localStem{}, terms: map[string]*termRef{}}
}

// ref returns the termRef of term, made the first time. term is copied
// unless stable, which a stem is.
func (c *stemCache) ref(term []byte, stable bool) *termRef {
	if r, ok := c.terms[string(term)]; ok {
		return r
	}
	if !stable {
		term = []byte(string(term))
	}
	r := &termRef{term: term}
	c.terms[stringOf(term)] = r
	return r
}

// stemCacheLocalMax is how many forms a stemCache keeps.
const stemCacheLocalMax = 1 << 18

const (
	stemShards   = 32
	stemCacheMax = 1 << 16 // forms per shard: two million in all, some 100 MB at most
)

type stemShard struct {
	mu sync.RWMutex
	m  map[string]stemmed
}

func newTextAnalyzer(_ map[string]any, cache *registry.Cache) (analysis.Analyzer, error) {
	stop, err := cache.TokenMapNamed(ru.StopName)
	if err != nil {
		return nil, err
	}
	a := &textAnalyzer{stopOther: map[string]bool{}, seed: maphash.MakeSeed()}
	for i := range a.shards {
		a.shards[i].m = make(map[string]stemmed)
	}
	for w := range stop {
		if isCyrillicWord(w) {
			a.shards[maphash.String(a.seed, w)%stemShards].m[w] = stemmed{stop: true}
		} else {
			a.stopOther[w] = true
		}
	}
	return a, nil
}

// isCyrillicWord reports whether scan would stem w: it has a Cyrillic
// letter.
func isCyrillicWord(w string) bool {
	for _, r := range w {
		if r >= 0x400 && r <= 0x4ff {
			return true
		}
	}
	return false
}

// Analyze splits input into folded, stemmed tokens.
func (a *textAnalyzer) Analyze(input []byte) analysis.TokenStream {
	tokens := make(analysis.TokenStream, 0, len(input)/10+1)
	slab := make([]analysis.Token, 0, cap(tokens))
	a.scan(input, nil, nil, func(t *analysis.Token, transient bool, _ *termRef) bool {
		if len(slab) == cap(slab) {
			slab = make([]analysis.Token, 0, 64)
		}
		slab = append(slab, *t)
		if transient {
			slab[len(slab)-1].Term = append([]byte(nil), t.Term...)
		}
		tokens = append(tokens, &slab[len(slab)-1])
		return true
	})
	return tokens
}

// scan splits input into tokens as Analyze does and calls emit with each,
// in order, until emit returns false. A transient token's Term is valid
// only during the call.
//
// With want, scan emits only the words that may have one of its terms: a
// word is stemmed only if a term begins it, and a word whose first letter
// begins no term is skipped unread; positions are not counted. Searches
// use it to find a few terms in a long text.
//
// local, when not nil, is the caller's cache of stems (see stemCache);
// emit then gets the termRef of the tokens of Russian words, and nil with
// the others.
func (a *textAnalyzer) scan(input []byte, want *wanted, local *stemCache, emit func(t *analysis.Token, transient bool, ref *termRef) bool) {
	var word []byte
	var t analysis.Token
	pos := 0
	for i := 0; i < len(input); {
		if want != nil && i >= want.stop {
			return
		}
		r, size := decode(input[i:])
		if want != nil && isWordRune(r) && !isIdeograph(r) && !want.first.has(fold(r)) {
			i = skipWord(input, i)
			continue
		}
		switch {
		case isIdeograph(r):
			// A run of ideographs: bigrams of neighbours, or one unigram.
			start := i
			var offs [3]int // offsets of the last two runes and the end
			n := 0
			for i < len(input) {
				r, size := decode(input[i:])
				if !isIdeograph(r) {
					break
				}
				offs[0], offs[1] = offs[1], i
				i += size
				n++
				if n >= 2 {
					pos++
					t = analysis.Token{Term: input[offs[0]:i], Start: offs[0], End: i, Position: pos, Type: analysis.Ideographic}
					if !emit(&t, false, nil) {
						return
					}
				}
			}
			if n == 1 {
				pos++
				t = analysis.Token{Term: input[start:i], Start: start, End: i, Position: pos, Type: analysis.Ideographic}
				if !emit(&t, false, nil) {
					return
				}
			}
		case isWordRune(r):
			start := i
			word = word[:0]
			cyrillic, digits := false, true
			for i < len(input) {
				// Fast paths for what most words are made of: ASCII letters
				// and digits, and the Russian alphabet, folded as fold does.
				if c := input[i]; c < utf8.RuneSelf {
					switch {
					case 'a' <= c && c <= 'z':
						word = append(word, c)
						digits = false
					case 'A' <= c && c <= 'Z':
						word = append(word, c+'a'-'A')
						digits = false
					case '0' <= c && c <= '9':
						word = append(word, c)
					default:
						goto end
					}
					i++
					continue
				} else if i+1 < len(input) {
					if f0, f1, ok := foldCyrillic(c, input[i+1]); ok {
						word = append(word, f0, f1)
						cyrillic, digits = true, false
						i += 2
						continue
					}
				}
				r, size := decode(input[i:])
				if skippedInWord(r) {
					i += size
					continue
				}
				if !isWordRune(r) || isIdeograph(r) {
					break
				}
				r = fold(r)
				cyrillic = cyrillic || (r >= 0x400 && r <= 0x4ff)
				digits = digits && r >= '0' && r <= '9'
				word = utf8.AppendRune(word, r)
				i += size
			}
		end:
			pos++
			if len(word) == 0 {
				continue
			}
			t = analysis.Token{Term: word, Start: start, End: i, Position: pos, Type: analysis.AlphaNumeric}
			transient := true
			var ref *termRef
			switch {
			case cyrillic:
				// An unwanted word is left out before it is looked up, the
				// costliest step when most words are unwanted.
				if want != nil && !want.begins(word) {
					continue
				}
				if local == nil {
					st := a.stem(word)
					if st.stop {
						continue
					}
					t.Term, transient = st.stem, false
					break
				}
				ls, ok := local.forms[string(word)]
				if !ok {
					st := a.stem(word)
					ls.stop = st.stop
					if !st.stop {
						ls.ref = local.ref(st.stem, true)
					}
					if len(local.forms) < stemCacheLocalMax {
						local.forms[string(word)] = ls
					}
				}
				if ls.stop {
					continue
				}
				t.Term, transient, ref = ls.ref.term, false, ls.ref
			case a.stopOther[string(word)]:
				continue
			case digits:
				t.Type = analysis.Numeric
			}
			if !emit(&t, transient, ref) {
				return
			}
		default:
			i += size
		}
	}
}

// wanted is what scan looks for: terms, and the first letter of each.
type wanted struct {
	terms []string
	first runeSet
	// stop is where scan stops: no token after it is wanted.
	stop int
}

// runeSet is a set of runes: a bitset for Latin and Cyrillic, which are
// most of what scan asks about, and a list for the rest.
type runeSet struct {
	low  [0x500 / 64]uint64
	rest []rune
}

func (s *runeSet) add(r rune) {
	if r >= 0 && r < 0x500 {
		s.low[r/64] |= 1 << (r % 64)
	} else if !slices.Contains(s.rest, r) {
		s.rest = append(s.rest, r)
	}
}

func (s *runeSet) has(r rune) bool {
	if r >= 0 && r < 0x500 {
		return s.low[r/64]&(1<<(r%64)) != 0
	}
	return slices.Contains(s.rest, r)
}

func newWanted(terms []string) *wanted {
	w := &wanted{terms: terms, stop: math.MaxInt}
	for _, t := range terms {
		r, _ := utf8.DecodeRuneInString(t)
		w.first.add(r)
	}
	return w
}

// begins reports whether a term begins the folded word: a Snowball stem
// is the start of the word it comes from.
func (w *wanted) begins(word []byte) bool {
	for _, t := range w.terms {
		if len(word) >= len(t) && string(word[:len(t)]) == t {
			return true
		}
	}
	return false
}

// skipWord returns the end of the word that starts at i, as scan would
// find it, reading Cyrillic and ASCII bytes without decoding them.
func skipWord(input []byte, i int) int {
	for i < len(input) {
		c := input[i]
		switch {
		case c < utf8.RuneSelf:
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
				return i
			}
			i++
		case (c == 0xd0 || c == 0xd1) && i+1 < len(input) && input[i+1]&0xc0 == 0x80:
			i += 2 // U+0400–U+047F: all letters
		default:
			r, size := decode(input[i:])
			if skippedInWord(r) {
				i += size
				continue
			}
			if !isWordRune(r) || isIdeograph(r) {
				return i
			}
			i += size
		}
	}
	return i
}

// stem returns the Snowball stem of a folded Russian word, or that it is
// a stop word. The stem is shared: callers must not change it.
func (a *textAnalyzer) stem(word []byte) stemmed {
	sh := &a.shards[maphash.Bytes(a.seed, word)%stemShards]
	sh.mu.RLock()
	s, ok := sh.m[string(word)]
	sh.mu.RUnlock()
	if ok {
		return s
	}
	env := snowballstem.NewEnv(string(word))
	russian.Stem(env)
	s = stemmed{stem: []byte(env.Current())}
	sh.mu.Lock()
	if len(sh.m) < stemCacheMax {
		sh.m[string(word)] = s
	}
	sh.mu.Unlock()
	return s
}

// decode is utf8.DecodeRune with fast paths for ASCII and for two bytes,
// which Cyrillic takes.
func decode(b []byte) (rune, int) {
	c := b[0]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	if c >= 0xc2 && c < 0xe0 && len(b) > 1 && b[1]&0xc0 == 0x80 {
		return rune(c&0x1f)<<6 | rune(b[1]&0x3f), 2
	}
	return utf8.DecodeRune(b)
}

// isWordRune reports whether r belongs to a word.
func isWordRune(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	case r >= 0x400 && r <= 0x4ff:
		return r >= 0x410 && r <= 0x44f || r == 'ё' || r == 'Ё' || unicode.IsLetter(r)
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// isIdeograph reports whether r is written without spaces between words:
// Han, Hiragana and Katakana.
func isIdeograph(r rune) bool {
	if r < 0x2e80 {
		return false
	}
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)
}

// fold maps r to the form words are compared in.
func fold(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	case r >= 'А' && r <= 'Я':
		return r + 'а' - 'А'
	case r >= 'а' && r <= 'я':
		return r
	case r == 'ё' || r == 'Ё':
		return 'е'
	case r >= 0xff01 && r <= 0xff5e: // full-width ASCII
		return fold(r - 0xfee0)
	}
	return unicode.ToLower(r)
}

// foldCyrillic folds the two bytes c, c2 of a letter of U+0400–U+047F
// (the Russian alphabet and its neighbours, all letters) in UTF-8 as fold
// does, by table: scan folds most words' letters so. ok is false for any
// other bytes.
func foldCyrillic(c, c2 byte) (f0, f1 byte, ok bool) {
	if c&^1 != 0xd0 || c2&0xc0 != 0x80 {
		return 0, 0, false
	}
	f := cyrillicFolds[(c&1)<<6|c2&0x3f]
	return byte(f >> 8), byte(f), true
}

// cyrillicFolds holds the UTF-8 of fold(r) for r in U+0400–U+047F, by
// r - 0x400.
var cyrillicFolds = func() (t [0x80]uint16) {
	for r := rune(0x400); r < 0x480; r++ {
		b := utf8.AppendRune(nil, fold(r))
		t[r-0x400] = uint16(b[0])<<8 | uint16(b[1])
	}
	return t
}()

// skippedInWord reports whether the analyzer leaves r out of a word it is
// in, joining what is either side: a soft hyphen or a combining mark (a
// stress accent, «до́ма»).
func skippedInWord(r rune) bool {
	return r == '\u00ad' || r >= 0x300 && r < 0x370 || r > 0x4ff && unicode.Is(unicode.Mn, r)
}

// foldWord folds a word as the analyzer does, without stemming.
func foldWord(w string) string {
	b := make([]byte, 0, len(w))
	for _, r := range w {
		if skippedInWord(r) {
			continue
		}
		b = utf8.AppendRune(b, fold(r))
	}
	return string(b)
}
