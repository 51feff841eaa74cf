package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/yimayou/yimayou/app/content"
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
	return fn(ctx, db)
}

func importCommand(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "import DIR",
		Short: "load a content pack into the database",
		Long: `Load the content pack in DIR (counties.yaml and sites/, see content/FORMAT.md)
into the database. Importing is idempotent: what is unchanged is not
written again, so re-importing the same pack changes nothing.`,
		Example: `  yimayou import ./content
  YIMAYOU_DATA_DIR=/srv/yimayou yimayou import ~/ganzi-pack`,
		Args: exactArgs(1, "DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return importPack(cmd.Context(), env, args[0])
		},
	}
}

func importPack(ctx context.Context, env Env, dir string) error {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%s: not a directory", dir)
	}
	pack, err := content.Load(os.DirFS(dir))
	if err != nil {
		return fmt.Errorf("%s:\n%w", dir, err)
	}
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		bar := newProgress(env, "importing", -1)
		st, err := content.Import(ctx, db, pack, content.WithProgress(bar.Update))
		bar.Finish()
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "imported %s: %d counties, %d sites, %d signs written; %d unchanged\n",
			dir, st.Counties, st.Sites, st.Signs, st.Unchanged)
		return nil
	})
}

func exportCommand(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "export DIR",
		Short: "write the database's content as a pack",
		Long: `Write the database's counties, sites and signs as a content pack in DIR, in
the canonical form: importing a pack and exporting it gives the same files
byte for byte, so a pack kept in git diffs cleanly.`,
		Example: "  yimayou export ./ganzi-pack",
		Args:    exactArgs(1, "DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return exportPack(cmd.Context(), env, args[0])
		},
	}
}

func exportPack(ctx context.Context, env Env, dir string) error {
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		pack, err := content.Export(ctx, db)
		if err != nil {
			return err
		}
		if err := content.Write(dir, pack); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "exported %d counties, %d sites, %d signs to %s\n",
			len(pack.Counties), len(pack.Sites), len(pack.Signs), dir)
		return nil
	})
}

// seedDemo imports the built-in demo pack into a database that has no
// county yet, so a first start shows real pages.
func seedDemo(ctx context.Context, db *database, log *slog.Logger) error {
	counties, err := db.Counties(ctx)
	if err != nil || len(counties) > 0 {
		return err
	}
	pack, err := content.Load(demo.FS)
	if err != nil {
		return fmt.Errorf("demo pack: %w", err)
	}
	st, err := content.Import(ctx, db, pack)
	if err != nil {
		return fmt.Errorf("demo pack: %w", err)
	}
	log.Info("imported the demo content pack", "counties", st.Counties, "sites", st.Sites, "signs", st.Signs)
	return nil
}
