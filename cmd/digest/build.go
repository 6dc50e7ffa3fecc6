package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/coopdigest/digest/build"
)

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("build", "[-s SITE] [-o OUT] [--drafts] [-v] [--cpuprofile FILE] [--memprofile FILE]", stdout, stderr)
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
	if err := siteFolder(*site); err != nil {
		return err
	}
	if *out == "" && flagSet(fs, "o") {
		return usageError{"-o: give the output folder, or leave -o out for SITE/public"}
	}
	if *cpuProfile != "" && *cpuProfile == *memProfile {
		return usageError{fmt.Sprintf("--cpuprofile and --memprofile: both %s; give each its own file", *cpuProfile)}
	}
	cfg := build.Config{Site: *site, Out: *out, Drafts: *drafts}
	for _, f := range []struct{ flag, file string }{{"cpuprofile", *cpuProfile}, {"memprofile", *memProfile}} {
		if f.file != "" && build.Within(cfg.OutDir(), f.file) {
			return usageError{fmt.Sprintf("--%s %s: inside OUT (%s), which the build replaces whole; write it elsewhere", f.flag, f.file, cfg.OutDir())}
		}
		// A profile among the sources would be read as one.
		for _, dir := range []string{"content", "templates"} {
			if d := filepath.Join(*site, dir); f.file != "" && build.Within(d, f.file) {
				return usageError{fmt.Sprintf("--%s %s: inside %s, among the site's sources, which the next build would read; write it elsewhere", f.flag, f.file, d)}
			}
		}
	}
	if *verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	tuneGC()
	defer followMemory(buildGCPercent)()
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
	for _, w := range append(res.Source.Warnings(time.Now()), res.Warnings...) {
		fmt.Fprintln(stderr, "digest build: warning:", w)
	}
	fmt.Fprintln(stderr, res.Summary(cfg.OutDir()))
	return nil
}

// tuneGC gives the collector a soft memory limit of half the machine's
// memory (unless GOMEMLIMIT is set), so that it works harder before a large
// site could exhaust it. A build then lowers it as followMemory says: a
// higher GOGC alone, which trades memory for fewer collections, made
// builds bigger several times over and no faster (docs/BENCHMARKS.md).
func tuneGC() {
	if os.Getenv("GOMEMLIMIT") == "" {
		if total := totalMemory(); total > 0 {
			debug.SetMemoryLimit(int64(total / 2))
		}
	}
}

// followMemory keeps the build's resident memory under memoryBudget where
// its live heap allows, until the returned function is called; unless
// GOMEMLIMIT is set. Every limitEvery it sets the collector's soft memory
// limit to the budget less the files mapped into memory (bleve maps the
// index segments it merges, up to a whole shard, and they count in the
// process's resident memory), but never below twice the live heap, so
// that a large site's build collects no more often than Go's default
// would (GOGC=100). Unless GOGC is set, or percent is negative, the
// collector's own goal is percent meanwhile: buildGCPercent, higher than
// the default, lets a build collect less often than by default under the
// limit, which, not the live heap's size, bounds its memory. A fixed limit alone would leave the files to
// push a build past it, or keep the collector running all the time once a
// large site's live heap came near it.
func followMemory(percent int) (stop func()) {
	ceiling := debug.SetMemoryLimit(-1)
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	if percent >= 0 && os.Getenv("GOGC") == "" {
		percent = debug.SetGCPercent(percent)
	} else {
		percent = -1
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(limitEvery)
		defer t.Stop()
		for {
			limit := max(memoryBudget-int64(mappedFiles()), 2*int64(liveHeap()))
			debug.SetMemoryLimit(min(limit, ceiling))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		debug.SetMemoryLimit(ceiling)
		if percent >= 0 {
			debug.SetGCPercent(percent)
		}
	}
}

// liveHeap is the heap the last collection left live, in bytes.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// memoryBudget is the resident memory a build keeps under when it can: a
// site of 100,000 notes builds in it (docs/BENCHMARKS.md).
const memoryBudget = 1536 << 20

// buildGCPercent is the collector's goal under followMemory: the heap may
// grow to three times what is live, within the memory limit.
const buildGCPercent = 200

// limitEvery is how often followMemory sets the memory limit again.
const limitEvery = 100 * time.Millisecond

// isTerminal reports whether w is a terminal, where progress may be shown.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
