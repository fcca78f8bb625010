package conformance

import (
	"context"
	"encoding/json"
	"fmt"
)

// Create-then-query flows for the backends no documented request example uses: a web backend
// reached through a VPC channel, and web policy backends (one with a VPC channel). The v2
// create must keep them, and the v1 query must return them in its own shape: a VPC channel as
// vpc_status 1 and vpc_info (003 Tables 12 and 13; the 003 example sends the object under
// vpcinfo, ledger ROMA-014, which is accepted too).
var backendFlows = []struct {
	name   string
	vpc    bool // needs the target's VPC channel
	change func(doc map[string]any, vpc string)
}{
	{"vpc-backend", true, func(d map[string]any, vpc string) {
		if b, ok := d["backend_api"].(map[string]any); ok {
			useVPC(b, vpc)
		}
	}},
	{"policy-backend", false, func(d map[string]any, _ string) {
		d["policy_https"] = []any{policy()}
	}},
	{"policy-backend-vpc", true, func(d map[string]any, vpc string) {
		p := policy()
		useVPC(p, vpc)
		d["policy_https"] = []any{p}
	}},
}

// useVPC makes a web backend (or web policy backend) reach its service through a VPC channel.
func useVPC(b map[string]any, vpc string) {
	delete(b, "url_domain")
	b["vpc_channel_status"] = 1
	b["vpc_channel_info"] = map[string]any{"vpc_channel_id": vpc, "vpc_channel_port": 8080}
}

// policy is a web policy backend that applies when the query parameter query_demo (which the
// web backend example declares) is 1.
func policy() map[string]any {
	return map[string]any{
		"name": "cf_policy", "effect_mode": "ANY",
		"req_protocol": "HTTP", "req_method": "GET", "req_uri": "/policy", "url_domain": "10.10.10.157:12346", "timeout": 5000,
		"conditions": []any{map[string]any{"condition_origin": "param", "req_param_name": "query_demo",
			"condition_type": "exact", "condition_value": "1"}},
	}
}

func (r *runner) backendJobs(add func(name, opID string, run func(context.Context, *flow))) {
	for _, b := range backendFlows {
		add("create-query/"+b.name, "ShowDetailsOfApiV1", func(ctx context.Context, f *flow) {
			if b.vpc && r.t.VPCChannelID == "" {
				f.skip("needs a VPC channel of the instance (--vpc-channel)")
				return
			}
			var doc map[string]any
			_ = json.Unmarshal(mustJSON(r.exampleNamed("CreateApiV2", "Page000WebBackend")), &doc)
			b.change(doc, r.t.VPCChannelID)
			if _, err := r.ops["CreateApiV2"].spec.Decode("CreateApiV2Request", mustJSON(doc)); !f.check(err == nil, "the flow's own body is not valid: %v", err) {
				return
			}
			v1 := r.createQuery(ctx, f, doc)
			if v1 == nil || !b.vpc {
				return
			}
			var got any = v1["backend_api"]
			if b.name == "policy-backend-vpc" {
				ps, _ := v1["policy_https"].([]any)
				if !f.check(len(ps) == 1, "query (v1): policy_https %s, want the one policy sent", short(v1["policy_https"])) {
					return
				}
				got = ps[0]
			}
			m, _ := got.(map[string]any)
			f.check(names(m, r.t.VPCChannelID), "query (v1): %s does not name VPC channel %s with vpc_status 1 and vpc_info", short(got), r.t.VPCChannelID)
		})
	}
}

// names reports whether a v1 backend says it uses VPC channel id: vpc_status 1, and vpc_info
// (the channel id, or an object with it as vpc_id) or the example's vpcinfo object.
func names(b map[string]any, id string) bool {
	if b == nil || fmt.Sprint(b["vpc_status"]) != "1" {
		return false
	}
	for _, k := range []string{"vpc_info", "vpcinfo"} {
		switch v := b[k].(type) {
		case string:
			if v == id {
				return true
			}
		case map[string]any:
			if v["vpc_id"] == id {
				return true
			}
		}
	}
	return false
}
