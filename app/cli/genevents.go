package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/events"
	"github.com/yimayou/yimayou/app/stats"
)

// runGenEvents is `yimayou gen-events --sites N --days D --per-day K`: it
// fills the database with synthetic events for demos and load tests. By
// default the events are stored raw and the rollups built by `stats
// rebuild`'s code, the same path shipped events take; --direct writes
// only the rollups those events would make (seconds for tens of millions
// of events, no raw events to purge afterwards).
func runGenEvents(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("gen-events", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	sites := fs.Int("sites", 12, "number of sites (the database's published sites first, then synthetic ones)")
	days := fs.Int("days", 30, "number of days, ending yesterday unless --from is given")
	perDay := fs.Int("per-day", 1000, "events per site per day")
	from := fs.String("from", "", "first day (YYYY-MM-DD)")
	seed := fs.Uint64("seed", 1, "random seed (the same seed gives the same events)")
	direct := fs.Bool("direct", false, "write rollups only, without raw events")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *sites < 1 || *sites > 10000 || *days < 1 || *days > stats.MaxDays || *perDay < 1 || *perDay > 1_000_000 {
		return usageErr("--sites 1..10000, --days 1..%d, --per-day 1..1000000", stats.MaxDays)
	}
	if *from == "" {
		*from = time.Now().In(domain.ChinaTime).AddDate(0, 0, -*days).Format(time.DateOnly)
	}
	first, err := time.Parse(time.DateOnly, *from)
	if err != nil {
		return usageErr("--from %q: want YYYY-MM-DD", *from)
	}
	last := first.AddDate(0, 0, *days-1).Format(time.DateOnly)
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		opt := stats.GenOptions{From: *from, Days: *days, PerDay: *perDay, Seed: *seed, Signs: map[string][]string{},
			Node: fmt.Sprintf("gen%d", *seed)}
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
				if s.Published && len(opt.Sites) < *sites {
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
		for i := 0; len(opt.Sites) < *sites; i++ {
			key := fmt.Sprintf("gen-site-%03d", i)
			opt.Sites = append(opt.Sites, stats.Unit{County: county, Key: key, Site: key})
			opt.Signs[key] = []string{fmt.Sprintf("G%03dA", i), fmt.Sprintf("G%03dB", i)}
		}
		total := *sites * *days * *perDay
		started := time.Now()
		if *direct {
			fmt.Fprintf(env.Stderr, "computing the rollups of %d events…\n", total)
			rs, err := stats.GenerateRollups(opt)
			if err != nil {
				return err
			}
			bar := progressbar.NewOptions(len(rs), progressbar.OptionSetWriter(env.Stderr),
				progressbar.OptionSetDescription("writing rollups"), progressbar.OptionShowCount())
			err = stats.WriteRollups(ctx, db.Store, rs, func(done int) { _ = bar.Set(done) })
			_ = bar.Finish()
			fmt.Fprintln(env.Stderr)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%d events over %d sites, %s..%s, as %d rollup documents in %s\n",
				total, *sites, *from, last, len(rs), time.Since(started).Round(time.Millisecond))
			return nil
		}
		bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(env.Stderr),
			progressbar.OptionSetDescription("storing events"), progressbar.OptionShowCount(), progressbar.OptionThrottle(200*time.Millisecond))
		batch := make([]domain.Event, 0, 1000)
		flush := func() error {
			if _, _, err := db.InsertEvents(ctx, batch); err != nil {
				return err
			}
			_ = bar.Add(len(batch))
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
		_ = bar.Finish()
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return err
		}
		rb := progressbar.NewOptions(*days, progressbar.OptionSetWriter(env.Stderr),
			progressbar.OptionSetDescription("building rollups"), progressbar.OptionShowCount())
		err = events.Rebuild(ctx, db.Store, *from, last, func(done, _ int) { _ = rb.Set(done) })
		_ = rb.Finish()
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%d events over %d sites, %s..%s, stored and rolled up in %s\n",
			total, *sites, *from, last, time.Since(started).Round(time.Millisecond))
		return nil
	})
}
