package tickets

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// A tourist on plateau 3G taps "Reserve", sees nothing for ten seconds and
// taps again, or the browser retries the POST after a timeout. Each
// reservation form carries a token made when it was rendered; the first
// POST of a token inserts a document keyed by the token's hash (a unique
// insert: atomic on MongoDB and on the embedded server), and every later
// POST of it waits for that reservation and gets it back instead of a
// refusal that would hide it ("this ID is booked already").
//
// The repeat cannot show the private link the first answer carried (its
// secret is never stored), so it gets the reservation's second link, whose
// secret is derived from the reservation's reference with a server key:
// the same link a tourist gets back by ID number and phone (Recover).

// TouristStore is what the tourist safety nets need of the database: writes
// batched for the group commits, reads by _id.
type TouristStore interface {
	// InsertFormUses inserts each use unless its token was used already
	// (domain.ErrConflict for that one): one result per use.
	InsertFormUses(ctx context.Context, us []FormUse) []error
	FormUse(ctx context.Context, id string) (FormUse, error)
	// DeleteFormUse frees a token whose reservation was refused.
	DeleteFormUse(ctx context.Context, id string) error

	// AddRecoveries lists each entry's ref under its key (a keyed hash of
	// an ID and a phone), repeats changing nothing; Recovery returns the
	// refs under key, or domain.ErrNotFound.
	AddRecoveries(ctx context.Context, es []RecoveryEntry) error
	Recovery(ctx context.Context, key string) ([]string, error)

	// InsertGateFlag records an offline decision the server overturned,
	// once per scan; GateFlags lists those of a day.
	InsertGateFlag(ctx context.Context, f GateFlag) (bool, error)
	GateFlags(ctx context.Context, day string) ([]GateFlag, error)
}

// FormUse is one reservation form's token put to use: the reference its
// reservation gets is chosen first, so a repeat knows what to wait for.
type FormUse struct {
	ID          string // hash of the token
	Fingerprint string // keyed hash of what the form asked for
	Ref         string
	Created     time.Time
}

// RecoveryEntry lists a reservation under an ID and phone.
type RecoveryEntry struct {
	Key, Ref string
}

// touristGroups are the group commits of the form tokens and the recovery
// index: on the embedded server a batch costs what one write does, so the
// safety nets add about one write per batch of reservations, not two per
// reservation.
type touristGroups struct {
	once     sync.Once
	forms    *group[FormUse]
	recovery *group[[]RecoveryEntry]
}

func (s *Service) groups() *touristGroups {
	g := &s.tourist
	g.once.Do(func() {
		g.forms = newGroup(50, s.store.InsertFormUses)
		g.recovery = newGroup(50, func(ctx context.Context, items [][]RecoveryEntry) []error {
			var flat []RecoveryEntry
			for _, it := range items {
				flat = append(flat, it...)
			}
			err := s.store.AddRecoveries(ctx, flat)
			out := make([]error, len(items))
			for i := range out {
				out[i] = err
			}
			return out
		})
	})
	return g
}

func (r ReserveRequest) refOrNew() string {
	if r.ref != "" {
		return r.ref
	}
	return newRef()
}

// FormUsedError says the form's token made another reservation than this
// POST asks for (the tourist went back and changed the form): the page
// shows that reservation and a fresh form.
type FormUsedError struct {
	Ref, Secret string
}

func (e *FormUsedError) Error() string { return "tickets: this form made reservation " + e.Ref }

var formTokenRe = regexp.MustCompile(`^[A-Za-z0-9_-]{22,64}$`)

// ValidFormToken reports whether s can be a reservation form's token.
func ValidFormToken(s string) bool { return formTokenRe.MatchString(s) }

// NewFormToken makes the token of a reservation form as it is rendered.
func NewFormToken() string { return newSecret() }

// How long a repeat waits for the first POST of its form, and when a use
// with no reservation counts as abandoned (its node died mid-way).
const (
	formWait      = 20 * time.Second
	formPoll      = 50 * time.Millisecond
	formAbandoned = 2 * time.Minute
)

// ReserveOnce is Reserve for a form with a token: the first POST of the
// token reserves, every other one returns that reservation (repeat true)
// with its second link as Secret. A POST whose form asks for something
// else than the first one's gets *FormUsedError.
func (s *Service) ReserveOnce(ctx context.Context, token string, req ReserveRequest) (res Reserved, repeat bool, err error) {
	if !ValidFormToken(token) {
		return Reserved{}, false, &domain.ValidationError{Field: "form", Key: "ticketflow.error.form"}
	}
	sec, err := s.loadSecrets(ctx, false)
	if err != nil {
		return Reserved{}, false, err
	}
	sum := sha256.Sum256([]byte("form\x00" + token))
	id := hex.EncodeToString(sum[:16])
	fp := fingerprint(sec.idKey, req)
	waitUntil := time.Now().Add(formWait)
	for attempt := 0; attempt < 5; attempt++ {
		mine := FormUse{ID: id, Fingerprint: fp, Ref: newRef(), Created: s.now().UTC().Truncate(time.Millisecond)}
		err := s.groups().forms.do(ctx, mine)
		if err == nil {
			req.ref = mine.Ref
			res, err := s.Reserve(ctx, req)
			if err != nil {
				// Refused or failed: the token is free again, so the
				// corrected form (or a waiting repeat) can try.
				if derr := s.store.DeleteFormUse(context.WithoutCancel(ctx), id); derr != nil {
					s.log.Error("tickets: free form token", "err", derr)
				}
				return Reserved{}, false, err
			}
			return res, false, nil
		}
		if !errors.Is(err, domain.ErrConflict) {
			return Reserved{}, false, err
		}
		// Another POST of this form got there first: wait for its
		// reservation, or for its refusal (the token freed).
		for {
			use, err := s.store.FormUse(ctx, id)
			if errors.Is(err, domain.ErrNotFound) {
				break // refused: try ourselves
			}
			if err != nil {
				return Reserved{}, false, err
			}
			r, err := s.Reservation(ctx, use.Ref)
			if err == nil {
				link := s.linkSecret(sec, r.Ref)
				if use.Fingerprint != fp {
					return Reserved{}, false, &FormUsedError{Ref: r.Ref, Secret: link}
				}
				return Reserved{Reservation: r, Secret: link}, true, nil
			}
			if !errors.Is(err, domain.ErrNotFound) {
				return Reserved{}, false, err
			}
			if s.now().Sub(use.Created) > formAbandoned {
				// Its node died between the token and the reservation.
				if err := s.store.DeleteFormUse(ctx, id); err != nil {
					return Reserved{}, false, err
				}
				break
			}
			if time.Now().After(waitUntil) {
				return Reserved{}, false, errorf("form %s: the first request is still running", id[:8])
			}
			t := time.NewTimer(formPoll)
			select {
			case <-ctx.Done():
				t.Stop()
				return Reserved{}, false, ctx.Err()
			case <-t.C:
			}
		}
	}
	return Reserved{}, false, errorf("form %s: no answer after retries", id[:8])
}

// fingerprint is a keyed hash of what a reservation form asks for (keyed:
// it covers ID numbers).
func fingerprint(key []byte, req ReserveRequest) string {
	m := hmac.New(sha256.New, key)
	w := func(s string) { m.Write([]byte(s)); m.Write([]byte{0}) }
	w("form-fingerprint")
	w(req.Site)
	w(req.Date)
	w(req.Slot)
	w(normalisePhone(req.Phone))
	for _, v := range req.Visitors {
		w(v.Name)
		w(v.IDType)
		w(v.IDNumber)
		w(v.Type)
	}
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// linkSecret is the secret of a reservation's second private link, derived
// from its reference with the server's key, so it needs no storage and is
// the same however often it is recovered.
func (s *Service) linkSecret(sec *secrets, ref string) string {
	m := hmac.New(sha256.New, sec.idKey)
	m.Write([]byte("private-link\x00" + ref))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:24])
}

// linkMatches reports whether secret opens r: the secret shown when it
// was made, or its derived second link.
func (s *Service) linkMatches(ctx context.Context, r Reservation, secret string) bool {
	if keyMatches(r, secret) {
		return true
	}
	sec, err := s.loadSecrets(ctx, false)
	if err != nil || secret == "" {
		return false
	}
	return hmac.Equal([]byte(s.linkSecret(sec, r.Ref)), []byte(secret))
}

// recoveryKey is the keyed hash a reservation is found by from an ID
// number (already hashed) and a phone number.
func recoveryKey(key []byte, idHash, phone string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("recover\x00" + idHash + "\x00" + phone))
	return hex.EncodeToString(m.Sum(nil)[:20])
}

// RecoveryKey is recoveryKey for the store's migration that indexes the
// reservations made before recovery existed.
func RecoveryKey(idKey []byte, idHash, phone string) string { return recoveryKey(idKey, idHash, phone) }

// indexForRecovery lists r under each of its visitors' ID with its phone.
func (s *Service) indexForRecovery(ctx context.Context, r Reservation) {
	sec, err := s.loadSecrets(ctx, false)
	if err == nil {
		es := make([]RecoveryEntry, len(r.Visitors))
		for i, v := range r.Visitors {
			es[i] = RecoveryEntry{Key: recoveryKey(sec.idKey, v.IDHash, r.Phone), Ref: r.Ref}
		}
		err = s.groups().recovery.do(ctx, es)
	}
	if err != nil {
		// The reservation stands; only finding it by ID and phone fails.
		s.log.Error("tickets: index for recovery", "ref", r.Ref, "err", err)
	}
}

// ThrottleKey is a keyed hash of a document number as typed (trimmed,
// upper case), for limiting lost-link tries per ID whatever the client
// address; "" when the keys cannot be read.
func (s *Service) ThrottleKey(ctx context.Context, number string) string {
	sec, err := s.loadSecrets(ctx, false)
	if err != nil {
		return ""
	}
	m := hmac.New(sha256.New, sec.idKey)
	m.Write([]byte("recover-throttle\x00" + strings.ToUpper(strings.Join(strings.Fields(number), ""))))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// RecoverRequest is a lost link asked for by ID number and phone.
type RecoverRequest struct {
	IDType, IDNumber, Phone string
}

// Recovered is a reservation found again, with its second link's secret.
type Recovered struct {
	Reservation
	Secret string
}

// Recover finds the reservations made with this ID number and phone, most
// recent visit first. No match is an empty list, not an error: a wrong
// phone and an ID that never booked answer alike.
func (s *Service) Recover(ctx context.Context, req RecoverRequest) ([]Recovered, error) {
	now := s.now()
	id, err := ParseID(IDType(req.IDType), req.IDNumber, now)
	if err != nil {
		return nil, err
	}
	phone := normalisePhone(req.Phone)
	if !phoneRe.MatchString(phone) {
		return nil, &domain.ValidationError{Field: "phone", Key: "tickets.error.phone"}
	}
	sec, err := s.loadSecrets(ctx, false)
	if err != nil {
		return nil, err
	}
	idHash := HashID(sec.idKey, id)
	refs, err := s.store.Recovery(ctx, recoveryKey(sec.idKey, idHash, phone))
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Recovered
	for _, ref := range refs {
		r, err := s.Reservation(ctx, ref)
		if errors.Is(err, domain.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		mine := false
		for _, v := range r.Visitors {
			mine = mine || v.IDHash == idHash
		}
		if !mine || r.Phone != phone {
			continue
		}
		out = append(out, Recovered{Reservation: r, Secret: s.linkSecret(sec, r.Ref)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date > out[j].Date })
	return out, nil
}
