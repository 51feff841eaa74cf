package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/yimayou/yimayou/app/auth"
	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/config"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/events"
	"github.com/yimayou/yimayou/app/i18n"
	"github.com/yimayou/yimayou/app/qr"
	"github.com/yimayou/yimayou/app/web"
	"github.com/yimayou/yimayou/public"
)

// serveOptions are serve's flags: the settings given on the command line,
// by flag name (see config.Vars); the environment supplies the rest.
type serveOptions struct {
	Settings map[string]string
}

func serveCommand(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "run the web server (the default command)",
		Long: `Run the web server: tourist pages, the console, statistics, ticketing and
the API. With no MONGODB_URI it starts the embedded database in the data
directory. Each setting is a flag or an environment variable; a flag wins.`,
		Example: `  yimayou serve
  yimayou serve --addr 127.0.0.1:8080 --public-url https://qr.ganzi.example.cn
  YIMAYOU_DATA_DIR=/srv/yimayou yimayou serve --log-format json`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serve(cmd.Context(), env, serveOptions{Settings: settingFlags(cmd)})
		},
	}
	addSettingFlags(cmd)
	return cmd
}

// addSettingFlags gives cmd a flag per setting, documented with its
// environment variable.
func addSettingFlags(cmd *cobra.Command) {
	for _, v := range config.Vars {
		cmd.Flags().String(v.Flag, v.Default, v.Help+" ["+v.Env+"]")
	}
	_ = cmd.RegisterFlagCompletionFunc("log-level", fixedCompletion("debug", "info", "warn", "error"))
	_ = cmd.RegisterFlagCompletionFunc("log-format", fixedCompletion("text", "json"))
}

// settingFlags are the settings the user gave as flags.
func settingFlags(cmd *cobra.Command) map[string]string {
	set := map[string]string{}
	for _, v := range config.Vars {
		if f := cmd.Flags().Lookup(v.Flag); f != nil && f.Changed {
			set[v.Flag] = f.Value.String()
		}
	}
	return set
}

func fixedCompletion(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

func serve(ctx context.Context, env Env, o serveOptions) error {
	cfg, err := loadConfig(env, o.Settings)
	if err != nil {
		return err
	}
	log := newLogger(env.Stderr, cfg.LogLevel, cfg.LogJSON)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	// Bind first: a taken port should fail before any work is done.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	if strings.HasSuffix(cfg.PublicURL, ":0") {
		// Port 0 asks for any free port; the URL must name the one we got.
		cfg.PublicURL = "http://" + ln.Addr().String()
	}

	db, err := openDatabase(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer db.close(context.Background())
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	if cfg.SeedDemo {
		if err := seedDemo(ctx, db, log); err != nil {
			return err
		}
	}
	if err := db.ensureIDIndexes(ctx); err != nil {
		log.Warn("embedded _id index fix", "err", err)
	}
	admin, password, err := firstAdmin(ctx, db)
	if err != nil {
		return err
	}

	cat, err := catalog.New(ctx, db, log)
	if err != nil {
		return err
	}
	workers, stopWorkers := context.WithCancel(context.Background())
	defer stopWorkers()
	go cat.Watch(workers, cfg.ReloadEvery)

	formSecret, err := db.AppSecret(ctx, "forms")
	if err != nil {
		return err
	}
	// The event pipeline: the local log answers the scan path; the shipper
	// takes it to MongoDB at its own pace.
	evlog, err := events.Open(events.Options{Dir: filepath.Join(cfg.DataDir, "events"), Strict: cfg.EventStrict,
		SyncEvery: cfg.EventFsync, Logger: log})
	if err != nil {
		return err
	}
	// Rollups written before the county and prefecture levels existed get
	// theirs once, before shipping continues them.
	if err := events.BackfillLevels(ctx, db.Store, log); err != nil {
		return err
	}
	shipper := evlog.Ship(db.Store, events.ShipOptions{})
	secrets := events.NewSecrets(db.Store, log, nil)
	go secrets.Run(workers, 10*time.Minute)
	go events.NewRetention(db.Store, cfg.RetentionDays, log, nil).Run(workers, 6*time.Hour)
	go janitor(workers, db, log)
	reg := prometheus.NewRegistry()
	reg.MustRegister(evlog.Collectors()...)
	app, err := web.New(web.Deps{
		Catalog: cat, I18n: i18n.MustLoad(), Recorder: evlog, Tagger: events.NewTagger(secrets, log), QR: qr.NewRenderer(32 << 20),
		ReadyExtra: map[string]web.ReadyCheck{"event_log": func(context.Context) (any, error) { return evlog.Lag(), nil }},
		DB:         db, Registry: reg, Log: log, PublicURL: cfg.PublicURL, Public: public.FS, Version: version(),
		Accounts: db, CheckPassword: auth.CheckPassword, KV: db.KV("web"),
		Alerts: db, Feedback: db, FormSecret: formSecret,
		Console: consoleDeps(db, cfg, log),
		Tickets: ticketDeps(workers, db, cfg, log, evlog),
		Stats:   web.StatsDeps{Store: db.Store, Warm: workers, Node: evlog.Node()},
	})
	if err != nil {
		return err
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- app.Listener(ln) }()
	printBanner(env, cfg, db, admin, password, cat.Snapshot().ExampleSign())
	log.Info("serving", "addr", ln.Addr().String(), "public_url", cfg.PublicURL, "embedded", cfg.Embedded())

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		if err != nil {
			return fmt.Errorf("http server: %w", err)
		}
	}

	// Shutdown in order: stop accepting and drain HTTP, flush the event
	// pipeline, stop workers; the deferred close then disconnects MongoDB
	// and stops the embedded server.
	log.Info("shutting down")
	if err := app.ShutdownWithTimeout(cfg.ShutdownGrace); err != nil {
		log.Warn("http drain", "err", err)
	}
	flushCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := evlog.Close(flushCtx); err != nil {
		log.Error("close event log", "err", err)
	}
	// What the shipper cannot send in time stays in the log for the next
	// start: nothing is lost by a quick shutdown.
	shipCtx, cancelShip := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelShip()
	if err := shipper.Close(shipCtx); err != nil {
		log.Warn("ship events", "err", err, "left_for_next_start", evlog.Lag().Events)
	}
	stopWorkers()
	log.Info("stopped")
	return nil
}

// firstAdmin creates the "admin" user with a generated password when the
// database has no user yet. The password is returned only then, to be
// shown once.
func firstAdmin(ctx context.Context, db *database) (name, password string, err error) {
	n, err := db.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", "", err
	}
	password = auth.NewPassword(16)
	hash, err := auth.HashPassword(password)
	if err != nil {
		return "", "", err
	}
	err = db.CreateUser(ctx, domain.User{Username: "admin", PasswordHash: hash, Role: domain.RoleAdmin})
	if errors.Is(err, domain.ErrConflict) {
		return "", "", nil // another node created it first
	}
	if err != nil {
		return "", "", err
	}
	return "admin", password, nil
}

func printBanner(env Env, cfg config.Config, db *database, admin, password, exampleCode string) {
	w := env.Stdout
	fmt.Fprintf(w, "yimayou %s is serving at %s\n", version(), cfg.PublicURL)
	if admin != "" {
		fmt.Fprintf(w, "  first admin login: %s / %s   (shown once: keep it now)\n", admin, password)
	}
	if db.server != nil {
		fmt.Fprintf(w, "  embedded database: %s (database %q, files in %s)\n", db.uri, cfg.Database, db.server.Dir())
	} else {
		fmt.Fprintf(w, "  database: MongoDB (database %q)\n", cfg.Database)
	}
	if exampleCode != "" {
		fmt.Fprintf(w, "  try a scan: %s\n", qr.SignURL(cfg.PublicURL, exampleCode))
	}
}

// janitor removes expired sessions and key-value entries: the embedded
// server has no TTL indexes.
func janitor(ctx context.Context, db *database, log *slog.Logger) {
	t := time.NewTicker(30 * time.Minute)
	defer t.Stop()
	for {
		now := time.Now()
		if _, err := db.DeleteExpiredSessions(ctx, now); err != nil && ctx.Err() == nil {
			log.Warn("janitor: sessions", "err", err)
		}
		if _, err := db.DeleteExpiredKV(ctx, now); err != nil && ctx.Err() == nil {
			log.Warn("janitor: kv", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
