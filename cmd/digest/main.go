// Command digest compiles a digest of cooperation events between Russian
// regions and Chinese provinces into a static site with a full-text index,
// and serves it with search.
//
//	digest build  [-s SITE] [-o OUT] [--drafts]
//	digest check  [-s SITE]
//	digest serve  [-s SITE] [-d OUT] [--addr HOST:PORT] [--watch]
//	digest serve  --search-only [-d OUT | --index URL [--poll D]] [--search-origins O,…]
//	digest search [-d OUT] [--json] [--region R] [--sector S] [--kind K] [--from D] [--to D] [QUERY]
//	digest new    [-s SITE] [--date D] [--kind K] [--region R]… [--sector S]… TITLE
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	// A closed terminal stops a command as Ctrl-C does, so that a build
	// cleans up after itself; but not under nohup, which ignores it.
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	ctx, stop := signal.NotifyContext(context.Background(), sigs...)
	done := make(chan struct{})
	go afterSignal(ctx, stop, done, os.Args[1:])
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	close(done)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.As(err, new(usageError)):
		fmt.Fprintln(os.Stderr, "digest:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// stopGrace is how long build and check may take to stop after a signal;
// a test sets it shorter.
var stopGrace = 5 * time.Second

// afterSignal waits for the first signal to any command but serve, then
// lets a second one end the process at once, as it would without digest.
// A build or check still busy stopGrace after the first is ended too: a
// site's template may loop without writing, which nothing can stop, and
// what is left is what a killed build leaves, which never touches OUT and
// which the next build removes. A deploy is left to finish the uploads
// under way, and search to write its answer to a slow reader (a pager).
// serve drains on its own terms (--drain, --shutdown-timeout), and --watch
// lets a rebuild that writes OUT in place finish, whatever signals follow.
func afterSignal(ctx context.Context, stop func(), done <-chan struct{}, args []string) {
	if len(args) == 0 || args[0] == "serve" {
		return
	}
	select {
	case <-ctx.Done():
	case <-done:
		return
	}
	stop()
	if args[0] != "build" && args[0] != "check" {
		return
	}
	select {
	case <-done:
	case <-time.After(stopGrace):
		fmt.Fprintf(os.Stderr, "digest %s: still busy %v after the signal (a template that loops?); ended\n", args[0], stopGrace)
		os.Exit(1)
	}
}

// command is one subcommand: its name, a one-line summary and its Run.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"build", "compile the site into static pages, feeds and a search index", runBuild},
	{"check", "validate the site's notes and taxonomy without writing anything", runCheck},
	{"serve", "serve a built site with search (--watch rebuilds on change; --search-only for replicas)", runServe},
	{"search", "search the index of a built site from the command line", runSearch},
	{"new", "write a new note with valid front matter", runNew},
	{"deploy", "publish a built site and its search index to a bucket", runDeploy},
}

// usageError is a mistake in the command line; main exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// siteFolder checks the -s flag: a folder that is there, or a mistake on
// the command line that names the flag.
func siteFolder(site string) error {
	st, err := os.Stat(site)
	switch {
	case site == "":
		return usageError{"-s: give the site folder"}
	case err != nil:
		return usageError{fmt.Sprintf("-s %s: no such folder", site)}
	case !st.IsDir():
		return usageError{fmt.Sprintf("-s %s: not a folder", site)}
	}
	return nil
}

// buildHint is the command that builds OUT: from site when it holds a
// site's content/, or else from a SITE the reader names.
func buildHint(site, out string) string {
	if st, err := os.Stat(filepath.Join(site, "content")); err != nil || !st.IsDir() {
		site = "SITE"
	}
	return fmt.Sprintf("`digest build -s %s -o %s`", site, out)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 2 && args[0] == "help" {
		args = []string{args[1], "-h"} // digest help serve: serve's flags
	}
	if len(args) == 0 {
		usage(stderr)
		return usageError{"no command given"}
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
		usage(stdout)
		return flag.ErrHelp
	}
	for _, c := range commands {
		if c.name == args[0] {
			return stoppedBy(ctx, c.name, c.run(ctx, args[1:], stdout, stderr))
		}
	}
	usage(stderr)
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}

// stoppedBy words an error that is ctx's end and nothing more, "context
// canceled", as what stopped the command. An error that says more (where
// a deploy stopped, what a build left) keeps its words.
func stoppedBy(ctx context.Context, name string, err error) error {
	if ctx.Err() == nil || err != ctx.Err() && err != context.Cause(ctx) {
		return err
	}
	return fmt.Errorf("digest %s: stopped (%v)", name, context.Cause(ctx))
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: digest <command> [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-7s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun digest help <command> (or digest <command> -h) for a command's flags.")
}

// newFlags makes a subcommand's flag set that reports errors instead of
// exiting, with a usage line and the flags' defaults: on stdout when asked
// for (-h), so that it pages, and on stderr after a mistake. The flag
// package's own line of a mistake is dropped, as main says it once, after
// the usage; that the package wrote it is how Usage tells the two apart.
func newFlags(name, synopsis string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("digest "+name, flag.ContinueOnError)
	var mistake mistakeSeen
	fs.SetOutput(&mistake)
	fs.Usage = func() {
		w := stdout
		if mistake {
			w = stderr
		}
		fmt.Fprintf(w, "usage: digest %s %s\n\nflags:\n", name, synopsis)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(&mistake)
	}
	return fs
}

// mistakeUsage prints the usage of fs, made by newFlags, for a mistake
// that its command finds after parsing (a missing argument): on stderr.
func mistakeUsage(fs *flag.FlagSet) {
	if m, ok := fs.Output().(*mistakeSeen); ok {
		*m = true
	}
	fs.Usage()
}

// mistakeSeen drops what it is given and says whether it was given any.
type mistakeSeen bool

func (m *mistakeSeen) Write(p []byte) (int, error) {
	*m = true
	return len(p), nil
}

// parseFlags parses args, turning a flag mistake into a usageError.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}
