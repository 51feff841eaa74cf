package store

import (
	"context"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// The embedded server answers only {_id: x} from an index (MONGO-SUBSET.md);
// real MongoDB answers every query from the index this file declares for
// it. QueryShapes lists every query the store issues on a field other than
// _id alone; TestQueryShapesHaveIndexes checks, with listIndexes on a
// migrated database, that each has an index whose keys begin with its
// equality fields, then its sort. A new query goes here with its index.

// QueryShape is the form of one query: the fields compared with a value,
// the sort, and the fields compared with a range.
type QueryShape struct {
	Collection string // a collection, or a partition prefix ending in "_"
	Equality   []string
	Sort       bson.D
	Range      []string
	By         string // the store method that issues it
}

func asc(keys ...string) bson.D {
	d := bson.D{}
	for _, k := range keys {
		d = append(d, bson.E{Key: k, Value: 1})
	}
	return d
}

var idDesc = bson.D{{Key: "_id", Value: -1}}

// QueryShapes is every query the store makes that is not by _id alone.
var QueryShapes = []QueryShape{
	{Collection: colAlerts, Sort: idDesc, By: "Alerts"},
	{Collection: colAPITokens, Equality: []string{"user"}, Sort: bson.D{{Key: "created", Value: -1}}, By: "APITokens"},
	{Collection: colAudit, Sort: idDesc, Range: []string{"_id"}, By: "Audit"},
	{Collection: colAudit, Equality: []string{"county"}, Sort: idDesc, Range: []string{"_id"}, By: "Audit (county)"},
	{Collection: colAudit, Equality: []string{"object"}, Sort: idDesc, Range: []string{"_id"}, By: "Audit (object)"},
	{Collection: colAudit, Equality: []string{"user"}, Sort: idDesc, Range: []string{"_id"}, By: "Audit (user)"},
	{Collection: colCounties, Sort: asc("_id"), By: "Counties"},
	{Collection: colDrafts, Equality: []string{"county"}, By: "DraftKeys"},
	{Collection: eventsPrefix, Sort: asc("t", "_id"), Range: []string{"day"}, By: "Events"},
	{Collection: colFeedback, Sort: bson.D{{Key: "created", Value: -1}}, By: "ListFeedback"},
	{Collection: colFeedback, Equality: []string{"county"}, Sort: bson.D{{Key: "created", Value: -1}}, By: "ListFeedback (counties)"},
	{Collection: colKV, Range: []string{"_id"}, By: "KV.Reset (prefix)"},
	{Collection: colKV, Range: []string{"exp"}, By: "DeleteExpiredKV"},
	{Collection: colRevisions, Equality: []string{"site"}, Sort: idDesc, By: "Revisions"},
	{Collection: colRollupNodes, Equality: []string{"months"}, By: "RollupNodes"},
	{Collection: colRollups, Equality: []string{"month"}, Sort: asc("_id"), By: "RollupsInMonth"},
	{Collection: colSecrets, Range: []string{"_id"}, By: "DeleteSecretsBefore"},
	{Collection: colSessions, Equality: []string{"user"}, By: "DeleteUserSessions"},
	{Collection: colSessions, Range: []string{"expires"}, By: "DeleteExpiredSessions"},
	{Collection: colSigns, Sort: asc("site", "_id"), By: "Signs"},
	{Collection: colSigns, Equality: []string{"county"}, Sort: asc("site", "_id"), By: "Signs (county)"},
	{Collection: colSigns, Equality: []string{"site"}, Sort: asc("site", "_id"), By: "Signs (site)"},
	{Collection: colSigns, Equality: []string{"county", "site"}, Sort: asc("site", "_id"), By: "Signs (county, site)"},
	{Collection: colSigns, Equality: []string{"site"}, Range: []string{"county"}, By: "SaveSite (signs' county)"},
	{Collection: colSites, Sort: asc("_id"), By: "Sites"},
	{Collection: colSites, Equality: []string{"county"}, Sort: asc("_id"), By: "Sites (county)"},
	{Collection: colStatsDigests, Equality: []string{"month"}, By: "DeleteStatsDigests"},
	{Collection: colTicketKeys, Equality: []string{"kind"}, By: "TicketSigningKeys"},
	{Collection: colHolds, Sort: asc("until"), Range: []string{"until"}, By: "DueHolds"},
	{Collection: colDoubleUses, Equality: []string{"day"}, Sort: asc("at"), By: "DoubleUses"},
	{Collection: colUsers, Sort: asc("_id"), By: "Users"},
	{Collection: colTicketSites, Sort: asc("_id"), By: "TicketSites"},
	{Collection: colNoShows, Sort: asc("until"), Range: []string{"until"}, By: "DueNoShows"},
	{Collection: colReservations, Equality: []string{"site"}, Sort: asc("date", "_id"), Range: []string{"date"}, By: "ReservationRefs (site, days)"},
	{Collection: colReservations, Equality: []string{"state"}, Sort: asc("date", "_id"), By: "ReservationRefs (state)"},
	{Collection: colGateFlags, Equality: []string{"day"}, Sort: asc("at"), By: "GateFlags"},
	{Collection: colLateClaims, Range: []string{"exp"}, By: "DeleteExpiredLateClaims"},
	{Collection: colLoginAttempts, Range: []string{"exp"}, By: "DeleteExpiredLoginAttempts"},
}

// fixedCollections are the collections the migrations create; partition
// collections (partitionPrefixes) are made when first written, by
// ensurePartition.
var fixedCollections = []string{
	colAlerts, colAPITokens, colAppSecrets, colAudit, colCounties, colDrafts, colFeedback, colKV, colMedia,
	colMeta, colRevisions, colRollupNodes, colRollups, colSecrets, colSessions, colSigns, colSites,
	colStatsDigests, colTicketKeys, colTicketSites, colReservations, colTransitions, colHolds, colCheckins,
	colDoubleUses, colPayments, colUsers,
	colNoShows, colLive, colLateClaims, colLoginAttempts, colLogos, colFormUses, colGateFlags, colRecovery, colRegion,
}

// queryIndexes are the secondary indexes of the fixed collections that
// the first migrations did not create.
var queryIndexes = map[string][]bson.D{
	colAPITokens:     {{{Key: "user", Value: 1}, {Key: "created", Value: -1}}},
	colAudit:         {{{Key: "object", Value: 1}, {Key: "_id", Value: -1}}, {{Key: "user", Value: 1}, {Key: "_id", Value: -1}}},
	colFeedback:      {{{Key: "created", Value: -1}}, {{Key: "county", Value: 1}, {Key: "created", Value: -1}}},
	colKV:            {asc("exp")},
	colRollupNodes:   {asc("months")},
	colRollups:       {asc("month", "_id")},
	colSessions:      {asc("expires")},
	colSigns:         {asc("site", "_id"), asc("county", "site", "_id")},
	colSites:         {asc("county", "_id")},
	colStatsDigests:  {asc("month")},
	colTicketKeys:    {asc("kind")},
	colHolds:         {asc("until")},
	colDoubleUses:    {asc("day", "at")},
	colGateFlags:     {asc("day", "at")},
	colNoShows:       {asc("until")},
	colReservations:  {asc("site", "date", "_id"), asc("state", "date", "_id")},
	colLateClaims:    {asc("exp")},
	colLoginAttempts: {asc("exp")},
}

// partitionPrefixes name the collections made on the fly: raw events per
// month, capacity and ID claims per visit day.
var partitionPrefixes = []string{eventsPrefix, colCapacityPrefix, colIDClaimsPrefix}

func partitionPrefix(name string) string {
	for _, p := range partitionPrefixes {
		if strings.HasPrefix(name, p) {
			return p
		}
	}
	return ""
}

// partitionIndexes returns the secondary indexes of a partition
// collection (nil for capacity and ID claims: they are read by _id only).
func partitionIndexes(prefix string) []bson.D {
	if prefix == eventsPrefix {
		return []bson.D{asc("t", "_id")}
	}
	return nil
}

// ensurePartition creates a partition collection with its indexes, once
// per Store; other names are left alone. Both the migrations and every
// writer of partitions call it, so a partition made at run time has the
// same indexes as one made by a migration.
func (s *Store) ensurePartition(ctx context.Context, name string) error {
	prefix := partitionPrefix(name)
	if prefix == "" {
		return nil
	}
	if _, ok := s.partitions.Load(name); ok {
		return nil
	}
	if err := s.ensureCollection(ctx, name); err != nil {
		return err
	}
	var models []mongo.IndexModel
	for _, k := range partitionIndexes(prefix) {
		models = append(models, mongo.IndexModel{Keys: k})
	}
	if err := s.ensureIndexes(ctx, map[string][]mongo.IndexModel{name: models}); err != nil {
		return err
	}
	s.partitions.Store(name, true)
	return nil
}

// migrateQueryIndexes is the migration that creates every fixed
// collection, every index of QueryShapes, and the indexes of the
// partitions that exist already.
func migrateQueryIndexes(ctx context.Context, s *Store) error {
	for _, c := range fixedCollections {
		if err := s.ensureCollection(ctx, c); err != nil {
			return err
		}
	}
	idx := map[string][]mongo.IndexModel{}
	for c, keys := range queryIndexes {
		for _, k := range keys {
			idx[c] = append(idx[c], mongo.IndexModel{Keys: k})
		}
	}
	if err := s.ensureIndexes(ctx, idx); err != nil {
		return err
	}
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := s.ensurePartition(ctx, n); err != nil {
			return err
		}
	}
	return nil
}
