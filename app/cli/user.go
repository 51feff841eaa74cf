package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/yimayou/yimayou/app/auth"
	"github.com/yimayou/yimayou/app/domain"
)

func runUser(ctx context.Context, env Env, args []string) error {
	const use = "yimayou user add NAME --role admin|editor|operator|gate [--county CODE[,CODE…]]  (password on stdin)"
	if len(args) == 0 || args[0] != "add" {
		return usageErr(use)
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	role := fs.String("role", "", "admin, editor, operator or gate")
	counties := fs.String("county", "", "county codes, comma-separated (not for admin)")
	// Go's flag package stops at the first non-flag, so accept the name
	// before or after the flags.
	rest := args[1:]
	var name string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		name, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if name == "" && fs.NArg() == 1 {
		name = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return usageErr(use)
	}
	if name == "" || *role == "" {
		return usageErr(use)
	}
	u := domain.User{Username: name, Role: domain.Role(*role)}
	for _, c := range strings.Split(*counties, ",") {
		if c = strings.TrimSpace(c); c != "" {
			u.Counties = append(u.Counties, c)
		}
	}
	if err := u.Validate(); err != nil {
		return fmt.Errorf("%w (%s)", err, use)
	}
	password, err := readPassword(env)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		var verr *domain.ValidationError
		if errors.As(err, &verr) && verr.Key == "error.password_short" {
			return fmt.Errorf("password: at least %d characters", domain.MinPasswordLen)
		}
		return err
	}
	u.PasswordHash = hash
	return withDatabase(ctx, env, func(ctx context.Context, db *database) error {
		for _, c := range u.Counties {
			if _, err := db.County(ctx, c); err != nil {
				return fmt.Errorf("county %s: %w", c, err)
			}
		}
		if err := db.CreateUser(ctx, u); err != nil {
			if errors.Is(err, domain.ErrConflict) {
				return fmt.Errorf("user %q already exists", u.Username)
			}
			return err
		}
		fmt.Fprintf(env.Stdout, "added %s (%s)\n", u.Username, u.Role)
		return nil
	})
}

// readPassword takes the first line of stdin, so `echo pw | yimayou user
// add …` and a pipe from a secrets manager both work.
func readPassword(env Env) (string, error) {
	sc := bufio.NewScanner(env.Stdin)
	sc.Buffer(make([]byte, 4096), 4096)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return "", fmt.Errorf("read password from stdin: %w", err)
		}
		return "", errors.New("no password on stdin (pipe it in: echo 'password' | yimayou user add …)")
	}
	return strings.TrimRight(sc.Text(), "\r"), nil
}
