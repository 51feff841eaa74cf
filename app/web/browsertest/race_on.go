//go:build race

package browsertest

// raceDetector is set when the race detector is built in: with -short the
// browser tests are skipped then (see New).
const raceDetector = true
