package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/ratelog"
)

// ErrClosed is returned by Record after Close.
var ErrClosed = errors.New("events: log closed")

// Options configure Open.
type Options struct {
	// Dir holds the node id, the segment files and the shipped mark;
	// created if missing.
	Dir string
	// Strict makes Record wait until its event is fsynced. By default
	// Record waits only until the event is written to the operating
	// system, which survives any crash of the process; a power or kernel
	// failure can then lose at most SyncEvery of events.
	Strict bool
	// SyncEvery is the longest time written events stay without fsync in
	// the default mode; 0 means 20 ms.
	SyncEvery time.Duration
	// SegmentBytes is the size after which a new segment file is started;
	// 0 means 16 MiB.
	SegmentBytes int64
	Logger       *slog.Logger
	// Now is the clock; nil means time.Now. Tests move it.
	Now func() time.Time
}

// Log is the local event log of one app node: the scan path hands it
// events, and a Shipper sends them to MongoDB later. It is safe for
// concurrent use.
type Log struct {
	dir  string
	node string
	opt  Options
	log  *slog.Logger

	// mu guards the batch being filled by Record callers.
	mu      sync.Mutex
	cur     *batch
	spare   []byte
	nextSeq uint64
	closing bool

	wake       chan struct{} // closed by Close to stop the writer
	writeMu    sync.Mutex    // held by whoever writes the segment file
	writerDone chan struct{}

	// Owned by the writer goroutine.
	f      *os.File
	fFirst uint64
	fSize  int64

	syncMu     sync.Mutex
	syncQ      []syncItem
	syncWake   chan struct{} // writer → syncer, capacity 1
	syncerDone chan struct{}

	// state is what the shipper, Lag and metrics read.
	stateMu sync.Mutex
	segs    []segInfo
	written position
	synced  position
	shipped position
	// oldestPending is the time of the oldest event the shipper holds but
	// has not stored yet; zero when it holds none.
	oldestPending time.Time
	syncedNotify  chan struct{} // syncer → shipper, capacity 1
	markedSeq     uint64        // shipped seq durable in the mark file

	shipper *Shipper

	recorded    atomic.Uint64
	unshipped   atomic.Int64 // records written and not yet shipped
	writeErrors atomic.Uint64
	syncs       atomic.Uint64
	batches     atomic.Uint64
	repaired    repairStats
	shipState

	// Under stateMu: what fails (health.go) and when events were written.
	faults     map[string]error
	writeTimes []seqTime
	writeGrain time.Duration
	rlog       *ratelog.Logger

	// Owned by the writer: a failed segment rotation is tried again only
	// after this time, not on every write.
	rotateRetryAt time.Time
}

// rotateRetry is the wait between attempts to start a new segment after
// one failed (a read-only or full disk).
const rotateRetry = 5 * time.Second

// position names a place in the log: the segment (by its first sequence
// number), the offset in it just past a frame, and that frame's sequence.
type position struct {
	seg uint64
	off int64
	seq uint64
}

type segInfo struct {
	first uint64
	size  int64 // bytes written so far; final once sealed
}

// batch is one group commit: the frames of every Record call that arrived
// while the previous group was being written.
type batch struct {
	buf   []byte
	last  uint64
	count int
	done  chan struct{}
	err   error
}

type syncItem struct {
	f     *os.File
	seal  bool // close f once synced: a newer segment has started
	pos   position
	batch *batch // released after the sync in strict mode
}

// repairStats records what Open found and cut.
type repairStats struct {
	TornBytes    int64 // cut from the tail of the last segment
	SkippedBytes int64 // damaged bytes skipped inside segments
	Segments     int   // segments rewritten or dropped because of damage
}

// seqGapAfterRepair is far more than the records a segment can hold and
// far less than the gap a reader accepts between frames (maxSeqGap).
const seqGapAfterRepair = 1 << 20

const (
	nodeFile   = "node-id"
	markFile   = "shipped"
	corruptDir = "corrupt"
)

// Open opens or creates the log in opt.Dir, repairing what a crash left:
// a torn tail of the last segment is cut, and damaged frames inside a
// segment are dropped (the damaged file is kept under corrupt/ for
// inspection). Everything not yet shipped will be shipped again.
func Open(opt Options) (*Log, error) {
	if opt.Dir == "" {
		return nil, errors.New("events: no log directory")
	}
	if opt.SyncEvery <= 0 {
		opt.SyncEvery = 20 * time.Millisecond
	}
	if opt.SegmentBytes <= 0 {
		opt.SegmentBytes = 16 << 20
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if err := os.MkdirAll(opt.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("events: log dir: %w", err)
	}
	l := &Log{dir: opt.Dir, opt: opt, log: opt.Logger,
		wake: make(chan struct{}, 1), writerDone: make(chan struct{}),
		syncWake: make(chan struct{}, 1), syncerDone: make(chan struct{}),
		syncedNotify: make(chan struct{}, 1), writeGrain: time.Second,
		rlog: ratelog.New(opt.Logger, 30*time.Second)}
	var err error
	if l.node, err = loadNodeID(opt.Dir); err != nil {
		return nil, err
	}
	mark, err := readMark(opt.Dir)
	if err != nil {
		return nil, err
	}
	if err := l.recover(mark); err != nil {
		return nil, err
	}
	l.cur = &batch{done: make(chan struct{})}
	// What a previous run left unshipped counts as written now.
	l.writeTimes = []seqTime{{seq: l.shipped.seq + 1, at: opt.Now()}}
	go l.writer()
	go l.syncer()
	return l, nil
}

// Node is this node's stable id, kept in the log directory.
func (l *Log) Node() string { return l.node }

// Dir is the log directory.
func (l *Log) Dir() string { return l.dir }

// loadNodeID reads the node id, creating a random one on first use. It is
// fsynced before any event is logged under it: rollups key their
// exactly-once bookkeeping on it.
func loadNodeID(dir string) (string, error) {
	p := filepath.Join(dir, nodeFile)
	b, err := os.ReadFile(p)
	if err == nil {
		id := strings.TrimSpace(string(b))
		if validNodeID(id) {
			return id, nil
		}
		return "", fmt.Errorf("events: %s holds %q, not a node id", p, id)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("events: node id: %w", err)
	}
	var r [6]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", err
	}
	id := "n" + hex.EncodeToString(r[:])
	if err := writeFileAtomic(dir, nodeFile, []byte(id+"\n")); err != nil {
		return "", fmt.Errorf("events: node id: %w", err)
	}
	return id, nil
}

// validNodeID keeps node ids usable as parts of rollup _ids and field
// names.
func validNodeID(id string) bool {
	if id == "" || len(id) > 32 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func readMark(dir string) (uint64, error) {
	b, err := os.ReadFile(filepath.Join(dir, markFile))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("events: shipped mark: %w", err)
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("events: shipped mark %q: %w", b, err)
	}
	return n, nil
}

// writeFileAtomic replaces dir/name with data so that after a crash the
// file holds either the old or the new content, never a mix.
func writeFileAtomic(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, name+".tmp*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// recover scans the segments, repairs damage, and opens the last segment
// for appending.
func (l *Log) recover(mark uint64) error {
	firsts, err := listSegments(l.dir)
	if err != nil {
		return fmt.Errorf("events: list segments: %w", err)
	}
	last := mark // highest sequence number known to be used
	for i, first := range firsts {
		isLast := i == len(firsts)-1
		size, lastSeq, err := l.checkSegment(first, isLast, mark)
		if err != nil {
			return err
		}
		if size < 0 { // dropped
			continue
		}
		if first > 0 && first-1 > last {
			last = first - 1
		}
		if lastSeq > last {
			last = lastSeq
		}
		l.segs = append(l.segs, segInfo{first: first, size: size})
	}
	l.nextSeq = last + 1
	if l.repaired.TornBytes > 0 || l.repaired.SkippedBytes > 0 || l.repaired.Segments > 0 {
		// Cut or damaged frames may have carried sequence numbers that
		// were shipped before the shipped mark was last written; a gap
		// makes sure none is used again. Numbers only need to grow.
		l.nextSeq += seqGapAfterRepair
	}
	if len(l.segs) == 0 {
		if err := l.createSegment(l.nextSeq); err != nil {
			return err
		}
	} else {
		s := l.segs[len(l.segs)-1]
		f, err := os.OpenFile(segmentPath(l.dir, s.first), os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("events: open segment: %w", err)
		}
		if _, err := f.Seek(s.size, io.SeekStart); err != nil {
			f.Close()
			return fmt.Errorf("events: open segment: %w", err)
		}
		l.f, l.fFirst, l.fSize = f, s.first, s.size
	}
	end := l.segs[len(l.segs)-1]
	l.written = position{seg: end.first, off: end.size, seq: last}
	l.synced = l.written
	l.shipped = position{seq: mark}
	l.markedSeq = mark
	return nil
}

// checkSegment scans one segment and repairs it. It returns the segment's
// valid size and last sequence number, or size -1 when the file held
// nothing and was removed.
func (l *Log) checkSegment(first uint64, isLast bool, mark uint64) (int64, uint64, error) {
	path := segmentPath(l.dir, first)
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, fmt.Errorf("events: read segment: %w", err)
	}
	var pending int64
	res, err := scanFrames(data, first, func(seq uint64, _ []byte) {
		if seq > mark {
			pending++
		}
	})
	if err == nil {
		l.unshipped.Add(pending)
	}
	if err != nil {
		// Not even a header: keep the file aside and forget it.
		l.log.Error("events: segment with a bad header set aside", "segment", path, "err", err)
		l.repaired.Segments++
		return -1, 0, l.setAside(path)
	}
	switch {
	case len(data) < segHeaderSize:
		// Created but its header never made it: start it over.
		if !isLast {
			return -1, 0, os.Remove(path)
		}
		if err := os.WriteFile(path, []byte(segMagic), 0o640); err != nil {
			return 0, 0, err
		}
		return int64(segHeaderSize), 0, syncFile(path)
	case res.skipped > 0:
		// Damage inside the segment: rewrite it with the frames that
		// check out, keep the original for inspection.
		l.log.Error("events: damaged segment repaired", "segment", path,
			"skipped_bytes", res.skipped, "tail_bytes", res.tail, "records", res.records)
		l.repaired.SkippedBytes += int64(res.skipped)
		l.repaired.TornBytes += int64(res.tail)
		l.repaired.Segments++
		clean := []byte(segMagic)
		if _, err := scanFrames(data, first, func(seq uint64, ev []byte) { clean = appendFrame(clean, seq, ev) }); err != nil {
			return 0, 0, err
		}
		if err := l.setAside(path); err != nil {
			return 0, 0, err
		}
		if err := writeFileAtomic(l.dir, segmentName(first), clean); err != nil {
			return 0, 0, fmt.Errorf("events: rewrite segment: %w", err)
		}
		return int64(len(clean)), res.lastSeq, nil
	case res.tail > 0:
		// A torn tail: the process or machine stopped inside a write.
		// Those bytes were never acknowledged, so they are cut.
		l.log.Warn("events: torn tail cut", "segment", path, "bytes", res.tail)
		l.repaired.TornBytes += int64(res.tail)
		if err := os.Truncate(path, int64(res.validEnd)); err != nil {
			return 0, 0, fmt.Errorf("events: cut torn tail: %w", err)
		}
		return int64(res.validEnd), res.lastSeq, syncFile(path)
	}
	if isLast {
		// After a kill -9 the last writes may still be only in the page
		// cache: make them durable before they are shipped.
		if err := syncFile(path); err != nil {
			return 0, 0, err
		}
	}
	return int64(res.validEnd), res.lastSeq, nil
}

func (l *Log) setAside(path string) error {
	dir := filepath.Join(l.dir, corruptDir)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	dst := filepath.Join(dir, fmt.Sprintf("%s.%d", filepath.Base(path), l.opt.Now().UnixNano()))
	return os.Rename(path, dst)
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// createSegment starts a new segment file as the writer's current file and
// makes its directory entry durable.
func (l *Log) createSegment(first uint64) error {
	path := segmentPath(l.dir, first)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("events: new segment: %w", err)
	}
	if _, err := f.Write([]byte(segMagic)); err != nil {
		f.Close()
		return fmt.Errorf("events: new segment: %w", err)
	}
	if err := syncDir(l.dir); err != nil {
		f.Close()
		return fmt.Errorf("events: new segment: %w", err)
	}
	l.f, l.fFirst, l.fSize = f, first, int64(segHeaderSize)
	l.stateMu.Lock()
	l.segs = append(l.segs, segInfo{first: first, size: l.fSize})
	l.stateMu.Unlock()
	return nil
}

// encBufs recycles the per-call encoding buffers of Record, which runs on
// every scan.
var encBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Record appends e to the log and returns once it is written to the
// operating system (Strict: once it is fsynced). Events recorded
// concurrently share one write and one fsync. If ctx ends first, Record
// returns ctx.Err() and the event may or may not be in the log.
func (l *Log) Record(ctx context.Context, e domain.Event) error {
	if e.ID == "" || !validDay(e.Day) {
		// The store would refuse it, and the shipper would be stuck on it.
		return fmt.Errorf("events: event without id or day: %w", domain.ErrInvalid)
	}
	bp := encBufs.Get().(*[]byte)
	enc := appendEvent((*bp)[:0], &e)
	if len(enc)+8 > maxPayload {
		encBufs.Put(bp)
		return fmt.Errorf("events: event of %d bytes: %w", len(enc), domain.ErrInvalid)
	}

	l.mu.Lock()
	if l.closing {
		l.mu.Unlock()
		encBufs.Put(bp)
		return ErrClosed
	}
	b := l.cur
	seq := l.nextSeq
	l.nextSeq++
	b.buf = appendFrame(b.buf, seq, enc)
	b.last = seq
	b.count++
	l.mu.Unlock()
	*bp = enc
	encBufs.Put(bp)

	// Group commit without a hand-off: the caller that finds the file free
	// writes every pending frame itself (its own and those of callers that
	// came meanwhile); the others wait for it. A hand-off to a writer
	// goroutine cost two context switches per request on two cores.
	l.lead()

	select {
	case <-b.done:
		return b.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// lead writes the pending groups if no other caller is writing. The check
// after unlocking closes the gap where a frame is added after the writer's
// last look but before it lets go: that frame's caller either saw the
// file busy (and this re-check finds its frame) or takes the file itself.
func (l *Log) lead() {
	for l.writeMu.TryLock() {
		l.drain()
		l.writeMu.Unlock()
		l.mu.Lock()
		pending := l.cur.count > 0
		l.mu.Unlock()
		if !pending {
			return
		}
	}
}

// drain writes the pending groups, one write(2) each, and releases their
// callers (or hands them to the syncer in strict mode). Call it holding
// writeMu.
func (l *Log) drain() {
	for {
		l.mu.Lock()
		b := l.cur
		if b.count == 0 {
			l.mu.Unlock()
			return
		}
		l.cur = &batch{buf: l.spare[:0], done: make(chan struct{})}
		l.mu.Unlock()

		l.writeBatch(b)
		l.spare = b.buf
		b.buf = nil
	}
}

// writer waits for Close: it writes what is left and seals the file.
func (l *Log) writer() {
	defer close(l.writerDone)
	for range l.wake {
	}
	// Close set closing before closing wake, so nothing can be added any
	// more: write the rest, seal the file and let the syncer finish.
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	l.drain()
	l.queueSync(syncItem{f: l.f, seal: true, pos: l.writtenPos()})
	close(l.syncWake)
}

func (l *Log) writtenPos() position {
	l.stateMu.Lock()
	defer l.stateMu.Unlock()
	return l.written
}

func (l *Log) writeBatch(b *batch) {
	l.batches.Add(1)
	now := l.opt.Now()
	if l.fSize > int64(segHeaderSize) && l.fSize+int64(len(b.buf)) > l.opt.SegmentBytes && !now.Before(l.rotateRetryAt) {
		old := l.f
		oldPos := l.writtenPos()
		if err := l.createSegment(b.last - uint64(b.count) + 1); err != nil {
			// Keep appending to the old segment rather than fail scans,
			// and try again later rather than on every write.
			l.rotateRetryAt = now.Add(rotateRetry)
			l.fail(faultRotate, err, "events: cannot start a new segment; appending to the current one",
				"retry_in", rotateRetry.String(), "segment_bytes", l.fSize)
		} else {
			l.rotateRetryAt = time.Time{}
			l.recovered(faultRotate)
			l.queueSync(syncItem{f: old, seal: true, pos: oldPos})
		}
	}
	_, err := l.f.Write(b.buf)
	if err != nil {
		// Cut whatever part of the group reached the file, so the
		// segment stays a clean sequence of frames.
		l.writeErrors.Add(1)
		l.fail(faultWrite, err, "events: write", "events", b.count)
		if terr := l.f.Truncate(l.fSize); terr == nil {
			_, _ = l.f.Seek(l.fSize, io.SeekStart)
		}
		b.err = fmt.Errorf("events: write log: %w", err)
		close(b.done)
		return
	}
	l.fSize += int64(len(b.buf))
	l.recorded.Add(uint64(b.count))
	l.unshipped.Add(int64(b.count))
	pos := position{seg: l.fFirst, off: l.fSize, seq: b.last}
	l.stateMu.Lock()
	l.written = pos
	l.segs[len(l.segs)-1].size = l.fSize
	l.noteWrite(b.last-uint64(b.count)+1, now)
	_, hadWriteFault := l.faults[faultWrite]
	l.stateMu.Unlock()
	if hadWriteFault {
		l.recovered(faultWrite)
	}
	if l.opt.Strict {
		l.queueSync(syncItem{f: l.f, pos: pos, batch: b})
		return
	}
	close(b.done)
	l.queueSync(syncItem{f: l.f, pos: pos})
}

func (l *Log) queueSync(it syncItem) {
	l.syncMu.Lock()
	l.syncQ = append(l.syncQ, it)
	l.syncMu.Unlock()
	if l.opt.Strict || it.seal {
		select {
		case l.syncWake <- struct{}{}:
		default:
		}
	}
}

// syncer fsyncs what the writer wrote: at once in strict mode (while the
// writer goes on writing the next group, so writes and syncs overlap), at
// least every SyncEvery otherwise. Only synced frames are shipped, so a
// sequence number that MongoDB has seen is never reused after a power
// failure.
func (l *Log) syncer() {
	defer close(l.syncerDone)
	var tick <-chan time.Time
	if !l.opt.Strict {
		t := time.NewTicker(l.opt.SyncEvery)
		defer t.Stop()
		tick = t.C
	}
	for {
		open := true
		select {
		case _, open = <-l.syncWake:
		case <-tick:
		}
		l.syncMu.Lock()
		items := l.syncQ
		l.syncQ = nil
		l.syncMu.Unlock()
		l.syncItems(items)
		if !open {
			return
		}
	}
}

func (l *Log) syncItems(items []syncItem) {
	if len(items) == 0 {
		return
	}
	var err error
	var synced *os.File
	for i, it := range items {
		// Items of one file are consecutive; sync each file once, after
		// its last item.
		if it.f != synced && (i+1 == len(items) || items[i+1].f != it.f) {
			if e := datasync(it.f); e != nil && err == nil {
				err = fmt.Errorf("events: fsync log: %w", e)
				l.fail(faultFsync, e, "events: fsync")
			}
			l.syncs.Add(1)
			synced = it.f
		}
		if it.seal {
			_ = it.f.Close()
		}
	}
	for _, it := range items {
		if it.batch != nil {
			it.batch.err = err
			close(it.batch.done)
		}
	}
	if err != nil {
		return
	}
	l.recovered(faultFsync)
	l.stateMu.Lock()
	l.synced = items[len(items)-1].pos
	l.stateMu.Unlock()
	select {
	case l.syncedNotify <- struct{}{}:
	default:
	}
}

// Close writes and fsyncs what was recorded and stops the writer. Call it
// after the HTTP server has drained, before closing the shipper.
func (l *Log) Close(ctx context.Context) error {
	l.mu.Lock()
	if !l.closing {
		l.closing = true
		close(l.wake)
	}
	l.mu.Unlock()
	select {
	case <-l.syncerDone:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// validDay checks the "2006-01-02" form cheaply: this runs on every scan.
func validDay(d string) bool {
	if len(d) != 10 || d[4] != '-' || d[7] != '-' {
		return false
	}
	for i := 0; i < 10; i++ {
		if i != 4 && i != 7 && (d[i] < '0' || d[i] > '9') {
			return false
		}
	}
	return true
}
