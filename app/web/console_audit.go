package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
)

const auditPageSize = 50

// showAudit is the admins' view of who changed what and when, newest
// first, optionally for one county, 50 entries a page.
func (s *Server) showAudit(c *fiber.Ctx) error {
	county := utils.CopyString(c.Query("county"))
	if county != "" && !domain.ValidCountyCode(county) {
		county = ""
	}
	// A scoped admin reads the log of the counties in their scope only,
	// one at a time (the first by default).
	if u := currentUser(c); !u.RegionWide() {
		if mine := countiesInScope(u, s.Catalog.Snapshot()); county == "" && len(mine) > 0 {
			county = mine[0]
		}
		if err := authorizeCounty(c, county); err != nil {
			return err
		}
	}
	before := utils.CopyString(c.Query("before"))
	entries, err := s.Console.Store.AuditPage(c.UserContext(), county, before, auditPageSize)
	if err != nil {
		return err
	}
	counties, err := s.myCounties(c)
	if err != nil {
		return err
	}
	next := ""
	if len(entries) == auditPageSize {
		next = entries[len(entries)-1].ID
	}
	names := map[string]localized{}
	for _, cty := range counties {
		names[cty.Code] = loc(cty.Name, langOf(c))
	}
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{AuditEntry: e, At: chinaTime(e.At), CountyName: names[e.County]}
	}
	return s.renderConsole(c, fiber.StatusOK, "console/audit", "console.audit.title", struct {
		Entries  []auditRow
		County   string
		Counties []countyTab
		Next     string
	}{rows, county, countyTabs(counties, county, langOf(c)), next})
}

type auditRow struct {
	domain.AuditEntry
	At         chinaTime
	CountyName localized // the county's name, not its code
}
