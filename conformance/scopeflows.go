package conformance

import (
	"context"
	"strings"
)

// The scope of the uniqueness rules. A name is unique within an API group, and so is a route:
// a request method, path and match mode ("Verifying the API Definition", CheckApisV2,
// https://support.huaweicloud.com/intl/en-us/api-apig/CheckApisV2.html, checks a name or a
// method + path + match mode for duplicates in a group). The duplicate flows show the rules
// refusing within their scope; these show them accepting where the scope differs, so that a
// service whose rule is wider than documented is noticed too.
var scopes = []struct {
	name string
	// change makes the second API differ from the first in scope only; it reports false when
	// the target lacks what the change needs.
	change func(r *runner, first, second map[string]any) bool
	// what the second API shares with the first: "name" or "route"
	shares string
	needs  string // why the flow cannot run, when change reports false
}{
	{"same-path-other-match-mode", func(_ *runner, first, second map[string]any) bool {
		sameRoute(second, first)
		mode := "SWA"
		if m, _ := first["match_mode"].(string); strings.EqualFold(m, "SWA") {
			mode = "NORMAL"
		}
		second["match_mode"] = mode
		return true
	}, "route", ""},
	{"same-path-other-method", func(_ *runner, first, second map[string]any) bool {
		sameRoute(second, first)
		method := "POST"
		if m, _ := first["req_method"].(string); strings.EqualFold(m, "POST") {
			method = "PUT"
		}
		second["req_method"] = method
		return true
	}, "route", ""},
	{"same-name-other-group", func(r *runner, first, second map[string]any) bool {
		second["name"] = first["name"]
		return r.otherGroup(second)
	}, "name", "needs a second API group of the instance (--other-group)"},
	{"same-route-other-group", func(r *runner, first, second map[string]any) bool {
		sameRoute(second, first)
		return r.otherGroup(second)
	}, "route", "needs a second API group of the instance (--other-group)"},
}

// otherGroup moves doc to the target's second group (with the target's integration app, which
// a global group needs), or reports false when the target has none.
func (r *runner) otherGroup(doc map[string]any) bool {
	if r.t.OtherGroupID == "" {
		return false
	}
	doc["group_id"] = r.t.OtherGroupID
	if r.t.AppID != "" {
		doc["roma_app_id"] = r.t.AppID
	}
	return true
}

func (r *runner) scopeJobs(add func(name, opID string, run func(context.Context, *flow))) {
	for _, opID := range []string{"CreateApiV2", "CreateApi"} {
		for _, s := range scopes {
			if strings.HasSuffix(s.name, "other-group") && opID != "CreateApiV2" {
				continue // the legacy gateway's second group is not in the emulator's fixtures
			}
			add("uniqueness-scope/"+opID+"/"+s.name, opID, func(ctx context.Context, f *flow) {
				r.pair(ctx, f, opID, "create another with the same "+s.shares+", "+strings.ReplaceAll(s.name, "-", " "),
					func(first, second map[string]any) bool { return s.change(r, first, second) }, s.needs, r.ops[opID].success)
			})
		}
	}
}
