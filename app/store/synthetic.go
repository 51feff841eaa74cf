package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

// Bulk removal of a whole county, for `yimayou gen-events --remove`: the
// generator's synthetic counties go with everything written for them.

// RemoveCounty deletes a county with its sites and signs, and bumps the
// content version so every node's catalogue drops them. It returns how
// many sites and signs went.
func (s *Store) RemoveCounty(ctx context.Context, code string) (sites, signs int64, err error) {
	if !domain.ValidCountyCode(code) {
		return 0, 0, &domain.ValidationError{Field: "county", Key: "error.county_code"}
	}
	res, err := s.col(colSigns).DeleteMany(ctx, bson.D{{Key: "county", Value: code}})
	if err != nil {
		return 0, 0, wrap(colSigns, err)
	}
	signs = res.DeletedCount
	res, err = s.col(colSites).DeleteMany(ctx, bson.D{{Key: "county", Value: code}})
	if err != nil {
		return 0, signs, wrap(colSites, err)
	}
	sites = res.DeletedCount
	if _, err := s.col(colCounties).DeleteOne(ctx, byID(code)); err != nil {
		return sites, signs, wrap(colCounties, err)
	}
	return sites, signs, s.bumpContentVersion(ctx)
}

// DeleteRollupsOfCounty deletes every rollup document (site and sign, all
// nodes, all months) of a county and the digests made from them, then
// raises the generation of every month it touched so that dashboards on
// every node drop what they hold in memory. It returns the number of
// rollup documents deleted.
func (s *Store) DeleteRollupsOfCounty(ctx context.Context, county string) (int64, error) {
	if !domain.ValidCountyCode(county) {
		return 0, &domain.ValidationError{Field: "county", Key: "error.county_code"}
	}
	filter := bson.D{{Key: "county", Value: county}}
	cur, err := s.col(colRollups).Find(ctx, filter, options.Find().SetProjection(bson.D{{Key: "month", Value: 1}}))
	if err != nil {
		return 0, wrap(colRollups, err)
	}
	var heads []struct {
		Month string `bson:"month"`
	}
	if err := cur.All(ctx, &heads); err != nil {
		return 0, wrap(colRollups, err)
	}
	months := map[string]bool{}
	for _, h := range heads {
		months[h.Month] = true
	}
	res, err := s.col(colRollups).DeleteMany(ctx, filter)
	if err != nil {
		return 0, wrap(colRollups, err)
	}
	// Digest ids are "v<version>|[g<generation>|]<kind>|<county>|…" (see
	// app/stats); an _id filter, so no index is needed.
	re := `^v[0-9]+\|(g[0-9]+\|)?(` + RollupSite + `|` + RollupSign + `)\|` + county + `\|`
	if _, err := s.col(colStatsDigests).DeleteMany(ctx,
		bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: re}}}}); err != nil {
		return res.DeletedCount, wrap(colStatsDigests, err)
	}
	return res.DeletedCount, s.bumpStatsGenerations(ctx, months)
}

// DeleteEventsOfCounty deletes the raw events of a county from every
// partition and returns how many went. Like Events it scans partitions
// (they are created on the fly, without secondary indexes): it is for a
// maintenance command, never for a request.
func (s *Store) DeleteEventsOfCounty(ctx context.Context, county string) (int64, error) {
	if !domain.ValidCountyCode(county) {
		return 0, &domain.ValidationError{Field: "county", Key: "error.county_code"}
	}
	cols, err := s.EventCollections(ctx)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, c := range cols {
		res, err := s.col(c).DeleteMany(ctx, bson.D{{Key: "county", Value: county}})
		if err != nil {
			return n, wrap(c, err)
		}
		n += res.DeletedCount
	}
	return n, nil
}
