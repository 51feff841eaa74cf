package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

// Statistics generations: a counter per past month, raised by every write
// into that month's rollups (late events, `stats rebuild`, gen-events,
// restores). Dashboards key their in-memory months and digests by it, so
// a write on any node makes every node read the month again instead of
// serving a digest made before the write. The current month is skipped:
// its rollups change with every shipped batch and are cached for seconds
// only. All generations live in one meta document, read by _id.
const statsGensID = "stats_generations"

type statsGensDoc struct {
	Months map[string]int64 `bson:"m"`
}

// bumpStatsGenerations raises the generation of each past month in months.
// It runs after the rollup write it reports: a reader that sees the new
// generation reads the new rollups.
func (s *Store) bumpStatsGenerations(ctx context.Context, months map[string]bool) error {
	current := time.Now().In(domain.ChinaTime).Format("2006-01")
	inc := bson.D{}
	for m := range months {
		if m < current && safeField(m) {
			inc = append(inc, bson.E{Key: "m." + m, Value: int64(1)})
		}
	}
	if len(inc) == 0 {
		return nil
	}
	_, err := s.col(colMeta).UpdateOne(ctx, byID(statsGensID), bson.D{{Key: "$inc", Value: inc}},
		options.UpdateOne().SetUpsert(true))
	return wrap(colMeta, err)
}

// StatsGenerations returns the generation of every month that has one
// (months never written after their month ended are absent: generation 0).
func (s *Store) StatsGenerations(ctx context.Context) (map[string]int64, error) {
	var d statsGensDoc
	err := s.col(colMeta).FindOne(ctx, byID(statsGensID)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return map[string]int64{}, nil
	}
	if err != nil {
		return nil, wrap(colMeta, err)
	}
	if d.Months == nil {
		d.Months = map[string]int64{}
	}
	return d.Months, nil
}

func rollupMonths(rs []Rollup) map[string]bool {
	months := map[string]bool{}
	for _, r := range rs {
		months[r.Month] = true
	}
	return months
}

// monthOfRollupID reads the month out of a RollupID.
func monthOfRollupID(id string) string {
	parts := strings.Split(id, "|")
	if len(parts) != 5 {
		return ""
	}
	return parts[3]
}
