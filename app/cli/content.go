package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/yimayou/yimayou/app/config"
	"github.com/yimayou/yimayou/app/content"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
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
	dryRun := fs.Bool("dry-run", false, "show what would be created and changed, write nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("yimayou import [--dry-run] DIR")
	}
	return importDir(ctx, env, importOptions{Dir: fs.Arg(0), DryRun: *dryRun})
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
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	en := func(key string, args ...any) string { return cat.T(domain.En, key, args...) }
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(env.Stderr),
			progressbar.OptionSetDescription("importing"), progressbar.OptionShowCount(),
			progressbar.OptionClearOnFinish())
		plan, st, err := content.ImportPack(ctx, db, content.ImportRequest{
			FS: os.DirFS(o.Dir), DryRun: o.DryRun, Actor: content.CLIActor, Now: time.Now,
			Progress: func(done, total int) {
				bar.ChangeMax(total)
				_ = bar.Set(done)
			}})
		_ = bar.Finish()
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
		fmt.Fprintf(env.Stdout, "imported %s: %d counties, %d sites, %d signs written, %d media files stored; %d unchanged\n",
			o.Dir, st.Counties, st.Sites, st.Signs, st.Media, st.Unchanged)
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
