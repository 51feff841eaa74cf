// Package stats is the read side of the statistics: it sums the rollup
// documents the event shipper writes and merges their unique-visitor
// sketches, without touching raw events.
package stats

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/axiomhq/hyperloglog"
)

// sketchPrecision 12 gives 4,096 registers: about 1.6 % standard error on
// large days, exact-looking counts on small ones (the sparse form keeps
// 25-bit hashes), and at most ~4 KiB per site-day, which keeps a month's
// rollup document small enough for the embedded server to rewrite often.
const sketchPrecision = 12

// Sketch is a HyperLogLog sketch of visitor keys. Sketches merge, so the
// unique visitors of any range of days and any set of sites come from
// merging day sketches.
type Sketch struct{ hll *hyperloglog.Sketch }

// NewSketch returns an empty sketch.
func NewSketch() *Sketch {
	h, err := hyperloglog.NewSketch(sketchPrecision, true)
	if err != nil {
		panic(err) // the precision is a constant within the library's range
	}
	return &Sketch{hll: h}
}

// newDenseSketch returns an empty sketch in the dense form: merging many
// sketches into it costs a register update per entry, where the sparse
// form sorts and rebuilds its list on every merge (a year of a
// prefecture's daily series spent most of its time there).
func newDenseSketch() *Sketch {
	h, err := hyperloglog.NewSketch(sketchPrecision, false)
	if err != nil {
		panic(err) // the precision is a constant within the library's range
	}
	return &Sketch{hll: h}
}

// Add counts a visitor key.
func (s *Sketch) Add(key string) { s.hll.Insert([]byte(key)) }

// Merge adds every key counted by o.
func (s *Sketch) Merge(o *Sketch) {
	if o != nil {
		_ = s.hll.Merge(o.hll) // same precision by construction
	}
}

// Estimate is the number of distinct keys counted.
func (s *Sketch) Estimate() uint64 { return s.hll.Estimate() }

// Marshal returns the canonical bytes of the sketch: the same set of keys
// gives the same bytes whatever the order and batching of inserts and
// merges, which the library alone does not promise (its temporary set is
// written in map order, and it switches to the dense form only when it
// happens to check). `stats rebuild` relies on that to reproduce the
// rollups the shipper wrote, byte for byte.
func (s *Sketch) Marshal() []byte {
	s.hll.Estimate() // folds the temporary set into the sorted sparse list
	b, err := s.hll.MarshalBinary()
	if err != nil {
		panic(err) // MarshalBinary of a valid sketch does not fail
	}
	// Sparse layout: version, p, b, sparse flag, temporary set size (0
	// after Estimate), then the list's entry count.
	if len(b) >= 12 && b[3] == 1 && binary.BigEndian.Uint32(b[8:12]) > 1<<sketchPrecision {
		dense, _ := hyperloglog.NewSketch(sketchPrecision, false)
		_ = dense.Merge(s.hll)
		s.hll = dense
		b, _ = dense.MarshalBinary()
	}
	return b
}

// ParseSketch reads bytes made by Marshal.
func ParseSketch(b []byte) (*Sketch, error) {
	h, _ := hyperloglog.NewSketch(sketchPrecision, true)
	// The library keeps the dense registers aliased to its input.
	if err := h.UnmarshalBinary(append([]byte(nil), b...)); err != nil {
		return nil, fmt.Errorf("stats: sketch: %w", err)
	}
	if len(b) < 2 || b[1] != sketchPrecision {
		return nil, errors.New("stats: sketch: unexpected precision")
	}
	return &Sketch{hll: h}, nil
}

// A stored day sketch carries the log sequence number of the newest event
// in it, as 16 hex digits in front, so that MongoDB's $max on the string
// keeps the newest sketch of a node even if an older write arrives late.
const versionLen = 16

// EncodeVersioned returns the stored form of a day sketch.
func EncodeVersioned(seq uint64, s *Sketch) string {
	return fmt.Sprintf("%016x:", seq) + base64.RawStdEncoding.EncodeToString(s.Marshal())
}

// DecodeVersioned reads the stored form of a day sketch.
func DecodeVersioned(v string) (uint64, *Sketch, error) {
	if len(v) < versionLen+1 || v[versionLen] != ':' {
		return 0, nil, errors.New("stats: stored sketch without version")
	}
	seq, err := strconv.ParseUint(v[:versionLen], 16, 64)
	if err != nil {
		return 0, nil, fmt.Errorf("stats: stored sketch version: %w", err)
	}
	b, err := base64.RawStdEncoding.DecodeString(v[versionLen+1:])
	if err != nil {
		return 0, nil, fmt.Errorf("stats: stored sketch: %w", err)
	}
	s, err := ParseSketch(b)
	return seq, s, err
}
