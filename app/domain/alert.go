package domain

import "time"

// Alert is a banner the bureau posts on every public page of an area: a
// road closure, weather, an altitude warning.
type Alert struct {
	ID string
	// County is the GB/T 2260 code of the node of the region's tree the
	// banner covers (a county, or a division and every county in it), or
	// "" for the whole region.
	County string
	// Site, if set, narrows the banner to one site of County.
	Site   string
	Level  AlertLevel
	Text   Text
	Starts time.Time
	Ends   time.Time // zero: until withdrawn
}

// AlertLevel sets how loud a banner is.
type AlertLevel string

const (
	AlertInfo    AlertLevel = "info"
	AlertWarning AlertLevel = "warning"
	AlertDanger  AlertLevel = "danger"
)

// Shows reports whether the alert belongs on the page of a site of
// county: the whole region's, those of the nodes holding the county, and
// that site's own.
func (a Alert) Shows(county, site string) bool {
	return (a.County == "" || NodeContains(a.County, county)) && (a.Site == "" || a.Site == site)
}

// Active reports whether the alert shows at now.
func (a Alert) Active(now time.Time) bool {
	return !now.Before(a.Starts) && (a.Ends.IsZero() || now.Before(a.Ends))
}

// Validate checks the alert's own rules.
func (a Alert) Validate() error {
	switch {
	case a.County != "" && !ValidCountyCode(a.County):
		return &ValidationError{Field: "county", Key: "error.county_code"}
	case a.Site != "" && (a.County == "" || !ValidSiteKey(a.Site)):
		return &ValidationError{Field: "site", Key: "error.site_key"}
	case a.Level != AlertInfo && a.Level != AlertWarning && a.Level != AlertDanger:
		return &ValidationError{Field: "level", Key: "error.alert_level"}
	case a.Text[Zh] == "" && a.Text[En] == "" && a.Text[Bo] == "":
		return &ValidationError{Field: "text", Key: "error.required"}
	case !a.Ends.IsZero() && !a.Ends.After(a.Starts):
		return &ValidationError{Field: "ends", Key: "error.alert_ends"}
	}
	return nil
}
