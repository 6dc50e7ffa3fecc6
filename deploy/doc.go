// Package deploy publishes a built site to object storage, and fetches its
// search index back for search replicas.
//
// # Publishing
//
// Deploy copies the files of a built site (OUT, as `digest build` writes it,
// with its marker: a folder without one is refused) to any bucket that
// gocloud.dev/blob opens: s3://, gs://, azblob://, file:///abs/path (a
// file:// URL with a host other than localhost is refused: fileblob would
// drop it). A file's key is its slash path under OUT (2025/x/index.html);
// files and folders whose names start with "." are not part of the site and
// are not published, except the search index (OUT/.search), which is
// published apart (below). Each object gets:
//
//   - Content-Type by its name, as `digest serve` sends it (feed.xml is Atom);
//   - Cache-Control "public, max-age=31536000, immutable" when its name
//     carries the fingerprint of its content, as a build names the
//     templates' static files: the hex digits before the extension are
//     templates.Fingerprint of the file (style.3f2a9c1b0e.css), so the name
//     changes whenever the content does. Any other name can change content
//     under one URL, hex digits that are not the content's fingerprint
//     included (a date: photo-20240115.jpg), so it gets
//     Config.PageCacheControl (default "public, max-age=300"), which must
//     be a valid header value;
//   - Content-Encoding gzip for text (html, css, js, xml, json, svg, txt,
//     webmanifest, map) when the gzipped bytes are fewer; never for images.
//
// Only changed files are uploaded. Whether a key holds what OUT has is
// decided by content hashes, without reading the objects back and without
// compressing what has not changed: the MD5 of the bytes stored, which every
// driver lists for free (S3's ETag, GCS's and Azure's MD5, fileblob's
// attributes; for an S3 multipart upload, whose ETag is no MD5, the copy
// kept in the object's metadata), and a record that Deploy keeps beside the
// site, at RecordKey, of what each object was made from: the MD5 of the file
// in OUT and the headers chosen. A file is skipped when the record has the
// same source hash and headers for its key and the bucket still lists the
// MD5 the record says was stored; anything else (a file new or changed,
// headers changed, an object changed behind Deploy's back, no record) is
// uploaded. The MD5 the bucket lists cannot be compared with the file itself,
// since a gzipped object's MD5 is that of the gzipped bytes, and compressing
// the whole site on every deploy to learn them costs twenty times the MD5s;
// a hash kept in each object's metadata would cost one request per object
// on S3, whose listings carry no metadata.
//
// The order of writes is safe for readers of the site: assets (anything that
// is not a page) first, then HTML pages, then feeds, sitemap and other text
// documents that link to pages, then the search index, then deletions.
// Objects whose files are gone from OUT are deleted only with Config.Delete;
// without it they are kept and counted. Objects that no deploy's record
// has are never deleted: the target may hold files of its own. In a file://
// target, the folders that held deleted objects are removed once empty (a
// web server would answer one with a listing or 403), but never the
// target's own folder, nor one that still holds anything. The record
// is written last. Within
// each step, uploads run concurrently, Config.Workers at a time.
//
// # The search index
//
// The index folder (OUT/.search) is published as one version under
// Config.IndexPrefix (default "_search/") of Config.IndexTarget (default the
// site's bucket): its files, as they are, under PREFIX<version>/, where the
// version is a hash of every file's path, size and SHA-256; then a
// manifest of those files at PREFIX<version>.json; then, last, the pointer
// PREFIX+PointerName naming the version. A reader that follows the pointer
// finds a version whose files are all in place, so a replica never sees half
// an index. A version already in the bucket is not uploaded again. Older
// versions are kept, so that a replica still downloading one can finish; with
// Config.Delete all but the Config.KeepIndex newest are removed, manifest
// first. Keys under the prefix that do not look like a version are never
// touched.
//
// When the index shares the site's bucket, a CDN in front of the bucket
// serves the index too: anyone can download it. It holds nothing the site
// does not show, but it is large and meant for replicas only. To keep it
// private, give it its own bucket (Config.IndexTarget), readable by the
// replicas and not by the CDN, or deny the prefix at the CDN.
//
// # Fetching
//
// A Fetcher is the replica's side: it reads the pointer, and when it names a
// version not yet present locally, downloads that version into a temporary
// folder beside the local copies, checks every file against the manifest
// (size and SHA-256, and the manifest against the version), checks that
// index.json names shards that are there, and renames the folder into place
// as DIR/<version>. A folder named for a version is therefore always
// complete. Every folder the Fetcher makes in DIR holds its marker, and it
// removes no folder without one. A version that fails those checks is not
// downloaded again while the pointer stays as it is. A read from the bucket
// that makes no progress for FetcherConfig.Idle fails the Fetch. Versions
// other than the current and the previous one are removed. A Fetch that
// finds the pointer unchanged costs one small read. The first Fetch, when
// the bucket gives no version, returns the newest copy in the folder that
// passes the Check.
package deploy
