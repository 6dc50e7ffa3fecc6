package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coopdigest/digest/search"
)

func TestServeNeedsABuild(t *testing.T) {
	site := t.TempDir()
	tests := []struct {
		name string
		prep func(out string)
		want string
	}{
		{"no OUT", func(string) {}, "no built site; run `digest build"},
		{"no index", func(out string) { os.MkdirAll(out, 0o755) }, "no search index; run `digest build"},
		{"broken index", func(out string) {
			os.MkdirAll(filepath.Join(out, search.DirName), 0o755)
			os.WriteFile(filepath.Join(out, search.DirName, "index.json"), []byte("{"), 0o644)
		}, "run `digest build"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "public")
			tt.prep(out)
			var stderr bytes.Buffer
			err := runServe(context.Background(), []string{"-s", site, "-d", out, "--addr", "localhost:0"}, &stderr, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "digest serve: ") {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestInterspersed(t *testing.T) {
	fs := newFlags("search", "", &bytes.Buffer{})
	fs.Bool("json", false, "")
	fs.String("region", "", "")
	fs.String("d", "", "")
	tests := []struct{ in, want []string }{
		{[]string{"выставка", "--region", "guangdong"}, []string{"--region", "guangdong", "--", "выставка"}},
		{[]string{"--json", "выставка", "Харбин", "-d", "out"}, []string{"--json", "-d", "out", "--", "выставка", "Харбин"}},
		{[]string{"Гуандун", "-ёлочные"}, []string{"--", "Гуандун", "-ёлочные"}},
		{[]string{"--region=x", "a", "--", "--json"}, []string{"--region=x", "--", "a", "--json"}},
		{[]string{"a", "--nope"}, []string{"--nope", "--", "a"}},
	}
	for _, tt := range tests {
		if got := interspersed(fs, tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("interspersed(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSearchCommand(t *testing.T) {
	site := t.TempDir()
	if err := os.CopyFS(site, os.DirFS("../../search/testdata/site")); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := runBuild(context.Background(), []string{"-s", site}, &stdout, &stderr); err != nil {
		t.Fatalf("build: %v\n%s", err, stderr.String())
	}
	tests := []struct {
		args []string
		want string // stdout
	}{
		{[]string{"выставка", "-s", site, "--region", "Приамурье"}, "2024-01-01  /2024/expo-new-year/  Выставка китайских товаров открылась в Благовещенске\n"},
		{[]string{"-s", site, "--kind", "expo", "--from", "2025-01-01"}, "2025-06-10  /2025/khabarovsk-harbin-expo/  Хабаровские компании показали продукцию на выставке в Харбине\n"},
		{[]string{"-s", site, "Гуандун", "-ёлочные", "--sort", "date"}, "2022-05-05  /2022/guangdong-delegation/  Делегация из южного Китая посетила технопарк в Долгопрудном\n2021-09-15  /2021/guangdong-torgpred/  Торгпредство России в Гуанчжоу провело семинар для экспортёров\n"},
	}
	for _, tt := range tests {
		stdout.Reset()
		stderr.Reset()
		if err := runSearch(context.Background(), tt.args, &stdout, &stderr); err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		if stdout.String() != tt.want {
			t.Errorf("%q: stdout\n%s\nwant\n%s", tt.args, stdout.String(), tt.want)
		}
		if !strings.Contains(stderr.String(), "notes found") {
			t.Errorf("%q: stderr %q", tt.args, stderr.String())
		}
	}
	stdout.Reset()
	if err := runSearch(context.Background(), []string{"-s", site, "--json", "Демешин"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), `"snippet": "`) || !strings.Contains(stdout.String(), "<mark>Демешин</mark>") {
		t.Errorf("--json: %s", stdout.String())
	}
	err := runSearch(context.Background(), []string{"-s", site, "--region", "Хабаровск", "x"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "khabarovsk-krai") {
		t.Errorf("unknown region: %v", err)
	}
}
