package source

import (
	"fmt"
	"maps"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/language"
)

// Settings are the settings of site.yaml.
type Settings struct {
	Title     string
	BaseURL   string // absolute, ends with a slash
	Language  string
	PerPage   int
	SearchURL string
	// SearchOrigins are the origins (https://digest.example.org) whose pages
	// may call a search served elsewhere from a browser: `digest serve`
	// allows them by CORS unless --search-origins is given. "*" for any;
	// none for the search's own origin only.
	SearchOrigins []string
	// Favicon is the path on the site of the icon browsers show for it, a
	// file of content/static/ (/favicon.png); "" for the templates' own,
	// favicon.svg.
	Favicon string
	// Image is the path on the site of the picture that links to the site
	// show where a page has none of its own (og:image), a file of
	// content/static/; "" for the templates' own, og.png. ImageAlt
	// describes it; it is required with Image.
	Image, ImageAlt string
	Limits          Limits
	// License is the licence the site's open data (/data/) is published
	// under, named in its footer and in the data files.
	License License

	faviconPos, imagePos, searchURLPos Pos // where Favicon, Image and SearchURL are set
	// file is site.yaml's path, and baseURLSet whether it gives base_url.
	file       string
	baseURLSet bool
}

// Warnings are what the site's sources leave fit for a preview but not
// for publishing, on the day today: the settings' (Settings.Warnings),
// and notes published after today, which stay first in every feed until
// that day comes.
func (s *Site) Warnings(today time.Time) []string {
	out := s.Settings.Warnings()
	day := calendarDay(today)
	for _, n := range s.Notes {
		if n.Draft || n.Published.IsZero() || !calendarDay(n.Published).After(day) {
			continue
		}
		field, advice := "published", ""
		if n.publishedOnDate {
			field, advice = "date", "; give published: the day the note appears"
		}
		out = append(out, fmt.Sprintf("%s:%d:%d: %s %s is after today, %s: the note stays first in every feed until then%s", n.File, n.PublishedPos.Line, n.PublishedPos.Col, field, n.Published.Format(time.DateOnly), day.Format(time.DateOnly), advice))
	}
	// «Визит.MD» is a file beside the notes, published only if one links
	// it: an editor who saved a note so would never learn why it is missing.
	for _, p := range slices.Sorted(maps.Keys(s.Files)) {
		if f := s.Files[p]; !f.Static() && strings.EqualFold(path.Ext(p), ".md") && !IsNote(p) {
			out = append(out, fmt.Sprintf("%s: not read as a note, as its name ends in %s: a note's name ends in .md, in small letters", p, path.Ext(p)))
		}
	}
	return out
}

// Warnings are what the settings leave fit for a preview but not for
// publishing: without base_url, feeds, the sitemap and canonical links
// point to the preview's address; a search_url of another path than
// SearchPath needs a server in front that routes it.
func (s Settings) Warnings() []string {
	if s.file == "" {
		return nil
	}
	var out []string
	if !s.baseURLSet {
		out = append(out, fmt.Sprintf("%s: base_url is not set: feeds, the sitemap and canonical links point to %s, fit only for a preview; set it to the address the site is published at", s.file, s.BaseURL))
	}
	// `digest serve` answers the results page at /search: another path
	// works only behind a server that sends it there.
	if u, err := url.Parse(s.SearchURL); err == nil && u.Path != SearchPath {
		out = append(out, fmt.Sprintf("%s:%d:%d: search_url %s: digest serve answers searches at %s; readers sent to %s find nothing unless the server in front of it sends that path to %s, and %s.atom to %s.atom",
			s.file, s.searchURLPos.Line, s.searchURLPos.Col, q(s.SearchURL), SearchPath, u.Path, SearchPath, u.Path, SearchPath))
	}
	return out
}

// SearchPath is the path of the results page `digest serve` answers, and
// search_url's unless set otherwise.
const SearchPath = "/search"

// FaviconType is the media type of Favicon, for the icon's link: from its
// extension.
func (s Settings) FaviconType() string {
	switch strings.ToLower(path.Ext(s.Favicon)) {
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".ico":
		return "image/x-icon"
	case ".gif":
		return "image/gif"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".webp":
		return "image/webp"
	case ".avif":
		return "image/avif"
	}
	return ""
}

// Limits bound what one note may cost to read: a note over either is a
// problem that names the limit, never a note read in part. site.yaml sets
// them under limits: (note, front_matter).
type Limits struct {
	// Note is the most bytes a note file may have, front matter and body.
	Note int64
	// FrontMatter is the most bytes its front matter may have.
	FrontMatter int64
	// File is the most bytes a file of content/static/ or an image beside
	// the notes may have: such files are copied as they are.
	File int64
}

// The limits of sizes, in bytes.
const (
	// DefaultNoteLimit is Limits.Note unless site.yaml sets it: far more
	// than a note needs, little enough that rendering stays cheap.
	DefaultNoteLimit = 4 << 20
	// DefaultFrontMatterLimit is Limits.FrontMatter unless site.yaml sets
	// it, again far more than a note needs: decoding YAML or TOML costs
	// many times its size in memory (see BenchmarkParseNoteHostile).
	DefaultFrontMatterLimit = 256 << 10
	// DefaultFileLimit is Limits.File unless site.yaml sets it: a large
	// photograph or a presentation; a video belongs elsewhere.
	DefaultFileLimit = 16 << 20
	// MinLimit and MaxLimit bound the limits site.yaml may set.
	MinLimit = 1 << 10
	MaxLimit = 64 << 20
	// SiteFileLimit is the most bytes site.yaml and each taxonomy file may
	// have; it is fixed, as these files set the other limits.
	SiteFileLimit = 1 << 20
)

// DefaultSettings returns the settings a site.yaml overrides.
func DefaultSettings() Settings {
	return Settings{
		Title:     "Россия — Китай: межрегиональное сотрудничество",
		BaseURL:   "http://localhost:8080/",
		Language:  "ru",
		PerPage:   20,
		SearchURL: SearchPath,
		Limits:    Limits{Note: DefaultNoteLimit, FrontMatter: DefaultFrontMatterLimit, File: DefaultFileLimit},
		License:   Licenses[0],
	}
}

// License is a licence: its short name and the address of its text.
type License struct {
	Name string // CC BY 4.0
	URL  string // absolute
}

// Licenses are the licences site.yaml may name by their name alone; the
// first is the default. Another licence is given with its address:
// license: {name: …, url: …}.
var Licenses = []License{
	{"CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"},
	{"CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"},
	{"CC BY-NC 4.0", "https://creativecommons.org/licenses/by-nc/4.0/"},
	{"CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"},
	{"ODbL 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"},
	{"ODC-By 1.0", "https://opendatacommons.org/licenses/by/1-0/"},
	{"PDDL 1.0", "https://opendatacommons.org/licenses/pddl/1-0/"},
}

// settingNames are the settings of site.yaml, in the contract's order.
const settingNames = "title, base_url, language, per_page, search_url, search_origins, favicon, image, image_alt, limits, license"

// ParseSettings reads site.yaml over the defaults. file names it in errors.
func ParseSettings(file string, data []byte) (Settings, error) {
	s := DefaultSettings()
	s.file = file
	var p problems
	if !validUTF8(&p, file, data) {
		return s, p.err()
	}
	root := parseYAML(&p, file, data, 0)
	if root == nil {
		return s, p.err()
	}
	if root.kind != mapValue {
		p.add(file, root.line, root.col, "site.yaml is a mapping of settings (title: …)")
		return s, p.err()
	}
	for _, f := range root.fields {
		if f.key == "limits" {
			s.Limits = parseLimits(&p, file, f, s.Limits)
			continue
		}
		if f.key == "search_origins" {
			s.SearchOrigins = parseOrigins(&p, file, f)
			continue
		}
		if f.key == "license" {
			s.License = parseLicense(&p, file, f, s.License)
			continue
		}
		v := scalar(&p, file, f)
		switch f.key {
		case "title":
			if v == "" {
				p.add(file, f.val.line, f.val.col, "title is empty: give the site's name, which every page's title and the feeds carry")
				continue
			}
			s.Title = v
		case "base_url":
			if !webAddress(v) {
				p.add(file, f.val.line, f.val.col, "base_url %s: must be an absolute http or https URL", q(v))
				continue
			}
			if !baseURLOK(&p, file, f.val, v) {
				continue
			}
			ascii, ok := asciiHost(&p, file, "base_url", f.val, v)
			if !ok {
				continue
			}
			v = ascii
			if !strings.HasSuffix(v, "/") {
				v += "/"
			}
			s.BaseURL, s.baseURLSet = v, true
		case "language":
			if _, err := language.Parse(v); err != nil || v == "" {
				p.add(file, f.val.line, f.val.col, "language %s: not a language tag, such as ru (BCP 47)", q(v))
				continue
			}
			s.Language = v
		case "per_page":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000 {
				p.add(file, f.val.line, f.val.col, "per_page %s: must be a whole number from 1 to 1000", q(v))
				continue
			}
			s.PerPage = n
		case "search_url":
			if v == "" {
				p.add(file, f.val.line, f.val.col, "search_url must not be empty")
				continue
			}
			if onSite := strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//"); !onSite && !webAddress(v) {
				// Forms and links take only these: html/template makes any
				// other scheme a dead «#ZgotmplZ».
				p.add(file, f.val.line, f.val.col, "search_url %s: give a path on the site (/search) or an http or https URL", q(v))
				continue
			}
			ascii, ok := asciiHost(&p, file, "search_url", f.val, v)
			if !ok {
				continue
			}
			// Pages add the search's own query (and .atom) to search_url.
			// The site's pages end in a slash, its home page is /: a
			// results page there would be one of them.
			u, err := url.Parse(ascii)
			switch {
			case err != nil:
			case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(v, "#"):
				p.add(file, f.val.line, f.val.col, "search_url %s: must have no query (?…) or fragment (#…): pages add the search's own", q(v))
				continue
			case u.Path == "" && u.Host != "":
				p.add(file, f.val.line, f.val.col, "search_url %s: give the results page's path too, such as %s", q(v), q(strings.TrimSuffix(v, "/")+SearchPath))
				continue
			case strings.HasSuffix(u.Path, "/"):
				p.add(file, f.val.line, f.val.col, "search_url %s: give the results page's path, which does not end in a slash as the site's pages do: %s", q(v), SearchPath)
				continue
			}
			s.SearchURL, s.searchURLPos = ascii, Pos{f.val.line, f.val.col}
		case "favicon", "image":
			if !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") {
				p.add(file, f.val.line, f.val.col, "%s %s: give the path on the site of a file of %s/, from /, such as /%s.png", f.key, q(v), StaticDir, f.key)
				continue
			}
			exts := ImageExts
			if f.key == "favicon" {
				exts = append(slices.Clone(exts), ".ico")
			}
			if !imageExt(v, exts...) {
				p.add(file, f.val.line, f.val.col, "%s %s: not a picture; use %s", f.key, q(v), strings.Join(exts, ", "))
				continue
			}
			pos := Pos{f.val.line, f.val.col}
			if f.key == "favicon" {
				s.Favicon, s.faviconPos = v, pos
			} else {
				s.Image, s.imagePos = v, pos
			}
		case "image_alt":
			s.ImageAlt = v
		default:
			p.add(file, f.line, f.col, "unknown setting %s (known: %s)", q(f.key), settingNames)
		}
	}
	if s.Image != "" && strings.TrimSpace(s.ImageAlt) == "" {
		p.add(file, s.imagePos.Line, s.imagePos.Col, "image needs image_alt: a few words that say what the picture shows, for readers who cannot see it")
	}
	if f := root.get("image_alt"); f != nil && s.Image == "" && root.get("image") == nil {
		p.add(file, f.line, f.col, "image_alt without image: it describes the picture that image names")
	}
	return s, p.err()
}

// baseURLOK reports whether v, an absolute http(s) URL, is an address the
// site can be published at, and reports each problem with it at at. Every
// page's address is the base and its path, so it may have no query or
// fragment. Feeds and the sitemap copy it into every address, so it may
// hold no user name or password, and its port must be one a browser can
// open. Pages link from the root of their domain (/2025/…/), so a path
// would give feeds addresses the pages do not have.
func baseURLOK(p *problems, file string, at *value, v string) bool {
	if strings.ContainsAny(v, "?#") {
		p.add(file, at.line, at.col, "base_url %s: must have no query (?…) or fragment (#…): pages' addresses are made by adding their paths to it", q(v))
		return false
	}
	u, err := url.Parse(v)
	if err != nil {
		return false
	}
	// The message shows no password: problems are printed in build logs.
	shown := q(u.Redacted())
	ok := true
	if u.User != nil {
		p.add(file, at.line, at.col, "base_url %s: must have no user name or password (user:password@): feeds and the sitemap would publish them", shown)
		ok = false
	}
	if u.Hostname() == "" {
		p.add(file, at.line, at.col, "base_url %s: must name a host, such as https://digest.example.org/", shown)
		ok = false
	}
	if port := u.Port(); port != "" || strings.HasSuffix(u.Host, ":") {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			p.add(file, at.line, at.col, "base_url %s: port %s is not a port: give one from 1 to 65535, or none", shown, q(port))
			ok = false
		}
	}
	if u.EscapedPath() != "" && u.EscapedPath() != "/" {
		p.add(file, at.line, at.col, "base_url %s: must be the root of a domain, such as https://digest.example.org/: pages link from the root (/2025/…/), so the site is published there", shown)
		ok = false
	}
	return ok
}

// asciiHost returns v, a URL of the setting what, with its host in
// ASCII: an internationalized name (пример.рф) in the form DNS knows
// (xn--e1afmkfd.xn--p1ai), as idna's Lookup profile writes it, and as
// browsers send it in an Origin header. Pages, feeds, the sitemap, the
// calendar, robots.txt and the server's headers all carry the one form
// then; left as written, it was percent-encoded in some of them and raw in
// the others. ok is false, and the problem reported at at, when the host
// is no such name.
func asciiHost(p *problems, file, what string, at *value, v string) (_ string, ok bool) {
	u, err := url.Parse(v)
	if err != nil {
		return v, false
	}
	host := u.Hostname()
	if !strings.ContainsFunc(host, func(r rune) bool { return r >= utf8.RuneSelf }) {
		return v, true
	}
	ascii, err := idna.Lookup.ToASCII(host)
	if err != nil {
		p.add(file, at.line, at.col, "%s %s: host %s is not a domain name that can be written in ASCII (%v): check its spelling", what, q(v), q(host), err)
		return v, false
	}
	if port := u.Port(); port != "" {
		ascii += ":" + port
	}
	u.Host = ascii
	return u.String(), true
}

// parseOrigins reads search_origins: a list of origins, or one, each
// "*" or scheme://host[:port] with nothing after, as a browser sends it in
// its Origin header.
func parseOrigins(p *problems, file string, f field) []string {
	var items []*value
	switch f.val.kind {
	case nullValue:
		return nil
	case scalarValue:
		items = []*value{f.val}
	case listValue:
		items = f.val.list
	default:
		p.add(file, f.val.line, f.val.col, "search_origins is a list of origins: [https://digest.example.org]")
		return nil
	}
	var out []string
	for _, v := range items {
		if v.kind != scalarValue {
			p.add(file, v.line, v.col, "search_origins: each origin is text, such as https://digest.example.org")
			continue
		}
		o := strings.TrimSpace(v.str)
		if o != "*" {
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil ||
				u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(o, "*?#") {
				p.add(file, v.line, v.col, "search_origins %s: not an origin; give scheme://host[:port] with no path, such as https://digest.example.org, or \"*\" for any", q(o))
				continue
			}
			var ok bool
			if o, ok = asciiHost(p, file, "search_origins", v, o); !ok {
				continue
			}
		}
		out = append(out, o)
	}
	return out
}

// parseLicense reads license: the name of one of Licenses (in any case,
// spaces and hyphens as they come), or a mapping of a name and the absolute
// http(s) address of the licence's text.
func parseLicense(p *problems, file string, f field, l License) License {
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
	var names []string
	for _, k := range Licenses {
		names = append(names, k.Name)
	}
	switch f.val.kind {
	case scalarValue:
		v := strings.TrimSpace(f.val.str)
		for _, k := range Licenses {
			if norm(v) == norm(k.Name) {
				return k
			}
		}
		p.add(file, f.val.line, f.val.col, "license %s: not a licence the digest knows (%s); give another as {name: …, url: …}", q(v), strings.Join(names, ", "))
		return l
	case mapValue:
	default:
		p.add(file, f.val.line, f.val.col, "license is a licence's name, such as CC BY 4.0, or {name: …, url: …}")
		return l
	}
	var out License
	for _, lf := range f.val.fields {
		v := scalar(p, file, lf)
		switch lf.key {
		case "name":
			out.Name = v
		case "url":
			if !webAddress(v) {
				p.add(file, lf.val.line, lf.val.col, "license.url %s: must be the absolute http or https address of the licence's text", q(v))
				continue
			}
			out.URL = v
		default:
			p.add(file, lf.line, lf.col, "unknown license field %s (known: name, url)", q(lf.key))
		}
	}
	if out.Name == "" {
		p.add(file, f.val.line, f.val.col, "license needs a name, such as CC BY 4.0")
	}
	if out.URL == "" && f.val.get("url") == nil {
		p.add(file, f.val.line, f.val.col, "license needs the url of the licence's text")
	}
	return out
}

// parseLimits reads the limits: mapping over l.
func parseLimits(p *problems, file string, f field, l Limits) Limits {
	if f.val.kind == nullValue {
		return l
	}
	if f.val.kind != mapValue {
		p.add(file, f.val.line, f.val.col, "limits is a mapping: {note: 4 MB, front_matter: 1 MB, file: 16 MB}")
		return l
	}
	for _, lf := range f.val.fields {
		var dst *int64
		switch lf.key {
		case "note":
			dst = &l.Note
		case "front_matter":
			dst = &l.FrontMatter
		case "file":
			dst = &l.File
		default:
			p.add(file, lf.line, lf.col, "unknown limit %s (known: note, front_matter, file)", q(lf.key))
			continue
		}
		v := scalar(p, file, lf)
		n, ok := parseSize(v)
		if !ok || n < MinLimit || n > MaxLimit {
			p.add(file, lf.val.line, lf.val.col, "limits.%s %s: must be a size from %s to %s, such as 4 MB or 512 KB", lf.key, q(v), FormatSize(MinLimit), FormatSize(MaxLimit))
			continue
		}
		*dst = n
	}
	if l.FrontMatter > l.Note {
		at := f.val.get("front_matter")
		if at == nil {
			at = f.val.get("note")
		}
		p.add(file, at.val.line, at.val.col, "limits.front_matter %s is more than limits.note %s", FormatSize(l.FrontMatter), FormatSize(l.Note))
	}
	return l
}

// parseSize reads a size in bytes: 4194304, 4096 KB or 4 MB (a KB is 1,024
// bytes, an MB 1,024 KB).
func parseSize(s string) (int64, bool) {
	unit := int64(1)
	num := strings.TrimSpace(s)
	for _, u := range []struct {
		suffix string
		bytes  int64
	}{{"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, unit = strings.TrimSpace(n), u.bytes
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > MaxLimit {
		return 0, false
	}
	return n * unit, true
}

// FormatSize writes a size as site.yaml's limits read it (parseSize) when it is a whole number
// of MB or KB, and to a tenth of the largest unit it reaches otherwise.
func FormatSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// URL returns the absolute URL of a site path such as /2025/x/.
func (s Settings) URL(path string) string {
	return strings.TrimSuffix(s.BaseURL, "/") + path
}

// FileURL returns the absolute URL of the path of a file on the site, which
// may hold any character (/фото 1.jpg), %-escaped as a URL needs.
func (s Settings) FileURL(p string) string {
	return s.URL((&url.URL{Path: p}).EscapedPath())
}
