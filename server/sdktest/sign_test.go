package sdktest

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/generated/sign"
)

// The signer the generated clients and the emulator share computes the same Authorization
// header as the official SDK's signer for the same request, so a canonicalization bug that
// signer and verifier shared would show here.
func TestSignMatchesTheOfficialSigner(t *testing.T) {
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name, method, path, body string
		query                    map[string]string
		headers                  map[string]string
	}{
		{"ROMA create", http.MethodPost, "/v2/73d69ae0cfcf460190522d06b60f05ad/apic/instances/i1/apis", `{"name":"a b","req_uri":"/x"}`,
			nil, map[string]string{"X-Project-Id": "73d69ae0cfcf460190522d06b60f05ad", "Content-Type": "application/json"}},
		{"APIG update", http.MethodPut, "/v1.0/apigw/apis/5f918d104dc84480a75166ba99efff21", `{"name":"n"}`,
			nil, map[string]string{"X-Project-Id": "p1", "Content-Type": "application/json;charset=UTF-8", "X-Language": "en-us"}},
		{"escaped path and sorted query", http.MethodGet, "/v1/p%201/apic/instances/i~1/apis/a_b", "",
			map[string]string{"b": "2", "a": "x y/z", "A": "1"}, map[string]string{"X-Project-Id": "p", "Host": "apig.example.com"}},
		{"underscored headers are not signed", http.MethodGet, "/v1.0/apigw/apis", "",
			nil, map[string]string{"X_Custom": "v", "X-Custom": "w"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The SDK takes the path unescaped and escapes each segment itself.
			unescaped, err := url.PathUnescape(c.path)
			require.NoError(t, err)
			b := request.NewHttpRequestBuilder().WithEndpoint("https://apig.example.com").WithMethod(c.method).WithPath(unescaped)
			for k, v := range c.query {
				b = b.AddQueryParam(k, reflect.ValueOf(v)) // as the SDK's client adds them
			}
			for k, v := range c.headers {
				b = b.AddHeaderParam(k, v)
			}
			b = b.AddHeaderParam("X-Sdk-Date", at.Format(sign.DateFormat))
			if c.body != "" {
				b = b.WithBody("body", c.body)
			}
			official, err := signer.Sign(b.Build(), "AK1", "SK1")
			require.NoError(t, err)

			target := "https://apig.example.com" + c.path
			var q []string
			for k, v := range c.query {
				q = append(q, k+"="+strings.NewReplacer(" ", "%20", "/", "%2F").Replace(v))
			}
			if len(q) > 0 {
				target += "?" + strings.Join(q, "&")
			}
			r, err := http.NewRequest(c.method, target, strings.NewReader(c.body))
			require.NoError(t, err)
			for k, v := range c.headers {
				r.Header[k] = []string{v}
			}
			sign.Sign(r, []byte(c.body), "AK1", "SK1", at)
			assert.Equal(t, official["Authorization"], r.Header.Get("Authorization"))
			assert.Equal(t, official["X-Sdk-Date"], r.Header.Get("X-Sdk-Date"))
			_, err = sign.Verify(r, []byte(c.body), at, func(string) (string, bool) { return "SK1", true })
			assert.NoError(t, err, "the emulator's verifier accepts what the official signer would send")
		})
	}
}
