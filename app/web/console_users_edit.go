package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
)

// An admin changes another user's role and counties, disables or deletes
// the account. A disabled user's sessions and API tokens end at once; the
// audit log keeps a deleted user's entries. No admin can change their own
// access (so no one locks themself out), and the last enabled
// region-wide admin cannot be demoted, disabled or deleted.

type userEditPage struct {
	Target domain.User
	Form   *userForm
	Roles  []domain.Role
	Nodes  []nodeOption
	// RegionWide: the acting admin may grant region-wide access; Whole
	// names the region.
	RegionWide bool
	Whole      localized
	Self       bool
	Error      string
	Done       string
}

// loadManagedUser loads the user named in the route and checks the acting
// admin may manage them.
func (s *Server) loadManagedUser(c *fiber.Ctx) (domain.User, error) {
	name := utils.CopyString(c.Params("name"))
	if !domain.ValidUsername(name) {
		return domain.User{}, domain.ErrNotFound
	}
	u, err := s.Console.Store.User(c.UserContext(), name)
	if err != nil {
		return domain.User{}, err
	}
	if !canManage(*currentUser(c), u) {
		return domain.User{}, domain.ErrForbidden
	}
	return u, nil
}

func (s *Server) editUser(c *fiber.Ctx) error {
	u, err := s.loadManagedUser(c)
	if err != nil {
		return err
	}
	return s.renderUserEdit(c, fiber.StatusOK, u, formOf(u), "")
}

func (s *Server) renderUserEdit(c *fiber.Ctx, status int, u domain.User, f *userForm, errKey string) error {
	actor := currentUser(c)
	v := s.view(c, "")
	tree := s.Catalog.Snapshot().Tree()
	return s.renderConsole(c, status, "console/user_edit", "users.edit.title", userEditPage{
		Target: u, Form: f, Roles: domain.Roles, Nodes: nodeOptions(v, tree, actor, true, nil),
		RegionWide: actor.RegionWide(), Whole: nodeName(v, tree), Self: actor.Username == u.Username, Error: errKey,
		Done: usersDone[c.Query("done")]})
}

// usersDone are the confirmations of this page (see doneMessages).
var usersDone = map[string]string{
	"access":   "users.done.access",
	"disabled": "users.done.disabled",
	"enabled":  "users.done.enabled",
}

// guardChange refuses a change of target into after (nil: deletion) that
// would lock the acting admin out or leave the region without an
// enabled region-wide admin. It returns a message key.
func (s *Server) guardChange(c *fiber.Ctx, target domain.User, after *domain.User) (string, error) {
	if target.Username == currentUser(c).Username {
		return "users.error.self", nil
	}
	losesPrefecture := after == nil || !after.RegionWide() || after.Disabled
	if !target.RegionWide() || target.Disabled || !losesPrefecture {
		return "", nil
	}
	users, err := s.Console.Store.Users(c.UserContext())
	if err != nil {
		return "", err
	}
	n := 0
	for _, u := range users {
		if u.RegionWide() && !u.Disabled {
			n++
		}
	}
	if n <= 1 {
		return "users.error.last_admin", nil
	}
	return "", nil
}

func (s *Server) saveUser(c *fiber.Ctx) error {
	target, err := s.loadManagedUser(c)
	if err != nil {
		return err
	}
	f := &userForm{Username: target.Username}
	parseAccess(c, f)
	if field, key := s.checkAccess(c, f); key != "" {
		f.Errors = map[string]string{field: key}
		return s.renderUserEdit(c, fiber.StatusUnprocessableEntity, target, f, "")
	}
	role, counties := f.access(currentUser(c), s.Catalog.Snapshot().Region.Code)
	after := target
	after.Role, after.Counties = role, counties
	if key, err := s.guardChange(c, target, &after); err != nil {
		return err
	} else if key != "" {
		return s.renderUserEdit(c, fiber.StatusConflict, target, f, key)
	}
	if err := s.Console.Store.SetUserAccess(c.UserContext(), target.Username, role, counties); err != nil {
		return err
	}
	var changes []domain.FieldChange
	if target.Role != after.Role {
		changes = append(changes, domain.FieldChange{Field: "role", Before: string(target.Role), After: string(after.Role)})
	}
	if b, a := scopeText(target), scopeText(after); b != a {
		changes = append(changes, domain.FieldChange{Field: "counties", Before: b, After: a})
	}
	if err := s.audit(c, "user_access", target.Username, "", changes); err != nil {
		return err
	}
	return c.Redirect("/admin/users/"+target.Username+"?done=access", fiber.StatusSeeOther)
}

// endAccess ends every session and API token of a user, so a disable or
// delete takes effect on the next request the user makes.
func (s *Server) endAccess(c *fiber.Ctx, username string) error {
	ctx := c.UserContext()
	if err := s.Console.Store.DeleteUserSessions(ctx, username); err != nil {
		return err
	}
	_, err := s.Console.Store.RevokeUserTokens(ctx, username)
	return err
}

func (s *Server) disableUser(c *fiber.Ctx) error {
	target, err := s.loadManagedUser(c)
	if err != nil {
		return err
	}
	after := target
	after.Disabled = true
	if key, err := s.guardChange(c, target, &after); err != nil {
		return err
	} else if key != "" {
		return s.renderUserEdit(c, fiber.StatusConflict, target, formOf(target), key)
	}
	if err := s.Console.Store.SetUserDisabled(c.UserContext(), target.Username, true); err != nil {
		return err
	}
	if err := s.endAccess(c, target.Username); err != nil {
		return err
	}
	if err := s.audit(c, "user_disable", target.Username, "", nil); err != nil {
		return err
	}
	return c.Redirect("/admin/users/"+target.Username+"?done=disabled", fiber.StatusSeeOther)
}

func (s *Server) enableUser(c *fiber.Ctx) error {
	target, err := s.loadManagedUser(c)
	if err != nil {
		return err
	}
	if target.Username == currentUser(c).Username {
		return s.renderUserEdit(c, fiber.StatusConflict, target, formOf(target), "users.error.self")
	}
	if err := s.Console.Store.SetUserDisabled(c.UserContext(), target.Username, false); err != nil {
		return err
	}
	if err := s.audit(c, "user_enable", target.Username, "", nil); err != nil {
		return err
	}
	return c.Redirect("/admin/users/"+target.Username+"?done=enabled", fiber.StatusSeeOther)
}

func (s *Server) deleteUser(c *fiber.Ctx) error {
	target, err := s.loadManagedUser(c)
	if err != nil {
		return err
	}
	if formValue(c, "confirm") != target.Username {
		return s.renderUserEdit(c, fiber.StatusUnprocessableEntity, target, formOf(target), "users.error.confirm")
	}
	if key, err := s.guardChange(c, target, nil); err != nil {
		return err
	} else if key != "" {
		return s.renderUserEdit(c, fiber.StatusConflict, target, formOf(target), key)
	}
	if err := s.endAccess(c, target.Username); err != nil {
		return err
	}
	if err := s.Console.Store.DeleteUser(c.UserContext(), target.Username); err != nil {
		return err
	}
	if err := s.audit(c, "user_delete", target.Username, "", []domain.FieldChange{
		{Field: "role", Before: string(target.Role)}, {Field: "counties", Before: scopeText(target)}}); err != nil {
		return err
	}
	return c.Redirect("/admin/users?done=user_deleted", fiber.StatusSeeOther)
}

func formOf(u domain.User) *userForm {
	f := &userForm{Username: u.Username, Role: string(u.Role), Scope: scopeCounties, Counties: u.Counties}
	if u.RegionWide() {
		f.Scope = scopePrefecture
	}
	return f
}
