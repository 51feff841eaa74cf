package web

import (
	"context"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// The home page names the region on every request (title and footer from
// the snapshot); compare with the same page when no region is set.
func BenchmarkHomeNoRegion(b *testing.B) {
	f := newFixture(b)
	serveDirect(b, f.app.Handler(), "/?lang=en")
}

func BenchmarkHomeRegion(b *testing.B) {
	s := storetest.New(b)
	seed(b, s)
	r := validRegionFormRegion()
	if err := s.PutRegion(context.Background(), r); err != nil {
		b.Fatal(err)
	}
	f := newFixtureOn(b, s, nil)
	serveDirect(b, f.app.Handler(), "/?lang=en")
}

func validRegionFormRegion() domain.Region {
	return domain.Region{Code: "513300", Name: domain.Text{domain.Zh: "测试藏族自治州", domain.En: "Testland"},
		ShortName: domain.Text{domain.Zh: "测试州", domain.En: "Testland"}}
}
