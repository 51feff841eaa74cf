package cli

import (
	"context"
	"flag"
	"strconv"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
	"github.com/spf13/cobra"
)

// Every command and subcommand has a summary and an example, and its
// --help exits 0 on stdout.
func TestEveryCommandHasHelpWithExample(t *testing.T) {
	env, _, _ := testEnv(t.TempDir(), "", nil)
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		// cobra's own completion commands come with their own docs.
		if !strings.HasPrefix(c.CommandPath(), "yimayou completion") {
			n++
			if c.Short == "" || c.Example == "" {
				t.Errorf("%s: summary %q, example %q", c.CommandPath(), c.Short, c.Example)
			}
			args := append(strings.Fields(c.CommandPath())[1:], "--help")
			code, out, errOut := run(t, t.TempDir(), "", args...)
			if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "Usage:") || errOut != "" {
				t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
			}
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(newRoot(env))
	if n < 14 {
		t.Errorf("walked %d commands", n)
	}
}

func TestRootHelpListsCommandsNotServeFlags(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, out, _ := run(t, t.TempDir(), "", args...)
		if code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
		for _, want := range []string{"serve", "import", "signs", "gen-events", "healthcheck", "completion", "Exit codes"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: help lacks %q", args, want)
			}
		}
		if strings.Contains(out, "--addr") || strings.Contains(out, "--public-url") {
			t.Errorf("%v: root help shows serve's flags:\n%s", args, out)
		}
	}
	code, out, _ := run(t, t.TempDir(), "", "help", "serve")
	if code != 0 || !strings.Contains(out, "--public-url") || !strings.Contains(out, "YIMAYOU_PUBLIC_URL") || !strings.Contains(out, "yimayou serve [flags]") {
		t.Errorf("help serve: %d\n%s", code, out)
	}
	for _, args := range [][]string{{"qr", "--help"}, {"signs", "--help"}, {"stats", "--help"}, {"user", "--help"},
		{"export", "--help"}, {"import", "--help"}, {"help", "signs", "list"}} {
		code, out, _ := run(t, t.TempDir(), "", args...)
		if code != 0 || !strings.Contains(out, "Usage:") || strings.Contains(out, "Usage of") {
			t.Errorf("%v: exit %d\n%s", args, code, out)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"-v"}, {"version"}} {
		code, out, _ := run(t, t.TempDir(), "", args...)
		if code != 0 || out != "yimayou "+version()+"\n" {
			t.Errorf("%v: %d %q", args, code, out)
		}
	}
}

// Usage errors exit 2 with the command, the message and a pointer to
// --help on stderr; a bad flag value is named by its flag.
func TestUsageErrorsExit2NamingTheFlag(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"frob"}, `unknown command "frob"`},
		{[]string{"sgins"}, "did you mean signs"},
		{[]string{"signs", "lst"}, `unknown command "lst"`},
		{[]string{"gen-events", "--sites", "many"}, `"--sites"`},
		{[]string{"gen-events", "--days", "0"}, "--days 0"},
		{[]string{"gen-events", "--from", "yesterday"}, `--from "yesterday"`},
		{[]string{"stats", "rebuild", "--from", "2026-13-01"}, `--from "2026-13-01"`},
		{[]string{"signs", "list", "--json", "--csv"}, "[csv json]"},
		{[]string{"signs", "list", "extra"}, "want 0 argument"},
		{[]string{"qr", "export"}, `"county" not set`},
		{[]string{"qr", "export", "--county", "513322", "--lang", "fr"}, `--lang "fr"`},
		{[]string{"user", "add", "bob"}, `"role" not set`},
		{[]string{"import", "a", "b"}, "DIR"},
		{[]string{"serve", "--log-level", "loud"}, `--log-level "loud"`},
		{[]string{"healthcheck", "--addr", "x"}, `--addr "x"`},
		{[]string{"version", "--nope"}, "unknown flag: --nope"},
		{[]string{"help", "frob"}, `no help for "frob"`},
		{[]string{"completion"}, "which shell? bash, fish, powershell, zsh"},
		{[]string{"completion", "tcsh"}, `no completion for shell "tcsh"`},
		{[]string{"help", "signs", "lst"}, `no help for "signs lst"`},
	}
	for _, tc := range cases {
		code, out, errOut := run(t, t.TempDir(), "", tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "--help' for usage") || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 mentioning %q", tc.args, code, out, errOut, tc.want)
		}
	}
	// A bad setting from the environment keeps the variable's name.
	env, _, errb := testEnv(t.TempDir(), "", map[string]string{"YIMAYOU_LOG_LEVEL": "loud"})
	if code := Run(context.Background(), env, []string{"signs", "list"}); code != 2 || !strings.Contains(errb.String(), `YIMAYOU_LOG_LEVEL "loud"`) {
		t.Errorf("bad variable: exit %d, %q", code, errb.String())
	}
}

func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string]string{"bash": "__start_yimayou", "zsh": "#compdef yimayou", "fish": "complete -c yimayou"} {
		code, out, errOut := run(t, t.TempDir(), "", "completion", shell)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("completion %s: exit %d, %q lacks %q (%s)", shell, code, firstLine(out), want, errOut)
		}
	}
	// The completion of a flag's values.
	code, out, _ := run(t, t.TempDir(), "", "__complete", "user", "add", "bob", "--role", "")
	if code != 0 || !strings.Contains(out, "editor") || !strings.Contains(out, "gate") {
		t.Errorf("complete --role: %d %q", code, out)
	}
}

func firstLine(s string) string { line, _, _ := strings.Cut(s, "\n"); return line }

// Off a terminal, progress is one plain line per 10 %, whatever the
// number of updates; a bar (with its carriage returns) only on a TTY.
func TestProgressOffTerminalWritesTenLines(t *testing.T) {
	env, _, errb := testEnv(t.TempDir(), "", nil)
	p := newProgress(env, "storing events", 12345)
	for i := 1; i <= 12345; i++ {
		p.Add(1)
	}
	p.Finish()
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if len(lines) != 10 || lines[0] != "storing events: 10% (1235/12345)" || lines[9] != "storing events: 100% (12345/12345)" {
		t.Errorf("lines: %q", lines)
	}
	if strings.Contains(errb.String(), "\r") {
		t.Error("carriage return off a terminal")
	}

	// A total learnt late, and jumps over several tenths: one line per jump.
	env, _, errb = testEnv(t.TempDir(), "", nil)
	p = newProgress(env, "importing", -1)
	p.Update(0, 0)
	p.Update(1, 4)
	p.Update(4, 4)
	p.Finish()
	if got := errb.String(); got != "importing: 20% (1/4)\nimporting: 100% (4/4)\n" {
		t.Errorf("late total: %q", got)
	}

	env, _, errb = testEnv(t.TempDir(), "", nil)
	env.StderrTTY = true
	p = newProgress(env, "signs", 3)
	p.Update(3, 3)
	p.Finish()
	if !strings.Contains(errb.String(), "signs") || !strings.Contains(errb.String(), "3/3") {
		t.Errorf("terminal bar: %q", errb.String())
	}
}

// Columns line up by display width with Chinese and Tibetan labels.
func TestTableAlignsByDisplayWidth(t *testing.T) {
	var b strings.Builder
	rows := [][]string{{"CODE", "LABEL", "URL"}, {"A1", "海螺沟入口", "u1"}, {"B22", "gate\nwest", "u2"}, {"C3", "ལྷ་སྒང་", "u3"}}
	if err := writeTable(&b, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%q", lines)
	}
	var col int
	for i, l := range lines {
		// The display column where the last field starts is the same on every line.
		last := rows[i][2]
		if strings.Contains(l, "\t") {
			t.Errorf("line %d %q has a tab", i, l)
		}
		at := runewidth.StringWidth(strings.TrimSuffix(l, last))
		if i == 0 {
			col = at
		} else if at != col {
			t.Errorf("line %d %q: URL at column %d, header's at %d", i, l, at, col)
		}
	}
	if col != len("CODE  ")+runewidth.StringWidth("海螺沟入口")+2 {
		t.Errorf("URL column %d\n%s", col, b.String())
	}
}

// An old-style command runs unported: its own flag set parses its
// arguments, --help exits 0 and a bad flag or usageErr exits 2.
func TestLegacyCommandRunsUnported(t *testing.T) {
	var got []string
	old := command{"back up everything", func(ctx context.Context, env Env, args []string) error {
		fs := flag.NewFlagSet("olddemo", flag.ContinueOnError)
		fs.SetOutput(env.Stderr)
		full := fs.Bool("full", false, "include raw events")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return usageErr("yimayou olddemo FILE")
		}
		got = append(got, fs.Arg(0), strconv.FormatBool(*full))
		return nil
	}}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"olddemo", "--full", "x.tar"}, 0},
		{[]string{"olddemo", "--help"}, 0},
		{[]string{"olddemo", "--fool", "x.tar"}, 2},
		{[]string{"olddemo"}, 2},
	} {
		env, _, errb := testEnv(t.TempDir(), "", nil)
		root := newRoot(env)
		root.AddCommand(legacyCommand(env, "olddemo", old))
		if code := execute(context.Background(), env, root, tc.args); code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, errb.String())
		}
	}
	if strings.Join(got, " ") != "x.tar true" {
		t.Errorf("ran with %q", got)
	}
}
