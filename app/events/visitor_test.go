package events

import (
	"context"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func TestVisitorKeySameDaySameKeyNextDayDifferent(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 29, 9, 0, 0, 0, domain.ChinaTime)
	clock := func() time.Time { return now }
	// Two nodes with their own caches share the secret through the store.
	a, b := NewSecrets(st, quietLogger(), clock), NewSecrets(st, quietLogger(), clock)

	key := func(s *Secrets, at time.Time, ip string) string {
		secret, err := s.For(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		return VisitorKey(secret, ip, uaIPhone, "hailuogou")
	}
	morning := key(a, now, "203.0.113.7")
	if len(morning) != 16 {
		t.Fatalf("key %q", morning)
	}
	if got := key(a, now.Add(14*time.Hour+59*time.Minute), "203.0.113.7"); got != morning {
		t.Fatal("same visitor, same day (23:59 China time): different key")
	}
	if got := key(b, now.Add(3*time.Hour), "203.0.113.7"); got != morning {
		t.Fatal("another node computes another key for the same visitor and day")
	}
	if got := key(a, now.Add(15*time.Hour+1*time.Minute), "203.0.113.7"); got == morning {
		t.Fatal("same visitor on the next day (00:01) got the same key")
	}
	if key(a, now, "203.0.113.8") == morning {
		t.Fatal("another IP got the same key")
	}
	secret, _ := a.For(ctx, now)
	if VisitorKey(secret, "203.0.113.7", uaIPhone, "yanzigou") == morning {
		t.Fatal("another site got the same key")
	}
	if VisitorKey(secret, "1", "2 3", "s") == VisitorKey(secret, "1 2", "3", "s") {
		t.Fatal("field boundaries are ambiguous")
	}
}

func TestSecretsRefreshFetchesAheadAndDeletesOld(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 29, 23, 0, 0, 0, domain.ChinaTime)
	s := NewSecrets(st, quietLogger(), func() time.Time { return now })
	old, err := st.DailySecret(ctx, "2026-11-20")
	if err != nil || len(old) != 32 {
		t.Fatalf("old secret: %v", err)
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	tomorrow, err := st.DailySecret(ctx, "2026-11-30")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.For(ctx, now.Add(2*time.Hour))
	if err != nil || string(got) != string(tomorrow) {
		t.Fatalf("tomorrow's secret from the cache differs from the store's (%v)", err)
	}
	if again, _ := st.DailySecret(ctx, "2026-11-20"); string(again) == string(old) {
		t.Fatal("a secret older than yesterday was not deleted")
	}
}

func TestTaggerFillsEvent(t *testing.T) {
	st := storetest.New(t)
	tg := NewTagger(NewSecrets(st, quietLogger(), nil), quietLogger())
	e := domain.NewEvent(domain.EventScan, time.Now())
	e.Site = "hailuogou"
	tg.Tag(context.Background(), domain.Client{IP: "203.0.113.7", UserAgent: uaWechat, Method: "GET",
		Referer: "https://mp.weixin.qq.com/s/x", Host: "yimayou.example"}, &e)
	if e.Bot || e.Device != domain.DeviceMobile || e.Referrer != domain.ReferrerWechat || len(e.VisitorKey) != 16 {
		t.Fatalf("tagged %+v", e)
	}
	bot := domain.NewEvent(domain.EventScan, time.Now())
	tg.Tag(context.Background(), domain.Client{UserAgent: "curl/8.5.0", Method: "GET"}, &bot)
	if !bot.Bot || bot.VisitorKey != "" {
		t.Fatalf("bot tagged %+v", bot)
	}
	pre := domain.NewEvent(domain.EventScan, time.Now())
	tg.Tag(context.Background(), domain.Client{UserAgent: uaIPhone, Method: "GET", Purpose: "prefetch"}, &pre)
	if !pre.Bot {
		t.Fatal("prefetch not flagged")
	}
}

func TestTaggerKeyEqualsVisitorKey(t *testing.T) {
	tg := NewTagger(nil, quietLogger())
	for _, secret := range [][]byte{[]byte("secret-one-secret-one-secret-one"), []byte("secret-two-secret-two-secret-two")} {
		for i := 0; i < 3; i++ {
			if tg.key(secret, "203.0.113.7", uaIPhone, "hailuogou") != VisitorKey(secret, "203.0.113.7", uaIPhone, "hailuogou") {
				t.Fatal("pooled HMAC gives another key")
			}
		}
	}
}
