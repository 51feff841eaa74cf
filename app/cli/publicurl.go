package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/yimayou/yimayou/app/config"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
)

// settingStore is what the public URL needs of the database.
type settingStore interface {
	Setting(ctx context.Context, name string) (string, error)
	PutSetting(ctx context.Context, name, value string) error
}

// Where a public URL came from, for messages.
const (
	fromConfig  = "YIMAYOU_PUBLIC_URL"
	fromStored  = "stored in the database"
	fromDefault = "the default"
)

// publicURL is the one answer to "which base URL goes into codes": the one
// YIMAYOU_PUBLIC_URL (or --public-url) names, else the one stored in the
// database (by `serve` or `yimayou config set public-url`), else the
// default http://localhost:PORT. So a command run from a bare shell
// beside a configured server prints the server's URL, not localhost.
func publicURL(ctx context.Context, cfg config.Config, db settingStore) (url, from string, err error) {
	if cfg.PublicURLSet {
		return cfg.PublicURL, fromConfig, nil
	}
	stored, err := db.Setting(ctx, store.SettingPublicURL)
	if err == nil && stored != "" {
		return stored, fromStored, nil
	}
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return "", "", err
	}
	return cfg.PublicURL, fromDefault, nil
}

// rememberPublicURL stores a configured public URL, so every node and
// command uses it; a defaulted one is not stored.
func rememberPublicURL(ctx context.Context, cfg config.Config, db settingStore) error {
	if !cfg.PublicURLSet {
		return nil
	}
	if stored, err := db.Setting(ctx, store.SettingPublicURL); err == nil && stored == cfg.PublicURL {
		return nil
	}
	return db.PutSetting(ctx, store.SettingPublicURL, cfg.PublicURL)
}

// printablePublicURL is publicURL for output meant for print or for other
// machines (codes, sheets, sign lists): a URL only this machine can open
// is refused unless allowLocal, since codes made with it lead phones
// nowhere.
func printablePublicURL(ctx context.Context, cfg config.Config, db settingStore, allowLocal bool) (string, error) {
	u, from, err := publicURL(ctx, cfg, db)
	if err != nil {
		return "", err
	}
	if !allowLocal && config.IsLocalURL(u) {
		return "", fmt.Errorf("the public URL is %s (%s), which only this machine can open: codes made with it "+
			"would lead visitors' phones nowhere. Set the address visitors reach with "+
			"`yimayou config set public-url https://…` (or YIMAYOU_PUBLIC_URL), or pass --allow-local for a local test", u, from)
	}
	return u, nil
}
