package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
)

// postMultipart posts the editor's whole form with files, as a browser
// does when the form has enctype=multipart/form-data.
func postMultipart(t *testing.T, b *browser, path string, fields url.Values, files map[string][]byte) resp {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for name, data := range files {
		fw, _ := mw.CreateFormFile(name, "upload.bin")
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept-Language", "en")
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := b.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: string(raw)}
}

// Text typed in the editor survives an upload: the photo and the audio
// guide go with the form, the texts are saved first, and a refused file
// leaves the texts saved and shown.
func TestEditorUploadKeepsTypedText(t *testing.T) {
	app, s := consoleApp(t)
	ctx := context.Background()
	b := newBrowser(t, app)
	b.login("luding-editor", testPassword)
	form := siteEditForm(t, b, "hailuogou")
	form.Set("summary.en", "Typed before the upload.")
	form.Set("new_photo.alt.en", "The glacier tongue")
	form.Set("audio.en.transcript", "Welcome.")
	form.Set("action", "save")
	mp3 := append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), make([]byte, 500)...)
	r := postMultipart(t, b, "/admin/sites/hailuogou", form, map[string][]byte{"new_photo": jpegOf(t, 800, 600), "audio.en.file": mp3})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save with files: %d %s", r.status, r.body)
	}
	d, err := s.Draft(ctx, "hailuogou")
	if err != nil || d.Summary[domain.En] != "Typed before the upload." || len(d.Photos) != 1 || d.Photos[0].Alt[domain.En] != "The glacier tongue" {
		t.Fatalf("draft after save with a photo: %+v %v", d.Photos, err)
	}
	if a := d.Audio[domain.En]; a.Type != "audio/mpeg" || a.Transcript != "Welcome." {
		t.Errorf("audio guide: %+v", a)
	}

	// A text file as a photo: refused, the new text kept and saved.
	form = siteEditForm(t, b, "hailuogou")
	form.Set("summary.en", "Typed before a bad upload.")
	form.Set("action", "save")
	r = postMultipart(t, b, "/admin/sites/hailuogou", form, map[string][]byte{"new_photo": []byte("not a photo at all")})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Typed before a bad upload.") || !strings.Contains(r.body, "not a JPEG, PNG or WebP") {
		t.Fatalf("bad photo: %d", r.status)
	}
	if d, _ := s.Draft(ctx, "hailuogou"); d.Summary[domain.En] != "Typed before a bad upload." || len(d.Photos) != 1 {
		t.Errorf("the draft after a refused photo: %q, %d photos", d.Summary[domain.En], len(d.Photos))
	}
}

// Previewing in Tibetan leaves the console in the editor's language.
func TestPreviewKeepsConsoleLanguage(t *testing.T) {
	app, _ := consoleApp(t)
	b := newBrowser(t, app)
	b.login("luding-editor", testPassword)
	if r := b.do("GET", "/admin/sites/hailuogou/edit?lang=en", nil); r.status != 200 {
		t.Fatal(r.status)
	}
	r := b.do("GET", "/admin/sites/hailuogou/preview?in=bo", nil)
	if r.status != 200 || !strings.Contains(r.body, `<html lang="bo">`) {
		t.Fatalf("preview in bo: %d", r.status)
	}
	if strings.Contains(r.body, "preview?lang=") {
		t.Error("the preview's language links would change the console's language")
	}
	if b.cookies[langCookie] != "en" {
		t.Errorf("language cookie after a preview: %q", b.cookies[langCookie])
	}
	r = b.do("GET", "/admin/sites/hailuogou/edit", nil)
	if !strings.Contains(r.body, "Save draft") {
		t.Error("the console is no longer in English after a Tibetan preview")
	}
}

// A crafted post with an A-level the select does not offer is refused by
// the same rule the imports apply.
func TestEditorRefusesUnknownALevel(t *testing.T) {
	app, s := consoleApp(t)
	b := newBrowser(t, app)
	b.login("luding-editor", testPassword)
	form := siteEditForm(t, b, "hailuogou")
	form.Set("a_level", "9Z")
	form.Set("action", "save")
	r := b.do("POST", "/admin/sites/hailuogou", form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "1A to 5A") {
		t.Errorf("a_level 9Z: %d", r.status)
	}
	if _, err := s.Draft(context.Background(), "hailuogou"); err == nil {
		t.Error("a draft was saved")
	}
}
