package conformance

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/conformance/catalog"
)

func testOps(t *testing.T) map[string]*op {
	t.Helper()
	r := &runner{ops: map[string]*op{}}
	for _, s := range catalog.All() {
		require.NoError(t, r.addSpec(s))
	}
	return r.ops
}

// What a create sends comes back: the listed spelling of a case-insensitive enum, the default
// for an out-of-range value x-coerce replaces, and the default of a member left out; a member
// the update cannot change is not compared.
func TestEchoes(t *testing.T) {
	ops := testOps(t)
	create, update := ops["CreateApi"], ops["UpdateApi"]
	sent := `{"name":"n","req_method":"get","tags":["a","b"],"backend_api":{"timeout":999999999,"req_protocol":"http"},"group_id":"g1"}`
	good := `{"name":"n","req_method":"GET","tags":["b","a"],"backend_api":{"timeout":45000,"req_protocol":"HTTP"},"group_id":"g1","match_mode":"NORMAL","req_protocol":"HTTPS","cors":false}`
	assert.Empty(t, create.echoes([]byte(sent), []byte(good)))
	for bad, want := range map[string]string{
		`{"name":"n","req_method":"get","tags":["b","a"],"backend_api":{"timeout":45000,"req_protocol":"HTTP"},"group_id":"g1","match_mode":"NORMAL","req_protocol":"HTTPS","cors":false}`:     `req_method: sent "get", answered "get"`,
		`{"name":"n","req_method":"GET","tags":["b"],"backend_api":{"timeout":45000,"req_protocol":"HTTP"},"group_id":"g1","match_mode":"NORMAL","req_protocol":"HTTPS","cors":false}`:         `tags: sent`,
		`{"name":"n","req_method":"GET","tags":["b","a"],"backend_api":{"timeout":999999999,"req_protocol":"HTTP"},"group_id":"g1","match_mode":"NORMAL","req_protocol":"HTTPS","cors":false}`: `backend_api.timeout: sent 999999999, answered 999999999`,
		`{"name":"n","req_method":"GET","tags":["b","a"],"backend_api":{"timeout":45000,"req_protocol":"HTTP"},"group_id":"g1","match_mode":"SWA","req_protocol":"HTTPS","cors":false}`:        `match_mode: left out, so its default "NORMAL" is due; answered "SWA"`,
		`{"name":"n","req_method":"GET","tags":["b","a"],"backend_api":{"timeout":45000,"req_protocol":"HTTP"},"group_id":"g1","match_mode":"NORMAL","req_protocol":"HTTPS"}`:                  `cors: left out, so its default false is due; answered nothing`,
		`{"req_method":"GET","tags":["b","a"],"backend_api":{"timeout":45000,"req_protocol":"HTTP"},"group_id":"g1","match_mode":"NORMAL","req_protocol":"HTTPS","cors":false}`:                `name: sent "n", not in the answer`,
	} {
		assert.Contains(t, strings.Join(create.echoes([]byte(sent), []byte(bad)), "; "), want, bad)
	}
	moved := `{"name":"n","req_method":"GET","tags":["b","a"],"backend_api":{"timeout":45000,"req_protocol":"HTTP"},"group_id":"g0","match_mode":"NORMAL","req_protocol":"HTTPS","cors":false}`
	assert.NotEmpty(t, create.echoes([]byte(sent), []byte(moved)))
	assert.Empty(t, update.echoes([]byte(sent), []byte(moved)), "the modify keeps the group (APIG-008)")
}

// x-always-returned is checked at every depth; members no schema describes are named once
// per place, with [] for the items of a list.
func TestAnswerMembers(t *testing.T) {
	ops := testOps(t)
	list := ops["ListApisV2"].op.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
	assert.Equal(t, []string{"size"}, missingAlways(list, map[string]any{"total": 1.0, "apis": []any{}}, ""))
	create := ops["CreateApiV2"].op.Responses.Status(201).Value.Content.Get("application/json").Schema.Value
	assert.Contains(t, missingAlways(create, map[string]any{"id": "x"}, ""), "register_time")
	extra := map[string]bool{}
	undocumented(list, map[string]any{"total": 1.0, "size": 1.0, "cf": 1.0, "apis": []any{
		map[string]any{"id": "a", "cf_item": true}, map[string]any{"id": "b", "cf_item": false}}}, "", extra)
	assert.Equal(t, map[string]bool{"cf": true, "apis[].cf_item": true}, extra)
}
