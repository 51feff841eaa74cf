package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

// Raw events live in one collection per month of China time
// ("events_202611"): the embedded server scans whole collections for any
// filter but _id, so partitions keep scans bounded, and retention is a drop.
const eventsPrefix = "events_"

// EventsCollection names the partition that holds events of day
// ("2026-11-29").
func EventsCollection(day string) string {
	return eventsPrefix + strings.ReplaceAll(day[:7], "-", "")
}

type eventDoc struct {
	ID         string            `bson:"_id"`
	Time       time.Time         `bson:"t"`
	Day        string            `bson:"day"`
	Hour       int               `bson:"hour"`
	Type       string            `bson:"type"`
	County     string            `bson:"county,omitempty"`
	Site       string            `bson:"site,omitempty"`
	Sign       string            `bson:"sign,omitempty"`
	Lang       string            `bson:"lang,omitempty"`
	Device     string            `bson:"device,omitempty"`
	Referrer   string            `bson:"ref,omitempty"`
	Bot        bool              `bson:"bot,omitempty"`
	Filter     string            `bson:"filter,omitempty"`
	VisitorKey string            `bson:"vk,omitempty"`
	Extra      map[string]string `bson:"x,omitempty"`
	Node       string            `bson:"node,omitempty"`
	Seq        int64             `bson:"seq,omitempty"`
}

func eventToDoc(e domain.Event) eventDoc {
	return eventDoc{ID: e.ID, Time: e.Time.UTC().Truncate(time.Millisecond), Day: e.Day, Hour: e.Hour,
		Type: string(e.Type), County: e.County, Site: e.Site, Sign: e.Sign, Lang: string(e.Lang),
		Device: e.Device, Referrer: e.Referrer, Bot: e.Bot, Filter: e.Filter, VisitorKey: e.VisitorKey, Extra: e.Extra,
		Node: e.Node, Seq: int64(e.Seq)}
}

func (d eventDoc) domain() domain.Event {
	return domain.Event{ID: d.ID, Time: d.Time, Day: d.Day, Hour: d.Hour, Type: domain.EventType(d.Type),
		County: d.County, Site: d.Site, Sign: d.Sign, Lang: domain.Lang(d.Lang), Device: d.Device,
		Referrer: d.Referrer, Bot: d.Bot, Filter: d.Filter, VisitorKey: d.VisitorKey, Extra: d.Extra,
		Node: d.Node, Seq: uint64(d.Seq)}
}

// InsertEvents stores events in their monthly partitions with unordered
// insertMany. Events whose id is already stored are counted as duplicates,
// so sending the same batch twice is safe: duplicates are already stored,
// a replay, not an error.
func (s *Store) InsertEvents(ctx context.Context, events []domain.Event) (inserted, duplicates int, err error) {
	var res struct{ Inserted, Duplicates int }
	byCol := map[string][]any{}
	for _, e := range events {
		if e.ID == "" || !validDay(e.Day) {
			return 0, 0, fmt.Errorf("store: event without id or day: %w", domain.ErrInvalid)
		}
		c := EventsCollection(e.Day)
		byCol[c] = append(byCol[c], eventToDoc(e))
	}
	for c, docs := range byCol {
		if err := s.ensurePartition(ctx, c); err != nil {
			return res.Inserted, res.Duplicates, err
		}
		r, err := s.col(c).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		if r != nil {
			res.Inserted += len(r.InsertedIDs)
		}
		if err != nil {
			dups, other := splitDuplicates(err)
			res.Duplicates += dups
			if other != nil {
				return res.Inserted, res.Duplicates, wrap(c, other)
			}
			if r == nil {
				res.Inserted += len(docs) - dups
			}
		}
	}
	return res.Inserted, res.Duplicates, nil
}

// splitDuplicates counts duplicate-key write errors and returns any other
// error.
func splitDuplicates(err error) (int, error) {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) {
		if mongo.IsDuplicateKeyError(err) {
			return 1, nil
		}
		return 0, err
	}
	dups := 0
	for _, we := range bwe.WriteErrors {
		if we.Code == 11000 {
			dups++
			continue
		}
		return dups, err
	}
	if bwe.WriteConcernError != nil {
		return dups, err
	}
	return dups, nil
}

// EventFilter selects raw events of a day range (inclusive, "2026-11-29").
type EventFilter struct {
	From, To string
	Type     domain.EventType
	Site     string
	County   string
}

// Events returns raw events of a day range, ordered by time. It scans whole
// partitions: it is for exports, rebuilds and tests, never for dashboards.
func (s *Store) Events(ctx context.Context, f EventFilter, fn func(domain.Event) error) error {
	cols, err := s.EventCollections(ctx)
	if err != nil {
		return err
	}
	filter := bson.D{{Key: "day", Value: bson.D{{Key: "$gte", Value: f.From}, {Key: "$lte", Value: f.To}}}}
	if f.Type != "" {
		filter = append(filter, bson.E{Key: "type", Value: string(f.Type)})
	}
	if f.Site != "" {
		filter = append(filter, bson.E{Key: "site", Value: f.Site})
	}
	if f.County != "" {
		filter = append(filter, bson.E{Key: "county", Value: f.County})
	}
	for _, c := range cols {
		month := c[len(eventsPrefix):]
		if month < monthOf(f.From) || month > monthOf(f.To) {
			continue
		}
		cur, err := s.col(c).Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "t", Value: 1}, {Key: "_id", Value: 1}}))
		if err != nil {
			return wrap(c, err)
		}
		for cur.Next(ctx) {
			var d eventDoc
			if err := cur.Decode(&d); err != nil {
				cur.Close(ctx)
				return wrap(c, err)
			}
			if err := fn(d.domain()); err != nil {
				cur.Close(ctx)
				return err
			}
		}
		err = cur.Err()
		cur.Close(ctx)
		if err != nil {
			return wrap(c, err)
		}
	}
	return nil
}

// validDay reports whether day is a real "2026-11-29" date, so a
// malformed one can neither name a partition nor cut off retention.
func validDay(day string) bool {
	_, err := time.Parse(time.DateOnly, day)
	return err == nil
}

func monthOf(day string) string {
	if len(day) < 7 {
		return day
	}
	return strings.ReplaceAll(day[:7], "-", "")
}

// CountEvents counts raw events matching f.
func (s *Store) CountEvents(ctx context.Context, f EventFilter) (int64, error) {
	var n int64
	err := s.Events(ctx, f, func(domain.Event) error { n++; return nil })
	return n, err
}

// EventCollections lists the event partitions, oldest first.
func (s *Store) EventCollections(ctx context.Context) ([]string, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{{Key: "name", Value: bson.D{{Key: "$regex", Value: "^" + eventsPrefix}}}})
	if err != nil {
		return nil, fmt.Errorf("store: list event partitions: %w", err)
	}
	sort.Strings(names)
	return names, nil
}

// DropEventsBefore drops every event partition whose whole month lies
// before day, and returns the names dropped. Retention keeps whole months.
func (s *Store) DropEventsBefore(ctx context.Context, day string) ([]string, error) {
	if !validDay(day) {
		return nil, fmt.Errorf("store: drop events before %q: %w", day, domain.ErrInvalid)
	}
	cols, err := s.EventCollections(ctx)
	if err != nil {
		return nil, err
	}
	var dropped []string
	for _, c := range cols {
		if c[len(eventsPrefix):] >= monthOf(day) {
			continue
		}
		if err := s.col(c).Drop(ctx); err != nil {
			return dropped, wrap(c, err)
		}
		s.partitions.Delete(c)
		dropped = append(dropped, c)
	}
	return dropped, nil
}
