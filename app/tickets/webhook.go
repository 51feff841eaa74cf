package tickets

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// A payment provider confirms a payment by POSTing JSON with the header
//
//	Yimayou-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
//
// keyed with the webhook secret. The timestamp is signed too, and must be
// within WebhookTolerance of the server's clock, so a captured request
// cannot be replayed later; a replay within the window, or a provider's
// own retry, is absorbed by the transaction id.
const WebhookTolerance = 5 * time.Minute

// ErrWebhookSignature is a webhook whose signature is missing, wrong or
// too old.
var ErrWebhookSignature = errors.New("tickets: webhook signature invalid")

// SignWebhook makes the signature header of body at t (providers and
// tests).
func SignWebhook(secret, body []byte, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(webhookMAC(secret, ts, body))
}

func webhookMAC(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// VerifyWebhook checks a signature header against body at now.
func VerifyWebhook(secret []byte, header string, body []byte, now time.Time) error {
	var ts string
	var sigs [][]byte
	if len(header) > 1024 {
		return ErrWebhookSignature
	}
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil && len(b) == sha256.Size {
				sigs = append(sigs, b)
			}
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrWebhookSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > WebhookTolerance || d < -WebhookTolerance {
		return ErrWebhookSignature
	}
	want := webhookMAC(secret, ts, body)
	for _, s := range sigs {
		// Several v1 values let a provider sign with an old and a new
		// secret while the secret is being changed.
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrWebhookSignature
}

// WebhookSecret is the secret providers sign webhooks with.
func (s *Service) WebhookSecret(ctx context.Context) ([]byte, error) {
	sec, err := s.loadSecrets(ctx, false)
	if err != nil {
		return nil, err
	}
	return sec.webhook, nil
}

// PaymentNotice is a verified provider confirmation.
type PaymentNotice struct {
	Provider    string
	Transaction string
	Ref         string
	Fen         int64
}

var providerRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
var txnRe = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,128}$`)

// ConfirmPayment applies a provider's payment confirmation once per
// provider transaction id; a replay answers what the first one got.
// Outcome "late" means the hold had already ended (expired or cancelled):
// the money must go back, which is flagged in the log for the bureau.
func (s *Service) ConfirmPayment(ctx context.Context, n PaymentNotice) (Payment, error) {
	if !providerRe.MatchString(n.Provider) {
		return Payment{}, &domain.ValidationError{Field: "provider", Key: "tickets.error.webhook"}
	}
	if !txnRe.MatchString(n.Transaction) {
		return Payment{}, &domain.ValidationError{Field: "transaction_id", Key: "tickets.error.webhook"}
	}
	r, err := s.Reservation(ctx, n.Ref)
	if err != nil {
		return Payment{}, err
	}
	if n.Fen != r.TotalFen {
		return Payment{}, refuse(ReasonAmount)
	}
	p := Payment{Provider: n.Provider, Transaction: n.Transaction, Ref: r.Ref, Fen: n.Fen,
		Received: s.now().UTC().Truncate(time.Millisecond)}
	stored, inserted, err := s.store.InsertPayment(ctx, p)
	if err != nil {
		return Payment{}, err
	}
	if !inserted && stored.Outcome != "" {
		return stored, nil
	}
	// New, or a first attempt that died before its outcome was stored:
	// the transition below is safe to try again.
	switch {
	case r.State == StatePaid:
		p.Outcome = "already_paid"
	default:
		_, err := s.transition(ctx, r, []State{StateHeld, StateBooked}, StatePaid, "webhook:"+n.Provider, n.Fen, n.Transaction)
		var refusal *Refusal
		switch {
		case errors.As(err, &refusal):
			p.Outcome = "late"
			s.log.Warn("tickets: payment for a reservation no longer held: refund it", "ref", r.Ref,
				"provider", n.Provider, "transaction", n.Transaction, "state", r.State)
		case err != nil:
			return Payment{}, err
		default:
			p.Outcome = "paid"
		}
	}
	if err := s.store.SetPaymentOutcome(ctx, p); err != nil {
		return Payment{}, err
	}
	return p, nil
}
