package events

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// BenchmarkShipBatch times what the shipper does with one batch of a
// busy day on the embedded server: insert 1,000 raw events, then raise
// their rollups. The events fall on 60 sites in 6 counties, 3 signs
// each, one day, in hours 08-19. "month" is the shipper as it is (with
// month documents), "days" the same without them: the cost of keeping
// month documents, as a ratio measured in the same run.
//
//	go test ./app/events/ -run - -bench ShipBatch -benchtime 20x
func BenchmarkShipBatch(b *testing.B) {
	withoutMonths := func(e *domain.Event) []rollupKey {
		var out []rollupKey
		for _, k := range rollupKeys(e) {
			if !store.IsMonthKind(k.kind) {
				out = append(out, k)
			}
		}
		return out
	}
	for _, mode := range []string{"days", "month"} {
		b.Run(mode, func(b *testing.B) {
			st := storetest.New(b)
			ctx := context.Background()
			a := newRollupApplier(st, "bench")
			if mode == "days" {
				a.keys = withoutMonths
			}
			seq := uint64(0)
			batch := func() []domain.Event {
				evs := make([]domain.Event, 1000)
				for i := range evs {
					seq++
					typ := []domain.EventType{domain.EventScan, domain.EventScan, domain.EventPageView, domain.EventPageView,
						domain.EventAudioPlay, domain.EventTicketReserved}[seq%6]
					e := domain.NewEvent(typ, time.Date(2026, 11, 28, 8+int(seq/97)%12, 0, 0, 0, domain.ChinaTime))
					e.ID, e.Node, e.Seq = fmt.Sprintf("bench-%09d", seq), "bench", seq
					site := int(seq*7919) % 60
					e.County, e.Site = fmt.Sprintf("5133%02d", site%6+1), fmt.Sprintf("site-%02d", site)
					if typ == domain.EventScan {
						e.Sign = fmt.Sprintf("G%02d%d", site, seq%3)
					}
					e.Lang, e.Device, e.Referrer = domain.Zh, domain.DeviceMobile, domain.ReferrerNone
					e.VisitorKey = fmt.Sprintf("v-%d", seq%400)
					evs[i] = e
				}
				return evs
			}
			// The first batch creates the documents.
			first := batch()
			if _, _, err := st.InsertEvents(ctx, first); err != nil {
				b.Fatal(err)
			}
			if err := a.apply(ctx, first); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				evs := batch()
				b.StartTimer()
				if _, _, err := st.InsertEvents(ctx, evs); err != nil {
					b.Fatal(err)
				}
				if err := a.apply(ctx, evs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*1000), "µs/event")
		})
	}
}
