package store

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

// Alerts are few (a handful live at a time, a few hundred over years), so
// reading them all and filtering in Go is cheap on both servers. Every
// write bumps the content version, so a node may keep the active alerts in
// memory per version and still show a new banner within one poll.
const colAlerts = "alerts"

type alertDoc struct {
	ID     bson.ObjectID     `bson:"_id"`
	County string            `bson:"county"`
	Site   string            `bson:"site,omitempty"`
	Level  string            `bson:"level"`
	Text   map[string]string `bson:"text,omitempty"`
	Starts time.Time         `bson:"starts"`
	Ends   time.Time         `bson:"ends,omitempty"`
}

func (d alertDoc) domain() domain.Alert {
	return domain.Alert{ID: d.ID.Hex(), County: d.County, Site: d.Site, Level: domain.AlertLevel(d.Level), Text: textFromDoc(d.Text),
		Starts: d.Starts, Ends: d.Ends}
}

func alertToDoc(a domain.Alert, id bson.ObjectID) alertDoc {
	d := alertDoc{ID: id, County: a.County, Site: a.Site, Level: string(a.Level), Text: textDoc(a.Text),
		Starts: a.Starts.UTC().Truncate(time.Millisecond)}
	if !a.Ends.IsZero() {
		d.Ends = a.Ends.UTC().Truncate(time.Millisecond)
	}
	return d
}

// PutAlert creates an alert (empty ID) or replaces one, and returns its ID.
func (s *Store) PutAlert(ctx context.Context, a domain.Alert) (string, error) {
	if err := a.Validate(); err != nil {
		return "", err
	}
	id := bson.NewObjectID()
	if a.ID != "" {
		oid, err := bson.ObjectIDFromHex(a.ID)
		if err != nil {
			return "", wrap(colAlerts, domain.ErrNotFound)
		}
		id = oid
	}
	_, err := s.col(colAlerts).ReplaceOne(ctx, byID(id), alertToDoc(a, id), options.Replace().SetUpsert(true))
	if err != nil {
		return "", wrap(colAlerts, err)
	}
	return id.Hex(), s.bumpContentVersion(ctx)
}

// Alert returns one alert by ID.
func (s *Store) Alert(ctx context.Context, id string) (domain.Alert, error) {
	oid, err := bson.ObjectIDFromHex(id)
	if err != nil {
		return domain.Alert{}, wrap(colAlerts, domain.ErrNotFound)
	}
	var d alertDoc
	if err := s.col(colAlerts).FindOne(ctx, byID(oid)).Decode(&d); err != nil {
		return domain.Alert{}, wrap(colAlerts, err)
	}
	return d.domain(), nil
}

// DeleteAlert withdraws an alert.
func (s *Store) DeleteAlert(ctx context.Context, id string) error {
	oid, err := bson.ObjectIDFromHex(id)
	if err != nil {
		return wrap(colAlerts, domain.ErrNotFound)
	}
	res, err := s.col(colAlerts).DeleteOne(ctx, byID(oid))
	if err != nil {
		return wrap(colAlerts, err)
	}
	if res.DeletedCount == 0 {
		return wrap(colAlerts, domain.ErrNotFound)
	}
	return s.bumpContentVersion(ctx)
}

// Alerts returns every alert, newest first.
func (s *Store) Alerts(ctx context.Context) ([]domain.Alert, error) {
	cur, err := s.col(colAlerts).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}))
	if err != nil {
		return nil, wrap(colAlerts, err)
	}
	var docs []alertDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colAlerts, err)
	}
	out := make([]domain.Alert, len(docs))
	for i, d := range docs {
		out[i] = d.domain()
	}
	return out, nil
}

// ActiveAlerts returns every alert showing at now, of every county and
// the prefecture (web.AlertSource): the public side keeps them in memory
// and picks a page's own. Order: most severe first, then newest.
func (s *Store) ActiveAlerts(ctx context.Context, now time.Time) ([]domain.Alert, error) {
	return s.activeAlerts(ctx, now, func(domain.Alert) bool { return true })
}

// ActiveAlertsIn returns the alerts showing at now on a page of county:
// its own, those of the divisions holding it and the region-wide ones
// (county "" asks for the region-wide ones only).
func (s *Store) ActiveAlertsIn(ctx context.Context, county string, now time.Time) ([]domain.Alert, error) {
	return s.activeAlerts(ctx, now, func(a domain.Alert) bool { return a.County == "" || domain.NodeContains(a.County, county) })
}

func (s *Store) activeAlerts(ctx context.Context, now time.Time, keep func(domain.Alert) bool) ([]domain.Alert, error) {
	all, err := s.Alerts(ctx)
	if err != nil {
		return nil, err
	}
	var out []domain.Alert
	for _, a := range all {
		if keep(a) && a.Active(now) {
			out = append(out, a)
		}
	}
	rank := map[domain.AlertLevel]int{domain.AlertDanger: 0, domain.AlertWarning: 1, domain.AlertInfo: 2}
	slices.SortStableFunc(out, func(a, b domain.Alert) int { return rank[a.Level] - rank[b.Level] })
	return out, nil
}
