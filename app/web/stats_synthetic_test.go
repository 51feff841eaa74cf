package web

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/auth"
	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
	"github.com/yimayou/yimayou/app/qr"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
	"github.com/yimayou/yimayou/app/tickets"
	"github.com/yimayou/yimayou/public"
)

// gen-events' synthetic sites are real published sites: the console's
// statistics show them, and removing them takes them out of the
// catalogue, the rollups and the overview, leaving the real sites.
func TestStatsShowSyntheticSitesUntilRemoved(t *testing.T) {
	s := storetest.New(t)
	seed(t, s)
	ctx := context.Background()
	createUsers(t, s, testUser{"admin", domain.RoleAdmin, nil})
	units, signs, err := stats.AddSynthetic(ctx, s, stats.SyntheticOptions{Sites: 3, Counties: 2, SignsPerSite: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	real := []stats.Unit{{County: "513322", Key: "hailuogou", Site: "hailuogou"}}
	// October is a closed month: its figures come from digests, which the
	// removal must not leave behind.
	rs, err := stats.GenerateRollups(stats.GenOptions{Sites: append(real, units...), Signs: signs,
		From: "2026-10-20", Days: 30, PerDay: 40, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := stats.WriteRollups(ctx, s, rs, nil); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat, err := catalog.New(ctx, s, log)
	if err != nil {
		t.Fatal(err)
	}
	rec := &memRecorder{}
	// A clock late enough for October to be final (digested).
	now := func() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, domain.ChinaTime) }
	app, err := New(Deps{Catalog: cat, I18n: i18n.MustLoad(), QR: qr.NewRenderer(1 << 20), DB: s, Log: log,
		PublicURL: "http://localhost", Public: public.FS, Recorder: rec,
		Tickets:  TicketDeps{Service: tickets.New(s, rec, tickets.Options{Log: log})},
		Accounts: s, CheckPassword: auth.CheckPassword, KV: s.KV("web"),
		Console: ConsoleDeps{Store: s, HashPassword: auth.HashPassword, Now: now},
		Stats:   StatsDeps{Store: s, Now: now}})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	if r := b.login("admin", testPassword); r.status != 303 {
		t.Fatalf("login: %d", r.status)
	}
	views := []string{"/admin/stats?range=custom&from=2026-10-20&to=2026-10-31&lang=en",
		"/admin/stats?range=custom&from=2026-10-20&to=2026-10-31&lang=zh",
		"/admin/stats?range=custom&from=2026-10-20&to=2026-10-31&county=990101&lang=en"}
	for _, v := range views {
		r := b.do("GET", v, nil)
		if r.status != 200 {
			t.Fatalf("%s: %d", v, r.status)
		}
		want := []string{"Synthetic site 001", "Synthetic site 003"}
		if strings.Contains(v, "lang=zh") {
			want = []string{"合成测试点 002", "合成测试县 02"}
		}
		if strings.Contains(v, "county=") {
			want = []string{"Synthetic county 01", "Synthetic site 003"}
		}
		for _, w := range want {
			if !strings.Contains(r.body, w) {
				t.Errorf("%s lacks %q", v, w)
			}
		}
	}

	if _, err := stats.RemoveSynthetic(ctx, s, nil); err != nil {
		t.Fatal(err)
	}
	if err := cat.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := cat.Snapshot().County("990101"); ok {
		t.Error("the catalogue still has the synthetic county")
	}
	for _, v := range views[:2] {
		r := b.do("GET", v, nil)
		if r.status != 200 {
			t.Fatalf("%s: %d", v, r.status)
		}
		for _, gone := range []string{"Synthetic", "合成测试", "990101"} {
			if strings.Contains(r.body, gone) {
				t.Errorf("%s still shows %q", v, gone)
			}
		}
		if !strings.Contains(r.body, "Hailuogou Glacier") && !strings.Contains(r.body, "海螺沟") {
			t.Errorf("%s lost the real site", v)
		}
	}
	if r := b.do("GET", views[2], nil); strings.Contains(r.body, "Synthetic") {
		t.Errorf("the synthetic county's view after removal: %d %.500s", r.status, r.body)
	}
	left := 0
	err = s.RollupsInMonth(ctx, "2026-10", func(r store.Rollup) error {
		if stats.IsSyntheticCounty(r.County) {
			left++
		}
		return nil
	})
	if err != nil || left != 0 {
		t.Errorf("%d synthetic rollups left (%v)", left, err)
	}
}
