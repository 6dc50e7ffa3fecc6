package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/coopdigest/digest/deploy"
	"github.com/coopdigest/digest/search"
)

// indexVersion is the version of a fetched index a replica serves, for its
// metrics and logs; empty for an index read from OUT.
type indexVersion struct {
	cur    atomic.Pointer[deploy.Index]
	errors atomic.Uint64 // fetches that failed
}

func newIndexVersion() *indexVersion { return new(indexVersion) }

// fetcherFlags names the flag behind each parameter of
// deploy.FetcherConfig, for errors.
var fetcherFlags = map[string]string{
	"index URL":    "--index",
	"index prefix": "--index-prefix",
	"index folder": "--index-dir",
}

// fetchIndex opens the bucket at url, fetches the current version of the
// index published under prefix into dir, checks that it opens and
// answers, and opens it.
func fetchIndex(ctx context.Context, url, prefix, dir string, log *slog.Logger, v *indexVersion) (*deploy.Fetcher, *search.Index, error) {
	f, err := deploy.NewFetcher(ctx, deploy.FetcherConfig{URL: url, Prefix: prefix, Dir: dir, Check: checkIndex, Logger: log})
	if ue, ok := flagMistake("serve", err, fetcherFlags); ok {
		return nil, nil, ue
	}
	if err != nil {
		return nil, nil, fmt.Errorf("digest serve: --index: %w", err)
	}
	fx, _, err := f.Fetch(ctx)
	if errors.Is(err, deploy.ErrNotPublished) {
		err = fmt.Errorf("%w; publish one with `digest deploy`", err)
	}
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("digest serve: %w", err)
	}
	ix, err := openChecked(ctx, fx.Dir)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("digest serve: index %s version %s: %w", url, fx.Version, err)
	}
	v.cur.Store(&fx)
	return f, ix, nil
}

// checkIndex is the Fetcher's check of a downloaded version: it opens as
// an index and answers a query.
func checkIndex(dir string) error {
	ix, err := openChecked(context.Background(), dir)
	if err != nil {
		return err
	}
	return ix.Close()
}

// openChecked opens the index in dir and asks it a query (Status).
func openChecked(ctx context.Context, dir string) (*search.Index, error) {
	ix, err := search.Open(dir)
	if err != nil {
		return nil, err
	}
	if _, err := ix.Status(ctx); err != nil {
		ix.Close()
		return nil, err
	}
	return ix, nil
}

// pollIndex looks for a newer version of the index every interval until
// ctx ends; a new one is fetched, checked and searched from then on, and
// the old one closed once the searches under way on it are done, so that
// no request fails for the change. A failed look is logged and counted,
// and the index served stays. swapped, when set, is told of each new index
// before it is searched.
func pollIndex(ctx context.Context, f *deploy.Fetcher, sh *search.Handler, interval time.Duration, log *slog.Logger, v *indexVersion, swapped func(*search.Index)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fx, changed, err := f.Fetch(ctx)
		if err == nil && changed {
			var ix *search.Index
			if ix, err = openChecked(ctx, fx.Dir); err == nil {
				if swapped != nil {
					swapped(ix)
				}
				if err := sh.SetIndex(ix).Close(); err != nil {
					log.Error("search: closing the old index", "err", err)
				}
				v.cur.Store(&fx)
				log.Info("search: serving a new index", "version", fx.Version, "published", fx.Published, "notes", ix.Len())
			}
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			v.errors.Add(1)
			log.Error("search: looking for a new index", "err", err)
		}
	}
}

// searchCollector reports the search's and its index's figures on each
// scrape: nothing is counted twice, the handler counts its cache itself.
type searchCollector struct {
	sh *search.Handler
	v  *indexVersion

	info, docs, built, age, published, swaps, fetchErrors, hits, misses, entries, bytes *prometheus.Desc
}

func newSearchCollector(sh *search.Handler, v *indexVersion) *searchCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &searchCollector{
		sh: sh, v: v,
		info:        d("digest_index_info", "The index served: its version as `digest deploy` published it, \"local\" for one read from OUT.", "version"),
		docs:        d("digest_index_documents", "Notes in the index served."),
		built:       d("digest_index_built_timestamp_seconds", "When the index served was built, in Unix seconds."),
		age:         d("digest_index_age_seconds", "How long ago the index served was built."),
		published:   d("digest_index_published_timestamp_seconds", "When `digest deploy` made the index served current, in Unix seconds; only with --index."),
		swaps:       d("digest_index_swaps_total", "Times a new index replaced the one served."),
		fetchErrors: d("digest_index_fetch_errors_total", "Looks for a new index in the bucket that failed; only with --index."),
		hits:        d("digest_search_cache_hits_total", "Searches answered from the cache of answers."),
		misses:      d("digest_search_cache_misses_total", "Searches not found in the cache of answers, and searched."),
		entries:     d("digest_search_cache_entries", "Answers in the cache."),
		bytes:       d("digest_search_cache_bytes", "What the answers in the cache weigh, with their keys."),
	}
}

// Describe implements prometheus.Collector.
func (c *searchCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.info, c.docs, c.built, c.age, c.published, c.swaps, c.fetchErrors, c.hits, c.misses, c.entries, c.bytes} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *searchCollector) Collect(ch chan<- prometheus.Metric) {
	ix := c.sh.Index()
	st := c.sh.Stats()
	version := "local"
	if fx := c.v.cur.Load(); fx != nil {
		version = fx.Version
		ch <- prometheus.MustNewConstMetric(c.published, prometheus.GaugeValue, float64(fx.Published.UnixMilli())/1e3)
		ch <- prometheus.MustNewConstMetric(c.fetchErrors, prometheus.CounterValue, float64(c.v.errors.Load()))
	}
	ch <- prometheus.MustNewConstMetric(c.info, prometheus.GaugeValue, 1, version)
	ch <- prometheus.MustNewConstMetric(c.docs, prometheus.GaugeValue, float64(ix.Len()))
	if b := ix.Built(); !b.IsZero() {
		ch <- prometheus.MustNewConstMetric(c.built, prometheus.GaugeValue, float64(b.UnixMilli())/1e3)
		ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, time.Since(b).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(c.swaps, prometheus.CounterValue, float64(st.Swaps))
	ch <- prometheus.MustNewConstMetric(c.hits, prometheus.CounterValue, float64(st.CacheHits))
	ch <- prometheus.MustNewConstMetric(c.misses, prometheus.CounterValue, float64(st.CacheMisses))
	ch <- prometheus.MustNewConstMetric(c.entries, prometheus.GaugeValue, float64(st.CacheEntries))
	ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(st.CacheBytes))
}
