package tickets

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// What a bureau runs day to day besides selling: hoarding limits, no-show
// release, refunds, the lists behind closures, and signing key rotation.

// LimitKey is one phone's or one client's count of places on a visit day.
type LimitKey struct {
	Site, Date string
	Kind       string // "phone" or "client"
	Key        string // keyed hash: no phone number or address is kept
	Masked     string // what the operator sees: 138****5678, or a short hash
}

// Booker is one phone or client with its bookings of a day, for the
// operator's view of suspicious bulk bookings.
type Booker struct {
	Site, Kind, Masked        string
	Places, Bookings, Refused int
}

// ReservationFilter selects reservations for the console.
type ReservationFilter struct {
	Site     string
	Sites    []string
	From, To string // visit days, inclusive
	State    State
}

// OpsStore is what the operations below need of the database.
type OpsStore interface {
	// TakeLimit counts n places of bookings bookings, or fails with
	// domain.ErrSoldOut when that would pass limit.
	TakeLimit(ctx context.Context, l LimitKey, n, bookings, limit int) error
	ReturnLimit(ctx context.Context, l LimitKey, n int) error
	BulkBookers(ctx context.Context, date string, minBookings int) ([]Booker, error)
	InsertNoShow(ctx context.Context, ref string, until time.Time) error
	DeleteNoShow(ctx context.Context, ref string) error
	DueNoShows(ctx context.Context, now time.Time, limit int) ([]string, error)
	ReservationRefs(ctx context.Context, f ReservationFilter, limit int) ([]string, error)
}

func (s *Service) keyed(parts ...string) (string, error) {
	sec, err := s.loadSecrets(context.Background(), false)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, sec.idKey)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return hex.EncodeToString(m.Sum(nil)[:12]), nil
}

func maskPhone(p string) string {
	if len(p) < 8 {
		return "****"
	}
	return p[:3] + "****" + p[len(p)-4:]
}

// takeLimits counts a booking against its phone's and client's limits for
// the visit day; on a refusal nothing stays counted.
func (s *Service) takeLimits(ctx context.Context, c SiteConfig, r *Reservation, client string) ([]LimitKey, error) {
	if _, ok := s.store.(OpsStore); !ok {
		return nil, nil
	}
	n := len(r.Visitors)
	phoneKey, err := s.keyed("phone", r.Phone)
	if err != nil {
		return nil, err
	}
	keys := []LimitKey{{Site: r.Site, Date: r.Date, Kind: "phone", Key: phoneKey, Masked: maskPhone(r.Phone)}}
	limits := []int{c.PerPhoneDay}
	reasons := []Reason{ReasonPhoneLimit}
	if client != "" {
		// The day is part of the hash: a client is not followed across days.
		ck, err := s.keyed("client", r.Date, client)
		if err != nil {
			return nil, err
		}
		r.Client = ck
		keys = append(keys, LimitKey{Site: r.Site, Date: r.Date, Kind: "client", Key: ck, Masked: ck[:8]})
		limits = append(limits, c.PerClientDay)
		reasons = append(reasons, ReasonClientLimit)
	}
	for i, k := range keys {
		err := s.limits.do(ctx, limitTake{key: k, n: n, limit: limits[i]})
		if err == nil {
			continue
		}
		s.returnLimits(ctx, keys[:i], n)
		if errors.Is(err, domain.ErrSoldOut) {
			return nil, &Refusal{Reason: reasons[i], Visitor: -1, Limit: limits[i]}
		}
		return nil, err
	}
	return keys, nil
}

type limitTake struct {
	key      LimitKey
	n, limit int
}

// limitBatch counts several bookings against their limits: those of the
// same phone or client are summed into one update, and tried one by one
// when the sum does not fit (as takeBatch does for places). Measured on
// the embedded server, a bulk of upserts for a batch of distinct phones
// was slower than these single updates by _id.
func (s *Service) limitBatch(ctx context.Context, items []limitTake) []error {
	ops := s.store.(OpsStore)
	out := make([]error, len(items))
	// Most phones book once a day: a key's first booking is one insert for
	// the whole batch; keys with bookings already take the update path.
	if ins, ok := s.store.(interface {
		InsertLimits(ctx context.Context, keys []LimitKey, ns []int) []error
	}); ok {
		var keys []LimitKey
		var ns, idx []int
		first := map[LimitKey]bool{}
		for i, it := range items {
			if !first[it.key] && it.n <= it.limit {
				first[it.key] = true
				keys, ns, idx = append(keys, it.key), append(ns, it.n), append(idx, i)
			}
		}
		done := map[int]bool{}
		for j, err := range ins.InsertLimits(ctx, keys, ns) {
			if !errors.Is(err, domain.ErrConflict) {
				out[idx[j]], done[idx[j]] = err, true
			}
		}
		if len(done) > 0 {
			var rest []limitTake
			var restIdx []int
			for i, it := range items {
				if !done[i] {
					rest, restIdx = append(rest, it), append(restIdx, i)
				}
			}
			for j, err := range s.limitUpdates(ctx, ops, rest) {
				out[restIdx[j]] = err
			}
			return out
		}
	}
	return s.limitUpdates(ctx, ops, items)
}

// limitUpdates counts bookings against limits with updates.
func (s *Service) limitUpdates(ctx context.Context, ops OpsStore, items []limitTake) []error {
	out := make([]error, len(items))
	byKey := map[LimitKey][]int{}
	var order []LimitKey
	for i, it := range items {
		if _, ok := byKey[it.key]; !ok {
			order = append(order, it.key)
		}
		byKey[it.key] = append(byKey[it.key], i)
	}
	for _, k := range order {
		idx := byKey[k]
		if len(idx) > 1 {
			sum := 0
			for _, i := range idx {
				sum += items[i].n
			}
			err := ops.TakeLimit(ctx, k, sum, len(idx), items[idx[0]].limit)
			if err == nil || !errors.Is(err, domain.ErrSoldOut) {
				for _, i := range idx {
					out[i] = err
				}
				continue
			}
		}
		for _, i := range idx {
			out[i] = ops.TakeLimit(ctx, k, items[i].n, 1, items[i].limit)
		}
	}
	return out
}

func (s *Service) returnLimits(ctx context.Context, keys []LimitKey, n int) {
	ops, ok := s.store.(OpsStore)
	if !ok {
		return
	}
	for _, k := range keys {
		if err := ops.ReturnLimit(context.WithoutCancel(ctx), k, n); err != nil {
			s.log.Error("tickets: return booking limit", "site", k.Site, "err", err)
		}
	}
}

// BulkBookers lists the phones and clients with many bookings (or a
// refusal by the limits) for a visit day.
func (s *Service) BulkBookers(ctx context.Context, date string, minBookings int) ([]Booker, error) {
	ops, ok := s.store.(OpsStore)
	if !ok || !ValidDate(date) {
		return nil, nil
	}
	return ops.BulkBookers(ctx, date, minBookings)
}

// ReleaseNoShows gives back the places of unpaid pay-at-gate and free
// bookings whose no-show time has passed with no ticket checked in; it
// returns how many it released.
func (s *Service) ReleaseNoShows(ctx context.Context) (int, error) {
	ops, ok := s.store.(OpsStore)
	if !ok {
		return 0, nil
	}
	refs, err := ops.DueNoShows(ctx, s.now(), 500)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ref := range refs {
		r, err := s.load(ctx, ref)
		if errors.Is(err, domain.ErrNotFound) {
			_ = ops.DeleteNoShow(ctx, ref)
			continue
		}
		if err != nil {
			return n, err
		}
		if s.now().Before(r.NoShowAt) {
			continue
		}
		if releasable(r) {
			used := false
			for _, v := range r.Visitors {
				if _, err := s.store.Checkin(ctx, v.TicketID); err == nil {
					used = true
					break
				} else if !errors.Is(err, domain.ErrNotFound) {
					return n, err
				}
			}
			if !used {
				_, err := s.transition(ctx, r, []State{StateBooked, StatePaid}, StateExpired, "no_show", 0, "")
				var refusal *Refusal
				if err != nil && !errors.As(err, &refusal) {
					return n, err
				}
				if err == nil {
					n++
				}
			}
		}
		if err := ops.DeleteNoShow(ctx, ref); err != nil {
			return n, err
		}
	}
	return n, nil
}

// releasable: booked and unpaid at the gate, or confirmed without money.
func releasable(r Reservation) bool {
	if r.WalkIn {
		return false
	}
	return r.State == StateBooked || (r.State == StatePaid && r.PaidFen == 0 && r.TotalFen == 0)
}

// Reservations lists the reservations the filter selects, rolled forward,
// at most limit.
func (s *Service) Reservations(ctx context.Context, f ReservationFilter, limit int) ([]Reservation, error) {
	ops, ok := s.store.(OpsStore)
	if !ok {
		return nil, nil
	}
	refs, err := ops.ReservationRefs(ctx, f, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Reservation, 0, len(refs))
	for _, ref := range refs {
		r, err := s.Reservation(ctx, ref)
		if errors.Is(err, domain.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if f.State != "" && r.State != f.State {
			continue // moved on since the list was read
		}
		out = append(out, r)
	}
	return out, nil
}

// RecordRefund records that the money of a cancelled paid reservation was
// given back, by a cashier ("cashier:<user>") or the provider
// ("webhook:<provider>"). Only then does the tourist see "refunded".
func (s *Service) RecordRefund(ctx context.Context, ref, by, note string) (Reservation, error) {
	r, err := s.Reservation(ctx, ref)
	if err != nil {
		return r, err
	}
	return s.transition(ctx, r, []State{StateRefundRequested}, StateRefunded, by, r.PaidFen, note)
}

// SellWalkIn sells tickets at the ticket office from the walk-in share and
// takes the money at once.
func (s *Service) SellWalkIn(ctx context.Context, req ReserveRequest, cashier string) (Reserved, error) {
	req.WalkIn, req.By = true, "cashier:"+cashier
	res, err := s.Reserve(ctx, req)
	if err != nil {
		return res, err
	}
	if res.State == StateBooked {
		r, err := s.MarkPaid(ctx, res.Ref, cashier)
		if err != nil {
			return res, err
		}
		res.Reservation = r
	}
	return res, nil
}

// keyRetireAfter is how long an old signing key keeps verifying once a
// newer one signs: the longest booking window (90 days) plus the longest
// validity (30 days) and a day, so every ticket it signed is over.
const keyRetireAfter = 121 * 24 * time.Hour

// retiredAt is when key k stops verifying, given every key; zero while
// no newer key exists.
func retiredAt(k SigningKey, all []SigningKey) time.Time {
	var next time.Time
	for _, o := range all {
		if keyGen(o.ID) == keyGen(k.ID)+1 {
			next = o.Created
		}
	}
	if next.IsZero() {
		return next
	}
	return next.Add(keyRetireAfter)
}

// ClosureOn is the closure of a site on day, if any, whether or not the
// site sells tickets (a site page shows it in every case).
func (s *Service) ClosureOn(ctx context.Context, site, day string) (domain.Closure, bool) {
	c, err := s.siteConfig(ctx, site)
	if err != nil {
		return domain.Closure{}, false
	}
	return c.ClosureOn(day)
}

// WalkInLeft is how many walk-in places one slot of a day has left.
func (s *Service) WalkInLeft(ctx context.Context, c SiteConfig, date, slot string) (int, error) {
	capa, err := s.store.Capacity(ctx, c.Site, date, slot)
	if errors.Is(err, domain.ErrNotFound) {
		capa, _ = c.NewCapacity(date, slot)
	} else if err != nil {
		return 0, err
	}
	return max(capa.WalkInRemaining, 0), nil
}

// CheckoutURL is where the tourist pays an unpaid online booking: the
// site's provider's hosted checkout, with the order, the amount in fen and
// the deadline signed with the provider's secret (HMAC-SHA256 of
// "order|amount|expires", hex), so the provider can refuse a tampered
// amount. Empty when r is not awaiting online payment.
func (s *Service) CheckoutURL(ctx context.Context, r Reservation) string {
	if r.State != StateHeld {
		return ""
	}
	c, err := s.siteConfig(ctx, r.Site)
	if err != nil || c.Payment != PayOnline || !c.Checkout.Configured() {
		return ""
	}
	return CheckoutLink(c.Checkout, r.Ref, r.TotalFen, r.HoldUntil)
}

// CheckoutLink fills a checkout URL template (see domain.Checkout).
func CheckoutLink(co domain.Checkout, ref string, fen int64, expires time.Time) string {
	amount, exp := strconv.FormatInt(fen, 10), strconv.FormatInt(expires.Unix(), 10)
	m := hmac.New(sha256.New, []byte(co.Secret))
	m.Write([]byte(ref + "|" + amount + "|" + exp))
	return strings.NewReplacer("{order}", url.QueryEscape(ref), "{amount}", amount, "{expires}", exp,
		"{sig}", hex.EncodeToString(m.Sum(nil))).Replace(co.URL)
}
