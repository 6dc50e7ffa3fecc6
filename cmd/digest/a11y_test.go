package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/coopdigest/digest/build"
	"github.com/coopdigest/digest/internal/sitegen"
)

// axePath is axe-core as `npm ci` in testdata/npm installs it (make npm):
// the version is pinned by testdata/npm/package-lock.json.
const axePath = "../../testdata/npm/node_modules/axe-core/axe.min.js"

var screenshots = flag.String("screenshots", "", "TestScreenshots writes the README's screenshots into this folder (an absolute path, or relative to cmd/digest)")

// needChromium returns chromium's path, or skips the test without it,
// except under CI=true, where it fails.
func needChromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: not with -short")
	}
	p := chromiumPath()
	if p == "" {
		missingTool(t, "chromium is not installed", "make chromium, or apt-get install chromium")
	}
	return p
}

// needAxe returns axe-core's source, or skips the test without it, except
// under CI=true, where it fails.
func needAxe(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(axePath)
	if err != nil {
		missingTool(t, "axe-core is not installed", "make npm, or npm ci --ignore-scripts in testdata/npm")
	}
	return string(src)
}

func missingTool(t *testing.T, what, how string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI must run the browser test (%s)", what, how)
	}
	t.Skipf("%s: the browser test is skipped (%s)", what, how)
}

// newBrowser starts headless chromium for the test and returns a context
// that drives one tab of it.
func newBrowser(t *testing.T, ctx context.Context, chromium string) context.Context {
	t.Helper()
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
	// A Russian reader's browser: date fields read дд.мм.гггг.
	opts = append(opts, chromedp.Env("LANGUAGE=ru"), chromedp.Flag("lang", "ru"))
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	return bctx
}

// serveSite builds the site in dir (dir/content) with perPage notes to a
// list page (0: as site.yaml says) and serves it with search, as `digest
// serve` does, until the test ends. It returns the site's address.
func serveSite(t *testing.T, ctx context.Context, dir string, perPage int) string {
	t.Helper()
	if perPage > 0 {
		cfg := filepath.Join(dir, "content", "site.yaml")
		data, err := os.ReadFile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		s, n := string(data), strings.Count(string(data), "per_page: 20")
		if n != 1 {
			t.Fatalf("%s: no per_page: 20 to change", cfg)
		}
		data = []byte(strings.Replace(s, "per_page: 20", fmt.Sprintf("per_page: %d", perPage), 1))
		if err := os.WriteFile(cfg, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "public")
	// A fixed day, on which the generated site has upcoming events.
	if _, err := build.Build(ctx, build.Config{Site: dir, Out: out, Today: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	srv, ix, _, err := newSiteServer(dir, out, dir, slog.New(slog.DiscardHandler), nil, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	ts := httptest.NewServer(srv.Handler)
	t.Cleanup(ts.Close)
	return ts.URL
}

// sampleSite is the repository's sample content.
func sampleSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "content"), os.DirFS("../../content")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// generatedSite has n generated notes, so that every list has pages.
func generatedSite(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	if err := sitegen.Write(dir, "../../content", n); err != nil {
		t.Fatal(err)
	}
	return dir
}

// pageKind is one kind of page the reader meets, at a path of a test site.
type pageKind struct {
	name   string
	path   string
	status int64 // 200 unless given
}

// sampleKinds are the page kinds of the sample site.
var sampleKinds = []pageKind{
	{name: "home", path: "/"},
	{name: "note", path: "/2025/khabarovsk-delegation-beijing/"},
	{name: "note-with-table-and-image", path: "/2024/russia-china-expo-harbin/"},
	{name: "year", path: "/2024/"},
	{name: "region", path: "/regions/heilongjiang/"},
	{name: "sector", path: "/sectors/trade/"},
	{name: "kind", path: "/kinds/agreement/"},
	{name: "partnership", path: "/regions/moscow/shanghai/"},
	{name: "regions", path: "/regions/"},
	{name: "sectors", path: "/sectors/"},
	{name: "kinds", path: "/kinds/"},
	{name: "people", path: "/people/"},
	{name: "person", path: "/people/andrey-vorobyov/"},
	{name: "organization", path: "/organizations/rosatom/"},
	{name: "search", path: "/search?q=%D0%B2%D1%8B%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B0"},      // выставка
	{name: "search-nothing", path: "/search?q=%D0%B7%D1%8E%D0%B7%D1%8E%D0%B7%D1%8F"},          // зюзюзя
	{name: "search-typo", path: "/search?q=%D0%B2%D1%8B%D1%81%D1%82%D0%B0%D1%84%D0%BA%D0%B5"}, // выстафке
	{name: "search-stop-words", path: "/search?q=%D0%BF%D0%BE%D1%81%D0%BB%D0%B5+%D0%B8"},      // после и
	{name: "search-past-the-end", path: "/search?q=%D0%B2%D1%8B%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B0&page=9"},
	{name: "search-bad-date", path: "/search?from=2024-13-01", status: 400},
	{name: "404", path: "/no-such-page/", status: 404},
}

// generatedKinds are the pages of a generated site that only a site with
// many notes has: second pages, facets with many values.
var generatedKinds = []pageKind{
	{name: "home-with-upcoming", path: "/"},
	{name: "home-page-2", path: "/page/2/"},
	{name: "home-page-6", path: "/page/6/"},
	{name: "year-page-2", path: "/2020/page/2/"},
	{name: "region-page-2", path: "/regions/heilongjiang/page/2/"},
	{name: "partnership-page-2", path: "/regions/primorsky-krai/beijing/page/2/"},
	{name: "search", path: "/search?q=%D0%B4%D0%B5%D0%BB%D0%B5%D0%B3%D0%B0%D1%86%D0%B8%D1%8F"},                           // делегация
	{name: "search-facet", path: "/search?q=%D0%B4%D0%B5%D0%BB%D0%B5%D0%B3%D0%B0%D1%86%D0%B8%D1%8F&region=heilongjiang"}, // делегация, Хэйлунцзян
	{name: "search-page-2", path: "/search?q=%D0%B4%D0%B5%D0%BB%D0%B5%D0%B3%D0%B0%D1%86%D0%B8%D1%8F&page=2"},
	// Every note, facets of many values, three filters as chips.
	{name: "search-filtered", path: "/search?region=heilongjiang&sector=trade&kind=expo"},
}

// A view is how a page is looked at: a viewport width and a colour scheme.
type view struct {
	width, height int64
	dark          bool
}

func (v view) String() string {
	if v.dark {
		return fmt.Sprintf("%dpx-dark", v.width)
	}
	return fmt.Sprintf("%dpx", v.width)
}

// views are the widths of issue 13: a desktop, a phone and the narrowest
// phone WCAG's reflow criterion names, and the desktop in dark mode.
var views = []view{{1280, 900, false}, {390, 844, false}, {320, 640, false}, {1280, 900, true}}

// axeViolation is one element that breaks one axe rule.
type axeViolation struct {
	Rule    string `json:"rule"`
	Impact  string `json:"impact"`
	Target  string `json:"target"`
	Help    string `json:"help"`
	Summary string `json:"summary"`
}

// axeRun runs axe-core's WCAG 2.1 A and AA rules on the page and returns
// the serious and critical violations.
const axeRun = `(async () => {
	const r = await axe.run(document, {
		runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
		resultTypes: ["violations"],
	});
	return r.violations
		.filter(v => v.impact === "serious" || v.impact === "critical")
		.flatMap(v => v.nodes.map(n => ({rule: v.id, impact: v.impact, target: n.target.join(" "), help: v.help, summary: n.failureSummary || ""})));
})()`

// layoutChecks are what axe cannot see, each a message when it fails:
// horizontal scrolling, input borders against their background (WCAG
// 1.4.11, 3:1), the space between the header and the page's heading, and
// date fields without a visible label.
const layoutChecks = `(() => {
	const problems = [];
	const de = document.documentElement;
	if (de.scrollWidth > de.clientWidth) {
		const wide = [...document.querySelectorAll("body *")]
			.filter(e => e.getBoundingClientRect().right > de.clientWidth + 0.5)
			.slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ").join(".") : ""));
		problems.push("scrolls sideways: " + de.scrollWidth + " px of content in " + de.clientWidth + " px (" + wide.join(", ") + ")");
	}
	const rgb = s => { const m = s.match(/[\d.]+/g); return m ? m.map(Number) : [0, 0, 0, 0]; };
	const lum = ([r, g, b]) => {
		const c = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
		return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
	};
	const contrast = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
	const background = e => {
		for (let p = e.parentElement; p; p = p.parentElement) {
			const c = rgb(getComputedStyle(p).backgroundColor);
			if (c.length < 4 || c[3] > 0) return c;
		}
		return [255, 255, 255];
	};
	for (const e of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
		const s = getComputedStyle(e);
		if (s.display === "none" || s.visibility === "hidden") continue;
		const ratio = contrast(rgb(s.borderBottomColor), background(e));
		if (parseFloat(s.borderBottomWidth) === 0 || ratio < 3) {
			problems.push("input #" + e.id + ": border contrast " + ratio.toFixed(2) + ":1 against its background, under 3:1");
		}
	}
	const header = document.querySelector("body > header"), h1 = document.querySelector("main h1");
	if (header && h1) {
		const gap = h1.getBoundingClientRect().top - header.getBoundingClientRect().bottom;
		if (gap < 16) problems.push("main's heading is " + gap.toFixed(0) + " px below the header, under 16 px");
	}
	for (const e of document.querySelectorAll("input[type=date]")) {
		const label = e.labels && e.labels[0];
		const r = label && label.getBoundingClientRect();
		if (!r || r.width < 8 || r.height < 8) problems.push("date field #" + e.id + " has no visible label");
	}
	return problems;
})()`

// focusCheck says what is wrong with keyboard focus after the first and the
// second Tab: the first stop must be a visible link to #main, and both
// stops must show an outline.
const focusCheck = `(n) => {
	const e = document.activeElement;
	if (!e || e === document.body) return "Tab " + n + " focuses nothing";
	const s = getComputedStyle(e), r = e.getBoundingClientRect();
	const name = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.getAttribute("href") ? "[href=" + e.getAttribute("href") + "]" : "");
	if (n === 1) {
		if (e.getAttribute("href") !== "#main" || !document.getElementById("main")) return "the first Tab stop is " + name + ", not a skip link to #main";
		if (r.width < 8 || r.height < 8 || r.bottom < 0 || r.top > innerHeight) return "the skip link stays hidden when focused";
	}
	if ((s.outlineStyle === "none" || parseFloat(s.outlineWidth) === 0) && s.boxShadow === "none") return name + " shows no focus outline";
	return "";
}`

// TestAccessibility serves the sample site and a generated one as `digest
// serve` does and looks at every page kind in headless chromium at 1280,
// 390 and 320 px and in dark mode: axe-core's WCAG 2.1 AA rules must find
// nothing serious or critical, the page must not scroll sideways, the
// console must stay free of errors (a Content-Security-Policy violation is
// one), and a reader with a keyboard must meet a skip link first. Without
// chromium or axe-core the test is skipped, except under CI=true.
func TestAccessibility(t *testing.T) {
	chromium, axe := needChromium(t), needAxe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	sites := []struct {
		name  string
		dir   func(*testing.T) string
		per   int
		kinds []pageKind
	}{
		{"sample", sampleSite, 0, sampleKinds},
		// 300 notes, five to a page: lists have many pages, as at real size.
		{"generated", func(t *testing.T) string { return generatedSite(t, 300) }, 5, generatedKinds},
	}
	for _, s := range sites {
		t.Run(s.name, func(t *testing.T) {
			site := serveSite(t, ctx, s.dir(t), s.per)
			bctx := newBrowser(t, ctx, chromium)
			console := watchConsole(bctx)
			for _, k := range s.kinds {
				t.Run(k.name, func(t *testing.T) {
					checkPage(t, bctx, console, site, k, axe)
				})
			}
		})
	}
}

// consoleLog gathers what the tab writes to its console.
type consoleLog struct {
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
}

func watchConsole(ctx context.Context) *consoleLog {
	c := &consoleLog{}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			c.mu.Lock()
			c.msgs = append(c.msgs, m)
			c.mu.Unlock()
		}
	}()
	return c
}

// take returns the messages since the last call.
func (c *consoleLog) take() []chromedp.ConsoleMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.msgs
	c.msgs = nil
	return m
}

// checkPage loads one page and checks it in every view.
func checkPage(t *testing.T, ctx context.Context, console *consoleLog, base string, k pageKind, axe string) {
	want := k.status
	if want == 0 {
		want = 200
	}
	if err := chromedp.Do(ctx, setView(views[0])); err != nil {
		t.Fatal(err)
	}
	console.take()
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(base+k.path))
	if err != nil {
		t.Fatalf("%s: %v", k.path, err)
	}
	if resp.Status != want {
		t.Fatalf("%s: status %d, want %d", k.path, resp.Status, want)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+"\n;true")); err != nil {
		t.Fatalf("injecting axe-core: %v", err)
	}

	// Keyboard: a fresh load, then Tab twice.
	for n := 1; n <= 2; n++ {
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
			t.Fatal(err)
		}
		msg, err := chromedp.Run(ctx, chromedp.Evaluate[string]("("+focusCheck+")("+fmt.Sprint(n)+")"))
		if err != nil {
			t.Fatal(err)
		}
		if msg != "" {
			t.Errorf("%s: %s", k.path, msg)
		}
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement.blur(), scrollTo(0, 0), true`)); err != nil {
		t.Fatal(err)
	}

	for _, v := range views {
		if err := chromedp.Do(ctx, setView(v)); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, nextFrames); err != nil {
			t.Fatal(err)
		}
		found, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s at %s: axe: %v", k.path, v, err)
		}
		for _, f := range found {
			t.Errorf("%s at %s: axe %s (%s) at %s: %s\n\t%s", k.path, v, f.Rule, f.Impact, f.Target, f.Help, strings.ReplaceAll(f.Summary, "\n", "\n\t"))
		}
		problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](layoutChecks))
		if err != nil {
			t.Fatalf("%s at %s: %v", k.path, v, err)
		}
		for _, p := range problems {
			t.Errorf("%s at %s: %s", k.path, v, p)
		}
	}

	for _, m := range console.take() {
		if m.Type != chromedp.ConsoleError && m.Type != chromedp.ConsoleException {
			continue
		}
		if want != 200 && m.Source == "network" && strings.HasPrefix(m.URL, base+k.path) {
			continue // the page's own status, as asked for
		}
		hint := ""
		if strings.Contains(m.Text, "Content Security Policy") && strings.Contains(m.Text, "inline style") {
			hint = "\n\t(an inline style attribute: Markdown tables with alignment need classes from the build, issue 13 item 4)"
		}
		t.Errorf("%s: console %s: %s%s", k.path, m.Type, m.Text, hint)
	}
}

// setView sizes the viewport and sets the colour scheme.
func setView(v view) chromedp.Action[chromedp.Void] {
	scheme := "light"
	if v.dark {
		scheme = "dark"
	}
	return chromedp.Steps(
		chromedp.EmulateViewport(v.width, v.height),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
			})
			return err
		}),
	)
}

// nextFrames waits for two frames of a page whose scripts run: its scripts
// (scroll.js) answer a new width in a ResizeObserver, which runs with the
// next frame after the viewport changes.
var nextFrames = chromedp.Evaluate[bool](`new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))`,
	chromedp.EvalAwaitPromise)

// TestScreenshots writes the screenshots of docs/screenshots: home, a
// note, a partnership and search of the sample site at 1280 and 390 px.
// It runs only when asked to:
//
//	go test ./cmd/digest -run TestScreenshots -screenshots "$PWD/docs/screenshots"
func TestScreenshots(t *testing.T) {
	if *screenshots == "" {
		t.Skip("no -screenshots folder")
	}
	chromium := needChromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	site := serveSite(t, ctx, sampleSite(t), 0)
	bctx := newBrowser(t, ctx, chromium)
	shots := []struct{ name, path string }{
		{"home", "/"},
		{"note", "/2025/khabarovsk-delegation-beijing/"},
		{"partnership", "/regions/khabarovsk-krai/beijing/"},
		{"search", "/search?q=%D0%B2%D1%8B%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B0"},                              // выставка
		{"search-filtered", "/search?q=%D0%B2%D1%8B%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B0&region=heilongjiang"}, // выставка, Хэйлунцзян
	}
	sizes := []struct {
		name string
		view view
	}{{"desktop", view{1280, 900, false}}, {"phone", view{390, 844, false}}}
	if err := os.MkdirAll(*screenshots, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range shots {
		for _, size := range sizes {
			err := chromedp.Do(bctx, setView(size.view), chromedp.Navigate(site+s.path))
			if err != nil {
				t.Fatal(err)
			}
			png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Join(*screenshots, s.name+"-"+size.name+".png")
			if err := os.WriteFile(name, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", name)
		}
	}
}

// searchState is what the results page shows of the search in force.
type searchState struct {
	Search  string   `json:"search"`  // location.search
	Total   int      `json:"total"`   // «Найдено»
	Checked []string `json:"checked"` // facet values in force
	Chips   []string `json:"chips"`   // removable filters above the results
}

const readSearchState = `(() => ({
	search: location.search,
	total: Number(document.querySelector("#total").textContent),
	checked: [...document.querySelectorAll(".toggles a.on")].map(a => a.firstChild.textContent.trim()),
	chips: [...document.querySelectorAll(".filters a:not(.clear)")].map(a => a.textContent.replace("Убрать фильтр", "").replace("✕", "").trim()),
}))()`

// TestFacetToggles uses the facets of a generated site's search as a
// reader without JavaScript does, on a desktop and on a phone: a value
// adds itself to the search and, chosen again, removes itself; a value in
// the «все N» fold works the same and keeps its fold open; the chosen show
// as chips that remove them; choosing resets the page. On a phone the
// filters come before the results, folded. With the filters open, axe-core
// finds nothing serious and the page does not scroll sideways.
func TestFacetToggles(t *testing.T) {
	chromium, axe := needChromium(t), needAxe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	site := serveSite(t, ctx, generatedSite(t, 300), 5)
	bctx := newBrowser(t, ctx, chromium)
	console := watchConsole(bctx)
	scripts := func(on bool) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
			return err
		})
	}
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank"), scripts(false)); err != nil {
		t.Fatal(err)
	}
	// do runs steps, failing the test when they take longer than any should.
	do := func(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(bctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	eval := func(t *testing.T, js string) any {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Evaluate[any](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	state := func(t *testing.T) searchState {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Evaluate[searchState](readSearchState))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// follow clicks the link sel finds and waits for the page it leads to.
	follow := func(t *testing.T, sel chromedp.Action[chromedp.Void]) {
		t.Helper()
		before := eval(t, "location.href")
		do(t, sel)
		deadline := time.Now().Add(20 * time.Second)
		for {
			done, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`location.href !== `+fmt.Sprintf("%q", before)+` && document.readyState === "complete" && !!document.querySelector("#total")`))
			if err == nil && done {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("clicking from %s led nowhere", before)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// click clicks with the mouse, as a reader does, the element the
	// expression el finds: chromedp's Click needs the page's JavaScript.
	click := func(el string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			xy, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const e = `+el+`; e.scrollIntoView({block: "center"}); const r = e.getBoundingClientRect(); if (!r.width) throw new Error("hidden"); return [r.left + Math.min(r.width / 2, 20), r.top + r.height / 2]; })()`))
			if err != nil {
				return fmt.Errorf("%s: %w", el, err)
			}
			return chromedp.Do(ctx, chromedp.MouseClickXY(xy[0], xy[1]))
		})
	}
	css := func(sel string) chromedp.Action[chromedp.Void] {
		return click(fmt.Sprintf("document.querySelector(%q)", sel))
	}
	byName := func(checked bool, name string) chromedp.Action[chromedp.Void] {
		sel := ".toggles a:not(.on)"
		if checked {
			sel = ".toggles a.on"
		}
		return click(fmt.Sprintf(`[...document.querySelectorAll(%q)].find(a => a.firstChild.textContent.trim() === %q)`, sel, name))
	}
	for _, v := range []view{{1280, 900, false}, {390, 844, false}} {
		phone := v.width < 800
		t.Run(v.String(), func(t *testing.T) {
			// Every note, on page 2.
			do(t, setView(v), chromedp.Navigate(site+"/search?page=2"))
			console.take()
			if eval(t, `!!document.querySelector("script")`) == true || eval(t, `document.querySelector(".filters-panel").open`) == true {
				t.Fatal("the page has a script, or its filters start open")
			}
			// openFilters unfolds the filters on a phone; a desktop shows them.
			openFilters := func(t *testing.T) {
				t.Helper()
				if phone && eval(t, `document.querySelector(".filters-panel").open`) != true {
					do(t, css(".filters-panel > summary"))
				}
				if eval(t, `document.querySelector(".filters-panel .toggles a").getBoundingClientRect().height > 0`) != true {
					t.Fatal("the facets do not show")
				}
			}
			where := eval(t, `(() => { const f = document.querySelector(".filters-panel").getBoundingClientRect(), r = document.querySelector("#results").getBoundingClientRect(); return f.top < r.top ? "before" : f.left > r.left ? "beside" : "after"; })()`)
			if want := map[bool]string{true: "before", false: "beside"}[phone]; where != want {
				t.Errorf("the filters are %s the results, want %s", where, want)
			}
			start := state(t)

			// A Chinese province from the fold adds itself and resets the
			// page; it shows as chosen, in or out of the fold.
			openFilters(t)
			do(t, css("section[aria-labelledby=facet-cn] details.more > summary"))
			cn := eval(t, `document.querySelector("section[aria-labelledby=facet-cn] details.more .toggles a").firstChild.textContent.trim()`).(string)
			follow(t, byName(false, cn))
			s := state(t)
			if !strings.Contains(s.Search, "region=") || strings.Contains(s.Search, "page=") || !slices.Equal(s.Checked, []string{cn}) ||
				len(s.Chips) != 1 || !strings.Contains(s.Chips[0], cn) || s.Total >= start.Total || s.Total == 0 {
				t.Fatalf("after choosing %s: %+v (before: %d found)", cn, s, start.Total)
			}

			openFilters(t)
			if eval(t, `[...document.querySelectorAll(".toggles a.on")].every(a => a.getBoundingClientRect().height > 0)`) != true {
				t.Fatalf("%s, chosen, does not show", cn)
			}

			// A Russian region adds itself beside it.
			ru := eval(t, `document.querySelector("section[aria-labelledby=facet-ru] .toggles a").firstChild.textContent.trim()`).(string)
			follow(t, byName(false, ru))
			s = state(t)
			if len(s.Checked) != 2 || !slices.Contains(s.Checked, ru) || len(s.Chips) != 2 {
				t.Fatalf("after choosing %s: %+v", ru, s)
			}

			// With the filters open, the page is as accessible as the
			// others. axe-core needs scripts, for its timers, while it runs.
			openFilters(t)
			do(t, scripts(true))
			if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](axe+"\n;true")); err != nil {
				t.Fatalf("injecting axe-core: %v", err)
			}
			actx, acancel := context.WithTimeout(bctx, time.Minute)
			found, err := chromedp.Run(actx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
			acancel()
			if err != nil {
				t.Fatal(err)
			}
			do(t, scripts(false))
			for _, f := range found {
				t.Errorf("axe %s (%s) at %s: %s\n\t%s", f.Rule, f.Impact, f.Target, f.Help, f.Summary)
			}
			for _, w := range []view{v, {320, 640, false}} {
				if err := chromedp.Do(bctx, setView(w)); err != nil {
					t.Fatal(err)
				}
				problems, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](layoutChecks))
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range problems {
					t.Errorf("at %s with the filters open: %s", w, p)
				}
			}
			if err := chromedp.Do(bctx, setView(v)); err != nil {
				t.Fatal(err)
			}

			// The region, chosen again, removes itself.
			openFilters(t)
			follow(t, byName(true, ru))
			s = state(t)
			if !slices.Equal(s.Checked, []string{cn}) || len(s.Chips) != 1 {
				t.Fatalf("after choosing %s again: %+v", ru, s)
			}
			// The chip removes the province: back to the whole search.
			follow(t, css(".filters a"))
			s = state(t)
			if len(s.Checked) != 0 || len(s.Chips) != 0 || strings.Contains(s.Search, "region=") || s.Total != start.Total {
				t.Fatalf("after removing %s: %+v (at the start: %+v)", cn, s, start)
			}
			for _, m := range console.take() {
				if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
					t.Errorf("console %s: %s", m.Type, m.Text)
				}
			}
		})
	}
}
