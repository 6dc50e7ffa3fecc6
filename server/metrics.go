package server

import (
	"errors"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2/stats"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// latencyBuckets are the upper bounds, in seconds, of the latency and
// wait histograms: from a page sent from memory to a search that took too
// long, about two or three to a decade.
var latencyBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2}

// metrics are the server's collectors in a registry; a nil *metrics
// counts nothing, so that the server calls it without asking.
type metrics struct {
	inFlight  atomic.Int64
	requests  *prometheus.CounterVec
	routes    [nRoutes]routeSeries
	caches    *cacheCollector
	wait      prometheus.Observer
	rejected  prometheus.Counter
	abandoned prometheus.Counter
	reg       *prometheus.Registry
}

// routeSeries are a route's series, looked up once.
type routeSeries struct {
	duration prometheus.Observer
	bytes    prometheus.Counter
	// codes are the counters of requests by status, from 100 to 599, made
	// when first used: a lookup by labels costs a hash and a lock.
	codes [500]atomic.Pointer[prometheus.Counter]
}

// newMetrics makes the server's collectors and registers them, with Go's,
// the process's and the build's, in reg.
func newMetrics(reg *prometheus.Registry) (*metrics, error) {
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "digest_http_requests_total",
			Help: "Requests answered, by route and status code (499: the client left before an answer).",
		}, []string{"route", "code"}),
		caches: newCacheCollector(),
	}
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "digest_http_request_duration_seconds",
		Help:    "Time from a request's header read to its answer written, by route.",
		Buckets: latencyBuckets,
	}, []string{"route"})
	bytes := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "digest_http_response_bytes_total",
		Help: "Bytes of the bodies of answers, as sent (compressed or not), by route.",
	}, []string{"route"})
	for rt := range nRoutes {
		m.routes[rt].duration = duration.WithLabelValues(rt.String())
		m.routes[rt].bytes = bytes.WithLabelValues(rt.String())
	}
	wait := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "digest_queue_wait_seconds",
		Help:    "Time a search waited for its turn (0 for none).",
		Buckets: latencyBuckets,
	})
	m.wait = wait
	rejected := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "digest_queue_rejected_total",
		Help: "Searches turned away with 503 because as many as allowed were running and waiting.",
	})
	m.rejected = rejected
	abandoned := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "digest_queue_abandoned_total",
		Help: "Searches whose client left while they waited for their turn.",
	})
	m.abandoned = abandoned
	inFlight := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "digest_http_requests_in_flight",
		Help: "Requests being answered.",
	}, func() float64 { return float64(m.inFlight.Load()) })
	err := register(reg, m.requests, duration, bytes, inFlight, wait, rejected, abandoned, m.caches,
		buildInfo(),
		collectors.NewBuildInfoCollector(),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// register registers every collector in reg, and tells of all that fail.
func register(reg prometheus.Registerer, cs ...prometheus.Collector) error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, reg.Register(c))
	}
	return errors.Join(errs...)
}

// buildInfo is the gauge digest_build_info, 1, with the version of the
// module the binary was built from, its VCS revision and Go's version as
// labels.
func buildInfo() prometheus.Collector {
	version, revision, goVersion := "unknown", "unknown", "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		goVersion = bi.GoVersion
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				revision = s.Value
			}
		}
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "digest_build_info",
		Help:        "The digest binary: its module version, VCS revision and Go version, as labels; always 1.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "goversion": goVersion},
	})
	g.Set(1)
	return g
}

// started counts a request in flight.
func (m *metrics) started() {
	if m != nil {
		m.inFlight.Add(1)
	}
}

// done counts a request answered.
func (m *metrics) done(rt route, status int, bytes int64, elapsed time.Duration) {
	if m == nil {
		return
	}
	m.inFlight.Add(-1)
	rm := &m.routes[rt]
	rm.duration.Observe(elapsed.Seconds())
	if bytes > 0 {
		rm.bytes.Add(float64(bytes))
	}
	m.counter(rt, status).Inc()
}

// counter is the counter of requests of route rt answered with status.
func (m *metrics) counter(rt route, status int) prometheus.Counter {
	i := status - 100
	if i < 0 || i >= len(m.routes[rt].codes) {
		return m.requests.WithLabelValues(rt.String(), strconv.Itoa(status))
	}
	slot := &m.routes[rt].codes[i]
	if c := slot.Load(); c != nil {
		return *c
	}
	c := m.requests.WithLabelValues(rt.String(), strconv.Itoa(status))
	slot.Store(&c) // another goroutine may store the same counter: both are the vector's
	return c
}

// waited counts the time a search waited for its turn.
func (m *metrics) waited(d time.Duration) {
	if m != nil {
		m.wait.Observe(d.Seconds())
	}
}

// turnedAway counts a search rejected because the queue was full.
func (m *metrics) turnedAway() {
	if m != nil {
		m.rejected.Inc()
	}
}

// gaveUp counts a search whose client left while it waited.
func (m *metrics) gaveUp() {
	if m != nil {
		m.abandoned.Inc()
	}
}

// watchQueue reports the searches running and waiting in q, and q's
// limits, when scraped.
func (m *metrics) watchQueue(q *queue) error {
	if m == nil {
		return nil
	}
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	return register(m.reg,
		gauge("digest_queue_running", "Searches running.", func() float64 { return float64(q.running()) }),
		gauge("digest_queue_waiting", "Searches waiting for their turn.", func() float64 { return float64(q.waiting()) }),
		gauge("digest_queue_max_running", "How many searches may run at once.", func() float64 { return float64(cap(q.turns)) }),
		gauge("digest_queue_max_waiting", "How many searches may wait for their turn.", func() float64 { return float64(cap(q.admitted) - cap(q.turns)) }),
	)
}

// cacheRecorder is what counts the lookups of a cache of copies; nil when
// nothing is counted.
func (m *metrics) cacheRecorder() stats.Recorder {
	if m == nil {
		return nil
	}
	return stats.NewCounter()
}

// watchCache reports the lookups of c, which was made with a
// cacheRecorder, and the bytes it holds, under the name cache.
func (m *metrics) watchCache(name string, c statsCache) {
	if m == nil {
		return
	}
	m.caches.mu.Lock()
	defer m.caches.mu.Unlock()
	m.caches.caches = append(m.caches.caches, namedCache{name, c})
}

// statsCache is what the metrics read of an otter cache.
type statsCache interface {
	Stats() stats.Stats
	WeightedSize() uint64
}

type namedCache struct {
	name  string
	cache statsCache
}

// cacheCollector reports the counts of otter's stats recorders as they
// are when scraped, so that a lookup costs no more than otter's count.
type cacheCollector struct {
	hits, misses, evictions, bytes *prometheus.Desc

	mu     sync.Mutex
	caches []namedCache
}

func newCacheCollector() *cacheCollector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, []string{"cache"}, nil)
	}
	return &cacheCollector{
		hits:      desc("digest_compression_cache_hits_total", "Lookups that found what serving needs kept: a file's ETag and compressed copies (cache=files), a compressed answer of the search (cache=answers)."),
		misses:    desc("digest_compression_cache_misses_total", "Lookups that had to read a file, or compress an answer, and keep the result."),
		evictions: desc("digest_compression_cache_evictions_total", "Entries let go to stay within the memory budget."),
		bytes:     desc("digest_compression_cache_bytes", "About how many bytes the cache holds."),
	}
}

func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.hits
	ch <- c.misses
	ch <- c.evictions
	ch <- c.bytes
}

func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, nc := range c.caches {
		st := nc.cache.Stats()
		ch <- prometheus.MustNewConstMetric(c.hits, prometheus.CounterValue, float64(st.Hits), nc.name)
		ch <- prometheus.MustNewConstMetric(c.misses, prometheus.CounterValue, float64(st.Misses), nc.name)
		ch <- prometheus.MustNewConstMetric(c.evictions, prometheus.CounterValue, float64(st.Evictions), nc.name)
		ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(nc.cache.WeightedSize()), nc.name)
	}
}
