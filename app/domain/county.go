package domain

import "regexp"

// County is a county-level division of the prefecture, keyed by its GB/T 2260
// code (for example 513301, Kangding).
type County struct {
	Code   string
	Pinyin string
	Name   Text
	// Phone is the bureau's public contact number; empty if unknown.
	Phone string
}

var countyCodeRe = regexp.MustCompile(`^[1-9][0-9]{5}$`)

// ValidCountyCode reports whether code looks like a six-digit GB/T 2260 code.
func ValidCountyCode(code string) bool { return countyCodeRe.MatchString(code) }

// Validate checks the county's own rules.
func (c County) Validate() error {
	if !ValidCountyCode(c.Code) {
		return &ValidationError{Field: "code", Key: "error.county_code"}
	}
	if c.Name[Zh] == "" {
		return &ValidationError{Field: "name.zh", Key: "error.required"}
	}
	return nil
}
