package server_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/server"
)

const romaAPIs = "/v2/73d69ae0cfcf460190522d06b60f05ad/apic/instances/eddc4d25480b4cd6b512f270a1b8b341/apis"

// A body that breaks only advisory rules is accepted, as the service accepts it; the answer
// names each broken rule with its ledger entry, and an enforced rule still rejects.
func TestAdvisoryRulesAreAcceptedAndReported(t *testing.T) {
	for storeName, dsn := range storeDSNs(t) {
		t.Run(storeName, func(t *testing.T) {
			e := start(t, dsn(t))
			policy := map[string]any{"name": "mock policy backend", "effect_mode": "ANY",
				"conditions": []any{map[string]any{"condition_origin": "source", "condition_value": "1.0.1.0"}}}
			params := []any{map[string]any{"name": "id", "type": "STRING", "location": "PATH", "required": 2}}
			longKey := "X-" + strings.Repeat("k", 70) // over 001's 64, within 000's 255
			mock := map[string]any{"result_content": "ok", "header": []any{map[string]any{"key": longKey, "value": "1"}}}
			body := with(minimal("advisory"), "req_uri", "/test/advisory/{id}", "policy_mocks", []any{policy}, "req_params", params, "mock_info", mock)
			r := e.do(http.MethodPost, romaAPIs, body, tokenHeader(token))
			require.Equal(t, http.StatusCreated, r.status, string(r.raw))
			assert.ElementsMatch(t, []string{
				"ROMA-007 pattern policy_mocks[0].name",
				"ROMA-023 x-forbidden-values req_params[0].required",
				"ROMA-020 maxLength mock_info.header[0].key",
			}, r.header.Values(server.AdvisoryHeader))
			mocks, _ := r.body["policy_mocks"].([]any)
			require.Len(t, mocks, 1)
			assert.Equal(t, "mock policy backend", mocks[0].(map[string]any)["name"], "stored as sent")

			clean := e.do(http.MethodPost, romaAPIs, minimal("clean"), tokenHeader(token))
			require.Equal(t, http.StatusCreated, clean.status, string(clean.raw))
			assert.Empty(t, clean.header.Values(server.AdvisoryHeader))

			policy["name"] = "ab" // the 3-64 length stays enforced
			bad := e.do(http.MethodPost, romaAPIs, with(minimal("short"), "policy_mocks", []any{policy}), tokenHeader(token))
			assert.Equal(t, http.StatusBadRequest, bad.status, string(bad.raw))
			assert.Equal(t, "APIG.2011", bad.code())
		})
	}
}

// A timeout outside its range is replaced by the default, as 000 (ROMA) and 004 (APIG)
// document, and the replacement is what later reads return.
func TestOutOfRangeTimeoutsBecomeTheDefault(t *testing.T) {
	for storeName, dsn := range storeDSNs(t) {
		t.Run(storeName, func(t *testing.T) {
			e := start(t, dsn(t))
			for _, tc := range []struct {
				timeout, want float64
			}{{700000, 5000}, {0, 5000}, {-3, 5000}, {600000, 600000}, {1, 1}} {
				n := strconv.Itoa(int(tc.timeout))
				body := with(minimal("timeout_"+n), "backend_type", "HTTP",
					"backend_api", map[string]any{"req_protocol": "HTTPS", "req_method": "GET", "req_uri": "/b",
						"url_domain": "a.example.com:443", "timeout": tc.timeout})
				delete(body, "mock_info")
				r := e.do(http.MethodPost, romaAPIs, body, tokenHeader(token))
				require.Equal(t, http.StatusCreated, r.status, string(r.raw))
				backend := r.body["backend_api"].(map[string]any)
				assert.Equal(t, tc.want, backend["timeout"], "created with timeout %v", tc.timeout)
				if tc.want != tc.timeout {
					assert.Contains(t, r.header.Values(server.AdvisoryHeader)[0], "ROMA-017")
				}
				got := e.do(http.MethodGet, "/v1/73d69ae0cfcf460190522d06b60f05ad/apic/instances/eddc4d25480b4cd6b512f270a1b8b341/apis/"+r.body["id"].(string), nil, tokenHeader(token))
				require.Equal(t, http.StatusOK, got.status, string(got.raw))
				assert.Equal(t, tc.want, got.body["backend_api"].(map[string]any)["timeout"], "read back")
			}

			apigBody := map[string]any{"group_id": "f71f69876f90456ca6fd18ed012fdc11", "name": "timeout_apig", "type": 1,
				"req_protocol": "HTTPS", "req_method": "GET", "req_uri": "/apig/timeout", "auth_type": "NONE",
				"backend_type": "HTTP", "backend_api": map[string]any{"req_protocol": "HTTP", "req_method": "GET",
					"req_uri": "/b", "url_domain": "a.example.com:80", "timeout": 70000}}
			r := e.do(http.MethodPost, "/v1.0/apigw/apis", apigBody, tokenHeader(token))
			require.Equal(t, http.StatusCreated, r.status, string(r.raw))
			assert.Equal(t, float64(45000), r.body["backend_api"].(map[string]any)["timeout"])
			assert.Equal(t, []string{"APIG-010 maximum backend_api.timeout"}, r.header.Values(server.AdvisoryHeader))

			apigBody["backend_api"].(map[string]any)["timeout"] = 0
			up := e.do(http.MethodPut, "/v1.0/apigw/apis/"+r.body["id"].(string), apigBody, tokenHeader(token))
			require.Equal(t, http.StatusOK, up.status, string(up.raw))
			assert.Equal(t, float64(45000), up.body["backend_api"].(map[string]any)["timeout"], "modify replaces it too (004)")
		})
	}
}
