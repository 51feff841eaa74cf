package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/schollz/progressbar/v3"

	"github.com/yimayou/yimayou/app/config"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
	"github.com/yimayou/yimayou/app/qr"
)

// runQR is `yimayou qr export --county CODE`: every enabled sign of a
// county as PNG and SVG plus the A4 and A5 print sheets, in one ZIP, the
// same archive the console offers.
func runQR(ctx context.Context, env Env, args []string) error {
	const usage = "yimayou qr export --county CODE [--out FILE] [--lang zh|en|bo] [--allow-local]"
	if len(args) == 0 || args[0] != "export" {
		return usageErr(usage)
	}
	fs := flag.NewFlagSet("qr export", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	county := fs.String("county", "", "the county (GB/T 2260 code)")
	out := fs.String("out", "", "the ZIP to write (default signs-CODE.zip)")
	langFlag := fs.String("lang", "zh", "language of the sheets' title and notes")
	allowLocal := fs.Bool("allow-local", false, "allow a public URL only this machine can open (localhost), for a local test")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if !domain.ValidCountyCode(*county) {
		return usageErr("%s: --county wants a six-digit GB/T 2260 code", usage)
	}
	lang, ok := i18n.Parse(*langFlag)
	if !ok {
		return usageErr("--lang %q: want zh, en or bo", *langFlag)
	}
	if *out == "" {
		*out = "signs-" + *county + ".zip"
	}
	cfg, err := config.Load(nil, env.Getenv, env.Stderr)
	if err != nil {
		return err
	}
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		base, err := printablePublicURL(ctx, cfg, db, *allowLocal)
		if err != nil {
			return err
		}
		c, err := db.County(ctx, *county)
		if err != nil {
			return fmt.Errorf("county %s: %w", *county, err)
		}
		signs, err := db.SignsOf(ctx, *county, "")
		if err != nil {
			return err
		}
		sites, err := db.Sites(ctx, *county)
		if err != nil {
			return err
		}
		byKey := map[string]domain.Site{}
		for _, s := range sites {
			byKey[s.Key] = s
		}
		var enabled []domain.Sign
		for _, g := range signs {
			if g.Enabled {
				enabled = append(enabled, g)
			}
		}
		if len(enabled) == 0 {
			return fmt.Errorf("county %s has no enabled signs", *county)
		}
		sheet := qr.NewSheet(cat, base, c, byKey, enabled, lang, qr.A4)
		// Written next to the target and renamed, so an interrupted
		// export never leaves a half ZIP under the final name.
		tmp, err := os.CreateTemp(filepath.Dir(*out), ".signs-*.zip")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		bar := progressbar.NewOptions(len(enabled), progressbar.OptionSetWriter(env.Stderr),
			progressbar.OptionSetDescription("signs"), progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
		err = qr.NewRenderer(0).WriteBatchZIP(ctx, tmp, sheet, func(done, total int) { _ = bar.Set(done) })
		_ = bar.Finish()
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		if err := os.Rename(tmp.Name(), *out); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "wrote %s: %d signs of %s (PNG, SVG, sheets A4 and A5)\n", *out, len(enabled), c.Name.String(lang))
		return nil
	})
}
