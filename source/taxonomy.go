package source

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/coopdigest/digest/russian"
)

// Names holds an entry's name in the three languages of the digest.
type Names struct {
	Ru string `json:"ru"`
	En string `json:"en"`
	Zh string `json:"zh"`
}

// Term is one entry of a taxonomy: a region, a sector or a kind of event.
type Term struct {
	Slug    string   `json:"slug"`
	Country string   `json:"country,omitempty"` // regions only: RU or CN
	Group   string   `json:"group,omitempty"`   // optional grouping on the index page
	Name    Names    `json:"name"`
	Aliases []string `json:"aliases,omitempty"`
}

// Keys returns every way a note may name the term: slug, names and aliases.
func (t *Term) Keys() []string {
	if t.Slug == "" {
		return t.Names()
	}
	return append([]string{t.Slug}, t.Names()...)
}

// Names returns the term's names, Russian, English and Chinese, that it
// has, and its aliases.
func (t *Term) Names() []string {
	names := slices.Concat([]string{t.Name.Ru, t.Name.En, t.Name.Zh}, t.Aliases)
	return slices.DeleteFunc(names, func(s string) bool { return s == "" })
}

// Taxonomy is one taxonomy file: the entries in file order and an index of
// every name by its folded form.
type Taxonomy struct {
	// Kind is the file's base name: "regions", "sectors" or "kinds".
	Kind  string
	Terms []*Term
	index map[string]*Term
	keys  []folded // every key in file order, for Suggest
}

// folded is a key of a term in the form russian.Fold gives it, with its length in
// runes.
type folded struct {
	folded string
	runes  int
	term   *Term
}

// Singular names one entry of the taxonomy in messages: "region".
func (t *Taxonomy) Singular() string {
	switch t.Kind {
	case "regions":
		return "region"
	case "sectors":
		return "sector"
	case "kinds":
		return "kind"
	case "people":
		return "person"
	case "organizations":
		return "organization"
	case "places":
		return "place"
	}
	return strings.TrimSuffix(t.Kind, "s")
}

// Lookup finds the entry named by s, by slug, by any name or alias, in any
// letter case and with ё and е alike. It returns nil when nothing matches.
func (t *Taxonomy) Lookup(s string) *Term {
	if t == nil {
		return nil
	}
	return t.index[russian.Fold(s)]
}

// Get returns the entry with the given slug, or nil.
func (t *Taxonomy) Get(slug string) *Term {
	if t == nil {
		return nil
	}
	// A valid slug is its own folded form, so that it is found unfolded;
	// a slug that is not cannot be the term's.
	if term := t.index[slug]; term != nil && term.Slug == slug {
		return term
	}
	return nil
}

// NameOf returns the Russian name of the entry with the given slug, or the
// slug itself when there is none (a year, or a slug the taxonomy no longer
// has).
func (t *Taxonomy) NameOf(slug string) string {
	if term := t.Get(slug); term != nil {
		return term.Name.Ru
	}
	return slug
}

// Suggest returns the entry whose slug, name or alias is closest to s, for a
// "did you mean" hint, or nil when nothing is close enough to help.
func (t *Taxonomy) Suggest(s string) *Term {
	if t == nil {
		return nil
	}
	name := russian.Fold(s)
	if name == "" {
		return nil
	}
	n := utf8.RuneCountInString(name)
	// Accept a suggestion only within a typo or two, a third of the word,
	// and one that keeps a letter of it: «x» is no misspelt «京», nor
	// «narnia» «karelia».
	limit := min(max(2, n/3), n-1)
	var best *Term
	bestScore := limit + 1
	for _, k := range t.keys {
		// The distance is at least the difference in length, except for a
		// prefix; skipping the rest keeps a long name from costing its
		// length times every key's.
		if abs(n-k.runes) >= bestScore && !strings.HasPrefix(k.folded, name) && !strings.HasPrefix(name, k.folded) {
			continue
		}
		if score := distance(name, k.folded); score < bestScore {
			best, bestScore = k.term, score
		}
	}
	return best
}

func abs(n int) int { return max(n, -n) }

// Unknown describes a name that matches no entry, with a suggestion when
// there is a close one: unknown region "Хабаровск"; did you mean
// "Хабаровский край" (khabarovsk-krai)?
func (t *Taxonomy) Unknown(s string) string {
	msg := fmt.Sprintf("unknown %s %s", t.Singular(), q(s))
	if sug := t.Suggest(s); sug != nil {
		msg += fmt.Sprintf("; did you mean %s (%s)?", q(sug.Name.Ru), sug.Slug)
	}
	return msg
}

// unknownBeside is Unknown, or, for a name of the registry places, if
// given (t being the regions), says that it is a place: a city is no alias
// of its region.
func (t *Taxonomy) unknownBeside(s string, places *Taxonomy) string {
	if places == nil || places.Lookup(s) == nil {
		return t.Unknown(s)
	}
	msg := fmt.Sprintf("unknown %s %s: a place; name it in places, and the region around it here", t.Singular(), q(s))
	if sug := t.Suggest(s); sug != nil {
		msg += fmt.Sprintf(" (%s, %s?)", q(sug.Name.Ru), sug.Slug)
	}
	return msg
}

// distance is the edit distance between a and b, in runes, except that a
// prefix of the other word (a stem such as «Хабаровск» of «Хабаровский край»)
// counts as a near match.
func distance(a, b string) int {
	if strings.HasPrefix(b, a) || strings.HasPrefix(a, b) {
		return 1
	}
	// Names are short: on the stack, the rows cost no allocation.
	var bufA, bufB [48]rune
	var bufPrev, bufCur [49]int
	ra, rb := appendRunes(bufA[:0], a), appendRunes(bufB[:0], b)
	prev := append(bufPrev[:0], make([]int, len(rb)+1)...)
	cur := append(bufCur[:0], make([]int, len(rb)+1)...)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func appendRunes(dst []rune, s string) []rune {
	for _, r := range s {
		dst = append(dst, r)
	}
	return dst
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// LongestSlug is the most characters a slug may have. A slug names a
// folder of the built site, and file systems allow 255 bytes in a name;
// the rest is room for what tools add to names.
const LongestSlug = 200

// ValidSlug reports whether s may be used in a URL path as a slug: lower-case
// Latin letters and digits, joined by single hyphens, at most LongestSlug
// of them.
func ValidSlug(s string) bool { return len(s) <= LongestSlug && slugRE.MatchString(s) }

// parseTaxonomy reads one taxonomy file: a YAML list of entries.
func parseTaxonomy(file, kind string, data []byte) (*Taxonomy, error) {
	var p problems
	if !validUTF8(&p, file, data) {
		return nil, p.err()
	}
	root := parseYAML(&p, file, data, 0)
	if root == nil {
		return nil, p.err()
	}
	tax := &Taxonomy{Kind: kind, index: map[string]*Term{}}
	if root.kind != listValue {
		if root.kind == mapValue && len(root.fields) == 0 {
			return tax, p.err()
		}
		p.add(file, root.line, root.col, "a taxonomy file is a list of entries (- slug: ...)")
		return nil, p.err()
	}
	owner := map[string]string{} // folded key -> slug that has it
	for _, ev := range root.list {
		if ev.kind != mapValue {
			p.add(file, ev.line, ev.col, "an entry is a mapping with slug and name, not %s", ev.kind)
			continue
		}
		term := &Term{}
		var groupAt *value // where group is written
		// keyAt is where each of the entry's keys is written first, so
		// that a key another entry has is told there.
		keyAt := map[string]*value{}
		wrote := func(key string, at *value) {
			if _, ok := keyAt[key]; !ok && key != "" {
				keyAt[key] = at
			}
		}
		for _, f := range ev.fields {
			switch f.key {
			case "slug":
				term.Slug = scalar(&p, file, f)
				wrote(term.Slug, f.val)
			case "country":
				if kind != "regions" {
					p.add(file, f.line, f.col, "country is for regions only")
					continue
				}
				term.Country = scalar(&p, file, f)
				if term.Country != "RU" && term.Country != "CN" {
					p.add(file, f.val.line, f.val.col, "country %s: must be RU or CN", q(term.Country))
				}
			case "group":
				if kind != "regions" {
					p.add(file, f.line, f.col, "group is for regions only")
					continue
				}
				term.Group, groupAt = scalar(&p, file, f), f.val
			case "name":
				if f.val.kind != mapValue {
					p.add(file, f.val.line, f.val.col, "name is a mapping: {ru: …, en: …, zh: …}")
					continue
				}
				for _, nf := range f.val.fields {
					s := scalar(&p, file, nf)
					wrote(s, nf.val)
					switch nf.key {
					case "ru":
						term.Name.Ru = s
					case "en":
						term.Name.En = s
					case "zh":
						term.Name.Zh = s
					default:
						p.add(file, nf.line, nf.col, "unknown language %s in name: use ru, en and zh", q(nf.key))
					}
				}
			case "aliases":
				for _, v := range stringItems(&p, file, f) {
					term.Aliases = append(term.Aliases, v.str)
					wrote(v.str, v)
				}
			default:
				p.add(file, f.line, f.col, "unknown field %s in a %s entry", q(f.key), tax.Singular())
			}
		}
		switch {
		case term.Slug == "":
			p.add(file, ev.line, ev.col, "entry without a slug")
			continue
		case len(term.Slug) > LongestSlug:
			p.add(file, ev.line, ev.col, "slug %s: longer than %d characters; use a shorter one", q(term.Slug), LongestSlug)
		case !ValidSlug(term.Slug):
			p.add(file, ev.line, ev.col, "slug %s: use lower-case Latin letters, digits and hyphens", q(term.Slug))
		}
		if term.Name.Ru == "" {
			p.add(file, ev.line, ev.col, "%s %s has no Russian name (name: {ru: …})", tax.Singular(), term.Slug)
			term.Name.Ru = term.Slug
		}
		if kind == "regions" && term.Country == "" {
			p.add(file, ev.line, ev.col, "region %s has no country (RU or CN)", term.Slug)
		}
		if term.Group != "" {
			checkGroup(&p, file, groupAt, term)
		}
		for _, k := range term.Keys() {
			fk := russian.Fold(k)
			tax.keys = append(tax.keys, folded{fk, utf8.RuneCountInString(fk), term})
			if other, taken := owner[fk]; taken {
				at := keyAt[k]
				if at == nil { // a Russian name that is the slug, for want of one
					at = ev
				}
				if other != term.Slug {
					p.add(file, at.line, at.col, "%s of %s is already a name of %s", q(k), term.Slug, other)
				} else if k == term.Slug && tax.index[fk] != term {
					p.add(file, at.line, at.col, "two entries have the slug %s", q(k))
				}
				continue
			}
			owner[fk] = term.Slug
			tax.index[fk] = term
		}
		tax.Terms = append(tax.Terms, term)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return tax, nil
}

// RegionGroups are the groups a region may be in, for the page of regions,
// by country: the federal districts of Russia, and the parts of China, in
// six (South-Central China one) or in seven (Central and South China
// apart), with Hong Kong, Macao and Taiwan.
var RegionGroups = map[string][]string{
	"RU": {"central", "northwestern", "southern", "north-caucasian", "volga", "ural", "siberian", "far-eastern"},
	"CN": {"north-china", "northeast-china", "east-china", "south-central-china", "central-china", "south-china",
		"southwest-china", "northwest-china", "hk-macao-taiwan"},
}

// checkGroup reports the group of the region term, written at at, unless
// it is one of RegionGroups of the region's country (of either country
// when the region has none that is known).
func checkGroup(p *problems, file string, at *value, term *Term) {
	groups, what := RegionGroups[term.Country], ""
	switch term.Country {
	case "RU":
		what = "a Russian region's group is a federal district"
	case "CN":
		what = "a Chinese region's group is a part of China"
	default:
		groups, what = slices.Concat(RegionGroups["RU"], RegionGroups["CN"]), "a region's group is a federal district or a part of China"
	}
	if slices.Contains(groups, term.Group) {
		return
	}
	msg := fmt.Sprintf("group %s: %s: %s", q(term.Group), what, strings.Join(groups, ", "))
	if near := nearest(term.Group, groups); near != "" {
		msg += fmt.Sprintf("; did you mean %s?", q(near))
	}
	p.add(file, at.line, at.col, "%s", msg)
}

// scalar returns the string of a field that must hold a single value.
func scalar(p *problems, file string, f field) string {
	switch f.val.kind {
	case scalarValue:
		return strings.TrimSpace(f.val.str)
	case nullValue:
		return ""
	}
	p.add(file, f.val.line, f.val.col, "%s must be a single value, not %s", cut(f.key), f.val.kind)
	return ""
}

// yesNo reports, and says, whether v, a value of the list key, is one that
// YAML or TOML read as true or false: a name written so is a slip
// («people: true»), and one that is really «true» must be quoted.
func yesNo(p *problems, file, key string, v *value) bool {
	if !v.yesNo {
		return false
	}
	p.add(file, v.line, v.col, "%s: %s is a yes/no value, not a name; list the names, or write \"%s\" in quotes", cut(key), v.str, v.str)
	return true
}

// blankItem says that e, an item of the list key, is blank.
func blankItem(p *problems, file string, e *value, key string) {
	p.add(file, e.line, e.col, "an item of %s is empty: remove it, or write the name", cut(key))
}

// stringList returns a field that is a list of strings; a single string is
// taken as a list of one.
func stringList(p *problems, file string, f field) []string {
	var out []string
	for _, v := range stringItems(p, file, f) {
		out = append(out, v.str)
	}
	return out
}

// stringItems returns the values of a field that is a list of strings, each
// trimmed and not empty, with their places; a single string is taken as a
// list of one. What is not a string is reported, and left out.
func stringItems(p *problems, file string, f field) []*value {
	var items []*value
	switch f.val.kind {
	case nullValue:
		return nil
	case scalarValue:
		items = []*value{f.val}
	case mapValue:
		p.add(file, f.val.line, f.val.col, "%s must be a list: [a, b]", cut(f.key))
		return nil
	default:
		items = f.val.list
	}
	var out []*value
	for _, e := range items {
		if e.kind != scalarValue {
			p.add(file, e.line, e.col, "an item of %s must be a single value, not %s", cut(f.key), e.kind)
			continue
		}
		if yesNo(p, file, f.key, e) {
			continue
		}
		s := strings.TrimSpace(e.str)
		if s == "" {
			// A blank value of its own is no list: the field's check says
			// what is missing when one is needed.
			if f.val.kind == listValue {
				blankItem(p, file, e, f.key)
			}
			continue
		}
		t := *e
		t.str = s
		out = append(out, &t)
	}
	return out
}
