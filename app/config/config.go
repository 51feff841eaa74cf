// Package config turns environment variables and flags into one immutable,
// validated Config at start. Flags override environment variables.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is read once at start and never changed.
type Config struct {
	Addr           string        // listen address, host:port
	PublicURL      string        // base of URLs printed in QR codes, no trailing slash
	MongoURI       string        // empty: start the embedded server
	Database       string        // database name
	DataDir        string        // embedded database, event log, media
	EmbeddedDBAddr string        // host:port of the embedded server; empty: a free loopback port
	LogLevel       slog.Level    // debug, info, warn, error
	LogJSON        bool          // JSON logs instead of text
	EventFsync     time.Duration // background fsync interval of the event log
	EventStrict    bool          // fsync before answering
	ReloadEvery    time.Duration // how often nodes poll for content edits
	ShutdownGrace  time.Duration // how long to drain requests on shutdown
	SeedDemo       bool          // import the demo pack into an empty database
	RetentionDays  int           // raw events are dropped after this many days; rollups are kept
	MaxConns       int           // open client connections in total; 0: derived from the open-file limit
	MaxConnsPerIP  int           // open connections from one client address; 0: no cap
	ReadyMaxLag    time.Duration // /readyz says not ready when the oldest unshipped event is older

	// PublicURLSet says PublicURL came from YIMAYOU_PUBLIC_URL or the flag,
	// not from the default: only then does it outrank the URL stored in the
	// database (see cli.publicURL).
	PublicURLSet bool

	TrustedProxies []netip.Prefix // peers whose ProxyHeader is believed; empty: nobody's
	ProxyHeader    string         // X-Forwarded-For or X-Real-IP

	MetricsAddr  string // host:port of the /metrics listener; empty: none
	MetricsToken string // if set, /metrics is also served on the public port to this bearer token
}

// Var documents one setting, for --help and the README.
type Var struct {
	Env, Flag, Default, Help string
}

// Vars lists every setting.
var Vars = []Var{
	{"YIMAYOU_ADDR", "addr", ":8080", "listen address (host:port)"},
	{"YIMAYOU_PUBLIC_URL", "public-url", "", "public base URL printed in QR codes (default http://localhost:PORT)"},
	{"MONGODB_URI", "mongodb-uri", "", "MongoDB connection string; empty starts the embedded server"},
	{"YIMAYOU_DB", "db", "yimayou", "database name"},
	{"YIMAYOU_DATA_DIR", "data-dir", "./data", "directory for the embedded database, event log and media"},
	{"YIMAYOU_EMBEDDED_DB_ADDR", "embedded-db-addr", "", "host:port for the embedded database (loopback; default a free port)"},
	{"YIMAYOU_LOG_LEVEL", "log-level", "info", "debug, info, warn or error"},
	{"YIMAYOU_LOG_FORMAT", "log-format", "text", "text or json"},
	{"YIMAYOU_EVENT_FSYNC", "event-fsync", "20ms", "event log background fsync interval"},
	{"YIMAYOU_EVENT_STRICT", "event-strict", "false", "fsync the event log before answering"},
	{"YIMAYOU_RELOAD_EVERY", "reload-every", "3s", "how often a node checks for content edits made on other nodes"},
	{"YIMAYOU_SHUTDOWN_GRACE", "shutdown-grace", "10s", "time to drain requests on shutdown"},
	{"YIMAYOU_SEED_DEMO", "seed-demo", "true", "import the demo content pack into an empty database"},
	{"YIMAYOU_RETENTION_DAYS", "retention-days", "400", "days raw events are kept (whole months are dropped); rollups are kept"},
	{"YIMAYOU_MAX_CONNS", "max-conns", "auto", "open client connections in total (auto: 3/4 of the open-file limit, at most 32768); more are answered 503"},
	{"YIMAYOU_MAX_CONNS_PER_IP", "max-conns-per-ip", "512", "open connections from one client address (0: no cap); sized for a carrier-grade NAT crowd; trusted proxies are exempt"},
	{"YIMAYOU_READY_MAX_LAG", "ready-max-lag", "15m", "/readyz reports not ready when the oldest event not yet stored in the database is older than this"},
	{"YIMAYOU_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated IPs or CIDRs of reverse proxies whose client-address header is believed; empty trusts none"},
	{"YIMAYOU_PROXY_HEADER", "proxy-header", "X-Forwarded-For", "header a trusted proxy puts the client address in: X-Forwarded-For or X-Real-IP"},
	{"YIMAYOU_METRICS_ADDR", "metrics-addr", "127.0.0.1:9464", "listen address of /metrics (keep it private); off disables it"},
	{"YIMAYOU_METRICS_TOKEN", "metrics-token", "", "if set, /metrics is also served on the public port to requests with this bearer token"},
}

// Load builds a Config from args (without the program name) and getenv.
func Load(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, v := range Vars {
		fs.String(v.Flag, v.Default, v.Help+" ["+v.Env+"]")
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("config: unexpected argument %q", fs.Arg(0))
	}
	flags := map[string]string{}
	fs.Visit(func(f *flag.Flag) { flags[f.Name] = f.Value.String() })
	return FromFlags(flags, getenv)
}

// FromFlags builds a Config from the flags given on the command line (by
// flag name, only those the user set) over getenv over the defaults. An
// error names the setting as the user gave it: `--addr` for a flag,
// YIMAYOU_ADDR for the environment.
func FromFlags(flags map[string]string, getenv func(string) string) (Config, error) {
	c, err := build(flags, getenv)
	if err == nil || len(flags) == 0 {
		return c, err
	}
	// Validation messages start with the variable's name; a value that
	// came from a flag is reported under the flag's.
	var errs []error
	for _, e := range unjoin(err) {
		for _, v := range Vars {
			rest, named := strings.CutPrefix(e.Error(), v.Env)
			if _, ok := flags[v.Flag]; ok && named && (strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, ":")) {
				e = errors.New("--" + v.Flag + rest)
				break
			}
		}
		errs = append(errs, e)
	}
	return Config{}, errors.Join(errs...)
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func build(flags map[string]string, getenv func(string) string) (Config, error) {
	vals := make(map[string]string, len(Vars))
	for _, v := range Vars {
		if f, ok := flags[v.Flag]; ok {
			vals[v.Flag] = f
		} else if e := getenv(v.Env); e != "" {
			vals[v.Flag] = e
		} else {
			vals[v.Flag] = v.Default
		}
	}
	get := func(name string) string { return strings.TrimSpace(vals[name]) }

	var errs []error
	c := Config{
		Addr: get("addr"), PublicURL: strings.TrimRight(get("public-url"), "/"),
		MongoURI: get("mongodb-uri"), Database: get("db"), DataDir: get("data-dir"),
		EmbeddedDBAddr: get("embedded-db-addr"),
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		errs = append(errs, fmt.Errorf("YIMAYOU_ADDR %q: want host:port", c.Addr))
	}
	c.PublicURLSet = c.PublicURL != ""
	if c.PublicURL == "" {
		c.PublicURL = defaultPublicURL(c.Addr)
	} else if u, err := ParsePublicURL(c.PublicURL); err != nil {
		errs = append(errs, fmt.Errorf("YIMAYOU_PUBLIC_URL %w", err))
	} else {
		c.PublicURL = u
	}
	if c.MongoURI != "" && !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		errs = append(errs, errors.New("MONGODB_URI: want a mongodb:// or mongodb+srv:// URI"))
	}
	if c.Database == "" || strings.ContainsAny(c.Database, `/\. "$`) {
		errs = append(errs, fmt.Errorf("YIMAYOU_DB %q: not a valid database name", c.Database))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("YIMAYOU_DATA_DIR: must not be empty"))
	}
	if c.EmbeddedDBAddr != "" {
		host, _, err := net.SplitHostPort(c.EmbeddedDBAddr)
		if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			errs = append(errs, fmt.Errorf("YIMAYOU_EMBEDDED_DB_ADDR %q: want a loopback host:port (the embedded server has no authentication)", c.EmbeddedDBAddr))
		}
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("log-level"))); err != nil {
		errs = append(errs, fmt.Errorf("YIMAYOU_LOG_LEVEL %q: want debug, info, warn or error", get("log-level")))
	}
	switch get("log-format") {
	case "text":
	case "json":
		c.LogJSON = true
	default:
		errs = append(errs, fmt.Errorf("YIMAYOU_LOG_FORMAT %q: want text or json", get("log-format")))
	}
	c.EventFsync = duration(get("event-fsync"), "YIMAYOU_EVENT_FSYNC", time.Millisecond, time.Second, &errs)
	c.ReloadEvery = duration(get("reload-every"), "YIMAYOU_RELOAD_EVERY", 100*time.Millisecond, time.Hour, &errs)
	c.ShutdownGrace = duration(get("shutdown-grace"), "YIMAYOU_SHUTDOWN_GRACE", 0, 10*time.Minute, &errs)
	c.EventStrict = boolean(get("event-strict"), "YIMAYOU_EVENT_STRICT", &errs)
	c.SeedDemo = boolean(get("seed-demo"), "YIMAYOU_SEED_DEMO", &errs)
	if n, err := strconv.Atoi(get("retention-days")); err != nil || n < 31 || n > 10000 {
		errs = append(errs, fmt.Errorf("YIMAYOU_RETENTION_DAYS %q: want a number of days from 31 to 10000", get("retention-days")))
	} else {
		c.RetentionDays = n
	}
	if s := get("max-conns"); s != "auto" {
		if n, err := strconv.Atoi(s); err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("YIMAYOU_MAX_CONNS %q: want auto or a positive number", s))
		} else {
			c.MaxConns = n
		}
	}
	if n, err := strconv.Atoi(get("max-conns-per-ip")); err != nil || n < 0 {
		errs = append(errs, fmt.Errorf("YIMAYOU_MAX_CONNS_PER_IP %q: want a number, 0 for no cap", get("max-conns-per-ip")))
	} else {
		c.MaxConnsPerIP = n
	}
	c.ReadyMaxLag = duration(get("ready-max-lag"), "YIMAYOU_READY_MAX_LAG", time.Second, 7*24*time.Hour, &errs)
	c.TrustedProxies = prefixes(get("trusted-proxies"), "YIMAYOU_TRUSTED_PROXIES", &errs)
	switch h := get("proxy-header"); strings.ToLower(h) {
	case "x-forwarded-for":
		c.ProxyHeader = "X-Forwarded-For"
	case "x-real-ip":
		c.ProxyHeader = "X-Real-IP"
	default:
		errs = append(errs, fmt.Errorf("YIMAYOU_PROXY_HEADER %q: want X-Forwarded-For or X-Real-IP", h))
	}
	switch c.MetricsAddr = get("metrics-addr"); c.MetricsAddr {
	case "off", "":
		c.MetricsAddr = ""
	default:
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil || port == "" {
			errs = append(errs, fmt.Errorf("YIMAYOU_METRICS_ADDR %q: want host:port or off", c.MetricsAddr))
		}
	}
	c.MetricsToken = get("metrics-token")
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		errs = append(errs, errors.New("YIMAYOU_METRICS_TOKEN: want at least 16 characters"))
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return c, nil
}

// Embedded reports whether the embedded database is used.
func (c Config) Embedded() bool { return c.MongoURI == "" }

// ParsePublicURL checks a public base URL (absolute http or https, no
// query) and returns it without a trailing slash.
func ParsePublicURL(s string) (string, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q: want an absolute http(s) URL such as https://qr.example.gov.cn", s)
	}
	return s, nil
}

// IsLocalURL reports whether u points at this machine (localhost or a
// loopback or unspecified address): a URL no visitor's phone can open.
func IsLocalURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	host := strings.ToLower(p.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && (ip.Unmap().IsLoopback() || ip.IsUnspecified())
}

func defaultPublicURL(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// prefixes parses a comma-separated list of IPs and CIDRs; a bare IP is a
// prefix of its full length.
func prefixes(s, name string, errs *[]error) []netip.Prefix {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				*errs = append(*errs, fmt.Errorf("%s %q: want IP addresses or CIDRs separated by commas", name, f))
				continue
			}
			a = a.Unmap()
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out
}

func duration(s, name string, lo, hi time.Duration, errs *[]error) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil || d < lo || d > hi {
		*errs = append(*errs, fmt.Errorf("%s %q: want a duration between %v and %v", name, s, lo, hi))
	}
	return d
}

func boolean(s, name string, errs *[]error) bool {
	b, err := strconv.ParseBool(s)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s %q: want true or false", name, s))
	}
	return b
}
