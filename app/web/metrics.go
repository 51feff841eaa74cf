package web

import (
	"crypto/subtle"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type metrics struct {
	requests       *prometheus.CounterVec
	latency        *prometheus.HistogramVec
	internalErrors prometheus.Counter
	recordErrors   prometheus.Counter
	reg            *prometheus.Registry
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "yimayou_http_requests_total", Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "yimayou_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		internalErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "yimayou_internal_errors_total", Help: "Requests that failed with a 5xx (store errors among them).",
		}),
		recordErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "yimayou_event_record_errors_total", Help: "Events the pipeline refused to take.",
		}),
		reg: reg,
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.latency, m.internalErrors, m.recordErrors,
			collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	return m
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

func (s *Server) metricsHandler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}))
}

// metricsAuth lets /metrics on the public port answer only the bearer of
// MetricsToken; the usual place for /metrics is the private listener
// (YIMAYOU_METRICS_ADDR), which app/cli serves.
func (s *Server) metricsAuth(c *fiber.Ctx) error {
	want := "Bearer " + s.MetricsToken
	if got := c.Get(fiber.HeaderAuthorization); subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
		return c.SendStatus(fiber.StatusUnauthorized)
	}
	return c.Next()
}
