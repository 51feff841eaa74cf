package events

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

var fastShip = ShipOptions{Duty: 1, BusyDuty: 1, MaxBackoff: 200 * time.Millisecond, MarkEvery: 50 * time.Millisecond}

// drain waits until everything l has written is shipped.
func drain(t *testing.T, l *Log, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		l.stateMu.Lock()
		done := l.shipped.seq >= l.written.seq
		l.stateMu.Unlock()
		if done {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("not drained in %v: lag %+v", within, l.Lag())
}

// mixEvent makes varied events: two sites, three days, bots, tickets.
func mixEvent(i int) domain.Event {
	typ := []domain.EventType{domain.EventScan, domain.EventScan, domain.EventPageView, domain.EventAudioPlay,
		domain.EventTicketPaid, domain.EventScan}[i%6]
	e := domain.NewEvent(typ, time.Date(2026, 11, 28+i%3, i%24, 0, 0, 0, domain.ChinaTime))
	e.ID = fmt.Sprintf("mix-%08d", i)
	e.County = "513322"
	e.Site = []string{"hailuogou", "yanzigou"}[i%2]
	e.Sign = fmt.Sprintf("S%d", i%4)
	e.Lang = domain.Lang([]string{"zh", "en", "bo"}[i%3])
	e.Device = []string{domain.DeviceMobile, domain.DeviceDesktop}[i%2]
	e.Referrer = domain.ReferrerNone
	e.Bot = i%11 == 0
	e.VisitorKey = fmt.Sprintf("visitor-%d", i%37)
	if i%13 == 5 && !e.Bot && (typ == domain.EventScan || typ == domain.EventPageView) {
		// Past its client's recording budget, as the web layer flags it.
		e.Filter, e.VisitorKey = domain.FilterBudget, ""
	}
	if typ == domain.EventTicketPaid {
		e.Extra = map[string]string{stats.ExtraAmountFen: "3500"}
	}
	return e
}

// rawTotals counts raw events in the store the way rollups should.
func rawTotals(t *testing.T, st *store.Store, site, from, to string) (map[string]int64, uint64) {
	t.Helper()
	totals := map[string]int64{}
	sk := stats.NewSketch()
	err := st.Events(context.Background(), store.EventFilter{From: from, To: to, Site: site}, func(e domain.Event) error {
		if e.Bot {
			totals[stats.MetricBot]++
			return nil
		}
		if e.Filter != "" {
			totals[stats.MetricOverBudget]++
			return nil
		}
		totals[stats.MetricOf(e.Type)]++
		if e.Type == domain.EventTicketPaid {
			totals[stats.MetricRevenueFen] += amountFen(&e)
		}
		if e.VisitorKey != "" {
			sk.Add(e.VisitorKey)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return totals, sk.Estimate()
}

// checkRollups asserts that rollups equal the raw events for both sites.
func checkRollups(t *testing.T, st *store.Store, from, to string) map[string]int64 {
	t.Helper()
	all := map[string]int64{}
	for _, site := range []string{"hailuogou", "yanzigou"} {
		raw, uniques := rawTotals(t, st, site, from, to)
		rep, err := stats.NewReader(st).Site(context.Background(), "513322", site, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rep.Totals, raw) {
			t.Fatalf("%s: rollups %v, raw events %v", site, rep.Totals, raw)
		}
		if rep.Visitors != uniques {
			t.Fatalf("%s: rollup uniques %d, raw %d", site, rep.Visitors, uniques)
		}
		for k, v := range raw {
			all[k] += v
		}
	}
	return all
}

func countEvents(t *testing.T, st *store.Store) int64 {
	t.Helper()
	n, err := st.CountEvents(context.Background(), store.EventFilter{From: "2000-01-01", To: "2100-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestShipStoresEventsAndRollups(t *testing.T) {
	st := storetest.New(t)
	dir := t.TempDir()
	l := openTest(t, dir, Options{SegmentBytes: 8 << 10})
	sh := l.Ship(st, fastShip)
	for i := 0; i < 600; i++ {
		if err := l.Record(context.Background(), mixEvent(i)); err != nil {
			t.Fatal(err)
		}
	}
	drain(t, l, 60*time.Second)
	closeLog(t, l)
	if err := sh.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := countEvents(t, st); n != 600 {
		t.Fatalf("%d events stored, want 600", n)
	}
	checkRollups(t, st, "2026-11-28", "2026-11-30")
	if lag := l.Lag(); lag.Events != 0 || lag.Segments != 1 {
		t.Fatalf("after draining: %+v (shipped segments should be deleted)", lag)
	}
	if mark, _ := readMark(dir); mark != 600 {
		t.Fatalf("shipped mark %d", mark)
	}

	// A restart replays nothing new and changes nothing.
	l2 := openTest(t, dir, Options{})
	sh2 := l2.Ship(st, fastShip)
	recordN(t, l2, 0, 0)
	closeLog(t, l2)
	if err := sh2.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := countEvents(t, st); n != 600 {
		t.Fatalf("%d events after restart", n)
	}
}

// allRollups returns every rollup document of a month, by id.
func allRollups(t *testing.T, st *store.Store, month string) map[string]store.Rollup {
	t.Helper()
	out := map[string]store.Rollup{}
	if err := st.RollupsInMonth(context.Background(), month, func(r store.Rollup) error {
		out[r.ID] = r
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func seqEvents(node string, from, n int) []domain.Event {
	evs := make([]domain.Event, n)
	for i := range evs {
		evs[i] = mixEvent(from + i)
		evs[i].Node, evs[i].Seq = node, uint64(from+i+1)
	}
	return evs
}

// Applying the same batch twice, or a prefix and then the whole batch
// (a crash between documents), gives the same rollups as applying it once.
func TestRollupApplyIsIdempotent(t *testing.T) {
	ctx := context.Background()
	once, twice := storetest.New(t), storetest.New(t)
	evs := seqEvents("n1", 0, 300)

	a := newRollupApplier(once, "n1")
	if err := a.apply(ctx, evs); err != nil {
		t.Fatal(err)
	}
	for _, batch := range [][]domain.Event{evs[:120], evs, evs, evs[100:200], evs[250:]} {
		// A fresh applier each time, as after a restart: no cache.
		if err := newRollupApplier(twice, "n1").apply(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	// And one that keeps its cache across the repeats.
	b := newRollupApplier(twice, "n1")
	for _, batch := range [][]domain.Event{evs, evs[:10], evs[290:]} {
		if err := b.apply(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	want, got := allRollups(t, once, "2026-11"), allRollups(t, twice, "2026-11")
	if len(want) == 0 || !reflect.DeepEqual(want, got) {
		t.Fatalf("rollups differ after repeated batches:\nonce  %v\ntwice %v", keys(want), keys(got))
	}

	// A stale write arriving after a newer one changes nothing: $max.
	doc := want[store.RollupID(store.RollupSite, "513322", "hailuogou", "2026-11", "n1")]
	stale := doc
	stale.Seq = 1
	stale.Days = map[string]*store.RollupDay{"28": {Hours: map[string]map[string]int64{"00": {"scan": 1}}}}
	if err := twice.RaiseRollup(ctx, stale); err != nil {
		t.Fatal(err)
	}
	if again := allRollups(t, twice, "2026-11"); !reflect.DeepEqual(want, again) {
		t.Fatal("a stale update lowered a rollup")
	}
}

func keys[V any](m map[string]V) []string {
	ks := slicesSorted(maps.Keys(m))
	return ks
}

func slicesSorted(seq func(func(string) bool)) []string {
	var out []string
	seq(func(s string) bool { out = append(out, s); return true })
	sort.Strings(out)
	return out
}

// Two app nodes, each with its own log, shipper and database connection,
// record into one database: every event is stored once and the rollups
// of both nodes sum to the raw counts.
func TestTwoNodesStayExact(t *testing.T) {
	db := storetest.DBName()
	st1 := storetest.Open(t, db)
	if _, err := st1.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	st2 := storetest.Open(t, db)
	l1 := openTest(t, t.TempDir(), Options{})
	l2 := openTest(t, t.TempDir(), Options{Strict: true})
	if l1.Node() == l2.Node() {
		t.Fatal("two logs share a node id")
	}
	sh1, sh2 := l1.Ship(st1, fastShip), l2.Ship(st2, fastShip)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			l := []*Log{l1, l2}[g%2]
			for i := 0; i < 100; i++ {
				if err := l.Record(context.Background(), mixEvent(g*100+i)); err != nil {
					t.Error(err)
				}
			}
		}(g)
	}
	wg.Wait()
	drain(t, l1, 60*time.Second)
	drain(t, l2, 60*time.Second)
	for _, c := range []interface{ Close(context.Context) error }{l1, sh1, l2, sh2} {
		if err := c.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := countEvents(t, st1); n != 800 {
		t.Fatalf("%d events, want 800", n)
	}
	all := checkRollups(t, st1, "2026-11-28", "2026-11-30")
	var sum int64
	for m, n := range all {
		if m != stats.MetricRevenueFen {
			sum += n
		}
	}
	if sum != 800 {
		t.Fatalf("rollups count %d events, want 800", sum)
	}
	nodes, err := st1.RollupNodes(context.Background(), "2026-11")
	if err != nil || len(nodes) != 2 {
		t.Fatalf("nodes %v %v", nodes, err)
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

var _ = os.Getpid
