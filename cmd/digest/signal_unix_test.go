//go:build unix

package main

import (
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain runs the command itself when DIGEST_TEST_MAIN is set, so that
// a test can run the test binary as digest, signals and exit status and all.
func TestMain(m *testing.M) {
	if os.Getenv("DIGEST_TEST_MAIN") != "" {
		stopGrace = 2 * time.Second
		os.Args = append([]string{"digest"}, strings.Fields(os.Getenv("DIGEST_TEST_MAIN"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestStopAfterSignal: a build or check whose site template loops without
// writing, which nothing can stop, ends stopGrace after a signal, saying
// why; a second signal ends it at once.
func TestStopAfterSignal(t *testing.T) {
	site := sampleSite(t)
	note, err := os.ReadFile("../../templates/note.html")
	if err != nil {
		t.Fatal(err)
	}
	looping := strings.Replace(string(note), `{{define "main"}}`, `{{define "main"}}{{range 100000000000}}{{end}}`, 1)
	if looping == string(note) {
		t.Fatal(`note.html has no {{define "main"}}`)
	}
	if err := os.MkdirAll(filepath.Join(site, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(site, "templates", "note.html"), []byte(looping), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args    string
		signals []syscall.Signal
		within  time.Duration
		want    string // in stderr; "" for an end by the signal
	}{
		{"build -s " + site, []syscall.Signal{syscall.SIGTERM}, 15 * time.Second, "digest build: still busy"},
		{"check -s " + site, []syscall.Signal{syscall.SIGINT}, 15 * time.Second, "digest check: still busy"},
		// A closed terminal.
		{"build -s " + site, []syscall.Signal{syscall.SIGHUP}, 15 * time.Second, "digest build: still busy"},
		{"build -s " + site, []syscall.Signal{syscall.SIGTERM, syscall.SIGTERM}, 1500 * time.Millisecond, ""},
	} {
		if tc.signals[0] == syscall.SIGHUP && signal.Ignored(syscall.SIGHUP) {
			continue // under nohup, as digest is then
		}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "DIGEST_TEST_MAIN="+tc.args)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		end := make(chan error, 1)
		go func() { end <- cmd.Wait() }()
		time.Sleep(3 * time.Second) // into the template: the sample site loads in a fraction of that
		start := time.Now()
		for _, sig := range tc.signals {
			cmd.Process.Signal(sig)
			time.Sleep(200 * time.Millisecond)
		}
		select {
		case err := <-end:
			took := time.Since(start)
			if tc.want == "" {
				if !cmd.ProcessState.Exited() && cmd.ProcessState.Sys().(syscall.WaitStatus).Signaled() {
					continue
				}
				t.Errorf("%s, two signals: %v after %v, want an end by the second signal", tc.args, err, took)
				continue
			}
			if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("%s: status %d, stderr %q; want 1 and %q", tc.args, code, stderr.String(), tc.want)
			}
		case <-time.After(tc.within):
			cmd.Process.Kill()
			<-end
			t.Errorf("%s: still running %v after %v", tc.args, tc.within, tc.signals)
		}
	}
}
