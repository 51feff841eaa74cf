package events

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// VisitorKey is a keyed hash of a visitor's IP, user agent and the site
// under the day's secret: the same person at the same site on the same day
// gets the same key, so uniques are countable; without the secret, which
// is deleted after the day, the key cannot be linked to the person or to
// their keys of other days. 96 bits keep collisions negligible for any
// site-day.
func VisitorKey(secret []byte, ip, userAgent, site string) string {
	return visitorKey(hmac.New(sha256.New, secret), ip, userAgent, site)
}

// visitorKey computes the key with a keyed HMAC in its initial state.
func visitorKey(m hash.Hash, ip, userAgent, site string) string {
	// Zero bytes separate the fields, so ("a b", "c") and ("a", "b c")
	// hash differently.
	m.Write([]byte(ip))
	m.Write([]byte{0})
	m.Write([]byte(userAgent))
	m.Write([]byte{0})
	m.Write([]byte(site))
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(m.Sum(sum[:0])[:12])
}

// SecretStore keeps the daily secrets; store.Store implements it.
type SecretStore interface {
	DailySecret(ctx context.Context, day string) ([]byte, error)
	DeleteSecretsBefore(ctx context.Context, day string) (int64, error)
}

// Secrets hands out the visitor-key secret of a day, shared by all nodes
// through the database and cached here, so the scan path reads it from
// memory.
type Secrets struct {
	st  SecretStore
	log *slog.Logger
	now func() time.Time

	cur   atomic.Pointer[daySecret] // today's, the hot path's
	mu    sync.Mutex                // serialises fetches
	ahead map[string][]byte         // fetched ahead of their day
}

type daySecret struct {
	day    string
	secret []byte
}

// NewSecrets returns a cache over st; now may be nil (time.Now).
func NewSecrets(st SecretStore, log *slog.Logger, now func() time.Time) *Secrets {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Secrets{st: st, log: log, now: now, ahead: map[string][]byte{}}
}

func dayOf(t time.Time) string { return t.In(domain.ChinaTime).Format(time.DateOnly) }

// For returns the secret of the day t falls on (China time). It reads the
// database only the first time a day is asked for, unless Run fetched the
// day ahead.
func (s *Secrets) For(ctx context.Context, t time.Time) ([]byte, error) {
	day := dayOf(t)
	if c := s.cur.Load(); c != nil && c.day == day {
		return c.secret, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.cur.Load(); c != nil && c.day == day {
		return c.secret, nil
	}
	secret, ok := s.ahead[day]
	if !ok {
		var err error
		if secret, err = s.st.DailySecret(ctx, day); err != nil {
			return nil, fmt.Errorf("events: visitor secret: %w", err)
		}
	}
	delete(s.ahead, day)
	// Only a day not older than the cached one becomes current, so an old
	// event tagged late cannot flip the hot path back a day.
	if c := s.cur.Load(); c == nil || c.day < day {
		s.cur.Store(&daySecret{day: day, secret: secret})
	} else {
		s.ahead[day] = secret
	}
	return secret, nil
}

// Refresh fetches today's and tomorrow's secrets, so midnight costs no
// request a database call, and deletes the secrets of days before
// yesterday, after which yesterday's keys can no longer be recomputed.
func (s *Secrets) Refresh(ctx context.Context) error {
	now := s.now()
	if _, err := s.For(ctx, now); err != nil {
		return err
	}
	tomorrow := dayOf(now.Add(24 * time.Hour))
	s.mu.Lock()
	_, have := s.ahead[tomorrow]
	s.mu.Unlock()
	if !have {
		secret, err := s.st.DailySecret(ctx, tomorrow)
		if err != nil {
			return fmt.Errorf("events: visitor secret: %w", err)
		}
		s.mu.Lock()
		s.ahead[tomorrow] = secret
		for d := range s.ahead {
			if d < dayOf(now) {
				delete(s.ahead, d)
			}
		}
		s.mu.Unlock()
	}
	if _, err := s.st.DeleteSecretsBefore(ctx, dayOf(now.Add(-24*time.Hour))); err != nil {
		return fmt.Errorf("events: delete old visitor secrets: %w", err)
	}
	return nil
}

// Run refreshes every interval (0 means 10 minutes) until ctx ends.
func (s *Secrets) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = 10 * time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("events: refresh visitor secrets", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tagger fills the visitor-derived fields of an event from the facts of
// its request (the web.Tagger interface); nothing of the request is kept.
type Tagger struct {
	secrets *Secrets
	log     *slog.Logger
	// macs recycles keyed HMACs of the current secret: keying one costs
	// two SHA-256 blocks and allocations on every scan otherwise.
	macs atomic.Pointer[macPool]
	// failures counts events left without a visitor key because the
	// secret could not be had (database down at the first request of a
	// day); they still count everywhere but in uniques.
	failures atomic.Uint64
}

// NewTagger returns a tagger using secrets for visitor keys.
func NewTagger(secrets *Secrets, log *slog.Logger) *Tagger {
	if log == nil {
		log = slog.Default()
	}
	return &Tagger{secrets: secrets, log: log}
}

// Tag sets e's bot flag, device and referrer classes and visitor key.
func (t *Tagger) Tag(ctx context.Context, c domain.Client, e *domain.Event) {
	e.Bot = ClassifyBot(c.UserAgent, c.Method, func(h string) string {
		if h == "Sec-Purpose" || h == "Purpose" {
			return c.Purpose
		}
		return ""
	})
	e.Device = DeviceClass(c.UserAgent)
	e.Referrer = ReferrerClass(c.Referer, c.Host)
	if e.Bot {
		return // bots count in no unique, so they need no key
	}
	secret, err := t.secrets.For(ctx, e.Time)
	if err != nil {
		if t.failures.Add(1)%1000 == 1 {
			t.log.Error("events: no visitor secret; events go without visitor key", "err", err)
		}
		return
	}
	e.VisitorKey = t.key(secret, c.IP, c.UserAgent, e.Site)
}

type macPool struct {
	secret []byte
	pool   sync.Pool
}

func (t *Tagger) key(secret []byte, ip, userAgent, site string) string {
	p, m := t.mac(secret)
	k := visitorKey(m, ip, userAgent, site)
	p.pool.Put(m)
	return k
}

// mac returns a keyed HMAC of secret in its initial state, from the pool
// it must be put back into.
func (t *Tagger) mac(secret []byte) (*macPool, hash.Hash) {
	p := t.macs.Load()
	if p == nil || !hmac.Equal(p.secret, secret) {
		p = &macPool{secret: secret}
		p.pool.New = func() any { return hmac.New(sha256.New, secret) }
		t.macs.Store(p)
	}
	m := p.pool.Get().(hash.Hash)
	m.Reset() // back to the keyed initial state
	return p, m
}
