package web

import (
	"context"
	"testing"

	"github.com/yimayou/yimayou/app/content"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
	demo "github.com/yimayou/yimayou/content"
)

// firstResponseBudget is what fits the first round trip of a new TCP
// connection (initial window of 10 segments of ~1.4 KB): a page within it
// is readable after one round trip, which is 400 ms or more on plateau 3G.
const firstResponseBudget = 14 * 1024

// Every demo site page, in every language, fits the budget compressed,
// with its stylesheet inlined. The count is exact: no timing involved.
func TestFirstResponseFitsOneRoundTrip(t *testing.T) {
	s := storetest.New(t)
	pack, err := content.Load(demo.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := content.Import(context.Background(), s, pack); err != nil {
		t.Fatal(err)
	}
	f := newFixtureOn(t, s, nil)
	largest, largestAt := 0, ""
	pages := 0
	for _, site := range pack.Sites {
		for _, l := range domain.Languages() {
			path := siteHref(site.County, site.Key) + "?lang=" + string(l)
			r := f.get(t, path, "Accept-Encoding", "gzip")
			if r.status != 200 || r.header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("%s: %d %q", path, r.status, r.header.Get("Content-Encoding"))
			}
			pages++
			if n := len(r.body); n > largest {
				largest, largestAt = n, path
			}
			if n := len(r.body); n > firstResponseBudget {
				t.Errorf("%s: %d bytes compressed, budget %d", path, n, firstResponseBudget)
			}
		}
	}
	if pages != len(pack.Sites)*3 || pages < 36 {
		t.Fatalf("checked %d pages", pages)
	}
	t.Logf("largest first response: %s, %d bytes gzip (budget %d)", largestAt, largest, firstResponseBudget)
}
