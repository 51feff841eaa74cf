package events

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// seedSegment is a valid segment of n records starting at seq 1.
func seedSegment(n int) []byte {
	b := []byte(segMagic)
	for i := 0; i < n; i++ {
		e := testEvent(i)
		b = appendFrame(b, uint64(i+1), appendEvent(nil, &e))
	}
	return b
}

// FuzzScanSegment feeds the recovery scanner and the shipper's reader
// arbitrary segment contents. Neither may panic; the scanner's records
// must be checksummed, in increasing order and within the file; a valid
// prefix must survive whatever follows it; and the strict reader must
// return exactly the frames of a clean segment.
func FuzzScanSegment(f *testing.F) {
	valid := seedSegment(5)
	f.Add(valid, uint16(0))
	f.Add(valid[:len(valid)-3], uint16(0))
	f.Add(append(append([]byte{}, valid...), 0, 0, 0, 0, 9, 9), uint16(3))
	f.Add([]byte(segMagic), uint16(0))
	f.Add([]byte("YMY"), uint16(0))
	f.Add([]byte{}, uint16(0))
	mid := append([]byte{}, valid...)
	mid[len(mid)/2] ^= 0x55
	f.Add(mid, uint16(len(mid)/2))
	// One file per fuzzing process, rewritten for each input: a fresh
	// temporary directory per input slows fuzzing down a hundredfold.
	p := filepath.Join(f.TempDir(), "seg")
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		var seqs []uint64
		res, err := scanFrames(data, 1, func(seq uint64, ev []byte) {
			if len(seqs) > 0 && seq <= seqs[len(seqs)-1] {
				t.Fatalf("sequence went back: %d after %d", seq, seqs[len(seqs)-1])
			}
			seqs = append(seqs, seq)
			_, _ = decodeEvent(ev) // must not panic either
		})
		if err != nil {
			return
		}
		if res.records != len(seqs) || res.validEnd+res.tail != len(data) || res.validEnd > len(data) {
			t.Fatalf("inconsistent result %+v for %d bytes", res, len(data))
		}

		// A clean prefix followed by these bytes keeps all its records.
		prefix := seedSegment(3)
		joined := append(append([]byte{}, prefix...), data...)
		n := 0
		if _, err := scanFrames(joined, 1, func(seq uint64, _ []byte) {
			if n < 3 && seq != uint64(n+1) {
				t.Fatalf("prefix record %d has seq %d", n, seq)
			}
			n++
		}); err != nil || n < 3 {
			t.Fatalf("prefix lost: %d records, %v", n, err)
		}

		// The shipper's reader on the same bytes, cut at a fuzzed limit,
		// never panics and returns frames only below the limit.
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		rd, err := openFrameReader(p, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		limit := int64(cut)
		if limit > int64(len(data)) {
			limit = int64(len(data))
		}
		for i := 0; i < 1000; i++ {
			_, _, end, err := rd.next(limit)
			if err != nil {
				break
			}
			if end > limit {
				t.Fatalf("frame ends at %d past limit %d", end, limit)
			}
		}
	})
}

func TestFrameReaderReadsCleanSegment(t *testing.T) {
	data := seedSegment(50)
	p := filepath.Join(t.TempDir(), "seg")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	rd, err := openFrameReader(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	for i := 1; i <= 50; i++ {
		seq, ev, _, err := rd.next(int64(len(data)))
		if err != nil || seq != uint64(i) {
			t.Fatalf("record %d: seq %d err %v", i, seq, err)
		}
		e := testEvent(i - 1)
		if !bytes.Equal(ev, appendEvent(nil, &e)) {
			t.Fatalf("record %d differs", i)
		}
	}
	if _, _, _, err := rd.next(int64(len(data))); err != io.EOF {
		t.Fatalf("after the last record: %v", err)
	}
}
