package cli

import (
	"context"
	"fmt"

	"github.com/yimayou/yimayou/app/config"
	"github.com/yimayou/yimayou/app/store"
)

const configUsage = "yimayou config get public-url | yimayou config set public-url URL"

// runConfig is `yimayou config get|set public-url`: the settings kept in
// the database rather than in each process's environment.
func runConfig(ctx context.Context, env Env, args []string) error {
	if len(args) == 2 && args[0] == "get" && args[1] == "public-url" {
		return configGetPublicURL(ctx, env)
	}
	if len(args) == 3 && args[0] == "set" && args[1] == "public-url" {
		u, err := config.ParsePublicURL(args[2])
		if err != nil {
			return usageErr("public-url %v", err)
		}
		return configSetPublicURL(ctx, env, configSetOptions{URL: u})
	}
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "help" {
			fmt.Fprintf(env.Stdout, "usage: %s\n\nThe public URL is the base of every URL in printed codes. `serve` stores the\nYIMAYOU_PUBLIC_URL it runs with; commands use the stored one when their own\nenvironment lacks it. Example:\n\n  yimayou config set public-url https://qr.example.gov.cn\n", configUsage)
			return nil
		}
	}
	return usageErr(configUsage)
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
	cfg, err := config.Load(nil, env.Getenv, env.Stderr)
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
