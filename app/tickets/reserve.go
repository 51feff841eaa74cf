package tickets

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/yimayou/yimayou/app/domain"
)

// VisitorInput is one visitor as typed into the form.
type VisitorInput struct {
	Name     string
	IDType   string
	IDNumber string
	Type     string // ticket type code
	// BirthDate (YYYY-MM-DD) is needed for an age concession claimed with
	// a document that does not encode the birth date.
	BirthDate string
}

// ReserveRequest is a reservation as asked for.
type ReserveRequest struct {
	Site     string
	Date     string
	Slot     string
	Visitors []VisitorInput
	Phone    string
	Lang     domain.Lang
	// WalkIn sells from the walk-in share at the ticket office (by a
	// cashier), not from the online places.
	WalkIn bool
	By     string

	ref string // chosen by ReserveOnce before reserving; "" means a new one
	// Client is the client's network address (web.clientIP), for the
	// per-client booking limit; it is kept only as a keyed daily hash.
	Client string
	// Sign is the code of the sign the tourist scanned on the way here
	// (carried in the link), "" if none; the reservation's events carry
	// it, so reservations and check-ins are counted per sign.
	Sign string
}

// Reserved is a new reservation and the secret of its private link, which
// is shown once and never stored.
type Reserved struct {
	Reservation
	Secret string
}

var phoneRe = regexp.MustCompile(`^(1[3-9][0-9]{9}|\+[1-9][0-9]{6,14})$`)

// normalisePhone drops spaces and dashes; a leading +86 of a mainland
// mobile number is dropped too.
func normalisePhone(p string) string {
	p = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u3000' {
			return -1
		}
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		return r
	}, p)
	if strings.HasPrefix(p, "+861") && len(p) == 14 {
		p = p[3:]
	}
	return p
}

// ValidName reports whether a visitor's name is plausible: 1-40
// characters, letters of any script, spaces, dots (the middle dot of
// transliterated names, 阿·扎西), apostrophes and hyphens.
func ValidName(name string) bool {
	n := utf8.RuneCountInString(name)
	if n < 1 || n > 40 || !utf8.ValidString(name) {
		return false
	}
	letters := 0
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			letters++
		case r == ' ' || r == '·' || r == '.' || r == '\'' || r == '-' || r == '•' || r == '་':
		default:
			return false
		}
	}
	return letters > 0
}

type checkedVisitor struct {
	in    VisitorInput
	id    ID
	typ   TicketType
	birth string // typed birth date the gate must check
}

// validate checks the form and returns its visitors; every error names
// its visitor, so the form can show it next to the right field.
func (s *Service) validate(req *ReserveRequest, c SiteConfig, now time.Time) ([]checkedVisitor, error) {
	req.Phone = normalisePhone(req.Phone)
	if len(req.Visitors) == 0 || len(req.Visitors) > c.MaxVisitors {
		return nil, &domain.ValidationError{Field: "visitors", Key: "tickets.error.visitor_count", Args: []any{c.MaxVisitors}}
	}
	if !phoneRe.MatchString(req.Phone) {
		return nil, &domain.ValidationError{Field: "phone", Key: "tickets.error.phone"}
	}
	bookable := false
	for _, d := range c.BookableDays(now) {
		bookable = bookable || d == req.Date
	}
	slot, slotOK := c.Slot(req.Slot)
	if !bookable || !slotOK {
		return nil, refuse(ReasonNotBookable)
	}
	if req.Date == Day(now) && len(c.Slots) > 0 && slot.End <= now.In(domain.ChinaTime).Format("15:04") {
		// A slot that is over cannot be booked any more today.
		return nil, refuse(ReasonNotBookable)
	}
	if cl, closed := c.ClosureOn(req.Date); closed {
		return nil, &Refusal{Reason: ReasonClosed, Visitor: -1, Note: cl.Reason}
	}
	if c.ClosedOn(req.Date) {
		return nil, refuse(ReasonClosedDay)
	}
	out := make([]checkedVisitor, len(req.Visitors))
	seen := map[string]int{}
	for i, v := range req.Visitors {
		fieldErr := func(field, key string, args ...any) error {
			return &domain.ValidationError{Field: "visitor" + itoa(i) + "." + field, Key: key, Args: args}
		}
		v.Name = strings.Join(strings.Fields(v.Name), " ")
		if !ValidName(v.Name) {
			return nil, fieldErr("name", "tickets.error.name")
		}
		typ, ok := c.Type(v.Type)
		if !ok {
			return nil, fieldErr("type", "tickets.error.ticket_type")
		}
		id, err := ParseID(IDType(v.IDType), v.IDNumber, now)
		if err != nil {
			var ve *domain.ValidationError
			if errors.As(err, &ve) {
				return nil, fieldErr(ve.Field, ve.Key)
			}
			return nil, err
		}
		if prev, dup := seen[string(id.Type)+id.Number]; dup {
			return nil, fieldErr("id", "tickets.error.id_twice", prev+1)
		}
		seen[string(id.Type)+id.Number] = i
		birth := ""
		if typ.AgeBased() && id.Birth.IsZero() {
			// A passport or permit does not say how old its holder is:
			// the visitor types the birth date and the gate checks it,
			// or the site keeps age concessions for resident ID cards.
			if c.ForeignConcession == domain.ForeignMainlandOnly {
				return nil, &Refusal{Reason: ReasonMainlandOnly, Visitor: i}
			}
			b, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(v.BirthDate), domain.ChinaTime)
			if err != nil || b.After(now) || b.Year() < 1900 {
				return nil, fieldErr("birth", "tickets.error.birth_date")
			}
			id.Birth, birth = b, b.Format(time.DateOnly)
		}
		if age := id.AgeOn(req.Date); age >= 0 && ((typ.AgeMin > 0 && age < typ.AgeMin) || (typ.AgeMax > 0 && age > typ.AgeMax)) {
			return nil, &Refusal{Reason: ReasonAge, Visitor: i}
		}
		out[i] = checkedVisitor{in: v, id: id, typ: typ, birth: birth}
	}
	return out, nil
}

// Reserve books places: the ID claims first (one reservation per ID per
// site per day), then the places with one conditional update, then the
// reservation. A failure after a step undoes the steps before it, so a
// refused request holds nothing.
func (s *Service) Reserve(ctx context.Context, req ReserveRequest) (Reserved, error) {
	now := s.now()
	c, err := s.Site(ctx, req.Site)
	if err != nil {
		return Reserved{}, err
	}
	visitors, err := s.validate(&req, c, now)
	if err != nil {
		return Reserved{}, err
	}
	sec, err := s.loadSecrets(ctx, false)
	if err != nil {
		return Reserved{}, err
	}
	if req.Sign = domain.NormalizeCode(req.Sign); !domain.ValidCode(req.Sign) {
		req.Sign = "" // attribution only: a mangled link books all the same
	}
	// The booking keeps the prices and rules it is made under: a later
	// edit of the settings changes new bookings only.
	r := Reservation{Ref: req.refOrNew(), Site: c.Site, County: c.County, Date: req.Date, Slot: req.Slot,
		ValidDays: c.ValidDays, Phone: req.Phone, Payment: c.Payment, Lang: req.Lang, Sign: req.Sign,
		Created: now.UTC().Truncate(time.Millisecond), CancelBy: c.CancelDeadline(req.Date).UTC()}
	r.Updated = r.Created
	secret := newSecret()
	r.KeyHash = hashSecret(secret)
	for i, v := range visitors {
		price := c.PriceOn(v.typ, req.Date) // by the visit date, not the booking date
		vis := Visitor{Name: v.in.Name, IDType: v.id.Type, IDHash: HashID(sec.idKey, v.id),
			IDMasked: v.id.Masked(), Type: v.typ.Code, Fen: price, TicketID: TicketID(r.Ref, i), Birth: v.birth}
		if days := c.TypeValidDays(v.typ); days != c.ValidDays {
			vis.Days = days
		}
		r.Visitors = append(r.Visitors, vis)
		r.TotalFen += price
	}
	switch {
	case r.TotalFen == 0 || c.Payment == PayFree:
		r.State = StatePaid
	case req.WalkIn:
		// Sold at the ticket office: the cashier takes the money there.
		r.State = StateBooked
	case c.Payment == PayAtGate:
		r.State = StateBooked
	default:
		r.State = StateHeld
		r.HoldUntil = now.Add(time.Duration(c.HoldMinutes) * time.Minute).UTC().Truncate(time.Millisecond)
	}
	if req.WalkIn {
		r.Payment, r.WalkIn = PayAtGate, true
	}
	if !req.WalkIn && (r.State == StateBooked || (r.State == StatePaid && r.TotalFen == 0)) {
		r.NoShowAt = c.NoShowTime(r.Date, r.Slot).UTC()
	}
	var limits []LimitKey
	if !req.WalkIn {
		if limits, err = s.takeLimits(ctx, c, &r, req.Client); err != nil {
			return Reserved{}, err
		}
	}

	claims := make([]IDClaim, len(r.Visitors))
	for i, v := range r.Visitors {
		claims[i] = IDClaim{Date: r.Date, Key: v.IDHash + "|" + r.Site, Ref: r.Ref}
	}
	if err := s.claims.do(ctx, claims); err != nil {
		s.returnLimits(ctx, limits, len(r.Visitors))
		return Reserved{}, err // a refused claim has given its other claims back
	}
	undoClaims := func() {
		for _, c := range claims {
			if err := s.store.UnclaimID(context.WithoutCancel(ctx), c.Date, c.Key, c.Ref); err != nil {
				s.log.Error("tickets: undo ID claim", "ref", r.Ref, "err", err)
			}
		}
	}
	want := take{Site: r.Site, Date: r.Date, Slot: r.Slot, N: len(r.Visitors), WalkIn: req.WalkIn}
	err = s.takes.do(ctx, want)
	if errors.Is(err, domain.ErrNotFound) {
		// The first reservation of this slot and day makes its capacity
		// document (whoever inserts first sets it; the others' inserts
		// change nothing) and takes again.
		fresh, _ := c.NewCapacity(r.Date, r.Slot)
		if err = s.store.EnsureCapacity(ctx, fresh); err == nil {
			err = s.takes.do(ctx, want)
		}
	}
	if err != nil {
		undoClaims()
		s.returnLimits(ctx, limits, len(r.Visitors))
		if errors.Is(err, domain.ErrSoldOut) {
			return Reserved{}, refuse(ReasonSoldOut)
		}
		return Reserved{}, err
	}
	if err := s.inserts.do(ctx, r); err != nil {
		// Give the places back under this ref: exactly once, even if
		// the release is retried.
		if rerr := s.store.ReleaseCapacity(context.WithoutCancel(ctx), r.Site, r.Date, r.Slot, len(r.Visitors), req.WalkIn, r.Ref); rerr != nil {
			s.log.Error("tickets: release after failed insert", "ref", r.Ref, "err", rerr)
		}
		undoClaims()
		s.returnLimits(ctx, limits, len(r.Visitors))
		return Reserved{}, err
	}
	if ops, ok := s.store.(OpsStore); ok && !r.NoShowAt.IsZero() {
		if err := ops.InsertNoShow(ctx, r.Ref, r.NoShowAt); err != nil {
			s.log.Error("tickets: insert no-show entry", "ref", r.Ref, "err", err)
		}
	}
	if r.State == StateHeld {
		if err := s.store.InsertHold(ctx, r.Ref, r.HoldUntil); err != nil {
			// The reservation exists; without its hold entry only the
			// lazy expiry on reading it would end it. Log and go on.
			s.log.Error("tickets: insert hold", "ref", r.Ref, "err", err)
		}
	}
	s.indexForRecovery(ctx, r)
	extra := map[string]string{"amount_fen": fen(r.TotalFen), "tickets": ticketList(r), "state": string(r.State)}
	if req.WalkIn {
		extra["channel"] = "walk_in"
	} else {
		extra["channel"] = "online"
	}
	s.record(ctx, domain.EventTicketReserved, eventID("reserved", r.Ref), r, extra)
	if r.State == StatePaid {
		s.record(ctx, domain.EventTicketPaid, eventID("paid-at-once", r.Ref), r, map[string]string{"amount_fen": "0", "by": "free"})
	}
	return Reserved{Reservation: r, Secret: secret}, nil
}

func ticketList(r Reservation) string {
	ids := make([]string, len(r.Visitors))
	for i, v := range r.Visitors {
		ids[i] = v.TicketID
	}
	return strings.Join(ids, ",")
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return string(rune('0'+i/10)) + string(rune('0'+i%10))
}
