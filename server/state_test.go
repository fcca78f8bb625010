package server_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/server"
)

const adminToken = "admin-secret"

func admin() map[string]string { return map[string]string{"Authorization": "Bearer " + adminToken} }

var otherPath = strings.Replace(romaPath, project, other, 1)

// count answers how many of ids the project can still read.
func readable(e *env, path, tok string, ids ...string) int {
	n := 0
	for _, id := range ids {
		if e.do("GET", strings.Replace(path, "/v2/", "/v1/", 1)+"/"+id, nil, tokenHeader(tok)).status == 200 {
			n++
		}
	}
	return n
}

// The state API is off without an admin token, and needs it when on; health is open.
func TestStateAPIProtection(t *testing.T) {
	off := startWith(t, filepath.Join(t.TempDir(), "db"), server.Options{})
	r := off.do("POST", "/_emulator/reset", nil, admin())
	assert.Equal(t, 403, r.status)
	assert.Contains(t, r.body["error_msg"], "--admin-token")
	h := off.do("GET", "/_emulator/health", nil, nil)
	assert.Equal(t, 200, h.status)
	assert.Equal(t, "ok", h.body["status"])
	assert.Equal(t, false, h.body["state_api"])

	on := startWith(t, filepath.Join(t.TempDir(), "db"), server.Options{AdminToken: adminToken})
	for _, hdr := range []map[string]string{nil, tokenHeader(token), {"Authorization": "Bearer wrong"}} {
		for _, call := range [][2]string{{"POST", "/_emulator/reset"}, {"GET", "/_emulator/state"}, {"PUT", "/_emulator/state"},
			{"GET", "/_emulator/fixtures"}, {"GET", "/_emulator/faults"}, {"PUT", "/_emulator/faults"}, {"DELETE", "/_emulator/faults"}} {
			r := on.do(call[0], call[1], nil, hdr)
			assert.Equal(t, 401, r.status, "%v %v", call, hdr)
			assert.Equal(t, "APIG.1002", r.body["error_code"])
		}
	}
	// The vendor's credentials never open the state API, nor the admin token the vendor's.
	assert.Equal(t, 401, on.do("POST", romaPath, minimal("x"), admin()).status)
}

// Reset of one project leaves the others; reset of everything leaves nothing. Export then
// import restores exactly what was exported, on every store.
func TestStateResetExportImport(t *testing.T) {
	for name, dsn := range storeDSNs(t) {
		t.Run(name, func(t *testing.T) {
			e := startWith(t, dsn(t), server.Options{AdminToken: adminToken})
			create := func(path, tok, name string) string {
				r := e.do("POST", path, minimal(name), tokenHeader(tok))
				require.Equal(t, 201, r.status, string(r.raw))
				return r.body["id"].(string)
			}
			mine := []string{create(romaPath, token, "api_a1"), create(romaPath, token, "api_a2")}
			theirs := []string{create(otherPath, otherTok, "api_b1")}
			require.Equal(t, 2, readable(e, romaPath, token, mine...)) // and now cached

			snap := e.do("GET", "/_emulator/state", nil, admin())
			require.Equal(t, 200, snap.status)
			assert.Equal(t, "apicemu-snapshot/1", snap.body["format"])
			assert.Len(t, snap.body["apis"], 3)

			r := e.do("POST", "/_emulator/reset?project="+project, nil, admin())
			require.Equal(t, 200, r.status, string(r.raw))
			assert.Equal(t, float64(2), r.body["deleted"])
			assert.Equal(t, 0, readable(e, romaPath, token, mine...), "reset clears cached answers too")
			assert.Equal(t, 1, readable(e, otherPath, otherTok, theirs...))
			// The names are free again.
			create(romaPath, token, "api_a1")

			assert.Equal(t, 404, e.do("POST", "/_emulator/reset?project=nope", nil, admin()).status)
			r = e.do("POST", "/_emulator/reset", nil, admin())
			require.Equal(t, 200, r.status)
			assert.Equal(t, float64(2), r.body["deleted"])
			assert.Equal(t, 0, readable(e, otherPath, otherTok, theirs...))

			r = e.do("PUT", "/_emulator/state", snap.raw, admin())
			require.Equal(t, 200, r.status, string(r.raw))
			assert.Equal(t, float64(3), r.body["imported"])
			assert.Equal(t, 2, readable(e, romaPath, token, mine...))
			assert.Equal(t, 1, readable(e, otherPath, otherTok, theirs...))
			again := e.do("GET", "/_emulator/state", nil, admin())
			assert.JSONEq(t, string(withoutExported(t, snap.raw)), string(withoutExported(t, again.raw)))
			// Restored names are taken.
			assert.Equal(t, "APIG.3202", e.do("POST", romaPath, minimal("api_a1"), tokenHeader(token)).body["error_code"])
		})
	}
}

func withoutExported(t *testing.T, raw []byte) []byte {
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	delete(m, "exported")
	out, _ := json.Marshal(m)
	return out
}

// A bad snapshot is refused with the reason and changes nothing.
func TestStateImportRefusesBadSnapshots(t *testing.T) {
	e := startWith(t, filepath.Join(t.TempDir(), "db"), server.Options{AdminToken: adminToken})
	r := e.do("POST", romaPath, minimal("kept"), tokenHeader(token))
	require.Equal(t, 201, r.status)
	id := r.body["id"].(string)
	snap := e.do("GET", "/_emulator/state", nil, admin())
	var good map[string]any
	require.NoError(t, json.Unmarshal(snap.raw, &good))
	item := good["apis"].([]any)[0].(map[string]any)
	with := func(key string, v any) map[string]any {
		c := map[string]any{}
		for k, x := range item {
			c[k] = x
		}
		c[key] = v
		return map[string]any{"format": good["format"], "apis": []any{c}}
	}
	for name, body := range map[string]any{
		"not JSON":          "{",
		"trailing data":     string(snap.raw) + "{}",
		"wrong format":      map[string]any{"format": "other/1", "apis": []any{}},
		"unknown member":    map[string]any{"format": good["format"], "apis": []any{}, "extra": 1},
		"unknown project":   with("project", "nope"),
		"unknown instance":  with("instance", "nope"),
		"unknown product":   with("product", "aws"),
		"empty name":        with("name", ""),
		"doc not an object": with("doc", "text"),
		"doc of another id": with("id", "0123"),
		"duplicate name": map[string]any{"format": good["format"], "apis": []any{item,
			func() map[string]any { c := with("id", "x")["apis"].([]any)[0].(map[string]any); return c }()}},
	} {
		r := e.do("PUT", "/_emulator/state", body, admin())
		assert.Equal(t, 400, r.status, "%s: %s", name, r.raw)
		assert.Equal(t, "APIG.2000", r.body["error_code"], name)
	}
	assert.Equal(t, 1, readable(e, romaPath, token, id), "nothing changed")
}

// The loaded fixtures, in the fixtures file's shape.
func TestStateFixtures(t *testing.T) {
	e := startWith(t, filepath.Join(t.TempDir(), "db"), server.Options{AdminToken: adminToken})
	r := e.do("GET", "/_emulator/fixtures", nil, admin())
	require.Equal(t, 200, r.status)
	assert.Equal(t, "application/yaml", r.header.Get("Content-Type"))
	assert.Contains(t, string(r.raw), "projects:")
	assert.Contains(t, string(r.raw), project)
	assert.Contains(t, string(r.raw), "emulator-token")
}
