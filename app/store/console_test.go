package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// A draft is invisible to the public side: it does not move the content
// version, and Sites (what the catalogue reads) still returns the live site.
func TestDraftsStayApart(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	seed(t, s)
	v0 := contentVersion(t, s)
	if _, err := s.Draft(ctx, "hailuogou"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("Draft before any: %v", err)
	}
	d := fullSite()
	d.Summary[domain.En] = "Draft summary"
	if err := s.PutDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	if contentVersion(t, s) != v0 {
		t.Error("saving a draft moved the content version")
	}
	got, err := s.Draft(ctx, "hailuogou")
	if err != nil || got.Summary[domain.En] != "Draft summary" || len(got.Prices) != 3 {
		t.Fatalf("Draft: %+v %v", got, err)
	}
	live, _ := s.Site(ctx, "hailuogou")
	if live.Summary[domain.En] == "Draft summary" {
		t.Error("the draft leaked into the live site")
	}
	keys, err := s.DraftKeys(ctx, luding)
	if _, ok := keys["hailuogou"]; err != nil || !ok || len(keys) != 1 {
		t.Errorf("DraftKeys(luding) = %v, %v", keys, err)
	}
	if keys, _ := s.DraftKeys(ctx, kangding); len(keys) != 0 {
		t.Errorf("DraftKeys(kangding) = %v", keys)
	}
	if err := s.PutDraft(ctx, domain.Site{Key: "Bad Key", County: luding}); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("invalid draft: %v", err)
	}
	if err := s.DeleteDraft(ctx, "hailuogou"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Draft(ctx, "hailuogou"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("Draft after delete: %v", err)
	}
}

func TestRevisionsNewestFirst(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	seed(t, s)
	base := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	var ids []string
	for i, summary := range []string{"one", "two", "three"} {
		site := fullSite()
		site.Summary = domain.Text{domain.En: summary}
		id, err := s.AddRevision(ctx, site, "editor", base.Add(time.Duration(i)*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := s.AddRevision(ctx, minimalSite("paomashan", kangding), "x", base); err != nil {
		t.Fatal(err)
	}
	revs, err := s.Revisions(ctx, "hailuogou")
	if err != nil || len(revs) != 3 {
		t.Fatalf("Revisions: %d %v", len(revs), err)
	}
	if revs[0].Site.Summary[domain.En] != "three" || revs[2].Site.Summary[domain.En] != "one" || revs[0].User != "editor" {
		t.Errorf("order: %q %q", revs[0].Site.Summary[domain.En], revs[2].Site.Summary[domain.En])
	}
	r, err := s.Revision(ctx, ids[1])
	if err != nil || r.Site.Summary[domain.En] != "two" || !sameTime(r.At, base.Add(time.Minute)) {
		t.Errorf("Revision: %+v %v", r, err)
	}
	for _, bad := range []string{"nope", "000000000000000000000000"} {
		if _, err := s.Revision(ctx, bad); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("Revision(%q): %v", bad, err)
		}
	}
}

func TestAuditLog(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	at := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < 5; i++ {
		county := luding
		if i%2 == 1 {
			county = kangding
		}
		err := s.AddAudit(ctx, domain.AuditEntry{At: at.Add(time.Duration(i) * time.Second), User: "u", Action: "site.publish",
			Object: "site" + string(rune('a'+i)), County: county,
			Changes: []domain.FieldChange{{Field: "summary.en", Before: "old", After: "new"}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Audit(ctx, store.AuditFilter{})
	if err != nil || len(all) != 5 || all[0].Object != "sitee" || all[0].Changes[0].After != "new" {
		t.Fatalf("Audit: %+v %v", all, err)
	}
	lud, _ := s.Audit(ctx, store.AuditFilter{County: luding})
	if len(lud) != 3 {
		t.Errorf("Audit(luding): %d", len(lud))
	}
	page, _ := s.Audit(ctx, store.AuditFilter{Limit: 2, Before: all[1].ID})
	if len(page) != 2 || page[0].Object != "sitec" {
		t.Errorf("paging: %+v", page)
	}
}

func TestActiveAlerts(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	v0 := contentVersion(t, s)
	put := func(a domain.Alert) string {
		t.Helper()
		id, err := s.PutAlert(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	text := domain.Text{domain.Zh: "道路封闭"}
	prefecture := put(domain.Alert{Level: domain.AlertInfo, Text: text, Starts: now.Add(-time.Hour)})
	ludingDanger := put(domain.Alert{County: luding, Level: domain.AlertDanger, Text: text, Starts: now.Add(-time.Hour), Ends: now.Add(time.Hour)})
	put(domain.Alert{County: luding, Level: domain.AlertWarning, Text: text, Starts: now.Add(-2 * time.Hour), Ends: now.Add(-time.Hour)}) // over
	put(domain.Alert{County: luding, Level: domain.AlertWarning, Text: text, Starts: now.Add(time.Hour)})                                 // not yet
	put(domain.Alert{County: kangding, Level: domain.AlertWarning, Text: text, Starts: now.Add(-time.Hour)})
	if contentVersion(t, s) == v0 {
		t.Error("an alert did not move the content version")
	}
	got, err := s.ActiveAlertsIn(ctx, luding, now)
	if err != nil || len(got) != 2 || got[0].ID != ludingDanger || got[1].ID != prefecture {
		t.Fatalf("ActiveAlerts(luding): %+v %v", got, err)
	}
	if got, _ := s.ActiveAlerts(ctx, now); len(got) != 3 {
		t.Errorf("ActiveAlerts: %+v", got)
	}
	if got, _ := s.ActiveAlertsIn(ctx, "", now); len(got) != 1 || got[0].ID != prefecture {
		t.Errorf("ActiveAlerts(prefecture): %+v", got)
	}
	if _, err := s.PutAlert(ctx, domain.Alert{Level: "loud", Text: text, Starts: now}); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("bad level: %v", err)
	}
	if err := s.DeleteAlert(ctx, ludingDanger); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAlert(ctx, ludingDanger); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if got, _ := s.ActiveAlertsIn(ctx, luding, now); len(got) != 1 {
		t.Errorf("after delete: %+v", got)
	}
}

func TestMediaRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	data := bytes.Repeat([]byte{0xff, 0xd8, 1, 2, 3}, 200_000) // 1 MB
	if err := s.PutMedia(ctx, store.Media{Name: "p/abc-960.jpg", Type: "image/jpeg", Data: data}); err != nil {
		t.Fatal(err)
	}
	// The same name again is the same file: no error.
	if err := s.PutMedia(ctx, store.Media{Name: "p/abc-960.jpg", Type: "image/jpeg", Data: data}); err != nil {
		t.Fatal(err)
	}
	m, err := s.MediaFile(ctx, "p/abc-960.jpg")
	if err != nil || !bytes.Equal(m.Data, data) || m.Type != "image/jpeg" {
		t.Fatalf("MediaFile: %d bytes, %v", len(m.Data), err)
	}
	if _, err := s.MediaFile(ctx, "p/none.jpg"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("missing media: %v", err)
	}
	if err := s.PutMedia(ctx, store.Media{Name: "big", Data: make([]byte, store.MaxMediaBytes+1)}); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("oversized media: %v", err)
	}
}

func TestSetUserAccess(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	if err := s.CreateUser(ctx, domain.User{Username: "ed", Role: domain.RoleEditor, Counties: []string{luding}, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUserAccess(ctx, "ed", domain.RoleOperator, []string{luding, kangding}); err != nil {
		t.Fatal(err)
	}
	u, _ := s.User(ctx, "ed")
	if u.Role != domain.RoleOperator || len(u.Counties) != 2 || u.PasswordHash != "x" {
		t.Errorf("after SetUserAccess: %+v", u)
	}
	if err := s.SetUserAccess(ctx, "ed", domain.RoleEditor, nil); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("editor without county: %v", err)
	}
	if err := s.SetUserAccess(ctx, "ghost", domain.RoleAdmin, nil); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown user: %v", err)
	}
}
