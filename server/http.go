package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/apiclab/apic/generated/apig/apigserver"
	"github.com/apiclab/apic/generated/romaapic/romaapicserver"
	"github.com/apiclab/apic/generated/sign"
	"github.com/apiclab/apic/generated/validation"
	"github.com/apiclab/apic/server/store"
)

// MaxBodyBytes is the largest request body the emulator reads (1 MiB); a larger one gets 413.
// The largest documented body (every text field at its maximum length) is well below it.
const MaxBodyBytes = 1 << 20

const bodyKey = "apic.body"

// Handler returns the emulator's HTTP handler: both products' routes, /health, and the
// middleware that gives every response an X-Request-Id, answers every error in the vendor's
// body, recovers from panics, limits bodies and authenticates callers.
func (s *Server) Handler() http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(s.log)
	e.Binder = strictBinder{log: s.log}
	ops := map[route]string{} // filled once every route is registered, below
	e.Use(once(
		middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: newID}),
		s.observe(ops),
		middleware.RecoverWithConfig(middleware.RecoverConfig{
			DisablePrintStack: true,
			LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
				s.log.Error("panic", "path", c.Request().URL.Path, "error", err, "stack", string(stack))
				return err
			},
		}),
		limitInFlight(s.lim.MaxInFlight), methodNotAllowed, deadline(s.lim.RequestTimeout),
		readBody,
		// Authentication runs for every path but the public ones (/health, /metrics). It is
		// global middleware rather than a route group's: echo answers every path below a
		// group with middleware with 404, which would hide 405 for a known path and a wrong
		// method.
		s.authenticate,
		// A write is announced once its body is in and its caller authenticated: a group
		// waits for announced writes, and should not for an upload still arriving or a
		// request about to be refused.
		s.announceWrites,
		s.injectFaults(ops),
	))
	e.GET("/health", s.health)
	e.GET("/metrics", echo.WrapHandler(s.metrics.handler()))
	s.registerState(e)
	romaapicserver.RegisterHandlers(e, romaapicserver.NewStrictHandler(s, nil))
	apigserver.RegisterHandlers(e, apigserver.NewStrictHandler(s, nil))
	for k, v := range operations(e) {
		ops[k] = v
	}
	return e
}

// once chains middleware around the handler the router found for the request. Echo chains
// its global middleware anew for every request, a closure per middleware; this chain is
// built once, and echo's per-request step returns it as it is.
func once(mw ...echo.MiddlewareFunc) echo.MiddlewareFunc {
	h := func(c echo.Context) error { return c.Handler()(c) }
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return func(echo.HandlerFunc) echo.HandlerFunc { return h }
}

func (s *Server) health(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		// The cause goes to the log, not to unauthenticated callers.
		s.log.Error("health: the store does not answer", "error", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// announceWrites tells a store that commits writes in groups that a request that may write
// has started, so that the group being gathered waits for its write (store.Announcer).
func (s *Server) announceWrites(next echo.HandlerFunc) echo.HandlerFunc {
	a, ok := s.store.(store.Announcer)
	if !ok {
		return next
	}
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		ctx, end := a.Announce(r.Context())
		defer end()
		c.SetRequest(r.WithContext(ctx))
		return next(c)
	}
}

// readBody reads the body once, up to MaxBodyBytes: the AK/SK signature covers it and the
// binder decodes it.
func readBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Body == nil || r.Body == http.NoBody {
			return next(c)
		}
		if !isJSON(r.Header.Get("Content-Type")) {
			return apiError(http.StatusBadRequest, CodeParameter, "The request body must be application/json, got Content-Type %q", r.Header.Get("Content-Type"))
		}
		limit := bodyLimit(r)
		if r.ContentLength > int64(limit) {
			return echo.ErrStatusRequestEntityTooLarge
		}
		var body []byte
		var err error
		if r.ContentLength > 0 {
			// The announced size, read in one buffer: no growth copies of a large body.
			body = make([]byte, r.ContentLength)
			_, err = io.ReadFull(r.Body, body)
		} else {
			body, err = io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
		}
		if err != nil {
			return apiError(http.StatusBadRequest, CodeParameter, "cannot read the request body")
		}
		if len(body) > limit {
			return echo.ErrStatusRequestEntityTooLarge
		}
		c.Set(bodyKey, body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		return next(c)
	}
}

// isJSON accepts application/json with any parameters (the official SDK sends
// ";charset=UTF-8"), and a missing Content-Type. The operations document 400, not 415, for a
// request they cannot take (ledger ROMA-052).
func isJSON(ct string) bool {
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

func bodyOf(c echo.Context) []byte {
	b, _ := c.Get(bodyKey).([]byte)
	return b
}

// strictBinder decodes request bodies with the generated strict decoders, which also run every
// validator; the strict handlers defer to it because it is not echo's DefaultBinder.
//
// Only enforced rules reject a body. A body that breaks advisory rules (rules the pages state
// but the service is known not to enforce) is accepted, as the service accepts it; each broken
// advisory rule is reported in an AdvisoryHeader of the answer and logged at warn level.
type strictBinder struct{ log *slog.Logger }

// AdvisoryHeader is the response header that names, one value each, the advisory rules a
// request broke: "<ledger id> <rule> <json path>".
const AdvisoryHeader = "X-Apic-Advisory"

func (b strictBinder) Bind(i any, c echo.Context) error {
	t, ok := i.(validation.Type)
	if !ok {
		return fmt.Errorf("server: no strict decoder for %T", i)
	}
	body := bodyOf(c)
	if validation.HasNUL(body) {
		// SQLite would keep it and PostgreSQL refuse it: no store sees one.
		return invalid("", "a string holds the NUL character (\\u0000)")
	}
	// A request body: a readOnly member is refused, a required writeOnly one is required.
	warnings, err := validation.DecodeRequest(body, t)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		c.Response().Header().Add(AdvisoryHeader, w.Ledger+" "+w.Rule+" "+orRoot(w.Path))
		b.log.Warn("advisory rule broken", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
			"path", w.Path, "rule", w.Rule, "ledger", w.Ledger, "message", w.Message)
	}
	return nil
}

func orRoot(path string) string {
	if path == "" {
		return "$"
	}
	return path
}

// authenticate accepts an X-Auth-Token from the fixtures or an AK/SK signature, and puts the
// caller in the request context.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if public(r.URL.Path) {
			return next(c)
		}
		var who caller
		switch {
		case r.Header.Get("X-Auth-Token") != "":
			project, ok := s.tokenProject(r.Header.Get("X-Auth-Token"))
			if !ok {
				return apiError(http.StatusUnauthorized, CodeBadToken, "Incorrect token or token resolution failed")
			}
			who = caller{Project: project, Via: "token"}
		case strings.HasPrefix(r.Header.Get("Authorization"), sign.Algorithm):
			var pairProject string
			_, err := sign.Verify(r, bodyOf(c), s.now(), func(ak string) (string, bool) {
				for _, k := range s.fx.Credentials.AKSK {
					if k.AK == ak {
						pairProject = k.Project
						return k.SK, true
					}
				}
				return "", false
			})
			switch {
			case errors.Is(err, sign.ErrExpired):
				return apiError(http.StatusUnauthorized, CodeExpired, "The request has expired: X-Sdk-Date is more than 15 minutes off")
			case err != nil:
				return apiError(http.StatusUnauthorized, CodeBadSignature, "Incorrect IAM authentication information: %v", err)
			}
			who = caller{Project: pairProject, Via: "aksk"}
			if p := r.Header.Get("X-Project-Id"); p != "" && p != pairProject {
				return apiError(http.StatusForbidden, CodeForbidden, "The access key has no permission on project %s", p)
			}
		default:
			return apiError(http.StatusUnauthorized, CodeBadToken, "Incorrect token or token resolution failed")
		}
		c.SetRequest(r.WithContext(withCaller(r.Context(), who)))
		return next(c)
	}
}

func (s *Server) tokenProject(token string) (string, bool) {
	for _, t := range s.fx.Credentials.Tokens {
		if t.Token == token {
			return t.Project, true
		}
	}
	return "", false
}
