// Package cli wires yimayou together and runs its subcommands. It is the
// only place that knows every other package; cmd/yimayou only calls Run.
//
// # Adding a command
//
// One file per command. The file holds an options struct, a function that
// does the work from it (testable without any flag parsing), and a
// constructor that builds the *cobra.Command, binds flags to the struct
// and calls the function:
//
//	type backupOptions struct{ File string; Full bool }
//
//	func backupCommand(env Env) *cobra.Command {
//		var o backupOptions
//		cmd := &cobra.Command{
//			Use:     "backup FILE",
//			Short:   "save everything into one archive",
//			Example: "  yimayou backup /srv/yimayou-2026-11-30.tar",
//			Args:    exactArgs(1), // a wrong count exits 2
//			RunE: func(cmd *cobra.Command, args []string) error {
//				o.File = args[0]
//				return backup(cmd.Context(), env, o)
//			},
//		}
//		cmd.Flags().BoolVar(&o.Full, "full", false, "include raw events")
//		return cmd
//	}
//
// then add backupCommand to the list in newRoot. Return usageErr(...) for
// a bad argument (exit 2), any other error for a failure (exit 1); report
// progress with newProgress. Commands with subcommands (`signs list`) use
// group() for the parent. Old-style commands (a func(ctx, env, args) in
// the commands() map) keep working unported: they parse their own flags.
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

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/yimayou/yimayou/app/config"
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
	// StderrTTY says Stderr is a terminal: progress is drawn as a bar
	// there, and written as a plain line per 10 % anywhere else (logs).
	StderrTTY bool
}

// OSEnv is the process's own environment.
func OSEnv() Env {
	fd := os.Stderr.Fd()
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
		StderrTTY: isatty.IsTerminal(fd) || isatty.IsCygwinTerminal(fd)}
}

// command is an old-style command: it parses its own arguments.
type command struct {
	summary string
	run     func(ctx context.Context, env Env, args []string) error
}

// commands lists the old-style commands not yet ported to cobra (see the
// package comment); each is wrapped by legacy().
func commands() map[string]command {
	return map[string]command{}
}

const rootLong = `yimayou (一码游) is a self-hosted QR visitor platform: tourists scan a sign
and get a mobile page; bureau staff use a console; operators read statistics.

With no command, yimayou serves (yimayou serve). Every command reads the
settings listed in "yimayou help serve" from the environment; serve also
takes them as flags.

Exit codes: 0 ok, 1 failure, 2 usage error (a bad command, flag, argument
or setting: nothing was done).`

func newRoot(env Env) *cobra.Command {
	root := &cobra.Command{
		Use:     "yimayou",
		Short:   "QR visitor platform for county tourism bureaus",
		Long:    rootLong,
		Example: "  yimayou                       # serve on :8080 with the embedded database\n  yimayou signs list --county 513322\n  yimayou help serve",
		Version: version(),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknownCommand(cmd, args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serve(cmd.Context(), env, serveOptions{})
		},
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetVersionTemplate("yimayou {{.Version}}\n")
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr("%v", err) })
	root.AddCommand(
		serveCommand(env),
		importCommand(env),
		exportCommand(env),
		signsCommand(env),
		userCommand(env),
		qrCommand(env),
		statsCommand(env),
		genEventsCommand(env),
		configCommand(env),
		ticketsCommand(env),
		backupCommand(env),
		restoreCommand(env),
		migrateCommand(env),
		versionCommand(env),
		healthcheckCommand(env),
	)
	strictHelp(root)
	strictCompletion(root)
	legacy := commands()
	names := make([]string, 0, len(legacy))
	for n := range legacy {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		root.AddCommand(legacyCommand(env, n, legacy[n]))
	}
	return root
}

// Run runs the command in args (without the program name) and returns the
// process exit code: 0 ok, 1 failure, 2 usage error.
func Run(ctx context.Context, env Env, args []string) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	// serve is the default command, flags included: `yimayou --addr :9000`.
	if len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-h", "--help", "-v", "--version":
		default:
			args = append([]string{"serve"}, args...)
		}
	}
	return execute(ctx, env, newRoot(env), args)
}

func execute(ctx context.Context, env Env, root *cobra.Command, args []string) int {
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	name := "yimayou"
	if cmd != nil {
		name = cmd.CommandPath()
	}
	fmt.Fprintf(env.Stderr, "%s: %s\n", name, describe(err))
	if errors.Is(err, errUsage) || isCobraUsage(err) {
		fmt.Fprintf(env.Stderr, "Run '%s --help' for usage.\n", name)
		return 2
	}
	return 1
}

// errUsage marks a usage error: exit code 2.
var errUsage = errors.New("usage")

type usageError struct{ msg string }

func (e usageError) Error() string        { return e.msg }
func (e usageError) Is(target error) bool { return target == errUsage }

// usageErr is a bad command line: a wrong argument, flag or value.
func usageErr(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

func unknownCommand(cmd *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q", name)
	cmd.SuggestionsMinimumDistance = 2
	if s := cmd.SuggestionsFor(name); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return usageErr("%s (commands: %s)", msg, strings.Join(commandNames(cmd), ", "))
}

func commandNames(cmd *cobra.Command) []string {
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return names
}

// strictCompletion makes `yimayou completion` without a known shell a
// usage error (cobra's prints its help and exits 0).
func strictCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Example = "  yimayou completion bash > /etc/bash_completion.d/yimayou\n  yimayou completion zsh > \"${fpath[1]}/_yimayou\"\n  yimayou completion fish > ~/.config/fish/completions/yimayou.fish"
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErr("no completion for shell %q (shells: %s)", args[0], strings.Join(commandNames(c), ", "))
			}
			return usageErr("which shell? %s", strings.Join(commandNames(c), ", "))
		}
	}
}

// strictHelp makes `yimayou help NAME` a usage error for an unknown NAME
// (cobra's own help prints the command list and exits 0).
func strictHelp(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	for _, h := range root.Commands() {
		if h.Name() != "help" {
			continue
		}
		h.Example = "  yimayou help serve\n  yimayou help signs list"
		h.Run = nil
		h.RunE = func(c *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 || target == nil {
				return usageErr("no help for %q (commands: %s)", strings.Join(args, " "), strings.Join(commandNames(root), ", "))
			}
			return target.Help()
		}
	}
}

// group is a command that only holds subcommands (`signs` for `signs
// list`): run alone, or with an unknown subcommand, it is a usage error.
func group(use, short, example string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use: use, Short: short, Example: example,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknownCommand(cmd, args[0])
			}
			return usageErr("which one? %s", strings.Join(commandNames(cmd), ", "))
		},
	}
	cmd.AddCommand(subs...)
	return cmd
}

// exactArgs wants n positional arguments, named in the message.
func exactArgs(n int, names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErr("want %d argument(s) %s, got %d", n, strings.Join(names, " "), len(args))
		}
		return nil
	}
}

// legacyCommand wraps an old-style command: its own flag.FlagSet parses
// everything after its name, --help included.
func legacyCommand(env Env, name string, c command) *cobra.Command {
	return &cobra.Command{
		Use: name, Short: c.summary, Long: c.summary,
		Example:            "  yimayou " + name + " --help",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			err := c.run(cmd.Context(), env, args)
			if err != nil && isStdFlagError(err) {
				return usageErr("%v", err)
			}
			return err
		},
	}
}

// isCobraUsage recognises the flag errors cobra does not pass through
// the flag error function: required flags and exclusive flag groups.
func isCobraUsage(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "required flag(s)") || strings.HasPrefix(msg, "if any flags in the group")
}

// isStdFlagError recognises the errors of the standard flag package.
func isStdFlagError(err error) bool {
	for _, p := range []string{"flag provided but not defined", "invalid value ", "invalid boolean ", "bad flag syntax", "flag needs an argument"} {
		if strings.HasPrefix(err.Error(), p) {
			return true
		}
	}
	return false
}

// loadConfig reads the settings from the environment (and flags, for
// serve). A bad setting is a usage error: nothing was attempted.
func loadConfig(env Env, flags map[string]string) (config.Config, error) {
	cfg, err := config.FromFlags(flags, env.Getenv)
	if err != nil {
		return cfg, usageErr("%v", err)
	}
	return cfg, nil
}

func newLogger(w io.Writer, level slog.Level, json bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if json {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
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
