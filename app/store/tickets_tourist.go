package store

import (
	"context"
	"errors"
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

// InsertFormUse claims a form token with a unique insert; a token in use
// gives back the stored use and false.
func (s *Store) InsertFormUse(ctx context.Context, u tickets.FormUse) (tickets.FormUse, bool, error) {
	_, err := s.col(colFormUses).InsertOne(ctx, formUseDoc(u))
	if err == nil {
		return u, true, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return tickets.FormUse{}, false, wrap(colFormUses, err)
	}
	got, err := s.FormUse(ctx, u.ID)
	if errors.Is(err, domain.ErrNotFound) {
		// Freed between our insert and this read: report it as taken
		// with no reservation; the caller polls again.
		return tickets.FormUse{ID: u.ID, Created: u.Created}, false, nil
	}
	return got, false, err
}

// FormUse returns a form token's use.
func (s *Store) FormUse(ctx context.Context, id string) (tickets.FormUse, error) {
	var d formUseDoc
	if err := s.col(colFormUses).FindOne(ctx, byID(id)).Decode(&d); err != nil {
		return tickets.FormUse{}, wrap(colFormUses, err)
	}
	return tickets.FormUse(d), nil
}

// SetFormUseRef records the reservation a form token made.
func (s *Store) SetFormUseRef(ctx context.Context, id, ref string) error {
	_, err := s.col(colFormUses).UpdateOne(ctx, byID(id), bson.D{{Key: "$set", Value: bson.D{{Key: "ref", Value: ref}}}})
	return wrap(colFormUses, err)
}

// DeleteFormUse frees a form token. Only the request that claimed it (and
// failed) or a reader finding it abandoned calls this, so the filter is
// the _id alone, the one the embedded server finds by index.
func (s *Store) DeleteFormUse(ctx context.Context, id string) error {
	_, err := s.col(colFormUses).DeleteOne(ctx, byID(id))
	return wrap(colFormUses, err)
}

type recoveryDoc struct {
	Key  string   `bson:"_id"`
	Refs []string `bson:"refs"`
}

// AddRecovery lists ref under key; repeating it changes nothing.
func (s *Store) AddRecovery(ctx context.Context, key, ref string) error {
	_, err := s.col(colRecovery).UpdateOne(ctx, byID(key),
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: "refs", Value: ref}}}}, options.UpdateOne().SetUpsert(true))
	return wrap(colRecovery, err)
}

// Recovery returns the refs listed under key.
func (s *Store) Recovery(ctx context.Context, key string) ([]string, error) {
	var d recoveryDoc
	if err := s.col(colRecovery).FindOne(ctx, byID(key)).Decode(&d); err != nil {
		return nil, wrap(colRecovery, err)
	}
	return d.Refs, nil
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
	_, err := s.col(colGateFlags).InsertOne(ctx, d)
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, wrap(colGateFlags, err)
	}
	return true, nil
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
	// Below the embedded server's 100 update statements per bulk.
	var batch []mongo.WriteModel
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := s.col(colRecovery).BulkWrite(ctx, batch, options.BulkWrite().SetOrdered(false))
		batch = batch[:0]
		return wrap(colRecovery, err)
	}
	for cur.Next(ctx) {
		var d reservationDoc
		if err := cur.Decode(&d); err != nil {
			return wrap(colReservations, err)
		}
		for _, v := range d.Visitors {
			batch = append(batch, mongo.NewUpdateOneModel().SetFilter(byID(tickets.RecoveryKey(idKey, v.IDHash, d.Phone))).
				SetUpdate(bson.D{{Key: "$addToSet", Value: bson.D{{Key: "refs", Value: d.Ref}}}}).SetUpsert(true))
			if len(batch) == 50 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if err := cur.Err(); err != nil {
		return wrap(colReservations, err)
	}
	return flush()
}
