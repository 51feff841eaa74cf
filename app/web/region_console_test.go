package web

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
)

// validRegionForm is a complete, valid POST of /admin/region for the
// seeded counties (Garzê's 513322 and 513301).
func validRegionForm(token string) url.Values {
	return url.Values{"_csrf": {token}, "code": {"513300"},
		"name.zh": {"测试藏族自治州"}, "name.en": {"Testland Tibetan Autonomous Prefecture"},
		"short_name.zh": {"测试州"}, "short_name.en": {"Testland"}, "short_name.bo": {"ཚོད་ལྟ།"},
		"bureau.zh": {"测试州文化和旅游局"}, "bureau.en": {"Testland Bureau of Culture and Tourism"},
		"phone": {"0836-1234567"}, "complaint": {"12345"},
		"em_rows": {"3"}, "em.0.number": {"110"}, "em.0.label.en": {"Police"}, "em.0.label.zh": {"报警"},
		"em.1.number": {"0836-9999999"}, "em.1.label.en": {"Mountain rescue"},
		"time_zone": {"Asia/Shanghai"}, "lat": {"30.05"}, "lon": {"101.96"}, "zoom": {"7"},
		"languages": {"zh, en bo"}}
}

func TestRegionConsoleSetUp(t *testing.T) {
	app, s := consoleApp(t)
	ctx := context.Background()
	b := newBrowser(t, app)
	if r := b.login("admin", testPassword); r.status != 303 {
		t.Fatalf("login: %d", r.status)
	}
	home := b.do("GET", "/admin?lang=en", nil).body
	if !strings.Contains(home, `<a href="/admin/region">Set up your region</a>`) {
		t.Fatal("a top-level admin's home lacks the set-up banner while no region is set")
	}
	page := b.do("GET", "/admin/region?lang=en", nil)
	if page.status != 200 || !strings.Contains(page.body, `name="em.0.number" value="120"`) || !strings.Contains(page.body, `name="code" value="513300"`) {
		t.Fatalf("first set-up should start from the counties' prefecture and China's numbers: %d %.2000s", page.status, page.body)
	}

	token := b.csrfFrom("/admin/region")
	r := b.do("POST", "/admin/region", validRegionForm(token))
	if r.status != 303 || r.header.Get("Location") != "/admin/region?done=region" {
		t.Fatalf("save: %d %q %.3000s", r.status, r.header.Get("Location"), r.body)
	}
	got, err := s.Region(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Code != "513300" || got.ShortName[domain.En] != "Testland" || len(got.Emergency) != 2 ||
		got.Emergency[1].Number != "0836-9999999" || got.Map.Zoom != 7 || len(got.Languages) != 3 || got.Languages[2] != domain.Bo {
		t.Fatalf("stored region = %+v", got)
	}
	if done := b.do("GET", "/admin/region?done=region&lang=en", nil).body; !strings.Contains(done, "Saved. The public pages show it now.") {
		t.Error("no confirmation after saving")
	}
	if strings.Contains(b.do("GET", "/admin?lang=en", nil).body, "Set up your region") {
		t.Error("the banner stays after the region is set")
	}

	// The public pages show it at once.
	pub := newBrowser(t, app)
	if body := pub.do("GET", "/?lang=en", nil).body; !strings.Contains(body, "<h1>Testland tourist sites</h1>") ||
		!strings.Contains(body, "Testland culture and tourism · scan and go") {
		t.Errorf("home does not name the region: %.1500s", body)
	}
	site := pub.do("GET", "/s/513322/hailuogou?lang=en", nil).body
	for _, want := range []string{`href="tel:110"`, "Police", `href="tel:0836-9999999"`, "Mountain rescue", `href="tel:12345"`,
		`href="tel:0836-1234567"`, "Testland Bureau of Culture and Tourism"} {
		if !strings.Contains(site, want) {
			t.Errorf("site page lacks %q", want)
		}
	}
	if strings.Contains(site, `href="tel:119"`) {
		t.Error("site page shows a number the region does not list")
	}

	// Audited with before and after.
	entries, err := s.AuditPage(ctx, "", "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 || entries[0].Action != "region_save" || entries[0].User != "admin" {
		t.Fatalf("audit = %+v", entries)
	}
	changed := map[string]domain.FieldChange{}
	for _, c := range entries[0].Changes {
		changed[c.Field] = c
	}
	if c := changed["short_name.en"]; c.After != "Testland" || c.Before != "" {
		t.Errorf("audit short_name.en = %+v", c)
	}

	// A second save records only what changed, before and after.
	token = b.csrfFrom("/admin/region")
	form := validRegionForm(token)
	form.Set("short_name.en", "Testland II")
	form.Set("em.0.remove", "1")
	if r := b.do("POST", "/admin/region", form); r.status != 303 {
		t.Fatalf("second save: %d", r.status)
	}
	got, _ = s.Region(ctx)
	if len(got.Emergency) != 1 || got.Emergency[0].Number != "0836-9999999" {
		t.Errorf("removing a row: emergency = %+v", got.Emergency)
	}
	entries, _ = s.AuditPage(ctx, "", "", 1)
	changed = map[string]domain.FieldChange{}
	for _, c := range entries[0].Changes {
		changed[c.Field] = c
	}
	if c := changed["short_name.en"]; c.Before != "Testland" || c.After != "Testland II" || len(changed) != 2 {
		t.Errorf("second audit = %+v", entries[0].Changes)
	}
	if body := pub.do("GET", "/?lang=en", nil).body; !strings.Contains(body, "Testland II tourist sites") {
		t.Error("an edit is not on the home page at once")
	}
}

func TestRegionConsoleBadInputs(t *testing.T) {
	app, s := consoleApp(t)
	b := newBrowser(t, app)
	if r := b.login("admin", testPassword); r.status != 303 {
		t.Fatalf("login: %d", r.status)
	}
	token := b.csrfFrom("/admin/region")
	cases := []struct {
		name       string
		set        map[string]string
		lang, want string
		field      string // the input marked invalid
	}{
		{"bad code", map[string]string{"code": "5133"}, "en", "Not a GB/T 2260 code (six digits).", `name="code" value="5133" inputmode="numeric" size="8" maxlength="6" required aria-invalid="true"`},
		{"bad code zh", map[string]string{"code": "abc"}, "zh", "不是有效的行政区划代码（六位数字）。", `name="code"`},
		{"counties outside", map[string]string{"code": "513200"}, "en", "These counties are outside this code: 513301, 513322", `name="code"`},
		{"no name", map[string]string{"name.zh": "", "name.en": ""}, "en", "Give the full name in one language at least.", ""},
		{"bad zone", map[string]string{"time_zone": "Mars/Olympus"}, "en", "Unknown time zone: use an IANA name such as Asia/Shanghai.", `name="time_zone" value="Mars/Olympus" placeholder="Asia/Shanghai" size="24" aria-invalid="true"`},
		{"local zone", map[string]string{"time_zone": "Local"}, "bo", "དུས་ཚོད་ཁུལ་མི་ཤེས།", ""},
		{"bad language", map[string]string{"languages": "zh xx"}, "en", "Unknown or repeated language: xx.", `name="languages" value="zh xx"`},
		{"repeated language", map[string]string{"languages": "zh en zh"}, "en", "Unknown or repeated language: zh.", ""},
		{"row without number", map[string]string{"em.1.number": ""}, "en", "This row has a label but no number.", ""},
		{"bad phone", map[string]string{"phone": "call us"}, "en", "A phone number has digits, spaces,", ""},
		{"bad row number", map[string]string{"em.0.number": "11O"}, "en", "A phone number has digits, spaces,", ""},
		{"bad map", map[string]string{"lat": "99"}, "en", "Latitude −90…90", ""},
		{"map not a number", map[string]string{"zoom": "far"}, "en", "Latitude −90…90", ""},
		{"missing logo", map[string]string{"logo": "media/nope.png"}, "en", "There is no such media file.", ""},
		{"logo path", map[string]string{"logo": "../etc/passwd"}, "en", "There is no such media file.", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := validRegionForm(token)
			for k, v := range tc.set {
				form.Set(k, v)
			}
			r := b.do("POST", "/admin/region?lang="+tc.lang, form)
			if r.status != 422 {
				t.Fatalf("status %d, want 422", r.status)
			}
			if !strings.Contains(r.body, tc.want) {
				t.Errorf("page lacks %q", tc.want)
			}
			if !strings.Contains(r.body, `class="field-error"`) {
				t.Error("no error next to a field")
			}
			if tc.field != "" && !strings.Contains(r.body, tc.field) {
				t.Errorf("page lacks %s", tc.field)
			}
			// What was typed comes back.
			if !strings.Contains(r.body, `value="Testland Bureau of Culture and Tourism"`) {
				t.Error("the form lost what was typed")
			}
			if _, err := s.Region(context.Background()); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("a refused form stored a region (err %v)", err)
			}
		})
	}
}

// Adding an emergency row needs no JavaScript and saves nothing.
func TestRegionConsoleAddRow(t *testing.T) {
	app, s := consoleApp(t)
	b := newBrowser(t, app)
	b.login("admin", testPassword)
	form := validRegionForm(b.csrfFrom("/admin/region"))
	form.Set("add_row", "1")
	r := b.do("POST", "/admin/region", form)
	if r.status != 200 || !strings.Contains(r.body, `name="em.3.number"`) || strings.Contains(r.body, `name="em.4.number"`) ||
		!strings.Contains(r.body, `name="em_rows" value="4"`) || !strings.Contains(r.body, `value="0836-9999999"`) {
		t.Fatalf("add row: %d %.3000s", r.status, r.body)
	}
	if _, err := s.Region(context.Background()); !errors.Is(err, domain.ErrNotFound) {
		t.Error("adding a row saved the region")
	}
}

// Only an admin of the whole region opens the page or sees the link.
func TestRegionConsoleAccess(t *testing.T) {
	app, s := consoleApp(t)
	createUsers(t, s, testUser{"luding-admin", domain.RoleAdmin, []string{"513322"}})
	for _, user := range []string{"luding-admin", "luding-editor", "luding-operator"} {
		b := newBrowser(t, app)
		if r := b.login(user, testPassword); r.status != 303 {
			t.Fatalf("%s: login %d", user, r.status)
		}
		home := b.do("GET", "/admin", nil).body
		if strings.Contains(home, `href="/admin/region"`) {
			t.Errorf("%s: sees the region link or banner", user)
		}
		if r := b.do("GET", "/admin/region", nil); r.status != 403 {
			t.Errorf("%s: GET /admin/region = %d, want 403", user, r.status)
		}
		token := b.csrfFrom("/admin/password")
		if r := b.do("POST", "/admin/region", validRegionForm(token)); r.status != 403 {
			t.Errorf("%s: POST /admin/region = %d, want 403", user, r.status)
		}
	}
	if _, err := s.Region(context.Background()); !errors.Is(err, domain.ErrNotFound) {
		t.Error("a refused user stored a region")
	}
	b := newBrowser(t, app)
	b.login("admin", testPassword)
	home := b.do("GET", "/admin", nil).body
	nav := home[strings.Index(home, "console-nav"):]
	if !strings.Contains(nav[:strings.Index(nav, "</nav>")], `href="/admin/region"`) {
		t.Error("the top-level admin's menu lacks the region link")
	}
}

// chinaZone is the zone older tests compute expected times in; code uses
// domain.ChinaTime, which serve may set to the region's zone at start-up.
var chinaZone = domain.ChinaTime

// The region's logo is checked when saved and is the default of counties
// without their own: their sheets carry it; a county's own logo wins.
func TestRegionLogoIsTheDefault(t *testing.T) {
	app, s := consoleApp(t)
	ctx := context.Background()
	if err := s.SaveMedia(ctx, "region-logo.png", "image/png", logoPNG(t)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveMedia(ctx, "not-a-logo.png", "image/png", []byte("GIF89a")); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	b.login("admin", testPassword)
	if strings.Contains(b.do("GET", "/admin/signs/HGK2EN/sheet", nil).body, "data:image/png;base64,") {
		t.Fatal("a sheet has a logo before anyone set one")
	}
	form := validRegionForm(b.csrfFrom("/admin/region"))
	form.Set("logo", "media/not-a-logo.png")
	if r := b.do("POST", "/admin/region?lang=en", form); r.status != 422 || !strings.Contains(r.body, `name="logo" value="media/not-a-logo.png" size="40" aria-invalid="true"`) {
		t.Errorf("a file that is no logo: %d", r.status)
	}
	form.Set("logo", "media/region-logo.png")
	if r := b.do("POST", "/admin/region", form); r.status != 303 {
		t.Fatalf("save with logo: %d %.2000s", r.status, r.body)
	}
	if !strings.Contains(b.do("GET", "/admin/signs/HGK2EN/sheet", nil).body, "data:image/png;base64,") {
		t.Error("the sheet of a county without a logo lacks the region's")
	}
	// The region's map centre is the hint for a site's coordinates.
	if r := b.do("GET", "/admin/sites/hailuogou/edit", nil); !strings.Contains(r.body, `placeholder="30.0500"`) || !strings.Contains(r.body, `placeholder="101.9600"`) {
		t.Error("the site editor does not hint the region's map centre")
	}
}
