package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/schollz/progressbar/v3"

	"github.com/yimayou/yimayou/app/config"
	"github.com/yimayou/yimayou/app/content"
	demo "github.com/yimayou/yimayou/content"
)

// withDatabase runs fn on the configured database (env settings only).
func withDatabase(ctx context.Context, env Env, fn func(ctx context.Context, db *database) error) error {
	cfg, err := config.Load(nil, env.Getenv, env.Stderr)
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

func runImport(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("yimayou import DIR")
	}
	dir := fs.Arg(0)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%s: not a directory", dir)
	}
	pack, err := content.Load(os.DirFS(dir))
	if err != nil {
		return fmt.Errorf("%s:\n%w", dir, err)
	}
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(env.Stderr),
			progressbar.OptionSetDescription("importing"), progressbar.OptionShowCount(),
			progressbar.OptionClearOnFinish())
		st, err := content.Import(ctx, db, pack, content.WithProgress(func(done, total int) {
			bar.ChangeMax(total)
			_ = bar.Set(done)
		}))
		_ = bar.Finish()
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "imported %s: %d counties, %d sites, %d signs written, %d sites' ticket settings; %d unchanged\n",
			dir, st.Counties, st.Sites, st.Signs, st.Tickets, st.Unchanged)
		return nil
	})
}

func runExport(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("yimayou export DIR")
	}
	dir := fs.Arg(0)
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
