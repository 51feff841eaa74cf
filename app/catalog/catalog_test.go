package catalog_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func TestSnapshotAndWatch(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.PutCounty(ctx, domain.County{Code: "513334", Name: domain.Text{domain.Zh: "理塘县"}}))
	must(s.PutSite(ctx, domain.Site{Key: "litang-monastery", County: "513334", Published: true, Name: domain.Text{domain.Zh: "长青春科尔寺"}}))
	must(s.PutSite(ctx, domain.Site{Key: "maoya-grassland", County: "513334", Published: false, Name: domain.Text{domain.Zh: "毛垭大草原"}}))
	must(s.PutSign(ctx, domain.Sign{Code: "TTTT22", Site: "litang-monastery", County: "513334", Enabled: true}))
	must(s.PutSign(ctx, domain.Sign{Code: "MMMM22", Site: "maoya-grassland", County: "513334", Enabled: true}))

	cat, err := catalog.New(ctx, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	must(err)
	snap := cat.Snapshot()
	if _, ok := snap.Site("litang-monastery"); !ok {
		t.Error("published site missing")
	}
	if _, ok := snap.Site("maoya-grassland"); ok {
		t.Error("unpublished site served")
	}
	if n := len(snap.SitesOf("513334")); n != 1 || snap.SiteCount() != 1 {
		t.Errorf("SitesOf: %d, SiteCount %d", n, snap.SiteCount())
	}
	if _, ok := snap.Sign("MMMM22"); !ok {
		t.Error("signs of unpublished sites must still resolve (to a friendly page)")
	}
	if got := snap.ExampleSign(); got != "TTTT22" {
		t.Errorf("ExampleSign = %q, want the enabled sign of a published site", got)
	}

	// An edit made through the store (as on another node) reaches the
	// catalogue through Watch.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go cat.Watch(wctx, 20*time.Millisecond)
	must(s.PutSite(ctx, domain.Site{Key: "maoya-grassland", County: "513334", Published: true, Name: domain.Text{domain.Zh: "毛垭大草原"}}))
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok := cat.Snapshot().Site("maoya-grassland"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Watch did not pick up the edit")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if old := snap.SiteCount(); old != 1 {
		t.Errorf("an old snapshot changed under its reader: %d sites", old)
	}
}

func TestRegionFromStoreOrMadeUpFromCounties(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	for _, code := range []string{"513301", "513322"} {
		if err := s.PutCounty(ctx, domain.County{Code: code, Name: domain.Text{domain.Zh: code}}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := catalog.New(ctx, s, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if snap := c.Snapshot(); snap.RegionSet || snap.Region.Code != "513300" {
		t.Fatalf("no region stored: got set=%v code %q, want the counties' prefecture 513300", snap.RegionSet, snap.Region.Code)
	}
	want := domain.Region{Code: "513300", Name: domain.Text{domain.Zh: "甘孜藏族自治州"}}
	if err := s.PutRegion(ctx, want); err != nil {
		t.Fatal(err)
	}
	if err := c.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if snap := c.Snapshot(); !snap.RegionSet || snap.Region.Name[domain.Zh] != "甘孜藏族自治州" {
		t.Fatalf("stored region not in the snapshot: %+v", snap.Region)
	}
	for _, tc := range []struct {
		counties []string
		want     string
	}{{[]string{"513225"}, "513225"}, {[]string{"513301", "513225"}, "510000"}, {[]string{"513301", "520102"}, ""}, {nil, ""}} {
		var cs []domain.County
		for _, code := range tc.counties {
			cs = append(cs, domain.County{Code: code})
		}
		if got := catalog.FallbackRegion(cs).Code; got != tc.want {
			t.Errorf("FallbackRegion(%v) = %q, want %q", tc.counties, got, tc.want)
		}
	}
}
