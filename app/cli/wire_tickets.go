package cli

import (
	"log/slog"

	"github.com/yimayou/yimayou/app/config"
	"github.com/yimayou/yimayou/app/web"
)

// ticketDeps builds what ticketing needs.
func ticketDeps(db *database, cfg config.Config, log *slog.Logger) web.TicketDeps {
	return web.TicketDeps{}
}
