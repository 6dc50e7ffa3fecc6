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

// markNames marks, in the snippets of hits that mark nothing, the names of
// the notes' people, places, organizations, regions, sectors and kinds as
// the notes write them, where the reader's words matched another spelling
// of them: in Latin letters (latinOf), or a registry's name in English or
// Chinese, or an alias. «Fyodor Lazarev» finds the notes of «Фёдор Лазарев»
// by their people field, which no snippet shows, and «Guangdong» those of
// «провинция Гуандун» by their names field: their snippets show where the
// body names «Фёдора Лазарева» or «Гуандун». docs are the hits' stored
// documents. A search of those notes alone for the names finds their
// places, as hits finds the reader's words.
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

// maxNamesTried is how many of a hit's names of people, places and
// organizations spokenNames tries: a note may list up to a few hundred,
// and most list a few.
const maxNamesTried = 256

// spokenNames returns the names of the people, places, organizations,
// regions, sectors and kind of doc, a note's stored document, as the note
// writes them, of which another spelling that the index holds (FromNote)
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
			// The note's own names, in Russian letters; the spellings
			// the field has of them follow them. A note of hundreds of
			// names costs no more than maxNamesTried.
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

// nameCheck tells, for a search, whether another spelling of a name has a
// term the search matched. It keeps the answer by key, the name and what it
// names: the hits of a page share regions, sectors and kinds.
type nameCheck struct {
	ix      *Index
	matched map[string]bool
	// latin is whether a term has Latin letters, as a name's Latin
	// spellings do (latinOf): when none has, they are not made.
	latin bool
	known map[string]bool
}

// nameCheck returns the nameCheck of the terms the plan's words and
// phrases match, or nil when they match none.
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

// nameTerms returns the terms of the words of a name as markNames marks
// them, each with the stems of its other forms, as the text declines it;
// but not a word of two letters, whose stem is other words' too («Ма», a
// surname, is the stem of «мая»), nor the other forms of one of three,
// which has none, or of one in Latin letters.
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
// person's name, a clause that ranks first the notes that list that
// person, by the name in pinyin that the people field has too (latinOf):
// of a name in Palladius's letters one of whose syllables the analyzer
// drops as a Russian stop word («Цзя Ли», «У Тинган»), the other word is
// searched alone, which many names share; a name in pinyin («Jia Li»)
// finds the notes that write it in Russian as well (orRussian), as
// «цзя» and any word after it.
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

// personBoost weighs a match of a person's or a place's name in Latin
// letters in the people or places field against the reader's words
// elsewhere (see planPeople, planListedName).
const personBoost = 5

// planListedName adds, for a word that is a name some note lists, as the
// people or places field spells it in Latin letters (latinOf: «Мария»
// mariya or maria, «Ростов» rostov; «Maria» itself; a Chinese surname in
// pinyin, «Лю» liu, which the stemmer cuts as «Люй»), a clause that ranks
// first the notes that list such a person or place: the stem the word
// shares with others («Мария» with «Марий Эл», «Елена» with «ел», «Ростов»
// with «рост») does not tell them apart.
func (ix *Index) planListedName(p *plan, w string) {
	qs := slices.Concat(ix.listedName(inLatin(w), fieldPeople, fieldPlaces), ix.listedName(surnamePinyin(w), fieldPeople))
	for _, q := range qs {
		if p.first("\x00listed "+q.Term+" "+q.FieldVal, p.should) {
			p.should = append(p.should, q)
		}
	}
}

// planStopNames makes, of a query that has nothing to search for but
// words the analyzer drops, those of them that name a person the notes
// list, in Latin letters or in pinyin, clauses that must match: «Ли», the
// Russian particle and the commonest Chinese surname (李, Li), finds the
// notes that list a Li, not every note; «У» those of a Wu. Beside other
// words a stop word is the particle («есть ли»). Not a place: «он» is a
// word of «Rostov-on-Don».
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

// surnamePinyin returns, of a word of one syllable in Palladius's letters,
// a Chinese surname as it may be, its pinyin, which the people field has
// («Лю» liu, «Ян» yang, «Ли» li); none of another word. No syllable has
// more than six letters, which spares a longer word the look.
func surnamePinyin(w string) []string {
	if utf8.RuneCountInString(w) > 6 || len(russian.Syllables(russian.Fold(w))) != 1 {
		return nil
	}
	return []string{russian.PlacePinyin(w)}
}

// listedName returns the term queries, at personBoost, of a word's
// spellings in Latin letters in those of fields, the people and places
// fields, where a note lists a person or place of that name.
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
				q := bleve.NewTermQuery(term)
				q.SetField(f)
				q.SetBoost(personBoost)
				qs = append(qs, q)
			}
		}
	}
	return qs
}

// maxNameWords is how many of a reader's words in a row namedSpan tries as
// one name («Inner Mongolia Autonomous Region»).
const maxNameWords = 4

// nearName returns the Russian name of the region or place whose name in
// Latin letters a reader's word of five letters or more, which no note
// has, misspells by a letter (two in a word of eight or more), and that
// name, folded: «Harbim» is Harbin, «Харбин», where the typos of the text
// fields would find the few notes that list Harbin in Latin letters, or
// none. "" when no name is that near, or two are.
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
	for _, reg := range []*source.Taxonomy{tax.Regions, tax.Places} {
		if reg == nil {
			continue
		}
		for _, t := range reg.Terms {
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
	}
	if best == nil || tie || best.Name.Ru == "" {
		return "", ""
	}
	return best.Name.Ru, meant
}

// namedSpan returns the end j of the longest run of words from words[i],
// at most maxNameWords, that names an entry of a registry (russianName), or
// else of two words that are a Chinese name in pinyin (chineseName), and
// the name in Russian; i+1 and "" when none does.
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

// hanNames are the names and aliases of the site's registries and
// taxonomies written in Chinese characters alone, two or more, and the
// longest one's count of them.
type hanNames struct {
	names   map[string]bool
	longest int
}

// hanNamesOf collects the Chinese names of tax's registries and
// taxonomies.
func hanNamesOf(tax *source.Taxonomies) hanNames {
	h := hanNames{names: map[string]bool{}}
	for _, reg := range []*source.Taxonomy{tax.Regions, tax.Sectors, tax.Kinds, tax.Places, tax.People, tax.Organizations} {
		if reg == nil {
			continue
		}
		for _, t := range reg.Terms {
			for _, name := range append([]string{t.Name.Zh}, t.Aliases...) {
				if n := utf8.RuneCountInString(name); n >= 2 && allHan(name) {
					h.names[name], h.longest = true, max(h.longest, n)
				}
			}
		}
	}
	return h
}

func allHan(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return !unicode.Is(unicode.Han, r) })
}

// split returns words with each word of Chinese characters that runs names
// together, as Chinese readers write without spaces («黑龙江论坛»), split
// into the names h has and the characters between them («黑龙江», «论坛»),
// the longest name first from the left. Whole, such a word would need the
// bigram across two names («江论»), which no note has.
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

// chineseName returns words of pinyin, a Chinese person's name as English
// texts write it («Liu Yongru»), in Palladius's letters, as Russian texts
// write it: «лю юнжу» (the spelling of the fewest syllables); "" when a
// word is not pinyin. As a phrase, it finds a name whose surname, of one
// syllable, is otherwise searched only as written (see palladius).
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

// softless returns, of ru, the Palladius spelling of a Chinese person's
// name in pinyin words (chineseName), the spelling without the soft signs
// of its syllables, as Russian texts often write it: «Си Цзинпин» for
// Xi Jinping's «Си Цзиньпин». None of another name, or one without them:
// a place's one word so written may be a common word's stem («Шанси»).
func softless(ru string, words []string) []string {
	if alt := strings.ReplaceAll(ru, "нь", "н"); alt != ru && ru == chineseName(words) {
		return []string{alt}
	}
	return nil
}

// russianName returns the Russian name of the entry of the site's regions,
// places, people or organizations that has s for a name or an alias, in
// any script, when the index analyses it otherwise than s: «Харбин» for
// «Harbin» or «哈尔滨», «Московская область» for «Подмосковье»; "" when
// no entry has s, or s is the Russian name. Sectors and kinds are left
// out: their names and aliases are common words, which stand for more
// than the entry.
func (ix *Index) russianName(s string) string {
	tax := &ix.Site().Taxonomies
	for _, reg := range []*source.Taxonomy{tax.Regions, tax.Places, tax.People, tax.Organizations} {
		t := reg.Lookup(s)
		if t != nil && t.Name.Ru != "" && termsKey(ix.analyze(clean(t.Name.Ru))) != termsKey(ix.analyze(s)) {
			return t.Name.Ru
		}
	}
	// Another form of a name in Cyrillic letters: «Подмосковья».
	if len(ix.inflected) > 0 && strings.ContainsFunc(s, isCyrillic) {
		return ix.inflected[termsKey(ix.analyze(clean(s)))]
	}
	return ""
}

// inflectedNames maps the terms of each name and alias in Cyrillic letters
// of the site's regions, places, people and organizations to the entry's
// Russian name, when they are not the terms of any entry's Russian name:
// russianName finds «Подмосковья» by the terms of the alias «Подмосковье»,
// where the registry has the name as written. Terms that the names of two
// entries share are left out, and so are the terms of an alias that its
// Russian name has («Коми» of «Республика Коми», whose stem is that of
// «кому»): the word finds that name by itself.
func (ix *Index) inflectedNames() map[string]string {
	tax := &ix.Site().Taxonomies
	var entries []*source.Term
	for _, reg := range []*source.Taxonomy{tax.Regions, tax.Places, tax.People, tax.Organizations} {
		if reg != nil {
			entries = append(entries, reg.Terms...)
		}
	}
	ruTerms := make([][]string, len(entries)) // of each entry's Russian name
	own := map[string]bool{}                  // those terms, as keys
	for i, t := range entries {
		ruTerms[i] = termsOf(ix.analyze(clean(t.Name.Ru)))
		own[strings.Join(ruTerms[i], " ")] = true
	}
	names := map[string]string{}
	shared := map[string]bool{}
	for i, t := range entries {
		if t.Name.Ru == "" {
			continue
		}
		for _, name := range t.Names() {
			if name == t.Name.Ru || !strings.ContainsFunc(name, isCyrillic) {
				continue
			}
			terms := termsOf(ix.analyze(clean(name)))
			key := strings.Join(terms, " ")
			if key == "" || own[key] || !slices.ContainsFunc(terms, func(term string) bool { return !slices.Contains(ruTerms[i], term) }) {
				continue
			}
			if other, ok := names[key]; ok && other != t.Name.Ru {
				shared[key] = true
			}
			names[key] = t.Name.Ru
		}
	}
	for key := range shared {
		delete(names, key)
	}
	return names
}

func isCyrillic(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }

// nameOf returns the Russian name of what a phrase or an excluded word
// names: a registry's entry (russianName) or, of two words of pinyin, a
// Chinese person (chineseName); "" for none.
func (ix *Index) nameOf(s string) string {
	if ru := ix.russianName(s); ru != "" {
		return ru
	}
	if words := strings.Fields(s); len(words) == 2 {
		return chineseName(words)
	}
	return ""
}

// orRussian lets the clauses of the plan from the kth on, those of words
// that name ru, match the Russian name ru instead, in the text of every
// field, as another form of the words (nameFields): «Harbin» finds the
// notes that write «в Харбине», not only those that list it as a place.
// ru is a phrase of the query (maxPhraseTerms), and so is each of others,
// other spellings of it, where room is left for them. orRussian reports
// whether the clauses may match ru: not when it is "", or there is no room
// for it.
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

// palladius returns the spellings of a word of pinyin in Palladius's
// letters (russian.Palladius) of two syllables or more: one syllable
// alone is the stem of Russian words too («ма» of «мая», «лун» of «луна»),
// and is searched as part of a name only (chineseName).
func palladius(word string) []string {
	return slices.DeleteFunc(russian.Palladius(word), func(s string) bool { return len(russian.Syllables(s)) < 2 })
}

// maxInitialNames is how many first names an initial may stand for in the
// people field (initialOf): more, and it is only itself.
const maxInitialNames = 512

// initialOf returns, for the word at i of a reader's words, an initial
// («Ф.») next to a surname («Ф. Трофимов», «Трофимов Ф.»), a query of the
// notes that list a person whose first name starts with the initial's
// letter right before the surname («Фёдор Трофимов»): notes write a name
// in full as often as not, and a reader's initial would otherwise need
// the letter alone. nil for any other word, and for a run of initials
// («Д.Ю. Орлов»), whose other letters the full name may not show.
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

// withoutCity leaves out of words a «Г.» (город) before the name of a
// place that notes list and no person they list has in a name (by its
// spelling in Latin letters: the people field has roles too, «консул в
// Харбине»). A phone writes «г. Харбин» with a capital letter, which
// russian.Unabbreviated leaves, as «Г. Иванов» is an initial.
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

// namesStarting returns the terms of the people field of two letters or
// more that start with prefix, at most maxInitialNames, or none when there
// are more.
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
