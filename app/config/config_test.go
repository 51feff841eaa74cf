package config

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.PublicURL != "http://localhost:8080" || !c.Embedded() ||
		c.Database != "yimayou" || c.EventFsync != 20*time.Millisecond || !c.SeedDemo || c.EventStrict ||
		c.RetentionDays != 400 || c.MaxConns != 0 || c.MaxConnsPerIP != 512 || c.ReadyMaxLag != 15*time.Minute {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestFlagsOverrideEnv(t *testing.T) {
	c, err := Load([]string{"--addr", "127.0.0.1:9000", "--event-strict=true"},
		env(map[string]string{"YIMAYOU_ADDR": ":7000", "MONGODB_URI": "mongodb://db:27017/?replicaSet=rs0",
			"YIMAYOU_PUBLIC_URL": "https://qr.example.cn/"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || !c.EventStrict || c.Embedded() || c.PublicURL != "https://qr.example.cn" {
		t.Fatalf("got %+v", c)
	}
}

func TestBadValues(t *testing.T) {
	cases := map[string]string{
		"YIMAYOU_ADDR":             "8080",
		"YIMAYOU_PUBLIC_URL":       "ftp://x",
		"MONGODB_URI":              "postgres://x",
		"YIMAYOU_DB":               "a.b",
		"YIMAYOU_EMBEDDED_DB_ADDR": "0.0.0.0:27017",
		"YIMAYOU_LOG_LEVEL":        "loud",
		"YIMAYOU_LOG_FORMAT":       "xml",
		"YIMAYOU_EVENT_FSYNC":      "5s",
		"YIMAYOU_EVENT_STRICT":     "maybe",
		"YIMAYOU_RELOAD_EVERY":     "soon",
		"YIMAYOU_RETENTION_DAYS":   "7",
		"YIMAYOU_MAX_CONNS":        "0",
		"YIMAYOU_MAX_CONNS_PER_IP": "-1",
		"YIMAYOU_READY_MAX_LAG":    "never",
		"YIMAYOU_TRUSTED_PROXIES":  "10.0.0.1,nginx",
		"YIMAYOU_PROXY_HEADER":     "Forwarded",
		"YIMAYOU_METRICS_ADDR":     "9464",
		"YIMAYOU_METRICS_TOKEN":    "short",
	}
	for k, v := range cases {
		_, err := Load(nil, env(map[string]string{k: v}), io.Discard)
		if err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%q: want an error naming %s, got %v", k, v, k, err)
		}
	}
}

func TestProxyAndMetricsSettings(t *testing.T) {
	c, err := Load(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.TrustedProxies) != 0 || c.ProxyHeader != "X-Forwarded-For" || c.MetricsAddr != "127.0.0.1:9464" ||
		c.MetricsToken != "" || c.PublicURLSet {
		t.Fatalf("defaults: %+v", c)
	}
	c, err = Load([]string{"--proxy-header", "x-real-ip", "--metrics-addr", "off"}, env(map[string]string{
		"YIMAYOU_TRUSTED_PROXIES": " 10.1.2.3 , 192.168.0.0/16,::1, 172.16.5.9/12", "YIMAYOU_PUBLIC_URL": "https://qr.example.cn",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.TrustedProxies {
		got = append(got, p.String())
	}
	if strings.Join(got, " ") != "10.1.2.3/32 192.168.0.0/16 ::1/128 172.16.0.0/12" {
		t.Errorf("trusted proxies: %v", got)
	}
	if c.ProxyHeader != "X-Real-IP" || c.MetricsAddr != "" || !c.PublicURLSet {
		t.Errorf("got %+v", c)
	}
}

func TestPublicURLChecks(t *testing.T) {
	for in, want := range map[string]string{"https://qr.example.cn/": "https://qr.example.cn", " http://10.0.0.5:8080/yimayou ": "http://10.0.0.5:8080/yimayou"} {
		if got, err := ParsePublicURL(in); err != nil || got != want {
			t.Errorf("ParsePublicURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "qr.example.cn", "ftp://qr.example.cn", "https://", "https://qr.example.cn/?a=1", "https://x/#top"} {
		if _, err := ParsePublicURL(in); err == nil {
			t.Errorf("ParsePublicURL(%q): no error", in)
		}
	}
	for u, want := range map[string]bool{
		"http://localhost:8080": true, "http://LOCALHOST": true, "http://app.localhost": true, "http://127.0.0.1:8080": true,
		"http://127.9.9.9": true, "http://[::1]:8080": true, "http://0.0.0.0:8080": true, "http://[::ffff:127.0.0.1]": true,
		"https://qr.example.gov.cn": false, "http://192.168.1.20:8080": false, "http://localhost.example.cn": false,
	} {
		if got := IsLocalURL(u); got != want {
			t.Errorf("IsLocalURL(%q) = %v, want %v", u, got, want)
		}
	}
}

// The README's configuration table lists every setting, so an operator
// reading it sees all there is.
func TestReadmeListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Vars {
		row := "| `" + v.Env + "` | `--" + v.Flag + "` |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md lacks the row for %s (%s)", v.Env, row)
		}
	}
}

// A bad value is reported under the name the user gave it: the flag's when
// it came from a flag, the variable's when it came from the environment.
func TestBadValueNamedAsGiven(t *testing.T) {
	_, err := Load([]string{"--addr", "nonsense", "--log-level=loud"}, env(map[string]string{"YIMAYOU_DB": "a.b"}), io.Discard)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{`--addr "nonsense"`, `--log-level "loud"`, `YIMAYOU_DB "a.b"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "YIMAYOU_ADDR") || strings.Contains(msg, "YIMAYOU_LOG_LEVEL") {
		t.Errorf("error %q names the variable of a value given as a flag", msg)
	}
	// The environment's value, overridden by a good flag, is not checked.
	if _, err := FromFlags(map[string]string{"addr": "127.0.0.1:1"}, env(map[string]string{"YIMAYOU_ADDR": "junk"})); err != nil {
		t.Errorf("a good flag over a bad variable: %v", err)
	}
}

// Every bad value of TestBadValues, given as a flag, is reported under the
// flag's name, and the variable's name is not mentioned.
func TestEveryBadFlagNamedAsFlag(t *testing.T) {
	bad := map[string]string{
		"YIMAYOU_ADDR": "8080", "YIMAYOU_PUBLIC_URL": "ftp://x", "MONGODB_URI": "postgres://x", "YIMAYOU_DB": "a.b",
		"YIMAYOU_EMBEDDED_DB_ADDR": "0.0.0.0:27017", "YIMAYOU_LOG_LEVEL": "loud", "YIMAYOU_LOG_FORMAT": "xml",
		"YIMAYOU_EVENT_FSYNC": "5s", "YIMAYOU_EVENT_STRICT": "maybe", "YIMAYOU_RELOAD_EVERY": "soon",
		"YIMAYOU_RETENTION_DAYS": "7", "YIMAYOU_SHUTDOWN_GRACE": "forever", "YIMAYOU_SEED_DEMO": "perhaps",
	}
	for _, v := range Vars {
		value, ok := bad[v.Env]
		if !ok {
			continue
		}
		_, err := FromFlags(map[string]string{v.Flag: value}, env(nil))
		if err == nil || !strings.HasPrefix(err.Error(), "--"+v.Flag) || strings.Contains(err.Error(), v.Env) {
			t.Errorf("--%s=%q: %v", v.Flag, value, err)
		}
	}
}
