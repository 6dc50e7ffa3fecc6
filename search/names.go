package search

import (
	"context"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/coopdigest/digest/russian"
	"github.com/coopdigest/digest/source"
)

// markNames marks, in the snippets of hits that mark nothing, the names
// (people, places, organizations, regions, sectors, kinds) as the notes
// write them where the reader's words matched another spelling (latinOf,
// a registry's English or Chinese name, an alias): «Fyodor Lazarev» finds
// «Фёдор Лазарев» by the people field, which no snippet shows, and the
// snippet marks «Фёдора Лазарева» in the body. docs are the hits' stored
// documents; a search of those notes for the names finds the places.
func (ix *Index) markNames(ctx context.Context, t *table, hits []Hit, docs []index.Document, p *plan) error {
	var check *nameCheck
	var rows []int32      // of the hits to mark
	at := map[int32]int{} // row → hit
	own := make([]map[string]bool, len(hits))
	marks := map[int][]query.Query{} // by shard
	type shardTerm struct {
		shard int
		term  string
	}
	marked := map[shardTerm]bool{}
	named := map[string][][]string{} // nameTerms, by name
	for i := range hits {
		if docs[i] == nil || strings.Contains(hits[i].Snippet, "<mark>") {
			continue
		}
		if check == nil {
			if check = p.nameCheck(ix); check == nil {
				return nil
			}
		}
		var words [][]string // the terms of the hit's names' words
		for _, name := range ix.spokenNames(docs[i], check) {
			if _, ok := named[name]; !ok {
				named[name] = ix.nameTerms(name)
			}
			words = append(words, named[name]...)
		}
		if len(words) == 0 {
			continue
		}
		s := t.shard[hits[i].row]
		rows = append(rows, hits[i].row)
		at[hits[i].row] = i
		own[i] = map[string]bool{}
		for _, terms := range words {
			for _, term := range terms {
				own[i][term] = true
			}
			if k := (shardTerm{s, terms[0]}); !marked[k] {
				marked[k] = true
				marks[s] = append(marks[s], wordQuery(terms, nil, nil, snippetFields, nil))
			}
		}
	}
	return ix.locate(ctx, t, rows, func(s int) []query.Query { return marks[s] },
		func(row int32, locs bsearch.FieldTermLocationMap) error {
			i, ok := at[row]
			if !ok {
				return nil
			}
			// Only a note's own names: another hit's may be in its text too.
			for _, f := range snippetFields {
				maps.DeleteFunc(locs[f.name], func(term string, _ bsearch.Locations) bool { return !own[i][term] })
			}
			hits[i].Snippet = snippetOf(docs[i], hits[i].Summary, locs)
			return nil
		})
}

// maxNamesTried is how many of a hit's people, places and organizations
// spokenNames tries: a note may list a few hundred.
const maxNamesTried = 256

// spokenNames returns the names of doc, a note's stored document, as the
// note writes them, of which another spelling the index holds (FromNote)
// has a term the search matched.
func (ix *Index) spokenNames(doc index.Document, check *nameCheck) []string {
	var out []string
	add := func(what, name string, spellings func() []string) {
		if !slices.Contains(out, name) && check.has(what+"\x00"+name, spellings) {
			out = append(out, name)
		}
	}
	addTerm := func(what string, reg *source.Taxonomy, slug string) {
		if t := reg.Get(slug); t != nil {
			add(what, t.Name.Ru, func() []string { return t.Names() })
		}
	}
	tax := &ix.Site().Taxonomies
	tried := 0
	doc.VisitFields(func(f index.Field) {
		field, text := f.Name(), textOf(f)
		switch field {
		case fieldPeople, fieldPlaces, fieldOrgs:
			// The note's own names, in Russian letters; the field's other
			// spellings of them follow.
			if tried >= maxNamesTried || !strings.ContainsFunc(text, isCyrillic) {
				return
			}
			tried++
			name := text
			if field == fieldPeople {
				name, _, _ = strings.Cut(text, ", ") // "name, role"
			}
			// What a Latin spelling spells: an organization's own name.
			spelt := name
			if field == fieldOrgs {
				if own, ok := ownName(name); ok {
					spelt = own
				}
			}
			if check.latin {
				add("latin "+field, spelt, func() []string { return latinOf(field, name) })
			}
			add(field, name, func() []string { return registeredNames(field, name, tax) })
		case fieldRegions:
			addTerm(field, tax.Regions, text)
		case fieldSectors:
			addTerm(field, tax.Sectors, text)
		case fieldKind:
			addTerm(field, tax.Kinds, text)
		}
	})
	return out
}

// nameCheck tells whether another spelling of a name has a term the
// search matched, and keeps the answer by name: hits share regions.
type nameCheck struct {
	ix      *Index
	matched map[string]bool
	latin   bool // a term has Latin letters: else Latin spellings are not made
	known   map[string]bool
}

// nameCheck returns the plan's nameCheck, or nil when it matches no term.
func (p *plan) nameCheck(ix *Index) *nameCheck {
	matched := p.matched()
	if len(matched) == 0 {
		return nil
	}
	c := &nameCheck{ix: ix, matched: matched, known: map[string]bool{}}
	for term := range matched {
		c.latin = c.latin || hasLatin(term)
	}
	return c
}

// has reports whether any of the spellings that spellings returns has a
// term the search matched; spellings is called the first time of key only.
func (c *nameCheck) has(key string, spellings func() []string) bool {
	v, ok := c.known[key]
	if !ok {
		v = slices.ContainsFunc(spellings(), func(s string) bool {
			// A term is in the text it is of, folded: only a text that
			// has one is analysed.
			s = clean(s)
			folded := foldWord(s)
			for term := range c.matched {
				if strings.Contains(folded, term) {
					return slices.ContainsFunc(c.ix.analyze(s), func(tok *analysis.Token) bool { return c.matched[string(tok.Term)] })
				}
			}
			return false
		})
		c.known[key] = v
	}
	return v
}

// nameTerms returns the terms of a name's words, each with its other
// forms' stems, as the text declines it; not a word of two letters («Ма» is
// the stem of «мая»), nor the forms of one of three or in Latin letters.
func (ix *Index) nameTerms(name string) [][]string {
	var ts [][]string
	cleaned := clean(name)
	for _, tok := range ix.analyze(cleaned) {
		if tok.Start > tok.End || tok.End > len(cleaned) {
			continue // the char filters keep the text's length: cannot be
		}
		word := foldWord(cleaned[tok.Start:tok.End])
		n := utf8.RuneCountInString(word)
		if n < 3 {
			continue
		}
		terms := []string{string(tok.Term)}
		// A name in Latin letters is written so in the text, in no other
		// form, nor in Russian letters (which variants gives it).
		if n > 3 && !hasLatin(word) {
			terms = append(terms, ix.variants(word, terms[0])...)
		}
		ts = append(ts, terms)
	}
	return ts
}

// hasLatin reports whether a folded word or term has a Latin letter, as
// the Latin spellings of names do.
func hasLatin(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return 'a' <= r && r <= 'z' })
}

// planPeople adds, for two of the reader's words that are a Chinese
// person's name, a should clause of the name in pinyin in the people field
// (latinOf): the analyzer drops a syllable of «Цзя Ли» or «У Тинган» as a
// Russian stop word, and «Jia Li» as words matches «цзя» and anything.
func (ix *Index) planPeople(p *plan, words []string) {
	for i := 0; i+1 < len(words); i++ {
		name := words[i] + " " + words[i+1]
		py := russian.Pinyin(name)
		if py != "" && len(ix.analyze(name)) == 2 {
			py = "" // searched as written
		}
		if py == "" && chineseName(words[i:i+2]) != "" {
			py = foldWord(name)
		}
		if py == "" || !p.first("\x00person "+py, p.should) {
			continue
		}
		if n := p.phraseTerms(2); n > 0 {
			p.should = append(p.should, ix.phrase(py, []field{{fieldPeople, personBoost}}, n))
		}
		i++ // the name's second word is no first word of another
	}
}

// personBoost weighs a listed person's or place's name in Latin letters
// (planPeople, planListedName) against the reader's words elsewhere.
const personBoost = 5

// planListedName adds, for a word that is a name some note lists, as the
// people or places field spells it in Latin letters («Мария» mariya, «Лю»
// liu), a should clause of it there: its stem does not tell it from others
// («Мария» «Марий Эл», «Ростов» «рост»).
func (ix *Index) planListedName(p *plan, w string) {
	qs := slices.Concat(ix.listedName(inLatin(w), fieldPeople, fieldPlaces), ix.listedName(surnamePinyin(w), fieldPeople))
	for _, q := range qs {
		if p.first("\x00listed "+q.Term+" "+q.FieldVal, p.should) {
			p.should = append(p.should, q)
		}
	}
}

// planStopNames makes, of a query of nothing but stop words, those that
// name a listed person in Latin letters or pinyin must clauses: «Ли» finds
// the notes of a Li, not every note. Beside other words it is the particle
// («есть ли»); and not a place: «он» is in «Rostov-on-Don».
func (ix *Index) planStopNames(p *plan) {
	p.ignored = slices.DeleteFunc(p.ignored, func(w string) bool {
		var qs []query.Query
		for _, q := range ix.listedName(append(inLatin(w), surnamePinyin(w)...), fieldPeople) {
			qs = append(qs, q)
			p.terms = append(p.terms, q.Term) // so that markNames marks the person's name
		}
		if len(qs) > 0 {
			p.must = append(p.must, anyOf(qs))
		}
		return len(qs) > 0
	})
}

// inLatin returns a word's spellings in Latin letters (russian.Latin), or
// the word, written so.
func inLatin(w string) []string {
	if spellings := russian.Latin(w); spellings != nil {
		return spellings
	}
	return []string{w}
}

// surnamePinyin returns the pinyin of a word of one syllable in
// Palladius's letters, a Chinese surname as it may be («Лю» liu); none of
// another word. No syllable has more than six letters.
func surnamePinyin(w string) []string {
	if utf8.RuneCountInString(w) > 6 || len(russian.Syllables(russian.Fold(w))) != 1 {
		return nil
	}
	return []string{russian.PlacePinyin(w)}
}

// listedName returns the term queries, at personBoost, of the spellings
// in Latin letters in those of fields (people, places) that a note has.
func (ix *Index) listedName(spellings []string, fields ...string) []*query.TermQuery {
	var qs []*query.TermQuery
	for _, s := range spellings {
		toks := ix.analyze(s)
		if len(toks) != 1 || toks[0].Type != analysis.AlphaNumeric || !hasLatin(s) {
			continue
		}
		term := string(toks[0].Term)
		for _, f := range fields {
			if ix.docFreq(term, field{f, 1}) > 0 && !slices.ContainsFunc(qs, func(q *query.TermQuery) bool {
				return q.Term == term && q.FieldVal == f
			}) {
				qs = append(qs, termQuery(term, f, personBoost))
			}
		}
	}
	return qs
}

// maxNameWords is how many of a reader's words in a row namedSpan tries as
// one name («Inner Mongolia Autonomous Region»).
const maxNameWords = 4

// nearName returns the Russian name of the region or place whose Latin
// name a reader's Latin word that no note has misspells (five letters or
// more, one edit, two from eight), and that name folded: «Harbim» is
// «Харбин», where typos would find only the notes that list Harbin in
// Latin letters. "" when none is that near, or two are.
func (ix *Index) nearName(w string) (ru, meant string) {
	word := foldWord(w)
	if len(word) < 5 || strings.Trim(word, "abcdefghijklmnopqrstuvwxyz") != "" || ix.docFreq(word, textFields...) > 0 {
		return "", ""
	}
	most := 1
	if len(word) >= 8 {
		most = 2
	}
	var best *source.Term
	bestD, tie := most+1, false
	tax := &ix.Site().Taxonomies
	for _, t := range entries(tax.Regions, tax.Places) {
		for _, name := range append([]string{t.Name.En}, t.Aliases...) {
			name = foldWord(name)
			if name == "" || max(len(name)-len(word), len(word)-len(name)) > most {
				continue
			}
			switch d := bsearch.LevenshteinDistance(word, name); {
			case d < bestD:
				best, bestD, meant, tie = t, d, name, false
			case d == bestD && t != best:
				tie = true
			}
		}
	}
	if best == nil || tie || best.Name.Ru == "" {
		return "", ""
	}
	return best.Name.Ru, meant
}

// namedSpan returns the end j of the longest run from words[i], at most
// maxNameWords, that names a registry's entry (russianName), or else two
// words of a Chinese name in pinyin (chineseName), and the Russian name;
// i+1 and "" for none.
func (ix *Index) namedSpan(words []string, i int) (j int, ru string) {
	for j = min(len(words), i+maxNameWords); j > i; j-- {
		if ru = ix.russianName(strings.Join(words[i:j], " ")); ru != "" {
			return j, ru
		}
	}
	if i+2 <= len(words) {
		if ru = chineseName(words[i : i+2]); ru != "" {
			return i + 2, ru
		}
	}
	return i + 1, ""
}

// hanNames are the site's names and aliases of two or more Chinese
// characters alone, and the longest one's count of them.
type hanNames struct {
	names   map[string]bool
	longest int
}

func hanNamesOf(tax *source.Taxonomies) hanNames {
	h := hanNames{names: map[string]bool{}}
	for _, t := range entries(tax.Regions, tax.Sectors, tax.Kinds, tax.Places, tax.People, tax.Organizations) {
		for _, name := range append([]string{t.Name.Zh}, t.Aliases...) {
			if n := utf8.RuneCountInString(name); n >= 2 && allHan(name) {
				h.names[name], h.longest = true, max(h.longest, n)
			}
		}
	}
	return h
}

// entries returns the terms of regs in order; a nil one (a site without
// people.yaml) has none.
func entries(regs ...*source.Taxonomy) []*source.Term {
	var ts []*source.Term
	for _, reg := range regs {
		if reg != nil {
			ts = append(ts, reg.Terms...)
		}
	}
	return ts
}

func allHan(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return !unicode.Is(unicode.Han, r) })
}

// split splits each word of Chinese characters that runs names together
// («黑龙江论坛») into the names h has and the characters between them
// («黑龙江», «论坛»), the longest first from the left: whole, it would need
// the bigram across them («江论»), which no note has.
func (h hanNames) split(words []string) []string {
	var out []string
	for _, w := range words {
		runes := []rune(w)
		if len(runes) < 3 || !allHan(w) {
			out = append(out, w)
			continue
		}
		start := len(out)
		rest := 0 // the first rune of the characters between names
		for i := 0; i < len(runes); {
			n := min(h.longest, len(runes)-i)
			for n >= 2 && !h.names[string(runes[i:i+n])] {
				n--
			}
			if n < 2 {
				i++
				continue
			}
			if rest < i {
				out = append(out, string(runes[rest:i]))
			}
			out = append(out, string(runes[i:i+n]))
			i += n
			rest = i
		}
		if rest == 0 || len(out)-start == 1 && rest == len(runes) {
			out = append(out[:start], w) // no name, or the word is one
			continue
		}
		if rest < len(runes) {
			out = append(out, string(runes[rest:]))
		}
	}
	return out
}

// chineseName returns words of pinyin, a Chinese name («Liu Yongru»), in
// Palladius's letters, fewest syllables: «лю юнжу»; "" when a word is not
// pinyin. A surname of one syllable is otherwise searched as written.
func chineseName(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		spellings := russian.Palladius(foldWord(w))
		if spellings == nil {
			return ""
		}
		out[i] = spellings[0]
	}
	return strings.Join(out, " ")
}

// softless returns ru, the chineseName of words, without its syllables'
// soft signs, as Russian texts often write it («Си Цзинпин»); none for
// another name («Шанси» so written may be a common word's stem).
func softless(ru string, words []string) []string {
	if alt := strings.ReplaceAll(ru, "нь", "н"); alt != ru && ru == chineseName(words) {
		return []string{alt}
	}
	return nil
}

// russianName returns the Russian name of the region, place, person or
// organization that has s for a name or alias in any script, when it
// analyses otherwise than s: «Харбин» for «Harbin», «哈尔滨»; or that s
// names in another form, in Cyrillic letters («Подмосковья», «Шанхая»:
// inflectedNames); "" for none. Not sectors and kinds: their names are
// common words.
func (ix *Index) russianName(s string) string {
	tax := &ix.Site().Taxonomies
	for _, reg := range []*source.Taxonomy{tax.Regions, tax.Places, tax.People, tax.Organizations} {
		t := reg.Lookup(s)
		if t != nil && t.Name.Ru != "" && termsKey(ix.analyze(clean(t.Name.Ru))) != termsKey(ix.analyze(s)) {
			return t.Name.Ru
		}
	}
	if len(ix.inflected) > 0 && strings.ContainsFunc(s, isCyrillic) {
		return ix.inflected[termsKey(ix.analyze(clean(s)))]
	}
	return ""
}

// inflectedNames maps the terms of each Cyrillic name and alias of the
// regions, places, people and organizations to the entry's Russian name,
// so that russianName finds «Подмосковья» by «Подмосковье»; not terms of
// any Russian name, or that two entries share, or that the entry's Russian
// name has («Коми», whose stem is that of «кому»).
func (ix *Index) inflectedNames() map[string]string {
	tax := &ix.Site().Taxonomies
	all := entries(tax.Regions, tax.Places, tax.People, tax.Organizations)
	ruTerms := make([][]string, len(all)) // of each entry's Russian name
	own := map[string]bool{}              // those terms, as keys
	for i, t := range all {
		ruTerms[i] = termsOf(ix.analyze(clean(t.Name.Ru)))
		own[strings.Join(ruTerms[i], " ")] = true
	}
	names := map[string]string{}
	shared := map[string]bool{}
	add := func(key, ru string) {
		if other, ok := names[key]; ok && other != ru {
			shared[key] = true
		}
		names[key] = ru
	}
	for i, t := range all {
		if t.Name.Ru == "" {
			continue
		}
		for _, name := range t.Names() {
			if !strings.ContainsFunc(name, isCyrillic) {
				continue
			}
			// A name of one word in the forms the stemmer cuts otherwise
			// («Шанхай» шанха, «Шанхая» шанх; russian.Forms).
			if word := foldWord(name); !strings.ContainsAny(word, " -") {
				for _, form := range russian.Declined(word) {
					if key := termsKey(ix.analyze(form)); key != "" && !own[key] {
						add(key, t.Name.Ru)
					}
				}
			}
			if name == t.Name.Ru {
				continue
			}
			terms := termsOf(ix.analyze(clean(name)))
			key := strings.Join(terms, " ")
			if key == "" || own[key] || !slices.ContainsFunc(terms, func(term string) bool { return !slices.Contains(ruTerms[i], term) }) {
				continue
			}
			add(key, t.Name.Ru)
		}
	}
	for key := range shared {
		delete(names, key)
	}
	return names
}

func isCyrillic(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }

// nameOf returns the Russian name of what a phrase or an excluded word
// names (russianName, or chineseName of two words); "" for none.
func (ix *Index) nameOf(s string) string {
	if ru := ix.russianName(s); ru != "" {
		return ru
	}
	if words := strings.Fields(s); len(words) == 2 {
		return chineseName(words)
	}
	return ""
}

// orRussian lets the must clauses from the kth on, of words that name ru,
// match ru (and others, its other spellings) instead, as phrases in
// nameFields: «Harbin» finds «в Харбине», not only the notes that list it.
// It reports whether they may: not for "", nor without room in
// maxPhraseTerms.
func (ix *Index) orRussian(p *plan, k int, ru string, others ...string) bool {
	toks := ix.analyze(clean(ru))
	if k >= len(p.must) || len(toks) == 0 || !p.roomFor(len(toks)) {
		return false
	}
	either := []query.Query{allOf(p.must[k:])}
	for _, name := range append([]string{ru}, others...) {
		toks := ix.analyze(clean(name))
		if len(toks) == 0 || !p.roomFor(len(toks)) {
			continue
		}
		n := p.phraseTerms(len(toks))
		either = append(either, ix.phrase(name, nameFields, n))
		p.marks = append(p.marks, ix.phrase(name, snippetFields, n))
		p.terms = append(p.terms, termsOf(toks)...)
	}
	p.must = append(p.must[:k], bleve.NewDisjunctionQuery(either...))
	return true
}

// palladius returns a pinyin word's Palladius spellings of two syllables
// or more: one alone is a Russian stem too («ма» of «мая»).
func palladius(word string) []string {
	return slices.DeleteFunc(russian.Palladius(word), func(s string) bool { return len(russian.Syllables(s)) < 2 })
}

// maxInitialNames is how many first names an initial may stand for.
const maxInitialNames = 512

// initialOf returns, for an initial («Ф.») at words[i] next to a surname,
// a query of the people whose first name starts with it right before the
// surname («Фёдор Трофимов»): notes write names in full as often as not.
// nil for another word, or a run of initials («Д.Ю. Орлов»).
func (ix *Index) initialOf(words []string, i int) query.Query {
	surname := ""
	switch {
	case !isInitial(words[i]):
		return nil
	case i+1 < len(words) && isSurname(words[i+1]) && (i == 0 || !isInitial(words[i-1])):
		surname = words[i+1]
	case i > 0 && isSurname(words[i-1]) && (i+1 == len(words) || !isInitial(words[i+1])):
		surname = words[i-1]
	default:
		return nil
	}
	toks := ix.analyze(surname)
	names := ix.namesStarting(foldWord(strings.TrimSuffix(words[i], ".")))
	if len(toks) != 1 || len(names) == 0 {
		return nil
	}
	q := query.NewMultiPhraseQuery([][]string{names, {string(toks[0].Term)}}, fieldPeople)
	q.SetBoost(personBoost)
	return q
}

// withoutCity drops a «Г.» (город, as a phone capitalises «г.») before a
// listed place that no listed person's name has (in Latin letters: the
// people field has roles, «консул в Харбине»); «Г. Иванов» is an initial.
func (ix *Index) withoutCity(words []string) []string {
	for i := 0; i+1 < len(words); i++ {
		if words[i] != "Г." {
			continue
		}
		toks := ix.analyze(clean(words[i+1]))
		if len(toks) == 1 && ix.docFreq(string(toks[0].Term), field{fieldPlaces, 1}) > 0 &&
			len(ix.listedName(inLatin(words[i+1]), fieldPeople)) == 0 {
			words = slices.Delete(words, i, i+1)
		}
	}
	return words
}

// isInitial reports whether w is a letter and its full stop.
func isInitial(w string) bool {
	r, size := utf8.DecodeRuneInString(w)
	return unicode.IsLetter(r) && w[size:] == "."
}

// isSurname reports whether w may be a surname: a capital letter, then
// small ones.
func isSurname(w string) bool {
	r, size := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r) && size < len(w) && !strings.ContainsFunc(w[size:], func(r rune) bool { return !unicode.IsLower(r) })
}

// namesStarting returns the people field's terms of two letters or more
// that start with prefix; none when there are more than maxInitialNames.
func (ix *Index) namesStarting(prefix string) []string {
	t := ix.acquire()
	if t == nil {
		return nil
	}
	defer t.release()
	var names []string
	for _, r := range t.readers {
		d, err := r.FieldDictPrefix(fieldPeople, []byte(prefix))
		if err != nil {
			return nil
		}
		for e, err := d.Next(); e != nil && err == nil; e, err = d.Next() {
			if utf8.RuneCountInString(e.Term) > 1 && !slices.Contains(names, e.Term) {
				if names = append(names, e.Term); len(names) > maxInitialNames {
					d.Close()
					return nil
				}
			}
		}
		d.Close()
	}
	return names
}
