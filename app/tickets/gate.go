package tickets

import (
	"context"
	"strconv"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// DueFen is what is left to pay on r before its tickets let anyone in: 0
// once paid (or free), and 0 for a reservation that is over, whose tickets
// are refused anyway.
func (r Reservation) DueFen() int64 {
	if r.State != StateHeld && r.State != StateBooked {
		return 0
	}
	return max(r.TotalFen-r.PaidFen, 0)
}

// collectAtGate marks r paid by the gate user who took the money (an
// offline gate's "payment taken", synced; or an online one).
func (s *Service) collectAtGate(ctx context.Context, r Reservation, req CheckinRequest) (Reservation, error) {
	by := "cashier:" + req.By
	if req.Offline {
		by += ":offline"
	}
	return s.transition(ctx, r, []State{StateHeld, StateBooked}, StatePaid, by, r.TotalFen, "collected at the gate")
}

// GateFlag is a decision a gate made offline that the server overturned
// when the gate synced: the visitor was let in on a ticket that is unpaid,
// cancelled, unknown or out of date. Double uses have their own list.
type GateFlag struct {
	ScanID       string
	TicketID     string
	Site         string
	Day          string // of the scan, China time
	Reason       Reason
	At           time.Time // of the scan, on the device
	Received     time.Time
	By, Device   string
	CollectedFen int64
	DueFen       int64
}

// flagOffline records an overturned offline decision once per scan, as an
// event and on the operator's list.
func (s *Service) flagOffline(ctx context.Context, req CheckinRequest, res CheckinResult) {
	if res.Refusal.Reason == ReasonAlreadyUsed || res.Replayed {
		return // on the double-use list already
	}
	now := s.now()
	at := req.At
	if at.IsZero() || at.After(now.Add(5*time.Minute)) {
		at = now
	}
	f := GateFlag{ScanID: req.ScanID, TicketID: res.Claims.TicketID, Site: req.Site, Day: Day(at), Reason: res.Refusal.Reason,
		At: at.UTC().Truncate(time.Millisecond), Received: now.UTC().Truncate(time.Millisecond), By: req.By, Device: req.Device,
		CollectedFen: req.CollectedFen, DueFen: res.DueFen}
	if !ValidScanID(f.ScanID) {
		return
	}
	inserted, err := s.store.InsertGateFlag(ctx, f)
	if err != nil {
		s.log.Error("tickets: record overturned gate decision", "scan", f.ScanID, "err", err)
		return
	}
	if !inserted {
		return
	}
	r := Reservation{Site: req.Site}
	if ref, _, ok := SplitTicketID(f.TicketID); ok {
		if got, err := s.Reservation(ctx, ref); err == nil {
			r = got
		}
	}
	if r.County == "" {
		if cfg, err := s.siteConfig(ctx, req.Site); err == nil {
			r.County = cfg.County
		}
	}
	extra := map[string]string{"ticket": f.TicketID, "reason": string(f.Reason), "offline": "1", "scan": f.ScanID}
	if f.CollectedFen > 0 {
		extra["collected_fen"] = strconv.FormatInt(f.CollectedFen, 10)
	}
	s.record(ctx, domain.EventTicketGateFlag, eventID("gate-flag", f.ScanID), r, extra)
}

// GateFlags lists the overturned offline decisions of day, for the
// operator and the gate staff.
func (s *Service) GateFlags(ctx context.Context, day string) ([]GateFlag, error) {
	return s.store.GateFlags(ctx, day)
}
