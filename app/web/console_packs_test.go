package web

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
)

var (
	stashRe    = regexp.MustCompile(`name="stash" value="([0-9a-f]{64})"`)
	mediaSrcRe = regexp.MustCompile(`/media/[a-z0-9._-]+`)
)

// A site with photos and an audio guide, exported from one server as a
// ZIP and imported into another through the console's preview: the second
// server's public page shows the same photos and serves the same audio,
// and the import is in its audit log and revisions.
func TestPackWithMediaMovesBetweenServers(t *testing.T) {
	appA, storeA := consoleApp(t)
	ctx := context.Background()
	a := newBrowser(t, appA)
	a.login("luding-editor", testPassword)
	token := a.csrfFrom("/admin/sites/hailuogou/edit")
	for i, size := range [][2]int{{1800, 1000}, {900, 700}} {
		fields := map[string]string{"_csrf": token, "alt.zh": "冰川", "alt.en": "The glacier", "alt.bo": "གངས་རི"}
		if r := a.upload("/admin/sites/hailuogou/photos", fields, "p.jpg", jpegOf(t, size[0], size[1])); r.status != http.StatusSeeOther {
			t.Fatalf("photo %d: %d", i, r.status)
		}
	}
	mp3 := append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), bytes.Repeat([]byte{0xff, 0xfb, 0x90, 0x64}, 500)...)
	if r := a.upload("/admin/sites/hailuogou/audio/en", map[string]string{"_csrf": token, "transcript": "Welcome to the glacier."}, "g.mp3", mp3); r.status != http.StatusSeeOther {
		t.Fatalf("audio: %d", r.status)
	}
	if r := a.do("POST", "/admin/sites/hailuogou/publish", url.Values{"_csrf": {token}}); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.status)
	}
	siteA, _ := storeA.Site(ctx, "hailuogou")
	r := a.do("GET", "/admin/counties/513322/export.zip", nil)
	if r.status != 200 {
		t.Fatalf("export: %d", r.status)
	}
	zipData := []byte(r.body)
	zr, err := zip.NewReader(bytes.NewReader(zipData), int64(len(zipData)))
	if err != nil {
		t.Fatal(err)
	}
	inZip := map[string]bool{}
	for _, f := range zr.File {
		inZip[f.Name] = true
	}
	var srcs []string
	for _, p := range siteA.Photos {
		for _, z := range p.Sizes {
			srcs = append(srcs, z.Src)
		}
	}
	srcs = append(srcs, siteA.Audio[domain.En].Src)
	for _, src := range srcs {
		if !inZip["media/"+strings.TrimPrefix(src, "/media/")] {
			t.Errorf("the export lacks %s", src)
		}
	}

	// Server B has never seen these files.
	appB, storeB := consoleApp(t)
	if r := newBrowser(t, appB).do("GET", srcs[0], nil); r.status != http.StatusNotFound {
		t.Fatalf("server B already has %s: %d", srcs[0], r.status)
	}
	b := newBrowser(t, appB)
	b.login("admin", testPassword)
	tokB := b.csrfFrom("/admin/content")
	r = b.upload("/admin/import/pack", map[string]string{"_csrf": tokB, "action": "preview"}, "pack.zip", zipData)
	if r.status != 200 || !strings.Contains(r.body, "hailuogou") {
		t.Fatalf("preview: %d %s", r.status, r.body)
	}
	if has, _ := storeB.HasMedia(ctx, strings.TrimPrefix(srcs[0], "/media/")); has {
		t.Fatal("the preview wrote media")
	}
	m := stashRe.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("no apply form in the preview")
	}
	r = b.do("POST", "/admin/import/pack", url.Values{"_csrf": {tokB}, "stash": {m[1]}, "action": {"apply"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("apply: %d %s", r.status, r.body)
	}

	page := newBrowser(t, appB).do("GET", "/s/513322/hailuogou?lang=en", nil)
	if page.status != 200 {
		t.Fatalf("public page on B: %d", page.status)
	}
	shown := map[string]bool{}
	for _, src := range mediaSrcRe.FindAllString(page.body, -1) {
		shown[src] = true
	}
	if !shown[siteA.Photos[0].Src] || !shown[siteA.Audio[domain.En].Src] {
		t.Errorf("B's page does not show A's first photo and audio: %v", shown)
	}
	for _, src := range srcs {
		wantType, want, err := storeA.LoadMedia(ctx, strings.TrimPrefix(src, "/media/"))
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", src, nil)
		resp, err := appB.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !bytes.Equal(got, want) || resp.Header.Get("Content-Type") != wantType {
			t.Errorf("B serves %s: %d %s, %d bytes (want %d)", src, resp.StatusCode, resp.Header.Get("Content-Type"), len(got), len(want))
		}
	}
	siteB, _ := storeB.Site(ctx, "hailuogou")
	if siteB.Audio[domain.En].Transcript != "Welcome to the glacier." || siteB.Photos[1].Alt[domain.Bo] != "གངས་རི" {
		t.Errorf("transcript or alt text lost: %+v", siteB)
	}
	revs, _ := storeB.Revisions(ctx, "hailuogou")
	if len(revs) == 0 || revs[0].User != "admin" {
		t.Errorf("no revision by the importer: %+v", revs)
	}
	entries, _ := storeB.AuditPage(ctx, "", "", 50)
	found := false
	for _, e := range entries {
		found = found || e.Action == "site_import" && e.Object == "hailuogou" && e.User == "admin"
	}
	if !found {
		t.Error("no audit entry for the import")
	}
}

// A pack with several mistakes is refused whole, every mistake listed
// with its file and line; a county editor cannot import another county.
func TestPackImportRefusals(t *testing.T) {
	app, s := consoleApp(t)
	ctx := context.Background()
	b := newBrowser(t, app)
	b.login("luding-editor", testPassword)
	token := b.csrfFrom("/admin/content")
	r := b.do("GET", "/admin/counties/513322/export.zip", nil)
	files := unzipAll(t, []byte(r.body))
	files["sites/hailuogou/site.yaml"] = strings.Replace(files["sites/hailuogou/site.yaml"], "a_level: 5A", "a_level: 9Z", 1)
	files["sites/hailuogou/en.md"] = strings.Replace(files["sites/hailuogou/en.md"], "name:", "name: |\n  two\n  lines\nxname:", 1)
	files["media/p-0123456789abcdef0123-480.jpg"] = "not a photo"
	bad := zipAll(t, files)
	r = b.upload("/admin/import/pack", map[string]string{"_csrf": token, "action": "preview"}, "pack.zip", bad)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad pack: %d", r.status)
	}
	for _, want := range []string{"sites/hailuogou/site.yaml:", "1A to 5A", "sites/hailuogou/en.md", "media/p-0123456789abcdef0123-480.jpg"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the preview does not mention %q", want)
		}
	}
	if stashRe.MatchString(r.body) {
		t.Error("a pack with errors can be applied")
	}
	site, _ := s.Site(ctx, "hailuogou")
	if site.ALevel != "5A" {
		t.Errorf("a_level is now %q", site.ALevel)
	}
	// Kangding's export, imported by Luding's editor.
	admin := newBrowser(t, app)
	admin.login("admin", testPassword)
	kd := admin.do("GET", "/admin/counties/513301/export.zip", nil)
	r = b.upload("/admin/import/pack", map[string]string{"_csrf": token, "action": "preview"}, "pack.zip", []byte(kd.body))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "you may not change") {
		t.Errorf("another county's pack: %d", r.status)
	}
}

func unzipAll(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = string(b)
	}
	return out
}

func zipAll(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		w, _ := zw.Create(name)
		w.Write([]byte(data))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
