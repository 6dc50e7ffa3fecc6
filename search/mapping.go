package search

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	// The components the mapping names register themselves with bleve on
	// import, as github.com/blevesearch/bleve/v2/config imports them all.
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	charregexp "github.com/blevesearch/bleve/v2/analysis/char/regexp"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/ru"
	"github.com/blevesearch/bleve/v2/analysis/token/length"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"golang.org/x/text/unicode/norm"

	"github.com/coopdigest/digest/russian"
	"github.com/coopdigest/digest/source"
)

// Field names of the index, as docs/INDEX.md documents them.
const (
	fieldTitle   = "title"
	fieldSummary = "summary"
	fieldBody    = "body"
	fieldPeople  = "people"
	fieldOrgs    = "organizations"
	fieldPlaces  = "places"
	fieldNames   = "names"
	fieldRegions = "regions"
	fieldSectors = "sectors"
	fieldKind    = "kind"
	fieldDate    = "date"
	fieldEnd     = "end"
	fieldURL     = "url"
)

// analyzerName names the text analyzer. The mapping, stored in the index,
// defines it from bleve's registered components, so any program with them
// (github.com/blevesearch/bleve/v2/config) analyses text as the build did.
const analyzerName = "digest"

// lengthFilter names the token filter that drops words of more than
// maxWordRunes letters.
const (
	lengthFilter = "digest_length"
	maxWordRunes = 100
)

// newMapping returns the index mapping of a note document. The text
// analyzer folds ё to е, drops soft hyphens and stress marks, parts «А.Ю.»
// as «А. Ю.» (initials are written both ways) and «выставка:харбин» at the
// colon, and writes an ASCII apostrophe as ’, as the notes' pages do; after
// the unicode tokenizer, it drops words of more than maxWordRunes letters,
// folds full-width Latin, lower-cases, makes Hanzi bigrams (广东省 → 广东
// 东省), drops Russian stop words (their positions left empty, so a phrase
// still needs its words in order) and stems Russian words (Snowball).
//
// Nothing is indexed that the mapping does not name, and _all stays empty.
// Text fields keep term vectors (phrases, highlights); keyword and date
// fields doc values (facets, sorting). What a hit shows is stored.
func newMapping() *mapping.IndexMappingImpl {
	im := mapping.NewIndexMapping()
	must := func(err error) {
		if err != nil {
			panic(err) // the configuration is constant: every test catches it
		}
	}
	// One char filter per letter: a regexp of a literal is found by a fast
	// scan, a class ([ёЁ]) rune by rune (docs/BENCHMARKS.md). Each keeps the
	// text's length, or changes what clean changes in stored texts, so that
	// highlights fall where the words are.
	var charFilters []any
	for i, f := range []struct{ from, to string }{
		{"ё", "е"}, {"Ё", "Е"}, {`\x{00AD}`, ""}, {`\x{0301}`, ""}, {`\x{0300}`, ""}, {`\.(\pL)`, " ${1}"},
		{`'(\pL)`, "’${1}"}, {":", " "},
	} {
		name := fmt.Sprintf("digest_char_%d", i)
		must(im.AddCustomCharFilter(name, map[string]any{"type": charregexp.Name, "regexp": f.from, "replace": f.to}))
		charFilters = append(charFilters, name)
	}
	// A word longer than any a reader types (a base64 blob) would grow the
	// dictionary by far more than the note's size.
	must(im.AddCustomTokenFilter(lengthFilter, map[string]any{"type": length.Name, "max": float64(maxWordRunes)}))
	must(im.AddCustomAnalyzer(analyzerName, map[string]any{
		"type":         custom.Name,
		"char_filters": charFilters,
		"tokenizer":    unicodetok.Name,
		"token_filters": []any{
			lengthFilter, cjk.WidthName, lowercase.Name, cjk.BigramName, ru.StopName, ru.SnowballStemmerName,
		},
	}))
	im.DefaultAnalyzer = analyzerName
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false

	// Literals, not bleve's constructors, whose defaults put every field in
	// _all and keep its doc values: each mapping says all it is.
	text := func(store bool) *mapping.FieldMapping {
		return &mapping.FieldMapping{Type: "text", Analyzer: analyzerName, Store: store, Index: true,
			IncludeTermVectors: true}
	}
	dm := mapping.NewDocumentStaticMapping()
	for _, f := range []string{fieldTitle, fieldSummary, fieldBody, fieldPeople, fieldOrgs, fieldPlaces} {
		dm.AddFieldMappingsAt(f, text(true))
	}
	dm.AddFieldMappingsAt(fieldNames, text(false))
	for _, f := range []string{fieldRegions, fieldSectors, fieldKind, fieldURL} {
		dm.AddFieldMappingsAt(f, &mapping.FieldMapping{Type: "text", Analyzer: keyword.Name, Store: true, Index: true,
			DocValues: true})
	}
	for _, f := range []string{fieldDate, fieldEnd} {
		dm.AddFieldMappingsAt(f, &mapping.FieldMapping{Type: "datetime", Store: true, Index: true, DocValues: true})
	}
	im.DefaultMapping = dm
	return im
}

// Document is what the index holds of one published note. Field tags are
// the index's field names.
type Document struct {
	// ID is the note's URL, /2025/slug/: the document's ID, and a field.
	ID string `json:"url"`

	Title   string   `json:"title"`
	Summary string   `json:"summary,omitempty"`
	Body    string   `json:"body,omitempty"`   // plain text
	People  []string `json:"people,omitempty"` // "name, role"
	Orgs    []string `json:"organizations,omitempty"`
	Places  []string `json:"places,omitempty"`
	// Names are every name, in Russian, English and Chinese, and every alias
	// of the note's kind, regions and sectors, so that a reader's
	// «Guangdong», «广东» or «провинция Гуандун» finds the note.
	Names []string `json:"names,omitempty"`

	Kind    string    `json:"kind"`              // slug
	Regions []string  `json:"regions"`           // slugs
	Sectors []string  `json:"sectors,omitempty"` // slugs
	Date    time.Time `json:"date"`              // the day the event starts, UTC
	End     time.Time `json:"end,omitzero"`      // the last day, or zero for a one-day event

	// Cut is the word where a text field was cut, as it comes there for
	// the MaxRepeats+1th time; "" when every field is whole. It is not
	// indexed: the build warns the note's editor with it.
	Cut string `json:"-"`
}

// FromNote makes the document of a note. text is the body as plain text
// (the build renders Markdown and strips the tags); tax supplies the names
// of the note's kind, regions and sectors, none when nil. Each text field
// holds its texts up to where one of its terms comes for the MaxRepeats+1th
// time, and Cut says where.
func FromNote(n *source.Note, text string, tax *source.Taxonomies) Document {
	d := Document{
		ID:      n.URL(),
		Title:   clean(n.Title),
		Summary: clean(n.Summary),
		Body:    clean(text),
		Kind:    n.Kind,
		Regions: n.Regions,
		Sectors: n.Sectors,
		Date:    midnight(n.Date),
	}
	if !n.End.IsZero() {
		d.End = midnight(n.End)
	}
	// Every name of a person, place or organization in its other
	// spellings too, into copies: the note's lists stay as written.
	names := make([]string, len(n.People))
	for i, p := range n.People {
		d.People = append(d.People, personText(p))
		names[i] = p.Name
	}
	latin, reg := otherSpellings(fieldPeople, names, tax)
	d.People = slices.Concat(d.People, latin, reg)
	latin, reg = otherSpellings(fieldPlaces, n.Places, tax)
	d.Places = slices.Concat(n.Places, reg, latin)
	latin, reg = otherSpellings(fieldOrgs, n.Organizations, tax)
	d.Orgs = slices.Concat(n.Organizations, reg, latin)
	if tax != nil {
		d.Names = namesOf(tax.Kinds, n.Kind)
		for _, slug := range n.Regions {
			d.Names = append(d.Names, namesOf(tax.Regions, slug)...)
		}
		for _, slug := range n.Sectors {
			d.Names = append(d.Names, namesOf(tax.Sectors, slug)...)
		}
	}
	for _, text := range []*string{&d.Title, &d.Summary, &d.Body} {
		texts, word := capped([]string{*text})
		*text, d.Cut = texts[0], cmp.Or(d.Cut, word)
	}
	for _, texts := range []*[]string{&d.People, &d.Orgs, &d.Places, &d.Names} {
		var word string
		*texts, word = capped(cleanAll(*texts))
		d.Cut = cmp.Or(d.Cut, word)
	}
	return d
}

// otherSpellings returns the other spellings the index holds of names a
// note gives in field (people, places or organizations): in Latin letters
// (latinOf), and the registry's names and aliases (registeredNames).
func otherSpellings(field string, names []string, tax *source.Taxonomies) (latin, registered []string) {
	for _, name := range names {
		latin = append(latin, latinOf(field, name)...)
		registered = append(registered, registeredNames(field, name, tax)...)
	}
	return latin, registered
}

// latinOf returns a name a note gives in field in the Latin letters
// English texts write it with: a Chinese name in Palladius's letters in
// pinyin (russian.Pinyin for a person's, surname first, PlacePinyin for
// the others), another in Russian letters in its Latin spellings
// (russian.Latin); an organization's own name (ownNames) only.
func latinOf(field, name string) []string {
	pinyin := russian.PlacePinyin
	switch field {
	case fieldPeople:
		pinyin = russian.Pinyin
	case fieldOrgs:
		var ok bool
		if name, ok = ownName(name); !ok {
			return nil
		}
	}
	if py := pinyin(name); py != "" {
		return []string{py}
	}
	return russian.Latin(name)
}

// registeredNames returns the names and aliases of the entry that has a
// name a note gives in field in its registry (people.yaml, places.yaml,
// organizations.yaml); none without tax, or when no entry has it.
func registeredNames(field, name string, tax *source.Taxonomies) []string {
	if tax == nil {
		return nil
	}
	var reg *source.Taxonomy
	switch field {
	case fieldPeople:
		reg = tax.People
	case fieldPlaces:
		reg = tax.Places
	case fieldOrgs:
		reg = tax.Organizations
	}
	if t := reg.Lookup(name); t != nil {
		return t.Names()
	}
	return nil
}

// ownName returns the part of an organization's name that English texts
// write in Latin letters: the name in quotes («Росатом» of «Госкорпорация
// «Росатом»»), or else a name of one or two words («Сбербанк»); false for
// a name that describes the body («Министерство коммерции КНР»), which
// English texts translate.
func ownName(org string) (string, bool) {
	if i := strings.IndexFunc(org, isQuote); i >= 0 {
		_, size := utf8.DecodeRuneInString(org[i:])
		rest := org[i+size:]
		if j := strings.LastIndexFunc(rest, isQuote); j >= 0 {
			rest = rest[:j]
		}
		return rest, true
	}
	return org, len(strings.Fields(org)) <= 2
}

// MaxRepeats is how many times a text field of a note's document may have
// one term: bleve's phrase searcher pairs every place of a word with every
// place of the next, so a note repeating two words tens of thousands of
// times made a phrase of them cost seconds (docs/INDEX.md).
const MaxRepeats = 2000

// Cut is FromNote(n, text, nil).Cut, without making the document when the
// note has too few words in all for any term to come MaxRepeats+1 times:
// the build asks it of every note. Cleaning makes no more words than the
// text had, and each Latin spelling of a name no more than the name.
func Cut(n *source.Note, text string) string {
	budget := MaxRepeats
	for _, s := range []string{n.Title, n.Summary, text} {
		budget = fewWords(s, budget)
	}
	// counted takes the words of s, copies times, from the budget: a name's
	// words are counted once, past the budget or not.
	counted := func(s string, copies int) {
		budget -= copies * (budget - fewWords(s, budget))
	}
	for _, s := range slices.Concat(n.Organizations, n.Places) {
		counted(s, 1+russian.LatinSpellings)
	}
	for _, p := range n.People {
		budget = fewWords(personText(p), budget)
		counted(p.Name, russian.LatinSpellings)
	}
	if budget >= 0 {
		return ""
	}
	return FromNote(n, text, nil).Cut
}

// capped returns the texts of a field cut where one of their terms comes
// for the MaxRepeats+1th time in them all, the texts after left out, and
// the word there ("" when whole). Only texts that may have that many words
// are analysed.
func capped(texts []string) ([]string, string) {
	budget := MaxRepeats
	for _, s := range texts {
		if budget = fewWords(s, budget); budget < 0 {
			break
		}
	}
	if budget >= 0 {
		return texts, ""
	}
	counts := map[string]int{}
	for i, s := range texts {
		for _, tok := range textAnalyzer().Analyze([]byte(s)) {
			counts[string(tok.Term)]++
			if counts[string(tok.Term)] > MaxRepeats && tok.Start <= len(s) {
				// The char filters keep the text's length: the places
				// are the text's.
				word := s[tok.Start:min(tok.End, len(s))]
				return append(slices.Clip(texts[:i]), s[:tok.Start]), word
			}
		}
	}
	return texts, ""
}

// fewWords returns budget less the most words the analyzer may make of s
// (runs of letters and digits, and each CJK letter), stopping below 0.
// ASCII and Cyrillic (U+0400–U+047F, all letters) are told by their bytes:
// decoding every letter was most of its time.
func fewWords(s string, budget int) int {
	in := false
	for i := 0; i < len(s); {
		letter, alone := false, false // alone: a word by itself
		switch c := s[i]; {
		case c < utf8.RuneSelf:
			letter = 'a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9'
			i++
		case (c == 0xd0 || c == 0xd1) && i+1 < len(s) && s[i+1]&0xc0 == 0x80:
			letter = true
			i += 2
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size
			alone = r >= 0x2e80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
				unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r))
			letter = !alone && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r))
		}
		if alone || letter && !in {
			budget--
		}
		in = letter
		if budget < 0 {
			return budget
		}
	}
	return budget
}

var textAnalyzer = sync.OnceValue(func() analysis.Analyzer { return newMapping().AnalyzerNamed(analyzerName) })

// personText is what the people field has of a person: "name, role".
func personText(p source.Person) string {
	if p.Role == "" {
		return p.Name
	}
	return p.Name + ", " + p.Role
}

// midnight is the calendar day of t, as written, at midnight UTC.
func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// clean prepares a text that is stored for snippets, or that a reader
// typed: it drops soft hyphens, stress marks and characters of no width
// (dropped): the analyzer drops the first two before it takes the places
// of words, which would then miss a stored text that has them, and keeps
// the last inside words. It composes a letter and its combining mark into
// one (NFC: й, ё as some keyboards send them); writes full-width digits as
// ASCII, an ASCII apostrophe before a letter as ’, and Latin look-alikes in
// Cyrillic words as Cyrillic (russian.Unmixed).
func clean(s string) string {
	// Combining marks (U+0300–U+036F) begin with the bytes 0xcc or 0xcd, which
	// no Russian, English or Chinese letter has: far faster than NFC's check.
	marks := strings.IndexByte(s, 0xcc) >= 0 || strings.IndexByte(s, 0xcd) >= 0
	if marks || strings.ContainsFunc(russian.Invisibles, func(c rune) bool { return strings.ContainsRune(s, c) }) {
		s = strings.Map(func(r rune) rune {
			if dropped(r) {
				return -1
			}
			return r
		}, s)
	}
	if marks {
		s = norm.NFC.String(s)
	}
	// Full-width digits (U+FF10–U+FF19, bytes EF BC …), which Chinese
	// keyboards type, are no word to bleve's tokenizer («２０２４»).
	if strings.Contains(s, "\xef\xbc") {
		s = strings.Map(func(r rune) rune {
			if '０' <= r && r <= '９' {
				return r - '０' + '0'
			}
			return r
		}, s)
	}
	if strings.IndexByte(s, '\'') >= 0 {
		s = asciiApostrophe.ReplaceAllString(s, "’$1")
	}
	return russian.Unmixed(s)
}

// asciiApostrophe is an ASCII apostrophe before a letter («О'Брайен»).
var asciiApostrophe = regexp.MustCompile(`'(\pL)`)

// cleanAll is texts cleaned: texts itself when clean changes none, else a
// copy (texts may be a note's own list).
func cleanAll(texts []string) []string {
	var out []string // the copy, from the first text clean changes
	for i, s := range texts {
		c := clean(s)
		if c != s && out == nil {
			out = slices.Clone(texts)
		}
		if out != nil {
			out[i] = c
		}
	}
	if out == nil {
		return texts
	}
	return out
}

// dropped reports whether clean drops r: one of russian.Invisibles, or a
// stress mark (combining acute or grave accent, or the forms NFC makes of
// them: U+0340, U+0341, U+0344).
func dropped(r rune) bool {
	switch r {
	case '\u0300', '\u0301', '\u0340', '\u0341', '\u0344':
		return true
	}
	return russian.Invisible(r)
}

// namesOf returns the names and aliases of the term with the slug.
func namesOf(tax *source.Taxonomy, slug string) []string {
	if t := tax.Get(slug); t != nil {
		return t.Names()
	}
	return nil
}
