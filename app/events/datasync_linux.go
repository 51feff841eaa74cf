package events

import (
	"os"
	"syscall"
)

// datasync flushes a segment's data and its size but not its timestamps:
// fdatasync(2) is what a log needs and saves a metadata write per sync.
func datasync(f *os.File) error {
	raw, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := raw.Control(func(fd uintptr) { serr = syscall.Fdatasync(int(fd)) }); err != nil {
		return err
	}
	return serr
}
