package web

import (
	"errors"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
)

type userRow struct {
	domain.User
	CountyNames []localized
	Created     chinaTime
	Locked      bool
}

// Access scopes as the form names them: an admin is either region-wide
// or scoped to the nodes of the region's tree ticked (the top, divisions,
// counties), and the form says which. The form value "prefecture" is kept
// from when every region was a prefecture.
const (
	scopePrefecture = "prefecture"
	scopeCounties   = "counties"
)

type userForm struct {
	Username string
	Role     string
	Scope    string
	Counties []string // node codes
	Errors   map[string]string
}

// Has reports whether a node is ticked, for the checkboxes.
func (f *userForm) Has(county string) bool { return slices.Contains(f.Counties, county) }

// access is the role and nodes the form asks for; a region-wide admin has
// none. An admin given the top node of the region by a region-wide admin
// is region-wide: the same access, said once.
func (f *userForm) access(actor *domain.User, top string) (domain.Role, []string) {
	if f.Scope == scopePrefecture {
		return domain.Role(f.Role), nil
	}
	if domain.Role(f.Role) == domain.RoleAdmin && actor != nil && actor.RegionWide() && slices.Contains(f.Counties, top) {
		return domain.Role(f.Role), nil
	}
	nodes := slices.Clone(f.Counties)
	slices.Sort(nodes)
	return domain.Role(f.Role), slices.Compact(nodes)
}

// parseAccess reads role, scope and nodes from a posted form (urlencoded
// or multipart).
func parseAccess(c *fiber.Ctx, f *userForm) {
	f.Role, f.Scope = formValue(c, "role"), formValue(c, "scope")
	if f.Scope != scopePrefecture {
		f.Scope = scopeCounties
	}
	for _, v := range c.Request().PostArgs().PeekMulti("counties") {
		f.Counties = append(f.Counties, string(v))
	}
	if mf, err := c.MultipartForm(); err == nil {
		f.Counties = append(f.Counties, mf.Value["counties"]...)
	}
}

// checkAccess validates the access a form asks for, and that the acting
// admin may grant it: every node ticked is a node of the region's tree
// (refused with a clear error otherwise), a scoped admin grants only nodes
// inside their own and never region-wide access. It returns the field and
// message key of the first problem.
func (s *Server) checkAccess(c *fiber.Ctx, f *userForm) (field, key string) {
	actor := currentUser(c)
	role := domain.Role(f.Role)
	if !role.Valid() {
		return "role", "console.error.role"
	}
	if f.Scope == scopePrefecture {
		switch {
		case role != domain.RoleAdmin:
			return "scope", "tree.error.whole_admin_only"
		case len(f.Counties) > 0:
			return "counties", "tree.error.whole_no_nodes"
		case !actor.RegionWide():
			return "scope", "users.error.beyond_yours"
		}
		return "", ""
	}
	if len(f.Counties) == 0 {
		return "counties", "console.error.counties"
	}
	tree := s.Catalog.Snapshot().Tree()
	for _, code := range f.Counties {
		if !domain.ValidCountyCode(code) || tree.Find(code) == nil {
			return "counties", "tree.error.outside"
		}
		if !actor.CanAccessCounty(code) {
			return "counties", "users.error.beyond_yours"
		}
	}
	return "", ""
}

// canManage reports whether actor may change target: a region-wide admin
// manages everyone, a scoped admin those entirely within their nodes.
func canManage(actor, target domain.User) bool {
	if actor.RegionWide() {
		return true
	}
	if target.RegionWide() {
		return false
	}
	for _, code := range target.Counties {
		if !actor.CanAccessCounty(code) {
			return false
		}
	}
	return true
}

func (s *Server) listUsers(c *fiber.Ctx) error {
	return s.renderUsers(c, fiber.StatusOK, &userForm{Role: string(domain.RoleEditor), Scope: scopeCounties}, nil)
}

func (s *Server) renderUsers(c *fiber.Ctx, status int, f *userForm, reset *userForm) error {
	ctx := c.UserContext()
	users, err := s.Console.Store.Users(ctx)
	if err != nil {
		return err
	}
	v := s.view(c, "")
	tree := s.Catalog.Snapshot().Tree()
	names := map[string]localized{}
	for _, n := range tree.Nodes() {
		names[n.Code] = nodeName(v, n)
	}
	now := s.now()
	actor := currentUser(c)
	rows := make([]userRow, 0, len(users))
	for _, u := range users {
		if !canManage(*actor, u) {
			continue
		}
		r := userRow{User: u, Created: chinaTime(u.CreatedAt), Locked: u.Locked(now)}
		for _, code := range u.Counties {
			name, ok := names[code]
			if !ok {
				name = localized{S: code}
			}
			r.CountyNames = append(r.CountyNames, name)
		}
		rows = append(rows, r)
	}
	if reset == nil {
		reset = &userForm{}
	}
	return s.renderConsole(c, status, "console/users", "console.users.title", struct {
		Users      []userRow
		Form       *userForm
		Reset      *userForm
		Roles      []domain.Role
		Nodes      []nodeOption
		RegionWide bool
		Whole      localized
		Done       string
	}{rows, f, reset, domain.Roles, nodeOptions(v, tree, actor, true, nil), actor.RegionWide(), nodeName(v, tree), doneKey(c)})
}

// createUser adds an account with a first password the admin hands over;
// the user should change it (every user can, under "Password").
func (s *Server) createUser(c *fiber.Ctx) error {
	f := &userForm{Username: strings.ToLower(formValue(c, "username"))}
	parseAccess(c, f)
	password, again := c.FormValue("password"), c.FormValue("again")
	fail := func(field, key string) error {
		f.Errors = map[string]string{field: key}
		return s.renderUsers(c, fiber.StatusUnprocessableEntity, f, nil)
	}
	if !domain.ValidUsername(f.Username) {
		return fail("username", "console.error.username")
	}
	if field, key := s.checkAccess(c, f); key != "" {
		return fail(field, key)
	}
	if key := checkNewPassword(password, again); key != "" {
		return fail("password", key)
	}
	hash, err := s.Console.HashPassword(password)
	if err != nil {
		return err
	}
	role, counties := f.access(currentUser(c), s.Catalog.Snapshot().Region.Code)
	u := domain.User{Username: f.Username, Role: role, Counties: counties, PasswordHash: hash, CreatedAt: s.now()}
	if err := s.Console.Store.CreateUser(c.UserContext(), u); errors.Is(err, domain.ErrConflict) {
		return fail("username", "console.error.username_taken")
	} else if err != nil {
		return err
	}
	if err := s.audit(c, "user_create", u.Username, "", []domain.FieldChange{
		{Field: "role", After: string(u.Role)}, {Field: "counties", After: scopeText(u)}}); err != nil {
		return err
	}
	return c.Redirect("/admin/users?done=user", fiber.StatusSeeOther)
}

// scopeText is a user's scope as the audit log shows it ("prefecture" for
// a region-wide admin, as it always was; else the node codes).
func scopeText(u domain.User) string {
	if u.RegionWide() {
		return "prefecture"
	}
	return strings.Join(u.Counties, ",")
}

// resetPassword lets an admin set a new password for someone who lost
// theirs; every session of that user ends.
func (s *Server) resetPassword(c *fiber.Ctx) error {
	name := utils.CopyString(c.Params("name"))
	target, err := s.Console.Store.User(c.UserContext(), name)
	if err != nil {
		return err
	}
	if !canManage(*currentUser(c), target) {
		return domain.ErrForbidden
	}
	password, again := c.FormValue("password"), c.FormValue("again")
	if key := checkNewPassword(password, again); key != "" {
		return s.renderUsers(c, fiber.StatusUnprocessableEntity, &userForm{Role: string(domain.RoleEditor), Scope: scopeCounties},
			&userForm{Username: name, Errors: map[string]string{"password": key}})
	}
	if err := s.setPassword(c, name, password); err != nil {
		return err
	}
	if err := s.audit(c, "user_password_reset", name, "", nil); err != nil {
		return err
	}
	if name == currentUser(c).Username {
		s.clearSessionCookie(c)
		return c.Redirect("/admin/login", fiber.StatusSeeOther)
	}
	return c.Redirect("/admin/users?done=reset", fiber.StatusSeeOther)
}
