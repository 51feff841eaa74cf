package web

import (
	"archive/zip"
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
)

func decodeQR(t *testing.T, data []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return err.Error()
	}
	return res.GetText()
}

func logoPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 96, 96))
	for y := 0; y < 96; y++ {
		for x := 0; x < 96; x++ {
			img.Set(x, y, color.RGBA{0xa0, uint8(x * 2), 0x20, 0xff})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

// The bureau uploads its logo once; downloads with the box ticked, the
// sheets and the county ZIP carry it, and every code still decodes.
// Colours come from <input type=color> with their '#'; a light-on-dark
// code is refused unless forced.
func TestSignLogoAndColours(t *testing.T) {
	app, _ := consoleApp(t)
	b := newBrowser(t, app)
	b.login("luding-editor", testPassword)
	token := b.csrfFrom("/admin/counties/513322/logo")
	if r := b.upload("/admin/counties/513322/logo", map[string]string{"_csrf": token}, "logo.png", []byte("GIF89a not a logo")); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "PNG or JPEG") {
		t.Errorf("bad logo: %d", r.status)
	}
	if r := b.upload("/admin/counties/513301/logo", map[string]string{"_csrf": token}, "logo.png", logoPNG(t)); r.status != http.StatusForbidden {
		t.Errorf("another county's logo: %d", r.status)
	}
	if r := b.upload("/admin/counties/513322/logo", map[string]string{"_csrf": token}, "logo.png", logoPNG(t)); r.status != http.StatusSeeOther {
		t.Fatalf("logo: %d %s", r.status, r.body)
	}
	want := "http://localhost/q/HGK2EN"
	plain := b.do("GET", "/admin/signs/HGK2EN/qr.png?size=512&level=l", nil)
	withLogo := b.do("GET", "/admin/signs/HGK2EN/qr.png?size=512&level=l&logo=1&fg=%23000080&bg=%23ffffff", nil)
	if withLogo.status != 200 || plain.body == withLogo.body {
		t.Fatalf("logo download: %d", withLogo.status)
	}
	for name, r := range map[string]resp{"plain": plain, "logo": withLogo} {
		if got := decodeQR(t, []byte(r.body)); got != want {
			t.Errorf("%s code decodes as %q", name, got)
		}
	}
	if r := b.do("GET", "/admin/signs/HGK2EN/qr.svg?logo=1", nil); !strings.Contains(r.body, "data:image/png;base64,") {
		t.Error("the SVG has no logo")
	}
	if r := b.do("GET", "/admin/signs/HGK2EN/qr.png?fg=ffffff&bg=000000", nil); r.status != http.StatusBadRequest || !strings.Contains(r.body, "scanners cannot read") {
		t.Errorf("inverted code: %d", r.status)
	}
	if r := b.do("GET", "/admin/signs/HGK2EN/qr.png?fg=ffffff&bg=000000&force=1", nil); r.status != 200 {
		t.Errorf("forced inverted code: %d", r.status)
	}
	if r := b.do("GET", "/admin/signs/HGK2EN/sheet", nil); !strings.Contains(r.body, "data:image/png;base64,") {
		t.Error("the sheet has no logo")
	}
	z := b.do("GET", "/admin/counties/513322/signs.zip", nil)
	zr, err := zip.NewReader(strings.NewReader(z.body), int64(len(z.body)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "HGK2EN.png" {
			rc, _ := f.Open()
			data, _ := io.ReadAll(rc)
			rc.Close()
			if got := decodeQR(t, data); got != want {
				t.Errorf("ZIP code decodes as %q", got)
			}
		}
	}
	if r := b.do("GET", "/admin/signs/HGK2EN", nil); !strings.Contains(r.body, `type="color"`) || !strings.Contains(r.body, `name="logo"`) {
		t.Error("the download form has no colour inputs or logo box")
	}
}
