package server_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/server"
	"github.com/apiclab/apic/server/fixtures"
	"github.com/apiclab/apic/server/store"
	"github.com/apiclab/apic/server/store/storetest"
)

// serveLimited serves srv as apicemu does: the limits' listener and http.Server.
func serveLimited(t *testing.T, srv *server.Server, lim server.Limits) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := lim.HTTPServer(srv.Handler())
	go hs.Serve(lim.Listener(ln)) //nolint:errcheck // ends with Close
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String()
}

// raw sends bytes on a fresh connection and returns the status code and the body of the
// answer.
func raw(t *testing.T, addr, request string) (int, map[string]string, http.Header) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = io.WriteString(c, request)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]string
	data, _ := io.ReadAll(resp.Body)
	assert.NoError(t, json.Unmarshal(data, &body), "vendor body, got %q", data)
	return resp.StatusCode, body, resp.Header
}

// Requests net/http refuses before any handler runs are answered in the vendor's format.
func TestNetHTTPErrorsInVendorFormat(t *testing.T) {
	srv := newServer(t, memStore(t), server.Limits{})
	addr := serveLimited(t, srv, server.DefaultLimits)
	for name, tc := range map[string]struct {
		req    string
		status int
		code   string
	}{
		"bad escape":           {"GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, "APIG.2000"},
		"no Host":              {"GET /health HTTP/1.1\r\n\r\n", 400, "APIG.2000"},
		"header too large":     {"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 80<<10) + "\r\n\r\n", 431, "APIG.2000"},
		"gzip transfer coding": {"POST /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "APIG.9999"},
		"bad request line":     {"GARBAGE\r\n\r\n", 400, "APIG.2000"},
		// Like any path but /health, it needs credentials first.
		"OPTIONS *":          {"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 401, "APIG.1002"},
		"OPTIONS on a route": {"OPTIONS " + romaPath + " HTTP/1.1\r\nHost: x\r\nX-Auth-Token: " + token + "\r\n\r\n", 405, "APIG.0101"},
	} {
		t.Run(name, func(t *testing.T) {
			status, body, _ := raw(t, addr, tc.req)
			assert.Equal(t, tc.status, status)
			assert.Equal(t, tc.code, body["error_code"])
			assert.NotEmpty(t, body["error_msg"])
		})
	}
	// HEAD has no body by definition: the status and Allow header say it.
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, "HEAD "+romaPath+" HTTP/1.1\r\nHost: x\r\nX-Auth-Token: "+token+"\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: "HEAD"})
	require.NoError(t, err)
	assert.Equal(t, 405, resp.StatusCode)
	assert.Equal(t, "GET, POST", resp.Header.Get("Allow"), "the list and the create share the path")
}

// An idle keep-alive connection and a body that never ends are both cut off by the timeouts.
func TestTimeoutsCloseConnections(t *testing.T) {
	srv := newServer(t, memStore(t), server.Limits{})
	lim := server.Limits{ReadTimeout: 300 * time.Millisecond, WriteTimeout: time.Second, IdleTimeout: 300 * time.Millisecond}
	addr := serveLimited(t, srv, lim)
	closedWithin := func(c net.Conn, d time.Duration) bool {
		c.SetReadDeadline(time.Now().Add(d)) //nolint:errcheck
		_, err := io.ReadAll(c)
		return err == nil // EOF: the server closed it
	}
	idle, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer idle.Close()
	assert.True(t, closedWithin(idle, 3*time.Second), "an idle connection is closed")

	slow, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer slow.Close()
	_, err = io.WriteString(slow, "POST "+romaPath+" HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
	require.NoError(t, err)
	slow.SetReadDeadline(time.Now().Add(3 * time.Second)) //nolint:errcheck
	data, err := io.ReadAll(slow)
	assert.NoError(t, err, "a slow body is cut off")
	assert.NotContains(t, string(data), "201 Created")
}

// Past MaxConns, connections wait to be accepted; a closed one makes room.
func TestConnectionCap(t *testing.T) {
	srv := newServer(t, memStore(t), server.Limits{})
	addr := serveLimited(t, srv, server.Limits{MaxConns: 2})
	var held []net.Conn
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
		held = append(held, c)
	}
	third, err := net.Dial("tcp", addr) // the kernel completes the handshake; nobody serves it
	require.NoError(t, err)
	defer third.Close()
	_, err = io.WriteString(third, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	third.SetReadDeadline(time.Now().Add(300 * time.Millisecond)) //nolint:errcheck
	_, err = third.Read(make([]byte, 1))
	require.Error(t, err, "the third connection is not served while two are open")
	held[0].Close()
	third.SetReadDeadline(time.Now().Add(5 * time.Second)) //nolint:errcheck
	resp, err := http.ReadResponse(bufio.NewReader(third), nil)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
}

// blocking is a store whose writes wait until released or until their context ends.
type blocking struct {
	store.Store
	entered chan struct{}
	release chan struct{}
}

func (b *blocking) Create(ctx context.Context, _ store.API) error {
	b.entered <- struct{}{}
	select {
	case <-b.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
func (b *blocking) Ping(context.Context) error { return nil }

// Past MaxInFlight, a request is refused at once with the gateway's throttling answer.
func TestInFlightCap(t *testing.T) {
	st := &blocking{entered: make(chan struct{}, 1), release: make(chan struct{})}
	srv := newServer(t, st, server.Limits{MaxInFlight: 1})
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	e := &env{t: t, url: hs.URL}
	first := make(chan reply)
	go func() { first <- e.do("POST", romaPath, minimal("held_api"), tokenHeader(token)) }()
	<-st.entered
	r := e.do("POST", romaPath, minimal("second_api"), tokenHeader(token))
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, server.CodeThrottled, r.code())
	assert.Equal(t, "1", r.header.Get("Retry-After"))
	close(st.release)
	assert.Equal(t, http.StatusCreated, (<-first).status)
	assert.Equal(t, http.StatusCreated, e.do("POST", romaPath, minimal("third_api"), tokenHeader(token)).status)
}

// A store that does not answer gets the request a vendor error within the deadline: a fake
// one, a SQLite file whose write lock another process holds, and a locked PostgreSQL table.
func TestFrozenStoreAnswersWithinDeadline(t *testing.T) {
	const deadline = 300 * time.Millisecond
	stores := map[string]func(t *testing.T) store.Store{
		"blocking": func(t *testing.T) store.Store {
			return &blocking{entered: make(chan struct{}, 1), release: make(chan struct{})}
		},
		"sqlite": func(t *testing.T) store.Store {
			path := filepath.Join(t.TempDir(), "apicemu.db")
			st := open(t, path)
			db, err := sql.Open("sqlite", path)
			require.NoError(t, err)
			t.Cleanup(func() { db.Close() })
			conn, err := db.Conn(context.Background())
			require.NoError(t, err)
			_, err = conn.ExecContext(context.Background(), "BEGIN IMMEDIATE")
			require.NoError(t, err)
			t.Cleanup(func() { conn.ExecContext(context.Background(), "ROLLBACK"); conn.Close() }) //nolint:errcheck
			return st
		},
	}
	if url := storetest.URL(); url != "" {
		stores["postgres"] = func(t *testing.T) store.Store {
			dsn := storetest.Schema(t, url)
			st := open(t, dsn)
			db, err := sql.Open("pgx", dsn)
			require.NoError(t, err)
			t.Cleanup(func() { db.Close() })
			tx, err := db.Begin()
			require.NoError(t, err)
			_, err = tx.Exec("LOCK TABLE apis IN ACCESS EXCLUSIVE MODE")
			require.NoError(t, err)
			t.Cleanup(func() { tx.Rollback() }) //nolint:errcheck
			return st
		}
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, mk(t), server.Limits{RequestTimeout: deadline})
			hs := httptest.NewServer(srv.Handler())
			defer hs.Close()
			e := &env{t: t, url: hs.URL}
			began := time.Now()
			r := e.do("POST", romaPath, minimal("frozen_api"), tokenHeader(token))
			took := time.Since(began)
			assert.Equal(t, http.StatusServiceUnavailable, r.status, string(r.raw))
			assert.Equal(t, "APIG.9999", r.code())
			assert.Less(t, took, deadline+2*time.Second, "answered soon after the deadline")
		})
	}
}

func open(t *testing.T, dsn string) store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return st
}

func memStore(t *testing.T) store.Store { return open(t, ":memory:") }

func newServer(t *testing.T, st store.Store, lim server.Limits) *server.Server {
	t.Helper()
	srv, err := server.New(server.Options{Store: st, Fixtures: fixtures.Default(), Limits: lim})
	require.NoError(t, err)
	return srv
}
