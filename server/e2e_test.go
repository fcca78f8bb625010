package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/conformance"
	"github.com/apiclab/apic/conformance/catalog"
	"github.com/apiclab/apic/generated/apig"
	"github.com/apiclab/apic/generated/romaapic"
	"github.com/apiclab/apic/generated/sign"
	"github.com/apiclab/apic/generated/validation"
	"github.com/apiclab/apic/server"
	"github.com/apiclab/apic/server/fixtures"
	"github.com/apiclab/apic/server/store"
	"github.com/apiclab/apic/server/store/storetest"
)

const (
	project  = "73d69ae0cfcf460190522d06b60f05ad"
	other    = "8f8d16a7d5c04bbf9e2c8a6e4f2b1c01"
	instance = "eddc4d25480b4cd6b512f270a1b8b341"
	token    = "emulator-token"
	otherTok = "other-project-token"
	romaPath = "/v2/" + project + "/apic/instances/" + instance + "/apis"
)

// clock is a settable time source shared by a test and its emulator.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	t     *testing.T
	url   string
	clock *clock
	roma  *romaapic.ClientWithResponses
	apig  *apig.ClientWithResponses
}

// storeDSNs are the stores every end-to-end test runs on: a SQLite file, and PostgreSQL when
// APICEMU_TEST_POSTGRES names a database (CI starts one).
func storeDSNs(t *testing.T) map[string]func(t *testing.T) string {
	dsns := map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return filepath.Join(t.TempDir(), "apicemu.db") },
	}
	dsns["postgres"] = func(t *testing.T) string { return storetest.SchemaOrSkip(t) }
	return dsns
}

func start(t *testing.T, dsn string) *env {
	t.Helper()
	return startWith(t, dsn, server.Options{})
}

// startWith starts an emulator on dsn with opts (Store, Fixtures and Now are set here).
func startWith(t *testing.T, dsn string, opts server.Options) *env {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	clk := &clock{t: time.Date(2026, 11, 24, 10, 0, 0, 123456789, time.UTC)}
	opts.Store, opts.Fixtures, opts.Now = st, fixtures.Default(), clk.Now
	srv, err := server.New(opts)
	require.NoError(t, err)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	withToken := func(ctx context.Context, r *http.Request) error {
		r.Header.Set("X-Auth-Token", token)
		return nil
	}
	rc, err := romaapic.NewClientWithResponses(hs.URL, romaapic.WithRequestEditorFn(withToken))
	require.NoError(t, err)
	ac, err := apig.NewClientWithResponses(hs.URL, apig.WithRequestEditorFn(withToken))
	require.NoError(t, err)
	return &env{t: t, url: hs.URL, clock: clk, roma: rc, apig: ac}
}

// reply is a raw response.
type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func (e *env) do(method, path string, body any, headers map[string]string) reply {
	e.t.Helper()
	var data []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		data = b
	case string:
		data = []byte(b)
	default:
		var err error
		data, err = json.Marshal(b)
		require.NoError(e.t, err)
	}
	req, err := http.NewRequest(method, e.url+path, bytes.NewReader(data))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &r.body)
	assert.Len(e.t, resp.Header.Get("X-Request-Id"), 32, "every response has an X-Request-Id")
	return r
}

func (r reply) code() string { s, _ := r.body["error_code"].(string); return s }

func tokenHeader(tok string) map[string]string { return map[string]string{"X-Auth-Token": tok} }

// examples returns the documented request examples of an operation, with the ledger's verdict.
func examples(t *testing.T, s *catalog.Spec, op string) []conformance.Example {
	doc, err := s.Doc()
	require.NoError(t, err)
	var out []conformance.Example
	for _, ex := range conformance.Examples(doc) {
		if ex.Operation == op && ex.Where == "request" {
			out = append(out, ex)
		}
	}
	require.NotEmpty(t, out)
	return out
}

// checkResponse validates a response body against the spec's schema for its status.
func checkResponse(t *testing.T, s *catalog.Spec, op string, status int, raw []byte) {
	t.Helper()
	doc, err := s.Doc()
	require.NoError(t, err)
	for _, item := range doc.Paths.Map() {
		for _, o := range item.Operations() {
			if o.OperationID != op {
				continue
			}
			r := o.Responses.Status(status)
			require.NotNil(t, r, "%s: status %d is not documented", op, status)
			schema := r.Value.Content.Get("application/json").Schema
			var v any
			require.NoError(t, json.Unmarshal(raw, &v))
			assert.NoError(t, conformance.Oracle(schema, v), "%s %d: %s", op, status, raw)
			return
		}
	}
	t.Fatalf("no operation %s", op)
}

func TestDocumentedROMAExamplesCreateAndQuery(t *testing.T) {
	ledger, err := conformance.ParseLedger(catalog.ROMA.LedgerYAML)
	require.NoError(t, err)
	for storeName, dsn := range storeDSNs(t) {
		for _, ex := range examples(t, catalog.ROMA, "CreateApiV2") {
			t.Run(storeName+"/"+ex.Name, func(t *testing.T) {
				e := start(t, dsn(t))
				body, _ := json.Marshal(ex.Value)
				resp, err := e.roma.CreateApiV2WithBodyWithResponse(context.Background(), project, instance, "application/json", bytes.NewReader(body))
				require.NoError(t, err)
				checkResponse(t, catalog.ROMA, "CreateApiV2", resp.StatusCode(), resp.Body)
				if id, rejected := ledger.ExpectedRejection(ex.Ref()); rejected {
					require.Equal(t, http.StatusBadRequest, resp.StatusCode(), "ledger %s: %s", id, resp.Body)
					assert.Equal(t, "APIG.2011", *resp.JSON400.ErrorCode)
					return
				}
				require.Equal(t, http.StatusCreated, resp.StatusCode(), string(resp.Body))
				created := resp.JSON201
				require.NotNil(t, created)
				assert.Regexp(t, `^[0-9a-f]{32}$`, *created.Id)
				assert.Equal(t, "2026-11-24T10:00:00.123456789Z", *created.RegisterTime)
				assert.Equal(t, "api_group_001", *created.GroupName)
				require.NotNil(t, created.AuthOpt)
				assert.Equal(t, "DISABLE", string(*created.AuthOpt.AppCodeAuthType), "default filled in")
				sent := ex.Value.(map[string]any)
				if _, ok := sent["match_mode"]; !ok {
					assert.Equal(t, "NORMAL", string(*created.MatchMode), "default filled in")
				}
				if created.ReqParams != nil {
					sentParams, _ := sent["req_params"].([]any)
					for i, p := range *created.ReqParams {
						assert.NotEmpty(t, p.Id)
						if _, ok := sentParams[i].(map[string]any)["required"]; ok {
							continue
						}
						want := 2
						if strings.EqualFold(string(*p.Location), "PATH") {
							want = 1
						}
						assert.EqualValues(t, want, *p.Required, "default of required")
					}
				}
				if created.BackendParams != nil {
					for _, b := range *created.BackendParams {
						if strings.EqualFold(string(*b.Origin), "REQUEST") {
							assert.NotEmpty(t, b.ReqParamId, "REQUEST backend parameter linked to its request parameter")
						}
					}
				}

				got, err := e.roma.ShowDetailsOfApiV1WithResponse(context.Background(), project, instance, *created.Id)
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, got.StatusCode(), string(got.Body))
				checkResponse(t, catalog.ROMA, "ShowDetailsOfApiV1", got.StatusCode(), got.Body)
				assert.Equal(t, *created.Name, *got.JSON200.Name)
				assert.Equal(t, *created.Id, *got.JSON200.Id)
			})
		}
	}
}

func TestDocumentedAPIGExamplesCreateAndModify(t *testing.T) {
	for storeName, dsn := range storeDSNs(t) {
		t.Run(storeName, func(t *testing.T) {
			e := start(t, dsn(t))
			create := examples(t, catalog.APIG, "CreateApi")[0]
			body, _ := json.Marshal(create.Value)
			resp, err := e.apig.CreateApiWithBodyWithResponse(context.Background(), "application/json", bytes.NewReader(body))
			require.NoError(t, err)
			require.Equal(t, http.StatusCreated, resp.StatusCode(), string(resp.Body))
			checkResponse(t, catalog.APIG, "CreateApi", resp.StatusCode(), resp.Body)
			created := resp.JSON201
			assert.Equal(t, "GET", *created.ReqMethod, "lower-case enum stored canonical")
			assert.Equal(t, "HTTP", *created.BackendType)

			e.clock.Add(time.Minute)
			update := examples(t, catalog.APIG, "UpdateApi")[0]
			body, _ = json.Marshal(update.Value)
			up, err := e.apig.UpdateApiWithBodyWithResponse(context.Background(), *created.Id, "application/json", bytes.NewReader(body))
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, up.StatusCode(), string(up.Body))
			checkResponse(t, catalog.APIG, "UpdateApi", up.StatusCode(), up.Body)
			assert.Equal(t, *created.Id, *up.JSON200.Id)
			assert.Equal(t, *created.RegisterTime, *up.JSON200.RegisterTime)
			assert.Equal(t, *created.GroupId, *up.JSON200.GroupId)
			assert.NotEqual(t, *created.UpdateTime, *up.JSON200.UpdateTime)

			missing, err := e.apig.UpdateApiWithBodyWithResponse(context.Background(), "0123456789abcdef0123456789abcdef", "application/json", bytes.NewReader(body))
			require.NoError(t, err)
			assert.Equal(t, http.StatusNotFound, missing.StatusCode())
			assert.Equal(t, "APIG.3002", *missing.JSON404.ErrorCode)
		})
	}
}

// minimal is a small valid ROMA create body; tests change one thing at a time.
func minimal(name string) map[string]any {
	return map[string]any{
		"name": name, "type": 1, "req_protocol": "HTTPS", "req_method": "GET", "req_uri": "/test/" + name,
		"auth_type": "NONE", "backend_type": "MOCK", "group_id": "c77f5e81d9cb4424bf704ef2b0ac7600",
		"mock_info": map[string]any{"result_content": "ok"},
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func TestErrorCodes(t *testing.T) {
	for storeName, dsn := range storeDSNs(t) {
		t.Run(storeName, func(t *testing.T) {
			e := start(t, dsn(t))
			tok := tokenHeader(token)
			first := e.do("POST", romaPath, minimal("first_api"), tok)
			require.Equal(t, http.StatusCreated, first.status, string(first.raw))
			id := first.body["id"].(string)

			signed := func(method, path string, body []byte, at time.Time, sk string) map[string]string {
				r := httptest.NewRequest(method, path, bytes.NewReader(body))
				r.Header.Set("X-Project-Id", project)
				sign.Sign(r, body, "EMULATORACCESSKEY001", sk, at)
				return map[string]string{"X-Project-Id": project, "X-Sdk-Date": r.Header.Get("X-Sdk-Date"), "Authorization": r.Header.Get("Authorization")}
			}
			good, _ := json.Marshal(minimal("signed_api"))
			for _, c := range []struct {
				name         string
				method, path string
				body         any
				headers      map[string]string
				status       int
				code, inMsg  string
			}{
				{"no credentials", "POST", romaPath, minimal("api_a1"), nil, 401, "APIG.1002", ""},
				{"unknown token", "POST", romaPath, minimal("api_a1"), tokenHeader("nope"), 401, "APIG.1002", ""},
				{"AK/SK signed", "POST", romaPath, good, signed("POST", romaPath, good, e.clock.Now(), "emulator-secret-key-0001"), 201, "", ""},
				{"wrong signature", "POST", romaPath, good, signed("POST", romaPath, good, e.clock.Now(), "wrong"), 401, "APIG.0301", ""},
				{"expired X-Sdk-Date", "POST", romaPath, good, signed("POST", romaPath, good, e.clock.Now().Add(-16*time.Minute), "emulator-secret-key-0001"), 401, "APIG.0303", ""},
				{"token of another project", "POST", "/v2/" + other + "/apic/instances/" + instance + "/apis", minimal("api_a2"), tok, 403, "APIG.1005", ""},
				{"unknown instance", "POST", "/v2/" + project + "/apic/instances/ffffffffffffffffffffffffffffffff/apis", minimal("api_a3"), tok, 404, "APIG.3030", ""},
				{"unknown API", "GET", "/v1/" + project + "/apic/instances/" + instance + "/apis/0123456789abcdef0123456789abcdef", nil, tok, 404, "APIG.3002", "API 0123456789abcdef0123456789abcdef does not exist"},
				{"other project cannot see it", "GET", "/v1/" + other + "/apic/instances/" + instance + "/apis/" + id, nil, tokenHeader(otherTok), 404, "APIG.3002", ""},
				{"unknown group", "POST", romaPath, with(minimal("api_a4"), "group_id", "ffffffffffffffffffffffffffffffff"), tok, 404, "APIG.3001", ""},
				{"unknown authorizer", "POST", romaPath, with(minimal("api_a5"), "authorizer_id", "ffffffffffffffffffffffffffffffff"), tok, 404, "APIG.3081", ""},
				{"unknown function", "POST", romaPath, with(minimal("api_a6"), "backend_type", "FUNCTION", "func_info", map[string]any{"function_urn": "urn:none", "invocation_type": "sync", "timeout": 100}), tok, 404, "APIG.3019", ""},
				{"unknown VPC channel", "POST", romaPath, with(minimal("api_a7"), "backend_type", "HTTP", "backend_api", map[string]any{"req_protocol": "HTTP", "req_method": "GET", "req_uri": "/b", "timeout": 100, "vpc_channel_status": 1, "vpc_channel_info": map[string]any{"vpc_channel_id": "ffffffffffffffffffffffffffffffff"}}), tok, 404, "APIG.3023", ""},
				{"duplicate name", "POST", romaPath, with(minimal("first_api"), "req_uri", "/other"), tok, 400, "APIG.3202", ""},
				{"duplicate route", "POST", romaPath, with(minimal("second_api"), "req_uri", "/test/first_api"), tok, 400, "APIG.3301", ""},
				{"invalid value", "POST", romaPath, with(minimal("api_a8"), "type", 3), tok, 400, "APIG.2011", "parameterName:type"},
				{"null member", "POST", romaPath, with(minimal("api_a9"), "req_uri", nil), tok, 400, "APIG.2011", "parameterName:req_uri"},
				{"missing member", "POST", romaPath, map[string]any{"name": "a10"}, tok, 400, "APIG.2001", "parameterName:auth_type"},
				{"REQUEST backend parameter names no request parameter", "POST", romaPath, with(minimal("api_a11"), "backend_params", []any{map[string]any{"name": "b", "location": "QUERY", "origin": "REQUEST", "value": "nope"}}), tok, 400, "APIG.2011", "backend_params[0].value"},
				{"undeclared path parameter", "POST", romaPath, with(minimal("api_a12"), "req_uri", "/x/{id}"), tok, 400, "APIG.2011", "parameterName:req_uri"},
				{"malformed JSON", "POST", romaPath, `{"name":`, tok, 400, "APIG.2000", ""},
				{"oversize body", "POST", romaPath, strings.Repeat(" ", server.MaxBodyBytes+1), tok, 413, "APIG.2000", ""},
				{"unknown route", "GET", "/v9/nothing", nil, tok, 404, "APIG.0101", ""},
				{"wrong method", "DELETE", romaPath, nil, tok, 405, "APIG.0101", ""},
			} {
				t.Run(c.name, func(t *testing.T) {
					r := e.do(c.method, c.path, c.body, c.headers)
					assert.Equal(t, c.status, r.status, string(r.raw))
					if c.code != "" {
						assert.Equal(t, c.code, r.code(), string(r.raw))
						assert.NotEmpty(t, r.body["error_msg"])
					}
					assert.Contains(t, string(r.raw), c.inMsg)
				})
			}
		})
	}
}

// null for a required member is an invalid value (the member is there), not a missing one.
func TestNullMemberIsInvalid(t *testing.T) {
	e := start(t, filepath.Join(t.TempDir(), "db"))
	r := e.do("POST", romaPath, with(minimal("null_api"), "req_uri", nil), tokenHeader(token))
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "APIG.2011", r.code())
	assert.Contains(t, string(r.raw), "parameterName:req_uri")
}

// Anything but white space after the JSON document is malformed, and nothing is stored.
func TestTrailingDataIsMalformed(t *testing.T) {
	e := start(t, filepath.Join(t.TempDir(), "db"))
	body, _ := json.Marshal(minimal("trailing_api"))
	for _, tail := range []string{"}", " x", " [", ",", " {}"} {
		r := e.do("POST", romaPath, string(body)+tail, tokenHeader(token))
		assert.Equal(t, 400, r.status, tail)
		assert.Equal(t, "APIG.2000", r.code(), tail)
	}
	r := e.do("POST", romaPath, string(body)+" \n", tokenHeader(token))
	assert.Equal(t, 201, r.status, "trailing white space is fine, and the name was still free")
}

// A panic in a handler is answered with APIG.9999 and the server keeps serving.
func TestPanicIsA500AndTheServerSurvives(t *testing.T) {
	srv, err := server.New(server.Options{Store: panicky{}, Fixtures: fixtures.Default()})
	require.NoError(t, err)
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	e := &env{t: t, url: hs.URL}
	for i := 0; i < 2; i++ {
		r := e.do("POST", romaPath, minimal("panic_api"), tokenHeader(token))
		assert.Equal(t, 500, r.status)
		assert.Equal(t, "APIG.9999", r.code())
		assert.NotContains(t, string(r.raw), "boom", "internal errors are not shown to callers")
	}
	r := e.do("GET", "/health", nil, nil)
	assert.Equal(t, 200, r.status)
}

type panicky struct{ store.Store }

func (panicky) Create(context.Context, store.API) error { panic("boom") }
func (panicky) Ping(context.Context) error              { return nil }

// Hundreds of parallel creates: every success gets its own id, and the uniqueness rules hold
// exactly: one winner per name and one per route, every other attempt the right error.
func TestConcurrentCreates(t *testing.T) {
	for storeName, dsn := range storeDSNs(t) {
		t.Run(storeName, func(t *testing.T) {
			e := start(t, dsn(t))
			type attempt struct {
				body  map[string]any
				group string // the name or route the attempt competes for
			}
			var attempts []attempt
			for i := 0; i < 100; i++ { // same name, different routes
				for k := 0; k < 3; k++ {
					b := with(minimal(fmt.Sprintf("name_%03d", i)), "req_uri", fmt.Sprintf("/n/%d/%d", i, k))
					attempts = append(attempts, attempt{b, fmt.Sprintf("name %d", i)})
				}
			}
			for j := 0; j < 50; j++ { // different names, same route
				for k := 0; k < 3; k++ {
					b := with(minimal(fmt.Sprintf("route_%03d_%d", j, k)), "req_uri", fmt.Sprintf("/r/%d", j))
					attempts = append(attempts, attempt{b, fmt.Sprintf("route %d", j)})
				}
			}
			type result struct {
				group, code, id string
				status          int
			}
			results := make(chan result, len(attempts))
			work := make(chan attempt)
			var wg sync.WaitGroup
			for w := 0; w < 32; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for a := range work {
						r := e.do("POST", romaPath, a.body, tokenHeader(token))
						id, _ := r.body["id"].(string)
						results <- result{a.group, r.code(), id, r.status}
					}
				}()
			}
			for _, a := range attempts {
				work <- a
			}
			close(work)
			wg.Wait()
			close(results)
			wins := map[string]int{}
			ids := map[string]bool{}
			for r := range results {
				switch r.status {
				case http.StatusCreated:
					wins[r.group]++
					assert.False(t, ids[r.id], "duplicate id %s", r.id)
					ids[r.id] = true
				case http.StatusBadRequest:
					want := "APIG.3202"
					if strings.HasPrefix(r.group, "route") {
						want = "APIG.3301"
					}
					assert.Equal(t, want, r.code, r.group)
				default:
					t.Errorf("%s: unexpected status %d", r.group, r.status)
				}
			}
			assert.Len(t, wins, 150, "every name and route has exactly one winner")
			for g, n := range wins {
				assert.Equal(t, 1, n, g)
			}
			for id := range ids {
				r := e.do("GET", "/v1/"+project+"/apic/instances/"+instance+"/apis/"+id, nil, tokenHeader(token))
				assert.Equal(t, http.StatusOK, r.status, id)
			}
		})
	}
}

// The validating client refuses a bad body before sending it, and sends a good one.
func TestClientPreflightValidation(t *testing.T) {
	var calls int
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{}`)) //nolint:errcheck
	}))
	defer hs.Close()
	c, err := romaapic.NewValidatingClientWithResponses(hs.URL)
	require.NoError(t, err)
	bad := romaapic.CreateApiV2Request{Name: "x", Type: 1, ReqMethod: "GET", ReqUri: "/a", AuthType: "NONE", BackendType: "MOCK", GroupId: "g"}
	_, err = c.CreateApiV2WithResponse(context.Background(), project, instance, bad)
	v, ok := validation.AsErrors(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, "name", v[0].Path)
	assert.Equal(t, 0, calls, "nothing was sent")
	good := bad
	good.Name = "good_name"
	resp, err := c.CreateApiV2WithResponse(context.Background(), project, instance, good)
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, resp.StatusCode())
	assert.Equal(t, 1, calls)
}
