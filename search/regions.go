package search

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/coopdigest/digest/dates"
	"github.com/coopdigest/digest/source"
)

// regionsNamed returns the slugs of the regions that runs of words, at
// most maxNameWords each, name in any script or by an alias, and whether
// every other word is a year, part of one of dates or a word the analyzer
// drops. The events of the regions of a query that names nothing else
// come first (see Index.Search), where their names alone do not tell them
// from others («Цзянси» and «Цзянсу» have one stem, and «Коми» that of
// «кому»); a query of other words too ranks by them («форум Петербург»).
func (ix *Index) regionsNamed(words []string, said []dates.Date) (slugs []string, all bool) {
	all = true
	for i := 0; i < len(words); i++ {
		named := false
		for j := min(len(words), i+maxNameWords); j > i && !named; j-- {
			if slug := ix.regionOf(words[i:j]); slug != "" {
				slugs, named = append(slugs, slug), true
				i = j - 1
			}
		}
		if !named && !dates.IsYear(words[i]) && !dates.Covers(said, i) && len(ix.analyze(words[i])) > 0 {
			all = false
		}
	}
	return slugs, all
}

// regionTwins returns, for each region whose Russian name the analyzer
// makes the same terms of as another's («Цзянси» and «Цзянсу», both
// цзянс), the slugs of those others; nil for the other regions.
func (ix *Index) regionTwins() map[string][]string {
	byTerms := map[string][]string{}
	for _, t := range entries(ix.site.Taxonomies.Regions) {
		if key := termsKey(ix.analyze(clean(t.Name.Ru))); key != "" {
			byTerms[key] = append(byTerms[key], t.Slug)
		}
	}
	twins := map[string][]string{}
	for _, slugs := range byTerms {
		for _, s := range slugs {
			if len(slugs) > 1 {
				twins[s] = slices.DeleteFunc(slices.Clone(slugs), func(o string) bool { return o == s })
			}
		}
	}
	return twins
}

// regionOf returns the slug of the region that words name together, their
// punctuation aside; "" for none.
func (ix *Index) regionOf(words []string) string {
	trimmed := make([]string, len(words))
	for i, w := range words {
		trimmed[i] = strings.Trim(w, dates.Stuck)
	}
	regions := ix.Site().Taxonomies.Regions
	text := strings.Join(trimmed, " ")
	if t := regions.Lookup(text); t != nil {
		return t.Slug
	}
	if !strings.ContainsFunc(text, isCyrillic) {
		return ""
	}
	key := termsKey(ix.analyze(clean(text)))
	if t := regions.Lookup(ix.inflected[key]); t != nil {
		return t.Slug // another form of a name or an alias (inflectedNames)
	}
	// The name in another form, no shorter than the name but a letter:
	// «Нин», a surname, is no form of «Нинся» (нин, as «-ся» is cut).
	if t := ix.regionKey[key]; t != nil && utf8.RuneCountInString(text) >= utf8.RuneCountInString(t.Name.Ru)-1 {
		return t.Slug
	}
	return ""
}

// regionKeys maps the terms of each region's Russian name to it, so that
// the name in a form the stemmer cuts alike («Пекином», «Гуандуне») is the
// region; not the terms two regions share, nor a name whose stem is two
// letters or more short of it, which other words' forms have («Нинся» нин:
// «Нина», «Нину»; «Аньхой» аньх).
func (ix *Index) regionKeys() map[string]*source.Term {
	keys, shared := map[string]*source.Term{}, map[string]bool{}
	for _, t := range ix.Site().Taxonomies.Regions.Terms {
		toks := ix.analyze(clean(t.Name.Ru))
		if len(toks) == 1 && utf8.RuneCount(toks[0].Term) < utf8.RuneCountInString(t.Name.Ru)-1 {
			continue
		}
		key := termsKey(toks)
		if _, ok := keys[key]; ok {
			shared[key] = true
		}
		keys[key] = t
	}
	for key := range shared {
		delete(keys, key)
	}
	delete(keys, "")
	return keys
}

// namedRegions returns the slugs of the regions that a reader's words,
// phrases and alternatives name, and of those it excludes: runs of up to
// maxNameWords words.
func (ix *Index) namedRegions(t Text) (named, excluded map[string]bool) {
	collect := func(texts []string) map[string]bool {
		slugs := map[string]bool{}
		for _, text := range texts {
			words := strings.Fields(text)
			for i := range words {
				for j := i + 1; j <= min(len(words), i+maxNameWords); j++ {
					if slug := ix.regionOf(words[i:j]); slug != "" {
						slugs[slug] = true
					}
				}
			}
		}
		return slugs
	}
	texts := append([]string{strings.Join(t.Words, " ")}, t.Phrases...)
	for _, group := range t.Alternatives {
		for _, a := range group {
			texts = append(texts, a.Text)
		}
	}
	return collect(texts), collect(slices.Concat(t.ExcludedWords, t.ExcludedPhrases))
}

// apartFromTwins returns clauses with those from k on, the clauses of
// words, as one that tells the region they name from its twins
// (notTwins), when the query does not name the twins as well (twinsOf);
// excluded says that the words are excluded, and their clauses any of
// which leaves a note out. Otherwise clauses as they are.
func (ix *Index) apartFromTwins(p *plan, words []string, clauses []query.Query, k int, excluded bool) []query.Query {
	slug := ix.regionOf(words)
	if slug == "" || k >= len(clauses) {
		return clauses
	}
	twins := p.twinsOf(slug, excluded)
	if twins == nil {
		return clauses
	}
	join := allOf
	if excluded {
		join = anyOf
	}
	return append(clauses[:k], notTwins(slug, twins, join(clauses[k:])))
}

// twinsOf returns the twins of the region slug (regionTwins) when the
// query names none of them as it names slug, wanted or excluded (not):
// a query that asks for both, or excludes both, cannot tell their notes
// apart; nil otherwise. «Цзянсу -Цзянси» tells them apart.
func (p *plan) twinsOf(slug string, not bool) []string {
	named := p.named
	if not {
		named = p.namedNot
	}
	twins := p.twins[slug]
	if slices.ContainsFunc(twins, func(s string) bool { return named[s] }) {
		return nil
	}
	return twins
}

// notTwins is q, the clause of words that name the region slug: the
// region's notes, and the others that q matches but those of its twins
// (regionTwins), whose names q cannot tell from its own.
func notTwins(slug string, twins []string, q query.Query) query.Query {
	b := bleve.NewBooleanQuery()
	b.AddMust(q)
	for _, s := range twins {
		b.AddMustNot(termQuery(s, fieldRegions, 1))
	}
	return bleve.NewDisjunctionQuery(termQuery(slug, fieldRegions, 1), b)
}
