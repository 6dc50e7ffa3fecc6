package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/rs/cors"
)

// corsMaxAge is how long, in seconds, a browser may keep a preflight's
// answer: an hour, as origins change only with the server's settings.
const corsMaxAge = 3600

// normalOrigins returns origins as a browser writes them in its Origin
// header, lowercase and without a default port, or an error naming the
// first entry that is neither "*" nor an origin: a scheme, http or https,
// and a host with an optional port, nothing else. rs/cors would take
// "https://*.example.org" as a pattern; here a wildcard is all or nothing,
// so that a typo cannot open the search to more sites than the operator
// named.
func normalOrigins(origins []string) ([]string, error) {
	var out []string
	for _, o := range origins {
		if o == "*" {
			out = append(out, o)
			continue
		}
		if why := originProblem(o); why != "" {
			return nil, fmt.Errorf("server: Origins: %q is not an origin (scheme://host[:port], or \"*\" for any): %s", o, why)
		}
		o = strings.ToLower(o)
		if u, _ := url.Parse(o); u.Port() == "80" && u.Scheme == "http" || u.Port() == "443" && u.Scheme == "https" {
			o = strings.TrimSuffix(o, ":"+u.Port())
		}
		out = append(out, o)
	}
	return out, nil
}

// originProblem says what makes o not an origin, or "" when it is one.
func originProblem(o string) string {
	if strings.Contains(o, "*") {
		return "a wildcard stands alone"
	}
	u, err := url.Parse(o)
	switch {
	case err != nil:
		return "it does not parse"
	case u.Scheme != "http" && u.Scheme != "https":
		return "its scheme is not http or https"
	case u.Host == "" || u.Hostname() == "":
		return "it has no host"
	case u.User != nil:
		return "it has a user"
	case u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(o, "?") || strings.HasSuffix(o, "#"):
		return "it has more than scheme, host and port (a browser sends no path, not even a slash)"
	case u.Port() == "" && strings.HasSuffix(u.Host, ":"):
		return "its port is empty"
	}
	return ""
}

// searchOnlyCSP is the Content-Security-Policy of a server of the search
// alone, with origins normalised: its pages may take their styles, scripts and images from the
// origins of the site's pages, where those files are. "*" adds nothing:
// the operator named no origin to trust with scripts.
func searchOnlyCSP(origins []string) string {
	var extra string
	for _, o := range origins {
		if o != "*" {
			extra += " " + o
		}
	}
	if extra == "" {
		return CSP
	}
	return "default-src 'self'" + extra + "; img-src 'self' data:" + extra + "; style-src 'self'" + extra +
		"; script-src 'self'" + extra + "; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
}

// originSet are the origins, normalised, whose pages may read the search's
// answers, with what serves them.
type originSet struct {
	list []string
	// cors adds the CORS headers and answers preflights; nil for no
	// origins.
	cors *cors.Cors
	// csp is the Content-Security-Policy of a server of the search alone
	// (searchOnlyCSP).
	csp string
}

func newOrigins(list []string) *originSet {
	o := &originSet{list: list, csp: searchOnlyCSP(list)}
	if len(list) > 0 {
		o.cors = cors.New(cors.Options{
			AllowedOrigins: list,
			AllowedMethods: []string{http.MethodGet, http.MethodHead},
			ExposedHeaders: []string{"Retry-After", "ETag"},
			MaxAge:         corsMaxAge,
		})
	}
	return o
}

// liveOrigins are those of Config.OriginsNow, made once for each list it
// returns.
type liveOrigins struct {
	from func() []string
	log  *slog.Logger
	last atomic.Pointer[madeOrigins]
}

// madeOrigins are the origins made of a list OriginsNow returned.
type madeOrigins struct {
	raw  []string
	made *originSet
}

// now returns the origins as from gives them now: made again only when
// the list is another, read without a lock on the search's every answer.
func (l *liveOrigins) now() *originSet {
	raw := l.from()
	if last := l.last.Load(); last != nil && slices.Equal(raw, last.raw) {
		return last.made
	}
	list, err := normalOrigins(raw)
	if err != nil {
		l.log.Error("search origins of the site's settings", "err", err)
	}
	made := &madeOrigins{raw: slices.Clone(raw), made: newOrigins(list)}
	l.last.Store(made)
	return made.made
}
