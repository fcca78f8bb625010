package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Limits bound what one caller can hold of the emulator: time, connections and requests in
// flight. The zero value of a field means "no limit" (tests); DefaultLimits are what apicemu
// starts with.
type Limits struct {
	// ReadTimeout bounds reading a whole request, headers and body; WriteTimeout bounds the
	// time from the end of the request headers to the end of the response; IdleTimeout bounds
	// how long a keep-alive connection may wait for its next request.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// MaxConns is the number of connections served at once; further connections wait in the
	// kernel's accept queue until one closes.
	MaxConns int
	// MaxInFlight is the number of requests handled at once; a request beyond it is answered
	// at once with 429 APIG.0308, the gateway's throttling answer.
	MaxInFlight int
	// RequestTimeout is the deadline of a request's work, store included; past it the request
	// is answered with 503 APIG.9999.
	RequestTimeout time.Duration
}

// DefaultLimits suit a developer machine and a CI runner: far above what tests and load runs
// need, far below what exhausts a process limited to 1024 files.
var DefaultLimits = Limits{
	ReadTimeout:    30 * time.Second,
	WriteTimeout:   30 * time.Second,
	IdleTimeout:    60 * time.Second,
	MaxConns:       512,
	MaxInFlight:    64,
	RequestTimeout: 10 * time.Second,
}

// HTTPServer returns an http.Server for h with the limits' timeouts. net/http's own answer to
// "OPTIONS *" is turned off so that the handler answers it in the vendor's format.
func (l Limits) HTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:                      h,
		ReadHeaderTimeout:            min(10*time.Second, nonZero(l.ReadTimeout, 10*time.Second)),
		ReadTimeout:                  l.ReadTimeout,
		WriteTimeout:                 l.WriteTimeout,
		IdleTimeout:                  l.IdleTimeout,
		MaxHeaderBytes:               64 << 10,
		DisableGeneralOptionsHandler: true,
	}
}

func nonZero(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Listener wraps ln: at most MaxConns connections at once, and net/http's plain-text answers
// to requests it cannot parse rewritten into the vendor's error body.
func (l Limits) Listener(ln net.Listener) net.Listener {
	return &vendorListener{Listener: ln, slots: slots(l.MaxConns)}
}

func slots(n int) chan struct{} {
	if n <= 0 {
		return nil
	}
	return make(chan struct{}, n)
}

type vendorListener struct {
	net.Listener
	slots chan struct{}
}

func (l *vendorListener) Accept() (net.Conn, error) {
	if l.slots != nil {
		l.slots <- struct{}{}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		if l.slots != nil {
			<-l.slots
		}
		return nil, err
	}
	return &vendorConn{Conn: c, release: l.release}, nil
}

func (l *vendorListener) release() {
	if l.slots != nil {
		<-l.slots
	}
}

// vendorConn rewrites the answers net/http writes by itself, before any handler runs, to a
// request it cannot parse (a malformed request line or escape, a missing Host, headers over
// the limit, an unknown transfer coding). net/http writes each of them in one Write, as a
// status line, a text/plain content type, "Connection: close" and a text body; a handler's
// response never has that content type here.
type vendorConn struct {
	net.Conn
	release func()
	once    sync.Once
}

var netHTTPError = []byte("\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n")

func (c *vendorConn) Write(p []byte) (int, error) {
	if rewritten, ok := vendorAnswer(p); ok {
		if _, err := c.Conn.Write(rewritten); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

func (c *vendorConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// vendorAnswer turns "HTTP/1.1 400 Bad Request<headers>400 Bad Request: missing required Host
// header" into the same status with a vendor error body.
func vendorAnswer(p []byte) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(p, []byte("HTTP/1.1 "))
	if !ok || len(rest) < 3 {
		return nil, false
	}
	head, text, ok := bytes.Cut(rest, netHTTPError)
	if !ok {
		return nil, false
	}
	status, err := strconv.Atoi(string(head[:3]))
	if err != nil {
		return nil, false
	}
	code := CodeParameter
	if status >= 500 {
		code = CodeSystem
	}
	body, _ := json.Marshal(map[string]string{"error_code": code, "error_msg": "The request cannot be parsed: " + string(text)})
	out := make([]byte, 0, 160+len(body))
	out = append(out, "HTTP/1.1 "...)
	out = append(out, head[:3]...)
	out = append(out, ' ')
	out = append(out, http.StatusText(status)...)
	out = append(out, "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "...)
	out = strconv.AppendInt(out, int64(len(body)), 10)
	out = append(out, "\r\n\r\n"...)
	return append(out, body...), true
}

// limitInFlight answers 429 APIG.0308 when max requests are already being handled. The
// gateway answers a throttled request that way, and clients of the service already treat it
// as "retry later"; Retry-After says when.
func limitInFlight(max int) echo.MiddlewareFunc {
	sem := slots(max)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if sem == nil {
			return next
		}
		return func(c echo.Context) error {
			select {
			case sem <- struct{}{}:
			default:
				c.Response().Header().Set("Retry-After", "1")
				return apiError(http.StatusTooManyRequests, CodeThrottled, "The emulator is handling %d requests; retry later", max)
			}
			defer func() { <-sem }()
			return next(c)
		}
	}
}

// deadline gives each request's context a deadline, which the store honours.
func deadline(d time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if d <= 0 {
			return next
		}
		return func(c echo.Context) error {
			r := c.Request()
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			c.SetRequest(r.WithContext(ctx))
			return next(c)
		}
	}
}

// methodNotAllowed answers a method a known path does not serve with the vendor's 405,
// OPTIONS and HEAD included (echo would answer OPTIONS with 204 by itself). Echo sets the
// allowed methods only when the path matched and the method did not.
func methodNotAllowed(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if allow, ok := c.Get(echo.ContextKeyHeaderAllow).(string); ok {
			allow = strings.TrimPrefix(strings.ReplaceAll(allow, ", "+http.MethodOptions, ""), http.MethodOptions+", ")
			c.Response().Header().Set(echo.HeaderAllow, allow)
			return echo.ErrMethodNotAllowed
		}
		return next(c)
	}
}
