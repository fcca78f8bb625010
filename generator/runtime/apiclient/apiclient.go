// Package apiclient holds the options of the generated clients' New constructors (package
// romaapic, package apig): authentication with a token or an AK/SK signature, request
// validation, retries, and the vendor error that every non-2xx answer becomes.
//
//	c, err := romaapic.New("https://roma.example.com",
//		apiclient.WithAKSK(ak, sk, projectID),
//		apiclient.WithRetry(apiclient.Retry{Attempts: 4}))
//	resp, err := c.ShowDetailsOfApiV1WithResponse(ctx, projectID, instanceID, apiID)
//	var e *apiclient.Error
//	if errors.As(err, &e) && e.Code == "APIG.3002" {
//		// no such API; e.RequestID names the request for the service's support
//	}
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/apiclab/apic/generator/runtime/sign"
	"github.com/apiclab/apic/generator/runtime/validation"
)

// Error is a non-2xx answer: the HTTP status, the vendor's {"error_code", "error_msg"} body
// and the X-Request-Id header the service sets on every answer. Use errors.As to get it.
type Error struct {
	StatusCode int
	Code       string // error_code, e.g. APIG.2011; empty when the body is not the vendor's
	Message    string // error_msg
	RequestID  string // X-Request-Id
	Body       []byte // the body as received (at most MaxErrorBody bytes)
}

// MaxErrorBody bounds how much of an error answer is read.
const MaxErrorBody = 64 << 10

func (e *Error) Error() string {
	msg := e.Message
	if e.Code == "" && msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	s := fmt.Sprintf("%d %s: %s", e.StatusCode, e.Code, msg)
	if e.Code == "" {
		s = fmt.Sprintf("%d: %s", e.StatusCode, msg)
	}
	if e.RequestID != "" {
		s += " (request " + e.RequestID + ")"
	}
	return s
}

// Temporary reports whether trying again later may succeed: a 5xx, 429, or the gateway's
// flow-control code APIG.0308.
func (e *Error) Temporary() bool {
	return e.StatusCode >= 500 || e.StatusCode == http.StatusTooManyRequests || e.Code == "APIG.0308"
}

// Doer sends a request; *http.Client is one.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Retry is the retry policy of WithRetry. Only idempotent calls (GET, HEAD, PUT, DELETE,
// OPTIONS) are retried, never a create (POST): a create whose answer was lost may have
// happened, and sending it again would create a second resource.
type Retry struct {
	// Attempts is the most calls made, the first included (default 3).
	Attempts int
	// Base is the backoff before the second call; it doubles with each call (default 200ms).
	Base time.Duration
	// Max caps one backoff, and a Retry-After the service asks for (default 10s).
	Max time.Duration
}

// Settings is what the options set. The generated New constructors read it; programs use the
// With... options.
type Settings struct {
	// Editors change each request before it is validated and sent (the token header).
	Editors []func(context.Context, *http.Request) error
	// Validate says whether request bodies are checked against the spec before sending.
	Validate bool
	// Preflight says what to do with advisory violations (see WithStrictDocs).
	Preflight validation.Preflight

	http              Doer
	ak, sk, projectID string
	retry             *Retry
	now               func() time.Time
}

// Option configures a client made by a generated New constructor.
type Option func(*Settings)

// Configure applies opts over the defaults: validation on, advisory violations logged,
// http.DefaultClient, no authentication, no retry.
func Configure(opts ...Option) *Settings {
	s := &Settings{Validate: true, Preflight: validation.Preflight{Warn: validation.LogWarnings}, http: http.DefaultClient, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// WithToken authenticates with an IAM token (the X-Auth-Token header).
func WithToken(token string) Option {
	return func(s *Settings) {
		s.Editors = append(s.Editors, func(_ context.Context, r *http.Request) error {
			r.Header.Set("X-Auth-Token", token)
			return nil
		})
	}
}

// WithAKSK signs every request with the access key ak and secret key sk (SDK-HMAC-SHA256, as
// the official SDKs sign). A non-empty projectID is sent as X-Project-Id, as the official
// SDKs send it: the legacy APIG paths name no project, so the service takes it from there;
// ROMA paths carry the project, which must then be the same.
func WithAKSK(ak, sk, projectID string) Option {
	return func(s *Settings) { s.ak, s.sk, s.projectID = ak, sk, projectID }
}

// WithHTTPClient sends requests with d instead of http.DefaultClient.
func WithHTTPClient(d Doer) Option {
	return func(s *Settings) { s.http = d }
}

// WithRetry retries idempotent calls answered with a 5xx, 429 or APIG.0308, with exponential
// backoff and full jitter, until r.Attempts calls were made or the request's context ends.
// Creates (POST) are never retried.
func WithRetry(r Retry) Option {
	if r.Attempts <= 0 {
		r.Attempts = 3
	}
	if r.Base <= 0 {
		r.Base = 200 * time.Millisecond
	}
	if r.Max <= 0 {
		r.Max = 10 * time.Second
	}
	return func(s *Settings) { s.retry = &r }
}

// WithoutValidation sends request bodies unchecked.
func WithoutValidation() Option {
	return func(s *Settings) { s.Validate = false }
}

// WithStrictDocs refuses a body that breaks an advisory rule too (see the package validation).
func WithStrictDocs() Option {
	return func(s *Settings) { s.Preflight.Strict = true }
}

// WithWarningHandler sends the advisory violations of each request to fn instead of
// validation.LogWarnings. A nil fn drops them.
func WithWarningHandler(fn func(context.Context, *http.Request, validation.Errors)) Option {
	return func(s *Settings) { s.Preflight.Warn = fn }
}

// WithClock replaces time.Now for the X-Sdk-Date of signatures (tests).
func WithClock(now func() time.Time) Option {
	return func(s *Settings) { s.now = now }
}

// Doer returns what sends the requests: it signs each call (when WithAKSK is set), retries
// (when WithRetry is set) and turns every non-2xx answer into *Error.
func (s *Settings) Doer() Doer {
	return &doer{s: *s}
}

type doer struct{ s Settings }

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		body, err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
	}
	attempts := 1
	if d.s.retry != nil && idempotent(req.Method) {
		attempts = d.s.retry.Attempts
	}
	for attempt := 1; ; attempt++ {
		r := req.Clone(req.Context())
		if req.GetBody != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		if d.s.ak != "" {
			if d.s.projectID != "" {
				r.Header.Set("X-Project-Id", d.s.projectID)
			}
			r.Header.Set("Host", r.URL.Host)
			sign.Sign(r, body, d.s.ak, d.s.sk, d.s.now())
		}
		resp, err := d.s.http.Do(r)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return resp, nil
		}
		e := readError(resp)
		if attempt >= attempts || !e.Temporary() {
			return nil, e
		}
		t := time.NewTimer(d.s.retry.backoff(attempt, resp.Header.Get("Retry-After")))
		select {
		case <-req.Context().Done():
			t.Stop()
			return nil, fmt.Errorf("%w (no retry: %w)", e, req.Context().Err())
		case <-t.C:
		}
	}
}

// backoff is the wait after the attempt-th call: a random duration up to Base*2^(attempt-1)
// (full jitter, so that clients that failed together do not retry together), or the
// Retry-After the service asked for, capped at Max.
func (r *Retry) backoff(attempt int, retryAfter string) time.Duration {
	if secs, err := strconv.Atoi(retryAfter); err == nil && secs >= 0 {
		return min(time.Duration(secs)*time.Second, r.Max)
	}
	ceiling := r.Max
	if attempt < 31 {
		ceiling = min(r.Base<<(attempt-1), r.Max)
	}
	return rand.N(ceiling) + 1
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// readError reads and closes a non-2xx answer.
func readError(resp *http.Response) *Error {
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	return ResponseError(resp, data)
}

// ResponseError is the *Error of an answer whose body has already been read (the generated
// iterators use it for a client that does not turn non-2xx answers into errors itself).
func ResponseError(resp *http.Response, body []byte) *Error {
	if len(body) > MaxErrorBody {
		body = body[:MaxErrorBody]
	}
	e := &Error{StatusCode: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id"), Body: body}
	var v struct {
		Code    string `json:"error_code"`
		Message string `json:"error_msg"`
	}
	if json.Unmarshal(body, &v) == nil {
		e.Code, e.Message = v.Code, v.Message
	}
	return e
}

// AsError returns the *Error in err's chain.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
