package store

import (
	"context"
	"regexp"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/yimayou/yimayou/app/domain"
)

// Bulk removal of whole counties, for `yimayou gen-events --remove`: the
// generator's synthetic counties go with everything written for them.
// Rollup documents are big (the embedded server decodes every one a
// filter other than _id looks at, 10-30 ms each), so they are deleted by
// _id, named from the sites, signs and node-months that can have them.

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

// RollupNodeMonths returns every node that has rollup documents with the
// months it has them in (one small document per node).
func (s *Store) RollupNodeMonths(ctx context.Context) (map[string][]string, error) {
	cur, err := s.col(colRollupNodes).Find(ctx, bson.D{})
	if err != nil {
		return nil, wrap(colRollupNodes, err)
	}
	var docs []struct {
		ID     string   `bson:"_id"`
		Months []string `bson:"months"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colRollupNodes, err)
	}
	out := make(map[string][]string, len(docs))
	for _, d := range docs {
		out[d.ID] = d.Months
	}
	return out, nil
}

// DeleteRollups deletes rollup documents by id (absent ones are skipped)
// and raises the generation of every month it deleted from, so that
// dashboards on every node drop what they hold in memory. progress (may
// be nil) gets the number of ids done.
func (s *Store) DeleteRollups(ctx context.Context, ids []string, progress func(done int)) (int64, error) {
	var n int64
	months := map[string]bool{}
	for i, id := range ids {
		res, err := s.col(colRollups).DeleteOne(ctx, byID(id))
		if err != nil {
			_ = s.bumpStatsGenerations(ctx, months)
			return n, wrap(colRollups, err)
		}
		if res.DeletedCount > 0 {
			n += res.DeletedCount
			for m := range deletedMonths([]string{id}) {
				months[m] = true
			}
		}
		if progress != nil && (i+1)%500 == 0 {
			progress(i + 1)
		}
	}
	if progress != nil {
		progress(len(ids))
	}
	return n, s.bumpStatsGenerations(ctx, months)
}

// DeleteStatsDigestsOfCounties deletes the digests of every site and sign
// of the given counties, whatever their month and generation. Digest ids
// are "v<version>|[g<generation>|]<kind>|<county>|…" (see app/stats): one
// _id filter over the collection.
func (s *Store) DeleteStatsDigestsOfCounties(ctx context.Context, counties []string) error {
	if len(counties) == 0 {
		return nil
	}
	quoted := make([]string, len(counties))
	for i, c := range counties {
		if !domain.ValidCountyCode(c) {
			return &domain.ValidationError{Field: "county", Key: "error.county_code"}
		}
		quoted[i] = regexp.QuoteMeta(c)
	}
	re := `^v[0-9]+\|(g[0-9]+\|)?(` + RollupSite + `|` + RollupSign + `)\|(` + strings.Join(quoted, "|") + `)\|`
	_, err := s.col(colStatsDigests).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: re}}}})
	return wrap(colStatsDigests, err)
}

// DeleteEventsOfCounties deletes the raw events of the given counties from
// every partition and returns how many went. Like Events it scans each
// partition once (they are created on the fly, without secondary
// indexes): it is for a maintenance command, never for a request.
func (s *Store) DeleteEventsOfCounties(ctx context.Context, counties []string) (int64, error) {
	if len(counties) == 0 {
		return 0, nil
	}
	for _, c := range counties {
		if !domain.ValidCountyCode(c) {
			return 0, &domain.ValidationError{Field: "county", Key: "error.county_code"}
		}
	}
	cols, err := s.EventCollections(ctx)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, c := range cols {
		res, err := s.col(c).DeleteMany(ctx, bson.D{{Key: "county", Value: bson.D{{Key: "$in", Value: counties}}}})
		if err != nil {
			return n, wrap(c, err)
		}
		n += res.DeletedCount
	}
	return n, nil
}
