package deploy

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
)

// RecordKey is the key, in the site's bucket, of the record of what each
// object was made from. Its name starts with "." so that no file of OUT can
// have it.
const RecordKey = ".digest-deploy.json.gz"

// md5Meta is the metadata key under which an object's MD5 is kept, for
// buckets that list none (S3 after a multipart upload).
const md5Meta = "md5"

// remoteObject is an object as the bucket lists it.
type remoteObject struct {
	size int64
	md5  []byte // nil when the bucket gave none
	mod  time.Time
}

// listPageSize is how many objects listBucket asks for at a time. Object
// stores give at most a thousand or so whatever is asked; fileblob walks
// the whole folder again for each page, so that a listing of a large site
// in pages of its default size took more time than all the rest of a
// deploy that uploads nothing.
const listPageSize = 1 << 17

// listBucket lists every object under prefix.
func listBucket(ctx context.Context, b *blob.Bucket, prefix string) (map[string]*remoteObject, error) {
	objs := make(map[string]*remoteObject)
	opts := &blob.ListOptions{Prefix: prefix}
	token := blob.FirstPageToken
	for {
		page, next, err := b.ListPage(ctx, token, listPageSize, opts)
		if err != nil {
			return nil, err
		}
		for _, o := range page {
			if !o.IsDir {
				objs[o.Key] = &remoteObject{size: o.Size, md5: o.MD5, mod: o.ModTime}
			}
		}
		if len(next) == 0 {
			return objs, nil
		}
		token = next
	}
}

// md5FromMetadata fills in the MD5 of an object whose listing gave none,
// from the copy in its metadata. An object without one keeps none, and will
// be uploaded again.
func md5FromMetadata(ctx context.Context, b *blob.Bucket, key string, o *remoteObject) error {
	a, err := b.Attributes(ctx, key)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if sum, err := hex.DecodeString(a.Metadata[md5Meta]); err == nil && len(sum) > 0 {
		o.md5 = sum
	}
	return nil
}

// record says what each object of the site was made from, so that a deploy
// can tell a file it need not upload without compressing it: the bucket's
// MD5 is that of the bytes stored, gzipped or not.
type record struct {
	Format int                    `json:"format"`
	Files  map[string]recordEntry `json:"files"`
}

// recordEntry is what one object was made from and how it was stored.
type recordEntry struct {
	Src   string `json:"src"`  // MD5 of the file in OUT, hex
	MD5   string `json:"md5"`  // MD5 of the bytes stored, hex
	Size  int64  `json:"size"` // of the bytes stored
	Type  string `json:"type"`
	Cache string `json:"cache"`
	Gzip  bool   `json:"gzip,omitempty"` // gzip was tried
}

// readRecord reads the record of a site's bucket. A record that is missing
// or unreadable is an empty one: it only spares uploads, and without it
// every file is uploaded once more. The error is for the caller to log.
func readRecord(ctx context.Context, b *blob.Bucket) (record, error) {
	rec := record{Format: format, Files: map[string]recordEntry{}}
	data, err := b.ReadAll(ctx, RecordKey)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return rec, nil
	}
	if err != nil {
		return rec, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return rec, err
	}
	var got record
	if err := json.NewDecoder(zr).Decode(&got); err != nil {
		return rec, err
	}
	if got.Format != format {
		return rec, errors.New("a record of another format")
	}
	if got.Files != nil {
		rec.Files = got.Files
	}
	return rec, nil
}

// encode is the record as it is stored: gzipped JSON, stored as it is (with
// no Content-Encoding, which some drivers would undo on reading).
func (r record) encode() []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(r); err != nil {
		panic(err) // strings, numbers and bools always encode
	}
	zw.Close()
	return buf.Bytes()
}
