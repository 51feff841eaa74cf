//go:build !(linux || darwin || freebsd)

package netguard

// RaiseFileLimit has nothing to raise here; 0 means unknown.
func RaiseFileLimit() (soft, hard uint64, err error) { return 0, 0, nil }
