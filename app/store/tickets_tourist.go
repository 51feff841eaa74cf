package store

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

// The tourist safety nets: reservation form tokens (a double submit gets
// the first booking back), the lost-link index (ID and phone → refs) and
// the gate decisions the server overturned. All are found by _id, except
// the small gate-flag list, read by day.
const (
	colFormUses  = "reservation_forms"
	colRecovery  = "reservation_recovery"
	colGateFlags = "ticket_gate_flags"
)

type formUseDoc struct {
	ID          string    `bson:"_id"`
	Fingerprint string    `bson:"fp"`
	Ref         string    `bson:"ref"`
	Created     time.Time `bson:"created"`
}

// InsertFormUses claims form tokens with one unordered insert; a token in
// use gives domain.ErrConflict for its use.
func (s *Store) InsertFormUses(ctx context.Context, us []tickets.FormUse) []error {
	docs := make([]any, len(us))
	for i, u := range us {
		docs[i] = formUseDoc(u)
	}
	out := insertManyErrors(ctx, s.col(colFormUses), docs)
	for i, err := range out {
		if err != nil && !errors.Is(err, domain.ErrConflict) {
			out[i] = wrap(colFormUses, err)
		}
	}
	return out
}

// FormUse returns a form token's use.
func (s *Store) FormUse(ctx context.Context, id string) (tickets.FormUse, error) {
	var d formUseDoc
	if err := s.col(colFormUses).FindOne(ctx, byID(id)).Decode(&d); err != nil {
		return tickets.FormUse{}, wrap(colFormUses, err)
	}
	return tickets.FormUse(d), nil
}

// DeleteFormUse frees a form token. Only the request that claimed it (and
// failed) or a reader finding it abandoned calls this, so the filter is
// the _id alone, the one the embedded server finds by index.
func (s *Store) DeleteFormUse(ctx context.Context, id string) error {
	_, err := s.col(colFormUses).DeleteOne(ctx, byID(id))
	return wrap(colFormUses, err)
}

// The recovery index is insert-only, the embedded server's fast path (a
// bulk of upserts costs a write each there): the n-th reservation of an
// ID and phone is the document key|n, found by _id like everything else.
type recoveryDoc struct {
	ID  string `bson:"_id"` // key|n
	Ref string `bson:"ref"`
}

// maxRecoveries bounds the bookings one ID and phone can be listed with.
const maxRecoveries = 50

func recoveryID(key string, n int) string { return key + "|" + strconv.Itoa(n) }

// AddRecoveries lists each entry's ref under its key: one unordered insert
// for all (each at key|0), then the next free number for the keys that
// have bookings already. Repeating it changes nothing.
func (s *Store) AddRecoveries(ctx context.Context, es []tickets.RecoveryEntry) error {
	if len(es) == 0 {
		return nil
	}
	docs := make([]any, len(es))
	for i, e := range es {
		docs[i] = recoveryDoc{ID: recoveryID(e.Key, 0), Ref: e.Ref}
	}
	for i, err := range insertManyErrors(ctx, s.col(colRecovery), docs) {
		if err == nil {
			continue
		}
		if !errors.Is(err, domain.ErrConflict) {
			return wrap(colRecovery, err)
		}
		if err := s.addRecoveryAfter(ctx, es[i]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) addRecoveryAfter(ctx context.Context, e tickets.RecoveryEntry) error {
	for n := 0; n < maxRecoveries; n++ {
		var d recoveryDoc
		err := s.col(colRecovery).FindOne(ctx, byID(recoveryID(e.Key, n))).Decode(&d)
		if err == nil {
			if d.Ref == e.Ref {
				return nil // listed already
			}
			continue
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return wrap(colRecovery, err)
		}
		_, err = s.col(colRecovery).InsertOne(ctx, recoveryDoc{ID: recoveryID(e.Key, n), Ref: e.Ref})
		if err == nil {
			return nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return wrap(colRecovery, err)
		}
		n-- // taken meanwhile: look at it again
	}
	return nil // a full list: the oldest bookings stay findable
}

// Recovery returns the refs listed under key, or domain.ErrNotFound.
func (s *Store) Recovery(ctx context.Context, key string) ([]string, error) {
	var refs []string
	for n := 0; n < maxRecoveries; n++ {
		var d recoveryDoc
		err := s.col(colRecovery).FindOne(ctx, byID(recoveryID(key, n))).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			break
		}
		if err != nil {
			return nil, wrap(colRecovery, err)
		}
		refs = append(refs, d.Ref)
	}
	if len(refs) == 0 {
		return nil, domain.ErrNotFound
	}
	return refs, nil
}

type gateFlagDoc struct {
	ScanID       string    `bson:"_id"`
	TicketID     string    `bson:"ticket"`
	Site         string    `bson:"site"`
	Day          string    `bson:"day"`
	Reason       string    `bson:"reason"`
	At           time.Time `bson:"at"`
	Received     time.Time `bson:"received"`
	By           string    `bson:"by"`
	Device       string    `bson:"device,omitempty"`
	CollectedFen int64     `bson:"collected_fen,omitempty"`
	DueFen       int64     `bson:"due_fen,omitempty"`
}

// InsertGateFlag records an overturned offline decision once per scan.
func (s *Store) InsertGateFlag(ctx context.Context, f tickets.GateFlag) (bool, error) {
	d := gateFlagDoc{ScanID: f.ScanID, TicketID: f.TicketID, Site: f.Site, Day: f.Day, Reason: string(f.Reason), At: f.At,
		Received: f.Received, By: f.By, Device: f.Device, CollectedFen: f.CollectedFen, DueFen: f.DueFen}
	return s.insertOnce(ctx, colGateFlags, d)
}

// GateFlags lists the overturned decisions of day. They are rare (each is
// a person let in wrongly), so the filtered read stays cheap.
func (s *Store) GateFlags(ctx context.Context, day string) ([]tickets.GateFlag, error) {
	cur, err := s.col(colGateFlags).Find(ctx, bson.D{{Key: "day", Value: day}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}}).SetLimit(1000))
	if err != nil {
		return nil, wrap(colGateFlags, err)
	}
	var docs []gateFlagDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colGateFlags, err)
	}
	out := make([]tickets.GateFlag, len(docs))
	for i, d := range docs {
		out[i] = tickets.GateFlag{ScanID: d.ScanID, TicketID: d.TicketID, Site: d.Site, Day: d.Day, Reason: tickets.Reason(d.Reason),
			At: d.At, Received: d.Received, By: d.By, Device: d.Device, CollectedFen: d.CollectedFen, DueFen: d.DueFen}
	}
	return out, nil
}

// migrateTouristSafety creates the collections and lists every
// reservation made before lost-link recovery existed under its visitors'
// IDs and phone.
func migrateTouristSafety(ctx context.Context, s *Store) error {
	for _, c := range []string{colFormUses, colRecovery, colGateFlags} {
		if err := s.ensureCollection(ctx, c); err != nil {
			return err
		}
	}
	if err := s.ensureIndexes(ctx, map[string][]mongo.IndexModel{
		colGateFlags: {{Keys: bson.D{{Key: "day", Value: 1}}}},
	}); err != nil {
		return err
	}
	n, err := s.col(colReservations).EstimatedDocumentCount(ctx)
	if err != nil || n == 0 {
		return wrap(colReservations, err)
	}
	idKey, err := s.TicketSecret(ctx, "id-hmac")
	if err != nil {
		return err
	}
	cur, err := s.col(colReservations).Find(ctx, bson.D{},
		options.Find().SetProjection(bson.D{{Key: "phone", Value: 1}, {Key: "visitors.id_hash", Value: 1}}))
	if err != nil {
		return wrap(colReservations, err)
	}
	defer cur.Close(ctx)
	var batch []tickets.RecoveryEntry
	flush := func() error {
		err := s.AddRecoveries(ctx, batch)
		batch = batch[:0]
		return err
	}
	for cur.Next(ctx) {
		var d reservationDoc
		if err := cur.Decode(&d); err != nil {
			return wrap(colReservations, err)
		}
		for _, v := range d.Visitors {
			batch = append(batch, tickets.RecoveryEntry{Key: tickets.RecoveryKey(idKey, v.IDHash, d.Phone), Ref: d.Ref})
		}
		if len(batch) >= 500 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := cur.Err(); err != nil {
		return wrap(colReservations, err)
	}
	return flush()
}
