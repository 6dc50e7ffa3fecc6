package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/coopdigest/digest/build"
	"github.com/coopdigest/digest/source"
)

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", "[-s SITE]", stdout, stderr)
	site := fs.String("s", ".", "site folder holding content/")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("check takes no arguments, got %q", fs.Args())}
	}
	if err := siteFolder(*site); err != nil {
		return err
	}
	start := time.Now()
	tuneGC()
	// Every problem at once: the notes' front matter does not hide their
	// Markdown's, nor the templates'.
	var problems source.Errors
	src, err := build.Check(*site)
	if err != nil && (src == nil || !errors.As(err, &problems)) {
		return err
	}
	// What the build would refuse in the notes' Markdown too, in the
	// templates and in where files go, and what it would warn of.
	warnings, err := build.CheckAll(ctx, *site, src, problems)
	if err != nil {
		return err
	}
	// Names that may be one person or organization written two ways, and
	// words of Latin and Cyrillic letters that look alike.
	warnings = append(warnings, source.NameWarnings(src)...)
	warnings = append(warnings, source.ScriptWarnings(src)...)
	warnings = append(src.Warnings(time.Now()), warnings...)
	for _, w := range warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	if len(warnings) > 0 {
		fmt.Fprintf(stderr, "checked %s in %.2f s: no problems, %d %s\n", src, time.Since(start).Seconds(), len(warnings), plural(len(warnings), "warning", "warnings"))
		return nil
	}
	fmt.Fprintf(stderr, "checked %s in %.2f s: no problems\n", src, time.Since(start).Seconds())
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
