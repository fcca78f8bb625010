package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Bad input gets the same vendor answer on every store, and changes nothing: after each
// refusal, an API with the route the refused one used can still be created.
func TestBadInputIsRefusedAlikeOnEveryStore(t *testing.T) {
	body := func(m map[string]any) []byte {
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return b
	}
	// raw splices a member written as raw JSON text into an otherwise valid body.
	raw := func(name, member, value string) []byte {
		b := body(minimal(name))
		return []byte(strings.Replace(string(b), "{", `{"`+member+`":`+value+`,`, 1))
	}
	tags := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = fmt.Sprintf("tag%d", i)
		}
		return out
	}
	cases := map[string]struct {
		body    []byte
		headers map[string]string
		status  int
		code    string
		path    string // the parameter the message names
	}{
		"invalid UTF-8 in req_uri":   {body: []byte(strings.Replace(string(body(minimal("utf8_a"))), `"/test/utf8_a"`, "\"/test/utf8_a\xff\"", 1)), status: 400, code: "APIG.2000"},
		"invalid UTF-8 in remark":    {body: raw("utf8_b", "remark", "\"ok\xc3\""), status: 400, code: "APIG.2000"},
		"unpaired surrogate escape":  {body: raw("utf8_c", "remark", `"\ud800"`), status: 400, code: "APIG.2000"},
		"NUL in remark":              {body: raw("nul_a", "remark", `"a\u0000b"`), status: 400, code: "APIG.2011"},
		"NUL in req_uri":             {body: body(with(minimal("nul_b"), "req_uri", "/test/nul_b\x00")), status: 400, code: "APIG.2011"},
		"empty req_uri":              {body: body(with(minimal("uri_a"), "req_uri", "")), status: 400, code: "APIG.2011", path: "req_uri"},
		"req_uri without a slash":    {body: body(with(minimal("uri_b"), "req_uri", "no slash\r\n<x>")), status: 400, code: "APIG.2011", path: "req_uri"},
		"req_uri with CR LF":         {body: body(with(minimal("uri_c"), "req_uri", "/test/a\r\nb")), status: 400, code: "APIG.2011", path: "req_uri"},
		"req_uri with a space":       {body: body(with(minimal("uri_d"), "req_uri", "/test/a b")), status: 400, code: "APIG.2011", path: "req_uri"},
		"req_uri over 512":           {body: body(with(minimal("uri_e"), "req_uri", "/"+strings.Repeat("a", 512))), status: 400, code: "APIG.2011", path: "req_uri"},
		"integer with a fraction":    {body: raw("int_a", "type", `1.0000000000000000001`), status: 400, code: "APIG.2011", path: "type"},
		"integer with an exponent":   {body: raw("int_b", "type", `1e0`), status: 400, code: "APIG.2011", path: "type"},
		"integral integer as 1.0":    {body: raw("int_d", "type", `1.0`), status: 400, code: "APIG.2011", path: "type"},
		"timeout with an exponent":   {body: []byte(strings.Replace(string(body(with(minimal("int_c"), "backend_type", "HTTP", "backend_api", map[string]any{"req_protocol": "HTTPS", "req_method": "GET", "req_uri": "/b", "url_domain": "a.com", "timeout": 5000}))), `5000`, `5e3`, 1)), status: 400, code: "APIG.2011", path: "backend_api.timeout"},
		"text/plain":                 {body: body(minimal("ct_a")), headers: map[string]string{"Content-Type": "text/plain"}, status: 400, code: "APIG.2000"},
		"form":                       {body: body(minimal("ct_b")), headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, status: 400, code: "APIG.2000"},
		"11 tags":                    {body: body(with(minimal("tags_a"), "tags", tags(11))), status: 400, code: "APIG.2011", path: "tags"},
		"51 request parameters":      {body: body(with(minimal("params_a"), "req_params", params(51))), status: 400, code: "APIG.2011", path: "req_params"},
		"6 mock policies":            {body: body(with(minimal("pol_a"), "policy_mocks", mockPolicies(6))), status: 400, code: "APIG.2011", path: "policy_mocks"},
		"JSON with a charset":        {body: body(minimal("ok_a")), headers: map[string]string{"Content-Type": "application/json;charset=UTF-8"}, status: 201},
		"10 tags, 50 params, 5 mock": {body: body(with(minimal("ok_b"), "tags", tags(10), "req_params", params(50), "policy_mocks", mockPolicies(5))), status: 201},
	}
	for storeName, dsn := range storeDSNs(t) {
		t.Run(storeName, func(t *testing.T) {
			e := start(t, dsn(t))
			for name, tc := range cases {
				t.Run(name, func(t *testing.T) {
					h := map[string]string{"X-Auth-Token": token}
					for k, v := range tc.headers {
						h[k] = v
					}
					r := e.do("POST", romaPath, tc.body, h)
					require.Equal(t, tc.status, r.status, string(r.raw))
					if tc.status == http.StatusCreated {
						return
					}
					assert.Equal(t, tc.code, r.code(), string(r.raw))
					if tc.path != "" {
						assert.Contains(t, r.body["error_msg"], "parameterName:"+tc.path+".")
					}
				})
			}
			// Nothing refused was stored: the routes are all free.
			for i := 0; i < 3; i++ {
				r := e.do("POST", romaPath, with(minimal(fmt.Sprintf("after_%d", i)), "req_uri", "/test/utf8_a"), tokenHeader(token))
				if i == 0 {
					assert.Equal(t, http.StatusCreated, r.status, string(r.raw))
				} else {
					assert.Equal(t, "APIG.3301", r.code(), "the route is taken once, by a valid create")
				}
			}
		})
	}
}

func params(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"name": fmt.Sprintf("p%d", i), "type": "STRING", "location": "QUERY"}
	}
	return out
}

func mockPolicies(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"name": fmt.Sprintf("policy_%d", i), "effect_mode": "ANY",
			"conditions": []any{map[string]any{"condition_origin": "source", "condition_value": "1.0.1.0"}}}
	}
	return out
}
