package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func TestRegionRoundTripAndBumpsContent(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	if _, err := s.Region(ctx); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("Region on a new database = %v, want ErrNotFound", err)
	}
	before, _ := s.ContentVersion(ctx)
	r := domain.Region{Code: "510000", Name: domain.Text{domain.Zh: "四川省", domain.En: "Sichuan"},
		ShortName: domain.Text{domain.Zh: "四川"}, Bureau: domain.Text{domain.Zh: "四川省文化和旅游厅"},
		Phone: "028-00000000", Address: domain.Text{domain.Zh: "成都"}, Complaint: "12345", TimeZone: "Asia/Shanghai",
		Emergency: []domain.Contact{{Label: domain.Text{domain.Zh: "报警"}, Number: "110"}},
		Map:       domain.MapView{Lat: 30.6, Lon: 104.1, Zoom: 6}, Logo: "logo.png",
		Languages: []domain.Lang{domain.Zh, domain.En, "ii"},
		Divisions: []domain.Division{{Code: "513300", Name: domain.Text{domain.Zh: "甘孜州"}}, {Code: "513200"}}}
	if err := s.PutRegion(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := s.Region(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Fatalf("Region = %#v\nwant %#v", got, r)
	}
	if after, _ := s.ContentVersion(ctx); after <= before {
		t.Fatalf("content version %d → %d: other nodes would not see the new region", before, after)
	}
	bad := r
	bad.Code = "51"
	if err := s.PutRegion(ctx, bad); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("PutRegion(bad code) = %v, want ErrInvalid", err)
	}
	if got, _ := s.Region(ctx); got.Code != "510000" {
		t.Fatalf("a refused region replaced the stored one: %q", got.Code)
	}
}
