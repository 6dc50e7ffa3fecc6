package build

import (
	"context"
	"html"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/coopdigest/digest/search"
)

// countLink is a count in a term page's sidebar that links its search.
var countLink = regexp.MustCompile(`<a class="count" href="([^"]*)"><span class="visually-hidden">Найти </span>(\d+)<`)

// TestSidebarCountsSearch builds the sample site and follows every count
// in the sidebars of its region, sector, kind and partnership pages: the
// search it links finds exactly that many events.
func TestSidebarCountsSearch(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the sample site")
	}
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "content"), os.DirFS("../content")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "public")
	if _, err := Build(context.Background(), Config{Site: dir, Out: out}); err != nil {
		t.Fatal(err)
	}
	ix, err := search.Open(filepath.Join(out, search.DirName))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	tax := &ix.Site().Taxonomies
	links := 0
	for _, root := range []string{"regions", "sectors", "kinds"} {
		err := fs.WalkDir(os.DirFS(out), root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.Name() != "index.html" || strings.Contains(path, "/page/") {
				return err
			}
			data, err := os.ReadFile(filepath.Join(out, path))
			if err != nil {
				return err
			}
			for _, m := range countLink.FindAllStringSubmatch(string(data), -1) {
				href := html.UnescapeString(m[1])
				t.Run(path+" "+href, func(t *testing.T) {
					u, err := url.Parse(href)
					if err != nil || u.Path != "/search" {
						t.Fatalf("link %q", href)
					}
					q, err := search.ParseRequest(u.Query(), tax)
					if err != nil {
						t.Fatal(err)
					}
					res, err := ix.Search(t.Context(), q)
					if err != nil {
						t.Fatal(err)
					}
					if want, _ := strconv.Atoi(m[2]); res.Total != want {
						t.Errorf("the sidebar counts %d, its search finds %d", want, res.Total)
					}
				})
				links++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Every region page has sectors, so there are many.
	if links < 100 {
		t.Errorf("%d counts link a search, want them on every term page", links)
	}
}
