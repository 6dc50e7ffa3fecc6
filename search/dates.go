package search

import (
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/coopdigest/digest/dates"
	"github.com/coopdigest/digest/source"
)

// orInYear is q, or, when tok names a year (yearOf), q or the events of
// that year: a reader's «2019» asks for them as much as for the notes that
// write it, and most notes name their month and day, not their year.
func orInYear(q query.Query, tok *analysis.Token) query.Query {
	year, ok := yearOf(tok)
	if !ok {
		return q
	}
	return bleve.NewDisjunctionQuery(q, during(dates.Year(year)))
}

// yearOf returns the year that tok, a word of four digits, names, if notes
// may have it (source.YearInRange).
func yearOf(tok *analysis.Token) (int, bool) {
	if tok.Type != analysis.Numeric || len(tok.Term) != 4 {
		return 0, false
	}
	year, err := strconv.Atoi(string(tok.Term))
	return year, err == nil && source.YearInRange(year)
}

// yearBoost weighs a match of the notes' dates against a word in their
// text: the events of a year come first, then the notes of other years
// that write it (on the generated corpus of 10,000 notes, a weight of 3
// mixed them).
const yearBoost = 10

// during matches the notes of the events that take place in s: that start
// then, or start before and end then or later.
func during(s dates.Span) query.Query {
	dateRange := func(field string, from, to time.Time) query.Query {
		q := bleve.NewDateRangeQuery(from, to) // a zero time is no bound
		q.SetField(field)
		q.SetBoost(yearBoost)
		return q
	}
	return bleve.NewDisjunctionQuery(
		dateRange(fieldDate, s.From, s.To),
		bleve.NewConjunctionQuery(dateRange(fieldEnd, s.From, time.Time{}), dateRange(fieldDate, time.Time{}, s.From)))
}

// maxDates is how many dates in words a query may have: each is a clause
// of several words, planned afresh (see planDate).
const maxDates = 4
