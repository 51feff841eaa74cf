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

// packField is a packed day's units' field, hoursField its hours'.
const (
	packField  = "p"
	hoursField = "hp"
)

// Every day's hours (hour → metric → count) are packed the same way, one
// string per day: a busy day of a county holds some 130 counters, which
// the embedded server would decode, and rewrite on every raise, one by
// one.
//
//	00000000000000001234|09=scan:7,view:2;10=view:1;

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

// packed returns r as stored: its days' hours, and the units of a
// packing kind's days, as one string each (shallow copies; r is not
// changed).
func packed(r Rollup) Rollup {
	packs := PacksUnits(r.Kind)
	days := make(map[string]*RollupDay, len(r.Days))
	for dd, d := range r.Days {
		if d != nil && (len(d.Hours) > 0 || (packs && len(d.Units) > 0)) {
			c := *d
			if len(d.Hours) > 0 {
				c.HoursPacked, c.Hours = packUnits(r.Seq, d.Hours), nil
			}
			if packs && len(d.Units) > 0 {
				c.Packed, c.Units = packUnits(r.Seq, d.Units), nil
			}
			d = &c
		}
		days[dd] = d
	}
	r.Days = days
	return r
}

// unpack turns r's packed days back into hours and units, as read.
func unpack(r *Rollup) error {
	for dd, d := range r.Days {
		if d == nil {
			continue
		}
		if d.Packed != "" {
			units, err := unpackUnits(d.Packed)
			if err != nil {
				return fmt.Errorf("%s day %s: %w", r.ID, dd, err)
			}
			d.Units, d.Packed = units, ""
		}
		if d.HoursPacked != "" {
			hours, err := unpackUnits(d.HoursPacked)
			if err != nil {
				return fmt.Errorf("%s day %s hours: %w", r.ID, dd, err)
			}
			d.Hours, d.HoursPacked = hours, ""
		}
	}
	return nil
}
