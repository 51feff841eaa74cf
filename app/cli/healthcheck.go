package cli

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

func healthcheckCommand(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "exit 0 if the local server answers /healthz (for container health checks)",
		Long: `Ask the server on this machine for /healthz, on the port of --addr
(YIMAYOU_ADDR): exit 0 when it answers 200, 1 otherwise. A container image
needs no curl: its HEALTHCHECK runs the binary itself.`,
		Example: `  yimayou healthcheck
  yimayou healthcheck --addr :9000`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return healthcheck(cmd.Context(), env, settingFlags(cmd))
		},
	}
	addSettingFlags(cmd)
	return cmd
}

// healthcheck asks the local server's /healthz.
func healthcheck(ctx context.Context, env Env, settings map[string]string) error {
	cfg, err := loadConfig(env, settings)
	if err != nil {
		return err
	}
	_, port, _ := net.SplitHostPort(cfg.Addr)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort("127.0.0.1", port)+"/healthz", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("/healthz answered %s", res.Status)
	}
	fmt.Fprintln(env.Stdout, "ok")
	return nil
}
