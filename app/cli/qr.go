package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
	"github.com/yimayou/yimayou/app/qr"
)

// qrExportOptions are the flags of `qr export`.
type qrExportOptions struct {
	County, Out, Lang string
	AllowLocal        bool
}

func qrCommand(env Env) *cobra.Command {
	var o qrExportOptions
	export := &cobra.Command{
		Use:   "export --county CODE [--out FILE] [--lang zh|en|bo]",
		Short: "all sign codes and print sheets of a county as a ZIP",
		Long: `Write every enabled sign of a county as PNG and SVG plus the A4 and A5
print sheets, in one ZIP: the same archive the console offers. The codes
encode the public URL: YIMAYOU_PUBLIC_URL if this command has it, else the
one serve stored (yimayou config get public-url); a localhost URL is refused
unless --allow-local, since the sheets are printed on metal. The ZIP is written under a
temporary name and renamed, so an interrupted export leaves no half file.`,
		Example: `  yimayou qr export --county 513322
  YIMAYOU_PUBLIC_URL=https://qr.ganzi.example.cn yimayou qr export --county 513322 --out luding.zip --lang bo`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return qrExport(cmd.Context(), env, o)
		},
	}
	export.Flags().StringVar(&o.County, "county", "", "the county (GB/T 2260 code)")
	export.Flags().StringVar(&o.Out, "out", "", "the ZIP to write (default signs-CODE.zip)")
	export.Flags().StringVar(&o.Lang, "lang", "zh", "language of the sheets' title and notes: zh, en or bo")
	export.Flags().BoolVar(&o.AllowLocal, "allow-local", false, "allow a public URL only this machine can open (localhost), for a local test")
	_ = export.MarkFlagRequired("county")
	_ = export.RegisterFlagCompletionFunc("lang", fixedCompletion("zh", "en", "bo"))
	return group("qr", "QR codes of signs", "  yimayou qr export --county 513322", export)
}

// qrExport writes a county's codes and print sheets as one ZIP.
func qrExport(ctx context.Context, env Env, o qrExportOptions) error {
	if !domain.ValidCountyCode(o.County) {
		return usageErr("--county %q: want a six-digit GB/T 2260 code", o.County)
	}
	cat, err := uiCatalogs()
	if err != nil {
		return err
	}
	lang, ok := i18n.Parse(o.Lang)
	if !ok {
		return usageErr("--lang %q: want one of %v", o.Lang, cat.Offered())
	}
	if o.Out == "" {
		o.Out = "signs-" + o.County + ".zip"
	}
	cfg, err := loadConfig(env, nil)
	if err != nil {
		return err
	}
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		base, err := printablePublicURL(ctx, cfg, db, o.AllowLocal)
		if err != nil {
			return err
		}
		c, err := db.County(ctx, o.County)
		if err != nil {
			return fmt.Errorf("county %s: %w", o.County, err)
		}
		signs, err := db.SignsOf(ctx, o.County, "")
		if err != nil {
			return err
		}
		sites, err := db.Sites(ctx, o.County)
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
			return fmt.Errorf("county %s has no enabled signs", o.County)
		}
		region, err := db.Region(ctx)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		sheet := qr.NewSheet(cat, base, region, c, byKey, enabled, lang, qr.A4)
		// Written next to the target and renamed, so an interrupted
		// export never leaves a half ZIP under the final name.
		tmp, err := os.CreateTemp(filepath.Dir(o.Out), ".signs-*.zip")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		bar := newProgress(env, "signs", len(enabled))
		err = qr.NewRenderer(0).WriteBatchZIP(ctx, tmp, sheet, bar.Update)
		bar.Finish()
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		if err := os.Rename(tmp.Name(), o.Out); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "wrote %s: %d signs of %s (PNG, SVG, sheets A4 and A5)\n", o.Out, len(enabled), c.Name.String(lang))
		return nil
	})
}
