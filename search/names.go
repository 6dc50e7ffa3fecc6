package search

import (
	"context"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

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
				marks[s] = append(marks[s], wordQuery(terms, nil, snippetFields, nil, false))
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
			add(what, t.Name.Ru, func() []string { return t.Keys()[1:] })
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
			if tried >= maxNamesTried || !strings.ContainsFunc(text, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) {
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
