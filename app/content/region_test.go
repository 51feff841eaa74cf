package content

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func TestRegionYAML(t *testing.T) {
	withRegion := func(text string) fstest.MapFS {
		fsys := basePack()
		fsys["region.yaml"] = &fstest.MapFile{Data: []byte(text)}
		return fsys
	}
	p, err := Load(withRegion("code: \"513300\"\nname: {zh: 甘孜藏族自治州, en: Garzê}\nlanguages: [zh, en]\nemergency:\n  - number: \"110\"\n    label: {en: Police}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Region == nil || p.Region.Code != "513300" || p.Region.Name[domain.En] != "Garzê" ||
		len(p.Region.Languages) != 2 || p.Region.Emergency[0].Number != "110" {
		t.Fatalf("region not loaded: %+v", p.Region)
	}
	if p, err := Load(basePack()); err != nil || p.Region != nil {
		t.Fatalf("a pack without region.yaml: region %+v, err %v", p.Region, err)
	}
	for name, c := range map[string]struct{ text, want string }{
		"county outside":  {"code: \"513200\"\nname: {zh: 阿坝州}\n", "county 513301 is outside the region 513200"},
		"bad code":        {"code: \"5133\"\nname: {zh: 甘孜}\n", "region.yaml: invalid code"},
		"unknown field":   {"code: \"513300\"\nname: {zh: 甘孜}\ncolour: red\n", "region.yaml"},
		"bad zone":        {"code: \"513300\"\nname: {zh: 甘孜}\ntime_zone: Mars/Olympus\n", "time_zone \"Mars/Olympus\" is not an IANA zone name"},
		"no number":       {"code: \"513300\"\nname: {zh: 甘孜}\nemergency: [{label: {zh: 报警}, number: \"\"}]\n", "every entry needs a number"},
		"no name":         {"code: \"513300\"\n", "region.yaml: invalid name"},
		"county language": {"code: \"513300\"\nname: {zh: 甘孜}\nlanguages: [Tibetan]\n", "invalid languages"},
		"no catalogue":    {"code: \"513300\"\nname: {zh: 甘孜}\nlanguages: [zh, ko]\n", `languages: "ko" has no catalogue`},
	} {
		_, err := Load(withRegion(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, c.want)
		}
	}
}

func TestRegionImportIsForTheWholeRegion(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	p := demoPack(t)
	plan, err := PlanImport(ctx, st, p, func(county string) bool { return county == "513301" })
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Err(); err == nil || !strings.Contains(err.Error(), "only an admin of the whole region") {
		t.Fatalf("a county editor's import of region.yaml: %v", err)
	}
	if _, err := st.Region(ctx); err == nil {
		t.Fatal("a refused plan wrote the region")
	}
	if _, err := Import(ctx, st, p); err != nil {
		t.Fatal(err)
	}
	got, err := st.Region(ctx)
	if err != nil || got.Code != "513300" || got.ShortName[domain.Zh] != "甘孜州" {
		t.Fatalf("imported region %+v, %v", got, err)
	}
}
