package events

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/embedded"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// The database goes away under load: recording goes on at full speed,
// the log grows, and once the database is back the shipper drains it with
// nothing lost and nothing counted twice.
func TestOutageLosesNothing(t *testing.T) {
	if !storetest.Embedded() {
		t.Skip("stops its own embedded server")
	}
	dbDir := t.TempDir()
	addr := freeAddr(t)
	start := func() *embedded.Server {
		srv, err := embedded.Start(context.Background(), embedded.Options{Dir: dbDir, Addr: addr, Logger: quietLogger()})
		if err != nil {
			t.Fatalf("start embedded: %v", err)
		}
		return srv
	}
	srv := start()
	defer func() { srv.Stop() }()
	st, err := store.Open(context.Background(), store.Options{URI: srv.URI(), SingleConnection: true, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(context.Background())
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}

	l := openTest(t, t.TempDir(), Options{})
	opt := fastShip
	opt.OpTimeout = 2 * time.Second
	sh := l.Ship(st, opt)
	record := func(from, n int) {
		t.Helper()
		for i := from; i < from+n; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			err := l.Record(ctx, mixEvent(i))
			cancel()
			if err != nil {
				t.Fatalf("record %d: %v", i, err)
			}
		}
	}
	record(0, 200)
	drain(t, l, 30*time.Second)

	srv.Stop()
	began := time.Now()
	record(200, 300)
	if d := time.Since(began); d > 5*time.Second {
		t.Fatalf("recording slowed to %v during the outage", d)
	}
	time.Sleep(300 * time.Millisecond) // let the shipper fail a few times
	if lag := l.Lag(); lag.Events == 0 || lag.Bytes == 0 {
		t.Fatalf("no lag during the outage: %+v", lag)
	}

	srv = start()
	record(500, 100)
	drain(t, l, 60*time.Second)
	closeLog(t, l)
	if err := sh.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f := l.shipFailures.Load(); f == 0 {
		t.Fatal("the shipper never saw the outage")
	}
	if n := countEvents(t, st); n != 600 {
		t.Fatalf("%d events stored, want 600", n)
	}
	checkRollups(t, st, "2026-11-28", "2026-11-30")
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
