package store_test

import (
	"context"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// indexKeys lists the key patterns of a collection's indexes.
func indexKeys(t *testing.T, s *store.Store, col string) []bson.D {
	t.Helper()
	cur, err := s.Collection(col).Indexes().List(context.Background())
	if err != nil {
		t.Fatalf("listIndexes %s: %v", col, err)
	}
	var specs []struct {
		Key bson.D `bson:"key"`
	}
	if err := cur.All(context.Background(), &specs); err != nil {
		t.Fatal(err)
	}
	out := make([]bson.D, len(specs))
	for i, s := range specs {
		out[i] = s.Key
	}
	return out
}

func direction(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int32:
		return int(n)
	case int64:
		return int(n)
	case float64:
		return int(n)
	}
	return 0
}

// serves reports whether an index with keys serves the shape without a
// collection scan or an in-memory sort: its keys begin with the equality
// fields (in any order), then the sort's fields not fixed by equality
// (all in the sort's direction, or all reversed); without a sort, the
// first key after the equality fields is a range field.
func serves(keys bson.D, sh store.QueryShape) bool {
	i := 0
	eq := map[string]bool{}
	for _, f := range sh.Equality {
		eq[f] = true
	}
	for ; i < len(sh.Equality); i++ {
		if i >= len(keys) || !eq[keys[i].Key] {
			return false
		}
	}
	var sortRest bson.D
	for _, e := range sh.Sort {
		if !eq[e.Key] {
			sortRest = append(sortRest, e)
		}
	}
	if len(sortRest) > 0 {
		sign := 0
		for j, e := range sortRest {
			if i+j >= len(keys) || keys[i+j].Key != e.Key {
				return false
			}
			s := direction(keys[i+j].Value) * direction(e.Value)
			if sign == 0 {
				sign = s
			}
			if s != sign || s == 0 {
				return false
			}
		}
		return true
	}
	if len(sh.Equality) > 0 {
		return true
	}
	for _, r := range sh.Range {
		if len(keys) > 0 && keys[0].Key == r {
			return true
		}
	}
	return false
}

// Every query the store issues on real MongoDB finds an index declared for
// it, on a database made by the migrations alone, and partitions made at
// run time get theirs.
func TestQueryShapesHaveIndexes(t *testing.T) {
	s := storetest.New(t)
	// An event partition made at run time, by the shipper's path.
	insert(t, s, []domain.Event{event("q1", "2026-11-20", domain.EventScan)})
	partition := store.EventsCollection("2026-11-20")
	for _, sh := range store.QueryShapes {
		col := sh.Collection
		if strings.HasSuffix(col, "_") {
			col = partition
		}
		keys := indexKeys(t, s, col)
		ok := false
		for _, k := range keys {
			ok = ok || serves(k, sh)
		}
		if !ok {
			t.Errorf("%s (%s): no index serves equality %v, sort %v, range %v; indexes %v",
				sh.By, col, sh.Equality, sh.Sort, sh.Range, keys)
		}
	}
}

// The matcher itself: a shape is not served by an index on other fields,
// on the fields in the wrong order, or with a mixed sort direction.
func TestServesRejectsWrongIndexes(t *testing.T) {
	sh := store.QueryShape{Equality: []string{"user"}, Sort: bson.D{{Key: "created", Value: -1}, {Key: "_id", Value: -1}}}
	for _, tc := range []struct {
		keys bson.D
		want bool
	}{
		{bson.D{{Key: "user", Value: 1}, {Key: "created", Value: -1}, {Key: "_id", Value: -1}}, true},
		{bson.D{{Key: "user", Value: 1}, {Key: "created", Value: 1}, {Key: "_id", Value: 1}}, true},
		{bson.D{{Key: "user", Value: 1}, {Key: "created", Value: 1}, {Key: "_id", Value: -1}}, false},
		{bson.D{{Key: "created", Value: -1}, {Key: "user", Value: 1}}, false},
		{bson.D{{Key: "user", Value: 1}}, false},
		{bson.D{{Key: "_id", Value: 1}}, false},
	} {
		if got := serves(tc.keys, sh); got != tc.want {
			t.Errorf("serves(%v) = %v, want %v", tc.keys, got, tc.want)
		}
	}
	rangeOnly := store.QueryShape{Range: []string{"exp"}}
	if !serves(bson.D{{Key: "exp", Value: 1}}, rangeOnly) || serves(bson.D{{Key: "_id", Value: 1}}, rangeOnly) {
		t.Error("range-only shape")
	}
}

// Every collection the store uses exists after the migrations, and a
// partition that existed before the migration that declares partition
// indexes gets them too.
func TestMigrationsCreateEveryCollection(t *testing.T) {
	ctx := context.Background()
	s := storetest.NewUnmigrated(t)
	if _, err := s.Collection("events_202601").InsertOne(ctx, bson.D{{Key: "_id", Value: "old"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	names, err := s.CollectionNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	have := strings.Join(names, ",")
	for _, sh := range store.QueryShapes {
		if !strings.HasSuffix(sh.Collection, "_") && !strings.Contains(","+have+",", ","+sh.Collection+",") {
			t.Errorf("%s not created by the migrations (have %s)", sh.Collection, have)
		}
	}
	for _, c := range []string{"media", "ticket_sites", "reservations", "ticket_payments", "app_secrets"} {
		if !strings.Contains(","+have+",", ","+c+",") {
			t.Errorf("%s not created by the migrations", c)
		}
	}
	ok := false
	for _, k := range indexKeys(t, s, "events_202601") {
		ok = ok || serves(k, store.QueryShape{Sort: bson.D{{Key: "t", Value: 1}, {Key: "_id", Value: 1}}})
	}
	if !ok {
		t.Errorf("old partition's indexes after migrating: %v", indexKeys(t, s, "events_202601"))
	}
}

// Retention drops capacity days past the cut, and only those.
func TestDropCapacityBefore(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	for _, d := range []string{"2025-01-01", "2025-10-30", "2025-10-31", "2026-11-30"} {
		if _, err := s.Collection("capacity_"+strings.ReplaceAll(d, "-", "")).InsertOne(ctx, bson.D{{Key: "_id", Value: "x"}}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DropCapacityBefore(ctx, "2025-10-31")
	if err != nil || n != 2 {
		t.Fatalf("dropped %d, %v; want 2", n, err)
	}
	names, _ := s.CollectionNames(ctx)
	have := strings.Join(names, ",")
	if strings.Contains(have, "capacity_20250101") || strings.Contains(have, "capacity_20251030") ||
		!strings.Contains(have, "capacity_20251031") || !strings.Contains(have, "capacity_20261130") {
		t.Errorf("after retention: %s", have)
	}
}
