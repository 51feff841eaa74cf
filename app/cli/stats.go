package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/events"
)

// statsRebuildOptions are the flags of `stats rebuild`: days as YYYY-MM-DD.
type statsRebuildOptions struct {
	From, To string
}

func statsCommand(env Env) *cobra.Command {
	var o statsRebuildOptions
	yesterday := time.Now().In(domain.ChinaTime).AddDate(0, 0, -1).Format(time.DateOnly)
	rebuild := &cobra.Command{
		Use:   "rebuild [--from DAY] [--to DAY]",
		Short: "recompute rollups from raw events",
		Long: `Recompute the rollups of a range of days (China time, inclusive) from the raw
events, exactly as shipping builds them, and drop the dashboards' digests of
the months touched. Run it on days no longer being recorded (or with the
servers stopped): an event shipped into a day while that day is rebuilt may
be counted twice or not at all.`,
		Example: `  yimayou stats rebuild                       # yesterday
  yimayou stats rebuild --from 2026-11-01 --to 2026-11-30`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return statsRebuild(cmd.Context(), env, o)
		},
	}
	rebuild.Flags().StringVar(&o.From, "from", yesterday, "first day (China time), inclusive")
	rebuild.Flags().StringVar(&o.To, "to", yesterday, "last day, inclusive")
	return group("stats", "statistics maintenance", "  yimayou stats rebuild --from 2026-11-01 --to 2026-11-30", rebuild)
}

// statsRebuild recomputes the rollups of o.From..o.To.
func statsRebuild(ctx context.Context, env Env, o statsRebuildOptions) error {
	for _, d := range []struct{ flag, day string }{{"--from", o.From}, {"--to", o.To}} {
		if _, err := time.Parse(time.DateOnly, d.day); err != nil {
			return usageErr("%s %q: want a day as YYYY-MM-DD", d.flag, d.day)
		}
	}
	if o.To < o.From {
		return usageErr("--to %s is before --from %s", o.To, o.From)
	}
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		bar := newProgress(env, "rebuilding days", -1)
		err := events.Rebuild(ctx, db.Store, o.From, o.To, bar.Update)
		bar.Finish()
		if err != nil {
			return err
		}
		// The dashboards keep digests of finished months; those of the
		// rebuilt months describe the old rollups, so they go.
		for m := o.From[:7]; m <= o.To[:7]; m = nextMonth(m) {
			if err := db.DeleteStatsDigests(ctx, m); err != nil {
				return err
			}
		}
		fmt.Fprintf(env.Stdout, "rollups of %s..%s rebuilt from raw events\n", o.From, o.To)
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
