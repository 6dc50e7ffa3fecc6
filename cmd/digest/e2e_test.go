package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/coopdigest/digest/build"
)

// chromiumPath finds a headless-capable browser: $CHROMIUM, or Debian's
// chromium.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowserSearch builds the search test site, serves it as `digest
// serve` does, and drives headless chromium through it: a query typed into
// the box on the home page, the results, a facet, page 2. Without chromium
// the test is skipped, except under CI=true, where it fails.
func TestBrowserSearch(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: not with -short")
	}
	chromium := chromiumPath()
	if chromium == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; CI must run the browser test (apt-get install chromium)")
		}
		t.Skip("chromium is not installed: the browser test is skipped (`make test` installs it where apt-get is available)")
	}

	// The search package's test site, two notes to a page.
	site := t.TempDir()
	if err := os.CopyFS(site, os.DirFS("../../search/testdata/site")); err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(site, "content", "site.yaml")
	data, err := os.ReadFile(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	data = []byte(strings.Replace(string(data), "per_page: 20", "per_page: 2", 1))
	if err := os.WriteFile(cfgFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out := filepath.Join(site, "public")
	if _, err := build.Build(ctx, build.Config{Site: site, Out: out}); err != nil {
		t.Fatal(err)
	}
	srv, ix, _, err := newSiteServer(site, out, site, slog.New(slog.DiscardHandler), nil, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ts := httptest.NewServer(srv.Handler)
	defer ts.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()

	// results reads the results page once it has loaded: the total and the
	// titles of the hits shown.
	results := func() (string, []string) {
		t.Helper()
		if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS("#total"))); err != nil {
			t.Fatal(err)
		}
		total, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#total")))
		if err != nil {
			t.Fatal(err)
		}
		titles, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".results .note-title")].map(a => a.textContent.trim())`))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(total), titles
	}
	waitFor := func(cond string) { t.Helper(); waitInPage(t, bctx, cond) }

	// Home page: type a query into the box and submit it.
	err = chromedp.Do(bctx,
		// A desktop's width, where the filters show beside the results.
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), "провинция"),
		chromedp.Submit(chromedp.CSS("#q")),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(`location.pathname === "/search"`)
	total, titles := results()
	// Every note of a Chinese province but Beijing names the word in an alias.
	if total != "6" || len(titles) != 2 {
		t.Fatalf("results for «провинция»: total %q, titles %q", total, titles)
	}

	// A facet narrows the search.
	err = chromedp.Do(bctx, chromedp.Click(chromedp.Search(`//section[contains(@class,"facet")]//ul[contains(@class,"toggles")]/li/a[normalize-space(text()[1])="Хэйлунцзян"]`)))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(`location.search.includes("region=heilongjiang")`)
	total, titles = results()
	if total != "3" || len(titles) != 2 {
		t.Fatalf("after the facet: total %q, titles %q", total, titles)
	}
	first := titles

	// Page 2 has the rest.
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`a[rel="next"]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(`location.search.includes("page=2")`)
	total, titles = results()
	if total != "3" || len(titles) != 1 || titles[0] == first[0] || titles[0] == first[1] {
		t.Fatalf("page 2: total %q, titles %q (page 1: %q)", total, titles, first)
	}
	pager, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(".pager span")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(pager, "Страница 2 из 2") {
		t.Errorf("pager says %q", pager)
	}
}

// waitInPage waits until cond holds in the page of bctx, for 30 seconds at
// most. A navigation under way destroys the page's JavaScript context and
// fails the poll: it tries again.
func waitInPage(t *testing.T, bctx context.Context, cond string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := chromedp.Run(bctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(10*time.Second)))
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", cond, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowserUnbuilt opens the address of serve --watch on a site whose
// first build fails, with nothing built before: the page shows the build's
// problems, and once they are fixed it turns into the site by itself.
func TestBrowserUnbuilt(t *testing.T) {
	chromium := needChromium(t)
	site := newSite(t, map[string]string{
		"content/2025/a.md":   brokenStartNote,
		"templates/note.html": `{{define "main"}}{{.Data.Nope}{{end}}`,
	})
	url := unbuiltURL(t, serveLines(t, "-s", site, "--watch"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bctx := newBrowser(t, ctx, chromium)
	if err := chromedp.Do(bctx, chromedp.Navigate(url+"/2025/a/")); err != nil {
		t.Fatal(err)
	}
	waitInPage(t, bctx, `document.getElementById("problems").textContent.includes("note.html")`)
	if err := os.Remove(filepath.Join(site, "templates", "note.html")); err != nil {
		t.Fatal(err)
	}
	waitInPage(t, bctx, `!document.getElementById("problems") && location.pathname === "/2025/a/" && document.querySelector("h1").textContent.trim() === "Т"`)
}
