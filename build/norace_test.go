//go:build !race

package build

// raceDetector: see race_test.go.
const raceDetector = false
