package store

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

// Statistics generations: a counter per month, raised by every write
// into that month's rollups (late events, `stats rebuild`, gen-events,
// restores) that lands in a day before today. Dashboards key their
// in-memory months and digests by it, so a write on any node makes every
// node read the month again instead of serving a digest made before the
// write. Writes into today (China time) raise nothing: today is never
// digested and is cached for seconds only. All generations live in one
// meta document, read by _id.
const statsGensID = "stats_generations"

type statsGensDoc struct {
	Months       map[string]int64 `bson:"m"`
	RankDaysFrom string           `bson:"rankdays,omitempty"`
	// MonthDocs says every month's month documents (MonthKind) are
	// there: set on a database without rollups by its migration, and
	// after folding the older rollups (events.BackfillLevels).
	MonthDocs bool `bson:"monthdocs,omitempty"`
}

// bumpStatsGenerations raises the generation of each month in months
// (see rollupMonths). It runs after the rollup write it reports: a
// reader that sees the new generation reads the new rollups.
func (s *Store) bumpStatsGenerations(ctx context.Context, months map[string]bool) error {
	inc := bson.D{}
	for m := range months {
		if safeField(m) {
			inc = append(inc, bson.E{Key: "m." + m, Value: int64(1)})
		}
	}
	if len(inc) == 0 {
		return nil
	}
	sort.Slice(inc, func(i, j int) bool { return inc[i].Key < inc[j].Key })
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

// rollupMonths returns the months whose generation writing rs raises:
// past months, and the current month if a day before today is written.
func rollupMonths(rs []Rollup) map[string]bool {
	now := time.Now().In(domain.ChinaTime)
	current, today := now.Format("2006-01"), now.Format("02")
	months := map[string]bool{}
	for _, r := range rs {
		switch {
		case r.Month < current:
			months[r.Month] = true
		case r.Month == current:
			for dd := range r.Days {
				// A month document's one day (MonthDay) is written with
				// its day documents, which say whether a past day moved.
				if dd < today && !IsMonthKind(r.Kind) {
					months[r.Month] = true
					break
				}
			}
		}
	}
	return months
}

// deletedMonths is rollupMonths for deleted documents: a past or current
// month (a deletion may take past days with it).
func deletedMonths(ids []string) map[string]bool {
	current := time.Now().In(domain.ChinaTime).Format("2006-01")
	months := map[string]bool{}
	for _, id := range ids {
		if m := monthOfRollupID(id); m != "" && m <= current {
			months[m] = true
		}
	}
	return months
}

// StatsRankDaysFrom returns the first day whose rank-day documents
// (RollupRankDay) are complete: the day after the first start of a
// version that writes them (SetStatsRankDaysFrom). "" if none has
// started yet.
func (s *Store) StatsRankDaysFrom(ctx context.Context) (string, error) {
	var d statsGensDoc
	err := s.col(colMeta).FindOne(ctx, byID(statsGensID)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", nil
	}
	return d.RankDaysFrom, wrap(colMeta, err)
}

// SetStatsRankDaysFrom records day as the first day of complete rank-day
// documents unless a day is recorded already.
func (s *Store) SetStatsRankDaysFrom(ctx context.Context, day string) error {
	_, err := s.col(colMeta).UpdateOne(ctx, bson.D{{Key: "_id", Value: statsGensID}},
		bson.D{{Key: "$min", Value: bson.D{{Key: "rankdays", Value: day}}}}, options.UpdateOne().SetUpsert(true))
	return wrap(colMeta, err)
}

// monthOfRollupID reads the month out of a RollupID.
func monthOfRollupID(id string) string {
	parts := strings.Split(id, "|")
	if len(parts) != 5 {
		return ""
	}
	return parts[3]
}

// StatsMonthDocs says whether every month's month documents (MonthKind)
// are stored: false on a database with rollups from before they existed,
// until events.BackfillLevels has folded them.
func (s *Store) StatsMonthDocs(ctx context.Context) (bool, error) {
	var d statsGensDoc
	err := s.col(colMeta).FindOne(ctx, byID(statsGensID)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	return d.MonthDocs, wrap(colMeta, err)
}

// SetStatsMonthDocs records that they are.
func (s *Store) SetStatsMonthDocs(ctx context.Context) error {
	_, err := s.col(colMeta).UpdateOne(ctx, byID(statsGensID),
		bson.D{{Key: "$set", Value: bson.D{{Key: "monthdocs", Value: true}}}}, options.UpdateOne().SetUpsert(true))
	return wrap(colMeta, err)
}
