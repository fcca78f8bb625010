package generator_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/generated/apiclient"
	"github.com/apiclab/apic/generated/apig"
	"github.com/apiclab/apic/generated/romaapic"
)

// pager is a fake list service: page answers the request's offset and limit (ROMA) or
// page_no and page_size (APIG) with a status and a body.
func pager(t *testing.T, calls *atomic.Int32, page func(r *http.Request) (int, any)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		status, body := page(r)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req-1")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// items are n list items named from first on.
func items(first, n int) []map[string]any {
	out := []map[string]any{}
	for i := range n {
		out = append(out, map[string]any{"id": strconv.Itoa(first + i)})
	}
	return out
}

func query(r *http.Request, name string, def int) int {
	if v, err := strconv.Atoi(r.URL.Query().Get(name)); err == nil {
		return v
	}
	return def
}

func romaList(t *testing.T, url string, params *romaapic.ListApisV2Params, ctx context.Context) ([]string, []error) {
	t.Helper()
	c, err := romaapic.NewClientWithResponses(url)
	require.NoError(t, err)
	var ids []string
	var errs []error
	for it, err := range c.ListApisV2All(ctx, "p", "i", params) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, *it.Id)
	}
	return ids, errs
}

func TestListIteratorEdgeCases(t *testing.T) {
	ctx := context.Background()
	t.Run("offset pages up to the total", func(t *testing.T) {
		var calls atomic.Int32
		url := pager(t, &calls, func(r *http.Request) (int, any) {
			off, limit := query(r, "offset", 0), query(r, "limit", 20)
			n := min(limit, max(0, 5-off))
			return 200, map[string]any{"total": 5, "size": n, "apis": items(off, n)}
		})
		ids, errs := romaList(t, url, &romaapic.ListApisV2Params{Offset: ptr(int64(-3)), Limit: ptr(int32(2))}, ctx)
		assert.Empty(t, errs)
		assert.Equal(t, []string{"0", "1", "2", "3", "4"}, ids, "a negative offset starts at 0, as the service coerces it")
		assert.EqualValues(t, 3, calls.Load())
	})
	t.Run("an empty page before the total ends the list", func(t *testing.T) {
		var calls atomic.Int32
		url := pager(t, &calls, func(r *http.Request) (int, any) {
			if query(r, "offset", 0) > 0 {
				return 200, map[string]any{"total": 100, "size": 0, "apis": []any{}}
			}
			return 200, map[string]any{"total": 100, "size": 2, "apis": items(0, 2)}
		})
		ids, errs := romaList(t, url, nil, ctx)
		assert.Empty(t, errs)
		assert.Equal(t, []string{"0", "1"}, ids)
		assert.EqualValues(t, 2, calls.Load())
	})
	t.Run("without a total, an empty page ends the list", func(t *testing.T) {
		var calls atomic.Int32
		url := pager(t, &calls, func(r *http.Request) (int, any) {
			off := query(r, "offset", 0)
			n := max(0, min(2, 3-off))
			return 200, map[string]any{"apis": items(off, n)}
		})
		ids, errs := romaList(t, url, nil, ctx)
		assert.Empty(t, errs)
		assert.Equal(t, []string{"0", "1", "2"}, ids)
		assert.EqualValues(t, 3, calls.Load())
	})
	t.Run("an error mid-way is yielded once and ends the list", func(t *testing.T) {
		var calls atomic.Int32
		url := pager(t, &calls, func(r *http.Request) (int, any) {
			if query(r, "offset", 0) > 0 {
				return 500, map[string]any{"error_code": "APIG.9999", "error_msg": "System error"}
			}
			return 200, map[string]any{"total": 10, "size": 2, "apis": items(0, 2)}
		})
		ids, errs := romaList(t, url, nil, ctx)
		assert.Equal(t, []string{"0", "1"}, ids)
		require.Len(t, errs, 1)
		ve, ok := apiclient.AsError(errs[0])
		require.True(t, ok, "%v", errs[0])
		assert.Equal(t, 500, ve.StatusCode)
		assert.Equal(t, "APIG.9999", ve.Code)
		assert.Equal(t, "req-1", ve.RequestID)
		assert.EqualValues(t, 2, calls.Load())
	})
	t.Run("a done context stops the list with its error", func(t *testing.T) {
		var calls atomic.Int32
		url := pager(t, &calls, func(r *http.Request) (int, any) {
			off := query(r, "offset", 0)
			return 200, map[string]any{"total": 1000, "size": 2, "apis": items(off, 2)}
		})
		c, err := romaapic.NewClientWithResponses(url)
		require.NoError(t, err)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var n int
		var errs []error
		for _, err := range c.ListApisV2All(cctx, "p", "i", nil) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if n++; n == 3 {
				cancel()
			}
		}
		require.Len(t, errs, 1)
		assert.True(t, errors.Is(errs[0], context.Canceled), "%v", errs[0])
		assert.Equal(t, 4, n, "the page in hand is finished, no further page is asked for")
		assert.EqualValues(t, 2, calls.Load())
	})
	t.Run("page numbers up to the total", func(t *testing.T) {
		var calls atomic.Int32
		url := pager(t, &calls, func(r *http.Request) (int, any) {
			no, size := query(r, "page_no", 1), query(r, "page_size", -1)
			assert.Equal(t, 20, size, "the documented default is sent")
			first := (no - 1) * size
			n := min(size, max(0, 45-first))
			return 200, map[string]any{"total": 45, "size": n, "apis": items(first, n)}
		})
		c, err := apig.NewClientWithResponses(url)
		require.NoError(t, err)
		var ids []string
		for it, err := range c.ListApisAll(ctx, nil) {
			require.NoError(t, err)
			ids = append(ids, *it.Id)
		}
		assert.Len(t, ids, 45)
		assert.Equal(t, "44", ids[44])
		assert.EqualValues(t, 3, calls.Load())
	})
	t.Run("a page size the service lowers loses nothing", func(t *testing.T) {
		var calls atomic.Int32
		url := pager(t, &calls, func(r *http.Request) (int, any) {
			no, size := query(r, "page_no", 1), min(query(r, "page_size", 20), 5)
			first := (no - 1) * size
			n := min(size, max(0, 12-first))
			return 200, map[string]any{"total": 12, "size": n, "apis": items(first, n)}
		})
		c, err := apig.NewClientWithResponses(url)
		require.NoError(t, err)
		var n int
		for _, err := range c.ListApisAll(ctx, &apig.ListApisParams{PageSize: ptr(int32(10))}) {
			require.NoError(t, err)
			n++
		}
		assert.Equal(t, 12, n)
		assert.EqualValues(t, 3, calls.Load())
	})
	t.Run("page_size 0 is one page", func(t *testing.T) {
		var calls atomic.Int32
		url := pager(t, &calls, func(r *http.Request) (int, any) {
			// A service that, wrongly, reports more than it returns must not be asked again.
			return 200, map[string]any{"total": 9, "size": 3, "apis": items(0, 3)}
		})
		c, err := apig.NewClientWithResponses(url)
		require.NoError(t, err)
		var n int
		for _, err := range c.ListApisAll(ctx, &apig.ListApisParams{PageSize: ptr(int32(0))}) {
			require.NoError(t, err)
			n++
		}
		assert.Equal(t, 3, n)
		assert.EqualValues(t, 1, calls.Load())
	})
}

func ptr[T any](v T) *T { return &v }
