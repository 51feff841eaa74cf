package web

import (
	"context"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
)

// warmEvery is how often the warmer refreshes the board's memory: inside
// the hour that final months stay cached.
const warmEvery = 45 * time.Minute

// warm keeps the months of the usual prefecture views (this year, the
// last 30 days) in the board's memory. After a restart the first
// prefecture-year overview otherwise reads every unit's month digest from
// the embedded server (1-2 s); warmed, it answers in about 0.2 s. It waits
// a little after start so it does not compete with it.
func (h *statsViews) warm(ctx context.Context) {
	select {
	case <-ctx.Done():
		return
	case <-time.After(20 * time.Second):
	}
	t := time.NewTicker(warmEvery)
	defer t.Stop()
	for {
		if err := h.warmOnce(ctx); err != nil && ctx.Err() == nil {
			h.s.Log.Warn("stats: warm", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (h *statsViews) warmOnce(ctx context.Context) error {
	snap := h.s.Catalog.Snapshot()
	var sites []stats.Unit
	for _, site := range snap.AllSites() {
		sites = append(sites, stats.Unit{County: site.County, Key: site.Key, Site: site.Key})
	}
	signs, err := h.st.SignsAll(ctx)
	if err != nil {
		return err
	}
	var signUnits []stats.Unit
	for _, sign := range signs {
		signUnits = append(signUnits, stats.Unit{County: sign.County, Key: sign.Code, Site: sign.Site})
	}
	today := h.now().In(domain.ChinaTime)
	for _, from := range []time.Time{time.Date(today.Year(), 1, 1, 0, 0, 0, 0, domain.ChinaTime), today.AddDate(0, 0, -29)} {
		q := stats.OverviewQuery{From: from.Format(time.DateOnly), To: today.Format(time.DateOnly), Sites: sites, Signs: signUnits,
			Levels: []stats.Unit{stats.PrefectureLevel}}
		if _, err := h.board.Overview(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
