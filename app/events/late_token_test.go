package events

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func TestLateToken(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	tg := NewTagger(NewSecrets(st, nil, nil), nil)
	now := time.Now()
	e := domain.NewEvent(domain.EventScan, now)
	e.Site, e.VisitorKey = "hailuogou", "dGhlLXZpc2l0b3I"
	tok := tg.LateToken(ctx, e)
	if tok == "" {
		t.Fatal("no token for a counted event")
	}
	g, err := tg.CheckLateToken(ctx, tok, now)
	if err != nil || g.Site != "hailuogou" || g.VisitorKey != e.VisitorKey || g.Day != e.Day || g.ID == "" {
		t.Fatalf("grant %+v, %v", g, err)
	}
	// Still good the next day, not the day after.
	if _, err := tg.CheckLateToken(ctx, tok, now.Add(24*time.Hour)); err != nil {
		t.Errorf("next day: %v", err)
	}
	if _, err := tg.CheckLateToken(ctx, tok, now.Add(48*time.Hour)); !errors.Is(err, ErrLateToken) {
		t.Errorf("two days on: %v", err)
	}
	parts := strings.Split(tok, ".")
	for name, bad := range map[string]string{
		"other site":    parts[0] + ".yading." + parts[2] + "." + parts[3],
		"other visitor": parts[0] + "." + parts[1] + ".someone-else." + parts[3],
		"other day":     now.Add(-24*time.Hour).In(domain.ChinaTime).Format(time.DateOnly) + "." + parts[1] + "." + parts[2] + "." + parts[3],
		"short":         parts[0] + "." + parts[1],
		"empty":         "",
	} {
		if _, err := tg.CheckLateToken(ctx, bad, now); !errors.Is(err, ErrLateToken) || !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Bots and events past the budget have no visitor key and get none.
	e.VisitorKey = ""
	if tok := tg.LateToken(ctx, e); tok != "" {
		t.Errorf("token without a visitor: %q", tok)
	}
}

func BenchmarkLateToken(b *testing.B) {
	st := storetest.New(b)
	tg := NewTagger(NewSecrets(st, nil, nil), nil)
	e := domain.NewEvent(domain.EventScan, time.Now())
	e.Site, e.VisitorKey = "hailuogou", "dGhlLXZpc2l0b3I"
	ctx := context.Background()
	tg.LateToken(ctx, e)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tg.LateToken(ctx, e)
	}
}

func BenchmarkVisitorKey(b *testing.B) {
	st := storetest.New(b)
	tg := NewTagger(NewSecrets(st, nil, nil), nil)
	secret, _ := tg.secrets.For(context.Background(), time.Now())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tg.key(secret, "117.136.10.20", "Mozilla/5.0 (iPhone) Mobile", "hailuogou")
	}
}
