package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/yimayou/yimayou/app/auth"
	"github.com/yimayou/yimayou/app/domain"
)

// userAddOptions are the argument and flags of `user add`.
type userAddOptions struct {
	Name     string
	Role     string
	Counties []string
}

func userCommand(env Env) *cobra.Command {
	var o userAddOptions
	add := &cobra.Command{
		Use:   "add NAME --role ROLE [--county CODE[,CODE…]]",
		Short: "add a user (password from stdin)",
		Long: `Add a console user. The password is the first line of standard input, so
it never shows in the process list or the shell history. Roles: admin (all
counties), editor (content), operator (statistics), gate (ticket check-in);
every role but admin needs the counties it works for.`,
		Example: `  echo 'a good long password' | yimayou user add zhuoma --role editor --county 513322,513301
  pass show yimayou/admin | yimayou user add chief --role admin`,
		Args: exactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name = args[0]
			return userAdd(cmd.Context(), env, o)
		},
	}
	roles := []string{string(domain.RoleAdmin), string(domain.RoleEditor), string(domain.RoleOperator), string(domain.RoleGate)}
	add.Flags().StringVar(&o.Role, "role", "", strings.Join(roles, ", "))
	add.Flags().StringSliceVar(&o.Counties, "county", nil, "codes of the areas the user works in, comma-separated: counties, or the region's top or divisions (none for an admin of the whole region)")
	_ = add.MarkFlagRequired("role")
	_ = add.RegisterFlagCompletionFunc("role", fixedCompletion(roles...))
	return group("user", "manage console users", "  echo 'a good long password' | yimayou user add zhuoma --role editor --county 513322", add)
}

func userAdd(ctx context.Context, env Env, o userAddOptions) error {
	u := domain.User{Username: o.Name, Role: domain.Role(o.Role)}
	for _, c := range o.Counties {
		if c = strings.TrimSpace(c); c != "" {
			u.Counties = append(u.Counties, c)
		}
	}
	if err := u.Validate(); err != nil {
		return err
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
			if err := checkScopeNode(ctx, db, c); err != nil {
				return err
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

// checkScopeNode checks that code names a node of the region's tree a
// user may be scoped to: a stored county, or the region's top or one of
// its divisions.
func checkScopeNode(ctx context.Context, db *database, code string) error {
	if domain.LevelOf(code) == domain.LevelCounty {
		if _, err := db.County(ctx, code); err != nil {
			return fmt.Errorf("county %s: %w", code, err)
		}
		return nil
	}
	r, err := db.Region(ctx)
	if err != nil {
		return fmt.Errorf("area %s: %w (no region.yaml imported)", code, err)
	}
	if _, ok := r.Division(code); !ok && code != r.Code {
		return fmt.Errorf("area %s: not the region's top (%s) or one of its divisions", code, r.Code)
	}
	return nil
}
