package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/coopdigest/digest/search"
)

func runSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("search", "[-s SITE] [-d OUT] [--json] [--region R]… [--sector S]… [--kind K]… [--from D] [--to D] [--sort relevance|date] [--page N] [--per-page N] [QUERY]", stdout, stderr)
	site := fs.String("s", ".", "site folder (for the default OUT)")
	out := fs.String("d", "", "built site whose index to search (default SITE/public); it holds the names of regions, sectors and kinds")
	asJSON := fs.Bool("json", false, "print the result as JSON, as /api/search answers")
	v := url.Values{}
	for _, name := range []string{"region", "sector", "kind"} {
		fs.Func(name, "only notes with this "+name+": a slug, a name or an alias (repeatable)", func(s string) error {
			v.Add(name, s)
			return nil
		})
	}
	for _, p := range []struct{ flag, param, usage string }{
		{"from", "from", "only events from this day, YYYY-MM-DD"},
		{"to", "to", "only events up to this day, YYYY-MM-DD"},
		{"sort", "sort", "relevance or date (default: relevance with a query, date without)"},
		{"page", "page", "page of hits to print (default 1)"},
		{"per-page", "per_page", "hits per page, 1 to 100 (default 20)"},
	} {
		fs.Func(p.flag, p.usage, func(s string) error {
			v.Set(p.param, s)
			return nil
		})
	}
	if err := parseFlags(fs, interspersed(fs, args)); err != nil {
		return err
	}
	v.Set("q", strings.Join(fs.Args(), " "))
	if *site == "" {
		return usageError{"search: -s: give the site folder, or leave -s out for the current one"}
	}
	if *out == "" && flagSet(fs, "d") {
		return usageError{"search: -d: give the built site's folder, or leave -d out for SITE/public"}
	}
	if *out == "" {
		*out = filepath.Join(*site, "public")
	}

	dir := filepath.Join(*out, search.DirName)
	ix, err := search.Open(dir)
	if errors.Is(err, search.ErrNoIndex) {
		return fmt.Errorf("digest search: %v; run %s first", err, buildHint(*site, *out))
	}
	if err != nil {
		return fmt.Errorf("digest search: %w", err)
	}
	defer ix.Close()
	tax := &ix.Site().Taxonomies
	q, err := search.ParseRequest(v, tax)
	if err != nil {
		var pe *search.ParamError
		if errors.As(err, &pe) {
			return usageError{fmt.Sprintf("search: %s", strings.Replace(pe.Error(), "per_page", "per-page", 1))}
		}
		return err
	}
	res, err := ix.Search(ctx, q)
	if err != nil {
		return fmt.Errorf("digest search: %w", err)
	}
	if *asJSON {
		return search.EncodeJSON(stdout, res, tax)
	}
	for _, h := range res.Hits {
		if _, err := fmt.Fprintf(stdout, "%s  %s  %s\n", h.Date.Format(time.DateOnly), h.URL, h.Title); err != nil {
			return err
		}
	}
	first := (res.Query.Page-1)*res.Query.PerPage + 1
	switch {
	case len(res.Hits) == 0 && res.Total == 0:
		fmt.Fprintln(stderr, "no notes found")
	case len(res.Hits) == 0:
		fmt.Fprintf(stderr, "no hits on page %d: %d notes found\n", res.Query.Page, res.Total)
	default:
		fmt.Fprintf(stderr, "%d–%d of %d notes found in %.1f ms\n", first, first+len(res.Hits)-1, res.Total, float64(res.Took.Microseconds())/1000)
	}
	if len(res.Ignored) > 0 {
		fmt.Fprintf(stderr, "not searched for, as stop words or words of more than 100 letters: «%s»\n", strings.Join(res.Ignored, "», «"))
	}
	if res.Layout != "" {
		fmt.Fprintf(stderr, "nothing found as typed: searched as «%s», the same keys in the other keyboard layout\n", res.Layout)
	}
	if len(res.Missing) > 0 {
		fmt.Fprintf(stderr, "nothing found as typed: searched without «%s», which no note has\n", strings.Join(res.Missing, "», «"))
	}
	return nil
}

// isASCIIWord reports whether s is made of ASCII letters, digits and
// hyphens, as flag names are.
func isASCIIWord(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return s != ""
}

// interspersed moves the flags in args before the other arguments, so that
// `digest search выставка --region guangdong` works as well as with the
// flags first: Go's flag package stops at the first argument that is not a
// flag. After "--" everything is an argument; so is a "-word" that is no
// flag and not written in Latin letters (an excluded word of the query).
func interspersed(fs *flag.FlagSet, args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			rest = append(rest, a)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		if f == nil && !strings.HasPrefix(a, "--") && !isASCIIWord(name) {
			// -ёлочные excludes a word from the query.
			rest = append(rest, a)
			continue
		}
		flags = append(flags, a)
		if f == nil || hasValue {
			continue // an unknown flag is reported by parsing
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return append(append(flags, "--"), rest...)
}
