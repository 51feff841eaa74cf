package web

import (
	"math"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// openState says whether a site is open at a moment, from its hours text.
type openState struct {
	Known  bool
	Open   bool
	Until  string // closing time when open
	Opens  string // opening time when closed
	Always bool   // open all day
}

var hoursRangeRe = regexp.MustCompile(`\b([01]?\d|2[0-3])[:：]([0-5]\d)\s*[-–—~至到]\s*([01]?\d|2[0-4])[:：]([0-5]\d)\b`)

// openNow reads opening hours written by an editor ("08:30-17:00", "open",
// "全天") and decides for now in China time. Anything it cannot read for
// sure (two ranges for two seasons, "from 14:30") is unknown, not guessed.
func openNow(hours domain.Text, now time.Time) openState {
	text := strings.ToLower(strings.TrimSpace(hours[domain.En] + " " + hours[domain.Zh]))
	if text == "" {
		return openState{}
	}
	for _, w := range []string{"all day", "24 hours", "全天", "全日"} {
		if strings.Contains(text, w) {
			return openState{Known: true, Open: true, Always: true}
		}
	}
	if text == "open" || text == "开放" || text == "open 开放" {
		return openState{Known: true, Open: true, Always: true}
	}
	src := hours[domain.En]
	if src == "" {
		src = hours[domain.Zh]
	}
	ranges := hoursRangeRe.FindAllStringSubmatch(src, -1)
	if len(ranges) != 1 || strings.Contains(strings.ToLower(src), "from") || strings.Contains(src, "起") {
		return openState{}
	}
	r := ranges[0]
	open := atoi(r[1])*60 + atoi(r[2])
	closeAt := atoi(r[3])*60 + atoi(r[4])
	if closeAt <= open {
		return openState{}
	}
	local := now.In(domain.ChinaTime)
	m := local.Hour()*60 + local.Minute()
	st := openState{Known: true, Open: m >= open && m < closeAt}
	if st.Open {
		st.Until = hhmm(closeAt)
	} else {
		st.Opens = hhmm(open)
	}
	return st
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func hhmm(m int) string {
	return string([]byte{byte('0' + m/600), byte('0' + m/60%10), ':', byte('0' + m%60/10), byte('0' + m%10)})
}

// distanceKm is the great-circle distance between two points.
func distanceKm(a, b domain.LatLon) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// nearbySite is another site with its distance, when both have coordinates.
type nearbySite struct {
	*domain.Site
	Km float64 // -1 when unknown
}

// nearby returns the other published sites: those with coordinates by
// distance (straight line; roads on the plateau are longer), then the rest
// of the same county.
func nearby(site *domain.Site, all []*domain.Site, max int) []nearbySite {
	var withDist, sameCounty []nearbySite
	for _, o := range all {
		if o.Key == site.Key {
			continue
		}
		if site.Location != nil && o.Location != nil {
			withDist = append(withDist, nearbySite{o, distanceKm(*site.Location, *o.Location)})
		} else if o.County == site.County {
			sameCounty = append(sameCounty, nearbySite{o, -1})
		}
	}
	sort.Slice(withDist, func(i, j int) bool { return withDist[i].Km < withDist[j].Km })
	out := append(withDist, sameCounty...)
	if len(out) > max {
		out = out[:max]
	}
	return out
}
