package store_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/yimayou/yimayou/app/store/storetest"
)

// Nodes racing to create a day's secret, each on its own connection, all
// end up with the one secret that won.
func TestDailySecretAgreedAcrossNodes(t *testing.T) {
	db := storetest.DBName()
	a := storetest.Open(t, db)
	b := storetest.Open(t, db)
	ctx := context.Background()
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	errs := make([]error, 8)
	for i := range got {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			st := a
			if i%2 == 1 {
				st = b
			}
			got[i], errs[i] = st.DailySecret(ctx, "2026-11-29")
		}(i)
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatalf("node %d: %v", i, errs[i])
		}
		if len(got[i]) != 32 || !bytes.Equal(got[i], got[0]) {
			t.Fatalf("node %d got another secret", i)
		}
	}
	other, err := a.DailySecret(ctx, "2026-11-30")
	if err != nil || bytes.Equal(other, got[0]) {
		t.Fatalf("next day's secret: %v, equal=%v", err, bytes.Equal(other, got[0]))
	}
	if _, err := a.DailySecret(ctx, "not-a-day"); err == nil {
		t.Fatal("accepted a bad day")
	}
}

func TestDeleteSecretsBefore(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	first := map[string][]byte{}
	for _, d := range []string{"2026-11-27", "2026-11-28", "2026-11-29"} {
		s, err := st.DailySecret(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		first[d] = s
	}
	n, err := st.DeleteSecretsBefore(ctx, "2026-11-29")
	if err != nil || n != 2 {
		t.Fatalf("deleted %d, %v", n, err)
	}
	kept, _ := st.DailySecret(ctx, "2026-11-29")
	if !bytes.Equal(kept, first["2026-11-29"]) {
		t.Fatal("today's secret changed")
	}
	renewed, _ := st.DailySecret(ctx, "2026-11-27")
	if bytes.Equal(renewed, first["2026-11-27"]) {
		t.Fatal("a deleted secret came back")
	}
}
