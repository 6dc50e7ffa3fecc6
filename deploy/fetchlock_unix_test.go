//go:build unix

package deploy

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestFetcherLock refuses a second Fetcher the folder of one that is open,
// and gives it once that one is closed.
func TestFetcherLock(t *testing.T) {
	u := fileURL(t.TempDir())
	dir := t.TempDir()
	f := newFetcher(t, u, dir, nil)
	_, err := NewFetcher(context.Background(), FetcherConfig{URL: u, Dir: dir})
	var pe *ParamError
	if !errors.As(err, &pe) || pe.Param != "index folder" || !strings.Contains(err.Error(), "in use by another replica") {
		t.Fatalf("a second Fetcher: %v, want the index folder in use", err)
	}
	f.Close()
	newFetcher(t, u, dir, nil)
}
