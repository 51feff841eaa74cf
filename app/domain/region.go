package domain

import (
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Region is who runs this install and what it covers: the bureau's identity
// and the tree of divisions below its top node. It comes from region.yaml in
// the content pack (content/FORMAT.md) and is edited by a top-level admin.
//
// The tree is built from GB/T 2260 codes. A code ending in 0000 is a
// province, one ending in 00 a prefecture, any other a county. The top node
// (Code) is any of the three: a province's department (510000, Sichuan), a
// prefecture's bureau (513300, Garzê) or one county alone (513225). Counties
// are the leaves (counties.yaml); Divisions name the nodes between the top
// and the counties (a province's prefectures). A node contains a code when
// the code starts with the node's significant digits.
type Region struct {
	// Code is the GB/T 2260 code of the top node.
	Code string
	// Name is the top level's long name (甘孜藏族自治州); ShortName the
	// short one used in titles and the statistics level (甘孜州).
	Name      Text
	ShortName Text
	// Bureau is the name of the body that runs the install (甘孜州文化广播
	// 电视和旅游局), printed on sign sheets and pages.
	Bureau Text
	// Phone is the bureau's public number; Address its public address.
	Phone   string
	Address Text
	// Emergency lists the numbers shown on safety panels, in order.
	Emergency []Contact
	// Complaint is the tourist complaints number (12345 in China).
	Complaint string
	// TimeZone is an IANA name; empty means China time (Asia/Shanghai).
	TimeZone string
	// Map is where a map opens when nothing else says where.
	Map MapView
	// Logo is a media path in the pack, or empty.
	Logo string
	// Languages are the visitor languages in order of fallback; empty
	// means every language with a catalogue, in the catalogue order.
	Languages []Lang
	// Divisions are the named nodes between the top and the counties.
	Divisions []Division
}

// Contact is a labelled public phone number.
type Contact struct {
	Label  Text
	Number string
}

// MapView is a map's default centre and zoom.
type MapView struct {
	Lat, Lon float64
	Zoom     int
}

// Division is a named node of the tree that is neither the top nor a county.
type Division struct {
	Code string
	Name Text
}

// Level is the kind of a node in the tree.
type Level string

const (
	LevelProvince   Level = "province"
	LevelPrefecture Level = "prefecture"
	LevelCounty     Level = "county"
)

// LevelOf returns the level a GB/T 2260 code names ("" if it is not one).
func LevelOf(code string) Level {
	switch {
	case !ValidCountyCode(code):
		return ""
	case strings.HasSuffix(code, "0000"):
		return LevelProvince
	case strings.HasSuffix(code, "00"):
		return LevelPrefecture
	default:
		return LevelCounty
	}
}

// NodeContains reports whether the node with code node contains code (a
// node contains itself).
func NodeContains(node, code string) bool {
	if node == code {
		return true
	}
	switch LevelOf(node) {
	case LevelProvince:
		return LevelOf(code) != "" && code[:2] == node[:2]
	case LevelPrefecture:
		return LevelOf(code) == LevelCounty && code[:4] == node[:4]
	}
	return false
}

// ParentCode returns the code of the node directly above code in the
// national tree: a county's prefecture, a prefecture's province ("" for a
// province).
func ParentCode(code string) string {
	switch LevelOf(code) {
	case LevelCounty:
		return code[:4] + "00"
	case LevelPrefecture:
		return code[:2] + "0000"
	}
	return ""
}

var langCodeRe = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)

// Validate checks the region's own rules; whether its languages have
// catalogues and its counties are inside it is checked where those are
// known.
func (r Region) Validate() error {
	if LevelOf(r.Code) == "" {
		return &ValidationError{Field: "code", Key: "error.county_code"}
	}
	if !slices.ContainsFunc(slices.Collect(maps.Values(r.Name)), func(s string) bool { return s != "" }) {
		return &ValidationError{Field: "name", Key: "error.required"}
	}
	for _, d := range r.Divisions {
		if d.Code == r.Code || !NodeContains(r.Code, d.Code) || LevelOf(d.Code) == LevelCounty {
			return &ValidationError{Field: "divisions", Key: "error.county_code"}
		}
	}
	seen := map[Lang]bool{}
	for _, l := range r.Languages {
		if !langCodeRe.MatchString(string(l)) || seen[l] {
			return &ValidationError{Field: "languages", Key: "error.language"}
		}
		seen[l] = true
	}
	if r.Map.Lat < -90 || r.Map.Lat > 90 || r.Map.Lon < -180 || r.Map.Lon > 180 || r.Map.Zoom < 0 || r.Map.Zoom > 20 {
		return &ValidationError{Field: "map", Key: "error.location"}
	}
	return nil
}

// TopLevel is the level of the region's top node.
func (r Region) TopLevel() Level { return LevelOf(r.Code) }

// Contains reports whether code (a county or division) is inside the region.
func (r Region) Contains(code string) bool { return NodeContains(r.Code, code) }

// Division returns the named division with code, if the region has it.
func (r Region) Division(code string) (Division, bool) {
	i := slices.IndexFunc(r.Divisions, func(d Division) bool { return d.Code == code })
	if i < 0 {
		return Division{}, false
	}
	return r.Divisions[i], true
}
