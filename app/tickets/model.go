// Package tickets is ticketing: ticket types and capacity per site and day,
// real-name reservations, Ed25519-signed ticket codes that gates verify
// offline, check-in, payment and refund rules. It declares the small store
// and recorder interfaces it needs; app/store implements the store on
// MongoDB (or the embedded server) with single-document atomic updates only,
// because neither offers transactions we can rely on.
package tickets

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// The settings are domain entities (app/domain/ticketing.go); these names
// keep ticketing's code reading as it did.
type (
	PaymentMode = domain.PaymentMode
	TicketType  = domain.TicketType
	Slot        = domain.Slot
	SiteConfig  = domain.TicketSettings
	Capacity    = domain.TicketCapacity
)

const (
	PayFree   = domain.PayFree
	PayAtGate = domain.PayAtGate
	PayOnline = domain.PayOnline
)

var (
	codeRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,15}$`)
	slotRe = regexp.MustCompile(`^[0-9]{4}$`)
)

// CapacityKey is the _id of a capacity document: site|date|slot.
func CapacityKey(site, date, slot string) string { return site + "|" + date + "|" + slot }

// State is where a reservation is in its life.
type State string

const (
	StateHeld      State = "held"      // online payment pending; expires at HoldUntil
	StateBooked    State = "booked"    // pay at the gate: places kept, not paid yet
	StatePaid      State = "paid"      // paid, or free: good at the gate
	StateCancelled State = "cancelled" // by the tourist, before paying or free
	StateExpired   State = "expired"   // an online hold that was not paid in time
	StateRefunded  State = "refunded"  // cancelled after paying, and the money recorded as given back
	// StateRefundRequested is a paid reservation cancelled by the tourist:
	// its places are back, the money is not until a cashier or the
	// provider records the refund (→ StateRefunded).
	StateRefundRequested State = "refund_requested"
)

// Final reports whether the reservation's places are given back: no
// ticket of it is good any more. Only a requested refund moves on, to
// refunded.
func (s State) Final() bool {
	return s == StateCancelled || s == StateExpired || s == StateRefunded || s == StateRefundRequested
}

// Visitor is one person of a reservation. The ID number itself is never
// kept: only a keyed hash (for one-reservation-per-ID) and a masked form.
type Visitor struct {
	Name     string
	IDType   IDType
	IDHash   string
	IDMasked string
	Type     string // ticket type code
	Fen      int64
	TicketID string
	// Days is how long this visitor's ticket is good (its type's
	// validity when it was booked); 0 means the reservation's ValidDays.
	Days int
	// Birth is the birth date typed for an age concession with a
	// document that does not encode it; the gate checks it.
	Birth string
}

// Reservation is a booking of one or more visitors for one slot of a day.
type Reservation struct {
	// Ref is the reservation's public reference (on the ticket, at the
	// cashier); KeyHash is the hash of the secret of the tourist's private
	// link.
	Ref       string
	KeyHash   string
	Site      string
	County    string
	Date      string // visit date, China time
	Slot      string // "" when the site has no slots
	ValidDays int
	Visitors  []Visitor
	Phone     string
	TotalFen  int64
	Payment   PaymentMode
	// WalkIn places came from the walk-in share and go back to it.
	WalkIn bool
	State  State
	// Seq is the number of state transitions applied; see Transition.
	Seq       int
	HoldUntil time.Time
	Lang      domain.Lang
	Created   time.Time
	Updated   time.Time
	PaidFen   int64
	PaidBy    string
	// CancelBy is the cancellation deadline under the rules the booking
	// was made with (zero on bookings made before it was kept).
	CancelBy time.Time
	// NoShowAt is when an unpaid pay-at-gate or free booking gives its
	// places back if nobody checked in; zero when the site keeps them.
	NoShowAt time.Time
	// Client is a keyed hash of the booking's client address, for the
	// operator's view of bulk bookings; never the address itself.
	Client      string
	RefundedFen int64
	// Sign is the sign the reservation came from (ReserveRequest.Sign).
	Sign string
}

// Transition is one change of a reservation's state. Transition number n of
// reservation R is stored under the unique key R|n, so of two concurrent
// changes from the same state exactly one is accepted: the state machine's
// compare-and-swap, on a unique insert, which both MongoDB and the embedded
// server do atomically.
type Transition struct {
	Ref  string
	Seq  int // 1 for the first transition
	From State
	To   State
	At   time.Time
	By   string // "tourist", "expiry", "cashier:<user>", "webhook:<provider>"
	Fen  int64  // money moved, if any
	Note string
	// Done is set once the transition's side effects are all made.
	Done bool
}

// TicketID is the id of visitor i (0-based) of a reservation.
func TicketID(ref string, i int) string { return ref + "-" + strconv.Itoa(i+1) }

// SplitTicketID returns the reservation reference and visitor index of a
// ticket id.
func SplitTicketID(id string) (ref string, i int, ok bool) {
	ref, n, found := strings.Cut(id, "-")
	if !found || !refRe.MatchString(ref) || len(n) == 0 || len(n) > 2 || n[0] == '0' {
		return "", 0, false
	}
	k, err := strconv.Atoi(n)
	if err != nil || k < 1 {
		return "", 0, false
	}
	return ref, k - 1, true
}

// Day is the China-time date of t.
func Day(t time.Time) string { return domain.TicketDay(t) }

// AddDays moves a date by n days; a bad date stays as it is.
func AddDays(day string, n int) string { return domain.AddTicketDays(day, n) }

// ValidDate reports whether s is a YYYY-MM-DD date.
func ValidDate(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// Checkin is the first accepted scan of a ticket.
type Checkin struct {
	TicketID string
	ScanID   string // made by the gate device: a replayed sync is the same scan
	Site     string
	At       time.Time // when the gate scanned it (device time for offline scans)
	Received time.Time // when the server got it
	By       string    // gate user
	Device   string
	Offline  bool
}

// DoubleUse is a later scan of a ticket already checked in, kept for the
// operator.
type DoubleUse struct {
	ScanID   string
	TicketID string
	Site     string
	Day      string
	At       time.Time
	FirstAt  time.Time
	FirstBy  string
	By       string
	Device   string
	Offline  bool
}

// Payment is a provider's confirmation, kept by provider transaction id so
// a replayed webhook changes nothing.
type Payment struct {
	Provider    string
	Transaction string
	Ref         string
	Fen         int64
	Received    time.Time
	Outcome     string // "paid", "already_paid", "late" (the hold had ended: refund by hand)
}

func (p Payment) String() string { return fmt.Sprintf("%s/%s", p.Provider, p.Transaction) }
