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
	Created chinaTime
	Locked  bool
}

type userForm struct {
	Username string
	Role     string
	Counties []string
	Errors   map[string]string
}

// Has reports whether county is ticked, for the checkboxes.
func (f *userForm) Has(county string) bool { return slices.Contains(f.Counties, county) }

func (s *Server) listUsers(c *fiber.Ctx) error {
	return s.renderUsers(c, fiber.StatusOK, &userForm{Role: string(domain.RoleEditor)}, nil)
}

func (s *Server) renderUsers(c *fiber.Ctx, status int, f *userForm, reset *userForm) error {
	ctx := c.UserContext()
	users, err := s.Console.Store.Users(ctx)
	if err != nil {
		return err
	}
	counties, err := s.Console.Store.Counties(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	rows := make([]userRow, len(users))
	for i, u := range users {
		rows[i] = userRow{User: u, Created: chinaTime(u.CreatedAt), Locked: u.Locked(now)}
	}
	if reset == nil {
		reset = &userForm{}
	}
	return s.renderConsole(c, status, "console/users", "console.users.title", struct {
		Users    []userRow
		Form     *userForm
		Reset    *userForm
		Roles    []domain.Role
		Counties []countyTab
		Done     string
	}{rows, f, reset, domain.Roles, countyTabs(counties, "", langOf(c)), doneKey(c)})
}

// createUser adds an account with a first password the admin hands over;
// the user should change it (every user can, under "Password").
func (s *Server) createUser(c *fiber.Ctx) error {
	f := &userForm{Username: strings.ToLower(formValue(c, "username")), Role: formValue(c, "role")}
	args := c.Request().PostArgs()
	for _, v := range args.PeekMulti("counties") {
		f.Counties = append(f.Counties, string(v))
	}
	if mf, err := c.MultipartForm(); err == nil {
		f.Counties = append(f.Counties, mf.Value["counties"]...)
	}
	password, again := c.FormValue("password"), c.FormValue("again")
	fail := func(field, key string) error {
		f.Errors = map[string]string{field: key}
		return s.renderUsers(c, fiber.StatusUnprocessableEntity, f, nil)
	}
	role := domain.Role(f.Role)
	switch {
	case !domain.ValidUsername(f.Username):
		return fail("username", "console.error.username")
	case !role.Valid():
		return fail("role", "console.error.role")
	case role != domain.RoleAdmin && len(f.Counties) == 0:
		return fail("counties", "console.error.counties")
	}
	if role == domain.RoleAdmin {
		f.Counties = nil // admins are not scoped
	}
	for _, code := range f.Counties {
		if _, err := s.Console.Store.County(c.UserContext(), code); err != nil {
			return fail("counties", "console.error.county")
		}
	}
	if key := checkNewPassword(password, again); key != "" {
		return fail("password", key)
	}
	hash, err := s.Console.HashPassword(password)
	if err != nil {
		return err
	}
	u := domain.User{Username: f.Username, Role: role, Counties: f.Counties, PasswordHash: hash, CreatedAt: s.now()}
	if err := s.Console.Store.CreateUser(c.UserContext(), u); errors.Is(err, domain.ErrConflict) {
		return fail("username", "console.error.username_taken")
	} else if err != nil {
		return err
	}
	if err := s.audit(c, "user_create", u.Username, "", []domain.FieldChange{
		{Field: "role", After: string(u.Role)}, {Field: "counties", After: strings.Join(u.Counties, ",")}}); err != nil {
		return err
	}
	return c.Redirect("/admin/users?done=user", fiber.StatusSeeOther)
}

// resetPassword lets an admin set a new password for someone who lost
// theirs; every session of that user ends.
func (s *Server) resetPassword(c *fiber.Ctx) error {
	name := utils.CopyString(c.Params("name"))
	if _, err := s.Console.Store.User(c.UserContext(), name); err != nil {
		return err
	}
	password, again := c.FormValue("password"), c.FormValue("again")
	if key := checkNewPassword(password, again); key != "" {
		return s.renderUsers(c, fiber.StatusUnprocessableEntity, &userForm{Role: string(domain.RoleEditor)},
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
