//go:build linux || darwin || freebsd

package netguard

import "syscall"

// RaiseFileLimit raises the soft open-file limit to the hard limit and
// returns the limit in force afterwards. Go's runtime does the same at
// start since 1.19, but only once and silently: this makes the number
// known (the total connection cap is derived from it) and undoes a lower
// limit set after start.
func RaiseFileLimit() (soft, hard uint64, err error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, 0, err
	}
	if l.Cur < l.Max {
		want := l
		want.Cur = want.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
			return uint64(l.Cur), uint64(l.Max), err
		}
		l = want
	}
	return uint64(l.Cur), uint64(l.Max), nil
}
