package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/coopdigest/digest/source"
)

func runNew(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("new", "[-s SITE] [--date D] [--kind K] [--region R]… [--sector S]… TITLE", stdout, stderr)
	site := fs.String("s", ".", "site folder holding content/")
	date := fs.String("date", "", "the day of the event, YYYY-MM-DD (default today)")
	kind := fs.String("kind", "", `kind of event: slug, name or alias (default "other", where the site has that kind)`)
	var regions, sectors repeated
	fs.Var(&regions, "region", "a region the note names: slug, name or alias; repeat for more (at least one)")
	fs.Var(&sectors, "sector", "a sector: slug, name or alias; repeat for more")
	words, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := siteFolder(*site); err != nil {
		return err
	}

	spec := source.NoteSpec{Title: strings.Join(words, " "), Kind: *kind, Regions: regions, Sectors: sectors}
	if spec.Title == "" {
		mistakeUsage(fs)
		return usageError{"a title is required: digest new [flags] TITLE"}
	}
	if len(regions) == 0 {
		mistakeUsage(fs)
		return usageError{"--region: " + source.ErrNoRegion.Error()}
	}
	if *date != "" {
		d, err := source.ParseDateParam(*date)
		if err != nil {
			return usageError{"--date: " + err.Error()}
		}
		// Checked here too: Scaffold takes the zero day, 0001-01-01, for
		// none given, and would write today's.
		if !source.YearInRange(d.Year()) {
			return usageError{fmt.Sprintf("--date: %s: year out of range (%d to %d)", *date, source.FirstYear, source.LastYear)}
		}
		spec.Date = d
	} else {
		now := time.Now()
		spec.Date = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	}

	root, err := os.OpenRoot(*site)
	if err != nil {
		return err
	}
	defer root.Close()
	fsys := root.FS()
	src, err := source.LoadSettings(fsys)
	if err != nil {
		return err
	}
	note, err := source.Scaffold(src, spec)
	if err != nil {
		return flagErrors(err)
	}
	file := filepath.Join(*site, filepath.FromSlash(note.File))
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("%s already exists; give another title or edit it", file)
	}
	taken, err := source.NotesAt(fsys, note.URL)
	if err != nil {
		return err
	}
	if len(taken) > 0 {
		return fmt.Errorf("%s already has the URL %s; give another title", filepath.Join(*site, filepath.FromSlash(taken[0])), note.URL)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := create(root, note.File, file, note.Data); err != nil {
		return err
	}
	fmt.Fprintln(stdout, file)
	return nil
}

// create writes a new file, name in root (file, as the reader names it),
// never over an existing one, nor outside root through a symbolic link.
func create(root *os.Root, name, file string, data []byte) error {
	name = filepath.FromSlash(name)
	if err := root.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		// A folder on the way may be a link out of the site.
		return fmt.Errorf("%s: cannot write it inside the site folder (%w)", file, err)
	}
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s already exists; give another title or edit it", file)
	}
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		root.Remove(name) // a partial note would fail every check
		return err
	}
	return nil
}

// flagErrors names the flag behind each problem Scaffold reports:
// --region: unknown region "Хабаровск"; did you mean …?
func flagErrors(err error) error {
	flags := map[string]string{"title": "TITLE", "date": "--date", "kind": "--kind", "regions": "--region", "sectors": "--sector"}
	var errs []error
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	} else {
		errs = []error{err}
	}
	var lines []string
	for _, e := range errs {
		var se *source.SpecError
		if !errors.As(e, &se) {
			return err
		}
		lines = append(lines, flags[se.Field]+": "+se.Err.Error())
	}
	return usageError{strings.Join(lines, "\n")}
}

// parseInterspersed parses flags that may come before, between and after
// the words of the title, which the flag package alone stops at; "--" ends
// the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var words []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return words, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(words, rest...), nil
		}
		words, args = append(words, rest[0]), rest[1:]
	}
}

// repeated is a flag that may be given more than once.
type repeated []string

func (r *repeated) String() string { return strings.Join(*r, ", ") }

func (r *repeated) Set(s string) error {
	*r = append(*r, s)
	return nil
}
