package store

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

// Ticketing collections. Every request-path access is by _id (the one
// lookup the embedded server indexes); the few filtered queries go to
// collections that stay small (live holds, double uses, signing keys).
const (
	colTicketSites  = "ticket_sites"
	colReservations = "reservations"
	colTransitions  = "reservation_transitions"
	colHolds        = "reservation_holds"
	colCheckins     = "ticket_checkins"
	colDoubleUses   = "ticket_double_uses"
	colPayments     = "ticket_payments"
)

type ticketTypeDoc struct {
	Code      string            `bson:"code"`
	Name      map[string]string `bson:"name,omitempty"`
	Fen       int64             `bson:"fen"`
	AgeMin    int               `bson:"age_min,omitempty"`
	AgeMax    int               `bson:"age_max,omitempty"`
	Proof     map[string]string `bson:"proof,omitempty"`
	ValidDays int               `bson:"valid_days,omitempty"`
}

type slotDoc struct {
	Code  string `bson:"code"`
	Start string `bson:"start"`
	End   string `bson:"end"`
	Limit int    `bson:"limit"`
}

type seasonDoc struct {
	From   string            `bson:"from"`
	To     string            `bson:"to"`
	Name   map[string]string `bson:"name,omitempty"`
	Prices map[string]int64  `bson:"prices"`
}

type capacityFiguresDoc struct {
	AreaM2      float64 `bson:"area_m2,omitempty"`
	PerPersonM2 float64 `bson:"per_person_m2,omitempty"`
	OpenHours   float64 `bson:"open_hours,omitempty"`
	StayHours   float64 `bson:"stay_hours,omitempty"`
}

type checkoutDoc struct {
	Provider string `bson:"provider,omitempty"`
	URL      string `bson:"url,omitempty"`
	Secret   string `bson:"secret,omitempty"`
}

type closureDoc struct {
	From   string            `bson:"from"`
	To     string            `bson:"to"`
	Reason map[string]string `bson:"reason"`
}

type ticketSiteDoc struct {
	Site              string             `bson:"_id"`
	County            string             `bson:"county"`
	Enabled           bool               `bson:"enabled"`
	Types             []ticketTypeDoc    `bson:"types"`
	Seasons           []seasonDoc        `bson:"seasons,omitempty"`
	Capacity          capacityFiguresDoc `bson:"capacity"`
	DailyLimit        int                `bson:"daily_limit,omitempty"`
	Slots             []slotDoc          `bson:"slots,omitempty"`
	WalkInPercent     int                `bson:"walk_in_percent"`
	ClosedWeekdays    []int              `bson:"closed_weekdays,omitempty"`
	ClosedDates       []string           `bson:"closed_dates,omitempty"`
	BookDays          int                `bson:"book_days"`
	HoldMinutes       int                `bson:"hold_minutes,omitempty"`
	Payment           string             `bson:"payment"`
	Checkout          checkoutDoc        `bson:"checkout"`
	ValidDays         int                `bson:"valid_days"`
	MaxVisitors       int                `bson:"max_visitors"`
	CancelDaysAfter   int                `bson:"cancel_days_after"`
	CancelAt          string             `bson:"cancel_at"`
	ForeignConcession string             `bson:"foreign_concession,omitempty"`
	PerPhoneDay       int                `bson:"per_phone_day,omitempty"`
	PerClientDay      int                `bson:"per_client_day,omitempty"`
	NoShowRelease     bool               `bson:"no_show_release,omitempty"`
	NoShowAt          string             `bson:"no_show_at,omitempty"`
	Closures          []closureDoc       `bson:"closures,omitempty"`
	UpdatedAt         time.Time          `bson:"updated_at"`
}

// PutTicketSite stores a site's ticketing rules. Capacity documents of
// days already booked keep their limits.
func (s *Store) PutTicketSite(ctx context.Context, c domain.TicketSettings) error {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return err
	}
	_, err := s.col(colTicketSites).ReplaceOne(ctx, byID(c.Site), ticketSiteToDoc(c), options.Replace().SetUpsert(true))
	return wrap(colTicketSites, err)
}

// InsertTicketSiteIfAbsent stores c unless the site has ticketing rules
// already (seeding never overwrites an edit); it reports whether it did.
func (s *Store) InsertTicketSiteIfAbsent(ctx context.Context, c domain.TicketSettings) (bool, error) {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return false, err
	}
	if _, err := s.col(colTicketSites).InsertOne(ctx, ticketSiteToDoc(c)); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return false, nil
		}
		return false, wrap(colTicketSites, err)
	}
	return true, nil
}

func ticketSiteToDoc(c domain.TicketSettings) ticketSiteDoc {
	d := ticketSiteDoc{Site: c.Site, County: c.County, Enabled: c.Enabled, DailyLimit: c.DailyLimit,
		Capacity:      capacityFiguresDoc(c.Capacity),
		WalkInPercent: c.WalkInPercent, ClosedWeekdays: c.ClosedWeekdays, ClosedDates: c.ClosedDates,
		BookDays: c.BookDays, HoldMinutes: c.HoldMinutes, Payment: string(c.Payment), Checkout: checkoutDoc(c.Checkout),
		ValidDays: c.ValidDays, MaxVisitors: c.MaxVisitors, CancelDaysAfter: c.CancelDaysAfter, CancelAt: c.CancelAt,
		ForeignConcession: string(c.ForeignConcession), PerPhoneDay: c.PerPhoneDay, PerClientDay: c.PerClientDay,
		NoShowRelease: c.NoShowRelease, NoShowAt: c.NoShowAt,
		UpdatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	for _, t := range c.Types {
		d.Types = append(d.Types, ticketTypeDoc{Code: t.Code, Name: textDoc(t.Name), Fen: t.Fen, AgeMin: t.AgeMin, AgeMax: t.AgeMax,
			Proof: textDoc(t.Proof), ValidDays: t.ValidDays})
	}
	for _, se := range c.Seasons {
		d.Seasons = append(d.Seasons, seasonDoc{From: se.From, To: se.To, Name: textDoc(se.Name), Prices: se.Prices})
	}
	for _, sl := range c.Slots {
		d.Slots = append(d.Slots, slotDoc(sl))
	}
	for _, cl := range c.Closures {
		d.Closures = append(d.Closures, closureDoc{From: cl.From, To: cl.To, Reason: textDoc(cl.Reason)})
	}
	return d
}

// TicketSite returns a site's ticketing rules.
func (s *Store) TicketSite(ctx context.Context, site string) (domain.TicketSettings, error) {
	var d ticketSiteDoc
	if err := s.col(colTicketSites).FindOne(ctx, byID(site)).Decode(&d); err != nil {
		return domain.TicketSettings{}, wrap(colTicketSites, err)
	}
	return d.domain(), nil
}

// TicketSites returns the ticketing rules of every site that has some.
// The collection holds one small document per site.
func (s *Store) TicketSites(ctx context.Context) ([]domain.TicketSettings, error) {
	cur, err := s.col(colTicketSites).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, wrap(colTicketSites, err)
	}
	var docs []ticketSiteDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colTicketSites, err)
	}
	out := make([]domain.TicketSettings, len(docs))
	for i, d := range docs {
		out[i] = d.domain()
	}
	return out, nil
}

func (d ticketSiteDoc) domain() domain.TicketSettings {
	c := domain.TicketSettings{Site: d.Site, County: d.County, Enabled: d.Enabled, DailyLimit: d.DailyLimit,
		Capacity:      domain.CarryingCapacity(d.Capacity),
		WalkInPercent: d.WalkInPercent, ClosedWeekdays: d.ClosedWeekdays, ClosedDates: d.ClosedDates,
		BookDays: d.BookDays, HoldMinutes: d.HoldMinutes, Payment: domain.PaymentMode(d.Payment), Checkout: domain.Checkout(d.Checkout),
		ValidDays: d.ValidDays, MaxVisitors: d.MaxVisitors, CancelDaysAfter: d.CancelDaysAfter, CancelAt: d.CancelAt,
		ForeignConcession: domain.ForeignConcession(d.ForeignConcession), PerPhoneDay: d.PerPhoneDay, PerClientDay: d.PerClientDay,
		NoShowRelease: d.NoShowRelease, NoShowAt: d.NoShowAt}
	for _, t := range d.Types {
		c.Types = append(c.Types, domain.TicketType{Code: t.Code, Name: textFromDoc(t.Name), Fen: t.Fen, AgeMin: t.AgeMin, AgeMax: t.AgeMax,
			Proof: textFromDoc(t.Proof), ValidDays: t.ValidDays})
	}
	for _, se := range d.Seasons {
		c.Seasons = append(c.Seasons, domain.Season{From: se.From, To: se.To, Name: textFromDoc(se.Name), Prices: se.Prices})
	}
	for _, sl := range d.Slots {
		c.Slots = append(c.Slots, domain.Slot(sl))
	}
	for _, cl := range d.Closures {
		c.Closures = append(c.Closures, domain.Closure{From: cl.From, To: cl.To, Reason: textFromDoc(cl.Reason)})
	}
	return c.WithDefaults()
}

type visitorDoc struct {
	Name     string `bson:"name"`
	IDType   string `bson:"id_type"`
	IDHash   string `bson:"id_hash"`
	IDMasked string `bson:"id_masked"`
	Type     string `bson:"type"`
	Fen      int64  `bson:"fen"`
	TicketID string `bson:"ticket"`
	Days     int    `bson:"days,omitempty"`
	Birth    string `bson:"birth,omitempty"`
}

type reservationDoc struct {
	Ref       string       `bson:"_id"`
	KeyHash   string       `bson:"key_hash"`
	Site      string       `bson:"site"`
	County    string       `bson:"county"`
	Date      string       `bson:"date"`
	Slot      string       `bson:"slot"`
	ValidDays int          `bson:"valid_days"`
	Visitors  []visitorDoc `bson:"visitors"`
	Phone     string       `bson:"phone"`
	TotalFen  int64        `bson:"total_fen"`
	Payment   string       `bson:"payment"`
	WalkIn    bool         `bson:"walk_in,omitempty"`
	State     string       `bson:"state"`
	Seq       int          `bson:"seq"`
	HoldUntil time.Time    `bson:"hold_until,omitempty"`
	Lang      string       `bson:"lang,omitempty"`
	Sign      string       `bson:"sign,omitempty"`
	Created   time.Time    `bson:"created"`
	Updated   time.Time    `bson:"updated"`
	PaidFen   int64        `bson:"paid_fen,omitempty"`
	PaidBy    string       `bson:"paid_by,omitempty"`
	CancelBy  time.Time    `bson:"cancel_by,omitempty"`
	NoShowAt  time.Time    `bson:"no_show_at,omitempty"`
	Client    string       `bson:"client,omitempty"`
	Refunded  int64        `bson:"refunded_fen,omitempty"`
}

// InsertReservation stores a new reservation.
func (s *Store) InsertReservation(ctx context.Context, r tickets.Reservation) error {
	if _, err := s.col(colReservations).InsertOne(ctx, reservationToDoc(r)); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return domain.ErrConflict
		}
		return wrap(colReservations, err)
	}
	return nil
}

// InsertReservations stores many new reservations in one unordered
// insert (the reservation group commit), with a result for each.
func (s *Store) InsertReservations(ctx context.Context, rs []tickets.Reservation) []error {
	docs := make([]any, len(rs))
	for i, r := range rs {
		docs[i] = reservationToDoc(r)
	}
	out := insertManyErrors(ctx, s.col(colReservations), docs)
	for i, err := range out {
		if err != nil && !errors.Is(err, domain.ErrConflict) {
			out[i] = wrap(colReservations, err)
		}
	}
	return out
}

func reservationToDoc(r tickets.Reservation) reservationDoc {
	d := reservationDoc{Ref: r.Ref, KeyHash: r.KeyHash, Site: r.Site, County: r.County, Date: r.Date, Slot: r.Slot,
		ValidDays: r.ValidDays, Phone: r.Phone, TotalFen: r.TotalFen, Payment: string(r.Payment), WalkIn: r.WalkIn,
		State: string(r.State), Seq: r.Seq, HoldUntil: r.HoldUntil, Lang: string(r.Lang), Created: r.Created, Updated: r.Updated,
		PaidFen: r.PaidFen, PaidBy: r.PaidBy, CancelBy: r.CancelBy, NoShowAt: r.NoShowAt, Client: r.Client, Refunded: r.RefundedFen, Sign: r.Sign}
	for _, v := range r.Visitors {
		d.Visitors = append(d.Visitors, visitorDoc{Name: v.Name, IDType: string(v.IDType), IDHash: v.IDHash, IDMasked: v.IDMasked,
			Type: v.Type, Fen: v.Fen, TicketID: v.TicketID, Days: v.Days, Birth: v.Birth})
	}
	return d
}

// ReservationDoc returns a reservation as stored, without rolling it
// forward over newer transitions (app/tickets does that).
func (s *Store) ReservationDoc(ctx context.Context, ref string) (tickets.Reservation, error) {
	var d reservationDoc
	if err := s.col(colReservations).FindOne(ctx, byID(ref)).Decode(&d); err != nil {
		return tickets.Reservation{}, wrap(colReservations, err)
	}
	r := tickets.Reservation{Ref: d.Ref, KeyHash: d.KeyHash, Site: d.Site, County: d.County, Date: d.Date, Slot: d.Slot,
		ValidDays: d.ValidDays, Phone: d.Phone, TotalFen: d.TotalFen, Payment: tickets.PaymentMode(d.Payment), WalkIn: d.WalkIn,
		State: tickets.State(d.State), Seq: d.Seq, HoldUntil: d.HoldUntil, Lang: domain.Lang(d.Lang), Created: d.Created,
		Updated: d.Updated, PaidFen: d.PaidFen, PaidBy: d.PaidBy, CancelBy: d.CancelBy, NoShowAt: d.NoShowAt, Client: d.Client,
		RefundedFen: d.Refunded, Sign: d.Sign}
	for _, v := range d.Visitors {
		r.Visitors = append(r.Visitors, tickets.Visitor{Name: v.Name, IDType: tickets.IDType(v.IDType), IDHash: v.IDHash,
			IDMasked: v.IDMasked, Type: v.Type, Fen: v.Fen, TicketID: v.TicketID, Days: v.Days, Birth: v.Birth})
	}
	return r, nil
}

// SetReservationState caches a reservation's state in its document with a
// plain update by _id. Two writers may land out of order; that is fine,
// because the transitions are the truth and readers roll the document
// forward over them (see app/tickets/state.go).
func (s *Store) SetReservationState(ctx context.Context, r tickets.Reservation) error {
	_, err := s.col(colReservations).UpdateOne(ctx, byID(r.Ref), bson.D{{Key: "$set", Value: bson.D{
		{Key: "state", Value: string(r.State)}, {Key: "seq", Value: r.Seq}, {Key: "updated", Value: r.Updated},
		{Key: "paid_fen", Value: r.PaidFen}, {Key: "paid_by", Value: r.PaidBy}, {Key: "refunded_fen", Value: r.RefundedFen},
	}}})
	return wrap(colReservations, err)
}

type transitionDoc struct {
	ID   string    `bson:"_id"` // ref|seq
	Ref  string    `bson:"ref"`
	Seq  int       `bson:"seq"`
	From string    `bson:"from"`
	To   string    `bson:"to"`
	At   time.Time `bson:"at"`
	By   string    `bson:"by"`
	Fen  int64     `bson:"fen,omitempty"`
	Note string    `bson:"note,omitempty"`
	Done bool      `bson:"done,omitempty"`
}

func transitionID(ref string, seq int) string { return ref + "|" + strconv.Itoa(seq) }

// InsertTransition records transition t.Seq of t.Ref; the unique _id
// makes it a compare-and-swap: domain.ErrConflict when that number is
// taken.
func (s *Store) InsertTransition(ctx context.Context, t tickets.Transition) error {
	d := transitionDoc{ID: transitionID(t.Ref, t.Seq), Ref: t.Ref, Seq: t.Seq, From: string(t.From), To: string(t.To),
		At: t.At, By: t.By, Fen: t.Fen, Note: t.Note}
	if _, err := s.col(colTransitions).InsertOne(ctx, d); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return domain.ErrConflict
		}
		return wrap(colTransitions, err)
	}
	return nil
}

// TransitionAt returns transition seq of ref, if there is one.
func (s *Store) TransitionAt(ctx context.Context, ref string, seq int) (tickets.Transition, bool, error) {
	var d transitionDoc
	err := s.col(colTransitions).FindOne(ctx, byID(transitionID(ref, seq))).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return tickets.Transition{}, false, nil
	}
	if err != nil {
		return tickets.Transition{}, false, wrap(colTransitions, err)
	}
	return tickets.Transition{Ref: d.Ref, Seq: d.Seq, From: tickets.State(d.From), To: tickets.State(d.To), At: d.At,
		By: d.By, Fen: d.Fen, Note: d.Note, Done: d.Done}, true, nil
}

// MarkTransitionDone records that a transition's side effects are made.
func (s *Store) MarkTransitionDone(ctx context.Context, ref string, seq int) error {
	_, err := s.col(colTransitions).UpdateOne(ctx, byID(transitionID(ref, seq)),
		bson.D{{Key: "$set", Value: bson.D{{Key: "done", Value: true}}}})
	return wrap(colTransitions, err)
}

type holdDoc struct {
	Ref   string    `bson:"_id"`
	Until time.Time `bson:"until"`
}

// InsertHold lists an unpaid reservation for the expiry job. The
// collection holds live holds only, so the job's filtered query stays
// cheap on the embedded server.
func (s *Store) InsertHold(ctx context.Context, ref string, until time.Time) error {
	return s.insertTimed(ctx, colHolds, ref, until)
}

// DeleteHold removes a hold entry; deleting a missing one is fine.
func (s *Store) DeleteHold(ctx context.Context, ref string) error {
	return s.deleteTimed(ctx, colHolds, ref)
}

// DueHolds lists up to limit holds whose time is up at now, oldest first.
func (s *Store) DueHolds(ctx context.Context, now time.Time, limit int) ([]string, error) {
	return s.dueTimed(ctx, colHolds, now, limit)
}

// Timed entries (reservation holds, no-show releases) are small
// collections of (reservation, time) that a job reads by time; each holds
// live entries only.

func (s *Store) insertTimed(ctx context.Context, col, ref string, until time.Time) error {
	_, err := s.col(col).InsertOne(ctx, holdDoc{Ref: ref, Until: until.UTC().Truncate(time.Millisecond)})
	if mongo.IsDuplicateKeyError(err) {
		return nil
	}
	return wrap(col, err)
}

func (s *Store) deleteTimed(ctx context.Context, col, ref string) error {
	_, err := s.col(col).DeleteOne(ctx, byID(ref))
	return wrap(col, err)
}

// dueTimed lists up to limit entries whose time is up at now, oldest first.
func (s *Store) dueTimed(ctx context.Context, col string, now time.Time, limit int) ([]string, error) {
	cur, err := s.col(col).Find(ctx, bson.D{{Key: "until", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}},
		options.Find().SetSort(bson.D{{Key: "until", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, wrap(col, err)
	}
	var docs []holdDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(col, err)
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.Ref
	}
	return out, nil
}

type checkinDoc struct {
	TicketID string    `bson:"_id"`
	ScanID   string    `bson:"scan"`
	Site     string    `bson:"site"`
	At       time.Time `bson:"at"`
	Received time.Time `bson:"received"`
	By       string    `bson:"by"`
	Device   string    `bson:"device,omitempty"`
	Offline  bool      `bson:"offline,omitempty"`
}

func (d checkinDoc) domain() tickets.Checkin {
	return tickets.Checkin{TicketID: d.TicketID, ScanID: d.ScanID, Site: d.Site, At: d.At, Received: d.Received,
		By: d.By, Device: d.Device, Offline: d.Offline}
}

// InsertCheckin keeps the first scan of a ticket: the insert keyed by the
// ticket id succeeds once, whatever the number of gates and nodes. A later
// scan gets the first one back.
func (s *Store) InsertCheckin(ctx context.Context, c tickets.Checkin) (tickets.Checkin, bool, error) {
	d := checkinDoc{TicketID: c.TicketID, ScanID: c.ScanID, Site: c.Site, At: c.At, Received: c.Received, By: c.By,
		Device: c.Device, Offline: c.Offline}
	_, err := s.col(colCheckins).InsertOne(ctx, d)
	if err == nil {
		return c, true, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return tickets.Checkin{}, false, wrap(colCheckins, err)
	}
	first, err := s.Checkin(ctx, c.TicketID)
	return first, false, err
}

// Checkin returns a ticket's check-in.
func (s *Store) Checkin(ctx context.Context, ticketID string) (tickets.Checkin, error) {
	var d checkinDoc
	if err := s.col(colCheckins).FindOne(ctx, byID(ticketID)).Decode(&d); err != nil {
		return tickets.Checkin{}, wrap(colCheckins, err)
	}
	return d.domain(), nil
}

type doubleUseDoc struct {
	ScanID   string    `bson:"_id"`
	TicketID string    `bson:"ticket"`
	Site     string    `bson:"site"`
	Day      string    `bson:"day"`
	At       time.Time `bson:"at"`
	FirstAt  time.Time `bson:"first_at"`
	FirstBy  string    `bson:"first_by"`
	By       string    `bson:"by"`
	Device   string    `bson:"device,omitempty"`
	Offline  bool      `bson:"offline,omitempty"`
}

// InsertDoubleUse records a later scan of a used ticket, once per scan.
func (s *Store) InsertDoubleUse(ctx context.Context, u tickets.DoubleUse) (bool, error) {
	return s.insertOnce(ctx, colDoubleUses, doubleUseDoc(u))
}

// insertOnce inserts doc; false if a document with its _id exists (a
// repeated sync of the same scan), which is not an error.
func (s *Store) insertOnce(ctx context.Context, col string, doc any) (bool, error) {
	_, err := s.col(col).InsertOne(ctx, doc)
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, wrap(col, err)
	}
	return true, nil
}

// DoubleUses lists the double uses of day. Double uses are rare, so the
// collection stays small and the filter's scan cheap.
func (s *Store) DoubleUses(ctx context.Context, day string) ([]tickets.DoubleUse, error) {
	cur, err := s.col(colDoubleUses).Find(ctx, bson.D{{Key: "day", Value: day}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}}).SetLimit(1000))
	if err != nil {
		return nil, wrap(colDoubleUses, err)
	}
	var docs []doubleUseDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colDoubleUses, err)
	}
	out := make([]tickets.DoubleUse, len(docs))
	for i, d := range docs {
		out[i] = tickets.DoubleUse(d)
	}
	return out, nil
}

type paymentDoc struct {
	ID          string    `bson:"_id"` // provider|transaction
	Provider    string    `bson:"provider"`
	Transaction string    `bson:"transaction"`
	Ref         string    `bson:"ref"`
	Fen         int64     `bson:"fen"`
	Received    time.Time `bson:"received"`
	Outcome     string    `bson:"outcome,omitempty"`
}

func paymentID(p tickets.Payment) string { return p.Provider + "|" + p.Transaction }

// InsertPayment keeps a provider's confirmation by transaction id; a
// replay gets the stored one back.
func (s *Store) InsertPayment(ctx context.Context, p tickets.Payment) (tickets.Payment, bool, error) {
	d := paymentDoc{ID: paymentID(p), Provider: p.Provider, Transaction: p.Transaction, Ref: p.Ref, Fen: p.Fen,
		Received: p.Received, Outcome: p.Outcome}
	_, err := s.col(colPayments).InsertOne(ctx, d)
	if err == nil {
		return p, true, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return tickets.Payment{}, false, wrap(colPayments, err)
	}
	if err := s.col(colPayments).FindOne(ctx, byID(d.ID)).Decode(&d); err != nil {
		return tickets.Payment{}, false, wrap(colPayments, err)
	}
	return tickets.Payment{Provider: d.Provider, Transaction: d.Transaction, Ref: d.Ref, Fen: d.Fen,
		Received: d.Received, Outcome: d.Outcome}, false, nil
}

// SetPaymentOutcome records what a payment did.
func (s *Store) SetPaymentOutcome(ctx context.Context, p tickets.Payment) error {
	_, err := s.col(colPayments).UpdateOne(ctx, byID(paymentID(p)),
		bson.D{{Key: "$set", Value: bson.D{{Key: "outcome", Value: p.Outcome}}}})
	return wrap(colPayments, err)
}
