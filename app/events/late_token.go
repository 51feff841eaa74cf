package events

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// Late tokens let a page's own script send the views and audio plays made
// while offline (POST /api/v1/events) and nobody else: the server puts a
// token in the response of every counted page fetch, an HMAC over (day,
// site, visitor key) under the day's visitor secret. A fake late event
// therefore needs a real, counted page fetch per token, and pays for it
// from the recording budget. A token is good for the day it was issued
// and the next, because the day's secret is deleted after that
// (Secrets.Refresh): so a late event is at most two days late.

// ErrLateToken is returned for a token that is malformed, forged, of
// another day than today or yesterday, or whose secret is gone.
var ErrLateToken = fmt.Errorf("events: invalid late-event token: %w", domain.ErrInvalid)

// LateToken returns the token for a counted event of a person (it has a
// visitor key), or "" when there is none to give (a bot, an event past
// the budget, no secret). It runs on every counted scan, so it reuses the
// tagger's keyed HMACs.
func (t *Tagger) LateToken(ctx context.Context, e domain.Event) string {
	if e.VisitorKey == "" || e.Site == "" || e.Day == "" || strings.Contains(e.Site, ".") {
		return ""
	}
	secret, err := t.secrets.For(ctx, e.Time)
	if err != nil {
		return ""
	}
	var buf [128]byte
	b := append(buf[:0], e.Day...)
	b = append(append(b, '.'), e.Site...)
	b = append(append(b, '.'), e.VisitorKey...)
	b = append(b, '.')
	return string(t.appendLateMAC(b, secret, e.Day, e.Site, e.VisitorKey))
}

// appendLateMAC appends the token's MAC: an HMAC under the day's visitor
// secret, its input starting with "late", which no visitor key's input
// (an IP address) does.
func (t *Tagger) appendLateMAC(b, secret []byte, day, site, vk string) []byte {
	p, m := t.mac(secret)
	var in [128]byte
	x := append(in[:0], "late\x00"...)
	x = append(append(x, day...), 0)
	x = append(append(x, site...), 0)
	x = append(x, vk...)
	m.Write(x)
	var sum [sha256.Size]byte
	mac := m.Sum(sum[:0])
	p.pool.Put(m)
	return base64.RawURLEncoding.AppendEncode(b, mac[:16])
}

// CheckLateToken verifies a token at now.
func (t *Tagger) CheckLateToken(ctx context.Context, token string, now time.Time) (domain.LateGrant, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 4 || len(token) > 200 {
		return domain.LateGrant{}, ErrLateToken
	}
	day, site, vk, mac := parts[0], parts[1], parts[2], parts[3]
	today := dayOf(now)
	yesterday := dayOf(now.Add(-24 * time.Hour))
	// Only these two days: an old or future day would make Secrets fetch
	// (and the store create) a secret for it.
	if day != today && day != yesterday {
		return domain.LateGrant{}, ErrLateToken
	}
	at, err := time.ParseInLocation(time.DateOnly, day, domain.ChinaTime)
	if err != nil {
		return domain.LateGrant{}, ErrLateToken
	}
	secret, err := t.secrets.For(ctx, at.Add(12*time.Hour))
	if err != nil {
		return domain.LateGrant{}, err
	}
	if !hmac.Equal([]byte(mac), t.appendLateMAC(nil, secret, day, site, vk)) {
		return domain.LateGrant{}, ErrLateToken
	}
	return domain.LateGrant{Site: site, Day: day, VisitorKey: vk, ID: mac}, nil
}
