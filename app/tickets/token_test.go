package tickets

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
)

func testKey(seed byte) ed25519.PrivateKey {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	return ed25519.NewKeyFromSeed(s)
}

var sampleClaims = Claims{KeyID: "1", TicketID: "K7Q2M9XW3D-1", Site: "yading", Date: "2026-12-01", Slot: "0900",
	Days: 3, Type: "adult", IDFirst: "513", IDLast: "1238"}

func TestTokenRoundTrip(t *testing.T) {
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	ring := Keyring{Public: map[string]ed25519.PublicKey{"1": pub, "12": pub}}
	for _, c := range []Claims{sampleClaims,
		{KeyID: "12", TicketID: "0000000000-20", Site: "luding-bridge", Date: "2026-01-31", Days: 1, Type: "child-free", IDLast: "5678"},
		{KeyID: "1", TicketID: "K7Q2M9XW3D-2", Site: "hailuogou", Date: "2026-12-01", Days: 1, Type: "adult", IDLast: "1238", DueFen: 27000}} {
		tok, err := Sign(c, key)
		if err != nil {
			t.Fatal(err)
		}
		if len(tok) > 160 || strings.ContainsAny(tok, " |*+/=") {
			t.Errorf("token %q: too long or has characters a scanner may garble", tok)
		}
		got, err := ring.Verify(tok)
		if err != nil || got != c {
			t.Fatalf("Verify(%q) = %+v, %v; want %+v", tok, got, err, c)
		}
	}
}

func TestTokenRefusals(t *testing.T) {
	key, other := testKey(1), testKey(2)
	ring := Keyring{Public: map[string]ed25519.PublicKey{"1": key.Public().(ed25519.PublicKey)}}
	tok, _ := Sign(sampleClaims, key)
	forged, _ := Sign(sampleClaims, other)
	c2 := sampleClaims
	c2.KeyID = "2"
	unknown, _ := Sign(c2, other)
	tampered := strings.Replace(tok, "yading", "yadinh", 1)
	longer := strings.Replace(tok, ".3.", ".30.", 1)
	unpaid := sampleClaims
	unpaid.DueFen = 27000
	due, _ := Sign(unpaid, key)
	cases := map[string]error{
		forged:                                 ErrTokenSignature,
		tampered:                               ErrTokenSignature,
		longer:                                 ErrTokenSignature,
		unknown:                                ErrTokenUnknownKey,
		"":                                     ErrTokenFormat,
		"hello":                                ErrTokenFormat,
		tok + "x":                              ErrTokenFormat,
		tok[:len(tok)-2]:                       ErrTokenFormat,
		"Y2" + tok[2:]:                         ErrTokenFormat,
		strings.Replace(tok, ".3.", ".03.", 1): ErrTokenFormat, // one code, one meaning
		strings.Replace(tok, "20261201", "20261301", 1): ErrTokenFormat,
		strings.Repeat("A", MaxTokenLen+1):              ErrTokenFormat,
		// An unpaid ticket's amount has one spelling, and only Y2 has one.
		strings.Replace(due, ".27000.", ".027000.", 1): ErrTokenFormat,
		strings.Replace(due, ".27000.", ".0.", 1):      ErrTokenFormat,
		strings.Replace(due, ".27000.", ".-5.", 1):     ErrTokenFormat,
		"Y1" + due[2:]: ErrTokenFormat,
		"Y2" + tok[2:]: ErrTokenFormat,
		strings.Replace(due, ".27000.", ".1.", 1): ErrTokenSignature,
	}
	for in, want := range cases {
		if _, err := ring.Verify(in); !errors.Is(err, want) {
			t.Errorf("Verify(%.60q) = %v, want %v", in, err, want)
		}
	}
	if _, err := Sign(Claims{KeyID: "1", TicketID: "bad", Site: "yading", Date: "2026-12-01", Days: 1, Type: "adult", IDLast: "1234"}, key); !errors.Is(err, ErrTokenFormat) {
		t.Errorf("Sign with a bad ticket id: %v", err)
	}
}

func TestClaimsValidOn(t *testing.T) {
	c := sampleClaims // 2026-12-01 for 3 days
	for day, want := range map[string]bool{"2026-11-30": false, "2026-12-01": true, "2026-12-03": true, "2026-12-04": false} {
		if c.ValidOn(day) != want {
			t.Errorf("ValidOn(%s) = %v", day, !want)
		}
	}
	if c.LastDay() != "2026-12-03" {
		t.Errorf("LastDay %s", c.LastDay())
	}
}

// The parser never panics; whatever verifies was signed by the key and
// re-signs to the very same code.
func FuzzVerifyToken(f *testing.F) {
	key := testKey(1)
	ring := Keyring{Public: map[string]ed25519.PublicKey{"1": key.Public().(ed25519.PublicKey)}}
	tok, _ := Sign(sampleClaims, key)
	f.Add(tok)
	f.Add(strings.Replace(tok, "0900", "-", 1))
	f.Add("Y1.1.K7Q2M9XW3D-1.yading.20261201.-.1.adult.-.1234.AAAA")
	f.Add("Y1..........")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ring.Verify(in)
		if _, _, _, perr := ParseToken(in); perr == nil {
			// Whatever parses must encode back to its own payload.
			if _, err := c.payload(); err != nil && err != ErrTokenFormat {
				t.Fatal(err)
			}
		}
		if err != nil {
			return
		}
		again, err := Sign(c, key)
		if err != nil || again != strings.TrimSpace(in) {
			t.Fatalf("verified %q but re-signs to %q (%v)", in, again, err)
		}
	})
}
