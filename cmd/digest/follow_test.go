package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/coopdigest/digest/search"
)

// TestFollowHeldIndex checks that serve follows a rebuilt OUT whose index
// another process held open for updates when it first looked, as serve
// --watch does, once that process lets it go.
func TestFollowHeldIndex(t *testing.T) {
	site, out := buildTestSite(t)
	dir := filepath.Join(out, search.DirName)
	old, err := search.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := search.NewHandler(old, search.HandlerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { sh.Index().Close() }()
	var stderr bytes.Buffer
	if err := runBuild(context.Background(), []string{"-s", site, "-o", out}, &stderr, &stderr); err != nil {
		t.Fatalf("build: %v\n%s", err, stderr.String())
	}
	held, err := search.OpenWritable(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { followIndex(ctx, sh, 5*time.Millisecond, slog.New(slog.DiscardHandler), nil); close(done) }()
	defer func() { cancel(); <-done }()
	// Longer than search.Open waits for a held index (2 s) before it fails.
	time.Sleep(2500 * time.Millisecond)
	if sh.Index() != old {
		t.Fatal("followed an index held open for updates")
	}
	if err := held.Close(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); sh.Index() == old; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the index let go is not followed")
		}
	}
}
