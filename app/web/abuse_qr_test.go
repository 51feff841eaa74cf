package web

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/qr"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// Finding 8 of the abuse report: distinct colours and sizes made every
// request a fresh render, and 16 connections of them slowed scans to
// 3.2 s. Uncached renders now take a slot of a bounded gate; with the
// gate full, a new colour is answered 503 problem+json with Retry-After
// at once, while cached codes and scans are served as usual.
func TestQRRenderGate(t *testing.T) {
	gate := qr.NewRenderGate(1, 50*time.Millisecond)
	st := storetest.New(t)
	seed(t, st)
	f := newFixtureWith(t, st, nil, func(d *Deps) { d.QRRenders = gate })
	if r := f.get(t, "/qr/HGK2EN.png?size=256&fg=%23000"); r.status != 200 {
		t.Fatalf("render: %d %s", r.status, r.body)
	}
	release, ok := gate.Acquire(context.Background()) // a flood holds the slot
	if !ok {
		t.Fatal("gate busy")
	}
	defer release()

	r := f.get(t, "/qr/HGK2EN.png?size=256&fg=123456", "Accept-Language", "en")
	if r.status != 503 || r.header.Get("Content-Type") != "application/problem+json" || r.header.Get("Retry-After") == "" {
		t.Fatalf("uncached render with the gate full: %d %q Retry-After %q", r.status, r.header.Get("Content-Type"), r.header.Get("Retry-After"))
	}
	var p problem
	if err := json.Unmarshal([]byte(r.body), &p); err != nil || p.Status != 503 || p.Title != "Server busy" {
		t.Fatalf("problem %+v %v", p, err)
	}
	// The same code spelled differently is the cached one: no slot needed.
	for _, q := range []string{"size=256&fg=000000", "size=200&fg=%23000000", "size=256"} {
		if r := f.get(t, "/qr/HGK2EN.png?"+q); r.status != 200 {
			t.Errorf("cached code (%s) with the gate full: %d", q, r.status)
		}
	}
	if r := f.get(t, "/q/HGK2EN"); r.status != 200 {
		t.Errorf("scan with the gate full: %d", r.status)
	}
}
