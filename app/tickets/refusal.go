package tickets

import (
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// Reason says why something was refused. It is also the last part of the
// translation key "tickets.refuse.<reason>".
type Reason string

const (
	ReasonSoldOut        Reason = "sold_out"
	ReasonIDTaken        Reason = "id_taken"        // this ID has a reservation at this site on that day
	ReasonNotBookable    Reason = "not_bookable"    // date outside the booking window, unknown slot
	ReasonAge            Reason = "age"             // the ID's birth date does not fit the concession
	ReasonCancelDeadline Reason = "cancel_deadline" // too late to cancel
	ReasonUsed           Reason = "used"            // a ticket was used: no cancelling
	ReasonState          Reason = "state"           // not possible in the reservation's state
	ReasonAmount         Reason = "amount"          // a payment of the wrong amount
	ReasonClosed         Reason = "closed"          // the site is closed that day (Note says why)
	ReasonClosedDay      Reason = "closed_day"      // a regular closed day
	ReasonPhoneLimit     Reason = "phone_limit"     // this phone has booked the most places allowed that day
	ReasonClientLimit    Reason = "client_limit"    // this connection has booked the most places allowed that day
	ReasonMainlandOnly   Reason = "mainland_only"   // age concessions need a resident ID card here

	// At the gate.
	ReasonBadCode     Reason = "bad_code"     // not a ticket code, or a forged one
	ReasonUnknownKey  Reason = "unknown_key"  // signed with a key this gate does not know
	ReasonWrongSite   Reason = "wrong_site"   // a ticket of another site
	ReasonTooEarly    Reason = "too_early"    // its first day is still to come
	ReasonWrongDay    Reason = "wrong_day"    // its last day has passed
	ReasonAlreadyUsed Reason = "already_used" // checked in before
	ReasonCancelled   Reason = "cancelled"    // cancelled, refunded, or an unpaid hold that expired
	ReasonNotPaid     Reason = "not_paid"
	ReasonUnknown     Reason = "unknown_ticket" // signed, but no such reservation here
)

// Refusal is a refused request, with its reason; Visitor is the 0-based
// index of the visitor it concerns, or -1.
type Refusal struct {
	Reason  Reason
	Visitor int
	// First is the first check-in of a ticket already used.
	First *Checkin
	// Until is a deadline that passed (cancellation) or a day (validity).
	Until time.Time
	// Note is the bureau's reason for a closure.
	Note domain.Text
	// Limit is the limit a booking ran into.
	Limit int
}

// Args are the arguments of the refusal's message in lang: the closure's
// reason, or the limit.
func (r *Refusal) Args(lang domain.Lang) []any {
	switch r.Reason {
	case ReasonClosed:
		return []any{r.Note.String(lang)}
	case ReasonPhoneLimit, ReasonClientLimit:
		return []any{r.Limit}
	}
	return nil
}

func (r *Refusal) Error() string { return "tickets: refused: " + string(r.Reason) }

// Key is the refusal's translation key.
func (r *Refusal) Key() string { return "tickets.refuse." + string(r.Reason) }

// Is lets callers test refusals with the domain's errors.
func (r *Refusal) Is(target error) bool {
	switch target {
	case domain.ErrSoldOut:
		return r.Reason == ReasonSoldOut
	case domain.ErrAlreadyCheckedIn:
		return r.Reason == ReasonAlreadyUsed
	case domain.ErrConflict:
		return r.Reason == ReasonIDTaken
	}
	return false
}

func refuse(reason Reason) *Refusal { return &Refusal{Reason: reason, Visitor: -1} }
