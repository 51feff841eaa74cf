package events

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// Target is where the shipper sends events; store.Store implements it.
// InsertEvents must count an event whose id is already stored as a
// duplicate, not fail.
type Target interface {
	InsertEvents(ctx context.Context, events []domain.Event) (inserted, duplicates int, err error)
	RollupStore
}

// ShipOptions configure a Shipper.
type ShipOptions struct {
	// Batch is the most events read and shipped in one step: inserted in
	// chunks of InsertChunk, then their rollups applied once, so a larger
	// backlog costs fewer rollup writes per event. 0 means 5000.
	Batch int
	// InsertChunk is the most events in one insertMany; 0 means 1000. It
	// keeps each database call short: with the embedded server's single
	// connection, other store calls wait for it.
	InsertChunk int
	// Duty is the share of wall time the shipper may spend shipping while
	// the node is quiet; 0 means 0.8 (a little room is left for the
	// requests that trickle in).
	Duty float64
	// BusyDuty is that share while the node is busy recording: shipping
	// (driver encoding, and the embedded server's work, which runs in this
	// process) then yields the CPU to the answers and the lag grows until
	// the burst is over. 0 means 0.05 with two cores or fewer, else 0.15.
	BusyDuty float64
	// BusyRate is the recording rate (events/s) above which the node
	// counts as busy; 0 means 200.
	BusyRate float64
	// MaxBackoff caps the wait between retries while the database is
	// unreachable; 0 means 10 s.
	MaxBackoff time.Duration
	// OpTimeout bounds one database call; 0 means 30 s.
	OpTimeout time.Duration
	// MarkEvery is how often the shipped mark is made durable (it is also
	// written before a segment is deleted and at Close); 0 means 1 s.
	MarkEvery time.Duration
}

func (o *ShipOptions) defaults() {
	if o.Batch <= 0 {
		o.Batch = 5000
	}
	if o.InsertChunk <= 0 {
		o.InsertChunk = 1000
	}
	if o.Duty <= 0 || o.Duty > 1 {
		o.Duty = 0.8
	}
	if o.BusyDuty <= 0 || o.BusyDuty > 1 {
		o.BusyDuty = 0.15
		if runtime.GOMAXPROCS(0) <= 2 {
			o.BusyDuty = 0.05
		}
	}
	if o.BusyRate <= 0 {
		o.BusyRate = 200
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 10 * time.Second
	}
	if o.OpTimeout <= 0 {
		o.OpTimeout = 30 * time.Second
	}
	if o.MarkEvery <= 0 {
		o.MarkEvery = time.Second
	}
}

// Shipper sends the log to MongoDB: raw events with unordered insertMany,
// then the rollups, then it advances the shipped mark and deletes the
// segments MongoDB has. One shipper runs per log.
type Shipper struct {
	l       *Log
	t       Target
	opt     ShipOptions
	rollups *rollupApplier

	stop    chan struct{} // closed by Close: ship what is left, then end
	runCtx  context.Context
	abort   context.CancelFunc // Close's deadline passed: give up now
	done    chan struct{}
	stopped bool

	rd    *frameReader
	rdSeg uint64

	lastMark  time.Time
	rateAt    time.Time
	rateCount uint64
	busy      bool

	shippedEvents uint64
	duplicates    uint64
	failures      uint64
}

// Ship starts shipping the log to t. Close the log first, then the
// shipper.
func (l *Log) Ship(t Target, opt ShipOptions) *Shipper {
	opt.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Shipper{l: l, t: t, opt: opt, stop: make(chan struct{}), runCtx: ctx, abort: cancel,
		done: make(chan struct{}), rollups: newRollupApplier(t, l.node),
		lastMark: l.opt.Now(), rateAt: time.Now()}
	l.stateMu.Lock()
	l.shipper = s
	l.stateMu.Unlock()
	go s.run()
	return s
}

// Close ships what the log holds until ctx ends, makes the shipped mark
// durable and stops. What is left is shipped at the next start.
func (s *Shipper) Close(ctx context.Context) error {
	if !s.stopped {
		s.stopped = true
		close(s.stop)
	}
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		s.abort()
		<-s.done
		return ctx.Err()
	}
}

func (s *Shipper) run() {
	defer close(s.done)
	defer s.abort()
	defer func() {
		if s.rd != nil {
			s.rd.Close()
		}
		s.writeMark(true)
	}()
	wait := time.NewTimer(200 * time.Millisecond)
	defer wait.Stop()
	for {
		batch, err := s.read()
		if err != nil {
			s.l.fail(faultRead, err, "events: read log")
			if !s.pause(time.Second) {
				return
			}
			continue
		}
		if len(batch) == 0 {
			s.l.setOldestPending(time.Time{})
			s.writeMark(false)
			if s.stopping() && s.caughtUp() {
				return
			}
			select {
			case <-s.runCtx.Done():
				return
			case <-s.l.syncedNotify:
			case <-wait.C:
			case <-s.stopCh():
			}
			wait.Reset(200 * time.Millisecond)
			continue
		}
		s.l.setOldestPending(batch[0].Time)
		start := time.Now()
		if !s.send(batch) {
			return
		}
		s.advance(batch)
		s.writeMark(false)
		if !s.pace(time.Since(start)) {
			return
		}
	}
}

// caughtUp reports whether everything synced so far is shipped.
func (s *Shipper) caughtUp() bool {
	s.l.stateMu.Lock()
	defer s.l.stateMu.Unlock()
	return s.l.shipped.seq >= s.l.synced.seq
}

func (s *Shipper) stopping() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// stopCh wakes an idle shipper once when Close is called; after that it
// is nil, so an idle stopping shipper waits for new synced data instead of
// spinning.
func (s *Shipper) stopCh() <-chan struct{} {
	if s.stopping() {
		return nil
	}
	return s.stop
}

// send stores a batch and its rollups, retrying with backoff until it
// succeeds or the shipper is aborted.
func (s *Shipper) send(batch []domain.Event) bool {
	backoff := 100 * time.Millisecond
	for {
		err := s.sendOnce(batch)
		if err == nil {
			return true
		}
		s.failures++
		s.l.shipFailures.Add(1)
		s.l.rlog.Warn("ship", "events: ship batch", "events", len(batch), "err", err, "retry_in", backoff)
		// Jitter, so nodes coming back from one outage do not retry in
		// step.
		d := backoff/2 + time.Duration(rand.Int64N(int64(backoff)))
		if !s.sleep(d, true) {
			return false
		}
		backoff = min(backoff*2, s.opt.MaxBackoff)
	}
}

func (s *Shipper) sendOnce(batch []domain.Event) error {
	for rest := batch; len(rest) > 0; {
		n := min(len(rest), s.opt.InsertChunk)
		ctx, cancel := context.WithTimeout(s.runCtx, s.opt.OpTimeout)
		_, dups, err := s.t.InsertEvents(ctx, rest[:n])
		cancel()
		if err != nil {
			return err
		}
		s.duplicates += uint64(dups)
		s.l.shipDuplicates.Add(uint64(dups))
		rest = rest[n:]
	}
	ctx, cancel := context.WithTimeout(s.runCtx, s.opt.OpTimeout)
	defer cancel()
	return s.rollups.apply(ctx, batch)
}

// advance records that batch is stored.
func (s *Shipper) advance(batch []domain.Event) {
	last := batch[len(batch)-1]
	s.shippedEvents += uint64(len(batch))
	s.l.shippedEvents.Add(uint64(len(batch)))
	s.l.unshipped.Add(-int64(len(batch)))
	s.l.stateMu.Lock()
	s.l.shipped = position{seg: s.rdSeg, off: s.rd.pos(), seq: last.Seq}
	s.l.stateMu.Unlock()
}

// pace sleeps so that shipping takes at most its duty share of the time,
// a smaller one while the node is busy recording.
func (s *Shipper) pace(worked time.Duration) bool {
	select {
	case <-s.stop:
		return true // shutting down: ship at full speed
	default:
	}
	now := time.Now()
	if el := now.Sub(s.rateAt); el >= 250*time.Millisecond {
		n := s.l.recorded.Load()
		rate := float64(n-s.rateCount) / el.Seconds()
		s.busy = rate > s.opt.BusyRate
		s.rateAt, s.rateCount = now, n
	}
	duty := s.opt.Duty
	if s.busy {
		duty = s.opt.BusyDuty
	}
	rest := time.Duration(float64(worked) * (1 - duty) / duty)
	if rest <= 0 {
		runtime.Gosched()
		return true
	}
	return s.sleep(min(rest, 2*time.Second), false)
}

// sleep waits d, or less if the shipper is told to stop (when
// interruptibleByStop) or aborted. It returns false when aborted.
func (s *Shipper) sleep(d time.Duration, untilAbort bool) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	stop := s.stop
	if untilAbort {
		stop = nil // keep retrying after Close until its deadline
	}
	select {
	case <-t.C:
		return true
	case <-stop:
		return true
	case <-s.runCtx.Done():
		return false
	}
}

func (s *Shipper) pause(d time.Duration) bool { return s.sleep(d, true) }

// read returns the next batch of synced, unshipped events. An error comes
// back only with an empty batch: events already taken from the reader are
// shipped first.
func (s *Shipper) read() ([]domain.Event, error) {
	batch, err := s.readSome()
	if err != nil && len(batch) > 0 {
		return batch, nil
	}
	return batch, err
}

func (s *Shipper) readSome() ([]domain.Event, error) {
	var batch []domain.Event
	for len(batch) < s.opt.Batch {
		if s.rd == nil {
			ok, err := s.openReader()
			if err != nil || !ok {
				return batch, err
			}
		}
		limit, sealed, ok := s.l.readLimit(s.rdSeg)
		if !ok {
			// The segment was set aside or deleted under us; start over
			// from the mark.
			s.rd.Close()
			s.rd = nil
			return batch, nil
		}
		seq, ev, _, err := s.rd.next(limit)
		if err == io.EOF {
			if !sealed {
				return batch, nil
			}
			next, ok := s.l.segmentAfter(s.rdSeg)
			if !ok {
				return batch, nil
			}
			s.rd.Close()
			if s.rd, err = openFrameReader(segmentPath(s.l.dir, next), 0); err != nil {
				s.rd = nil
				return batch, err
			}
			s.rdSeg = next
			continue
		}
		if err != nil {
			if errors.Is(err, errCorrupt) && sealed {
				// New damage in a sealed segment: what is left of it is
				// lost; say so loudly and go on with the next one.
				s.l.log.Error("events: damaged segment skipped while shipping", "segment", s.rdSeg, "err", err)
				s.l.corruptSkips.Add(1)
				s.rd.Close()
				next, ok := s.l.segmentAfter(s.rdSeg)
				if !ok {
					s.rd = nil
					return batch, err
				}
				if s.rd, err = openFrameReader(segmentPath(s.l.dir, next), 0); err != nil {
					s.rd = nil
					return batch, err
				}
				s.rdSeg = next
				continue
			}
			return batch, err
		}
		if seq <= s.l.shippedSeq() {
			continue // shipped before the last restart
		}
		e, derr := decodeEvent(ev)
		if derr != nil {
			s.l.log.Error("events: undecodable record skipped", "seq", seq, "err", derr)
			s.l.corruptSkips.Add(1)
			s.l.unshipped.Add(-1)
			continue
		}
		e.Node, e.Seq = s.l.node, seq
		batch = append(batch, e)
	}
	return batch, nil
}

// openReader positions the reader at the first segment that may hold
// unshipped events.
func (s *Shipper) openReader() (bool, error) {
	shipped := s.l.shippedSeq()
	first, ok := s.l.segmentFor(shipped + 1)
	if !ok {
		return false, nil
	}
	rd, err := openFrameReader(segmentPath(s.l.dir, first), 0)
	if err != nil {
		return false, err
	}
	s.rd, s.rdSeg = rd, first
	return true, nil
}

// writeMark makes the shipped mark durable when it is due (or now, when
// force) and then deletes the segments that are entirely shipped.
func (s *Shipper) writeMark(force bool) {
	now := s.l.opt.Now()
	if !force && now.Sub(s.lastMark) < s.opt.MarkEvery {
		return
	}
	s.lastMark = now
	if err := s.l.persistMark(); err != nil {
		s.l.fail(faultMark, err, "events: write shipped mark")
		return
	}
	s.l.recovered(faultMark)
	s.l.deleteShipped()
}
