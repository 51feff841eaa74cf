package domain

import (
	"errors"
	"testing"
	"time"
)

func TestLoadTimeZone(t *testing.T) {
	if loc, err := LoadTimeZone(""); err != nil || loc != ChinaTime {
		t.Errorf(`"" = %v, %v; want China time`, loc, err)
	}
	if loc, err := LoadTimeZone("Asia/Urumqi"); err != nil || loc.String() != "Asia/Urumqi" {
		t.Errorf("Asia/Urumqi = %v, %v", loc, err)
	}
	for _, bad := range []string{"Mars/Olympus", "Local", "/etc/localtime", "../../etc/passwd", "Asia/Shang hai", "asia/shanghai"} {
		_, err := LoadTimeZone(bad)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "time_zone" || ve.Key != "region.err.zone" {
			t.Errorf("%q: err %v, want a time_zone validation error", bad, err)
		}
	}
}

// China's names keep the fixed UTC+8 zone; another zone replaces it and
// moves the day of an event.
func TestUseTimeZone(t *testing.T) {
	china := ChinaTime
	t.Cleanup(func() { ChinaTime = china })
	for _, name := range []string{"", "Asia/Shanghai", "PRC"} {
		if loc, err := UseTimeZone(name); err != nil || loc != china || ChinaTime != china {
			t.Errorf("%q: %v, %v; want the fixed China zone kept", name, loc, err)
		}
	}
	if _, err := UseTimeZone("Mars/Olympus"); err == nil || ChinaTime != china {
		t.Error("an unknown zone was taken")
	}
	if _, err := UseTimeZone("Asia/Urumqi"); err != nil || ChinaTime.String() != "Asia/Urumqi" {
		t.Fatalf("Asia/Urumqi: %v, zone %v", err, ChinaTime)
	}
	// 17:30 UTC is 01:30 the next day in Beijing but 23:30 the same day
	// in Ürümqi (UTC+6).
	var e Event
	e.SetTime(time.Date(2026, 11, 30, 17, 30, 0, 0, time.UTC))
	if e.Day != "2026-11-30" || TicketDay(e.Time) != "2026-11-30" {
		t.Errorf("day in Ürümqi = %s / %s, want 2026-11-30", e.Day, TicketDay(e.Time))
	}
}
