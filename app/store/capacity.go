package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

// Capacity and ID claims live in one small collection per visit date
// (capacity_20261201, ticket_ids_20261201). shared/MONGO-SUBSET.md warns
// that a filter with a second condition, such as the conditional
// decrement {_id: k, remaining: {$gte: n}}, scans the whole collection on
// the embedded server; one collection per day bounds that scan to the
// slots of one day whatever the number of days kept. Measured since
// (BenchmarkConditionalTake): on this build the update costs the same,
// ~0.8 ms, with 48 or 20,000 documents in the collection, so the _id part
// is served by the index after all. The partition stays for what it also
// buys: a past day's ID claims go with one drop, and a day's capacity is a
// handful of documents whatever happens to the query planner. On MongoDB
// the same filters are served by the _id index.
const (
	colCapacityPrefix = "capacity_"
	colIDClaimsPrefix = "ticket_ids_"
)

func dayCollection(prefix, date string) (string, error) {
	if !tickets.ValidDate(date) {
		return "", fmt.Errorf("store: %sday %q: invalid date", prefix, date)
	}
	return prefix + strings.ReplaceAll(date, "-", ""), nil
}

type capacityDoc struct {
	ID              string   `bson:"_id"`
	Site            string   `bson:"site"`
	Date            string   `bson:"date"`
	Slot            string   `bson:"slot"`
	Limit           int      `bson:"limit"`
	Online          int      `bson:"online"`
	WalkIn          int      `bson:"walk_in"`
	Remaining       int      `bson:"remaining"`
	WalkInRemaining int      `bson:"walk_in_remaining"`
	Released        []string `bson:"released,omitempty"`
}

func (d capacityDoc) domain() tickets.Capacity {
	return tickets.Capacity{Site: d.Site, Date: d.Date, Slot: d.Slot, Limit: d.Limit, Online: d.Online, WalkIn: d.WalkIn,
		Remaining: d.Remaining, WalkInRemaining: d.WalkInRemaining}
}

// EnsureCapacity inserts a day's capacity unless it exists: the first
// insert sets the limits, later ones change nothing.
func (s *Store) EnsureCapacity(ctx context.Context, c tickets.Capacity) error {
	col, err := dayCollection(colCapacityPrefix, c.Date)
	if err != nil {
		return err
	}
	d := capacityDoc{ID: tickets.CapacityKey(c.Site, c.Date, c.Slot), Site: c.Site, Date: c.Date, Slot: c.Slot,
		Limit: c.Limit, Online: c.Online, WalkIn: c.WalkIn, Remaining: c.Remaining, WalkInRemaining: c.WalkInRemaining}
	if err := s.ensurePartition(ctx, col); err != nil {
		return err
	}
	if _, err := s.col(col).InsertOne(ctx, d); err != nil && !mongo.IsDuplicateKeyError(err) {
		return wrap(col, err)
	}
	return nil
}

// Capacity returns one slot of one day.
func (s *Store) Capacity(ctx context.Context, site, date, slot string) (tickets.Capacity, error) {
	col, err := dayCollection(colCapacityPrefix, date)
	if err != nil {
		return tickets.Capacity{}, err
	}
	var d capacityDoc
	err = s.col(col).FindOne(ctx, byID(tickets.CapacityKey(site, date, slot)),
		options.FindOne().SetProjection(bson.D{{Key: "released", Value: 0}})).Decode(&d)
	if err != nil {
		return tickets.Capacity{}, wrap(col, err)
	}
	return d.domain(), nil
}

func capacityField(walkIn bool) string {
	if walkIn {
		return "walk_in_remaining"
	}
	return "remaining"
}

// TakeCapacity takes n places with one conditional update, so no two
// requests can both take the last place: domain.ErrSoldOut when fewer
// than n remain, domain.ErrNotFound when the day has no capacity document
// yet.
func (s *Store) TakeCapacity(ctx context.Context, site, date, slot string, n int, walkIn bool) error {
	if n <= 0 {
		return fmt.Errorf("store: take %d places: %w", n, domain.ErrInvalid)
	}
	col, err := dayCollection(colCapacityPrefix, date)
	if err != nil {
		return err
	}
	key := tickets.CapacityKey(site, date, slot)
	field := capacityField(walkIn)
	res, err := s.col(col).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: key}, {Key: field, Value: bson.D{{Key: "$gte", Value: n}}}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: field, Value: -n}}}})
	if err != nil {
		return wrap(col, err)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	// Sold out, or no document yet: the rare path pays for the lookup.
	err = s.col(col).FindOne(ctx, byID(key), options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return wrap(col, domain.ErrNotFound)
	}
	if err != nil {
		return wrap(col, err)
	}
	return domain.ErrSoldOut
}

// ReleaseCapacity gives n places back on behalf of ref, once: the
// document remembers the refs it took back, and the update is conditional
// on ref not being among them.
func (s *Store) ReleaseCapacity(ctx context.Context, site, date, slot string, n int, walkIn bool, ref string) error {
	col, err := dayCollection(colCapacityPrefix, date)
	if err != nil {
		return err
	}
	field := capacityField(walkIn)
	_, err = s.col(col).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: tickets.CapacityKey(site, date, slot)}, {Key: "released", Value: bson.D{{Key: "$ne", Value: ref}}}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: field, Value: n}}}, {Key: "$push", Value: bson.D{{Key: "released", Value: ref}}}})
	return wrap(col, err)
}

type idClaimDoc struct {
	Key string `bson:"_id"`
	Ref string `bson:"ref"`
}

// ClaimID records that ref holds key (hash of an ID|site) on date;
// domain.ErrConflict when another reservation holds it.
func (s *Store) ClaimID(ctx context.Context, date, key, ref string) error {
	col, err := dayCollection(colIDClaimsPrefix, date)
	if err != nil {
		return err
	}
	if _, err := s.col(col).InsertOne(ctx, idClaimDoc{Key: key, Ref: ref}); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return domain.ErrConflict
		}
		return wrap(col, err)
	}
	return nil
}

// UnclaimID deletes key if ref holds it. It reads first and deletes by
// _id alone (a lookup the embedded server indexes); only ref's own
// cancellation deletes ref's claim, so nothing claims it in between.
func (s *Store) UnclaimID(ctx context.Context, date, key, ref string) error {
	col, err := dayCollection(colIDClaimsPrefix, date)
	if err != nil {
		return err
	}
	var d idClaimDoc
	err = s.col(col).FindOne(ctx, byID(key)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil
	}
	if err != nil {
		return wrap(col, err)
	}
	if d.Ref != ref {
		return nil
	}
	_, err = s.col(col).DeleteOne(ctx, byID(key))
	return wrap(col, err)
}

// DropTicketIDClaimsBefore drops the ID claim collections of days before
// day; they only serve to refuse a second reservation for the same day.
func (s *Store) DropTicketIDClaimsBefore(ctx context.Context, day string) (int, error) {
	return s.dropDaysBefore(ctx, colIDClaimsPrefix, day)
}

// DropCapacityBefore drops the capacity collections of visit days before
// day. The retention job calls it with the raw events' cut (400 days by
// default): the capacity statistics read a past day's documents, and a
// reservation cancelled or refunded that late gives back places to a
// missing document, a no-op (ReleaseCapacity matches nothing).
func (s *Store) DropCapacityBefore(ctx context.Context, day string) (int, error) {
	return s.dropDaysBefore(ctx, colCapacityPrefix, day)
}

func (s *Store) dropDaysBefore(ctx context.Context, prefix, day string) (int, error) {
	cut, err := dayCollection(prefix, day)
	if err != nil {
		return 0, err
	}
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("store: list collections: %w", err)
	}
	sort.Strings(names)
	n := 0
	for _, name := range names {
		if strings.HasPrefix(name, prefix) && len(name) == len(cut) && name < cut {
			if err := s.col(name).Drop(ctx); err != nil {
				return n, wrap(name, err)
			}
			s.partitions.Delete(name)
			n++
		}
	}
	return n, nil
}

// ClaimIDs is ClaimID for many claims in one unordered insert per day
// (the reservation group commit): each claim gets its own result,
// domain.ErrConflict for one already held.
func (s *Store) ClaimIDs(ctx context.Context, claims []tickets.IDClaim) []error {
	out := make([]error, len(claims))
	byDay := map[string][]int{}
	for i, c := range claims {
		byDay[c.Date] = append(byDay[c.Date], i)
	}
	for date, idx := range byDay {
		col, err := dayCollection(colIDClaimsPrefix, date)
		if err != nil {
			for _, i := range idx {
				out[i] = err
			}
			continue
		}
		if err := s.ensurePartition(ctx, col); err != nil {
			for _, i := range idx {
				out[i] = err
			}
			continue
		}
		docs := make([]any, len(idx))
		for j, i := range idx {
			docs[j] = idClaimDoc{Key: claims[i].Key, Ref: claims[i].Ref}
		}
		for j, err := range insertManyErrors(ctx, s.col(col), docs) {
			if err != nil {
				out[idx[j]] = wrap(col, err)
				if errors.Is(err, domain.ErrConflict) {
					out[idx[j]] = domain.ErrConflict
				}
			}
		}
	}
	return out
}

// insertManyErrors inserts docs unordered and returns each one's error:
// domain.ErrConflict for a duplicate _id, the command's error for all
// when the command itself failed.
func insertManyErrors(ctx context.Context, col *mongo.Collection, docs []any) []error {
	out := make([]error, len(docs))
	_, err := col.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return out
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		for i := range out {
			out[i] = err
		}
		return out
	}
	for _, we := range bwe.WriteErrors {
		if we.Index < 0 || we.Index >= len(out) {
			continue
		}
		if we.Code == 11000 {
			out[we.Index] = domain.ErrConflict
		} else {
			out[we.Index] = fmt.Errorf("insert: %s (code %d)", we.Message, we.Code)
		}
	}
	return out
}
