//go:build race

package build

// raceDetector: the race detector slows code several times over, and makes
// sync.Pool drop what is put in it, so that code that pools its buffers
// (the slug package's regular expressions) allocates for every call.
const raceDetector = true
