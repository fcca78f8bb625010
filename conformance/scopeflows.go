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
// service whose rule is wider than documented is noticed too. The legacy gateway's pages
// (002 Create, 004 Modify) state no uniqueness rule and no scope at all, neither per group
// nor per domain, so its flows follow the same group scope as its duplicate flows.
var scopes = []struct {
	name string
	// change makes the second API differ from the first in scope only; it reports false when
	// the target lacks what the change needs. move puts a document in another group of the
	// same product, or reports false when the target gives none.
	change func(move func(doc map[string]any) bool, first, second map[string]any) bool
	// what the second API shares with the first: "name" or "route"
	shares string
	// otherGroup: the flow needs a second group (it is not run without one)
	otherGroup bool
}{
	{"same-path-other-match-mode", func(_ func(map[string]any) bool, first, second map[string]any) bool {
		sameRoute(second, first)
		mode := "SWA"
		if m, _ := first["match_mode"].(string); strings.EqualFold(m, "SWA") {
			mode = "NORMAL"
		}
		second["match_mode"] = mode
		return true
	}, "route", false},
	{"same-path-other-method", func(_ func(map[string]any) bool, first, second map[string]any) bool {
		sameRoute(second, first)
		method := "POST"
		if m, _ := first["req_method"].(string); strings.EqualFold(m, "POST") {
			method = "PUT"
		}
		second["req_method"] = method
		return true
	}, "route", false},
	{"same-name-other-group", func(move func(map[string]any) bool, first, second map[string]any) bool {
		second["name"] = first["name"]
		return move(second)
	}, "name", true},
	{"same-route-other-group", func(move func(map[string]any) bool, first, second map[string]any) bool {
		sameRoute(second, first)
		return move(second)
	}, "route", true},
}

// otherGroup returns how a document of opID's product moves to the target's second group of
// that product, and why the other-group flows cannot run without one.
func (r *runner) otherGroup(opID string) (move func(doc map[string]any) bool, needs string) {
	if opID == apigLifecycle.create {
		return func(doc map[string]any) bool {
			if r.t.OtherAPIGGroupID == "" {
				return false
			}
			doc["group_id"] = r.t.OtherAPIGGroupID
			return true
		}, "needs a second API group of the legacy gateway (--other-apig-group)"
	}
	return func(doc map[string]any) bool {
		if r.t.OtherGroupID == "" {
			return false
		}
		doc["group_id"] = r.t.OtherGroupID
		// A global ROMA group needs the target's integration app on its APIs.
		if r.t.AppID != "" {
			doc["roma_app_id"] = r.t.AppID
		}
		return true
	}, "needs a second API group of the instance (--other-group)"
}

func (r *runner) scopeJobs(add func(name, opID string, run func(context.Context, *flow))) {
	for _, opID := range []string{"CreateApiV2", "CreateApi"} {
		move, otherNeeds := r.otherGroup(opID)
		for _, s := range scopes {
			needs := ""
			if s.otherGroup {
				needs = otherNeeds
			}
			add("uniqueness-scope/"+opID+"/"+s.name, opID, func(ctx context.Context, f *flow) {
				r.pair(ctx, f, opID, "create another with the same "+s.shares+", "+strings.ReplaceAll(s.name, "-", " "),
					func(first, second map[string]any) bool { return s.change(move, first, second) }, needs, r.ops[opID].success)
			})
		}
	}
}
