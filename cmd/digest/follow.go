package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"time"

	"github.com/coopdigest/digest/search"
)

// followInterval is how often serve looks for a rebuilt OUT.
const followInterval = 500 * time.Millisecond

// followIndex keeps sh on the index in OUT as builds replace it (a build
// swaps a whole new OUT in, index and pages together): every interval it
// asks whether the index served has been replaced, and when it has, opens
// the new one, searches it from then on and closes the old one once the
// searches under way on it are done. An index that cannot be opened is
// logged and tried again only once another build replaces it, but for one
// held open for updates (by serve --watch), which opens once it is let go
// and is tried again at every interval; the old one stays served
// meanwhile. swapped, when set, is told of each new index before it is
// searched. followIndex returns when ctx ends.
func followIndex(ctx context.Context, sh *search.Handler, interval time.Duration, log *slog.Logger, swapped func(*search.Index)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var failed os.FileInfo // the index.json that last failed to open
	var logged os.FileInfo // the index.json whose failure was logged
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cur := sh.Index()
		replaced, fi, err := cur.Replaced()
		if err != nil || !replaced || failed != nil && search.SameManifest(fi, failed) {
			continue
		}
		ix, err := search.Open(cur.Dir())
		if err != nil {
			if logged == nil || !search.SameManifest(fi, logged) {
				log.Error("search: a new index", "dir", cur.Dir(), "err", err)
				logged = fi
			}
			if !errors.Is(err, search.ErrLocked) {
				failed = fi
			}
			continue
		}
		failed, logged = nil, nil
		if swapped != nil {
			swapped(ix)
		}
		if err := sh.SetIndex(ix).Close(); err != nil {
			log.Error("search: closing the old index", "err", err)
		}
		if s, err := ix.Status(ctx); err == nil {
			log.Info("search: serving a new index", "status", s)
		}
	}
}
