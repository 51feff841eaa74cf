package domain

import (
	"crypto/rand"
	"time"
)

// Sign is one placement of a printed QR code: the code inside the URL
// /q/{code}, the site it leads to and where it hangs.
type Sign struct {
	Code      string
	Site      string
	County    string
	Label     string
	Campaign  string
	Installed string // "2026-05-01", empty if unknown
	Enabled   bool
	CreatedAt time.Time
}

// CodeAlphabet leaves out 0/O, 1/I/L and U so a code typed from a sign
// cannot be misread.
const CodeAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// CodeLen is the length of generated codes: 30^6 ≈ 7×10^8 codes.
const CodeLen = 6

// MaxCodeLen bounds codes accepted from a URL.
const MaxCodeLen = 32

// ValidCode reports whether code is made of the code alphabet (upper case)
// and is of sane length. Lowercase input should be normalised with
// NormalizeCode first.
func ValidCode(code string) bool {
	if len(code) < 4 || len(code) > MaxCodeLen {
		return false
	}
	for i := 0; i < len(code); i++ {
		if !isCodeByte(code[i]) {
			return false
		}
	}
	return true
}

func isCodeByte(b byte) bool {
	for i := 0; i < len(CodeAlphabet); i++ {
		if CodeAlphabet[i] == b {
			return true
		}
	}
	return false
}

// NormalizeCode upper-cases ASCII letters, so a code typed by hand in lower
// case still resolves.
func NormalizeCode(code string) string {
	b := []byte(code)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// NewCode returns a random code of CodeLen characters.
func NewCode() string {
	buf := make([]byte, CodeLen)
	if _, err := rand.Read(buf); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	for i, b := range buf {
		buf[i] = CodeAlphabet[int(b)%len(CodeAlphabet)]
	}
	return string(buf)
}

// Validate checks the sign's own rules.
func (s Sign) Validate() error {
	switch {
	case !ValidCode(s.Code):
		return &ValidationError{Field: "code", Key: "error.sign_code"}
	case !ValidSiteKey(s.Site):
		return &ValidationError{Field: "site", Key: "error.site_key"}
	case !ValidCountyCode(s.County):
		return &ValidationError{Field: "county", Key: "error.county_code"}
	case len(s.Label) > 200 || len(s.Campaign) > 100:
		return &ValidationError{Field: "label", Key: "error.too_long"}
	}
	if s.Installed != "" {
		if _, err := time.Parse(time.DateOnly, s.Installed); err != nil {
			return &ValidationError{Field: "installed", Key: "error.date"}
		}
	}
	return nil
}
