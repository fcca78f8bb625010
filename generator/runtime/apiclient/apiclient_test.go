package apiclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/generator/runtime/sign"
)

// answers serves the given statuses in turn (the last one repeats) with a vendor error body,
// and counts the calls.
func answers(t *testing.T, calls *atomic.Int32, statuses ...int) *httptest.Server {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1))
		st := statuses[min(n, len(statuses))-1]
		w.Header().Set("X-Request-Id", "req-"+r.Method)
		w.WriteHeader(st)
		if st >= 300 {
			io.WriteString(w, `{"error_code":"APIG.9999","error_msg":"try later"}`)
		}
	}))
	t.Cleanup(hs.Close)
	return hs
}

func do(t *testing.T, s *Settings, method, url string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(`{"a":1}`))
	require.NoError(t, err)
	return s.Doer().Do(req)
}

func TestNon2xxIsAVendorError(t *testing.T) {
	var calls atomic.Int32
	hs := answers(t, &calls, http.StatusBadRequest)
	_, err := do(t, Configure(), http.MethodGet, hs.URL)
	var e *Error
	require.True(t, errors.As(err, &e), "%v", err)
	assert.Equal(t, &Error{StatusCode: 400, Code: "APIG.9999", Message: "try later", RequestID: "req-GET",
		Body: []byte(`{"error_code":"APIG.9999","error_msg":"try later"}`)}, e)
	assert.Equal(t, "400 APIG.9999: try later (request req-GET)", e.Error())
	assert.False(t, e.Temporary())
}

func TestRetryIsOptInAndSkipsCreates(t *testing.T) {
	fast := WithRetry(Retry{Attempts: 3, Base: time.Millisecond, Max: 2 * time.Millisecond})
	for _, c := range []struct {
		name     string
		opts     []Option
		method   string
		statuses []int
		calls    int32
		ok       bool
	}{
		{"no retry without the option", nil, http.MethodGet, []int{503, 200}, 1, false},
		{"a GET is retried after 503", []Option{fast}, http.MethodGet, []int{503, 200}, 2, true},
		{"a PUT is retried after 429", []Option{fast}, http.MethodPut, []int{429, 429, 200}, 3, true},
		{"attempts are bounded", []Option{fast}, http.MethodGet, []int{500}, 3, false},
		{"a create is never retried", []Option{fast}, http.MethodPost, []int{503, 201}, 1, false},
		{"a 400 is not retried", []Option{fast}, http.MethodGet, []int{400, 200}, 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var calls atomic.Int32
			hs := answers(t, &calls, c.statuses...)
			resp, err := do(t, Configure(c.opts...), c.method, hs.URL)
			assert.Equal(t, c.calls, calls.Load())
			if c.ok {
				require.NoError(t, err)
				resp.Body.Close()
			} else {
				_, isVendor := AsError(err)
				assert.True(t, isVendor, "%v", err)
			}
		})
	}
}

// A retry waits no longer than the request's context allows.
func TestRetryHonoursTheContext(t *testing.T) {
	var calls atomic.Int32
	hs := answers(t, &calls, 503)
	s := Configure(WithRetry(Retry{Attempts: 5, Base: time.Hour, Max: time.Hour}))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, hs.URL, nil)
	require.NoError(t, err)
	_, err = s.Doer().Do(req)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	_, isVendor := AsError(err)
	assert.True(t, isVendor, "the last answer is kept: %v", err)
	assert.Equal(t, int32(1), calls.Load())
}

// The backoff never exceeds its ceiling: Base doubled per call, capped by Max, or the
// Retry-After the service asked for, capped by Max.
func TestBackoffBounds(t *testing.T) {
	r := Retry{Attempts: 5, Base: 10 * time.Millisecond, Max: 50 * time.Millisecond}
	for i := 0; i < 200; i++ {
		assert.LessOrEqual(t, r.backoff(1, ""), 10*time.Millisecond)
		assert.LessOrEqual(t, r.backoff(4, ""), 50*time.Millisecond)
		assert.Positive(t, r.backoff(2, ""))
	}
	assert.Equal(t, 50*time.Millisecond, r.backoff(1, "3"))
	assert.Equal(t, time.Duration(0), r.backoff(1, "0"))
}

// WithAKSK signs every call, the retries too, and WithToken sets the token header.
func TestAuthentication(t *testing.T) {
	var got []*http.Request
	var bodies [][]byte
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r)
		bodies = append(bodies, b)
		w.WriteHeader(map[bool]int{true: 503, false: 200}[len(got) == 1])
	}))
	defer hs.Close()
	s := Configure(WithAKSK("AK1", "SK1", "p1"), WithRetry(Retry{Base: time.Millisecond}))
	resp, err := do(t, s, http.MethodPut, hs.URL+"/v1.0/apigw/apis/x?b=1")
	require.NoError(t, err)
	resp.Body.Close()
	require.Len(t, got, 2)
	for i, r := range got {
		assert.Equal(t, "p1", r.Header.Get("X-Project-Id"))
		assert.Equal(t, `{"a":1}`, string(bodies[i]))
		ak, err := sign.Verify(r, bodies[i], time.Now(), func(ak string) (string, bool) { return "SK1", ak == "AK1" })
		require.NoError(t, err)
		assert.Equal(t, "AK1", ak)
		assert.Contains(t, r.Header.Get("Authorization"), "SignedHeaders=host;x-project-id;x-sdk-date")
	}

	var token string
	hs2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { token = r.Header.Get("X-Auth-Token") }))
	defer hs2.Close()
	req, err := http.NewRequest(http.MethodGet, hs2.URL, nil)
	require.NoError(t, err)
	s = Configure(WithToken("tok"))
	for _, e := range s.Editors {
		require.NoError(t, e(context.Background(), req))
	}
	resp, err = s.Doer().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "tok", token)
}
