package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// flow is a multi-step case: each step's answer is a verdict of the server point.
type flow struct {
	res   Result
	fails []string
}

// step records a call and reports whether it got the wanted status and, when given, one of
// the wanted error codes.
func (f *flow) step(name string, p reply, err error, status int, codes ...string) bool {
	if err != nil {
		f.res.Verdicts = append(f.res.Verdicts, Verdict{PointServer, name + ": error: " + err.Error()})
		f.fails = append(f.fails, name)
		return false
	}
	code, _ := p.errorBody()
	ok := p.status == status && (len(codes) == 0 || contains(codes, code))
	v := name + ": " + p.String()
	if !ok {
		v += fmt.Sprintf(" (want %d %s)", status, strings.Join(codes, " or "))
		f.fails = append(f.fails, name)
	}
	f.res.Verdicts = append(f.res.Verdicts, Verdict{PointServer, v})
	return ok
}

func (f *flow) check(ok bool, format string, args ...any) bool {
	if !ok {
		msg := fmt.Sprintf(format, args...)
		f.res.Verdicts = append(f.res.Verdicts, Verdict{PointServer, msg})
		f.fails = append(f.fails, msg)
	}
	return ok
}

func (f *flow) skip(reason string) { f.res.Status, f.res.Message = NotRun, reason }

func (f *flow) result() Result {
	switch {
	case f.res.Status == NotRun:
	case len(f.fails) > 0:
		f.res.Status, f.res.Message = Failed, "failed: "+strings.Join(f.fails, "; ")
	default:
		f.res.Status = Passed
	}
	return f.res
}

func (r *runner) flowJobs() []job {
	var jobs []job
	add := func(name, opID string, run func(context.Context, *flow)) {
		jobs = append(jobs, job{id: "flows/" + name, run: func(ctx context.Context) Result {
			f := &flow{res: Result{Section: SectionFlows, Operation: opID, Kind: "flow"}}
			run(ctx, f)
			return f.result()
		}})
	}
	doc, _ := r.ops["CreateApiV2"].spec.Doc()
	for _, ex := range Examples(doc) {
		if _, rejected := r.ops["CreateApiV2"].ledger.ExpectedRejection(ex.Ref()); ex.Operation == "CreateApiV2" && ex.Where == "request" && !rejected {
			add("create-query/"+ex.Name, "ShowDetailsOfApiV1", func(ctx context.Context, f *flow) { _ = r.createQuery(ctx, f, ex.Value) })
		}
	}
	add("legacy-create-modify", "UpdateApi", r.createModify)
	add("unknown-id/ShowDetailsOfApiV1", "ShowDetailsOfApiV1", r.unknownQuery)
	add("unknown-id/UpdateApi", "UpdateApi", r.unknownUpdate)
	add("isolation/ShowDetailsOfApiV1", "ShowDetailsOfApiV1", r.isolationQuery)
	add("isolation/UpdateApi", "UpdateApi", r.isolationUpdate)
	for _, opID := range []string{"CreateApiV2", "ShowDetailsOfApiV1", "CreateApi", "UpdateApi",
		"ShowDetailsOfApiV2", "UpdateApiV2", "DeleteApiV2", "ListApisV2", "ShowDetailsOfApi", "DeleteApi", "ListApis"} {
		for _, how := range []string{"none", "wrong-token", "wrong-signature", "signed"} {
			add("credentials/"+opID+"/"+how, opID, func(ctx context.Context, f *flow) { r.credentials(ctx, f, opID, how) })
		}
	}
	for _, opID := range []string{"CreateApiV2", "CreateApi"} {
		add("malformed-json/"+opID, opID, func(ctx context.Context, f *flow) { r.malformedJSON(ctx, f, opID) })
		add("duplicate-name/"+opID, opID, func(ctx context.Context, f *flow) { r.duplicate(ctx, f, opID, "name") })
		add("duplicate-route/"+opID, opID, func(ctx context.Context, f *flow) { r.duplicate(ctx, f, opID, "req_uri") })
	}
	r.lifecycleJobs(add)
	r.authMissJobs(add)
	r.unknownRefJobs(add)
	r.scopeJobs(add)
	r.backendJobs(add)
	return jobs
}

// malformedJSON sends a body that is not JSON at all: the gateway's answer is a parameter
// error, 400 APIG.2000, never a server error, and nothing is created.
func (r *runner) malformedJSON(ctx context.Context, f *flow, opID string) {
	where, why := r.where(ctx, opID)
	if why != "" {
		f.skip(why)
		return
	}
	p, err := send(ctx, r.main, opID, where, []byte(`{"name": "cf_malformed", "type": 1,`))
	f.step("create with a truncated body", p, err, http.StatusBadRequest, "APIG.2000")
}

// createQuery creates a ROMA API from a documented example with v2 and reads it back with v1:
// every member the v1 answer describes has the value the create answer gave. It returns the
// v1 answer (nil when the flow failed before it).
func (r *runner) createQuery(ctx context.Context, f *flow, example any) map[string]any {
	where, why := r.where(ctx, "CreateApiV2")
	if why != "" {
		f.skip(why)
		return nil
	}
	body := r.prepare(r.ops["CreateApiV2"], example, nil)
	p, err := send(ctx, r.main, "CreateApiV2", where, mustJSON(body))
	if !f.step("create (v2)", p, err, r.ops["CreateApiV2"].success) {
		return nil
	}
	var created, got map[string]any
	_ = json.Unmarshal(p.body, &created)
	id, _ := created["id"].(string)
	q, err := send(ctx, r.main, "ShowDetailsOfApiV1", r.here(id), nil)
	if !f.step("query (v1)", q, err, r.ops["ShowDetailsOfApiV1"].success) {
		return nil
	}
	_ = json.Unmarshal(q.body, &got)
	sent := body.(map[string]any)
	f.check(got["name"] == sent["name"] && got["req_uri"] == sent["req_uri"], "query: name %v and req_uri %v, sent %v and %v", got["name"], got["req_uri"], sent["name"], sent["req_uri"])
	ref := r.ops["ShowDetailsOfApiV1"].op.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
	var diffs []string
	for _, k := range sortedKeys(created) {
		prop, ok := ref.Properties[k]
		if !ok {
			continue
		}
		if _, ok := got[k]; !ok {
			if created[k] != nil {
				diffs = append(diffs, k+": lost")
			}
			continue
		}
		diffs = append(diffs, Lost(Project(prop.Value, created[k]), Project(prop.Value, got[k]), k)...)
	}
	f.check(len(diffs) == 0, "the query does not return what was created: %s", strings.Join(diffs, "; "))
	return got
}

// createModify creates a legacy API, modifies it, and checks that the change is visible: in
// the answer, and to the service's own uniqueness rules (the new name is taken, the old
// one free again).
func (r *runner) createModify(ctx context.Context, f *flow) {
	create, update := r.ops["CreateApi"], r.ops["UpdateApi"]
	first := r.prepare(create, r.example("CreateApi"), nil).(map[string]any)
	p, err := send(ctx, r.main, "CreateApi", r.here(""), mustJSON(first))
	if !f.step("create", p, err, create.success) {
		return
	}
	var created, got map[string]any
	_ = json.Unmarshal(p.body, &created)
	id, _ := created["id"].(string)
	change := r.prepare(update, r.example("UpdateApi"), nil).(map[string]any)
	p, err = send(ctx, r.main, "UpdateApi", r.here(id), mustJSON(change))
	if !f.step("modify", p, err, update.success) {
		return
	}
	_ = json.Unmarshal(p.body, &got)
	f.check(got["id"] == id, "modify: answered id %v, want %s", got["id"], id)
	var diffs []string
	for _, k := range sortedKeys(change) {
		// Scalars only: nested objects are answered in their own shapes. Enums that any
		// casing matches are answered in their listed form.
		want, isStr := change[k].(string)
		switch {
		case isStr && !strings.EqualFold(fmt.Sprint(got[k]), want):
			diffs = append(diffs, fmt.Sprintf("%s: sent %q, answered %v", k, want, got[k]))
		case !isStr && isScalar(change[k]) && fmt.Sprint(got[k]) != fmt.Sprint(change[k]):
			diffs = append(diffs, fmt.Sprintf("%s: sent %v, answered %v", k, change[k], got[k]))
		}
	}
	f.check(len(diffs) == 0, "modify: the answer does not show the change: %s", strings.Join(diffs, "; "))

	taken := r.prepare(create, r.example("CreateApi"), nil).(map[string]any)
	taken["name"] = change["name"]
	p, err = send(ctx, r.main, "CreateApi", r.here(""), mustJSON(taken))
	f.step("create with the new name", p, err, 400, "APIG.3202")
	free := r.prepare(create, r.example("CreateApi"), nil).(map[string]any)
	free["name"] = first["name"]
	p, err = send(ctx, r.main, "CreateApi", r.here(""), mustJSON(free))
	f.step("create with the old name", p, err, create.success)
}

func isScalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

func (r *runner) unknownQuery(ctx context.Context, f *flow) {
	where, why := r.where(ctx, "ShowDetailsOfApiV1")
	if why != "" {
		f.skip(why)
		return
	}
	where.id = randomHex(16)
	p, err := send(ctx, r.main, "ShowDetailsOfApiV1", where, nil)
	if f.step("query an unknown id", p, err, 404, "APIG.3002") {
		_, msg := p.errorBody()
		f.check(strings.Contains(msg, "API "+where.id+" does not exist"), "error_msg %q does not say: API %s does not exist", msg, where.id)
	}
}

func (r *runner) unknownUpdate(ctx context.Context, f *flow) {
	body := mustJSON(r.prepare(r.ops["UpdateApi"], r.example("UpdateApi"), nil))
	p, err := send(ctx, r.main, "UpdateApi", r.here(randomHex(16)), body)
	f.step("modify an unknown id", p, err, 404, "APIG.3002")
}

// isolationQuery: an API of the first project is invisible to the second project's
// credentials, under either project's path.
func (r *runner) isolationQuery(ctx context.Context, f *flow) {
	if r.t.OtherToken == "" || r.t.OtherProjectID == "" {
		f.skip("needs a second project's token and id (--other-token, --other-project)")
		return
	}
	id, _, err := r.create(ctx, r.main, "CreateApiV2")
	if !f.check(err == nil, "create: %v", err) {
		return
	}
	other, err := newClients(r.t.BaseURL, r.hc, false, tokenEditor(r.t.OtherToken))
	if !f.check(err == nil, "client: %v", err) {
		return
	}
	p, err := send(ctx, other, "ShowDetailsOfApiV1", at{project: r.t.OtherProjectID, instance: r.t.InstanceID, id: id}, nil)
	// APIG.3030: the second project has no instance with this id, which hides the API too.
	f.step("query it in the other project", p, err, 404, "APIG.3002", "APIG.3030")
	p, err = send(ctx, other, "ShowDetailsOfApiV1", r.here(id), nil)
	f.step("query it under its own project with the other project's token", p, err, 403, "APIG.1005")
}

func (r *runner) isolationUpdate(ctx context.Context, f *flow) {
	if r.t.OtherToken == "" {
		f.skip("needs a second project's token (--other-token)")
		return
	}
	id, _, err := r.create(ctx, r.main, "CreateApi")
	if !f.check(err == nil, "create: %v", err) {
		return
	}
	other, err := newClients(r.t.BaseURL, r.hc, false, tokenEditor(r.t.OtherToken))
	if !f.check(err == nil, "client: %v", err) {
		return
	}
	body := mustJSON(r.prepare(r.ops["UpdateApi"], r.example("UpdateApi"), nil))
	p, err := send(ctx, other, "UpdateApi", r.here(id), body)
	f.step("modify it with the other project's token", p, err, 404, "APIG.3002")
}

// credentials calls an operation with no credentials, a wrong token, a wrong AK/SK
// signature (each must be 401), and a good signature (which must succeed).
func (r *runner) credentials(ctx context.Context, f *flow, opID, how string) {
	if (how == "wrong-signature" || how == "signed") && r.t.AK == "" {
		f.skip("needs an AK/SK pair (--ak, --sk)")
		return
	}
	where, why := r.where(ctx, opID)
	if why != "" {
		f.skip(why)
		return
	}
	o := r.ops[opID]
	var body []byte
	if o.reqType != "" {
		body = mustJSON(r.prepare(o, r.example(opID), nil))
	}
	want, code := 401, "APIG.1002"
	var auth editor
	switch how {
	case "wrong-token":
		auth = tokenEditor("conformance-wrong-token-" + r.runID)
	case "wrong-signature":
		auth, code = r.signEditor("wrong-"+r.t.SK), "APIG.0301"
	case "signed":
		auth, want, code = r.signEditor(r.t.SK), o.success, ""
	}
	if strings.HasSuffix(o.path, "}") && opID != "UpdateApi" {
		// A good signature must reach an API that exists (UpdateApi has its own target).
		create := "CreateApi"
		if strings.Contains(o.path, "/apic/") {
			create = "CreateApiV2"
		}
		id, _, err := r.create(ctx, r.main, create)
		if !f.check(err == nil, "create: %v", err) {
			return
		}
		where.id = id
	}
	c, err := newClients(r.t.BaseURL, r.hc, false, auth)
	if !f.check(err == nil, "client: %v", err) {
		return
	}
	p, err := send(ctx, c, opID, where, body)
	if code == "" {
		f.step(how, p, err, want)
	} else {
		f.step(how, p, err, want, code)
	}
}

// duplicate creates an API, then another with the same name (APIG.3202) or the same method,
// path and match mode (APIG.3301) in the same group.
func (r *runner) duplicate(ctx context.Context, f *flow, opID, member string) {
	code := map[string]string{"name": "APIG.3202", "req_uri": "APIG.3301"}[member]
	r.pair(ctx, f, opID, "create another with the same "+member, func(first, second map[string]any) bool {
		second[member] = first[member]
		return true
	}, "", 400, code)
}

// pair creates an API, then a second one that change makes from another prepared body and the
// first, which must get status (and code). change reports false when the target lacks what it
// needs (the flow is then not run, for the reason needs).
func (r *runner) pair(ctx context.Context, f *flow, opID, what string, change func(first, second map[string]any) bool, needs string, status int, code ...string) {
	where, why := r.where(ctx, opID)
	if why != "" {
		f.skip(why)
		return
	}
	o := r.ops[opID]
	first := r.prepare(o, r.example(opID), nil).(map[string]any)
	second := r.prepare(o, r.example(opID), nil).(map[string]any)
	if !change(first, second) {
		f.skip(needs)
		return
	}
	p, err := send(ctx, r.main, opID, where, mustJSON(first))
	if !f.step("create", p, err, o.success) {
		return
	}
	p, err = send(ctx, r.main, opID, where, mustJSON(second))
	f.step(what, p, err, status, code...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
