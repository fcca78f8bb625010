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
// and its validation. It is bounded: past max entries, arbitrary entries make room.
type viewCache struct {
	mu  sync.RWMutex
	m   map[string]view
	max int
}

type view struct {
	doc    [sha256.Size]byte
	answer []byte
}

func newViewCache(max int) *viewCache { return &viewCache{m: make(map[string]view), max: max} }

func viewKey(project, instance, id string) string { return project + "/" + instance + "/" + id }

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

func (c *viewCache) put(key string, doc, answer []byte) {
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
	c.m[key] = view{sha256.Sum256(doc), answer}
}

// drop forgets key (its API was updated or deleted), so that the memory is not kept.
func (c *viewCache) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
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
