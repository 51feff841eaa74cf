package cli

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// useRegionZone makes the region's time zone (Region.TimeZone; empty is
// China time) the one days are counted in, and names it for the console.
// Every way in (region.yaml, /admin/region) checks the name, so an
// unknown one here is a database edited by hand: serve stops and says so
// rather than count days in a zone nobody chose.
func useRegionZone(name string, log *slog.Logger) (string, error) {
	loc, err := domain.UseTimeZone(name)
	if err != nil {
		return "", fmt.Errorf("region time zone %q is not an IANA zone name (such as Asia/Shanghai): "+
			"import a region.yaml with a valid time_zone (yimayou import), or empty it for China time", name)
	}
	if name == "" {
		name = "Asia/Shanghai"
	}
	_, off := time.Now().In(loc).Zone()
	label := fmt.Sprintf("%s (UTC%+d", name, off/3600)
	if m := off % 3600 / 60; m != 0 {
		label += fmt.Sprintf(":%02d", max(m, -m))
	}
	label += ")"
	log.Info("time zone", "zone", label)
	return label, nil
}
