package deploy

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coopdigest/digest/build"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/azureblob" // azblob://
	_ "gocloud.dev/blob/fileblob"  // file://
	_ "gocloud.dev/blob/gcsblob"   // gs://
	_ "gocloud.dev/blob/memblob"   // mem://, which a dry run reads as a folder not made yet
	_ "gocloud.dev/blob/s3blob"    // s3://
	"gocloud.dev/gcerrors"
	"golang.org/x/net/http/httpguts"
	"golang.org/x/sync/errgroup"
)

// DefaultKeepIndex is how many versions of the index a deploy with Delete
// keeps, the current one included.
const DefaultKeepIndex = 3

// DefaultWorkers is how many uploads or deletions run at once: enough to
// hide a bucket's latency, few enough for one machine and the bucket's
// request limits.
const DefaultWorkers = 16

// Config is what Deploy publishes, where and how. The zero value of each
// optional field means its default.
type Config struct {
	// Out is the built site, as `digest build` writes it.
	Out string
	// Target is the URL of the bucket that receives the site, as
	// gocloud.dev/blob opens it: s3://bucket?region=R, gs://bucket,
	// azblob://container, file:///path; ?prefix=dir/ publishes below a
	// prefix of the bucket.
	Target string
	// IndexTarget is the URL of the bucket that receives the search index;
	// empty means Target. It must be Target itself or lie outside it.
	IndexTarget string
	// IndexPrefix is where in IndexTarget the index is published, ending
	// in "/"; empty means DefaultIndexPrefix.
	IndexPrefix string
	// KeepIndex is how many versions of the index Delete keeps, the current
	// one included; 0 means DefaultKeepIndex.
	KeepIndex int
	// DryRun plans the deploy and counts what it would do, writing nothing.
	DryRun bool
	// Delete removes the objects whose files are gone from Out, and the
	// versions of the index beyond KeepIndex.
	Delete bool
	// NoGzip stores every object as it is, without Content-Encoding: for a
	// bucket served by something that ignores the stored encoding.
	NoGzip bool
	// PageCacheControl is the Cache-Control of objects whose name does not
	// change with their content; empty means DefaultPageCacheControl. It
	// must be a valid header value: no control characters.
	PageCacheControl string
	// Workers is how many uploads or deletions run at once; 0 means
	// DefaultWorkers.
	Workers int
	// Logger gets a Debug record for each object written or deleted, and
	// warnings; nil means none.
	Logger *slog.Logger
}

// ParamError is a bad value of a parameter of Config: Param names it
// ("target", "index target", "index prefix", "site folder", "page cache
// control").
type ParamError struct {
	Param string
	Value string
	Err   error
}

func (e *ParamError) Error() string { return fmt.Sprintf("%s %q: %v", e.Param, e.Value, e.Err) }

func (e *ParamError) Unwrap() error { return e.Err }

// Summary says what a deploy did, or with DryRun what it would do.
type Summary struct {
	DryRun bool
	// Files is the number of files of the site in Out.
	Files int
	// Uploaded files of the site and their bytes as stored (with DryRun,
	// as they are in Out); Skipped ones were in the bucket already.
	Uploaded, Skipped int
	UploadedBytes     int64
	// Deleted objects, whose files were gone from Out; Kept ones were gone
	// too, but Delete was not set. Foreign objects are in the bucket but
	// in no deploy's record (a CNAME, a .git folder, another tool's
	// files): never deleted.
	Deleted, Kept, Foreign int
	// Index is the publishing of the search index; its Version is empty
	// when Out has none.
	Index IndexSummary
}

// IndexSummary says what a deploy did with the search index.
type IndexSummary struct {
	Version string
	// Uploaded files of the version and their bytes; Skipped ones were in
	// the bucket already.
	Uploaded, Skipped int
	UploadedBytes     int64
	// Switched is true when the pointer was moved to Version; false when it
	// named Version already.
	Switched bool
	// Pruned is the number of old versions removed.
	Pruned int
}

// String is the summary in one line.
func (s *Summary) String() string {
	var b strings.Builder
	would := func(did, will string) string {
		if s.DryRun {
			return will
		}
		return did
	}
	if s.DryRun {
		b.WriteString("dry run: ")
	}
	// A dry run compresses nothing: its bytes are the files' own.
	fmt.Fprintf(&b, "%s %d of %d files (%s%s), %s %d unchanged",
		would("uploaded", "would upload"), s.Uploaded, s.Files, formatBytes(s.UploadedBytes), would("", " before gzip"),
		would("skipped", "would skip"), s.Skipped)
	switch {
	case s.Deleted > 0 || s.Kept == 0:
		fmt.Fprintf(&b, ", %s %d", would("deleted", "would delete"), s.Deleted)
	default:
		fmt.Fprintf(&b, ", kept %d gone from the site (delete them with --delete)", s.Kept)
	}
	if s.Foreign > 0 {
		fmt.Fprintf(&b, ", left %d that no deploy wrote", s.Foreign)
	}
	ix := s.Index
	if ix.Version == "" {
		b.WriteString("; no search index")
		return b.String()
	}
	fmt.Fprintf(&b, "; search index %s: %s %d files (%s), %s %d",
		ix.Version, would("uploaded", "would upload"), ix.Uploaded, formatBytes(ix.UploadedBytes),
		would("skipped", "would skip"), ix.Skipped)
	if ix.Switched {
		b.WriteString(would(", now current", ", would make it current"))
	} else {
		b.WriteString(", current already")
	}
	if ix.Pruned > 0 {
		fmt.Fprintf(&b, ", %s %d old versions", would("pruned", "would prune"), ix.Pruned)
	}
	return b.String()
}

// formatBytes writes n in binary units.
func formatBytes(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

// deployer is one run of Deploy.
type deployer struct {
	cfg   Config
	log   *slog.Logger
	site  *blob.Bucket
	index *blob.Bucket // site when the index shares its bucket
	sum   Summary
}

// Deploy publishes the site in cfg.Out to cfg.Target and its search index
// to cfg.IndexTarget, uploading only what changed, in the order described
// in the package doc. When it fails or ctx is cancelled part of the way,
// the objects written so far stay, the pointer to the index still names the
// version it named before, and the next deploy uploads what is missing.
func Deploy(ctx context.Context, cfg Config) (*Summary, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	d := &deployer{cfg: cfg, log: cfg.Logger}
	d.sum.DryRun = cfg.DryRun

	// What is local first: its mistakes cost no request.
	files, err := readSite(cfg.Out, &cfg)
	if err != nil {
		return nil, err
	}
	ix, err := readIndex(filepath.Join(cfg.Out, IndexDir))
	if err != nil {
		return nil, err
	}

	for _, t := range []struct{ param, url string }{{"target", cfg.Target}, {"index target", cfg.IndexTarget}} {
		if err := overlapsFolder(t.url, cfg.Out); err != nil {
			return nil, &ParamError{t.param, t.url, err}
		}
	}

	d.site, err = openURL(ctx, cfg.Target, cfg.DryRun)
	if err != nil {
		return nil, &ParamError{"target", cfg.Target, err}
	}
	defer d.site.Close()
	d.index = d.site
	if cfg.IndexTarget != cfg.Target {
		if inside(cfg.IndexTarget, cfg.Target) {
			return nil, &ParamError{"index target", cfg.IndexTarget, fmt.Errorf("lies inside the target %q, where a deploy would take the index for pages; give the target itself, or a bucket or prefix outside it", cfg.Target)}
		}
		d.index, err = openURL(ctx, cfg.IndexTarget, cfg.DryRun)
		if err != nil {
			return nil, &ParamError{"index target", cfg.IndexTarget, err}
		}
		defer d.index.Close()
	} else {
		for _, f := range files {
			if strings.HasPrefix(f.key, cfg.IndexPrefix) {
				return nil, &ParamError{"index prefix", cfg.IndexPrefix, fmt.Errorf("%s would be published under it; choose another prefix", f.path)}
			}
		}
	}

	sp, err := d.planSite(ctx, files)
	if err != nil {
		return nil, err
	}
	var ip *indexPlan
	if ix != nil {
		if ip, err = d.planIndex(ctx, ix); err != nil {
			return nil, err
		}
	}
	if cfg.DryRun {
		return &d.sum, nil
	}

	for _, g := range sp.groups {
		if err := d.each(ctx, len(g), func(ctx context.Context, i int) error {
			return d.upload(ctx, g[i], sp)
		}); err != nil {
			return nil, err
		}
	}
	if ip != nil {
		if err := d.publishIndex(ctx, ix, ip); err != nil {
			return nil, err
		}
	}
	if err := d.deleteAll(ctx, d.site, sp.deletes); err != nil {
		return nil, fmt.Errorf("target %s: %w", cfg.Target, err)
	}
	d.removeEmptyFolders(cfg.Target, sp.deletes)
	if ip != nil {
		// Manifests first: a version without one is no longer offered.
		for _, keys := range [][]string{ip.pruneManifests, ip.pruneFiles} {
			if err := d.deleteAll(ctx, d.index, keys); err != nil {
				return nil, fmt.Errorf("index target %s: %w", cfg.IndexTarget, err)
			}
		}
		d.removeEmptyFolders(cfg.IndexTarget, ip.pruneFiles)
	}
	if !maps.Equal(sp.rec.Files, sp.oldRec.Files) {
		if err := d.write(ctx, d.site, RecordKey, sp.rec.encode(), &blob.WriterOptions{ContentType: "application/gzip", CacheControl: "no-cache"}); err != nil {
			return nil, fmt.Errorf("target %s: %w", cfg.Target, err)
		}
	}
	return &d.sum, nil
}

// withDefaults fills in the defaults and checks the parameters.
func (c Config) withDefaults() (Config, error) {
	if c.Out == "" {
		return c, &ParamError{"site folder", c.Out, errors.New("none given")}
	}
	if c.Target == "" {
		return c, &ParamError{"target", c.Target, errors.New("none given")}
	}
	if c.IndexTarget == "" {
		c.IndexTarget = c.Target
	}
	for _, t := range []struct{ param, url string }{{"target", c.Target}, {"index target", c.IndexTarget}} {
		if _, err := checkURL(t.url); err != nil {
			return c, &ParamError{t.param, t.url, err}
		}
	}
	if c.IndexPrefix == "" {
		c.IndexPrefix = DefaultIndexPrefix
	}
	if err := checkPrefix(c.IndexPrefix); err != nil {
		return c, &ParamError{"index prefix", c.IndexPrefix, err}
	}
	if c.KeepIndex == 0 {
		c.KeepIndex = DefaultKeepIndex
	}
	if c.KeepIndex < 1 {
		return c, &ParamError{"index versions to keep", fmt.Sprint(c.KeepIndex), errors.New("must be at least 1")}
	}
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.Workers < 1 {
		return c, &ParamError{"workers", fmt.Sprint(c.Workers), errors.New("must be at least 1")}
	}
	if c.PageCacheControl == "" {
		c.PageCacheControl = DefaultPageCacheControl
	}
	if !httpguts.ValidHeaderFieldValue(c.PageCacheControl) {
		return c, &ParamError{"page cache control", c.PageCacheControl, errors.New("holds a control character, which no header may hold")}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// checkURL parses a bucket URL and checks it before anything is read or
// opened: its scheme must be one that gocloud.dev/blob opens; a file://
// URL must have no host, which fileblob drops (file://dep/rel would name the
// folder /rel), but "localhost", the local machine, as RFC 8089 has it; and
// a prefix parameter must end in "/", or it would be glued to every key
// («?prefix=site» publishes siteindex.html).
func checkURL(bucketURL string) (*url.URL, error) {
	u, err := url.Parse(bucketURL)
	if err != nil {
		return nil, err
	}
	switch {
	case u.Scheme == "":
		return nil, errors.New("not a bucket URL: give s3://BUCKET, gs://BUCKET, azblob://CONTAINER or file:///PATH")
	case !blob.DefaultURLMux().ValidBucketScheme(u.Scheme):
		return nil, fmt.Errorf("no bucket of scheme %q: give s3://BUCKET, gs://BUCKET, azblob://CONTAINER or file:///PATH", u.Scheme)
	case u.Scheme == "file" && u.Host != "" && u.Host != "localhost":
		return nil, fmt.Errorf("names the host %q; a file:// URL needs an absolute path: file:///abs/path", u.Host)
	}
	if p := u.Query().Get("prefix"); p != "" {
		if err := checkPrefix(p); err != nil {
			return nil, fmt.Errorf("prefix %q %w", p, err)
		}
	}
	return u, nil
}

// checkPrefix checks a prefix of keys: relative, clean, ending in "/".
func checkPrefix(p string) error {
	if !strings.HasSuffix(p, "/") {
		return errors.New(`must end with "/"`)
	}
	if !fs.ValidPath(strings.TrimSuffix(p, "/")) {
		return errors.New(`must be a relative slash path without "." or ".." segments`)
	}
	return nil
}

// openURL opens the bucket at bucketURL as gocloud.dev/blob does, but
// refuses a URL that checkURL refuses. For a dry run, a file:// folder that
// is not there yet is an empty bucket: a create_dir parameter would
// otherwise make it.
func openURL(ctx context.Context, bucketURL string, dryRun bool) (*blob.Bucket, error) {
	u, err := checkURL(bucketURL)
	if err != nil {
		return nil, err
	}
	if dryRun && u.Scheme == "file" && u.Query().Has("create_dir") {
		if _, err := os.Stat(filepath.FromSlash(u.Path)); errors.Is(err, fs.ErrNotExist) {
			return blob.OpenBucket(ctx, "mem://")
		}
	}
	return blob.OpenBucket(ctx, bucketURL)
}

// inside reports whether the bucket URL inner names the bucket of outer or
// a prefix inside it, without being outer itself: the same scheme and
// bucket (or, for file://, a folder at or below outer's), and a prefix that
// starts with outer's.
func inside(inner, outer string) bool {
	iu, err1 := url.Parse(inner)
	ou, err2 := url.Parse(outer)
	if err1 != nil || err2 != nil {
		return false
	}
	for _, u := range []*url.URL{iu, ou} {
		if u.Scheme == "file" && u.Host == "localhost" {
			u.Host = "" // file://localhost/x is file:///x
		}
	}
	if iu.Scheme != ou.Scheme || iu.Host != ou.Host {
		return false
	}
	ip, op := iu.Query().Get("prefix"), ou.Query().Get("prefix")
	if iu.Scheme == "file" {
		ipath, opath := path.Clean(iu.Path), path.Clean(ou.Path)
		if ipath != opath {
			return strings.HasPrefix(ipath, strings.TrimSuffix(opath, "/")+"/")
		}
	} else if iu.Path != ou.Path {
		return false
	}
	return strings.HasPrefix(ip, op)
}

// overlapsFolder says whether a file:// bucket URL names the site folder,
// a folder inside it, or one that holds it: a deploy would then overwrite
// the files it reads, or take them for objects and, with Delete, delete
// them.
func overlapsFolder(bucketURL, out string) error {
	u, err := url.Parse(bucketURL)
	if err != nil || u.Scheme != "file" {
		return nil // not a folder; a bad URL is reported when it is opened
	}
	dir := filepath.Join(filepath.FromSlash(u.Path), filepath.FromSlash(u.Query().Get("prefix")))
	site, err1 := filepath.Abs(out)
	dir, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return nil
	}
	// Through links too, where the folders exist.
	if p, err := filepath.EvalSymlinks(site); err == nil {
		site = p
	}
	if p, err := filepath.EvalSymlinks(dir); err == nil {
		dir = p
	}
	within := func(a, b string) bool {
		rel, err := filepath.Rel(b, a)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	switch {
	case within(dir, site):
		return fmt.Errorf("is the site folder %s or a folder inside it", out)
	case within(site, dir):
		return fmt.Errorf("holds the site folder %s", out)
	}
	return nil
}

// readSite lists and hashes the files of the site in out.
func readSite(out string, cfg *Config) ([]*localFile, error) {
	fi, err := os.Stat(out)
	if err != nil {
		return nil, &ParamError{"site folder", out, unwrapPath(err)}
	}
	if !fi.IsDir() {
		return nil, &ParamError{"site folder", out, errors.New("not a folder")}
	}
	if !build.IsOutput(out) {
		return nil, &ParamError{"site folder", out, fmt.Errorf("has no %s marker: digest build did not write it (run digest build first)", build.MarkerName)}
	}
	if _, err := os.Stat(filepath.Join(out, "index.html")); err != nil {
		return nil, &ParamError{"site folder", out, errors.New("has no index.html: not a built site (run digest build first)")}
	}
	files, err := walkSite(out, cfg)
	if err != nil {
		return nil, err
	}
	g := new(errgroup.Group)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, f := range files {
		g.Go(func() error { return hashFile(f) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	slices.SortFunc(files, func(a, b *localFile) int { return strings.Compare(a.key, b.key) })
	return files, nil
}

// unwrapPath drops the path of a *fs.PathError, which the ParamError names
// already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// sitePlan is what a deploy does with the site.
type sitePlan struct {
	groups  [groupCount][]*localFile
	deletes []string
	oldRec  record
	mu      sync.Mutex // guards rec during uploads
	rec     record     // the record to write at the end
}

// planSite compares the site with its bucket and the record, and counts.
func (d *deployer) planSite(ctx context.Context, files []*localFile) (*sitePlan, error) {
	remote, err := listBucket(ctx, d.site, "")
	if err != nil {
		return nil, fmt.Errorf("target %s: list: %w", d.cfg.Target, err)
	}
	delete(remote, RecordKey)
	if d.index == d.site {
		for key := range remote {
			if strings.HasPrefix(key, d.cfg.IndexPrefix) {
				delete(remote, key)
			}
		}
	}
	sp := &sitePlan{rec: record{Format: format, Files: map[string]recordEntry{}}}
	sp.oldRec, err = readRecord(ctx, d.site)
	if err != nil {
		d.log.Warn("the record of the last deploy is unreadable: every file is uploaded again", "key", RecordKey, "err", err)
	}

	// An object that the record knows but whose listing has no MD5 gets
	// it from its metadata; the others need no request.
	var lookups []string
	for _, f := range files {
		if o := remote[f.key]; o != nil && o.md5 == nil {
			if _, ok := sp.oldRec.Files[f.key]; ok {
				lookups = append(lookups, f.key)
			}
		}
	}
	if err := d.each(ctx, len(lookups), func(ctx context.Context, i int) error {
		return md5FromMetadata(ctx, d.site, lookups[i], remote[lookups[i]])
	}); err != nil {
		return nil, fmt.Errorf("target %s: %w", d.cfg.Target, err)
	}

	d.sum.Files = len(files)
	local := make(map[string]bool, len(files))
	for _, f := range files {
		local[f.key] = true
		if e, ok := sp.oldRec.Files[f.key]; ok && e.matches(f, remote[f.key]) {
			sp.rec.Files[f.key] = e
			d.sum.Skipped++
			continue
		}
		sp.groups[f.group] = append(sp.groups[f.group], f)
		d.sum.Uploaded++
		if d.cfg.DryRun {
			d.sum.UploadedBytes += f.size // the size before gzip: nothing is compressed on a dry run
			d.log.Debug("would write", "key", f.key, "bytes", f.size)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(remote)) {
		if local[key] {
			continue
		}
		if _, ours := sp.oldRec.Files[key]; !ours {
			// Not written by a deploy, as far as the record knows: left,
			// whatever Delete says.
			d.sum.Foreign++
			continue
		}
		if d.cfg.Delete {
			sp.deletes = append(sp.deletes, key)
			d.sum.Deleted++
			if d.cfg.DryRun {
				d.log.Debug("would delete", "key", key)
			}
			continue
		}
		d.sum.Kept++
		if e, ok := sp.oldRec.Files[key]; ok {
			sp.rec.Files[key] = e
		}
	}
	return sp, nil
}

// matches reports whether an object recorded as e, and listed as o, holds
// what f would store: made from the same content with the same headers,
// and unchanged since.
func (e recordEntry) matches(f *localFile, o *remoteObject) bool {
	return o != nil && o.md5 != nil &&
		e.Src == hex.EncodeToString(f.md5[:]) &&
		e.Type == f.ctype && e.Cache == f.cache && e.Gzip == f.gzip &&
		e.Size == o.size && e.MD5 == hex.EncodeToString(o.md5)
}

// upload stores one file of the site and records it. Text is read whole,
// to be compressed; anything else is streamed from disk.
func (d *deployer) upload(ctx context.Context, f *localFile, sp *sitePlan) error {
	opts := &blob.WriterOptions{ContentType: f.ctype, CacheControl: f.cache}
	var sum [md5.Size]byte
	size := f.size
	if f.gzip {
		data, enc, err := f.body()
		if err != nil {
			return err
		}
		sum = md5.Sum(data)
		size = int64(len(data))
		opts.ContentEncoding = enc
		err = d.write(ctx, d.site, f.key, data, withMD5(opts, sum[:]))
		if err != nil {
			return fmt.Errorf("target %s: %w", d.cfg.Target, err)
		}
	} else {
		sum = f.md5
		if err := d.stream(ctx, d.site, f.key, f.path, withMD5(opts, sum[:])); err != nil {
			return fmt.Errorf("target %s: %w", d.cfg.Target, err)
		}
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.rec.Files[f.key] = recordEntry{
		Src:   hex.EncodeToString(f.md5[:]),
		MD5:   hex.EncodeToString(sum[:]),
		Size:  size,
		Type:  f.ctype,
		Cache: f.cache,
		Gzip:  f.gzip,
	}
	d.sum.UploadedBytes += size
	return nil
}

// withMD5 sets the MD5 of what is written: the bucket checks it where it
// can, gocloud checks it in any case, and the metadata keeps a copy for
// listings that carry none.
func withMD5(opts *blob.WriterOptions, sum []byte) *blob.WriterOptions {
	opts.ContentMD5 = sum
	opts.Metadata = map[string]string{md5Meta: hex.EncodeToString(sum)}
	return opts
}

// write stores data at key and logs it.
func (d *deployer) write(ctx context.Context, b *blob.Bucket, key string, data []byte, opts *blob.WriterOptions) error {
	if err := b.WriteAll(ctx, key, data, opts); err != nil {
		return err
	}
	d.log.Debug("write", "key", key, "bytes", len(data), "encoding", opts.ContentEncoding)
	return nil
}

// removeEmptyFolders removes, when bucketURL names a folder (file://), the
// folders that held keys, just deleted, and are empty now, deepest first:
// fileblob deletes files and leaves their folders, which a web server
// serving the folder answers with a listing or 403. The bucket's own folder
// (or its prefix's) stays, and so does any folder that still holds
// anything. A folder that cannot be removed is logged and left.
func (d *deployer) removeEmptyFolders(bucketURL string, keys []string) {
	u, err := url.Parse(bucketURL)
	if err != nil || u.Scheme != "file" || len(keys) == 0 {
		return
	}
	root := filepath.Join(filepath.FromSlash(u.Path), filepath.FromSlash(u.Query().Get("prefix")))
	dirs := map[string]bool{}
	for _, key := range keys {
		if !fs.ValidPath(key) {
			continue // no folder of the bucket's («../x» from a record changed by hand)
		}
		for dir := path.Dir(key); dir != "."; dir = path.Dir(dir) {
			dirs[dir] = true
		}
	}
	// A folder sorts before the folders inside it.
	sorted := slices.Sorted(maps.Keys(dirs))
	for _, dir := range slices.Backward(sorted) {
		p := filepath.Join(root, filepath.FromSlash(dir))
		if fi, err := os.Lstat(p); err != nil || !fi.IsDir() {
			continue
		}
		if entries, err := os.ReadDir(p); err != nil || len(entries) > 0 {
			continue
		}
		if err := os.Remove(p); err != nil {
			d.log.Warn("an emptied folder is left", "folder", p, "err", err)
			continue
		}
		d.log.Debug("remove folder", "folder", p)
	}
}

// deleteAll deletes keys, Workers at a time. A key already gone is no
// error.
func (d *deployer) deleteAll(ctx context.Context, b *blob.Bucket, keys []string) error {
	return d.each(ctx, len(keys), func(ctx context.Context, i int) error {
		err := b.Delete(ctx, keys[i])
		if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			return err
		}
		d.log.Debug("delete", "key", keys[i])
		return nil
	})
}

// each calls fn for 0…n-1, Workers at a time, and returns the first error;
// the first error cancels the calls under way and starts no more.
func (d *deployer) each(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(d.cfg.Workers)
	for i := range n {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return fn(gctx, i) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// indexPlan is what a deploy does with the search index.
type indexPlan struct {
	uploads        []indexFile
	manifest       []byte // nil when the bucket has it
	pointer        []byte // nil when it names the version already
	pruneManifests []string
	pruneFiles     []string
}

// planIndex compares the local index with the versions in the bucket.
func (d *deployer) planIndex(ctx context.Context, ix *localIndex) (*indexPlan, error) {
	prefix := d.cfg.IndexPrefix
	fail := func(err error) error { return fmt.Errorf("index target %s: %w", d.cfg.IndexTarget, err) }
	remote, err := listBucket(ctx, d.index, prefix)
	if err != nil {
		return nil, fail(fmt.Errorf("list: %w", err))
	}
	ip := &indexPlan{}
	sum := &d.sum.Index
	sum.Version = ix.version
	for _, f := range ix.files {
		key := versionKey(prefix, ix.version, f.Path)
		o := remote[key]
		if o != nil && o.size == f.Size && o.md5 == nil {
			if err := md5FromMetadata(ctx, d.index, key, o); err != nil {
				return nil, fail(err)
			}
		}
		if o != nil && o.size == f.Size && string(o.md5) == string(f.md5[:]) {
			sum.Skipped++
			continue
		}
		ip.uploads = append(ip.uploads, f)
		sum.Uploaded++
		sum.UploadedBytes += f.Size
		if d.cfg.DryRun {
			d.log.Debug("would write", "key", key, "bytes", f.Size)
		}
	}
	m := ix.manifest().encode()
	if o := remote[manifestKey(prefix, ix.version)]; o == nil || o.md5 == nil || string(o.md5) != string(md5Sum(m)) {
		ip.manifest = m
		if d.cfg.DryRun {
			d.log.Debug("would write", "key", manifestKey(prefix, ix.version), "bytes", len(m))
		}
	}
	cur, err := readPointer(ctx, d.index, prefix)
	if err != nil && !errors.Is(err, ErrNotPublished) {
		d.log.Warn("the index pointer is unreadable: it is written anew", "key", prefix+PointerName, "err", err)
	}
	if cur == nil || cur.Version != ix.version {
		p := pointer{Format: format, Version: ix.version, Files: len(ix.files), Bytes: ix.bytes, Published: time.Now().UTC()}
		ip.pointer, _ = json.Marshal(p)
		ip.pointer = append(ip.pointer, '\n')
		sum.Switched = true
		if d.cfg.DryRun {
			d.log.Debug("would write", "key", prefix+PointerName, "version", ix.version)
		}
	}
	if d.cfg.Delete {
		d.planPrune(ip, remote, ix.version)
		if d.cfg.DryRun {
			for _, key := range slices.Concat(ip.pruneManifests, ip.pruneFiles) {
				d.log.Debug("would delete", "key", key)
			}
		}
	}
	return ip, nil
}

// planPrune chooses the versions to remove: those with no manifest (a
// deploy that did not finish) and the complete ones beyond the KeepIndex
// newest, counting the current one, which is always kept.
func (d *deployer) planPrune(ip *indexPlan, remote map[string]*remoteObject, current string) {
	type version struct {
		manifest *remoteObject
		files    []string
	}
	versions := map[string]*version{}
	for key, o := range remote {
		v, isManifest, ok := parseVersionKey(d.cfg.IndexPrefix, key)
		if !ok || v == current {
			continue
		}
		if versions[v] == nil {
			versions[v] = &version{}
		}
		if isManifest {
			versions[v].manifest = o
		} else {
			versions[v].files = append(versions[v].files, key)
		}
	}
	names := slices.Collect(maps.Keys(versions))
	// Newest complete versions first, then the incomplete ones.
	slices.SortFunc(names, func(a, b string) int {
		ma, mb := versions[a].manifest, versions[b].manifest
		switch {
		case ma == nil && mb == nil:
			return strings.Compare(a, b)
		case ma == nil:
			return 1
		case mb == nil:
			return -1
		}
		if c := mb.mod.Compare(ma.mod); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	kept := 1 // the current one
	for _, name := range names {
		v := versions[name]
		if v.manifest != nil && kept < d.cfg.KeepIndex {
			kept++
			continue
		}
		if v.manifest != nil {
			ip.pruneManifests = append(ip.pruneManifests, manifestKey(d.cfg.IndexPrefix, name))
		}
		slices.Sort(v.files)
		ip.pruneFiles = append(ip.pruneFiles, v.files...)
		d.sum.Index.Pruned++
	}
}

// publishIndex uploads the files of the version, then its manifest, then
// the pointer: each step only once the one before has finished.
func (d *deployer) publishIndex(ctx context.Context, ix *localIndex, ip *indexPlan) error {
	prefix := d.cfg.IndexPrefix
	fail := func(err error) error { return fmt.Errorf("index target %s: %w", d.cfg.IndexTarget, err) }
	if err := d.each(ctx, len(ip.uploads), func(ctx context.Context, i int) error {
		return d.uploadIndexFile(ctx, versionKey(prefix, ix.version, ip.uploads[i].Path), ip.uploads[i])
	}); err != nil {
		return fail(err)
	}
	immutableJSON := &blob.WriterOptions{ContentType: "application/json", CacheControl: immutable}
	if ip.manifest != nil {
		if err := d.write(ctx, d.index, manifestKey(prefix, ix.version), ip.manifest, immutableJSON); err != nil {
			return fail(err)
		}
	}
	if ip.pointer != nil {
		if err := d.write(ctx, d.index, prefix+PointerName, ip.pointer, &blob.WriterOptions{ContentType: "application/json", CacheControl: "no-cache"}); err != nil {
			return fail(err)
		}
	}
	return nil
}

// stream writes the file at name to key as it is. opts must carry the MD5
// taken when the file was read: a file that changed since fails, and its
// write is abandoned.
func (d *deployer) stream(ctx context.Context, b *blob.Bucket, key, name string, opts *blob.WriterOptions) error {
	r, err := os.Open(name)
	if err != nil {
		return err
	}
	defer r.Close()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := b.NewWriter(wctx, key, opts)
	if err != nil {
		return err
	}
	n, err := io.Copy(w, r)
	if err != nil {
		cancel() // abandons the write rather than store part of the file
		w.Close()
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := w.Close(); err != nil {
		if gcerrors.Code(err) == gcerrors.FailedPrecondition {
			return fmt.Errorf("%s: %w", name, errChanged)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	d.log.Debug("write", "key", key, "bytes", n)
	return nil
}

// uploadIndexFile uploads one file of the index, as it is.
func (d *deployer) uploadIndexFile(ctx context.Context, key string, f indexFile) error {
	ctype := "application/octet-stream"
	if path.Ext(f.Path) == ".json" {
		ctype = "application/json"
	}
	opts := &blob.WriterOptions{ContentType: ctype, CacheControl: immutable}
	return d.stream(ctx, d.index, key, f.path, withMD5(opts, f.md5[:]))
}

func md5Sum(data []byte) []byte {
	s := md5.Sum(data)
	return s[:]
}
