package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// lockFile in the data dir is held, with an exclusive flock, by the one
// process that may open the dir's files: `serve`, or a command that starts
// the embedded server itself. The lock goes with the process (even on
// kill -9), so a stale file never blocks; the PID written in it is only
// there to name the holder.
const lockFile = "yimayou.lock"

type dataLock struct{ f *os.File }

// lockDataDir takes the data dir's lock for what ("serve", "import", …),
// or refuses at once, naming the process that holds it.
func lockDataDir(dir, what string) (*dataLock, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data dir lock: %w", err)
	}
	busy, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("data dir lock %s: %w", path, err)
	}
	if busy {
		holder, _ := os.ReadFile(path)
		f.Close()
		who := "another process"
		if pid, cmd, ok := strings.Cut(strings.TrimSpace(string(holder)), " "); ok {
			who = fmt.Sprintf("process %s (yimayou %s)", pid, cmd)
		}
		return nil, fmt.Errorf("data dir %s is in use by %s; only one yimayou may open a data dir's files at a time "+
			"(commands run while `serve` is up use its database; otherwise stop it or set another YIMAYOU_DATA_DIR)",
			dir, who)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(fmt.Sprintf("%d %s\n", os.Getpid(), what)), 0)
	}
	return &dataLock{f: f}, nil
}

// release lets the next process in; the file stays (removing it would race
// with one that has just opened it).
func (l *dataLock) release() {
	if l == nil {
		return
	}
	_ = l.f.Truncate(0)
	_ = l.f.Close() // closing the last descriptor drops the flock
}
