package source

import (
	"slices"
	"strings"
	"testing"
)

func TestSearchOrigins(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
		err        string // part of the error; "" for none
	}{
		{"none", "title: x\n", nil, ""},
		{"one", "search_origins: https://digest.example.org\n", []string{"https://digest.example.org"}, ""},
		{"list", "search_origins: [https://a.example, 'http://b.example:8080']\n", []string{"https://a.example", "http://b.example:8080"}, ""},
		{"block", "search_origins:\n  - https://a.example\n  - \"*\"\n", []string{"https://a.example", "*"}, ""},
		{"path", "search_origins: [https://a.example/]\n", nil, "site.yaml:1:18: search_origins \"https://a.example/\": not an origin"},
		{"scheme", "search_origins:\n  - ftp://a.example\n", nil, "site.yaml:2:5: search_origins \"ftp://a.example\": not an origin"},
		{"pattern", "search_origins: [https://*.example]\n", nil, "not an origin"},
		{"mapping", "search_origins: {a: b}\n", nil, "search_origins is a list of origins"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSettings("site.yaml", []byte(tt.yaml))
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(s.SearchOrigins, tt.want) {
					t.Errorf("SearchOrigins = %q, want %q", s.SearchOrigins, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("err = %v, want %q", err, tt.err)
			}
		})
	}
}
