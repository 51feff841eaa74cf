package cli

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/yimayou/yimayou/app/config"
)

// runHealthcheck asks the local server's /healthz, so a container image
// needs no curl: HEALTHCHECK runs the binary itself.
func runHealthcheck(ctx context.Context, env Env, args []string) error {
	cfg, err := config.Load(args, env.Getenv, env.Stderr)
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
