package events

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// On-disk format of one segment file:
//
//	header  8 bytes  segMagic
//	frame*  4 bytes  payload length n (little endian)
//	        4 bytes  CRC-32C of the payload
//	        n bytes  payload: 8 bytes sequence number, then the encoded event
//
// The checksum covers the sequence number, so a frame whose bytes were torn
// or overwritten is never read as an event. A segment is named after the
// first sequence number it may hold, so the files sort in log order.
const (
	segMagic      = "YMYEVLG1"
	segHeaderSize = len(segMagic)
	frameHeader   = 8
	minPayload    = 8 + 1 // sequence number and the codec version byte
	// maxPayload bounds what a length field may claim, so a corrupt length
	// cannot make a reader allocate or skip gigabytes.
	maxPayload = 1 << 20
	segSuffix  = ".seg"
	// maxSeqGap bounds how far a frame's sequence number may lie past the
	// previous one (or past the segment's first): a segment holds far fewer
	// records than this, so anything beyond is garbage.
	maxSeqGap = 1 << 32
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var errCorrupt = errors.New("events: corrupt log record")

func segmentName(first uint64) string { return fmt.Sprintf("%020d%s", first, segSuffix) }

func parseSegmentName(name string) (uint64, bool) {
	if !strings.HasSuffix(name, segSuffix) || len(name) != 20+len(segSuffix) {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSuffix(name, segSuffix), 10, 64)
	return n, err == nil
}

// listSegments returns the first sequence numbers of the segment files in
// dir, in order.
func listSegments(dir string) ([]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var firsts []uint64
	for _, e := range ents {
		if n, ok := parseSegmentName(e.Name()); ok && e.Type().IsRegular() {
			firsts = append(firsts, n)
		}
	}
	sort.Slice(firsts, func(i, j int) bool { return firsts[i] < firsts[j] })
	return firsts, nil
}

// appendFrame appends one framed record to b.
func appendFrame(b []byte, seq uint64, event []byte) []byte {
	off := len(b)
	b = append(b, make([]byte, frameHeader)...)
	b = binary.LittleEndian.AppendUint64(b, seq)
	b = append(b, event...)
	payload := b[off+frameHeader:]
	binary.LittleEndian.PutUint32(b[off:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[off+4:], crc32.Checksum(payload, castagnoli))
	return b
}

// frameAt checks whether a valid frame with a sequence number in
// [minSeq, minSeq+maxSeqGap) starts at data[0]. It returns the frame's
// sequence number, payload (event bytes) and total length. The sequence
// window is checked before the checksum, so resyncing through garbage does
// not checksum megabytes at every offset.
func frameAt(data []byte, minSeq uint64) (seq uint64, event []byte, size int, ok bool) {
	if len(data) < frameHeader+minPayload {
		return 0, nil, 0, false
	}
	n := int(binary.LittleEndian.Uint32(data))
	if n < minPayload || n > maxPayload || n > len(data)-frameHeader {
		return 0, nil, 0, false
	}
	payload := data[frameHeader : frameHeader+n]
	if s := binary.LittleEndian.Uint64(payload); s < minSeq || s-minSeq >= maxSeqGap {
		return 0, nil, 0, false
	}
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(data[4:]) {
		return 0, nil, 0, false
	}
	return binary.LittleEndian.Uint64(payload), payload[8:], frameHeader + n, true
}

// scanResult describes what scanFrames found in one segment's bytes.
type scanResult struct {
	// validEnd is the offset just past the last valid frame: the length a
	// torn segment is cut to.
	validEnd int
	// skipped counts bytes inside the segment (before validEnd) that were
	// not part of any valid frame: damage, not a torn tail.
	skipped int
	// tail counts bytes after validEnd: a torn tail when it is the last
	// segment and the process or machine stopped in the middle of a write.
	tail     int
	records  int
	firstSeq uint64
	lastSeq  uint64
}

// scanFrames reads every valid frame of a segment's contents (header
// included) in order, calling fn for each. firstSeq is the lowest sequence
// number the segment may hold (from its name). A frame that fails its checks is
// not given up on at once: the scanner looks for the next offset where a
// valid frame with a higher sequence number starts, so damage in the middle
// of a segment costs only the damaged records. What cannot be resynced is
// the tail. Sequence numbers must grow; a frame that goes backwards is
// treated as damage (a checksum collision or stale data).
func scanFrames(data []byte, firstSeq uint64, fn func(seq uint64, event []byte)) (scanResult, error) {
	var r scanResult
	if len(data) < segHeaderSize || string(data[:segHeaderSize]) != segMagic {
		// A segment cut before its header was complete holds nothing.
		if len(data) < segHeaderSize && segMagic[:len(data)] == string(data) {
			r.tail = len(data)
			return r, nil
		}
		return r, fmt.Errorf("%w: bad segment header", errCorrupt)
	}
	pos := segHeaderSize
	r.validEnd = pos
	for pos < len(data) {
		min := firstSeq
		if r.records > 0 {
			min = r.lastSeq + 1
		}
		seq, ev, size, ok := frameAt(data[pos:], min)
		if ok {
			if pos > r.validEnd {
				r.skipped += pos - r.validEnd
			}
			if r.records == 0 {
				r.firstSeq = seq
			}
			r.records++
			r.lastSeq = seq
			if fn != nil {
				fn(seq, ev)
			}
			pos += size
			r.validEnd = pos
			continue
		}
		pos++
	}
	r.tail = len(data) - r.validEnd
	return r, nil
}

// frameReader reads frames of one segment file sequentially up to a limit.
// It is the shipper's reader: everything below the limit was written by
// this process (or checked and repaired by Open), so a bad frame here is
// new damage and is reported, not skipped.
type frameReader struct {
	f     *os.File
	off   int64 // file offset of buf[0]
	buf   []byte
	start int // first unread byte in buf
}

func openFrameReader(path string, off int64) (*frameReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if off < int64(segHeaderSize) {
		off = int64(segHeaderSize)
	}
	return &frameReader{f: f, off: off}, nil
}

func (r *frameReader) Close() error { return r.f.Close() }

// pos is the file offset of the next unread frame.
func (r *frameReader) pos() int64 { return r.off + int64(r.start) }

// next returns the next frame that ends at or before limit, or io.EOF when
// there is none yet. The event slice is valid until the next call.
func (r *frameReader) next(limit int64) (seq uint64, event []byte, end int64, err error) {
	for {
		avail := r.buf[r.start:]
		if len(avail) >= frameHeader {
			n := int(binary.LittleEndian.Uint32(avail))
			if n < minPayload || n > maxPayload {
				return 0, nil, 0, fmt.Errorf("%w at offset %d: length %d", errCorrupt, r.pos(), n)
			}
			if len(avail) >= frameHeader+n {
				seq, ev, size, ok := frameAt(avail, 0)
				if !ok {
					return 0, nil, 0, fmt.Errorf("%w at offset %d: checksum", errCorrupt, r.pos())
				}
				r.start += size
				return seq, ev, r.pos(), nil
			}
		}
		// Need more bytes: compact and read what lies below the limit.
		if r.pos() >= limit {
			return 0, nil, 0, io.EOF
		}
		if r.start > 0 {
			n := copy(r.buf, r.buf[r.start:])
			r.off += int64(r.start)
			r.buf = r.buf[:n]
			r.start = 0
		}
		want := limit - r.off - int64(len(r.buf))
		if want <= 0 {
			// The limit cuts a frame: the writer publishes only frame
			// boundaries, so the frame below it is damaged.
			return 0, nil, 0, fmt.Errorf("%w at offset %d: frame crosses the written end", errCorrupt, r.pos())
		}
		if want > 1<<20 {
			want = 1 << 20
		}
		if cap(r.buf)-len(r.buf) < int(want) {
			nb := make([]byte, len(r.buf), len(r.buf)+int(want)+64<<10)
			copy(nb, r.buf)
			r.buf = nb
		}
		m, err := r.f.ReadAt(r.buf[len(r.buf):len(r.buf)+int(want)], r.off+int64(len(r.buf)))
		r.buf = r.buf[:len(r.buf)+m]
		if m == 0 && err != nil {
			if err == io.EOF {
				return 0, nil, 0, fmt.Errorf("%w at offset %d: file shorter than written end", errCorrupt, r.pos())
			}
			return 0, nil, 0, err
		}
	}
}

// segmentPath joins dir and a segment's name.
func segmentPath(dir string, first uint64) string { return filepath.Join(dir, segmentName(first)) }
