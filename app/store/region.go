package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

// The region (domain.Region) is one document, _id "region", in its own
// collection. Writing it bumps the content version, so every node's
// catalogue picks it up as it does an edited site.

const colRegion = "region"

type contactDoc struct {
	Label  map[string]string `bson:"label,omitempty"`
	Number string            `bson:"number"`
}

type divisionDoc struct {
	Code string            `bson:"code"`
	Name map[string]string `bson:"name,omitempty"`
}

type regionDoc struct {
	ID        string            `bson:"_id"`
	Code      string            `bson:"code"`
	Name      map[string]string `bson:"name,omitempty"`
	ShortName map[string]string `bson:"short_name,omitempty"`
	Bureau    map[string]string `bson:"bureau,omitempty"`
	Phone     string            `bson:"phone,omitempty"`
	Address   map[string]string `bson:"address,omitempty"`
	Emergency []contactDoc      `bson:"emergency,omitempty"`
	Complaint string            `bson:"complaint,omitempty"`
	TimeZone  string            `bson:"tz,omitempty"`
	MapLat    float64           `bson:"map_lat,omitempty"`
	MapLon    float64           `bson:"map_lon,omitempty"`
	MapZoom   int               `bson:"map_zoom,omitempty"`
	Logo      string            `bson:"logo,omitempty"`
	Languages []string          `bson:"languages,omitempty"`
	Divisions []divisionDoc     `bson:"divisions,omitempty"`
}

func regionToDoc(r domain.Region) regionDoc {
	d := regionDoc{ID: "region", Code: r.Code, Name: textDoc(r.Name), ShortName: textDoc(r.ShortName),
		Bureau: textDoc(r.Bureau), Phone: r.Phone, Address: textDoc(r.Address), Complaint: r.Complaint,
		TimeZone: r.TimeZone, MapLat: r.Map.Lat, MapLon: r.Map.Lon, MapZoom: r.Map.Zoom, Logo: r.Logo}
	for _, c := range r.Emergency {
		d.Emergency = append(d.Emergency, contactDoc{Label: textDoc(c.Label), Number: c.Number})
	}
	for _, l := range r.Languages {
		d.Languages = append(d.Languages, string(l))
	}
	for _, v := range r.Divisions {
		d.Divisions = append(d.Divisions, divisionDoc{Code: v.Code, Name: textDoc(v.Name)})
	}
	return d
}

func (d regionDoc) domain() domain.Region {
	r := domain.Region{Code: d.Code, Name: textFromDoc(d.Name), ShortName: textFromDoc(d.ShortName),
		Bureau: textFromDoc(d.Bureau), Phone: d.Phone, Address: textFromDoc(d.Address), Complaint: d.Complaint,
		TimeZone: d.TimeZone, Map: domain.MapView{Lat: d.MapLat, Lon: d.MapLon, Zoom: d.MapZoom}, Logo: d.Logo}
	for _, c := range d.Emergency {
		r.Emergency = append(r.Emergency, domain.Contact{Label: textFromDoc(c.Label), Number: c.Number})
	}
	for _, l := range d.Languages {
		r.Languages = append(r.Languages, domain.Lang(l))
	}
	for _, v := range d.Divisions {
		r.Divisions = append(r.Divisions, domain.Division{Code: v.Code, Name: textFromDoc(v.Name)})
	}
	return r
}

// PutRegion creates or replaces the region.
func (s *Store) PutRegion(ctx context.Context, r domain.Region) error {
	if err := r.Validate(); err != nil {
		return err
	}
	_, err := s.col(colRegion).ReplaceOne(ctx, byID("region"), regionToDoc(r), options.Replace().SetUpsert(true))
	if err != nil {
		return wrap(colRegion, err)
	}
	return s.bumpContentVersion(ctx)
}

// Region returns the region; an error wrapping domain.ErrNotFound when none
// was ever set (an install from before region.yaml).
func (s *Store) Region(ctx context.Context) (domain.Region, error) {
	var d regionDoc
	if err := s.col(colRegion).FindOne(ctx, byID("region")).Decode(&d); err != nil {
		return domain.Region{}, wrap(colRegion, err)
	}
	return d.domain(), nil
}
