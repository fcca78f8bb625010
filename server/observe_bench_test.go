package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/server"
	"github.com/apiclab/apic/server/fixtures"
	"github.com/apiclab/apic/server/store"
)

// The cheapest request (a cached query) with the request log off, and on in each format (to
// io.Discard: the cost of the line, not of the disk): what one log line a request costs.
func BenchmarkShowLogged(b *testing.B) {
	for _, c := range []struct {
		name string
		log  *slog.Logger
	}{
		{"off", slog.New(slog.DiscardHandler)},
		{"text", slog.New(slog.NewTextHandler(io.Discard, nil))},
		{"json", slog.New(slog.NewJSONHandler(io.Discard, nil))},
	} {
		b.Run(c.name, func(b *testing.B) {
			st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "db"))
			require.NoError(b, err)
			defer st.Close()
			srv, err := server.New(server.Options{Store: st, Fixtures: fixtures.Default(), Logger: c.log})
			require.NoError(b, err)
			h := srv.Handler()
			body := `{"name":"bench","type":1,"req_protocol":"HTTPS","req_method":"GET","req_uri":"/bench","auth_type":"NONE","backend_type":"MOCK","group_id":"c77f5e81d9cb4424bf704ef2b0ac7600","mock_info":{"result_content":"ok"}}`
			r := httptest.NewRequest(http.MethodPost, romaPath, bytes.NewReader([]byte(body)))
			r.Header.Set("X-Auth-Token", token)
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			require.Equal(b, http.StatusCreated, w.Code, w.Body.String())
			var created struct{ ID string }
			require.NoError(b, json.Unmarshal(w.Body.Bytes(), &created))
			path := "/v1/" + project + "/apic/instances/" + instance + "/apis/" + created.ID
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, path, nil)
				r.Header.Set("X-Auth-Token", token)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}
