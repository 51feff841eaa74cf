package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/yimayou/yimayou/app/tickets"
)

func ticketsCommand(env Env) *cobra.Command {
	var asJSON bool
	rotate := &cobra.Command{
		Use:   "rotate [--json]",
		Short: "sign new tickets with a new key (old tickets stay valid)",
		Long: `Add the next generation of the ticket signing key. New tickets are signed
with it at once on every node (each re-reads the keys when it meets an
unknown key id, and gates fetch /api/tickets/keys); tickets signed before
keep verifying until all of them are over.`,
		Example: "  yimayou tickets keys rotate\n  yimayou tickets keys rotate --json",
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withDatabase(cmd.Context(), env, func(ctx context.Context, db *database) error {
				kid, err := rotateTicketKey(ctx, rotateKeyOptions{Store: db})
				if err != nil {
					return err
				}
				if asJSON {
					fmt.Fprintf(env.Stdout, "{\"kid\":%q}\n", kid)
				} else {
					fmt.Fprintf(env.Stdout, "ticket signing key %s now signs new tickets; older keys verify until their tickets are over\n", kid)
				}
				return nil
			})
		},
	}
	rotate.Flags().BoolVar(&asJSON, "json", false, "print the key id as JSON")
	return group("tickets", "ticketing operations", "  yimayou tickets keys rotate",
		group("keys", "ticket signing keys", "  yimayou tickets keys rotate", rotate))
}

// rotateKeyOptions are what a key rotation needs (a small struct, so the
// command ports to any CLI library).
type rotateKeyOptions struct {
	Store tickets.Store
}

func rotateTicketKey(ctx context.Context, o rotateKeyOptions) (string, error) {
	svc := tickets.New(o.Store, nil, tickets.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return svc.RotateKey(ctx)
}
