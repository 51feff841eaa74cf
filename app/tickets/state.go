package tickets

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// A reservation's state lives in two places: the reservation document (a
// cache, fast to read) and its transitions R|1, R|2… (the truth). A change
// is accepted by inserting the next transition; the unique key makes two
// concurrent changes from the same state impossible, so capacity is given
// back exactly once, and a payment cannot race an expiry. Readers roll the
// document forward over transitions it has not seen yet, so a crash
// between the insert and the document update loses nothing.

// stuckAfter is how old an unfinished transition must be before a reader
// finishes its side effects for it (the node that made it has most likely
// died).
const stuckAfter = 30 * time.Second

// Reservation returns a reservation, rolled forward, with an unpaid hold
// that is past its time expired on the spot.
func (s *Service) Reservation(ctx context.Context, ref string) (Reservation, error) {
	if !ValidRef(ref) {
		return Reservation{}, domain.ErrNotFound
	}
	r, err := s.load(ctx, ref)
	if err != nil {
		return Reservation{}, err
	}
	if r.State == StateHeld && !s.now().Before(r.HoldUntil) {
		r, err = s.transition(ctx, r, []State{StateHeld}, StateExpired, "expiry", 0, "")
		var refusal *Refusal
		if errors.As(err, &refusal) {
			return s.load(ctx, r.Ref)
		}
	}
	return r, err
}

// Private returns a reservation by its private link, which is the only
// way a tourist reaches it.
func (s *Service) Private(ctx context.Context, ref, secret string) (Reservation, error) {
	r, err := s.Reservation(ctx, ref)
	if err != nil {
		return Reservation{}, err
	}
	if !s.linkMatches(ctx, r, secret) {
		return Reservation{}, domain.ErrNotFound
	}
	return r, nil
}

func (s *Service) load(ctx context.Context, ref string) (Reservation, error) {
	r, err := s.store.ReservationDoc(ctx, ref)
	if err != nil {
		return Reservation{}, err
	}
	moved := false
	for i := 0; i < 100; i++ {
		t, ok, err := s.store.TransitionAt(ctx, ref, r.Seq+1)
		if err != nil {
			return Reservation{}, err
		}
		if !ok {
			break
		}
		apply(&r, t)
		moved = true
		if !t.Done && s.now().Sub(t.At) > stuckAfter {
			s.finish(ctx, r, t)
		}
	}
	if moved {
		if err := s.store.SetReservationState(ctx, r); err != nil {
			s.log.Warn("tickets: roll forward", "ref", ref, "err", err)
		}
	}
	return r, nil
}

func apply(r *Reservation, t Transition) {
	r.State, r.Seq, r.Updated = t.To, t.Seq, t.At
	if t.To == StatePaid {
		r.PaidFen, r.PaidBy = t.Fen, t.By
	}
	if t.To == StateRefunded {
		r.RefundedFen = t.Fen
	}
}

// transition moves r from one of the states in from to the state to.
// When another change got there first, it re-reads and tries again while
// the change still makes sense; otherwise it refuses with ReasonState.
func (s *Service) transition(ctx context.Context, r Reservation, from []State, to State, by string, amount int64, note string) (Reservation, error) {
	for attempt := 0; attempt < 5; attempt++ {
		allowed := false
		for _, f := range from {
			allowed = allowed || r.State == f
		}
		if !allowed {
			return r, refuse(ReasonState)
		}
		t := Transition{Ref: r.Ref, Seq: r.Seq + 1, From: r.State, To: to, At: s.now().UTC().Truncate(time.Millisecond),
			By: by, Fen: amount, Note: note}
		err := s.store.InsertTransition(ctx, t)
		if errors.Is(err, domain.ErrConflict) {
			if r, err = s.load(ctx, r.Ref); err != nil {
				return r, err
			}
			continue
		}
		if err != nil {
			return r, err
		}
		apply(&r, t)
		if err := s.store.SetReservationState(ctx, r); err != nil {
			// The transition stands; readers roll forward.
			s.log.Warn("tickets: update reservation state", "ref", r.Ref, "err", err)
		}
		s.finish(ctx, r, t)
		return r, nil
	}
	return r, errorf("reservation %s: too many concurrent changes", r.Ref)
}

// finish does what a transition implies besides the state: places and ID
// claims back for a final state, the hold entry gone, the event. Every
// step is idempotent, so a reader may finish a transition whose maker
// died half-way.
func (s *Service) finish(ctx context.Context, r Reservation, t Transition) {
	ctx = context.WithoutCancel(ctx)
	ok := true
	if t.From == StateHeld {
		if err := s.store.DeleteHold(ctx, r.Ref); err != nil {
			ok = false
			s.log.Error("tickets: delete hold", "ref", r.Ref, "err", err)
		}
	}
	if ops, isOps := s.store.(OpsStore); isOps && !r.NoShowAt.IsZero() && !releasable(r) {
		if err := ops.DeleteNoShow(ctx, r.Ref); err != nil {
			ok = false
			s.log.Error("tickets: delete no-show entry", "ref", r.Ref, "err", err)
		}
	}
	if t.To.Final() {
		if err := s.store.ReleaseCapacity(ctx, r.Site, r.Date, r.Slot, len(r.Visitors), r.WalkIn, r.Ref); err != nil {
			ok = false
			s.log.Error("tickets: release capacity", "ref", r.Ref, "err", err)
		}
		for _, v := range r.Visitors {
			if err := s.store.UnclaimID(ctx, r.Date, v.IDHash+"|"+r.Site, r.Ref); err != nil {
				ok = false
				s.log.Error("tickets: release ID claim", "ref", r.Ref, "err", err)
			}
		}
	}
	typ := map[State]domain.EventType{StatePaid: domain.EventTicketPaid, StateCancelled: domain.EventTicketCancelled,
		StateExpired: domain.EventTicketExpired, StateRefunded: domain.EventTicketRefunded}[t.To]
	if typ != "" {
		s.record(ctx, typ, eventID("transition", r.Ref, strconv.Itoa(t.Seq)+":"+string(t.To)), r,
			map[string]string{"amount_fen": fen(t.Fen), "by": byKind(t.By), "tickets": ticketList(r), "from": string(t.From)})
	}
	if ok {
		if err := s.store.MarkTransitionDone(ctx, r.Ref, t.Seq); err != nil {
			s.log.Warn("tickets: mark transition done", "ref", r.Ref, "err", err)
		}
	}
}

// byKind keeps the kind of actor in events ("cashier"), not the user.
func byKind(by string) string {
	for i := 0; i < len(by); i++ {
		if by[i] == ':' {
			return by[:i]
		}
	}
	return by
}

// CancelDeadline is when r can no longer be cancelled: the deadline of
// the rules it was booked under.
func (s *Service) CancelDeadline(ctx context.Context, r Reservation) (time.Time, error) {
	if !r.CancelBy.IsZero() {
		return r.CancelBy, nil
	}
	c, err := s.siteConfig(ctx, r.Site)
	if err != nil {
		return time.Time{}, err
	}
	return c.CancelDeadline(r.Date), nil
}

// Cancel cancels a reservation by its private link: before the site's
// deadline, and only while no ticket of it was used. A paid reservation
// is refunded (the money goes back through the provider or the ticket
// office; here it is recorded).
func (s *Service) Cancel(ctx context.Context, ref, secret string) (Reservation, error) {
	r, err := s.Private(ctx, ref, secret)
	if err != nil {
		return r, err
	}
	return s.cancel(ctx, r, "tourist")
}

func (s *Service) cancel(ctx context.Context, r Reservation, by string) (Reservation, error) {
	if r.State.Final() {
		return r, refuse(ReasonState)
	}
	deadline, err := s.CancelDeadline(ctx, r)
	if err != nil {
		return r, err
	}
	if s.now().After(deadline) {
		return r, &Refusal{Reason: ReasonCancelDeadline, Visitor: -1, Until: deadline}
	}
	for i, v := range r.Visitors {
		_, err := s.store.Checkin(ctx, v.TicketID)
		if err == nil {
			return r, &Refusal{Reason: ReasonUsed, Visitor: i}
		}
		if !errors.Is(err, domain.ErrNotFound) {
			return r, err
		}
	}
	to, amount := StateCancelled, int64(0)
	if r.State == StatePaid && r.PaidFen > 0 {
		// The places go back now; "refunded" waits for the money (see
		// RecordRefund).
		to = StateRefundRequested
	}
	return s.transition(ctx, r, []State{StateHeld, StateBooked, StatePaid}, to, by, amount, "")
}

// MarkPaid is the cashier taking the money of a pay-at-the-gate
// reservation (or of an online one whose tourist pays in cash instead).
func (s *Service) MarkPaid(ctx context.Context, ref, cashier string) (Reservation, error) {
	r, err := s.Reservation(ctx, ref)
	if err != nil {
		return r, err
	}
	return s.transition(ctx, r, []State{StateHeld, StateBooked}, StatePaid, "cashier:"+cashier, r.TotalFen, "")
}

// ExpireDue ends the unpaid holds whose time is up and gives their places
// back; it is the app job behind the lazy expiry on reading. It returns
// how many it expired.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	refs, err := s.store.DueHolds(ctx, s.now(), 500)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ref := range refs {
		r, err := s.load(ctx, ref)
		if errors.Is(err, domain.ErrNotFound) {
			_ = s.store.DeleteHold(ctx, ref)
			continue
		}
		if err != nil {
			return n, err
		}
		if r.State != StateHeld {
			// Paid or cancelled meanwhile, and the hold entry outlived it.
			if err := s.store.DeleteHold(ctx, ref); err != nil {
				return n, err
			}
			continue
		}
		if s.now().Before(r.HoldUntil) {
			continue
		}
		_, err = s.transition(ctx, r, []State{StateHeld}, StateExpired, "expiry", 0, "")
		var refusal *Refusal
		if errors.As(err, &refusal) {
			continue // paid or cancelled at the same moment: that change won
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// RunExpiry runs ExpireDue every interval until ctx ends.
func (s *Service) RunExpiry(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.ExpireDue(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("tickets: expire holds", "err", err)
			} else if n > 0 {
				s.log.Info("tickets: expired unpaid holds", "count", n)
			}
			if n, err := s.ReleaseNoShows(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("tickets: release no-shows", "err", err)
			} else if n > 0 {
				s.log.Info("tickets: released no-show bookings", "count", n)
			}
		}
	}
}
