package source

import (
	"slices"
	"strings"
	"testing"
)

func TestLicense(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       License
		err        string // part of the error; "" for none
	}{
		{"default", "title: x\n", License{"CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"}, ""},
		{"known", "license: CC BY-SA 4.0\n", License{"CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"}, ""},
		{"known in another case", "license: 'cc0  1.0'\n", License{"CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"}, ""},
		{"own", "license: {name: Открытая лицензия, url: https://example.org/license}\n", License{"Открытая лицензия", "https://example.org/license"}, ""},
		{"own, block", "license:\n  name: X\n  url: http://example.org/x\n", License{"X", "http://example.org/x"}, ""},
		{"unknown name", "title: x\nlicense: MIT\n", License{}, `site.yaml:2:10: license "MIT": not a licence the digest knows (CC BY 4.0,`},
		{"no url", "license: {name: X}\n", License{}, "site.yaml:1:10: license needs the url of the licence's text"},
		{"no name", "license: {url: https://example.org/x}\n", License{}, "site.yaml:1:10: license needs a name"},
		{"relative url", "license:\n  name: X\n  url: /license/\n", License{}, `site.yaml:3:8: license.url "/license/": must be the absolute http or https address`},
		{"unknown field", "license: {name: X, url: https://example.org/x, year: 2025}\n", License{}, `unknown license field "year" (known: name, url)`},
		{"list", "license: [CC BY 4.0]\n", License{}, "site.yaml:1:10: license is a licence's name"},
		{"empty", "license:\n", License{}, "license is a licence's name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSettings("site.yaml", []byte(tt.yaml))
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if s.License != tt.want {
					t.Errorf("License = %+v, want %+v", s.License, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("err = %v, want %q", err, tt.err)
			}
		})
	}
}

// TestSettingsURLs: base_url and search_url are addresses pages can be
// made with; anything else is an error at the setting.
func TestSettingsURLs(t *testing.T) {
	for _, tt := range []struct {
		yaml string
		err  string // part of the error; "" for none
	}{
		{"base_url: https://example.org\n", ""},
		{"base_url: https://digest.example.org:8443/\n", ""},
		{"base_url: https://example.org/digest\n", `site.yaml:1:11: base_url "https://example.org/digest": must be the root of a domain, such as https://digest.example.org/: pages link from the root (/2025/…/), so the site is published there`},
		{"base_url: https://user:pw@digest.example.org:99999/sub\n", `site.yaml:1:11: base_url "https://user:xxxxx@digest.example.org:99999/sub": must have no user name or password (user:password@): feeds and the sitemap would publish them
site.yaml:1:11: base_url "https://user:xxxxx@digest.example.org:99999/sub": port "99999" is not a port: give one from 1 to 65535, or none
site.yaml:1:11: base_url "https://user:xxxxx@digest.example.org:99999/sub": must be the root of a domain`},
		{"base_url: https://digest.example.org:0/\n", `port "0" is not a port`},
		{"base_url: 'https://digest.example.org:/'\n", `port "" is not a port`},
		{"base_url: 'https://:443/'\n", "must name a host"},
		{"base_url: https://example.org/digest?x=1\n", `site.yaml:1:11: base_url "https://example.org/digest?x=1": must have no query`},
		{"base_url: 'https://example.org/#top'\n", "must have no query (?…) or fragment (#…)"},
		{"base_url: /digest/\n", "must be an absolute http or https URL"},
		{"search_url: /search\n", ""},
		{"search_url: https://search.example.org/search\n", ""},
		{"search_url: 'javascript:alert(1)//'\n", `site.yaml:1:13: search_url "javascript:alert(1)//": give a path on the site (/search) or an http or https URL`},
		{"search_url: 'data:text/html,x'\n", "give a path on the site"},
		{"search_url: //evil.example/search\n", "give a path on the site"},
		{"search_url: search\n", "give a path on the site"},
		{"search_url: 'https:'\n", "give a path on the site"},
		{"search_url: /\n", `site.yaml:1:13: search_url "/": give the results page's path, which does not end in a slash as the site's pages do: /search`},
		{"search_url: /search/\n", "does not end in a slash"},
		{"search_url: https://search.example.org\n", `search_url "https://search.example.org": give the results page's path too, such as "https://search.example.org/search"`},
		{"search_url: https://search.example.org/\n", "does not end in a slash"},
		{"search_url: /search?x=1\n", `search_url "/search?x=1": must have no query (?…) or fragment (#…)`},
		{"search_url: '/search#top'\n", "must have no query"},
		{"search_url: /search?\n", "must have no query"},
		// The site's name and language, which every page carries.
		{"title: Дайджест\nlanguage: ru-RU\n", ""},
		{"title: ''\n", `site.yaml:1:8: title is empty: give the site's name`},
		{"title:\n", "title is empty"},
		{"language: xx-?\n", `site.yaml:1:11: language "xx-?": not a language tag, such as ru (BCP 47)`},
		{"language: ''\n", "not a language tag"},
		{"language: xx\n", "not a language tag"},
	} {
		_, err := ParseSettings("site.yaml", []byte(tt.yaml))
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%q: %v", tt.yaml, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%q: err = %v, want %q", tt.yaml, err, tt.err)
		}
	}
}

// TestBaseURLHost: a base_url's host is read in ASCII, an internationalized
// name as DNS knows it, so that every page and file spells it alike; a host
// that is no such name is an error at the setting.
func TestBaseURLHost(t *testing.T) {
	for _, tt := range []struct {
		yaml string
		base string // the base URL read, or "" for an error
		err  string
	}{
		{"base_url: https://example.org\n", "https://example.org/", ""},
		{"base_url: https://пример.рф/\n", "https://xn--e1afmkfd.xn--p1ai/", ""},
		{"base_url: https://Дайджест.Пример.РФ:8443\n", "https://xn--80ahbeeq3di.xn--e1afmkfd.xn--p1ai:8443/", ""},
		{"base_url: https://%D0%BF%D1%80%D0%B8%D0%BC%D0%B5%D1%80.%D1%80%D1%84/\n", "https://xn--e1afmkfd.xn--p1ai/", ""},
		{"base_url: https://xn--e1afmkfd.xn--p1ai/\n", "https://xn--e1afmkfd.xn--p1ai/", ""},
		{"base_url: https://-пример.рф/\n", "", `site.yaml:1:11: base_url "https://-пример.рф/": host "-пример.рф" is not a domain name that can be written in ASCII (idna: invalid label "-пример"): check its spelling`},
	} {
		s, err := ParseSettings("site.yaml", []byte(tt.yaml))
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%q: %v", tt.yaml, err)
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("%q: err = %v, want %q", tt.yaml, err, tt.err)
		case tt.base != "" && s.BaseURL != tt.base:
			t.Errorf("%q: base URL %q, want %q", tt.yaml, s.BaseURL, tt.base)
		}
	}
}

// TestSearchHosts: search_url and search_origins on an internationalized
// host are read in ASCII too, so that they match base_url's host and the
// Origin header browsers send.
func TestSearchHosts(t *testing.T) {
	s, err := ParseSettings("site.yaml", []byte("base_url: https://пример.рф/\nsearch_url: https://пример.рф/поиск\nsearch_origins: [https://пример.рф, 'http://localhost:8080', '*']\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://xn--e1afmkfd.xn--p1ai/%D0%BF%D0%BE%D0%B8%D1%81%D0%BA"; s.SearchURL != want {
		t.Errorf("search_url %q, want %q", s.SearchURL, want)
	}
	if want := []string{"https://xn--e1afmkfd.xn--p1ai", "http://localhost:8080", "*"}; !slices.Equal(s.SearchOrigins, want) {
		t.Errorf("search_origins %q, want %q", s.SearchOrigins, want)
	}
	_, err = ParseSettings("site.yaml", []byte("search_origins: [https://-пример.рф]\n"))
	if want := `site.yaml:1:18: search_origins "https://-пример.рф": host "-пример.рф" is not a domain name that can be written in ASCII (idna: invalid label "-пример"): check its spelling`; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

// TestSettingsWarnings: a site.yaml without base_url builds, for a preview,
// with a warning that its feeds and sitemap point to the preview's address;
// a search_url whose path `digest serve` does not answer builds with one.
func TestSettingsWarnings(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{"title: Т\n", "content/site.yaml: base_url is not set: feeds, the sitemap and canonical links point to http://localhost:8080/, fit only for a preview"},
		{"", "content/site.yaml: base_url is not set"},
		{"title: Т\nbase_url: https://digest.example.org\n", ""},
		// A results page elsewhere than where `digest serve` answers it.
		{"base_url: https://digest.example.org\nsearch_url: /поиск\n", "content/site.yaml:2:13: search_url \"/поиск\": digest serve answers searches at /search; readers sent to /поиск find nothing unless the server in front of it sends that path to /search, and /поиск.atom to /search.atom"},
		{"base_url: https://digest.example.org\nsearch_url: https://search.example.org/find\n", "content/site.yaml:2:13: search_url \"https://search.example.org/find\": digest serve answers searches at /search; readers sent to /find"},
		{"base_url: https://digest.example.org\nsearch_url: https://search.example.org/search\n", ""},
	} {
		s, err := ParseSettings("content/site.yaml", []byte(tt.yaml))
		if err != nil {
			t.Fatalf("%q: %v", tt.yaml, err)
		}
		got := strings.Join(s.Warnings(), "\n")
		if tt.want == "" && got != "" || !strings.HasPrefix(got, tt.want) {
			t.Errorf("%q: warnings %q, want %q", tt.yaml, got, tt.want)
		}
	}
}
