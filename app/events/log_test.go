package events

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/yimayou/yimayou/app/domain"
)

func testEvent(i int) domain.Event {
	e := domain.NewEvent(domain.EventScan, time.Date(2026, 11, 29, 5, 30, 0, i, time.UTC))
	e.ID = fmt.Sprintf("ev-%06d", i)
	e.County, e.Site, e.Sign = "513322", "hailuogou", "HLG01"
	e.Lang, e.Device, e.Referrer = domain.Lang("zh"), domain.DeviceMobile, domain.ReferrerNone
	e.VisitorKey = fmt.Sprintf("vk%d", i%7)
	if i%5 == 0 {
		e.Extra = map[string]string{"a": "1", "b": "2"}
	}
	return e
}

func openTest(t *testing.T, dir string, opt Options) *Log {
	t.Helper()
	opt.Dir = dir
	l, err := Open(opt)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return l
}

func closeLog(t *testing.T, l *Log) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}
}

// readAll decodes every record on disk, in order.
func readAll(t *testing.T, dir string) (seqs []uint64, evs []domain.Event) {
	t.Helper()
	firsts, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range firsts {
		data, err := os.ReadFile(segmentPath(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		_, err = scanFrames(data, f, func(seq uint64, ev []byte) {
			e, err := decodeEvent(ev)
			if err != nil {
				t.Fatalf("decode %d: %v", seq, err)
			}
			seqs = append(seqs, seq)
			evs = append(evs, e)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return seqs, evs
}

// A log written by a binary before the filter field (codec version 1)
// still reads after an upgrade.
func TestCodecReadsVersion1(t *testing.T) {
	e := testEvent(3)
	e.Extra = map[string]string{"late": "1"}
	b := []byte{codecVersionV1}
	b = appendString(b, e.ID)
	b = binary.AppendVarint(b, e.Time.UnixNano())
	b = appendString(b, e.Day)
	b = binary.AppendUvarint(b, uint64(e.Hour))
	for _, s := range []string{string(e.Type), e.County, e.Site, e.Sign, string(e.Lang), e.Device, e.Referrer} {
		b = appendString(b, s)
	}
	b = append(b, 0) // not a bot
	b = appendString(b, e.VisitorKey)
	b = binary.AppendUvarint(b, 1)
	b = appendString(appendString(b, "late"), "1")
	got, err := decodeEvent(b)
	if err != nil {
		t.Fatal(err)
	}
	got.Time = e.Time
	if !reflect.DeepEqual(got, e) {
		t.Fatalf("version 1:\n got %+v\nwant %+v", got, e)
	}
}

func TestCodecRoundTrip(t *testing.T) {
	for i := 0; i < 10; i++ {
		e := testEvent(i)
		e.Bot = i%2 == 0
		if i%3 == 1 {
			e.Filter = domain.FilterBudget
		}
		got, err := decodeEvent(appendEvent(nil, &e))
		if err != nil {
			t.Fatal(err)
		}
		if !got.Time.Equal(e.Time) {
			t.Fatalf("time %v != %v", got.Time, e.Time)
		}
		got.Time = e.Time
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, e)
		}
	}
}

func TestLogRecordsInOrderAndReopens(t *testing.T) {
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprint("strict=", strict), func(t *testing.T) {
			dir := t.TempDir()
			l := openTest(t, dir, Options{Strict: strict, SegmentBytes: 4 << 10})
			node := l.Node()
			var wg sync.WaitGroup
			for g := 0; g < 8; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					for i := 0; i < 100; i++ {
						if err := l.Record(context.Background(), testEvent(g*1000+i)); err != nil {
							t.Error(err)
							return
						}
					}
				}(g)
			}
			wg.Wait()
			closeLog(t, l)
			if err := l.Record(context.Background(), testEvent(1)); err != ErrClosed {
				t.Fatalf("record after close: %v", err)
			}
			seqs, evs := readAll(t, dir)
			if len(evs) != 800 {
				t.Fatalf("%d records, want 800", len(evs))
			}
			for i := range seqs {
				if seqs[i] != uint64(i+1) {
					t.Fatalf("seq %d at %d", seqs[i], i)
				}
			}
			firsts, _ := listSegments(dir)
			if len(firsts) < 5 {
				t.Fatalf("expected rotation into several segments, got %d", len(firsts))
			}
			// Reopen: same node, sequence continues.
			l2 := openTest(t, dir, Options{})
			defer closeLog(t, l2)
			if l2.Node() != node {
				t.Fatalf("node id changed: %s → %s", node, l2.Node())
			}
			if err := l2.Record(context.Background(), testEvent(5000)); err != nil {
				t.Fatal(err)
			}
			closeLog(t, l2)
			seqs, _ = readAll(t, dir)
			if seqs[len(seqs)-1] != 801 {
				t.Fatalf("sequence after reopen: %d", seqs[len(seqs)-1])
			}
		})
	}
}

func lastSegment(t *testing.T, dir string) string {
	firsts, err := listSegments(dir)
	if err != nil || len(firsts) == 0 {
		t.Fatalf("segments: %v %v", firsts, err)
	}
	return segmentPath(dir, firsts[len(firsts)-1])
}

func recordN(t *testing.T, l *Log, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if err := l.Record(context.Background(), testEvent(i)); err != nil {
			t.Fatal(err)
		}
	}
}

// A crash in the middle of a write leaves part of a frame at the end: it
// must be cut, never read as an event, and the log must go on after it.
func TestTornTailIsCut(t *testing.T) {
	for _, tear := range []struct {
		name string
		mod  func([]byte) []byte
	}{
		{"half frame", func(b []byte) []byte { return b[:len(b)-7] }},
		{"last byte cut", func(b []byte) []byte { return b[:len(b)-1] }},
		{"zeros appended", func(b []byte) []byte { return append(b, make([]byte, 4096)...) }},
		{"garbage appended", func(b []byte) []byte {
			return append(b, []byte("\x30\x00\x00\x00garbage-garbage-garbage-garbage-garbage-garbage")...)
		}},
	} {
		t.Run(tear.name, func(t *testing.T) {
			dir := t.TempDir()
			l := openTest(t, dir, Options{})
			recordN(t, l, 0, 10)
			closeLog(t, l)
			path := lastSegment(t, dir)
			data, _ := os.ReadFile(path)
			torn := tear.mod(data)
			if err := os.WriteFile(path, torn, 0o640); err != nil {
				t.Fatal(err)
			}
			l = openTest(t, dir, Options{})
			tornBytes, skipped, _ := l.Repairs()
			if skipped != 0 || tornBytes == 0 {
				t.Fatalf("repairs: torn %d skipped %d", tornBytes, skipped)
			}
			recordN(t, l, 100, 2)
			closeLog(t, l)
			seqs, evs := readAll(t, dir)
			n := len(evs)
			if n < 11 || n > 12 {
				t.Fatalf("%d records after repair", n)
			}
			if evs[n-1].ID != testEvent(101).ID || seqs[n-1] <= seqs[n-3] {
				t.Fatalf("log does not continue after the cut: %v", seqs)
			}
		})
	}
}

// Damage inside a segment costs only the damaged records; the rest are
// kept, and the original file is set aside for inspection.
func TestCorruptSegmentKeepsTheRest(t *testing.T) {
	dir := t.TempDir()
	l := openTest(t, dir, Options{SegmentBytes: 2 << 10})
	recordN(t, l, 0, 60)
	closeLog(t, l)
	firsts, _ := listSegments(dir)
	if len(firsts) < 3 {
		t.Fatalf("want several segments, got %d", len(firsts))
	}
	// Flip bytes in the middle of the first (sealed) segment and of the
	// last one.
	for _, f := range []uint64{firsts[0], firsts[len(firsts)-1]} {
		p := segmentPath(dir, f)
		data, _ := os.ReadFile(p)
		mid := len(data) / 2
		for i := mid; i < mid+5; i++ {
			data[i] ^= 0xff
		}
		if err := os.WriteFile(p, data, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	l = openTest(t, dir, Options{})
	_, skipped, segs := l.Repairs()
	if skipped == 0 || segs != 2 {
		t.Fatalf("repairs: skipped %d segments %d", skipped, segs)
	}
	closeLog(t, l)
	seqs, _ := readAll(t, dir)
	if len(seqs) < 55 || len(seqs) > 58 {
		t.Fatalf("%d of 60 records kept after damaging two", len(seqs))
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] {
			t.Fatalf("sequence out of order: %v", seqs)
		}
	}
	aside, _ := os.ReadDir(filepath.Join(dir, corruptDir))
	if len(aside) != 2 {
		t.Fatalf("%d files set aside, want 2", len(aside))
	}
}

func TestBadSegmentHeaderSetAside(t *testing.T) {
	dir := t.TempDir()
	l := openTest(t, dir, Options{})
	recordN(t, l, 0, 3)
	closeLog(t, l)
	if err := os.WriteFile(lastSegment(t, dir), []byte("not a segment at all"), 0o640); err != nil {
		t.Fatal(err)
	}
	l = openTest(t, dir, Options{})
	recordN(t, l, 10, 1)
	closeLog(t, l)
	seqs, _ := readAll(t, dir)
	if len(seqs) != 1 || seqs[0] != 1 {
		// The damaged segment's sequence numbers are unknown; the log
		// restarts after the shipped mark (none here).
		t.Logf("seqs after bad header: %v", seqs)
	}
}

func TestRecordRejectsEventWithoutDay(t *testing.T) {
	l := openTest(t, t.TempDir(), Options{})
	defer closeLog(t, l)
	e := testEvent(1)
	e.Day = "29/11/2026"
	if err := l.Record(context.Background(), e); err == nil {
		t.Fatal("accepted an event with a bad day")
	}
}

func TestCollectorsReport(t *testing.T) {
	l := openTest(t, t.TempDir(), Options{})
	defer closeLog(t, l)
	recordN(t, l, 0, 3)
	reg := prometheus.NewRegistry()
	reg.MustRegister(l.Collectors()...)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		m := mf.GetMetric()[0]
		if m.GetCounter() != nil {
			got[mf.GetName()] = m.GetCounter().GetValue()
		} else {
			got[mf.GetName()] = m.GetGauge().GetValue()
		}
	}
	if got["yimayou_eventlog_recorded_total"] != 3 || got["yimayou_eventlog_lag_events"] != 3 || got["yimayou_eventlog_segments"] != 1 {
		t.Fatalf("metrics %v", got)
	}
}
