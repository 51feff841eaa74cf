package tickets

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// Store is what ticketing needs of the database. Every method is one
// single-document operation or a short sequence of them; none needs a
// transaction.
type Store interface {
	TouristStore // form tokens, lost-link recovery, overturned gate decisions (tourist.go)

	TicketSite(ctx context.Context, site string) (SiteConfig, error)
	PutTicketSite(ctx context.Context, c SiteConfig) error

	// EnsureCapacity inserts c unless the document exists (whoever
	// inserts first sets the day's limits).
	EnsureCapacity(ctx context.Context, c Capacity) error
	Capacity(ctx context.Context, site, date, slot string) (Capacity, error)
	// TakeCapacity takes n places with one conditional update (remaining
	// ≥ n), or fails with domain.ErrSoldOut, or domain.ErrNotFound when
	// the day has no capacity document yet.
	TakeCapacity(ctx context.Context, site, date, slot string, n int, walkIn bool) error
	// ReleaseCapacity gives n places back once per ref, however often it
	// is called.
	ReleaseCapacity(ctx context.Context, site, date, slot string, n int, walkIn bool, ref string) error

	// ClaimID inserts key for ref, or fails with domain.ErrConflict when
	// another reservation holds it; UnclaimID deletes it if ref holds it.
	ClaimID(ctx context.Context, date, key, ref string) error
	UnclaimID(ctx context.Context, date, key, ref string) error
	// ClaimIDs and InsertReservations are the batched forms for the
	// group commit: one result per claim or reservation.
	ClaimIDs(ctx context.Context, claims []IDClaim) []error

	InsertReservation(ctx context.Context, r Reservation) error
	InsertReservations(ctx context.Context, rs []Reservation) []error
	ReservationDoc(ctx context.Context, ref string) (Reservation, error)
	// InsertTransition fails with domain.ErrConflict when transition
	// t.Seq of t.Ref exists: someone else changed the state first.
	InsertTransition(ctx context.Context, t Transition) error
	TransitionAt(ctx context.Context, ref string, seq int) (Transition, bool, error)
	MarkTransitionDone(ctx context.Context, ref string, seq int) error
	SetReservationState(ctx context.Context, r Reservation) error

	InsertHold(ctx context.Context, ref string, until time.Time) error
	DeleteHold(ctx context.Context, ref string) error
	DueHolds(ctx context.Context, now time.Time, limit int) ([]string, error)

	// InsertCheckin records the first scan of a ticket; when the ticket
	// has one, it returns that one and false.
	InsertCheckin(ctx context.Context, c Checkin) (Checkin, bool, error)
	Checkin(ctx context.Context, ticketID string) (Checkin, error)
	InsertDoubleUse(ctx context.Context, d DoubleUse) (bool, error)
	DoubleUses(ctx context.Context, day string) ([]DoubleUse, error)

	// InsertPayment keeps a payment by provider and transaction id; when
	// it is known already it returns the stored one and false.
	InsertPayment(ctx context.Context, p Payment) (Payment, bool, error)
	SetPaymentOutcome(ctx context.Context, p Payment) error

	TicketSigningKeys(ctx context.Context) ([]SigningKey, error)
	// InsertTicketSigningKey fails with domain.ErrConflict when another
	// node created that generation first.
	InsertTicketSigningKey(ctx context.Context, k SigningKey) error
	// TicketSecret returns the named secret, creating it if no node has.
	TicketSecret(ctx context.Context, name string) ([]byte, error)
}

// Recorder takes every state change as an event (the event pipeline).
type Recorder interface {
	Record(ctx context.Context, e domain.Event) error
}

// Options configure a Service.
type Options struct {
	Log *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// KeyReload bounds how often an unknown key id makes the service read
	// the keys again (another node may have rotated); 0 means 30 s.
	KeyReload time.Duration
	// SiteTTL is how long a site's configuration is cached, so how long
	// an edit takes to reach every node; 0 means 10 s, <0 no caching.
	SiteTTL time.Duration
}

// Service runs ticketing.
type Service struct {
	store Store
	rec   Recorder
	log   *slog.Logger
	now   func() time.Time

	keyReload time.Duration
	loadMu    sync.Mutex
	secrets   atomic.Pointer[secrets]

	// sites caches site configurations for siteTTL: every reservation
	// reads one, and on the embedded server decoding a configuration
	// document costs as much as a write (measured: the reservation
	// benchmark spent a third of its time there).
	sitesMu sync.Mutex
	sites   map[string]cachedSite
	siteTTL time.Duration

	// Group commits of the three writes of a reservation (see group.go).
	claims  *group[[]IDClaim]
	takes   *group[take]
	inserts *group[Reservation]

	tourist touristGroups // form tokens and the recovery index (tourist.go)
	limits  *group[limitTake]
}

// IDClaim is one "this ID has a reservation here that day" record.
type IDClaim struct {
	Date, Key, Ref string
}

// take is one reservation's request for places.
type take struct {
	Site, Date, Slot string
	N                int
	WalkIn           bool
}

type cachedSite struct {
	c    SiteConfig
	err  error
	read time.Time
}

// secrets are read from the database once, then kept: the signing keys,
// the key of the ID hash and the webhook key.
type secrets struct {
	ring     Keyring
	signer   SigningKey
	list     []SigningKey
	idKey    []byte
	webhook  []byte
	loadedAt time.Time
}

// New returns the ticketing service.
func New(store Store, rec Recorder, opt Options) *Service {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.KeyReload == 0 {
		opt.KeyReload = 30 * time.Second
	}
	if opt.SiteTTL == 0 {
		opt.SiteTTL = 10 * time.Second
	}
	s := &Service{store: store, rec: rec, log: opt.Log, now: opt.Now, keyReload: opt.KeyReload,
		sites: map[string]cachedSite{}, siteTTL: opt.SiteTTL}
	// Batches stay under 100 statements (the embedded server's limit for
	// updates; kept for inserts too).
	s.claims = newGroup(50, s.claimBatch)
	s.takes = newGroup(50, s.takeBatch)
	s.inserts = newGroup(50, func(ctx context.Context, rs []Reservation) []error { return store.InsertReservations(ctx, rs) })
	s.limits = newGroup(50, s.limitBatch)
	return s
}

// claimBatch claims the IDs of several reservations at once. A
// reservation one of whose IDs is taken gets its other claims of the
// batch back and a refusal naming the visitor.
func (s *Service) claimBatch(ctx context.Context, items [][]IDClaim) []error {
	var flat []IDClaim
	for _, it := range items {
		flat = append(flat, it...)
	}
	errs := s.store.ClaimIDs(ctx, flat)
	out := make([]error, len(items))
	k := 0
	for i, it := range items {
		mine := errs[k : k+len(it)]
		k += len(it)
		for j, err := range mine {
			if err == nil || out[i] != nil {
				continue
			}
			if errors.Is(err, domain.ErrConflict) {
				out[i] = &Refusal{Reason: ReasonIDTaken, Visitor: j}
			} else {
				out[i] = err
			}
		}
		if out[i] == nil {
			continue
		}
		for j, err := range mine {
			if err == nil {
				if uerr := s.store.UnclaimID(ctx, it[j].Date, it[j].Key, it[j].Ref); uerr != nil {
					s.log.Error("tickets: undo ID claim", "ref", it[j].Ref, "err", uerr)
				}
			}
		}
	}
	return out
}

// takeBatch takes the places of several reservations. Requests for the
// same slot are summed and taken with one conditional update: all or
// none, so it cannot oversell. When the sum does not fit, each is tried
// alone in arrival order, so the last places still go to whoever fits.
func (s *Service) takeBatch(ctx context.Context, items []take) []error {
	out := make([]error, len(items))
	type key struct {
		site, date, slot string
		walkIn           bool
	}
	byKey := map[key][]int{}
	var order []key
	for i, t := range items {
		k := key{t.Site, t.Date, t.Slot, t.WalkIn}
		if _, ok := byKey[k]; !ok {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], i)
	}
	for _, k := range order {
		idx := byKey[k]
		if len(idx) > 1 {
			sum := 0
			for _, i := range idx {
				sum += items[i].N
			}
			err := s.store.TakeCapacity(ctx, k.site, k.date, k.slot, sum, k.walkIn)
			if err == nil || !errors.Is(err, domain.ErrSoldOut) {
				for _, i := range idx {
					out[i] = err
				}
				continue
			}
		}
		for _, i := range idx {
			out[i] = s.store.TakeCapacity(ctx, k.site, k.date, k.slot, items[i].N, k.walkIn)
		}
	}
	return out
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Site returns the ticketing of a site; domain.ErrNotFound when the site
// sells no tickets here.
func (s *Service) Site(ctx context.Context, site string) (SiteConfig, error) {
	c, err := s.siteConfig(ctx, site)
	if err != nil {
		return SiteConfig{}, err
	}
	if !c.Enabled {
		return SiteConfig{}, domain.ErrNotFound
	}
	return c, nil
}

// siteConfig reads a site's configuration through the cache; "no such
// site" is cached too, since a bot can ask for any site key.
func (s *Service) siteConfig(ctx context.Context, site string) (SiteConfig, error) {
	now := s.now()
	s.sitesMu.Lock()
	e, ok := s.sites[site]
	s.sitesMu.Unlock()
	if ok && now.Sub(e.read) < s.siteTTL && now.Sub(e.read) >= 0 {
		return e.c, e.err
	}
	c, err := s.store.TicketSite(ctx, site)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return SiteConfig{}, err
	}
	s.sitesMu.Lock()
	if len(s.sites) > 10000 {
		clear(s.sites) // bounded: site keys come from requests
	}
	s.sites[site] = cachedSite{c: c, err: err, read: now}
	s.sitesMu.Unlock()
	return c, err
}

// ForgetSite drops a site from the cache after an edit on this node.
func (s *Service) ForgetSite(site string) {
	s.sitesMu.Lock()
	delete(s.sites, site)
	s.sitesMu.Unlock()
}

// Availability is a slot of a day with the places left online.
type Availability struct {
	Slot      Slot
	Remaining int
	Limit     int
}

// DayAvailability returns the places left in every slot of a day. Days
// nobody has booked yet have no capacity document; their capacity is the
// configured one.
func (s *Service) DayAvailability(ctx context.Context, c SiteConfig, date string) ([]Availability, error) {
	var out []Availability
	for _, code := range c.SlotCodes() {
		slot, _ := c.Slot(code)
		capa, err := s.store.Capacity(ctx, c.Site, date, code)
		if errors.Is(err, domain.ErrNotFound) {
			capa, _ = c.NewCapacity(date, code)
		} else if err != nil {
			return nil, err
		}
		slot.Code = code
		out = append(out, Availability{Slot: slot, Remaining: max(capa.Remaining, 0), Limit: capa.Online})
	}
	return out, nil
}

// loadSecrets reads (creating if needed) the keys; force re-reads them.
func (s *Service) loadSecrets(ctx context.Context, force bool) (*secrets, error) {
	if cur := s.secrets.Load(); cur != nil && !force {
		return cur, nil
	}
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	cur := s.secrets.Load()
	if cur != nil && (!force || s.now().Sub(cur.loadedAt) < s.keyReload) {
		return cur, nil
	}
	keys, err := s.store.TicketSigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		if _, err := s.createKey(ctx, 1); err != nil {
			return nil, err
		}
		if keys, err = s.store.TicketSigningKeys(ctx); err != nil {
			return nil, err
		}
		if len(keys) == 0 {
			return nil, errors.New("tickets: no signing key after creating one")
		}
	}
	idKey, err := s.store.TicketSecret(ctx, "id-hmac")
	if err != nil {
		return nil, err
	}
	webhook, err := s.store.TicketSecret(ctx, "payment-webhook")
	if err != nil {
		return nil, err
	}
	sec := &secrets{ring: Keyring{Public: map[string]ed25519.PublicKey{}}, idKey: idKey, webhook: webhook, loadedAt: s.now()}
	best := -1
	for _, k := range keys {
		if n := keyGen(k.ID); n > best {
			best, sec.signer = n, k
		}
	}
	for _, k := range keys {
		// A key whose tickets have all run out no longer verifies.
		if until := retiredAt(k, keys); k.ID != sec.signer.ID && !until.IsZero() && !s.now().Before(until) {
			continue
		}
		sec.ring.Public[k.ID] = k.Public()
		sec.list = append(sec.list, k)
	}
	s.secrets.Store(sec)
	return sec, nil
}

// createKey inserts generation gen of the signing key. When two nodes
// race, the unique key id lets one win; both then read the winner's.
func (s *Service) createKey(ctx context.Context, gen int) (SigningKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return SigningKey{}, err
	}
	k := SigningKey{ID: strconv.Itoa(gen), Private: priv, Created: s.now().UTC().Truncate(time.Millisecond)}
	err = s.store.InsertTicketSigningKey(ctx, k)
	if err != nil && !errors.Is(err, domain.ErrConflict) {
		return SigningKey{}, err
	}
	return k, nil
}

// RotateKey adds the next generation of the signing key: new tickets are
// signed with it, tickets already issued stay valid with the old ones
// (gates keep every published key).
func (s *Service) RotateKey(ctx context.Context) (string, error) {
	sec, err := s.loadSecrets(ctx, false)
	if err != nil {
		return "", err
	}
	if _, err := s.createKey(ctx, keyGen(sec.signer.ID)+1); err != nil {
		return "", err
	}
	s.secrets.Store(nil)
	sec, err = s.loadSecrets(ctx, true)
	if err != nil {
		return "", err
	}
	return sec.signer.ID, nil
}

// PublicKey is a verification key as gates receive it.
type PublicKey struct {
	ID      string    `json:"kid"`
	Alg     string    `json:"alg"`
	Key     string    `json:"key"` // raw 32 bytes, base64url
	Created time.Time `json:"created"`
	Signing bool      `json:"signing"`
	// Retires is when the key stops verifying (its tickets are all over);
	// absent for the signing key.
	Retires *time.Time `json:"retires,omitempty"`
}

func keyGen(id string) int {
	n, _ := strconv.Atoi(id)
	return n
}

// PublicKeys lists every verification key.
func (s *Service) PublicKeys(ctx context.Context) ([]PublicKey, error) {
	sec, err := s.loadSecrets(ctx, false)
	if err != nil {
		return nil, err
	}
	out := make([]PublicKey, 0, len(sec.list))
	for _, k := range sec.list {
		pk := PublicKey{ID: k.ID, Alg: "Ed25519", Key: base64.RawURLEncoding.EncodeToString(k.Public()),
			Created: k.Created, Signing: k.ID == sec.signer.ID}
		if until := retiredAt(k, sec.list); !until.IsZero() {
			pk.Retires = &until
		}
		out = append(out, pk)
	}
	return out, nil
}

// Keyring returns the verification keys.
func (s *Service) Keyring(ctx context.Context) (Keyring, error) {
	sec, err := s.loadSecrets(ctx, false)
	if err != nil {
		return Keyring{}, err
	}
	return sec.ring, nil
}

// Verify checks a ticket code's signature; an unknown key id makes the
// service re-read the keys (at most every KeyReload), since another node
// may have rotated.
func (s *Service) Verify(ctx context.Context, token string) (Claims, error) {
	sec, err := s.loadSecrets(ctx, false)
	if err != nil {
		return Claims{}, err
	}
	c, err := sec.ring.Verify(token)
	if errors.Is(err, ErrTokenUnknownKey) {
		if sec, err = s.loadSecrets(ctx, true); err != nil {
			return Claims{}, err
		}
		c, err = sec.ring.Verify(token)
	}
	return c, err
}

// Token returns the signed ticket code of visitor i of r.
func (s *Service) Token(ctx context.Context, r Reservation, i int) (string, error) {
	if i < 0 || i >= len(r.Visitors) {
		return "", domain.ErrNotFound
	}
	sec, err := s.loadSecrets(ctx, false)
	if err != nil {
		return "", err
	}
	v := r.Visitors[i]
	c := Claims{KeyID: sec.signer.ID, TicketID: v.TicketID, Site: r.Site, Date: r.Date, Slot: r.Slot,
		Days: r.ValidDays, Type: v.Type, DueFen: r.DueFen()}
	if v.Days > 0 {
		c.Days = v.Days
	}
	m := v.IDMasked
	c.IDLast = m[len(m)-4:]
	if m[0] != '*' {
		c.IDFirst = m[:3]
	}
	return Sign(c, sec.signer.Private)
}

var refRe = regexp.MustCompile(`^[0-9A-Z]{10}$`)

// ValidRef reports whether s looks like a reservation reference.
func ValidRef(s string) bool { return refRe.MatchString(s) }

// Crockford's base32 without I, L, O, U: read aloud at a ticket office
// without confusion.
const refAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func newRef() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	for i := range b {
		b[i] = refAlphabet[b[i]&31]
	}
	return string(b[:])
}

func newSecret() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// keyMatches compares a private link's secret with the stored hash in
// constant time.
func keyMatches(r Reservation, secret string) bool {
	if secret == "" || len(secret) > 64 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(hashSecret(secret)), []byte(r.KeyHash)) == 1
}

// eventID makes the id of a state change's event from what identifies the
// change, so that a retried or replayed change logs the same event and
// the pipeline keeps it once.
func eventID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func (s *Service) record(ctx context.Context, typ domain.EventType, id string, r Reservation, extra map[string]string) {
	if s.rec == nil {
		return
	}
	e := domain.NewEvent(typ, s.now())
	e.ID = id
	e.Site, e.County, e.Lang, e.Sign = r.Site, r.County, r.Lang, r.Sign
	e.Extra = map[string]string{"ref": r.Ref, "date": r.Date, "visitors": strconv.Itoa(len(r.Visitors))}
	if r.Slot != "" {
		e.Extra["slot"] = r.Slot
	}
	for k, v := range extra {
		e.Extra[k] = v
	}
	if err := s.rec.Record(ctx, e); err != nil {
		// The state change is in the database already; a lost event
		// costs a statistic, so it is logged, not returned.
		s.log.Error("tickets: record event", "type", typ, "ref", r.Ref, "err", err)
	}
}

func fen(n int64) string { return strconv.FormatInt(n, 10) }

func errorf(format string, args ...any) error { return fmt.Errorf("tickets: "+format, args...) }
