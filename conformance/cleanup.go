package conformance

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// cleanupTimeout bounds the deletes at the end of a run.
const cleanupTimeout = 2 * time.Minute

// cleanup deletes every API the target created for the run and no flow deleted yet, with the
// run's own credentials, a few at a time. The deletes go through the recording transport, so
// their answers are checked against the spec and counted like any other.
func (r *runner) cleanup(ctx context.Context) {
	r.rec.mu.Lock()
	var left []string
	for _, u := range r.rec.created {
		if !r.rec.removed[u] {
			left = append(left, u)
		}
	}
	r.rec.mu.Unlock()
	auth := r.authEditor(r.t.Token)
	work := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < min(r.opts.Workers, 8); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range work {
				req, err := http.NewRequestWithContext(ctx, http.MethodDelete, u, nil)
				if err != nil {
					continue
				}
				if auth != nil && auth(ctx, req) != nil {
					continue
				}
				if resp, err := r.hc.Do(req); err == nil {
					resp.Body.Close()
					// Already gone: a flow's delete got there, though a cancel lost its
					// answer. The run created it and it is removed.
					if resp.StatusCode == http.StatusNotFound {
						r.rec.mu.Lock()
						r.rec.removed[u] = true
						r.rec.mu.Unlock()
					}
				}
			}
		}()
	}
	for _, u := range left {
		work <- u
	}
	close(work)
	wg.Wait()
}

// tally is how many APIs the run created and how many of those it deleted.
func (rec *recorder) tally() (created, removed int) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, path := range rec.created {
		if rec.removed[path] {
			removed++
		}
	}
	return len(rec.created), removed
}

// createdPath is where the API a create answered with id lives (the create URL and the id).
func createdPath(createURL, id string) string { return strings.TrimSuffix(createURL, "/") + "/" + id }

// withoutQuery is u without its query string.
func withoutQuery(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment = "", ""
	return c.String()
}
