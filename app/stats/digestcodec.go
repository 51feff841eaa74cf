package stats

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"sort"
)

// The stored form of a digest: a month's days in a compact binary layout
// (varints, length-prefixed strings), base64 in one string field. It
// replaced JSON, whose decoding was most of the Go side of a restart's
// overview (a year of a prefecture decodes a few hundred digests).
//
//	'Y' 1 made:varint ndays:uvarint { dd:str counts:map packed:ints
//	lang:map device:map referrer:map sketch:bytes units:pairs }
//
// Maps are written in key order, so equal months give equal strings.
const codecMagic, codecVersion = 'Y', 1

var errCodec = errors.New("stats: malformed digest")

type digestWriter struct{ b []byte }

func (w *digestWriter) uvarint(n uint64) { w.b = binary.AppendUvarint(w.b, n) }
func (w *digestWriter) varint(n int64)   { w.b = binary.AppendVarint(w.b, n) }
func (w *digestWriter) str(s string)     { w.uvarint(uint64(len(s))); w.b = append(w.b, s...) }
func (w *digestWriter) bytes(p []byte)   { w.uvarint(uint64(len(p))); w.b = append(w.b, p...) }

func (w *digestWriter) counts(m map[string]int64) {
	w.uvarint(uint64(len(m)))
	for _, k := range sortedMapKeys(m) {
		w.str(k)
		w.varint(m[k])
	}
}

func sortedMapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

type digestReader struct {
	b   []byte
	err error
}

func (r *digestReader) uvarint() uint64 {
	n, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.err, r.b = errCodec, nil
		return 0
	}
	r.b = r.b[k:]
	return n
}

func (r *digestReader) varint() int64 {
	n, k := binary.Varint(r.b)
	if k <= 0 {
		r.err, r.b = errCodec, nil
		return 0
	}
	r.b = r.b[k:]
	return n
}

func (r *digestReader) raw() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err, r.b = errCodec, nil
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *digestReader) str() string { return string(r.raw()) }

// count reads a length that must be small enough for the bytes left
// (each entry takes at least one byte), so a corrupt digest cannot ask
// for a huge allocation.
func (r *digestReader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err, r.b = errCodec, nil
		return 0
	}
	return int(n)
}

func (r *digestReader) counts() map[string]int64 {
	n := r.count()
	if n == 0 {
		return nil
	}
	m := make(map[string]int64, n)
	for i := 0; i < n && r.err == nil; i++ {
		k := r.str()
		m[k] = r.varint()
	}
	return m
}

// marshalMonth writes um (with its days' Packed and Sketch filled in).
func marshalMonth(um *unitMonth) string {
	w := &digestWriter{b: []byte{codecMagic, codecVersion}}
	w.varint(um.Made)
	w.uvarint(uint64(len(um.Days)))
	for _, dd := range sortedMapKeys(um.Days) {
		d := um.Days[dd]
		w.str(dd)
		w.counts(d.Counts)
		w.uvarint(uint64(len(d.Packed)))
		for _, n := range d.Packed {
			w.varint(n)
		}
		w.counts(d.Lang)
		w.counts(d.Device)
		w.counts(d.Referrer)
		w.bytes(d.Sketch)
		w.uvarint(uint64(len(d.Units)))
		for _, u := range sortedMapKeys(d.Units) {
			w.str(u)
			w.varint(d.Units[u][0])
			w.varint(d.Units[u][1])
		}
	}
	return base64.RawStdEncoding.EncodeToString(w.b)
}

// unmarshalMonth reads what marshalMonth wrote; the days keep Packed and
// Sketch for decodeMonth to expand.
func unmarshalMonth(data string) (*unitMonth, error) {
	b, err := base64.RawStdEncoding.DecodeString(data)
	if err != nil || len(b) < 2 || b[0] != codecMagic || b[1] != codecVersion {
		return nil, errCodec
	}
	r := &digestReader{b: b[2:]}
	um := &unitMonth{Made: r.varint()}
	n := r.count()
	um.Days = make(map[string]*monthDay, n)
	for i := 0; i < n && r.err == nil; i++ {
		dd := r.str()
		d := &monthDay{Counts: r.counts()}
		if np := r.count(); np > 0 {
			d.Packed = make([]int64, np)
			for j := range d.Packed {
				d.Packed[j] = r.varint()
			}
		}
		d.Lang, d.Device, d.Referrer = r.counts(), r.counts(), r.counts()
		if sk := r.raw(); len(sk) > 0 {
			d.Sketch = sk
		}
		if nu := r.count(); nu > 0 {
			d.Units = make(map[string][2]int64, nu)
			for j := 0; j < nu && r.err == nil; j++ {
				u := r.str()
				a := r.varint()
				d.Units[u] = [2]int64{a, r.varint()}
			}
		}
		um.Days[dd] = d
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errCodec
	}
	return um, nil
}
