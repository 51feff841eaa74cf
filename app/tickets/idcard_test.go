package tickets

import (
	"errors"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/yimayou/yimayou/app/domain"
)

var idNow = time.Date(2026, 12, 1, 10, 0, 0, 0, domain.ChinaTime)

func TestParseIDAccepts(t *testing.T) {
	cases := []struct {
		typ       IDType
		in, want  string
		masked    string
		birthYear int
	}{
		{IDResident, "11010519491231002X", "11010519491231002X", "110***********002X", 1949},
		{IDResident, "11010519491231002x", "11010519491231002X", "110***********002X", 1949},
		{IDResident, " 513337 19900307 1238 ", "513337199003071238", "513***********1238", 1990},
		{IDResident, "５１３３２２２０１５０６０１００４５", "513322201506010045", "513***********0045", 2015},
		{IDResident, "810000198001010014", "810000198001010014", "810***********0014", 1980},
		{IDResident, "933000198506120016", "933000198506120016", "933***********0016", 1985},
		{IDPassport, "e12345678", "E12345678", "*****5678", 0},
		{IDPassport, "AB1234567890", "AB1234567890", "AB1*****7890", 0},
		{IDHKMacau, "H12345678", "H12345678", "*****5678", 0},
		{IDHKMacau, "m1234567890", "M1234567890", "*******7890", 0},
		{IDTaiwan, "12345678", "12345678", "****5678", 0},
	}
	for _, tc := range cases {
		id, err := ParseID(tc.typ, tc.in, idNow)
		if err != nil {
			t.Errorf("ParseID(%s, %q): %v", tc.typ, tc.in, err)
			continue
		}
		if id.Number != tc.want || id.Masked() != tc.masked {
			t.Errorf("ParseID(%s, %q) = %q masked %q, want %q %q", tc.typ, tc.in, id.Number, id.Masked(), tc.want, tc.masked)
		}
		if tc.birthYear != 0 && id.Birth.Year() != tc.birthYear {
			t.Errorf("%q: birth %v", tc.in, id.Birth)
		}
	}
}

func TestParseIDRefuses(t *testing.T) {
	cases := []struct {
		typ IDType
		in  string
		key string
	}{
		{IDResident, "", "tickets.error.id_required"},
		{IDResident, "110105194912310021", "tickets.error.id_checksum"},
		{IDResident, "11010519491231002", "tickets.error.id_format"},
		{IDResident, "1101051949123100211", "tickets.error.id_format"},
		{IDResident, "11010519491231X02X", "tickets.error.id_format"},
		{IDResident, "990105194912310025", "tickets.error.id_region"}, // no province 99
		{IDResident, "510000199003071234", "tickets.error.id_region"}, // a province alone
		{IDResident, "810105198001010014", "tickets.error.id_region"}, // permits are 810000
		{IDResident, "513337199002301234", "tickets.error.id_birth"},  // 30 February
		{IDResident, "513337203001011234", "tickets.error.id_birth"},  // born in the future
		{IDResident, "513337180001011234", "tickets.error.id_birth"},  // too old
		{IDPassport, "1234", "tickets.error.id_format"},
		{IDPassport, "ABCDEFGH", "tickets.error.id_format"}, // no digit
		{IDPassport, "E1234567*", "tickets.error.id_format"},
		{IDHKMacau, "A12345678", "tickets.error.id_format"},
		{IDHKMacau, "H1234567", "tickets.error.id_format"},
		{IDTaiwan, "1234567", "tickets.error.id_format"},
		{IDTaiwan, "1234567A", "tickets.error.id_format"},
		{IDType("driving"), "12345678", "tickets.error.id_type"},
		{IDResident, "11010519491231002X\u00e9", "tickets.error.id_format"},
	}
	for _, tc := range cases {
		_, err := ParseID(tc.typ, tc.in, idNow)
		var ve *domain.ValidationError
		if !errors.As(err, &ve) || ve.Key != tc.key {
			t.Errorf("ParseID(%s, %q) = %v, want %s", tc.typ, tc.in, err, tc.key)
		}
	}
}

func TestGBCheckChar(t *testing.T) {
	// Every check character is reachable, X included.
	seen := map[byte]bool{}
	base := []byte("51333719900307123")
	for d := byte('0'); d <= '9'; d++ {
		for e := byte('0'); e <= '9'; e++ {
			base[15], base[16] = d, e
			seen[GBCheckChar(string(base))] = true
		}
	}
	if len(seen) != 11 {
		t.Fatalf("check characters seen: %d", len(seen))
	}
}

func TestAgeOn(t *testing.T) {
	id, err := ParseID(IDResident, "513337199003071238", idNow)
	if err != nil {
		t.Fatal(err)
	}
	for date, want := range map[string]int{"2026-03-06": 35, "2026-03-07": 36, "2026-12-01": 36, "1990-03-07": 0} {
		if got := id.AgeOn(date); got != want {
			t.Errorf("AgeOn(%s) = %d, want %d", date, got, want)
		}
	}
	if (ID{Type: IDPassport, Number: "E12345678"}).AgeOn("2026-01-01") != -1 {
		t.Error("a passport has no age")
	}
}

func TestHashIDKeyed(t *testing.T) {
	id, _ := ParseID(IDResident, "11010519491231002X", idNow)
	a, b := HashID([]byte("key one"), id), HashID([]byte("key two"), id)
	if a == b || len(a) != 40 || a != HashID([]byte("key one"), id) {
		t.Fatalf("hashes %s %s", a, b)
	}
	other := ID{Type: IDPassport, Number: id.Number}
	if HashID([]byte("key one"), other) == a {
		t.Fatal("the document type is not part of the hash")
	}
}

// The validator never panics, and whatever it accepts is normalised,
// masked to the last 4, and accepted again unchanged.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "513337199003071238", "E12345678", "H12345678", "12345678",
		"８１００００１９８００１０１００１４", "", "x", "0000000000000000000000000", "\xff\xfe", "51333719900230123X"} {
		for _, typ := range IDTypes {
			f.Add(string(typ), s)
		}
	}
	f.Fuzz(func(t *testing.T, typ, raw string) {
		id, err := ParseID(IDType(typ), raw, idNow)
		if err != nil {
			var ve *domain.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error is not a ValidationError: %v", err)
			}
			return
		}
		if !utf8.ValidString(id.Number) || len(id.Number) < 5 || len(id.Number) > 18 {
			t.Fatalf("accepted %q", id.Number)
		}
		m := id.Masked()
		if len(m) != len(id.Number) || m[len(m)-4:] != id.Number[len(id.Number)-4:] {
			t.Fatalf("masked %q of %q", m, id.Number)
		}
		again, err := ParseID(id.Type, id.Number, idNow)
		if err != nil || again.Number != id.Number {
			t.Fatalf("normalised %q not accepted again: %v", id.Number, err)
		}
	})
}
