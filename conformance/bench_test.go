package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/conformance"
	"github.com/apiclab/apic/conformance/catalog"
	"github.com/apiclab/apic/generated/romaapic"
)

// createBodies returns the documented request bodies of the ROMA create operation.
func createBodies(b *testing.B) [][]byte {
	all, err := conformance.CreateBodies()
	require.NoError(b, err)
	var out [][]byte
	for _, body := range all {
		if body.Spec == catalog.ROMA {
			out = append(out, body.Data)
		}
	}
	require.NotEmpty(b, out)
	return out
}

// The generated strict decoder with every check, on each documented create body in turn.
func BenchmarkCreateBodyGenerated(b *testing.B) {
	bodies := createBodies(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var req romaapic.CreateApiV2Request
		if err := req.DecodeJSON(bodies[i%len(bodies)]); err != nil {
			b.Fatal(err)
		}
	}
}

// encoding/json into the generated type, then Validate: what a server gets without the
// strict decoder.
func BenchmarkCreateBodyEncodingJSONThenValidate(b *testing.B) {
	bodies := createBodies(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var req romaapic.CreateApiV2Request
		if err := json.Unmarshal(bodies[i%len(bodies)], &req); err != nil {
			b.Fatal(err)
		}
		_ = req.Validate()
	}
}

// kin-openapi's request validation of the same bodies (routing done once, outside the loop).
func BenchmarkCreateBodyKinOpenAPI(b *testing.B) {
	bodies := createBodies(b)
	doc, err := catalog.ROMA.Doc()
	require.NoError(b, err)
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	require.NoError(b, err)
	const target = "/v2/p1/apic/instances/i1/apis"
	probe := httptest.NewRequest(http.MethodPost, target, nil)
	route, params, err := router.FindRoute(probe)
	require.NoError(b, err)
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(bodies[i%len(bodies)]))
		req.Header.Set("Content-Type", "application/json")
		_ = openapi3filter.ValidateRequest(ctx, &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route, Options: opts,
		})
	}
}
