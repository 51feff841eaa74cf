package content

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/yimayou/yimayou/app/domain"
)

// region.yaml says who runs the install and what it covers (domain.Region,
// content/FORMAT.md). It is optional: a pack without it leaves the
// database's region alone.

const regionFile = "region.yaml"

type contactYAML struct {
	Number string   `yaml:"number"`
	Label  textYAML `yaml:"label,omitempty"`
}

type mapYAML struct {
	Lat  plainFloat `yaml:"lat"`
	Lon  plainFloat `yaml:"lon"`
	Zoom int        `yaml:"zoom,omitempty"`
}

type divisionYAML struct {
	Code string   `yaml:"code"`
	Name textYAML `yaml:"name,omitempty"`
}

type regionYAML struct {
	Code      string         `yaml:"code"`
	Name      textYAML       `yaml:"name,omitempty"`
	ShortName textYAML       `yaml:"short_name,omitempty"`
	Bureau    textYAML       `yaml:"bureau,omitempty"`
	Phone     string         `yaml:"phone,omitempty"`
	Address   textYAML       `yaml:"address,omitempty"`
	Emergency []contactYAML  `yaml:"emergency,omitempty"`
	Complaint string         `yaml:"complaint,omitempty"`
	TimeZone  string         `yaml:"time_zone,omitempty"`
	Map       *mapYAML       `yaml:"map,omitempty"`
	Logo      string         `yaml:"logo,omitempty"`
	Languages []string       `yaml:"languages,omitempty"`
	Divisions []divisionYAML `yaml:"divisions,omitempty"`
}

func regionToYAML(r domain.Region) regionYAML {
	y := regionYAML{Code: r.Code, Name: textToYAML(r.Name), ShortName: textToYAML(r.ShortName),
		Bureau: textToYAML(r.Bureau), Phone: r.Phone, Address: textToYAML(r.Address), Complaint: r.Complaint,
		TimeZone: r.TimeZone, Logo: r.Logo}
	if r.Map != (domain.MapView{}) {
		y.Map = &mapYAML{Lat: plainFloat(r.Map.Lat), Lon: plainFloat(r.Map.Lon), Zoom: r.Map.Zoom}
	}
	for _, c := range r.Emergency {
		y.Emergency = append(y.Emergency, contactYAML{Number: c.Number, Label: textToYAML(c.Label)})
	}
	for _, l := range r.Languages {
		y.Languages = append(y.Languages, string(l))
	}
	for _, d := range r.Divisions {
		y.Divisions = append(y.Divisions, divisionYAML{Code: d.Code, Name: textToYAML(d.Name)})
	}
	return y
}

func (y regionYAML) region() domain.Region {
	r := domain.Region{Code: y.Code, Name: y.Name.text(), ShortName: y.ShortName.text(), Bureau: y.Bureau.text(),
		Phone: y.Phone, Address: y.Address.text(), Complaint: y.Complaint, TimeZone: y.TimeZone, Logo: y.Logo}
	if y.Map != nil {
		r.Map = domain.MapView{Lat: float64(y.Map.Lat), Lon: float64(y.Map.Lon), Zoom: y.Map.Zoom}
	}
	for _, c := range y.Emergency {
		r.Emergency = append(r.Emergency, domain.Contact{Number: c.Number, Label: c.Label.text()})
	}
	for _, l := range y.Languages {
		r.Languages = append(r.Languages, domain.Lang(l))
	}
	for _, d := range y.Divisions {
		r.Divisions = append(r.Divisions, domain.Division{Code: d.Code, Name: d.Name.text()})
	}
	return r
}

func (l *loader) loadRegion() {
	text, err := readText(l.fsys, regionFile)
	if err != nil {
		if err.Error() != "missing" {
			l.fail(regionFile, 0, err)
		}
		return
	}
	var doc regionYAML
	if _, errs := decodeYAML(regionFile, "", text, &doc); len(errs) > 0 {
		l.errs = append(l.errs, errs...)
		return
	}
	r := doc.region()
	l.pack.Region = &r
}

func normalizeRegion(r *domain.Region) *domain.Region {
	if r == nil {
		return nil
	}
	out := *r
	out.Code = strings.TrimSpace(r.Code)
	out.Name, out.ShortName = cleanText(r.Name, cleanLine), cleanText(r.ShortName, cleanLine)
	out.Bureau, out.Address = cleanText(r.Bureau, cleanLine), cleanText(r.Address, cleanLine)
	out.Phone, out.Complaint = cleanLine(r.Phone), cleanLine(r.Complaint)
	out.TimeZone, out.Logo = cleanLine(r.TimeZone), cleanLine(r.Logo)
	out.Emergency, out.Languages, out.Divisions = nil, nil, nil
	for _, c := range r.Emergency {
		out.Emergency = append(out.Emergency, domain.Contact{Number: cleanLine(c.Number), Label: cleanText(c.Label, cleanLine)})
	}
	for _, l := range r.Languages {
		out.Languages = append(out.Languages, domain.Lang(strings.TrimSpace(string(l))))
	}
	for _, d := range r.Divisions {
		out.Divisions = append(out.Divisions, domain.Division{Code: strings.TrimSpace(d.Code), Name: cleanText(d.Name, cleanLine)})
	}
	return &out
}

// validateRegion checks the region's own rules and that every county of
// the pack is inside it.
func validateRegion(p Pack) []error {
	r := p.Region
	if r == nil {
		return nil
	}
	fail := func(err error) error { return &Error{File: regionFile, Err: err} }
	if err := r.Validate(); err != nil {
		return []error{fail(err)}
	}
	var errs []error
	for _, c := range p.Counties {
		if domain.ValidCountyCode(c.Code) && !r.Contains(c.Code) {
			errs = append(errs, &Error{File: countiesFile,
				Err: fmt.Errorf("county %s is outside the region %s of region.yaml", c.Code, r.Code)})
		}
	}
	for _, l := range r.Languages {
		if !l.Valid() {
			errs = append(errs, fail(fmt.Errorf("languages: %q has no catalogue on this server (app/i18n/locales/<area>.%s.json and an entry in languages.json), or is not offered by it", l, l)))
		}
	}
	for _, c := range r.Emergency {
		if c.Number == "" {
			errs = append(errs, fail(errors.New("emergency: every entry needs a number")))
		}
	}
	if _, err := domain.LoadTimeZone(r.TimeZone); err != nil {
		errs = append(errs, fail(fmt.Errorf("time_zone %q is not an IANA zone name (such as Asia/Shanghai); leave it empty for China time", r.TimeZone)))
	}
	return errs
}

type countyLister interface {
	Counties(ctx context.Context) ([]domain.County, error)
}

// planRegion says what importing the pack's region would do. A region
// whose top node leaves out a county the database already holds is
// refused (its sites and statistics would fall outside every level):
// planRegion then returns an item with no Kind and that county's code.
func planRegion(ctx context.Context, cur any, p Pack) (PlanItem, error) {
	r := p.Region
	it := PlanItem{Kind: "region", Key: r.Code, County: r.Code, Name: r.Name.String(domain.Zh), Action: Create}
	if cl, ok := cur.(countyLister); ok {
		have, err := cl.Counties(ctx)
		if err != nil {
			return it, fmt.Errorf("content: plan region: %w", err)
		}
		for _, c := range have {
			if !r.Contains(c.Code) {
				return PlanItem{County: c.Code}, nil
			}
		}
	}
	if rc, ok := cur.(RegionCurrent); ok {
		have, err := rc.Region(ctx)
		switch {
		case err == nil && reflect.DeepEqual(*normalizeRegion(&have), *r):
			it.Action = Same
		case err == nil:
			it.Action = Update
		case !errors.Is(err, domain.ErrNotFound):
			return it, fmt.Errorf("content: plan region: %w", err)
		}
	}
	return it, nil
}

func errRegionMismatch(r *domain.Region, county string) error {
	return fmt.Errorf("region %s does not contain county %s, which the database already holds: import this pack into an empty database (a data dir of its own), or make region.yaml's code a node above both", r.Code, county)
}

// RegionImporter stores the region; store.Store implements it.
type RegionImporter interface {
	PutRegion(ctx context.Context, r domain.Region) error
}

// RegionCurrent reads the region; store.Store implements it.
type RegionCurrent interface {
	Region(ctx context.Context) (domain.Region, error)
}

// importRegion writes the pack's region unless the database holds the same.
func importRegion(ctx context.Context, dst any, p Pack) (written bool, err error) {
	if p.Region == nil {
		return false, nil
	}
	ri, ok := dst.(RegionImporter)
	if !ok {
		return false, errors.New("content: import: this database cannot hold a region")
	}
	if cur, ok := dst.(RegionCurrent); ok {
		have, err := cur.Region(ctx)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return false, fmt.Errorf("content: import region: %w", err)
		}
		if err == nil && reflect.DeepEqual(*normalizeRegion(&have), *p.Region) {
			return false, nil
		}
	}
	if err := ri.PutRegion(ctx, *p.Region); err != nil {
		return false, fmt.Errorf("content: import %s: %w", regionFile, err)
	}
	return true, nil
}

// exportRegion reads the region when src holds one.
func exportRegion(ctx context.Context, src any) (*domain.Region, error) {
	ri, ok := src.(RegionCurrent)
	if !ok {
		return nil, nil
	}
	r, err := ri.Region(ctx)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("content: export region: %w", err)
	}
	return &r, nil
}

func encodeRegion(p Pack) ([]packFile, error) {
	if p.Region == nil {
		return nil, nil
	}
	b, err := encodeYAML(regionToYAML(*p.Region))
	if err != nil {
		return nil, err
	}
	return []packFile{{regionFile, b}}, nil
}
