package content

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func TestTicketSettingsRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	p := demoPack(t)
	if len(p.Tickets) != 2 {
		t.Fatalf("the demo pack has %d sites' ticket settings, want 2", len(p.Tickets))
	}
	y := p.Tickets[1]
	if y.Site != "yading" || y.Payment != domain.PayAtGate || y.Capacity.Daily() != 16054 {
		t.Fatalf("yading %+v", y)
	}
	adult, _ := y.Type("adult")
	if y.PriceOn(adult, "2026-12-01") != 12000 || y.PriceOn(adult, "2026-11-30") != 14600 {
		t.Fatal("yading's seasons")
	}
	// Closures and an online provider travel too; its secret never does.
	y.Closures = []domain.Closure{{From: "2026-12-10", To: "2026-12-12", Reason: domain.Text{domain.Zh: "大雪", domain.En: "Snow"}}}
	y.Payment, y.HoldMinutes = domain.PayOnline, 15
	y.Checkout = domain.Checkout{Provider: "unionpay", URL: "https://pay.example.cn/c?o={order}&a={amount}&s={sig}"}
	p.Tickets[1] = y
	p = p.Normalize()
	// Online payment without a secret in the database: refused, nothing
	// of the settings written.
	if _, err := Import(ctx, st, p); err == nil || !strings.Contains(err.Error(), "online_no_provider") {
		t.Fatalf("online without a secret: %v", err)
	}
	if counties, _ := st.Counties(ctx); len(counties) != 0 {
		t.Fatal("a refused import wrote counties")
	}
	withSecret := y
	withSecret.Checkout.Secret = "0123456789abcdef0123"
	if err := st.PutTicketSite(ctx, withSecret); err != nil {
		t.Fatal(err)
	}
	if _, err := Import(ctx, st, p); err != nil {
		t.Fatalf("Import: %v", err)
	}
	if got, _ := st.TicketSite(ctx, "yading"); got.Checkout.Secret != withSecret.Checkout.Secret {
		t.Fatal("import lost the provider's secret")
	}
	got, err := Export(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Tickets, p.Tickets) {
		t.Fatalf("export differs:\n%+v\nwant\n%+v", got.Tickets, p.Tickets)
	}
	dir := t.TempDir()
	if err := Write(dir, got); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "sites", "yading", "tickets.yaml"))
	if strings.Contains(string(raw), withSecret.Checkout.Secret) || !strings.Contains(string(raw), "unionpay") {
		t.Fatalf("written:\n%s", raw)
	}
	again, err := Load(os.DirFS(dir))
	if err != nil || !reflect.DeepEqual(again, got) {
		t.Fatalf("Load(Write(export)) differs: %v", err)
	}
	stats, err := Import(ctx, st, again)
	if err != nil || stats.Tickets != 0 {
		t.Fatalf("re-import wrote ticket settings again: %+v %v", stats, err)
	}
}

func TestTicketSettingsPackErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"same validation as the console", "enabled: true\npayment: gate\ntypes:\n  - code: adult\n    name:\n      zh: 成人\n    fen: 100\ncapacity:\n  area_m2: 100\n  per_person_m2: 1\n  open_hours: 1\n  stay_hours: 1\ndaily_limit: 101\nbook_days: 7\nvalid_days: 1\nmax_visitors: 5\ncancel:\n  days_after: 0\n  at: \"17:00\"\n",
			"sites/tagong/tickets.yaml: daily_limit: ticketsettings.error.over_daily_max"},
		{"unknown field", "enabled: true\nprice: 5\n", "sites/tagong/tickets.yaml:2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := Write(dir, demoPack(t)); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "sites", "tagong", "tickets.yaml"), []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(os.DirFS(dir))
			var pe *Error
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
	p := demoPack(t)
	p.Tickets = append(p.Tickets, domain.TicketSettings{Site: "nowhere", County: "513337"})
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "not in the pack") {
		t.Fatalf("settings of an unknown site: %v", err)
	}
}
