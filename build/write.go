package build

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
)

// Write: a full build writes into a temporary folder beside OUT that swap
// puts in OUT's place; a Session's incremental build replaces files of OUT
// one by one, each atomically.

// makeDirs makes the folders of outs below dir, which is empty: one mkdir
// each, parents before children, the folders of one depth on every core.
// (os.MkdirAll would look at each folder first, one more system call per
// page, and these calls are the slow part of writing a site.)
func makeDirs(ctx context.Context, dir string, outs []output) error {
	var levels [][]string
	// The first output in each folder, by its place in outs, to name in an
	// error.
	owner := map[string]int{}
	for i, o := range outs {
		for d := path.Dir(o.path); d != "." && d != "/"; d = path.Dir(d) {
			if _, ok := owner[d]; ok {
				break
			}
			owner[d] = i
			depth := strings.Count(d, "/")
			for len(levels) <= depth {
				levels = append(levels, nil)
			}
			levels[depth] = append(levels[depth], d)
		}
	}
	for _, level := range levels {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(runtime.GOMAXPROCS(0))
		for _, d := range level {
			g.Go(func() error {
				if err := gctx.Err(); err != nil {
					return err
				}
				if err := os.Mkdir(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
					return outs[owner[d]].fail("making the folder for", err)
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
	}
	return nil
}

// swap puts the finished folder tmp in place of out: where the system can,
// in one atomic exchange; otherwise by moving the old folder aside first,
// beside out under a name of tmp's. It returns where the old output now is,
// for the caller to remove, or "" when there was none.
func swap(tmp, out string) (old string, err error) {
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	st, err := os.Lstat(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", os.Rename(tmp, out)
	case err != nil:
		return "", err
	case !st.IsDir():
		return "", fmt.Errorf("%s exists and is not a folder", out)
	}
	if err := exchange(tmp, out); err == nil {
		return tmp, nil // tmp now holds the old output
	}
	old = tmp + ".old"
	if err := os.Rename(out, old); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, out); err != nil {
		// Put the old output back: the build failed, OUT stays as it was.
		_ = os.Rename(old, out)
		return "", err
	}
	return old, nil
}

// topNames returns the entries of the top folder that outs are in.
func topNames(outs []output) []string {
	var names []string
	for _, o := range outs {
		top, _, _ := strings.Cut(o.path, "/")
		if !slices.Contains(names, top) {
			names = append(names, top)
		}
	}
	return names
}

// writeOutputs replaces each file of outs in out atomically with what
// renderOutputs made of it, or with a copy of its file of the site fsys.
// The file system's calls are slow enough that writing on every core pays.
func writeOutputs(out string, fsys fs.FS, outs []output, bufs [][]byte) error {
	var wg errgroup.Group
	wg.SetLimit(runtime.GOMAXPROCS(0))
	for i, o := range outs {
		wg.Go(func() error {
			dst := filepath.Join(out, filepath.FromSlash(o.path))
			if o.from != "" {
				if err := copyAtomic(fsys, o.from, o.limit, dst); err != nil {
					return o.fail("copying "+o.from+" to", err)
				}
				return nil
			}
			if err := writeAtomic(dst, bufs[i]); err != nil {
				return o.fail("writing", err)
			}
			return nil
		})
	}
	return wg.Wait()
}

// writeAtomic replaces the file at p with data: readers see the old file or
// the new one, never a part.
func writeAtomic(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-"+filepath.Base(p))
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// removeOutput removes a file of OUT and the folders it leaves empty, and
// reports whether the file is gone.
func removeOutput(out, p string) bool {
	full := filepath.Join(out, filepath.FromSlash(p))
	if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false
	}
	for dir := filepath.Dir(full); dir != out && strings.HasPrefix(dir, out); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break // not empty
		}
	}
	return true
}
