package cli

import (
	"context"
	"log/slog"
	"time"

	"github.com/yimayou/yimayou/app/config"
	"github.com/yimayou/yimayou/app/tickets"
	"github.com/yimayou/yimayou/app/web"
)

// ticketDeps builds ticketing and starts its jobs, which stop with
// workers: expiring unpaid holds (every 30 s; reads expire them too, so a
// late job never shows a tourist a stale hold) and dropping past days' ID
// claims.
func ticketDeps(workers context.Context, db *database, cfg config.Config, log *slog.Logger, rec tickets.Recorder) web.TicketDeps {
	log = log.With("area", "tickets")
	svc := tickets.New(db, rec, tickets.Options{Log: log})
	go svc.RunExpiry(workers, 30*time.Second)
	go func() {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			yesterday := tickets.AddDays(tickets.Day(time.Now()), -1)
			if n, err := db.DropTicketIDClaimsBefore(workers, yesterday); err != nil && workers.Err() == nil {
				log.Warn("drop past ID claims", "err", err)
			} else if n > 0 {
				log.Info("dropped past ID claims", "days", n)
			}
			select {
			case <-workers.Done():
				return
			case <-t.C:
			}
		}
	}()
	return web.TicketDeps{Service: svc}
}
