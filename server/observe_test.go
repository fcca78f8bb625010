package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/server"
)

// syncBuffer is a log destination tests read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(s.b.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// Every request, answered or refused, has one log line at info level with what a user
// needs to see what arrived: method, path, status, error code, latency, request id, project.
func TestRequestLog(t *testing.T) {
	var buf syncBuffer
	e := startWith(t, filepath.Join(t.TempDir(), "db"), server.Options{Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	ok := e.do("POST", romaPath, minimal("logged"), tokenHeader(token))
	require.Equal(t, 201, ok.status)
	bad := e.do("POST", romaPath, `{"name": 1}`, tokenHeader(token))
	require.Equal(t, 400, bad.status)
	e.do("GET", "/nowhere", nil, nil)

	// The line is written after the answer is: wait for it rather than race it.
	var lines []map[string]any
	require.Eventually(t, func() bool { lines = buf.lines(); return len(lines) >= 3 }, 5*time.Second, 10*time.Millisecond)
	require.Len(t, lines, 3)
	for i, want := range []struct {
		method, path, code, project, op string
		status                          float64
		resp                            reply
	}{
		{"POST", romaPath, "", project, "CreateApiV2", 201, ok},
		{"POST", romaPath, bad.body["error_code"].(string), project, "CreateApiV2", 400, bad},
		{"GET", "/nowhere", "APIG.1002", "", "unmatched", 401, reply{}}, // authentication comes first
	} {
		l := lines[i]
		assert.Equal(t, "INFO", l["level"])
		assert.Equal(t, "request", l["msg"])
		assert.Equal(t, want.method, l["method"])
		assert.Equal(t, want.path, l["path"])
		assert.Equal(t, want.status, l["status"])
		assert.Equal(t, want.code, l["error_code"])
		assert.Equal(t, want.project, l["project"])
		assert.Equal(t, want.op, l["operation"])
		assert.Positive(t, l["latency_ms"])
		if want.resp.header != nil {
			assert.Equal(t, want.resp.header.Get("X-Request-Id"), l["request_id"])
		}
	}
}

// /metrics is Prometheus text, without credentials, with requests counted and timed by
// operation, status and error code.
func TestMetrics(t *testing.T) {
	e := startWith(t, filepath.Join(t.TempDir(), "db"), server.Options{})
	require.Equal(t, 201, e.do("POST", romaPath, minimal("counted"), tokenHeader(token)).status)
	require.Equal(t, 400, e.do("POST", romaPath, minimal("counted"), tokenHeader(token)).status) // name taken
	// Requests are counted after they are answered: read until both are.
	var text string
	require.Eventually(t, func() bool {
		resp, err := http.Get(e.url + "/metrics")
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		require.Equal(t, 200, resp.StatusCode)
		assert.Contains(t, resp.Header.Get("Content-Type"), "text/plain")
		text = string(body)
		return strings.Contains(text, `status="400"} 1`)
	}, 5*time.Second, 10*time.Millisecond)
	assert.Contains(t, text, `apicemu_requests_total{error_code="",operation="CreateApiV2",status="201"} 1`)
	assert.Contains(t, text, `apicemu_requests_total{error_code="APIG.3202",operation="CreateApiV2",status="400"} 1`)
	assert.Contains(t, text, `apicemu_request_duration_seconds_count{operation="CreateApiV2",status="201"} 1`)
	assert.Contains(t, text, "go_goroutines")
}
