package domain

import (
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Ticket settings are a bureau's own data: a site's ticket types, price
// seasons, capacity by LB/T 034, slots, closed days, booking window,
// cancellation, payment, hoarding limits and closures. The console edits
// them, the content pack carries them (sites/<key>/tickets.yaml) and app/tickets
// applies them. A reservation copies the prices and rules it was made
// under, so an edit changes new bookings only.

// PaymentMode is how a site's tickets are paid.
type PaymentMode string

const (
	PayFree   PaymentMode = "free"   // no payment: a reservation is good at once
	PayAtGate PaymentMode = "gate"   // a cashier marks it paid at the gate
	PayOnline PaymentMode = "online" // the bureau's provider's hosted checkout; the signed webhook confirms it
)

// PaymentModes lists the modes in the order forms offer them.
var PaymentModes = []PaymentMode{PayFree, PayAtGate, PayOnline}

// ForeignConcession is a site's rule for age concessions claimed with a
// document that does not encode the birth date (passport, travel permits).
type ForeignConcession string

const (
	// ForeignBirthDate: the visitor types the birth date, the ticket says
	// so and the gate checks it against the document.
	ForeignBirthDate ForeignConcession = "birth_date"
	// ForeignMainlandOnly: age concessions need a resident ID card.
	ForeignMainlandOnly ForeignConcession = "mainland_only"
)

// TicketType is one line of a site's price list that can be reserved. The
// concession rules (age range, the proof the gate asks for) are data, so a
// bureau can follow a change of the national policy without a release.
type TicketType struct {
	Code string // "adult", "child", "senior", "student"…
	Name Text   // shown to tourists and at the gate
	Fen  int64  // base price in fen, when no season says otherwise
	// AgeMin and AgeMax (inclusive; 0 = no bound) are checked against the
	// birth date of a mainland ID, or the typed birth date of another
	// document (see ForeignConcession).
	AgeMin, AgeMax int
	// Proof is what the gate must see (student card, disability card…);
	// empty when the ID is enough.
	Proof Text
	// ValidDays overrides the site's ticket validity for this type; 0
	// keeps the site's.
	ValidDays int
}

// AgeBased reports whether the type is a concession by age.
func (t TicketType) AgeBased() bool { return t.AgeMin > 0 || t.AgeMax > 0 }

// Season is a yearly date range with its own prices: 稻城亚丁 charges 146
// yuan from April to November and 120 from December to March.
type Season struct {
	// From and To are "MM-DD", inclusive; To before From runs over the
	// new year ("12-01" to "03-31").
	From, To string
	Name     Text
	// Prices maps ticket type codes to their price in this season; a type
	// not listed keeps its base price.
	Prices map[string]int64
}

// Contains reports whether date (YYYY-MM-DD) falls in the season.
func (s Season) Contains(date string) bool {
	if len(date) != 10 {
		return false
	}
	md := date[5:]
	if s.From <= s.To {
		return md >= s.From && md <= s.To
	}
	return md >= s.From || md <= s.To
}

// Slot is a time slot (分时预约) with its own limit.
type Slot struct {
	Code  string // "0800": a short, stable key
	Start string // "08:00", China time
	End   string // "10:00"
	Limit int
}

// CarryingCapacity holds the figures LB/T 034-2014 (景区最大承载量核定导则)
// asks for; the maxima follow from them: the instantaneous maximum C₁ =
// X / Y (the visitable area over the area per person) and the daily
// maximum C₂ = C₁ × Z / t (opening hours over the average stay, the
// turnover).
type CarryingCapacity struct {
	AreaM2      float64 // X: the visitable area, m²
	PerPersonM2 float64 // Y: area per visitor, m²
	OpenHours   float64 // Z: daily opening hours
	StayHours   float64 // t: average stay, hours
}

// Known reports whether the figures are given.
func (k CarryingCapacity) Known() bool {
	return k.AreaM2 > 0 && k.PerPersonM2 > 0 && k.OpenHours > 0 && k.StayHours > 0
}

// Instant is the instantaneous maximum, or 0 when the figures are missing.
func (k CarryingCapacity) Instant() int {
	if !k.Known() {
		return 0
	}
	return int(math.Floor(k.AreaM2/k.PerPersonM2 + 1e-9))
}

// Daily is the daily maximum, or 0 when the figures are missing.
func (k CarryingCapacity) Daily() int {
	if !k.Known() {
		return 0
	}
	turnover := k.OpenHours / k.StayHours
	if turnover < 1 {
		turnover = 1 // a visit longer than the opening hours is one visit
	}
	return int(math.Floor(float64(k.Instant())*turnover + 1e-9))
}

// Closure closes a site for a date range (today, a storm, works), with a
// reason shown to tourists in their language.
type Closure struct {
	From, To string // YYYY-MM-DD, inclusive
	Reason   Text
}

// Covers reports whether date falls in the closure.
func (c Closure) Covers(date string) bool { return date >= c.From && date <= c.To }

// Checkout is a site's online payment provider: a hosted checkout page the
// tourist is sent to. URL is a template with {order}, {amount} (fen),
// {expires} (unix seconds) and {sig}: hex HMAC-SHA256, keyed with Secret,
// of "order|amount|expires". The provider confirms through the signed
// webhook /api/tickets/payments/{Provider}.
type Checkout struct {
	Provider string
	URL      string
	Secret   string // never exported in a pack, never shown again in the console
}

// Configured reports whether online payment can work.
func (c Checkout) Configured() bool {
	return c.Provider != "" && c.URL != "" && len(c.Secret) >= 16
}

// TicketSettings are the ticketing of one site.
type TicketSettings struct {
	Site, County string
	Enabled      bool
	Types        []TicketType
	Seasons      []Season
	Capacity     CarryingCapacity
	// DailyLimit applies when Slots is empty.
	DailyLimit int
	Slots      []Slot
	// WalkInPercent of each limit is kept for visitors without phones, who
	// buy at the ticket office (a national rule for reserved sites).
	WalkInPercent int
	// ClosedWeekdays (0 = Sunday) and ClosedDates are days without sales.
	ClosedWeekdays []int
	ClosedDates    []string
	// BookDays is how many days ahead, today included, can be booked.
	BookDays int
	// HoldMinutes is how long an unpaid online reservation holds its places.
	HoldMinutes int
	Payment     PaymentMode
	Checkout    Checkout
	// ValidDays is how many days a ticket is good for, from the visit date.
	ValidDays int
	// MaxVisitors is the most visitors one reservation may hold.
	MaxVisitors int
	// Cancellation is allowed until CancelAt (China time) on the visit date
	// plus CancelDaysAfter days (稻城亚丁: 17:00 the day after the visit).
	CancelDaysAfter int
	CancelAt        string
	// ForeignConcession is the rule for age concessions with documents
	// that do not encode the birth date.
	ForeignConcession ForeignConcession
	// PerPhoneDay and PerClientDay bound the places one phone number and
	// one client (network address) may book for one visit day.
	PerPhoneDay, PerClientDay int
	// NoShowRelease gives back the places of unpaid pay-at-gate and free
	// bookings nobody checked in by the end of their slot (or NoShowAt on
	// the visit day when the site has no slots).
	NoShowRelease bool
	NoShowAt      string
	Closures      []Closure
}

// Defaults for the hoarding limits (issue #12): a family or a small group
// per phone; a client address is shared by a whole bus behind a carrier's
// NAT, so its limit is larger.
const (
	DefaultPerPhoneDay  = 10
	DefaultPerClientDay = 60
	DefaultNoShowAt     = "14:00"
)

var (
	ticketCodeRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,15}$`)
	slotCodeRe   = regexp.MustCompile(`^[0-9]{4}$`)
	clockRe      = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	monthDayRe   = regexp.MustCompile(`^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`)
	providerRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
)

// Limits of the settings' lists and numbers.
const (
	MaxTicketTypes = 20
	MaxSeasons     = 12
	MaxSlots       = 48
	MaxClosures    = 50
	MaxClosedDates = 366
	MaxDailyLimit  = 1_000_000
	maxTextLen     = 200
)

func ticketErr(field, key string, args ...any) error {
	return &ValidationError{Field: field, Key: "ticketsettings.error." + key, Args: args}
}

func validMonthDay(s string) bool {
	if !monthDayRe.MatchString(s) {
		return false
	}
	_, err := time.Parse("2006-01-02", "2024-"+s) // a leap year: 02-29 is a day
	return err == nil
}

// ValidTicketDate reports whether s is a YYYY-MM-DD date.
func ValidTicketDate(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func validText(t Text, required bool) bool {
	for l, v := range t {
		if !l.Valid() || len(v) > maxTextLen || strings.ContainsAny(v, "\r\n") {
			return false
		}
	}
	return !required || strings.TrimSpace(t[Zh]) != ""
}

// Validate checks the settings; the error is a *ValidationError naming the
// field and a translation key that says what is wrong. Settings that are
// switched off and have no ticket types only carry closures.
func (c TicketSettings) Validate() error {
	if !ValidSiteKey(c.Site) {
		return ticketErr("site", "site")
	}
	if !ValidCountyCode(c.County) {
		return ticketErr("county", "county")
	}
	if err := c.validateClosures(); err != nil {
		return err
	}
	if !c.Enabled && len(c.Types) == 0 {
		return nil
	}
	switch {
	case len(c.Types) == 0:
		return ticketErr("types", "types_none")
	case len(c.Types) > MaxTicketTypes:
		return ticketErr("types", "types_many", MaxTicketTypes)
	}
	seen := map[string]bool{}
	for i, t := range c.Types {
		f := "types." + strconv.Itoa(i) + "."
		switch {
		case !ticketCodeRe.MatchString(t.Code):
			return ticketErr(f+"code", "type_code")
		case seen[t.Code]:
			return ticketErr(f+"code", "type_code_twice", t.Code)
		case !validText(t.Name, true):
			return ticketErr(f+"name", "type_name")
		case t.Fen < 0 || t.Fen > 10_000_00:
			return ticketErr(f+"price", "price")
		case c.Payment == PayFree && t.Fen != 0:
			return ticketErr(f+"price", "price_free_mode")
		case t.AgeMin < 0 || t.AgeMax < 0 || t.AgeMin > 150 || t.AgeMax > 150 || (t.AgeMax > 0 && t.AgeMax < t.AgeMin):
			return ticketErr(f+"age", "age")
		case !validText(t.Proof, false):
			return ticketErr(f+"proof", "proof")
		case t.ValidDays < 0 || t.ValidDays > 30:
			return ticketErr(f+"valid_days", "valid_days")
		}
		seen[t.Code] = true
	}
	if len(c.Seasons) > MaxSeasons {
		return ticketErr("seasons", "seasons_many", MaxSeasons)
	}
	for i, s := range c.Seasons {
		f := "seasons." + strconv.Itoa(i) + "."
		if !validMonthDay(s.From) || !validMonthDay(s.To) {
			return ticketErr(f+"from", "season_dates")
		}
		if !validText(s.Name, false) {
			return ticketErr(f+"name", "season_name")
		}
		if len(s.Prices) == 0 {
			return ticketErr(f+"prices", "season_prices")
		}
		for code, fen := range s.Prices {
			if !seen[code] {
				return ticketErr(f+"prices", "season_type", code)
			}
			if fen < 0 || fen > 10_000_00 || (c.Payment == PayFree && fen != 0) {
				return ticketErr(f+"prices", "price")
			}
		}
		for j, o := range c.Seasons[:i] {
			if seasonsOverlap(s, o) {
				return ticketErr(f+"from", "season_overlap", j+1)
			}
		}
	}
	k := c.Capacity
	switch {
	case !(k.AreaM2 > 0 && k.AreaM2 <= 1e9):
		return ticketErr("capacity.area", "capacity_area")
	case !(k.PerPersonM2 >= 0.5 && k.PerPersonM2 <= 1e6):
		return ticketErr("capacity.per_person", "capacity_per_person")
	case !(k.OpenHours > 0 && k.OpenHours <= 24):
		return ticketErr("capacity.open_hours", "capacity_hours")
	case !(k.StayHours > 0 && k.StayHours <= 24):
		return ticketErr("capacity.stay_hours", "capacity_stay")
	}
	daily := k.Daily()
	if len(c.Slots) > MaxSlots {
		return ticketErr("slots", "slots_many", MaxSlots)
	}
	if len(c.Slots) == 0 {
		switch {
		case c.DailyLimit <= 0 || c.DailyLimit > MaxDailyLimit:
			return ticketErr("daily_limit", "daily_limit")
		case c.DailyLimit > daily:
			return ticketErr("daily_limit", "over_daily_max", c.DailyLimit, daily)
		}
	} else {
		seenSlot, sum := map[string]bool{}, 0
		for i, s := range c.Slots {
			f := "slots." + strconv.Itoa(i) + "."
			switch {
			case !slotCodeRe.MatchString(s.Code) || seenSlot[s.Code]:
				return ticketErr(f+"code", "slot_code")
			case !clockRe.MatchString(s.Start) || !clockRe.MatchString(s.End) || s.End <= s.Start:
				return ticketErr(f+"start", "slot_times")
			case s.Limit <= 0 || s.Limit > MaxDailyLimit:
				return ticketErr(f+"limit", "slot_limit")
			}
			for j, o := range c.Slots[:i] {
				if s.Start < o.End && o.Start < s.End {
					return ticketErr(f+"start", "slot_overlap", j+1)
				}
			}
			seenSlot[s.Code] = true
			sum += s.Limit
		}
		if sum > daily {
			return ticketErr("slots", "over_daily_max", sum, daily)
		}
	}
	switch {
	case c.WalkInPercent < 0 || c.WalkInPercent > 100:
		return ticketErr("walk_in_percent", "walk_in")
	case len(c.ClosedWeekdays) > 6:
		return ticketErr("closed_weekdays", "closed_weekdays")
	case len(c.ClosedDates) > MaxClosedDates:
		return ticketErr("closed_dates", "closed_dates_many", MaxClosedDates)
	case c.BookDays < 1 || c.BookDays > 90:
		return ticketErr("book_days", "book_days")
	case !slices.Contains(PaymentModes, c.Payment):
		return ticketErr("payment", "payment")
	case c.Payment == PayOnline && !c.Checkout.Configured():
		return ticketErr("payment", "online_no_provider")
	case c.Payment == PayOnline && (c.HoldMinutes < 5 || c.HoldMinutes > 24*60):
		return ticketErr("hold_minutes", "hold_minutes")
	case c.ValidDays < 1 || c.ValidDays > 30:
		return ticketErr("valid_days", "valid_days")
	case c.MaxVisitors < 1 || c.MaxVisitors > 20:
		return ticketErr("max_visitors", "max_visitors")
	case c.CancelDaysAfter < -30 || c.CancelDaysAfter > 30:
		return ticketErr("cancel_days_after", "cancel_days")
	case !clockRe.MatchString(c.CancelAt):
		return ticketErr("cancel_at", "clock")
	case c.ForeignConcession != ForeignBirthDate && c.ForeignConcession != ForeignMainlandOnly:
		return ticketErr("foreign_concession", "foreign_concession")
	case c.PerPhoneDay < c.MaxVisitors || c.PerPhoneDay > 1000:
		return ticketErr("per_phone_day", "per_phone", c.MaxVisitors)
	case c.PerClientDay < c.PerPhoneDay || c.PerClientDay > 100_000:
		return ticketErr("per_client_day", "per_client")
	case c.NoShowRelease && len(c.Slots) == 0 && !clockRe.MatchString(c.NoShowAt):
		return ticketErr("no_show_at", "clock")
	}
	for _, w := range c.ClosedWeekdays {
		if w < 0 || w > 6 {
			return ticketErr("closed_weekdays", "closed_weekdays")
		}
	}
	for _, d := range c.ClosedDates {
		if !ValidTicketDate(d) {
			return ticketErr("closed_dates", "date", d)
		}
	}
	if c.Payment == PayOnline {
		if err := c.Checkout.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (c Checkout) validate() error {
	if !providerRe.MatchString(c.Provider) {
		return ticketErr("checkout.provider", "provider")
	}
	u, err := url.Parse(strings.NewReplacer("{order}", "x", "{amount}", "1", "{expires}", "1", "{sig}", "x").Replace(c.URL))
	if err != nil || u.Scheme != "https" || u.Host == "" || !strings.Contains(c.URL, "{order}") ||
		!strings.Contains(c.URL, "{amount}") || !strings.Contains(c.URL, "{sig}") {
		return ticketErr("checkout.url", "checkout_url")
	}
	return nil
}

func (c TicketSettings) validateClosures() error {
	if len(c.Closures) > MaxClosures {
		return ticketErr("closures", "closures_many", MaxClosures)
	}
	for i, cl := range c.Closures {
		f := "closures." + strconv.Itoa(i) + "."
		switch {
		case !ValidTicketDate(cl.From) || !ValidTicketDate(cl.To) || cl.To < cl.From:
			return ticketErr(f+"from", "closure_dates")
		case !validText(cl.Reason, true):
			return ticketErr(f+"reason", "closure_reason")
		}
	}
	return nil
}

// seasonsOverlap reports whether two yearly ranges share a day; a leap
// year holds every month-day.
func seasonsOverlap(a, b Season) bool {
	for d := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == 2024; d = d.AddDate(0, 0, 1) {
		s := d.Format(time.DateOnly)
		if a.Contains(s) && b.Contains(s) {
			return true
		}
	}
	return false
}

// WithDefaults fills what older settings documents and packs leave out.
func (c TicketSettings) WithDefaults() TicketSettings {
	if c.ForeignConcession == "" {
		c.ForeignConcession = ForeignBirthDate
	}
	if c.PerPhoneDay == 0 {
		c.PerPhoneDay = max(DefaultPerPhoneDay, c.MaxVisitors)
	}
	if c.PerClientDay == 0 {
		c.PerClientDay = max(DefaultPerClientDay, c.PerPhoneDay)
	}
	if c.NoShowAt == "" && c.NoShowRelease && len(c.Slots) == 0 {
		c.NoShowAt = DefaultNoShowAt
	}
	return c
}

// Type returns the ticket type with code.
func (c TicketSettings) Type(code string) (TicketType, bool) {
	for _, t := range c.Types {
		if t.Code == code {
			return t, true
		}
	}
	return TicketType{}, false
}

// SeasonOn is the season that date (YYYY-MM-DD) falls in, if any.
func (c TicketSettings) SeasonOn(date string) (Season, bool) {
	for _, s := range c.Seasons {
		if s.Contains(date) {
			return s, true
		}
	}
	return Season{}, false
}

// PriceOn is what a ticket of type t costs for a visit on date: the
// season's price if the date is in a season that prices it, else the
// base price. Prices follow the visit date, not the booking date.
func (c TicketSettings) PriceOn(t TicketType, date string) int64 {
	if s, ok := c.SeasonOn(date); ok {
		if fen, ok := s.Prices[t.Code]; ok {
			return fen
		}
	}
	return t.Fen
}

// TypeValidDays is how many days a ticket of type t is good for.
func (c TicketSettings) TypeValidDays(t TicketType) int {
	if t.ValidDays > 0 {
		return t.ValidDays
	}
	return c.ValidDays
}

// ClosureOn is the closure covering date, if any.
func (c TicketSettings) ClosureOn(date string) (Closure, bool) {
	for _, cl := range c.Closures {
		if cl.Covers(date) {
			return cl, true
		}
	}
	return Closure{}, false
}

// ClosedOn reports whether date is a regular closed day (a weekday or a
// listed date) — not a closure, which carries its own reason.
func (c TicketSettings) ClosedOn(date string) bool {
	if slices.Contains(c.ClosedDates, date) {
		return true
	}
	d, err := time.Parse(time.DateOnly, date)
	return err == nil && slices.Contains(c.ClosedWeekdays, int(d.Weekday()))
}

// SlotCodes lists the capacity keys of a day: the slots, or the one
// whole-day key "" when the site has no slots.
func (c TicketSettings) SlotCodes() []string {
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
func (c TicketSettings) Slot(code string) (Slot, bool) {
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

// NoShowTime is when the places of an unpaid or free booking for slot on
// date go back if nobody checked in: the end of the slot, or NoShowAt on
// the visit day. Zero when the site does not release no-shows.
func (c TicketSettings) NoShowTime(date, slot string) time.Time {
	if !c.NoShowRelease {
		return time.Time{}
	}
	at := c.NoShowAt
	if s, ok := c.Slot(slot); ok && s.End != "" {
		at = s.End
	}
	return AtChinaClock(date, at)
}

// AtChinaClock is date at clock ("HH:MM") in China time; zero when either
// is malformed.
func AtChinaClock(date, clock string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, ChinaTime)
	if err != nil {
		return time.Time{}
	}
	return t
}

// TicketCapacity is the places of one slot of one day. Online
// reservations take from Remaining; walk-in sales at the ticket office
// from WalkInRemaining.
type TicketCapacity struct {
	Site, Date, Slot string
	Limit            int
	Online, WalkIn   int
	Remaining        int
	WalkInRemaining  int
}

// NewCapacity is the starting capacity of one slot of a day: its limit
// less the walk-in share (rounded up, so the share is never zero when the
// rule asks for one).
func (c TicketSettings) NewCapacity(date, slot string) (TicketCapacity, bool) {
	s, ok := c.Slot(slot)
	if !ok {
		return TicketCapacity{}, false
	}
	walkIn := (s.Limit*c.WalkInPercent + 99) / 100
	return TicketCapacity{Site: c.Site, Date: date, Slot: slot, Limit: s.Limit,
		Online: s.Limit - walkIn, WalkIn: walkIn, Remaining: s.Limit - walkIn, WalkInRemaining: walkIn}, true
}

// TicketDay is the China-time date of t.
func TicketDay(t time.Time) string { return t.In(ChinaTime).Format(time.DateOnly) }

// AddTicketDays moves a date by n days; a bad date stays as it is.
func AddTicketDays(day string, n int) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return d.AddDate(0, 0, n).Format(time.DateOnly)
}

// BookableDays lists the dates (China time) that can be booked at now:
// the booking window. Closed days and closures are in it (the form shows
// them as closed, with the reason).
func (c TicketSettings) BookableDays(now time.Time) []string {
	out := make([]string, 0, c.BookDays)
	day := TicketDay(now)
	for i := 0; i < c.BookDays; i++ {
		out = append(out, day)
		day = AddTicketDays(day, 1)
	}
	return out
}

// CancelDeadline is the last moment a reservation for date may be
// cancelled under these settings.
func (c TicketSettings) CancelDeadline(date string) time.Time {
	d := AtChinaClock(date, c.CancelAt)
	if d.IsZero() {
		return d
	}
	return d.AddDate(0, 0, c.CancelDaysAfter)
}
