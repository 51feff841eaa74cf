package events

import (
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
)

const (
	uaIPhone       = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
	uaWechat       = "Mozilla/5.0 (Linux; Android 13; V2219A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/111.0.5563.116 Mobile Safari/537.36 XWEB/1110017 MMWEBSDK/20231002 MicroMessenger/8.0.43.2480(0x28002B37) WeChat/arm64 Weixin NetType/4G Language/zh_CN ABI/arm64"
	uaHuawei       = "Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00; HMSCore 6.13.0.302) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.5735.196 HuaweiBrowser/14.0.5.302 Mobile Safari/537.36"
	uaIPad         = "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1"
	uaTab          = "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	uaWindows      = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0"
	uaMac          = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"
	uaBaiduApp     = "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 SP-engine/2.60.0 main/1.0 baiduboxapp/13.24.0.10 (Baidu; P2 16.0) NABar/1.0"
	uaSogouBrowser = "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/86.0.4240.198 Safari/537.36 SE 2.X MetaSr 1.0"
	uaCubot        = "Mozilla/5.0 (Linux; Android 10; KINGKONG 5 Pro Build/QP1A.190711.020; CUBOT) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0 Mobile Safari/537.36"
)

func TestClassifyBot(t *testing.T) {
	bots := []string{
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
		"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
		"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
		"Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.114 Safari/537.36; 360Spider",
		"Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
		"Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)",
		"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
		"curl/8.5.0",
		"Wget/1.21.4",
		"python-requests/2.31.0",
		"Go-http-client/1.1",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36",
		"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.1; +https://openai.com/gptbot)",
		"Mozilla/5.0 (compatible; SomeNewCrawler/1.0)",
		"Mozilla/5.0 (compatible; FooBot/0.1; +https://foo.example)",
		"WhatsApp/2.23.20.0",
		"Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
	}
	for _, ua := range bots {
		if !ClassifyBot(ua, "GET", nil) {
			t.Errorf("not flagged as bot: %s", ua)
		}
	}
	people := []string{uaIPhone, uaWechat, uaHuawei, uaIPad, uaTab, uaWindows, uaMac, uaBaiduApp, uaSogouBrowser, uaCubot}
	for _, ua := range people {
		if ClassifyBot(ua, "GET", nil) {
			t.Errorf("person flagged as bot: %s", ua)
		}
	}
	heur := []struct {
		name          string
		ua, method    string
		header, value string
		bot           bool
	}{
		{"empty UA", "", "GET", "", "", true},
		{"blank UA", "  ", "GET", "", "", true},
		{"HEAD", uaIPhone, "HEAD", "", "", true},
		{"Sec-Purpose prefetch", uaIPhone, "GET", "Sec-Purpose", "prefetch;prerender", true},
		{"Purpose prefetch", uaWindows, "GET", "Purpose", "prefetch", true},
		{"other purpose", uaWindows, "GET", "Purpose", "something", false},
		{"plain GET", uaWechat, "GET", "", "", false},
	}
	for _, c := range heur {
		h := func(name string) string {
			if name == c.header {
				return c.value
			}
			return ""
		}
		if got := ClassifyBot(c.ua, c.method, h); got != c.bot {
			t.Errorf("%s: bot=%v, want %v", c.name, got, c.bot)
		}
	}
}

func TestBotListIsClean(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range botPatterns {
		if p != strings.ToLower(p) || strings.TrimSpace(p) != p || len(p) < 3 {
			t.Errorf("bad pattern %q", p)
		}
		if seen[p] {
			t.Errorf("duplicate pattern %q", p)
		}
		seen[p] = true
	}
	if len(botPatterns) < 50 {
		t.Fatalf("only %d patterns parsed", len(botPatterns))
	}
}

func TestDeviceClass(t *testing.T) {
	cases := map[string]string{
		uaIPhone:  domain.DeviceMobile,
		uaWechat:  domain.DeviceMobile,
		uaHuawei:  domain.DeviceMobile,
		uaCubot:   domain.DeviceMobile,
		uaIPad:    domain.DeviceTablet,
		uaTab:     domain.DeviceTablet,
		uaWindows: domain.DeviceDesktop,
		uaMac:     domain.DeviceDesktop,
		"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0": domain.DeviceDesktop,
		"":           domain.DeviceOther,
		"curl/8.5.0": domain.DeviceOther,
	}
	for ua, want := range cases {
		if got := DeviceClass(ua); got != want {
			t.Errorf("DeviceClass(%q) = %s, want %s", ua, got, want)
		}
	}
}

func TestReferrerClass(t *testing.T) {
	cases := []struct{ ref, own, want string }{
		{"", "yimayou.example", domain.ReferrerNone},
		{"https://yimayou.example/s/513322/hailuogou", "yimayou.example", domain.ReferrerInternal},
		{"https://YIMAYOU.example:8443/", "yimayou.example:8443", domain.ReferrerInternal},
		{"https://mp.weixin.qq.com/s/abc", "yimayou.example", domain.ReferrerWechat},
		{"https://servicewechat.com/wx123/1/page-frame.html", "yimayou.example", domain.ReferrerWechat},
		{"https://m.baidu.com/s?word=海螺沟", "yimayou.example", domain.ReferrerSearch},
		{"https://www.google.co.jp/", "yimayou.example", domain.ReferrerSearch},
		{"https://www.so.com/s?q=x", "yimayou.example", domain.ReferrerSearch},
		{"https://m.sm.cn/s?q=x", "yimayou.example", domain.ReferrerSearch},
		{"https://www.xiaohongshu.com/explore", "yimayou.example", domain.ReferrerOther},
		{"https://notbaidu.com.evil.example/", "yimayou.example", domain.ReferrerOther},
		{"::not a url", "yimayou.example", domain.ReferrerOther},
		{"android-app://com.tencent.mm/", "yimayou.example", domain.ReferrerOther},
	}
	for _, c := range cases {
		if got := ReferrerClass(c.ref, c.own); got != c.want {
			t.Errorf("ReferrerClass(%q, %q) = %s, want %s", c.ref, c.own, got, c.want)
		}
	}
}

func BenchmarkClassifyBot(b *testing.B) {
	for i := 0; i < b.N; i++ {
		ClassifyBot(uaWechat, "GET", nil)
	}
}

func BenchmarkTag(b *testing.B) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	tg := NewTagger(nil, quietLogger())
	for i := 0; i < b.N; i++ {
		ClassifyBot(uaWechat, "GET", nil)
		DeviceClass(uaWechat)
		ReferrerClass("", "yimayou.example")
		tg.key(secret, "203.0.113.7", uaWechat, "hailuogou")
	}
}
