package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

const colSites = "sites"

type siteDoc struct {
	Key          string              `bson:"_id"`
	County       string              `bson:"county"`
	Name         map[string]string   `bson:"name,omitempty"`
	Summary      map[string]string   `bson:"summary,omitempty"`
	Body         map[string]string   `bson:"body,omitempty"`
	Hours        map[string]string   `bson:"hours,omitempty"`
	BestSeason   map[string]string   `bson:"best_season,omitempty"`
	Safety       map[string]string   `bson:"safety,omitempty"`
	Address      map[string]string   `bson:"address,omitempty"`
	Reservation  map[string]string   `bson:"reservation,omitempty"`
	TicketNote   map[string]string   `bson:"ticket_note,omitempty"`
	Prices       []priceDoc          `bson:"prices,omitempty"`
	AltitudeMin  int                 `bson:"altitude_min,omitempty"`
	AltitudeMax  int                 `bson:"altitude_max,omitempty"`
	AltitudeNote map[string]string   `bson:"altitude_note,omitempty"`
	ALevel       string              `bson:"a_level,omitempty"`
	ALevelSince  string              `bson:"a_level_since,omitempty"`
	Location     *locationDoc        `bson:"location,omitempty"`
	Photos       []photoDoc          `bson:"photos,omitempty"`
	Audio        map[string]audioDoc `bson:"audio,omitempty"`
	Published    bool                `bson:"published"`
	UpdatedAt    time.Time           `bson:"updated_at"`
}

type priceDoc struct {
	Label map[string]string `bson:"label,omitempty"`
	Fen   int64             `bson:"fen"`
}

// locationDoc is stored as GeoJSON so a 2dsphere index can be added on
// MongoDB later without a migration of the data.
type locationDoc struct {
	Type        string     `bson:"type"`
	Coordinates [2]float64 `bson:"coordinates"` // lon, lat
}

type photoDoc struct {
	Src    string            `bson:"src"`
	Alt    map[string]string `bson:"alt,omitempty"`
	Width  int               `bson:"w,omitempty"`
	Height int               `bson:"h,omitempty"`
	Sizes  []photoSizeDoc    `bson:"sizes,omitempty"`
}

type photoSizeDoc struct {
	Src   string `bson:"src"`
	Width int    `bson:"w"`
}

type audioDoc struct {
	Src        string `bson:"src"`
	Type       string `bson:"type"`
	Seconds    int    `bson:"seconds,omitempty"`
	Transcript string `bson:"transcript,omitempty"`
}

func siteToDoc(s domain.Site) siteDoc {
	d := siteDoc{
		Key: s.Key, County: s.County,
		Name: textDoc(s.Name), Summary: textDoc(s.Summary), Body: textDoc(s.Body),
		Hours: textDoc(s.Hours), BestSeason: textDoc(s.BestSeason), Safety: textDoc(s.Safety),
		Address: textDoc(s.Address), Reservation: textDoc(s.Reservation), TicketNote: textDoc(s.TicketNote),
		AltitudeMin: s.AltitudeMin, AltitudeMax: s.AltitudeMax, AltitudeNote: textDoc(s.AltitudeNote),
		ALevel: s.ALevel, ALevelSince: s.ALevelSince,
		Published: s.Published, UpdatedAt: s.UpdatedAt.UTC().Truncate(time.Millisecond),
	}
	for _, p := range s.Prices {
		d.Prices = append(d.Prices, priceDoc{Label: textDoc(p.Label), Fen: p.Fen})
	}
	if s.Location != nil {
		d.Location = &locationDoc{Type: "Point", Coordinates: [2]float64{s.Location.Lon, s.Location.Lat}}
	}
	for _, p := range s.Photos {
		pd := photoDoc{Src: p.Src, Alt: textDoc(p.Alt), Width: p.Width, Height: p.Height}
		for _, z := range p.Sizes {
			pd.Sizes = append(pd.Sizes, photoSizeDoc{Src: z.Src, Width: z.Width})
		}
		d.Photos = append(d.Photos, pd)
	}
	for l, a := range s.Audio {
		if d.Audio == nil {
			d.Audio = map[string]audioDoc{}
		}
		d.Audio[string(l)] = audioDoc{Src: a.Src, Type: a.Type, Seconds: a.Seconds, Transcript: a.Transcript}
	}
	return d
}

func (d siteDoc) domain() domain.Site {
	s := domain.Site{
		Key: d.Key, County: d.County,
		Name: textFromDoc(d.Name), Summary: textFromDoc(d.Summary), Body: textFromDoc(d.Body),
		Hours: textFromDoc(d.Hours), BestSeason: textFromDoc(d.BestSeason), Safety: textFromDoc(d.Safety),
		Address: textFromDoc(d.Address), Reservation: textFromDoc(d.Reservation), TicketNote: textFromDoc(d.TicketNote),
		AltitudeMin: d.AltitudeMin, AltitudeMax: d.AltitudeMax, AltitudeNote: textFromDoc(d.AltitudeNote),
		ALevel: d.ALevel, ALevelSince: d.ALevelSince,
		Published: d.Published, UpdatedAt: d.UpdatedAt,
	}
	for _, p := range d.Prices {
		s.Prices = append(s.Prices, domain.Price{Label: textFromDoc(p.Label), Fen: p.Fen})
	}
	if d.Location != nil {
		s.Location = &domain.LatLon{Lat: d.Location.Coordinates[1], Lon: d.Location.Coordinates[0]}
	}
	for _, p := range d.Photos {
		ph := domain.Photo{Src: p.Src, Alt: textFromDoc(p.Alt), Width: p.Width, Height: p.Height}
		for _, z := range p.Sizes {
			ph.Sizes = append(ph.Sizes, domain.PhotoSize{Src: z.Src, Width: z.Width})
		}
		s.Photos = append(s.Photos, ph)
	}
	for l, a := range d.Audio {
		if s.Audio == nil {
			s.Audio = map[domain.Lang]domain.AudioGuide{}
		}
		s.Audio[domain.Lang(l)] = domain.AudioGuide{Src: a.Src, Type: a.Type, Seconds: a.Seconds, Transcript: a.Transcript}
	}
	return s
}

// PutSite creates or replaces a site. The county must exist. A site moved
// to another county takes its signs along, so scans are counted where the
// site now is.
func (s *Store) PutSite(ctx context.Context, site domain.Site) error {
	if err := site.Validate(); err != nil {
		return err
	}
	if _, err := s.County(ctx, site.County); err != nil {
		return err
	}
	if site.UpdatedAt.IsZero() {
		site.UpdatedAt = time.Now()
	}
	_, err := s.col(colSites).ReplaceOne(ctx, byID(site.Key), siteToDoc(site), options.Replace().SetUpsert(true))
	if err != nil {
		return wrap(colSites, err)
	}
	// One updateMany statement; a no-op unless the county changed. Done
	// after the site so a crash in between leaves signs to be fixed by
	// re-saving the site, never a site pointing at a stale county.
	_, err = s.col(colSigns).UpdateMany(ctx,
		bson.D{{Key: "site", Value: site.Key}, {Key: "county", Value: bson.D{{Key: "$ne", Value: site.County}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "county", Value: site.County}}}})
	if err != nil {
		return wrap(colSigns, err)
	}
	return s.bumpContentVersion(ctx)
}

// Site returns one site by key, published or not.
func (s *Store) Site(ctx context.Context, key string) (domain.Site, error) {
	var d siteDoc
	if err := s.col(colSites).FindOne(ctx, byID(key)).Decode(&d); err != nil {
		return domain.Site{}, wrap(colSites, err)
	}
	return d.domain(), nil
}

// Sites returns every site, or those of one county when county != "",
// ordered by key.
func (s *Store) Sites(ctx context.Context, county string) ([]domain.Site, error) {
	filter := bson.D{}
	if county != "" {
		filter = bson.D{{Key: "county", Value: county}}
	}
	cur, err := s.col(colSites).Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, wrap(colSites, err)
	}
	var docs []siteDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colSites, err)
	}
	out := make([]domain.Site, len(docs))
	for i, d := range docs {
		out[i] = d.domain()
	}
	return out, nil
}
