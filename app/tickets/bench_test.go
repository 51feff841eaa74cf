package tickets_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/yimayou/yimayou/app/tickets"
)

// BenchmarkBaselineInsert is the yardstick for the embedded server: one
// plain insert per op, the cheapest write there is. Reservations are
// reported against it.
func BenchmarkBaselineInsert(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if err := e.store.ClaimID(ctx, "2026-12-09", fmt.Sprint("bench|", i), "REF"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inserts/s")
}

// BenchmarkReserve is whole reservations (one visitor, free site: ID
// claim, conditional capacity update, reservation insert, event) from 32
// concurrent clients (as a busy web server has) on the embedded server.
func BenchmarkReserve(b *testing.B) { benchmarkReserve(b, 16) }

// BenchmarkReserveTwoClients is the same with only 2 clients: little to
// group, so close to three single writes per reservation.
func BenchmarkReserveTwoClients(b *testing.B) { benchmarkReserve(b, 1) }

func benchmarkReserve(b *testing.B, parallelism int) {
	e := newEnv(b)
	ctx := context.Background()
	date, slot := "2026-12-02", "1000"
	if err := e.store.EnsureCapacity(ctx, tickets.Capacity{Site: "race", Date: date, Slot: slot, Limit: 1 << 30, Online: 1 << 30, Remaining: 1 << 30}); err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	b.SetParallelism(parallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(n.Add(1))
			if _, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: "race", Date: date, Slot: slot,
				Visitors: []tickets.VisitorInput{passport(i)}, Phone: fmt.Sprintf("138%08d", i)}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reservations/s")
}

// BenchmarkReserveOnce is BenchmarkReserve through the reservation form's
// token (a unique insert before, an update after): what a tourist's POST
// costs.
func BenchmarkReserveOnce(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	date, slot := "2026-12-02", "1000"
	if err := e.store.EnsureCapacity(ctx, tickets.Capacity{Site: "race", Date: date, Slot: slot, Limit: 1 << 30, Online: 1 << 30, Remaining: 1 << 30}); err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(n.Add(1))
			if _, _, err := e.svc.ReserveOnce(ctx, tickets.NewFormToken(), tickets.ReserveRequest{Site: "race", Date: date, Slot: slot,
				Visitors: []tickets.VisitorInput{passport(i)}, Phone: "13800000000"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reservations/s")
}

// BenchmarkVerifyToken is the signature check a gate's scan costs on the
// server before any database work.
func BenchmarkVerifyToken(b *testing.B) {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	ring := tickets.Keyring{Public: map[string]ed25519.PublicKey{"1": key.Public().(ed25519.PublicKey)}}
	tok, err := tickets.Sign(tickets.Claims{KeyID: "1", TicketID: "K7Q2M9XW3D-1", Site: "yading", Date: "2026-12-01", Slot: "0900",
		Days: 3, Type: "adult", IDFirst: "513", IDLast: "1238"}, key)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ring.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckIn is a whole server-side check-in of a fresh ticket:
// verify, read the reservation (rolled forward), insert the check-in,
// record the event.
func BenchmarkCheckIn(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	e.clock.set(china("2026-12-02 10:00"))
	date, slot := "2026-12-02", "2300"
	if err := e.store.EnsureCapacity(ctx, tickets.Capacity{Site: "race", Date: date, Slot: slot, Limit: 1 << 30, Online: 1 << 30, Remaining: 1 << 30}); err != nil {
		b.Fatal(err)
	}
	toks := make([]string, b.N)
	for i := range toks {
		r, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: "race", Date: date, Slot: slot,
			Visitors: []tickets.VisitorInput{passport(i)}, Phone: "13800000000"})
		if err != nil {
			b.Fatal(err)
		}
		toks[i], _ = e.svc.Token(ctx, r.Reservation, 0)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := e.svc.CheckIn(ctx, tickets.CheckinRequest{Token: toks[i], Site: "race", ScanID: fmt.Sprintf("bench-scan-%06d", i)})
		if err != nil || !r.OK {
			b.Fatalf("%+v %v", r, err)
		}
	}
}
