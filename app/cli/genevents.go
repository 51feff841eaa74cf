package cli

import (
	"context"
	"fmt"
	"maps"
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
	// Counties and SignsPerSite shape the synthetic sites made when
	// Sites exceeds the published ones; Remove deletes them all.
	Counties, SignsPerSite int
	Remove                 bool
	others                 bool // a flag besides --remove was given
}

func genEventsCommand(env Env) *cobra.Command {
	var o genEventsOptions
	cmd := &cobra.Command{
		Use:   "gen-events [--sites N] [--counties C] [--signs-per-site S] [--days D] [--per-day K] [--from DAY] [--direct] | --remove",
		Short: "fill the database with synthetic events",
		Long: `Fill the database with synthetic events for demos and load tests: the
database's published sites first, then synthetic ones: real published
sites named "Synthetic site 001" (合成测试点 001) with their signs, in
synthetic counties 990101, 990102… (合成测试县), shown by every console
and statistics view. "gen-events --remove" deletes the synthetic
counties with their sites, signs, rollups and raw events. By default the events
are stored raw and the rollups built by "stats rebuild"'s code, the path
shipped events take; --direct writes only the rollups those events would
make (seconds for tens of millions of events, no raw events to purge).`,
		Example: `  yimayou gen-events --sites 12 --days 30 --per-day 1000
  yimayou gen-events --sites 300 --counties 18 --signs-per-site 3 --days 1095 --per-day 500 --direct
  yimayou gen-events --remove`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.others = cmd.Flags().NFlag() > 1
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
	f.IntVar(&o.Counties, "counties", 1, "number of synthetic counties the synthetic sites are spread over")
	f.IntVar(&o.SignsPerSite, "signs-per-site", 2, "signs of each synthetic site")
	f.BoolVar(&o.Remove, "remove", false, "delete every synthetic county, site, sign, rollup and event, then stop")
	return cmd
}

func genEvents(ctx context.Context, env Env, o genEventsOptions) error {
	if o.Remove {
		if o.others {
			return usageErr("--remove: takes no other flag")
		}
		return removeSynthetic(ctx, env)
	}
	switch {
	case o.Counties < 1 || o.Counties > stats.MaxSyntheticCounties:
		return usageErr("--counties %d: want 1..%d", o.Counties, stats.MaxSyntheticCounties)
	case o.SignsPerSite < 0 || o.SignsPerSite > 50:
		return usageErr("--signs-per-site %d: want 0..50", o.SignsPerSite)
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
			Node: fmt.Sprintf("gen%d", o.Seed), TicketSigns: true}
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
		if need := o.Sites - len(opt.Sites); need > 0 {
			bar := newProgress(env, "creating synthetic sites", need)
			units, codes, err := stats.AddSynthetic(ctx, db.Store,
				stats.SyntheticOptions{Sites: need, Counties: o.Counties, SignsPerSite: o.SignsPerSite}, bar.Set)
			bar.Finish()
			if err != nil {
				return err
			}
			opt.Sites = append(opt.Sites, units...)
			maps.Copy(opt.Signs, codes)
			fmt.Fprintf(env.Stdout, "created %d synthetic sites (yimayou gen-events --remove deletes them)\n", need)
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

// removeSynthetic deletes everything gen-events made up: the synthetic
// counties with their sites, signs, rollups, digests and raw events.
func removeSynthetic(ctx context.Context, env Env) error {
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		bar := newProgress(env, "removing synthetic rollups", -1)
		n, err := stats.RemoveSynthetic(ctx, db.Store, bar.Update)
		bar.Finish()
		if err != nil {
			return err
		}
		// The prefecture's levels are derived again from the real sites.
		for _, m := range n.Months {
			if err := events.DeriveLevels(ctx, db.Store, m); err != nil {
				return err
			}
			if err := events.FoldMonths(ctx, db.Store, m); err != nil {
				return err
			}
		}
		fmt.Fprintf(env.Stdout, "removed %d synthetic counties: %d sites, %d signs, %d rollup documents, %d events\n",
			n.Counties, n.Sites, n.Signs, n.Rollups, n.Events)
		return nil
	})
}
