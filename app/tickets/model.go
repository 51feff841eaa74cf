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

// PaymentMode is how a site's tickets are paid.
type PaymentMode string

const (
	PayFree   PaymentMode = "free"   // no payment: a reservation is good at once
	PayAtGate PaymentMode = "gate"   // a cashier marks it paid at the gate
	PayOnline PaymentMode = "online" // a payment provider confirms it by webhook; unpaid holds expire
)

// TicketType is one line of a site's price list that can be reserved. The
// concession rules (age range, the proof the gate asks for) are data, so a
// bureau can follow a change of the national policy without a release.
type TicketType struct {
	Code string      // "adult", "child", "senior", "student"…
	Name domain.Text // shown to tourists and at the gate
	Fen  int64       // price in fen
	// AgeMin and AgeMax (inclusive; 0 = no bound) are checked against the
	// birth date of a mainland ID; other documents are checked at the gate.
	AgeMin, AgeMax int
	// Proof is what the gate must see (student card, disability card…);
	// empty when the ID is enough.
	Proof domain.Text
}

// Slot is a time slot (分时预约) with its own limit.
type Slot struct {
	Code  string // "0800": a short, stable key
	Start string // "08:00", China time
	End   string // "10:00"
	Limit int
}

// SiteConfig is the ticketing of one site.
type SiteConfig struct {
	Site, County string
	Enabled      bool
	Types        []TicketType
	// DailyLimit applies when Slots is empty.
	DailyLimit int
	Slots      []Slot
	// WalkInPercent of each limit is kept for visitors without phones, who
	// buy at the ticket office (a national rule for reserved sites).
	WalkInPercent int
	// BookDays is how many days ahead, today included, can be booked.
	BookDays int
	// HoldMinutes is how long an unpaid online reservation holds its places.
	HoldMinutes int
	Payment     PaymentMode
	// ValidDays is how many days a ticket is good for, from the visit date.
	ValidDays int
	// MaxVisitors is the most visitors one reservation may hold.
	MaxVisitors int
	// Cancellation is allowed until CancelAt (China time) on the visit date
	// plus CancelDaysAfter days (稻城亚丁: 17:00 the day after the visit).
	CancelDaysAfter int
	CancelAt        string
}

var (
	codeRe  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,15}$`)
	slotRe  = regexp.MustCompile(`^[0-9]{4}$`)
	clockRe = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

// Validate checks a site's ticketing rules.
func (c SiteConfig) Validate() error {
	bad := func(field string) error {
		return &domain.ValidationError{Field: field, Key: "tickets.error.config"}
	}
	switch {
	case !domain.ValidSiteKey(c.Site):
		return bad("site")
	case !domain.ValidCountyCode(c.County):
		return bad("county")
	case len(c.Types) == 0 || len(c.Types) > 20:
		return bad("types")
	case len(c.Slots) == 0 && (c.DailyLimit <= 0 || c.DailyLimit > 1_000_000):
		return bad("daily_limit")
	case len(c.Slots) > 48:
		return bad("slots")
	case c.WalkInPercent < 0 || c.WalkInPercent > 100:
		return bad("walk_in_percent")
	case c.BookDays < 1 || c.BookDays > 90:
		return bad("book_days")
	case c.Payment != PayFree && c.Payment != PayAtGate && c.Payment != PayOnline:
		return bad("payment")
	case c.Payment == PayOnline && (c.HoldMinutes < 1 || c.HoldMinutes > 24*60):
		return bad("hold_minutes")
	case c.ValidDays < 1 || c.ValidDays > 30:
		return bad("valid_days")
	case c.MaxVisitors < 1 || c.MaxVisitors > 20:
		return bad("max_visitors")
	case c.CancelDaysAfter < -30 || c.CancelDaysAfter > 30 || !clockRe.MatchString(c.CancelAt):
		return bad("cancel")
	}
	seen := map[string]bool{}
	for _, t := range c.Types {
		if !codeRe.MatchString(t.Code) || seen[t.Code] || t.Fen < 0 || t.Name[domain.Zh] == "" ||
			t.AgeMin < 0 || t.AgeMax < 0 || (t.AgeMax > 0 && t.AgeMax < t.AgeMin) {
			return bad("types")
		}
		if c.Payment == PayFree && t.Fen != 0 {
			return bad("types")
		}
		seen[t.Code] = true
	}
	seen = map[string]bool{}
	for _, s := range c.Slots {
		if !slotRe.MatchString(s.Code) || seen[s.Code] || !clockRe.MatchString(s.Start) || !clockRe.MatchString(s.End) ||
			s.End <= s.Start || s.Limit <= 0 || s.Limit > 1_000_000 {
			return bad("slots")
		}
		seen[s.Code] = true
	}
	return nil
}

// Type returns the ticket type with code.
func (c SiteConfig) Type(code string) (TicketType, bool) {
	for _, t := range c.Types {
		if t.Code == code {
			return t, true
		}
	}
	return TicketType{}, false
}

// SlotCodes lists the capacity keys of a day: the slots, or the one
// whole-day key "" when the site has no slots.
func (c SiteConfig) SlotCodes() []string {
	if len(c.Slots) == 0 {
		return []string{""}
	}
	out := make([]string, len(c.Slots))
	for i, s := range c.Slots {
		out[i] = s.Code
	}
	return out
}

// Slot returns the slot with code; "" is the whole day of a site without
// slots.
func (c SiteConfig) Slot(code string) (Slot, bool) {
	if len(c.Slots) == 0 {
		return Slot{Limit: c.DailyLimit}, code == ""
	}
	for _, s := range c.Slots {
		if s.Code == code {
			return s, true
		}
	}
	return Slot{}, false
}

// NewCapacity is the starting capacity of one slot of a day: its limit
// less the walk-in share (rounded up, so the share is never zero when the
// rule asks for one).
func (c SiteConfig) NewCapacity(date, slot string) (Capacity, bool) {
	s, ok := c.Slot(slot)
	if !ok {
		return Capacity{}, false
	}
	walkIn := (s.Limit*c.WalkInPercent + 99) / 100
	return Capacity{Site: c.Site, Date: date, Slot: slot, Limit: s.Limit,
		Online: s.Limit - walkIn, WalkIn: walkIn, Remaining: s.Limit - walkIn, WalkInRemaining: walkIn}, true
}

// BookableDays lists the dates (China time) that can be booked at now.
func (c SiteConfig) BookableDays(now time.Time) []string {
	out := make([]string, 0, c.BookDays)
	day := Day(now)
	for i := 0; i < c.BookDays; i++ {
		out = append(out, day)
		day = AddDays(day, 1)
	}
	return out
}

// CancelDeadline is the last moment a reservation for date may be
// cancelled.
func (c SiteConfig) CancelDeadline(date string) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, date, domain.ChinaTime)
	if err != nil {
		return time.Time{}
	}
	h, _ := strconv.Atoi(c.CancelAt[:2])
	m, _ := strconv.Atoi(c.CancelAt[3:])
	return d.AddDate(0, 0, c.CancelDaysAfter).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

// Capacity is the places of one slot of one day. Online reservations take
// from Remaining; walk-in sales at the ticket office from WalkInRemaining.
type Capacity struct {
	Site, Date, Slot string
	Limit            int
	Online, WalkIn   int
	Remaining        int
	WalkInRemaining  int
}

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
	StateRefunded  State = "refunded"  // cancelled after paying
)

// Final reports whether no transition leaves s.
func (s State) Final() bool {
	return s == StateCancelled || s == StateExpired || s == StateRefunded
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
func Day(t time.Time) string { return t.In(domain.ChinaTime).Format(time.DateOnly) }

// AddDays moves a date by n days; a bad date stays as it is.
func AddDays(day string, n int) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return d.AddDate(0, 0, n).Format(time.DateOnly)
}

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
