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
		c.RetentionDays != 400 {
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
