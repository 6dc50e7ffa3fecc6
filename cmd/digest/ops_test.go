package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// syncBuffer collects what serve writes to stderr.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var servingAt = regexp.MustCompile(`serving .* at (http://\S+) `)

// launchServe runs `digest serve` with args on a free port and returns its
// address, its stderr, and stop, which ends it as SIGTERM does and returns
// what runServe returned. The server is stopped when the test ends, if not
// before.
func launchServe(t *testing.T, args ...string) (base string, stderr *syncBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr = new(syncBuffer)
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, append(args, "--addr", "127.0.0.1:0"), stderr, stderr) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingAt.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], stderr, stop
		}
		select {
		case err := <-done:
			t.Fatalf("serve: %v\n%s", err, stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start:\n%s", stderr)
	return
}

// get fetches url with the headers given as name, value pairs.
func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestServeFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--log-format", "xml"}, `--log-format: "xml" is neither text nor json`},
		{[]string{"--watch", "--search-only"}, "--watch: cannot go with --search-only"},
		{[]string{"--drafts"}, "--drafts: only with --watch"},
		{[]string{"--max-searches", "-1"}, "--max-searches: -1"},
		{[]string{"--max-waiting", "-2"}, "--max-waiting: -2"},
		{[]string{"--drain", "-1s"}, "--drain: -1s"},
		{[]string{"--shutdown-timeout", "0s"}, "--shutdown-timeout: 0s"},
		{[]string{"--trusted-proxies", "10.0.0.0/8,example.org"}, `--trusted-proxies: "example.org" is neither`},
		{[]string{"--search-origins", "https://a.example/path"}, `--search-origins: "https://a.example/path" is not an origin`},
		{[]string{"--search-origins", "https://*.example"}, "--search-origins: "},
		{[]string{"--index", "file:///x"}, "--index: only with --search-only"},
		{[]string{"--search-only", "--index", "file:///x", "-d", "out"}, "--index: cannot go with -d"},
		{[]string{"--search-only", "--index", ""}, "--index: empty: give the URL"},
		{[]string{"--search-only", "--index", "", "--poll", "1m"}, "--index: empty: give the URL"},
		{[]string{"--poll", "1s"}, "--poll: only with --index"},
		{[]string{"-d", ""}, "serve: -d: give the built site's folder"},
		{[]string{"-s", ""}, "serve: -s: give the site folder"},
		{[]string{"--index-dir", "x"}, "--index-dir: only with --index"},
		{[]string{"--index-prefix", "idx/"}, "--index-prefix: only with --index"},
		{[]string{"--search-only", "--index", "file:///x", "--index-prefix", "idx"}, `--index-prefix "idx": must end with "/"`},
		{[]string{"--search-only", "--index", "file:///x", "--poll", "0s"}, "--poll: 0s"},
		{[]string{"--search-only", "--index", "file:///x", "--poll", "1ns"}, "--poll: 1ns: must be at least 100ms"},
		{[]string{"--search-only", "--index", "file:///x", "--poll", "99ms"}, "--poll: 99ms: must be at least 100ms"},
		{[]string{"--max-searches", "many"}, "-max-searches"},
		{[]string{"extra"}, "serve takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			err := runServe(context.Background(), tt.args, &stderr, &stderr)
			if !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want a usage error with %q", err, tt.want)
			}
		})
	}
}

// TestServeFlags starts serve with each flag and asks what the flag
// changes.
func TestServeFlags(t *testing.T) {
	_, out := buildTestSite(t)
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, base string, stderr *syncBuffer)
	}{
		{"default serves pages", nil, func(t *testing.T, base string, _ *syncBuffer) {
			if resp, _ := get(t, base+"/"); resp.StatusCode != 200 {
				t.Errorf("GET / = %d, want 200", resp.StatusCode)
			}
		}},
		{"--search-only", []string{"--search-only"}, func(t *testing.T, base string, _ *syncBuffer) {
			for path, want := range map[string]int{"/": 404, "/index.html": 404, "/search?q=Харбин": 200, "/api/search?q=x": 200,
				"/search.atom?q=x": 200, "/healthz": 200, "/readyz": 200, "/metrics": 200} {
				if resp, body := get(t, base+path); resp.StatusCode != want {
					t.Errorf("GET %s = %d, want %d: %s", path, resp.StatusCode, want, body)
				}
			}
		}},
		{"--search-origins", []string{"--search-only", "--search-origins", "https://digest.example.org, https://b.example"}, func(t *testing.T, base string, _ *syncBuffer) {
			resp, _ := get(t, base+"/api/search?q=x", "Origin", "https://b.example")
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "https://b.example" {
				t.Errorf("allowed origin: Access-Control-Allow-Origin %q", got)
			}
			resp, _ = get(t, base+"/api/search?q=x", "Origin", "https://evil.example")
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("other origin: Access-Control-Allow-Origin %q", got)
			}
		}},
		{"no --search-origins", []string{"--search-only"}, func(t *testing.T, base string, _ *syncBuffer) {
			resp, _ := get(t, base+"/api/search?q=x", "Origin", "https://b.example")
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("Access-Control-Allow-Origin %q with no origins", got)
			}
		}},
		{"--access-log --log-format json --trusted-proxies", []string{"--access-log", "--log-format", "json", "--trusted-proxies", "127.0.0.1"}, func(t *testing.T, base string, stderr *syncBuffer) {
			get(t, base+"/api/search?q=logged", "X-Forwarded-For", "203.0.113.9")
			line := waitLine(t, stderr, "q=logged")
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("access log line is not JSON: %q", line)
			}
			if rec["route"] != "api" || rec["remote"] != "203.0.113.9" || rec["status"] != float64(200) {
				t.Errorf("access log = %v; want route api, remote 203.0.113.9, status 200", rec)
			}
		}},
		{"--access-log text, untrusted proxy", []string{"--access-log"}, func(t *testing.T, base string, stderr *syncBuffer) {
			get(t, base+"/api/search?q=plain", "X-Forwarded-For", "203.0.113.9")
			line := waitLine(t, stderr, "q=plain")
			if !strings.Contains(line, "remote=127.0.0.1") || strings.HasPrefix(line, "{") {
				t.Errorf("access log line %q: want text with remote=127.0.0.1", line)
			}
		}},
		{"-v", []string{"-v"}, func(t *testing.T, base string, stderr *syncBuffer) {
			get(t, base+"/api/search?q=verbose")
			if line := waitLine(t, stderr, "q=verbose"); !strings.Contains(line, "route=api") {
				t.Errorf("-v logged %q", line)
			}
		}},
		{"no --access-log", nil, func(t *testing.T, base string, stderr *syncBuffer) {
			get(t, base+"/api/search?q=quiet")
			time.Sleep(50 * time.Millisecond)
			if strings.Contains(stderr.String(), "q=quiet") {
				t.Errorf("a request was logged without --access-log:\n%s", stderr)
			}
		}},
		{"--max-searches --max-waiting", []string{"--max-searches", "3", "--max-waiting", "-1"}, func(t *testing.T, base string, _ *syncBuffer) {
			_, body := get(t, base+"/metrics")
			for _, want := range []string{"digest_queue_max_running 3\n", "digest_queue_max_waiting 0\n"} {
				if !strings.Contains(body, want) {
					t.Errorf("/metrics has no %q", want)
				}
			}
		}},
		{"metrics of the search", nil, func(t *testing.T, base string, _ *syncBuffer) {
			get(t, base+"/api/search?q=Харбин")
			get(t, base+"/api/search?q=Харбин")
			_, body := get(t, base+"/metrics")
			for _, want := range []string{`digest_index_info{version="local"} 1`, "digest_index_documents ", "digest_index_age_seconds ",
				"digest_search_cache_hits_total 1\n", "digest_search_cache_misses_total 1\n", "digest_build_info{",
				`digest_http_requests_total{code="200",route="api"} 2`} {
				if !strings.Contains(body, want) {
					t.Errorf("/metrics has no %q", want)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, stderr, _ := launchServe(t, append([]string{"-d", out}, tt.args...)...)
			tt.check(t, base, stderr)
		})
	}
}

// waitLine returns the first line of stderr that holds s, waiting for it
// to be written.
func waitLine(t *testing.T, stderr *syncBuffer, s string) string {
	t.Helper()
	for range 200 {
		for line := range strings.Lines(stderr.String()) {
			if strings.Contains(line, s) {
				return strings.TrimSpace(line)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no line with %q:\n%s", s, stderr)
	return ""
}

// TestServeDrain stops serve as SIGTERM does, with --drain: it reports not
// ready at once, goes on answering searches for the grace period, then
// exits without an error.
func TestServeDrain(t *testing.T) {
	_, out := buildTestSite(t)
	base, _, stop := launchServe(t, "-d", out, "--search-only", "--drain", "1s")
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, body := get(t, base+"/readyz")
		if resp.StatusCode == http.StatusServiceUnavailable {
			if !strings.Contains(body, "draining") {
				t.Errorf("/readyz while draining: %q", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("/readyz did not report draining")
		}
	}
	if resp, _ := get(t, base+"/api/search?q=Харбин"); resp.StatusCode != 200 {
		t.Errorf("a search while draining got %d", resp.StatusCode)
	}
	if err := <-stopped; err != nil {
		t.Errorf("serve after draining: %v", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("serve still answers after it stopped")
	}
}

// atomDoc is what TestSearchFeed reads of a feed.
type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string   `xml:"title"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		Title     string `xml:"title"`
		ID        string `xml:"id"`
		Published string `xml:"published"`
	} `xml:"entry"`
}

func TestSearchFeed(t *testing.T) {
	_, out := buildTestSite(t)
	base, _, _ := launchServe(t, "-d", out, "--search-only")
	// A search that leaves out a word no note has is a feed of nothing
	// yet, where the page shows the notes of the other words.
	if _, body := get(t, base+"/search.atom?q=%D0%A5%D0%B0%D1%80%D0%B1%D0%B8%D0%BD+governor"); strings.Contains(body, "<entry") {
		t.Errorf("the feed of «Харбин governor» has entries:\n%s", body)
	}
	if _, body := get(t, base+"/search?q=%D0%A5%D0%B0%D1%80%D0%B1%D0%B8%D0%BD+governor"); !strings.Contains(body, "«governor» нет ни в одной заметке") {
		t.Errorf("the page of «Харбин governor» does not say that no note has «governor»")
	}
	tests := []struct {
		query   string
		status  int
		entries int    // at least
		want    string // in the body
	}{
		{"", 200, 3, "<feed"},
		{"q=Харбин", 200, 1, "Харбин"},
		{"region=guangdong", 200, 1, "<feed"},
		{"q=nothingmatchesthis", 200, 0, "<feed"},
		// Keys of the other layout: the feed is of «харбин», and says so.
		{"q=%5Bfh%2Cby", 200, 1, "поиск: харбин</title>"},
		{"per_page=1000", 400, 0, "На странице (per_page)"},
		// A feed is of the newest: a page asked is its first.
		{"q=Харбин&page=500", 200, 1, "Харбин"},
		{"region=atlantis", 400, 0, "region"},
		{"q=%zz", 400, 0, `query string: malformed: bad escape "%zz"`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := get(t, base+"/search.atom?"+tt.query)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) {
				t.Fatalf("GET /search.atom?%s = %d %q; want %d with %q", tt.query, resp.StatusCode, body, tt.status, tt.want)
			}
			if tt.status != 200 {
				return
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
				t.Errorf("Content-Type %q", ct)
			}
			var doc atomDoc
			if err := xml.Unmarshal([]byte(body), &doc); err != nil {
				t.Fatalf("the feed does not parse: %v\n%s", err, body)
			}
			if len(doc.Entries) < tt.entries {
				t.Errorf("%d entries, want at least %d", len(doc.Entries), tt.entries)
			}
			for i := 1; i < len(doc.Entries); i++ {
				if doc.Entries[i-1].Published < doc.Entries[i].Published {
					t.Errorf("entry %d (%s) is older than entry %d (%s): want newest first", i-1, doc.Entries[i-1].Published, i, doc.Entries[i].Published)
				}
			}
			var self string
			for _, l := range doc.Links {
				if l.Rel == "self" {
					self = l.Href
				}
			}
			if !strings.Contains(self, "/search.atom") || strings.Contains(self, "sort=") || strings.Contains(self, "&page=") || strings.Contains(self, "?page=") {
				t.Errorf("self link %q", self)
			}
		})
	}
}

// TestServeIndexFromBucket is a replica fed by `digest deploy`: it serves
// build A from the bucket, then build B within the poll interval after B
// is deployed, while clients search all along without one failed request.
func TestServeIndexFromBucket(t *testing.T) {
	buckets := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"file", func(t *testing.T) string { return "file://" + filepath.ToSlash(t.TempDir()) }},
		{"s3", s3Bucket},
	}
	for _, b := range buckets {
		t.Run(b.name, func(t *testing.T) { testIndexFromBucket(t, b.url(t)) })
	}
}

// s3Bucket starts gofakes3, an S3 API in memory, for the test and returns
// the URL of a bucket in it.
func s3Bucket(t *testing.T) string {
	backend := s3mem.New()
	if err := backend.CreateBucket("site"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	q := url.Values{
		"endpoint": {srv.URL}, "use_path_style": {"true"}, "region": {"us-east-1"}, "anonymous": {"true"},
		"request_checksum_calculation": {"when_required"}, "response_checksum_validation": {"when_required"},
	}
	return "s3://site?" + q.Encode()
}

func testIndexFromBucket(t *testing.T, bucket string) {
	ctx := context.Background()
	site, out := buildTestSite(t)
	deployOut := func() {
		t.Helper()
		var stderr bytes.Buffer
		if err := run(ctx, []string{"deploy", "-d", out, bucket}, &stderr, &stderr); err != nil {
			t.Fatalf("deploy: %v\n%s", err, stderr.String())
		}
	}
	deployOut()
	const poll = 200 * time.Millisecond
	base, stderr, _ := launchServe(t, "--search-only", "--index", bucket, "--poll", poll.String(), "--index-dir", t.TempDir())

	const word = "Кластерово"
	count := func() (int, error) {
		resp, err := testClient.Get(base + "/api/search?q=" + word)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		var res struct{ Total int }
		if resp.StatusCode != 200 {
			return 0, fmt.Errorf("status %d", resp.StatusCode)
		}
		err = json.NewDecoder(resp.Body).Decode(&res)
		return res.Total, err
	}
	if n, err := count(); err != nil || n != 0 {
		t.Fatalf("build A: %d hits for %s, err %v; want 0", n, word, err)
	}

	// Clients search while B is built and deployed.
	var failed atomic.Int64
	var firstErr atomic.Value
	seenB := make(chan struct{})
	var seenOnce sync.Once
	stopLoad := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stopLoad:
					return
				default:
				}
				resp, err := testClient.Get(base + "/api/search?q=" + word)
				if err == nil {
					var res struct{ Total int }
					err = json.NewDecoder(resp.Body).Decode(&res)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
					if err == nil && res.Total > 0 {
						seenOnce.Do(func() { close(seenB) })
					}
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		})
	}
	note := "---\ntitle: " + word + " на кластере\ndate: 2025-07-01\nkind: expo\nregions: [khabarovsk-krai]\nsectors: [trade]\nsummary: Новая сборка.\n---\n\n" + word + " в новой сборке.\n"
	if err := os.WriteFile(filepath.Join(site, "content", "notes", "cluster.md"), []byte(note), 0o644); err != nil {
		t.Fatal(err)
	}
	var buildErr bytes.Buffer
	if err := runBuild(ctx, []string{"-s", site, "-o", out}, &buildErr, &buildErr); err != nil {
		t.Fatalf("build B: %v\n%s", err, buildErr.String())
	}
	deployOut()
	deployed := time.Now()
	select {
	case <-seenB:
		t.Logf("build B served %v after its deploy (poll %v)", time.Since(deployed).Round(time.Millisecond), poll)
	case <-time.After(30 * time.Second):
		t.Errorf("build B not served 30s after its deploy:\n%s", stderr)
	}
	close(stopLoad)
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Errorf("%d requests failed while the index changed; the first: %v", n, firstErr.Load())
	}
	if n, err := count(); err != nil || n != 1 {
		t.Errorf("build B: %d hits for %s, err %v; want 1", n, word, err)
	}
	_, body := get(t, base+"/metrics")
	if !strings.Contains(body, "digest_index_swaps_total 1\n") || !strings.Contains(body, "digest_index_published_timestamp_seconds ") {
		t.Errorf("/metrics does not show the swap:\n%s", body)
	}
}

func TestHelpServe(t *testing.T) {
	// Help asked for goes to stdout, so that it pages; after a mistake, the
	// usage goes to stderr.
	for _, args := range [][]string{{"help", "serve"}, {"serve", "-h"}, {"serve", "--nope"}} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, &stdout, &stderr)
		out, other := &stdout, &stderr
		if args[1] == "--nope" {
			out, other = &stderr, &stdout
			if !errors.As(err, new(usageError)) {
				t.Errorf("digest %q: err %v, want a usageError", args, err)
			}
		} else if !errors.Is(err, flag.ErrHelp) {
			t.Errorf("digest %q: err %v, want flag.ErrHelp", args, err)
		}
		for _, want := range []string{"usage: digest serve", "--search-only [-d OUT | --index URL", "/readyz", "-drain duration", "-index URL"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("digest %q: no %q in\n%s", args, want, out.String())
			}
		}
		if other.Len() > 0 {
			t.Errorf("digest %q also wrote to the other stream:\n%s", args, other.String())
		}
	}
	// The command's own help, as Go's flags spell it too.
	for _, arg := range []string{"-h", "-help", "--help", "help"} {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{arg}, &stdout, &stderr); !errors.Is(err, flag.ErrHelp) || !strings.Contains(stdout.String(), "usage: digest <command>") || stderr.Len() > 0 {
			t.Errorf("digest %s: err %v, stdout\n%s\nstderr\n%s", arg, err, stdout.String(), stderr.String())
		}
	}
}

// TestServeIndexPrefix checks that a replica finds an index deployed under
// an --index-prefix of its own when given the same.
func TestServeIndexPrefix(t *testing.T) {
	_, out := buildTestSite(t)
	bucket := "file://" + filepath.ToSlash(t.TempDir())
	var log bytes.Buffer
	if err := run(context.Background(), []string{"deploy", "-d", out, "--index-prefix", "idx/", bucket}, &log, &log); err != nil {
		t.Fatalf("deploy: %v\n%s", err, log.String())
	}
	base, _, _ := launchServe(t, "--search-only", "--index", bucket, "--index-prefix", "idx/", "--index-dir", t.TempDir())
	resp, err := testClient.Get(base + "/api/search?q=" + url.QueryEscape("Хэйлунцзян"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct{ Total int }
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || resp.StatusCode != 200 || res.Total == 0 {
		t.Errorf("status %d, %d hits, err %v", resp.StatusCode, res.Total, err)
	}
}

// TestServeIndexFails: a replica that cannot start says why and returns,
// leaving nothing running.
func TestServeIndexFails(t *testing.T) {
	_, out := buildTestSite(t)
	bucket := "file://" + filepath.ToSlash(t.TempDir())
	var log bytes.Buffer
	if err := run(context.Background(), []string{"deploy", "-d", out, bucket}, &log, &log); err != nil {
		t.Fatalf("deploy: %v\n%s", err, log.String())
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	badPointer := t.TempDir()
	if err := os.MkdirAll(filepath.Join(badPointer, "_search"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(badPointer, "_search", "current.json"), []byte("<html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		want, not string
	}{
		{"empty bucket", []string{"--index", "file://" + filepath.ToSlash(t.TempDir()), "--addr", "127.0.0.1:0"}, "publish one with `digest deploy`", ""},
		// A pointer that is there: no hint to publish one.
		{"bad pointer", []string{"--index", "file://" + filepath.ToSlash(badPointer), "--addr", "127.0.0.1:0"}, "_search/current.json: invalid character", "publish one"},
		{"address in use", []string{"--index", bucket, "--addr", busy.Addr().String()}, "address already in use", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			var stderr syncBuffer
			go func() {
				done <- runServe(context.Background(), append([]string{"--search-only", "--index-dir", t.TempDir()}, tt.args...), &stderr, &stderr)
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "digest serve: ") || tt.not != "" && strings.Contains(err.Error(), tt.not) {
					t.Errorf("err = %v, want one with %q and without %q", err, tt.want, tt.not)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("serve did not return")
			}
		})
	}
}
