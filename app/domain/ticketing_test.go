package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// daocheng is 稻城亚丁 as its bureau sets it up: 146 yuan April–November,
// 120 from December to March.
func daocheng() TicketSettings {
	return TicketSettings{
		Site: "yading", County: "513337", Enabled: true,
		Types: []TicketType{
			{Code: "adult", Name: Text{Zh: "成人票", En: "Adult"}, Fen: 14600},
			{Code: "child", Name: Text{Zh: "儿童票"}, Fen: 7300, AgeMin: 6, AgeMax: 17},
			{Code: "student", Name: Text{Zh: "学生票"}, Fen: 7300, Proof: Text{Zh: "查验学生证"}, ValidDays: 1},
		},
		Seasons:       []Season{{From: "12-01", To: "03-31", Name: Text{Zh: "淡季"}, Prices: map[string]int64{"adult": 12000, "child": 6000}}},
		Capacity:      CarryingCapacity{AreaM2: 2_408_100, PerPersonM2: 300, OpenHours: 11, StayHours: 5.5},
		Slots:         []Slot{{Code: "0700", Start: "07:00", End: "09:00", Limit: 5000}, {Code: "0900", Start: "09:00", End: "11:00", Limit: 5000}},
		WalkInPercent: 10, BookDays: 7, Payment: PayAtGate, ValidDays: 3, MaxVisitors: 5, CancelDaysAfter: 1, CancelAt: "17:00",
	}.WithDefaults()
}

func TestSeasonPriceFollowsTheVisitDate(t *testing.T) {
	c := daocheng()
	adult, _ := c.Type("adult")
	child, _ := c.Type("child")
	student, _ := c.Type("student")
	for _, tc := range []struct {
		date string
		typ  TicketType
		want int64
	}{
		{"2026-11-30", adult, 14600},
		{"2026-12-01", adult, 12000}, // the case the issue found charged 146
		{"2027-01-15", adult, 12000},
		{"2027-02-28", adult, 12000},
		{"2028-02-29", adult, 12000},
		{"2027-03-31", adult, 12000},
		{"2027-04-01", adult, 14600},
		{"2026-12-24", child, 6000},
		{"2026-12-24", student, 7300}, // the season does not price students: base price
	} {
		if got := c.PriceOn(tc.typ, tc.date); got != tc.want {
			t.Errorf("%s %s: %d fen, want %d", tc.typ.Code, tc.date, got, tc.want)
		}
	}
	if c.TypeValidDays(student) != 1 || c.TypeValidDays(adult) != 3 {
		t.Error("validity per type")
	}
}

func TestCarryingCapacityLBT034(t *testing.T) {
	k := CarryingCapacity{AreaM2: 2_408_100, PerPersonM2: 300, OpenHours: 11, StayHours: 5.5}
	if k.Instant() != 8027 || k.Daily() != 16054 {
		t.Fatalf("instant %d daily %d", k.Instant(), k.Daily())
	}
	// A stay longer than the day is one visit per person.
	if (CarryingCapacity{AreaM2: 1000, PerPersonM2: 10, OpenHours: 4, StayHours: 8}).Daily() != 100 {
		t.Fatal("turnover below 1")
	}
	if (CarryingCapacity{}).Daily() != 0 {
		t.Fatal("unknown figures")
	}
}

// Every refusal of the settings' validation, with the field and message
// key the console shows.
func TestTicketSettingsRefusals(t *testing.T) {
	if err := daocheng().Validate(); err != nil {
		t.Fatalf("valid settings refused: %v", err)
	}
	online := func(c *TicketSettings) {
		c.Payment, c.HoldMinutes = PayOnline, 15
		c.Checkout = Checkout{Provider: "unionpay", URL: "https://pay.example.cn/c?o={order}&a={amount}&s={sig}", Secret: "0123456789abcdef0123"}
	}
	cases := []struct {
		name, field, key string
		edit             func(c *TicketSettings)
	}{
		{"site", "site", "site", func(c *TicketSettings) { c.Site = "Ya Ding" }},
		{"county", "county", "county", func(c *TicketSettings) { c.County = "12" }},
		{"no types", "types", "types_none", func(c *TicketSettings) { c.Types = nil }},
		{"too many types", "types", "types_many", func(c *TicketSettings) {
			for len(c.Types) <= MaxTicketTypes {
				c.Types = append(c.Types, TicketType{Code: "t" + string(rune('a'+len(c.Types))), Name: Text{Zh: "票"}})
			}
		}},
		{"type code", "types.0.code", "type_code", func(c *TicketSettings) { c.Types[0].Code = "Adult!" }},
		{"type code twice", "types.1.code", "type_code_twice", func(c *TicketSettings) { c.Types[1].Code = "adult" }},
		{"type name", "types.0.name", "type_name", func(c *TicketSettings) { c.Types[0].Name = Text{En: "Adult"} }},
		{"negative price", "types.0.price", "price", func(c *TicketSettings) { c.Types[0].Fen = -1 }},
		{"price in a free site", "types.0.price", "price_free_mode", func(c *TicketSettings) { c.Payment = PayFree }},
		{"age", "types.1.age", "age", func(c *TicketSettings) { c.Types[1].AgeMin, c.Types[1].AgeMax = 18, 6 }},
		{"proof", "types.2.proof", "proof", func(c *TicketSettings) { c.Types[2].Proof = Text{Zh: "a\nb"} }},
		{"type validity", "types.0.valid_days", "valid_days", func(c *TicketSettings) { c.Types[0].ValidDays = 31 }},
		{"too many seasons", "seasons", "seasons_many", func(c *TicketSettings) {
			for len(c.Seasons) <= MaxSeasons {
				c.Seasons = append(c.Seasons, c.Seasons[0])
			}
		}},
		{"season dates", "seasons.0.from", "season_dates", func(c *TicketSettings) { c.Seasons[0].From = "02-30" }},
		{"season name", "seasons.0.name", "season_name", func(c *TicketSettings) { c.Seasons[0].Name = Text{Zh: strings.Repeat("长", 100)} }},
		{"season without prices", "seasons.0.prices", "season_prices", func(c *TicketSettings) { c.Seasons[0].Prices = nil }},
		{"season of an unknown type", "seasons.0.prices", "season_type", func(c *TicketSettings) { c.Seasons[0].Prices = map[string]int64{"vip": 1} }},
		{"season price", "seasons.0.prices", "price", func(c *TicketSettings) { c.Seasons[0].Prices = map[string]int64{"adult": -5} }},
		{"seasons overlap", "seasons.1.from", "season_overlap", func(c *TicketSettings) {
			c.Seasons = append(c.Seasons, Season{From: "03-01", To: "04-30", Prices: map[string]int64{"adult": 1}})
		}},
		{"area", "capacity.area", "capacity_area", func(c *TicketSettings) { c.Capacity.AreaM2 = 0 }},
		{"area per person", "capacity.per_person", "capacity_per_person", func(c *TicketSettings) { c.Capacity.PerPersonM2 = 0.1 }},
		{"opening hours", "capacity.open_hours", "capacity_hours", func(c *TicketSettings) { c.Capacity.OpenHours = 25 }},
		{"stay", "capacity.stay_hours", "capacity_stay", func(c *TicketSettings) { c.Capacity.StayHours = 0 }},
		{"too many slots", "slots", "slots_many", func(c *TicketSettings) {
			for len(c.Slots) <= MaxSlots {
				c.Slots = append(c.Slots, c.Slots[0])
			}
		}},
		{"daily limit", "daily_limit", "daily_limit", func(c *TicketSettings) { c.Slots, c.DailyLimit = nil, 0 }},
		{"daily limit over LB/T 034", "daily_limit", "over_daily_max", func(c *TicketSettings) { c.Slots, c.DailyLimit = nil, 16055 }},
		{"slot code", "slots.1.code", "slot_code", func(c *TicketSettings) { c.Slots[1].Code = "0700" }},
		{"slot times", "slots.0.start", "slot_times", func(c *TicketSettings) { c.Slots[0].End = "06:00" }},
		{"slot limit", "slots.0.limit", "slot_limit", func(c *TicketSettings) { c.Slots[0].Limit = 0 }},
		{"slots overlap", "slots.1.start", "slot_overlap", func(c *TicketSettings) { c.Slots[1].Start = "08:00" }},
		{"slots over LB/T 034", "slots", "over_daily_max", func(c *TicketSettings) { c.Slots[1].Limit = 11055 }},
		{"walk-in share", "walk_in_percent", "walk_in", func(c *TicketSettings) { c.WalkInPercent = 101 }},
		{"closed every day", "closed_weekdays", "closed_weekdays", func(c *TicketSettings) { c.ClosedWeekdays = []int{0, 1, 2, 3, 4, 5, 6} }},
		{"weekday", "closed_weekdays", "closed_weekdays", func(c *TicketSettings) { c.ClosedWeekdays = []int{7} }},
		{"too many closed dates", "closed_dates", "closed_dates_many", func(c *TicketSettings) { c.ClosedDates = make([]string, MaxClosedDates+1) }},
		{"closed date", "closed_dates", "date", func(c *TicketSettings) { c.ClosedDates = []string{"2026-13-01"} }},
		{"booking window", "book_days", "book_days", func(c *TicketSettings) { c.BookDays = 0 }},
		{"payment", "payment", "payment", func(c *TicketSettings) { c.Payment = "cash" }},
		{"online without provider", "payment", "online_no_provider", func(c *TicketSettings) { online(c); c.Checkout = Checkout{} }},
		{"hold", "hold_minutes", "hold_minutes", func(c *TicketSettings) { online(c); c.HoldMinutes = 1 }},
		{"validity", "valid_days", "valid_days", func(c *TicketSettings) { c.ValidDays = 0 }},
		{"visitors per booking", "max_visitors", "max_visitors", func(c *TicketSettings) { c.MaxVisitors = 21 }},
		{"cancel days", "cancel_days_after", "cancel_days", func(c *TicketSettings) { c.CancelDaysAfter = 31 }},
		{"cancel time", "cancel_at", "clock", func(c *TicketSettings) { c.CancelAt = "25:00" }},
		{"foreign concession rule", "foreign_concession", "foreign_concession", func(c *TicketSettings) { c.ForeignConcession = "maybe" }},
		{"per phone below a booking", "per_phone_day", "per_phone", func(c *TicketSettings) { c.PerPhoneDay = 4 }},
		{"per client below per phone", "per_client_day", "per_client", func(c *TicketSettings) { c.PerClientDay = 9 }},
		{"no-show time", "no_show_at", "clock", func(c *TicketSettings) {
			c.Slots, c.DailyLimit, c.NoShowRelease, c.NoShowAt = nil, 100, true, "noon"
		}},
		{"provider name", "checkout.provider", "provider", func(c *TicketSettings) { online(c); c.Checkout.Provider = "Union Pay" }},
		{"checkout over http", "checkout.url", "checkout_url", func(c *TicketSettings) {
			online(c)
			c.Checkout.URL = "http://pay.example.cn/c?o={order}&a={amount}&s={sig}"
		}},
		{"checkout without signature", "checkout.url", "checkout_url", func(c *TicketSettings) {
			online(c)
			c.Checkout.URL = "https://pay.example.cn/c?o={order}&a={amount}"
		}},
		{"too many closures", "closures", "closures_many", func(c *TicketSettings) {
			for len(c.Closures) <= MaxClosures {
				c.Closures = append(c.Closures, Closure{From: "2026-12-01", To: "2026-12-01", Reason: Text{Zh: "雪"}})
			}
		}},
		{"closure dates", "closures.0.from", "closure_dates", func(c *TicketSettings) {
			c.Closures = []Closure{{From: "2026-12-02", To: "2026-12-01", Reason: Text{Zh: "雪"}}}
		}},
		{"closure reason", "closures.0.reason", "closure_reason", func(c *TicketSettings) {
			c.Closures = []Closure{{From: "2026-12-01", To: "2026-12-01", Reason: Text{En: "snow"}}}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := daocheng()
			tc.edit(&c)
			err := c.Validate()
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("accepted: %v", err)
			}
			if ve.Field != tc.field || ve.Key != "ticketsettings.error."+tc.key {
				t.Fatalf("got %s %s, want %s ticketsettings.error.%s", ve.Field, ve.Key, tc.field, tc.key)
			}
		})
	}
	// Switched off with no types: only closures, which still validate.
	off := TicketSettings{Site: "tagong", County: "513326", Closures: []Closure{{From: "2026-12-01", To: "2026-12-03", Reason: Text{Zh: "大雪封路"}}}}
	if err := off.Validate(); err != nil {
		t.Fatalf("closure-only settings: %v", err)
	}
}

func TestClosuresAndClosedDays(t *testing.T) {
	c := daocheng()
	c.ClosedWeekdays = []int{1} // Mondays
	c.ClosedDates = []string{"2026-12-25"}
	c.Closures = []Closure{{From: "2026-12-10", To: "2026-12-12", Reason: Text{Zh: "大雪", En: "Heavy snow"}}}
	if !c.ClosedOn("2026-11-30") || !c.ClosedOn("2026-12-25") || c.ClosedOn("2026-12-01") {
		t.Fatal("closed days")
	}
	if cl, ok := c.ClosureOn("2026-12-12"); !ok || cl.Reason[En] != "Heavy snow" {
		t.Fatal("closure")
	}
	if _, ok := c.ClosureOn("2026-12-13"); ok {
		t.Fatal("closure past its end")
	}
	c.NoShowRelease = true
	if got := c.NoShowTime("2026-12-01", "0900"); !got.Equal(time.Date(2026, 12, 1, 11, 0, 0, 0, ChinaTime)) {
		t.Fatalf("no-show at the end of the slot: %v", got)
	}
}
