package source

import (
	"net/url"
	"strconv"
	"strings"
)

// Settings are the settings of site.yaml.
type Settings struct {
	Title     string
	BaseURL   string // absolute, ends with a slash
	Language  string
	PerPage   int
	SearchURL string
}

// DefaultSettings returns the settings a site.yaml overrides.
func DefaultSettings() Settings {
	return Settings{
		Title:     "Россия — Китай: межрегиональное сотрудничество",
		BaseURL:   "http://localhost:8080/",
		Language:  "ru",
		PerPage:   20,
		SearchURL: "/search",
	}
}

// ParseSettings reads site.yaml over the defaults. file names it in errors.
func ParseSettings(file string, data []byte) (Settings, error) {
	s := DefaultSettings()
	root, err := parseYAML(file, data, 0)
	if err != nil {
		return s, err
	}
	var p problems
	if root.kind != mapValue {
		p.add(file, root.line, root.col, "site.yaml is a mapping of settings (title: …)")
		return s, p.err()
	}
	for _, f := range root.fields {
		v := scalar(&p, file, f)
		switch f.key {
		case "title":
			s.Title = v
		case "base_url":
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				p.add(file, f.val.line, f.val.col, "base_url %q: must be an absolute http or https URL", v)
				continue
			}
			if !strings.HasSuffix(v, "/") {
				v += "/"
			}
			s.BaseURL = v
		case "language":
			s.Language = v
		case "per_page":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000 {
				p.add(file, f.val.line, f.val.col, "per_page %q: must be a whole number from 1 to 1000", v)
				continue
			}
			s.PerPage = n
		case "search_url":
			if v == "" {
				p.add(file, f.val.line, f.val.col, "search_url must not be empty")
				continue
			}
			s.SearchURL = v
		default:
			p.add(file, f.line, f.col, "unknown setting %q (known: title, base_url, language, per_page, search_url)", f.key)
		}
	}
	return s, p.err()
}

// URL returns the absolute URL of a site path such as /2025/x/.
func (s Settings) URL(path string) string {
	return strings.TrimSuffix(s.BaseURL, "/") + path
}
