package server_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/server"
	"github.com/apiclab/apic/server/fixtures"
	"github.com/apiclab/apic/server/store"
)

func TestParseFault(t *testing.T) {
	f, err := server.ParseFault("CreateApiV2:status=429,code=APIG.0308,probability=0.5,latency=250ms,message=slow down")
	require.NoError(t, err)
	assert.Equal(t, server.Fault{Operation: "CreateApiV2", Status: 429, ErrorCode: "APIG.0308", Message: "slow down",
		Probability: 0.5, Latency: server.Duration(250 * time.Millisecond)}, f)
	for _, bad := range []string{"", "CreateApiV2", ":status=500", "CreateApiV2:status", "CreateApiV2:status=x",
		"CreateApiV2:latency=soon", "CreateApiV2:colour=red", "CreateApiV2:probability=many"} {
		_, err := server.ParseFault(bad)
		assert.Error(t, err, bad)
	}
}

// New refuses faults it could not apply.
func TestFaultChecks(t *testing.T) {
	st, err := store.Open(context.Background(), ":memory:")
	require.NoError(t, err)
	defer st.Close()
	for _, f := range []server.Fault{
		{Operation: "NoSuchOperation", Status: 500},
		{Operation: "CreateApiV2", Status: 200},
		{Operation: "CreateApiV2"},
		{Operation: "CreateApiV2", ErrorCode: "APIG.9999", Latency: server.Duration(time.Second)},
		{Operation: "CreateApiV2", Status: 500, Probability: 1.5},
		{Operation: "CreateApiV2", Latency: server.Duration(2 * time.Hour)},
	} {
		_, err := server.New(server.Options{Store: st, Fixtures: fixtures.Default(), Faults: []server.Fault{f}})
		assert.ErrorContains(t, err, "fault", "%+v", f)
	}
	_, err = server.New(server.Options{Store: st, Fixtures: fixtures.Default(), Faults: []server.Fault{{Operation: "CreateApiV2", Status: 500}}})
	assert.NoError(t, err)
}

// A fault set by option answers with its error, says so in a header, and stores nothing;
// authentication still comes first; the emulator's own paths are never hit.
func TestFaultAnswers(t *testing.T) {
	e := startWith(t, filepath.Join(t.TempDir(), "db"), server.Options{AdminToken: adminToken,
		Faults: []server.Fault{{Operation: "CreateApiV2", Status: 429}, {Operation: "*", Status: 500}}})
	r := e.do("POST", romaPath, minimal("throttled"), tokenHeader(token))
	assert.Equal(t, 429, r.status)
	assert.Equal(t, "APIG.0308", r.body["error_code"])
	assert.Contains(t, r.body["error_msg"], "Injected fault")
	assert.Equal(t, "injected", r.header.Get("X-Apicemu-Fault"))
	r = e.do("PUT", "/v1.0/apigw/apis/0123", minimal("x"), tokenHeader(token))
	assert.Equal(t, 500, r.status)
	assert.Equal(t, "APIG.9999", r.body["error_code"])
	assert.Equal(t, 401, e.do("POST", romaPath, minimal("throttled"), nil).status)
	assert.Equal(t, 200, e.do("GET", "/health", nil, nil).status)
	assert.Equal(t, 200, e.do("GET", "/_emulator/health", nil, nil).status)

	r = e.do("GET", "/_emulator/faults", nil, admin())
	require.Equal(t, 200, r.status)
	assert.JSONEq(t, `[{"operation":"CreateApiV2","status":429,"error_code":"APIG.0308","error_msg":"Injected fault: the emulator was told to answer APIG.0308","probability":1},
		{"operation":"*","status":500,"error_code":"APIG.9999","error_msg":"Injected fault: the emulator was told to answer APIG.9999","probability":1}]`, string(r.raw))
	r = e.do("DELETE", "/_emulator/faults", nil, admin())
	require.Equal(t, 200, r.status)
	assert.JSONEq(t, `[]`, string(r.raw))
	// Nothing was stored while the fault answered: the name is free.
	assert.Equal(t, 201, e.do("POST", romaPath, minimal("throttled"), tokenHeader(token)).status)
}

// Faults set through the state API: latency delays the answer, probability hits about that
// share of requests, a bad list is refused and changes nothing.
func TestFaultsThroughStateAPI(t *testing.T) {
	e := startWith(t, filepath.Join(t.TempDir(), "db"), server.Options{AdminToken: adminToken})
	r := e.do("POST", romaPath, minimal("api_slow"), tokenHeader(token))
	require.Equal(t, 201, r.status)
	show := "/v1/" + project + "/apic/instances/" + instance + "/apis/" + r.body["id"].(string)

	r = e.do("PUT", "/_emulator/faults", `[{"operation":"ShowDetailsOfApiV1","latency":"300ms"}]`, admin())
	require.Equal(t, 200, r.status, string(r.raw))
	start := time.Now()
	assert.Equal(t, 200, e.do("GET", show, nil, tokenHeader(token)).status)
	assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond, "the answer waits the fault's latency")

	for _, bad := range []string{`{}`, `[] []`, `[{"operation":"Nope","status":500}]`, `[{"operation":"ShowDetailsOfApiV1","latency":"forever"}]`,
		`[{"operation":"ShowDetailsOfApiV1","status":500,"colour":"red"}]`} {
		r := e.do("PUT", "/_emulator/faults", bad, admin())
		assert.Equal(t, 400, r.status, bad)
	}
	assert.Contains(t, string(e.do("GET", "/_emulator/faults", nil, admin()).raw), "300ms", "a refused list changes nothing")

	r = e.do("PUT", "/_emulator/faults", `[{"operation":"ShowDetailsOfApiV1","status":503,"probability":0.5}]`, admin())
	require.Equal(t, 200, r.status, string(r.raw))
	hit := 0
	const n = 400
	for i := 0; i < n; i++ {
		switch s := e.do("GET", show, nil, tokenHeader(token)).status; s {
		case 503:
			hit++
		case 200:
		default:
			t.Fatalf("status %d", s)
		}
	}
	// Binomial(400, 0.5): 200 ± 10 (one standard deviation); ±100 is out of reach by chance.
	assert.InDelta(t, n/2, hit, 100, "%d of %d hit", hit, n)
}
