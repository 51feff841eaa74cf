package domain

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTextFallback(t *testing.T) {
	full := Text{Zh: "中", En: "en", Bo: "བོད"}
	zhOnly := Text{Zh: "中"}
	enOnly := Text{En: "en"}
	cases := []struct {
		t        Text
		lang     Lang
		want     string
		wantLang Lang
	}{
		{full, Bo, "བོད", Bo},
		{zhOnly, Bo, "中", Zh},
		{zhOnly, En, "中", Zh},
		{enOnly, Bo, "en", En},
		{enOnly, Zh, "en", En},
		{Text{Zh: "中", En: "en"}, Bo, "中", Zh},
		{Text{Bo: "བོད", En: "en"}, Zh, "en", En},
		{nil, Zh, "", ""},
	}
	for _, tc := range cases {
		got, used := tc.t.Get(tc.lang)
		if got != tc.want || used != tc.wantLang {
			t.Errorf("%v.Get(%s) = %q,%s; want %q,%s", tc.t, tc.lang, got, used, tc.want, tc.wantLang)
		}
	}
	if m := zhOnly.Missing(); len(m) != 2 || m[0] != En || m[1] != Bo {
		t.Errorf("Missing = %v", m)
	}
}

func TestCodes(t *testing.T) {
	for _, c := range []string{"HGK2EN", "2345", strings.Repeat("Z", 32)} {
		if !ValidCode(c) {
			t.Errorf("%q should be valid", c)
		}
	}
	for _, c := range []string{"", "ABC", "HLG2EN", "HGK0EN", "hgk2en", "HGK 2E", strings.Repeat("Z", 33), "ÄÖÜ123"} {
		if ValidCode(c) {
			t.Errorf("%q should be invalid", c)
		}
	}
	if NormalizeCode("hgk2en") != "HGK2EN" {
		t.Error("NormalizeCode")
	}
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		c := NewCode()
		if !ValidCode(c) || len(c) != CodeLen {
			t.Fatalf("NewCode gave %q", c)
		}
		seen[c] = true
	}
	if len(seen) < 990 {
		t.Errorf("NewCode repeats: %d distinct of 1000", len(seen))
	}
}

func TestSiteValidate(t *testing.T) {
	ok := Site{Key: "yading", County: "513337", Name: Text{Zh: "稻城亚丁"}, AltitudeMin: 2900, AltitudeMax: 6032,
		Location: &LatLon{Lat: 28.37, Lon: 100.22}, Prices: []Price{{Fen: 0}}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid site: %v", err)
	}
	bad := map[string]func(s *Site){
		"key":            func(s *Site) { s.Key = "Ya Ding" },
		"key dashes":     func(s *Site) { s.Key = "-yading" },
		"county":         func(s *Site) { s.County = "5133" },
		"name":           func(s *Site) { s.Name = Text{En: "Yading"} },
		"altitude order": func(s *Site) { s.AltitudeMin, s.AltitudeMax = 5000, 4000 },
		"lone minimum":   func(s *Site) { s.AltitudeMin, s.AltitudeMax = 3000, 0 },
		"altitude high":  func(s *Site) { s.AltitudeMax = 9001 },
		"negative":       func(s *Site) { s.AltitudeMin = -1 },
		"lat":            func(s *Site) { s.Location = &LatLon{Lat: 91, Lon: 0} },
		"nan":            func(s *Site) { s.Location = &LatLon{Lat: math.NaN(), Lon: 100} },
		"price":          func(s *Site) { s.Prices = []Price{{Fen: -100}} },
		"language":       func(s *Site) { s.Summary = Text{"fr": "bonjour"} },
	}
	for name, mutate := range bad {
		s := ok
		mutate(&s)
		err := s.Validate()
		var verr *ValidationError
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &verr) || verr.Key == "" {
			t.Errorf("%s: want a ValidationError, got %v", name, err)
		}
	}
}

func TestAltitudeLevel(t *testing.T) {
	cases := []struct{ min, max, want int }{
		{0, 0, 0}, {2560, 2560, 0}, {3000, 3000, 0}, {2850, 3400, 1}, {4014, 4014, 2}, {2900, 6032, 2}, {4000, 4000, 1},
	}
	for _, tc := range cases {
		if got := (Site{AltitudeMin: tc.min, AltitudeMax: tc.max}).AltitudeLevel(); got != tc.want {
			t.Errorf("%d-%d m: level %d, want %d", tc.min, tc.max, got, tc.want)
		}
	}
}

func TestEventDayInChinaTime(t *testing.T) {
	// 17:30 UTC is 01:30 the next day in China.
	e := NewEvent(EventScan, time.Date(2026, 11, 29, 17, 30, 0, 0, time.UTC))
	if e.Day != "2026-11-30" || e.Hour != 1 || len(e.ID) != 32 {
		t.Fatalf("event %+v", e)
	}
	if a, b := NewEventID(), NewEventID(); a == b {
		t.Fatal("event ids repeat")
	}
}

func TestUserRules(t *testing.T) {
	editor := User{Username: "zhuoma", Role: RoleEditor, Counties: []string{"513334"}}
	if err := editor.Validate(); err != nil {
		t.Fatal(err)
	}
	if !editor.CanAccessCounty("513334") || editor.CanAccessCounty("513337") {
		t.Error("editor scoping")
	}
	if !(User{Role: RoleAdmin}).CanAccessCounty("513337") {
		t.Error("admin is not scoped")
	}
	for _, u := range []User{
		{Username: "Z", Role: RoleEditor, Counties: []string{"513334"}},
		{Username: "zhuoma", Role: "king", Counties: []string{"513334"}},
		{Username: "zhuoma", Role: RoleGate},
		{Username: "zhuoma", Role: RoleGate, Counties: []string{"x"}},
	} {
		if err := u.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: want invalid, got %v", u, err)
		}
	}
}

func TestSignValidate(t *testing.T) {
	ok := Sign{Code: "HGK2EN", Site: "hailuogou", County: "513322", Installed: "2026-05-01"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]Sign{
		"code":      {Code: "bad", Site: "hailuogou", County: "513322"},
		"site":      {Code: "HGK2EN", Site: "", County: "513322"},
		"county":    {Code: "HGK2EN", Site: "hailuogou", County: "1"},
		"installed": {Code: "HGK2EN", Site: "hailuogou", County: "513322", Installed: "May 1"},
		"label":     {Code: "HGK2EN", Site: "hailuogou", County: "513322", Label: strings.Repeat("x", 201)},
	} {
		if err := s.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: want invalid, got %v", name, err)
		}
	}
}

func TestSiteProblems(t *testing.T) {
	ok := Site{Key: "a", County: "513322", Name: Text{Zh: "甲"}, ALevel: "5A", ALevelSince: "2020-01"}
	if p := ok.Problems(); len(p) != 0 {
		t.Fatalf("a good site: %v", p[0])
	}
	bad := ok
	bad.ALevel, bad.ALevelSince = "9Z", "2020-13"
	bad.Hours = Text{En: "9\n17"}
	bad.Prices = []Price{{Fen: MaxPriceFen + 1}}
	fields := map[string]bool{}
	for _, p := range bad.Problems() {
		fields[p.Field] = true
	}
	for _, f := range []string{"a_level", "a_level_since", "hours.en", "prices"} {
		if !fields[f] {
			t.Errorf("no problem for %s: %v", f, fields)
		}
	}
}

func TestSetLanguages(t *testing.T) {
	t.Cleanup(ResetLanguages)
	ug := Lang("ug")
	if err := SetLanguages([]Language{{Code: Zh}, {Code: En}, {Code: ug, RTL: true, Prefer: []Lang{En, "xx"}}}); err != nil {
		t.Fatal(err)
	}
	if got := ug.Fallback(); !slices.Equal(got, []Lang{ug, En, Zh}) {
		t.Fatalf("ug fallback %v: want itself, its preferred offered ones, then the order", got)
	}
	if got := Zh.Fallback(); !slices.Equal(got, []Lang{Zh, En, ug}) {
		t.Fatalf("zh fallback %v", got)
	}
	if Bo.Valid() || !ug.Valid() || ug.Info().Dir() != "rtl" || Bo.Info().Autonym != "bo" {
		t.Fatal("Valid or Info do not follow SetLanguages")
	}
	if m := (Text{Zh: "x"}).Missing(); !slices.Equal(m, []Lang{En, ug}) {
		t.Fatalf("Missing %v", m)
	}
	for _, bad := range [][]Language{{{Code: En}}, {{Code: Zh}, {Code: Zh}}, {{Code: Zh}, {Code: "Not a code"}}, nil} {
		if err := SetLanguages(bad); err == nil {
			t.Errorf("SetLanguages(%v) accepted", bad)
		}
	}
	ResetLanguages()
	if got := Languages(); !slices.Equal(got, []Lang{Zh, En, Bo}) || DefaultLang() != Zh || Zh.Info().HTMLTag() != "zh-Hans" {
		t.Fatalf("reset: %v", got)
	}
}
