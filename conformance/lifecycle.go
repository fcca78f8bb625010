package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// lifecycleOps names the operations of one product's API lifecycle.
type lifecycleOps struct {
	create, show, update, del, list string
	// showV1 is the ROMA v1 query, read beside the v2 show ("" for the legacy gateway).
	showV1 string
}

var (
	romaLifecycle = lifecycleOps{create: "CreateApiV2", show: "ShowDetailsOfApiV2", update: "UpdateApiV2",
		del: "DeleteApiV2", list: "ListApisV2", showV1: "ShowDetailsOfApiV1"}
	apigLifecycle = lifecycleOps{create: "CreateApi", show: "ShowDetailsOfApi", update: "UpdateApi",
		del: "DeleteApi", list: "ListApis"}
)

func (r *runner) lifecycleJobs(add func(name, opID string, run func(context.Context, *flow))) {
	for _, l := range []lifecycleOps{romaLifecycle, apigLifecycle} {
		add("lifecycle/"+l.create, l.del, func(ctx context.Context, f *flow) { r.lifecycle(ctx, f, l) })
		for _, opID := range []string{l.show, l.update, l.del} {
			if opID == "UpdateApi" {
				continue // flows.go has both flows for the legacy modify
			}
			add("unknown-id/"+opID, opID, func(ctx context.Context, f *flow) { r.unknownID(ctx, f, opID) })
			add("isolation/"+opID, opID, func(ctx context.Context, f *flow) { r.isolation(ctx, f, l, opID) })
		}
		add("isolation/"+l.list, l.list, func(ctx context.Context, f *flow) { r.isolationList(ctx, f, l) })
	}
	// The list parameters: documented conversions are answered, values of the wrong type
	// rejected naming the parameter.
	for _, c := range []struct {
		op, name, query string
		status          int
		param           string // the parameter a 400 must name
		maxSize         int    // for a 200: the page size the answer may not exceed (0: any)
	}{
		{"ListApisV2", "limit-zero-is-20", "limit=0", 200, "", 20},
		{"ListApisV2", "limit-negative-is-20", "limit=-1", 200, "", 20},
		{"ListApisV2", "limit-over-500-is-500", "limit=501", 200, "", 500},
		{"ListApisV2", "offset-negative-is-0", "offset=-1&limit=1", 200, "", 1},
		{"ListApisV2", "limit-not-integer", "limit=abc", 400, "limit", 0},
		{"ListApisV2", "offset-not-integer", "offset=1.5", 400, "offset", 0},
		{"ListApisV2", "type-not-integer", "type=public", 400, "type", 0},
		{"ListApis", "page-size-zero-is-all", "page_size=0", 200, "", 0},
		{"ListApis", "page-size-over-500-is-500", "page_size=501", 200, "", 500},
		{"ListApis", "page-no-not-integer", "page_no=first", 400, "page_no", 0},
		{"ListApis", "page-size-not-integer", "page_size=ten", 400, "page_size", 0},
	} {
		add("list-parameters/"+c.op+"/"+c.name, c.op, func(ctx context.Context, f *flow) {
			where, why := r.where(ctx, c.op)
			if why != "" {
				f.skip(why)
				return
			}
			where.query = c.query
			p, err := send(ctx, r.main, c.op, where, nil)
			if c.status != 200 {
				if f.step(c.query, p, err, c.status, codeInvalid) {
					_, msg := p.errorBody()
					f.check(strings.Contains(msg, "parameterName:"+c.param), "error_msg %q does not name %s", msg, c.param)
				}
				return
			}
			if !f.step(c.query, p, err, 200) {
				return
			}
			var page struct {
				Total int64             `json:"total"`
				Size  int               `json:"size"`
				APIs  []json.RawMessage `json:"apis"`
			}
			_ = json.Unmarshal(p.body, &page)
			f.check(page.Size == len(page.APIs), "size %d, but %d APIs", page.Size, len(page.APIs))
			if c.maxSize > 0 {
				f.check(page.Size <= c.maxSize, "size %d, the page holds at most %d", page.Size, c.maxSize)
			} else if page.Total <= maxAllPage {
				f.check(int64(page.Size) == page.Total, "page_size 0 answered %d of %d APIs", page.Size, page.Total)
			}
		})
	}
}

// maxAllPage is the most APIs the suite expects in one "every API" page.
const maxAllPage = 10000

// lifecycle runs one product's whole API lifecycle: create, show (both versions for ROMA),
// the list finds it, update, show and list reflect the update, delete, show answers 404, the
// list no longer has it, and a new API may take its name and route.
func (r *runner) lifecycle(ctx context.Context, f *flow, l lifecycleOps) {
	where, why := r.where(ctx, l.create)
	if why != "" {
		f.skip(why)
		return
	}
	create := r.ops[l.create]
	first := r.prepare(create, r.example(l.create), nil).(map[string]any)
	p, err := send(ctx, r.main, l.create, where, mustJSON(first))
	if !f.step("create", p, err, create.success) {
		return
	}
	var created map[string]any
	_ = json.Unmarshal(p.body, &created)
	id, _ := created["id"].(string)
	item := r.here(id)
	shows := []string{l.show}
	if l.showV1 != "" {
		shows = append(shows, l.showV1)
	}
	for _, op := range shows {
		p, err = send(ctx, r.main, op, item, nil)
		if f.step("show ("+op+")", p, err, 200) {
			f.same(p, map[string]any{"id": id, "name": first["name"], "req_uri": first["req_uri"]}, op)
		}
	}
	f.listed(r.list(ctx, l, first["name"]), id, true, "list by the name")

	second := r.prepare(r.ops[l.update], r.example(l.update), nil).(map[string]any)
	waitForNextTick(created["update_time"])
	p, err = send(ctx, r.main, l.update, item, mustJSON(second))
	if !f.step("update", p, err, r.ops[l.update].success) {
		return
	}
	var updated map[string]any
	_ = json.Unmarshal(p.body, &updated)
	f.same(p, map[string]any{"id": id, "name": second["name"], "register_time": created["register_time"]}, "update")
	f.check(later(updated["update_time"], created["update_time"]), "update: update_time %v, not later than the create's %v", updated["update_time"], created["update_time"])
	for _, op := range shows {
		p, err = send(ctx, r.main, op, item, nil)
		if !f.step("show after the update ("+op+")", p, err, 200) {
			continue
		}
		var shown map[string]any
		_ = json.Unmarshal(p.body, &shown)
		// The show returns what the update answered: every member both answers describe.
		d := r.agree(op, l.update, shown, updated)
		f.check(len(d) == 0, "%s after the update does not return what the update answered: %s", op, strings.Join(d, "; "))
	}
	byNew := r.list(ctx, l, second["name"])
	f.listed(byNew, id, true, "list by the new name")
	if item := byNew.items[id]; item != nil {
		d := r.agree(l.list, l.update, item, updated)
		f.check(len(d) == 0, "the list item does not agree with the update: %s", strings.Join(d, "; "))
	}
	f.listed(r.list(ctx, l, first["name"]), id, false, "list by the old name")

	// Names and routes follow the update: the new ones are taken, the old ones free.
	taken := r.prepare(create, r.example(l.create), nil).(map[string]any)
	taken["name"] = second["name"]
	p, err = send(ctx, r.main, l.create, where, mustJSON(taken))
	f.step("create with the updated API's new name", p, err, 400, "APIG.3202")
	taken = r.prepare(create, r.example(l.create), nil).(map[string]any)
	sameRoute(taken, second)
	p, err = send(ctx, r.main, l.create, where, mustJSON(taken))
	f.step("create with the updated API's new route", p, err, 400, "APIG.3301")
	p, err = send(ctx, r.main, l.create, where, mustJSON(first))
	f.step("create with the updated API's old name and route", p, err, create.success)

	p, err = send(ctx, r.main, l.del, item, nil)
	if !f.step("delete", p, err, r.ops[l.del].success) {
		return
	}
	for _, op := range shows {
		p, err = send(ctx, r.main, op, item, nil)
		f.step("show after the delete ("+op+")", p, err, 404, "APIG.3002")
	}
	f.listed(r.list(ctx, l, second["name"]), id, false, "list after the delete")

	// The update body, sent to create: the new API takes the deleted one's name and route
	// (method, path and match mode) and everything else the update gave it.
	p, err = send(ctx, r.main, l.create, where, mustJSON(second))
	f.step("create another API with the deleted one's name and route", p, err, create.success)
}

// listing is a list answer: the ids it holds, or why there are none.
type listing struct {
	ids   map[string]bool
	items map[string]map[string]any // by id
	p     reply
	err   error
	what  string
}

// list asks for the APIs whose name is name, exactly.
func (r *runner) list(ctx context.Context, l lifecycleOps, name any) listing {
	where, _ := r.where(ctx, l.list)
	where.query = url.Values{"name": {fmt.Sprint(name)}, "precise_search": {"name"}}.Encode()
	p, err := send(ctx, r.main, l.list, where, nil)
	out := listing{ids: map[string]bool{}, items: map[string]map[string]any{}, p: p, err: err, what: l.list + "?" + where.query}
	var page struct {
		APIs []map[string]any `json:"apis"`
	}
	if err == nil && json.Unmarshal(p.body, &page) == nil {
		for _, a := range page.APIs {
			if id, ok := a["id"].(string); ok {
				out.ids[id], out.items[id] = true, a
			}
		}
	}
	return out
}

// listed checks that a list answered and does (or does not) hold id.
func (f *flow) listed(l listing, id string, want bool, name string) {
	if !f.step(name+" ("+l.what+")", l.p, l.err, 200) {
		return
	}
	f.check(l.ids[id] == want, "%s: holds %s: %v, want %v", name, id, l.ids[id], want)
}

// same checks that the JSON answer has each member of want with that value.
func (f *flow) same(p reply, want map[string]any, name string) {
	var got map[string]any
	_ = json.Unmarshal(p.body, &got)
	for _, k := range sortedKeys(want) {
		if want[k] == nil {
			continue
		}
		f.check(fmt.Sprint(got[k]) == fmt.Sprint(want[k]), "%s: %s is %v, want %v", name, k, got[k], want[k])
	}
}

// unknownID calls an operation on an id that names no API.
func (r *runner) unknownID(ctx context.Context, f *flow, opID string) {
	where, why := r.where(ctx, opID)
	if why != "" {
		f.skip(why)
		return
	}
	where.id = randomHex(16)
	var body []byte
	if o := r.ops[opID]; o.reqType != "" {
		body = mustJSON(r.prepare(o, r.example(opID), nil))
	}
	p, err := send(ctx, r.main, opID, where, body)
	f.step(opID+" on an unknown id", p, err, 404, "APIG.3002")
}

// createForOther creates an API with the run's credentials and returns it with clients that
// use the second project's token.
func (r *runner) createForOther(ctx context.Context, f *flow, l lifecycleOps) (string, map[string]any, *clients, bool) {
	id, created, err := r.create(ctx, r.main, l.create)
	if !f.check(err == nil, "create: %v", err) {
		return "", nil, nil, false
	}
	other, err := newClients(r.t.BaseURL, r.hc, false, tokenEditor(r.t.OtherToken))
	if !f.check(err == nil, "client: %v", err) {
		return "", nil, nil, false
	}
	return id, created, other, true
}

// isolation: the second project's credentials can neither read, change nor delete an API of
// the first project (403 under the first project's ROMA path, 404 on the legacy gateway,
// whose paths carry no project), and the API is unchanged afterwards.
func (r *runner) isolation(ctx context.Context, f *flow, l lifecycleOps, opID string) {
	if r.t.OtherToken == "" {
		f.skip("needs a second project's token (--other-token)")
		return
	}
	id, created, other, ok := r.createForOther(ctx, f, l)
	if !ok {
		return
	}
	var body []byte
	if o := r.ops[opID]; o.reqType != "" {
		body = mustJSON(r.prepare(o, r.example(opID), nil))
	}
	p, err := send(ctx, other, opID, r.here(id), body)
	if l.showV1 != "" {
		f.step(opID+" with the other project's token", p, err, 403, "APIG.1005")
	} else {
		f.step(opID+" with the other project's token", p, err, 404, "APIG.3002")
	}
	p, err = send(ctx, r.main, l.show, r.here(id), nil)
	if f.step("show it with its own project's token", p, err, 200) {
		f.same(p, map[string]any{"name": created["name"]}, l.show)
	}
}

// isolationList: the second project's list never holds the first project's API.
func (r *runner) isolationList(ctx context.Context, f *flow, l lifecycleOps) {
	if r.t.OtherToken == "" || (l.showV1 != "" && r.t.OtherProjectID == "") {
		f.skip("needs a second project's token and id (--other-token, --other-project)")
		return
	}
	id, created, other, ok := r.createForOther(ctx, f, l)
	if !ok {
		return
	}
	where := at{project: r.t.OtherProjectID, instance: r.t.InstanceID}
	where.query = url.Values{"name": {fmt.Sprint(created["name"])}, "precise_search": {"name"}}.Encode()
	p, err := send(ctx, other, l.list, where, nil)
	// The second project may have no instance with this id (APIG.3030), which hides it too.
	if p.status == 404 {
		f.step("list in the other project", p, err, 404, "APIG.3030")
		return
	}
	if f.step("list in the other project", p, err, 200) {
		f.check(!strings.Contains(string(p.body), id), "the other project's list holds %s", id)
	}
}

// agree lists where an answer of op (a show, or a list item) differs from what the update
// answered, on the members both answers' schemas describe (the v1 query names its VPC members
// its own way, so those are not compared).
func (r *runner) agree(op, update string, got, want map[string]any) []string {
	schema := r.answerSchema(op)
	if schema == nil {
		return nil
	}
	if items := schema.Properties["apis"]; items != nil && items.Value.Items != nil {
		schema = items.Value.Items.Value // a list: the item's schema
	}
	ws := r.answerSchema(update)
	var diffs []string
	for _, k := range sortedKeys(want) {
		prop := schema.Properties[k]
		if prop == nil || ws == nil || ws.Properties[k] == nil || want[k] == nil {
			continue
		}
		if _, ok := got[k]; !ok {
			diffs = append(diffs, k+": lost")
			continue
		}
		diffs = append(diffs, Lost(Project(prop.Value, want[k]), Project(prop.Value, got[k]), k)...)
	}
	return diffs
}

// answerSchema is the schema of an operation's success answer.
func (r *runner) answerSchema(opID string) *openapi3.Schema {
	o := r.ops[opID]
	ref := o.op.Responses.Status(o.success)
	if ref == nil || ref.Value == nil {
		return nil
	}
	mt := ref.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// sameRoute gives doc the route of other: its method, path and match mode.
func sameRoute(doc, other map[string]any) {
	for _, k := range []string{"req_method", "req_uri", "match_mode"} {
		if v, ok := other[k]; ok {
			doc[k] = v
		} else {
			delete(doc, k)
		}
	}
}

// later reports whether the time a is after the time b (RFC 3339 strings).
func later(a, b any) bool {
	as, _ := a.(string)
	bs, _ := b.(string)
	ta, errA := time.Parse(time.RFC3339Nano, as)
	tb, errB := time.Parse(time.RFC3339Nano, bs)
	return errA == nil && errB == nil && ta.After(tb)
}

// waitForNextTick waits, when a service writes its times in whole seconds, until the second
// of t has passed, so that a change made now gets a later time.
func waitForNextTick(t any) {
	s, _ := t.(string)
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || ts.Nanosecond() != 0 {
		return
	}
	if d := time.Until(ts.Add(time.Second)); d > 0 && d <= 2*time.Second {
		time.Sleep(d)
	}
}
