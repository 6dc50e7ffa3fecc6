package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"
)

// TestCluster runs a search cluster on this machine, as docs/DEPLOY.md
// describes one: HAProxy, health-checking /readyz, in front of replicas of
// `digest serve --search-only --index file://…` fed by `digest deploy`.
// Under a steady load it deploys a new build, kills one replica with
// SIGKILL and starts it again, and drains another with SIGTERM and starts
// it again; no request may fail, and once the new build has had the poll
// interval (and its download) to arrive, every answer must come from it.
//
// It runs only with DIGEST_CLUSTER=1 (make test-cluster), and needs
// haproxy on PATH or at /usr/sbin/haproxy: without it the test is skipped,
// or fails when CI=true. DIGEST_CLUSTER_SITE names the site to serve
// (default: the search package's test site; /tmp/corpus-10000 for a real
// corpus), DIGEST_CLUSTER_RATE the requests a second (default 400),
// DIGEST_CLUSTER_DURATION how long (default 30s).
func TestCluster(t *testing.T) {
	if os.Getenv("DIGEST_CLUSTER") != "1" {
		t.Skip("the cluster test runs with DIGEST_CLUSTER=1 (make test-cluster)")
	}
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		haproxy = "/usr/sbin/haproxy"
		if _, err := os.Stat(haproxy); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("haproxy is needed for the cluster test: apt-get install haproxy")
			}
			t.Skip("haproxy not found (apt-get install haproxy); the cluster test needs it")
		}
	}
	rate := envInt(t, "DIGEST_CLUSTER_RATE", 400)
	duration := 30 * time.Second
	if v := os.Getenv("DIGEST_CLUSTER_DURATION"); v != "" {
		if duration, err = time.ParseDuration(v); err != nil {
			t.Fatalf("DIGEST_CLUSTER_DURATION: %v", err)
		}
	}
	const (
		poll     = time.Second
		replicas = 3
		drain    = 2 * time.Second // HAProxy's check interval times its fall count, and more
	)
	ctx := context.Background()
	tmp := t.TempDir()

	// The digest binary, as an operator runs it.
	bin := filepath.Join(tmp, "digest")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// Build A, deployed to the bucket.
	site := filepath.Join(tmp, "site")
	src := os.Getenv("DIGEST_CLUSTER_SITE")
	if src == "" {
		src = "../../search/testdata/site"
	}
	// Its sources only: a site folder may hold a built OUT and more.
	for _, dir := range []string{"content", "templates"} {
		if _, err := os.Stat(filepath.Join(src, dir)); err != nil && dir != "content" {
			continue
		}
		if err := os.CopyFS(filepath.Join(site, dir), os.DirFS(filepath.Join(src, dir))); err != nil {
			t.Fatal(err)
		}
	}
	bucket := "file://" + filepath.ToSlash(filepath.Join(tmp, "bucket"))
	os.MkdirAll(filepath.Join(tmp, "bucket"), 0o755)
	build := func(out string) {
		t.Helper()
		var log bytes.Buffer
		start := time.Now()
		if err := runBuild(ctx, []string{"-s", site, "-o", out}, &log, &log); err != nil {
			t.Fatalf("build: %v\n%s", err, log.String())
		}
		t.Logf("built %s in %v", filepath.Base(out), time.Since(start).Round(time.Millisecond))
	}
	deployOut := func(out string) {
		t.Helper()
		var log bytes.Buffer
		start := time.Now()
		if err := run(ctx, []string{"deploy", "-d", out, bucket}, &log, &log); err != nil {
			t.Fatalf("deploy: %v\n%s", err, log.String())
		}
		t.Logf("deployed %s in %v: %s", filepath.Base(out), time.Since(start).Round(time.Millisecond), strings.TrimSpace(log.String()))
	}
	// Build B, with a note A has not, is made beforehand, as a build
	// machine would; the load sees only its deploy.
	outA, outB := filepath.Join(tmp, "publicA"), filepath.Join(tmp, "publicB")
	build(outA)
	addMarkerNote(t, site)
	build(outB)
	deployOut(outA)

	// The replicas, each with its port and its folder of index copies.
	rs := make([]*replica, replicas)
	for i := range rs {
		rs[i] = &replica{
			name: fmt.Sprintf("r%d", i+1), bin: bin, addr: freeAddr(t),
			args: []string{"serve", "--search-only", "--index", bucket, "--poll", poll.String(),
				"--index-dir", filepath.Join(tmp, fmt.Sprintf("index%d", i+1)), "--drain", drain.String()},
			log: filepath.Join(tmp, fmt.Sprintf("r%d.log", i+1)),
		}
		rs[i].start(t)
		t.Cleanup(func() { rs[i].stop(syscall.SIGTERM) })
	}
	for _, r := range rs {
		r.waitReady(t)
	}

	// HAProxy in front of them.
	front := freeAddr(t)
	cfg := filepath.Join(tmp, "haproxy.cfg")
	var buf bytes.Buffer
	if err := haproxyConfig.Execute(&buf, map[string]any{"Front": front, "Replicas": rs}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cfg, buf.Bytes(), 0o644)
	if out, err := exec.Command(haproxy, "-c", "-f", cfg).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s", err, out)
	}
	hlog, _ := os.Create(filepath.Join(tmp, "haproxy.log"))
	hp := exec.Command(haproxy, "-db", "-f", cfg)
	hp.Stdout, hp.Stderr = hlog, hlog
	if err := hp.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hp.Process.Signal(syscall.SIGUSR1); hp.Wait(); hlog.Close() })
	base := "http://" + front
	waitFor(t, 10*time.Second, func() bool {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	}, "HAProxy to find a replica ready")
	time.Sleep(time.Second) // the checks of every replica pass twice

	// The load, and what happens under it.
	l := newLoad(base, rate)
	loadDone := make(chan struct{})
	go func() { l.run(duration); close(loadDone) }()
	at := func(f float64) <-chan time.Time { return time.After(time.Duration(f * float64(duration))) }
	var deployed time.Time
	step := func(name string, ch <-chan time.Time, f func()) {
		<-ch
		t.Logf("%5.1fs %s", time.Since(l.start).Seconds(), name)
		f()
	}
	began := time.Now()
	step("deploy build B", at(0.15), func() {
		deployOut(outB)
		deployed = time.Now()
		l.markDeployed(deployed.Add(poll + 2*time.Second))
	})
	step("SIGKILL r1", time.After(time.Until(began.Add(duration*35/100))), func() { rs[0].stop(syscall.SIGKILL) })
	step("start r1 again", time.After(time.Until(began.Add(duration*45/100))), func() { rs[0].start(t) })
	step("SIGTERM r2 (drain)", time.After(time.Until(began.Add(duration*60/100))), func() { rs[1].stop(syscall.SIGTERM) })
	step("start r2 again", time.After(time.Until(began.Add(duration*75/100))), func() { rs[1].start(t) })
	<-loadDone

	rep := l.report()
	last := "no answer from build A after its deploy"
	if rep.lastStale.After(deployed) {
		last = fmt.Sprintf("the last answer from build A %v after build B's deploy", rep.lastStale.Sub(deployed).Round(time.Millisecond))
	}
	t.Logf("cluster: %d replicas, %s: %d requests in %v, %.0f req/s, p50 %v, p99 %v, max %v, %d failed, %d stale after the switch; %s",
		replicas, filepath.Base(src), rep.n, rep.elapsed.Round(time.Millisecond), rep.rps, rep.p50.Round(10*time.Microsecond), rep.p99.Round(10*time.Microsecond), rep.max.Round(time.Millisecond), rep.failed, rep.stale, last)
	for _, e := range rep.errors {
		t.Errorf("failed: %s", e)
	}
	if rep.failed > 0 {
		t.Errorf("%d requests failed, want 0", rep.failed)
	}
	if rep.stale > 0 {
		t.Errorf("%d answers came from build A more than %v after build B was deployed", rep.stale, poll+2*time.Second)
	}
	if !rep.sawB {
		t.Error("no answer came from build B")
	}
	if t.Failed() {
		for _, name := range []string{"haproxy.log", "r1.log", "r2.log", "r3.log"} {
			data, _ := os.ReadFile(filepath.Join(tmp, name))
			t.Logf("%s:\n%s", name, lastLines(string(data), 30))
		}
	}
}

// haproxyConfig is the configuration docs/DEPLOY.md gives, with the test's
// addresses.
var haproxyConfig = template.Must(template.New("").Parse(`global
    maxconn 4096

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 10s
    # A burst waits here for a replica's turn rather than filling the
    # replicas' own queues, which turn away what is more with 503.
    timeout queue 5s
    # A request that met a replica killed or stopping is sent again, to
    # another replica: searches are GETs, safe to repeat.
    retries 3
    retry-on all-retryable-errors
    option redispatch 1

frontend search
    bind {{.Front}}
    default_backend replicas

backend replicas
    balance leastconn
    option httpchk GET /readyz
    http-check expect status 200
    # maxconn: no more than a replica runs and queues at once
    # (--max-searches + --max-waiting: 2 + 8 on two cores).
    default-server check inter 500ms fall 2 rise 2 maxconn 8
{{- range .Replicas}}
    server {{.Name}} {{.Addr}}
{{- end}}
`))

// replica is one `digest serve` process of the cluster.
type replica struct {
	name, bin, addr, log string
	args                 []string

	mu  sync.Mutex
	cmd *exec.Cmd
	end chan struct{}
}

func (r *replica) Name() string { return r.name }
func (r *replica) Addr() string { return r.addr }

func (r *replica) start(t *testing.T) {
	t.Helper()
	f, err := os.OpenFile(r.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(r.bin, append(r.args, "--addr", r.addr)...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	end := make(chan struct{})
	go func() { cmd.Wait(); f.Close(); close(end) }()
	r.mu.Lock()
	r.cmd, r.end = cmd, end
	r.mu.Unlock()
}

// stop sends sig and waits for the process to end.
func (r *replica) stop(sig syscall.Signal) {
	r.mu.Lock()
	cmd, end := r.cmd, r.end
	r.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(sig)
	<-end
}

func (r *replica) waitReady(t *testing.T) {
	t.Helper()
	waitFor(t, 60*time.Second, func() bool {
		resp, err := http.Get("http://" + r.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	}, r.name+" to be ready")
}

// waitFor polls ok until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, ok func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !ok(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", timeout, what)
		}
	}
}

// freeAddr is a local address no one listens on.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a whole number above 0", name, v)
	}
	return n
}

// markerWord is in build B alone.
const markerWord = "Кластерово"

// addMarkerNote adds to the site a copy of its first note, retitled and
// with markerWord in it, so that build B answers a search for the word
// and build A does not.
func addMarkerNote(t *testing.T, site string) {
	t.Helper()
	var first string
	fs.WalkDir(os.DirFS(site), "content", func(p string, d fs.DirEntry, err error) error {
		if first == "" && err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			data, _ := os.ReadFile(filepath.Join(site, p))
			if !bytes.Contains(data, []byte("draft: true")) {
				first = p
			}
		}
		return nil
	})
	if first == "" {
		t.Fatal("the site has no note")
	}
	data, err := os.ReadFile(filepath.Join(site, first))
	if err != nil {
		t.Fatal(err)
	}
	note := strings.Replace(string(data), "title: ", "title: "+markerWord+" ", 1) + "\n" + markerWord + ".\n"
	// A slug of its own, when the note sets one.
	note = regexp.MustCompile(`(?m)^slug: .*$`).ReplaceAllString(note, "slug: cluster-marker")
	if err := os.WriteFile(filepath.Join(site, filepath.Dir(first), "cluster-marker.md"), []byte(note), 0o644); err != nil {
		t.Fatal(err)
	}
}

// load sends requests at a steady rate and records what came back.
type load struct {
	base  string
	rate  int
	start time.Time

	mu        sync.Mutex
	lat       []time.Duration
	failed    int
	errors    []string // the first few
	switchBy  time.Time
	stale     int
	lastStale time.Time
	sawB      bool
}

// clusterQueries are what the load asks, in turn: words, filters, pages
// and sorts, so that some answers are cached and others not. Every tenth
// request asks for markerWord.
var clusterQueries = []string{
	"q=выставка", "q=Харбин", "q=сотрудничество&page=2", "q=соглашение&sort=date", "q=делегация",
	"q=инвестиции", "q=торговля&per_page=50", "q=форум", "q=губернатор", "sort=date&page=3", "q=провинция",
	"q=мост", "q=экспорт&sort=date",
}

func newLoad(base string, rate int) *load { return &load{base: base, rate: rate} }

// markDeployed says that, from at on, every answer for markerWord must
// find it.
func (l *load) markDeployed(at time.Time) {
	l.mu.Lock()
	l.switchBy = at
	l.mu.Unlock()
}

func (l *load) run(d time.Duration) {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	tick := time.NewTicker(time.Second / time.Duration(l.rate))
	defer tick.Stop()
	l.start = time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 256)
	for i := 0; time.Since(l.start) < d; i++ {
		<-tick.C
		sem <- struct{}{}
		q := clusterQueries[i%len(clusterQueries)]
		marker := i%10 == 0
		if marker {
			q = "q=" + markerWord
		}
		// An uncached search now and then: a page no one asked before,
		// in place of the query's own (a parameter given twice is a 400).
		if i%7 == 0 && !marker {
			v, _ := url.ParseQuery(q)
			v.Set("page", strconv.Itoa(1+i%40))
			q = v.Encode()
		}
		wg.Go(func() {
			defer func() { <-sem }()
			l.one(client, q, marker)
		})
	}
	wg.Wait()
}

func (l *load) one(client *http.Client, q string, marker bool) {
	v, _ := url.ParseQuery(q)
	start := time.Now()
	resp, err := client.Get(l.base + "/api/search?" + v.Encode())
	var total int
	if err == nil {
		var body []byte
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != 200 {
			err = fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(body))
		}
		if err == nil {
			var res struct{ Total int }
			err = json.Unmarshal(body, &res)
			total = res.Total
		}
	}
	lat := time.Since(start)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lat = append(l.lat, lat)
	if err != nil {
		l.failed++
		if len(l.errors) < 10 {
			l.errors = append(l.errors, fmt.Sprintf("%.1fs %s: %v", start.Sub(l.start).Seconds(), q, err))
		}
		return
	}
	if marker {
		if total > 0 {
			l.sawB = true
		} else if !l.switchBy.IsZero() {
			l.lastStale = start
			if start.After(l.switchBy) {
				l.stale++
			}
		}
	}
}

type loadReport struct {
	n, failed, stale int
	elapsed          time.Duration
	rps              float64
	p50, p99, max    time.Duration
	errors           []string
	lastStale        time.Time
	sawB             bool
}

func (l *load) report() loadReport {
	l.mu.Lock()
	defer l.mu.Unlock()
	lat := slices.Clone(l.lat)
	slices.Sort(lat)
	r := loadReport{n: len(lat), failed: l.failed, stale: l.stale, elapsed: time.Since(l.start), errors: l.errors, lastStale: l.lastStale, sawB: l.sawB}
	r.rps = float64(r.n) / r.elapsed.Seconds()
	if len(lat) > 0 {
		r.p50, r.p99, r.max = lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	}
	return r
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
