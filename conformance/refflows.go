package conformance

import (
	"context"
	"encoding/json"
	"net/http"
)

// unknownRef is a well-formed id that names nothing.
const unknownRef = "0000000000000000000000000000c0de"

// Every reference a create makes must name something that exists: the service answers an
// unknown one with 404 and the code of the kind of resource, before storing anything.
var unknownRefs = []struct {
	name, opID, example string // example: the documented request the case changes ("" for the first)
	change              func(doc map[string]any, where *at)
	code                string
}{
	{"group", "CreateApiV2", "", func(d map[string]any, _ *at) { d["group_id"] = unknownRef }, "APIG.3001"},
	{"instance", "CreateApiV2", "", func(_ map[string]any, w *at) { w.instance = unknownRef }, "APIG.3030"},
	{"integration-app", "CreateApiV2", "", func(d map[string]any, _ *at) { d["roma_app_id"] = unknownRef }, "APIG.3004"},
	{"authorizer", "CreateApiV2", "Page000WebBackend", func(d map[string]any, _ *at) { d["authorizer_id"] = unknownRef }, "APIG.3081"},
	{"function", "CreateApiV2", "Page000FunctionBackend", func(d map[string]any, _ *at) {
		if fi, ok := d["func_info"].(map[string]any); ok {
			fi["function_urn"] = "urn:fss:region01:" + unknownRef + ":function:default:cf_missing"
		}
	}, "APIG.3019"},
	{"vpc-channel", "CreateApiV2", "Page000WebBackend", func(d map[string]any, _ *at) {
		if b, ok := d["backend_api"].(map[string]any); ok {
			useVPC(b, unknownRef)
		}
	}, "APIG.3023"},
	{"group", "CreateApi", "", func(d map[string]any, _ *at) { d["group_id"] = unknownRef }, "APIG.3001"},
}

func (r *runner) unknownRefJobs(add func(name, opID string, run func(context.Context, *flow))) {
	for _, u := range unknownRefs {
		add("unknown-reference/"+u.opID+"/"+u.name, u.opID, func(ctx context.Context, f *flow) {
			where, why := r.where(ctx, u.opID)
			if why != "" {
				f.skip(why)
				return
			}
			var doc map[string]any
			if err := json.Unmarshal(mustJSON(r.prepare(r.ops[u.opID], r.exampleNamed(u.opID, u.example), nil)), &doc); !f.check(err == nil, "example: %v", err) {
				return
			}
			u.change(doc, &where)
			p, err := send(ctx, r.main, u.opID, where, mustJSON(doc))
			f.step("create naming an unknown "+u.name, p, err, http.StatusNotFound, u.code)
		})
	}
}

// exampleNamed is the documented request example called name of opID, or the first one.
func (r *runner) exampleNamed(opID, name string) any {
	if name == "" {
		return r.example(opID)
	}
	doc, _ := r.ops[opID].spec.Doc()
	for _, ex := range Examples(doc) {
		if ex.Operation == opID && ex.Where == "request" && ex.Name == name {
			return ex.Value
		}
	}
	return r.example(opID)
}
