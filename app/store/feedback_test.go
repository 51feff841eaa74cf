package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func TestFeedbackLifecycle(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	a, err := s.AddFeedback(ctx, domain.Feedback{Site: "yading", County: "513337", Rating: 2, Text: "厕所太少", Lang: domain.Zh})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	b, err := s.AddFeedback(ctx, domain.Feedback{Site: "hailuogou", County: "513322", Rating: 5, Contact: "138"})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.ListFeedback(ctx, nil, false, 0)
	if err != nil || len(list) != 2 || list[0].ID != b.ID {
		t.Fatalf("list newest first: %v %v", list, err)
	}
	only, _ := s.ListFeedback(ctx, []string{"513337"}, false, 10)
	if len(only) != 1 || only[0].Text != "厕所太少" || only[0].Lang != domain.Zh {
		t.Fatalf("county filter: %+v", only)
	}
	first := time.Now().Add(-time.Minute)
	if err := s.ResolveFeedback(ctx, a.ID, "zhuoma", first); err != nil {
		t.Fatal(err)
	}
	if err := s.ResolveFeedback(ctx, a.ID, "someone-else", time.Now()); err != nil {
		t.Fatalf("resolving twice: %v", err)
	}
	got, _ := s.Feedback(ctx, a.ID)
	if got.Open() || got.ResolvedBy != "zhuoma" || !got.ResolvedAt.Equal(first.UTC().Truncate(time.Millisecond)) {
		t.Fatalf("first resolution not kept: %+v", got)
	}
	open, _ := s.ListFeedback(ctx, nil, true, 0)
	if len(open) != 1 || open[0].ID != b.ID {
		t.Fatalf("open only: %+v", open)
	}
	if err := s.ResolveFeedback(ctx, "nope", "x", time.Now()); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
	for _, bad := range []domain.Feedback{
		{Site: "yading", County: "513337", Rating: 0},
		{Site: "yading", County: "513337", Rating: 6},
		{Site: "yading", County: "513337", Rating: 3, Text: strings.Repeat("字", domain.FeedbackMaxText+1)},
		{Site: "Yading!", County: "513337", Rating: 3},
	} {
		if _, err := s.AddFeedback(ctx, bad); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%+v: %v", bad.Rating, err)
		}
	}
}

func TestAppSecretIsSharedAndStable(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	for i := range got {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			got[i], _ = s.AppSecret(ctx, "forms")
		}(i)
	}
	wg.Wait()
	for i := range got {
		if len(got[i]) != 32 || string(got[i]) != string(got[0]) {
			t.Fatalf("secret %d differs or is empty", i)
		}
	}
	other, _ := s.AppSecret(ctx, "other")
	if string(other) == string(got[0]) {
		t.Fatal("two names share a secret")
	}
}
