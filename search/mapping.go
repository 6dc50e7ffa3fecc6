package search

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/mapping"

	// Keyword fields use bleve's keyword analyzer, which registers itself on
	// import; every binary that opens an index needs it.
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/registry"
)

// Field names of the index.
const (
	// fieldTitle and fieldText are what a reader's words match. The text of
	// a note is one array, so that a word costs two posting lists, not
	// seven: the summary, the body, then people with their roles,
	// organizations, places and the names of its kind, regions and sectors.
	// Array positions tell bleve's phrase searcher, the tests' oracle,
	// which element a match was in.
	fieldTitle = "title"
	fieldText  = "text"
	// fieldSummary and fieldBody store the text snippets are cut from.
	fieldSummary = "summary"
	fieldBody    = "body"

	fieldURL     = "url"
	fieldKind    = "kind"
	fieldRegions = "regions"
	fieldSectors = "sectors"
	fieldDay     = "day"
	fieldEnd     = "end"
)

// Places in fieldText.
const (
	textSummary = 0
	textBody    = 1
)

// textFields are the analysed fields a reader's word may match, each with
// the boost of a match in it: a word in the title counts most.
var textFields = []struct {
	name  string
	boost float64
}{
	{fieldTitle, 3},
	{fieldText, 1},
}

// newMapping returns the explicit mapping of a note document. Nothing is
// indexed dynamically and there is no _all field; text fields keep no doc
// values, and no term vectors (the positions phrases need are in files of
// this package's, see positions.go) unless termVectors: the tests' oracle
// is bleve's phrase searcher, which needs them;
// keyword fields (url, day, kind, regions, sectors) keep doc values, from
// which Open loads the table that filters, facets and sorting run on. Only
// what a hit shows is stored.
func newMapping(termVectors bool) *mapping.IndexMappingImpl {
	im := mapping.NewIndexMapping()
	im.DefaultAnalyzer = analyzerName
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false

	text := func(store bool) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analyzerName
		f.Store = store
		f.IncludeTermVectors = termVectors
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	keyword := func() *mapping.FieldMapping {
		f := mapping.NewKeywordFieldMapping()
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = true
		return f
	}
	stored := func() *mapping.FieldMapping {
		f := mapping.NewKeywordFieldMapping()
		f.Index = false
		f.Store = true
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	dm := mapping.NewDocumentStaticMapping()
	// No composite _all field: every search names its fields.
	dm.AddSubDocumentMapping("_all", mapping.NewDocumentDisabledMapping())
	dm.AddFieldMappingsAt(fieldTitle, text(true))
	dm.AddFieldMappingsAt(fieldText, text(false))
	dm.AddFieldMappingsAt(fieldSummary, stored())
	dm.AddFieldMappingsAt(fieldBody, stored())
	dm.AddFieldMappingsAt(fieldKind, keyword())
	// Doc values come sorted; the stored values keep the order written.
	ordered := func() *mapping.FieldMapping {
		f := keyword()
		f.Store = true
		return f
	}
	dm.AddFieldMappingsAt(fieldRegions, ordered())
	dm.AddFieldMappingsAt(fieldSectors, ordered())
	dm.AddFieldMappingsAt(fieldURL, keyword())
	dm.AddFieldMappingsAt(fieldDay, keyword())
	dm.AddFieldMappingsAt(fieldEnd, stored())
	im.DefaultMapping = dm
	return im
}

// newAnalyzer returns the index's text analyzer, for analysing a reader's
// words exactly as the notes were.
func newAnalyzer() (*textAnalyzer, error) {
	a, err := registry.NewCache().AnalyzerNamed(analyzerName)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	ta, ok := a.(*textAnalyzer)
	if !ok {
		return nil, fmt.Errorf("search: analyzer %q is a %T", analyzerName, a)
	}
	return ta, nil
}
