package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/coopdigest/digest/build"
)

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("build", "[-s SITE] [-o OUT] [--drafts]", stderr)
	site := fs.String("s", ".", "site folder holding content/ and, optionally, templates/")
	out := fs.String("o", "", "output folder (default SITE/public)")
	drafts := fs.Bool("drafts", false, "publish notes marked draft: true")
	verbose := fs.Bool("v", false, "log the time of each stage")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("build takes no arguments, got %q", fs.Args())}
	}
	cfg := build.Config{Site: *site, Out: *out, Drafts: *drafts}
	if *verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	// A build is short-lived and memory is plentiful next to its output:
	// collect garbage less often.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if isTerminal(stderr) {
		cfg.Progress = stderr
	}
	res, err := build.Build(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, res.Summary(cfg.OutDir()))
	return nil
}

// isTerminal reports whether w is a terminal, where progress may be shown.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
