package cli

import (
	"log/slog"

	"github.com/yimayou/yimayou/app/config"
	"github.com/yimayou/yimayou/app/web"
)

// consoleDeps builds what the bureau console needs.
func consoleDeps(db *database, cfg config.Config, log *slog.Logger) web.ConsoleDeps {
	return web.ConsoleDeps{}
}
