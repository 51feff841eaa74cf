package store_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func fullSign() domain.Sign {
	return domain.Sign{Code: "HGG2X7", Site: "hailuogou", County: luding, Label: "游客中心入口",
		Campaign: "2026-autumn", Installed: "2026-05-01", Enabled: true,
		CreatedAt: time.Date(2026, 4, 30, 18, 5, 6, 987654321, domain.ChinaTime)}
}

func assertSign(t *testing.T, got, want domain.Sign) {
	t.Helper()
	if !sameTime(got.CreatedAt, want.CreatedAt) {
		t.Errorf("CreatedAt = %v, want %v (ms, UTC)", got.CreatedAt, want.CreatedAt.UTC().Truncate(time.Millisecond))
	}
	got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("sign = %#v\nwant   %#v", got, want)
	}
}

func TestSignRoundTrip(t *testing.T) {
	disabled := domain.Sign{Code: "PMS4", Site: "paomashan", County: kangding,
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 6000000, time.UTC)}
	tests := []struct {
		name  string
		write func(*store.Store, context.Context, domain.Sign) error
		in    domain.Sign
	}{
		{"PutSign all fields", (*store.Store).PutSign, fullSign()},
		{"PutSign disabled, minimal", (*store.Store).PutSign, disabled},
		{"CreateSign all fields", (*store.Store).CreateSign, fullSign()},
		{"CreateSign disabled, minimal", (*store.Store).CreateSign, disabled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storetest.New(t)
			ctx := context.Background()
			seed(t, s)
			if err := tt.write(s, ctx, tt.in); err != nil {
				t.Fatalf("write: %v", err)
			}
			got, err := s.Sign(ctx, tt.in.Code)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			assertSign(t, got, tt.in)
		})
	}
}

func TestSignDefaultsCreatedAt(t *testing.T) {
	for _, write := range []func(*store.Store, context.Context, domain.Sign) error{(*store.Store).PutSign, (*store.Store).CreateSign} {
		s := storetest.New(t)
		ctx := context.Background()
		seed(t, s)
		in := fullSign()
		in.CreatedAt = time.Time{}
		before := time.Now().Truncate(time.Millisecond)
		if err := write(s, ctx, in); err != nil {
			t.Fatal(err)
		}
		after := time.Now()
		got, err := s.Sign(ctx, in.Code)
		if err != nil {
			t.Fatal(err)
		}
		if got.CreatedAt.Before(before) || got.CreatedAt.After(after) {
			t.Fatalf("CreatedAt = %v, want between %v and %v", got.CreatedAt, before, after)
		}
	}
}

func TestPutSignReplaces(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	seed(t, s)
	if err := s.PutSign(ctx, fullSign()); err != nil {
		t.Fatal(err)
	}
	second := fullSign()
	second.Label, second.Campaign, second.Installed, second.Enabled = "", "", "", false
	if err := s.PutSign(ctx, second); err != nil {
		t.Fatal(err)
	}
	got, err := s.Sign(ctx, second.Code)
	if err != nil {
		t.Fatal(err)
	}
	assertSign(t, got, second)
}

func TestSignNotFound(t *testing.T) {
	s := storetest.New(t)
	seed(t, s)
	if _, err := s.Sign(context.Background(), "NOPE"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("Sign: err = %v, want ErrNotFound", err)
	}
}

// Both ways of writing a sign keep the invariant that a sign's county is
// its site's county, so county-scoped users and statistics see it right.
func TestSignSiteChecks(t *testing.T) {
	tests := []struct {
		name    string
		in      domain.Sign
		wantErr error
	}{
		{"site of another county", sign("ABCD23", "hailuogou", kangding), domain.ErrInvalid},
		{"unknown site", sign("ABCD23", "nosuchsite", luding), domain.ErrNotFound},
	}
	writers := []struct {
		name  string
		write func(*store.Store, context.Context, domain.Sign) error
	}{
		{"PutSign", (*store.Store).PutSign},
		{"CreateSign", (*store.Store).CreateSign},
	}
	for _, w := range writers {
		for _, tt := range tests {
			t.Run(w.name+"/"+tt.name, func(t *testing.T) {
				s := storetest.New(t)
				ctx := context.Background()
				seed(t, s)
				v := contentVersion(t, s)
				if err := w.write(s, ctx, tt.in); !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if _, err := s.Sign(ctx, tt.in.Code); !errors.Is(err, domain.ErrNotFound) {
					t.Fatalf("the sign was written (Sign err = %v)", err)
				}
				if got := contentVersion(t, s); got != v {
					t.Fatalf("ContentVersion moved from %d to %d on a failed write", v, got)
				}
			})
		}
	}
}

func TestSignInvalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(*domain.Sign)
	}{
		{"empty code", func(s *domain.Sign) { s.Code = "" }},
		{"short code", func(s *domain.Sign) { s.Code = "AB2" }},
		{"lower-case code", func(s *domain.Sign) { s.Code = "hlg2x7" }},
		{"ambiguous letter L", func(s *domain.Sign) { s.Code = "HLG2X7" }},
		{"ambiguous letter O", func(s *domain.Sign) { s.Code = "HGGO27" }},
		{"code too long", func(s *domain.Sign) { s.Code = strings.Repeat("A", domain.MaxCodeLen+1) }},
		{"bad site key", func(s *domain.Sign) { s.Site = "Hai Luo" }},
		{"bad county", func(s *domain.Sign) { s.County = "1" }},
		{"label too long", func(s *domain.Sign) { s.Label = strings.Repeat("x", 201) }},
		{"campaign too long", func(s *domain.Sign) { s.Campaign = strings.Repeat("x", 101) }},
		{"bad installed date", func(s *domain.Sign) { s.Installed = "2026-13-01" }},
	}
	s := storetest.New(t)
	ctx := context.Background()
	seed(t, s)
	v := contentVersion(t, s)
	for _, tt := range tests {
		for _, w := range []struct {
			name  string
			write func(*store.Store, context.Context, domain.Sign) error
		}{{"PutSign", (*store.Store).PutSign}, {"CreateSign", (*store.Store).CreateSign}} {
			t.Run(w.name+"/"+tt.name, func(t *testing.T) {
				in := fullSign()
				tt.change(&in)
				if err := w.write(s, ctx, in); !errors.Is(err, domain.ErrInvalid) {
					t.Fatalf("err = %v, want ErrInvalid", err)
				}
			})
		}
	}
	all, err := s.Signs(ctx, store.SignFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 0 {
		t.Fatalf("invalid signs were written: %#v", all)
	}
	if got := contentVersion(t, s); got != v {
		t.Fatalf("ContentVersion moved from %d to %d on invalid writes", v, got)
	}
}

func TestCreateSignConflict(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	seed(t, s)
	first := fullSign()
	if err := s.CreateSign(ctx, first); err != nil {
		t.Fatal(err)
	}
	v := contentVersion(t, s)
	dup := first
	dup.Label = "another label"
	if err := s.CreateSign(ctx, dup); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("CreateSign of a taken code: err = %v, want ErrConflict", err)
	}
	got, err := s.Sign(ctx, first.Code)
	if err != nil {
		t.Fatal(err)
	}
	assertSign(t, got, first)
	if got := contentVersion(t, s); got != v {
		t.Fatalf("ContentVersion moved from %d to %d on a conflict", v, got)
	}
	// PutSign is the way to replace: it succeeds on the same code.
	if err := s.PutSign(ctx, dup); err != nil {
		t.Fatalf("PutSign over an existing code: %v", err)
	}
}

func TestSignsFilter(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	seed(t, s) // paomashan (kangding), hailuogou (luding)
	if err := s.PutSite(ctx, minimalSite("mugecuo", kangding)); err != nil {
		t.Fatal(err)
	}
	for _, sg := range []domain.Sign{
		sign("PMS3", "paomashan", kangding),
		sign("MGC2", "mugecuo", kangding),
		sign("PMS2", "paomashan", kangding),
		sign("HGG9", "hailuogou", luding),
		sign("HGG2", "hailuogou", luding),
	} {
		if err := s.CreateSign(ctx, sg); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		f    store.SignFilter
		want []string
	}{
		{"all, by site then code", store.SignFilter{}, []string{"HGG2", "HGG9", "MGC2", "PMS2", "PMS3"}},
		{"county", store.SignFilter{County: kangding}, []string{"MGC2", "PMS2", "PMS3"}},
		{"site", store.SignFilter{Site: "hailuogou"}, []string{"HGG2", "HGG9"}},
		{"county and site", store.SignFilter{County: kangding, Site: "paomashan"}, []string{"PMS2", "PMS3"}},
		{"site outside county", store.SignFilter{County: kangding, Site: "hailuogou"}, nil},
		{"unknown site", store.SignFilter{Site: "nosuchsite"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Signs(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, sg := range got {
				codes = append(codes, sg.Code)
				if !sg.Enabled || sg.CreatedAt.IsZero() {
					t.Errorf("sign %s lost fields: %#v", sg.Code, sg)
				}
			}
			if !reflect.DeepEqual(codes, tt.want) {
				t.Fatalf("Signs(%+v) = %v, want %v", tt.f, codes, tt.want)
			}
		})
	}
}
