package search

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"
)

// plan is a reader's text as the index matches it: clauses that must all
// match, and clauses none of which may. It is made once per search, from
// analysed terms, and run in rows (see rows.go); query gives it as a bleve
// query.
type plan struct {
	must, mustNot []clause
}

// clause is a word, any of whose alternatives must match, or a phrase of
// two words or more.
type clause struct {
	alts   []alt
	phrase string
	// pattern is the phrase's, analysed.
	pattern *phrasePattern
}

// alt is a term in a field, with the boost of a match.
type alt struct {
	field string
	term  string
	boost float64
}

// empty reports whether the plan asks for nothing.
func (p *plan) empty() bool { return len(p.must)+len(p.mustNot) == 0 }

// scored reports whether the plan has words or phrases to rank by; with
// exclusions alone it matches every other note.
func (p *plan) scored() bool { return len(p.must) > 0 }

// hasPhrases reports whether a clause is a phrase.
func (p *plan) hasPhrases() bool {
	for _, cs := range [][]clause{p.must, p.mustNot} {
		for _, c := range cs {
			if c.phrase != "" {
				return true
			}
		}
	}
	return false
}

// plan takes a reader's text apart into clauses; see wordAlts and phrase.
func (ix *Index) plan(v *view, t Text) *plan {
	var p plan
	fuzzy := maxFuzzyTokens
	for _, w := range t.Words {
		for _, tok := range ix.analyzer.Analyze([]byte(w)) {
			p.must = append(p.must, clause{alts: ix.wordAlts(v, w, tok, &fuzzy)})
		}
	}
	for _, ph := range t.Phrases {
		if c, ok := ix.phrase(ph); ok {
			p.must = append(p.must, c)
		}
	}
	for _, w := range t.ExcludedWords {
		// Several words written as one («Российско-Китайский») are excluded
		// together, as a phrase.
		if c, ok := ix.phrase(w); ok {
			p.mustNot = append(p.mustNot, c)
		}
	}
	for _, ph := range t.ExcludedPhrases {
		if c, ok := ix.phrase(ph); ok {
			p.mustNot = append(p.mustNot, c)
		}
	}
	return &p
}

// maxFuzzyTokens is how many tokens of one query may match with typos.
const maxFuzzyTokens = 8

// fuzzyBoost weighs a match within an edit distance against an exact one,
// so that a typo finds a note but exact matches come first.
const fuzzyBoost = 0.2

// termAlts matches an analysed term in any text field.
func termAlts(alts []alt, term string, boost float64) []alt {
	for _, f := range textFields {
		alts = append(alts, alt{f.name, term, f.boost * boost})
	}
	return alts
}

// wordAlts returns the alternatives of a token of a reader's word: the
// term in any text field, exactly or, in a word of five letters or more,
// with a typo: one edit, two from ten letters. A typo may change what the
// stemmer cuts off («Демешен» stems to «демеш»), so both the stem and the
// whole word are tried within that distance of the stems in the index. The
// first letter must be right: it keeps «мостов» from finding «гости» and
// the dictionary walk short. A word that many notes have is taken as
// written: it is no typo, and its neighbours would only slow the search
// and crowd the hits. Numbers and Chinese are matched exactly.
//
// Only the first maxFuzzyTokens tokens of a query may be looked up so, and
// only words of up to 30 letters: a 500-character query of made-up words
// must not build a thousand automata.
func (ix *Index) wordAlts(v *view, word string, tok *analysis.Token, fuzzyLeft *int) []alt {
	term := string(tok.Term)
	alts := termAlts(nil, term, 1)
	if tok.Type != analysis.AlphaNumeric {
		return alts
	}
	whole := foldWord(word[tok.Start:tok.End])
	n := utf8.RuneCountInString(whole)
	fuzziness := 0
	switch {
	case n >= 10:
		fuzziness = 2
	case n >= 5:
		fuzziness = 1
	}
	if fuzziness == 0 || n > 30 || *fuzzyLeft <= 0 || v.vocab.count(term) > max(2, v.table.Len()/1000) {
		return alts
	}
	*fuzzyLeft--
	seen := map[string]bool{term: true}
	for _, form := range []string{term, whole} {
		for _, c := range v.vocab.near(form, fuzziness) {
			if !seen[c] {
				seen[c] = true
				alts = termAlts(alts, c, fuzzyBoost)
			}
		}
	}
	return alts
}

// phrase returns the clause of the words of p in order in any text field:
// a word when the analyzer keeps one, nothing when it keeps none.
func (ix *Index) phrase(p string) (clause, bool) {
	toks := ix.analyzer.Analyze([]byte(p))
	switch len(toks) {
	case 0:
		return clause{}, false
	case 1:
		return clause{alts: termAlts(nil, string(toks[0].Term), 1)}, true
	}
	return clause{phrase: p, pattern: newPhrasePattern(toks)}, true
}

// query returns the plan as a bleve query, or nil when it is empty.
func (p *plan) query() query.Query {
	if p.empty() {
		return nil
	}
	must := make([]query.Query, 0, len(p.must)+1)
	for _, c := range p.must {
		must = append(must, c.query())
	}
	if len(must) == 0 {
		must = append(must, bleve.NewMatchAllQuery())
	}
	b := bleve.NewBooleanQuery()
	b.AddMust(must...)
	for _, c := range p.mustNot {
		b.AddMustNot(c.query())
	}
	return b
}

// query returns the clause as a bleve query: a disjunction of its
// alternatives, or of the phrase in every text field.
func (c *clause) query() query.Query {
	var qs []query.Query
	if c.phrase != "" {
		for _, f := range textFields {
			pq := bleve.NewMatchPhraseQuery(c.phrase)
			pq.SetField(f.name)
			pq.Analyzer = analyzerName
			pq.SetBoost(f.boost)
			qs = append(qs, pq)
		}
	}
	for _, a := range c.alts {
		tq := bleve.NewTermQuery(a.term)
		tq.SetField(a.field)
		tq.SetBoost(a.boost)
		qs = append(qs, tq)
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// key identifies a plan of several clauses, or one that excludes, for
// the view's cache of rows; "" for one clause, which is cached as such.
func (p *plan) key() string {
	if len(p.must) < 2 && len(p.mustNot) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\x02")
	for i := range p.must {
		b.WriteString(p.must[i].key())
		b.WriteByte(0x1e)
	}
	b.WriteString("\x03")
	for i := range p.mustNot {
		b.WriteString(p.mustNot[i].key())
		b.WriteByte(0x1e)
	}
	return b.String()
}

// key identifies the clause: its phrase, or its alternatives in order.
func (c *clause) key() string {
	if c.phrase != "" {
		return "\x01" + c.phrase
	}
	var b strings.Builder
	for _, a := range c.alts {
		b.WriteString(a.field)
		b.WriteByte(0)
		b.WriteString(a.term)
		b.WriteByte(0)
		b.WriteString(strconv.FormatFloat(a.boost, 'g', -1, 64))
		b.WriteByte(0)
	}
	return b.String()
}
