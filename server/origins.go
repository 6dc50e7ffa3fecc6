package server

import (
	"fmt"
	"net/url"
	"strings"
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
