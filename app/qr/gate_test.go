package qr

import (
	"context"
	"testing"
	"time"
)

func TestRenderGate(t *testing.T) {
	g := NewRenderGate(1, 20*time.Millisecond)
	release, ok := g.Acquire(context.Background())
	if !ok {
		t.Fatal("empty gate refused")
	}
	if _, ok := g.Acquire(context.Background()); ok {
		t.Fatal("full gate gave a second slot")
	}
	// A slot given back while a request waits goes to it.
	g.wait = time.Minute
	got := make(chan bool, 1)
	go func() {
		r, ok := g.Acquire(context.Background())
		if ok {
			r()
		}
		got <- ok
	}()
	for g.waiting.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	release()
	if !<-got {
		t.Fatal("waiting request did not get the freed slot")
	}
}

func TestCached(t *testing.T) {
	r := NewRenderer(DefaultCacheBytes)
	p := DefaultParams()
	if r.Cached("https://x/q/A", p, false) {
		t.Fatal("cached before rendering")
	}
	if _, err := r.PNG("https://x/q/A", p); err != nil {
		t.Fatal(err)
	}
	if !r.Cached("https://x/q/A", p, false) || r.Cached("https://x/q/A", p, true) {
		t.Fatal("Cached does not follow the cache")
	}
}
