package domain

import (
	"regexp"
	"slices"
	"time"
)

// Role is what a user may do.
type Role string

const (
	RoleAdmin    Role = "admin"    // users and everything else, region-wide or in their scope
	RoleEditor   Role = "editor"   // edit sites and signs of their counties
	RoleOperator Role = "operator" // read statistics of their counties
	RoleGate     Role = "gate"     // check tickets in at their sites
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleEditor, RoleOperator, RoleGate}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// User is a bureau staff account. Counties scope what the user may touch:
// they are codes of nodes of the region's tree (a county, a division such
// as a province's prefecture, or the top), each covering every county
// below it (NodeContains). An admin without any is region-wide; an admin
// with some is scoped to them like everyone else.
type User struct {
	Username     string
	PasswordHash string
	Role         Role
	// Counties are the scope's node codes (the name is from when they
	// could only be counties; a county code is still a node).
	Counties  []string
	CreatedAt time.Time
	// FailedLogins counts wrong passwords since the last good one; at
	// LockAfterFailures the account is locked until LockedUntil.
	FailedLogins int
	LockedUntil  time.Time
	// Disabled accounts cannot log in; their sessions and API tokens are
	// ended when they are disabled, and refused if one is still presented.
	Disabled bool
}

// RegionWide reports whether the user is an admin of the whole region
// (whatever its top: a province, a prefecture or one county).
func (u User) RegionWide() bool { return u.Role == RoleAdmin && len(u.Counties) == 0 }

// Login throttling (before this, LockAfterFailures wrong passwords locked
// the account for LockFor from every address; the console still shows
// such old locks, and nothing sets them any more).
const (
	LockAfterFailures = 5
	LockFor           = 15 * time.Minute
)

// Login attempts are budgeted per (account name, client address), never
// per account alone, so no one can lock another person out by guessing
// from elsewhere: LoginFreeAttempts passwords are checked, then one more
// after each wait, the waits doubling from LoginFirstDelay up to
// LoginMaxDelay (1, 2, 4 … 60 minutes: about 30 guesses a day from one
// address). A good password clears the budget. The budget is taken before
// the password is checked, so concurrent guesses cannot exceed it.
const (
	LoginFreeAttempts = 5
	LoginFirstDelay   = time.Minute
	LoginMaxDelay     = time.Hour
)

// LoginDelay is the wait after the n-th (from 0) refused round of attempts.
func LoginDelay(n int) time.Duration {
	if n > 6 {
		return LoginMaxDelay
	}
	return min(LoginFirstDelay<<n, LoginMaxDelay)
}

// Locked reports whether the account is locked at now.
func (u User) Locked(now time.Time) bool { return now.Before(u.LockedUntil) }

// Session is a logged-in browser. Its ID is a hash of the token kept in the
// cookie, so a leaked database does not leak live sessions.
type Session struct {
	ID       string
	Username string
	Created  time.Time
	Expires  time.Time
}

var usernameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)

// ValidUsername reports whether name is 2-32 lowercase letters, digits, dots,
// dashes or underscores.
func ValidUsername(name string) bool { return usernameRe.MatchString(name) }

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// CanAccessCounty reports whether the user may touch data of county, or
// of any other node of the tree (a division is accessible when it lies
// inside one of the user's nodes).
func (u User) CanAccessCounty(county string) bool {
	return u.RegionWide() || slices.ContainsFunc(u.Counties, func(node string) bool { return NodeContains(node, county) })
}

// Validate checks the user's own rules (not the password, which is hashed
// before it reaches a User).
func (u User) Validate() error {
	switch {
	case !ValidUsername(u.Username):
		return &ValidationError{Field: "username", Key: "error.username"}
	case !u.Role.Valid():
		return &ValidationError{Field: "role", Key: "error.role"}
	case u.Role != RoleAdmin && len(u.Counties) == 0:
		return &ValidationError{Field: "counties", Key: "error.counties_required"}
	}
	for _, c := range u.Counties {
		if !ValidCountyCode(c) {
			return &ValidationError{Field: "counties", Key: "error.county_code"}
		}
	}
	return nil
}
