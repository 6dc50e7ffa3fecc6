package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/coopdigest/digest/build"
	"github.com/coopdigest/digest/deploy"
)

// deployFlags names the flag or argument behind each parameter of
// deploy.Config, for errors.
var deployFlags = map[string]string{
	"target":                 "TARGET",
	"index target":           "--index-target",
	"index prefix":           "--index-prefix",
	"index versions to keep": "--keep-index",
	"site folder":            "-d",
	"workers":                "--workers",
	"page cache control":     "--page-cache",
}

// flagMistake is err, when it is a *deploy.ParamError, as a mistake on the
// command line of cmd, naming the flag or argument that flags gives for its
// parameter; ok is false for any other error.
func flagMistake(cmd string, err error, flags map[string]string) (ue usageError, ok bool) {
	var pe *deploy.ParamError
	if !errors.As(err, &pe) {
		return ue, false
	}
	if name, ok := flags[pe.Param]; ok {
		pe.Param = name
	}
	return usageError{cmd + ": " + pe.Error()}, true
}

func runDeploy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("deploy", "[-d OUT] [--dry-run] [--delete] [--index-target URL] [flags] TARGET", stdout, stderr)
	out := fs.String("d", "public", "built site to publish")
	dryRun := fs.Bool("dry-run", false, "say what would be uploaded and deleted, and change nothing")
	del := fs.Bool("delete", false, "delete objects an earlier deploy wrote whose files are gone from OUT, and index versions beyond --keep-index")
	indexTarget := fs.String("index-target", "", "bucket URL for the search index (default TARGET); a bucket of its own keeps it from the CDN")
	indexPrefix := fs.String("index-prefix", deploy.DefaultIndexPrefix, "where in the index bucket the index goes")
	keep := fs.Int("keep-index", deploy.DefaultKeepIndex, "index versions that --delete keeps, the current one included")
	pageCache := fs.String("page-cache", deploy.DefaultPageCacheControl, "Cache-Control of pages, feeds and assets without a fingerprint in their name")
	gzip := fs.Bool("gzip", true, "store text gzipped, with Content-Encoding: gzip, where that saves bytes")
	workers := fs.Int("workers", deploy.DefaultWorkers, "uploads at once")
	drafts := fs.Bool("drafts", false, "publish OUT even though it was built with --drafts (for a staging site)")
	verbose := fs.Bool("v", false, "log every object written or deleted")
	usage := fs.Usage
	fs.Usage = func() {
		usage()
		fmt.Fprint(stderr, `
TARGET is a bucket URL: s3://BUCKET?region=R, gs://BUCKET, azblob://CONTAINER,
file:///PATH; add prefix=DIR/ to publish below a prefix. Credentials come from
the environment, as each cloud's own tools read them. For an S3-compatible
server, add endpoint=URL&use_path_style=true.

Only files that changed are uploaded: assets first, pages next, then feeds and
the sitemap, then the search index (OUT/.search, as PREFIX<version>/ with the
pointer PREFIX`+deploy.PointerName+` written last), deletions last.
`)
	}
	if err := parseFlags(fs, interspersed(fs, args)); err != nil {
		return err
	}
	if *keep < 1 {
		return usageError{fmt.Sprintf("deploy: --keep-index %d: must be at least 1", *keep)}
	}
	if *workers < 1 {
		return usageError{fmt.Sprintf("deploy: --workers %d: must be at least 1", *workers)}
	}
	if fs.NArg() != 1 {
		return usageError{fmt.Sprintf("deploy takes one TARGET, got %d arguments", fs.NArg())}
	}
	// A draft is for editors: an output that publishes drafts, as
	// serve --watch --drafts writes into SITE/public, goes out only when
	// asked for by name.
	if has, err := build.HasDrafts(*out); err != nil {
		return fmt.Errorf("digest deploy: -d %s: %w", *out, err)
	} else if has && !*drafts {
		return usageError{fmt.Sprintf("deploy: -d %q: built with --drafts, which publishes notes marked draft; build it again without --drafts, or give --drafts to deploy it as it is", *out)}
	}
	// Pages that serve --watch wrote load its live-reload script, which
	// only that server answers: every reader's page would ask for it in
	// vain.
	if live, err := build.HasLive(*out); err != nil {
		return fmt.Errorf("digest deploy: -d %s: %w", *out, err)
	} else if live {
		return usageError{fmt.Sprintf("deploy: -d %q: written by digest serve --watch, whose pages load its live-reload script; build it with digest build first", *out)}
	}
	cfg := deploy.Config{
		Out:              *out,
		Target:           fs.Arg(0),
		IndexTarget:      *indexTarget,
		IndexPrefix:      *indexPrefix,
		KeepIndex:        *keep,
		DryRun:           *dryRun,
		Delete:           *del,
		NoGzip:           !*gzip,
		PageCacheControl: *pageCache,
		Workers:          *workers,
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	sum, err := deploy.Deploy(ctx, cfg)
	if ue, ok := flagMistake("deploy", err, deployFlags); ok {
		return ue
	}
	if err != nil {
		return fmt.Errorf("digest deploy: %w", err)
	}
	fmt.Fprintln(stderr, sum)
	return nil
}
