package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
)

// siteEditForm is what the editor's form posts for a site as it is.
func siteEditForm(t *testing.T, b *browser, key string) url.Values {
	t.Helper()
	r := b.do("GET", "/admin/sites/"+key+"/edit", nil)
	if r.status != 200 {
		t.Fatalf("edit %s: %d", key, r.status)
	}
	form := url.Values{"_csrf": {csrfRe.FindStringSubmatch(r.body)[1]}}
	for _, m := range inputRe.FindAllStringSubmatch(r.body, -1) {
		form.Set(m[1], htmlUnescape(m[2]))
	}
	for _, m := range textareaRe.FindAllStringSubmatch(r.body, -1) {
		form.Set(m[1], htmlUnescape(m[2]))
	}
	for _, m := range selectedRe.FindAllStringSubmatch(r.body, -1) {
		form.Set(m[1], m[2])
	}
	return form
}

func TestSiteEditDraftPublish(t *testing.T) {
	app, s := consoleApp(t)
	ctx := context.Background()
	b := newBrowser(t, app)
	b.login("luding-editor", testPassword)

	form := siteEditForm(t, b, "hailuogou")
	if form.Get("name.en") != "Hailuogou Glacier" || form.Get("price.0.yuan") != "90" || form.Get("price.1.yuan") != "70.50" ||
		form.Get("altitude_min") != "2850" || form.Get("altitude_max") != "3400" || form.Get("lat") != "29.567" || form.Get("a_level") != "5A" {
		t.Fatalf("the form does not show the site: %v", form)
	}
	form.Set("summary.en", "A glacier park, edited.")
	form.Set("summary.bo", "འཁྱགས་རོམ་གླིང་ག")
	form.Set("price.2.label.zh", "儿童")
	form.Set("price.2.yuan", "¥45.5")
	form.Set("action", "save")
	r := b.do("POST", "/admin/sites/hailuogou", form)
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "done=saved") {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	// Saved as a draft: the public page and the live site are unchanged.
	draft, err := s.Draft(ctx, "hailuogou")
	if err != nil || draft.Summary[domain.En] != "A glacier park, edited." || len(draft.Prices) != 3 || draft.Prices[2].Fen != 4550 {
		t.Fatalf("draft: %+v %v", draft.Prices, err)
	}
	pub := newBrowser(t, app)
	if r := pub.do("GET", "/s/513322/hailuogou?lang=en", nil); strings.Contains(r.body, "edited") {
		t.Fatal("the public page shows the draft before it is published")
	}
	// The preview shows the draft as tourists will see it.
	r = b.do("GET", "/admin/sites/hailuogou/preview?lang=en", nil)
	if r.status != 200 || !strings.Contains(r.body, "A glacier park, edited.") || !strings.Contains(r.body, "Back to the editor") ||
		strings.Contains(r.body, "~preview") || strings.Contains(r.body, "<script") {
		i := strings.Index(r.body, "~preview")
		t.Fatalf("preview: %d %v %q", r.status, strings.Contains(r.body, "Back to the editor"), r.body[max(0, i-300):min(len(r.body), i+100)])
	}
	r = b.do("GET", "/admin/sites/hailuogou/edit", nil)
	if !strings.Contains(r.body, "unpublished draft") || !strings.Contains(r.body, "A glacier park, edited.") {
		t.Error("the editor does not show the draft")
	}
	// Publish: the public page changes at once.
	token := b.csrfFrom("/admin/sites/hailuogou/edit")
	r = b.do("POST", "/admin/sites/hailuogou/publish", url.Values{"_csrf": {token}})
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "done=published") {
		t.Fatalf("publish: %d", r.status)
	}
	if r := pub.do("GET", "/s/513322/hailuogou?lang=en", nil); !strings.Contains(r.body, "A glacier park, edited.") || !strings.Contains(r.body, "45.50") {
		t.Fatalf("the public page does not show the published text: %.1500s", r.body)
	}
	if _, err := s.Draft(ctx, "hailuogou"); err == nil {
		t.Error("the draft survived publishing")
	}
	revs, _ := s.Revisions(ctx, "hailuogou")
	if len(revs) != 1 || revs[0].User != "luding-editor" {
		t.Fatalf("revisions: %+v", revs)
	}
	// The audit log names who changed what, before and after.
	entries, _ := s.AuditPage(ctx, "513322", "", 10)
	found := false
	for _, e := range entries {
		if e.Action == "site_publish" && e.User == "luding-editor" {
			for _, c := range e.Changes {
				if c.Field == "summary.en" && c.Before == "A glacier park." && c.After == "A glacier park, edited." {
					found = true
				}
			}
		}
	}
	if !found {
		t.Errorf("no audit entry with before/after for the publish: %+v", entries)
	}
	admin := newBrowser(t, app)
	admin.login("admin", testPassword)
	if r := admin.do("GET", "/admin/audit", nil); r.status != 200 || !strings.Contains(r.body, "A glacier park, edited.") || !strings.Contains(r.body, "luding-editor") {
		t.Errorf("audit page: %d", r.status)
	}

	// A second edit, published with "Save and publish", then the first
	// revision is restored into the draft and published again.
	form = siteEditForm(t, b, "hailuogou")
	form.Set("summary.en", "Second version.")
	form.Set("action", "publish")
	if r := b.do("POST", "/admin/sites/hailuogou", form); r.status != http.StatusSeeOther {
		t.Fatalf("save and publish: %d", r.status)
	}
	if r := pub.do("GET", "/s/513322/hailuogou?lang=en", nil); !strings.Contains(r.body, "Second version.") {
		t.Fatal("save and publish did not reach the public page")
	}
	r = b.do("GET", "/admin/sites/hailuogou/revisions", nil)
	if r.status != 200 || strings.Count(r.body, "/restore\"") != 1 {
		t.Fatalf("revisions page: %d %d restore buttons", r.status, strings.Count(r.body, "/restore\""))
	}
	revs, _ = s.Revisions(ctx, "hailuogou")
	token = csrfRe.FindStringSubmatch(r.body)[1]
	if r := b.do("POST", "/admin/sites/hailuogou/revisions/"+revs[1].ID+"/restore", url.Values{"_csrf": {token}}); r.status != http.StatusSeeOther {
		t.Fatalf("restore: %d", r.status)
	}
	if d, _ := s.Draft(ctx, "hailuogou"); d.Summary[domain.En] != "A glacier park, edited." {
		t.Fatalf("restore put %q in the draft", d.Summary[domain.En])
	}
	if r := pub.do("GET", "/s/513322/hailuogou?lang=en", nil); !strings.Contains(r.body, "Second version.") {
		t.Fatal("a restore changed the public page before publishing")
	}
	// Discarding the draft brings back the live text in the editor.
	token = b.csrfFrom("/admin/sites/hailuogou/edit")
	if r := b.do("POST", "/admin/sites/hailuogou/discard", url.Values{"_csrf": {token}}); r.status != http.StatusSeeOther {
		t.Fatalf("discard: %d", r.status)
	}
	if r := b.do("GET", "/admin/sites/hailuogou/edit", nil); !strings.Contains(r.body, "Second version.") {
		t.Error("after discarding, the editor does not show the live text")
	}
	// A revision of another site cannot be restored through this one.
	other, _ := s.AddRevision(ctx, domain.Site{Key: "luding-bridge", County: "513322", Name: domain.Text{domain.Zh: "x"}}, "x", revs[0].At)
	if r := b.do("POST", "/admin/sites/hailuogou/revisions/"+other+"/restore", url.Values{"_csrf": {token}}); r.status != http.StatusNotFound {
		t.Errorf("restoring another site's revision: %d", r.status)
	}
	// Hiding the site: its public page is gone.
	if r := b.do("POST", "/admin/sites/hailuogou/unpublish", url.Values{"_csrf": {token}}); r.status != http.StatusSeeOther {
		t.Fatalf("unpublish: %d", r.status)
	}
	if r := pub.do("GET", "/s/513322/hailuogou", nil); r.status != http.StatusNotFound {
		t.Errorf("hidden site: %d", r.status)
	}
}

// Bad input comes back with an error next to each field and everything
// the editor typed still in the form; nothing is saved.
func TestSiteEditValidation(t *testing.T) {
	app, s := consoleApp(t)
	b := newBrowser(t, app)
	b.login("luding-editor", testPassword)
	cases := []struct {
		name   string
		set    map[string]string
		field  string
		errMsg string
	}{
		{"price not a number", map[string]string{"price.0.yuan": "ninety"}, "price.0.yuan", "A price in yuan"},
		{"negative price", map[string]string{"price.1.yuan": "-5"}, "price.1.yuan", "A price in yuan"},
		{"three decimals", map[string]string{"price.0.yuan": "1.005"}, "price.0.yuan", "A price in yuan"},
		{"price too high", map[string]string{"price.0.yuan": "1000001"}, "price.0.yuan", "A price in yuan"},
		{"altitude too high", map[string]string{"altitude_min": "99999"}, "altitude_min", "between 0 and 9000"},
		{"altitude not a number", map[string]string{"altitude_max": "high"}, "altitude_max", "between 0 and 9000"},
		{"altitude order", map[string]string{"altitude_min": "4000", "altitude_max": "3000"}, "altitude_max", "below the lowest"},
		{"lone latitude", map[string]string{"lon": ""}, "lat", "both latitude and longitude"},
		{"latitude range", map[string]string{"lat": "95"}, "lat", "between -90 and 90"},
		{"no Chinese name", map[string]string{"name.zh": ""}, "name.zh", "Chinese name is required"},
		{"name on two lines", map[string]string{"name.en": "Two\nlines"}, "name.en", "One line only"},
		{"A-level date", map[string]string{"a_level_since": "2017/02"}, "a_level_since", "YYYY-MM"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := siteEditForm(t, b, "hailuogou")
			form.Set("summary.en", "Typed but not saved ✓")
			for k, v := range tc.set {
				form.Set(k, v)
			}
			form.Set("action", "save")
			r := b.do("POST", "/admin/sites/hailuogou", form)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.status)
			}
			if !strings.Contains(r.body, tc.errMsg) || !strings.Contains(r.body, "Nothing was saved") {
				t.Errorf("no error message %q", tc.errMsg)
			}
			if !strings.Contains(r.body, `name="`+tc.field+`"`) || !strings.Contains(r.body, "Typed but not saved ✓") {
				t.Error("the form lost the input")
			}
			for k, v := range tc.set {
				if v != "" && !strings.Contains(r.body, htmlEscape(v)) {
					t.Errorf("the bad value %q of %s is not kept", v, k)
				}
			}
			if _, err := s.Draft(context.Background(), "hailuogou"); err == nil {
				t.Error("a draft was saved")
			}
		})
	}
	// Prices typed the way editors type them.
	for in, want := range map[string]int64{"90": 9000, "15.5": 1550, "¥15.50": 1550, "90元": 9000, "0": 0, "1,200": 120000} {
		if got, ok := parseYuan(in); !ok || got != want {
			t.Errorf("parseYuan(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
}

func TestSiteCreateAndTranslations(t *testing.T) {
	app, s := consoleApp(t)
	b := newBrowser(t, app)
	b.login("luding-editor", testPassword)
	token := b.csrfFrom("/admin/sites/new?county=513322")
	// Errors keep the input.
	r := b.do("POST", "/admin/sites", url.Values{"_csrf": {token}, "county": {"513322"}, "key": {"Bad Key"}, "name": {"新景区"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "新景区") {
		t.Fatalf("bad key: %d", r.status)
	}
	if r := b.do("POST", "/admin/sites", url.Values{"_csrf": {token}, "county": {"513322"}, "key": {"hailuogou"}, "name": {"x"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("taken key: %d", r.status)
	}
	if r := b.do("POST", "/admin/sites", url.Values{"_csrf": {token}, "county": {"513301"}, "key": {"new-one"}, "name": {"x"}}); r.status != http.StatusForbidden {
		t.Errorf("site in another county: %d", r.status)
	}
	r = b.do("POST", "/admin/sites", url.Values{"_csrf": {token}, "county": {"513322"}, "key": {"moxi"}, "name": {"磨西古镇"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/sites/moxi/edit?done=created" {
		t.Fatalf("create: %d %q", r.status, r.header.Get("Location"))
	}
	site, err := s.Site(context.Background(), "moxi")
	if err != nil || site.Published {
		t.Fatalf("created site: %+v %v", site, err)
	}
	// A new site misses every core field in English and Tibetan.
	r = b.do("GET", "/admin/sites/moxi/translations", nil)
	if r.status != 200 || !strings.Contains(r.body, "Opening hours") {
		t.Fatalf("site translations: %d", r.status)
	}
	r = b.do("GET", "/admin/counties/513322/translations", nil)
	if r.status != 200 || !strings.Contains(r.body, "磨西古镇") || !strings.Contains(r.body, "Hailuogou Glacier") {
		t.Fatalf("county translations: %d", r.status)
	}
	if got := missingTranslations(site); len(got[domain.En]) != 5 || len(got[domain.Zh]) != 4 {
		t.Errorf("missing: %v", got)
	}
	r = b.do("GET", "/admin/sites?county=513322", nil)
	if !strings.Contains(r.body, "磨西古镇") || !strings.Contains(r.body, "hidden") {
		t.Error("the site list does not show the new hidden site")
	}
}
