package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/yimayou/yimayou/app/content"
	"github.com/yimayou/yimayou/app/domain"
	demo "github.com/yimayou/yimayou/content"
)

// withDatabase runs fn on the configured database (env settings only).
func withDatabase(ctx context.Context, env Env, fn func(ctx context.Context, db *database) error) error {
	cfg, err := loadConfig(env, nil)
	if err != nil {
		return err
	}
	log := newLogger(env.Stderr, slog.LevelWarn, cfg.LogJSON)
	db, err := openDatabase(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer db.close(context.Background())
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	// Commands count days in the region's time zone, as serve does
	// (timezone.go); a zone serve would refuse is only reported here, so
	// `import` can still bring the region.yaml that fixes it.
	if r, err := db.Region(ctx); err == nil {
		if _, err := useRegionZone(r.TimeZone, log); err != nil {
			log.Warn("region", "err", err)
		}
	}
	return fn(ctx, db)
}

func importCommand(env Env) *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import [--dry-run] DIR",
		Short: "check a content pack and load it into the database",
		Long: `Check the content pack in DIR (counties.yaml, sites/ and media/, see
content/FORMAT.md) with the console's rules, print every problem with its
file and line, and load it into the database only if there is none. The
import writes revisions and audit entries as "import (CLI)". Importing is
idempotent: what is unchanged is not written again.`,
		Example: `  yimayou import --dry-run ./ganzi-pack
  yimayou import ./content
  YIMAYOU_DATA_DIR=/srv/yimayou yimayou import ~/ganzi-pack`,
		Args: exactArgs(1, "DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Dir = args[0]
			return importDir(cmd.Context(), env, o)
		},
	}
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "show what would be created and changed, write nothing")
	return cmd
}

// importOptions are the choices of `yimayou import`.
type importOptions struct {
	Dir    string
	DryRun bool
}

// importDir loads, checks and imports a pack directory with the console's
// rules (content.ImportPack), printing every error with its file and line.
func importDir(ctx context.Context, env Env, o importOptions) error {
	if st, err := os.Stat(o.Dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%s: not a directory", o.Dir)
	}
	cat, err := uiCatalogs()
	if err != nil {
		return err
	}
	en := func(key string, args ...any) string { return cat.T(domain.En, key, args...) }
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		bar := newProgress(env, "importing", -1)
		plan, st, err := content.ImportPack(ctx, db, content.ImportRequest{
			FS: os.DirFS(o.Dir), DryRun: o.DryRun, Actor: content.CLIActor, Now: time.Now,
			Progress: func(done, total int) { bar.Update(done, total) }})
		bar.Finish()
		if err != nil {
			msgs := content.Messages(err, en)
			for _, m := range msgs {
				fmt.Fprintln(env.Stderr, m)
			}
			return fmt.Errorf("%s: %d problem(s); nothing was imported", o.Dir, len(msgs))
		}
		if o.DryRun {
			fmt.Fprintf(env.Stdout, "dry run of %s: %d to create, %d to change, %d unchanged; nothing written\n",
				o.Dir, plan.Count(content.Create), plan.Count(content.Update), plan.Count(content.Same))
			for _, it := range plan.Items {
				if it.Action != content.Same {
					fmt.Fprintf(env.Stdout, "  %s %s %s %s\n", it.Action, it.Kind, it.Key, strings.Join(it.Changed, ","))
				}
			}
			return nil
		}
		region := ""
		if st.Region > 0 {
			region = "the region (region.yaml), "
		}
		fmt.Fprintf(env.Stdout, "imported %s: %s%d counties, %d sites, %d signs, %d sites' ticket settings written, %d media files stored; %d unchanged\n",
			o.Dir, region, st.Counties, st.Sites, st.Signs, st.Tickets, st.Media, st.Unchanged)
		return nil
	})
}

func exportCommand(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "export DIR",
		Short: "write the database's content as a pack",
		Long: `Write the database's counties, sites, signs and their photos and audio
(media/) as a content pack in DIR, in the canonical form: importing a pack
and exporting it gives the same files byte for byte, so a pack kept in git
diffs cleanly.`,
		Example: "  yimayou export ./ganzi-pack",
		Args:    exactArgs(1, "DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return exportPack(cmd.Context(), env, args[0])
		},
	}
}

func exportPack(ctx context.Context, env Env, dir string) error {
	if _, err := uiCatalogs(); err != nil {
		return err
	}
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		pack, err := content.Export(ctx, db)
		if err != nil {
			return err
		}
		if err := content.AttachMedia(ctx, db, &pack); err != nil {
			return err
		}
		if err := content.Write(dir, pack); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "exported %d counties, %d sites, %d signs, %d media files to %s\n",
			len(pack.Counties), len(pack.Sites), len(pack.Signs), len(pack.Media), dir)
		return nil
	})
}

// seedDemo imports the built-in demo pack into a database that has no
// county yet, so a first start shows real pages.
func seedDemo(ctx context.Context, db *database, log *slog.Logger) error {
	counties, err := db.Counties(ctx)
	if err != nil {
		return err
	}
	pack, err := content.Load(demo.FS)
	if err != nil {
		return fmt.Errorf("demo pack: %w", err)
	}
	if len(counties) > 0 {
		return seedDemoRegion(ctx, db, log, pack, counties)
	}
	st, err := content.Import(ctx, db, pack)
	if err != nil {
		return fmt.Errorf("demo pack: %w", err)
	}
	log.Info("imported the demo content pack", "counties", st.Counties, "sites", st.Sites, "signs", st.Signs)
	return nil
}

// seedDemoRegion gives a demo database from before region.yaml its region:
// when none is stored and every county is inside the demo's region, the
// database holds the demo (or the same prefecture's own content).
func seedDemoRegion(ctx context.Context, db *database, log *slog.Logger, pack content.Pack, counties []domain.County) error {
	if pack.Region == nil {
		return nil
	}
	if _, err := db.Region(ctx); !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	for _, c := range counties {
		if !pack.Region.Contains(c.Code) {
			return nil
		}
	}
	if err := db.PutRegion(ctx, *pack.Region); err != nil {
		return fmt.Errorf("demo region: %w", err)
	}
	log.Info("stored the demo pack's region for a database from before region.yaml", "region", pack.Region.Code)
	return nil
}
