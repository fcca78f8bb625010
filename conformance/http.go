package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apiclab/apic/generated/apig"
	"github.com/apiclab/apic/generated/romaapic"
	"github.com/apiclab/apic/generated/sign"
	"github.com/apiclab/apic/generated/validation"
)

// clients are the generated clients of both products, sharing one transport and one way of
// authenticating.
type clients struct {
	roma *romaapic.ClientWithResponses
	apig *apig.ClientWithResponses
}

type editor = func(ctx context.Context, r *http.Request) error

type doer interface {
	Do(*http.Request) (*http.Response, error)
}

func newClients(base string, hc doer, validate bool, auth editor) (*clients, error) {
	ro := []romaapic.ClientOption{romaapic.WithHTTPClient(hc)}
	ao := []apig.ClientOption{apig.WithHTTPClient(hc)}
	if validate {
		ro = append(ro, romaapic.WithRequestValidation(romaapic.WithWarningHandler(keepWarnings)))
		ao = append(ao, apig.WithRequestValidation(apig.WithWarningHandler(keepWarnings)))
	}
	if auth != nil {
		ro = append(ro, romaapic.WithRequestEditorFn(auth))
		ao = append(ao, apig.WithRequestEditorFn(auth))
	}
	rc, err := romaapic.NewClientWithResponses(base, ro...)
	if err != nil {
		return nil, err
	}
	ac, err := apig.NewClientWithResponses(base, ao...)
	if err != nil {
		return nil, err
	}
	return &clients{roma: rc, apig: ac}, nil
}

// warningsKey carries, in a request's context, where the pre-flight client's warning handler
// puts the advisory violations of that request.
type warningsKey struct{}

func keepWarnings(ctx context.Context, _ *http.Request, w validation.Errors) {
	if sink, ok := ctx.Value(warningsKey{}).(*validation.Errors); ok {
		*sink = append(*sink, w...)
	}
}

// errNotSent is what the pre-flight client's transport answers: the request passed the
// client's validation and would have been sent.
var errNotSent = errors.New("passed pre-flight validation (not sent)")

type neverSend struct{}

func (neverSend) Do(*http.Request) (*http.Response, error) { return nil, errNotSent }

// authEditor authenticates with a token, or else with the target's AK/SK pair.
func (r *runner) authEditor(token string) editor {
	if token != "" {
		return tokenEditor(token)
	}
	if r.t.AK != "" {
		return r.signEditor(r.t.SK)
	}
	return nil
}

func tokenEditor(token string) editor {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("X-Auth-Token", token)
		return nil
	}
}

// signEditor signs with the target's AK and the given SK (a wrong one for the signature
// flow), over the host as the official SDKs do.
func (r *runner) signEditor(sk string) editor { return r.signWith(sk, 0, nil, nil) }

// signWith signs with the target's AK and sk at now+skew. before changes the request that is
// signed; after changes it again before it is sent, so that what is sent is not what was
// signed (the near-miss flows).
func (r *runner) signWith(sk string, skew time.Duration, before, after func(*http.Request)) editor {
	return func(_ context.Context, req *http.Request) error {
		var body []byte
		if req.GetBody != nil {
			rc, err := req.GetBody()
			if err != nil {
				return err
			}
			body, _ = io.ReadAll(rc)
			rc.Close()
		}
		if r.t.ProjectID != "" {
			req.Header.Set("X-Project-Id", r.t.ProjectID)
		}
		req.Header.Set("Host", req.URL.Host)
		if before != nil {
			before(req)
		}
		now := time.Now
		if r.clock != nil {
			now = r.clock
		}
		sign.Sign(req, body, r.t.AK, sk, now().Add(skew))
		if after != nil {
			after(req)
		}
		return nil
	}
}

// at is where a call goes: the ROMA project and instance, the API id of the path, and for
// the list operations the raw query string (sent as it is, so that cases can send values of
// the wrong type).
type at struct{ project, instance, id, query string }

func (r *runner) here(id string) at {
	return at{project: r.t.ProjectID, instance: r.t.InstanceID, id: id}
}

// reply is what the target answered.
type reply struct {
	status int
	body   []byte
	typed  bool // the generated client decoded the body into the type documented for the status
}

func (p reply) errorBody() (code, msg string) {
	var e struct {
		Code string `json:"error_code"`
		Msg  string `json:"error_msg"`
	}
	_ = json.Unmarshal(p.body, &e)
	return e.Code, e.Msg
}

func (p reply) String() string {
	code, msg := p.errorBody()
	if code != "" {
		return fmt.Sprintf("%d %s: %s", p.status, code, clip(msg, 200))
	}
	return fmt.Sprintf("%d %s", p.status, clip(string(p.body), 200))
}

// send calls an operation through the generated client's raw-body path, which sends any
// bytes: rule cases must reach the target whether or not they are valid.
func send(ctx context.Context, c *clients, opID string, where at, body []byte) (reply, error) {
	var resp interface {
		StatusCode() int
		GetBody() []byte
	}
	var err error
	switch opID {
	case "CreateApiV2":
		resp, err = c.roma.CreateApiV2WithBodyWithResponse(ctx, where.project, where.instance, "application/json", bytes.NewReader(body))
	case "ShowDetailsOfApiV1":
		resp, err = c.roma.ShowDetailsOfApiV1WithResponse(ctx, where.project, where.instance, where.id)
	case "CreateApi":
		resp, err = c.apig.CreateApiWithBodyWithResponse(ctx, "application/json", bytes.NewReader(body))
	case "UpdateApi":
		resp, err = c.apig.UpdateApiWithBodyWithResponse(ctx, where.id, "application/json", bytes.NewReader(body))
	case "ShowDetailsOfApiV2":
		resp, err = c.roma.ShowDetailsOfApiV2WithResponse(ctx, where.project, where.instance, where.id)
	case "UpdateApiV2":
		resp, err = c.roma.UpdateApiV2WithBodyWithResponse(ctx, where.project, where.instance, where.id, "application/json", bytes.NewReader(body))
	case "DeleteApiV2":
		resp, err = c.roma.DeleteApiV2WithResponse(ctx, where.project, where.instance, where.id)
	case "ListApisV2":
		resp, err = c.roma.ListApisV2WithResponse(ctx, where.project, where.instance, nil, rawQuery(where.query))
	case "ShowDetailsOfApi":
		resp, err = c.apig.ShowDetailsOfApiWithResponse(ctx, where.id)
	case "DeleteApi":
		resp, err = c.apig.DeleteApiWithResponse(ctx, where.id)
	case "ListApis":
		resp, err = c.apig.ListApisWithResponse(ctx, nil, rawQuery(where.query))
	default:
		return reply{}, fmt.Errorf("the suite has no call for operation %s", opID)
	}
	if err != nil {
		return reply{}, err
	}
	p := reply{status: resp.StatusCode(), body: resp.GetBody()}
	// The generated responses hold one JSON<status> field per documented status.
	f := reflect.ValueOf(resp).Elem().FieldByName(fmt.Sprintf("JSON%d", p.status))
	p.typed = f.IsValid() && !f.IsNil()
	return p, nil
}

// createWait bounds how long a create is waited for after its caller gave up.
const createWait = 30 * time.Second

// rawQuery is a request editor that sends q as the query string.
func rawQuery(q string) editor {
	return func(_ context.Context, r *http.Request) error {
		r.URL.RawQuery = q
		return nil
	}
}

// recorder is the transport that checks every response the target sends against the spec:
// the status is documented for the operation, the body validates against that status's
// schema, and an error body has error_code and error_msg.
type recorder struct {
	next   http.RoundTripper
	routes []route
	mu     sync.Mutex
	groups map[string]*respGroup
	count  int
	// created holds the URL of every API the target said it created (the create URL and the
	// new id), in creation order; removed, those a delete answered with success.
	created []string
	removed map[string]bool
	// onProblem, when set, is called for every response that does not conform.
	onProblem func()
}

type route struct {
	method string
	re     *regexp.Regexp
	op     *op
}

type respGroup struct {
	op      string
	status  int
	count   int
	bad     int
	samples []string
	// undocumented counts, per member no page documents, the answers that had it.
	undocumented map[string]int
}

func newRecorder(next http.RoundTripper, ops map[string]*op) *recorder {
	if next == nil {
		next = http.DefaultTransport
	}
	rec := &recorder{next: next, groups: map[string]*respGroup{}, removed: map[string]bool{}}
	for _, o := range ops {
		segs := strings.Split(o.path, "/")
		for i, seg := range segs {
			if strings.HasPrefix(seg, "{") {
				segs[i] = "[^/]+"
			} else {
				segs[i] = regexp.QuoteMeta(seg)
			}
		}
		// Suffix match: a base URL may carry a path prefix.
		rec.routes = append(rec.routes, route{o.method, regexp.MustCompile(strings.Join(segs, "/") + "$"), o})
	}
	return rec
}

func (rec *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var sent []byte
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			sent, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	capture(req, sent)
	if req.Method == http.MethodPost {
		// A create the caller gives up on (Ctrl-C) may still be done by the target: its
		// answer is waited for, so that the new API is known and deleted at the end.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(req.Context()), createWait)
		defer cancel()
		req = req.WithContext(ctx)
	}
	resp, err := rec.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	rec.check(req, sent, resp, body)
	return resp, nil
}

func (rec *recorder) check(req *http.Request, sent []byte, resp *http.Response, body []byte) {
	var o *op
	for _, rt := range rec.routes {
		if rt.method == req.Method && rt.re.MatchString(req.URL.Path) {
			o = rt.op
		}
	}
	name := req.Method + " " + req.URL.Path
	var problem string
	var extra map[string]bool
	if o != nil {
		name = o.op.OperationID
		problem, extra = o.checkResponse(resp.StatusCode, resp.Header.Get("Content-Type"), body)
		if problem == "" {
			problem = checkTransport(resp.Header)
		}
		if problem == "" && resp.StatusCode == o.success {
			problem = checkPage(o.op.OperationID, req.URL.Query(), body)
		}
		if problem == "" && resp.StatusCode == o.success && len(sent) > 0 {
			if diffs := o.echoes(sent, body); len(diffs) > 0 {
				problem = "the answer is not what was sent: " + clip(strings.Join(diffs, "; "), 400)
			}
		}
	} else {
		problem = "no operation of the specs has this method and path"
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if o != nil && resp.StatusCode == o.success {
		switch o.op.OperationID {
		case "CreateApiV2", "CreateApi":
			var created struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(body, &created) == nil && created.ID != "" {
				rec.created = append(rec.created, createdPath(withoutQuery(req.URL), created.ID))
			}
		case "DeleteApiV2", "DeleteApi":
			rec.removed[withoutQuery(req.URL)] = true
		}
	}
	rec.count++
	key := fmt.Sprintf("%s/%d", name, resp.StatusCode)
	g := rec.groups[key]
	if g == nil {
		g = &respGroup{op: name, status: resp.StatusCode}
		rec.groups[key] = g
	}
	g.count++
	for m := range extra {
		if g.undocumented == nil {
			g.undocumented = map[string]int{}
		}
		g.undocumented[m]++
	}
	if problem != "" {
		if rec.onProblem != nil {
			rec.onProblem()
		}
		g.bad++
		if len(g.samples) < 5 {
			g.samples = append(g.samples, fmt.Sprintf("%s %s: %s", req.Method, req.URL.Path, problem))
		}
	}
}

// checkTransport judges what every answer of the service carries: an X-Request-Id.
func checkTransport(h http.Header) string {
	if h.Get("X-Request-Id") == "" {
		return "no X-Request-Id header"
	}
	return ""
}

// hexID is the form of every id the service assigns: 32 lower-case hex digits.
var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// checkForms checks the forms the schemas leave as plain strings in a success body (and in
// the items of a list): ids are 32 hex digits, and register_time and update_time are RFC 3339
// times, as every documented example shows.
func checkForms(v any) string {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if msg := checkForms(e); msg != "" {
				return msg
			}
		}
	case map[string]any:
		if id, ok := x["id"].(string); ok && !hexID.MatchString(id) {
			return fmt.Sprintf("id %q is not 32 hex digits", id)
		}
		for _, k := range []string{"register_time", "update_time"} {
			if t, ok := x[k].(string); ok {
				if _, err := time.Parse(time.RFC3339Nano, t); err != nil {
					return fmt.Sprintf("%s %q is not an RFC 3339 time", k, t)
				}
			}
		}
		for _, k := range []string{"apis"} { // the list answers
			if msg := checkForms(x[k]); msg != "" {
				return msg
			}
		}
	}
	return ""
}

// checkPage checks that a page of a list agrees with itself and with the paging asked for
// (after the documented coercions): size counts the items, and a page shorter than asked for
// is the last one, so total is what came before it plus its items.
func checkPage(opID string, q url.Values, body []byte) string {
	num := func(k string, def int) int {
		if n, err := strconv.Atoi(q.Get(k)); err == nil {
			return n
		}
		return def
	}
	var offset, limit int
	switch opID {
	case "ListApisV2":
		offset, limit = max(num("offset", 0), 0), num("limit", 20)
		if limit <= 0 {
			limit = 20
		}
		limit = min(limit, 500)
	case "ListApis":
		size := num("page_size", 20)
		if size == 0 {
			return "" // every API, up to a bound: no page to check against
		}
		limit = min(size, 500)
		offset = (max(num("page_no", 1), 1) - 1) * limit
	default:
		return ""
	}
	var page struct {
		Total *int64
		Size  *int64
		Apis  []any
	}
	if json.Unmarshal(body, &page) != nil || page.Total == nil || page.Size == nil {
		return ""
	}
	n := int64(len(page.Apis))
	switch {
	case *page.Size != n:
		return fmt.Sprintf("size %d, but the page holds %d items", *page.Size, n)
	case n < int64(limit) && (n > 0 || int64(offset) < *page.Total) && *page.Total != int64(offset)+n:
		return fmt.Sprintf("a last page of %d items at offset %d, but total %d", n, offset, *page.Total)
	case *page.Total < int64(offset)+n:
		return fmt.Sprintf("total %d, below the %d items up to this page", *page.Total, int64(offset)+n)
	}
	return ""
}

// checkResponse judges one response of the operation; "" means it conforms. It also returns
// the members of a success body that no page documents (a warning, KindUndocumented).
func (o *op) checkResponse(status int, contentType string, body []byte) (string, map[string]bool) {
	ref := o.op.Responses.Status(status)
	if ref == nil {
		ref = o.op.Responses.Default()
	}
	if ref == nil || ref.Value == nil {
		return fmt.Sprintf("status %d is not documented for %s", status, o.op.OperationID), nil
	}
	mt := ref.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return "", nil
	}
	if media, _, err := mime.ParseMediaType(contentType); err != nil || media != "application/json" {
		// A charset parameter is fine; another JSON media type (application/problem+json) is
		// not what the spec documents, and clients that check it would refuse the answer.
		return fmt.Sprintf("Content-Type %q, the spec documents application/json", contentType), nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return "body is not JSON: " + err.Error(), nil
	}
	if err := Oracle(mt.Schema, v); err != nil {
		return "body does not validate: " + clip(err.Error(), 300), nil
	}
	var extra map[string]bool
	if status < 300 {
		extra = map[string]bool{}
		undocumented(mt.Schema.Value, v, "", extra)
		if msg := checkForms(v); msg != "" {
			return msg, extra
		}
		if missing := missingAlways(mt.Schema.Value, v, ""); len(missing) > 0 {
			return "lacks " + clip(strings.Join(missing, ", "), 300) + ", which the spec says every answer has (x-always-returned)", extra
		}
	}
	if status >= 400 {
		m, _ := v.(map[string]any)
		code, _ := m["error_code"].(string)
		msg, _ := m["error_msg"].(string)
		if code == "" || msg == "" {
			return "error body has no error_code and error_msg", nil
		}
	}
	return "", extra
}

func (rec *recorder) total() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.count
}

// results turns the response checks into one result per operation and status.
func (rec *recorder) results() []Result {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	keys := make([]string, 0, len(rec.groups))
	for k := range rec.groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Result, 0, len(keys))
	for _, k := range keys {
		g := rec.groups[k]
		res := Result{ID: "responses/" + k, Section: SectionResponses, Operation: g.op, Kind: "response",
			Status: Passed, Count: g.count, Message: fmt.Sprintf("%d responses conform", g.count)}
		if g.bad > 0 {
			res.Status = Failed
			res.Message = fmt.Sprintf("%d of %d responses do not conform: %s", g.bad, g.count, strings.Join(g.samples, "; "))
		}
		out = append(out, res)
		if len(g.undocumented) > 0 {
			var parts []string
			for _, m := range sortedKeys(g.undocumented) {
				parts = append(parts, fmt.Sprintf("%s (%d of %d answers)", m, g.undocumented[m], g.count))
			}
			out = append(out, Result{ID: "responses/" + k + "/undocumented", Section: SectionResponses, Operation: g.op,
				Kind: KindUndocumented, Status: Warning, Count: g.count,
				Message: "members no page documents: " + strings.Join(parts, ", ")})
		}
	}
	return out
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
