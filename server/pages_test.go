package server_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/generated/apiclient"
	"github.com/apiclab/apic/generated/apig"
	"github.com/apiclab/apic/generated/romaapic"
)

// The generated iterators walk every page of the emulator's lists: each matching API once,
// over several pages, on both stores; breaking out of the loop stops the requests.
func TestListIteratorsAgainstTheEmulator(t *testing.T) {
	const n = 7 // more than two pages of 3
	for storeName, dsn := range storeDSNs(t) {
		t.Run(storeName, func(t *testing.T) {
			e := start(t, dsn(t))
			ctx := context.Background()
			var romaIDs, apigIDs []string
			for i := range n {
				r := e.do("POST", romaPath, minimal(fmt.Sprintf("paged_roma_%d", i)), tokenHeader(token))
				require.Equal(t, http.StatusCreated, r.status, string(r.raw))
				romaIDs = append(romaIDs, r.body["id"].(string))
				r = e.do("POST", apigPath, apigMinimal(fmt.Sprintf("paged_apig_%d", i)), tokenHeader(token))
				require.Equal(t, http.StatusCreated, r.status, string(r.raw))
				apigIDs = append(apigIDs, r.body["id"].(string))
			}
			sort.Strings(romaIDs)
			sort.Strings(apigIDs)
			// A noise API the name filter must leave out.
			require.Equal(t, http.StatusCreated, e.do("POST", romaPath, minimal("other_api"), tokenHeader(token)).status)

			var calls int
			counting := apiclient.WithHTTPClient(doerFunc(func(r *http.Request) (*http.Response, error) {
				calls++
				return http.DefaultClient.Do(r)
			}))
			roma, err := romaapic.New(e.url, apiclient.WithToken(token), counting)
			require.NoError(t, err)
			var got []string
			for it, err := range roma.ListApisV2All(ctx, project, instance, &romaapic.ListApisV2Params{Name: ptr("paged_roma"), Limit: ptr(int32(3))}) {
				require.NoError(t, err)
				got = append(got, *it.Id)
			}
			sort.Strings(got)
			assert.Equal(t, romaIDs, got, "every API once")
			assert.Equal(t, 3, calls, "7 APIs in pages of 3: three requests, no empty fourth")

			calls = 0
			legacy, err := apig.New(e.url, apiclient.WithToken(token), counting)
			require.NoError(t, err)
			got = nil
			for it, err := range legacy.ListApisAll(ctx, &apig.ListApisParams{Name: ptr("paged_apig"), PageSize: ptr(int32(3))}) {
				require.NoError(t, err)
				got = append(got, *it.Id)
			}
			sort.Strings(got)
			assert.Equal(t, apigIDs, got, "every API once")
			assert.Equal(t, 3, calls)

			// Starting at page 2 gives the APIs after the first page.
			got = nil
			for it, err := range legacy.ListApisAll(ctx, &apig.ListApisParams{Name: ptr("paged_apig"), PageSize: ptr(int32(3)), PageNo: ptr(int32(2))}) {
				require.NoError(t, err)
				got = append(got, *it.Id)
			}
			assert.Len(t, got, n-3)

			calls = 0
			seen := 0
			for _, err := range roma.ListApisV2All(ctx, project, instance, &romaapic.ListApisV2Params{Name: ptr("paged_roma"), Limit: ptr(int32(3))}) {
				require.NoError(t, err)
				if seen++; seen == 4 {
					break
				}
			}
			assert.Equal(t, 2, calls, "breaking after the fourth item asks for no third page")

			// A vendor error ends the iteration once.
			other, err := romaapic.New(e.url, apiclient.WithToken("not-a-token"))
			require.NoError(t, err)
			var errs []error
			for _, err := range other.ListApisV2All(ctx, project, instance, nil) {
				errs = append(errs, err)
			}
			require.Len(t, errs, 1)
			ve, ok := apiclient.AsError(errs[0])
			require.True(t, ok, "%v", errs[0])
			assert.Equal(t, http.StatusUnauthorized, ve.StatusCode)
		})
	}
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }
