package store

import (
	"context"
	"reflect"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func rankMonth(seq int64, units map[string]map[string]int64) Rollup {
	return Rollup{ID: RollupID(RollupRankMonth, "513322", "513322", "2026-11", "n1"),
		Kind: RollupRankMonth, County: "513322", Key: "513322", Month: "2026-11", Node: "n1", Seq: seq,
		Days: map[string]*RollupDay{MonthDay: {Units: units}}}
}

// A month rank document's units are stored as one string and read back
// as units; raising it keeps the newest (by seq), as raising counters
// does: a repeated or stale update changes nothing. A day an older
// version wrote as fields is read, and packed at its next raise.
func TestPackedUnitsRaiseAndRead(t *testing.T) {
	st := newMeasureStore(t)
	ctx := context.Background()
	newer := rankMonth(20, map[string]map[string]int64{"s:hailuogou": {"scan": 12, "view": 3}, "g:HGK2EN": {"scan": 5}})
	older := rankMonth(9, map[string]map[string]int64{"s:hailuogou": {"scan": 99}, "s:yanzigou": {"view": 1}})
	for _, r := range []Rollup{newer, older, newer} {
		if err := st.RaiseRollup(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Rollup(ctx, newer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, newer) {
		t.Fatalf("after newer, older, newer:\n got %+v\nwant %+v", got.Days[MonthDay], newer.Days[MonthDay])
	}
	// Seq 100 packs after seq 99 (the padding keeps the string order).
	for _, seq := range []int64{99, 100} {
		r := rankMonth(seq, map[string]map[string]int64{"s:hailuogou": {"scan": seq}})
		if err := st.RaiseRollup(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	got, _ = st.Rollup(ctx, newer.ID)
	if got.Days[MonthDay].Units["s:hailuogou"]["scan"] != 100 || len(got.Days[MonthDay].Units) != 1 {
		t.Fatalf("after seq 99 and 100: %+v", got.Days[MonthDay].Units)
	}

	// A rank-day document written unpacked (as fields) by an older
	// version: read as units, then raised into the packed form alone.
	day := Rollup{ID: RollupID(RollupRankDay, "513322", "2026-11-29", "2026-11", "n1"), Kind: RollupRankDay,
		County: "513322", Key: "2026-11-29", Month: "2026-11", Node: "n1", Seq: 5,
		Days: map[string]*RollupDay{"29": {Units: map[string]map[string]int64{"s:hailuogou": {"scan": 4}}}}}
	if _, err := st.col(colRollups).InsertOne(ctx, day); err != nil {
		t.Fatal(err)
	}
	got, err = st.Rollup(ctx, day.ID)
	if err != nil || !reflect.DeepEqual(got, day) {
		t.Fatalf("unpacked day read as %+v, %v", got, err)
	}
	day.Seq = 6
	day.Days["29"].Units["s:hailuogou"]["scan"] = 5
	if err := st.RaiseRollup(ctx, day); err != nil {
		t.Fatal(err)
	}
	got, _ = st.Rollup(ctx, day.ID)
	if !reflect.DeepEqual(got, day) {
		t.Fatalf("raised day read as %+v", got.Days["29"])
	}
	var raw struct {
		Days map[string]map[string]any `bson:"d"`
	}
	if err := st.col(colRollups).FindOne(ctx, bson.D{{Key: "_id", Value: day.ID}}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw.Days["29"]["t"]; ok || raw.Days["29"]["p"] == nil {
		t.Fatalf("stored day %v: want the packed form alone", raw.Days["29"])
	}
}

// A packed string that is not one made by packUnits is refused, not read
// as zeros; units and metrics that would spell a separator are left out
// when packing.
func TestUnpackUnitsRefusesDamage(t *testing.T) {
	for _, bad := range []string{"", "no version", "00000000000000000001|s:a=scan:1", "00000000000000000001|s:a=scan:x;",
		"00000000000000000001|s:a=scan;", "00000000000000000001|=scan:1;"} {
		if u, err := unpackUnits(bad); err == nil {
			t.Errorf("%q read as %v", bad, u)
		}
	}
	p := packUnits(7, map[string]map[string]int64{"s:a": {"scan": 2, "bad:metric": 1}, "g:b;c": {"scan": 1}, "g:d": {}})
	if p != "00000000000000000007|g:d=;s:a=scan:2;" {
		t.Fatalf("packed %q", p)
	}
	u, err := unpackUnits(p)
	if err != nil || !reflect.DeepEqual(u, map[string]map[string]int64{"s:a": {"scan": 2}, "g:d": {}}) {
		t.Fatalf("unpacked %v, %v", u, err)
	}
}

// A database migrated with no rollups has every month's month documents
// (none); one that already holds rollups waits for the backfill.
func TestMonthDocsMigration(t *testing.T) {
	ctx := context.Background()
	fresh := newMeasureStore(t)
	if _, err := fresh.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, err := fresh.StatsMonthDocs(ctx); err != nil || !ok {
		t.Fatalf("fresh database: month documents %v, %v", ok, err)
	}
	older := newMeasureStore(t)
	if err := older.AddRollupNode(ctx, "n1", "2026-10"); err != nil {
		t.Fatal(err)
	}
	if _, err := older.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, err := older.StatsMonthDocs(ctx); err != nil || ok {
		t.Fatalf("database with rollups: month documents %v, %v", ok, err)
	}
	if err := older.SetStatsMonthDocs(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, _ := older.StatsMonthDocs(ctx); !ok {
		t.Fatal("not recorded")
	}
}

// A day's hours are stored as one string: a day an older version wrote
// as fields is read as before, and its next raise stores it packed
// alone; a stale raise after that changes nothing.
func TestPackedHoursUpgradeAndRaise(t *testing.T) {
	st := newMeasureStore(t)
	ctx := context.Background()
	day := func(seq, scans int64) Rollup {
		return Rollup{ID: RollupID(RollupCounty, "513322", "513322", "2026-11", "n1"), Kind: RollupCounty, County: "513322",
			Key: "513322", Month: "2026-11", Node: "n1", Seq: seq, Days: map[string]*RollupDay{"29": {
				Hours: map[string]map[string]int64{"09": {"scan": scans, "view": 2}, "23": {"bot": 1}},
				Lang:  map[string]int64{"zh": scans}}}}
	}
	old := day(5, 4)
	if _, err := st.col(colRollups).InsertOne(ctx, old); err != nil { // as an older version stored it
		t.Fatal(err)
	}
	if got, err := st.Rollup(ctx, old.ID); err != nil || !reflect.DeepEqual(got, old) {
		t.Fatalf("day of an older version read as %+v, %v", got, err)
	}
	newer := day(9, 6)
	for _, r := range []Rollup{newer, day(7, 5), newer} {
		if err := st.RaiseRollup(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := st.Rollup(ctx, old.ID); !reflect.DeepEqual(got, newer) {
		t.Fatalf("after newer, stale, newer: %+v", got.Days["29"])
	}
	var raw struct {
		Days map[string]map[string]any `bson:"d"`
	}
	if err := st.col(colRollups).FindOne(ctx, bson.D{{Key: "_id", Value: old.ID}}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw.Days["29"]["h"]; ok || raw.Days["29"]["hp"] != "00000000000000000009|09=scan:6,view:2;23=bot:1;" {
		t.Fatalf("stored day %v: want the packed hours alone", raw.Days["29"])
	}
	// A rebuild replaces the day, packed too.
	rebuilt := day(9, 3)
	if err := st.ReplaceRollupDays(ctx, rebuilt); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Rollup(ctx, old.ID); !reflect.DeepEqual(got.Days, rebuilt.Days) {
		t.Fatalf("after a rebuild: %+v", got.Days["29"])
	}
}
