package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/events"
)

// runStats is `yimayou stats rebuild --from DAY --to DAY`: it recomputes
// the rollups of a range of days from the raw events. Run it on days that
// are no longer being recorded (or with the servers stopped): an event
// shipped into a day while that day is rebuilt may be counted twice or not
// at all.
func runStats(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return usageErr("yimayou stats rebuild --from YYYY-MM-DD --to YYYY-MM-DD")
	}
	fs := flag.NewFlagSet("stats rebuild", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	yesterday := time.Now().In(domain.ChinaTime).AddDate(0, 0, -1).Format(time.DateOnly)
	from := fs.String("from", yesterday, "first day (China time), inclusive")
	to := fs.String("to", yesterday, "last day, inclusive")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	for _, d := range []string{*from, *to} {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return usageErr("%q: want a day as YYYY-MM-DD", d)
		}
	}
	if *to < *from {
		return usageErr("--to %s is before --from %s", *to, *from)
	}
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		var bar *progressbar.ProgressBar
		err := events.Rebuild(ctx, db.Store, *from, *to, func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(env.Stderr),
					progressbar.OptionSetDescription("rebuilding days"), progressbar.OptionShowCount())
			}
			_ = bar.Set(done)
		})
		if bar != nil {
			_ = bar.Finish()
			fmt.Fprintln(env.Stderr)
		}
		if err != nil {
			return err
		}
		// The dashboards keep digests of finished months; those of the
		// rebuilt months describe the old rollups, so they go.
		for m := (*from)[:7]; m <= (*to)[:7]; m = nextMonth(m) {
			if err := db.DeleteStatsDigests(ctx, m); err != nil {
				return err
			}
		}
		fmt.Fprintf(env.Stdout, "rollups of %s..%s rebuilt from raw events\n", *from, *to)
		return nil
	})
}

// nextMonth turns "2026-11" into "2026-12".
func nextMonth(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return "9999-99"
	}
	return t.AddDate(0, 1, 0).Format("2006-01")
}
