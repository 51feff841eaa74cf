package web

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

func chinaAt(h, m int) time.Time { return time.Date(2026, 11, 29, h, m, 0, 0, domain.ChinaTime) }

func TestOpenNow(t *testing.T) {
	cases := []struct {
		hours domain.Text
		at    time.Time
		want  openState
	}{
		{domain.Text{domain.En: "08:30-17:00"}, chinaAt(9, 0), openState{Known: true, Open: true, Until: "17:00"}},
		{domain.Text{domain.En: "08:30-17:00"}, chinaAt(17, 0), openState{Known: true, Opens: "08:30"}},
		{domain.Text{domain.En: "08:30-17:00"}, chinaAt(7, 59), openState{Known: true, Opens: "08:30"}},
		{domain.Text{domain.Zh: "08:00至18:00"}, chinaAt(12, 0), openState{Known: true, Open: true, Until: "18:00"}},
		{domain.Text{domain.En: "open"}, chinaAt(3, 0), openState{Known: true, Open: true, Always: true}},
		{domain.Text{domain.En: "all day"}, chinaAt(3, 0), openState{Known: true, Open: true, Always: true}},
		{domain.Text{domain.En: "06:30-17:30 (peak) / 09:00-16:00 (off-season)"}, chinaAt(12, 0), openState{}},
		{domain.Text{domain.En: "08:30-12:00 and from 14:30"}, chinaAt(15, 0), openState{}},
		{domain.Text{domain.En: "by appointment"}, chinaAt(12, 0), openState{}},
		{nil, chinaAt(12, 0), openState{}},
		// UTC 01:00 is 09:00 in China.
		{domain.Text{domain.En: "08:30-17:00"}, time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC), openState{Known: true, Open: true, Until: "17:00"}},
	}
	for _, tc := range cases {
		if got := openNow(tc.hours, tc.at); got != tc.want {
			t.Errorf("%v at %s: %+v, want %+v", tc.hours, tc.at.Format("15:04 MST"), got, tc.want)
		}
	}
}

func TestNearbyByDistance(t *testing.T) {
	kangding := &domain.Site{Key: "paoma-shan", County: "513301", Location: &domain.LatLon{Lat: 30.05, Lon: 101.96}}
	mugecuo := &domain.Site{Key: "mugecuo", County: "513301", Location: &domain.LatLon{Lat: 30.15, Lon: 101.85}}
	tagong := &domain.Site{Key: "tagong", County: "513301", Location: &domain.LatLon{Lat: 30.322, Lon: 101.52}}
	xinduqiao := &domain.Site{Key: "xinduqiao", County: "513301"}
	yading := &domain.Site{Key: "yading", County: "513337", Location: &domain.LatLon{Lat: 28.37, Lon: 100.22}}
	far := &domain.Site{Key: "elsewhere", County: "513330"}
	got := nearby(kangding, []*domain.Site{yading, tagong, kangding, far, xinduqiao, mugecuo}, 10)
	var keys []string
	for _, n := range got {
		keys = append(keys, n.Key)
	}
	want := []string{"mugecuo", "tagong", "yading", "xinduqiao"}
	if len(keys) != len(want) {
		t.Fatalf("nearby = %v, want %v", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("nearby = %v, want %v", keys, want)
		}
	}
	// Kangding to Yading is about 250 km in a straight line.
	if d := distanceKm(*kangding.Location, *yading.Location); math.Abs(d-250) > 20 {
		t.Errorf("distance %f km", d)
	}
	if got[3].Km != -1 {
		t.Error("a site without coordinates has a distance")
	}
}

// A site that sells reserved tickets links to its reservation page from
// the (cached) site page; one without ticketing does not.
func TestSitePageLinksToReservation(t *testing.T) {
	f := ticketApp(t, 0)
	b := newBrowser(t, f.app)
	r := b.do("GET", "/s/513322/hailuogou?lang=en", nil)
	if r.status != 200 || !strings.Contains(r.body, `href="/s/513322/hailuogou/reserve"`) || !strings.Contains(r.body, "Reserve tickets") {
		t.Errorf("hailuogou page lacks the reserve link (%d)", r.status)
	}
	// The same site on a server without ticketing has no link.
	plain := newFixture(t)
	if r := plain.get(t, "/s/513322/hailuogou?lang=en"); r.status != 200 || strings.Contains(r.body, "/reserve") {
		t.Errorf("a site without ticketing links to a reservation page (%d)", r.status)
	}
}
