package web

import (
	"archive/zip"
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/yimayou/yimayou/app/domain"
)

func TestCSVImportPreviewThenApply(t *testing.T) {
	app, s := consoleApp(t)
	ctx := context.Background()
	b := newBrowser(t, app)
	b.login("luding-editor", testPassword)
	token := b.csrfFrom("/admin/content")

	// One bad row: nothing is written, every error has its line.
	bad := "key,county,name_zh,name_en,altitude_min,prices\n" +
		"moxi,513322,磨西古镇,Moxi,1600,门票=0\n" +
		"bad row,513322,坏,Bad,abc,门票=x\n" +
		"yading,513301,稻城亚丁,,,\n"
	r := b.upload("/admin/import", map[string]string{"_csrf": token, "action": "preview"}, "sites.csv", []byte(bad))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "nothing was imported") {
		t.Fatalf("bad csv: %d", r.status)
	}
	for _, want := range []string{"<td>3</td>", "lower-case letters", "<td>4</td>", "You may not change sites of county 513301"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("bad csv page lacks %q", want)
		}
	}
	if strings.Contains(r.body, `value="apply"`) {
		t.Error("an import with errors offers to apply")
	}
	if _, err := s.Site(ctx, "moxi"); err == nil {
		t.Fatal("a bad file wrote a site")
	}

	// GBK, as Excel saves it: read as Chinese, previewed, then applied.
	good := "key,county,name_zh,name_en,summary_zh,hours_zh,altitude_min,altitude_max,a_level,lat,lon,prices,published\n" +
		"moxi,513322,磨西古镇,Moxi Old Town,红军长征经过的古镇。,全天开放,1600,,,29.65,102.11,门票=0,是\n" +
		"hailuogou,,,,,07:00-17:00,,,,,,门票=90; 观光车=70.5,\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(good)
	if err != nil {
		t.Fatal(err)
	}
	r = b.upload("/admin/import", map[string]string{"_csrf": token, "action": "preview"}, "sites.csv", []byte(gbk))
	if r.status != 200 || !strings.Contains(r.body, "GB18030") || !strings.Contains(r.body, "1 new, 1 changed, 0 unchanged") ||
		!strings.Contains(r.body, "磨西古镇") || !strings.Contains(r.body, "hours_zh") {
		t.Fatalf("gbk preview: %d %.3000s", r.status, r.body)
	}
	if _, err := s.Site(ctx, "moxi"); err == nil {
		t.Fatal("the preview wrote a site")
	}
	payload := payloadRe.FindStringSubmatch(r.body)
	if payload == nil {
		t.Fatal("no apply form")
	}
	r = b.do("POST", "/admin/import", url.Values{"_csrf": {token}, "payload": {htmlUnescape(payload[1])}, "action": {"apply"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("apply: %d %s", r.status, r.body)
	}
	moxi, err := s.Site(ctx, "moxi")
	if err != nil || moxi.Name[domain.Zh] != "磨西古镇" || moxi.Summary[domain.Zh] != "红军长征经过的古镇。" || !moxi.Published ||
		moxi.AltitudeMin != 1600 || moxi.AltitudeMax != 1600 || moxi.Location == nil || len(moxi.Prices) != 1 || moxi.Prices[0].Fen != 0 {
		t.Fatalf("imported site: %+v %v", moxi, err)
	}
	hlg, _ := s.Site(ctx, "hailuogou")
	if hlg.Hours[domain.Zh] != "07:00-17:00" || hlg.Name[domain.En] != "Hailuogou Glacier" || len(hlg.Prices) != 2 || hlg.Prices[1].Fen != 7050 {
		t.Errorf("updated site: %+v", hlg)
	}
	pub := newBrowser(t, app)
	if r := pub.do("GET", "/s/513322/moxi", nil); r.status != 200 || !strings.Contains(r.body, "Moxi Old Town") {
		t.Errorf("the imported site is not public at once: %d", r.status)
	}
	// UTF-8 with a byte-order mark works too.
	bom := "\xef\xbb\xbfkey,name_en\nmoxi,Moxi\n"
	r = b.upload("/admin/import", map[string]string{"_csrf": token}, "bom.csv", []byte(bom))
	if r.status != 200 || !strings.Contains(r.body, "UTF-8 BOM") || !strings.Contains(r.body, "0 new, 1 changed") {
		t.Errorf("bom csv: %d", r.status)
	}
	// Not a file at all.
	if r := b.upload("/admin/import", map[string]string{"_csrf": token}, "", nil); r.status != http.StatusBadRequest {
		t.Errorf("no file: %d", r.status)
	}
}

var payloadRe = regexp2(`name="payload" value="([^"]+)"`)

func TestExportCountyZIP(t *testing.T) {
	app, _ := consoleApp(t)
	b := newBrowser(t, app)
	b.login("luding-editor", testPassword)
	r := b.do("GET", "/admin/counties/513322/export.zip", nil)
	if r.status != 200 || r.header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export: %d", r.status)
	}
	zr, err := zip.NewReader(bytes.NewReader([]byte(r.body)), int64(len(r.body)))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	for _, want := range []string{"counties.yaml", "sites/hailuogou/site.yaml", "sites/hailuogou/en.md", "sites/draft-site/site.yaml"} {
		if !names[want] {
			t.Errorf("export lacks %s: %v", want, names)
		}
	}
	if names["sites/yading/site.yaml"] {
		t.Error("the export of Luding holds a Kangding site")
	}
}

// jpegOf makes a real photo-sized JPEG.
func jpegOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPhotoAndAudioUpload(t *testing.T) {
	app, s := consoleApp(t)
	ctx := context.Background()
	b := newBrowser(t, app)
	b.login("luding-editor", testPassword)
	token := b.csrfFrom("/admin/sites/hailuogou/edit")
	fields := map[string]string{"_csrf": token, "alt.zh": "冰川", "alt.en": "The glacier"}

	// A ZIP renamed .png is refused by its content.
	zipBytes := []byte("PK\x03\x04" + strings.Repeat("\x00", 600))
	if r := b.upload("/admin/sites/hailuogou/photos", fields, "photo.png", zipBytes); r.status != http.StatusBadRequest || !strings.Contains(r.body, "not a JPEG, PNG or WebP") {
		t.Errorf("zip as png: %d", r.status)
	}
	// Over the photo limit but under the request limit: a clear message.
	if r := b.upload("/admin/sites/hailuogou/photos", fields, "big.jpg", append(jpegOf(t, 400, 400), make([]byte, 7<<20)...)); r.status != http.StatusBadRequest || !strings.Contains(r.body, "larger than 7 MB") {
		t.Errorf("oversized photo: %d", r.status)
	}
	// Over the request limit: the server refuses the body before any
	// handler runs (a 413 on a real connection; app.Test reports it as an
	// error).
	if status, err := b.tryUpload("/admin/sites/hailuogou/photos", fields, "huge.jpg", make([]byte, 9<<20)); err == nil && status != http.StatusRequestEntityTooLarge ||
		err != nil && !strings.Contains(err.Error(), "body size exceeds") {
		t.Errorf("huge upload: %d %v", status, err)
	}
	if r := b.upload("/admin/sites/hailuogou/photos", fields, "tiny.jpg", jpegOf(t, 100, 80)); r.status != http.StatusBadRequest {
		t.Errorf("tiny photo: %d", r.status)
	}
	r := b.upload("/admin/sites/hailuogou/photos", fields, "glacier.jpg", jpegOf(t, 2000, 1000))
	if r.status != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	draft, err := s.Draft(ctx, "hailuogou")
	if err != nil || len(draft.Photos) != 1 {
		t.Fatalf("draft photos: %+v %v", draft.Photos, err)
	}
	p := draft.Photos[0]
	if p.Width != 1600 || p.Height != 800 || len(p.Sizes) != 3 || p.Sizes[0].Width != 480 || p.Alt[domain.En] != "The glacier" {
		t.Fatalf("photo: %+v", p)
	}
	pub := newBrowser(t, app)
	r = pub.do("GET", p.Sizes[0].Src, nil)
	if r.status != 200 || r.header.Get("Content-Type") != "image/jpeg" || !strings.Contains(r.header.Get("Cache-Control"), "immutable") {
		t.Fatalf("media: %d %v", r.status, r.header)
	}
	if cfg, _, err := image.DecodeConfig(strings.NewReader(r.body)); err != nil || cfg.Width != 480 || cfg.Height != 240 {
		t.Errorf("the 480 rendition is %+v %v", cfg, err)
	}
	if r := pub.do("GET", "/media/nope.jpg", nil); r.status != http.StatusNotFound {
		t.Errorf("missing media: %d", r.status)
	}

	// Audio: sniffed, not trusted by name.
	if r := b.upload("/admin/sites/hailuogou/audio/en", map[string]string{"_csrf": token}, "guide.mp3", []byte("this is text, not audio")); r.status != http.StatusBadRequest || !strings.Contains(r.body, "not an MP3") {
		t.Errorf("fake mp3: %d", r.status)
	}
	if r := b.upload("/admin/sites/hailuogou/audio/xx", map[string]string{"_csrf": token}, "guide.mp3", []byte("ID3")); r.status != http.StatusNotFound {
		t.Errorf("unknown language: %d", r.status)
	}
	mp3 := append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), make([]byte, 2000)...)
	r = b.upload("/admin/sites/hailuogou/audio/en", map[string]string{"_csrf": token, "transcript": "Welcome to the glacier."}, "guide.mp3", mp3)
	if r.status != http.StatusSeeOther {
		t.Fatalf("audio: %d %s", r.status, r.body)
	}
	draft, _ = s.Draft(ctx, "hailuogou")
	if a := draft.Audio[domain.En]; a.Type != "audio/mpeg" || a.Transcript != "Welcome to the glacier." || len(draft.Photos) != 1 {
		t.Fatalf("audio guide: %+v", draft.Audio)
	}
	// The transcript alone can change, keeping the file.
	r = b.upload("/admin/sites/hailuogou/audio/en", map[string]string{"_csrf": token, "transcript": "New words."}, "", nil)
	if d, _ := s.Draft(ctx, "hailuogou"); r.status != http.StatusSeeOther || d.Audio[domain.En].Transcript != "New words." || d.Audio[domain.En].Src != draft.Audio[domain.En].Src {
		t.Errorf("transcript only: %d %+v", r.status, d.Audio)
	}
	// Published, the public page shows the resized photo with its srcset.
	b.do("POST", "/admin/sites/hailuogou/publish", url.Values{"_csrf": {token}})
	r = pub.do("GET", "/s/513322/hailuogou?lang=en", nil)
	if !strings.Contains(r.body, p.Src) || !strings.Contains(r.body, "480w") || !strings.Contains(r.body, `alt="The glacier"`) {
		t.Errorf("public page lacks the photo: %.4000s", r.body)
	}
	// Alt text edited in the form, photo removed by its checkbox.
	form := siteEditForm(t, b, "hailuogou")
	if form.Get("photo.0.alt.en") != "The glacier" {
		t.Fatalf("photo alt not in the form: %v", form)
	}
	form.Set("photo.0.alt.bo", "འཁྱགས་རོམ།")
	form.Set("action", "save")
	b.do("POST", "/admin/sites/hailuogou", form)
	if d, _ := s.Draft(ctx, "hailuogou"); len(d.Photos) != 1 || d.Photos[0].Alt[domain.Bo] != "འཁྱགས་རོམ།" {
		t.Errorf("alt edit: %+v", d.Photos)
	}
	form.Set("photo.0.remove", "1")
	b.do("POST", "/admin/sites/hailuogou", form)
	if d, _ := s.Draft(ctx, "hailuogou"); len(d.Photos) != 0 {
		t.Errorf("photo not removed: %+v", d.Photos)
	}
}

func TestAlertsPostedByEditors(t *testing.T) {
	app, s := consoleApp(t)
	b := newBrowser(t, app)
	b.login("luding-editor", testPassword)
	token := b.csrfFrom("/admin/alerts")
	now := time.Now().In(chinaZone)
	start := now.Add(-time.Minute).Format(localInput)
	// Only admins post for the whole prefecture.
	if r := b.do("POST", "/admin/alerts", url.Values{"_csrf": {token}, "county": {""}, "level": {"danger"}, "text.zh": {"全州暴雪"}, "starts": {start}}); r.status != http.StatusForbidden {
		t.Errorf("prefecture alert by an editor: %d", r.status)
	}
	r := b.do("POST", "/admin/alerts", url.Values{"_csrf": {token}, "county": {"513322"}, "level": {"warning"}, "text.en": {"Snow"}, "starts": {start}, "ends": {now.Add(-time.Hour).Format(localInput)}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Snow") {
		t.Errorf("bad alert: %d", r.status)
	}
	r = b.do("POST", "/admin/alerts", url.Values{"_csrf": {token}, "county": {"513322"}, "level": {"warning"}, "text.zh": {"国道318线泸定段封闭"},
		"text.en": {"G318 closed near Luding"}, "starts": {start}, "ends": {now.Add(24 * time.Hour).Format(localInput)}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("alert: %d %s", r.status, r.body)
	}
	active, _ := s.ActiveAlertsIn(context.Background(), "513322", time.Now())
	if len(active) != 1 || active[0].Text[domain.En] != "G318 closed near Luding" {
		t.Fatalf("active: %+v", active)
	}
	pub := newBrowser(t, app)
	if r := pub.do("GET", "/s/513322/hailuogou?lang=en", nil); !strings.Contains(r.body, "G318 closed near Luding") {
		t.Error("the public page does not show the banner")
	}
	other := newBrowser(t, app)
	other.login("kangding-editor", testPassword)
	ot := other.csrfFrom("/admin/alerts")
	if r := other.do("GET", "/admin/alerts", nil); strings.Contains(r.body, "G318") {
		t.Error("an editor of another county sees the banner in the console")
	}
	if r := other.do("POST", "/admin/alerts/"+active[0].ID+"/delete", url.Values{"_csrf": {ot}}); r.status != http.StatusForbidden {
		t.Errorf("withdraw by another county: %d", r.status)
	}
	if r := b.do("POST", "/admin/alerts/"+active[0].ID+"/delete", url.Values{"_csrf": {token}}); r.status != http.StatusSeeOther {
		t.Errorf("withdraw: %d", r.status)
	}
}
