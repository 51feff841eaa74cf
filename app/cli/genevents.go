package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/events"
	"github.com/yimayou/yimayou/app/stats"
)

// genEventsOptions are the flags of gen-events.
type genEventsOptions struct {
	Sites, Days, PerDay int
	From                string // first day, YYYY-MM-DD; empty: Days days ending yesterday
	Seed                uint64
	Direct              bool
}

func genEventsCommand(env Env) *cobra.Command {
	var o genEventsOptions
	cmd := &cobra.Command{
		Use:   "gen-events [--sites N] [--days D] [--per-day K] [--from DAY] [--direct]",
		Short: "fill the database with synthetic events",
		Long: `Fill the database with synthetic events for demos and load tests: the
database's published sites first, then made-up ones. By default the events
are stored raw and the rollups built by "stats rebuild"'s code, the path
shipped events take; --direct writes only the rollups those events would
make (seconds for tens of millions of events, no raw events to purge).`,
		Example: `  yimayou gen-events --sites 12 --days 30 --per-day 1000
  yimayou gen-events --sites 200 --days 365 --per-day 5000 --direct --seed 7`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return genEvents(cmd.Context(), env, o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Sites, "sites", 12, "number of sites (the database's published sites first, then synthetic ones)")
	f.IntVar(&o.Days, "days", 30, "number of days, ending yesterday unless --from is given")
	f.IntVar(&o.PerDay, "per-day", 1000, "events per site per day")
	f.StringVar(&o.From, "from", "", "first day (YYYY-MM-DD)")
	f.Uint64Var(&o.Seed, "seed", 1, "random seed (the same seed gives the same events)")
	f.BoolVar(&o.Direct, "direct", false, "write rollups only, without raw events")
	return cmd
}

func genEvents(ctx context.Context, env Env, o genEventsOptions) error {
	switch {
	case o.Sites < 1 || o.Sites > 10000:
		return usageErr("--sites %d: want 1..10000", o.Sites)
	case o.Days < 1 || o.Days > stats.MaxDays:
		return usageErr("--days %d: want 1..%d", o.Days, stats.MaxDays)
	case o.PerDay < 1 || o.PerDay > 1_000_000:
		return usageErr("--per-day %d: want 1..1000000", o.PerDay)
	}
	if o.From == "" {
		o.From = time.Now().In(domain.ChinaTime).AddDate(0, 0, -o.Days).Format(time.DateOnly)
	}
	first, err := time.Parse(time.DateOnly, o.From)
	if err != nil {
		return usageErr("--from %q: want YYYY-MM-DD", o.From)
	}
	last := first.AddDate(0, 0, o.Days-1).Format(time.DateOnly)
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		opt := stats.GenOptions{From: o.From, Days: o.Days, PerDay: o.PerDay, Seed: o.Seed, Signs: map[string][]string{},
			Node: fmt.Sprintf("gen%d", o.Seed)}
		counties, err := db.Counties(ctx)
		if err != nil {
			return err
		}
		for _, c := range counties {
			list, err := db.Sites(ctx, c.Code)
			if err != nil {
				return err
			}
			for _, s := range list {
				if s.Published && len(opt.Sites) < o.Sites {
					opt.Sites = append(opt.Sites, stats.Unit{County: s.County, Key: s.Key, Site: s.Key})
				}
			}
		}
		signs, err := db.SignsAll(ctx)
		if err != nil {
			return err
		}
		for _, s := range signs {
			if s.Enabled {
				opt.Signs[s.Site] = append(opt.Signs[s.Site], s.Code)
			}
		}
		county := "513301"
		if len(counties) > 0 {
			county = counties[0].Code
		}
		for i := 0; len(opt.Sites) < o.Sites; i++ {
			key := fmt.Sprintf("gen-site-%03d", i)
			opt.Sites = append(opt.Sites, stats.Unit{County: county, Key: key, Site: key})
			opt.Signs[key] = []string{fmt.Sprintf("G%03dA", i), fmt.Sprintf("G%03dB", i)}
		}
		total := o.Sites * o.Days * o.PerDay
		started := time.Now()
		if o.Direct {
			fmt.Fprintf(env.Stderr, "computing the rollups of %d events…\n", total)
			rs, err := stats.GenerateRollups(opt)
			if err != nil {
				return err
			}
			bar := newProgress(env, "writing rollups", len(rs))
			err = stats.WriteRollups(ctx, db.Store, rs, bar.Set)
			bar.Finish()
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%d events over %d sites, %s..%s, as %d rollup documents in %s\n",
				total, o.Sites, o.From, last, len(rs), time.Since(started).Round(time.Millisecond))
			return nil
		}
		bar := newProgress(env, "storing events", total)
		batch := make([]domain.Event, 0, 1000)
		flush := func() error {
			if _, _, err := db.InsertEvents(ctx, batch); err != nil {
				return err
			}
			bar.Add(len(batch))
			batch = batch[:0]
			return nil
		}
		err = stats.Generate(opt, func(e domain.Event) error {
			batch = append(batch, e)
			if len(batch) == cap(batch) {
				return flush()
			}
			return nil
		})
		if err == nil {
			err = flush()
		}
		bar.Finish()
		if err != nil {
			return err
		}
		rb := newProgress(env, "building rollups", o.Days)
		err = events.Rebuild(ctx, db.Store, o.From, last, rb.Update)
		rb.Finish()
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%d events over %d sites, %s..%s, stored and rolled up in %s\n",
			total, o.Sites, o.From, last, time.Since(started).Round(time.Millisecond))
		return nil
	})
}
