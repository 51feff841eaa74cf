package domain

import (
	"time"
	"unicode/utf8"
)

// Feedback is what a visitor tells the bureau about a site.
type Feedback struct {
	ID         string
	Site       string
	County     string
	Rating     int // 1-5
	Text       string
	Contact    string // optional phone or e-mail, only for a reply
	Lang       Lang
	Created    time.Time
	ResolvedAt time.Time // zero while open
	ResolvedBy string
}

// Limits of a feedback form.
const (
	FeedbackMaxText    = 2000
	FeedbackMaxContact = 100
)

// Open reports whether the feedback still waits for the bureau.
func (f Feedback) Open() bool { return f.ResolvedAt.IsZero() }

// Validate checks what a visitor typed.
func (f Feedback) Validate() error {
	switch {
	case f.Rating < 1 || f.Rating > 5:
		return &ValidationError{Field: "rating", Key: "error.feedback_rating"}
	case utf8.RuneCountInString(f.Text) > FeedbackMaxText:
		return &ValidationError{Field: "text", Key: "error.feedback_text_long", Args: []any{FeedbackMaxText}}
	case utf8.RuneCountInString(f.Contact) > FeedbackMaxContact:
		return &ValidationError{Field: "contact", Key: "error.too_long"}
	case !ValidSiteKey(f.Site) || !ValidCountyCode(f.County):
		return &ValidationError{Field: "site", Key: "error.site_key"}
	}
	return nil
}
