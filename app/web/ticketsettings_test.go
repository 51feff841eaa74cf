package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/auth"
	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
	"github.com/yimayou/yimayou/app/qr"
	"github.com/yimayou/yimayou/app/store/storetest"
	"github.com/yimayou/yimayou/app/tickets"
	"github.com/yimayou/yimayou/public"
)

// settingsApp serves the seeded sites with the console, ticketing and the
// bureau's ticketing pages; hailuogou sells tickets (pay at the gate),
// luding-bridge does not yet. The clock is 2026-11-28 09:00 China time.
func settingsApp(t testing.TB) *ticketFixture {
	t.Helper()
	s := storetest.New(t)
	seed(t, s)
	ctx := context.Background()
	createUsers(t, s, []testUser{{"admin", domain.RoleAdmin, nil}, {"luding-editor", domain.RoleEditor, []string{"513322"}},
		{"kangding-editor", domain.RoleEditor, []string{"513301"}}, {"luding-gate", domain.RoleGate, []string{"513322"}},
		{"luding-operator", domain.RoleOperator, []string{"513322"}}}...)
	hailuogou := tickets.DemoSites()[1]
	hailuogou.NoShowRelease, hailuogou.NoShowAt = true, "14:00" // as in the demo pack
	if err := s.PutTicketSite(ctx, hailuogou); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat, err := catalog.New(ctx, s, log)
	if err != nil {
		t.Fatal(err)
	}
	f := &ticketFixture{store: s, rec: &memRecorder{}, now: &atomic.Int64{}}
	f.now.Store(time.Date(2026, 11, 28, 9, 0, 0, 0, domain.ChinaTime).UnixNano())
	f.svc = tickets.New(s, f.rec, tickets.Options{Log: log, Now: f.clock})
	f.app, err = New(Deps{Catalog: cat, I18n: i18n.MustLoad(), Recorder: f.rec, QR: qr.NewRenderer(1 << 20), DB: s, Log: log,
		PublicURL: "http://localhost", Public: public.FS, Accounts: s, CheckPassword: auth.CheckPassword, KV: s.KV("web"),
		FormSecret: []byte("0123456789abcdef0123456789abcdef"), Alerts: s,
		Console:        ConsoleDeps{Store: s, HashPassword: auth.HashPassword, Now: f.clock},
		Tickets:        TicketDeps{Service: f.svc},
		TicketSettings: TicketSettingsDeps{Store: s}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// bridgeSettings is the form a bureau fills in for 泸定桥: 15 yuan, 10 in
// winter, a child concession, pay at the gate.
func bridgeSettings(csrf string) url.Values {
	return url.Values{"_csrf": {csrf}, "enabled": {"1"},
		"types.0.code": {"adult"}, "types.0.name.zh": {"成人票"}, "types.0.name.en": {"Adult"}, "types.0.price": {"15"},
		"types.1.code": {"child"}, "types.1.name.zh": {"儿童票"}, "types.1.price": {"7.5"}, "types.1.age_min": {"6"}, "types.1.age_max": {"17"},
		"seasons.0.from": {"12-01"}, "seasons.0.to": {"03-31"}, "seasons.0.name.zh": {"淡季"}, "seasons.0.price.adult": {"10"},
		"capacity.area": {"3000"}, "capacity.per_person": {"2"}, "capacity.open_hours": {"10"}, "capacity.stay_hours": {"1"},
		"daily_limit": {"2000"}, "walk_in_percent": {"10"}, "book_days": {"7"}, "valid_days": {"1"}, "max_visitors": {"5"},
		"cancel_days_after": {"0"}, "cancel_at": {"17:00"}, "payment": {"gate"}, "hold_minutes": {"15"},
		"foreign_concession": {"birth_date"}, "per_phone_day": {"10"}, "per_client_day": {"60"}, "no_show_release": {"1"}, "no_show_at": {"14:00"}}
}

func TestTicketSettingsConsole(t *testing.T) {
	f := settingsApp(t)
	ctx := context.Background()
	b := newBrowser(t, f.app)
	b.login("luding-editor", testPassword)
	page := "/admin/sites/luding-bridge/tickets"
	r := b.do("GET", page, nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, "no ticket settings yet") {
		t.Fatalf("new site's form: %d", r.status)
	}
	csrf := csrfRe.FindStringSubmatch(r.body)[1]

	// Refusals come back with the message at the top and the input marked.
	for _, tc := range []struct {
		name, field, value, want string
	}{
		{"price", "types.0.price", "fifteen", "Enter prices in yuan"},
		{"over LB/T 034", "daily_limit", "15001", "above the daily maximum 15000"},
		{"online without provider", "payment", "online", "Online payment needs a provider"},
		{"overlapping seasons", "seasons.1.from", "03-01", "overlaps season 1"},
	} {
		form := bridgeSettings(csrf)
		form.Set(tc.field, tc.value)
		if tc.field == "seasons.1.from" {
			form.Set("seasons.1.to", "04-30")
			form.Set("seasons.1.price.adult", "12")
		}
		r := b.do("POST", page, form)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tc.want) || !strings.Contains(r.body, `aria-invalid="true"`) {
			t.Fatalf("%s: %d %q", tc.name, r.status, firstAlert(r.body))
		}
		if !strings.Contains(r.body, `value="`+tc.value+`"`) && tc.field != "payment" {
			t.Fatalf("%s: the form lost what was typed", tc.name)
		}
		if _, err := f.store.TicketSite(ctx, "luding-bridge"); err == nil {
			t.Fatalf("%s: refused settings were stored", tc.name)
		}
	}
	// Another county's editor cannot see or change them.
	other := newBrowser(t, f.app)
	other.login("kangding-editor", testPassword)
	if r := other.do("GET", page, nil); r.status != http.StatusForbidden {
		t.Fatalf("another county's editor: %d", r.status)
	}
	if r := other.do("POST", page, bridgeSettings(other.csrfFrom("/admin"))); r.status != http.StatusForbidden {
		t.Fatalf("another county's editor saving: %d", r.status)
	}

	r = b.do("POST", page, bridgeSettings(csrf))
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %q", r.status, firstAlert(r.body))
	}
	c, err := f.store.TicketSite(ctx, "luding-bridge")
	if err != nil || !c.Enabled || c.Types[0].Fen != 1500 || c.Types[1].Fen != 750 || c.Seasons[0].Prices["adult"] != 1000 ||
		c.Capacity.Daily() != 15000 || c.County != "513322" || c.Payment != domain.PayAtGate {
		t.Fatalf("stored %+v %v", c, err)
	}
	entries, _ := f.store.AuditPage(ctx, "513322", "", 10)
	if len(entries) == 0 || entries[0].Action != "tickets_settings" || entries[0].Object != "luding-bridge" || !hasChange(entries[0].Changes, "types.0.price", "", "15") {
		t.Fatalf("audit %+v", entries)
	}
	r = b.do("GET", page+"?done=tickets", nil)
	if !strings.Contains(r.body, "Instantaneous maximum 1500 people, daily maximum 15000 people") || !strings.Contains(r.body, "Ticket settings saved") {
		t.Fatalf("saved page: %q", firstAlert(r.body))
	}
	// An edit is audited with its before and after.
	form := bridgeSettings(csrf)
	form.Set("types.0.price", "20")
	if r := b.do("POST", page, form); r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d", r.status)
	}
	entries, _ = f.store.AuditPage(ctx, "513322", "", 10)
	if !hasChange(entries[0].Changes, "types.0.price", "15", "20") || len(entries[0].Changes) != 1 {
		t.Fatalf("edit audit %+v", entries[0].Changes)
	}

	// The tourist pays by the visit date's season.
	tourist := newBrowser(t, f.app)
	for date, want := range map[string]int64{"2026-11-30": 2000, "2026-12-01": 1000} {
		r := tourist.do("GET", "/s/513322/luding-bridge/reserve?date="+date+"&n=1", nil)
		if !strings.Contains(r.body, "Adult · ¥"+yuan(want)) {
			t.Fatalf("%s: the form shows the wrong price", date)
		}
		r = tourist.do("POST", "/s/513322/luding-bridge/reserve", reserveValues(date, validID(int(want/100))))
		m := myLinkRe.FindStringSubmatch(r.header.Get("Location"))
		if r.status != http.StatusSeeOther || m == nil {
			t.Fatalf("%s: reserve %d %q", date, r.status, firstAlert(r.body))
		}
		res, _ := f.svc.Reservation(ctx, m[1])
		if res.TotalFen != want {
			t.Fatalf("%s: charged %d fen, want %d", date, res.TotalFen, want)
		}
	}
}

func hasChange(changes []domain.FieldChange, field, before, after string) bool {
	for _, c := range changes {
		if c.Field == field && c.Before == before && c.After == after {
			return true
		}
	}
	return false
}

// firstAlert is the first alert of a page, for failure messages.
func firstAlert(body string) string {
	i := strings.Index(body, `role="alert"`)
	if i < 0 {
		return ""
	}
	return body[i:min(len(body), i+300)]
}

func TestSiteClosure(t *testing.T) {
	f := settingsApp(t)
	ctx := context.Background()
	today := tickets.Day(f.clock())
	tomorrow := tickets.AddDays(today, 1)
	tourist := newBrowser(t, f.app)
	r := tourist.do("POST", "/s/513322/hailuogou/reserve", reserveValues(tomorrow, validID(1)))
	if r.status != http.StatusSeeOther {
		t.Fatalf("booking before the closure: %d", r.status)
	}
	booked := myLinkRe.FindStringSubmatch(r.header.Get("Location"))[1]

	b := newBrowser(t, f.app)
	b.login("luding-editor", testPassword)
	page := "/admin/sites/hailuogou/tickets"
	csrf := b.csrfFrom(page)
	reason := map[string]string{"zh": "大雪封山", "en": "Closed by heavy snow", "bo": "ཁ་བ་ཆེན་པོས་ལམ་བཀག"}
	if r := b.do("POST", "/admin/sites/hailuogou/closures", url.Values{"_csrf": {csrf}, "from": {today}, "to": {tomorrow}, "reason.en": {"no Chinese"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "Give the reason in Chinese") {
		t.Fatalf("closure without a Chinese reason: %d %q", r.status, firstAlert(r.body))
	}
	if r := b.do("POST", "/admin/sites/hailuogou/closures", url.Values{"_csrf": {csrf}, "from": {tomorrow}, "to": {today}, "reason.zh": {"雪"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("closure ending before it starts: %d", r.status)
	}
	r = b.do("POST", "/admin/sites/hailuogou/closures", url.Values{"_csrf": {csrf}, "from": {today}, "to": {tomorrow},
		"reason.zh": {reason["zh"]}, "reason.en": {reason["en"]}, "reason.bo": {reason["bo"]}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("close: %d %q", r.status, firstAlert(r.body))
	}
	// The bureau sees the booking it must contact.
	r = b.do("GET", page, nil)
	if !strings.Contains(r.body, booked) || !strings.Contains(r.body, "13800000000") {
		t.Fatal("the booking for a closed day is not listed")
	}
	entries, _ := f.store.AuditPage(ctx, "513322", "", 5)
	if entries[0].Action != "site_closure_add" || !hasChange(entries[0].Changes, "closures.0.reason.bo", "", reason["bo"]) {
		t.Fatalf("audit %+v", entries[0])
	}
	banner := map[string]string{"zh": "今日闭园：", "en": "Closed today: ", "bo": "དེ་རིང་སྒོ་བརྒྱབ།"}
	for _, lang := range []string{"zh", "en", "bo"} {
		r := tourist.do("GET", "/s/513322/hailuogou?lang="+lang, nil)
		if !strings.Contains(r.body, banner[lang]) || !strings.Contains(r.body, reason[lang]) {
			t.Fatalf("site page in %s does not show the closure", lang)
		}
		r = tourist.do("POST", "/s/513322/hailuogou/reserve?lang="+lang, reserveValues(today, validID(2)))
		if r.status != http.StatusConflict || !strings.Contains(r.body, reason[lang]) {
			t.Fatalf("reservation in %s on a closed day: %d %q", lang, r.status, firstAlert(r.body))
		}
	}
	// Reopened: the page is as before and bookings are taken again.
	if r := b.do("POST", "/admin/sites/hailuogou/closures/0/delete", url.Values{"_csrf": {csrf}}); r.status != http.StatusSeeOther {
		t.Fatalf("reopen: %d", r.status)
	}
	if r := tourist.do("GET", "/s/513322/hailuogou?lang=en", nil); strings.Contains(r.body, reason["en"]) {
		t.Fatal("the closure is still shown")
	}
	if r := tourist.do("POST", "/s/513322/hailuogou/reserve", reserveValues(today, validID(2))); r.status != http.StatusSeeOther {
		t.Fatalf("after reopening: %d", r.status)
	}
	// A site without ticketing can be closed too.
	if r := b.do("POST", "/admin/sites/luding-bridge/closures", url.Values{"_csrf": {csrf}, "from": {today}, "reason.zh": {"维修"}}); r.status != http.StatusSeeOther {
		t.Fatalf("closing a site without ticketing: %d %q", r.status, firstAlert(r.body))
	}
	if r := tourist.do("GET", "/s/513322/luding-bridge?lang=zh", nil); !strings.Contains(r.body, "今日闭园：维修") {
		t.Fatal("closure of a site without ticketing")
	}
}

func TestCashierWalkInAndRefunds(t *testing.T) {
	f := settingsApp(t)
	ctx := context.Background()
	gate := newBrowser(t, f.app)
	gate.login("luding-gate", testPassword)
	r := gate.do("GET", "/admin/gate/walkin?site=hailuogou", nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, "930 walk-in places left") {
		t.Fatalf("walk-in page: %d", r.status)
	}
	csrf := csrfRe.FindStringSubmatch(r.body)[1]
	r = gate.do("POST", "/admin/gate/walkin", url.Values{"_csrf": {csrf}, "site": {"hailuogou"}, "type": {"adult"}, "name": {"扎西"},
		"id_type": {"cn"}, "id": {validID(7)}, "phone": {"13800000009"}})
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "sold=") {
		t.Fatalf("sell: %d %q", r.status, firstAlert(r.body))
	}
	r = gate.do("GET", r.header.Get("Location"), nil)
	if !strings.Contains(r.body, "929 walk-in places left") || !strings.Contains(r.body, "Confirmed") {
		t.Fatal("the sale is not shown as paid")
	}
	r = gate.do("POST", "/admin/gate/walkin", url.Values{"_csrf": {csrf}, "site": {"hailuogou"}, "type": {"adult"}, "name": {"扎西"},
		"id_type": {"cn"}, "id": {"123"}, "phone": {"13800000009"}})
	if r.status != http.StatusUnprocessableEntity || firstAlert(r.body) == "" {
		t.Fatalf("a bad ID at the office: %d", r.status)
	}
	if r := gate.do("GET", "/admin/gate/walkin?site=yading", nil); r.status != http.StatusForbidden {
		t.Fatalf("another county's site: %d", r.status)
	}

	// A paid booking cancelled by its tourist: "refund requested" until
	// the cashier records the refund.
	tourist := newBrowser(t, f.app)
	r = tourist.do("POST", "/s/513322/hailuogou/reserve", reserveValues("2026-11-29", validID(8)))
	link := r.header.Get("Location")
	ref := myLinkRe.FindStringSubmatch(link)[1]
	if _, err := f.svc.MarkPaid(ctx, ref, "luding-gate"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Cancel(ctx, ref, myLinkRe.FindStringSubmatch(link)[2]); err != nil {
		t.Fatal(err)
	}
	if r := tourist.do("GET", link, nil); !strings.Contains(r.body, "refund requested") || strings.Contains(r.body, "Cancelled and refunded") {
		t.Fatal("the tourist is told the money is back before it is")
	}
	r = gate.do("GET", "/admin/gate/refunds", nil)
	if !strings.Contains(r.body, ref) {
		t.Fatal("the refund is not listed")
	}
	if r := gate.do("POST", "/admin/gate/refunds/"+ref, url.Values{"_csrf": {csrf}, "note": {"cash"}}); r.status != http.StatusSeeOther {
		t.Fatalf("record refund: %d", r.status)
	}
	if r := tourist.do("GET", link, nil); !strings.Contains(r.body, "Cancelled and refunded") {
		t.Fatal("refund not shown after it was recorded")
	}
	if r := gate.do("GET", "/admin/gate/refunds", nil); strings.Contains(r.body, ref) {
		t.Fatal("a recorded refund is still listed")
	}
}

func TestTicketKeysAndBulkPages(t *testing.T) {
	f := settingsApp(t)
	admin := newBrowser(t, f.app)
	admin.login("admin", testPassword)
	csrf := admin.csrfFrom("/admin/tickets/keys")
	if r := admin.do("POST", "/admin/tickets/keys/rotate", url.Values{"_csrf": {csrf}}); r.status != http.StatusSeeOther {
		t.Fatalf("rotate: %d", r.status)
	}
	var keys struct {
		Keys []tickets.PublicKey `json:"keys"`
	}
	r := admin.do("GET", "/api/tickets/keys", nil)
	if err := json.Unmarshal([]byte(r.body), &keys); err != nil || len(keys.Keys) != 2 {
		t.Fatalf("gates' keys after rotation: %s", r.body)
	}
	editor := newBrowser(t, f.app)
	editor.login("luding-editor", testPassword)
	if r := editor.do("POST", "/admin/tickets/keys/rotate", url.Values{"_csrf": {editor.csrfFrom("/admin")}}); r.status != http.StatusForbidden {
		t.Fatalf("an editor rotating keys: %d", r.status)
	}

	tourist := newBrowser(t, f.app)
	for i := 0; i < 3; i++ {
		tourist.do("POST", "/s/513322/hailuogou/reserve", reserveValues("2026-11-30", validID(20+i)))
	}
	op := newBrowser(t, f.app)
	op.login("luding-operator", testPassword)
	r = op.do("GET", "/admin/tickets/bulk?date=2026-11-30", nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, "138****0000") {
		t.Fatalf("bulk bookings: %d", r.status)
	}
}

func TestPayNowAndNoShowOnMyReservation(t *testing.T) {
	f := settingsApp(t)
	ctx := context.Background()
	yading := tickets.DemoSites()[0]
	yading.County = "513301"
	if err := f.store.PutTicketSite(ctx, yading); err != nil {
		t.Fatal(err)
	}
	tourist := newBrowser(t, f.app)
	v := reserveValues("2026-11-29", validID(30))
	v.Set("slot", "0900")
	r := tourist.do("POST", "/s/513301/yading/reserve", v)
	link := r.header.Get("Location")
	if r.status != http.StatusSeeOther {
		t.Fatalf("reserve: %d %q", r.status, firstAlert(r.body))
	}
	r = tourist.do("GET", link, nil)
	ref := myLinkRe.FindStringSubmatch(link)[1]
	res, _ := f.svc.Reservation(ctx, ref)
	want := tickets.CheckoutLink(yading.Checkout, ref, 14600, res.HoldUntil)
	if !strings.Contains(r.body, `id="pay-now"`) || !strings.Contains(r.body, htmlEscape(want)) || !strings.Contains(want, "amount=14600") {
		t.Fatalf("no signed checkout link %q", want)
	}
	// Pay-at-gate bookings say when their places go back.
	r = tourist.do("POST", "/s/513322/hailuogou/reserve", reserveValues("2026-11-29", validID(31)))
	r = tourist.do("GET", r.header.Get("Location"), nil)
	if !strings.Contains(r.body, `id="no-show"`) || !strings.Contains(r.body, "14:00") {
		t.Fatal("the no-show rule is not shown")
	}
}
