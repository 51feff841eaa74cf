package web

import (
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// TestCompareLikeForLike: each preset is compared with the period a person
// would compare it with, and a range ending today compares only the same
// hours of the last day.
func TestCompareLikeForLike(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, domain.ChinaTime)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, c := range []struct {
		rng, now         string
		pfrom, pto       string
		cut              int
		from, to, custom string
	}{
		{rng: "7d", now: "2026-11-30 14:20", pfrom: "2026-11-17", pto: "2026-11-23", cut: 15},
		{rng: "today", now: "2026-11-30 00:10", pfrom: "2026-11-29", pto: "2026-11-29", cut: 1},
		{rng: "today", now: "2026-11-30 23:10", pfrom: "2026-11-29", pto: "2026-11-29", cut: 0},
		{rng: "yesterday", now: "2026-11-30 14:20", pfrom: "2026-11-28", pto: "2026-11-28", cut: 0},
		{rng: "year", now: "2026-11-30 14:20", pfrom: "2025-01-01", pto: "2025-11-30", cut: 15},
		{rng: "year", now: "2028-03-01 09:00", pfrom: "2027-01-01", pto: "2027-03-01", cut: 10},
		{rng: "month", now: "2026-03-30 09:00", pfrom: "2026-02-01", pto: "2026-02-28", cut: 10},
		{rng: "month", now: "2026-11-12 09:00", pfrom: "2026-10-01", pto: "2026-10-12", cut: 10},
		{rng: "lastmonth", now: "2026-03-05 09:00", pfrom: "2026-01-01", pto: "2026-01-31", cut: 0},
		{rng: "custom", now: "2026-11-30 14:20", from: "2026-11-01", to: "2026-11-10", pfrom: "2026-10-22", pto: "2026-10-31", cut: 0},
	} {
		f := statsForm{Range: c.rng, From: c.from, To: c.to}
		if err := f.dates(at(c.now)); err != nil {
			t.Fatalf("%s at %s: %v", c.rng, c.now, err)
		}
		if f.PrevFrom != c.pfrom || f.PrevTo != c.pto || f.PrevCutHour != c.cut {
			t.Errorf("%s at %s (%s..%s): compared with %s..%s cut %d, want %s..%s cut %d", c.rng, c.now, f.From, f.To,
				f.PrevFrom, f.PrevTo, f.PrevCutHour, c.pfrom, c.pto, c.cut)
		}
	}
}
