package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/conformance/catalog"
	"github.com/apiclab/apic/server"
	"github.com/apiclab/apic/server/fixtures"
	"github.com/apiclab/apic/server/store"
)

const (
	v1Path   = "/v1/" + project + "/apic/instances/" + instance + "/apis"
	apigPath = "/v1.0/apigw/apis"
)

// apigMinimal is a small valid legacy create body.
func apigMinimal(name string) map[string]any {
	return map[string]any{
		"name": name, "type": 1, "req_method": "GET", "req_uri": "/legacy/" + name, "auth_type": "NONE",
		"backend_type": "MOCK", "group_id": "f71f69876f90456ca6fd18ed012fdc11", "mock_info": map[string]any{"result_content": "ok"},
		"tags": []any{"lifecycle"},
	}
}

func ids(t *testing.T, r reply) []string {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	list, _ := r.body["apis"].([]any)
	out := []string{}
	for _, x := range list {
		out = append(out, x.(map[string]any)["id"].(string))
	}
	assert.EqualValues(t, len(out), r.body["size"], "size is the length of the page")
	return out
}

func TestROMALifecycle(t *testing.T) {
	for storeName, dsn := range storeDSNs(t) {
		t.Run(storeName, func(t *testing.T) {
			e := start(t, dsn(t))
			tok := tokenHeader(token)
			created := e.do("POST", romaPath, minimal("life_api"), tok)
			require.Equal(t, http.StatusCreated, created.status, string(created.raw))
			id := created.body["id"].(string)
			item := romaPath + "/" + id

			show := e.do("GET", item, nil, tok)
			require.Equal(t, http.StatusOK, show.status)
			assert.JSONEq(t, string(created.raw), string(show.raw), "show answers what create answered")
			checkResponse(t, catalog.ROMA, "ShowDetailsOfApiV2", 200, show.raw)
			v1 := e.do("GET", v1Path+"/"+id, nil, tok)
			require.Equal(t, http.StatusOK, v1.status)
			assert.Equal(t, "life_api", v1.body["name"])
			assert.Contains(t, ids(t, e.do("GET", romaPath+"?name=life_api&precise_search=name", nil, tok)), id)

			e.clock.Add(time.Minute)
			changed := with(minimal("life_api_2"), "req_uri", "/test/life/2", "remark", "changed")
			up := e.do("PUT", item, changed, tok)
			require.Equal(t, http.StatusOK, up.status, string(up.raw))
			checkResponse(t, catalog.ROMA, "UpdateApiV2", 200, up.raw)
			assert.Equal(t, id, up.body["id"])
			assert.Equal(t, created.body["register_time"], up.body["register_time"])
			assert.Greater(t, up.body["update_time"], created.body["update_time"])
			assert.Equal(t, "changed", up.body["remark"])
			show = e.do("GET", item, nil, tok)
			assert.Equal(t, string(up.raw), string(show.raw), "update answers exactly what a later show returns")
			v1 = e.do("GET", v1Path+"/"+id, nil, tok)
			assert.Equal(t, "life_api_2", v1.body["name"], "the v1 view is not served stale after an update")
			assert.Equal(t, "/test/life/2", v1.body["req_uri"])
			assert.Empty(t, ids(t, e.do("GET", romaPath+"?name=life_api&precise_search=name", nil, tok)))
			assert.Equal(t, []string{id}, ids(t, e.do("GET", romaPath+"?name=life_api_2&precise_search=name", nil, tok)))
			assert.Equal(t, []string{id}, ids(t, e.do("GET", romaPath+"?req_uri=life/2", nil, tok)), "req_uri matches a part")

			again := e.do("PUT", item, changed, tok)
			assert.Equal(t, http.StatusOK, again.status, "an API never conflicts with itself: %s", again.raw)
			up = again

			other := e.do("POST", romaPath, minimal("life_other"), tok)
			require.Equal(t, http.StatusCreated, other.status)
			clash := e.do("PUT", item, with(changed, "name", "life_other"), tok)
			assert.Equal(t, http.StatusBadRequest, clash.status)
			assert.Equal(t, "APIG.3202", clash.code())
			clash = e.do("PUT", item, with(changed, "req_uri", "/test/life_other"), tok)
			assert.Equal(t, http.StatusBadRequest, clash.status)
			assert.Equal(t, "APIG.3301", clash.code())
			bad := e.do("PUT", item, with(changed, "type", 3), tok)
			assert.Equal(t, http.StatusBadRequest, bad.status, "update validates like create")
			assert.Equal(t, "APIG.2011", bad.code())
			assert.Equal(t, string(up.raw), string(e.do("GET", item, nil, tok).raw), "refused updates change nothing")

			for _, r := range []reply{
				e.do("GET", item, nil, tokenHeader(otherTok)),
				e.do("PUT", item, changed, tokenHeader(otherTok)),
				e.do("DELETE", item, nil, tokenHeader(otherTok)),
			} {
				assert.Equal(t, http.StatusForbidden, r.status)
				assert.Equal(t, "APIG.1005", r.code())
			}
			missingID := romaPath + "/0123456789abcdef0123456789abcdef"
			for _, r := range []reply{e.do("GET", missingID, nil, tok), e.do("PUT", missingID, changed, tok), e.do("DELETE", missingID, nil, tok)} {
				assert.Equal(t, http.StatusNotFound, r.status)
				assert.Equal(t, "APIG.3002", r.code())
			}

			del := e.do("DELETE", item, nil, tok)
			assert.Equal(t, http.StatusNoContent, del.status)
			assert.Empty(t, del.raw)
			for _, path := range []string{item, v1Path + "/" + id} {
				r := e.do("GET", path, nil, tok)
				assert.Equal(t, http.StatusNotFound, r.status, path)
				assert.Equal(t, "APIG.3002", r.code())
			}
			assert.NotContains(t, ids(t, e.do("GET", romaPath+"?limit=500", nil, tok)), id)
			assert.Equal(t, http.StatusNotFound, e.do("DELETE", item, nil, tok).status, "a second delete finds nothing")
			reuse := e.do("POST", romaPath, changed, tok)
			assert.Equal(t, http.StatusCreated, reuse.status, "the name and route are free at once: %s", reuse.raw)
		})
	}
}

func TestAPIGLifecycle(t *testing.T) {
	for storeName, dsn := range storeDSNs(t) {
		t.Run(storeName, func(t *testing.T) {
			e := start(t, dsn(t))
			tok := tokenHeader(token)
			created := e.do("POST", apigPath, apigMinimal("legacy_api"), tok)
			require.Equal(t, http.StatusCreated, created.status, string(created.raw))
			id := created.body["id"].(string)
			item := apigPath + "/" + id
			show := e.do("GET", item, nil, tok)
			require.Equal(t, http.StatusOK, show.status, string(show.raw))
			checkResponse(t, catalog.APIG, "ShowDetailsOfApi", 200, show.raw)
			assert.Equal(t, "legacy_api", show.body["name"])
			list := e.do("GET", apigPath+"?name=legacy&tags=lifecycle", nil, tok)
			checkResponse(t, catalog.APIG, "ListApis", 200, list.raw)
			assert.Equal(t, []string{id}, ids(t, list))
			item0 := list.body["apis"].([]any)[0].(map[string]any)
			assert.NotContains(t, item0, "mock_info", "a list item has no backend")

			e.clock.Add(time.Minute)
			up := e.do("PUT", item, with(apigMinimal("legacy_api_2"), "remark", "changed"), tok)
			require.Equal(t, http.StatusOK, up.status, string(up.raw))
			show = e.do("GET", item, nil, tok)
			assert.JSONEq(t, string(up.raw), string(show.raw), "show returns what the modify answered")
			assert.Equal(t, []string{id}, ids(t, e.do("GET", apigPath+"?name=legacy_api_2&precise_search=name", nil, tok)))
			assert.Empty(t, ids(t, e.do("GET", apigPath+"?name=legacy_api&precise_search=name", nil, tok)))

			r := e.do("GET", item, nil, tokenHeader(otherTok))
			assert.Equal(t, http.StatusNotFound, r.status, "another project's API does not exist for the caller")
			assert.Equal(t, "APIG.3002", r.code())
			assert.Equal(t, http.StatusNotFound, e.do("DELETE", item, nil, tokenHeader(otherTok)).status)
			assert.Empty(t, ids(t, e.do("GET", apigPath, nil, tokenHeader(otherTok))), "a list never shows another project's APIs")

			del := e.do("DELETE", item, nil, tok)
			assert.Equal(t, http.StatusNoContent, del.status)
			assert.Empty(t, del.raw)
			r = e.do("GET", item, nil, tok)
			assert.Equal(t, http.StatusNotFound, r.status)
			assert.Equal(t, "APIG.3002", r.code())
			assert.Empty(t, ids(t, e.do("GET", apigPath+"?page_size=0", nil, tok)))
			reuse := e.do("POST", apigPath, apigMinimal("legacy_api_2"), tok)
			assert.Equal(t, http.StatusCreated, reuse.status, string(reuse.raw))
		})
	}
}

// Paging: pages are disjoint, cover every match in one stable order, and total and size
// agree with what is returned; out-of-range values are converted as the pages document.
func TestListCoercions(t *testing.T) {
	e := start(t, filepath.Join(t.TempDir(), "db"))
	tok := tokenHeader(token)
	for i := 0; i < 45; i++ {
		body := minimal(fmt.Sprintf("page_%02d", i))
		if i%3 == 0 {
			body = with(body, "req_method", "POST", "type", 2)
		}
		require.Equal(t, http.StatusCreated, e.do("POST", romaPath, body, tok).status)
		require.Equal(t, http.StatusCreated, e.do("POST", apigPath, apigMinimal(fmt.Sprintf("page_%02d", i)), tok).status)
	}
	var seen []string
	for offset := 0; offset < 45; offset += 20 {
		r := e.do("GET", fmt.Sprintf("%s?offset=%d&limit=20", romaPath, offset), nil, tok)
		assert.EqualValues(t, 45, r.body["total"])
		seen = append(seen, ids(t, r)...)
	}
	assert.Len(t, seen, 45)
	assert.True(t, sort.StringsAreSorted(seen), "ordered by id, the same on every page")
	all := ids(t, e.do("GET", romaPath+"?limit=500", nil, tok))
	assert.Equal(t, seen, all)

	cases := map[string]int{"limit=0": 20, "limit=-5": 20, "limit=501": 45, "offset=-3&limit=10": 10, "offset=40": 5, "offset=99": 0, "": 20}
	for query, n := range cases {
		r := e.do("GET", romaPath+"?"+query, nil, tok)
		assert.Len(t, ids(t, r), n, query)
		assert.EqualValues(t, 45, r.body["total"], query)
	}
	assert.Equal(t, all[:10], ids(t, e.do("GET", romaPath+"?offset=-3&limit=10", nil, tok)), "offset below 0 is 0")
	assert.Len(t, ids(t, e.do("GET", romaPath+"?req_method=post", nil, tok)), 15)
	assert.Len(t, ids(t, e.do("GET", romaPath+"?type=2&limit=100", nil, tok)), 15)
	assert.Len(t, ids(t, e.do("GET", romaPath+"?name=page_0&limit=100", nil, tok)), 10, "fuzzy by default")
	assert.Len(t, ids(t, e.do("GET", romaPath+"?name=page_0&precise_search=name", nil, tok)), 0)
	assert.Len(t, ids(t, e.do("GET", romaPath+"?env_id=DEFAULT_ENVIRONMENT_RELEASE_ID", nil, tok)), 0, "nothing is published")
	for query, param := range map[string]string{"limit=abc": "limit", "offset=1.5": "offset", "type=x": "type", "limit=99999999999": "limit"} {
		r := e.do("GET", romaPath+"?"+query, nil, tok)
		assert.Equal(t, http.StatusBadRequest, r.status, query)
		assert.Equal(t, "APIG.2011", r.code(), query)
		assert.Contains(t, r.body["error_msg"], "parameterName:"+param, query)
	}
	other := "/v2/" + other + "/apic/instances/" + instance + "/apis"
	assert.Equal(t, http.StatusForbidden, e.do("GET", other, nil, tok).status, "another project's list is forbidden")

	legacy := map[string]int{"page_size=0": 45, "page_size=20&page_no=3": 5, "page_size=501": 45, "page_no=0": 20, "page_size=-1": 20, "page_size=20&page_no=4": 0}
	for query, n := range legacy {
		r := e.do("GET", apigPath+"?"+query, nil, tok)
		assert.Len(t, ids(t, r), n, query)
		assert.EqualValues(t, 45, r.body["total"], query)
	}
	var pages []string
	for no := 1; no <= 3; no++ {
		pages = append(pages, ids(t, e.do("GET", fmt.Sprintf("%s?page_size=20&page_no=%d", apigPath, no), nil, tok))...)
	}
	assert.Equal(t, ids(t, e.do("GET", apigPath+"?page_size=0", nil, tok)), pages)
	r := e.do("GET", apigPath+"?page_no=x", nil, tok)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.body["error_msg"], "parameterName:page_no")
}

// Two emulators share one store: what one updates or deletes, the other never serves from
// its v1 cache.
func TestViewCacheNeverStale(t *testing.T) {
	for storeName, dsn := range storeDSNs(t) {
		t.Run(storeName, func(t *testing.T) {
			d := dsn(t)
			a := start(t, d)
			tok := tokenHeader(token)
			show := func(e *env, id string) reply { return e.do("GET", v1Path+"/"+id, nil, tok) }

			// One emulator: its own update and delete are seen at once.
			created := a.do("POST", romaPath, minimal("cached_api"), tok)
			require.Equal(t, http.StatusCreated, created.status)
			id := created.body["id"].(string)
			for i := 0; i < 2; i++ { // a second show may be answered from the cache
				assert.Equal(t, "cached_api", show(a, id).body["name"])
			}
			require.Equal(t, http.StatusOK, a.do("PUT", romaPath+"/"+id, minimal("cached_api_2"), tok).status)
			assert.Equal(t, "cached_api_2", show(a, id).body["name"])
			require.Equal(t, http.StatusNoContent, a.do("DELETE", romaPath+"/"+id, nil, tok).status)
			assert.Equal(t, http.StatusNotFound, show(a, id).status)

			// A second emulator on the same store: a SQLite file belongs to one emulator and
			// a second is refused; a PostgreSQL store is shared, and what one emulator changes
			// the other never answers from its cache.
			st, err := store.Open(context.Background(), d)
			if storeName == "sqlite" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "in use by another emulator")
				return
			}
			require.NoError(t, err)
			t.Cleanup(func() { st.Close() })
			srv, err := server.New(server.Options{Store: st, Fixtures: fixtures.Default()})
			require.NoError(t, err)
			hs := httptest.NewServer(srv.Handler())
			t.Cleanup(hs.Close)
			b := &env{t: t, url: hs.URL}
			created = a.do("POST", romaPath, minimal("shared_api"), tok)
			require.Equal(t, http.StatusCreated, created.status)
			id = created.body["id"].(string)
			for i := 0; i < 2; i++ {
				assert.Equal(t, "shared_api", show(a, id).body["name"])
			}
			require.Equal(t, http.StatusOK, b.do("PUT", romaPath+"/"+id, minimal("shared_api_2"), tok).status)
			assert.Equal(t, "shared_api_2", show(a, id).body["name"])
			require.Equal(t, http.StatusNoContent, b.do("DELETE", romaPath+"/"+id, nil, tok).status)
			assert.Equal(t, http.StatusNotFound, show(a, id).status)
		})
	}
}

// Concurrent updates and deletes of one API: every answer is 200, 204 or 404, never 500; an
// acknowledged update is what the API holds until the next write; after the delete, nothing.
func TestConcurrentUpdatesAndDeletes(t *testing.T) {
	for storeName, dsn := range storeDSNs(t) {
		t.Run(storeName, func(t *testing.T) {
			e := start(t, dsn(t))
			tok := tokenHeader(token)
			created := e.do("POST", romaPath, minimal("contended"), tok)
			require.Equal(t, http.StatusCreated, created.status)
			item := romaPath + "/" + created.body["id"].(string)

			// Phase 1: updates only. The final document is one of the acknowledged answers.
			var mu sync.Mutex
			answers := map[string]bool{}
			var wg sync.WaitGroup
			for w := 0; w < 16; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					for i := 0; i < 5; i++ {
						r := e.do("PUT", item, with(minimal("contended"), "remark", fmt.Sprintf("w%d-%d", w, i)), tok)
						if assert.Equal(t, http.StatusOK, r.status, string(r.raw)) {
							mu.Lock()
							answers[string(r.raw)] = true
							mu.Unlock()
						}
					}
				}(w)
			}
			wg.Wait()
			assert.Len(t, answers, 80, "every update was acknowledged with its own document")
			final := e.do("GET", item, nil, tok)
			assert.True(t, answers[string(final.raw)], "the stored document is one an update answered with")
			latest := ""
			for raw := range answers {
				var doc map[string]any
				require.NoError(t, json.Unmarshal([]byte(raw), &doc))
				if ts := doc["update_time"].(string); ts > latest {
					latest = ts
				}
			}
			assert.Equal(t, latest, final.body["update_time"], "the last update to commit has the latest update time (the test clock stands still)")

			// Phase 2: updates racing a delete.
			statuses := make(chan int, 200)
			for w := 0; w < 16; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					for i := 0; i < 5; i++ {
						statuses <- e.do("PUT", item, with(minimal("contended"), "remark", fmt.Sprintf("d%d-%d", w, i)), tok).status
						if w == 0 && i == 2 {
							statuses <- e.do("DELETE", item, nil, tok).status
						}
					}
				}(w)
			}
			wg.Wait()
			close(statuses)
			count := map[int]int{}
			for s := range statuses {
				count[s]++
			}
			assert.Equal(t, 1, count[http.StatusNoContent], "%v", count)
			assert.Equal(t, 81, count[http.StatusOK]+count[http.StatusNotFound]+count[http.StatusNoContent], "only 200, 204 and 404: %v", count)
			assert.Equal(t, http.StatusNotFound, e.do("GET", item, nil, tok).status, "an update never revives a deleted API")
		})
	}
}

// The list answer decodes into the generated client's types.
func TestListDecodesIntoGeneratedTypes(t *testing.T) {
	e := start(t, filepath.Join(t.TempDir(), "db"))
	require.Equal(t, http.StatusCreated, e.do("POST", romaPath, minimal("typed_api"), tokenHeader(token)).status)
	resp, err := e.roma.ListApisV2WithResponse(context.Background(), project, instance, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode(), string(resp.Body))
	require.NotNil(t, resp.JSON200)
	assert.EqualValues(t, 1, *resp.JSON200.Total)
	raw, _ := json.Marshal(resp.JSON200)
	assert.Contains(t, string(raw), "typed_api")
}
