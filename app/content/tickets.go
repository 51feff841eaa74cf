package content

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/yimayou/yimayou/app/domain"
)

// A site's ticket settings travel as sites/<key>/tickets.yaml (see
// content/FORMAT.md), checked by the same validation as the console. The
// online payment provider's secret never goes into a pack: an import keeps
// the one the database holds.

const ticketsFile = "tickets.yaml"

func ticketsYAMLPath(key string) string { return path.Join(sitesDir, key, ticketsFile) }

type ticketTypeYAML struct {
	Code      string   `yaml:"code"`
	Name      textYAML `yaml:"name"`
	Fen       int64    `yaml:"fen"`
	AgeMin    int      `yaml:"age_min,omitempty"`
	AgeMax    int      `yaml:"age_max,omitempty"`
	Proof     textYAML `yaml:"proof,omitempty"`
	ValidDays int      `yaml:"valid_days,omitempty"`
}

type seasonYAML struct {
	From string           `yaml:"from"`
	To   string           `yaml:"to"`
	Name textYAML         `yaml:"name,omitempty"`
	Fen  map[string]int64 `yaml:"fen"`
}

type capacityYAML struct {
	AreaM2      plainFloat `yaml:"area_m2,omitempty"`
	PerPersonM2 plainFloat `yaml:"per_person_m2,omitempty"`
	OpenHours   plainFloat `yaml:"open_hours,omitempty"`
	StayHours   plainFloat `yaml:"stay_hours,omitempty"`
}

// plainFloat is written as a person types it (2408100, 5.5), never in
// exponent form.
type plainFloat float64

func (f plainFloat) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Value: strconv.FormatFloat(float64(f), 'f', -1, 64)}, nil
}

type slotYAML struct {
	Start string `yaml:"start"`
	End   string `yaml:"end"`
	Limit int    `yaml:"limit"`
}

type cancelYAML struct {
	DaysAfter int    `yaml:"days_after"`
	At        string `yaml:"at"`
}

type checkoutYAML struct {
	Provider string `yaml:"provider,omitempty"`
	URL      string `yaml:"url,omitempty"`
}

type noShowYAML struct {
	Release bool   `yaml:"release"`
	At      string `yaml:"at,omitempty"`
}

type closureYAML struct {
	From   string   `yaml:"from"`
	To     string   `yaml:"to"`
	Reason textYAML `yaml:"reason"`
}

type ticketsYAMLDoc struct {
	Enabled           bool             `yaml:"enabled"`
	Payment           string           `yaml:"payment,omitempty"`
	Checkout          *checkoutYAML    `yaml:"checkout,omitempty"`
	HoldMinutes       int              `yaml:"hold_minutes,omitempty"`
	Types             []ticketTypeYAML `yaml:"types,omitempty"`
	Seasons           []seasonYAML     `yaml:"seasons,omitempty"`
	Capacity          *capacityYAML    `yaml:"capacity,omitempty"`
	DailyLimit        int              `yaml:"daily_limit,omitempty"`
	Slots             []slotYAML       `yaml:"slots,omitempty"`
	WalkInPercent     int              `yaml:"walk_in_percent,omitempty"`
	ClosedWeekdays    []int            `yaml:"closed_weekdays,omitempty,flow"`
	ClosedDates       []string         `yaml:"closed_dates,omitempty"`
	BookDays          int              `yaml:"book_days,omitempty"`
	ValidDays         int              `yaml:"valid_days,omitempty"`
	MaxVisitors       int              `yaml:"max_visitors,omitempty"`
	Cancel            *cancelYAML      `yaml:"cancel,omitempty"`
	ForeignConcession string           `yaml:"foreign_concession,omitempty"`
	PerPhoneDay       int              `yaml:"per_phone_day,omitempty"`
	PerClientDay      int              `yaml:"per_client_day,omitempty"`
	NoShow            *noShowYAML      `yaml:"no_show,omitempty"`
	Closures          []closureYAML    `yaml:"closures,omitempty"`
}

func ticketsToYAML(c domain.TicketSettings) ticketsYAMLDoc {
	d := ticketsYAMLDoc{Enabled: c.Enabled, Payment: string(c.Payment), HoldMinutes: c.HoldMinutes, DailyLimit: c.DailyLimit,
		WalkInPercent: c.WalkInPercent, ClosedWeekdays: c.ClosedWeekdays, ClosedDates: c.ClosedDates, BookDays: c.BookDays,
		ValidDays: c.ValidDays, MaxVisitors: c.MaxVisitors, ForeignConcession: string(c.ForeignConcession),
		PerPhoneDay: c.PerPhoneDay, PerClientDay: c.PerClientDay}
	if c.Checkout.Provider != "" || c.Checkout.URL != "" {
		d.Checkout = &checkoutYAML{Provider: c.Checkout.Provider, URL: c.Checkout.URL}
	}
	if c.Payment != domain.PayOnline {
		d.HoldMinutes = 0 // meaningless without online payment
	}
	for _, t := range c.Types {
		d.Types = append(d.Types, ticketTypeYAML{Code: t.Code, Name: textToYAML(t.Name), Fen: t.Fen, AgeMin: t.AgeMin, AgeMax: t.AgeMax,
			Proof: textToYAML(t.Proof), ValidDays: t.ValidDays})
	}
	for _, s := range c.Seasons {
		d.Seasons = append(d.Seasons, seasonYAML{From: s.From, To: s.To, Name: textToYAML(s.Name), Fen: s.Prices})
	}
	if c.Capacity != (domain.CarryingCapacity{}) {
		k := c.Capacity
		d.Capacity = &capacityYAML{AreaM2: plainFloat(k.AreaM2), PerPersonM2: plainFloat(k.PerPersonM2),
			OpenHours: plainFloat(k.OpenHours), StayHours: plainFloat(k.StayHours)}
	}
	for _, s := range c.Slots {
		d.Slots = append(d.Slots, slotYAML{Start: s.Start, End: s.End, Limit: s.Limit})
	}
	if c.CancelAt != "" {
		d.Cancel = &cancelYAML{DaysAfter: c.CancelDaysAfter, At: c.CancelAt}
	}
	if c.NoShowRelease || c.NoShowAt != "" {
		d.NoShow = &noShowYAML{Release: c.NoShowRelease, At: c.NoShowAt}
	}
	for _, cl := range c.Closures {
		d.Closures = append(d.Closures, closureYAML{From: cl.From, To: cl.To, Reason: textToYAML(cl.Reason)})
	}
	return d
}

func (d ticketsYAMLDoc) settings(site, county string) domain.TicketSettings {
	c := domain.TicketSettings{Site: site, County: county, Enabled: d.Enabled, Payment: domain.PaymentMode(d.Payment),
		HoldMinutes: d.HoldMinutes, DailyLimit: d.DailyLimit, WalkInPercent: d.WalkInPercent, ClosedWeekdays: d.ClosedWeekdays,
		ClosedDates: d.ClosedDates, BookDays: d.BookDays, ValidDays: d.ValidDays, MaxVisitors: d.MaxVisitors,
		ForeignConcession: domain.ForeignConcession(d.ForeignConcession), PerPhoneDay: d.PerPhoneDay, PerClientDay: d.PerClientDay}
	if d.Checkout != nil {
		c.Checkout = domain.Checkout{Provider: d.Checkout.Provider, URL: d.Checkout.URL}
	}
	for _, t := range d.Types {
		c.Types = append(c.Types, domain.TicketType{Code: t.Code, Name: t.Name.text(), Fen: t.Fen, AgeMin: t.AgeMin, AgeMax: t.AgeMax,
			Proof: t.Proof.text(), ValidDays: t.ValidDays})
	}
	for _, s := range d.Seasons {
		c.Seasons = append(c.Seasons, domain.Season{From: s.From, To: s.To, Name: s.Name.text(), Prices: s.Fen})
	}
	if d.Capacity != nil {
		k := d.Capacity
		c.Capacity = domain.CarryingCapacity{AreaM2: float64(k.AreaM2), PerPersonM2: float64(k.PerPersonM2),
			OpenHours: float64(k.OpenHours), StayHours: float64(k.StayHours)}
	}
	for _, s := range d.Slots {
		c.Slots = append(c.Slots, domain.Slot{Code: strings.Replace(s.Start, ":", "", 1), Start: s.Start, End: s.End, Limit: s.Limit})
	}
	if d.Cancel != nil {
		c.CancelDaysAfter, c.CancelAt = d.Cancel.DaysAfter, d.Cancel.At
	}
	if d.NoShow != nil {
		c.NoShowRelease, c.NoShowAt = d.NoShow.Release, d.NoShow.At
	}
	for _, cl := range d.Closures {
		c.Closures = append(c.Closures, domain.Closure{From: cl.From, To: cl.To, Reason: cl.Reason.text()})
	}
	return c
}

// normalizeTickets is the form Load returns: defaults filled, texts
// cleaned, the secret dropped, empty lists nil, sorted by site.
func normalizeTickets(in []domain.TicketSettings) []domain.TicketSettings {
	var out []domain.TicketSettings
	for _, c := range in {
		out = append(out, ticketsToYAML(c.WithDefaults()).settings(strings.TrimSpace(c.Site), strings.TrimSpace(c.County)).WithDefaults())
	}
	slices.SortStableFunc(out, func(a, b domain.TicketSettings) int { return cmp.Compare(a.Site, b.Site) })
	return out
}

// loadTickets reads sites/<key>/tickets.yaml for the site of county.
func (l *loader) loadTickets(key, county string) {
	file := ticketsYAMLPath(key)
	text, err := readText(l.fsys, file)
	if err != nil {
		l.fail(file, 0, err)
		return
	}
	var doc ticketsYAMLDoc
	if _, errs := decodeYAML(file, "", text, &doc); len(errs) > 0 {
		l.errs = append(l.errs, errs...)
		return
	}
	l.pack.Tickets = append(l.pack.Tickets, doc.settings(key, county))
}

// validateTickets checks every site's settings as the console does; the
// secret a pack cannot hold is stood in for, and checked at import.
func validateTickets(p Pack) []error {
	sites := map[string]string{}
	for _, s := range p.Sites {
		sites[s.Key] = s.County
	}
	var errs []error
	seen := map[string]bool{}
	for _, c := range p.Tickets {
		file := ticketsYAMLPath(c.Site)
		county, ok := sites[c.Site]
		switch {
		case !ok:
			errs = append(errs, &Error{File: file, Err: fmt.Errorf("ticket settings for site %s, which is not in the pack", c.Site)})
			continue
		case c.County != county:
			errs = append(errs, &Error{File: file, Err: fmt.Errorf("county %s is not its site's county %s", c.County, county)})
			continue
		case seen[c.Site]:
			errs = append(errs, &Error{File: file, Err: errors.New("the site has ticket settings twice")})
			continue
		}
		seen[c.Site] = true
		check := c
		if check.Checkout.Secret == "" {
			check.Checkout.Secret = "(kept in the database)"
		}
		if err := check.Validate(); err != nil {
			var ve *domain.ValidationError
			if errors.As(err, &ve) {
				err = fmt.Errorf("%s: %s", ve.Field, ve.Key)
			}
			errs = append(errs, &Error{File: file, Err: err})
		}
	}
	return errs
}

func encodeTickets(p Pack) ([]packFile, error) {
	var files []packFile
	for _, c := range p.Tickets {
		data, err := encodeYAML(ticketsToYAML(c))
		if err != nil {
			return nil, err
		}
		files = append(files, packFile{ticketsYAMLPath(c.Site), data})
	}
	return files, nil
}

// TicketImporter is where Import writes ticket settings; store.Store
// implements it, and TicketCurrent, which lets Import keep the provider
// secret and skip settings already in place.
type TicketImporter interface {
	PutTicketSite(ctx context.Context, c domain.TicketSettings) error
}

// TicketCurrent reads a site's ticket settings.
type TicketCurrent interface {
	TicketSite(ctx context.Context, site string) (domain.TicketSettings, error)
}

// TicketExporter lists every site's ticket settings.
type TicketExporter interface {
	TicketSites(ctx context.Context) ([]domain.TicketSettings, error)
}

// checkTicketSecrets refuses, before Import writes anything, settings with
// online payment whose site has no provider secret in the database (a pack
// cannot carry it: it is set in the console).
func checkTicketSecrets(ctx context.Context, dst any, p Pack) error {
	cur, _ := dst.(TicketCurrent)
	var errs []error
	for _, c := range p.Tickets {
		if c.Payment != domain.PayOnline {
			continue
		}
		have := domain.TicketSettings{}
		if cur != nil {
			var err error
			if have, err = cur.TicketSite(ctx, c.Site); err != nil && !errors.Is(err, domain.ErrNotFound) {
				return fmt.Errorf("content: import tickets %s: %w", c.Site, err)
			}
		}
		if have.Checkout.Secret == "" {
			errs = append(errs, &Error{File: ticketsYAMLPath(c.Site),
				Err: errors.New("payment: ticketsettings.error.online_no_provider (set the provider's secret in the console first)")})
		}
	}
	return errors.Join(errs...)
}

// importTickets writes the pack's ticket settings, leaving alone those the
// database holds unchanged, and keeping the provider secret the database
// holds.
func importTickets(ctx context.Context, dst any, p Pack, step func()) (written, unchanged int, err error) {
	if len(p.Tickets) == 0 {
		return 0, 0, nil
	}
	ts, ok := dst.(TicketImporter)
	if !ok {
		return 0, 0, errors.New("content: import: this database cannot hold ticket settings")
	}
	cur, _ := dst.(TicketCurrent)
	for _, c := range p.Tickets {
		var have domain.TicketSettings
		found, err := false, ctx.Err()
		if cur != nil && err == nil {
			have, err = cur.TicketSite(ctx, c.Site)
			found = err == nil
			if errors.Is(err, domain.ErrNotFound) {
				err = nil
			}
		}
		if err != nil {
			return written, unchanged, fmt.Errorf("content: import tickets %s: %w", c.Site, err)
		}
		same := found && reflect.DeepEqual(normalizeTickets([]domain.TicketSettings{have})[0], c)
		c.Checkout.Secret = have.Checkout.Secret
		if same {
			unchanged++
			step()
			continue
		}
		if err := ts.PutTicketSite(ctx, c); err != nil {
			return written, unchanged, fmt.Errorf("content: import %s: %w", ticketsYAMLPath(c.Site), err)
		}
		written++
		step()
	}
	return written, unchanged, nil
}

// exportTickets reads every site's ticket settings, when src holds them.
func exportTickets(ctx context.Context, src any) ([]domain.TicketSettings, error) {
	ts, ok := src.(TicketExporter)
	if !ok {
		return nil, nil
	}
	all, err := ts.TicketSites(ctx)
	if err != nil {
		return nil, fmt.Errorf("content: export tickets: %w", err)
	}
	return all, nil
}
