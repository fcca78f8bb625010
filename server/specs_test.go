package server_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/generated/apig/apigspec"
	"github.com/apiclab/apic/generated/romaapic/romaapicspec"
	"github.com/apiclab/apic/server"
)

// The embedded specs are served as JSON without credentials, equal to the generated
// packages' own; the docs page and its assets are served.
func TestSpecsAndDocsPage(t *testing.T) {
	e := startWith(t, filepath.Join(t.TempDir(), "db"), server.Options{})
	for file, get := range map[string]func() (any, error){
		"roma-apic.json": func() (any, error) { return romaapicspec.GetSwagger() },
		"apig.json":      func() (any, error) { return apigspec.GetSwagger() },
	} {
		r := e.do("GET", "/_emulator/openapi/"+file, nil, nil)
		require.Equal(t, 200, r.status, file)
		assert.Contains(t, r.header.Get("Content-Type"), "application/json")
		doc, err := get()
		require.NoError(t, err)
		want, _ := json.Marshal(doc)
		assert.JSONEq(t, string(want), string(r.raw), file)
	}
	assert.Equal(t, 404, e.do("GET", "/_emulator/openapi/other.json", nil, nil).status)
	local := e.do("GET", "/_emulator/openapi/apig.json?servers=self", nil, nil)
	require.Equal(t, 200, local.status)
	servers := local.body["servers"].([]any)
	assert.Equal(t, "/", servers[0].(map[string]any)["url"])
	assert.Len(t, servers, 2, "the emulator, then the spec's own server")

	page := e.do("GET", "/_emulator/docs/", nil, nil)
	require.Equal(t, 200, page.status)
	assert.Contains(t, string(page.raw), `<div id="swagger-ui">`)
	for _, asset := range []string{"init.js", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"} {
		r := e.do("GET", "/_emulator/docs/"+asset, nil, nil)
		assert.Equal(t, 200, r.status, asset)
		assert.NotEmpty(t, r.raw, asset)
	}
	init := e.do("GET", "/_emulator/docs/init.js", nil, nil)
	assert.Contains(t, string(init.raw), "../openapi/roma-apic.json?servers=self")
	assert.Contains(t, string(init.raw), "validatorUrl: null")
}
