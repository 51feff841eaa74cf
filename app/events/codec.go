package events

import (
	"encoding/binary"
	"errors"
	"math"
	"sort"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// codecVersion leads every encoded event, so a later binary can still read
// a log written by an older one after an upgrade with a non-empty log.
// Version 2 added the filter reason after the bot flag.
const (
	codecVersion   = 2
	codecVersionV1 = 1
)

var errBadEvent = errors.New("events: malformed event record")

// appendEvent encodes e in a compact binary form: the hot path pays for it
// in every request, and JSON would cost several times more CPU and bytes.
// Strings are length-prefixed, integers are varints; Extra is written in
// key order so the same event always encodes to the same bytes.
func appendEvent(b []byte, e *domain.Event) []byte {
	b = append(b, codecVersion)
	b = appendString(b, e.ID)
	b = binary.AppendVarint(b, e.Time.UnixNano())
	b = appendString(b, e.Day)
	b = binary.AppendUvarint(b, uint64(e.Hour))
	b = appendString(b, string(e.Type))
	b = appendString(b, e.County)
	b = appendString(b, e.Site)
	b = appendString(b, e.Sign)
	b = appendString(b, string(e.Lang))
	b = appendString(b, e.Device)
	b = appendString(b, e.Referrer)
	if e.Bot {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = appendString(b, e.Filter)
	b = appendString(b, e.VisitorKey)
	b = binary.AppendUvarint(b, uint64(len(e.Extra)))
	switch len(e.Extra) {
	case 0:
	case 1:
		for k, v := range e.Extra {
			b = appendString(b, k)
			b = appendString(b, v)
		}
	default:
		keys := make([]string, 0, len(e.Extra))
		for k := range e.Extra {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b = appendString(b, k)
			b = appendString(b, e.Extra[k])
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeEvent is the inverse of appendEvent. It never panics on any input:
// the fuzz target feeds it arbitrary bytes that passed a checksum.
func decodeEvent(b []byte) (domain.Event, error) {
	d := decoder{b: b}
	var e domain.Event
	v := d.byte()
	if v != codecVersion && v != codecVersionV1 {
		return e, errBadEvent
	}
	e.ID = d.string()
	ns := d.varint()
	e.Day = d.string()
	hour := d.uvarint()
	e.Type = domain.EventType(d.string())
	e.County = d.string()
	e.Site = d.string()
	e.Sign = d.string()
	e.Lang = domain.Lang(d.string())
	e.Device = d.string()
	e.Referrer = d.string()
	switch d.byte() {
	case 0:
	case 1:
		e.Bot = true
	default:
		d.fail()
	}
	if v >= 2 {
		e.Filter = d.string()
	}
	e.VisitorKey = d.string()
	n := d.uvarint()
	if n > uint64(len(d.b)) { // each pair takes at least two bytes
		d.fail()
	}
	if n > 0 && d.err == nil {
		e.Extra = make(map[string]string, n)
		for i := uint64(0); i < n && d.err == nil; i++ {
			k := d.string()
			e.Extra[k] = d.string()
		}
	}
	if d.err != nil || len(d.b) != 0 || hour > 23 {
		return domain.Event{}, errBadEvent
	}
	e.Hour = int(hour)
	e.Time = time.Unix(0, ns).UTC()
	return e, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() {
	d.err = errBadEvent
	d.b = nil
}

func (d *decoder) byte() byte {
	if len(d.b) < 1 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) || n > math.MaxInt32 {
		d.fail()
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
