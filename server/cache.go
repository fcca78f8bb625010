package server

import (
	"net/http"
	"sync"
)

// viewCache keeps the v1 answer of ROMA APIs by namespace and id. ROMA APIs never change once
// created (the service offers no modify or delete among the emulated operations), so a cached
// answer is never stale, even when several emulators share one PostgreSQL store, unless the
// state API resets or replaces the store: that clears this emulator's cache (only). It is
// bounded: past max entries, arbitrary entries make room.
type viewCache struct {
	mu  sync.RWMutex
	m   map[string][]byte
	max int
}

func newViewCache(max int) *viewCache { return &viewCache{m: make(map[string][]byte), max: max} }

func viewKey(project, instance, id string) string { return project + "/" + instance + "/" + id }

func (c *viewCache) get(key string) ([]byte, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	b, ok := c.m[key]
	return b, ok
}

func (c *viewCache) put(key string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for k := range c.m {
			delete(c.m, k)
			if len(c.m) < c.max*9/10 {
				break
			}
		}
	}
	c.m[key] = b
}

// clear forgets every answer: the state API replaced or deleted APIs.
func (c *viewCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}

// rawJSON is a response whose body is already encoded: strict handlers write it as it is.
type rawJSON struct {
	status int
	body   []byte
}

func (r rawJSON) write(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(r.status)
	_, err := w.Write(r.body)
	return err
}

// The strict-server response interfaces the raw responses satisfy.
func (r rawJSON) VisitShowDetailsOfApiV1Response(w http.ResponseWriter) error { return r.write(w) }
func (r rawJSON) VisitCreateApiV2Response(w http.ResponseWriter) error        { return r.write(w) }
func (r rawJSON) VisitCreateApiResponse(w http.ResponseWriter) error          { return r.write(w) }
func (r rawJSON) VisitUpdateApiResponse(w http.ResponseWriter) error          { return r.write(w) }
