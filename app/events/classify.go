package events

import (
	_ "embed"
	"net/url"
	"strings"

	"github.com/yimayou/yimayou/app/domain"
)

//go:embed bots.txt
var botList string

// botPatterns is parsed once from the embedded list and never changed.
var botPatterns = parseBotList(botList)

// genericBotTokens name most crawlers not on the list.
var genericBotTokens = []string{"spider", "crawl", "bot/", "bot;", "bot)", "bot-"}

// bots matches all patterns in one pass over the user agent; it is built
// once and only read.
var bots = newBotMatcher(botPatterns, genericBotTokens)

func parseBotList(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, strings.ToLower(line))
	}
	return out
}

// botMatcher finds any of a set of lowercase substrings in a user agent,
// ignoring ASCII case, without allocating. A bitmap of the patterns' first
// two bytes lets it skip almost every offset of a browser's UA with one
// lookup; a loop of strings.Contains over the list took 6 µs per request.
type botMatcher struct {
	pairs   [1 << 16 / 64]uint64
	byFirst [256][]botPattern
}

type botPattern struct {
	s       string
	generic bool // a generic token, not trusted in a "cubot" UA
}

func newBotMatcher(patterns, generic []string) *botMatcher {
	m := &botMatcher{}
	add := func(p string, g bool) {
		if len(p) < 2 {
			return
		}
		pair := uint16(p[0])<<8 | uint16(p[1])
		m.pairs[pair/64] |= 1 << (pair % 64)
		m.byFirst[p[0]] = append(m.byFirst[p[0]], botPattern{p, g})
	}
	for _, p := range patterns {
		add(p, false)
	}
	for _, p := range generic {
		add(p, true)
	}
	return m
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasPrefixFold reports whether s starts with the lowercase prefix p,
// ignoring ASCII case in s.
func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if lowerASCII(s[i]) != p[i] {
			return false
		}
	}
	return true
}

func (m *botMatcher) match(ua string) bool {
	genericHit := false
	for i := 0; i+1 < len(ua); i++ {
		a, b := lowerASCII(ua[i]), lowerASCII(ua[i+1])
		pair := uint16(a)<<8 | uint16(b)
		if m.pairs[pair/64]&(1<<(pair%64)) == 0 {
			continue
		}
		for _, p := range m.byFirst[a] {
			if hasPrefixFold(ua[i:], p.s) {
				if !p.generic {
					return true
				}
				genericHit = true
			}
		}
	}
	// "cubot" is a phone brand whose model names end up in Android UAs.
	return genericHit && !m.containsFold(ua, "cubot")
}

// containsFold reports whether s contains the lowercase p, ignoring ASCII
// case in s.
func (m *botMatcher) containsFold(s, p string) bool {
	first, upper := p[0], p[0]
	if 'a' <= upper && upper <= 'z' {
		upper -= 'a' - 'A'
	}
	for i := 0; i+len(p) <= len(s); i++ {
		if c := s[i]; (c == first || c == upper) && hasPrefixFold(s[i:], p) {
			return true
		}
	}
	return false
}

// ClassifyBot reports whether a request comes from a crawler, monitor,
// script or prefetch rather than a person: bots are recorded with the flag
// and left out of every count. headers looks up a request header by its
// canonical name and may be nil.
func ClassifyBot(userAgent, method string, headers func(string) string) bool {
	if strings.TrimSpace(userAgent) == "" || method == "HEAD" {
		return true // browsers always send a UA; HEAD fetches no page
	}
	if headers != nil {
		for _, h := range [...]string{"Sec-Purpose", "Purpose", "X-Purpose", "X-Moz"} {
			if v := headers(h); v != "" {
				v = strings.ToLower(v)
				if strings.Contains(v, "prefetch") || strings.Contains(v, "preview") {
					// A speculative load: the tourist may never see it.
					return true
				}
			}
		}
	}
	return bots.match(userAgent)
}

// DeviceClass sorts a user agent into domain.DeviceMobile, DeviceTablet,
// DeviceDesktop or DeviceOther. It runs on every scan, so it matches
// without lowercasing a copy of the UA.
func DeviceClass(userAgent string) string {
	has := func(p string) bool { return bots.containsFold(userAgent, p) }
	switch {
	case userAgent == "":
		return domain.DeviceOther
	case has("ipad") || has("tablet") || has("kindle") || has("silk/") || has("playbook") ||
		(has("android") && !has("mobile")):
		// Android tablets leave "Mobile" out of their UA.
		return domain.DeviceTablet
	case has("mobi") || has("iphone") || has("ipod") || has("android") || has("windows phone") ||
		has("harmonyos") || has("openharmony") || has("opera mini"):
		return domain.DeviceMobile
	case has("windows nt") || has("macintosh") || has("x11") || has("cros") || has("linux"):
		// iPadOS asks for desktop pages with a Macintosh UA; it counts
		// as desktop, as the page it gets does.
		return domain.DeviceDesktop
	}
	return domain.DeviceOther
}

// searchHosts are the search engines tourists in China (and abroad) come
// from; a host matches itself and its subdomains.
var searchHosts = [...]string{"baidu.com", "sogou.com", "so.com", "sm.cn", "toutiao.com", "bing.com",
	"google.com", "google.cn", "yandex.ru", "yandex.com", "duckduckgo.com", "yahoo.com", "naver.com", "quark.cn"}

var wechatHosts = [...]string{"weixin.qq.com", "wx.qq.com", "servicewechat.com", "wechat.com"}

// ReferrerClass sorts a Referer header into domain.ReferrerNone, Internal,
// Wechat, Search or Other. ownHost is this site's host (with or without a
// port).
func ReferrerClass(referer, ownHost string) string {
	if referer == "" {
		return domain.ReferrerNone
	}
	u, err := url.Parse(referer)
	if err != nil || u.Host == "" {
		return domain.ReferrerOther
	}
	host := strings.ToLower(u.Hostname())
	if own := strings.ToLower(hostOnly(ownHost)); own != "" && host == own {
		return domain.ReferrerInternal
	}
	for _, h := range wechatHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return domain.ReferrerWechat
		}
	}
	for _, h := range searchHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return domain.ReferrerSearch
		}
	}
	// google.de, google.co.jp and the like.
	if strings.HasPrefix(host, "google.") || strings.HasPrefix(host, "www.google.") {
		return domain.ReferrerSearch
	}
	return domain.ReferrerOther
}

func hostOnly(hostport string) string {
	if u, err := url.Parse("//" + hostport); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return hostport
}
