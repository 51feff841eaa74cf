package domain

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// EventType names what happened.
type EventType string

const (
	EventScan            EventType = "scan"
	EventPageView        EventType = "page_view"
	EventAudioPlay       EventType = "audio_play"
	EventTicketReserved  EventType = "ticket.reserved"
	EventTicketPaid      EventType = "ticket.paid"
	EventTicketCancelled EventType = "ticket.cancelled"
	EventTicketRefunded  EventType = "ticket.refunded"
	EventTicketExpired   EventType = "ticket.expired"
	EventTicketCheckedIn EventType = "ticket.checked_in"
	EventTicketDoubleUse EventType = "ticket.double_use"
	// EventTicketGateFlag is an offline check-in the server overturned on
	// sync (unpaid, cancelled, unknown…).
	EventTicketGateFlag EventType = "ticket.gate_flag"
)

// Device classes, derived from the user agent at the edge.
const (
	DeviceMobile  = "mobile"
	DeviceTablet  = "tablet"
	DeviceDesktop = "desktop"
	DeviceOther   = "other"
)

// Referrer classes.
const (
	ReferrerNone     = "none"     // typed, scanned or bookmarked
	ReferrerInternal = "internal" // from another yimayou page
	ReferrerWechat   = "wechat"
	ReferrerSearch   = "search"
	ReferrerOther    = "other"
)

// FilterBudget marks an event past its client's recording budget: the
// page was served, the event is kept, but it counts in no figure.
const FilterBudget = "budget"

// China has one time zone and no daylight saving time; days and hours of
// events are counted in it. A region elsewhere (Region.TimeZone) replaces
// it once at start-up (UseTimeZone in timezone.go); nothing else writes it.
var ChinaTime = time.FixedZone("CST", 8*60*60)

// Event is one recorded fact: a scan, a page view, an audio play or a ticket
// state change. Its ID is made by the app, so a replay is idempotent.
type Event struct {
	ID       string
	Time     time.Time
	Day      string // "2026-11-29" in China time, computed in Go
	Hour     int    // 0-23 in China time
	Type     EventType
	County   string
	Site     string
	Sign     string
	Lang     Lang
	Device   string
	Referrer string
	Bot      bool
	// Filter, when set, says why a person's event is recorded but not
	// counted (FilterBudget): it is kept as evidence and shown as
	// "filtered" on the dashboard, like bots.
	Filter string
	// VisitorKey is a keyed hash that changes every day; no IP or user
	// agent is ever stored.
	VisitorKey string
	// Extra holds type-specific fields (ticket id, amount in fen…).
	Extra map[string]string
	// Node and Seq say where the event was logged: the app node's id and
	// the node's event log sequence number. Rollups use them to apply each
	// event exactly once; both are set by the event log, not by handlers.
	Node string
	Seq  uint64
}

// NewEventID returns a random 128-bit id in hex.
func NewEventID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// NewEvent fills ID, Time, Day and Hour for an event happening at t.
func NewEvent(typ EventType, t time.Time) Event {
	e := Event{ID: NewEventID(), Type: typ}
	e.SetTime(t)
	return e
}

// SetTime sets Time and the Day/Hour fields derived from it.
func (e *Event) SetTime(t time.Time) {
	local := t.In(ChinaTime)
	e.Time = t.UTC()
	e.Day = local.Format(time.DateOnly)
	e.Hour = local.Hour()
}

// Client holds the facts about a request that events are derived from.
// They are used to tag an event and then dropped: none is stored.
type Client struct {
	IP        string
	UserAgent string
	Method    string
	Referer   string
	Purpose   string // Sec-Purpose or Purpose header: "prefetch" marks a prefetch
	Host      string
}

// LateGrant is what a valid late-event token allows (a token the server
// put in a page it served): late events of Site, made on Day or later,
// counted under VisitorKey. ID names the token, for counting its uses.
type LateGrant struct {
	Site, Day, VisitorKey, ID string
}
