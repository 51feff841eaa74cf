package embedded

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func startTest(t *testing.T) (*Server, *mongo.Client) {
	t.Helper()
	ctx := context.Background()
	srv, err := Start(ctx, Options{Dir: t.TempDir(), FixInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	cl, err := mongo.Connect(options.Client().ApplyURI(srv.URI()).SetMaxPoolSize(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Disconnect(context.Background()) })
	return srv, cl
}

func TestIDLookupUsesIndexAfterFix(t *testing.T) {
	srv, cl := startTest(t)
	ctx := context.Background()
	col := cl.Database("yimayou").Collection("things")
	if _, err := col.InsertOne(ctx, bson.M{"_id": "a", "n": 1}); err != nil {
		t.Fatal(err)
	}

	before, err := srv.QueryPlan(ctx, "yimayou", "things")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(before, "SCAN") {
		t.Fatalf("before the fix the plan should be a scan (FerretDB bug gone?): %q", before)
	}

	if err := srv.EnsureIDIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := srv.QueryPlan(ctx, "yimayou", "things")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(after, "USING INDEX") || !strings.Contains(after, "_idfix") {
		t.Fatalf("plan after fix does not use the _idfix index: %q", after)
	}

	// Uniqueness is still enforced by FerretDB's own index.
	_, err = col.InsertOne(ctx, bson.M{"_id": "a"})
	if !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("duplicate insert: want duplicate key error, got %v", err)
	}
	// Lookups of every _id kind still find their document.
	for _, id := range []any{"s", int32(7), bson.NewObjectID(), bson.D{{Key: "a", Value: 1}}} {
		if _, err := col.InsertOne(ctx, bson.M{"_id": id, "v": fmt.Sprint(id)}); err != nil {
			t.Fatal(err)
		}
		var got bson.M
		if err := col.FindOne(ctx, bson.M{"_id": id}).Decode(&got); err != nil {
			t.Fatalf("find %v: %v", id, err)
		}
		if got["v"] != fmt.Sprint(id) {
			t.Fatalf("find %v: got %v", id, got)
		}
	}
}

func TestNewCollectionsAreFixedInBackground(t *testing.T) {
	ctx := context.Background()
	srv, err := Start(ctx, Options{Dir: t.TempDir(), FixInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	cl, err := mongo.Connect(options.Client().ApplyURI(srv.URI()).SetMaxPoolSize(1))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Disconnect(ctx)
	if _, err := cl.Database("d2").Collection("late").InsertOne(ctx, bson.M{"_id": "x"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		plan, err := srv.QueryPlan(ctx, "d2", "late")
		if err == nil && strings.Contains(plan, "_idfix") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("collection created later was not fixed: plan %q, err %v", plan, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestDataSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		srv, err := Start(ctx, Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		cl, err := mongo.Connect(options.Client().ApplyURI(srv.URI()).SetMaxPoolSize(1))
		if err != nil {
			t.Fatal(err)
		}
		col := cl.Database("yimayou").Collection("keep")
		if i == 0 {
			_, err = col.InsertOne(ctx, bson.M{"_id": "k", "v": "kept"})
		} else {
			var got bson.M
			err = col.FindOne(ctx, bson.M{"_id": "k"}).Decode(&got)
			if err == nil && got["v"] != "kept" {
				err = fmt.Errorf("got %v", got)
			}
		}
		_ = cl.Disconnect(ctx)
		srv.Stop()
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
	}
}
