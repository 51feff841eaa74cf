package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/yimayou/yimayou/app/config"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/qr"
	"github.com/yimayou/yimayou/app/store"
)

type signJSON struct {
	Code      string `json:"code"`
	URL       string `json:"url"`
	Site      string `json:"site"`
	County    string `json:"county"`
	Label     string `json:"label,omitempty"`
	Campaign  string `json:"campaign,omitempty"`
	Installed string `json:"installed,omitempty"`
	Enabled   bool   `json:"enabled"`
}

func runSigns(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "list" {
		return usageErr("yimayou signs list [--json] [--county CODE] [--site KEY] [--allow-local]")
	}
	fs := flag.NewFlagSet("signs list", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	county := fs.String("county", "", "only this county (GB/T 2260 code)")
	site := fs.String("site", "", "only this site (key)")
	allowLocal := fs.Bool("allow-local", false, "allow a public URL only this machine can open (localhost), for a local test")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *county != "" && !domain.ValidCountyCode(*county) {
		return usageErr("--county %q: want a six-digit GB/T 2260 code", *county)
	}
	cfg, err := config.Load(nil, env.Getenv, env.Stderr)
	if err != nil {
		return err
	}
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		base, err := printablePublicURL(ctx, cfg, db, *allowLocal)
		if err != nil {
			return err
		}
		signs, err := db.Signs(ctx, store.SignFilter{County: *county, Site: *site})
		if err != nil {
			return err
		}
		list := make([]signJSON, 0, len(signs))
		for _, s := range signs {
			list = append(list, signJSON{Code: s.Code, URL: qr.SignURL(base, s.Code), Site: s.Site,
				County: s.County, Label: s.Label, Campaign: s.Campaign, Installed: s.Installed, Enabled: s.Enabled})
		}
		if *asJSON {
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(list)
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tSITE\tCOUNTY\tENABLED\tLABEL\tURL")
		for _, s := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\t%s\n", s.Code, s.Site, s.County, s.Enabled, s.Label, s.URL)
		}
		return tw.Flush()
	})
}
