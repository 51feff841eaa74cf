package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

// What the bureau's ticketing console needs beyond a reservation by ref:
// booking limits per phone and per client (one small collection per visit
// day, like capacity, so a past day goes with one drop), the no-show list
// (live entries only, like holds) and the few filtered reads of the
// console (a site's bookings on some days, the refunds to make).
const (
	colLimitsPrefix = "ticket_limits_"
	colNoShows      = "reservation_noshows"
)

type limitDoc struct {
	ID       string `bson:"_id"` // site|kind|key
	Site     string `bson:"site"`
	Kind     string `bson:"kind"`
	Masked   string `bson:"masked"`
	Places   int    `bson:"places"`
	Bookings int    `bson:"bookings"`
	Refused  int    `bson:"refused"`
}

// TakeLimit counts n more places (of bookings bookings) for one phone or
// client on a visit day, or refuses with domain.ErrSoldOut when that
// would pass limit. An upserting $inc by _id alone (the filter the
// embedded server serves from its index; a second condition in the filter
// made it scan the day's collection) and a read of the count; if the count
// went past the limit, a second $inc takes it back and counts the refusal. Two bookings
// racing for the last places may then both be refused, never both pass.
func (s *Store) TakeLimit(ctx context.Context, l tickets.LimitKey, n, bookings, limit int) error {
	col, err := dayCollection(colLimitsPrefix, l.Date)
	if err != nil {
		return err
	}
	id := l.Site + "|" + l.Kind + "|" + l.Key
	upd := bson.D{
		{Key: "$inc", Value: bson.D{{Key: "places", Value: n}, {Key: "bookings", Value: bookings}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "site", Value: l.Site}, {Key: "kind", Value: l.Kind}, {Key: "masked", Value: l.Masked}, {Key: "refused", Value: 0}}},
	}
	var res *mongo.UpdateResult
	for attempt := 0; ; attempt++ {
		// updateOne and findOne by _id: findAndModify scans on the
		// embedded server (measured: it made reservations 3× slower).
		res, err = s.col(col).UpdateOne(ctx, byID(id), upd, options.UpdateOne().SetUpsert(true))
		if err != nil && mongo.IsDuplicateKeyError(err) && attempt < 3 {
			continue // two first bookings of a key raced on MongoDB: the update finds it now
		}
		break
	}
	if err != nil {
		return wrap(col, err)
	}
	var d limitDoc
	if res.UpsertedCount == 1 {
		// The key's first booking of the day (the common case): the
		// count is what was just added, no read needed.
		d.Places = n
	} else if err := s.col(col).FindOne(ctx, byID(id)).Decode(&d); err != nil {
		return wrap(col, err)
	}
	if d.Places <= limit {
		return nil
	}
	_, err = s.col(col).UpdateOne(ctx, byID(id), bson.D{{Key: "$inc", Value: bson.D{
		{Key: "places", Value: -n}, {Key: "bookings", Value: -bookings}, {Key: "refused", Value: 1}}}})
	if err != nil {
		return wrap(col, err)
	}
	return domain.ErrSoldOut
}

// ReturnLimit gives back what TakeLimit counted for a booking that was
// then refused for another reason.
func (s *Store) ReturnLimit(ctx context.Context, l tickets.LimitKey, n int) error {
	col, err := dayCollection(colLimitsPrefix, l.Date)
	if err != nil {
		return err
	}
	_, err = s.col(col).UpdateOne(ctx, byID(l.Site+"|"+l.Kind+"|"+l.Key),
		bson.D{{Key: "$inc", Value: bson.D{{Key: "places", Value: -n}, {Key: "bookings", Value: -1}}}})
	return wrap(col, err)
}

// BulkBookers lists, for a visit day, the phones and clients with at least
// minBookings bookings or any refusal, most places first. The day's
// collection holds one small document per booker.
func (s *Store) BulkBookers(ctx context.Context, date string, minBookings int) ([]tickets.Booker, error) {
	col, err := dayCollection(colLimitsPrefix, date)
	if err != nil {
		return nil, err
	}
	cur, err := s.col(col).Find(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "bookings", Value: bson.D{{Key: "$gte", Value: minBookings}}}},
		bson.D{{Key: "refused", Value: bson.D{{Key: "$gte", Value: 1}}}},
	}}}, options.Find().SetSort(bson.D{{Key: "places", Value: -1}}).SetLimit(500))
	if err != nil {
		return nil, wrap(col, err)
	}
	var docs []limitDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(col, err)
	}
	out := make([]tickets.Booker, len(docs))
	for i, d := range docs {
		out[i] = tickets.Booker{Site: d.Site, Kind: d.Kind, Masked: d.Masked, Places: d.Places, Bookings: d.Bookings, Refused: d.Refused}
	}
	return out, nil
}

// InsertNoShow lists a booking whose places go back at until unless
// someone checks in.
func (s *Store) InsertNoShow(ctx context.Context, ref string, until time.Time) error {
	return s.insertTimed(ctx, colNoShows, ref, until)
}

// DeleteNoShow removes a no-show entry; deleting a missing one is fine.
func (s *Store) DeleteNoShow(ctx context.Context, ref string) error {
	return s.deleteTimed(ctx, colNoShows, ref)
}

// DueNoShows lists up to limit no-show entries whose time is up at now.
func (s *Store) DueNoShows(ctx context.Context, now time.Time, limit int) ([]string, error) {
	return s.dueTimed(ctx, colNoShows, now, limit)
}

// ReservationRefs lists the references of a site's reservations on the
// visit days from..to, or of every site's reservations in state (when
// state is not empty), at most limit. These are console reads, not the
// request path: on the embedded server they scan the collection.
func (s *Store) ReservationRefs(ctx context.Context, f tickets.ReservationFilter, limit int) ([]string, error) {
	filter := bson.D{}
	if f.Site != "" {
		filter = append(filter, bson.E{Key: "site", Value: f.Site})
	}
	if len(f.Sites) > 0 {
		filter = append(filter, bson.E{Key: "site", Value: bson.D{{Key: "$in", Value: f.Sites}}})
	}
	if f.From != "" {
		filter = append(filter, bson.E{Key: "date", Value: bson.D{{Key: "$gte", Value: f.From}, {Key: "$lte", Value: f.To}}})
	}
	if f.State != "" {
		filter = append(filter, bson.E{Key: "state", Value: string(f.State)})
	}
	if len(filter) == 0 {
		return nil, fmt.Errorf("store: reservations: %w", domain.ErrInvalid)
	}
	cur, err := s.col(colReservations).Find(ctx, filter, options.Find().
		SetProjection(bson.D{{Key: "_id", Value: 1}}).SetSort(bson.D{{Key: "date", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, wrap(colReservations, err)
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colReservations, err)
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.ID
	}
	return out, nil
}

// InsertLimits counts, in one unordered insert, the first booking of the
// day of each key (n places each): domain.ErrConflict for a key that has
// bookings already (TakeLimit counts those). One insert for a batch of
// new phones is the embedded server's cheapest write.
func (s *Store) InsertLimits(ctx context.Context, keys []tickets.LimitKey, ns []int) []error {
	out := make([]error, len(keys))
	byCol := map[string][]int{}
	for i, k := range keys {
		col, err := dayCollection(colLimitsPrefix, k.Date)
		if err != nil {
			out[i] = err
			continue
		}
		byCol[col] = append(byCol[col], i)
	}
	for col, idx := range byCol {
		docs := make([]any, len(idx))
		for j, i := range idx {
			k := keys[i]
			docs[j] = limitDoc{ID: k.Site + "|" + k.Kind + "|" + k.Key, Site: k.Site, Kind: k.Kind, Masked: k.Masked, Places: ns[i], Bookings: 1}
		}
		for j, err := range insertManyErrors(ctx, s.col(col), docs) {
			if err != nil && !errors.Is(err, domain.ErrConflict) {
				err = wrap(col, err)
			}
			out[idx[j]] = err
		}
	}
	return out
}
