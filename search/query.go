package search

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/coopdigest/digest/dates"
	"github.com/coopdigest/digest/russian"
)

// knows reports whether the notes have a reader's word as written: every
// term the analyzer makes of it in some text field, or none to look for
// (a stop word). A closed index knows every word.
func (ix *Index) knows(w string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.closed || ix.knownTerms(w) >= 0
}

// knownTerms returns how many terms the analyzer makes of a reader's
// word, or -1 when one is in no text field. ix.mu must be held.
func (ix *Index) knownTerms(w string) int {
	toks := ix.analyze(clean(w))
	for _, tok := range toks {
		if ix.docFreq(string(tok.Term), textFields...) == 0 {
			return -1
		}
	}
	return len(toks)
}

// maxFuzzyTokens is how many tokens of one query may match with typos: a
// long query of made-up words must not walk the dictionary a hundred times.
const maxFuzzyTokens = 8

// compoundBoost weighs a word of several tokens as a phrase against its
// tokens anywhere: «торгово-экономическое» before «торговые … экономические».
const compoundBoost = 2

// nearBoost weighs two of the reader's words that stand together in a
// note against their matches anywhere (see planNear).
const nearBoost = 5

// variantBoost weighs a match of another form of a reader's word
// (variants) against the form typed: a rule of endings makes some stems of
// other words («посла», of «посол», finds «поселить»).
const variantBoost = 0.5

// adjectiveBoost weighs a match of an adjective of a reader's noun
// (adjectives): «Харбинская ярмарка» is about Harbin, but the city first.
const adjectiveBoost = 0.2

// fuzzyBoost weighs a match with a typo against an exact one.
const fuzzyBoost = 0.2

// plan is a reader's text as bleve queries: clauses that must all match,
// and clauses none of which may.
type plan struct {
	must, mustNot []query.Query
	// should are clauses that need not match but add to the score: a word
	// of several tokens as a phrase, words that stand together, names.
	should []query.Query
	// fuzzy holds the candidates of the plan's fuzzy queries, which the
	// marks share with the must clauses.
	fuzzy fuzzySeen
	marks []query.Query // the must clauses in snippetFields
	// terms match the reader's words and phrases, and their other forms,
	// without a typo.
	terms   []string
	typos   []misspelt   // the reader's words that match only with a typo
	ignored []string     // see Result.Ignored
	years   []int        // that the reader's words name (see orInYear)
	dates   []dates.Span // that the reader's words write (see planDate)
	regions []string     // the slugs of the regions the reader's words name
	near    [][]string   // the runs of the reader's words between dates (planNear)
	// typoMode says how far typos are looked for (fuzzyForms); listed,
	// that a word was taken as a name the notes list, without typos.
	typoMode typoMode
	listed   bool
	besides  bool // the query has phrases or alternatives besides words
	// twins are the index's (regionTwins); named and namedNot the regions
	// the query names and excludes (namedRegions), when there are twins.
	twins           map[string][]string
	named, namedNot map[string]bool
	// others: the words and phrases name more than regions, years and
	// dates, so that no region leads (regionsNamed).
	others bool

	// While the plan is made: the keys of its clauses (a repeat makes
	// none), how many more tokens may match with a typo, how many more
	// terms phrases may have (phraseTerms), and how many more alternatives
	// (maxClauses in all, as a group is one clause of many).
	seen         map[string]bool
	fuzzyLeft    int
	phraseLeft   int
	alternatives int
}

// first reports whether the clause of key is new and there is room for it
// among clauses, those of its kind.
func (p *plan) first(key string, clauses []query.Query) bool {
	if p.seen[key] || len(clauses) >= maxClauses {
		return false
	}
	p.seen[key] = true
	return true
}

// phraseTerms returns how many of its n terms a phrase may have (n, fewer,
// or none) and takes them from what is left of maxPhraseTerms. A phrase of
// one term is a word, and costs nothing.
func (p *plan) phraseTerms(n int) int {
	if n < 2 {
		return n
	}
	if k := min(n, p.phraseLeft); k >= 2 {
		p.phraseLeft -= k
		return k
	}
	return 0
}

// roomFor reports whether a phrase of n terms may have them all.
func (p *plan) roomFor(n int) bool { return n == 1 || n <= p.phraseLeft }

// ignore keeps a word or phrase of which the analyzer keeps nothing, unless
// it is punctuation, which no reader means to search for.
func (p *plan) ignore(s string) {
	word := strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
	if s = printable(s); word && !slices.Contains(p.ignored, s) {
		p.ignored = append(p.ignored, s)
	}
}

// misspelt is a reader's word that no note has, folded, its term, and the
// word meant when the plan knows it (nearName).
type misspelt struct {
	word, term, as string
}

// scored reports whether the plan has words or phrases to rank by; with
// exclusions alone it matches every other note.
func (p *plan) scored() bool { return len(p.must) > 0 }

// matched returns the terms the plan's words and phrases match: p.terms
// and the candidates of their typos.
func (p *plan) matched() map[string]bool {
	m := make(map[string]bool, len(p.terms))
	for _, t := range p.terms {
		m[t] = true
	}
	p.fuzzy.mu.Lock()
	defer p.fuzzy.mu.Unlock()
	for _, c := range p.fuzzy.m {
		for _, t := range c.terms {
			m[t] = true
		}
	}
	return m
}

// field is a text field with the weight of a match in it.
type field struct {
	name  string
	boost float64
}

// The fields queries look in. A word in the title counts most.
var (
	textFields = []field{ // what a reader's words and phrases match
		{fieldTitle, 3}, {fieldSummary, 1}, {fieldBody, 1}, {fieldPeople, 1},
		{fieldOrgs, 1}, {fieldPlaces, 1}, {fieldNames, 1},
	}
	snippetFields = []field{{fieldSummary, 1}, {fieldBody, 1}}
	// proseFields tell by a word's count whether it is a typo (fuzzyForms);
	// formFields, with people's roles, have other forms (variants): names
	// are written in one form.
	proseFields = []field{{fieldTitle, 1}, {fieldBody, 1}}
	formFields  = []field{{fieldTitle, 1}, {fieldBody, 1}, {fieldPeople, 1}}
	// listFields are the names a note lists, which are no typos; of them,
	// placeFields make adjectives (adjectives).
	listFields  = []field{{fieldPeople, 1}, {fieldOrgs, 1}, {fieldPlaces, 1}, {fieldNames, 1}}
	placeFields = []field{{fieldPlaces, 1}, {fieldNames, 1}}
	// textFields weighed for a compound word, two words together, a run
	// as a title (planNear), and another form of a name (orRussian).
	compoundFields = weighed(textFields, compoundBoost)
	nearFields     = weighed(textFields, nearBoost)
	titleFields    = []field{{fieldTitle, 3 * nearBoost}}
	nameFields     = weighed(textFields, variantBoost)
)

// weighed is fields, each weighed by times as much.
func weighed(fields []field, by float64) []field {
	fs := slices.Clone(fields)
	for i := range fs {
		fs[i].boost *= by
	}
	return fs
}

// maxClauses is how many words and phrases of a query must match, and how
// many it may exclude: those past it and repeats are ignored, so that a
// query's cost is bounded however it is written.
const maxClauses = 16

// minTitleTerms is how many terms a run of the reader's words needs to be
// looked for as a title (planNear); pairs of words find shorter ones.
const minTitleTerms = 6

// maxPhraseTerms is how many terms the phrases of a query have in all
// (quoted, excluded, and words of several tokens): a phrase reads the
// places of each term in every text field, and one of a common word fifty
// times cost a hundred words' searches. A phrase past it keeps as many of
// its first terms as are left, at least two, or is left out.
const maxPhraseTerms = 10

// plan turns a reader's text into clauses. Each token of a word must match
// in some text field; a rare word may also match with a typo (fuzzyForms).
// A phrase must match in order in one field. An excluded word of several
// tokens («Российско-Китайский») is excluded as a phrase. mode says how far
// typos are looked for.
func (ix *Index) plan(t Text, mode typoMode) *plan {
	p := &plan{seen: map[string]bool{}, fuzzyLeft: maxFuzzyTokens, phraseLeft: maxPhraseTerms, twins: ix.twins, typoMode: mode,
		besides: len(t.Phrases)+len(t.Alternatives) > 0}
	if len(ix.twins) > 0 {
		p.named, p.namedNot = ix.namedRegions(t)
	}
	ix.planWords(p, t.Words)
	for _, group := range t.Alternatives {
		ix.planEither(p, group)
	}
	for _, ph := range t.Phrases {
		ix.planPhrase(p, ph)
	}
	for _, w := range t.ExcludedWords {
		ix.planExcluded(p, dates.YearAlone(w), true)
	}
	for _, ph := range t.ExcludedPhrases {
		ix.planExcluded(p, ph, false)
	}
	if len(t.Phrases)+len(t.Alternatives)+len(t.ExcludedWords)+len(t.ExcludedPhrases) == 0 {
		ix.planNear(p) // the words stand as typed, nothing between them
	}
	if len(p.must) == 0 {
		ix.planStopNames(p)
	}
	if len(p.must) > 0 {
		p.ignored = nil // the search is of the other words
	}
	if p.others {
		p.regions = nil
	}
	return p
}

// planWords adds the clauses of words that must match. Words that name a
// place, a person, an organization or a region in another script or by an
// alias find the Russian name too.
func (ix *Index) planWords(p *plan, words []string) {
	for i, w := range words {
		words[i] = clean(w)
	}
	words = ix.withoutCity(russian.Unabbreviated(words)) // «Амурская обл.», «г. Харбин»
	words = ix.han.split(dates.YearsAlone(dates.SplitRanges(words)))
	said := dates.In(words)
	slugs, all := ix.regionsNamed(words, said)
	if !all || p.besides {
		said = slices.DeleteFunc(said, func(d dates.Date) bool { return d.Years })
	}
	p.regions, p.others = append(p.regions, slugs...), p.others || !all
	ix.planPeople(p, words)
	var dated []int // the clauses of dates
	run := 0        // the first word of the run that no date cuts
	for i := 0; i < len(words); {
		if d, ok := dates.At(said, i); ok {
			p.near = append(p.near, words[run:i])
			run = d.J
			// The words of dates past maxDates are left out, as are those
			// past maxClauses.
			if len(dated) < maxDates && ix.planDate(p, words[d.I:d.J], d.Days) {
				dated = append(dated, len(p.must)-1)
			}
			i = d.J
			continue
		}
		j, ru := ix.namedSpan(words, i)
		meant := ""
		if ru == "" {
			ru, meant = ix.nearName(words[i])
		}
		k, typos := len(p.must), len(p.typos)
		for _, w := range words[i:j] {
			ix.planWord(p, w, ru != "")
		}
		if j == i+1 && len(p.must) == k+1 {
			if alt := ix.initialOf(words, i); alt != nil {
				p.must[k] = anyOf([]query.Query{p.must[k], alt}) // «Ф.» of «Фёдор Трофимов»
			}
		}
		if ix.orRussian(p, k, ru, softless(ru, words[i:j])...) {
			if p.typoMode != typoLoose || meant != "" {
				p.typos = p.typos[:typos] // a name the notes do not write is no typo, but the last try's
			}
			if meant != "" {
				w := foldWord(words[i])
				p.typos = append(p.typos, misspelt{word: w, term: w, as: meant})
			}
		}
		p.must = ix.apartFromTwins(p, words[i:j], p.must, k, false)
		i = j
	}
	p.near = append(p.near, words[run:])
	p.eitherOf(dated)
}

// planNear adds, for each two of the reader's words that stand together
// (p.near, stop words between them aside), a should clause of them as a
// phrase: «Великий Новгород» before Нижний Новгород's notes that say
// «великий» elsewhere; of two words most notes have (rareOne), in titles
// alone, whose places are few to read. A run of minTitleTerms or more, when
// maxPhraseTerms has room for it whole, is first a phrase in titles: a
// title pasted whole finds its note before titles alike.
func (ix *Index) planNear(p *plan) {
	for _, words := range p.near {
		run := strings.Join(words, " ")
		if toks := ix.analyze(run); len(toks) >= minTitleTerms && p.roomFor(len(toks)) && p.first("\x00title "+termsKey(toks), p.should) {
			p.should = append(p.should, ix.phrase(run, titleFields, p.phraseTerms(len(toks))))
		}
		prev := -1
		for i, w := range words {
			if len(ix.analyze(w)) == 0 {
				continue
			}
			if prev >= 0 {
				text := strings.Join(words[prev:i+1], " ")
				toks := ix.analyze(text)
				if len(toks) >= 2 && !oneTerm(toks) && p.roomFor(len(toks)) && p.first("\x00near "+termsKey(toks), p.should) {
					fields := nearFields
					if !ix.rareOne(toks) {
						fields = titleFields
					}
					p.should = append(p.should, ix.phrase(text, fields, p.phraseTerms(len(toks))))
				}
			}
			prev = i
		}
	}
}

// planDate adds the clause of the words of a date (dates.In): the words,
// or the events of its days, which come first (the text alone misses
// events that do not write their dates). It reports whether it added one:
// not for a repeat, nor past maxClauses.
func (ix *Index) planDate(p *plan, words []string, days []dates.Span) bool {
	key := "\x00date"
	for _, d := range days {
		key += " " + d.From.String() + d.To.String()
	}
	if !p.first(key, p.must) {
		return false
	}
	// The date's words are its own, repeats of words before included:
	// «март 2024 и март 2025» asks for March twice.
	k, seen := len(p.must), p.seen
	p.seen = map[string]bool{}
	for _, w := range words {
		if _, digits := dates.Parse(w); !digits { // a date in digits is its days, below
			ix.planWord(p, w, true)
		}
	}
	p.seen = seen
	// Words past maxClauses match as the days alone: a date's words cut
	// short would be of any year.
	var either []query.Query
	if text := allOf(p.must[k:]); text != nil && len(p.must) <= maxClauses {
		either = append(either, text)
	}
	for _, d := range days {
		either = append(either, during(d))
	}
	p.must = append(p.must[:k], bleve.NewDisjunctionQuery(either...))
	p.dates = append(p.dates, days...)
	return true
}

// eitherOf makes the must clauses at the indices one clause that any of
// them matches: a query of several dates asks for the events of any.
func (p *plan) eitherOf(indices []int) {
	if len(indices) < 2 {
		return
	}
	var either, rest []query.Query
	for i, q := range p.must {
		if slices.Contains(indices, i) {
			either = append(either, q)
		} else {
			rest = append(rest, q)
		}
	}
	p.must = append(rest, anyOf(either))
}

// planEither adds the clause of a group of alternatives: the clauses of
// any one of them, planned apart from the others («Харбин OR Пекин
// Харбин» asks for Харбин as well). An alternative the analyzer keeps
// nothing of drops out.
func (ix *Index) planEither(p *plan, group []Alternative) {
	k, seen, regions := len(p.must), p.seen, len(p.regions)
	p.seen = map[string]bool{}
	var either []query.Query
	for _, a := range group {
		if p.alternatives >= maxClauses {
			break
		}
		p.alternatives++
		from := len(p.must)
		if a.Phrase {
			ix.planPhrase(p, a.Text)
		} else {
			ix.planWords(p, []string{a.Text})
		}
		if q := allOf(p.must[from:]); q != nil {
			either = append(either, q)
		}
	}
	p.must, p.seen = p.must[:k], seen
	if q := anyOf(either); q != nil {
		p.must = append(p.must, q)
	}
	p.regions = p.regions[:regions] // either region may match: neither leads
}

// allOf is a query that matches what every one of qs does, and anyOf one
// that matches what any does: nil for none, the one query itself for one.
// They copy qs, which may be the plan's clauses.
func allOf(qs []query.Query) query.Query { return joined(qs, bleve.NewConjunctionQuery) }

func anyOf(qs []query.Query) query.Query { return joined(qs, bleve.NewDisjunctionQuery) }

func joined[Q query.Query](qs []query.Query, join func(...query.Query) Q) query.Query {
	switch len(qs) {
	case 0:
		return nil
	case 1:
		return qs[0]
	}
	return join(slices.Clone(qs)...)
}

// planWord adds the clauses of a reader's word, cleaned: each of its
// tokens must match (planToken). named says that the word is part of a
// name (namedSpan), which is no typo.
func (ix *Index) planWord(p *plan, w string, named bool) {
	toks := ix.analyze(w)
	if len(toks) == 0 || englishStop[foldWord(w)] {
		p.ignore(w)
		return
	}
	// A word of several tokens («торгово-экономический», «Ростов-на-Дону»,
	// 广东省) needs each of them anywhere, and counts more where they
	// stand together, as written (compoundBoost).
	if len(toks) > 1 && p.first("\x00"+termsKey(toks), p.should) {
		if n := p.phraseTerms(len(toks)); n > 0 {
			p.should = append(p.should, ix.phrase(w, compoundFields, n))
		}
	}
	// «on» of «Rostov-on-Don», as the analyzer drops «на» of
	// «Ростов-на-Дону»: an English stop word between two words of letters
	// is left out, not the «be» of «Be-200» or the «off» of «off-shore».
	words := 0
	for _, tok := range toks {
		if tok.Type == analysis.AlphaNumeric && !englishStop[string(tok.Term)] && strings.ContainsFunc(string(tok.Term), unicode.IsLetter) {
			words++
		}
	}
	for _, tok := range toks {
		if words >= 2 && englishStop[string(tok.Term)] {
			continue
		}
		ix.planToken(p, w, tok, named)
	}
	if len(toks) == 1 && !named {
		ix.planListedName(p, w)
	}
}

// unabbreviated is a phrase with its short forms of the words of regions'
// names written in full, and «г.» left out (russian.Unabbreviated):
// «"Амурская обл."», «"г.Харбин"».
func unabbreviated(ph string) string {
	if !strings.ContainsAny(ph, " .") {
		return ph
	}
	return strings.Join(russian.Unabbreviated(strings.Fields(ph)), " ")
}

// englishStop are the English words a search leaves out, as the analyzer
// does Russian ones («expo in Harbin»): bleve's list (stop_en), but for
// «it», which readers type for IT.
var englishStop = func() analysis.TokenMap {
	m := analysis.NewTokenMap()
	if err := m.LoadBytes(en.EnglishStopWords); err != nil {
		panic(err) // bleve's own list
	}
	delete(m, "it")
	return m
}()

// planToken adds the clause of a token of the word w: its term, the
// stems of its other forms (variants), or else, for a rare word, its
// typos (fuzzyForms); a year's events too (orInYear).
func (ix *Index) planToken(p *plan, w string, tok *analysis.Token, named bool) {
	term := string(tok.Term)
	whole := foldWord(w[tok.Start:tok.End])
	if !p.first(term, p.must) {
		// A repeat of a misspelt word is misspelt too, maybe otherwise
		// («выстовка выстовки»).
		if slices.ContainsFunc(p.typos, func(m misspelt) bool { return m.term == term }) &&
			!slices.ContainsFunc(p.typos, func(m misspelt) bool { return m.word == whole }) {
			p.typos = append(p.typos, misspelt{word: whole, term: term})
		}
		return
	}
	// A word the notes have in another form is no typo.
	alts := ix.variants(whole, term)
	if !named && !slices.ContainsFunc(alts, func(s string) bool { return ix.docFreq(s, listFields...) > 0 }) {
		// Beside forms that are no name («Шеньяне» of «шеньян»).
		if stem, spelt := ix.otherE(whole, term); stem != "" {
			alts = append(alts, stem)
			p.typos = append(p.typos, misspelt{word: whole, term: term, as: spelt})
		}
	}
	terms := append([]string{term}, alts...)
	adjs := ix.adjectives(whole, term)
	p.terms = slices.Concat(p.terms, terms, adjs)
	var forms []typoForm
	listed := false
	// A name's word has typos only in the last try, and only if no note has
	// it: «Zhang Jingsong» is Чжан Цзинсун, whom no note names, and Zhang
	// Jinsong (Цзиньсун) one letter off.
	typos := !named || p.typoMode == typoLoose && ix.docFreq(term, textFields...) == 0
	if tok.Type == analysis.AlphaNumeric && p.fuzzyLeft > 0 && len(alts)+len(adjs) == 0 && typos {
		forms, listed = ix.fuzzyForms(term, whole, p.typoMode)
		p.listed = p.listed || listed && forms == nil
		if forms != nil {
			p.fuzzyLeft--
			if listed || ix.docFreq(term, textFields...) == 0 {
				p.typos = append(p.typos, misspelt{word: whole, term: term})
			}
		}
	}
	if year, ok := yearOf(tok); ok {
		p.years = append(p.years, year)
	}
	// A listed name's typos may be other names alone (typoForm.names):
	// «Юньжу» may be Лю Юнжу, not the «пенсию» that «Пенза» is a letter
	// from.
	p.must = append(p.must, orInYear(wordQuery(terms, adjs, forms, textFields, &p.fuzzy), tok))
	p.marks = append(p.marks, wordQuery(terms, adjs, forms, snippetFields, &p.fuzzy))
}

// planPhrase adds the clause of a phrase: its terms in order, as many as
// maxPhraseTerms leaves (see phraseTerms). A repeat, or a phrase the
// analyzer keeps nothing of, makes none.
func (ix *Index) planPhrase(p *plan, ph string) {
	ph = unabbreviated(ph)
	toks := ix.analyze(clean(ph))
	if len(toks) == 0 {
		p.ignore(ph)
		return
	}
	if !p.first(termsKey(toks), p.must) {
		return
	}
	n := p.phraseTerms(len(toks))
	if n == 0 {
		return
	}
	p.must = append(p.must, ix.phrase(ph, textFields, n))
	p.marks = append(p.marks, ix.phrase(ph, snippetFields, n))
	p.terms = append(p.terms, termsOf(toks[:n])...)
	if t := ix.Site().Taxonomies.Regions.Lookup(clean(ph)); t != nil {
		p.regions = append(p.regions, t.Slug)
	} else {
		p.others = true
	}
	ix.orRussian(p, len(p.must)-1, ix.nameOf(clean(ph)))
}

// planExcluded adds the clause of an excluded word or phrase: the notes
// that have it, as a phrase, in any text field; for a word that is a
// date or a year, the events then too; for a region's name that is
// another's too (regionTwins), not the notes of that other region.
func (ix *Index) planExcluded(p *plan, ph string, word bool) {
	ph = unabbreviated(ph)
	cleaned := clean(ph)
	if days, ok := dates.Parse(cleaned); ok && word {
		if p.first("-\x00date "+cleaned, p.mustNot) {
			p.mustNot = append(p.mustNot, during(days))
		}
		return
	}
	k := len(p.mustNot)
	toks := ix.analyze(cleaned)
	if key := termsKey(toks); key != "" && p.first("-"+key, p.mustNot) {
		switch n := p.phraseTerms(len(toks)); {
		case n == 1 && word:
			p.mustNot = append(p.mustNot, orInYear(ix.phrase(ph, textFields, n), toks[0])) // an excluded year's events too
		case n > 0:
			p.mustNot = append(p.mustNot, ix.phrase(ph, textFields, n))
		}
		// A name in another script excludes the notes of its Russian name
		// too (see orRussian).
		ru := ix.nameOf(cleaned)
		if n := len(ix.analyze(clean(ru))); n > 0 && p.roomFor(n) {
			p.mustNot = append(p.mustNot, ix.phrase(ru, textFields, p.phraseTerms(n)))
		}
	}
	p.mustNot = ix.apartFromTwins(p, strings.Fields(cleaned), p.mustNot, k, true)
}

// oneTerm reports whether toks are all one term («выставка выставки»): no
// phrase to look for.
func oneTerm(toks analysis.TokenStream) bool {
	return !slices.ContainsFunc(toks, func(t *analysis.Token) bool { return !bytes.Equal(t.Term, toks[0].Term) })
}

// rareOne reports whether one of toks is in at most a fifth of the notes'
// titles and bodies: a phrase of two words most notes have («стороны
// обсудили») reads their places in all of them, six times a query's cost.
func (ix *Index) rareOne(toks analysis.TokenStream) bool {
	return slices.ContainsFunc(toks, func(t *analysis.Token) bool {
		return ix.docFreq(string(t.Term), proseFields...) <= int(ix.docs.Load())/5
	})
}

// termsKey is what tells phrases apart: the terms of their tokens, in
// order; "" when the analyzer keeps none. A phrase of one term is that
// term, as the word would be.
func termsKey(toks analysis.TokenStream) string { return strings.Join(termsOf(toks), " ") }

func termsOf(toks analysis.TokenStream) []string {
	terms := make([]string, 0, len(toks))
	for _, tok := range toks {
		terms = append(terms, string(tok.Term))
	}
	return terms
}

func (ix *Index) analyze(text string) analysis.TokenStream {
	return ix.analyzer.Analyze([]byte(text))
}

// wordQuery matches in any of fields the first of terms (the reader's own;
// there is always one) at full weight, the others (other forms) at
// variantBoost, adjectives at adjectiveBoost, and typos (typoForm) at
// fuzzyBoost, their first letter kept. seen, when not nil, shares their
// candidates within the search.
func wordQuery(terms, adjectives []string, typos []typoForm, fields []field, seen *fuzzySeen) query.Query {
	var alts []query.Query
	match := func(term string, boost float64) {
		for _, f := range fields {
			alts = append(alts, termQuery(term, f.name, f.boost*boost))
		}
	}
	match(terms[0], 1)
	for _, term := range terms[1:] {
		match(term, variantBoost)
	}
	for _, term := range adjectives {
		match(term, adjectiveBoost)
	}
	for _, t := range typos {
		for _, f := range fields { // each of textFields: a fuzzy field
			q := bleve.NewFuzzyQuery(t.form)
			q.SetField(f.name)
			q.SetFuzziness(t.edits)
			q.SetPrefix(1)
			q.SetBoost(f.boost * fuzzyBoost)
			alts = append(alts, &fuzzyQuery{FuzzyQuery: q, seen: seen, names: t.names, prefix: t.edits == 0})
		}
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// termQuery matches term in field at the weight boost.
func termQuery(term, field string, boost float64) *query.TermQuery {
	q := bleve.NewTermQuery(term)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

// typoMode is how far a search looks for its words' typos (fuzzyForms).
type typoMode int

const (
	// typoRare: the typos of a rare word that no note lists as a name.
	typoRare typoMode = iota
	// typoNames: of listed names too, as other names.
	typoNames
	// typoLoose, for a search that found nothing otherwise: as typoNames,
	// and for a word no note has, listed names two edits off from eight
	// letters, and names it starts, from four («Хабар»).
	typoLoose
)

// typoForm is a form of a word to look for within edits, or with none as
// a prefix; only among listed names (listFields) when names says so.
type typoForm struct {
	form  string
	edits int
	names bool
}

// fuzzyForms returns the forms of a reader's word to look for with a typo:
// its stem and the word whole, folded, as a typo may change what the
// stemmer cuts («Демешен» демеш, «Демешин» демешин); one edit, two from ten
// letters; a stem of under four letters that the notes have, as typed
// only. A word one note in a thousand has is no typo; nor, unless mode
// says otherwise, is a name a note lists, however rare («Пенза» found
// «пенсию» in 277 notes): listed reports such a name. Words of under five
// letters or over thirty get none, but for typoLoose's prefix.
func (ix *Index) fuzzyForms(term, whole string, mode typoMode) (forms []typoForm, listed bool) {
	n := utf8.RuneCountInString(whole)
	if n < 4 || n > 30 || n == 4 && mode != typoLoose {
		return nil, false
	}
	found := ix.docFreq(term, proseFields...)
	if found > max(2, int(ix.docs.Load())/1000) {
		return nil, false
	}
	if listed = ix.docFreq(term, listFields...) > 0; listed && mode == typoRare {
		return nil, true
	}
	// The last try reaches further for a word no note has: one the notes
	// have found nothing beside a filter or another word, not by a typo.
	lacks := mode == typoLoose && !listed && ix.docFreq(term, textFields...) == 0
	if n >= 5 {
		for _, f := range slices.Compact([]string{term, whole}) {
			edits, runes := 1, utf8.RuneCountInString(f)
			if runes < 4 && found > 0 {
				continue // a word the notes have, whose stem one off is half their words («магия»: маг, мар-, мат-)
			}
			if runes >= 10 {
				edits = 2
			}
			forms = append(forms, typoForm{f, edits, listed})
			if lacks && edits == 1 && runes >= 8 {
				forms = append(forms, typoForm{f, 2, true})
			}
		}
	}
	if lacks {
		forms = append(forms, typoForm{whole, 0, true})
	}
	return forms, listed
}

// variants returns the stems, other than term and found in formFields, of
// a reader's word's other forms («посла» finds «посол»): its declined forms
// (russian.Forms) and fleeting vowel (russian.FleetingVowel); of a Latin
// word, its Russian spellings (russian.Cyrillic, and palladius for pinyin:
// «Guangzhou» finds «Гуанчжоу»); of a decimal, the other sign (otherDecimal).
func (ix *Index) variants(word, term string) []string {
	spelt := slices.Concat(russian.Cyrillic(word), palladius(word))
	// One analysis of them all: the word's forms are words.
	stems := termsOf(ix.analyze(strings.Join(slices.Concat(russian.Forms(word, term), spelt), " ")))
	// A Russian spelling is the stem of its other forms, where the stemmer
	// cuts it otherwise («Муданьцзян» муданьцзя, «Муданьцзяне» муданьцзян;
	// see russian.Forms).
	for _, s := range spelt {
		stems = append(stems, foldWord(s))
	}
	stems = append(stems, russian.FleetingVowel(term)...)
	if d := otherDecimal(term); d != "" {
		stems = append(stems, d)
	}
	var out []string
	for i, s := range stems {
		// Each stem once, at its first place: a word's forms share stems.
		if s != term && !slices.Contains(stems[:i], s) && ix.docFreq(s, formFields...) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// adjectives returns the stems in formFields of a noun's adjectives
// (russian.Adjectives), for a noun no note has («побратимы»: «побратимских
// связей») or a place's name («Харбинская»); not for every word («экономика»
// is not every «торгово-экономическое»), nor a person's («Иванов» is not
// «Ивановская область»).
func (ix *Index) adjectives(word, term string) []string {
	if ix.docFreq(term, formFields...) > 0 && ix.docFreq(term, placeFields...) == 0 {
		return nil
	}
	var out []string
	for _, s := range russian.Adjectives(word, term) {
		if ix.docFreq(s, formFields...) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// otherE returns, for a word no note has, the stem and the spelling with е
// for э or the other way (russian.OtherEs) that most notes list as a name:
// «Хебей» for Хэбэй, whose typos would be other words. Not a spelling no
// note lists («Жэнь», «жена»), one the stemmer cuts to three letters or by
// more than one («мэнее», «Мэн»), nor any when one is a stop word («менее»).
func (ix *Index) otherE(word, term string) (stem, spelt string) {
	es := russian.OtherEs(word)
	if len(es) == 0 || ix.docFreq(term, formFields...) > 0 {
		return "", ""
	}
	most := 0
	for _, e := range es {
		toks := ix.analyze(e)
		if len(toks) == 0 {
			return "", "" // a stop word: the word meant
		}
		s := string(toks[0].Term)
		if n := utf8.RuneCountInString(s); len(toks) > 1 || n <= 3 || utf8.RuneCountInString(e)-n > 1 {
			continue
		}
		if n := ix.docFreq(s, listFields...); n > most {
			most, stem, spelt = n, s, e
		}
	}
	return stem, spelt
}

// otherDecimal returns a decimal number, digits with one point or comma
// between them, with the other sign: Russian texts write «3,5 тыс.», and
// readers type «3.5» as often. "" for any other term.
func otherDecimal(term string) string {
	i := strings.IndexAny(term, ".,")
	digits := func(s string) bool {
		return s != "" && strings.Trim(s, "0123456789") == ""
	}
	if i < 0 || !digits(term[:i]) || !digits(term[i+1:]) {
		return ""
	}
	return decimalSign.Replace(term)
}

var decimalSign = strings.NewReplacer(".", ",", ",", ".")

// docFreq counts the notes that have term in each of fields, added up, in
// the snapshots searched now; 0 when the index is closed. A postings count,
// as a term searcher reads it: FieldDictRange starts a goroutine per segment.
func (ix *Index) docFreq(term string, fields ...field) int {
	t := ix.acquire()
	if t == nil {
		return 0
	}
	defer t.release()
	n := 0
	for _, r := range t.readers {
		for _, f := range fields {
			tfr, err := r.TermFieldReader(context.Background(), []byte(term), f.name, false, false, false)
			if err != nil {
				continue
			}
			n += int(tfr.Count())
			tfr.Close()
		}
	}
	return n
}

// phrase returns the query of the first n terms of ph in order in any of
// fields; nil when the analyzer keeps none.
func (ix *Index) phrase(ph string, fields []field, n int) query.Query {
	ph = clean(ph)
	toks := ix.analyze(ph)
	if len(toks) > n && n > 0 && toks[n-1].End <= len(ph) {
		// The char filters keep the text's length: the places are ph's.
		ph, toks = ph[:toks[n-1].End], toks[:n]
	}
	switch len(toks) {
	case 0:
		return nil
	case 1:
		// A word alone finds its other forms, as it does unquoted.
		term, word := string(toks[0].Term), foldWord(ph[toks[0].Start:toks[0].End])
		terms := append([]string{term}, ix.variants(word, term)...)
		return wordQuery(terms, ix.adjectives(word, term), nil, fields, nil)
	}
	var alts []query.Query
	for _, f := range fields {
		q := bleve.NewMatchPhraseQuery(ph)
		q.SetField(f.name)
		q.Analyzer = analyzerName
		q.SetBoost(f.boost)
		alts = append(alts, q)
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// foldWord folds a word as the analyzer does before stemming: lower case,
// ё as е.
func foldWord(s string) string { return strings.ReplaceAll(strings.ToLower(s), "ё", "е") }
