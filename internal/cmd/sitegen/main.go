// Command sitegen writes a generated site of any size for benchmarks (see
// package sitegen):
//
//	go run ./internal/cmd/sitegen -n 10000 -o /tmp/site-10000
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/coopdigest/digest/internal/sitegen"
)

func main() {
	n := flag.Int("n", 10000, "number of notes")
	out := flag.String("o", "", "folder to write the site into (its content/ is made)")
	sample := flag.String("sample", "content", "content folder of the sample site, for site.yaml and the taxonomy")
	flag.Parse()
	if *out == "" || *n < 1 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: sitegen -n NOTES -o DIR [-sample CONTENT]")
		os.Exit(2)
	}
	if err := sitegen.Write(*out, *sample, *n); err != nil {
		fmt.Fprintln(os.Stderr, "sitegen:", err)
		os.Exit(1)
	}
}
