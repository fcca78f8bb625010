package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/server"
	"github.com/apiclab/apic/server/fixtures"
	"github.com/apiclab/apic/server/store"
	"github.com/apiclab/apic/server/store/storetest"
)

// benchHandler is an emulator on a fresh SQLite file, without the network; opts may set
// anything but the store and the fixtures.
func benchHandler(b *testing.B, opts server.Options) http.Handler {
	st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "db"))
	require.NoError(b, err)
	b.Cleanup(func() { st.Close() })
	opts.Store, opts.Fixtures = st, fixtures.Default()
	srv, err := server.New(opts)
	require.NoError(b, err)
	return srv.Handler()
}

// benchQueryPath creates one ROMA API through h and returns its v1 query path.
func benchQueryPath(b *testing.B, h http.Handler) string {
	body := `{"name":"bench_query","type":1,"req_protocol":"HTTPS","req_method":"GET","req_uri":"/bench/query","auth_type":"NONE","backend_type":"MOCK","group_id":"c77f5e81d9cb4424bf704ef2b0ac7600","mock_info":{"result_content":"ok"}}`
	r := httptest.NewRequest(http.MethodPost, romaPath, bytes.NewReader([]byte(body)))
	r.Header.Set("X-Auth-Token", token)
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(b, http.StatusCreated, w.Code, w.Body.String())
	var created struct{ ID string }
	require.NoError(b, json.Unmarshal(w.Body.Bytes(), &created))
	return "/v1/" + project + "/apic/instances/" + instance + "/apis/" + created.ID
}

// The whole create path in one process (routing, auth, strict decoding and validation,
// response building, a durable SQLite write), without the network.
func BenchmarkCreate(b *testing.B) {
	h := benchHandler(b, server.Options{})
	b.ReportAllocs()
	b.SetParallelism(32) // many clients at once, as under load: writes commit in groups
	defer storetest.MeasureCPU(b)()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			body := fmt.Sprintf(`{"name":"bench_%p_%d","type":1,"req_protocol":"HTTPS","req_method":"GET","req_uri":"/bench/%p/%d","auth_type":"NONE","backend_type":"MOCK","group_id":"c77f5e81d9cb4424bf704ef2b0ac7600","mock_info":{"result_content":"ok"}}`, pb, i, pb, i)
			r := httptest.NewRequest(http.MethodPost, romaPath, bytes.NewReader([]byte(body)))
			r.Header.Set("X-Auth-Token", token)
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusCreated {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
}

// A v1 query of a stored API through the whole handler, with the default limits in place.
func BenchmarkQuery(b *testing.B) {
	h := benchHandler(b, server.Options{Limits: server.DefaultLimits})
	path := benchQueryPath(b, h)
	b.ReportAllocs()
	defer storetest.MeasureCPU(b)()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchGet(b, h, path)
		}
	})
}

// benchGet sends one authenticated GET of path to h, which must answer 200.
func benchGet(b *testing.B, h http.Handler, path string) {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Header.Set("X-Auth-Token", token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		b.Fatalf("%d %s", w.Code, w.Body)
	}
}

// A page of 20 of the list over 10,000 stored APIs, at random offsets, from many clients.
func BenchmarkListPage(b *testing.B) {
	h := benchHandler(b, server.Options{})
	do := func(method, path, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, bytes.NewReader([]byte(body)))
		r.Header.Set("X-Auth-Token", token)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < 10000; i += 16 {
				body := fmt.Sprintf(`{"name":"list_%d","type":1,"req_protocol":"HTTPS","req_method":"GET","req_uri":"/list/%d","auth_type":"NONE","backend_type":"MOCK","group_id":"c77f5e81d9cb4424bf704ef2b0ac7600","mock_info":{"result_content":"ok"}}`, i, i)
				if rec := do(http.MethodPost, romaPath, body); rec.Code != http.StatusCreated {
					b.Errorf("%d %s", rec.Code, rec.Body)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	b.ReportAllocs()
	b.SetParallelism(16)
	defer storetest.MeasureCPU(b)()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewSource(time.Now().UnixNano()))
		for pb.Next() {
			if rec := do(http.MethodGet, fmt.Sprintf("%s?limit=20&offset=%d", romaPath, rng.Intn(9980)), ""); rec.Code != http.StatusOK {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
	})
}
