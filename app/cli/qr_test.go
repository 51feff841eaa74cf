package cli

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"image"
	_ "image/png"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/yimayou/yimayou/app/content"
	demo "github.com/yimayou/yimayou/content"
)

func importDemo(t *testing.T, data string) content.Pack {
	t.Helper()
	packDir := filepath.Join(t.TempDir(), "pack")
	pack, err := content.Load(demo.FS)
	if err != nil {
		t.Fatal(err)
	}
	if err := content.Write(packDir, pack); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := run(t, data, "", "import", packDir); code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	return pack
}

func TestQRExportCounty(t *testing.T) {
	data := t.TempDir()
	pack := importDemo(t, data)
	var want []string
	for _, g := range pack.County("513322").Signs {
		if g.Enabled {
			want = append(want, g.Code)
		}
	}
	if len(want) == 0 {
		t.Fatal("the demo pack has no enabled sign in Luding")
	}
	out := filepath.Join(t.TempDir(), "luding.zip")
	code, stdout, errOut := run(t, data, "", "qr", "export", "--county", "513322", "--out", out, "--allow-local")
	if code != 0 || !strings.Contains(stdout, "wrote "+out) {
		t.Fatalf("qr export: %d %q %q", code, stdout, errOut)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	for _, c := range want {
		if !names[c+".png"] || !names[c+".svg"] {
			t.Errorf("the ZIP lacks %s: %v", c, names)
		}
	}
	if !names["sheet-a4.html"] || !names["sheet-a5.html"] || len(names) != 2*len(want)+2 {
		t.Errorf("ZIP files: %v", names)
	}
	for _, args := range [][]string{{"qr"}, {"qr", "export"}, {"qr", "export", "--county", "12"}, {"qr", "export", "--county", "513322", "--lang", "fr"}} {
		if code, _, _ := run(t, data, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, errOut := run(t, data, "", "qr", "export", "--county", "513399", "--allow-local"); code != 1 || !strings.Contains(errOut, "513399") {
		t.Errorf("unknown county: %d %q", code, errOut)
	}
}

// signs list --csv defuses a label a spreadsheet would run as a formula;
// the table shows it as typed.
func TestSignsListCSVDefusesFormulas(t *testing.T) {
	const evil = `-2+3+cmd|' /C calc'!A0`
	data := t.TempDir()
	packDir := filepath.Join(t.TempDir(), "pack")
	pack, err := content.Load(demo.FS)
	if err != nil {
		t.Fatal(err)
	}
	planted := ""
	for i, g := range pack.Signs {
		if g.County == "513322" {
			pack.Signs[i].Label, planted = evil, g.Code
			break
		}
	}
	if err := content.Write(packDir, pack); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := run(t, data, "", "import", packDir); code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	code, out, _ := run(t, data, "", "signs", "list", "--county", "513322", "--csv", "--allow-local")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil {
		t.Fatalf("csv: %d %v", code, err)
	}
	found := false
	for _, r := range rows {
		if r[0] == planted {
			found = r[4] == "'"+evil
		}
	}
	if !found {
		t.Errorf("sign %s's label not defused: %q", planted, out)
	}
	if _, out, _ := run(t, data, "", "signs", "list", "--county", "513322", "--allow-local"); !strings.Contains(out, evil) {
		t.Errorf("table: %q", out)
	}
}

// decodeQR reads the URL in a PNG QR code with an independent decoder.
func decodeQR(t *testing.T, png []byte) string {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode QR: %v", err)
	}
	return res.GetText()
}

// zipEntry returns a file of a ZIP.
func zipEntry(t *testing.T, path, name string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == name {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatalf("%s lacks %s", path, name)
	return nil
}

// Codes exported from a shell without YIMAYOU_PUBLIC_URL carry the public
// URL the server runs with (stored by serve), never localhost; a local URL
// is refused unless --allow-local.
func TestQRExportUsesStoredPublicURL(t *testing.T) {
	data := t.TempDir()
	pack := importDemo(t, data)
	sign := ""
	for _, g := range pack.County("513322").Signs {
		if g.Enabled {
			sign = g.Code
			break
		}
	}
	out := filepath.Join(t.TempDir(), "signs.zip")

	// Nothing stored, nothing configured: the default localhost URL is refused.
	code, _, errOut := run(t, data, "", "qr", "export", "--county", "513322", "--out", out)
	if code != 1 || !strings.Contains(errOut, "http://127.0.0.1:0 (the default)") || !strings.Contains(errOut, "--allow-local") ||
		!strings.Contains(errOut, "config set public-url") {
		t.Fatalf("export with a local URL: exit %d, %q", code, errOut)
	}
	if code, _, errOut := run(t, data, "", "signs", "list"); code != 1 || !strings.Contains(errOut, "--allow-local") {
		t.Errorf("signs list with a local URL: exit %d, %q", code, errOut)
	}

	// serve, configured with its public URL, stores it; an export from a
	// bare shell beside it uses it.
	serveForTest(t, data, map[string]string{"YIMAYOU_PUBLIC_URL": "https://qr.ganzi.example.cn/"})
	if code, _, errOut := run(t, data, "", "qr", "export", "--county", "513322", "--out", out); code != 0 {
		t.Fatalf("qr export beside serve: %d %q", code, errOut)
	}
	if got, want := decodeQR(t, zipEntry(t, out, sign+".png")), "https://qr.ganzi.example.cn/q/"+sign; got != want {
		t.Errorf("the code of %s says %q, want %q", sign, got, want)
	}
	if sheet := zipEntry(t, out, "sheet-a4.html"); !bytes.Contains(sheet, []byte("qr.ganzi.example.cn/q/"+sign)) {
		t.Errorf("the A4 sheet does not print the stored URL")
	}
	code, stdout, _ := run(t, data, "", "signs", "list", "--county", "513322")
	if code != 0 || !strings.Contains(stdout, "https://qr.ganzi.example.cn/q/"+sign) {
		t.Errorf("signs list: %d %q", code, stdout)
	}

	// config set changes it; config get tells where it comes from.
	if code, _, errOut := run(t, data, "", "config", "set", "public-url", "https://yimayou.ganzi.example.cn"); code != 0 {
		t.Fatalf("config set: %d %q", code, errOut)
	}
	code, stdout, errOut = run(t, data, "", "config", "get", "public-url")
	if code != 0 || stdout != "https://yimayou.ganzi.example.cn\n" || !strings.Contains(errOut, "stored") {
		t.Errorf("config get: %d %q %q", code, stdout, errOut)
	}
	if code, _, errOut := run(t, data, "", "qr", "export", "--county", "513322", "--out", out); code != 0 {
		t.Fatalf("qr export after config set: %d %q", code, errOut)
	}
	if got, want := decodeQR(t, zipEntry(t, out, sign+".png")), "https://yimayou.ganzi.example.cn/q/"+sign; got != want {
		t.Errorf("after config set the code says %q, want %q", got, want)
	}
	// The command's own YIMAYOU_PUBLIC_URL, when given, wins.
	env, _, errb := testEnv(data, "", map[string]string{"YIMAYOU_PUBLIC_URL": "https://other.example.cn"})
	if code := Run(t.Context(), env, []string{"qr", "export", "--county", "513322", "--out", out}); code != 0 {
		t.Fatalf("qr export with its own URL: %d %s", code, errb.String())
	}
	if got := decodeQR(t, zipEntry(t, out, sign+".png")); got != "https://other.example.cn/q/"+sign {
		t.Errorf("with YIMAYOU_PUBLIC_URL set the code says %q", got)
	}

	for _, args := range [][]string{{"config"}, {"config", "set", "public-url"}, {"config", "set", "public-url", "qr.example.cn"},
		{"config", "set", "colour", "red"}, {"config", "get"}} {
		if code, _, _ := run(t, data, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
