package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
)

func TestGenEvents(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, dir, "", "gen-events", "--sites", "3", "--days", "3", "--per-day", "50", "--from", "2026-11-01")
	if code != 0 || !strings.Contains(out, "450 events over 3 sites, 2026-11-01..2026-11-03, stored and rolled up") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = run(t, dir, "", "gen-events", "--sites", "2", "--days", "2", "--per-day", "10", "--from", "2026-12-01", "--direct", "--seed", "9")
	if code != 0 || !strings.Contains(out, "40 events over 2 sites") || !strings.Contains(out, "rollup documents") {
		t.Fatalf("direct: exit %d\n%s\n%s", code, out, errs)
	}
	if code, _, _ := run(t, dir, "", "gen-events", "--days", "0"); code != 2 {
		t.Errorf("--days 0: exit %d", code)
	}
}

func TestGenEventsSyntheticSitesAndRemove(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	env, _, _ := testEnv(dir, "", nil)
	// One real county with a published site and a sign.
	err := withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		if err := db.PutCounty(ctx, domain.County{Code: "513322", Name: domain.Text{domain.Zh: "泸定县"}}); err != nil {
			return err
		}
		if err := db.PutSite(ctx, domain.Site{Key: "hailuogou", County: "513322", Published: true,
			Name: domain.Text{domain.Zh: "海螺沟"}}); err != nil {
			return err
		}
		return db.PutSign(ctx, domain.Sign{Code: "HGK2EN", Site: "hailuogou", County: "513322", Enabled: true})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{{"--counties", "0"}, {"--counties", "100"}, {"--signs-per-site", "-1"},
		{"--remove", "--sites", "3"}} {
		code, _, errs := run(t, dir, "", append([]string{"gen-events"}, bad...)...)
		if code != 2 || !strings.Contains(errs, bad[0]) {
			t.Errorf("%v: exit %d, %q", bad, code, errs)
		}
	}

	code, out, errs := run(t, dir, "", "gen-events", "--sites", "5", "--counties", "2", "--signs-per-site", "3",
		"--days", "2", "--per-day", "20", "--from", "2026-10-30")
	if code != 0 || !strings.Contains(out, "created 4 synthetic sites") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	type census struct {
		counties, sites, signs, rollups, events int
		realRollups, realEvents                 int
		gens                                    map[string]int64
	}
	count := func() census {
		t.Helper()
		var c census
		err := withDatabase(ctx, env, func(ctx context.Context, db *database) error {
			counties, err := db.Counties(ctx)
			if err != nil {
				return err
			}
			for _, k := range counties {
				if !stats.IsSyntheticCounty(k.Code) {
					continue
				}
				c.counties++
				sites, err := db.Sites(ctx, k.Code)
				if err != nil {
					return err
				}
				for _, s := range sites {
					if !s.Published || !strings.HasPrefix(s.Name[domain.Zh], "合成测试点 ") || s.Location == nil ||
						s.Location.Lat < 28 || s.Location.Lat > 34 || s.Location.Lon < 97.5 || s.Location.Lon > 102.5 {
						t.Errorf("synthetic site %+v", s)
					}
				}
				c.sites += len(sites)
				signs, err := db.Signs(ctx, store.SignFilter{County: k.Code})
				if err != nil {
					return err
				}
				c.signs += len(signs)
			}
			for _, m := range []string{"2026-10", "2026-11"} {
				err := db.RollupsInMonth(ctx, m, func(r store.Rollup) error {
					if stats.IsSyntheticCounty(r.County) {
						c.rollups++
					} else if r.Key == "hailuogou" || r.Key == "HGK2EN" {
						c.realRollups++
					}
					return nil
				})
				if err != nil {
					return err
				}
			}
			err = db.Events(ctx, store.EventFilter{From: "2026-10-01", To: "2026-11-30"}, func(e domain.Event) error {
				if stats.IsSyntheticCounty(e.County) {
					c.events++
				} else {
					c.realEvents++
				}
				return nil
			})
			if err != nil {
				return err
			}
			c.gens, err = db.StatsGenerations(ctx)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	before := count()
	if before.counties != 2 || before.sites != 4 || before.signs != 12 || before.rollups == 0 || before.events != 4*2*20 ||
		before.realRollups == 0 || before.realEvents != 2*20 {
		t.Fatalf("after generating: %+v", before)
	}
	code, out, errs = run(t, dir, "", "gen-events", "--remove")
	if code != 0 || !strings.Contains(out, "removed 2 synthetic counties: 4 sites, 12 signs") {
		t.Fatalf("remove: exit %d\n%s\n%s", code, out, errs)
	}
	after := count()
	if after.counties != 0 || after.sites != 0 || after.signs != 0 || after.rollups != 0 || after.events != 0 {
		t.Errorf("after removing: %+v", after)
	}
	if after.realRollups != before.realRollups || after.realEvents != before.realEvents {
		t.Errorf("real data touched: %+v, was %+v", after, before)
	}
	if after.gens["2026-10"] <= before.gens["2026-10"] {
		t.Errorf("generation of 2026-10 not raised: %v → %v", before.gens, after.gens)
	}
	err = withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		_, err := db.Sign(ctx, "HGK2EN")
		return err
	})
	if err != nil {
		t.Errorf("real sign: %v", err)
	}
}
