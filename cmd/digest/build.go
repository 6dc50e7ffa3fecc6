package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/coopdigest/digest/build"
)

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("build", "[-s SITE] [-o OUT] [--drafts] [-v] [--cpuprofile FILE] [--memprofile FILE]", stderr)
	site := fs.String("s", ".", "site folder holding content/ and, optionally, templates/")
	out := fs.String("o", "", "output folder (default SITE/public); replaced whole, so it must be missing, empty or an earlier output of digest")
	drafts := fs.Bool("drafts", false, "publish notes marked draft: true")
	verbose := fs.Bool("v", false, "log the time of each stage")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the build to `FILE`, for go tool pprof")
	memProfile := fs.String("memprofile", "", "write to `FILE` a heap profile of the build at its largest live heap (looked at every half second), for go tool pprof")
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
	tuneGC()
	if isTerminal(stderr) {
		cfg.Progress = stderr
	}
	prof, err := startProfiles(*cpuProfile, *memProfile)
	if err != nil {
		return fmt.Errorf("digest build: %w", err)
	}
	res, err := build.Build(ctx, cfg)
	if perr := prof.finish(stderr); perr != nil {
		fmt.Fprintln(stderr, "digest build: warning:", perr)
	}
	if err != nil {
		if errors.As(err, new(*build.OutError)) {
			return fmt.Errorf("digest build: %w", err)
		}
		return err
	}
	// OUT holds the new site: what went wrong after is a warning, and the
	// exit status is 0.
	for _, w := range res.Warnings {
		fmt.Fprintln(stderr, "digest build: warning:", w)
	}
	fmt.Fprintln(stderr, res.Summary(cfg.OutDir()))
	return nil
}

// tuneGC gives the collector a soft memory limit of half the machine's
// memory (unless GOMEMLIMIT is set), so that it works harder before a large
// site could exhaust it. GOGC stays as the environment says: a build holds
// only what the pages and index batches being written need (see
// build.Build), and a higher GOGC, which trades memory for fewer
// collections, made builds bigger several times over and no faster
// (docs/BENCHMARKS.md).
func tuneGC() {
	if os.Getenv("GOMEMLIMIT") == "" {
		if total := totalMemory(); total > 0 {
			debug.SetMemoryLimit(int64(total / 2))
		}
	}
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
