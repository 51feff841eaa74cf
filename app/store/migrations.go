package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

// migration is one step of the schema. The list is append-only: never edit
// or reorder a step that has shipped; add a new one.
type migration struct {
	name string
	up   func(ctx context.Context, s *Store) error
}

var migrations = []migration{
	{"create collections and indexes", func(ctx context.Context, s *Store) error {
		for _, c := range []string{colCounties, colSites, colSigns, colUsers, colMeta} {
			if err := s.ensureCollection(ctx, c); err != nil {
				return err
			}
		}
		// Secondary indexes help real MongoDB; the embedded server accepts
		// and ignores them for queries, so its filtered collections stay
		// small.
		return s.ensureIndexes(ctx, map[string][]mongo.IndexModel{
			colSites: {{Keys: bson.D{{Key: "county", Value: 1}}}},
			colSigns: {{Keys: bson.D{{Key: "site", Value: 1}}}, {Keys: bson.D{{Key: "county", Value: 1}}}},
		})
	}},
	{"sessions and key-value collections", func(ctx context.Context, s *Store) error {
		for _, c := range []string{colSessions, colKV} {
			if err := s.ensureCollection(ctx, c); err != nil {
				return err
			}
		}
		return s.ensureIndexes(ctx, map[string][]mongo.IndexModel{
			colSessions: {{Keys: bson.D{{Key: "user", Value: 1}}}},
		})
	}},
	{"console: drafts, revisions, audit log, alerts, media", func(ctx context.Context, s *Store) error {
		for _, c := range []string{colDrafts, colRevisions, colAudit, colAlerts, colMedia} {
			if err := s.ensureCollection(ctx, c); err != nil {
				return err
			}
		}
		return s.ensureIndexes(ctx, map[string][]mongo.IndexModel{
			colDrafts:    {{Keys: bson.D{{Key: "county", Value: 1}}}},
			colRevisions: {{Keys: bson.D{{Key: "site", Value: 1}, {Key: "_id", Value: -1}}}},
			colAudit:     {{Keys: bson.D{{Key: "county", Value: 1}, {Key: "_id", Value: -1}}}},
		})
	}},
	{"live view minutes per node", func(ctx context.Context, s *Store) error {
		return s.ensureCollection(ctx, colLive)
	}},
	{"tickets: reservation form tokens, lost-link recovery by ID and phone, overturned gate decisions", migrateTouristSafety},
	{"every collection, and an index for every query shape (queryshapes.go)", migrateQueryIndexes},
	{"region: the bureau's identity and tree (region.yaml)", func(ctx context.Context, s *Store) error {
		return s.ensureCollection(ctx, colRegion)
	}},
	{"statistics: month documents, kept from now on; a database without rollups has them all", func(ctx context.Context, s *Store) error {
		byNode, err := s.RollupMonths(ctx)
		if err != nil || len(byNode) > 0 {
			return err // older rollups are folded by events.BackfillLevels
		}
		return s.SetStatsMonthDocs(ctx)
	}},
}

// SchemaVersion is the version this binary migrates to.
func SchemaVersion() int { return len(migrations) }

const colMeta = "meta"

type schemaDoc struct {
	ID      string `bson:"_id"`
	Version int    `bson:"version"`
}

// Migrate applies the pending migrations in order and records each one. It
// refuses to run against a schema newer than this binary knows.
func (s *Store) Migrate(ctx context.Context) (applied int, err error) {
	return s.migrateTo(ctx, len(migrations))
}

// migrateTo applies the migrations up to version target (Restore loads an
// archive into the schema it was made with, then migrates the rest).
func (s *Store) migrateTo(ctx context.Context, target int) (applied int, err error) {
	current, err := s.schemaVersion(ctx)
	if err != nil {
		return 0, err
	}
	if current > len(migrations) {
		return 0, fmt.Errorf("store: schema version %d, this binary knows %d: %w",
			current, len(migrations), domain.ErrSchemaTooNew)
	}
	for i := current; i < min(target, len(migrations)); i++ {
		m := migrations[i]
		if err := m.up(ctx, s); err != nil {
			return applied, fmt.Errorf("store: migration %d (%s): %w", i+1, m.name, err)
		}
		_, err := s.col(colMeta).UpdateOne(ctx, byID("schema"),
			bson.D{{Key: "$set", Value: bson.D{{Key: "version", Value: i + 1}}}},
			options.UpdateOne().SetUpsert(true))
		if err != nil {
			return applied, wrap(colMeta, err)
		}
		applied++
	}
	return applied, nil
}

func (s *Store) schemaVersion(ctx context.Context) (int, error) {
	var doc schemaDoc
	err := s.col(colMeta).FindOne(ctx, byID("schema")).Decode(&doc)
	if err == mongo.ErrNoDocuments {
		return 0, nil
	}
	if err != nil {
		return 0, wrap(colMeta, err)
	}
	return doc.Version, nil
}

// SchemaVersionStored returns the version recorded in the database.
func (s *Store) SchemaVersionStored(ctx context.Context) (int, error) { return s.schemaVersion(ctx) }

func (s *Store) ensureCollection(ctx context.Context, name string) error {
	names, err := s.db.ListCollectionNames(ctx, bson.D{{Key: "name", Value: name}})
	if err != nil {
		return fmt.Errorf("store: list collections: %w", err)
	}
	if len(names) > 0 {
		return nil
	}
	if err := s.db.CreateCollection(ctx, name); err != nil {
		var ce mongo.CommandError
		if asCommandError(err, &ce) && ce.Code == 48 { // NamespaceExists: another node won
			return nil
		}
		return fmt.Errorf("store: create %s: %w", name, err)
	}
	return nil
}

func (s *Store) ensureIndexes(ctx context.Context, idx map[string][]mongo.IndexModel) error {
	for col, models := range idx {
		// One index per command: the embedded server drops the connection
		// when a createIndexes of several indexes finds them all present,
		// which is every re-run of a migration.
		for _, m := range models {
			if _, err := s.col(col).Indexes().CreateOne(ctx, m); err != nil {
				return fmt.Errorf("store: indexes on %s: %w", col, err)
			}
		}
	}
	return nil
}
