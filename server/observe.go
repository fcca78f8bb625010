package server

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the emulator's Prometheus metrics. Each Server has a registry of its own, so
// that several servers in one process (tests) do not collide.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "apicemu_requests_total",
			Help: "Requests answered, by operation, HTTP status and vendor error code.",
		}, []string{"operation", "status", "error_code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "apicemu_request_duration_seconds",
			Help:    "Time to answer a request, by operation and HTTP status.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"operation", "status"}),
	}
	m.registry.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// route is a route's method and path pattern: the key of its operation name.
type route struct{ method, path string }

// operations names each route: the operation id for the generated routes (from the
// handler's name, RegisterHandlers names them after their operations), the path for the
// emulator's own. Labels thus stay few whatever paths callers send.
func operations(e *echo.Echo) map[route]string {
	out := map[route]string{}
	for _, r := range e.Routes() {
		name := r.Path
		if strings.Contains(r.Name, "/generated/") {
			// e.g. github.com/apiclab/apic/generated/romaapic.(*ServerInterfaceWrapper).CreateApiV2-fm
			name = strings.TrimSuffix(r.Name[strings.LastIndexByte(r.Name, '.')+1:], "-fm")
		}
		out[route{r.Method, r.Path}] = name
	}
	return out
}

// observe writes one log line per request (method, path, status, error_code, latency,
// request id, caller project, operation) at info level, and counts the request in the
// metrics. It answers errors itself (c.Error) so that the status and error code it records
// are the ones sent.
func (s *Server) observe(ops map[route]string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			code := ""
			if err != nil {
				code = toAPIError(err).Code
				c.Error(err)
			}
			latency := time.Since(start)
			status := c.Response().Status
			if err != nil && !c.Response().Committed {
				status = toAPIError(err).Status // nothing was sent: the caller went away
			}
			op, ok := ops[route{c.Request().Method, c.Path()}]
			if !ok {
				op = "unmatched"
			}
			st := strconv.Itoa(status)
			s.metrics.requests.WithLabelValues(op, st, code).Inc()
			s.metrics.latency.WithLabelValues(op, st).Observe(latency.Seconds())
			if s.log.Enabled(c.Request().Context(), slog.LevelInfo) {
				who, _ := callerOf(c.Request().Context())
				r := c.Request()
				s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
					slog.String("method", r.Method),
					slog.String("path", r.URL.Path),
					slog.Int("status", status),
					slog.String("error_code", code),
					slog.Float64("latency_ms", float64(latency.Microseconds())/1000),
					slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
					slog.String("project", who.Project),
					slog.String("operation", op))
			}
			return nil
		}
	}
}

// public reports whether a path is served without the vendor's authentication: health and
// metrics, which probes and scrapers read, and the emulator's own paths, which have their
// own protection (the admin token).
func public(path string) bool {
	return path == "/health" || path == "/metrics" || strings.HasPrefix(path, StatePrefix)
}
