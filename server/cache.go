package server

import (
	"crypto/sha256"
	"net/http"
	"sync"
)

// viewCache keeps the v1 answer of ROMA APIs by namespace and id, with the SHA-256 of the
// stored document it was built from. An entry is used only when the document just read from
// the store has the same hash, so an updated or deleted API is never answered from the cache,
// also when several emulators share one PostgreSQL store; what it saves is the v1 conversion
// and its validation. The state API clears it when it resets or replaces the store. It is
// bounded in bytes: past max, arbitrary entries make room (a miss only costs a conversion).
//
// A store that only this emulator writes (SQLite: its file is locked to one emulator) needs
// no store read at all: trusted answers the cached entry, which every update and delete of
// the API drops after it commits. epoch counts those drops, so that a read that fetched the
// document before a write cannot put its now stale answer back after the drop.
type viewCache struct {
	mu    sync.RWMutex
	m     map[string]view
	bytes int
	max   int
	epoch uint64
}

type view struct {
	doc    [sha256.Size]byte
	answer []byte
}

// DefaultCacheBytes bounds the v1 answer cache: some tens of thousands of typical answers, or
// a few hundred of the largest the item and length limits allow.
const DefaultCacheBytes = 64 << 20

// entryOverhead approximates what a map entry costs besides its key and answer bytes.
const entryOverhead = 64 + sha256.Size

func newViewCache(max int) *viewCache {
	if max <= 0 {
		max = DefaultCacheBytes
	}
	return &viewCache{m: make(map[string]view), max: max}
}

func viewKey(project, instance, id string) string { return project + "/" + instance + "/" + id }

func sizeOf(key string, v view) int { return len(key) + len(v.answer) + entryOverhead }

// get returns the answer cached for key if it was built from doc.
func (c *viewCache) get(key string, doc []byte) ([]byte, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[key]
	if !ok || v.doc != sha256.Sum256(doc) {
		return nil, false
	}
	return v.answer, true
}

// trusted returns the answer cached for key, for a store no other process writes.
func (c *viewCache) trusted(key string) ([]byte, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[key]
	return v.answer, ok
}

// now returns the epoch a reader passes to put: taken before it reads the store.
func (c *viewCache) now() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.epoch
}

// put keeps answer, built from doc as read at epoch; nothing, when an entry was dropped since.
func (c *viewCache) put(key string, doc, answer []byte, epoch uint64) {
	v := view{sha256.Sum256(doc), answer}
	size := sizeOf(key, v)
	if size > c.max/8 {
		return // one answer never takes a large share of the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return
	}
	if old, ok := c.m[key]; ok {
		c.bytes -= sizeOf(key, old)
	}
	if c.bytes+size > c.max {
		for k, old := range c.m {
			delete(c.m, k)
			c.bytes -= sizeOf(k, old)
			if c.bytes+size <= c.max*9/10 {
				break
			}
		}
	}
	c.m[key] = v
	c.bytes += size
}

// drop forgets key (its API was updated or deleted), so that the memory is not kept.
func (c *viewCache) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	if old, ok := c.m[key]; ok {
		c.bytes -= sizeOf(key, old)
		delete(c.m, key)
	}
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
	c.epoch++
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
func (r rawJSON) VisitShowDetailsOfApiV2Response(w http.ResponseWriter) error { return r.write(w) }
func (r rawJSON) VisitUpdateApiV2Response(w http.ResponseWriter) error        { return r.write(w) }
func (r rawJSON) VisitListApisV2Response(w http.ResponseWriter) error         { return r.write(w) }
func (r rawJSON) VisitCreateApiResponse(w http.ResponseWriter) error          { return r.write(w) }
func (r rawJSON) VisitUpdateApiResponse(w http.ResponseWriter) error          { return r.write(w) }
func (r rawJSON) VisitShowDetailsOfApiResponse(w http.ResponseWriter) error   { return r.write(w) }
func (r rawJSON) VisitListApisResponse(w http.ResponseWriter) error           { return r.write(w) }
