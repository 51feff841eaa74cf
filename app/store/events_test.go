package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// event returns an event at noon China time of day.
func event(id, day string, typ domain.EventType) domain.Event {
	d, err := time.ParseInLocation(time.DateOnly, day, domain.ChinaTime)
	if err != nil {
		panic(err)
	}
	e := domain.Event{ID: id, Type: typ}
	e.SetTime(d.Add(12 * time.Hour))
	return e
}

// at returns an event at a given China-time clock reading.
func at(id string, typ domain.EventType, county, site string, y int, mo time.Month, d, h, mi int) domain.Event {
	e := domain.Event{ID: id, Type: typ, County: county, Site: site}
	e.SetTime(time.Date(y, mo, d, h, mi, 0, 0, domain.ChinaTime))
	return e
}

func insert(t *testing.T, s *store.Store, events []domain.Event) (inserted, duplicates int) {
	t.Helper()
	ins, dups, err := s.InsertEvents(context.Background(), events)
	if err != nil {
		t.Fatalf("InsertEvents: %v", err)
	}
	return ins, dups
}

func collections(t *testing.T, s *store.Store) []string {
	t.Helper()
	cols, err := s.EventCollections(context.Background())
	if err != nil {
		t.Fatalf("EventCollections: %v", err)
	}
	return cols
}

func eventIDs(t *testing.T, s *store.Store, f store.EventFilter) []string {
	t.Helper()
	var ids []string
	err := s.Events(context.Background(), f, func(e domain.Event) error {
		ids = append(ids, e.ID)
		return nil
	})
	if err != nil {
		t.Fatalf("Events(%+v): %v", f, err)
	}
	return ids
}

func countEvents(t *testing.T, s *store.Store, f store.EventFilter) int64 {
	t.Helper()
	n, err := s.CountEvents(context.Background(), f)
	if err != nil {
		t.Fatalf("CountEvents(%+v): %v", f, err)
	}
	return n
}

// sameStrings compares lists, treating nil and empty alike.
func sameStrings(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

var allOf2026 = store.EventFilter{From: "2026-01-01", To: "2026-12-31"}

func TestEventsCollection(t *testing.T) {
	for day, want := range map[string]string{
		"2026-11-29": "events_202611",
		"2026-01-01": "events_202601",
		"2027-12-31": "events_202712",
	} {
		if got := store.EventsCollection(day); got != want {
			t.Errorf("EventsCollection(%q) = %q, want %q", day, got, want)
		}
	}
}

func TestInsertEventsRoundTrip(t *testing.T) {
	s := storetest.New(t)
	full := domain.Event{ID: domain.NewEventID(), Type: domain.EventTicketPaid, County: luding, Site: "hailuogou",
		Sign: "HGG2X7", Lang: domain.Bo, Device: domain.DeviceMobile, Referrer: domain.ReferrerWechat, Bot: true,
		VisitorKey: "vk-3f9a", Extra: map[string]string{"ticket": "T-1", "fen": "9000"}}
	full.SetTime(time.Date(2026, 11, 29, 13, 45, 12, 123456789, domain.ChinaTime))
	bare := event("bare", "2026-11-29", domain.EventScan) // noon, before full

	if ins, dups := insert(t, s, []domain.Event{bare, full}); ins != 2 || dups != 0 {
		t.Fatalf("InsertEvents = %d inserted, %d duplicates; want 2, 0", ins, dups)
	}
	var got []domain.Event
	err := s.Events(context.Background(), store.EventFilter{From: "2026-11-29", To: "2026-11-29"}, func(e domain.Event) error {
		got = append(got, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("Events returned %d events, want 2", len(got))
	}
	for i, want := range []domain.Event{bare, full} { // ordered by time
		if !sameTime(got[i].Time, want.Time) {
			t.Errorf("event %s: Time = %v, want %v", want.ID, got[i].Time, want.Time)
		}
		g := got[i]
		g.Time, want.Time = time.Time{}, time.Time{}
		if !reflect.DeepEqual(g, want) {
			t.Errorf("event = %#v\nwant    %#v", g, want)
		}
	}
	if got[1].Day != "2026-11-29" || got[1].Hour != 13 {
		t.Errorf("Day, Hour = %s, %d; want 2026-11-29, 13", got[1].Day, got[1].Hour)
	}
}

func TestInsertEventsPartitionsByMonth(t *testing.T) {
	s := storetest.New(t)
	if cols := collections(t, s); len(cols) != 0 {
		t.Fatalf("fresh store has event partitions %v", cols)
	}
	events := []domain.Event{
		event("a", "2026-10-30", domain.EventScan),
		event("b", "2026-11-02", domain.EventScan),
		// 00:30 on 1 November in China is still 31 October in UTC: the
		// partition follows the China day.
		at("c", domain.EventScan, "", "", 2026, 11, 1, 0, 30),
		event("d", "2026-10-01", domain.EventPageView),
	}
	if events[2].Day != "2026-11-01" || events[2].Time.UTC().Day() != 31 {
		t.Fatalf("fixture: event c is %s / %v", events[2].Day, events[2].Time)
	}
	if ins, dups := insert(t, s, events); ins != 4 || dups != 0 {
		t.Fatalf("InsertEvents = %d, %d; want 4, 0", ins, dups)
	}
	want := []string{"events_202610", "events_202611"}
	if cols := collections(t, s); !reflect.DeepEqual(cols, want) {
		t.Fatalf("EventCollections = %v, want %v", cols, want)
	}
	if n := countEvents(t, s, store.EventFilter{From: "2026-10-01", To: "2026-10-31"}); n != 2 {
		t.Errorf("October events = %d, want 2", n)
	}
	if ids := eventIDs(t, s, store.EventFilter{From: "2026-11-01", To: "2026-11-30"}); !reflect.DeepEqual(ids, []string{"c", "b"}) {
		t.Errorf("November events = %v, want [c b]", ids)
	}
}

func TestInsertEventsReplayIsIdempotent(t *testing.T) {
	s := storetest.New(t)
	// Larger than one FerretDB cursor pool (100) and spread over two months.
	var batch []domain.Event
	for i := range 240 {
		day := fmt.Sprintf("2026-10-%02d", 1+i%31)
		if i%2 == 1 {
			day = fmt.Sprintf("2026-11-%02d", 1+i%30)
		}
		batch = append(batch, event(fmt.Sprintf("ev-%03d", i), day, domain.EventScan))
	}
	if ins, dups := insert(t, s, batch); ins != 240 || dups != 0 {
		t.Fatalf("first InsertEvents = %d, %d; want 240, 0", ins, dups)
	}
	for round := 1; round <= 2; round++ {
		if ins, dups := insert(t, s, batch); ins != 0 || dups != 240 {
			t.Fatalf("replay %d: InsertEvents = %d inserted, %d duplicates; want 0, 240", round, ins, dups)
		}
	}
	if n := countEvents(t, s, allOf2026); n != 240 {
		t.Fatalf("CountEvents after replays = %d, want 240", n)
	}
}

func TestInsertEventsMixedBatch(t *testing.T) {
	s := storetest.New(t)
	old := []domain.Event{
		event("o1", "2026-10-05", domain.EventScan),
		event("o2", "2026-11-05", domain.EventScan),
		event("o3", "2026-11-06", domain.EventScan),
	}
	insert(t, s, old)
	mixed := []domain.Event{
		event("n1", "2026-10-06", domain.EventScan),
		old[1],
		event("n2", "2026-11-07", domain.EventScan),
		old[0],
		event("n3", "2026-12-01", domain.EventScan), // a new partition
		old[2],
		event("n4", "2026-11-08", domain.EventScan),
	}
	if ins, dups := insert(t, s, mixed); ins != 4 || dups != 3 {
		t.Fatalf("mixed InsertEvents = %d inserted, %d duplicates; want 4, 3", ins, dups)
	}
	if n := countEvents(t, s, allOf2026); n != 7 {
		t.Fatalf("CountEvents = %d, want 7", n)
	}
	// A batch that repeats an id within itself stores it once.
	twice := event("t1", "2026-11-09", domain.EventScan)
	if ins, dups := insert(t, s, []domain.Event{twice, twice}); ins != 1 || dups != 1 {
		t.Fatalf("batch with a repeated id = %d, %d; want 1, 1", ins, dups)
	}
	if n := countEvents(t, s, allOf2026); n != 8 {
		t.Fatalf("CountEvents = %d, want 8", n)
	}
}

func TestInsertEventsInvalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(*domain.Event)
	}{
		{"no id", func(e *domain.Event) { e.ID = "" }},
		{"no day", func(e *domain.Event) { e.Day = "" }},
		{"short day", func(e *domain.Event) { e.Day = "2026-11" }},
		{"slashes", func(e *domain.Event) { e.Day = "2026/11/29" }},
		{"not a date", func(e *domain.Event) { e.Day = "abcdefghij" }},
		{"month 13", func(e *domain.Event) { e.Day = "2026-13-01" }},
	}
	s := storetest.New(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := event("bad", "2026-11-29", domain.EventScan)
			tt.change(&bad)
			// The valid events before and after it must not be written either.
			batch := []domain.Event{event("ok1", "2026-11-28", domain.EventScan), bad, event("ok2", "2026-10-28", domain.EventScan)}
			ins, dups, err := s.InsertEvents(context.Background(), batch)
			if !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("InsertEvents: err = %v, want ErrInvalid", err)
			}
			if ins != 0 || dups != 0 {
				t.Fatalf("InsertEvents = %d, %d with an error; want 0, 0", ins, dups)
			}
		})
	}
	if cols := collections(t, s); len(cols) != 0 {
		t.Fatalf("invalid batches created partitions %v", cols)
	}
}

func TestInsertEventsEmpty(t *testing.T) {
	s := storetest.New(t)
	ins, dups, err := s.InsertEvents(context.Background(), nil)
	if err != nil || ins != 0 || dups != 0 {
		t.Fatalf("InsertEvents(nil) = %d, %d, %v; want 0, 0, nil", ins, dups, err)
	}
}

func TestEventsFilter(t *testing.T) {
	s := storetest.New(t)
	insert(t, s, []domain.Event{
		at("sep30", domain.EventScan, kangding, "paomashan", 2026, 9, 30, 23, 59),
		at("oct01-scan-kd", domain.EventScan, kangding, "paomashan", 2026, 10, 1, 9, 0),
		at("oct01-view-kd", domain.EventPageView, kangding, "paomashan", 2026, 10, 1, 8, 0),
		at("oct15-scan-ld", domain.EventScan, luding, "hailuogou", 2026, 10, 15, 12, 0),
		at("oct31-view-ld", domain.EventPageView, luding, "hailuogou", 2026, 10, 31, 23, 59),
		at("nov01-scan-ld", domain.EventScan, luding, "moxi", 2026, 11, 1, 0, 0),
		at("nov20-audio-kd", domain.EventAudioPlay, kangding, "mugecuo", 2026, 11, 20, 10, 0),
		at("nov20-paid", domain.EventTicketPaid, luding, "hailuogou", 2026, 11, 20, 9, 0),
	})
	tests := []struct {
		name string
		f    store.EventFilter
		want []string
	}{
		{"everything, by time across partitions", allOf2026, []string{"sep30", "oct01-view-kd", "oct01-scan-kd", "oct15-scan-ld", "oct31-view-ld", "nov01-scan-ld", "nov20-paid", "nov20-audio-kd"}},
		{"one day", store.EventFilter{From: "2026-10-01", To: "2026-10-01"}, []string{"oct01-view-kd", "oct01-scan-kd"}},
		{"range across a month boundary", store.EventFilter{From: "2026-10-31", To: "2026-11-01"}, []string{"oct31-view-ld", "nov01-scan-ld"}},
		{"range inside a month", store.EventFilter{From: "2026-10-02", To: "2026-10-30"}, []string{"oct15-scan-ld"}},
		{"type", store.EventFilter{From: "2026-09-01", To: "2026-11-30", Type: domain.EventScan}, []string{"sep30", "oct01-scan-kd", "oct15-scan-ld", "nov01-scan-ld"}},
		{"site", store.EventFilter{From: "2026-09-01", To: "2026-11-30", Site: "hailuogou"}, []string{"oct15-scan-ld", "oct31-view-ld", "nov20-paid"}},
		{"county", store.EventFilter{From: "2026-09-01", To: "2026-11-30", County: kangding}, []string{"sep30", "oct01-view-kd", "oct01-scan-kd", "nov20-audio-kd"}},
		{"county, type and range", store.EventFilter{From: "2026-10-01", To: "2026-11-30", County: luding, Type: domain.EventScan}, []string{"oct15-scan-ld", "nov01-scan-ld"}},
		{"no match", store.EventFilter{From: "2026-10-01", To: "2026-11-30", Site: "nosuchsite"}, nil},
		{"days without partitions", store.EventFilter{From: "2026-12-01", To: "2027-03-31"}, nil},
		{"reversed range", store.EventFilter{From: "2026-11-30", To: "2026-09-01"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := eventIDs(t, s, tt.f); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Events = %v\nwant     %v", got, tt.want)
			}
			if n := countEvents(t, s, tt.f); n != int64(len(tt.want)) {
				t.Fatalf("CountEvents = %d, want %d", n, len(tt.want))
			}
		})
	}
}

func TestEventsStopsOnCallbackError(t *testing.T) {
	s := storetest.New(t)
	insert(t, s, []domain.Event{
		event("a", "2026-10-01", domain.EventScan),
		event("b", "2026-10-02", domain.EventScan),
		event("c", "2026-11-01", domain.EventScan),
	})
	stop := errors.New("stop")
	var seen []string
	err := s.Events(context.Background(), allOf2026, func(e domain.Event) error {
		seen = append(seen, e.ID)
		if len(seen) == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Events: err = %v, want the callback's error", err)
	}
	if !reflect.DeepEqual(seen, []string{"a", "b"}) {
		t.Fatalf("callback saw %v, want [a b]", seen)
	}
}

func TestDropEventsBefore(t *testing.T) {
	tests := []struct {
		day         string
		wantDropped []string
		wantKept    []string
	}{
		{"2026-09-30", nil, []string{"events_202609", "events_202610", "events_202611"}},
		{"2026-10-01", []string{"events_202609"}, []string{"events_202610", "events_202611"}},
		// The month of day is not whole before it: kept.
		{"2026-11-15", []string{"events_202609", "events_202610"}, []string{"events_202611"}},
		{"2026-11-30", []string{"events_202609", "events_202610"}, []string{"events_202611"}},
		{"2027-01-01", []string{"events_202609", "events_202610", "events_202611"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			s := storetest.New(t)
			insert(t, s, []domain.Event{
				event("sep", "2026-09-15", domain.EventScan),
				event("oct", "2026-10-31", domain.EventScan),
				event("nov1", "2026-11-01", domain.EventScan),
				event("nov30", "2026-11-30", domain.EventScan),
			})
			dropped, err := s.DropEventsBefore(context.Background(), tt.day)
			if err != nil {
				t.Fatalf("DropEventsBefore: %v", err)
			}
			if !sameStrings(dropped, tt.wantDropped) {
				t.Fatalf("dropped %v, want %v", dropped, tt.wantDropped)
			}
			if cols := collections(t, s); !sameStrings(cols, tt.wantKept) {
				t.Fatalf("EventCollections after drop = %v, want %v", cols, tt.wantKept)
			}
			wantEvents := map[string]int64{"events_202609": 1, "events_202610": 1, "events_202611": 2}
			var n int64
			for _, c := range tt.wantKept {
				n += wantEvents[c]
			}
			if got := countEvents(t, s, allOf2026); got != n {
				t.Fatalf("CountEvents after drop = %d, want %d", got, n)
			}
		})
	}
}

// A malformed cut-off must not be read as "after every month" and drop all
// raw events.
func TestDropEventsBeforeInvalidDay(t *testing.T) {
	s := storetest.New(t)
	insert(t, s, []domain.Event{event("a", "2026-10-01", domain.EventScan), event("b", "2026-11-01", domain.EventScan)})
	for _, day := range []string{"", "x", "latest", "2026-11", "29/11/2026", "9999-99-99"} {
		dropped, err := s.DropEventsBefore(context.Background(), day)
		if !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("DropEventsBefore(%q): err = %v, want ErrInvalid", day, err)
		}
		if len(dropped) != 0 {
			t.Errorf("DropEventsBefore(%q) dropped %v", day, dropped)
		}
	}
	if cols := collections(t, s); len(cols) != 2 {
		t.Fatalf("EventCollections = %v, want both partitions kept", cols)
	}
}
