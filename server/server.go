// Package server is the emulator: a stateful stand-in for the ROMA Connect APIC and legacy APIG
// API-management services, built on the generated strict-server interfaces. It validates
// requests with the generated validators and the pages' semantic rules, keeps APIs in a
// store, and answers in the documented shapes and with the vendor's error codes.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apiclab/apic/generated/apig"
	"github.com/apiclab/apic/generated/apig/apigserver"
	"github.com/apiclab/apic/generated/apig/apigspec"
	"github.com/apiclab/apic/generated/romaapic"
	"github.com/apiclab/apic/generated/romaapic/romaapicserver"
	"github.com/apiclab/apic/generated/romaapic/romaapicspec"
	"github.com/apiclab/apic/generated/validation"
	"github.com/apiclab/apic/server/fixtures"
	"github.com/apiclab/apic/server/store"
)

// Server implements both products' strict-server interfaces.
type Server struct {
	store store.Store
	fx    *fixtures.Fixtures
	log   *slog.Logger
	now   func() time.Time
	roma  *openapi3.T
	apig  *openapi3.T
	// plans apply the defaults, coercions and canonical enum spellings of the request
	// schemas to the typed requests, by schema name (typed.go).
	plans map[string]*shape
	views *viewCache
	// metrics count and time every request (/metrics).
	metrics *metrics
	// adminToken opens the state API (StatePrefix); "" keeps it off.
	adminToken string
	faults     *faultSet
	lim        Limits
	// updates serializes the updates of one API in this process (striped by id), so that
	// update times follow the order in which the updates commit.
	updates stripes
	// exclusive: no other process writes the store, so cached answers need no store read.
	exclusive bool
}

var (
	_ romaapicserver.StrictServerInterface = (*Server)(nil)
	_ apigserver.StrictServerInterface     = (*Server)(nil)
)

// Options configure a Server. Store and Fixtures are required.
type Options struct {
	Store    store.Store
	Fixtures *fixtures.Fixtures
	// Logger receives one line per request at info level, and failures (nil: no log).
	Logger *slog.Logger
	// Now is the clock (time.Now by default); tests set it.
	Now func() time.Time
	// AdminToken is the bearer token of the state API below /_emulator/ (reset, export,
	// import, fixtures, faults); empty turns it off.
	AdminToken string
	// Faults are injected from the start (the state API can change them).
	Faults []Fault
	// Limits bound requests in flight and their time (only MaxInFlight and RequestTimeout
	// apply here; the rest are the listener's and http.Server's). The zero value has none.
	Limits Limits
	// CacheBytes bounds the v1 answer cache (DefaultCacheBytes when 0).
	CacheBytes int
}

// New returns a Server.
func New(opts Options) (*Server, error) {
	if opts.Store == nil || opts.Fixtures == nil {
		return nil, fmt.Errorf("server: a store and fixtures are required")
	}
	s := &Server{store: opts.Store, fx: opts.Fixtures, log: opts.Logger, now: opts.Now, views: newViewCache(opts.CacheBytes), metrics: newMetrics(),
		adminToken: opts.AdminToken, lim: opts.Limits}
	if e, ok := opts.Store.(interface{ Exclusive() bool }); ok {
		s.exclusive = e.Exclusive()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	// The embedded specs drive defaults, canonical enum spellings and response shapes.
	if s.roma, err = romaapicspec.GetSwagger(); err != nil {
		return nil, err
	}
	if s.apig, err = apigspec.GetSwagger(); err != nil {
		return nil, err
	}
	// The request plans are compiled now: a spec the generated types do not fit fails here.
	s.plans = map[string]*shape{
		"CreateApiV2Request": compileShape(schemaOf(s.roma, "CreateApiV2Request").Value, reflect.TypeFor[romaapic.CreateApiV2Request]()),
		"CreateApiRequest":   compileShape(schemaOf(s.apig, "CreateApiRequest").Value, reflect.TypeFor[apig.CreateApiRequest]()),
		"UpdateApiRequest":   compileShape(schemaOf(s.apig, "UpdateApiRequest").Value, reflect.TypeFor[apig.UpdateApiRequest]()),
	}
	s.faults = newFaultSet(operationIDs(s.roma, s.apig))
	if err := s.faults.set(opts.Faults); err != nil {
		return nil, err
	}
	return s, nil
}

// schema returns a component schema of the product's spec.
func schemaOf(doc *openapi3.T, name string) *openapi3.SchemaRef {
	s, ok := doc.Components.Schemas[name]
	if !ok {
		panic("server: the spec has no schema " + name)
	}
	return s
}

// caller is who sent the request, as authentication established it.
type caller struct {
	Project string
	Via     string // "token" or "aksk"
}

type callerKey struct{}

func withCaller(ctx context.Context, c caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

func callerOf(ctx context.Context) (caller, error) {
	c, ok := ctx.Value(callerKey{}).(caller)
	if !ok {
		return caller{}, apiError(http.StatusUnauthorized, CodeBadToken, "Incorrect token or token resolution failed")
	}
	return c, nil
}

// newID returns 32 lower-case hex digits, as the service's ids are: 48 bits of Unix
// milliseconds, then 80 random bits. Ids that grow with time are added at the end of the
// store's primary-key index, so that a group of writes touches a few index pages rather than
// one page per write, however many APIs are stored.
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[6:]); err != nil {
		panic(err)
	}
	ms := uint64(time.Now().UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	return hex.EncodeToString(b[:])
}

// timestamp formats t as the service does: UTC, nanoseconds, Z.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// finish cuts doc down to the response schema, and decodes it into out with the generated
// strict decoder: a response the emulator builds must itself pass the spec, or the request
// fails with APIG.9999 rather than answering with something the docs do not describe.
func finish(spec *openapi3.T, schema string, doc map[string]any, out validation.Type) ([]byte, error) {
	project(schemaOf(spec, schema), doc)
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	if err := validation.DecodeJSON(data, out); err != nil {
		return nil, fmt.Errorf("server: the %s it built breaks the spec: %w", schema, err)
	}
	return data, nil
}

// objects returns the objects of the array member key of m.
func objects(m map[string]any, key string) []map[string]any {
	list, _ := m[key].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, x := range list {
		if o, ok := x.(map[string]any); ok {
			out = append(out, o)
		}
	}
	return out
}

// object returns the object member key of m, or nil.
func object(m map[string]any, key string) map[string]any {
	o, _ := m[key].(map[string]any)
	return o
}

// stampBackend gives a backend object (backend_api, func_info, mock_info) the members the
// service adds: id, status 1 and its times.
func stampBackend(o node, now string) {
	if !o.ok() {
		return
	}
	o.set("id", newID())
	o.set("status", 1)
	o.set("register_time", now)
	o.set("update_time", now)
}

// stampParams gives request parameters their ids and the default of `required` (1 for a PATH
// parameter, 2 otherwise), and returns their ids by name.
func stampParams(doc node) map[string]string {
	ids := map[string]string{}
	for _, p := range doc.objects("req_params") {
		id := newID()
		p.set("id", id)
		if !p.has("required") {
			if strings.EqualFold(p.str("location"), "PATH") {
				p.set("required", 1)
			} else {
				p.set("required", 2)
			}
		}
		ids[p.str("name")] = id
	}
	return ids
}

// stampBackendParams gives backend parameters their ids and, for origin REQUEST, the id of
// the request parameter they name (the spec's x-references rule makes sure there is one).
func stampBackendParams(list []node, reqIDs map[string]string) {
	for _, b := range list {
		b.set("id", newID())
		if strings.EqualFold(b.str("origin"), "REQUEST") {
			if id, ok := reqIDs[b.str("value")]; ok {
				b.set("req_param_id", id)
			}
		}
	}
}

// stampPolicies gives every policy backend, its conditions and its backend parameters their
// ids.
func stampPolicies(doc node, reqIDs map[string]string) {
	for _, key := range []string{"policy_https", "policy_mocks", "policy_functions"} {
		for _, p := range doc.objects(key) {
			p.set("id", newID())
			for _, c := range p.objects("conditions") {
				c.set("id", newID())
				if id, ok := reqIDs[c.str("req_param_name")]; ok {
					c.set("req_param_id", id)
				}
			}
			stampBackendParams(p.objects("backend_params"), reqIDs)
		}
	}
}

// storeError maps the store's errors to the service's.
func storeError(err error, id string) error {
	switch err {
	case store.ErrNameExists:
		return apiError(http.StatusBadRequest, CodeNameExists, "The API name already exists")
	case store.ErrRouteExists:
		return apiError(http.StatusBadRequest, CodeRouteExists, "An API with the same request method, path and match mode already exists in the group")
	case store.ErrNotFound:
		return apiError(http.StatusNotFound, CodeAPIMissing, "API %s does not exist", id)
	}
	return err
}

// resources checks that the resources a document refers to exist in catalog: authorizers,
// functions and VPC channels, wherever they appear.
func resources(c *fixtures.Catalog, doc node, vpcKeys [2]string) error {
	authorizer := func(at, id string) error {
		if id != "" && !c.HasAuthorizer(id) {
			return apiError(http.StatusNotFound, CodeAuthorizerGone, "The custom authorizer %s does not exist (%s)", id, at)
		}
		return nil
	}
	function := func(at, urn string) error {
		if urn != "" && !c.HasFunction(urn) {
			return apiError(http.StatusNotFound, CodeFunctionMissing, "The function URN %s does not exist (%s)", urn, at)
		}
		return nil
	}
	vpc := func(at string, o node) error {
		if id := o.object(vpcKeys[0]).str(vpcKeys[1]); id != "" && !c.HasVPCChannel(id) {
			return apiError(http.StatusNotFound, CodeVPCMissing, "The VPC channel %s does not exist (%s)", id, at)
		}
		return nil
	}
	checks := []error{authorizer("authorizer_id", doc.str("authorizer_id"))}
	for _, key := range []string{"backend_api", "func_info", "mock_info"} {
		if o := doc.object(key); o.ok() {
			checks = append(checks, authorizer(key+".authorizer_id", o.str("authorizer_id")))
		}
	}
	if f := doc.object("func_info"); f.ok() {
		checks = append(checks, function("func_info.function_urn", f.str("function_urn")))
	}
	if b := doc.object("backend_api"); b.ok() {
		checks = append(checks, vpc("backend_api", b))
	}
	for _, key := range []string{"policy_https", "policy_mocks", "policy_functions"} {
		for i, p := range doc.objects(key) {
			at := fmt.Sprintf("%s[%d]", key, i)
			checks = append(checks, authorizer(at+".authorizer_id", p.str("authorizer_id")),
				function(at+".function_urn", p.str("function_urn")), vpc(at, p))
		}
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}
