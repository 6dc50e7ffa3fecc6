package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

// profiles are the profiles of a build that --cpuprofile and --memprofile
// ask for, for those who measure what a build costs (docs/BENCHMARKS.md).
type profiles struct {
	cpu *os.File
	// mem is where the heap profile goes; peak is the largest live heap
	// seen so far, which the profile in mem shows.
	mem  string
	peak uint64
	stop chan struct{}
	wg   sync.WaitGroup
	err  error
}

// heapEvery is how often a memory profile looks at the live heap.
const heapEvery = 500 * time.Millisecond

// startProfiles starts a CPU profile into the file cpu and watches the live
// heap for mem, when they are not empty. Both files are made now, so that
// one that cannot be is an error before the build, not after it.
func startProfiles(cpu, mem string) (*profiles, error) {
	p := &profiles{mem: mem, stop: make(chan struct{})}
	if mem != "" {
		f, err := os.Create(mem)
		if err != nil {
			return nil, fmt.Errorf("--memprofile: %w", err)
		}
		f.Close()
	}
	if cpu != "" {
		f, err := os.Create(cpu)
		if err != nil {
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		p.cpu = f
	}
	if mem != "" {
		p.wg.Go(func() {
			t := time.NewTicker(heapEvery)
			defer t.Stop()
			for {
				select {
				case <-p.stop:
					return
				case <-t.C:
					p.sample()
				}
			}
		})
	}
	return p, nil
}

// sample writes the heap profile when the live heap, as the last
// collection left it, is the largest seen: the profile then shows what
// the build held at its fullest, not at its end, when little is left.
func (p *profiles) sample() {
	live := liveHeap()
	if live <= p.peak || p.err != nil {
		return
	}
	p.peak = live
	f, err := os.Create(p.mem)
	if err == nil {
		err = pprof.Lookup("heap").WriteTo(f, 0)
		err = errors.Join(err, f.Close())
	}
	p.err = err
}

// finish stops the profiles and tells what the memory profile holds.
func (p *profiles) finish(stderr io.Writer) error {
	var errs []error
	if p.cpu != nil {
		pprof.StopCPUProfile()
		errs = append(errs, p.cpu.Close())
	}
	if p.mem != "" {
		close(p.stop)
		p.wg.Wait()
		p.sample()
		errs = append(errs, p.err)
		if p.err == nil {
			fmt.Fprintf(stderr, "largest live heap %d MB, profiled in %s\n", p.peak>>20, p.mem)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("profiles: %w", err)
	}
	return nil
}
