package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/yimayou/yimayou/app/auth"
	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/config"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/events"
	"github.com/yimayou/yimayou/app/netguard"
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

	// One process per data dir: a second serve (or a command holding the
	// embedded files) would share the SQLite files and the event log.
	lock, err := lockDataDir(cfg.DataDir, "serve")
	if err != nil {
		return err
	}
	defer lock.release()

	// Bind first: a taken port should fail before any work is done.
	tcp, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	ln := guardListener(tcp, cfg, log)
	defer ln.Close()
	// /metrics has its own listener, private by default: it tells anyone
	// who can read it the traffic of every site.
	var metricsLn net.Listener
	if cfg.MetricsAddr != "" {
		if metricsLn, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			return fmt.Errorf("YIMAYOU_METRICS_ADDR: listen on %s: %w (set another address, or off)", cfg.MetricsAddr, err)
		}
		defer metricsLn.Close()
	}
	if strings.HasSuffix(cfg.PublicURL, ":0") {
		// Port 0 asks for any free port; the URL must name the one we got.
		cfg.PublicURL = "http://" + ln.Addr().String()
	}

	// The visitor languages, before any content is read (the demo pack).
	ui, err := uiCatalogs()
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer db.close(context.Background())
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	// Commands run from another shell print codes with the URL this
	// server is reached at; one without YIMAYOU_PUBLIC_URL uses the stored one.
	if err := rememberPublicURL(ctx, cfg, db); err != nil {
		return err
	}
	if cfg.PublicURL, _, err = publicURL(ctx, cfg, db); err != nil {
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
	// Days of events, rollups and tickets are counted in the region's
	// time zone, set once here before any worker or request runs.
	regionZone, err := useRegionZone(cat.Snapshot().Region.TimeZone, log)
	if err != nil {
		return err
	}
	// The visitor languages are the region's choice among the catalogues
	// (empty: every catalogue), also set once here; /admin/region says a
	// change needs a restart.
	if langs := cat.Snapshot().Region.Languages; len(langs) > 0 {
		if err := ui.Offer(langs); err != nil {
			return fmt.Errorf("region languages: %w: fix them at /admin/region or import a region.yaml (yimayou import)", err)
		}
		log.Info("visitor languages", "languages", langs)
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
	reg.MustRegister(listenerCollectors(ln)...)
	tagger := events.NewTagger(secrets, log) // visitor keys and late-event tokens
	app, err := web.New(web.Deps{
		Catalog: cat, I18n: ui, Recorder: evlog, Tagger: tagger, LateTokens: tagger, LateClaims: db, QR: qr.NewRenderer(32 << 20),
		ReadyExtra: map[string]web.ReadyCheck{"event_log": func(context.Context) (any, error) { return evlog.Ready(cfg.ReadyMaxLag) }},
		DB:         db, Registry: reg, Log: log, PublicURL: cfg.PublicURL, Public: public.FS, Version: version(),
		TrustedProxies: cfg.TrustedProxies, ProxyHeader: cfg.ProxyHeader, MetricsToken: cfg.MetricsToken,
		Accounts: db, CheckPassword: auth.CheckPassword, KV: db.KV("web"),
		Alerts: db, Feedback: db, FormSecret: formSecret,
		Console: consoleDeps(db, cfg, log),
		Tickets: ticketDeps(workers, db, cfg, log, evlog),
		// The bureau's ticketing pages (settings, closures, walk-in, refunds).
		TicketSettings: web.TicketSettingsDeps{Store: db},
		Stats:          web.StatsDeps{Store: db.Store, Warm: workers, Node: evlog.Node()},
		Region:         web.RegionDeps{Zone: regionZone},
	})
	if err != nil {
		return err
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- app.Listener(ln) }()
	var metricsSrv *http.Server
	if metricsLn != nil {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		metricsSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := metricsSrv.Serve(metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics listener", "err", err)
			}
		}()
	}
	metricsURL := ""
	if metricsLn != nil {
		metricsURL = "http://" + metricsLn.Addr().String() + "/metrics"
	}
	printBanner(env, cfg, db, admin, password, metricsURL, cat.Snapshot().ExampleSign())
	log.Info("serving", "addr", ln.Addr().String(), "public_url", cfg.PublicURL, "embedded", cfg.Embedded())

	// Should the HTTP server return on its own, the shutdown below still
	// runs in order, so the events it answered are flushed and the
	// embedded database is closed cleanly; serve then exits 1.
	var exitErr error
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		exitErr = fmt.Errorf("http server stopped: %w", err)
		if err == nil {
			exitErr = errors.New("http server stopped unexpectedly")
		}
		log.Error("http server stopped; shutting down in order", "err", exitErr)
	}

	// Shutdown in order: stop accepting and drain HTTP, flush the event
	// pipeline, stop workers; the deferred close then disconnects MongoDB
	// and stops the embedded server.
	log.Info("shutting down")
	if err := app.ShutdownWithTimeout(cfg.ShutdownGrace); err != nil {
		log.Warn("http drain", "err", err)
	}
	if metricsSrv != nil {
		_ = metricsSrv.Close()
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
	return exitErr
}

// guardListener keeps the HTTP server alive under a connection flood: the
// soft open-file limit is raised to the hard one, accept errors such as
// EMFILE are waited out, and connections are capped in total (below the
// open-file limit, so the database and logs keep their descriptors) and
// per client address.
func guardListener(ln net.Listener, cfg config.Config, log *slog.Logger) *netguard.Listener {
	soft, hard, err := netguard.RaiseFileLimit()
	if err != nil {
		log.Warn("raise open-file limit", "err", err, "soft", soft, "hard", hard)
	}
	maxConns := cfg.MaxConns
	if maxConns == 0 && soft > 0 {
		maxConns = netguard.AutoMaxConns(soft)
	}
	log.Info("connection limits", "open_files", soft, "max_conns", maxConns, "max_conns_per_ip", cfg.MaxConnsPerIP)
	return netguard.Wrap(ln, netguard.Options{MaxConns: maxConns, MaxConnsPerIP: cfg.MaxConnsPerIP,
		Exempt: trustedPeer(cfg), Log: log})
}

// trustedPeer names the peers the per-IP connection cap skips: trusted
// reverse proxies (YIMAYOU_TRUSTED_PROXIES) carry every client's
// connections and enforce their own per-client limits.
func trustedPeer(cfg config.Config) func(netip.Addr) bool {
	if len(cfg.TrustedProxies) == 0 {
		return nil
	}
	return func(a netip.Addr) bool {
		a = a.Unmap()
		for _, p := range cfg.TrustedProxies {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
}

func listenerCollectors(ln *netguard.Listener) []prometheus.Collector {
	f := func(get func(netguard.Stats) uint64) func() float64 {
		return func() float64 { return float64(get(ln.Stats())) }
	}
	opts := func(name, help string) prometheus.Opts {
		return prometheus.Opts{Namespace: "yimayou", Subsystem: "http", Name: name, Help: help}
	}
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts(opts("open_connections", "Open client connections.")),
			f(func(s netguard.Stats) uint64 { return s.Open })),
		prometheus.NewCounterFunc(prometheus.CounterOpts(opts("accept_errors_total", "Failed accepts (out of file descriptors…), retried.")),
			f(func(s netguard.Stats) uint64 { return s.AcceptErrors })),
		prometheus.NewCounterFunc(prometheus.CounterOpts(opts("refused_total_cap_total", "Connections refused at the total cap.")),
			f(func(s netguard.Stats) uint64 { return s.RefusedTotal })),
		prometheus.NewCounterFunc(prometheus.CounterOpts(opts("refused_per_ip_total", "Connections refused at the per-client cap.")),
			f(func(s netguard.Stats) uint64 { return s.RefusedPerIP })),
	}
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

func printBanner(env Env, cfg config.Config, db *database, admin, password, metricsURL, exampleCode string) {
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
	if metricsURL != "" {
		fmt.Fprintf(w, "  metrics: %s (private: not on the public port)\n", metricsURL)
	}
	if exampleCode != "" {
		fmt.Fprintf(w, "  try a scan: %s\n", qr.SignURL(cfg.PublicURL, exampleCode))
	}
}

// janitor removes expired sessions, key-value entries and idle login
// budgets: the embedded
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
		if _, err := db.DeleteExpiredLoginAttempts(ctx, now); err != nil && ctx.Err() == nil {
			log.Warn("janitor: login attempts", "err", err)
		}
		if _, err := db.DeleteExpiredLateClaims(ctx, now); err != nil && ctx.Err() == nil {
			log.Warn("janitor: late-event claims", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
