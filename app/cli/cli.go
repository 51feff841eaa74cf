// Package cli wires yimayou together and runs its subcommands. It is the
// only place that knows every other package; cmd/yimayou only calls Run.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
)

// Env is what a command may touch of the outside world, so tests can run
// commands in-process with their own streams and environment.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// OSEnv is the process's own environment.
func OSEnv() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

type command struct {
	summary string
	run     func(ctx context.Context, env Env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":       {"run the web server (default)", runServe},
		"import":      {"import DIR: load a content pack into the database", runImport},
		"export":      {"export DIR: write the database's content as a pack", runExport},
		"signs":       {"signs list [--json] [--county CODE]: list signs and their URLs", runSigns},
		"user":        {"user add NAME --role ROLE --county CODE[,CODE]: add a user (password from stdin)", runUser},
		"qr":          {"qr export --county CODE [--out FILE]: all sign codes and print sheets of a county as a ZIP", runQR},
		"stats":       {"stats rebuild --from DAY --to DAY: recompute rollups from raw events", runStats},
		"tickets":     {"tickets keys rotate [--json]: sign new tickets with a new key (old tickets stay valid)", runTickets},
		"gen-events":  {"gen-events --sites N --days D --per-day K [--direct]: fill the database with synthetic events", runGenEvents},
		"version":     {"print the version", runVersion},
		"healthcheck": {"exit 0 if the local server answers /healthz (for container health checks)", runHealthcheck},
	}
}

// errUsage marks an error whose message is a usage line: no "error:" prefix.
var errUsage = errors.New("usage")

// Run runs the command in args (without the program name) and returns the
// process exit code: 0 ok, 1 failure, 2 usage error.
func Run(ctx context.Context, env Env, args []string) int {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage(env.Stdout)
		return 0
	}
	cmd, ok := commands()[name]
	if !ok {
		fmt.Fprintf(env.Stderr, "yimayou: unknown command %q\n\n", name)
		usage(env.Stderr)
		return 2
	}
	if err := cmd.run(ctx, env, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(env.Stderr, "yimayou %s: %s\n", name, describe(err))
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: yimayou [command] [flags]\n\ncommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nEvery command reads the settings in `yimayou serve --help` from the environment.")
}

func newLogger(w io.Writer, level slog.Level, json bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if json {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}

// describe turns an error into a message for a person at a terminal:
// validation errors carry translation keys, so they are spelled out in
// English, with the field they concern.
func describe(err error) string {
	var verr *domain.ValidationError
	if !errors.As(err, &verr) {
		return err.Error()
	}
	cat, lerr := i18n.Load()
	if lerr != nil {
		return err.Error()
	}
	msg := cat.T(domain.En, verr.Key, verr.Args...)
	if verr.Field != "" {
		msg = verr.Field + ": " + msg
	}
	// Keep the context that wrapping added before the validation error.
	if full, inner := err.Error(), verr.Error(); strings.HasSuffix(full, inner) && len(full) > len(inner) {
		return strings.TrimSuffix(full, inner) + msg
	}
	return msg
}
