package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
)

// cachedPage is a rendered page kept with its gzip form and ETag, so the
// scan path neither renders nor compresses.
type cachedPage struct {
	html []byte
	gz   []byte
	etag string
}

// pageCache holds pages of one content version; a new version empties it.
type pageCache struct {
	mu      sync.RWMutex
	max     int
	version int64
	pages   map[string]*cachedPage
}

func newPageCache(max int) *pageCache {
	return &pageCache{max: max, pages: map[string]*cachedPage{}}
}

func (p *pageCache) get(version int64, key string, build func() ([]byte, error)) (*cachedPage, error) {
	p.mu.RLock()
	page, ok := p.pages[key]
	ok = ok && p.version == version
	p.mu.RUnlock()
	if ok {
		return page, nil
	}
	html, err := build()
	if err != nil {
		return nil, err
	}
	page = newCachedPage(html)
	p.mu.Lock()
	defer p.mu.Unlock()
	if version > p.version || len(p.pages) >= p.max {
		p.version, p.pages = version, map[string]*cachedPage{}
	}
	if version == p.version {
		p.pages[key] = page
	}
	return page, nil
}

func newCachedPage(html []byte) *cachedPage {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(html)
	_ = zw.Close()
	sum := sha256.Sum256(html)
	return &cachedPage{html: html, gz: buf.Bytes(), etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
}

// sendPage answers with a cached page: 304 when the browser has it, gzip
// when it takes gzip. Pages are revalidated on every visit (no-cache), so
// an edit shows at once and every scan still reaches the server.
func sendPage(c *fiber.Ctx, p *cachedPage, lang domain.Lang) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set("Content-Language", i18n.HTMLLang(lang))
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set(fiber.HeaderETag, p.etag)
	c.Vary(fiber.HeaderAcceptEncoding)
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && strings.Contains(inm, p.etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	if strings.Contains(c.Get(fiber.HeaderAcceptEncoding), "gzip") {
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(p.gz)
	}
	return c.Send(p.html)
}
