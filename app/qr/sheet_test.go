package qr

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
)

func testSheet() Sheet {
	county := domain.County{Code: "513322", Name: domain.Text{domain.Zh: "泸定县", domain.En: "Luding", domain.Bo: "ལྕགས་ཟམ་རྫོང་"}}
	sites := map[string]domain.Site{"hailuogou": {Key: "hailuogou", Name: domain.Text{domain.Zh: "海螺沟", domain.En: "Hailuogou <Glacier>"}}}
	signs := []domain.Sign{{Code: "HGK2EN", Site: "hailuogou", Label: "Gate A"}, {Code: "HGK3EN", Site: "hailuogou"}}
	return NewSheet(i18n.MustLoad(), "https://qr.example.cn/", domain.Region{}, county, sites, signs, domain.En, A5)
}

// A sheet names the region's bureau in the languages it is written in,
// with the county's phone before the region's.
func TestSheetRegionBureau(t *testing.T) {
	region := domain.Region{Code: "513200", Phone: "0837-1111111",
		Bureau: domain.Text{domain.Zh: "阿坝州文化体育和旅游局", domain.En: "Ngawa Bureau of Culture and Tourism"}}
	county := domain.County{Code: "513225", Name: domain.Text{domain.Zh: "九寨沟县"}}
	sh := NewSheet(i18n.MustLoad(), "https://qr.example.cn/", region, county, nil, nil, domain.En, A4)
	if len(sh.Bureau) != 2 || sh.Bureau[0].Text != "阿坝州文化体育和旅游局" || sh.Bureau[1].Text != "Ngawa Bureau of Culture and Tourism" {
		t.Errorf("bureau = %+v", sh.Bureau)
	}
	if sh.Phone != "Tel. 0837-1111111" {
		t.Errorf("phone = %q, want the region's", sh.Phone)
	}
	county.Phone = "0837-7739753"
	if sh := NewSheet(i18n.MustLoad(), "https://qr.example.cn/", region, county, nil, nil, domain.Zh, A4); sh.Phone != "电话 0837-7739753" {
		t.Errorf("phone = %q, want the county's", sh.Phone)
	}
}

func TestSheetHTML(t *testing.T) {
	html, err := NewRenderer(0).SheetHTML(testSheet())
	if err != nil {
		t.Fatal(err)
	}
	s := string(html)
	for _, want := range []string{`<html lang="en">`, `class="a5"`, "海螺沟", "Hailuogou &lt;Glacier&gt;", ">HGK2EN<", ">HGK3EN<",
		"qr.example.cn/q/HGK2EN", "Luding Culture and Tourism Bureau", "泸定县文化和旅游局", `lang="bo"`, "Gate A", "Scan for the guide"} {
		if !strings.Contains(s, want) {
			t.Errorf("sheet lacks %q", want)
		}
	}
	if strings.Count(s, "<svg") != 2 || strings.Count(s, `class="sheet"`) != 2 {
		t.Errorf("want one page and one code per sign")
	}
	if ParsePaper("A5") != A5 || ParsePaper("letter") != A4 {
		t.Error("ParsePaper")
	}
	if !strings.HasPrefix(SheetCSPHash(), "'sha256-") {
		t.Error("SheetCSPHash")
	}
}

// The sheet's code is level H: the most damage-tolerant, for outdoor signs.
func TestSheetCodeIsLevelH(t *testing.T) {
	r := NewRenderer(0)
	p := DefaultParams()
	p.Level, p.Size = LevelH, 1024
	svg, _ := r.SVG("https://qr.example.cn/q/HGK2EN", p)
	html, _ := r.SheetHTML(testSheet())
	if !bytes.Contains(html, svg) {
		t.Error("the sheet's code is not the level H code")
	}
}

func TestBatchZIP(t *testing.T) {
	var buf bytes.Buffer
	var calls []int
	err := NewRenderer(0).WriteBatchZIP(context.Background(), &buf, testSheet(), func(done, total int) { calls = append(calls, done*10+total) })
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, " "); got != "HGK2EN.png HGK2EN.svg HGK3EN.png HGK3EN.svg sheet-a4.html sheet-a5.html" {
		t.Errorf("files: %s", got)
	}
	if len(calls) != 2 || calls[1] != 22 {
		t.Errorf("progress: %v", calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := NewRenderer(0).WriteBatchZIP(ctx, &bytes.Buffer{}, testSheet(), nil); err == nil {
		t.Error("a cancelled batch did not stop")
	}
}

// A sheet in a region with a right-to-left language gives each text its
// direction; with zh, en, bo only, no dir attribute at all.
func TestSheetDirections(t *testing.T) {
	t.Cleanup(domain.ResetLanguages)
	county := domain.County{Code: "513322", Name: domain.Text{domain.Zh: "泸定县"}}
	sites := map[string]domain.Site{"s": {Key: "s", County: "513322", Name: domain.Text{domain.Zh: "海螺沟", "ug": "خەيلوگۇ"}}}
	signs := []domain.Sign{{Code: "ABCDEF", Site: "s", County: "513322", Enabled: true}}
	render := func() string {
		html, err := NewRenderer(0).SheetHTML(NewSheet(i18n.MustLoad(), "https://qr.example.cn/", domain.Region{}, county, sites, signs, domain.Zh, A5))
		if err != nil {
			t.Fatal(err)
		}
		return string(html)
	}
	if html := render(); strings.Contains(html, " dir=") {
		t.Fatal("dir attributes with only left-to-right languages")
	}
	if err := domain.SetLanguages([]domain.Language{{Code: domain.Zh, Tag: "zh-Hans"}, {Code: "ug", RTL: true}}); err != nil {
		t.Fatal(err)
	}
	html := render()
	for _, want := range []string{`lang="ug" dir="rtl">خەيلوگۇ</p>`, `lang="zh-Hans" dir="ltr">海螺沟</p>`} {
		if !strings.Contains(html, want) {
			t.Errorf("sheet lacks %s", want)
		}
	}
}
