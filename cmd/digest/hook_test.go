package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreCommitHook runs the pre-commit hook of docs/EDITORS.md, as an
// editor saves it, in a repository of the sample site whose taxonomy is a
// link to a folder beside content/ (which docs/CONTENT.md allows): a good
// commit passes; a broken taxonomy, staged alone, and a template that
// parses but fails on a page are refused; what is checked is the staged
// file, not the working copy.
func TestPreCommitHook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary: not with -short")
	}
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	doc, err := os.ReadFile("../../docs/EDITORS.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, found := strings.Cut(string(doc), "```sh\n#!/bin/sh\n")
	block, _, ended := strings.Cut(block, "```")
	if !found || !ended {
		t.Fatal("docs/EDITORS.md has no ```sh block starting with #!/bin/sh")
	}
	hook := "#!/bin/sh\n" + block

	tmp := t.TempDir()
	binDir := filepath.Join(tmp, "bin")
	if out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, "digest"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	repo := filepath.Join(tmp, "repo")
	if err := os.CopyFS(filepath.Join(repo, "content"), os.DirFS("../../content")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(repo, "content", "taxonomy"), filepath.Join(repo, "taxonomy")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../taxonomy", filepath.Join(repo, "content", "taxonomy")); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+tmp, "GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=Editor", "GIT_AUTHOR_EMAIL=editor@example.org",
		"GIT_COMMITTER_NAME=Editor", "GIT_COMMITTER_EMAIL=editor@example.org")
	git := func(args ...string) (string, error) {
		cmd := exec.Command(gitBin, args...)
		cmd.Dir, cmd.Env = repo, env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	must := func(args ...string) {
		t.Helper()
		if out, err := git(args...); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	write := func(name, data string) {
		t.Helper()
		path := filepath.Join(repo, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must("init", "-q")
	write(".git/hooks/pre-commit", hook)
	if err := os.Chmod(filepath.Join(repo, ".git/hooks/pre-commit"), 0o755); err != nil {
		t.Fatal(err)
	}
	must("add", "-A")
	must("commit", "-q", "-m", "the sample site")

	kinds, err := os.ReadFile(filepath.Join(repo, "taxonomy", "kinds.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		stage map[string]string // files written and staged
		after map[string]string // files written after staging
		want  string            // what the refusal names; "" for a commit that passes
	}{
		{name: "a broken taxonomy through the link",
			stage: map[string]string{"taxonomy/kinds.yaml": string(kinds) + "- slug: [\n"},
			want:  "kinds.yaml"},
		{name: "a template that fails on a page",
			stage: map[string]string{"templates/note.html": `{{define "main"}}{{.Nope}}{{end}}` + "\n"},
			want:  "note.html"},
		{name: "a bad note fixed in the working copy only",
			stage: map[string]string{"content/2025/bad.md": "---\ntitle: x\ndate: 2025-13-01\nkind: visit\nregions: [beijing]\n---\n"},
			after: map[string]string{"content/2025/bad.md": "---\ntitle: x\ndate: 2025-12-01\nkind: visit\nregions: [beijing]\n---\n"},
			want:  "content/2025/bad.md:3:7"},
		{name: "a good note",
			stage: map[string]string{"content/2025/good.md": "---\ntitle: Встреча\ndate: 2025-12-01\nkind: visit\nregions: [beijing]\n---\nТекст.\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for name, data := range tc.stage {
				write(name, data)
			}
			must("add", "-A")
			for name, data := range tc.after {
				write(name, data)
			}
			out, err := git("commit", "-q", "-m", tc.name)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("the hook refused a good commit: %v\n%s", err, out)
			case tc.want != "" && err == nil:
				t.Fatalf("the hook let it in:\n%s", out)
			case tc.want != "" && !strings.Contains(out, tc.want):
				t.Errorf("the refusal does not name %q:\n%s", tc.want, out)
			}
			if err != nil {
				// Back to the last commit, for the next case.
				must("reset", "-q", "--hard")
				must("clean", "-q", "-fd")
			}
		})
	}
}
