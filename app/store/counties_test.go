package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func TestPutCountyRoundTrip(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	tests := []struct {
		name string
		in   domain.County
	}{
		{"all fields", county(kangding, "康定市")},
		{"only required fields", domain.County{Code: luding, Name: domain.Text{domain.Zh: "泸定县"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.PutCounty(ctx, tt.in); err != nil {
				t.Fatalf("PutCounty: %v", err)
			}
			got, err := s.County(ctx, tt.in.Code)
			if err != nil {
				t.Fatalf("County: %v", err)
			}
			if !reflect.DeepEqual(got, tt.in) {
				t.Fatalf("County = %#v\nwant    %#v", got, tt.in)
			}
		})
	}
}

func TestPutCountyReplaces(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	if err := s.PutCounty(ctx, county(kangding, "康定市")); err != nil {
		t.Fatal(err)
	}
	// A replace, not a merge: fields left out of the second write are gone.
	second := domain.County{Code: kangding, Name: domain.Text{domain.Zh: "康定"}}
	if err := s.PutCounty(ctx, second); err != nil {
		t.Fatal(err)
	}
	got, err := s.County(ctx, kangding)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, second) {
		t.Fatalf("County = %#v, want %#v", got, second)
	}
	all, err := s.Counties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 {
		t.Fatalf("Counties = %d entries, want 1", len(all))
	}
}

func TestCountyNotFound(t *testing.T) {
	s := storetest.New(t)
	_, err := s.County(context.Background(), kangding)
	if !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("County of an empty store: err = %v, want ErrNotFound", err)
	}
}

func TestPutCountyInvalid(t *testing.T) {
	tests := []struct {
		name string
		in   domain.County
	}{
		{"empty code", domain.County{Name: domain.Text{domain.Zh: "康定市"}}},
		{"short code", domain.County{Code: "51330", Name: domain.Text{domain.Zh: "康定市"}}},
		{"leading zero", domain.County{Code: "013301", Name: domain.Text{domain.Zh: "康定市"}}},
		{"letters", domain.County{Code: "51330a", Name: domain.Text{domain.Zh: "康定市"}}},
		{"no zh name", domain.County{Code: kangding, Name: domain.Text{domain.En: "Kangding"}}},
	}
	s := storetest.New(t)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.PutCounty(ctx, tt.in)
			if !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("PutCounty: err = %v, want ErrInvalid", err)
			}
		})
	}
	all, err := s.Counties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 0 {
		t.Fatalf("invalid counties were written: %#v", all)
	}
	if v := contentVersion(t, s); v != 0 {
		t.Fatalf("ContentVersion = %d after only invalid writes, want 0", v)
	}
}

func TestCountiesOrderedByCode(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	empty, err := s.Counties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(empty) != 0 {
		t.Fatalf("Counties of an empty store = %#v", empty)
	}
	for _, code := range []string{"513335", kangding, "513322", "513321"} {
		if err := s.PutCounty(ctx, county(code, "县"+code)); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Counties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, c := range all {
		codes = append(codes, c.Code)
		if c.Name[domain.Zh] != "县"+c.Code {
			t.Errorf("county %s has name %q", c.Code, c.Name[domain.Zh])
		}
	}
	want := []string{kangding, "513321", "513322", "513335"}
	if !reflect.DeepEqual(codes, want) {
		t.Fatalf("Counties codes = %v, want %v", codes, want)
	}
}
