package domain

import (
	"strings"
	"time"
	// The zone database is part of the binary, so a region's IANA zone
	// name works on a machine without /usr/share/zoneinfo (a scratch
	// container) and validates the same everywhere.
	_ "time/tzdata"
)

// LoadTimeZone returns the zone a region's TimeZone names: China time for
// "", the IANA zone otherwise. "Local" and file paths are refused: the
// zone must not depend on the machine.
func LoadTimeZone(name string) (*time.Location, error) {
	if name == "" {
		return ChinaTime, nil
	}
	bad := &ValidationError{Field: "time_zone", Key: "region.err.zone"}
	if name == "Local" || strings.ContainsAny(name, " \\") || strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
		return nil, bad
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, bad
	}
	return loc, nil
}

// chinaZoneNames are IANA names of China time: a region naming one keeps
// the fixed UTC+8 zone, which has no daylight saving in the years before
// 1992 that Asia/Shanghai's history has (birth dates are parsed in it).
var chinaZoneNames = map[string]bool{"": true, "Asia/Shanghai": true, "Asia/Chongqing": true,
	"Asia/Chungking": true, "Asia/Harbin": true, "PRC": true}

// UseTimeZone makes the region's zone the one ChinaTime names, so days of
// events, rollups and tickets follow it. It is called once by serve at
// start-up, before any request or worker runs; a change needs a restart.
// It returns the zone now in use.
func UseTimeZone(name string) (*time.Location, error) {
	if chinaZoneNames[name] {
		return ChinaTime, nil
	}
	loc, err := LoadTimeZone(name)
	if err != nil {
		return nil, err
	}
	ChinaTime = loc
	return loc, nil
}
