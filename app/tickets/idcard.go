package tickets

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// IDType is the kind of identity document a visitor reserves with.
type IDType string

const (
	// IDResident is the 18-character number of GB 11643: the mainland
	// resident ID card, the residence permits of Hong Kong, Macau and
	// Taiwan residents (81/82/83…) and the foreigner's permanent residence
	// ID card (9…), which all share the format and checksum.
	IDResident IDType = "cn"
	IDPassport IDType = "passport"
	// IDHKMacau is the Mainland Travel Permit for Hong Kong and Macau
	// residents (回乡证): H or M and 8 (or, on old cards, 10) digits.
	IDHKMacau IDType = "hkmo"
	// IDTaiwan is the Mainland Travel Permit for Taiwan residents (台胞证):
	// 8 digits (10 on cards issued before 2015).
	IDTaiwan IDType = "tw"
)

// IDTypes lists the accepted documents, in the order forms offer them.
var IDTypes = []IDType{IDResident, IDPassport, IDHKMacau, IDTaiwan}

// ID is a validated, normalised identity document number.
type ID struct {
	Type   IDType
	Number string
	// Birth is known for resident IDs only.
	Birth time.Time
}

// provinces are the first two digits of GB/T 2260 codes in use, plus 71
// (Taiwan), 81-83 (residence permits of Hong Kong, Macau and Taiwan
// residents).
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true,
}

var gbWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const gbCheck = "10X98765432"

// GBCheckChar computes the GB 11643 check character of 17 digits.
func GBCheckChar(digits17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(digits17[i]-'0') * gbWeights[i]
	}
	return gbCheck[sum%11]
}

// ParseID validates and normalises a document number of type t, at now
// (a birth date may not be in the future). The error is a
// *domain.ValidationError naming what is wrong, for the tourist to fix.
func ParseID(t IDType, raw string, now time.Time) (ID, error) {
	n := normaliseID(raw)
	bad := func(key string) (ID, error) {
		return ID{}, &domain.ValidationError{Field: "id", Key: key}
	}
	if n == "" {
		return bad("tickets.error.id_required")
	}
	if len(n) > 24 {
		return bad("tickets.error.id_format")
	}
	switch t {
	case IDResident:
		if len(n) != 18 || !allDigits(n[:17]) || !(isDigit(n[17]) || n[17] == 'X') {
			return bad("tickets.error.id_format")
		}
		region := n[:6]
		switch {
		case n[0] == '9':
			// Foreigner's permanent residence ID (2023): 9, the
			// province of issue, a nationality code.
			if !provinces[n[1:3]] {
				return bad("tickets.error.id_region")
			}
		case !provinces[n[:2]]:
			return bad("tickets.error.id_region")
		case (n[:2] == "81" || n[:2] == "82" || n[:2] == "83") && region[2:] != "0000":
			return bad("tickets.error.id_region")
		case n[:2] != "81" && n[:2] != "82" && n[:2] != "83" && region[2:] == "0000":
			// A province alone is no place of registration.
			return bad("tickets.error.id_region")
		}
		birth, err := time.ParseInLocation("20060102", n[6:14], domain.ChinaTime)
		if err != nil || birth.Year() < 1890 || birth.After(now) {
			return bad("tickets.error.id_birth")
		}
		if GBCheckChar(n[:17]) != n[17] {
			return bad("tickets.error.id_checksum")
		}
		return ID{Type: t, Number: n, Birth: birth}, nil
	case IDPassport:
		// ICAO 9303 document numbers are up to 9 characters; some states
		// use more in practice, so allow up to 15 letters and digits, with
		// at least one digit.
		if len(n) < 5 || len(n) > 15 || !alnum(n) || !hasDigit(n) {
			return bad("tickets.error.id_format")
		}
	case IDHKMacau:
		if !(n[0] == 'H' || n[0] == 'M') || !(len(n) == 9 || len(n) == 11) || !allDigits(n[1:]) {
			return bad("tickets.error.id_format")
		}
	case IDTaiwan:
		if !(len(n) == 8 || len(n) == 10) || !allDigits(n) {
			return bad("tickets.error.id_format")
		}
	default:
		return ID{}, &domain.ValidationError{Field: "id_type", Key: "tickets.error.id_type"}
	}
	return ID{Type: t, Number: n}, nil
}

// normaliseID drops spaces and the separators people type, and uppercases
// (x → X in a resident ID, passport letters). Full-width characters typed
// with a Chinese IME are folded to ASCII.
func normaliseID(raw string) string {
	var b strings.Builder
	for _, r := range raw {
		if r >= '０' && r <= '９' {
			r = r - '０' + '0'
		} else if r >= 'ａ' && r <= 'ｚ' {
			r = r - 'ａ' + 'A'
		} else if r >= 'Ａ' && r <= 'Ｚ' {
			r = r - 'Ａ' + 'A'
		}
		switch {
		case r == ' ' || r == '-' || r == '\t' || r == '\u3000' || r == '(' || r == ')':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		// Anything else is kept, so that validation fails rather than a
		// character being dropped silently.
		b.WriteRune(r)
		if b.Len() > 64 {
			break
		}
	}
	return b.String()
}

// Masked shows the first 3 and the last 4 characters of a long number and
// only the last 4 of a short one (so that little of an 8-digit permit is
// shown); the gate's real-name check compares the last 4.
func (id ID) Masked() string {
	n := id.Number
	if len(n) >= 12 {
		return n[:3] + strings.Repeat("*", len(n)-7) + n[len(n)-4:]
	}
	if len(n) <= 4 {
		return strings.Repeat("*", len(n))
	}
	return strings.Repeat("*", len(n)-4) + n[len(n)-4:]
}

// AgeOn is the age in whole years on date (YYYY-MM-DD), or -1 when the
// birth date is unknown.
func (id ID) AgeOn(date string) int {
	if id.Birth.IsZero() {
		return -1
	}
	d, err := time.ParseInLocation(time.DateOnly, date, domain.ChinaTime)
	if err != nil {
		return -1
	}
	age := d.Year() - id.Birth.Year()
	if d.Month() < id.Birth.Month() || (d.Month() == id.Birth.Month() && d.Day() < id.Birth.Day()) {
		age--
	}
	return age
}

// HashID is the keyed hash of a document: the same person hashes to the
// same value on every node (the key is shared through the database), and
// the number cannot be recovered without the key, not even by trying all
// 10^11 or so plausible resident IDs.
func HashID(key []byte, id ID) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id.Type))
	m.Write([]byte{0})
	m.Write([]byte(id.Number))
	return hex.EncodeToString(m.Sum(nil)[:20])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return len(s) > 0
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && !(s[i] >= 'A' && s[i] <= 'Z') {
			return false
		}
	}
	return true
}
