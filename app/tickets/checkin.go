package tickets

import (
	"context"
	"errors"
	"regexp"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// CheckinRequest is one scan at a gate, live or synced later.
type CheckinRequest struct {
	Token string
	// Site is the site the gate stands at.
	Site string
	// ScanID is made by the gate device for each scan, so a sync that is
	// sent twice records the scan once.
	ScanID  string
	At      time.Time // when it was scanned; zero means now
	Device  string
	Offline bool
	By      string // the gate user
	// CollectedFen is the money the gate took for an unpaid ticket (its
	// code said "collect ¥X"); when it covers what is due the reservation
	// is marked paid by the gate user, then checked in.
	CollectedFen int64
}

// CheckinResult is the gate's answer.
type CheckinResult struct {
	OK     bool
	Claims Claims
	// Refusal is set when OK is false.
	Refusal *Refusal
	// Visitor is the ticket's visitor, when the reservation was found;
	// Type is its ticket type (with the proof a concession needs).
	Visitor *Visitor
	Type    *TicketType
	// Replayed is true when this scan had been recorded before (a repeated
	// sync): the answer is the one it got then.
	Replayed bool
	// DueFen is what is left to pay, on a not_paid refusal.
	DueFen int64
}

var scanIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

// ValidScanID reports whether s can be a gate's scan id.
func ValidScanID(s string) bool { return scanIDRe.MatchString(s) }

// CheckIn checks a ticket in. The first accepted scan of a ticket is kept
// (a unique insert keyed by the ticket id decides it, whatever the number
// of gates and nodes); any later scan by another scan id is refused online
// and recorded as a double use for the operator.
func (s *Service) CheckIn(ctx context.Context, req CheckinRequest) (CheckinResult, error) {
	res, err := s.checkIn(ctx, req)
	if err == nil && req.Offline && res.Refusal != nil {
		s.flagOffline(ctx, req, res)
	}
	return res, err
}

func (s *Service) checkIn(ctx context.Context, req CheckinRequest) (CheckinResult, error) {
	now := s.now()
	if req.At.IsZero() || req.At.After(now.Add(5*time.Minute)) {
		// A device clock far in the future would make a ticket look valid
		// on a day it is not; trust the server's clock then.
		req.At = now
	}
	if !ValidScanID(req.ScanID) {
		return CheckinResult{}, &domain.ValidationError{Field: "scan_id", Key: "tickets.error.scan_id"}
	}
	c, err := s.Verify(ctx, req.Token)
	switch {
	case errors.Is(err, ErrTokenUnknownKey):
		return CheckinResult{Refusal: refuse(ReasonUnknownKey)}, nil
	case errors.Is(err, ErrTokenFormat), errors.Is(err, ErrTokenSignature):
		return CheckinResult{Refusal: refuse(ReasonBadCode)}, nil
	case err != nil:
		return CheckinResult{}, err
	}
	res := CheckinResult{Claims: c}
	refused := func(reason Reason) (CheckinResult, error) {
		res.Refusal = refuse(reason)
		return res, nil
	}
	if c.Site != req.Site {
		return refused(ReasonWrongSite)
	}
	day := Day(req.At)
	if day < c.Date {
		return refused(ReasonTooEarly)
	}
	if !c.ValidOn(day) {
		return refused(ReasonWrongDay)
	}
	ref, i, ok := SplitTicketID(c.TicketID)
	if !ok {
		return refused(ReasonBadCode)
	}
	r, err := s.Reservation(ctx, ref)
	if errors.Is(err, domain.ErrNotFound) || (err == nil && i >= len(r.Visitors)) {
		return refused(ReasonUnknown)
	}
	if err != nil {
		return CheckinResult{}, err
	}
	v := r.Visitors[i]
	res.Visitor = &v
	if cfg, err := s.siteConfig(ctx, r.Site); err == nil {
		if t, ok := cfg.Type(v.Type); ok {
			res.Type = &t
		}
	}
	if due := r.DueFen(); due > 0 && req.CollectedFen >= due {
		paid, err := s.collectAtGate(ctx, r, req)
		var refusal *Refusal
		switch {
		case errors.As(err, &refusal):
			// Cancelled or expired meanwhile: refused below, and the
			// money goes back at the ticket office.
		case err != nil:
			return CheckinResult{}, err
		default:
			r = paid
		}
	}
	switch {
	case r.State == StateHeld || r.State == StateBooked:
		res.DueFen = r.DueFen()
		return refused(ReasonNotPaid)
	case r.State.Final():
		return refused(ReasonCancelled)
	}
	in := Checkin{TicketID: c.TicketID, ScanID: req.ScanID, Site: req.Site, At: req.At.UTC().Truncate(time.Millisecond),
		Received: now.UTC().Truncate(time.Millisecond), By: req.By, Device: req.Device, Offline: req.Offline}
	first, inserted, err := s.store.InsertCheckin(ctx, in)
	if err != nil {
		return CheckinResult{}, err
	}
	if inserted {
		res.OK = true
		extra := map[string]string{"ticket": c.TicketID, "type": v.Type, "amount_fen": fen(v.Fen)}
		if req.Offline {
			extra["offline"] = "1"
		}
		s.record(ctx, domain.EventTicketCheckedIn, eventID("checkin", c.TicketID), r, extra)
		return res, nil
	}
	if first.ScanID == req.ScanID {
		res.OK, res.Replayed = true, true
		return res, nil
	}
	res.Refusal = &Refusal{Reason: ReasonAlreadyUsed, Visitor: i, First: &first}
	d := DoubleUse{ScanID: req.ScanID, TicketID: c.TicketID, Site: req.Site, Day: day, At: in.At, FirstAt: first.At,
		FirstBy: first.By, By: req.By, Device: req.Device, Offline: req.Offline}
	newUse, err := s.store.InsertDoubleUse(ctx, d)
	if err != nil {
		return CheckinResult{}, err
	}
	if newUse {
		extra := map[string]string{"ticket": c.TicketID, "first_at": first.At.Format(time.RFC3339)}
		if req.Offline {
			extra["offline"] = "1"
		}
		s.record(ctx, domain.EventTicketDoubleUse, eventID("double", req.ScanID), r, extra)
	} else {
		res.Replayed = true
	}
	return res, nil
}

// DoubleUses lists the double uses recorded on day, for the operator.
func (s *Service) DoubleUses(ctx context.Context, day string) ([]DoubleUse, error) {
	return s.store.DoubleUses(ctx, day)
}

// CheckedIn returns when a ticket was checked in, or domain.ErrNotFound.
func (s *Service) CheckedIn(ctx context.Context, ticketID string) (time.Time, error) {
	c, err := s.store.Checkin(ctx, ticketID)
	if err != nil {
		return time.Time{}, err
	}
	return c.At, nil
}
