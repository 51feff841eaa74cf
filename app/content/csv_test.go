package content

import (
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/yimayou/yimayou/app/domain"
)

// memSource is the CSV plan's view of the database, in memory: the plan
// only reads, so no database is needed to test its rules.
type memSource struct {
	sites    map[string]domain.Site
	counties map[string]bool
}

func (m memSource) Site(_ context.Context, key string) (domain.Site, error) {
	if s, ok := m.sites[key]; ok {
		return s, nil
	}
	return domain.Site{}, domain.ErrNotFound
}

func (m memSource) County(_ context.Context, code string) (domain.County, error) {
	if m.counties[code] {
		return domain.County{Code: code}, nil
	}
	return domain.County{}, domain.ErrNotFound
}

func testSource() memSource {
	return memSource{
		sites: map[string]domain.Site{"hailuogou": {Key: "hailuogou", County: "513322", Published: true,
			Name: domain.Text{domain.Zh: "海螺沟", domain.En: "Hailuogou"}, Prices: []domain.Price{{Fen: 9000}}},
			"yading": {Key: "yading", County: "513337", Name: domain.Text{domain.Zh: "亚丁"}}},
		counties: map[string]bool{"513322": true, "513337": true},
	}
}

func onlyLuding(c string) bool { return c == "513322" }

func TestCSVEncodings(t *testing.T) {
	text := "key,county,name_zh,name_bo\nmoxi,513322,磨西古镇,མོ་ཞི།\n"
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("key,county,name_zh\nmoxi,513322,磨西古镇\n")
	gb18030, _ := simplifiedchinese.GB18030.NewEncoder().String("key,county,name_zh\nmoxi,513322,磨西古镇\n")
	for name, tc := range map[string]struct {
		data, enc string
	}{
		"utf-8":   {text, "UTF-8"},
		"bom":     {"\xef\xbb\xbf" + text, "UTF-8 BOM"},
		"gbk":     {gbk, "GB18030"},
		"gb18030": {gb18030, "GB18030"},
		"crlf":    {strings.ReplaceAll(text, "\n", "\r\n"), "UTF-8"},
	} {
		plan, err := PlanSitesCSV(context.Background(), testSource(), []byte(tc.data), onlyLuding)
		if err != nil || len(plan.Errors) != 0 || plan.Encoding != tc.enc || len(plan.Rows) != 1 {
			t.Fatalf("%s: %+v %v", name, plan, err)
		}
		if got := plan.Rows[0].Site.Name[domain.Zh]; got != "磨西古镇" {
			t.Errorf("%s: name %q", name, got)
		}
	}
}

func TestCSVRowsAndErrors(t *testing.T) {
	data := "key,county,name_zh,name_en,altitude_min,altitude_max,a_level,a_level_since,lat,lon,prices,published\n" +
		"moxi,513322,磨西,Moxi,1600,,4a,2019-01,29.6,102.1,门票=60；观光车＝20.5,是\n" + // line 2: fine
		"hailuogou,,,Hailuogou Glacier,,,,,,,,\n" + // line 3: update one field
		"\n" + // blank lines are skipped
		"Bad Key,513322,坏,,,,,,,,,\n" + // line 5
		"yading,,,Yading,,,,,,,,\n" + // line 6: another county
		"x1,513337,某,,,,,,,,,\n" + // line 7: not allowed
		"x2,513399,某,,,,,,,,,\n" + // line 8: unknown county (allowed? no: not allowed either)
		"x3,513322,,,,,,,,,,\n" + // line 9: no name
		"x4,513322,某,,99999,,,,,,,\n" + // line 10
		"x5,513322,某,,4000,3000,,,,,,\n" + // line 11
		"x6,513322,某,,,,6A,2019/01,91,0,,\n" + // line 12
		"x7,513322,某,,,,,,,,门票=abc,maybe\n" + // line 13
		"moxi,513322,又,,,,,,,,,\n" // line 14: duplicate
	plan, err := PlanSitesCSV(context.Background(), testSource(), []byte(data), func(c string) bool { return c == "513322" || c == "513399" })
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Rows) != 2 {
		t.Fatalf("rows: %+v", plan.Rows)
	}
	moxi := plan.Rows[0].Site
	if moxi.ALevel != "4A" || moxi.AltitudeMax != 1600 || len(moxi.Prices) != 2 || moxi.Prices[1].Fen != 2050 || !moxi.Published || plan.Rows[0].Exists {
		t.Errorf("moxi: %+v", moxi)
	}
	h := plan.Rows[1]
	if !h.Exists || h.Site.Name[domain.En] != "Hailuogou Glacier" || h.Site.Name[domain.Zh] != "海螺沟" || len(h.Site.Prices) != 1 ||
		strings.Join(h.Changed, ",") != "name_en" {
		t.Errorf("hailuogou: %+v %v", h.Site, h.Changed)
	}
	lines := map[int][]string{}
	for _, e := range plan.Errors {
		lines[e.Line] = append(lines[e.Line], e.Column)
	}
	for _, line := range []int{5, 6, 7, 8, 9, 10, 11, 12, 13, 14} {
		if len(lines[line]) == 0 {
			t.Errorf("no error on line %d: %v", line, plan.Errors)
		}
	}
	if got := strings.Join(lines[12], ","); got != "a_level,a_level_since,lat" {
		t.Errorf("line 12 errors: %q", got)
	}
	if len(lines[2])+len(lines[3]) != 0 {
		t.Errorf("errors on good lines: %v", plan.Errors)
	}
}

func TestCSVHeaderProblems(t *testing.T) {
	for name, data := range map[string]string{
		"empty":          "",
		"unknown column": "key,colour\nx,red\n",
		"no key":         "name_zh\n某\n",
		"duplicate":      "key,key\nx,y\n",
		"bad quotes":     "key,name_zh\n\"x,y\n",
		"not text":       "\xff\xfe\x00k\x00e\x00y",
	} {
		plan, err := PlanSitesCSV(context.Background(), testSource(), []byte(data), onlyLuding)
		if err != nil || len(plan.Errors) == 0 || len(plan.Rows) != 0 {
			t.Errorf("%s: %+v %v", name, plan, err)
		}
	}
	big := "key,name_zh\n" + strings.Repeat("x,y\n", MaxCSVBytes/4)
	if plan, _ := PlanSitesCSV(context.Background(), testSource(), []byte(big), onlyLuding); len(plan.Errors) != 1 || plan.Errors[0].Key != "console.csv.too_big" {
		t.Errorf("big file: %+v", plan.Errors)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := PlanSitesCSV(ctx, cancelledSource{}, []byte("key,county,name_zh\nx,513322,某\n"), onlyLuding); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

type cancelledSource struct{ memSource }

func (cancelledSource) Site(ctx context.Context, _ string) (domain.Site, error) {
	return domain.Site{}, ctx.Err()
}
