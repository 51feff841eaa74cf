package domain

import "time"

// Revision is a published state of a site, kept so an editor can see what
// the public saw and bring an older text back.
type Revision struct {
	ID   string
	Site Site
	At   time.Time
	User string
}

// AuditEntry records one change made in the console: who did what to
// which object, and for content the fields before and after.
type AuditEntry struct {
	ID      string
	At      time.Time
	User    string
	Action  string // "site_publish", "sign_create", "user_password_reset"…
	Object  string // site key, sign code, username…
	County  string // empty for objects outside any county (users)
	Changes []FieldChange
}

// FieldChange is one field's value before and after a change; an empty
// Before is a field that was set, an empty After one that was cleared.
type FieldChange struct {
	Field  string
	Before string
	After  string
}

// Changed lists the fields whose values differ between two flattenings
// of one entity (the same fields in the same order, each value in After),
// with the value before and after.
func Changed(before, after []FieldChange) []FieldChange {
	var out []FieldChange
	for i := range after {
		if i < len(before) && before[i].After != after[i].After {
			out = append(out, FieldChange{Field: after[i].Field, Before: before[i].After, After: after[i].After})
		}
	}
	return out
}
