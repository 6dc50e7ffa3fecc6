package search

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coopdigest/digest/russian"
	"github.com/coopdigest/digest/source"
)

// Limits of a request.
const (
	MaxQueryLen    = 500 // characters of q
	DefaultPerPage = 20
	MaxPerPage     = 100
)

// Sort is the order of hits.
type Sort string

// The orders a reader may ask for. With no sort given, hits come by
// relevance when the query has words or phrases, newest first otherwise.
const (
	SortDefault   Sort = ""
	SortRelevance Sort = "relevance"
	SortDate      Sort = "date"
)

// Query is one search: the reader's text and the filters, resolved.
type Query struct {
	// Q is the text as the reader typed it; see ParseText.
	Q string
	// Regions, Sectors and Kinds are slugs. A note must name every region
	// and every sector given (each click on a facet narrows the list) and
	// be of one of the kinds given (a note has one kind).
	Regions []string
	Sectors []string
	Kinds   []string
	// From and To are days, inclusive; zero when not given.
	From, To time.Time
	Sort     Sort
	// Page counts from 1. PerPage is 1 to MaxPerPage; 0 means DefaultPerPage.
	Page    int
	PerPage int
}

// ParamError is a bad request parameter: its name and what is wrong, in
// English for the API and the command line, and in Russian for the
// results page.
type ParamError struct {
	Param   string
	Problem string
	Ru      string // Problem in Russian
}

// Error reads "per_page: must be a whole number from 1 to 100".
func (e *ParamError) Error() string { return e.Param + ": " + e.Problem }

// Russian is Error in Russian, the parameter named as the results page
// labels it, then as the address has it: "На странице (per_page): «0» —
// нужно целое число от 1 до 100". It is Error when the problem has no
// Russian.
func (e *ParamError) Russian() string {
	switch {
	case e.Ru == "":
		return e.Error()
	case e.Param == queryString:
		return "Строка запроса " + e.Ru
	case ruParams[e.Param] == "":
		return e.Param + ": " + e.Ru
	}
	return ruParams[e.Param] + " (" + e.Param + "): " + e.Ru
}

// ruParams name the parameters of a search as the results page does.
var ruParams = map[string]string{
	"q": "Запрос", "from": "С даты", "to": "По дату", "region": "Регион", "sector": "Отрасль",
	"kind": "Вид события", "sort": "Порядок", "page": "Страница", "per_page": "На странице",
}

// queryString is the ParamError.Param of a query string that is not read.
const queryString = "query string"

// singleParams are the parameters that a request may give once.
var singleParams = []string{"q", "from", "to", "sort", "page", "per_page"}

// notUTF8 is the problem of a parameter that is not text.
func notUTF8(param string) *ParamError {
	return &ParamError{param, "not valid UTF-8 text", "не текст в UTF-8"}
}

// ruSingular names an entry of each taxonomy in Russian, as a message
// starts: «неизвестный регион».
var ruSingular = map[string]string{"regions": "неизвестный регион", "sectors": "неизвестная отрасль", "kinds": "неизвестный вид события"}

// unknownTerm is the problem of a name that tax does not know, with the
// nearest name it does, if any.
func unknownTerm(param string, tax *source.Taxonomy, s string) *ParamError {
	ru := fmt.Sprintf("%s «%s»", ruSingular[tax.Kind], printable(s))
	if sug := tax.Suggest(s); sug != nil {
		ru += fmt.Sprintf("; может быть, «%s» (%s)?", sug.Name.Ru, sug.Slug)
	}
	return &ParamError{param, tax.Unknown(s), ru}
}

// ParseRequest reads the parameters of a search request: q; region, sector
// and kind (each may repeat; a slug, any name or alias); from and to
// (YYYY-MM-DD, inclusive); sort (relevance or date); page; per_page (each
// of these at most once). tax
// resolves names to slugs. The first bad parameter is returned as a
// *ParamError; nothing else fails.
func ParseRequest(v url.Values, tax *source.Taxonomies) (Query, error) {
	q := Query{Page: 1}
	// A parameter of one value given twice («sort=date&sort=bogus») is
	// taken for neither: which one the reader meant is not known.
	for _, name := range singleParams {
		if len(v[name]) > 1 {
			return q, &ParamError{name, fmt.Sprintf("given %d times, at most once", len(v[name])),
				fmt.Sprintf("указан %d %s, можно не больше одного", len(v[name]), russian.Plural(len(v[name]), "раз", "раза", "раз"))}
		}
	}
	q.Q = v.Get("q")
	if !utf8.ValidString(q.Q) {
		return q, notUTF8("q")
	}
	q.Q = NoControls(q.Q)
	if n := utf8.RuneCountInString(q.Q); n > MaxQueryLen {
		return q, &ParamError{"q", fmt.Sprintf("too long: %d characters, at most %d", n, MaxQueryLen),
			fmt.Sprintf("слишком длинный запрос: %d %s, можно не больше %d", n, russian.Plural(n, "символ", "символа", "символов"), MaxQueryLen)}
	}
	var err error
	if tax != nil {
		if q.Regions, err = resolveParam(v, "region", tax.Regions); err != nil {
			return q, err
		}
		if q.Sectors, err = resolveParam(v, "sector", tax.Sectors); err != nil {
			return q, err
		}
		if q.Kinds, err = resolveParam(v, "kind", tax.Kinds); err != nil {
			return q, err
		}
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		s := v.Get(p.name)
		if s == "" {
			continue
		}
		if !utf8.ValidString(s) {
			return q, notUTF8(p.name)
		}
		t, err := source.ParseDateParam(s)
		if err != nil {
			// Not err's message: it quotes the value in full.
			return q, &ParamError{p.name, fmt.Sprintf("%q is not a date: use YYYY-MM-DD", printable(s)),
				fmt.Sprintf("«%s» — не дата, нужен формат ГГГГ-ММ-ДД", printable(s))}
		}
		if t.Year() < minYear {
			// No note is dated before 1900; and the zero time, 0001-01-01,
			// means a bound not given.
			return q, &ParamError{p.name, fmt.Sprintf("%s is too early: use a year from %d", s, minYear),
				fmt.Sprintf("%s — слишком ранняя дата: год не раньше %d", s, minYear)}
		}
		*p.dst = t
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return q, &ParamError{"to", fmt.Sprintf("%s is before from %s", q.To.Format(time.DateOnly), q.From.Format(time.DateOnly)),
			fmt.Sprintf("%s — раньше, чем «С даты» (%s)", q.To.Format(time.DateOnly), q.From.Format(time.DateOnly))}
	}
	switch s := Sort(v.Get("sort")); s {
	case SortDefault, SortRelevance, SortDate:
		q.Sort = s
	default:
		return q, &ParamError{"sort", fmt.Sprintf("unknown order %q: use relevance or date", printable(string(s))),
			fmt.Sprintf("неизвестный порядок «%s»: нужен relevance (по релевантности) или date (по дате)", printable(string(s)))}
	}
	if s := v.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return q, &ParamError{"page", fmt.Sprintf("%q: must be a whole number from 1", printable(s)),
				fmt.Sprintf("«%s» — нужно целое число от 1", printable(s))}
		}
		q.Page = n
	}
	if s := v.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPerPage {
			return q, &ParamError{"per_page", fmt.Sprintf("%q: must be a whole number from 1 to %d", printable(s), MaxPerPage),
				fmt.Sprintf("«%s» — нужно целое число от 1 до %d", printable(s), MaxPerPage)}
		}
		q.PerPage = n
	}
	return q, nil
}

// resolveParam turns every value of a repeated parameter into a slug.
func resolveParam(v url.Values, name string, tax *source.Taxonomy) ([]string, error) {
	var slugs []string
	for _, s := range v[name] {
		if s == "" {
			continue
		}
		if !utf8.ValidString(s) {
			return nil, notUTF8(name)
		}
		if len(s) > 200 {
			return nil, &ParamError{name, fmt.Sprintf("unknown %s: a name is at most 200 bytes", tax.Singular()),
				ruSingular[tax.Kind] + ": название не длиннее 200 байт"}
		}
		t := tax.Lookup(s)
		if t == nil {
			return nil, unknownTerm(name, tax, s)
		}
		if !slices.Contains(slugs, t.Slug) {
			slugs = append(slugs, t.Slug)
		}
	}
	return slugs, nil
}

// minYear is the earliest year a search's dates may have.
const minYear = 1000

// NoControls is s with every control character (a tab, a line break, an
// escape) made a space, and the marks that set the direction of text
// (unicode.Bidi_Control) dropped: a reader's words hold none that mean
// anything, and a page that shows them back may hold none, nor may they
// turn the page's own text around them right to left.
func NoControls(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r):
			return ' '
		case unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, s)
}

// EchoRunes is how many letters of a reader's value an error message or
// Result.Ignored repeats; a longer one is cut there, with an ellipsis.
const EchoRunes = 40

// printable shortens a reader's value for an error message.
func printable(s string) string {
	s = NoControls(strings.ToValidUTF8(s, "\uFFFD"))
	if utf8.RuneCountInString(s) > EchoRunes {
		s = string([]rune(s)[:EchoRunes]) + "…"
	}
	return s
}

// Values encodes q as request parameters, the inverse of ParseRequest:
// links to refined searches and other pages are built from it.
func (q Query) Values() url.Values {
	v := url.Values{}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	for name, slugs := range map[string][]string{"region": q.Regions, "sector": q.Sectors, "kind": q.Kinds} {
		for _, s := range slugs {
			v.Add(name, s)
		}
	}
	if !q.From.IsZero() {
		v.Set("from", q.From.Format(time.DateOnly))
	}
	if !q.To.IsZero() {
		v.Set("to", q.To.Format(time.DateOnly))
	}
	if q.Sort != SortDefault {
		v.Set("sort", string(q.Sort))
	}
	if q.PerPage != 0 {
		v.Set("per_page", strconv.Itoa(q.PerPage))
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	return v
}
