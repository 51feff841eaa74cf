package cli

import (
	"fmt"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress reports how far a long command has come, on env.Stderr. On a
// terminal it draws a bar; anywhere else (a log, a pipe, CI) it writes a
// plain line at every 10 %, so a log gets ten lines instead of thousands
// of frames. Every long command uses it; it is safe for concurrent use.
type progress struct {
	env   Env
	what  string
	bar   *progressbar.ProgressBar // nil off a terminal
	mu    sync.Mutex
	done  int
	total int // < 0: not known yet
	tenth int // last tenth written as a line
}

// newProgress starts reporting the progress of what; total < 0 means not
// known yet (see Update).
func newProgress(env Env, what string, total int) *progress {
	p := &progress{env: env, what: what, total: total}
	if env.StderrTTY {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(env.Stderr),
			progressbar.OptionSetDescription(what), progressbar.OptionShowCount(),
			progressbar.OptionThrottle(100*time.Millisecond))
	}
	return p
}

// Update sets both the count done and the total: the shape of the
// callbacks of content.Import, qr.WriteBatchZIP and events.Rebuild.
func (p *progress) Update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if total != p.total {
		p.total = total
		if p.bar != nil {
			p.bar.ChangeMax(total)
		}
	}
	p.set(done)
}

// Update64 is Update for callbacks that count in int64 (bytes, documents).
func (p *progress) Update64(done, total int64) { p.Update(int(done), int(total)) }

// Set sets the count done.
func (p *progress) Set(done int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.set(done)
}

// Add counts n more done.
func (p *progress) Add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.set(p.done + n)
}

func (p *progress) set(done int) {
	p.done = done
	if p.bar != nil {
		_ = p.bar.Set(done)
		return
	}
	if p.total <= 0 {
		return
	}
	tenth := min(10, done*10/p.total)
	if tenth > p.tenth {
		p.tenth = tenth
		fmt.Fprintf(p.env.Stderr, "%s: %d%% (%d/%d)\n", p.what, tenth*10, done, p.total)
	}
}

// Finish ends the report: the bar's line is closed, so what follows
// starts on a line of its own.
func (p *progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.env.Stderr)
		p.bar = nil
	}
}
