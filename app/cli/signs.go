package cli

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/yimayou/yimayou/app/csvsafe"
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

// signsListOptions are the flags of `signs list`.
type signsListOptions struct {
	JSON, CSV    bool
	County, Site string
	AllowLocal   bool
}

func signsCommand(env Env) *cobra.Command {
	var o signsListOptions
	list := &cobra.Command{
		Use:   "list",
		Short: "list signs and the URL in their code",
		Long: `List the signs (all, or of a county or site) with the URL their QR code
encodes: a table aligned for the terminal (Chinese text included), or JSON
or CSV for machines and spreadsheets.`,
		Example: `  yimayou signs list
  yimayou signs list --county 513322 --json
  yimayou signs list --site hailuogou --csv > hailuogou-signs.csv`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return signsList(cmd.Context(), env, o)
		},
	}
	list.Flags().BoolVar(&o.JSON, "json", false, "print JSON")
	list.Flags().BoolVar(&o.CSV, "csv", false, "print CSV (UTF-8 without BOM; cells a spreadsheet would run as formulas are defused)")
	list.Flags().StringVar(&o.County, "county", "", "only this county (GB/T 2260 code)")
	list.Flags().StringVar(&o.Site, "site", "", "only this site (key)")
	list.Flags().BoolVar(&o.AllowLocal, "allow-local", false, "allow a public URL only this machine can open (localhost), for a local test")
	list.MarkFlagsMutuallyExclusive("json", "csv")
	return group("signs", "list signs", "  yimayou signs list --county 513322", list)
}

func signsList(ctx context.Context, env Env, o signsListOptions) error {
	if o.County != "" && !domain.ValidCountyCode(o.County) {
		return usageErr("--county %q: want a six-digit GB/T 2260 code", o.County)
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
		signs, err := db.Signs(ctx, store.SignFilter{County: o.County, Site: o.Site})
		if err != nil {
			return err
		}
		list := make([]signJSON, 0, len(signs))
		for _, s := range signs {
			list = append(list, signJSON{Code: s.Code, URL: qr.SignURL(base, s.Code), Site: s.Site,
				County: s.County, Label: s.Label, Campaign: s.Campaign, Installed: s.Installed, Enabled: s.Enabled})
		}
		if o.JSON {
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(list)
		}
		if o.CSV {
			w := csvsafe.NewWriter(env.Stdout)
			rows := [][]string{{"code", "url", "site", "county", "label", "campaign", "installed", "enabled"}}
			for _, s := range list {
				rows = append(rows, []string{s.Code, s.URL, s.Site, s.County, s.Label, s.Campaign, s.Installed, strconv.FormatBool(s.Enabled)})
			}
			return w.WriteAll(rows)
		}
		rows := [][]string{{"CODE", "SITE", "COUNTY", "ENABLED", "LABEL", "URL"}}
		for _, s := range list {
			rows = append(rows, []string{s.Code, s.Site, s.County, strconv.FormatBool(s.Enabled), s.Label, s.URL})
		}
		return writeTable(env.Stdout, rows)
	})
}
