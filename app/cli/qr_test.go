package cli

import (
	"archive/zip"
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/content"
	demo "github.com/yimayou/yimayou/content"
)

func TestQRExportCounty(t *testing.T) {
	data := t.TempDir()
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
	code, stdout, errOut := run(t, data, "", "qr", "export", "--county", "513322", "--out", out)
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
	if code, _, errOut := run(t, data, "", "qr", "export", "--county", "513399"); code != 1 || !strings.Contains(errOut, "513399") {
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
	code, out, _ := run(t, data, "", "signs", "list", "--county", "513322", "--csv")
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
	if _, out, _ := run(t, data, "", "signs", "list", "--county", "513322"); !strings.Contains(out, evil) {
		t.Errorf("table: %q", out)
	}
}
