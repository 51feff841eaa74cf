package web

import (
	"strings"

	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/domain"
)

// The region (catalog.Snapshot.Region) is the one source of the names and
// numbers the public pages print about who runs them: the home title, the
// footer, the statistics' top level, the help numbers of a site page.
// When none is set (RegionSet false), the pages use neutral wording and
// China's national numbers.

// regionName is the region's short name in lang, or its long name when it
// has no short one; "" when the region has no name.
func regionName(snap *catalog.Snapshot, lang domain.Lang) localized {
	if snap == nil || !snap.RegionSet {
		return localized{}
	}
	for _, t := range []domain.Text{snap.Region.ShortName, snap.Region.Name} {
		if l := loc(t, lang); l.S != "" {
			return l
		}
	}
	return localized{}
}

// inSentence is a name ready to be put into a catalogue string: without
// a closing Tibetan shad or tsheg ("དཀར་མཛེས།" → "དཀར་མཛེས").
func inSentence(name string) string { return strings.TrimRight(name, "།༎་ ") }

// regionFooter is the footer line of public pages.
func (s *Server) regionFooter(snap *catalog.Snapshot, lang domain.Lang) string {
	if name := regionName(snap, lang); name.S != "" {
		return s.I18n.T(lang, "footer.text", inSentence(name.S))
	}
	return s.I18n.T(lang, "region.footer")
}

// regionHomeTitle is the home page's title.
func (s *Server) regionHomeTitle(snap *catalog.Snapshot, lang domain.Lang) string {
	if name := regionName(snap, lang); name.S != "" {
		return s.I18n.T(lang, "home.title", inSentence(name.S))
	}
	return s.I18n.T(lang, "region.home_title")
}

// phoneItem is a number on a site page's help panel.
type phoneItem struct {
	Number string
	Label  localized
}

// nationalEmergency are China's numbers, shown while no region is set.
var nationalEmergency = []struct{ number, key string }{
	{"120", "site.phone_ambulance"}, {"110", "site.phone_police"}, {"119", "site.phone_fire"},
}

// helpPhones are the emergency, complaint and bureau numbers of the help
// panel, in the order shown.
func (s *Server) helpPhones(snap *catalog.Snapshot, lang domain.Lang) []phoneItem {
	var out []phoneItem
	if snap == nil || !snap.RegionSet {
		for _, n := range nationalEmergency {
			out = append(out, phoneItem{Number: n.number, Label: localized{S: s.I18n.T(lang, n.key)}})
		}
		return append(out, phoneItem{Number: "12345", Label: localized{S: s.I18n.T(lang, "site.phone_hotline")}})
	}
	r := snap.Region
	for _, c := range r.Emergency {
		out = append(out, phoneItem{Number: c.Number, Label: loc(c.Label, lang)})
	}
	if r.Complaint != "" {
		out = append(out, phoneItem{Number: r.Complaint, Label: localized{S: s.I18n.T(lang, "site.phone_hotline")}})
	}
	if r.Phone != "" {
		label := loc(r.Bureau, lang)
		if label.S == "" {
			label = localized{S: s.I18n.T(lang, "county.phone")}
		}
		out = append(out, phoneItem{Number: r.Phone, Label: label})
	}
	return out
}
