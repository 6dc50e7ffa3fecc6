package search

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/util"
	index "github.com/blevesearch/bleve_index_api"
)

// A note's bleve document is made here rather than by bleve's mapping,
// which is most of the time an index takes to build otherwise. The mapping
// (newMapping) still says what every field is, and is stored in the index
// for searches; docMaker makes the same fields, in the same order, with the
// same terms, frequencies and locations (TestDocumentsAsMapped holds it to
// the index bleve's own builder writes), but:
//
//   - without reflection over a struct;
//   - with the text array analysed straight into one field. bleve would
//     make a field of every element (a note has thirty or so: summary,
//     body, people, organizations, places, names), count each one's terms
//     in a map of its own, and merge those maps when it writes the segment;
//     every location keeps its element's array position, the field's
//     length is the sum of the elements', and a segment cannot tell the
//     difference;
//   - with the tokens counted as the analyzer finds them, without a list
//     of tokens in between.

// docMaker makes the analysed bleve documents of Documents, for one
// goroutine at a time.
type docMaker struct {
	text    *textAnalyzer
	keyword analysis.Analyzer
	// opts are the indexing options of each field, from the mapping.
	opts map[string]index.FieldIndexingOptions
	// elems are the array positions of the text array's elements, shared
	// by the locations of all documents, since nothing changes them.
	elems [][]uint64
	stems *stemCache
	// gen numbers the fields the maker makes, for termRef.
	gen uint64
	// slab is where the fields' locations and term frequencies are cut
	// from, shared by the documents this maker makes.
	slab slab
}

// slab hands out the locations and term frequencies of analysed fields
// from chunks shared across documents, so that a field does not allocate
// (and the runtime clear) room for its guess at the number of its tokens.
// A chunk lives as long as any document cut from it.
type slab struct {
	locs []index.TokenLocation
	tfs  []index.TokenFreq
	ptrs []*index.TokenLocation
}

// slabChunk is how many locations or frequencies a chunk of a slab holds:
// a few notes' worth.
const slabChunk = 4096

// cut returns a new zero value cut from the chunk *c, which is replaced
// by a new one when it is full.
func cut[T any](c *[]T) *T {
	if len(*c) == cap(*c) {
		*c = make([]T, 0, slabChunk)
	}
	*c = (*c)[:len(*c)+1]
	return &(*c)[len(*c)-1]
}

// appendLoc appends l to a term's list of locations, which grows in
// the slab too.
func (s *slab) appendLoc(list []*index.TokenLocation, l *index.TokenLocation) []*index.TokenLocation {
	if len(list) < cap(list) {
		return append(list, l)
	}
	n := max(1, 2*len(list))
	if n > slabChunk {
		return append(list, l)
	}
	if cap(s.ptrs)-len(s.ptrs) < n {
		s.ptrs = make([]*index.TokenLocation, 0, slabChunk)
	}
	// The new list has room for n in the slab, up to its cap.
	at := len(s.ptrs)
	s.ptrs = append(append(s.ptrs, list...), l)[:at+n]
	return s.ptrs[at : at+len(list)+1 : at+n]
}

// newDocMaker returns a maker of documents for an index with the mapping
// im.
func newDocMaker(text *textAnalyzer, im *mapping.IndexMappingImpl) (*docMaker, error) {
	keyword, err := registry.NewCache().AnalyzerNamed("keyword")
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	m := &docMaker{text: text, keyword: keyword, opts: map[string]index.FieldIndexingOptions{}, stems: newStemCache()}
	for name, dm := range im.DefaultMapping.Properties {
		if len(dm.Fields) == 1 {
			m.opts[name] = dm.Fields[0].Options()
		}
	}
	for _, name := range []string{fieldURL, fieldTitle, fieldText, fieldSummary, fieldBody, fieldKind, fieldRegions, fieldSectors, fieldDay, fieldEnd} {
		if _, ok := m.opts[name]; !ok {
			return nil, fmt.Errorf("search: the mapping has no field %q", name)
		}
	}
	return m, nil
}

// document returns the analysed bleve document of d, and leaves the
// lists of its positions in pos.
func (m *docMaker) document(d *Document, pos *posEncoder) *document.Document {
	doc := document.NewDocument(d.ID)
	keyword := func(name string, pos []uint64, value string) {
		doc.AddField(document.NewTextFieldCustom(name, pos, []byte(value), m.opts[name], m.keyword))
	}
	keywords := func(name string, values []string) {
		for i, v := range values {
			keyword(name, []uint64{uint64(i)}, v)
		}
	}
	keyword(fieldURL, nil, d.ID)
	pos.start()
	pos.field(false)
	title := m.field(fieldTitle, len(d.Title))
	title.value = []byte(d.Title)
	title.add(m.text, m.stems, &m.slab, title.value, nil, pos)
	doc.AddField(title)
	pos.field(true)
	doc.AddField(m.textField(d, pos))
	pos.finish()
	// Stored only: not analysed, the keyword analyzer is never used.
	keyword(fieldSummary, nil, d.Summary)
	keyword(fieldBody, nil, d.Body)
	keyword(fieldKind, nil, d.Kind)
	keywords(fieldRegions, d.Regions)
	keywords(fieldSectors, d.Sectors)
	keyword(fieldDay, nil, d.Day)
	keyword(fieldEnd, nil, d.End)
	return doc
}

// textField analyses the text array of d into one field: the summary, the
// body, then people with their roles, organizations, places and names,
// each element's positions counted from 1 as if it were a field of its own.
func (m *docMaker) textField(d *Document, pos *posEncoder) *analysedField {
	f := m.field(fieldText, len(d.Summary)+len(d.Body))
	n := 0
	add := func(s string) {
		for len(m.elems) <= n {
			m.elems = append(m.elems, []uint64{uint64(len(m.elems))})
		}
		if n > 0 {
			pos.element()
		}
		f.add(m.text, m.stems, &m.slab, bytesOf(s), m.elems[n], pos)
		n++
	}
	add(d.Summary)
	add(d.Body)
	for _, l := range [][]string{d.People, d.Orgs, d.Places, d.Names} {
		for _, s := range l {
			add(s)
		}
	}
	return f
}

// field returns an empty analysed field for about size bytes of text.
func (m *docMaker) field(name string, size int) *analysedField {
	m.gen++
	return &analysedField{
		gen:   m.gen,
		name:  name,
		opts:  m.opts[name],
		freqs: make(index.TokenFrequencies, size/16+1),
	}
}

// analysedField is a text field whose terms are counted when it is made:
// Analyze does nothing.
type analysedField struct {
	name   string
	opts   index.FieldIndexingOptions
	value  []byte // the stored value, if the field is stored
	plain  int    // bytes of text analysed
	length int    // tokens
	freqs  index.TokenFrequencies
	gen    uint64             // the field's number, from its docMaker
	tfs    []*index.TokenFreq // the values of freqs, for termRef.at
}

// termRef is what a docMaker knows of a term, kept in its stemCache so
// that a token finds it with its stem: where its frequency is in the field
// being made, if the field has it (gen tells), and its number in the
// positions of the shard whose dict numbered it. It points into no field,
// which would keep fields long made from the collector.
type termRef struct {
	term []byte // never changed
	gen  uint64
	at   int32 // in the field's tfs
	dict *posDict
	id   uint32
}

// add counts the tokens of text, at array positions pos, into f, looking
// stems and terms up in local first and cutting locations and frequencies
// from s, and writes them to the element of enc begun last.
func (f *analysedField) add(a *textAnalyzer, local *stemCache, s *slab, text []byte, pos []uint64, enc *posEncoder) {
	f.plain += len(text)
	vectors := f.opts.IncludeTermVectors()
	a.scan(text, nil, local, func(t *analysis.Token, _ bool, ref *termRef) bool {
		f.length++
		if ref == nil {
			ref = local.ref(t.Term, false)
		}
		var tf *index.TokenFreq
		if ref.gen == f.gen {
			tf = f.tfs[ref.at]
		} else {
			// The term's first token in this field.
			tf = cut(&s.tfs)
			tf.Term = ref.term
			f.freqs[stringOf(ref.term)] = tf
			ref.gen, ref.at = f.gen, int32(len(f.tfs))
			f.tfs = append(f.tfs, tf)
		}
		if ref.dict != enc.dict {
			ref.id, ref.dict = enc.id(ref.term), enc.dict
		}
		tf.SetFrequency(tf.Frequency() + 1)
		enc.token(ref.id, t.Position)
		if vectors {
			l := cut(&s.locs)
			*l = index.TokenLocation{ArrayPositions: pos, Start: t.Start, End: t.End, Position: t.Position}
			tf.Locations = s.appendLoc(tf.Locations, l)
		}
		return true
	})
}

func (f *analysedField) Name() string                                     { return f.name }
func (f *analysedField) ArrayPositions() []uint64                         { return nil }
func (f *analysedField) Options() index.FieldIndexingOptions              { return f.opts }
func (f *analysedField) Analyze()                                         {}
func (f *analysedField) Value() []byte                                    { return f.value }
func (f *analysedField) NumPlainTextBytes() uint64                        { return uint64(f.plain) }
func (f *analysedField) AnalyzedLength() int                              { return f.length }
func (f *analysedField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }
func (f *analysedField) EncodedFieldType() byte                           { return 't' }

// Size is what bleve counts a field as, for the size of a batch.
func (f *analysedField) Size() int {
	return 64 + len(f.name) + len(f.value) + f.freqs.Size()
}

// newShardBuilder returns bleve's offline builder of an index at path with
// the mapping of notes, writing its segments in tmp, for documents made by
// docMaker. It does what bleve.NewBuilder does, whose builder would map
// every document again.
func newShardBuilder(path, tmp string, im *mapping.IndexMappingImpl) (*scorch.Builder, error) {
	if err := im.Validate(); err != nil {
		return nil, err
	}
	mb, err := util.MarshalJSON(im)
	if err != nil {
		return nil, err
	}
	if err := os.Mkdir(path, 0o755); err != nil {
		return nil, err
	}
	// The index's meta file, as bleve writes it for a scorch index.
	if err := os.WriteFile(filepath.Join(path, "index_meta.json"), []byte(`{"storage":"scorch","index_type":"scorch"}`), 0o644); err != nil {
		return nil, err
	}
	return scorch.NewBuilder(map[string]any{
		"path":            filepath.Join(path, "store"),
		"buildPathPrefix": tmp, // beside the index, so that its segments can be renamed into it
		"batchSize":       batchSize,
		"internal":        map[string][]byte{string(util.MappingInternalKey): mb},
	})
}
