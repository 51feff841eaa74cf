package web

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/auth"
	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/content"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
	"github.com/yimayou/yimayou/app/qr"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
	demo "github.com/yimayou/yimayou/content"
	"github.com/yimayou/yimayou/public"
)

// regionApp is the whole server (public pages, console, statistics) on s,
// with a top-level admin "admin".
func regionApp(t testing.TB, s *store.Store) *fiber.App {
	t.Helper()
	createUsers(t, s, testUser{"admin", domain.RoleAdmin, nil})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat, err := catalog.New(context.Background(), s, log)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 20, 4, 0, 0, 0, time.UTC) }
	app, err := New(Deps{Catalog: cat, I18n: i18n.MustLoad(), QR: qr.NewRenderer(1 << 20), DB: s, Log: log,
		PublicURL: "http://localhost", Public: public.FS, Recorder: &memRecorder{},
		Accounts: s, CheckPassword: auth.CheckPassword, KV: s.KV("web"),
		Console: ConsoleDeps{Store: s, HashPassword: auth.HashPassword, Now: now},
		Stats:   StatsDeps{Store: s, Now: now}})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// jiuzhaigouRegion is a region of one county (test data, not a claim
// about the real bureau): the county is the top level.
func jiuzhaigouRegion(t testing.TB) *store.Store {
	t.Helper()
	s := storetest.New(t)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.PutRegion(ctx, domain.Region{Code: "513225",
		Name:      domain.Text{domain.Zh: "九寨沟县", domain.En: "Jiuzhaigou County"},
		ShortName: domain.Text{domain.Zh: "九寨沟", domain.En: "Jiuzhaigou"},
		Bureau:    domain.Text{domain.Zh: "九寨沟县文化和旅游局", domain.En: "Jiuzhaigou County Bureau of Culture and Tourism"},
		Phone:     "0837-7700000", Complaint: "12345",
		Emergency: []domain.Contact{{Number: "110", Label: domain.Text{domain.Zh: "报警", domain.En: "Police"}}},
		Languages: []domain.Lang{domain.Zh, domain.En}}))
	must(s.PutCounty(ctx, domain.County{Code: "513225", Pinyin: "Jiuzhaigou", Name: domain.Text{domain.Zh: "九寨沟县", domain.En: "Jiuzhaigou"}}))
	must(s.PutSite(ctx, domain.Site{Key: "jiuzhai-valley", County: "513225", Published: true,
		Name: domain.Text{domain.Zh: "九寨沟景区", domain.En: "Jiuzhai Valley"}}))
	must(s.PutSign(ctx, domain.Sign{Code: "JZG2AA", Site: "jiuzhai-valley", County: "513225", Enabled: true}))
	return s
}

func garzeDemo(t testing.TB) (*store.Store, string) {
	t.Helper()
	s := storetest.New(t)
	pack, err := content.Load(demo.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := content.Import(context.Background(), s, pack); err != nil {
		t.Fatal(err)
	}
	site := pack.Sites[0]
	if err := s.PutSign(context.Background(), domain.Sign{Code: "GZE2AA", Site: site.Key, County: site.County, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	return s, "GZE2AA"
}

// The same server code serves the Garzê demo and a one-county region,
// each with its own names on the home page, the footer, the sign sheet
// and the statistics' top level, and nothing of the other.
func TestTwoRegionsOneServer(t *testing.T) {
	garze, garzeSign := garzeDemo(t)
	cases := []struct {
		name        string
		app         *fiber.App
		sign        string
		want, never []string
		stats       string
	}{
		{"garze", regionApp(t, garze), garzeSign,
			[]string{"<h1>甘孜州景区导览</h1>", "甘孜州文化旅游 · 扫码即游"}, []string{"九寨沟"}, "甘孜州"},
		{"jiuzhaigou", regionApp(t, jiuzhaigouRegion(t)), "JZG2AA",
			[]string{"<h1>九寨沟景区导览</h1>", "九寨沟文化旅游 · 扫码即游"}, []string{"甘孜"}, "九寨沟"},
	}
	sheets := map[string]string{"garze": "甘孜州文化广播电视和旅游局", "jiuzhaigou": "九寨沟县文化和旅游局"}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, tc.app)
			home := b.do("GET", "/?lang=zh", nil).body
			for _, w := range tc.want {
				if !strings.Contains(home, w) {
					t.Errorf("home lacks %q", w)
				}
			}
			en := b.do("GET", "/?lang=en", nil).body
			if want := map[string]string{"garze": "Garzê tourist sites", "jiuzhaigou": "Jiuzhaigou tourist sites"}[tc.name]; !strings.Contains(en, want) {
				t.Errorf("English home lacks %q", want)
			}
			if tc.name == "garze" && !strings.Contains(b.do("GET", "/?lang=bo", nil).body, "<h1>དཀར་མཛེས · ལྟ་ཡུལ།</h1>") {
				t.Error("Tibetan home title: the region's name should come without its closing shad")
			}
			if r := b.login("admin", testPassword); r.status != 303 {
				t.Fatalf("login %d", r.status)
			}
			sheet := b.do("GET", "/admin/signs/"+tc.sign+"/sheet?lang=zh", nil)
			if sheet.status != 200 || !strings.Contains(sheet.body, sheets[tc.name]) {
				t.Errorf("sign sheet (%d) lacks the bureau %q", sheet.status, sheets[tc.name])
			}
			stats := b.do("GET", "/admin/stats/overview?lang=zh", nil)
			if stats.status != 200 || !strings.Contains(stats.body, ">"+tc.stats+"</h1>") {
				t.Errorf("statistics (%d) do not head with %q", stats.status, tc.stats)
			}
			for _, body := range []string{home, en, sheet.body, stats.body} {
				for _, n := range tc.never {
					if strings.Contains(body, n) {
						t.Errorf("a page names the other region (%q)", n)
					}
				}
			}
			if strings.Contains(home, "Set up your region") || strings.Contains(b.do("GET", "/admin?lang=en", nil).body, "Set up your region") {
				t.Error("a region that is set asks to be set up")
			}
		})
	}
}
