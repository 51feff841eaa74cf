package qr

import (
	"cmp"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
)

// NewSheet lays out the sheet of signs of one county: each sign's site
// name in zh / en / bo (those that exist), the calls to action in the
// three languages and the bureau's name and phone. The bureau is the
// region's (region.yaml) in the languages it is written in; without one,
// the county's bureau named from the catalogue. The phone is the
// county's, else the region's. The console's sheet page and `yimayou qr
// export` both use it, so a sheet looks the same wherever it is made.
func NewSheet(cat *i18n.Catalogs, publicURL string, region domain.Region, county domain.County, sites map[string]domain.Site, signs []domain.Sign, lang domain.Lang, paper Paper) Sheet {
	sh := Sheet{Lang: i18n.HTMLLang(lang), Paper: paper, Title: cat.T(lang, "console.sheet.title", county.Name.String(lang))}
	hasBureau := len(region.Bureau.Missing()) < len(domain.Languages())
	for _, l := range domain.Languages() {
		hl := i18n.HTMLLang(l)
		switch {
		case hasBureau && region.Bureau[l] != "":
			sh.Bureau = append(sh.Bureau, SheetText{Lang: hl, Text: region.Bureau[l]})
		case !hasBureau && county.Name[l] != "":
			sh.Bureau = append(sh.Bureau, SheetText{Lang: hl, Text: cat.T(l, "console.sheet.bureau", county.Name[l])})
		}
		sh.Scan = append(sh.Scan, SheetText{Lang: hl, Text: cat.T(l, "console.sheet.scan")})
		sh.TypeHint = append(sh.TypeHint, SheetText{Lang: hl, Text: cat.T(l, "console.sheet.type")})
	}
	if phone := cmp.Or(county.Phone, region.Phone); phone != "" {
		sh.Phone = cat.T(lang, "region.sheet_phone", phone)
	}
	for _, g := range signs {
		url := SignURL(publicURL, g.Code)
		s := SheetSign{Code: g.Code, URL: url, Short: ShortURL(url), Label: g.Label}
		site := sites[g.Site]
		for _, l := range domain.Languages() {
			if name := site.Name[l]; name != "" {
				s.Names = append(s.Names, SheetText{Lang: i18n.HTMLLang(l), Text: name})
			}
		}
		sh.Signs = append(sh.Signs, s)
	}
	return sh
}
