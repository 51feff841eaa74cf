package domain

import "errors"

// Errors carry meaning, not HTTP status codes; app/web maps them at the edge.
var (
	ErrNotFound         = errors.New("not found")
	ErrDisabled         = errors.New("disabled")
	ErrConflict         = errors.New("already exists")
	ErrInvalid          = errors.New("invalid")
	ErrSoldOut          = errors.New("sold out")
	ErrAlreadyCheckedIn = errors.New("already checked in")
	ErrForbidden        = errors.New("forbidden")
	ErrSchemaTooNew     = errors.New("database schema is newer than this binary")
)

// ValidationError is a user-facing input error. Key is a translation key in
// app/i18n; Field names the offending input, if any.
type ValidationError struct {
	Field string
	Key   string
	Args  []any
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return "invalid input: " + e.Key
	}
	return "invalid " + e.Field + ": " + e.Key
}

// Is makes errors.Is(err, ErrInvalid) true for every ValidationError.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }
