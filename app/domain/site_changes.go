package domain

import (
	"fmt"
	"strconv"
	"strings"
)

// SiteChanges lists the fields that differ between two states of a site,
// with their values, for the audit log, the site history and the import
// preview (one flattening for all three).
func SiteChanges(before, after Site) []FieldChange {
	return Changed(flatSite(before), flatSite(after))
}

func flatSite(site Site) []FieldChange {
	var out []FieldChange
	add := func(name, v string) { out = append(out, FieldChange{Field: name, After: v}) }
	for _, tf := range site.TextFields() {
		for _, l := range Languages() {
			add(tf.Name+"."+string(l), (*tf.Text)[l])
		}
	}
	var prices []string
	for _, p := range site.Prices {
		prices = append(prices, strings.TrimSpace(p.Label[Zh]+" "+p.Label[En])+" ¥"+yuan(p.Fen))
	}
	add("prices", strings.Join(prices, "; "))
	alt := ""
	if site.AltitudeMax > 0 {
		alt = strconv.Itoa(site.AltitudeMin) + "–" + strconv.Itoa(site.AltitudeMax) + " m"
	}
	add("altitude", alt)
	add("a_level", strings.TrimSpace(site.ALevel+" "+site.ALevelSince))
	loc := ""
	if site.Location != nil {
		loc = fmt.Sprintf("%g, %g", site.Location.Lat, site.Location.Lon)
	}
	add("location", loc)
	var photos []string
	for _, p := range site.Photos {
		var alts []string
		for _, l := range Languages() {
			alts = append(alts, p.Alt[l])
		}
		photos = append(photos, p.Src+" ["+strings.Join(alts, "|")+"]")
	}
	add("photos", strings.Join(photos, "\n"))
	var audio []string
	for _, l := range Languages() {
		if a, ok := site.Audio[l]; ok {
			audio = append(audio, string(l)+": "+a.Src+" ("+strconv.Itoa(len(a.Transcript))+" bytes of transcript)")
		}
	}
	add("audio", strings.Join(audio, "\n"))
	add("published", strconv.FormatBool(site.Published))
	return out
}

// yuan writes fen as yuan: 9000 → "90", 1250 → "12.50".
func yuan(fen int64) string {
	if fen%100 == 0 {
		return strconv.FormatInt(fen/100, 10)
	}
	return fmt.Sprintf("%d.%02d", fen/100, fen%100)
}
