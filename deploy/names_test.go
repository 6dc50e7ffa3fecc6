package deploy

import (
	"testing"

	"github.com/coopdigest/digest/server"
)

func TestContentTypeAndGroup(t *testing.T) {
	tests := []struct {
		name, ctype string
		gzip        bool
		group       group
	}{
		{"index.html", "text/html; charset=utf-8", true, groupPage},
		{"regions/feed.xml", "application/atom+xml; charset=utf-8", true, groupLinks},
		{"sitemap.xml", "application/xml; charset=utf-8", true, groupLinks},
		{"robots.txt", "text/plain; charset=utf-8", true, groupLinks},
		{"style.css", "text/css; charset=utf-8", true, groupAsset},
		{"app.mjs", "text/javascript; charset=utf-8", true, groupAsset},
		{"data.json", "application/json; charset=utf-8", true, groupAsset},
		{"logo.svg", "image/svg+xml", true, groupAsset},
		{"logo.png", "image/png", false, groupAsset},
		{"photo.JPG", "image/jpeg", false, groupAsset},
		{"font.woff2", "font/woff2", false, groupAsset},
		{"blob.unknownext", "application/octet-stream", false, groupAsset},
	}
	for _, tt := range tests {
		if got := server.ContentType(tt.name); got != tt.ctype {
			t.Errorf("server.ContentType(%q) = %q, want %q", tt.name, got, tt.ctype)
		}
		if got := compressible(tt.name); got != tt.gzip {
			t.Errorf("compressible(%q) = %v, want %v", tt.name, got, tt.gzip)
		}
		if got := groupOf(tt.name); got != tt.group {
			t.Errorf("groupOf(%q) = %v, want %v", tt.name, got, tt.group)
		}
	}
}

func TestInside(t *testing.T) {
	tests := []struct {
		inner, outer string
		want         bool
	}{
		{"file:///srv/site/search", "file:///srv/site", true},
		{"file:///srv/site-search", "file:///srv/site", false},
		{"file:///srv/search", "file:///srv/site", false},
		{"file:///srv/site?prefix=x/", "file:///srv/site", true},
		{"s3://b?prefix=search/", "s3://b", true},
		{"s3://b?prefix=www/search/", "s3://b?prefix=www/", true},
		{"s3://b?prefix=search/", "s3://b?prefix=www/", false},
		{"s3://other", "s3://b", false},
		{"gs://b", "s3://b", false},
		{"s3://b?region=eu-west-1", "s3://b?region=us-east-1", true}, // the same bucket
	}
	for _, tt := range tests {
		if got := inside(tt.inner, tt.outer); got != tt.want {
			t.Errorf("inside(%q, %q) = %v, want %v", tt.inner, tt.outer, got, tt.want)
		}
	}
}

func TestParseVersionKey(t *testing.T) {
	const v = "0123456789abcdef"
	tests := []struct {
		key        string
		version    string
		isManifest bool
		ok         bool
	}{
		{"_search/" + v + "/index.json", v, false, true},
		{"_search/" + v + "/00/store/root.bolt", v, false, true},
		{"_search/" + v + ".json", v, true, true},
		{"_search/current.json", "", false, false},
		{"_search/README", "", false, false},
		{"_search/0123456789ABCDEF/index.json", "", false, false},
		{"_search/0123456789abcde/index.json", "", false, false},
		{"other/" + v + ".json", "", false, false},
	}
	for _, tt := range tests {
		v, m, ok := parseVersionKey("_search/", tt.key)
		if v != tt.version || m != tt.isManifest || ok != tt.ok {
			t.Errorf("parseVersionKey(%q) = %q, %v, %v; want %q, %v, %v", tt.key, v, m, ok, tt.version, tt.isManifest, tt.ok)
		}
	}
}
