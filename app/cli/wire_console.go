package cli

import (
	"context"
	"log/slog"

	"github.com/yimayou/yimayou/app/auth"
	"github.com/yimayou/yimayou/app/config"
	"github.com/yimayou/yimayou/app/content"
	"github.com/yimayou/yimayou/app/web"
)

// consoleDeps builds what the bureau console needs.
func consoleDeps(db *database, cfg config.Config, log *slog.Logger) web.ConsoleDeps {
	return web.ConsoleDeps{
		Store:        db.Store,
		HashPassword: auth.HashPassword,
		ExportPack:   func(ctx context.Context) (content.Pack, error) { return content.Export(ctx, db.Store) },
	}
}
