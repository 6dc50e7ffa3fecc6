package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coopdigest/digest/build"
	"github.com/coopdigest/digest/deploy"
	"github.com/coopdigest/digest/search"
)

// TestDeployCommand builds the sample site, deploys it twice to a folder
// through file://, fetches its index back as a replica would, and searches
// the copy.
func TestDeployCommand(t *testing.T) {
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "public")
	res, err := build.Build(ctx, build.Config{Site: "../..", Out: out})
	if err != nil {
		t.Fatal(err)
	}
	target := "file://" + filepath.ToSlash(t.TempDir())
	runs := []struct {
		args []string
		want string
	}{
		{[]string{"--dry-run", "-d", out, target}, "dry run: would upload "},
		{[]string{target, "-d", out}, "uploaded "}, // TARGET before the flags
		{[]string{"-d", out, "--delete", target}, "uploaded 0 of "},
	}
	for _, r := range runs {
		var stdout, stderr bytes.Buffer
		if err := run(ctx, append([]string{"deploy"}, r.args...), &stdout, &stderr); err != nil {
			t.Fatalf("digest deploy %q: %v", r.args, err)
		}
		if !strings.HasPrefix(stderr.String(), r.want) || strings.Count(stderr.String(), "\n") != 1 || stdout.Len() != 0 {
			t.Errorf("digest deploy %q printed %q on stderr and %q on stdout; want one line that starts %q", r.args, stderr.String(), stdout.String(), r.want)
		}
	}

	f, err := deploy.NewFetcher(ctx, deploy.FetcherConfig{URL: target, Dir: t.TempDir(), Check: func(dir string) error {
		ix, err := search.Open(dir)
		if err == nil {
			ix.Close()
		}
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, _, err := f.Fetch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := search.Open(got.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	r, err := ix.Search(ctx, search.Query{Page: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != res.Notes {
		t.Errorf("the fetched index has %d notes, want %d", r.Total, res.Notes)
	}
}

// TestDeployDrafts checks that an output built with drafts is deployed
// only with --drafts.
func TestDeployDrafts(t *testing.T) {
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "public")
	if _, err := build.Build(ctx, build.Config{Site: "../..", Out: out, Drafts: true}); err != nil {
		t.Fatal(err)
	}
	target := "file://" + filepath.ToSlash(t.TempDir())
	var stderr bytes.Buffer
	err := run(ctx, []string{"deploy", "-d", out, target}, &stderr, &stderr)
	if !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), "built with --drafts") {
		t.Fatalf("deploy of drafts: %v, want a usage error that says so", err)
	}
	if entries, _ := os.ReadDir(strings.TrimPrefix(target, "file://")); len(entries) > 0 {
		t.Errorf("the refused deploy wrote %d objects", len(entries))
	}
	if err := run(ctx, []string{"deploy", "--drafts", "-d", out, target}, &stderr, &stderr); err != nil {
		t.Errorf("deploy --drafts: %v", err)
	}
}

// TestDeployLive checks that an output that serve --watch wrote, whose
// pages load its live-reload script, is not deployed, and that it is once
// built again.
func TestDeployLive(t *testing.T) {
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "public")
	if _, err := build.Build(ctx, build.Config{Site: "../..", Out: out, Live: true}); err != nil {
		t.Fatal(err)
	}
	target := "file://" + filepath.ToSlash(t.TempDir())
	var stderr bytes.Buffer
	err := run(ctx, []string{"deploy", "-d", out, target}, &stderr, &stderr)
	if !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), "written by digest serve --watch") {
		t.Fatalf("deploy of a live build: %v, want a usage error that says so", err)
	}
	if entries, _ := os.ReadDir(strings.TrimPrefix(target, "file://")); len(entries) > 0 {
		t.Errorf("the refused deploy wrote %d objects", len(entries))
	}
	if _, err := build.Build(ctx, build.Config{Site: "../..", Out: out}); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"deploy", "-d", out, target}, &stderr, &stderr); err != nil {
		t.Errorf("deploy after a build: %v", err)
	}
}

// TestDeployCommandErrors checks that mistakes name the flag or argument.
func TestDeployCommandErrors(t *testing.T) {
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "index.html"), []byte("<!doctype html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	target := "file://" + filepath.ToSlash(t.TempDir())
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-d", out}, "deploy takes one TARGET, got 0"},
		{[]string{"-d", out, target, target}, "deploy takes one TARGET, got 2"},
		{[]string{"-d", out, "ftp://host/site"}, `deploy: TARGET "ftp://host/site": `},
		{[]string{"-d", out, "--index-target", "gopher://x", target}, `deploy: --index-target "gopher://x": `},
		{[]string{"-d", out, "--index-prefix", "search", target}, `deploy: --index-prefix "search": must end with "/"`},
		{[]string{"-d", "/no/such/site", target}, `deploy: -d "/no/such/site": no such file or directory`},
		{[]string{"-d", out, "--keep-index", "0", target}, "--keep-index 0: must be at least 1"},
		{[]string{"-d", out, "--workers", "0", target}, "--workers 0: must be at least 1"},
		{[]string{"-d", out, "--colour", target}, "flag provided but not defined: -colour"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(context.Background(), append([]string{"deploy"}, tt.args...), &stderr, &stderr)
			var ue usageError
			if !errors.As(err, &ue) {
				t.Fatalf("got %v, want a usage error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want %q", err, tt.want)
			}
			// main prints the error once, after what run wrote.
			if strings.Contains(stderr.String(), tt.want) {
				t.Errorf("run wrote the error too:\n%s", stderr.String())
			}
		})
	}

	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"deploy", "-h"}, &stderr, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("deploy -h: %v", err)
	}
	for _, want := range []string{"usage: digest deploy", "-index-target", "s3://BUCKET", "current.json"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("deploy -h does not say %q:\n%s", want, stderr.String())
		}
	}
}
