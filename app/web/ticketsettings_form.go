package web

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/yimayou/yimayou/app/domain"
)

// The ticket settings form is flat: every input is named by the path of
// the setting it holds ("types.0.price", "seasons.1.price.adult"), the
// same path the domain's validation names in its errors, so an error
// lands next to its input. Values are kept as typed, so a refused form
// comes back exactly as it was sent.

const (
	emptyTypeRows   = 2
	emptySeasonRows = 1
	emptySlotRows   = 2
)

// tsValues are the form's inputs by name.
type tsValues map[string]string

func (v tsValues) get(name string) string { return strings.TrimSpace(v[name]) }

// yuanText shows fen as yuan in an input: 14600 → "146", 1550 → "15.5".
func yuanText(fen int64) string {
	return strconv.FormatFloat(float64(fen)/100, 'f', -1, 64)
}

func floatText(f float64) string {
	if f == 0 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func intText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// settingsValues fills the form from settings.
func settingsValues(c domain.TicketSettings) tsValues {
	v := tsValues{}
	if c.Enabled {
		v["enabled"] = "1"
	}
	for i, t := range c.Types {
		p := "types." + strconv.Itoa(i) + "."
		v[p+"code"], v[p+"price"] = t.Code, yuanText(t.Fen)
		v[p+"age_min"], v[p+"age_max"], v[p+"valid_days"] = intText(t.AgeMin), intText(t.AgeMax), intText(t.ValidDays)
		for _, l := range domain.Languages() {
			v[p+"name."+string(l)], v[p+"proof."+string(l)] = t.Name[l], t.Proof[l]
		}
	}
	for i, s := range c.Seasons {
		p := "seasons." + strconv.Itoa(i) + "."
		v[p+"from"], v[p+"to"] = s.From, s.To
		for _, l := range domain.Languages() {
			v[p+"name."+string(l)] = s.Name[l]
		}
		for code, fen := range s.Prices {
			v[p+"price."+code] = yuanText(fen)
		}
	}
	v["capacity.area"], v["capacity.per_person"] = floatText(c.Capacity.AreaM2), floatText(c.Capacity.PerPersonM2)
	v["capacity.open_hours"], v["capacity.stay_hours"] = floatText(c.Capacity.OpenHours), floatText(c.Capacity.StayHours)
	v["daily_limit"] = intText(c.DailyLimit)
	for i, s := range c.Slots {
		p := "slots." + strconv.Itoa(i) + "."
		v[p+"start"], v[p+"end"], v[p+"limit"] = s.Start, s.End, strconv.Itoa(s.Limit)
	}
	v["walk_in_percent"] = strconv.Itoa(c.WalkInPercent)
	for _, w := range c.ClosedWeekdays {
		v["closed_weekdays."+strconv.Itoa(w)] = "1"
	}
	v["closed_dates"] = strings.Join(c.ClosedDates, "\n")
	v["book_days"], v["hold_minutes"] = intText(c.BookDays), intText(c.HoldMinutes)
	v["payment"], v["checkout.provider"], v["checkout.url"] = string(c.Payment), c.Checkout.Provider, c.Checkout.URL
	v["valid_days"], v["max_visitors"] = intText(c.ValidDays), intText(c.MaxVisitors)
	v["cancel_days_after"], v["cancel_at"] = strconv.Itoa(c.CancelDaysAfter), c.CancelAt
	v["foreign_concession"] = string(c.ForeignConcession)
	v["per_phone_day"], v["per_client_day"] = intText(c.PerPhoneDay), intText(c.PerClientDay)
	if c.NoShowRelease {
		v["no_show_release"] = "1"
	}
	v["no_show_at"] = c.NoShowAt
	return v
}

// newSiteSettings are the suggestions a site's form starts from: adult,
// child and student types, pay at the gate, the national walk-in share.
func newSiteSettings(site domain.Site) domain.TicketSettings {
	return domain.TicketSettings{Site: site.Key, County: site.County,
		Types: []domain.TicketType{
			{Code: "adult", Name: domain.Text{domain.Zh: "成人票", domain.En: "Adult", domain.Bo: "ན་ཚོད་སྨིན་པའི་འཛུལ་འཇུག་ལག་འཁྱེར།"}},
		},
		WalkInPercent: 10, BookDays: 7, Payment: domain.PayAtGate, HoldMinutes: 15, ValidDays: 1, MaxVisitors: 5,
		CancelAt: "17:00", NoShowRelease: true}.WithDefaults()
}

// parseSettings reads the form into settings for site; a number that is
// not one is refused with the input's name. The checkout secret is not
// part of the form's values: an empty input keeps the stored one.
func parseSettings(v tsValues, base domain.TicketSettings) (domain.TicketSettings, error) {
	c := domain.TicketSettings{Site: base.Site, County: base.County, Enabled: v.get("enabled") != "",
		Closures: base.Closures, Checkout: domain.Checkout{Provider: v.get("checkout.provider"), URL: v.get("checkout.url"), Secret: base.Checkout.Secret}}
	var bad error
	num := func(name string, into *int) {
		s := v.get(name)
		if s == "" || bad != nil {
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			bad = &domain.ValidationError{Field: name, Key: "ticketsettings.error.number"}
		}
		*into = n
	}
	float := func(name string, into *float64) {
		s := v.get(name)
		if s == "" || bad != nil {
			return
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			bad = &domain.ValidationError{Field: name, Key: "ticketsettings.error.number"}
		}
		*into = f
	}
	money := func(name string) int64 {
		s := v.get(name)
		if bad != nil {
			return 0
		}
		fen, ok := parseYuan(s)
		if !ok {
			bad = &domain.ValidationError{Field: name, Key: "ticketsettings.error.yuan"}
		}
		return fen
	}
	text := func(prefix string) domain.Text {
		t := domain.Text{}
		for _, l := range domain.Languages() {
			if s := v.get(prefix + string(l)); s != "" {
				t[l] = s
			}
		}
		return t
	}
	for i := 0; i < domain.MaxTicketTypes+emptyTypeRows; i++ {
		p := "types." + strconv.Itoa(i) + "."
		code := v.get(p + "code")
		if code == "" && v.get(p+"name.zh") == "" && v.get(p+"price") == "" {
			continue // an empty row
		}
		t := domain.TicketType{Code: code, Name: text(p + "name."), Fen: money(p + "price"), Proof: text(p + "proof.")}
		num(p+"age_min", &t.AgeMin)
		num(p+"age_max", &t.AgeMax)
		num(p+"valid_days", &t.ValidDays)
		c.Types = append(c.Types, t)
	}
	for i := 0; i < domain.MaxSeasons+emptySeasonRows; i++ {
		p := "seasons." + strconv.Itoa(i) + "."
		if v.get(p+"from") == "" && v.get(p+"to") == "" {
			continue
		}
		s := domain.Season{From: v.get(p + "from"), To: v.get(p + "to"), Name: text(p + "name."), Prices: map[string]int64{}}
		for _, t := range c.Types {
			if v.get(p+"price."+t.Code) != "" {
				s.Prices[t.Code] = money(p + "price." + t.Code)
			}
		}
		c.Seasons = append(c.Seasons, s)
	}
	float("capacity.area", &c.Capacity.AreaM2)
	float("capacity.per_person", &c.Capacity.PerPersonM2)
	float("capacity.open_hours", &c.Capacity.OpenHours)
	float("capacity.stay_hours", &c.Capacity.StayHours)
	num("daily_limit", &c.DailyLimit)
	for i := 0; i < domain.MaxSlots+emptySlotRows; i++ {
		p := "slots." + strconv.Itoa(i) + "."
		if v.get(p+"start") == "" && v.get(p+"end") == "" && v.get(p+"limit") == "" {
			continue
		}
		s := domain.Slot{Start: v.get(p + "start"), End: v.get(p + "end")}
		s.Code = strings.Replace(s.Start, ":", "", 1)
		num(p+"limit", &s.Limit)
		c.Slots = append(c.Slots, s)
	}
	if len(c.Slots) > 0 {
		c.DailyLimit = 0 // the slots' limits are the day's
	}
	num("walk_in_percent", &c.WalkInPercent)
	for w := 0; w < 7; w++ {
		if v.get("closed_weekdays."+strconv.Itoa(w)) != "" {
			c.ClosedWeekdays = append(c.ClosedWeekdays, w)
		}
	}
	for _, d := range strings.Fields(strings.ReplaceAll(v.get("closed_dates"), ",", " ")) {
		if !slices.Contains(c.ClosedDates, d) {
			c.ClosedDates = append(c.ClosedDates, d)
		}
	}
	slices.Sort(c.ClosedDates)
	num("book_days", &c.BookDays)
	num("hold_minutes", &c.HoldMinutes)
	c.Payment = domain.PaymentMode(v.get("payment"))
	num("valid_days", &c.ValidDays)
	num("max_visitors", &c.MaxVisitors)
	num("cancel_days_after", &c.CancelDaysAfter)
	c.CancelAt = v.get("cancel_at")
	c.ForeignConcession = domain.ForeignConcession(v.get("foreign_concession"))
	num("per_phone_day", &c.PerPhoneDay)
	num("per_client_day", &c.PerClientDay)
	c.NoShowRelease = v.get("no_show_release") != ""
	c.NoShowAt = v.get("no_show_at")
	if bad != nil {
		return c, bad
	}
	return c.WithDefaults(), nil
}

// flatSettings are the settings as named values, for the audit log's
// before and after.
func flatSettings(c domain.TicketSettings) []domain.FieldChange {
	v := settingsValues(c)
	if c.Checkout.Secret != "" {
		v["checkout.secret"] = "(set)" // never the secret itself
	}
	for i, cl := range c.Closures {
		p := "closures." + strconv.Itoa(i) + "."
		v[p+"dates"] = cl.From + " – " + cl.To
		for _, l := range domain.Languages() {
			v[p+"reason."+string(l)] = cl.Reason[l]
		}
	}
	names := make([]string, 0, len(v))
	for k := range v {
		names = append(names, k)
	}
	slices.Sort(names)
	out := make([]domain.FieldChange, 0, len(names))
	for _, k := range names {
		out = append(out, domain.FieldChange{Field: k, After: v[k]})
	}
	return out
}

// settingsChanges lists what differs between two states of the settings.
func settingsChanges(before, after domain.TicketSettings) []domain.FieldChange {
	b := map[string]string{}
	for _, f := range flatSettings(before) {
		b[f.Field] = f.After
	}
	var out []domain.FieldChange
	seen := map[string]bool{}
	for _, f := range flatSettings(after) {
		seen[f.Field] = true
		if b[f.Field] != f.After {
			out = append(out, domain.FieldChange{Field: f.Field, Before: b[f.Field], After: f.After})
		}
	}
	for k, old := range b {
		if !seen[k] && old != "" {
			out = append(out, domain.FieldChange{Field: k, Before: old})
		}
	}
	slices.SortFunc(out, func(x, y domain.FieldChange) int { return strings.Compare(x.Field, y.Field) })
	return out
}
