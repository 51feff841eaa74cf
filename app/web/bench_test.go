package web

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/events"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// serveDirect runs one request through the app's handler without a
// network, so benchmarks measure the handler, not app.Test's plumbing.
func serveDirect(b *testing.B, h fasthttp.RequestHandler, path string) {
	b.Helper()
	var ctx fasthttp.RequestCtx
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.SetRequestURI(path)
		ctx.Request.Header.Set("Accept-Encoding", "gzip")
		ctx.Request.Header.Set("User-Agent", "Mozilla/5.0 (Linux; Android 13) Mobile")
		h(&ctx)
		if ctx.Response.StatusCode() != 200 {
			b.Fatalf("%s: status %d", path, ctx.Response.StatusCode())
		}
	}
}

// BenchmarkBareFiber is the baseline: a fiber handler returning a constant
// 8 KB page, with the same compression middleware.
func BenchmarkBareFiber(b *testing.B) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	page := bytes.Repeat([]byte("<p>yimayou 一码游</p>\n"), 8192/24)
	app.Get("/", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.Send(page)
	})
	serveDirect(b, app.Handler(), "/")
}

type discardRecorder struct{}

func (discardRecorder) Record(context.Context, domain.Event) error { return nil }

func BenchmarkScan(b *testing.B) {
	s := storetest.New(b)
	seed(b, s)
	f := newFixtureOn(b, s, discardRecorder{})
	serveDirect(b, f.app.Handler(), "/q/HGK2EN?lang=en")
}

func BenchmarkSitePage(b *testing.B) {
	f := newFixture(b)
	serveDirect(b, f.app.Handler(), "/s/513322/hailuogou?lang=zh")
}

// BenchmarkScanNoBudget is BenchmarkScan without the recording budget: the
// baseline for what the budget costs on the hot path.
func BenchmarkScanNoBudget(b *testing.B) {
	s := storetest.New(b)
	seed(b, s)
	f := newFixtureWith(b, s, discardRecorder{}, func(d *Deps) { d.RecordBudget.Off = true })
	serveDirect(b, f.app.Handler(), "/q/HGK2EN?lang=en")
}

// BenchmarkRecordBudget takes from the budget for a spread of addresses,
// as a busy node sees them, from parallel handlers.
func BenchmarkRecordBudget(b *testing.B) {
	rb := newRecordBudget(RecordBudget{})
	ips := make([]string, 4096)
	for i := range ips {
		ips[i] = fmt.Sprintf("117.136.%d.%d", i>>8, i&255)
	}
	now := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			rb.allow(ips[i%len(ips)], "hailuogou", now)
			i++
		}
	})
}

// BenchmarkScanTagged scans with the real tagger (visitor key) and the
// late-event token cookie; BenchmarkScanTaggedNoToken is the same without
// the token, its baseline. The budget is off in both: one benchmark
// client would be past it after 300 requests, and then gets no token.
func BenchmarkScanTagged(b *testing.B) { benchScanTagged(b, true) }

func BenchmarkScanTaggedNoToken(b *testing.B) { benchScanTagged(b, false) }

func benchScanTagged(b *testing.B, tokens bool) {
	s := storetest.New(b)
	seed(b, s)
	tagger := events.NewTagger(events.NewSecrets(s, nil, nil), nil)
	f := newFixtureWith(b, s, discardRecorder{}, func(d *Deps) {
		d.RecordBudget.Off = true
		d.Tagger = tagger
		if tokens {
			d.LateTokens = tagger
		}
	})
	serveDirect(b, f.app.Handler(), "/q/HGK2EN?lang=en")
}
