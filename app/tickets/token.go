package tickets

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// A ticket code is the text inside a ticket's QR code:
//
//	Y1.<kid>.<ticket id>.<site>.<yyyymmdd>.<slot or ->.<days>.<type>.<id first 3 or ->.<id last 4>.<signature>
//
// The fields are plain ASCII from [A-Za-z0-9-] joined by dots, so that a
// USB or Bluetooth scanner typing it as keystrokes cannot garble it and a
// gate can show the fields without decoding anything; the signature is
// Ed25519 over everything before the last dot, in unpadded base64url. The
// key id lets keys rotate: gates hold every published public key. About
// 140 characters: a version 8 QR code at level M, easy for phone cameras
// and for a scanner reading a phone screen.
//
// A ticket of a reservation that is not paid yet (pay at the gate, or an
// online payment still pending) is a "Y2" code: the same fields and one
// more before the signature, the amount in fen to collect. An offline gate
// must never take an unpaid ticket for a valid one, and it cannot know
// what was paid since it lost signal; so the code itself says "collect
// ¥X first", signed, and cannot be stripped of it. The alternative, an
// offline list of unpaid tickets on each gate, misses every booking made
// after the gate's last sync; signing only paid tickets would leave a
// pay-at-the-gate visitor with no code to show. Once paid, the tourist's
// page shows a Y1 code; online, the server has the last word either way.
const (
	tokenPrefix       = "Y1"
	tokenPrefixUnpaid = "Y2"
)

// MaxTokenLen bounds what the parser looks at.
const MaxTokenLen = 400

// Claims are the signed facts of a ticket.
type Claims struct {
	KeyID    string
	TicketID string
	Site     string
	Date     string // first valid day, YYYY-MM-DD
	Slot     string // "" when the site has no slots
	Days     int    // valid for Days days from Date
	Type     string // ticket type code, so the gate can ask for the proof of a concession
	IDFirst  string // first 3 characters of the ID, "" for short documents
	IDLast   string // last 4 characters of the ID
	// DueFen is what the gate must collect before letting the visitor in
	// (the whole reservation's unpaid amount); 0 on a paid ticket.
	DueFen int64
}

var (
	ErrTokenFormat     = errors.New("tickets: not a ticket code")
	ErrTokenSignature  = errors.New("tickets: ticket code signature does not verify")
	ErrTokenUnknownKey = errors.New("tickets: ticket code signed with an unknown key")
)

var (
	kidRe      = regexp.MustCompile(`^[0-9]{1,6}$`)
	ticketIDRe = regexp.MustCompile(`^[0-9A-Z]{10}-[1-9][0-9]?$`)
	siteRe     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	dateRe     = regexp.MustCompile(`^[0-9]{8}$`)
	idPartRe   = regexp.MustCompile(`^[0-9A-Z]{1,4}$`)
)

// ValidOn reports whether the ticket is good on day (YYYY-MM-DD): from
// Date for Days days.
func (c Claims) ValidOn(day string) bool {
	return day >= c.Date && day < AddDays(c.Date, c.Days)
}

// LastDay is the last day the ticket is good.
func (c Claims) LastDay() string { return AddDays(c.Date, c.Days-1) }

// MaskedID is the masked document number as the gate shows it.
func (c Claims) MaskedID() string {
	if c.IDFirst == "" {
		return "…" + c.IDLast
	}
	return c.IDFirst + "…" + c.IDLast
}

func (c Claims) payload() (string, error) {
	compact := strings.ReplaceAll(c.Date, "-", "")
	slot := c.Slot
	if slot == "" {
		slot = "-"
	}
	first := c.IDFirst
	if first == "" {
		first = "-"
	}
	if !kidRe.MatchString(c.KeyID) || !ticketIDRe.MatchString(c.TicketID) || !siteRe.MatchString(c.Site) || len(c.Site) > 64 ||
		!dateRe.MatchString(compact) || !ValidDate(c.Date) || !(slot == "-" || slotRe.MatchString(slot)) ||
		c.Days < 1 || c.Days > 30 || !codeRe.MatchString(c.Type) || !(first == "-" || (len(first) == 3 && idPartRe.MatchString(first))) ||
		len(c.IDLast) != 4 || !idPartRe.MatchString(c.IDLast) || c.DueFen < 0 || c.DueFen > 100_000_000 {
		return "", ErrTokenFormat
	}
	f := []string{tokenPrefix, c.KeyID, c.TicketID, c.Site, compact, slot, strconv.Itoa(c.Days), c.Type, first, c.IDLast}
	if c.DueFen > 0 {
		f[0] = tokenPrefixUnpaid
		f = append(f, strconv.FormatInt(c.DueFen, 10))
	}
	return strings.Join(f, "."), nil
}

// Sign makes the ticket code of c with key (whose id must be c.KeyID).
func Sign(c Claims, key ed25519.PrivateKey) (string, error) {
	p, err := c.payload()
	if err != nil {
		return "", err
	}
	sig := ed25519.Sign(key, []byte(p))
	return p + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// ParseToken reads the claims of a ticket code without verifying it.
func ParseToken(token string) (Claims, []byte, string, error) {
	token = strings.TrimSpace(token)
	if len(token) > MaxTokenLen || len(token) < 20 {
		return Claims{}, nil, "", ErrTokenFormat
	}
	cut := strings.LastIndexByte(token, '.')
	if cut < 0 {
		return Claims{}, nil, "", ErrTokenFormat
	}
	payload, sigText := token[:cut], token[cut+1:]
	f := strings.Split(payload, ".")
	var due int64
	switch {
	case len(f) == 10 && f[0] == tokenPrefix:
	case len(f) == 11 && f[0] == tokenPrefixUnpaid:
		n, err := strconv.ParseInt(f[10], 10, 64)
		if err != nil || n < 1 {
			return Claims{}, nil, "", ErrTokenFormat
		}
		due = n // canonical spelling is checked by re-encoding below
	default:
		return Claims{}, nil, "", ErrTokenFormat
	}
	// Strict: a signature has exactly one spelling, so a code cannot be
	// varied in its last character and still verify (found by fuzzing).
	sig, err := base64.RawURLEncoding.Strict().DecodeString(sigText)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return Claims{}, nil, "", ErrTokenFormat
	}
	days, err := strconv.Atoi(f[6])
	if err != nil || f[6] != strconv.Itoa(days) {
		return Claims{}, nil, "", ErrTokenFormat
	}
	if !dateRe.MatchString(f[4]) {
		return Claims{}, nil, "", ErrTokenFormat
	}
	c := Claims{KeyID: f[1], TicketID: f[2], Site: f[3], Date: f[4][:4] + "-" + f[4][4:6] + "-" + f[4][6:],
		Slot: f[5], Days: days, Type: f[7], IDFirst: f[8], IDLast: f[9], DueFen: due}
	if c.Slot == "-" {
		c.Slot = ""
	}
	if c.IDFirst == "-" {
		c.IDFirst = ""
	}
	// Re-encoding must give the same bytes: one code, one meaning.
	if again, err := c.payload(); err != nil || again != payload {
		return Claims{}, nil, "", ErrTokenFormat
	}
	return c, sig, payload, nil
}

// Keyring holds the public keys gates and servers verify with, by id.
type Keyring struct {
	Public map[string]ed25519.PublicKey
}

// Verify parses and verifies a ticket code.
func (k Keyring) Verify(token string) (Claims, error) {
	c, sig, payload, err := ParseToken(token)
	if err != nil {
		return Claims{}, err
	}
	pub, ok := k.Public[c.KeyID]
	if !ok {
		return c, ErrTokenUnknownKey
	}
	if !ed25519.Verify(pub, []byte(payload), sig) {
		return Claims{}, ErrTokenSignature
	}
	return c, nil
}

// SigningKey is one generation of the ticket signing key. Generations are
// numbered 1, 2, 3…; the highest one signs, all verify.
type SigningKey struct {
	ID      string
	Private ed25519.PrivateKey
	Created time.Time
}

// Public is the key's public half.
func (k SigningKey) Public() ed25519.PublicKey { return k.Private.Public().(ed25519.PublicKey) }
