package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// TestFollowMemory checks that a build's memory limit follows its budget,
// less the files mapped into memory, but never below twice the live heap,
// with the collector's goal raised, or left as it is (serve --watch); and
// that both are as they were after.
func TestFollowMemory(t *testing.T) {
	if os.Getenv("GOMEMLIMIT") != "" || os.Getenv("GOGC") != "" {
		t.Skip("GOMEMLIMIT or GOGC is set: followMemory leaves the collector as they say")
	}
	limitBefore := debug.SetMemoryLimit(-1)
	percentBefore := debug.SetGCPercent(100)
	debug.SetGCPercent(percentBefore)

	for _, tc := range []struct{ percent, want int }{{buildGCPercent, buildGCPercent}, {-1, percentBefore}} {
		stop := followMemory(tc.percent)
		time.Sleep(3 * limitEvery)
		limit := debug.SetMemoryLimit(-1)
		percent := debug.SetGCPercent(-1)
		debug.SetGCPercent(percent)
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(s)
		stop()

		if want := int64(memoryBudget - mappedFiles()); limit > memoryBudget || limit < 2*int64(s[0].Value.Uint64()) || limit < want-64<<20 {
			t.Errorf("percent %d: memory limit %d MiB, want about %d MiB (the budget less %d MiB of mapped files), at least twice the live heap", tc.percent, limit>>20, want>>20, mappedFiles()>>20)
		}
		if percent != tc.want {
			t.Errorf("percent %d: GOGC %d during the build, want %d", tc.percent, percent, tc.want)
		}
		if got := debug.SetMemoryLimit(-1); got != limitBefore {
			t.Errorf("percent %d: memory limit %d after, want %d as before", tc.percent, got, limitBefore)
		}
		if got := debug.SetGCPercent(percentBefore); got != percentBefore {
			t.Errorf("percent %d: GOGC %d after, want %d as before", tc.percent, got, percentBefore)
		}
	}
}
