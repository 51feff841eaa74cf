package web

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSignsCreateDisableDownloadPrint(t *testing.T) {
	app, s := consoleApp(t)
	ctx := context.Background()
	b := newBrowser(t, app)
	b.login("luding-editor", testPassword)
	token := b.csrfFrom("/admin/sites/hailuogou/signs")

	// Bad input is shown next to the field, input kept.
	r := b.do("POST", "/admin/sites/hailuogou/signs", url.Values{"_csrf": {token}, "label": {"East gate"}, "code": {"OIL0"}, "installed": {"2026-13-01"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "East gate") || !strings.Contains(r.body, "YYYY-MM-DD") {
		t.Fatalf("bad sign: %d", r.status)
	}
	if r := b.do("POST", "/admin/sites/hailuogou/signs", url.Values{"_csrf": {token}, "code": {"HGK2EN"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "This code is taken") {
		t.Errorf("taken code: %d", r.status)
	}
	r = b.do("POST", "/admin/sites/hailuogou/signs", url.Values{"_csrf": {token}, "label": {"East gate"}, "campaign": {"2026 summer"}, "installed": {"2026-05-01"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create sign: %d %s", r.status, r.body)
	}
	code := strings.TrimSuffix(strings.TrimPrefix(r.header.Get("Location"), "/admin/signs/"), "?done=sign")
	sign, err := s.Sign(ctx, code)
	if err != nil || sign.Label != "East gate" || sign.County != "513322" || !sign.Enabled || len(code) != 6 {
		t.Fatalf("created sign %q: %+v %v", code, sign, err)
	}
	pub := newBrowser(t, app)
	if r := pub.do("GET", "/q/"+code, nil); r.status != 200 || !strings.Contains(r.body, "Hailuogou") {
		t.Fatalf("scan of the new code: %d", r.status)
	}
	// Disabling shows tourists the friendly page at once, never a bare error.
	r = b.do("POST", "/admin/signs/"+code+"/toggle", url.Values{"_csrf": {token}, "back": {"/admin/sites/hailuogou/signs"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/sites/hailuogou/signs" {
		t.Fatalf("toggle: %d %q", r.status, r.header.Get("Location"))
	}
	if r := pub.do("GET", "/q/"+code, nil); r.status == 200 || !strings.Contains(r.body, "Luding") {
		t.Errorf("scan of a disabled code: %d", r.status)
	}
	// Editing keeps code and site.
	r = b.do("POST", "/admin/signs/"+code, url.Values{"_csrf": {token}, "label": {"West gate"}, "enabled": {"1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("edit sign: %d", r.status)
	}
	if sign, _ := s.Sign(ctx, code); sign.Label != "West gate" || !sign.Enabled || sign.Site != "hailuogou" {
		t.Errorf("edited sign: %+v", sign)
	}
	if r := b.do("POST", "/admin/signs/"+code, url.Values{"_csrf": {token}, "label": {strings.Repeat("x", 201)}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("long label: %d", r.status)
	}

	// Downloads: PNG and SVG with the options; bad options are a 400
	// naming the field; pale colours are refused by the contrast check.
	r = b.do("GET", "/admin/signs/"+code+"/qr.png?size=300&margin=2&level=q&fg=0b5d6b&bg=ffffff&download=1", nil)
	if r.status != 200 || r.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(r.body, "\x89PNG") ||
		!strings.Contains(r.header.Get("Content-Disposition"), code+"-Q.png") {
		t.Fatalf("png: %d %q", r.status, r.header.Get("Content-Disposition"))
	}
	if r := b.do("GET", "/admin/signs/"+code+"/qr.svg?level=h", nil); r.status != 200 || !strings.HasPrefix(r.body, "<svg") {
		t.Errorf("svg: %d", r.status)
	}
	for _, q := range []string{"size=10", "margin=99", "level=x", "fg=eeeeee", "fg=zzzzzz"} {
		if r := b.do("GET", "/admin/signs/"+code+"/qr.png?"+q, nil); r.status != http.StatusBadRequest {
			t.Errorf("qr.png?%s: %d", q, r.status)
		}
	}
	if r := b.do("GET", "/admin/signs/"+code+"/qr.gif", nil); r.status != http.StatusNotFound {
		t.Errorf("qr.gif: %d", r.status)
	}

	// The print sheet: level H code, the names in three languages, the
	// code typed out with a short URL, the bureau, its own strict CSP.
	r = b.do("GET", "/admin/signs/HGK2EN/sheet?paper=a5", nil)
	if r.status != 200 {
		t.Fatalf("sheet: %d", r.status)
	}
	for _, want := range []string{"海螺沟", "Hailuogou Glacier", ">HGK2EN<", "localhost/q/HGK2EN", "泸定县文化和旅游局",
		"ལྕགས་ཟམ་རྫོང་", `class="a5"`, "@page a5", "<svg"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("sheet lacks %q", want)
		}
	}
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'sha256-") || strings.Contains(csp, "script-src 'self'") {
		t.Errorf("sheet CSP: %q", csp)
	}

	// The county's batch: PNG and SVG of every enabled sign plus sheets.
	r = b.do("GET", "/admin/counties/513322/signs.zip", nil)
	zr, err := zip.NewReader(bytes.NewReader([]byte(r.body)), int64(len(r.body)))
	if r.status != 200 || err != nil {
		t.Fatalf("signs.zip: %d %v", r.status, err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	for _, want := range []string{"HGK2EN.png", "HGK2EN.svg", "DRAFT2.png", code + ".svg", "sheet-a4.html", "sheet-a5.html"} {
		if !names[want] {
			t.Errorf("signs.zip lacks %s: %v", want, names)
		}
	}
	if names["HGKXFF.png"] {
		t.Error("signs.zip holds a disabled sign")
	}
	// The county list of signs.
	if r := b.do("GET", "/admin/signs?county=513322", nil); r.status != 200 || !strings.Contains(r.body, code) || !strings.Contains(r.body, "HGKXFF") {
		t.Errorf("county signs: %d", r.status)
	}
}
