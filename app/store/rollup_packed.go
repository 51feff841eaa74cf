package store

import (
	"fmt"
	"strconv"
	"strings"
)

// Packed units. A rank document's day holds a few counts for every site
// and sign of its county: stored as fields, a month rank document of 70
// units costs the embedded server 140 fields to decode, and a prefecture's
// ranks of one month twenty times that. The month and rank-day documents
// (PacksUnits) keep their units as one string instead, in front of which
// the document's seq stands zero-padded, so that raising it with $max
// keeps the newest, as every counter is raised: the node is the only
// writer of its documents and its counts grow with its seq. The store
// packs on write and unpacks on read; everything above it sees Units.
//
//	00000000000000001234|g:HGK2EN=scan:5;s:hailuogou=scan:12,view:3;

// PacksUnits says whether documents of kind store their units packed.
func PacksUnits(kind string) bool { return kind == RollupRankMonth || kind == RollupRankDay }

// packField is a packed day's field.
const packField = "p"

func packUnits(seq int64, units map[string]map[string]int64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%020d|", max(seq, 0))
	for _, u := range sortedKeys(units) {
		if !packable(u, "|=;,") {
			continue
		}
		b.WriteString(u)
		b.WriteByte('=')
		sep := false
		for _, m := range sortedKeys(units[u]) {
			if !packable(m, "|=;,:") {
				continue
			}
			if sep {
				b.WriteByte(',')
			}
			sep = true
			b.WriteString(m)
			b.WriteByte(':')
			b.WriteString(strconv.FormatInt(units[u][m], 10))
		}
		b.WriteByte(';')
	}
	return b.String()
}

// packable keeps a unit ("s:key") or metric from spelling a separator
// of the packed form, or a field path as safeField does.
func packable(k, separators string) bool { return safeField(k) && !strings.ContainsAny(k, separators) }

func unpackUnits(p string) (map[string]map[string]int64, error) {
	_, rest, ok := strings.Cut(p, "|")
	if !ok {
		return nil, fmt.Errorf("store: packed units %.40q: no version", p)
	}
	units := map[string]map[string]int64{}
	for rest != "" {
		var entry string
		entry, rest, ok = strings.Cut(rest, ";")
		if !ok {
			return nil, fmt.Errorf("store: packed units: %.40q unterminated", entry)
		}
		unit, counts, ok := strings.Cut(entry, "=")
		if !ok || unit == "" {
			return nil, fmt.Errorf("store: packed units: %.40q", entry)
		}
		m := map[string]int64{}
		for counts != "" {
			var c string
			c, counts, _ = strings.Cut(counts, ",")
			metric, n, ok := strings.Cut(c, ":")
			v, err := strconv.ParseInt(n, 10, 64)
			if !ok || err != nil {
				return nil, fmt.Errorf("store: packed units: %.40q", entry)
			}
			m[metric] = v
		}
		units[unit] = m
	}
	return units, nil
}

// packed returns r as stored: the units of a packing kind's days as one
// string each (shallow copies; r is not changed).
func packed(r Rollup) Rollup {
	if !PacksUnits(r.Kind) {
		return r
	}
	days := make(map[string]*RollupDay, len(r.Days))
	for dd, d := range r.Days {
		if d != nil && d.Units != nil {
			c := *d
			c.Packed, c.Units = packUnits(r.Seq, d.Units), nil
			d = &c
		}
		days[dd] = d
	}
	r.Days = days
	return r
}

// unpack turns r's packed days back into units, as read.
func unpack(r *Rollup) error {
	for dd, d := range r.Days {
		if d == nil || d.Packed == "" {
			continue
		}
		units, err := unpackUnits(d.Packed)
		if err != nil {
			return fmt.Errorf("%s day %s: %w", r.ID, dd, err)
		}
		d.Units, d.Packed = units, ""
	}
	return nil
}
