package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/yimayou/yimayou/app/tickets"
)

// runTickets is `yimayou tickets keys rotate`: it adds the next generation
// of the ticket signing key. New tickets are signed with it at once on
// every node (each re-reads the keys when it meets an unknown key id, and
// gates fetch /api/tickets/keys); tickets signed before keep verifying
// until all of them are over.
func runTickets(ctx context.Context, env Env, args []string) error {
	if len(args) < 2 || args[0] != "keys" || args[1] != "rotate" {
		return usageErr("yimayou tickets keys rotate [--json]")
	}
	fs := flag.NewFlagSet("tickets keys rotate", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	asJSON := fs.Bool("json", false, "print the key id as JSON")
	if err := fs.Parse(args[2:]); err != nil {
		return err
	}
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		kid, err := rotateTicketKey(ctx, rotateKeyOptions{Store: db})
		if err != nil {
			return err
		}
		if *asJSON {
			fmt.Fprintf(env.Stdout, "{\"kid\":%q}\n", kid)
		} else {
			fmt.Fprintf(env.Stdout, "ticket signing key %s now signs new tickets; older keys verify until their tickets are over\n", kid)
		}
		return nil
	})
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
