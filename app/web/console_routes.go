package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/content"
	"github.com/yimayou/yimayou/app/domain"
)

// ConsoleStore is what the console's pages need of the database;
// store.Store implements it.
type ConsoleStore interface {
	Counties(ctx context.Context) ([]domain.County, error)
	County(ctx context.Context, code string) (domain.County, error)
	PutCounty(ctx context.Context, c domain.County) error
	Sites(ctx context.Context, county string) ([]domain.Site, error)
	Site(ctx context.Context, key string) (domain.Site, error)
	PutSite(ctx context.Context, site domain.Site) error

	Draft(ctx context.Context, key string) (domain.Site, error)
	PutDraft(ctx context.Context, site domain.Site) error
	DeleteDraft(ctx context.Context, key string) error
	DraftKeys(ctx context.Context, county string) (map[string]time.Time, error)
	AddRevision(ctx context.Context, site domain.Site, user string, at time.Time) (string, error)
	Revisions(ctx context.Context, site string) ([]domain.Revision, error)
	Revision(ctx context.Context, id string) (domain.Revision, error)

	AddAudit(ctx context.Context, e domain.AuditEntry) error
	AuditPage(ctx context.Context, county, before string, limit int) ([]domain.AuditEntry, error)

	SignsOf(ctx context.Context, county, site string) ([]domain.Sign, error)
	Sign(ctx context.Context, code string) (domain.Sign, error)
	CreateSign(ctx context.Context, sign domain.Sign) error
	PutSign(ctx context.Context, sign domain.Sign) error

	Users(ctx context.Context) ([]domain.User, error)
	User(ctx context.Context, username string) (domain.User, error)
	CreateUser(ctx context.Context, u domain.User) error
	SetPasswordHash(ctx context.Context, username, hash string) error
	SetUserAccess(ctx context.Context, username string, role domain.Role, counties []string) error
	DeleteUserSessions(ctx context.Context, username string) error
	RevokeUserTokens(ctx context.Context, username string) (int, error)
	SetUserDisabled(ctx context.Context, username string, disabled bool) error
	DeleteUser(ctx context.Context, username string) error

	PutAlert(ctx context.Context, a domain.Alert) (string, error)
	Alert(ctx context.Context, id string) (domain.Alert, error)
	DeleteAlert(ctx context.Context, id string) error
	Alerts(ctx context.Context) ([]domain.Alert, error)

	SaveMedia(ctx context.Context, name, contentType string, data []byte) error
	HasMedia(ctx context.Context, name string) (bool, error)
	LoadMedia(ctx context.Context, name string) (contentType string, data []byte, err error)
}

// ConsoleDeps are the console's collaborators beyond the shared ones.
type ConsoleDeps struct {
	// Store enables the console's pages; without it only login and the
	// start page are served.
	Store ConsoleStore
	// HashPassword hashes a new password; app/auth implements it.
	HashPassword func(password string) (string, error)
	// ExportPack reads all content as a pack (content.Export on the
	// store); the console's export cuts one county out of it.
	ExportPack func(ctx context.Context) (content.Pack, error)
	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time
}

func (s *Server) now() time.Time {
	if s.Console.Now != nil {
		return s.Console.Now()
	}
	return time.Now()
}

// consoleRoutes registers the bureau console's pages under /admin; the
// group already loads the user and checks CSRF tokens. County scoping is
// decided per object, in the handlers, by authorizeCounty.
func (s *Server) consoleRoutes(admin fiber.Router) {
	if s.Console.Store == nil {
		return
	}
	anyone := requireRole(domain.Roles...)
	editor := requireRole(domain.RoleEditor)
	adminOnly := requireRole(domain.RoleAdmin)

	admin.Get("/password", anyone, s.showPassword)
	admin.Post("/password", anyone, s.changePassword)

	admin.Get("/sites", editor, s.listSites)
	admin.Get("/sites/new", editor, s.newSite)
	admin.Post("/sites", editor, s.createSite)
	admin.Get("/sites/:key/edit", editor, s.editSite)
	admin.Post("/sites/:key", editor, s.saveSite)
	admin.Post("/sites/:key/publish", editor, s.publishSite)
	admin.Post("/sites/:key/unpublish", editor, s.unpublishSite)
	admin.Post("/sites/:key/discard", editor, s.discardDraft)
	admin.Get("/sites/:key/preview", editor, s.previewSite)
	admin.Get("/sites/:key/revisions", editor, s.listRevisions)
	admin.Post("/sites/:key/revisions/:id/restore", editor, s.restoreRevision)
	admin.Get("/sites/:key/translations", editor, s.siteTranslations)
	admin.Get("/counties/:county/translations", editor, s.countyTranslations)

	admin.Post("/sites/:key/photos", editor, s.uploadPhoto)
	admin.Post("/sites/:key/audio/:lang", editor, s.uploadAudio)

	admin.Get("/signs", editor, s.listCountySigns)
	admin.Get("/sites/:key/signs", editor, s.siteSigns)
	admin.Post("/sites/:key/signs", editor, s.createSign)
	admin.Get("/signs/:code", editor, s.showSign)
	admin.Post("/signs/:code", editor, s.saveSign)
	admin.Post("/signs/:code/toggle", editor, s.toggleSign)
	admin.Get("/signs/:code/qr.:ext", editor, s.signImage)
	admin.Get("/signs/:code/sheet", editor, s.signSheet)
	admin.Get("/counties/:county/sheet", editor, s.countySheetPage)
	admin.Get("/counties/:county/signs.zip", editor, s.countySignsZIP)
	s.logoRoutes(admin, editor)

	admin.Get("/alerts", editor, s.listAlerts)
	admin.Post("/alerts", editor, s.createAlert)
	admin.Post("/alerts/:id/delete", editor, s.deleteAlert)

	admin.Get("/content", editor, s.showContent)
	admin.Get("/counties/:county/export.zip", editor, s.exportCounty)
	admin.Post("/import", editor, s.importCSV)
	admin.Post("/import/pack", editor, s.importPack)

	admin.Get("/users", adminOnly, s.listUsers)
	admin.Post("/users", adminOnly, s.createUser)
	admin.Post("/users/:name/password", adminOnly, s.resetPassword)
	admin.Get("/users/:name", adminOnly, s.editUser)
	admin.Post("/users/:name", adminOnly, s.saveUser)
	admin.Post("/users/:name/disable", adminOnly, s.disableUser)
	admin.Post("/users/:name/enable", adminOnly, s.enableUser)
	admin.Post("/users/:name/delete", adminOnly, s.deleteUser)
	admin.Get("/audit", adminOnly, s.showAudit)
}
