package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/yimayou/yimayou/app/config"
	"github.com/yimayou/yimayou/app/store"
)

func configCommand(env Env) *cobra.Command {
	get := &cobra.Command{
		Use:   "public-url",
		Short: "print the public URL commands use, and where it comes from",
		Long: `Print the public URL that commands writing codes or URLs use: this
command's YIMAYOU_PUBLIC_URL if set, else the one serve stored, else the
localhost default.`,
		Example: "  yimayou config get public-url",
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return configGetPublicURL(cmd.Context(), env)
		},
	}
	set := &cobra.Command{
		Use:   "public-url URL",
		Short: "store the public URL printed in codes",
		Long: `Store the public URL, the base of every URL in printed codes. serve stores
the YIMAYOU_PUBLIC_URL it runs with; commands use the stored one when their
own environment lacks it, so a sign sheet exported from a bare shell carries
the right address.`,
		Example: "  yimayou config set public-url https://qr.example.gov.cn",
		Args:    exactArgs(1, "URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			u, err := config.ParsePublicURL(args[0])
			if err != nil {
				return usageErr("public-url %v", err)
			}
			return configSetPublicURL(cmd.Context(), env, configSetOptions{URL: u})
		},
	}
	return group("config", "settings kept in the database", "  yimayou config get public-url\n  yimayou config set public-url https://qr.example.gov.cn",
		group("get", "print a setting", "  yimayou config get public-url", get),
		group("set", "store a setting", "  yimayou config set public-url https://qr.example.gov.cn", set))
}

type configSetOptions struct {
	URL string // checked by config.ParsePublicURL
}

func configSetPublicURL(ctx context.Context, env Env, opt configSetOptions) error {
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		if err := db.PutSetting(ctx, store.SettingPublicURL, opt.URL); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "public-url = %s (stored; a running server prints it in new codes after its next start)\n", opt.URL)
		if config.IsLocalURL(opt.URL) {
			fmt.Fprintln(env.Stderr, "note: this URL is only reachable from this machine; exports will refuse it without --allow-local")
		}
		return nil
	})
}

func configGetPublicURL(ctx context.Context, env Env) error {
	cfg, err := loadConfig(env, nil)
	if err != nil {
		return err
	}
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		u, from, err := publicURL(ctx, cfg, db)
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, u)
		fmt.Fprintf(env.Stderr, "(%s)\n", from)
		return nil
	})
}
