package search

import (
	"strconv"
	"unicode/utf8"
)

// The answers of /api/search are written by hand rather than by
// encoding/json, whose reflection was an eighth of a search's time: the
// bytes are the same as json.Marshal's with HTML escaping off (see
// TestAppendJSON), and nothing here can fail.

func (r *apiResult) appendJSON(b []byte) []byte {
	b = append(b, `{"query":`...)
	b = appendJSONString(b, r.Query)
	b = append(b, `,"total":`...)
	b = strconv.AppendInt(b, int64(r.Total), 10)
	b = append(b, `,"took_ms":`...)
	b = appendJSONFloat(b, r.TookMS)
	b = append(b, `,"page":`...)
	b = strconv.AppendInt(b, int64(r.Page), 10)
	b = append(b, `,"per_page":`...)
	b = strconv.AppendInt(b, int64(r.PerPage), 10)
	b = append(b, `,"hits":`...)
	if r.Hits == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range r.Hits {
			if i > 0 {
				b = append(b, ',')
			}
			b = r.Hits[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	b = append(b, `,"facets":{"regions":`...)
	b = appendFacets(b, r.Facets.Regions)
	b = append(b, `,"sectors":`...)
	b = appendFacets(b, r.Facets.Sectors)
	b = append(b, `,"kinds":`...)
	b = appendFacets(b, r.Facets.Kinds)
	b = append(b, `,"years":`...)
	b = appendFacets(b, r.Facets.Years)
	return append(b, "}}\n"...)
}

func (h *apiHit) appendJSON(b []byte) []byte {
	b = append(b, `{"url":`...)
	b = appendJSONString(b, h.URL)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, h.Title)
	b = append(b, `,"date":`...)
	b = appendJSONString(b, h.Date)
	b = append(b, `,"end":`...)
	if h.End == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, *h.End)
	}
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, h.Kind)
	b = append(b, `,"regions":`...)
	b = appendJSONStrings(b, h.Regions)
	b = append(b, `,"sectors":`...)
	b = appendJSONStrings(b, h.Sectors)
	b = append(b, `,"snippet":`...)
	b = appendJSONString(b, h.Snippet)
	b = append(b, `,"score":`...)
	b = appendJSONFloat(b, h.Score)
	return append(b, '}')
}

func appendFacets(b []byte, fs []apiFacet) []byte {
	if fs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, f := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"slug":`...)
		b = appendJSONString(b, f.Slug)
		b = append(b, `,"name":`...)
		b = appendJSONString(b, f.Name)
		b = append(b, `,"count":`...)
		b = strconv.AppendInt(b, int64(f.Count), 10)
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendJSONStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONFloat writes f as encoding/json does: the shortest form that
// reads back as f, with an exponent only for very small or large values.
// Scores and times are finite; NaN and infinities, which JSON cannot
// hold, are written as 0.
func appendJSONFloat(b []byte, f float64) []byte {
	if f != f || f > 1.7976931348623157e308 || f < -1.7976931348623157e308 {
		return append(b, '0')
	}
	abs := f
	if abs < 0 {
		abs = -abs
	}
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// needsEscape marks the ASCII bytes that a JSON string cannot hold as they
// are.
var needsEscape = func() (t [utf8.RuneSelf]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string as encoding/json does with
// HTML escaping off: quotes, backslashes and control characters escaped,
// U+2028 and U+2029 too (JavaScript reads them as line ends), invalid
// UTF-8 as U+FFFD; everything else as it is.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !needsEscape[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		if c >= 0xC2 && c <= 0xDF && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			i += 2 // two bytes, as Cyrillic letters are: never escaped
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
