package server

import (
	"net/http"
	"sync"
)

// viewCache keeps the v1 answer of ROMA APIs by namespace and id. ROMA APIs never change once
// created (the service offers no modify or delete among the emulated operations), so a cached
// answer is never stale, even when several emulators share one PostgreSQL store, unless the
// state API resets or replaces the store: that clears this emulator's cache (only). It is
// bounded in bytes: past max, arbitrary entries make room (a miss only costs a store read).
type viewCache struct {
	mu    sync.RWMutex
	m     map[string][]byte
	bytes int
	max   int
}

// DefaultCacheBytes bounds the v1 answer cache: some tens of thousands of typical answers, or
// a few hundred of the largest the item and length limits allow.
const DefaultCacheBytes = 64 << 20

// entryOverhead approximates what a map entry costs besides its key and value bytes.
const entryOverhead = 64

func newViewCache(max int) *viewCache {
	if max <= 0 {
		max = DefaultCacheBytes
	}
	return &viewCache{m: make(map[string][]byte), max: max}
}

func viewKey(project, instance, id string) string { return project + "/" + instance + "/" + id }

func (c *viewCache) get(key string) ([]byte, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	b, ok := c.m[key]
	return b, ok
}

func (c *viewCache) put(key string, b []byte) {
	size := len(key) + len(b) + entryOverhead
	if size > c.max/8 {
		return // one answer never takes a large share of the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[key]; ok {
		c.bytes -= len(key) + len(old) + entryOverhead
	}
	if c.bytes+size > c.max {
		for k, v := range c.m {
			delete(c.m, k)
			c.bytes -= len(k) + len(v) + entryOverhead
			if c.bytes+size <= c.max*9/10 {
				break
			}
		}
	}
	c.m[key] = b
	c.bytes += size
}

// size returns the bytes the cache accounts for.
func (c *viewCache) size() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.bytes
}

// clear forgets every answer: the state API replaced or deleted APIs.
func (c *viewCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
	c.bytes = 0
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
